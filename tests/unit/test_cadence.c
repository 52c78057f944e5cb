/* Unit tests of cadence and recur: a community's series as meetings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cadence.h"
#include "civil.h"
#include "config.h"
#include "recur.h"
#include "tz.h"
#include "utc.h"

static struct civil_date
date(int y, int m, int d)
{
	struct civil_date	 r = { y, m, d };

	return r;
}

static struct civil_time
hm(int h, int m)
{
	struct civil_time	 r = { h, m, 0 };

	return r;
}

/* A community as config_load would leave it, built by hand. */
static struct config_community
community(const char *zone, enum config_cadence cadence, int day,
    struct civil_time at, struct civil_date start)
{
	struct config_community	 c;

	memset(&c, 0, sizeof(c));
	c.id = "math7";
	c.name = "Grade 7 Math PLC";
	c.cadence = cadence;
	c.day = day;
	c.week = 1;
	c.time = at;
	c.duration = 45 * 60;
	c.start = start;
	c.tz = tz_find(zone);
	if (c.tz == NULL)
		fail_msg("no zone %s", zone);
	return c;
}

static struct config_community
community_rrule(const char *zone, const char *rule, struct civil_time at,
    struct civil_date start)
{
	struct config_community	 c;

	c = community(zone, CONFIG_CADENCE_RRULE, -1, at, start);
	c.rrule = (char *)rule;
	return c;
}

/* Expands and fails the test on an error; *occ is the caller's to free. */
static long
expand(const struct config_community *c, time_t from, time_t to,
    struct cadence_occ **occ)
{
	char	*err = NULL;
	long	 n;

	n = cadence_expand(c, c->day, c->time, from, to, occ, &err);
	if (n < 0)
		fail_msg("cadence_expand: %s", err ? err : "(no message)");
	assert_null(err);
	return n;
}

static void
assert_date(struct civil_date d, int y, int m, int day)
{
	if (d.y != y || d.m != m || d.d != day)
		fail_msg("date %04d-%02d-%02d, expected %04d-%02d-%02d", d.y, d.m,
		    d.d, y, m, day);
}

/* Dates of the occurrences, as "YYYY-MM-DD YYYY-MM-DD …" to compare. */
static char *
dates_of(const struct cadence_occ *occ, long n)
{
	char	*s = calloc((size_t)n + 1, CIVIL_DATE_LEN);
	char	 b[CIVIL_DATE_LEN];
	long	 i;

	assert_non_null(s);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, civil_date_format(occ[i].date, b));
	}
	return s;
}

static void
assert_dates(const struct cadence_occ *occ, long n, const char *want)
{
	char	*got = dates_of(occ, n);

	if (strcmp(got, want) != 0) {
		fprintf(stderr, "got:  %s\nwant: %s\n", got, want);
		free(got);
		fail_msg("dates differ");
	}
	free(got);
}

/* Every meeting of a series: a window wider than any test's series. */
static long
expand_all(const struct config_community *c, struct cadence_occ **occ)
{
	return expand(c, utc(2000, 1, 1, 0, 0), utc(2040, 1, 1, 0, 0), occ);
}

static void
assert_rrule(const struct config_community *c, int day, const char *want)
{
	char	*rule = cadence_rrule(c, day);

	assert_string_equal(rule, want);
	free(rule);
}

/*
 * A school year of Tuesdays at 15:30 in New York: the wall time stays put
 * while the UTC hour follows EDT (19:30Z), EST from 2026-11-01 (20:30Z) and
 * EDT again from 2027-03-14 (19:30Z).
 */
