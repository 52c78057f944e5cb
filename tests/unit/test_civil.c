/* Unit tests of civil: calendar maths, parsers and formatters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>


#include "civil.h"

static struct civil_date
date(int y, int m, int d)
{
	struct civil_date	 r = { y, m, d };

	return r;
}

static void
test_leap_years(void **state)
{
	(void)state;
	assert_false(civil_is_leap(1900));
	assert_true(civil_is_leap(2000));
	assert_true(civil_is_leap(2028));
	assert_true(civil_is_leap(2024));
	assert_false(civil_is_leap(2026));
	assert_false(civil_is_leap(2100));
	assert_true(civil_is_leap(2400));
}

static void
test_days_in_month(void **state)
{
	(void)state;
	assert_int_equal(civil_days_in_month(2026, 2), 28);
	assert_int_equal(civil_days_in_month(2028, 2), 29);
	assert_int_equal(civil_days_in_month(1900, 2), 28);
	assert_int_equal(civil_days_in_month(2000, 2), 29);
	assert_int_equal(civil_days_in_month(2026, 1), 31);
	assert_int_equal(civil_days_in_month(2026, 4), 30);
	assert_int_equal(civil_days_in_month(2026, 12), 31);
	assert_int_equal(civil_days_in_month(2026, 0), 0);
	assert_int_equal(civil_days_in_month(2026, 13), 0);
}

static void
test_date_valid(void **state)
{
	(void)state;
	assert_true(civil_date_valid(date(2026, 11, 3)));
	assert_true(civil_date_valid(date(2028, 2, 29)));
	assert_false(civil_date_valid(date(2026, 2, 29)));
	assert_false(civil_date_valid(date(2026, 4, 31)));
	assert_false(civil_date_valid(date(2026, 0, 1)));
	assert_false(civil_date_valid(date(2026, 13, 1)));
	assert_false(civil_date_valid(date(2026, 1, 0)));
	assert_false(civil_date_valid(date(0, 1, 1)));
	assert_false(civil_date_valid(date(10000, 1, 1)));
}

/* Known values, worked out independently (Python's datetime). */
/* Issue 15, finding 10: the years every part handles, 1970 to 2199. */
static void
test_date_usable(void **state)
{
	(void)state;
	assert_true(civil_date_usable(date(1970, 1, 1)));
	assert_true(civil_date_usable(date(2026, 11, 3)));
	assert_true(civil_date_usable(date(2199, 12, 31)));
	assert_false(civil_date_usable(date(1969, 12, 31)));
	assert_false(civil_date_usable(date(2200, 1, 1)));
	assert_false(civil_date_usable(date(2583, 1, 1)));
	assert_false(civil_date_usable(date(9999, 12, 31)));
	/* Not a real day, whatever the year. */
	assert_false(civil_date_usable(date(2026, 2, 29)));
	assert_false(civil_date_usable(date(2100, 2, 29)));
}

static void
test_days_known(void **state)
{
	static const struct {
		int	 y, m, d;
		int64_t	 days;
	} known[] = {
		{ 1970, 1, 1, 0 },
		{ 1969, 12, 31, -1 },
		{ 2000, 3, 1, 11017 },
		{ 1900, 3, 1, -25508 },
		{ 2026, 11, 3, 20760 },
		{ 2028, 2, 29, 21243 },
		{ 1, 1, 1, -719162 },
		{ 9999, 12, 31, 2932896 },
	};
	struct civil_date	 d;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		d = date(known[i].y, known[i].m, known[i].d);
		assert_int_equal(civil_date_to_days(d), known[i].days);
		d = civil_date_from_days(known[i].days);
		assert_int_equal(d.y, known[i].y);
		assert_int_equal(d.m, known[i].m);
		assert_int_equal(d.d, known[i].d);
	}
}

/*
 * Every day from 0001-01-01 to 9999-12-31: the inverse holds and each day
 * follows the previous one by the calendar's own rules.
 */
