/* Unit tests of ical_busy: iCalendar data read as busy time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "avail.h"
#include "ical.h"
#include "tz.h"
#include "utc.h"
#include "xmalloc.h"

static const char CAL[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    /* Weekly Mondays 10:00-11:00 New York; 11-09 excluded; 11-16 moved
     * to 14:00. */
    "BEGIN:VEVENT\r\nUID:weekly@test\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;TZID=America/New_York:20261026T100000\r\n"
    "DTEND;TZID=America/New_York:20261026T110000\r\n"
    "RRULE:FREQ=WEEKLY;BYDAY=MO\r\n"
    "EXDATE;TZID=America/New_York:20261109T100000\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:weekly@test\r\nDTSTAMP:20260101T000000Z\r\n"
    "RECURRENCE-ID;TZID=America/New_York:20261116T100000\r\n"
    "DTSTART;TZID=America/New_York:20261116T140000\r\n"
    "DTEND;TZID=America/New_York:20261116T150000\r\n"
    "END:VEVENT\r\n"
    /* An all-day event: the whole New York day. */
    "BEGIN:VEVENT\r\nUID:allday@test\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;VALUE=DATE:20261104\r\nDTEND;VALUE=DATE:20261105\r\n"
    "END:VEVENT\r\n"
    /* Transparent and cancelled: not busy. */
    "BEGIN:VEVENT\r\nUID:transp@test\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART:20261105T150000Z\r\nDTEND:20261105T160000Z\r\n"
    "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:cancel@test\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART:20261105T170000Z\r\nDTEND:20261105T180000Z\r\n"
    "STATUS:CANCELLED\r\nEND:VEVENT\r\n"
    /* Floating 09:00-10:00: read in the member's zone. */
    "BEGIN:VEVENT\r\nUID:floating@test\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART:20261106T090000\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"
    "BEGIN:VFREEBUSY\r\nUID:fb@test\r\nDTSTAMP:20260101T000000Z\r\n"
    "FREEBUSY:20261106T150000Z/20261106T160000Z\r\n"
    "FREEBUSY;FBTYPE=FREE:20261110T150000Z/PT1H\r\n"
    "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20261111T150000Z/PT30M\r\n"
    "END:VFREEBUSY\r\n"
    "END:VCALENDAR\r\n";

static void
test_busy_calendar(void **state)
{
	struct avail	*s = avail_new();
	char		*err = NULL;
	int64_t		 f, t;
	const int64_t	 want[] = {
		utc(2026, 11, 2, 15, 0), utc(2026, 11, 2, 16, 0),
		utc(2026, 11, 4, 5, 0), utc(2026, 11, 5, 5, 0),
		utc(2026, 11, 6, 14, 0), utc(2026, 11, 6, 16, 0),
		utc(2026, 11, 11, 15, 0), utc(2026, 11, 11, 15, 30),
		utc(2026, 11, 16, 19, 0), utc(2026, 11, 16, 20, 0),
	};
	size_t		 i;

	assert_int_equal(ical_busy(CAL, strlen(CAL),
	    tz_find("America/New_York"), utc(2026, 11, 1, 12, 0),
	    utc(2026, 11, 17, 0, 0), s, &err), 0);
	assert_null(err);
	assert_int_equal(avail_count(s), 5);
	for (i = 0; i < 5; i++) {
		avail_get(s, i, &f, &t);
		assert_int_equal(f, want[2 * i]);
		assert_int_equal(t, want[2 * i + 1]);
	}
	avail_free(s);
}

/* Clipped to the range: the series before it and after it add nothing. */
static void
test_busy_clipped(void **state)
{
	struct avail	*s = avail_new();
	char		*err = NULL;

	assert_int_equal(ical_busy(CAL, strlen(CAL),
	    tz_find("America/New_York"), utc(2026, 11, 2, 15, 30),
	    utc(2026, 11, 2, 18, 0), s, &err), 0);
	assert_int_equal(avail_count(s), 1);
	assert_int_equal(avail_total(s), 1800);
	avail_free(s);
}

