/* Unit tests of meeting: quorum arithmetic, the one-off changes overlay,
 * link subjects, and the alternatives with the RSVPs counted in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avail.h"
#include "civil.h"
#include "config.h"
#include "meeting.h"
#include "slots.h"
#include "tz.h"
#include "utc.h"

#define H(h, m)	((h) * 3600 + (m) * 60)

static void
test_quorum(void **state)
{
	struct config_community	c;

	(void)state;
	assert_int_equal(meeting_quorum_needed(4, 0.75), 3);
	assert_int_equal(meeting_quorum_needed(5, 0.6), 3);	/* not 4 */
	assert_int_equal(meeting_quorum_needed(3, 0.5), 2);	/* 1.5 up */
	assert_int_equal(meeting_quorum_needed(4, 1.0), 4);
	assert_int_equal(meeting_quorum_needed(10, 0.01), 1);	/* >= 1 */
	assert_int_equal(meeting_quorum_needed(0, 0.5), 0);
	assert_true(meeting_quorum_ok(4, 1, 0.75));
	assert_false(meeting_quorum_ok(4, 2, 0.75));
	assert_true(meeting_quorum_ok(5, 2, 0.6));
	assert_false(meeting_quorum_ok(5, 3, 0.6));
	assert_false(meeting_quorum_ok(2, 5, 0.5));	/* more than all */
	assert_true(meeting_quorum_ok(0, 0, 0.5));
	/* The share: quorum, else min_attendance where written, else 0.5. */
	memset(&c, 0, sizeof(c));
	c.min_attendance = 0.75;
	assert_true(meeting_quorum_share(&c) == 0.5);
	c.has_min_attendance = true;
	assert_true(meeting_quorum_share(&c) == 0.75);
	c.has_quorum = true;
	c.quorum = 0.6;
	assert_true(meeting_quorum_share(&c) == 0.6);
}

static void
test_apply(void **state)
{
	struct config_move	 own = { { 2026, 12, 22 }, { 2026, 12, 23 },
				    false, { 0, 0, 0 } };
	struct config_community	 c;
	struct config		 cfg;
	struct meeting_change	 v[4];
	char			*w = NULL;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&cfg, 0, sizeof(cfg));
	c.id = "math7";
	c.moves = malloc(sizeof(*c.moves));
	c.moves[0] = own;
	c.nmoves = 1;
	c.cancels = malloc(sizeof(*c.cancels));
	c.cancels[0] = (struct civil_date){ 2026, 12, 29 };
	c.ncancels = 1;
	cfg.communities = &c;
	cfg.ncommunities = 1;
	memset(v, 0, sizeof(v));
	v[0].community = "math7";
	v[0].date = (struct civil_date){ 2026, 12, 15 };
	v[0].cancel = true;
	v[1].community = "math7";		/* the config's move wins */
	v[1].date = (struct civil_date){ 2026, 12, 22 };
	v[1].cancel = true;
	v[2].community = "math7";
	v[2].date = (struct civil_date){ 2026, 12, 8 };
	v[2].to = (struct civil_date){ 2026, 12, 9 };
	v[2].has_time = true;
	v[2].at = (struct civil_time){ 16, 0, 0 };
	v[3].community = "other";		/* not in this config */
	v[3].date = (struct civil_date){ 2026, 12, 8 };
	v[3].cancel = true;
	assert_int_equal(meeting_apply(&cfg, v, 4, &w), 2);
	assert_non_null(w);
	assert_string_equal(w, "[community math7] meeting 2026-12-22: the "
	    "config's move or cancel of that date wins over the cancel "
	    "recorded with `meeting`");
	free(w);
	assert_int_equal(c.nmoves, 2);
	assert_int_equal(c.moves[1].to.d, 9);
	assert_int_equal(c.moves[1].at.h, 16);
	assert_int_equal(c.ncancels, 2);
	assert_int_equal(c.cancels[1].d, 15);
	/* The config's own stay known as such. */
	assert_true(meeting_config_changes(&c, (struct civil_date){ 2026, 12,
	    22 }));
	assert_false(meeting_config_changes(&c, (struct civil_date){ 2026, 12,
	    15 }));
	/* Applied again: replaces, never adds up; none: the config's. */
	assert_int_equal(meeting_apply(&cfg, v, 1, &w), 1);
	assert_null(w);
	assert_int_equal(c.nmoves, 1);
	assert_int_equal(c.ncancels, 2);
	assert_int_equal(meeting_apply(&cfg, NULL, 0, &w), 0);
	assert_int_equal(c.nmoves, 1);
	assert_int_equal(c.ncancels, 1);
	assert_int_equal(c.cancels[0].d, 29);
	free(c.moves);
	free(c.cancels);
}

