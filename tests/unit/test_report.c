/* Unit tests of the accountability report: the figures of a fixture term
 * whose answers are worked out by hand (in the comments), and what its
 * HTML renderings hold and leave out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "report.h"
#include "tz.h"
#include "utc.h"

#define D(y, m, d)	((struct civil_date){ (y), (m), (d) })

/*
 * The term: 2026-09-01..2026-10-31 in UTC, now Tue 20 Oct 12:00.
 * alice, bob and carol are required, erin (named "<Erin>") optional.
 */
static const struct report_person people[] = {
	{ "alice", "Alice", true },
	{ "bob", "Bob", true },
	{ "carol", "Carol", true },
	{ "erin", "<Erin>", false },
};

static struct report_item items[7];
static struct report_meeting meetings[7];

static const struct report_mark marks[] = {
	{ "alice", { 2026, 9, 1 }, true },
	{ "bob", { 2026, 9, 1 }, true },
	{ "carol", { 2026, 9, 1 }, false },
	{ "erin", { 2026, 9, 1 }, true },
	{ "alice", { 2026, 9, 15 }, true },
	{ "bob", { 2026, 9, 15 }, false },
	{ "carol", { 2026, 9, 15 }, true },
	/* A cancelled meeting's mark counts for nothing. */
	{ "alice", { 2026, 9, 8 }, true },
	/* Someone no longer a member: left out. */
	{ "zed", { 2026, 9, 22 }, true },
};

static const struct report_rsvp rsvps[] = {
	{ "bob", { 2026, 9, 1 } },
	{ "bob", { 2026, 9, 15 } },
	{ "carol", { 2026, 10, 27 } },
	{ "alice", { 2026, 11, 3 } },	/* after the period */
};

static void
fixture(struct report_input *in)
{
	memset(items, 0, sizeof(items));
	/* 1: bob, due 15 Sep, done 15 Sep 12:00: on time, 14.5 days. */
	items[0] = (struct report_item){ "bob", D(2026, 9, 15),
	    utc(2026, 9, 1, 0, 0), true, utc(2026, 9, 15, 12, 0) };
	/* 2: bob, due 15 Sep, done 16 Sep 12:00: late, 15.5 days. */
	items[1] = (struct report_item){ "bob", D(2026, 9, 15),
	    utc(2026, 9, 1, 0, 0), true, utc(2026, 9, 16, 12, 0) };
	/* 3: carol, due 1 Oct, open at now: overdue. */
	items[2] = (struct report_item){ "carol", D(2026, 10, 1),
	    utc(2026, 9, 8, 0, 0), false, 0 };
	/* 4: carol, due 25 Oct, open: open. */
	items[3] = (struct report_item){ "carol", D(2026, 10, 25),
	    utc(2026, 9, 22, 0, 0), false, 0 };
	/* 5: alice, due 10 Oct, done 5 Oct: on time, 4 days. */
	items[4] = (struct report_item){ "alice", D(2026, 10, 10),
	    utc(2026, 10, 1, 0, 0), true, utc(2026, 10, 5, 0, 0) };
	/* 6: bob, due 15 Nov: outside the period. */
	items[5] = (struct report_item){ "bob", D(2026, 11, 15),
	    utc(2026, 10, 1, 0, 0), false, 0 };
	/* 7: zed (gone from the config), due 20 Sep, done in 2 days:
	 * counted for the community, for no member. */
	items[6] = (struct report_item){ "zed", D(2026, 9, 20),
	    utc(2026, 9, 10, 0, 0), true, utc(2026, 9, 12, 0, 0) };

	/* Tuesdays at 15:30: 8 Sep cancelled, 15 Sep moved to the 16th,
	 * 20 Oct not started at now, 3 Nov after the period. */
	meetings[0] = (struct report_meeting){ D(2026, 9, 1),
	    utc(2026, 9, 1, 15, 30), false, false };
	meetings[1] = (struct report_meeting){ D(2026, 9, 8),
	    utc(2026, 9, 8, 15, 30), false, true };
	meetings[2] = (struct report_meeting){ D(2026, 9, 15),
	    utc(2026, 9, 16, 15, 30), true, false };
	meetings[3] = (struct report_meeting){ D(2026, 9, 22),
	    utc(2026, 9, 22, 15, 30), false, false };
	meetings[4] = (struct report_meeting){ D(2026, 10, 20),
	    utc(2026, 10, 20, 15, 30), false, false };
	meetings[5] = (struct report_meeting){ D(2026, 10, 27),
	    utc(2026, 10, 27, 15, 30), false, false };
	meetings[6] = (struct report_meeting){ D(2026, 11, 3),
	    utc(2026, 11, 3, 15, 30), false, false };

	memset(in, 0, sizeof(*in));
	in->community = "math7";
	in->name = "Grade 7 Math";
	in->tz = NULL;
	in->people = people;
	in->npeople = 4;
	in->items = items;
	in->nitems = 7;
	in->meetings = meetings;
	in->nmeetings = 7;
	in->marks = marks;
	in->nmarks = sizeof(marks) / sizeof(marks[0]);
	in->rsvps = rsvps;
	in->nrsvps = 4;
	in->from = D(2026, 9, 1);
	in->to = D(2026, 10, 31);
	in->now = utc(2026, 10, 20, 12, 0);
}