static void
test_busy_refused(void **state)
{
	static const char	 junk[] = "<html>not a calendar</html>";
	static const char	 nul[] = "BEGIN:VCALENDAR\r\n\0END:VCALENDAR\r\n";
	struct avail		*s = avail_new();
	char			*err = NULL;

	avail_add(s, 0, 10);
	assert_int_equal(ical_busy(junk, strlen(junk), NULL, 0, 1000000, s,
	    &err), -1);
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_int_equal(ical_busy(nul, sizeof(nul) - 1, NULL, 0, 1000000, s,
	    &err), -1);
	assert_non_null(strstr(err, "NUL"));
	free(err);
	/* Left as it was. */
	assert_int_equal(avail_count(s), 1);
	assert_int_equal(avail_total(s), 10);
	avail_free(s);
}

/* RDATE adds instances of the series' length, in its zone. */
static void
test_busy_rdate(void **state)
{
	static const char	 cal[] =
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
	    "BEGIN:VEVENT\r\nUID:r@t\r\nDTSTAMP:20260101T000000Z\r\n"
	    "DTSTART;TZID=America/New_York:20261102T100000\r\n"
	    "DURATION:PT30M\r\nRRULE:FREQ=WEEKLY;COUNT=1\r\n"
	    "RDATE;TZID=America/New_York:20261104T120000\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n";
	struct avail		*s = avail_new();
	char			*err = NULL;
	int64_t			 f, t;

	assert_int_equal(ical_busy(cal, strlen(cal), NULL, utc(2026, 11, 1,
	    0, 0), utc(2026, 11, 8, 0, 0), s, &err), 0);
	assert_int_equal(avail_count(s), 2);
	avail_get(s, 1, &f, &t);
	assert_int_equal(f, utc(2026, 11, 4, 17, 0));
	assert_int_equal(t, utc(2026, 11, 4, 17, 30));
	avail_free(s);
}

/* A rule that steps for ever before the range is refused, not followed. */
static void
test_busy_runaway_rule(void **state)
{
	static const char	 cal[] =
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
	    "BEGIN:VEVENT\r\nUID:x@t\r\nDTSTAMP:20260101T000000Z\r\n"
	    "DTSTART:20200101T000000Z\r\nDURATION:PT1S\r\n"
	    "RRULE:FREQ=MINUTELY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	struct avail		*s = avail_new();
	char			*err = NULL;

	assert_int_equal(ical_busy(cal, strlen(cal), NULL, utc(2026, 11, 1,
	    0, 0), utc(2026, 11, 8, 0, 0), s, &err), -1);
	assert_non_null(strstr(err, "FREQ=MINUTELY"));
	assert_int_equal(avail_count(s), 0);
	free(err);
	avail_free(s);
}


/* Refused before anything is expanded (issue 15): each once held libical. */
static void
refused(const char *rule_or_zone, bool zone, const char *want)
{
	char		*cal, *err = NULL;
	struct avail	*s = avail_new();

	if (zone)
		cal = xasprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		    "PRODID:-//t//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Evil\r\n"
		    "BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
		    "RRULE:%s\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\n"
		    "END:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\n"
		    "UID:z@t\r\nDTSTAMP:20260101T000000Z\r\n"
		    "DTSTART;TZID=Evil:20261103T100000\r\nDURATION:PT1H\r\n"
		    "END:VEVENT\r\nEND:VCALENDAR\r\n", rule_or_zone);
	else
		cal = xasprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		    "PRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x@t\r\n"
		    "DTSTAMP:20260101T000000Z\r\nDTSTART:20260101T000000Z\r\n"
		    "DURATION:PT1H\r\nRRULE:%s\r\nEND:VEVENT\r\n"
		    "END:VCALENDAR\r\n", rule_or_zone);
	assert_int_equal(ical_busy(cal, strlen(cal), NULL, utc(2026, 11, 1,
	    0, 0), utc(2026, 11, 8, 0, 0), s, &err), -1);
	if (strstr(err, want) == NULL)
		fail_msg("%s: got '%s', wanted '%s'", rule_or_zone, err, want);
	assert_int_equal(avail_count(s), 0);
	free(err);
	free(cal);
	avail_free(s);
}