static void
test_subjects(void **state)
{
	struct civil_date	 d = { 2026, 12, 8 }, e, to;
	struct civil_time	 at = { 7, 5, 0 }, t;
	char			*s, *c = NULL, *m = NULL;

	(void)state;
	s = meeting_rsvp_subject("math7", d, "bob");
	assert_string_equal(s, "math7.2026-12-08.bob");
	assert_int_equal(meeting_rsvp_parse(s, &c, &e, &m), 0);
	assert_string_equal(c, "math7");
	assert_string_equal(m, "bob");
	assert_int_equal(civil_date_cmp(d, e), 0);
	free(c);
	free(m);
	free(s);
	assert_int_equal(meeting_rsvp_parse("math7.2026-12-08", &c, &e, &m),
	    -1);
	assert_int_equal(meeting_rsvp_parse("math7.2026-12-08.bob.x", &c, &e,
	    &m), -1);
	assert_int_equal(meeting_rsvp_parse("math7.2026-12-08.bob.", &c, &e,
	    &m), -1);
	assert_int_equal(meeting_rsvp_parse("math7.2026-13-08.bob", &c, &e,
	    &m), -1);
	assert_null(c);
	to = (struct civil_date){ 2026, 12, 10 };
	s = meeting_move_subject("math7", d, to, at);
	assert_string_equal(s, "math7.2026-12-08.2026-12-10.0705");
	assert_int_equal(meeting_move_parse(s, &c, &e, &to, &t), 0);
	assert_string_equal(c, "math7");
	assert_int_equal(to.d, 10);
	assert_int_equal(t.h * 60 + t.min, 7 * 60 + 5);
	free(c);
	free(s);
	assert_int_equal(meeting_move_parse("math7.2026-12-08.2026-12-10.2460",
	    &c, &e, &to, &t), -1);
	assert_int_equal(meeting_move_parse("math7.2026-12-08.2026-12-10.16",
	    &c, &e, &to, &t), -1);
	assert_null(c);
}

/*
 * The alternatives for Tue 15 Dec 2026 15:30 New York (45m), window MO-FR
 * 15:00-17:00: a and b said they can't come; b is busy all Wednesday and
 * d all Monday.  Counting the RSVPs in, a and b are busy only during the
 * meeting itself, so Tue 16:15 (after it) has all four, then Thursday.
 */
