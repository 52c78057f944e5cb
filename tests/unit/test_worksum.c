/* worksum: the work section's content, order, zones, cut and lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "chat.h"
#include "civil.h"
#include "tz.h"
#include "utc.h"
#include "worksum.h"
#include "xmalloc.h"

static struct worksum_item
open_item(int64_t id, const char *title, const char *owner, const char *name,
    int y, int m, int d)
{
	struct worksum_item	it;

	memset(&it, 0, sizeof(it));
	it.id = id;
	it.title = title;
	it.owner = owner;
	it.owner_name = name;
	it.due = (struct civil_date){ y, m, d };
	return it;
}

static struct worksum_item
done_item(int64_t id, const char *title, const char *owner, const char *name,
    time_t at)
{
	struct worksum_item	it = open_item(id, title, owner, name, 2026,
				    10, 20);

	it.done = true;
	it.done_at = at;
	return it;
}

/* Tuesday meetings at 15:30 New York (20:30 UTC in autumn, after DST). */
#define MEET_OCT27	utc(2026, 10, 27, 19, 30)	/* EDT */
#define MEET_NOV3	utc(2026, 11, 3, 20, 30)	/* EST */

static void
view_init(struct worksum_view *v, time_t at)
{
	memset(v, 0, sizeof(*v));
	v->ctz = tz_find("America/New_York");
	v->at = at;
	v->last = MEET_OCT27;
	v->next = MEET_NOV3;
	v->community = "math7";
}

static const char *
after(const char *s, const char *what)
{
	const char	*p = strstr(s, what);

	if (p == NULL)
		fail_msg("missing: %s\nin:\n%s", what, s);
	return p;
}

static struct worksum_item fixture[8];

static size_t
fixture_init(void)
{
	size_t	n = 0;

	/* Overdue, out of order. */
	fixture[n++] = open_item(12, "Post exit-ticket data", "bob",
	    "Bob Jones", 2026, 10, 30);
	fixture[n++] = open_item(11, "Collect unit 3 data", "carol",
	    "Carol Ng", 2026, 10, 28);
	/* Due before the next meeting (3 Nov), out of order. */
	fixture[n++] = open_item(14, "Draft the quiz", "carol", "Carol Ng",
	    2026, 11, 3);
	fixture[n++] = open_item(13, "Share the slides", "bob", "Bob Jones",
	    2026, 11, 2);
	/* Far in the future. */
	fixture[n++] = open_item(15, "Plan the unit 5 test", "bob",
	    "Bob Jones", 2026, 12, 15);
	/* Done after the last meeting (27 Oct 19:30 UTC), and before it. */
	fixture[n++] = done_item(10, "Share exit tickets", "bob", "Bob",
	    utc(2026, 10, 29, 14, 0));
	fixture[n++] = done_item(9, "Book room 204", "carol", "Carol",
	    utc(2026, 10, 28, 9, 0));
	fixture[n++] = done_item(8, "Old business", "carol", "Carol",
	    utc(2026, 10, 27, 19, 29));
	return n;
}

/* Each part in its order; far-future and long-done items left out. */
static void
test_content_and_order(void **state)
{
	struct worksum_view	 v;
	size_t			 n = fixture_init();
	const char		*p;
	char			*s;

	(void)state;
	/* Mon 2 Nov 15:30 New York: the 1d reminder. */
	view_init(&v, utc(2026, 11, 2, 20, 30));
	s = worksum_render(fixture, n, &v);
	p = after(s, "Overdue:\n");
	p = after(p, "- #11 Collect unit 3 data — Carol Ng — due Wed 28 Oct, "
	    "5 days late\n");
	p = after(p, "- #12 Post exit-ticket data — Bob Jones — due Fri 30 "
	    "Oct, 3 days late\n");
	p = after(p, "Due before the next meeting (Tue 3 Nov):\n");
	p = after(p, "- #13 Share the slides — Bob Jones — due Mon 2 Nov\n");
	p = after(p, "- #14 Draft the quiz — Carol Ng — due Tue 3 Nov\n");
	/* The recognition line, in the order the items were done. */
	p = after(p, "Done since Tue 27 Oct: Carol — Book room 204 (#9); "
	    "Bob — Share exit tickets (#10)\n");
	after(p, "Mark one done: plc-cadence action done NUMBER\n");
	assert_null(strstr(s, "Plan the unit 5 test"));
	assert_null(strstr(s, "Old business"));
	assert_null(strstr(s, "and "));
	assert_null(strstr(s, "(yours)"));
	free(s);

	/* No last meeting: no done line. */
	v.last = 0;
	s = worksum_render(fixture, n, &v);
	assert_null(strstr(s, "Done since"));
	free(s);
}

