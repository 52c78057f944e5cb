/* Unit tests of the reminder planner: meetings into planned messages. */
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
#include "config.h"
#include "plan.h"
#include "tz.h"
#include "utc.h"

/* The demo's math7, built by hand as config_load would leave it. */
struct fixture {
	struct config_channel	 chat;
	struct config_notify	 alice_notify[2];
	struct config_member	 alice, bob, erin;
	struct config_member	*members[2], *optional[1];
	struct config_channel	*notify[1];
	int64_t			 remind[2];
	struct config_move	 move;
	struct civil_date	 cancel;
	struct config_community	 c;
};

static void
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->chat.id = "demo-chat";
	f->alice.id = "alice";
	f->alice.name = "Alice Martin";
	f->alice.tz = tz_find("America/New_York");
	f->alice_notify[0].email = true;
	f->alice_notify[1].channel = &f->chat;
	f->alice.notify = f->alice_notify;
	f->alice.nnotify = 2;
	f->bob.id = "bob";
	f->bob.name = "Bob Jones";
	f->bob.tz = tz_find("America/Chicago");	/* notify: the default */
	f->erin.id = "erin";
	f->erin.name = "Erin O'Neil";
	f->erin.tz = tz_find("America/Denver");
	f->members[0] = &f->alice;
	f->members[1] = &f->bob;
	f->optional[0] = &f->erin;
	f->notify[0] = &f->chat;
	f->remind[0] = CIVIL_DAY;
	f->remind[1] = 3600;
	f->move.from = (struct civil_date){ 2026, 11, 24 };
	f->move.to = (struct civil_date){ 2026, 11, 25 };
	f->move.has_time = true;
	f->move.at = (struct civil_time){ 16, 0, 0 };
	f->cancel = (struct civil_date){ 2026, 12, 8 };

	f->c.id = "math7";
	f->c.name = "Grade 7 Math PLC";
	f->c.facilitator = &f->alice;
	f->c.members = f->members;
	f->c.nmembers = 2;
	f->c.optional = f->optional;
	f->c.noptional = 1;
	f->c.cadence = CONFIG_CADENCE_WEEKLY;
	f->c.day = CIVIL_TU;
	f->c.time = (struct civil_time){ 15, 30, 0 };
	f->c.duration = 45 * 60;
	f->c.start = (struct civil_date){ 2026, 9, 1 };
	f->c.moves = &f->move;
	f->c.nmoves = 1;
	f->c.cancels = &f->cancel;
	f->c.ncancels = 1;
	f->c.location = "Room 204";
	f->c.url = "https://meet.example.edu/math7";
	f->c.remind = f->remind;
	f->c.nremind = 2;
	f->c.notify = f->notify;
	f->c.nnotify = 1;
	f->c.tz = tz_find("America/New_York");
	assert_non_null(f->alice.tz);
	assert_non_null(f->bob.tz);
	assert_non_null(f->erin.tz);
	assert_non_null(f->c.tz);
}

static long
plan(const struct fixture *f, time_t from, time_t to, time_t now,
    struct plan_msg **out)
{
	char	*err = NULL;
	long	 n;

	n = plan_meetings(&f->c, f->c.day, f->c.time, from, to, now, NULL, out,
	    &err);
	if (n < 0)
		fail_msg("plan_meetings: %s", err ? err : "(no message)");
	assert_null(err);
	return n;
}

static const struct plan_msg *
find(const struct plan_msg *m, long n, const char *dedup)
{
	long	i;

	for (i = 0; i < n; i++)
		if (strcmp(m[i].dedup, dedup) == 0)
			return &m[i];
	return NULL;
}

static const struct plan_msg *
must_find(const struct plan_msg *m, long n, const char *dedup)
{
	const struct plan_msg	*r = find(m, n, dedup);

	if (r == NULL)
		fail_msg("no planned message %s", dedup);
	return r;
}

static long
count_prefix(const struct plan_msg *m, long n, const char *prefix)
{
	long	i, c = 0;

	for (i = 0; i < n; i++)
		c += strncmp(m[i].dedup, prefix, strlen(prefix)) == 0;
	return c;
}

/* One meeting, two lead times: per lead alice, bob and erin on e-mail
 * (bob by default), and one community post that stands for alice, whose
 * other channel it is (no second copy there). */