static void
check_member(const struct report_member *m, const char *id, int owned,
    int on_time, int late, int open, int overdue, int expected,
    int attended, int rsvps_)
{
	assert_string_equal(m->id, id);
	assert_int_equal(m->owned, owned);
	assert_int_equal(m->on_time, on_time);
	assert_int_equal(m->late, late);
	assert_int_equal(m->open, open);
	assert_int_equal(m->overdue, overdue);
	assert_int_equal(m->expected, expected);
	assert_int_equal(m->attended, attended);
	assert_int_equal(m->rsvps, rsvps_);
}

static void
test_figures(void **state)
{
	struct report_input	in;
	struct report		r;

	(void)state;
	fixture(&in);
	report_compute(&in, &r);
	assert_int_equal(r.nmembers, 4);
	/* Held: 1, 15 (moved) and 22 Sep; expected 3 for the required. */
	check_member(&r.members[0], "alice", 1, 1, 0, 0, 0, 3, 2, 0);
	check_member(&r.members[1], "bob", 2, 1, 1, 0, 0, 3, 1, 2);
	check_member(&r.members[2], "carol", 2, 0, 0, 1, 1, 3, 1, 1);
	check_member(&r.members[3], "erin", 0, 0, 0, 0, 0, 0, 1, 0);
	/* 1, 8, 15, 22 Sep, 20 and 27 Oct. */
	assert_int_equal(r.planned, 6);
	assert_int_equal(r.held, 3);
	assert_int_equal(r.moved, 1);
	assert_int_equal(r.cancelled, 1);
	/* Recorded: 1 Sep (alice, bob of 3) and 15 Sep (alice, carol). */
	assert_true(r.has_rate);
	assert_true(r.rate > 4.0 / 6 - 1e-9 && r.rate < 4.0 / 6 + 1e-9);
	/* 2, 4, 14.5, 15.5 days: (4 + 14.5) / 2. */
	assert_true(r.has_median);
	assert_true(r.median_days > 9.25 - 1e-9 &&
	    r.median_days < 9.25 + 1e-9);
	assert_int_equal(r.items_total, 6);
	assert_int_equal(r.done_total, 4);
	/* From 1 Sep 00:00 (items 1 and 2 open) to now (3, 4 and 6). */
	assert_int_equal(r.npoints, REPORT_POINTS);
	assert_int_equal(r.at[0], utc(2026, 9, 1, 0, 0));
	assert_int_equal(r.open_at[0], 2);
	assert_int_equal(r.at[REPORT_POINTS - 1], utc(2026, 10, 20, 12, 0));
	assert_int_equal(r.open_at[REPORT_POINTS - 1], 3);
	/* The attendance strip: the held meetings, unknown where unmarked. */
	assert_int_equal(r.nheld, 3);
	assert_int_equal(r.helds[0].present[2], 0);
	assert_int_equal(r.helds[1].present[1], 0);
	assert_false(r.helds[2].recorded);
	assert_int_equal(r.helds[2].present[0], -1);
	report_free(&r);
}

