/* Unit tests of slots: candidates, ranking, stability, the heatmap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "avail.h"
#include "civil.h"
#include "config.h"
#include "slots.h"
#include "tz.h"
#include "utc.h"

#define H(h, m)	((h) * 3600 + (m) * 60)
#define MO	(1u << CIVIL_MO)
#define TU	(1u << CIVIL_TU)
#define WE	(1u << CIVIL_WE)
#define TH	(1u << CIVIL_TH)
#define FR	(1u << CIVIL_FR)

/*
 * The fixture, built so that the best slot is known: window MO-FR
 * 15:00-17:00 New York, 45 minutes weekly, ten weeks from 2026-09-07.
 *   a  New York  MO-FR 15:00-17:00
 *   b  Chicago   TU-TH 14:30-15:30 (15:30-16:30 New York)
 *   c  New York  TU 15:00-16:15, WE 15:00-17:00
 *   d  New York  TU-WE 15:30-17:00
 *   e  New York  WE 15:00-17:00 (optional)
 * All four required members can come TU 15:30 and WE 15:30 only; e only
 * on WE.  Without e, TU 15:30 wins as the earlier in the week.
 */
struct fixture {
	struct config_weekly	 window, av[6];
	struct config_member	 m[5];
	struct config_community	 c;
	struct slots_member	 sm[5];
	struct avail		*busy[5];
	struct slots_input	 in;
};

static struct fixture	F;

static void
weekly(struct config_weekly *w, uint8_t days, int from, int to)
{
	w->days = days;
	w->from = from;
	w->to = to;
}

static void
fixture_member(size_t i, const char *id, const char *zone,
    struct config_weekly *av, size_t nav, bool required)
{
	F.m[i].id = (char *)id;
	F.m[i].tz = tz_find(zone);
	F.m[i].available = av;
	F.m[i].navailable = nav;
	F.sm[i].member = &F.m[i];
	F.sm[i].required = required;
}

static int
setup(void **state)
{
	memset(&F, 0, sizeof(F));
	weekly(&F.window, MO | TU | WE | TH | FR, H(15, 0), H(17, 0));
	F.c.id = "math7";
	F.c.cadence = CONFIG_CADENCE_WEEKLY;
	F.c.day = -1;
	F.c.time_auto = true;
	F.c.duration = 45 * 60;
	F.c.window = &F.window;
	F.c.nwindow = 1;
	F.c.min_attendance = 0.75;
	F.c.start = (struct civil_date){ 2026, 9, 1 };
	F.c.tz = tz_find("America/New_York");
	weekly(&F.av[0], MO | TU | WE | TH | FR, H(15, 0), H(17, 0));
	weekly(&F.av[1], TU | WE | TH, H(14, 30), H(15, 30));
	weekly(&F.av[2], TU, H(15, 0), H(16, 15));
	weekly(&F.av[3], WE, H(15, 0), H(17, 0));
	weekly(&F.av[4], TU | WE, H(15, 30), H(17, 0));
	weekly(&F.av[5], WE, H(15, 0), H(17, 0));
	fixture_member(0, "a", "America/New_York", &F.av[0], 1, true);
	fixture_member(1, "b", "America/Chicago", &F.av[1], 1, true);
	fixture_member(2, "c", "America/New_York", &F.av[2], 2, true);
	fixture_member(3, "d", "America/New_York", &F.av[4], 1, true);
	fixture_member(4, "e", "America/New_York", &F.av[5], 1, false);
	F.in.community = &F.c;
	F.in.members = F.sm;
	F.in.nmembers = 4;		/* e joins in the tests that want her */
	F.in.from = utc(2026, 9, 7, 0, 0);
	F.in.to = F.in.from + 10 * 7 * CIVIL_DAY;
	for (size_t i = 0; i < 5; i++)
		F.busy[i] = avail_new();
	return 0;
}

