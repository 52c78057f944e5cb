/* Unit tests of tz: zone lookup and wall time <-> UTC across DST changes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "civil.h"
#include "tz.h"
#include "utc.h"

static time_t
wall(const struct tz *tz, int y, int mo, int d, int h, int mi)
{
	struct civil_date	 cd = { y, mo, d };
	struct civil_time	 ct = { h, mi, 0 };

	return tz_to_utc(tz, cd, ct);
}

static const struct tz *
zone(const char *name)
{
	const struct tz	*tz = tz_find(name);

	if (tz == NULL)
		fail_msg("no zone %s", name);
	return tz;
}

static void
test_find_names(void **state)
{
	const struct tz	*ny, *utcz;

	(void)state;
	ny = zone("America/New_York");
	assert_string_equal(tz_name(ny), "America/New_York");
	/* The libical cache hands out one object per zone. */
	assert_ptr_equal(tz_find("America/New_York"), ny);
	assert_non_null(tz_icaltimezone(ny));
	assert_string_equal(tz_name(zone("Europe/London")), "Europe/London");
	assert_string_equal(tz_name(zone("America/Argentina/Buenos_Aires")),
	    "America/Argentina/Buenos_Aires");
	assert_string_equal(tz_name(zone("Etc/GMT+5")), "Etc/GMT+5");
	utcz = zone("UTC");
	assert_string_equal(tz_name(utcz), "UTC");
	assert_ptr_equal(zone("Etc/UTC"), utcz);
	assert_int_equal(tz_offset_at(utcz, utc(2026, 7, 1, 12, 0)), 0);
	/* NULL reads as UTC rather than crashing. */
	assert_string_equal(tz_name(NULL), "UTC");
	assert_int_equal(wall(NULL, 2026, 7, 1, 12, 0),
	    utc(2026, 7, 1, 12, 0));
}

static void
test_find_refuses(void **state)
{
	static const char *const bad[] = {
		"Mars/Base", "../../etc/passwd", "/etc/passwd",
		"America/../../etc/passwd", "America/..", "..", "",
		"America/New_York/", "America//New_York", "America",
		"america/new_york", "America/New York", "America/New_York\n",
		"America/New_York;ls", "America/New_York%00", "Europe\\London",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/Zz",
		"zone.tab", "./UTC",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tz_find(bad[i]) != NULL)
			fail_msg("found a zone for '%s'", bad[i]);
	assert_null(tz_find(NULL));
}

/* America/New_York 2026: EDT from 03-08 02:00 EST, EST from 11-01 02:00 EDT. */
static void
test_new_york_2026(void **state)
{
	const struct tz	*ny = zone("America/New_York");

	(void)state;
	/* 15:30 the days either side of each change. */
	assert_int_equal(wall(ny, 2026, 3, 7, 15, 30), utc(2026, 3, 7, 20, 30));
	assert_int_equal(wall(ny, 2026, 3, 8, 15, 30), utc(2026, 3, 8, 19, 30));
	assert_int_equal(wall(ny, 2026, 3, 9, 15, 30), utc(2026, 3, 9, 19, 30));
	assert_int_equal(wall(ny, 2026, 10, 31, 15, 30),
	    utc(2026, 10, 31, 19, 30));
	assert_int_equal(wall(ny, 2026, 11, 1, 15, 30),
	    utc(2026, 11, 1, 20, 30));
	assert_int_equal(wall(ny, 2026, 11, 2, 15, 30),
	    utc(2026, 11, 2, 20, 30));
	/* Around the gap: 02:30 does not exist and reads as 03:30 EDT. */
	assert_int_equal(wall(ny, 2026, 3, 8, 1, 59), utc(2026, 3, 8, 6, 59));
	assert_int_equal(wall(ny, 2026, 3, 8, 2, 0), utc(2026, 3, 8, 7, 0));
	assert_int_equal(wall(ny, 2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 30));
	assert_int_equal(wall(ny, 2026, 3, 8, 3, 0), utc(2026, 3, 8, 7, 0));
	assert_int_equal(wall(ny, 2026, 3, 8, 3, 30), utc(2026, 3, 8, 7, 30));
	/* Around the overlap: 01:30 happens twice; the first (EDT) wins. */
	assert_int_equal(wall(ny, 2026, 11, 1, 0, 59), utc(2026, 11, 1, 4, 59));
	assert_int_equal(wall(ny, 2026, 11, 1, 1, 0), utc(2026, 11, 1, 5, 0));
	assert_int_equal(wall(ny, 2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30));
	assert_int_equal(wall(ny, 2026, 11, 1, 1, 59), utc(2026, 11, 1, 5, 59));
	assert_int_equal(wall(ny, 2026, 11, 1, 2, 0), utc(2026, 11, 1, 7, 0));
	/* The offsets either side of each instant of change. */
	assert_int_equal(tz_offset_at(ny, utc_s(2026, 3, 8, 6, 59, 59)),
	    -18000);
	assert_int_equal(tz_offset_at(ny, utc(2026, 3, 8, 7, 0)), -14400);
	assert_int_equal(tz_offset_at(ny, utc_s(2026, 11, 1, 5, 59, 59)),
	    -14400);
	assert_int_equal(tz_offset_at(ny, utc(2026, 11, 1, 6, 0)), -18000);
}