static void
test_busy_guards(void **state)
{
	refused("FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", false,
	    "FREQ=SECONDLY");
	refused("FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31", false,
	    "FREQ=MINUTELY");
	refused("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", false, "never match");
	refused("FREQ=DAILY;BYMONTH=4,6,9,11;BYMONTHDAY=31", false,
	    "never match");
	refused("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=-30", false, "never match");
	refused("FREQ=HOURLY;BYYEARDAY=366;BYMONTH=1", false, "never match");
	refused("FREQ=SECONDLY", true, "VTIMEZONE observance repeats "
	    "FREQ=SECONDLY");
	refused("FREQ=MONTHLY;BYDAY=1SU", true, "only YEARLY");
}

/* Rules that can match pass the guards: 29 February, day 366, day -1. */
static void
test_busy_guards_pass(void **state)
{
	static const char	*ok[] = {
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
		"FREQ=YEARLY;BYYEARDAY=366;BYMONTH=12",
		"FREQ=MONTHLY;BYMONTHDAY=-1;BYMONTH=2",
		"FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,5",
	};
	struct avail		*s;
	char			*cal, *err = NULL;
	size_t			 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		s = avail_new();
		cal = xasprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		    "PRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x@t\r\n"
		    "DTSTAMP:20260101T000000Z\r\nDTSTART:20260101T000000Z\r\n"
		    "DURATION:PT1H\r\nRRULE:%s\r\nEND:VEVENT\r\n"
		    "END:VCALENDAR\r\n", ok[i]);
		if (ical_busy(cal, strlen(cal), NULL, utc(2026, 11, 1, 0, 0),
		    utc(2026, 11, 8, 0, 0), s, &err) != 0)
			fail_msg("%s: %s", ok[i], err);
		free(cal);
		avail_free(s);
	}
}

/* Many EXDATEs (looked up by binary search) leave exactly their
 * instances out: an hourly rule over a day, every other hour excluded
 * (date-time EXDATEs) and a whole day excluded by a date EXDATE. */
static void
test_busy_exdates(void **state)
{
	struct xbuf	 b = { NULL, 0, 0 };
	struct avail	*s = avail_new();
	char		*err = NULL, line[64];
	int64_t		 f, t;
	int		 h;

	static const char	 head[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:e@t\r\n"
	    "DTSTAMP:20260101T000000Z\r\nDTSTART:20261102T000000Z\r\n"
	    "DURATION:PT30M\r\nRRULE:FREQ=HOURLY;COUNT=48\r\n";
	static const char	 tail[] = "EXDATE;VALUE=DATE:20261103\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n";

	xbuf_add(&b, head, strlen(head));
	/* In reverse order, so that sorting matters. */
	for (h = 23; h >= 0; h -= 2) {
		snprintf(line, sizeof(line), "EXDATE:20261102T%02d0000Z\r\n",
		    h);
		xbuf_add(&b, line, strlen(line));
	}
	xbuf_add(&b, tail, strlen(tail));
	assert_int_equal(ical_busy(b.s, b.len, NULL, utc(2026, 11, 1, 0, 0),
	    utc(2026, 11, 8, 0, 0), s, &err), 0);
	assert_int_equal(avail_count(s), 12);
	avail_get(s, 0, &f, &t);
	assert_int_equal(f, utc(2026, 11, 2, 0, 0));
	avail_get(s, 11, &f, &t);
	assert_int_equal(f, utc(2026, 11, 2, 22, 0));
	assert_int_equal(t, utc(2026, 11, 2, 22, 30));
	free(b.s);
	avail_free(s);
}

/*
 * Plain weekly and daily rules are stepped without libical's iterator
 * (ical_fast in ical_read.c): on random rules, ical_busy must give what
 * libical's own iterator gives, instance for instance.  Zoned, UTC,
 * floating and all-day starts, times in the DST gap and overlap, BYDAY
 * sets that do and do not hold DTSTART's day (the latter go to libical),
 * WKST, INTERVAL, COUNT and UNTIL.
 */
static uint64_t
fast_rnd(uint64_t *seed, unsigned n)
{
	*seed ^= *seed << 13;
	*seed ^= *seed >> 7;
	*seed ^= *seed << 17;
	return *seed % n;
}

static void
fast_oracle(const char *text, icaltimezone *ny, int64_t from, int64_t to,
    struct avail *want)
{
	icalcomponent		*root, *ev;
	icalrecur_iterator	*it;
	struct icaltimetype	 s, e, t, n;
	icaltimezone		*z;
	int64_t			 a, b, dur;

	root = icalparser_parse_string(text);
	assert_non_null(root);
	ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	s = icalcomponent_get_dtstart(ev);
	e = icalcomponent_get_dtend(ev);
	z = icaltime_is_utc(s) ? icaltimezone_get_utc_timezone() :
	    s.zone != NULL ? (icaltimezone *)s.zone : ny;
	dur = s.is_date ? 0 : (int64_t)icaltime_as_timet_with_zone(e, z) -
	    (int64_t)icaltime_as_timet_with_zone(s, z);
	it = icalrecur_iterator_new(icalproperty_get_rrule(
	    icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY)), s);
	assert_non_null(it);
	for (t = icalrecur_iterator_next(it); !icaltime_is_null_time(t);
	    t = icalrecur_iterator_next(it)) {
		if (t.is_date) {
			n = t;
			icaltime_adjust(&n, 1, 0, 0, 0);
			t.is_date = n.is_date = 0;
			t.hour = t.minute = t.second = 0;
			n.hour = n.minute = n.second = 0;
			a = (int64_t)icaltime_as_timet_with_zone(t, ny);
			b = (int64_t)icaltime_as_timet_with_zone(n, ny);
			if (a >= to)
				break;
		} else {
			a = (int64_t)icaltime_as_timet_with_zone(t, z);
			b = a + dur;
			if (a >= to)
				break;
		}
		if (b > from && a < to)
			avail_add(want, a < from ? from : a, b > to ? to : b);
	}
	icalrecur_iterator_free(it);
	icalcomponent_free(root);
}