static void
test_days_round_trip(void **state)
{
	struct civil_date	 prev = date(1, 1, 1), d;
	int64_t			 n, lo, hi;

	(void)state;
	lo = civil_date_to_days(date(1, 1, 1));
	hi = civil_date_to_days(date(9999, 12, 31));
	assert_int_equal(hi - lo + 1, 3652059);
	for (n = lo + 1; n <= hi; n++) {
		d = civil_date_from_days(n);
		if (civil_date_to_days(d) != n || !civil_date_valid(d))
			fail_msg("day %lld gave %04d-%02d-%02d", (long long)n,
			    d.y, d.m, d.d);
		if (d.d == prev.d + 1 && d.m == prev.m && d.y == prev.y)
			;
		else if (d.d == 1 && prev.d ==
		    civil_days_in_month(prev.y, prev.m) &&
		    ((d.m == prev.m + 1 && d.y == prev.y) ||
		    (d.m == 1 && prev.m == 12 && d.y == prev.y + 1)))
			;
		else
			fail_msg("%04d-%02d-%02d follows %04d-%02d-%02d", d.y,
			    d.m, d.d, prev.y, prev.m, prev.d);
		assert_true(civil_date_cmp(prev, d) < 0);
		prev = d;
	}
}

static void
test_date_add_cmp(void **state)
{
	struct civil_date	 d;

	(void)state;
	d = civil_date_add(date(2028, 2, 28), 1);
	assert_true(civil_date_cmp(d, date(2028, 2, 29)) == 0);
	d = civil_date_add(date(2026, 2, 28), 1);
	assert_true(civil_date_cmp(d, date(2026, 3, 1)) == 0);
	d = civil_date_add(date(2026, 12, 31), 1);
	assert_true(civil_date_cmp(d, date(2027, 1, 1)) == 0);
	d = civil_date_add(date(2026, 1, 1), -1);
	assert_true(civil_date_cmp(d, date(2025, 12, 31)) == 0);
	d = civil_date_add(date(2026, 9, 1), 365);
	assert_true(civil_date_cmp(d, date(2027, 9, 1)) == 0);
	assert_true(civil_date_cmp(date(2026, 1, 2), date(2026, 1, 1)) > 0);
	assert_true(civil_date_cmp(date(2025, 12, 31), date(2026, 1, 1)) < 0);
	assert_true(civil_date_cmp(date(2026, 2, 1), date(2026, 1, 31)) > 0);
}

static void
test_weekday(void **state)
{
	(void)state;
	assert_int_equal(civil_weekday(date(1970, 1, 1)), CIVIL_TH);
	assert_int_equal(civil_weekday(date(1969, 12, 31)), CIVIL_WE);
	assert_int_equal(civil_weekday(date(2026, 9, 1)), CIVIL_TU);
	assert_int_equal(civil_weekday(date(2026, 11, 3)), CIVIL_TU);
	assert_int_equal(civil_weekday(date(2000, 1, 1)), CIVIL_SA);
	assert_int_equal(civil_weekday(date(1900, 1, 1)), CIVIL_MO);
	assert_int_equal(civil_weekday(date(2026, 3, 8)), CIVIL_SU);
	assert_int_equal(civil_weekday(date(2028, 2, 29)), CIVIL_TU);
	assert_int_equal(civil_weekday(date(1, 1, 1)), CIVIL_MO);
	assert_int_equal(civil_weekday(date(9999, 12, 31)), CIVIL_FR);
	assert_string_equal(civil_weekday_abbr(CIVIL_MO), "MO");
	assert_string_equal(civil_weekday_abbr(CIVIL_SU), "SU");
	assert_string_equal(civil_weekday_abbr(7), "??");
}