/* Europe/London 2026: BST from 03-29 01:00 GMT, GMT from 10-25 02:00 BST. */
static void
test_london_2026(void **state)
{
	const struct tz	*lon = zone("Europe/London");

	(void)state;
	assert_int_equal(wall(lon, 2026, 3, 28, 15, 30),
	    utc(2026, 3, 28, 15, 30));
	assert_int_equal(wall(lon, 2026, 3, 30, 15, 30),
	    utc(2026, 3, 30, 14, 30));
	assert_int_equal(wall(lon, 2026, 10, 24, 15, 30),
	    utc(2026, 10, 24, 14, 30));
	assert_int_equal(wall(lon, 2026, 10, 26, 15, 30),
	    utc(2026, 10, 26, 15, 30));
	/* 01:30 on 03-29 does not exist: 02:30 BST. */
	assert_int_equal(wall(lon, 2026, 3, 29, 1, 30),
	    utc(2026, 3, 29, 1, 30));
	assert_int_equal(wall(lon, 2026, 3, 29, 0, 59),
	    utc(2026, 3, 29, 0, 59));
	assert_int_equal(wall(lon, 2026, 3, 29, 2, 0),
	    utc(2026, 3, 29, 1, 0));
	/* 01:30 on 10-25 happens twice: the first, BST. */
	assert_int_equal(wall(lon, 2026, 10, 25, 1, 30),
	    utc(2026, 10, 25, 0, 30));
	assert_int_equal(wall(lon, 2026, 10, 25, 2, 0),
	    utc(2026, 10, 25, 2, 0));
	assert_int_equal(tz_offset_at(lon, utc_s(2026, 3, 29, 0, 59, 59)), 0);
	assert_int_equal(tz_offset_at(lon, utc(2026, 3, 29, 1, 0)), 3600);
	assert_int_equal(tz_offset_at(lon, utc_s(2026, 10, 25, 0, 59, 59)),
	    3600);
	assert_int_equal(tz_offset_at(lon, utc(2026, 10, 25, 1, 0)), 0);
}

static void
assert_local(const struct tz *tz, time_t t, int y, int mo, int d, int h,
    int mi, int s)
{
	struct civil_date	 cd;
	struct civil_time	 ct;

	tz_from_utc(tz, t, &cd, &ct);
	if (cd.y != y || cd.m != mo || cd.d != d || ct.h != h ||
	    ct.min != mi || ct.s != s)
		fail_msg("%s at %lld is %04d-%02d-%02d %02d:%02d:%02d, not "
		    "%04d-%02d-%02d %02d:%02d:%02d", tz_name(tz), (long long)t,
		    cd.y, cd.m, cd.d, ct.h, ct.min, ct.s, y, mo, d, h, mi, s);
}

