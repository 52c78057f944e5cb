/* Unit tests of ical_busy: iCalendar data read as busy time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avail.h"
#include "ical.h"
#include "tz.h"
#include "utc.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_calendar),
		cmocka_unit_test(test_busy_clipped),
		cmocka_unit_test(test_busy_refused),
		cmocka_unit_test(test_busy_rdate),
		cmocka_unit_test(test_busy_runaway_rule),
	};
	int	rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tz_shutdown();
	return rc;
}