static void
test_date_parse(void **state)
{
	static const char *const bad[] = {
		"", "2026-02-29", "2026-02-30", "2026-13-01", "2026-00-10",
		"2026-04-31", "2026-01-00", "0000-01-01", "2026-1-01",
		"2026-01-1", "26-01-01", "2026-01-01 ", " 2026-01-01",
		"2026-01-01x", "2026/01/01", "20260101", "2026-01-01T00:00",
		"+026-01-01", "2026-+1-01", "2026-0a-01", "2026--1-01",
	};
	struct civil_date	 d = date(1, 2, 3);
	char			 buf[CIVIL_DATE_LEN];
	size_t			 i;

	(void)state;
	assert_int_equal(civil_date_parse("2026-11-03", &d), 0);
	assert_true(civil_date_cmp(d, date(2026, 11, 3)) == 0);
	assert_int_equal(civil_date_parse("2028-02-29", &d), 0);
	assert_true(civil_date_cmp(d, date(2028, 2, 29)) == 0);
	assert_int_equal(civil_date_parse("2000-02-29", &d), 0);
	assert_int_equal(civil_date_parse("0001-01-01", &d), 0);
	assert_int_equal(civil_date_parse("9999-12-31", &d), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = date(1, 2, 3);
		if (civil_date_parse(bad[i], &d) != -1)
			fail_msg("accepted date '%s'", bad[i]);
		/* A refused text leaves the output alone. */
		assert_true(civil_date_cmp(d, date(1, 2, 3)) == 0);
	}
	assert_int_equal(civil_date_parse("1900-02-29", &d), -1);
	assert_string_equal(civil_date_format(date(2026, 9, 1), buf),
	    "2026-09-01");
	assert_string_equal(civil_date_format(date(1, 1, 1), buf),
	    "0001-01-01");
}

static void
test_time_parse(void **state)
{
	static const struct {
		const char	*s;
		int		 h, min, sec;
	} good[] = {
		{ "15:30", 15, 30, 0 },
		{ "00:00", 0, 0, 0 },
		{ "23:59", 23, 59, 0 },
		{ "07:05", 7, 5, 0 },
		{ "7:05", 7, 5, 0 },
		{ "23:59:59", 23, 59, 59 },
		{ "08:00:30", 8, 0, 30 },
	};
	static const char *const bad[] = {
		"", "25:00", "24:00", "12:60", "12:5", "1230", "12:30:",
		"12:30:60", "12:30:5", " 12:30", "12:30 ", "12:30x", "-1:30",
		"+1:30", "123:00", ":30", "12:", "12-30", "1a:30", "12:3a",
		"12:30:00:00", "12h30",
	};
	struct civil_time	 t;
	char			 buf[CIVIL_TIME_LEN];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (civil_time_parse(good[i].s, &t) != 0)
			fail_msg("refused time '%s'", good[i].s);
		assert_int_equal(t.h, good[i].h);
		assert_int_equal(t.min, good[i].min);
		assert_int_equal(t.s, good[i].sec);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (civil_time_parse(bad[i], &t) != -1)
			fail_msg("accepted time '%s'", bad[i]);
	assert_int_equal(civil_time_parse("15:30", &t), 0);
	assert_string_equal(civil_time_format(t, buf), "15:30");
	assert_int_equal(civil_time_to_secs(t), 15 * 3600 + 30 * 60);
	assert_int_equal(civil_time_parse("7:05:09", &t), 0);
	assert_string_equal(civil_time_format(t, buf), "07:05");
	assert_int_equal(civil_time_to_secs(t), 7 * 3600 + 5 * 60 + 9);
}

static void
test_time_from_secs(void **state)
{
	struct civil_time	t;
	int			secs;

	(void)state;
	t = civil_time_from_secs(0);
	assert_int_equal(t.h * 10000 + t.min * 100 + t.s, 0);
	t = civil_time_from_secs(15 * 3600 + 30 * 60 + 7);
	assert_int_equal(t.h * 10000 + t.min * 100 + t.s, 153007);
	t = civil_time_from_secs(CIVIL_DAY - 1);
	assert_int_equal(t.h * 10000 + t.min * 100 + t.s, 235959);
	for (secs = 0; secs < CIVIL_DAY; secs += 7)
		assert_int_equal(civil_time_to_secs(civil_time_from_secs(secs)),
		    secs);
}