static int
teardown(void **state)
{
	for (size_t i = 0; i < 5; i++) {
		avail_free(F.sm[i].free);
		avail_free(F.busy[i]);
	}
	return 0;
}

static void
compute_free(void)
{
	for (size_t i = 0; i < 5; i++) {
		avail_free(F.sm[i].free);
		F.sm[i].free = avail_member(&F.m[i], &F.c, F.busy[i],
		    F.in.from, F.in.to);
	}
}

static struct slots_ranking *
rank(void)
{
	struct slots_ranking	*r = NULL;
	char			*err = NULL;

	compute_free();
	assert_int_equal(slots_rank(&F.in, &r, &err), 0);
	assert_null(err);
	return r;
}

static void
assert_slot(const struct slots_candidate *s, int day, int h, int m)
{
	assert_non_null(s);
	assert_int_equal(s->day, day);
	assert_int_equal(s->at.h, h);
	assert_int_equal(s->at.min, m);
}

static void
test_candidates_on_the_grid(void **state)
{
	struct slots_ranking	*r = rank();

	/* 15:00, 15:15, … 16:15 on five days. */
	assert_int_equal(slots_count(r), 6 * 5);
	for (size_t i = 0; i < slots_count(r); i++)
		assert_int_equal(slots_get(r, i)->meetings, 10);
	slots_ranking_free(r);
}

static void
test_best_is_earliest_of_ties(void **state)
{
	struct slots_ranking	*r = rank();
	const struct slots_candidate *s;
	bool			 kept = true;

	assert_slot(slots_get(r, 0), CIVIL_TU, 15, 30);
	assert_slot(slots_get(r, 1), CIVIL_WE, 15, 30);
	s = slots_get(r, 0);
	assert_int_equal(s->required_free, 40);
	assert_true(s->attendance == 1.0);
	for (size_t j = 0; j < 4; j++)
		assert_int_equal(s->missed[j], 0);
	/* No current slot: the best is the choice. */
	assert_null(slots_current(r));
	assert_ptr_equal(slots_choice(r, &kept), s);
	assert_false(kept);
	/* TU 16:00 loses b (until 16:30 New York) and c (until 16:15)
	 * for all ten meetings. */
	for (size_t i = 0; i < slots_count(r); i++) {
		s = slots_get(r, i);
		if (s->day == CIVIL_TU && s->at.h == 16 && s->at.min == 0) {
			assert_int_equal(s->missed[0], 0);
			assert_int_equal(s->missed[1], 10);
			assert_int_equal(s->missed[2], 10);
			assert_int_equal(s->required_free, 20);
		}
	}
	slots_ranking_free(r);
}

static void
test_optional_breaks_the_tie(void **state)
{
	struct slots_ranking	*r;

	F.in.nmembers = 5;
	r = rank();
	assert_slot(slots_get(r, 0), CIVIL_WE, 15, 30);
	assert_int_equal(slots_get(r, 0)->optional_free, 10);
	slots_ranking_free(r);
}

static void
test_current_wins_a_tie(void **state)
{
	struct slots_ranking	*r;
	bool			 kept = false;

	F.in.has_current = true;
	F.in.current_day = CIVIL_WE;
	F.in.current_at = (struct civil_time){ 15, 30, 0 };
	r = rank();
	assert_slot(slots_get(r, 0), CIVIL_WE, 15, 30);
	assert_true(slots_get(r, 0)->current);
	assert_ptr_equal(slots_choice(r, &kept), slots_current(r));
	assert_true(kept);
	slots_ranking_free(r);
}