static void
test_weekly_new_york_school_year(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	struct civil_date	 d;
	struct civil_time	 t;
	long			 n, i;
	int			 hour;

	(void)state;
	c = community("America/New_York", CONFIG_CADENCE_WEEKLY, CIVIL_TU,
	    hm(15, 30), date(2026, 9, 1));
	c.has_until = true;
	c.until = date(2027, 6, 15);
	assert_rrule(&c, CIVIL_TU, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270616T035959Z");
	assert_date(cadence_first(&c, CIVIL_TU), 2026, 9, 1);
	n = expand_all(&c, &occ);
	assert_int_equal(n, 42);
	assert_date(occ[0].date, 2026, 9, 1);
	assert_date(occ[n - 1].date, 2027, 6, 15);
	for (i = 0; i < n; i++) {
		assert_int_equal(civil_weekday(occ[i].date), CIVIL_TU);
		assert_true(civil_date_cmp(occ[i].orig, occ[i].date) == 0);
		assert_false(occ[i].moved);
		assert_false(occ[i].cancelled);
		if (i > 0)
			assert_int_equal(civil_date_to_days(occ[i].date) -
			    civil_date_to_days(occ[i - 1].date), 7);
		tz_from_utc(c.tz, occ[i].start, &d, &t);
		assert_true(civil_date_cmp(d, occ[i].date) == 0);
		assert_int_equal(t.h, 15);
		assert_int_equal(t.min, 30);
		assert_int_equal(occ[i].end - occ[i].start, 45 * 60);
		if (civil_date_cmp(occ[i].date, date(2026, 11, 1)) < 0 ||
		    civil_date_cmp(occ[i].date, date(2027, 3, 14)) > 0)
			hour = 19;
		else
			hour = 20;
		assert_int_equal(occ[i].start, utc(occ[i].date.y,
		    occ[i].date.m, occ[i].date.d, hour, 30));
	}
	/* The days around each change, spelled out. */
	for (i = 0; i < n; i++) {
		if (civil_date_cmp(occ[i].date, date(2026, 10, 27)) == 0) {
			assert_int_equal(occ[i].start, utc(2026, 10, 27, 19, 30));
			assert_int_equal(occ[i + 1].start,
			    utc(2026, 11, 3, 20, 30));
		}
		if (civil_date_cmp(occ[i].date, date(2027, 3, 9)) == 0) {
			assert_int_equal(occ[i].start, utc(2027, 3, 9, 20, 30));
			assert_int_equal(occ[i + 1].start,
			    utc(2027, 3, 16, 19, 30));
		}
	}
	free(occ);
}

/* London changes on other dates: BST ends 2026-10-25, starts 2027-03-28. */
static void
test_weekly_london_school_year(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	struct civil_date	 d;
	struct civil_time	 t;
	long			 n, i;
	int			 hour;

	(void)state;
	c = community("Europe/London", CONFIG_CADENCE_WEEKLY, CIVIL_TU,
	    hm(15, 30), date(2026, 9, 1));
	c.has_until = true;
	c.until = date(2027, 6, 15);
	assert_rrule(&c, CIVIL_TU, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270615T225959Z");
	n = expand_all(&c, &occ);
	assert_int_equal(n, 42);
	for (i = 0; i < n; i++) {
		tz_from_utc(c.tz, occ[i].start, &d, &t);
		assert_true(civil_date_cmp(d, occ[i].date) == 0);
		assert_int_equal(civil_time_to_secs(t), 15 * 3600 + 30 * 60);
		if (civil_date_cmp(occ[i].date, date(2026, 10, 25)) < 0 ||
		    civil_date_cmp(occ[i].date, date(2027, 3, 28)) > 0)
			hour = 14;
		else
			hour = 15;
		assert_int_equal(occ[i].start, utc(occ[i].date.y,
		    occ[i].date.m, occ[i].date.d, hour, 30));
	}
	free(occ);
	/* In winter the UNTIL instant is the same clock time in UTC. */
	c.until = date(2026, 12, 15);
	assert_rrule(&c, CIVIL_TU, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261215T235959Z");
}

/* Every other week, counted from the first meeting on or after start. */
static void
test_biweekly_alignment(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	long			 n;

	(void)state;
	c = community("America/New_York", CONFIG_CADENCE_BIWEEKLY, CIVIL_TU,
	    hm(15, 30), date(2026, 9, 1));
	c.has_until = true;
	c.until = date(2026, 11, 30);
	c.tz = tz_find("UTC");
	assert_rrule(&c, CIVIL_TU,
	    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20261130T235959Z");
	c.has_until = false;
	assert_rrule(&c, CIVIL_TU, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU");
	c.has_until = true;
	c.tz = tz_find("America/New_York");
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-09-01 2026-09-15 2026-09-29 2026-10-13 "
	    "2026-10-27 2026-11-10 2026-11-24");
	free(occ);
	/* A window that opens later keeps the same weeks. */
	n = expand(&c, utc(2026, 10, 20, 0, 0), utc(2026, 12, 1, 0, 0), &occ);
	assert_dates(occ, n, "2026-10-27 2026-11-10 2026-11-24");
	free(occ);
	/* Starting on a Wednesday: the Tuesday of that week is before start. */
	c.start = date(2026, 9, 2);
	assert_date(cadence_first(&c, CIVIL_TU), 2026, 9, 15);
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-09-15 2026-09-29 2026-10-13 2026-10-27 "
	    "2026-11-10 2026-11-24");
	free(occ);
	/* The other weekday of the same community. */
	c.start = date(2026, 9, 1);
	assert_date(cadence_first(&c, CIVIL_TH), 2026, 9, 3);
	n = cadence_expand(&c, CIVIL_TH, c.time, utc(2026, 9, 1, 0, 0),
	    utc(2026, 10, 1, 0, 0), &occ, &(char *){ NULL });
	assert_dates(occ, n, "2026-09-03 2026-09-17");
	free(occ);
}

/* The first and the last Tuesday, through months of four and five. */
static void
test_monthly(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	long			 n;

	(void)state;
	c = community("America/New_York", CONFIG_CADENCE_MONTHLY, CIVIL_TU,
	    hm(15, 30), date(2026, 9, 1));
	c.has_until = true;
	c.until = date(2027, 2, 28);
	c.week = 1;
	assert_rrule(&c, CIVIL_TU,
	    "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270301T045959Z");
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-09-01 2026-10-06 2026-11-03 2026-12-01 "
	    "2027-01-05 2027-02-02");
	free(occ);
	c.week = -1;
	c.has_until = false;
	assert_rrule(&c, CIVIL_TU, "FREQ=MONTHLY;BYDAY=-1TU");
	c.has_until = true;
	/* September and December have five Tuesdays, October four. */
	assert_date(cadence_first(&c, CIVIL_TU), 2026, 9, 29);
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-09-29 2026-10-27 2026-11-24 2026-12-29 "
	    "2027-01-26 2027-02-23");
	free(occ);
	c.week = 3;
	c.start = date(2026, 9, 16);
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-10-20 2026-11-17 2026-12-15 2027-01-19 "
	    "2027-02-16");
	free(occ);
	/* A zeroed week is the first, as the config's default. */
	c.week = 0;
	assert_rrule(&c, CIVIL_TH,
	    "FREQ=MONTHLY;BYDAY=1TH;UNTIL=20270301T045959Z");
}