static void
test_per_lead_and_channel(void **state)
{
	struct fixture		 f;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	time_t			 start = utc(2026, 11, 3, 20, 30);
	long			 n, i;

	(void)state;
	fixture_init(&f);
	n = plan(&f, utc(2026, 11, 2, 0, 0), utc(2026, 11, 4, 0, 0),
	    utc(2026, 11, 1, 0, 0), &m);
	assert_int_equal(n, 8);
	assert_int_equal(count_prefix(m, n, "meet:math7:2026-11-03:1d:"), 4);
	assert_int_equal(count_prefix(m, n, "meet:math7:2026-11-03:1h:"), 4);
	r = must_find(m, n, "meet:math7:2026-11-03:1d:member:alice:email");
	assert_string_equal(r->channel, "email");
	assert_string_equal(r->recipient, "alice");
	assert_string_equal(r->kind, PLAN_KIND_REMINDER);
	assert_int_equal(r->due, start - CIVIL_DAY);
	assert_int_equal(r->expires, start);
	assert_null(r->members);
	assert_string_equal(r->topic, "meet:math7:2026-11-03:member:alice:"
	    "email");
	assert_null(find(m, n, "meet:math7:2026-11-03:1d:member:alice:"
	    "demo-chat"));
	must_find(m, n, "meet:math7:2026-11-03:1d:member:bob:email");
	must_find(m, n, "meet:math7:2026-11-03:1h:member:erin:email");
	r = must_find(m, n, "meet:math7:2026-11-03:1h:community:math7:demo-chat");
	assert_string_equal(r->recipient, "math7");
	assert_string_equal(r->members, "alice");
	assert_int_equal(r->due, start - 3600);
	/* Sorted by due: the day-before reminders first. */
	for (i = 1; i < n; i++)
		assert_true(m[i - 1].due <= m[i].due);
	assert_int_equal(m[0].due, start - CIVIL_DAY);
	assert_int_equal(m[n - 1].due, start - 3600);
	plan_free(m, n);
}

/* Times in the member's zone, and the community's when they differ. */
static void
test_member_zone_in_body(void **state)
{
	struct fixture		 f;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	long			 n;

	(void)state;
	fixture_init(&f);
	n = plan(&f, utc(2026, 11, 2, 0, 0), utc(2026, 11, 4, 0, 0),
	    utc(2026, 11, 1, 0, 0), &m);
	r = must_find(m, n, "meet:math7:2026-11-03:1d:member:alice:email");
	assert_non_null(strstr(r->body, "Grade 7 Math PLC — Tue 3 Nov "
	    "15:30–16:15 New York time, Room 204, "
	    "https://meet.example.edu/math7"));
	assert_null(strstr(r->body, "America/"));
	assert_null(strstr(r->body, "Chicago"));
	assert_string_equal(r->subject, "Tomorrow: Reminder: Grade 7 Math PLC "
	    "— Tue 3 Nov 15:30");
	r = must_find(m, n, "meet:math7:2026-11-03:1d:member:bob:email");
	/* The second zone only because it is not the reader's. */
	assert_non_null(strstr(r->body, "Tue 3 Nov 14:30–15:15 "
	    "Chicago time (15:30–16:15 New York time), Room 204"));
	assert_string_equal(r->subject, "Tomorrow: Reminder: Grade 7 Math PLC "
	    "— Tue 3 Nov 14:30");
	r = must_find(m, n, "meet:math7:2026-11-03:1h:member:bob:email");
	assert_string_equal(r->subject, "Today: Reminder: Grade 7 Math PLC — "
	    "Tue 3 Nov 14:30");
	r = must_find(m, n, "meet:math7:2026-11-03:1d:member:erin:email");
	assert_non_null(strstr(r->body, "Tue 3 Nov 13:30–14:15 "
	    "Denver time (15:30–16:15 New York time)"));
	r = must_find(m, n, "meet:math7:2026-11-03:1d:community:math7:"
	    "demo-chat");
	assert_non_null(strstr(r->body, "15:30–16:15 New York time, "
	    "Room 204"));
	plan_free(m, n);
}