/* A small change keeps the slot; a large one moves it, to the best. */
static void
test_stability(void **state)
{
	struct slots_ranking	*r;
	const struct slots_candidate *s;
	bool			 kept = false;

	F.in.has_current = true;
	F.in.current_day = CIVIL_TU;
	F.in.current_at = (struct civil_time){ 15, 30, 0 };
	/* d busy one Tuesday (2026-09-15, 15:00-16:00 New York). */
	avail_add(F.busy[3], utc(2026, 9, 15, 19, 0), utc(2026, 9, 15, 20, 0));
	r = rank();
	/* WE 15:30 is now strictly better, but TU 15:30 holds 39 of 40. */
	assert_slot(slots_get(r, 0), CIVIL_WE, 15, 30);
	s = slots_choice(r, &kept);
	assert_true(kept);
	assert_slot(s, CIVIL_TU, 15, 30);
	assert_true(s->attendance > 0.97 && s->attendance < 0.98);
	assert_int_equal(s->missed[3], 1);
	slots_ranking_free(r);

	/* c and d busy every Tuesday: half can come, below 0.75. */
	avail_add(F.busy[2], utc(2026, 9, 8, 19, 0), utc(2026, 9, 8, 21, 0));
	for (int w = 0; w < 10; w++) {
		avail_add(F.busy[2], F.in.from + CIVIL_DAY + w * 7 * CIVIL_DAY,
		    F.in.from + 2 * CIVIL_DAY + w * 7 * CIVIL_DAY);
		avail_add(F.busy[3], F.in.from + CIVIL_DAY + w * 7 * CIVIL_DAY,
		    F.in.from + 2 * CIVIL_DAY + w * 7 * CIVIL_DAY);
	}
	r = rank();
	assert_true(slots_current(r)->attendance < 0.75);
	s = slots_choice(r, &kept);
	assert_false(kept);
	assert_slot(s, CIVIL_WE, 15, 30);
	slots_ranking_free(r);
}

/*
 * The current slot below min_attendance but still the best there is: it is
 * kept (kept true), not "moved" to itself and stored again every cycle.
 */
static void
test_best_below_min_is_kept(void **state)
{
	struct slots_ranking	*r;
	const struct slots_candidate *s;
	bool			 kept = false;

	F.in.has_current = true;
	F.in.current_day = CIVIL_TU;
	F.in.current_at = (struct civil_time){ 15, 30, 0 };
	/* a away every day: at best 3 of 4 everywhere, under 0.9. */
	avail_add(F.busy[0], F.in.from, F.in.to);
	F.c.min_attendance = 0.9;
	r = rank();
	assert_true(slots_get(r, 0)->current);
	assert_true(slots_current(r)->attendance < 0.9);
	s = slots_choice(r, &kept);
	assert_true(kept);
	assert_ptr_equal(s, slots_current(r));
	slots_ranking_free(r);
}

/* A fixed day with time = auto ranks that day's times only. */
static void
test_fixed_day(void **state)
{
	struct slots_ranking	*r;

	F.c.day = CIVIL_WE;
	r = rank();
	assert_int_equal(slots_count(r), 6);
	assert_slot(slots_get(r, 0), CIVIL_WE, 15, 30);
	for (size_t i = 0; i < slots_count(r); i++)
		assert_int_equal(slots_get(r, i)->day, CIVIL_WE);
	slots_ranking_free(r);
}

/* day = auto at a fixed time: the window days holding that time. */
static void
test_fixed_time(void **state)
{
	struct slots_ranking	*r;

	F.c.time_auto = false;
	F.c.time = (struct civil_time){ 15, 30, 0 };
	F.window.days = MO | WE | FR;
	r = rank();
	assert_int_equal(slots_count(r), 3);
	assert_slot(slots_get(r, 0), CIVIL_WE, 15, 30);
	slots_ranking_free(r);
}

/* Skipped and cancelled meetings do not count; a window too short for
 * the duration has no candidates. */
static void
test_skips_and_empty(void **state)
{
	struct config_span	 skip = { { 2026, 9, 8 }, { 2026, 9, 8 } };
	struct civil_date	 cancel = { 2026, 9, 15 };
	struct slots_ranking	*r;

	F.c.skip = &skip;
	F.c.nskip = 1;
	F.c.cancels = &cancel;
	F.c.ncancels = 1;
	r = rank();
	assert_slot(slots_get(r, 0), CIVIL_TU, 15, 30);
	assert_int_equal(slots_get(r, 0)->meetings, 8);
	slots_ranking_free(r);
	F.c.duration = 3 * 3600;
	r = rank();
	assert_int_equal(slots_count(r), 0);
	assert_null(slots_choice(r, NULL));
	slots_ranking_free(r);
}