static void
test_weekday_parse(void **state)
{
	static const char *const forms[7][6] = {
		{ "MO", "mo", "Mon", "MON", "Monday", "mONDAY" },
		{ "TU", "tu", "Tue", "tue", "Tuesday", "TUESDAY" },
		{ "WE", "We", "Wed", "WED", "Wednesday", "wednesday" },
		{ "TH", "th", "Thu", "thu", "Thursday", "THURSDAY" },
		{ "FR", "fr", "Fri", "FRI", "Friday", "friday" },
		{ "SA", "sa", "Sat", "sat", "Saturday", "SATURDAY" },
		{ "SU", "Su", "Sun", "SUN", "Sunday", "sunday" },
	};
	static const char *const bad[] = {
		"", "M", "Mond", "Mondays", "Tues", "Thur", "Thurs", "XX",
		" MO", "MO ", "Sundae", "1", "MO,TU", "Mo-Fr",
	};
	size_t	 i, j;
	int	 w;

	(void)state;
	for (i = 0; i < 7; i++)
		for (j = 0; j < 6; j++) {
			w = -1;
			if (civil_weekday_parse(forms[i][j], &w) != 0)
				fail_msg("refused weekday '%s'", forms[i][j]);
			assert_int_equal(w, (int)i);
		}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (civil_weekday_parse(bad[i], &w) != -1)
			fail_msg("accepted weekday '%s'", bad[i]);
}

static void
test_duration_parse(void **state)
{
	static const struct {
		const char	*s;
		int64_t		 secs;
	} good[] = {
		{ "45m", 2700 },
		{ "1h30m", 5400 },
		{ "2d", 172800 },
		{ "0d", 0 },
		{ "0m", 0 },
		{ "1w", 604800 },
		{ "90s", 90 },
		{ "1w2d3h4m5s",
		    604800 + 2 * CIVIL_DAY + 3 * 3600 + 4 * 60 + 5 },
		{ "36h", 129600 },
		{ "180d", 180 * CIVIL_DAY },
		{ "3660d", CIVIL_DURATION_MAX },
		{ "0045m", 2700 },
	};
	static const char *const bad[] = {
		"", "45", "m", "h30m", "-45m", "+45m", "45 m", " 45m", "45m ",
		"45M", "1H", "45min", "1.5h", "30m1h", "1h1h", "1d1w", "1y",
		"45 minutes", "soon", "3661d", "523w", "99999999999999999999d",
		"9223372036854775807s", "1h30", "1h 30m", "1h,30m", "0x10m",
	};
	int64_t	 v;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		if (civil_duration_parse(good[i].s, &v) != 0)
			fail_msg("refused duration '%s'", good[i].s);
		assert_int_equal(v, good[i].secs);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (civil_duration_parse(bad[i], &v) != -1)
			fail_msg("accepted duration '%s'", bad[i]);
}

static void
test_duration_format(void **state)
{
	static const struct {
		int64_t		 secs;
		const char	*s;
	} want[] = {
		{ 0, "0d" },
		{ 2700, "45m" },
		{ 5400, "1h30m" },
		{ 172800, "2d" },
		{ 604800, "7d" },
		{ 90, "1m30s" },
		{ CIVIL_DAY + 7200, "1d2h" },
		{ 3601, "1h1s" },
		{ -3600, "-1h" },
		{ INT64_MAX, "106751991167300d15h30m7s" },
		{ INT64_MIN, "-106751991167300d15h30m8s" },
	};
	static const int64_t	 trip[] = { 1, 59, 60, 61, 3599, 3600, 86399,
	    CIVIL_DAY, 90061, 2700, CIVIL_DURATION_MAX };
	char			 buf[CIVIL_DUR_LEN];
	int64_t			 v;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(civil_duration_format(want[i].secs, buf),
		    want[i].s);
	/* format then parse gives the value back. */
	for (i = 0; i < sizeof(trip) / sizeof(trip[0]); i++) {
		civil_duration_format(trip[i], buf);
		assert_int_equal(civil_duration_parse(buf, &v), 0);
		assert_int_equal(v, trip[i]);
	}
	for (v = 0; v <= 2 * CIVIL_DAY; v += 37) {
		int64_t	 back = -1;

		civil_duration_format(v, buf);
		if (civil_duration_parse(buf, &back) != 0 || back != v)
			fail_msg("%lld formats as '%s'", (long long)v, buf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_days_in_month),
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_date_usable),
		cmocka_unit_test(test_days_known),
		cmocka_unit_test(test_days_round_trip),
		cmocka_unit_test(test_date_add_cmp),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_from_secs),
		cmocka_unit_test(test_weekday_parse),
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_duration_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