static void
test_rrule_month_ends(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	long			 n;

	(void)state;
	c = community_rrule("America/New_York", "FREQ=MONTHLY;BYMONTHDAY=-1",
	    hm(15, 30), date(2027, 10, 1));
	c.has_until = true;
	c.until = date(2028, 4, 30);
	assert_rrule(&c, CIVIL_TU,
	    "FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20280501T035959Z");
	assert_date(cadence_first(&c, -1), 2027, 10, 31);
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2027-10-31 2027-11-30 2027-12-31 2028-01-31 "
	    "2028-02-29 2028-03-31 2028-04-30");
	free(occ);
	/* The 31st: months without one have no meeting. */
	c = community_rrule("America/New_York", "FREQ=MONTHLY;BYMONTHDAY=31",
	    hm(15, 30), date(2026, 1, 1));
	c.has_until = true;
	c.until = date(2026, 12, 31);
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-01-31 2026-03-31 2026-05-31 2026-07-31 "
	    "2026-08-31 2026-10-31 2026-12-31");
	free(occ);
}

/* until is a date and inclusive, whatever the hour of the meeting. */
static void
test_until_inclusive(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	long			 n;

	(void)state;
	c = community("America/New_York", CONFIG_CADENCE_WEEKLY, CIVIL_TU,
	    hm(15, 30), date(2026, 9, 1));
	c.has_until = true;
	c.until = date(2026, 9, 15);
	assert_rrule(&c, CIVIL_TU, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260916T035959Z");
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-09-01 2026-09-08 2026-09-15");
	free(occ);
	/* The day before a meeting as until leaves that meeting out. */
	c.until = date(2026, 9, 14);
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-09-01 2026-09-08");
	free(occ);
	/* 23:30 EDT on the until day is 03:30Z the day after: still in. */
	c.until = date(2026, 9, 15);
	c.time = hm(23, 30);
	n = expand_all(&c, &occ);
	assert_int_equal(n, 3);
	assert_date(occ[2].date, 2026, 9, 15);
	assert_int_equal(occ[2].start, utc(2026, 9, 16, 3, 30));
	/* The published UNTIL is after that instant. */
	assert_true(occ[2].start <= utc(2026, 9, 16, 3, 59) + 59);
	free(occ);
	/* No meeting between start and until: empty, first is start. */
	c.start = date(2026, 9, 2);
	c.until = date(2026, 9, 7);
	assert_date(cadence_first(&c, CIVIL_TU), 2026, 9, 2);
	n = expand_all(&c, &occ);
	assert_int_equal(n, 0);
	free(occ);
	/* An rrule series gets the same UNTIL appended. */
	c = community_rrule("Europe/London", "FREQ=DAILY;BYDAY=MO,WE",
	    hm(9, 0), date(2026, 7, 1));
	c.has_until = true;
	c.until = date(2026, 7, 8);
	assert_rrule(&c, CIVIL_TU,
	    "FREQ=DAILY;BYDAY=MO,WE;UNTIL=20260708T225959Z");
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-07-01 2026-07-06 2026-07-08");
	free(occ);
}

static void
test_leap_day(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	long			 n;

	(void)state;
	c = community_rrule("UTC", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
	    hm(15, 30), date(2028, 2, 29));
	n = expand(&c, utc(2026, 1, 1, 0, 0), utc(2037, 1, 1, 0, 0), &occ);
	assert_dates(occ, n, "2028-02-29 2032-02-29 2036-02-29");
	assert_int_equal(occ[0].start, utc(2028, 2, 29, 15, 30));
	free(occ);
	/* From a start in a common year, the first is the next Feb 29. */
	c.start = date(2026, 3, 1);
	assert_date(cadence_first(&c, -1), 2028, 2, 29);
	n = expand(&c, utc(2026, 1, 1, 0, 0), utc(2033, 1, 1, 0, 0), &occ);
	assert_dates(occ, n, "2028-02-29 2032-02-29");
	free(occ);
	/* Daily across the leap day, in a zone. */
	c = community_rrule("America/New_York", "FREQ=DAILY", hm(15, 30),
	    date(2028, 2, 27));
	c.has_until = true;
	c.until = date(2028, 3, 2);
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2028-02-27 2028-02-28 2028-02-29 2028-03-01 "
	    "2028-03-02");
	assert_int_equal(occ[2].start, utc(2028, 2, 29, 20, 30));
	free(occ);
}