static void
test_from_utc(void **state)
{
	const struct tz	*ny = zone("America/New_York");
	const struct tz	*lon = zone("Europe/London");

	(void)state;
	assert_local(ny, utc(2026, 3, 8, 7, 30), 2026, 3, 8, 3, 30, 0);
	assert_local(ny, utc_s(2026, 3, 8, 6, 59, 59), 2026, 3, 8, 1, 59, 59);
	/* Both instants of the repeated hour read 01:30. */
	assert_local(ny, utc(2026, 11, 1, 5, 30), 2026, 11, 1, 1, 30, 0);
	assert_local(ny, utc(2026, 11, 1, 6, 30), 2026, 11, 1, 1, 30, 0);
	/* Across midnight, both ways. */
	assert_local(ny, utc(2027, 1, 1, 3, 0), 2026, 12, 31, 22, 0, 0);
	assert_local(lon, utc(2026, 6, 30, 23, 30), 2026, 7, 1, 0, 30, 0);
	assert_local(zone("Asia/Kolkata"), utc(2026, 12, 31, 20, 0),
	    2027, 1, 1, 1, 30, 0);
	assert_local(zone("UTC"), 0, 1970, 1, 1, 0, 0, 0);
	assert_local(ny, -1, 1969, 12, 31, 18, 59, 59);
}

/*
 * A year of instants every 10 minutes, in zones with odd changes (30-minute
 * DST on Lord Howe, the southern hemisphere, quarter-hour offsets): every
 * instant reads back to itself, except the second pass through a repeated
 * wall time, which reads back as the first.  And every wall time maps to an
 * instant that shows it, except in a gap, where it shows the time moved on
 * by the gap.
 */
static void
test_round_trips(void **state)
{
	static const char *const names[] = { "America/New_York",
	    "Europe/London", "Australia/Sydney", "Australia/Lord_Howe",
	    "Pacific/Chatham", "America/St_Johns", "Asia/Kolkata", "UTC",
	    "America/Santiago" };
	const struct tz		*tz;
	struct civil_date	 d, d2;
	struct civil_time	 tm, tm2;
	time_t			 t, u, t0 = utc(2026, 1, 1, 0, 0);
	long			 shift;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		tz = zone(names[i]);
		for (t = t0; t < t0 + 366 * CIVIL_DAY; t += 600) {
			tz_from_utc(tz, t, &d, &tm);
			u = tz_to_utc(tz, d, tm);
			if (u == t)
				continue;
			tz_from_utc(tz, u, &d2, &tm2);
			if (u > t || civil_date_cmp(d, d2) != 0 ||
			    civil_time_to_secs(tm) != civil_time_to_secs(tm2))
				fail_msg("%s: %lld reads back as %lld", names[i],
				    (long long)t, (long long)u);
		}
		/* Wall times: from the instant's date/time minus the wall. */
		for (t = t0; t < t0 + 366 * CIVIL_DAY; t += 600) {
			tz_from_utc(NULL, t, &d, &tm);	/* a wall time to try */
			u = tz_to_utc(tz, d, tm);
			tz_from_utc(tz, u, &d2, &tm2);
			shift = (long)((civil_date_to_days(d2) -
			    civil_date_to_days(d)) * CIVIL_DAY +
			    civil_time_to_secs(tm2) - civil_time_to_secs(tm));
			if (shift == 0)
				continue;
			/* A gap: the wall time moved on by the change. */
			if (shift != tz_offset_at(tz, u) -
			    tz_offset_at(tz, u - CIVIL_DAY))
				fail_msg("%s: wall %lld shifted by %ld", names[i],
				    (long long)t, shift);
		}
	}
}

static int
teardown(void **state)
{
	(void)state;
	tz_shutdown();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_names),
		cmocka_unit_test(test_find_refuses),
		cmocka_unit_test(test_new_york_2026),
		cmocka_unit_test(test_london_2026),
		cmocka_unit_test(test_from_utc),
		cmocka_unit_test(test_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
