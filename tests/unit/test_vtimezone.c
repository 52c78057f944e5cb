/*
 * Unit tests of the feeds' VTIMEZONEs as Outlook reads them.  Outlook
 * (MS-OXCICAL) keeps only the STANDARD and DAYLIGHT with the latest DTSTART
 * and uses their RRULE, or makes a yearly rule of a bare onset by its
 * weekday of the month ("4th Sunday of March").  The model below does the
 * same, with libical only to parse the text; the truth is tzdata (tz.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "civil.h"
#include "ical.h"
#include "tz.h"

/* One observance as Outlook keeps it: a yearly rule. */
struct outlook_rule {
	bool	present;
	int	month, pos, dow;	/* pos -1: last; dow 1 = Sunday */
	int	hour, minute;		/* wall time, before the change */
	int	to;			/* TZOFFSETTO, seconds */
};

struct outlook_zone {
	struct outlook_rule	std, dst;
};

static void
outlook_rule(icalcomponent *obs, struct outlook_rule *r)
{
	struct icaltimetype		 t = icalcomponent_get_dtstart(obs);
	icalproperty			*p;
	struct icalrecurrencetype	 rr;

	memset(r, 0, sizeof(*r));
	r->present = true;
	r->hour = t.hour;
	r->minute = t.minute;
	p = icalcomponent_get_first_property(obs, ICAL_TZOFFSETTO_PROPERTY);
	assert_non_null(p);
	r->to = icalproperty_get_tzoffsetto(p);
	p = icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY);
	if (p != NULL) {
		rr = icalproperty_get_rrule(p);
		assert_int_equal(rr.freq, ICAL_YEARLY_RECURRENCE);
		r->month = rr.by_month[0];
		r->pos = icalrecurrencetype_day_position(rr.by_day[0]);
		r->dow = (int)icalrecurrencetype_day_day_of_week(rr.by_day[0]);
		assert_int_not_equal(r->pos, 0);
		return;
	}
	/* The date turned into a yearly rule, as Outlook does. */
	r->month = t.month;
	r->dow = icaltime_day_of_week(t);
	r->pos = (t.day - 1) / 7 + 1;
	if (r->pos == 5)
		r->pos = -1;
}

static void
outlook_read(const char *text, struct outlook_zone *z)
{
	icalcomponent		*vtz, *obs, *latest[2] = { NULL, NULL };
	int			 i;

	vtz = icalparser_parse_string(text);
	assert_non_null(vtz);
	assert_int_equal(icalcomponent_isa(vtz), ICAL_VTIMEZONE_COMPONENT);
	for (obs = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	    obs != NULL;
	    obs = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		i = icalcomponent_isa(obs) == ICAL_XDAYLIGHT_COMPONENT;
		if (latest[i] == NULL ||
		    icaltime_compare(icalcomponent_get_dtstart(obs),
		    icalcomponent_get_dtstart(latest[i])) > 0)
			latest[i] = obs;
	}
	memset(z, 0, sizeof(*z));
	assert_non_null(latest[0]);
	outlook_rule(latest[0], &z->std);
	if (latest[1] != NULL)
		outlook_rule(latest[1], &z->dst);
	icalcomponent_free(vtz);
}

/* The day of the change a rule makes in year y. */
static struct civil_date
outlook_day(const struct outlook_rule *r, int y)
{
	struct icaltimetype	 t = icaltime_null_date();
	int			 dim = icaltime_days_in_month(r->month, y);

	t.year = y;
	t.month = r->month;
	if (r->pos > 0) {
		t.day = 1;
		t.day += (r->dow - icaltime_day_of_week(t) + 7) % 7 +
		    7 * (r->pos - 1);
	} else {
		t.day = dim;
		t.day -= (icaltime_day_of_week(t) - r->dow + 7) % 7;
	}
	return (struct civil_date){ y, r->month, t.day };
}

/* Minutes since the year's start of a wall time, for comparing. */
static long
outlook_key(struct civil_date d, int h, int m)
{
	return ((long)d.m * 32 + d.d) * 1440 + h * 60 + m;
}

static int
outlook_offset(const struct outlook_zone *z, struct civil_date d,
    struct civil_time at)
{
	long	w, on, off;
	bool	dst;