/*
 * Sundays at 02:30 in New York: on 2026-03-08 that wall time does not
 * exist and the meeting is at 03:30 EDT (07:30Z); on the Sundays either
 * side it is 02:30 EST and EDT.
 */
static void
test_nonexistent_wall_time(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	struct civil_date	 d;
	struct civil_time	 t;
	long			 n;

	(void)state;
	c = community("America/New_York", CONFIG_CADENCE_WEEKLY, CIVIL_SU,
	    hm(2, 30), date(2026, 3, 1));
	c.has_until = true;
	c.until = date(2026, 3, 15);
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-03-01 2026-03-08 2026-03-15");
	assert_int_equal(occ[0].start, utc(2026, 3, 1, 7, 30));
	assert_int_equal(occ[1].start, utc(2026, 3, 8, 7, 30));
	assert_int_equal(occ[2].start, utc(2026, 3, 15, 6, 30));
	/* The wall time asked for is kept; the instant is the one that is. */
	assert_int_equal(occ[1].at.h, 2);
	tz_from_utc(c.tz, occ[1].start, &d, &t);
	assert_date(d, 2026, 3, 8);
	assert_int_equal(t.h, 3);
	assert_int_equal(t.min, 30);
	free(occ);
}

/* 01:30 on 2026-11-01 happens twice in New York: the first, EDT. */
static void
test_ambiguous_wall_time(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	long			 n;

	(void)state;
	c = community("America/New_York", CONFIG_CADENCE_WEEKLY, CIVIL_SU,
	    hm(1, 30), date(2026, 10, 25));
	c.has_until = true;
	c.until = date(2026, 11, 8);
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-10-25 2026-11-01 2026-11-08");
	assert_int_equal(occ[0].start, utc(2026, 10, 25, 5, 30));
	assert_int_equal(occ[1].start, utc(2026, 11, 1, 5, 30));
	assert_int_equal(occ[2].start, utc(2026, 11, 8, 6, 30));
	free(occ);
	/* A window holding only the second 01:30 holds no meeting. */
	n = expand(&c, utc(2026, 11, 1, 6, 0), utc(2026, 11, 1, 7, 0), &occ);
	assert_int_equal(n, 0);
	free(occ);
}

static void
test_skips(void **state)
{
	struct config_span	 own[] = { { { 2026, 10, 13 }, { 2026, 10, 13 } } };
	struct config_span	 hol[] = {
		{ { 2026, 11, 26 }, { 2026, 11, 26 } },
		{ { 2026, 12, 21 }, { 2027, 1, 1 } },
	};
	struct config_calendar	 district, empty;
	struct config_calendar	*cals[2];
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	long			 n;

	(void)state;
	memset(&district, 0, sizeof(district));
	district.id = "district";
	district.skip = hol;
	district.nskip = 2;
	memset(&empty, 0, sizeof(empty));
	empty.id = "empty";
	cals[0] = &empty;
	cals[1] = &district;
	c = community("America/New_York", CONFIG_CADENCE_WEEKLY, CIVIL_TU,
	    hm(15, 30), date(2026, 10, 1));
	c.has_until = true;
	c.until = date(2027, 1, 12);
	c.skip = own;
	c.nskip = 1;
	c.skip_calendars = cals;
	c.nskip_calendars = 2;
	assert_true(cadence_skipped(&c, date(2026, 10, 13)));
	assert_false(cadence_skipped(&c, date(2026, 10, 12)));
	assert_false(cadence_skipped(&c, date(2026, 10, 14)));
	assert_true(cadence_skipped(&c, date(2026, 11, 26)));
	assert_true(cadence_skipped(&c, date(2026, 12, 21)));
	assert_true(cadence_skipped(&c, date(2026, 12, 29)));
	assert_true(cadence_skipped(&c, date(2027, 1, 1)));
	assert_false(cadence_skipped(&c, date(2027, 1, 2)));
	assert_false(cadence_skipped(&c, date(2026, 12, 20)));
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-10-06 2026-10-20 2026-10-27 2026-11-03 "
	    "2026-11-10 2026-11-17 2026-11-24 2026-12-01 2026-12-08 "
	    "2026-12-15 2027-01-05 2027-01-12");
	free(occ);
	/* A move out of a skipped date wins: the meeting takes place at its
	 * new date (issue 13: it used to vanish). */
	{
		struct config_move	 mv = { { 2026, 10, 13 },
		    { 2026, 10, 14 }, false, { 0, 0, 0 } };

		c.moves = &mv;
		c.nmoves = 1;
		n = expand(&c, utc(2026, 10, 10, 0, 0), utc(2026, 10, 17, 0, 0),
		    &occ);
		assert_int_equal(n, 1);
		assert_true(occ[0].moved);
		assert_int_equal(civil_date_cmp(occ[0].orig, date(2026, 10, 13)),
		    0);
		assert_int_equal(civil_date_cmp(occ[0].date, date(2026, 10, 14)),
		    0);
		free(occ);
	}
}