/* The reader's own items first in each part, marked; notes only when the
 * view allows them, and only the reader's. */
static void
test_reader_first(void **state)
{
	struct worksum_view	 v;
	size_t			 n = fixture_init();
	const char		*p;
	char			*s;

	(void)state;
	fixture[0].notes = "Use the\nshared sheet";
	fixture[1].notes = "Carol's private note";
	view_init(&v, utc(2026, 11, 2, 20, 30));
	v.reader = "bob";
	v.rtz = tz_find("America/Chicago");
	s = worksum_render(fixture, n, &v);
	p = after(s, "Overdue:\n");
	p = after(p, "- #12 Post exit-ticket data — Bob Jones (yours) — due "
	    "Fri 30 Oct, 3 days late\n");
	p = after(p, "- #11 Collect unit 3 data — Carol Ng — due");
	p = after(p, "- #13 Share the slides — Bob Jones (yours) — due");
	p = after(p, "- #14 Draft the quiz — Carol Ng — due");
	after(p, "Done since Tue 27 Oct: Bob — Share exit tickets (#10) "
	    "(yours); Carol — Book room 204 (#9)\n");
	assert_null(strstr(s, "Notes"));
	free(s);

	v.notes = true;
	s = worksum_render(fixture, n, &v);
	/* Cleaned of control characters: one line. */
	after(s, "3 days late\n    Notes: Use the shared sheet\n- #11");
	assert_null(strstr(s, "Carol's private note"));
	free(s);
}

/* An item due "today" in New York is not overdue for a Chicago reader at
 * 23:30 Chicago time (00:30 in New York, the next day); it is for a reader
 * in New York at the same instant. */
static void
test_reader_zone(void **state)
{
	struct worksum_item	 it = open_item(21, "Enter the grades", "bob",
				    "Bob Jones", 2026, 12, 4);
	struct worksum_view	 v;
	char			*s;

	(void)state;
	view_init(&v, utc(2026, 12, 5, 5, 30));
	v.last = utc(2026, 12, 1, 20, 30);
	v.next = utc(2026, 12, 8, 20, 30);
	v.rtz = tz_find("America/Chicago");
	s = worksum_render(&it, 1, &v);
	assert_null(strstr(s, "Overdue"));
	after(s, "Due before the next meeting (Tue 8 Dec):\n- #21 Enter the "
	    "grades — Bob Jones — due Fri 4 Dec\n");
	free(s);
	v.rtz = tz_find("America/New_York");
	s = worksum_render(&it, 1, &v);
	after(s, "Overdue:\n- #21 Enter the grades — Bob Jones — due Fri 4 "
	    "Dec, 1 day late\n");
	free(s);
}

/* At most 10 entries, then where to see the rest. */
static void
test_cut_at_ten(void **state)
{
	struct worksum_item	 it[17];
	struct worksum_view	 v;
	char			*s, title[17][32];
	const char		*p;
	size_t			 i, lines = 0;

	(void)state;
	for (i = 0; i < 17; i++) {
		snprintf(title[i], sizeof(title[i]), "Task %zu", i + 1);
		it[i] = open_item((int64_t)i + 1, title[i], "bob", "Bob",
		    2026, 10, 1 + (int)i);
	}
	view_init(&v, utc(2026, 11, 2, 20, 30));
	s = worksum_render(it, 17, &v);
	for (p = s; (p = strstr(p, "\n- #")) != NULL; p++)
		lines++;
	assert_int_equal(lines + (strncmp(s, "- #", 3) == 0), 10);
	after(s, "- #10 Task 10 —");
	assert_null(strstr(s, "Task 11"));
	after(s, "and 7 more: plc-cadence action list --community math7\n");
	free(s);
}

