/* Unit tests of avail: interval sets and members' free time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "avail.h"
#include "config.h"
#include "tz.h"
#include "utc.h"

/* s holds exactly the n intervals given as from, to pairs. */
static void
assert_set(struct avail *s, size_t n, const int64_t *iv)
{
	int64_t	f, t;
	size_t	i;

	assert_int_equal(avail_count(s), n);
	for (i = 0; i < n; i++) {
		avail_get(s, i, &f, &t);
		assert_int_equal(f, iv[2 * i]);
		assert_int_equal(t, iv[2 * i + 1]);
	}
}

static struct avail *
set_of(size_t n, const int64_t *iv)
{
	struct avail	*s = avail_new();
	size_t		 i;

	for (i = 0; i < n; i++)
		avail_add(s, iv[2 * i], iv[2 * i + 1]);
	return s;
}

static void
test_add_sorts_and_merges(void **state)
{
	static const int64_t	in[] = { 50, 60, 10, 20, 15, 30, 30, 40,
				    70, 70, 80, 75 };
	static const int64_t	want[] = { 10, 40, 50, 60 };
	struct avail		*s = set_of(6, in);

	assert_set(s, 2, want);
	assert_int_equal(avail_total(s), 40);
	assert_true(avail_covers(s, 10, 40));
	assert_true(avail_covers(s, 20, 25));
	assert_false(avail_covers(s, 35, 55));
	assert_false(avail_covers(s, 5, 15));
	assert_false(avail_covers(s, 60, 61));
	assert_true(avail_covers(s, 55, 55));
	avail_free(s);
	avail_free(NULL);
}

static void
test_set_operations(void **state)
{
	static const int64_t	a[] = { 0, 10, 20, 30, 40, 50 };
	static const int64_t	b[] = { 5, 25, 45, 60 };
	static const int64_t	u[] = { 0, 30, 40, 60 };
	static const int64_t	d[] = { 0, 5, 25, 30, 40, 45 };
	static const int64_t	x[] = { 5, 10, 20, 25, 45, 50 };
	static const int64_t	d2[] = { 10, 20, 50, 60 };
	struct avail		*sa = set_of(3, a), *sb = set_of(2, b), *r;

	r = avail_union(sa, sb);
	assert_set(r, 2, u);
	avail_free(r);
	r = avail_subtract(sa, sb);
	assert_set(r, 3, d);
	avail_free(r);
	r = avail_intersect(sa, sb);
	assert_set(r, 3, x);
	avail_free(r);
	r = avail_subtract(sb, sa);
	assert_set(r, 2, d2);
	avail_free(r);
	/* With an empty set. */
	avail_free(r = avail_new());
	r = avail_new();
	avail_free(sb);
	sb = avail_subtract(sa, r);
	assert_set(sb, 3, a);
	avail_free(sb);
	sb = avail_intersect(sa, r);
	assert_int_equal(avail_count(sb), 0);
	avail_free(sb);
	sb = avail_subtract(r, sa);
	assert_int_equal(avail_count(sb), 0);
	avail_free(sb);
	avail_free(r);
	avail_free(sa);
}

/* One busy interval covering several free ones, and one inside a free one. */
static void
test_subtract_spanning(void **state)
{
	static const int64_t	a[] = { 0, 10, 20, 30, 40, 50, 60, 100 };
	static const int64_t	b[] = { 5, 45, 70, 80 };
	static const int64_t	want[] = { 0, 5, 45, 50, 60, 70, 80, 100 };
	struct avail		*sa = set_of(4, a), *sb = set_of(2, b), *r;

	r = avail_subtract(sa, sb);
	assert_set(r, 4, want);
	avail_free(r);
	avail_free(sa);
	avail_free(sb);
}

/* MO 15:00-17:00 in New York over the week of the November DST change. */
static void
test_weekly_across_dst(void **state)
{
	struct config_weekly	w = { 1u << 0, 15 * 3600, 17 * 3600 };
	const struct tz		*ny = tz_find("America/New_York");
	struct avail		*s;
	const int64_t		want[] = {
		utc(2026, 10, 26, 19, 0), utc(2026, 10, 26, 21, 0),
		utc(2026, 11, 2, 20, 0), utc(2026, 11, 2, 22, 0),
	};

	assert_non_null(ny);
	s = avail_weekly(&w, 1, ny, utc(2026, 10, 25, 0, 0),
	    utc(2026, 11, 8, 0, 0));
	assert_set(s, 2, want);
	avail_free(s);
}

/* A spring-forward day: an interval over the gap is an hour shorter. */
static void
test_weekly_night_over_gap(void **state)
{
	struct config_weekly	w = { 1u << 6, 0, 6 * 3600 };	/* SU 00-06 */
	const struct tz		*ny = tz_find("America/New_York");
	struct avail		*s;

	s = avail_weekly(&w, 1, ny, utc(2027, 3, 13, 0, 0),
	    utc(2027, 3, 15, 0, 0));
	assert_int_equal(avail_count(s), 1);
	assert_int_equal(avail_total(s), 5 * 3600);
	avail_free(s);
}