static void
test_moves_and_cancels(void **state)
{
	struct config_move	 mv[] = {
		/* Another day and time. */
		{ { 2026, 11, 24 }, { 2026, 11, 25 }, true, { 16, 0, 0 } },
		/* Another day, same time. */
		{ { 2026, 12, 1 }, { 2026, 12, 3 }, false, { 0, 0, 0 } },
		/* Far out of its place: a month later, a Friday morning. */
		{ { 2026, 9, 29 }, { 2026, 10, 30 }, true, { 10, 0, 0 } },
		/* Earlier than the meeting before it in the series. */
		{ { 2026, 10, 13 }, { 2026, 10, 5 }, true, { 8, 0, 0 } },
	};
	struct civil_date	 cancel[] = { { 2026, 12, 8 }, { 2026, 12, 1 } };
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	long			 n, i;

	(void)state;
	c = community("America/New_York", CONFIG_CADENCE_WEEKLY, CIVIL_TU,
	    hm(15, 30), date(2026, 9, 1));
	c.has_until = true;
	c.until = date(2026, 12, 15);
	c.moves = mv;
	c.nmoves = 4;
	c.cancels = cancel;
	c.ncancels = 2;
	n = expand(&c, utc(2026, 11, 20, 0, 0), utc(2026, 12, 20, 0, 0), &occ);
	assert_dates(occ, n, "2026-11-25 2026-12-03 2026-12-08 2026-12-15");
	/* Moved to a day and time: EST then, 16:00 is 21:00Z. */
	assert_date(occ[0].orig, 2026, 11, 24);
	assert_true(occ[0].moved);
	assert_false(occ[0].cancelled);
	assert_int_equal(occ[0].at.h, 16);
	assert_int_equal(occ[0].at.min, 0);
	assert_int_equal(occ[0].start, utc(2026, 11, 25, 21, 0));
	assert_int_equal(occ[0].end, utc(2026, 11, 25, 21, 45));
	/* Moved to a day, keeping the time; and called off as well. */
	assert_date(occ[1].orig, 2026, 12, 1);
	assert_true(occ[1].moved);
	assert_true(occ[1].cancelled);
	assert_int_equal(occ[1].at.h, 15);
	assert_int_equal(occ[1].at.min, 30);
	assert_int_equal(occ[1].start, utc(2026, 12, 3, 20, 30));
	/* Cancelled, kept in the list. */
	assert_date(occ[2].orig, 2026, 12, 8);
	assert_false(occ[2].moved);
	assert_true(occ[2].cancelled);
	assert_int_equal(occ[2].start, utc(2026, 12, 8, 20, 30));
	assert_false(occ[3].moved);
	assert_false(occ[3].cancelled);
	free(occ);

	/* Moved into a window that its series date is far outside of. */
	n = expand(&c, utc(2026, 10, 30, 4, 0), utc(2026, 10, 31, 4, 0), &occ);
	assert_int_equal(n, 1);
	assert_date(occ[0].orig, 2026, 9, 29);
	assert_date(occ[0].date, 2026, 10, 30);
	assert_true(occ[0].moved);
	assert_int_equal(occ[0].start, utc(2026, 10, 30, 14, 0));
	free(occ);
	/* And out of the window of its series date. */
	n = expand(&c, utc(2026, 9, 29, 4, 0), utc(2026, 9, 30, 4, 0), &occ);
	assert_int_equal(n, 0);
	free(occ);

	/*
	 * In start order, even when a move jumps ahead of the series (13 Oct
	 * to the 5th) or a month behind it (29 Sep to the 30th).
	 */
	n = expand(&c, utc(2026, 10, 1, 0, 0), utc(2026, 10, 31, 0, 0), &occ);
	assert_dates(occ, n,
	    "2026-10-05 2026-10-06 2026-10-20 2026-10-27 2026-10-30");
	assert_date(occ[0].orig, 2026, 10, 13);
	assert_int_equal(occ[0].start, utc(2026, 10, 5, 12, 0));
	for (i = 1; i < n; i++)
		assert_true(occ[i - 1].start < occ[i].start);
	free(occ);
}