/* The same config planned twice gives the same keys, in the same order. */
static void
test_keys_stable(void **state)
{
	struct fixture	 f;
	struct plan_msg	*a = NULL, *b = NULL;
	long		 na, nb, i;

	(void)state;
	fixture_init(&f);
	na = plan(&f, utc(2026, 10, 1, 0, 0), utc(2027, 1, 31, 0, 0),
	    utc(2026, 9, 30, 0, 0), &a);
	nb = plan(&f, utc(2026, 10, 1, 0, 0), utc(2027, 1, 31, 0, 0),
	    utc(2026, 9, 30, 0, 0), &b);
	assert_true(na > 50);
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++) {
		assert_string_equal(a[i].dedup, b[i].dedup);
		assert_string_equal(a[i].body, b[i].body);
		assert_int_equal(a[i].due, b[i].due);
		/* No key twice. */
		assert_ptr_equal(find(a, na, a[i].dedup), &a[i]);
	}
	plan_free(a, na);
	plan_free(b, nb);
}

/* A moved meeting keeps the keys of its series date with a new due. */
static void
test_moved_keeps_key(void **state)
{
	struct fixture		 f;
	struct plan_msg		*m = NULL, *u = NULL;
	const struct plan_msg	*r, *o;
	time_t			 moved = utc(2026, 11, 25, 21, 0);
	long			 n, nu;

	(void)state;
	fixture_init(&f);
	n = plan(&f, utc(2026, 11, 20, 0, 0), utc(2026, 11, 27, 0, 0),
	    utc(2026, 11, 20, 0, 0), &m);
	assert_int_equal(n, 8);
	assert_int_equal(count_prefix(m, n, "meet:math7:2026-11-24:"), 8);
	r = must_find(m, n, "meet:math7:2026-11-24:1d:member:bob:email");
	assert_int_equal(r->due, moved - CIVIL_DAY);
	assert_int_equal(r->expires, moved);
	assert_string_equal(r->subject, "Tomorrow: Moved: Grade 7 Math PLC — "
	    "now Wed 25 Nov 15:00");
	assert_non_null(strstr(r->body, "Moved from Tue 24 Nov."));
	assert_non_null(strstr(r->body, "Wed 25 Nov 15:00–15:45 "
	    "Chicago time (16:00–16:45 New York time)"));

	/* Without the move: the same key, the old time. */
	f.c.nmoves = 0;
	nu = plan(&f, utc(2026, 11, 20, 0, 0), utc(2026, 11, 27, 0, 0),
	    utc(2026, 11, 20, 0, 0), &u);
	assert_int_equal(nu, n);
	o = must_find(u, nu, "meet:math7:2026-11-24:1d:member:bob:email");
	assert_int_equal(o->due, utc(2026, 11, 24, 20, 30) - CIVIL_DAY);
	assert_true(o->due != r->due);
	assert_string_not_equal(o->body, r->body);
	plan_free(m, n);
	plan_free(u, nu);
}

/* A cancelled meeting has no reminders: its change notice told of it. */
static void
test_cancelled(void **state)
{
	struct fixture		 f;
	struct plan_msg		*m = NULL;
	long			 n;

	(void)state;
	fixture_init(&f);
	n = plan(&f, utc(2026, 12, 7, 0, 0), utc(2026, 12, 9, 0, 0),
	    utc(2026, 11, 30, 0, 0), &m);
	assert_int_equal(n, 0);
	plan_free(m, n);
}

/* A member away on the meeting's day gets no reminder of it, and the
 * post does not stand for them. */
static void
test_away(void **state)
{
	struct fixture		 f;
	struct config_span	 away = { { 2026, 11, 2 }, { 2026, 11, 3 } };
	struct plan_msg		*m = NULL;
	long			 n;

	(void)state;
	fixture_init(&f);
	f.bob.away = &away;
	f.bob.naway = 1;
	f.alice.away = &away;
	f.alice.naway = 1;
	n = plan(&f, utc(2026, 11, 2, 0, 0), utc(2026, 11, 4, 0, 0),
	    utc(2026, 11, 1, 0, 0), &m);
	assert_int_equal(n, 4);
	assert_null(find(m, n, "meet:math7:2026-11-03:1d:member:bob:email"));
	assert_null(find(m, n, "meet:math7:2026-11-03:1d:member:alice:"
	    "email"));
	must_find(m, n, "meet:math7:2026-11-03:1d:member:erin:email");
	assert_null(must_find(m, n, "meet:math7:2026-11-03:1h:community:"
	    "math7:demo-chat")->members);
	plan_free(m, n);
	/* The next week they are back. */
	n = plan(&f, utc(2026, 11, 9, 0, 0), utc(2026, 11, 11, 0, 0),
	    utc(2026, 11, 1, 0, 0), &m);
	assert_int_equal(n, 8);
	plan_free(m, n);
}