/* Nothing to say: one line. */
static void
test_nothing(void **state)
{
	struct worksum_item	 far = open_item(3, "Later", "bob", "Bob",
				    2027, 1, 5);
	struct worksum_view	 v;
	char			*s;

	(void)state;
	view_init(&v, utc(2026, 11, 2, 20, 30));
	s = worksum_render(NULL, 0, &v);
	assert_string_equal(s, "No open action items.\n");
	free(s);
	s = worksum_render(&far, 1, &v);
	assert_string_equal(s, "Nothing overdue or due before the next "
	    "meeting; 1 open item due later.\n");
	free(s);
}

/* The text of a payload as its service reads it. */
static size_t
utf8_chars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Long titles (multi-byte) within each service's limit: the section keeps
 * to its byte budget, and whole payloads to the service's. */
static void
test_length_limits(void **state)
{
	static const enum config_channel_type types[] = { CONFIG_CHAN_DISCORD,
		CONFIG_CHAN_SLACK, CONFIG_CHAN_TEAMS };
	struct worksum_item	 it[40];
	struct worksum_view	 v;
	struct chat_message	 m;
	char			 title[400], *s, *body, *payload;
	json_error_t		 e;
	json_t			*o;
	size_t			 i, t;

	(void)state;
	/* 398 bytes of "é" (2 bytes each): cut on a character boundary. */
	for (i = 0; i + 2 < sizeof(title); i += 2)
		memcpy(title + i, "\xc3\xa9", 2);
	title[i] = '\0';
	for (i = 0; i < 40; i++)
		it[i] = open_item((int64_t)i + 1, title, "bob", "Bob", 2026,
		    10, 1 + (int)(i % 28));
	for (t = 0; t < sizeof(types) / sizeof(*types); t++) {
		view_init(&v, utc(2026, 11, 2, 20, 30));
		v.max_bytes = chat_limit(types[t]) / 2;
		s = worksum_render(it, 40, &v);
		assert_true(strlen(s) <= v.max_bytes);
		after(s, "more: plc-cadence action list --community math7\n");
		/* Valid UTF-8 throughout: jansson refuses anything else. */
		o = json_string(s);
		assert_non_null(o);
		json_decref(o);
		body = xasprintf("Grade 7 Math PLC — Tue 3 Nov 15:30–16:15 New "
		    "York time\n%s", s);
		memset(&m, 0, sizeof(m));
		m.title = "Reminder: Grade 7 Math PLC — Tue 3 Nov 15:30";
		m.text = body;
		payload = chat_payload(types[t], &m);
		o = json_loads(payload, 0, &e);
		assert_non_null(o);
		if (types[t] == CONFIG_CHAN_DISCORD)
			assert_true(utf8_chars(json_string_value(
			    json_object_get(o, "content"))) <= 2000);
		if (types[t] == CONFIG_CHAN_TEAMS)
			assert_true(strlen(payload) <= 28 * 1024);
		if (types[t] == CONFIG_CHAN_SLACK)
			assert_true(utf8_chars(json_string_value(
			    json_object_get(json_object_get(json_array_get(
			    json_object_get(o, "blocks"), 0), "text"),
			    "text"))) <= 3000);
		/* The whole section fits: nothing cut by the chat layer. */
		assert_null(strstr(payload, "\xe2\x80\xa6 (more"));
		json_decref(o);
		free(payload);
		free(body);
		free(s);
	}
}

static void
test_around(void **state)
{
	time_t	st[3] = { 100, 200, 300 }, last, next;

	(void)state;
	worksum_around(st, 3, 200, &last, &next);
	assert_int_equal(last, 100);
	assert_int_equal(next, 200);
	worksum_around(st, 3, 50, &last, &next);
	assert_int_equal(last, 0);
	assert_int_equal(next, 100);
	worksum_around(st, 3, 301, &last, &next);
	assert_int_equal(last, 300);
	assert_int_equal(next, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_and_order),
		cmocka_unit_test(test_reader_first),
		cmocka_unit_test(test_reader_zone),
		cmocka_unit_test(test_cut_at_ten),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_length_limits),
		cmocka_unit_test(test_around),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