/* [from, to): a meeting starting at from is in, one starting at to is out. */
static void
test_window(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	time_t			 sep8 = utc(2026, 9, 8, 19, 30);
	time_t			 sep22 = utc(2026, 9, 22, 19, 30);
	long			 n;

	(void)state;
	c = community("America/New_York", CONFIG_CADENCE_WEEKLY, CIVIL_TU,
	    hm(15, 30), date(2026, 9, 1));
	n = expand(&c, sep8, sep22, &occ);
	assert_dates(occ, n, "2026-09-08 2026-09-15");
	free(occ);
	n = expand(&c, sep8 + 1, sep22 + 1, &occ);
	assert_dates(occ, n, "2026-09-15 2026-09-22");
	free(occ);
	/* A meeting that has begun but not ended is not in a later window. */
	n = expand(&c, sep8 + 60, sep8 + 3600, &occ);
	assert_int_equal(n, 0);
	free(occ);
	/* Empty and backwards windows. */
	assert_int_equal(expand(&c, sep8, sep8, &occ), 0);
	free(occ);
	assert_int_equal(expand(&c, sep22, sep8, &occ), 0);
	free(occ);
	/* Before start: nothing. */
	n = expand(&c, utc(2026, 1, 1, 0, 0), utc(2026, 9, 1, 0, 0), &occ);
	assert_int_equal(n, 0);
	free(occ);
	/* No until: the series runs on. */
	n = expand(&c, utc(2030, 1, 1, 0, 0), utc(2030, 2, 1, 0, 0), &occ);
	assert_dates(occ, n, "2030-01-01 2030-01-08 2030-01-15 2030-01-22 "
	    "2030-01-29");
	free(occ);
	/* Absurd windows are clamped, not overflowed. */
	c.has_until = true;
	c.until = date(2026, 9, 15);
	n = expand(&c, (time_t)INT64_MIN / 2, (time_t)INT64_MAX / 2, &occ);
	assert_int_equal(n, 3);
	free(occ);
}

/*
 * Windows in UTC see the local date of a meeting across midnight: 23:30 in
 * New York is the next day in UTC, 00:30 in Auckland the day before.
 */
static void
test_window_crosses_midnight(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	long			 n;

	(void)state;
	c = community("America/New_York", CONFIG_CADENCE_WEEKLY, CIVIL_TU,
	    hm(23, 30), date(2026, 9, 1));
	n = expand(&c, utc(2026, 9, 2, 0, 0), utc(2026, 9, 3, 0, 0), &occ);
	assert_dates(occ, n, "2026-09-01");
	assert_int_equal(occ[0].start, utc(2026, 9, 2, 3, 30));
	free(occ);
	c = community("Pacific/Auckland", CONFIG_CADENCE_WEEKLY, CIVIL_TU,
	    hm(0, 30), date(2026, 9, 1));
	n = expand(&c, utc(2026, 9, 7, 0, 0), utc(2026, 9, 8, 0, 0), &occ);
	assert_dates(occ, n, "2026-09-08");
	assert_int_equal(occ[0].start, utc(2026, 9, 7, 12, 30));
	free(occ);
}

/* COUNT counts from the first real meeting, the published DTSTART. */
static void
test_rrule_count(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	long			 n;

	(void)state;
	c = community_rrule("America/New_York", "FREQ=WEEKLY;BYDAY=TU;COUNT=3",
	    hm(15, 30), date(2026, 9, 2));
	assert_date(cadence_first(&c, -1), 2026, 9, 8);
	n = expand_all(&c, &occ);
	assert_dates(occ, n, "2026-09-08 2026-09-15 2026-09-22");
	free(occ);
	/* A window after the first meetings still stops at the count. */
	n = expand(&c, utc(2026, 9, 14, 0, 0), utc(2026, 12, 1, 0, 0), &occ);
	assert_dates(occ, n, "2026-09-15 2026-09-22");
	free(occ);
}

static void
test_bad_rule(void **state)
{
	struct config_community	 c;
	struct cadence_occ	*occ = NULL;
	char			*err = NULL;
	long			 n;

	(void)state;
	c = community_rrule("UTC", "FREQ=FORTNIGHTLY", hm(15, 30),
	    date(2026, 9, 1));
	n = cadence_expand(&c, -1, c.time, utc(2026, 9, 1, 0, 0),
	    utc(2026, 10, 1, 0, 0), &occ, &err);
	assert_int_equal(n, -1);
	assert_null(occ);
	assert_non_null(err);
	assert_non_null(strstr(err, "FREQ=FORTNIGHTLY"));
	free(err);
	/* A rule without a first date leaves cadence_first at start. */
	assert_date(cadence_first(&c, -1), 2026, 9, 1);
}