	if (!z->dst.present)
		return z->std.to;
	w = outlook_key(d, at.h, at.min);
	on = outlook_key(outlook_day(&z->dst, d.y), z->dst.hour,
	    z->dst.minute);
	off = outlook_key(outlook_day(&z->std, d.y), z->std.hour,
	    z->std.minute);
	dst = on < off ? w >= on && w < off : w >= on || w < off;
	return dst ? z->dst.to : z->std.to;
}

static const char *const zones[] = {
	"America/New_York", "America/Chicago", "Europe/London",
	"Europe/Paris", "Australia/Sydney", "America/Phoenix",
};

/* Weekly series from the 1st of each month of 2026, for a year, at 15:30
 * and at 07:00: every meeting's offset in Outlook is tzdata's. */
static void
test_outlook_reads_tzdata(void **state)
{
	static const struct civil_time	 times[] = { { 15, 30, 0 },
					    { 7, 0, 0 } };
	struct outlook_zone		 oz;
	const struct tz			*tz;
	struct civil_date		 d, last;
	char				*text, *err;
	size_t				 i, t;
	int				 m, w, bad;

	(void)state;
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		tz = tz_find(zones[i]);
		assert_non_null(tz);
		for (m = 1; m <= 12; m++) {
			d = (struct civil_date){ 2026, m, 1 };
			last = civil_date_add(d, 7 * 51);
			assert_int_equal(ical_render_vtimezone(tz, 2026,
			    last.y, &text, &err), 0);
			outlook_read(text, &oz);
			bad = 0;
			for (w = 0; w < 52; w++)
				for (t = 0; t < 2; t++) {
					struct civil_date md =
					    civil_date_add(d, 7 * w);
					long want = tz_offset_at(tz,
					    tz_to_utc(tz, md, times[t]));
					int got = outlook_offset(&oz, md,
					    times[t]);

					if (got != want && bad++ == 0)
						print_error("%s %04d-%02d-%02d:"
						    " Outlook %d, tzdata %ld\n"
						    "%s", zones[i], md.y, md.m,
						    md.d, got, want, text);
				}
			free(text);
			assert_int_equal(bad, 0);
		}
	}
}

/* London's rules in force are written as Google and Outlook write them. */
static void
test_london_rrule(void **state)
{
	char	*text, *err;

	(void)state;
	assert_int_equal(ical_render_vtimezone(tz_find("Europe/London"), 2026,
	    2027, &text, &err), 0);
	assert_non_null(strstr(text,
	    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"));
	assert_non_null(strstr(text,
	    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"));
	assert_non_null(strstr(text, "DTSTART:20260329T010000\r\n"));
	assert_null(strstr(text, "20270328"));
	assert_null(strstr(text, "UNTIL"));
	free(text);
}

/* The US rules changed in 2007: 2006's changes stay as onsets. */
static void
test_older_rules_stay_onsets(void **state)
{
	char		*text, *err;
	icalcomponent	*vtz, *obs;
	int		 onsets = 0, rules = 0;

	(void)state;
	assert_int_equal(ical_render_vtimezone(tz_find("America/New_York"),
	    2006, 2008, &text, &err), 0);
	vtz = icalparser_parse_string(text);
	assert_non_null(vtz);
	for (obs = icalcomponent_get_first_component(vtz,
	    ICAL_XDAYLIGHT_COMPONENT); obs != NULL;
	    obs = icalcomponent_get_next_component(vtz,
	    ICAL_XDAYLIGHT_COMPONENT)) {
		struct icaltimetype t = icalcomponent_get_dtstart(obs);

		if (icalcomponent_get_first_property(obs,
		    ICAL_RRULE_PROPERTY) != NULL) {
			rules++;
			assert_int_equal(t.year, 2007);
			assert_int_equal(t.month, 3);
			assert_int_equal(t.day, 11);
		} else {
			onsets++;
			assert_int_equal(t.year, 2006);
			assert_int_equal(t.month, 4);
			assert_int_equal(t.day, 2);
		}
	}
	assert_int_equal(rules, 1);
	assert_int_equal(onsets, 1);
	icalcomponent_free(vtz);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outlook_reads_tzdata),
		cmocka_unit_test(test_london_rrule),
		cmocka_unit_test(test_older_rules_stay_onsets),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tz_shutdown();
	return rc;
}