/* Done at 23:59:59 on the due day is on time, at midnight late; the day
 * is the community's (New York here, not UTC). */
static void
test_due_day_in_zone(void **state)
{
	struct report_input	in;
	struct report		r;
	struct report_item	v[2];

	(void)state;
	fixture(&in);
	in.tz = tz_find("America/New_York");
	assert_non_null(in.tz);
	v[0] = (struct report_item){ "bob", D(2026, 9, 15),
	    utc(2026, 9, 1, 0, 0), true, utc(2026, 9, 16, 3, 59) };
	v[1] = (struct report_item){ "bob", D(2026, 9, 15),
	    utc(2026, 9, 1, 0, 0), true, utc(2026, 9, 16, 4, 0) };
	in.items = v;
	in.nitems = 2;
	report_compute(&in, &r);
	assert_int_equal(r.members[1].on_time, 1);
	assert_int_equal(r.members[1].late, 1);
	report_free(&r);
}

/* Nothing recorded, nothing done: no rate, no median, not 0. */
static void
test_empty(void **state)
{
	struct report_input	in;
	struct report		r;
	char			*t;

	(void)state;
	fixture(&in);
	in.nitems = 0;
	in.nmarks = 0;
	report_compute(&in, &r);
	assert_false(r.has_rate);
	assert_false(r.has_median);
	t = report_text(&r);
	assert_non_null(strstr(t, "Attendance rate: n/a"));
	assert_non_null(strstr(t, "Median days to done: n/a"));
	free(t);
	report_free(&r);
}

static void
test_renderings(void **state)
{
	struct report_input	in;
	struct report		r;
	char			*page, *mail, *text;

	(void)state;
	fixture(&in);
	report_compute(&in, &r);
	page = report_page_html(&r);
	mail = report_mail_html(&r);
	text = report_text(&r);
	/* A bar per member with its counts, for the DOM to read. */
	assert_non_null(strstr(page, "data-member=\"bob\" data-on-time=\"1\" "
	    "data-late=\"1\" data-open=\"0\" data-overdue=\"0\""));
	assert_non_null(strstr(page, "data-member=\"carol\" data-on-time=\"0\" "
	    "data-late=\"0\" data-open=\"1\" data-overdue=\"1\""));
	assert_non_null(strstr(page, "<svg class=\"bars\""));
	assert_non_null(strstr(page, "<svg class=\"strips\""));
	assert_non_null(strstr(page, "<polyline class=\"open\""));
	assert_non_null(strstr(page, "@media print"));
	assert_non_null(strstr(page, "name=\"viewport\""));
	assert_null(strstr(page, "<script"));
	/* Names are escaped everywhere. */
	assert_null(strstr(page, "<Erin>"));
	assert_non_null(strstr(page, "&lt;Erin&gt;"));
	assert_null(strstr(mail, "<Erin>"));
	/* The e-mail: tables, inline styles, no SVG, no script. */
	assert_non_null(strstr(mail, "<table"));
	assert_non_null(strstr(mail, "style=\"border:1px solid"));
	assert_null(strstr(mail, "<svg"));
	assert_null(strstr(mail, "<script"));
	assert_non_null(strstr(mail, "<!--plc:report-link-->"));
	assert_non_null(strstr(text, "Meetings: 6 planned, 3 held, 1 moved, "
	    "1 cancelled"));
	assert_non_null(strstr(text, "Attendance rate: 67%"));
	assert_non_null(strstr(text, "Median days to done: 9.2"));
	free(page);
	free(mail);
	free(text);
	report_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_figures),
		cmocka_unit_test(test_due_day_in_zone),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_renderings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