/* plan_changes with what was seen; the snapshot goes back into *seen. */
static long
changes(const struct fixture *f, time_t now, time_t to,
    struct plan_seen **seen, size_t *nseen, bool first,
    struct plan_msg **out)
{
	struct plan_seen	*snap = NULL;
	size_t			 nsnap = 0;
	char			*err = NULL;
	long			 n;

	n = plan_changes(&f->c, f->c.day, f->c.time, now, to, *seen, *nseen,
	    first, out, &snap, &nsnap, &err);
	if (n < 0)
		fail_msg("plan_changes: %s", err ? err : "(no message)");
	free(*seen);
	*seen = snap;
	*nseen = nsnap;
	return n;
}

/* First sight is silent; a move is told once to everyone (one post per
 * channel), due now, in each zone; a move back is told again. */
static void
test_change_move(void **state)
{
	struct fixture		 f;
	struct plan_seen	*seen = NULL;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	struct config_move	 mv = { { 2026, 11, 17 }, { 2026, 11, 18 },
				    true, { 16, 0, 0 } };
	time_t			 now = utc(2026, 11, 10, 12, 0);
	time_t			 to = utc(2026, 12, 1, 0, 0);
	size_t			 nseen = 0;
	long			 n, i;

	(void)state;
	fixture_init(&f);
	f.c.nmoves = 0;
	n = changes(&f, now, to, &seen, &nseen, false, &m);
	assert_int_equal(n, 0);
	assert_int_equal(nseen, 3);	/* 17, 24 Nov (and 10 Nov) */
	n = changes(&f, now, to, &seen, &nseen, false, &m);
	assert_int_equal(n, 0);
	f.c.moves = &mv;
	f.c.nmoves = 1;
	n = changes(&f, now + 60, to, &seen, &nseen, false, &m);
	assert_int_equal(n, 4);
	r = must_find(m, n, "change:math7:2026-11-17.2:member:bob:email");
	assert_string_equal(r->kind, PLAN_KIND_CHANGE);
	assert_int_equal(r->due, now + 60);
	assert_string_equal(r->subject, "Moved: Grade 7 Math PLC — Tue 17 Nov "
	    "14:30 → Wed 18 Nov 15:00");
	assert_non_null(strstr(r->body, "Moved: Tue 17 Nov 14:30–15:15 "
	    "→ Wed 18 Nov 15:00–15:45 Chicago time"));
	assert_string_equal(r->meeting, "2026-11-17");
	r = must_find(m, n, "change:math7:2026-11-17.2:community:math7:"
	    "demo-chat");
	assert_string_equal(r->members, "alice");
	assert_non_null(strstr(r->subject, "Tue 17 Nov 15:30 → Wed 18 Nov "
	    "16:00"));
	assert_null(find(m, n, "change:math7:2026-11-17.2:member:alice:"
	    "demo-chat"));
	plan_free(m, n);
	/* Told: planning again plans nothing. */
	n = changes(&f, now + 120, to, &seen, &nseen, false, &m);
	assert_int_equal(n, 0);
	/* Moved back: told again, under a new key. */
	f.c.nmoves = 0;
	n = changes(&f, now + 180, to, &seen, &nseen, false, &m);
	assert_int_equal(n, 4);
	r = must_find(m, n, "change:math7:2026-11-17.3:member:erin:email");
	assert_non_null(strstr(r->subject, "Wed 18 Nov 14:00 → Tue 17 Nov "
	    "13:30"));
	for (i = 0; i < n; i++)
		assert_null(strstr(m[i].subject, "Today"));
	plan_free(m, n);
	free(seen);
}

/* A cancellation, first seen or not; "Tomorrow:" under 48 hours; a
 * change to a past meeting is not told. */