static void
test_alternatives(void **state)
{
	static const char	*ids[] = { "a", "b", "c", "d", "e" };
	const char		*cant[] = { "a", "b" };
	struct config_weekly	 window = { 0, H(15, 0), H(17, 0) };
	struct config_member	 m[5];
	struct config_community	 c;
	struct slots_member	 sm[5];
	struct avail		*busy[5];
	struct meeting_alt	 alt[MEETING_NALT];
	const struct tz		*ny = tz_find("America/New_York");
	int64_t			 from, to, start;
	char			*err = NULL;
	size_t			 i;
	long			 n;

	(void)state;
	for (i = CIVIL_MO; i <= CIVIL_FR; i++)
		window.days |= (uint8_t)(1u << i);
	memset(&c, 0, sizeof(c));
	c.id = "math7";
	c.cadence = CONFIG_CADENCE_WEEKLY;
	c.day = CIVIL_TU;
	c.time = (struct civil_time){ 15, 30, 0 };
	c.duration = 45 * 60;
	c.window = &window;
	c.nwindow = 1;
	c.start = (struct civil_date){ 2026, 9, 1 };
	c.tz = ny;
	from = utc(2026, 12, 14, 5, 0);		/* Mon 00:00 New York */
	to = from + 7 * CIVIL_DAY;
	start = utc(2026, 12, 15, 20, 30);
	memset(m, 0, sizeof(m));
	memset(sm, 0, sizeof(sm));
	for (i = 0; i < 5; i++) {
		m[i].id = (char *)ids[i];
		m[i].tz = ny;
		busy[i] = avail_new();
		sm[i].member = &m[i];
		sm[i].required = i < 4;
	}
	avail_add(busy[1], utc(2026, 12, 16, 5, 0), utc(2026, 12, 17, 5, 0));
	avail_add(busy[3], utc(2026, 12, 14, 5, 0), utc(2026, 12, 15, 5, 0));
	for (i = 0; i < 5; i++)
		sm[i].free = avail_member(&m[i], &c, busy[i], from, to);
	n = meeting_alternatives(&c, sm, 5, (time_t)start,
	    (time_t)start + 45 * 60, cant, 2, 2, (time_t)utc(2026, 12, 13,
	    20, 31), alt, &err);
	assert_null(err);
	assert_int_equal(n, 3);
	assert_int_equal(alt[0].date.d, 15);
	assert_int_equal(alt[0].at.h * 60 + alt[0].at.min, 16 * 60 + 15);
	assert_int_equal(alt[0].required_free, 4);
	assert_int_equal(alt[0].start, utc(2026, 12, 15, 21, 15));
	assert_int_equal(alt[1].date.d, 17);
	assert_int_equal(alt[1].at.h * 60 + alt[1].at.min, 15 * 60);
	assert_int_equal(alt[2].date.d, 17);
	assert_int_equal(alt[2].at.h * 60 + alt[2].at.min, 15 * 60 + 15);
	/* Without the RSVPs, Tuesday's slots around the meeting come first. */
	n = meeting_alternatives(&c, sm, 5, (time_t)start,
	    (time_t)start + 45 * 60, cant, 0, 2, (time_t)utc(2026, 12, 13,
	    20, 31), alt, &err);
	assert_int_equal(n, 3);
	assert_int_equal(alt[0].date.d, 15);
	assert_int_equal(alt[0].at.h * 60 + alt[0].at.min, 15 * 60);
	assert_int_equal(alt[1].at.h * 60 + alt[1].at.min, 15 * 60 + 15);
	assert_int_equal(alt[2].at.h * 60 + alt[2].at.min, 15 * 60 + 45);
	/* Nothing before now, and nothing no better than the meeting. */
	n = meeting_alternatives(&c, sm, 5, (time_t)start,
	    (time_t)start + 45 * 60, cant, 2, 2, (time_t)utc(2026, 12, 17,
	    20, 0), alt, &err);
	assert_int_equal(n, 3);
	assert_int_equal(alt[0].date.d, 17);
	assert_int_equal(alt[0].at.h * 60 + alt[0].at.min, 15 * 60 + 15);
	n = meeting_alternatives(&c, sm, 5, (time_t)start,
	    (time_t)start + 45 * 60, cant, 2, 4, (time_t)utc(2026, 12, 13,
	    20, 31), alt, &err);
	assert_int_equal(n, 0);
	for (i = 0; i < 5; i++) {
		avail_free(sm[i].free);
		avail_free(busy[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quorum),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_subjects),
		cmocka_unit_test(test_alternatives),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