static void
test_busy_fast_rules(void **state)
{
	static const char *const days[] = { "SU", "MO", "TU", "WE", "TH",
	    "FR", "SA" };
	static const char *const times[] = { "T013000", "T023000",
	    "T090000", "T164500", "T000000" };
	icaltimezone	*ny = icaltimezone_get_builtin_timezone(
			    "America/New_York");
	uint64_t	 seed = 0x9E3779B97F4A7C15ULL;
	int64_t		 from = utc(2026, 2, 1, 0, 0), to = utc(2027, 3, 1, 0, 0);
	int64_t		 f1, t1, f2, t2;
	char		 text[2048], rule[256], start[96], end[96];
	char		*err = NULL;
	struct avail	*got, *want;
	size_t		 i;
	int		 k, kind, m, d, j, nfast = 0;

	for (k = 0; k < 400; k++) {
		kind = (int)fast_rnd(&seed, 4);	/* zoned, UTC, floating, date */
		m = 1 + (int)fast_rnd(&seed, 12);
		d = 1 + (int)fast_rnd(&seed, 28);
		j = (int)fast_rnd(&seed, 5);
		/* libical keeps the 03:30 of a zoned 02:30 that fell in the
		 * DST gap for every later instance (test_busy_fast_gap). */
		if (kind == 0 && j == 1)
			j = 0;
		if (kind == 3) {
			snprintf(start, sizeof(start),
			    "DTSTART;VALUE=DATE:2026%02d%02d", m, d);
			snprintf(end, sizeof(end),
			    "DTEND;VALUE=DATE:2026%02d%02d", m, d + 1);
		} else {
			snprintf(start, sizeof(start), "DTSTART%s:2026%02d%02d%s%s",
			    kind == 0 ? ";TZID=America/New_York" : "", m, d,
			    times[j], kind == 1 ? "Z" : "");
			snprintf(end, sizeof(end), "DURATION:PT%dM",
			    15 + 15 * (int)fast_rnd(&seed, 8));
		}
		snprintf(rule, sizeof(rule), "RRULE:FREQ=%s;INTERVAL=%d",
		    fast_rnd(&seed, 3) == 0 ? "DAILY" : "WEEKLY",
		    1 + (int)fast_rnd(&seed, 4));
		if (fast_rnd(&seed, 3) != 0) {
			unsigned mask = (unsigned)fast_rnd(&seed, 127) + 1;
			const char *sep = ";BYDAY=";

			for (i = 0; i < 7; i++)
				if (mask & (1u << i)) {
					strcat(rule, sep);
					strcat(rule, days[i]);
					sep = ",";
				}
		}
		if (fast_rnd(&seed, 2) == 0) {
			strcat(rule, ";WKST=");
			strcat(rule, days[fast_rnd(&seed, 7)]);
		}
		switch (fast_rnd(&seed, 4)) {
		case 0:
			snprintf(rule + strlen(rule), 32, ";COUNT=%d",
			    1 + (int)fast_rnd(&seed, 60));
			break;
		case 1:
			if (kind == 3)
				snprintf(rule + strlen(rule), 32,
				    ";UNTIL=2026%02d%02d",
				    1 + (int)fast_rnd(&seed, 12),
				    1 + (int)fast_rnd(&seed, 28));
			else
				snprintf(rule + strlen(rule), 32,
				    ";UNTIL=2026%02d%02dT%02d3000Z",
				    1 + (int)fast_rnd(&seed, 12),
				    1 + (int)fast_rnd(&seed, 28),
				    (int)fast_rnd(&seed, 24));
			break;
		default:
			break;
		}
		snprintf(text, sizeof(text), "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		    "PRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:r%d@test\r\n"
		    "DTSTAMP:20260101T000000Z\r\n%s\r\n%s\r\n%s\r\n"
		    "END:VEVENT\r\nEND:VCALENDAR\r\n", k, start, end, rule);
		got = avail_new();
		want = avail_new();
		if (ical_busy(text, strlen(text), tz_find("America/New_York"),
		    from, to, got, &err) != 0)
			fail_msg("%s: %s", rule, err);
		fast_oracle(text, ny, from, to, want);
		if (avail_count(got) != avail_count(want))
			fail_msg("%s\n%s: %zu intervals, libical %zu", start,
			    rule, avail_count(got), avail_count(want));
		for (i = 0; i < avail_count(got); i++) {
			avail_get(got, i, &f1, &t1);
			avail_get(want, i, &f2, &t2);
			if (f1 != f2 || t1 != t2)
				fail_msg("%s\n%s: interval %zu: %lld-%lld, "
				    "libical %lld-%lld", start, rule, i,
				    (long long)f1, (long long)t1,
				    (long long)f2, (long long)t2);
		}
		nfast += avail_count(want) > 0;
		avail_free(got);
		avail_free(want);
	}
	assert_true(nfast > 200);
}