static void
test_change_cancel(void **state)
{
	struct fixture		 f;
	struct plan_seen	*seen = NULL;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	time_t			 to = utc(2026, 12, 20, 0, 0);
	size_t			 nseen = 0;
	long			 n;

	(void)state;
	fixture_init(&f);
	/* 8 Dec is cancelled in the fixture: told when first seen. */
	n = changes(&f, utc(2026, 12, 1, 12, 0), to, &seen, &nseen, false,
	    &m);
	assert_int_equal(n, 4);
	r = must_find(m, n, "change:math7:2026-12-08.1:member:alice:email");
	assert_string_equal(r->subject, "Cancelled: Grade 7 Math PLC — "
	    "Tue 8 Dec 15:30");
	plan_free(m, n);
	/* Cancelled the day before: "Tomorrow:". */
	f.c.ncancels = 0;
	n = changes(&f, utc(2026, 12, 1, 12, 0), to, &seen, &nseen, false,
	    &m);
	assert_int_equal(n, 4);
	r = must_find(m, n, "change:math7:2026-12-08.2:member:alice:email");
	assert_string_equal(r->subject, "On again: Grade 7 Math PLC — "
	    "Tue 8 Dec 15:30");
	plan_free(m, n);
	f.cancel = (struct civil_date){ 2026, 12, 15 };
	f.c.ncancels = 1;
	n = changes(&f, utc(2026, 12, 14, 12, 0), to, &seen, &nseen, false,
	    &m);
	assert_int_equal(n, 4);
	r = must_find(m, n, "change:math7:2026-12-15.2:member:bob:email");
	assert_string_equal(r->subject, "Tomorrow: Cancelled: Grade 7 Math PLC "
	    "— Tue 15 Dec 14:30");
	plan_free(m, n);
	/* After the meeting: a change to it is not told. */
	f.c.ncancels = 0;
	n = changes(&f, utc(2026, 12, 15, 21, 0), to, &seen, &nseen, false,
	    &m);
	assert_int_equal(n, 0);
	free(seen);
}

/* A time edit is one notice for all its meetings; a day edit moves each
 * meeting to the new day of its week; a first placement says so. */
static void
test_change_edit(void **state)
{
	struct fixture		 f;
	struct plan_seen	*seen = NULL;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	time_t			 now = utc(2026, 10, 1, 12, 0);
	time_t			 to = utc(2026, 10, 29, 0, 0);
	size_t			 nseen = 0;
	long			 n;

	(void)state;
	fixture_init(&f);
	n = changes(&f, now, to, &seen, &nseen, true, &m);
	assert_int_equal(n, 4);
	r = must_find(m, n, "change:math7:2026-10-06.1:member:alice:email");
	assert_string_equal(r->subject, "First meeting: Grade 7 Math PLC — "
	    "Tue 6 Oct 15:30");
	plan_free(m, n);
	f.c.time = (struct civil_time){ 16, 0, 0 };
	n = changes(&f, now, to, &seen, &nseen, false, &m);
	assert_int_equal(n, 4);
	r = must_find(m, n, "change:math7:2026-10-06.2:member:alice:email");
	assert_string_equal(r->subject, "Schedule change: Grade 7 Math PLC — "
	    "4 meetings, from Tue 6 Oct 15:30");
	assert_non_null(strstr(r->body, "Moved: Tue 27 Oct 15:30–16:15 "
	    "→ Tue 27 Oct 16:00–16:45 New York time"));
	plan_free(m, n);
	f.c.day = CIVIL_WE;
	n = changes(&f, now, to, &seen, &nseen, false, &m);
	assert_int_equal(n, 4);
	r = must_find(m, n, "change:math7:2026-10-07.3:member:alice:email");
	assert_non_null(strstr(r->body, "Moved: Tue 6 Oct 16:00–16:45 "
	    "→ Wed 7 Oct 16:00–16:45 New York time"));
	assert_null(strstr(r->body, "Cancelled"));
	plan_free(m, n);
	n = changes(&f, now, to, &seen, &nseen, false, &m);
	assert_int_equal(n, 0);
	/* The series ends sooner: its last meetings are called off. */
	f.c.has_until = true;
	f.c.until = (struct civil_date){ 2026, 10, 20 };
	n = changes(&f, now, to, &seen, &nseen, false, &m);
	assert_int_equal(n, 4);
	r = must_find(m, n, "change:math7:2026-10-21.4:member:bob:email");
	assert_string_equal(r->subject, "Schedule change: Grade 7 Math PLC — "
	    "2 meetings, from Wed 21 Oct 15:00");
	assert_non_null(strstr(r->body, "Cancelled: Wed 21 Oct 15:00–15:45 "
	    "Chicago time"));
	assert_non_null(strstr(r->body, "Cancelled: Wed 28 Oct 15:00–15:45 "
	    "Chicago time"));
	assert_int_equal(r->due, now);
	plan_free(m, n);
	n = changes(&f, now, to, &seen, &nseen, false, &m);
	assert_int_equal(n, 0);
	free(seen);
}