static void
test_recur_validate(void **state)
{
	static const char *const good[] = {
		"FREQ=WEEKLY;BYDAY=TU", "FREQ=MONTHLY;BYDAY=1TU",
		"FREQ=MONTHLY;BYDAY=-1TU", "FREQ=MONTHLY;BYMONTHDAY=-1",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=DAILY;COUNT=10",
		"FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2",
		"FREQ=WEEKLY;BYDAY=TU;UNTIL=20270616T035959Z",
	};
	static const char *const bad[] = {
		"", "FREQ=FORTNIGHTLY", "FREQ=WEEKLY;BYDAY=XX", "garbage",
		"FREQ=MONTHLY;BYDAY=1TU;FOO=BAR", "FREQ=DAILY;COUNT=abc",
		"FREQ=MONTHLY;BYMONTHDAY=40", "FREQ=WEEKLY;INTERVAL=0",
		"FREQ=MONTHLY;BYDAY=6TU", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
		"FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", "BYDAY=TU",
	};
	char	*err;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err = NULL;
		if (recur_validate(good[i], &err) != 0)
			fail_msg("refused '%s': %s", good[i], err);
		assert_null(err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		if (recur_validate(bad[i], &err) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(err);
		/* The message names the rule. */
		if (*bad[i] != '\0' && strstr(err, bad[i]) == NULL)
			fail_msg("'%s' not in '%s'", bad[i], err);
		free(err);
	}
}

static void
test_recur_expand(void **state)
{
	struct civil_date	*v = NULL;
	char			*err = NULL;
	long			 n;

	(void)state;
	/* [from, to] both inclusive, as dates. */
	n = recur_expand("FREQ=WEEKLY;BYDAY=TU", date(2026, 9, 1), hm(15, 30),
	    date(2026, 9, 8), date(2026, 9, 22), 100, &v, &err);
	assert_int_equal(n, 3);
	assert_date(v[0], 2026, 9, 8);
	assert_date(v[2], 2026, 9, 22);
	free(v);
	/* max bounds the count. */
	n = recur_expand("FREQ=DAILY", date(2026, 9, 1), hm(15, 30),
	    date(2026, 9, 1), date(2030, 1, 1), 5, &v, &err);
	assert_int_equal(n, 5);
	assert_date(v[4], 2026, 9, 5);
	free(v);
	/* An UNTIL in the rule is read as a date. */
	n = recur_expand("FREQ=DAILY;UNTIL=20260903T000000Z", date(2026, 9, 1),
	    hm(15, 30), date(2026, 9, 1), date(2030, 1, 1), 100, &v, &err);
	assert_int_equal(n, 3);
	free(v);
	n = recur_expand("FREQ=DAILY;UNTIL=20260903", date(2026, 9, 1),
	    hm(15, 30), date(2026, 9, 1), date(2030, 1, 1), 100, &v, &err);
	assert_int_equal(n, 3);
	free(v);
	/* Several times a day give the date once. */
	n = recur_expand("FREQ=DAILY;BYHOUR=9,15", date(2026, 9, 1),
	    hm(9, 0), date(2026, 9, 1), date(2026, 9, 3), 100, &v, &err);
	assert_int_equal(n, 3);
	assert_date(v[1], 2026, 9, 2);
	free(v);
	n = recur_expand("FREQ=NEVER", date(2026, 9, 1), hm(9, 0),
	    date(2026, 9, 1), date(2026, 9, 3), 100, &v, &err);
	assert_int_equal(n, -1);
	assert_null(v);
	assert_non_null(err);
	free(err);
	err = NULL;
	n = recur_expand("FREQ=DAILY", date(2026, 2, 30), hm(9, 0),
	    date(2026, 9, 1), date(2026, 9, 3), 100, &v, &err);
	assert_int_equal(n, -1);
	assert_non_null(err);
	free(err);
}

static int
teardown(void **state)
{
	(void)state;
	tz_shutdown();
	return 0;
}

/*
 * Weekly dates are worked out by arithmetic; libical's iterator must agree
 * with it: every start weekday, every meeting day, with and without an
 * end, over windows that start before, on and after the first meeting.
 * Biweekly series go through libical, which then agrees with itself.
 */
static void
test_weekly_arithmetic_matches_libical(void **state)
{
	static const char *const wd[] = { "MO", "TU", "WE", "TH", "FR", "SA",
	    "SU" };
	struct config_community	 c;
	struct civil_date	*got, *want, *first;
	struct civil_time	 at = { 15, 30, 0 };
	char			 rule[64], *err = NULL;
	long			 ng, nw, nf;
	int			 weeks, day, s, u, w;

	for (weeks = 1; weeks <= 2; weeks++)
	for (day = CIVIL_MO; day <= CIVIL_SU; day++)
	for (s = 0; s < 14; s++)
	for (u = 0; u < 2; u++)
	for (w = 0; w < 3; w++) {
		struct civil_date from = civil_date_add(date(2026, 8, 25),
		    7 * w + s % 5), to = civil_date_add(from, 200);

		memset(&c, 0, sizeof(c));
		c.id = "t";
		c.cadence = weeks == 1 ? CONFIG_CADENCE_WEEKLY :
		    CONFIG_CADENCE_BIWEEKLY;
		c.day = day;
		c.time = at;
		c.start = civil_date_add(date(2026, 8, 31), s);
		c.has_until = u == 1;
		c.until = civil_date_add(c.start, 90 + s);
		c.tz = tz_find("America/New_York");
		snprintf(rule, sizeof(rule), "FREQ=WEEKLY;INTERVAL=%d;BYDAY=%s",
		    weeks, wd[day]);
		/* libical's reading: the first match from start, then on. */
		nf = recur_expand(rule, c.start, at, c.start, c.has_until ?
		    c.until : date(9999, 12, 31), 1, &first, &err);
		assert_true(nf >= 0);
		if (nf == 1) {
			assert_date(cadence_first(&c, day), first[0].y,
			    first[0].m, first[0].d);
			nw = recur_expand(rule, first[0], at, from,
			    c.has_until && civil_date_cmp(c.until, to) < 0 ?
			    c.until : to, 1000, &want, &err);
		} else {
			assert_date(cadence_first(&c, day), c.start.y,
			    c.start.m, c.start.d);
			nw = 0;
			want = NULL;
		}
		ng = cadence_dates(&c, day, at, from, to, &got, &err);
		assert_int_equal(ng, nw);
		if (nw > 0)
			assert_memory_equal(got, want, (size_t)nw *
			    sizeof(*got));
		free(first);
		free(want);
		free(got);
	}
	assert_null(err);
}

/* The EXDATEs of a feed's series: the series dates a skip takes out, each
 * once and in order; a skip on a day without a meeting adds none. */
static void
test_exdates(void **state)
{
	struct config_span	 own[] = {
		{ { 2026, 10, 13 }, { 2026, 10, 13 } },
		{ { 2026, 10, 14 }, { 2026, 10, 16 } },	/* no Tuesday */
		{ { 2026, 12, 22 }, { 2026, 12, 22 } },	/* also a holiday */
	};
	struct config_span	 hol[] = {
		{ { 2026, 12, 21 }, { 2027, 1, 1 } },
		{ { 2026, 11, 24 }, { 2026, 11, 24 } },
	};
	struct config_calendar	 district;
	struct config_calendar	*cals[1] = { &district };
	struct config_community	 c;
	struct civil_date	*ex = NULL;
	struct civil_date	 cancels[] = { { 2026, 11, 3 } };
	size_t			 n = 0;
	char			*err = NULL;
	bool			 yes;

	(void)state;
	memset(&district, 0, sizeof(district));
	district.skip = hol;
	district.nskip = 2;
	c = community("America/New_York", CONFIG_CADENCE_WEEKLY, CIVIL_TU,
	    hm(15, 30), date(2026, 10, 1));
	/* None: no skips at all. */
	assert_int_equal(cadence_exdates(&c, CIVIL_TU, hm(15, 30), &ex, &n,
	    &err), 0);
	assert_null(ex);
	assert_int_equal(n, 0);
	c.skip = own;
	c.nskip = 3;
	c.skip_calendars = cals;
	c.nskip_calendars = 1;
	assert_int_equal(cadence_exdates(&c, CIVIL_TU, hm(15, 30), &ex, &n,
	    &err), 0);
	assert_int_equal(n, 4);
	assert_true(civil_date_cmp(ex[0], date(2026, 10, 13)) == 0);
	assert_true(civil_date_cmp(ex[1], date(2026, 11, 24)) == 0);
	assert_true(civil_date_cmp(ex[2], date(2026, 12, 22)) == 0);
	assert_true(civil_date_cmp(ex[3], date(2026, 12, 29)) == 0);
	free(ex);

	assert_int_equal(cadence_is_meeting(&c, CIVIL_TU, hm(15, 30),
	    date(2026, 10, 20), &yes, &err), 0);
	assert_true(yes);
	/* Skipped, and not a date of the series. */
	assert_int_equal(cadence_is_meeting(&c, CIVIL_TU, hm(15, 30),
	    date(2026, 10, 13), &yes, &err), 0);
	assert_false(yes);
	assert_int_equal(cadence_is_meeting(&c, CIVIL_TU, hm(15, 30),
	    date(2026, 10, 21), &yes, &err), 0);
	assert_false(yes);
	/* Before start. */
	assert_int_equal(cadence_is_meeting(&c, CIVIL_TU, hm(15, 30),
	    date(2026, 9, 29), &yes, &err), 0);
	assert_false(yes);

	assert_false(cadence_cancelled(&c, date(2026, 11, 3)));
	c.cancels = cancels;
	c.ncancels = 1;
	assert_true(cadence_cancelled(&c, date(2026, 11, 3)));
	assert_false(cadence_cancelled(&c, date(2026, 11, 10)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekly_new_york_school_year),
		cmocka_unit_test(test_weekly_london_school_year),
		cmocka_unit_test(test_biweekly_alignment),
		cmocka_unit_test(test_monthly),
		cmocka_unit_test(test_rrule_month_ends),
		cmocka_unit_test(test_until_inclusive),
		cmocka_unit_test(test_leap_day),
		cmocka_unit_test(test_nonexistent_wall_time),
		cmocka_unit_test(test_ambiguous_wall_time),
		cmocka_unit_test(test_skips),
		cmocka_unit_test(test_exdates),
		cmocka_unit_test(test_moves_and_cancels),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_window_crosses_midnight),
		cmocka_unit_test(test_rrule_count),
		cmocka_unit_test(test_bad_rule),
		cmocka_unit_test(test_recur_validate),
		cmocka_unit_test(test_recur_expand),
		cmocka_unit_test(test_weekly_arithmetic_matches_libical),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