/* A zoned 02:30 on the spring-forward day is 03:30 EDT; the days around
 * it keep 02:30 (RFC 5545 3.3.10). */
static void
test_busy_fast_gap(void **state)
{
	static const char text[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:gap@test\r\n"
	    "DTSTAMP:20260101T000000Z\r\n"
	    "DTSTART;TZID=America/New_York:20260307T023000\r\n"
	    "DURATION:PT15M\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n";
	const int64_t	 want[] = {
		utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 30),
		utc(2026, 3, 9, 6, 30),
	};
	struct avail	*s = avail_new();
	char		*err = NULL;
	int64_t		 f, t;
	size_t		 i;

	assert_int_equal(ical_busy(text, strlen(text),
	    tz_find("America/New_York"), utc(2026, 3, 1, 0, 0),
	    utc(2026, 4, 1, 0, 0), s, &err), 0);
	assert_int_equal(avail_count(s), 3);
	for (i = 0; i < 3; i++) {
		avail_get(s, i, &f, &t);
		assert_int_equal(f, want[i]);
		assert_int_equal(t, want[i] + 900);
	}
	avail_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_calendar),
		cmocka_unit_test(test_busy_clipped),
		cmocka_unit_test(test_busy_refused),
		cmocka_unit_test(test_busy_rdate),
		cmocka_unit_test(test_busy_runaway_rule),
		cmocka_unit_test(test_busy_guards),
		cmocka_unit_test(test_busy_guards_pass),
		cmocka_unit_test(test_busy_exdates),
		cmocka_unit_test(test_busy_fast_rules),
		cmocka_unit_test(test_busy_fast_gap),
	};
	int	rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tz_shutdown();
	return rc;
}