/* A reminder whose due time has passed is still planned (sent late) until
 * the meeting starts; after that nothing is. */
static void
test_expiry(void **state)
{
	struct fixture	 f;
	struct plan_msg	*m = NULL;
	time_t		 start = utc(2026, 11, 3, 20, 30);
	long		 n;

	(void)state;
	fixture_init(&f);
	n = plan(&f, utc(2026, 11, 2, 0, 0), utc(2026, 11, 4, 0, 0),
	    start - 1800, &m);
	assert_int_equal(n, 8);
	assert_int_equal(m[0].due, start - CIVIL_DAY);
	assert_int_equal(m[0].expires, start);
	/* Late, on the meeting's day: the day-before one says so. */
	assert_non_null(strstr(m[0].dedup, ":1d:"));
	assert_true(strncmp(m[0].subject, "Today: ", 7) == 0);
	plan_free(m, n);
	n = plan(&f, utc(2026, 11, 2, 0, 0), utc(2026, 11, 4, 0, 0),
	    start + 1, &m);
	assert_int_equal(n, 0);
	assert_null(m);
}

/* Config text cannot put a line break into a subject. */
static void
test_subject_clean(void **state)
{
	struct fixture	 f;
	struct plan_msg	*m = NULL;
	long		 n, i;

	(void)state;
	fixture_init(&f);
	f.c.name = "Math\r\nBcc: victim@example.com";
	n = plan(&f, utc(2026, 11, 2, 0, 0), utc(2026, 11, 4, 0, 0),
	    utc(2026, 11, 1, 0, 0), &m);
	assert_int_equal(n, 8);
	for (i = 0; i < n; i++) {
		assert_null(strpbrk(m[i].subject, "\r\n"));
		assert_non_null(strstr(m[i].subject, "Math  Bcc:"));
	}
	plan_free(m, n);
}

static int
teardown(void **state)
{
	(void)state;
	tz_shutdown();
	return 0;
}

/* How times and zones are written for people: 12h or 24h per reader,
 * zones by their city. */
static void
test_clock_and_zone_words(void **state)
{
	struct fixture		 f;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	char			 b[PLAN_INSTANT_LEN];
	long			 n;

	(void)state;
	plan_time((struct civil_time){ 15, 30, 0 }, 12, b, sizeof(b));
	assert_string_equal(b, "3:30 PM");
	plan_time((struct civil_time){ 0, 5, 0 }, 12, b, sizeof(b));
	assert_string_equal(b, "12:05 AM");
	plan_time((struct civil_time){ 12, 0, 0 }, 12, b, sizeof(b));
	assert_string_equal(b, "12:00 PM");
	plan_time((struct civil_time){ 9, 0, 0 }, 24, b, sizeof(b));
	assert_string_equal(b, "09:00");
	plan_time((struct civil_time){ 9, 0, 0 }, 0, b, sizeof(b));
	assert_string_equal(b, "09:00");
	plan_instant(tz_find("America/Chicago"), 12, utc(2026, 11, 3, 20, 30),
	    b, sizeof(b));
	assert_string_equal(b, "Tue 3 Nov 2:30 PM");
	plan_zone_label(tz_find("America/Chicago"), b, sizeof(b));
	assert_string_equal(b, "Chicago time");
	plan_zone_label(tz_find("America/Argentina/Buenos_Aires"), b,
	    sizeof(b));
	assert_string_equal(b, "Buenos Aires time");
	plan_zone_label(tz_find("UTC"), b, sizeof(b));
	assert_string_equal(b, "UTC");
	plan_zone_label(NULL, b, sizeof(b));
	assert_string_equal(b, "UTC");
	plan_zone_label(tz_find("Etc/GMT+5"), b, sizeof(b));
	assert_string_equal(b, "Etc/GMT+5");
	plan_span(CIVIL_DAY, b, sizeof(b));
	assert_string_equal(b, "1 day");
	plan_span(2 * CIVIL_DAY + 3600, b, sizeof(b));
	assert_string_equal(b, "2 days 1 hour");
	plan_span(45 * 60, b, sizeof(b));
	assert_string_equal(b, "45 minutes");

	fixture_init(&f);
	f.bob.clock = 12;
	n = plan(&f, utc(2026, 11, 2, 0, 0), utc(2026, 11, 4, 0, 0),
	    utc(2026, 11, 1, 0, 0), &m);
	r = must_find(m, n, "meet:math7:2026-11-03:1d:member:bob:email");
	assert_string_equal(r->subject, "Tomorrow: Reminder: Grade 7 Math PLC "
	    "— Tue 3 Nov 2:30 PM");
	assert_non_null(strstr(r->body, "Tue 3 Nov 2:30 PM–3:15 PM Chicago "
	    "time (3:30 PM–4:15 PM New York time)"));
	/* Everyone else keeps the 24-hour clock. */
	r = must_find(m, n, "meet:math7:2026-11-03:1d:member:alice:email");
	assert_non_null(strstr(r->body, "Tue 3 Nov 15:30–16:15 New York "
	    "time"));
	plan_free(m, n);
}