/* Across the November DST change the slot keeps its New York wall time,
 * and b (Chicago) keeps fitting, since both zones change together. */
static void
test_across_dst(void **state)
{
	struct slots_ranking	*r;

	F.in.from = utc(2026, 10, 19, 0, 0);
	F.in.to = utc(2026, 11, 16, 0, 0);
	r = rank();
	assert_slot(slots_get(r, 0), CIVIL_TU, 15, 30);
	assert_int_equal(slots_get(r, 0)->meetings, 4);
	assert_int_equal(slots_get(r, 0)->required_free, 16);
	slots_ranking_free(r);
}

static void
test_heatmap(void **state)
{
	struct slots_heatmap	h;
	size_t			row;

	F.window.days = MO | TU | WE | TH | FR;
	F.in.nmembers = 5;
	compute_free();
	slots_heatmap(&F.in, &h);
	assert_int_equal(h.ndays, 5);
	assert_int_equal(h.days[0], CIVIL_MO);
	assert_int_equal(h.first, H(15, 0));
	assert_int_equal(h.nrows, 8);
	/* TU (column 1) 15:30 (row 2): a, b, c, d. */
	row = 2;
	assert_true(h.cells[row * h.ndays + 1] == 4.0);
	/* WE 15:30: everyone. */
	assert_true(h.cells[row * h.ndays + 2] == 5.0);
	/* MO 16:45: a only. */
	assert_true(h.cells[7 * h.ndays + 0] == 1.0);
	/* d busy one WE of ten: 4.9 there. */
	avail_add(F.busy[3], utc(2026, 9, 9, 19, 0), utc(2026, 9, 9, 21, 0));
	compute_free();
	slots_heatmap_free(&h);
	slots_heatmap(&F.in, &h);
	assert_true(h.cells[row * h.ndays + 2] > 4.89 &&
	    h.cells[row * h.ndays + 2] < 4.91);
	slots_heatmap_free(&h);
}

/*
 * A range cut inside a meeting day (slots asked at 15:01 on a meeting day
 * at 15:00): the last meeting starts before `to` but ends after it, where
 * nobody's free time is known.  It is not scored, rather than missed by
 * everyone; nor is the first, which started before `from`.
 */
static void
test_range_cuts_a_meeting(void **state)
{
	struct slots_ranking		*r;
	const struct slots_candidate	*s;

	F.c.day = CIVIL_MO;
	F.c.time_auto = false;
	F.c.time = (struct civil_time){ 15, 0, 0 };
	F.in.nmembers = 1;		/* a: free MO-FR 15:00-17:00 */
	F.in.from = utc(2026, 11, 9, 20, 1);	/* Mon 15:01 New York */
	F.in.to = F.in.from + 4 * 7 * CIVIL_DAY;	/* Mon 7 Dec 15:01 */
	r = rank();
	assert_int_equal(slots_count(r), 1);
	s = slots_get(r, 0);
	assert_slot(s, CIVIL_MO, 15, 0);
	assert_int_equal(s->meetings, 3);
	assert_int_equal(s->missed[0], 0);
	assert_true(s->attendance == 1.0);
	slots_ranking_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_candidates_on_the_grid,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_best_is_earliest_of_ties,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_optional_breaks_the_tie,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_current_wins_a_tie,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stability, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_best_below_min_is_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixed_day, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fixed_time, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_skips_and_empty, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_across_dst, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_range_cuts_a_meeting,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_heatmap, setup,
		    teardown),
	};
	int	rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tz_shutdown();
	return rc;
}