/* Clipped to the range, including mid-interval ends. */
static void
test_weekly_clipped(void **state)
{
	struct config_weekly	w = { 0x7f, 9 * 3600, 17 * 3600 };
	struct avail		*s;
	const int64_t		want[] = {
		utc(2026, 9, 1, 12, 0), utc(2026, 9, 1, 17, 0),
		utc(2026, 9, 2, 9, 0), utc(2026, 9, 2, 10, 0),
	};

	s = avail_weekly(&w, 1, NULL, utc(2026, 9, 1, 12, 0),
	    utc(2026, 9, 2, 10, 0));
	assert_set(s, 2, want);
	avail_free(s);
}

/*
 * Two zones: carol (New York) gives MO-FR 14:30-17:00; bob (Chicago) gives
 * nothing and gets the community's window, in the community's zone (New
 * York); bob is away a whole Chicago day, and busy one hour.
 */
static void
test_member_two_zones(void **state)
{
	struct config_weekly	 carol_av = { 0x1f, 14 * 3600 + 1800,
				    17 * 3600 };
	struct config_weekly	 window = { 0x1f, 7 * 3600 + 1800,
				    16 * 3600 + 1800 };
	struct config_span	 away = { { 2026, 11, 4 }, { 2026, 11, 4 } };
	struct config_member	 carol, bob;
	struct config_community	 c;
	struct avail		*busy = avail_new(), *s;
	int64_t			 from = utc(2026, 11, 2, 0, 0);
	int64_t			 to = utc(2026, 11, 7, 0, 0);
	const int64_t		 carol_want[] = {
		utc(2026, 11, 2, 19, 30), utc(2026, 11, 2, 22, 0),
		utc(2026, 11, 3, 19, 30), utc(2026, 11, 3, 22, 0),
		utc(2026, 11, 4, 19, 30), utc(2026, 11, 4, 22, 0),
		utc(2026, 11, 5, 19, 30), utc(2026, 11, 5, 22, 0),
		utc(2026, 11, 6, 19, 30), utc(2026, 11, 6, 22, 0),
	};
	const int64_t		 bob_want[] = {
		utc(2026, 11, 2, 12, 30), utc(2026, 11, 2, 21, 30),
		utc(2026, 11, 3, 12, 30), utc(2026, 11, 3, 15, 0),
		utc(2026, 11, 3, 16, 0), utc(2026, 11, 3, 21, 30),
		utc(2026, 11, 5, 12, 30), utc(2026, 11, 5, 21, 30),
		utc(2026, 11, 6, 12, 30), utc(2026, 11, 6, 21, 30),
	};

	memset(&c, 0, sizeof(c));
	c.tz = tz_find("America/New_York");
	c.window = &window;
	c.nwindow = 1;
	memset(&carol, 0, sizeof(carol));
	carol.tz = tz_find("America/New_York");
	carol.available = &carol_av;
	carol.navailable = 1;
	memset(&bob, 0, sizeof(bob));
	bob.tz = tz_find("America/Chicago");
	bob.away = &away;
	bob.naway = 1;

	s = avail_member(&carol, &c, NULL, from, to);
	assert_set(s, 5, carol_want);
	avail_free(s);
	avail_add(busy, utc(2026, 11, 3, 15, 0), utc(2026, 11, 3, 16, 0));
	s = avail_member(&bob, &c, busy, from, to);
	assert_set(s, 5, bob_want);
	/* The away day is a Chicago day: 05:00 UTC to 05:00 UTC (CST). */
	assert_false(avail_covers(s, utc(2026, 11, 4, 12, 30),
	    utc(2026, 11, 4, 12, 45)));
	avail_free(s);
	avail_free(busy);
}

/* Away days in a DST week: midnight to midnight local, 25 hours. */
static void
test_days_dst(void **state)
{
	struct config_span	 sp = { { 2026, 11, 1 }, { 2026, 11, 1 } };
	struct avail		*s;
	const int64_t		 want[] = { utc(2026, 11, 1, 4, 0),
				    utc(2026, 11, 2, 5, 0) };

	s = avail_days(&sp, 1, tz_find("America/New_York"),
	    utc(2026, 10, 1, 0, 0), utc(2026, 12, 1, 0, 0));
	assert_set(s, 1, want);
	avail_free(s);
}

/* Many intervals: adding in reverse still normalizes, and counts stay
 * linear (one interval per input here). */
static void
test_many_reverse(void **state)
{
	struct avail	*s = avail_new(), *t = avail_new(), *r;
	int64_t		 i;

	for (i = 9999; i >= 0; i--)
		avail_add(s, i * 100, i * 100 + 50);
	for (i = 0; i < 10000; i++)
		avail_add(t, i * 100 + 25, i * 100 + 75);
	assert_int_equal(avail_count(s), 10000);
	r = avail_subtract(s, t);
	assert_int_equal(avail_count(r), 10000);
	assert_int_equal(avail_total(r), 10000 * 25);
	avail_free(r);
	r = avail_union(s, t);
	assert_int_equal(avail_count(r), 10000);
	assert_int_equal(avail_total(r), 10000 * 75);
	avail_free(r);
	avail_free(s);
	avail_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_sorts_and_merges),
		cmocka_unit_test(test_set_operations),
		cmocka_unit_test(test_subtract_spanning),
		cmocka_unit_test(test_weekly_across_dst),
		cmocka_unit_test(test_weekly_night_over_gap),
		cmocka_unit_test(test_weekly_clipped),
		cmocka_unit_test(test_member_two_zones),
		cmocka_unit_test(test_days_dst),
		cmocka_unit_test(test_many_reverse),
	};
	int	rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tz_shutdown();
	return rc;
}