/* Every reminder carries the work section (worksum.h): the member's own
 * items first and marked, their notes only by e-mail; the community's post
 * with neither. */
static void
test_work_section(void **state)
{
	struct fixture		 f;
	struct worksum_item	 it[3];
	struct plan_work	 w;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	char			*err = NULL;
	long			 n;

	(void)state;
	fixture_init(&f);
	memset(it, 0, sizeof(it));
	it[0].id = 7;
	it[0].title = "Post exit-ticket data";
	it[0].owner = "alice";
	it[0].owner_name = "Alice Martin";
	it[0].notes = "the shared sheet";
	it[0].due = (struct civil_date){ 2026, 10, 30 };
	it[1].id = 8;
	it[1].title = "Book room 204";
	it[1].owner = "bob";
	it[1].owner_name = "Bob Jones";
	it[1].due = (struct civil_date){ 2026, 11, 3 };
	it[2].id = 6;
	it[2].title = "Share exit tickets";
	it[2].owner = "bob";
	it[2].owner_name = "Bob Jones";
	it[2].done = true;
	it[2].done_at = utc(2026, 10, 28, 12, 0);
	w.cfg = NULL;
	w.items = it;
	w.n = 3;
	n = plan_meetings(&f.c, f.c.day, f.c.time, utc(2026, 11, 2, 0, 0),
	    utc(2026, 11, 4, 0, 0), utc(2026, 11, 1, 0, 0), &w, &m, &err);
	assert_null(err);
	r = must_find(m, n, "meet:math7:2026-11-03:1d:member:alice:email");
	assert_non_null(strstr(r->body, "\nOverdue:\n- #7 Post exit-ticket "
	    "data — Alice Martin (yours) — due Fri 30 Oct, 3 days late\n"
	    "    Notes: the shared sheet\n"));
	assert_non_null(strstr(r->body, "Due before the next meeting (Tue 3 "
	    "Nov):\n- #8 Book room 204 — Bob Jones — due Tue 3 Nov\n"));
	assert_non_null(strstr(r->body, "Done since Tue 27 Oct: Bob Jones — "
	    "Share exit tickets (#6)\n"));
	/* No copy of alice's on the shared channel: the post stands for
	 * her. */
	assert_null(find(m, n, "meet:math7:2026-11-03:1d:member:alice:"
	    "demo-chat"));
	r = must_find(m, n, "meet:math7:2026-11-03:1d:member:bob:email");
	assert_non_null(strstr(r->body, "- #8 Book room 204 — Bob Jones "
	    "(yours)"));
	assert_null(strstr(r->body, "Notes"));
	r = must_find(m, n, "meet:math7:2026-11-03:1d:community:math7:"
	    "demo-chat");
	assert_non_null(strstr(r->body, "- #7 Post exit-ticket data — Alice "
	    "Martin — due Fri 30 Oct, 3 days late\n"));
	assert_null(strstr(r->body, "(yours)"));
	assert_null(strstr(r->body, "Notes"));
	/* A cancellation carries no section. */
	plan_free(m, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_lead_and_channel),
		cmocka_unit_test(test_member_zone_in_body),
		cmocka_unit_test(test_keys_stable),
		cmocka_unit_test(test_moved_keeps_key),
		cmocka_unit_test(test_cancelled),
		cmocka_unit_test(test_away),
		cmocka_unit_test(test_change_move),
		cmocka_unit_test(test_change_cancel),
		cmocka_unit_test(test_change_edit),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_subject_clean),
		cmocka_unit_test(test_clock_and_zone_words),
		cmocka_unit_test(test_work_section),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
