/* Unit tests of the action-item planner: nudges, escalations, digests, and
 * (through outbox_plan and a real store) what marking done withdraws. */
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
#include "outbox.h"
#include "link.h"
#include "nudge.h"
#include "plan.h"
#include "store.h"
#include "tz.h"
#include "utc.h"
#include "tmpdb.h"


static const unsigned char KEY[] = "0123456789abcdef0123456789abcdef";
#define KEYLEN	(sizeof(KEY) - 1)

/*
 * math7 in New York; alice (New York) facilitates; bob is in Tokyo; carol
 * (Chicago) reads e-mail and the team channel.  Built as config_load would
 * leave it, inside a struct config so that outbox_plan can use it too.
 */
struct fixture {
	struct config_channel	 chan[2];	/* team; carol-dm, unused */
	struct config_notify	 carol_notify[2];
	struct config_chat	 carol_chat[1];
	struct config_member	 mem[3];
	struct config_member	*members[3];
	struct config_channel	*notify[1];
	int64_t			 remind[2];
	struct config_community	 c;
	struct config		 cfg;
	struct nudge_opts	 o;
};

#define ALICE	(&f->mem[0])
#define BOB	(&f->mem[1])
#define CAROL	(&f->mem[2])

static void
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->chan[0].id = "team";
	f->chan[0].type = CONFIG_CHAN_SLACK;
	f->chan[1].id = "carol-dm";
	f->chan[1].type = CONFIG_CHAN_SLACK;
	ALICE->id = "alice";
	ALICE->name = "Alice Martin";
	ALICE->tz = tz_find("America/New_York");
	BOB->id = "bob";
	BOB->name = "Bob Jones";
	BOB->tz = tz_find("Asia/Tokyo");
	CAROL->id = "carol";
	CAROL->name = "Carol Ng";
	CAROL->tz = tz_find("America/Chicago");
	f->carol_notify[0].email = true;
	f->carol_notify[1].channel = &f->chan[0];
	CAROL->notify = f->carol_notify;
	CAROL->nnotify = 2;
	f->carol_chat[0].channel = &f->chan[0];
	f->carol_chat[0].handle = "U0CAROL";
	CAROL->chat = f->carol_chat;
	CAROL->nchat = 1;
	f->members[0] = ALICE;
	f->members[1] = BOB;
	f->members[2] = CAROL;
	f->notify[0] = &f->chan[0];
	f->remind[0] = 2 * CIVIL_DAY;
	f->remind[1] = 0;

	f->c.id = "math7";
	f->c.name = "Grade 7 Math PLC";
	f->c.facilitator = ALICE;
	f->c.members = f->members;
	f->c.nmembers = 3;
	f->c.day = -1;			/* no meetings: items only */
	f->c.action_remind = f->remind;
	f->c.naction_remind = 2;
	f->c.has_escalate = true;
	f->c.escalate = CIVIL_DAY;
	f->c.has_digest = true;
	f->c.digest_day = CIVIL_FR;
	f->c.digest_time = (struct civil_time){ 14, 0, 0 };
	f->c.notify = f->notify;
	f->c.nnotify = 1;
	f->c.tz = tz_find("America/New_York");

	f->cfg.worker.public_url = "https://plc.example.edu";
	f->cfg.worker.horizon = 180 * CIVIL_DAY;
	f->cfg.worker.has_quiet = true;
	f->cfg.worker.quiet_from = 20 * 3600;
	f->cfg.worker.quiet_to = 7 * 3600;
	f->cfg.worker.tz = f->c.tz;
	f->cfg.smtp.from_addr = "plc@example.edu";
	f->cfg.channels = f->chan;
	f->cfg.nchannels = 2;
	f->cfg.members = f->mem;
	f->cfg.nmembers = 3;
	f->cfg.communities = &f->c;
	f->cfg.ncommunities = 1;

	f->o.public_url = f->cfg.worker.public_url;
	f->o.key = KEY;
	f->o.keylen = KEYLEN;
	f->o.horizon = f->cfg.worker.horizon;
	f->o.has_quiet = true;
	f->o.quiet_from = f->cfg.worker.quiet_from;
	f->o.quiet_to = f->cfg.worker.quiet_to;
	assert_non_null(ALICE->tz);
	assert_non_null(BOB->tz);
	assert_non_null(CAROL->tz);
	assert_non_null(f->c.tz);
}

static struct nudge_item
item(int64_t id, const struct config_member *owner, const char *title,
    int y, int m, int d, time_t created)
{
	struct nudge_item	it;

	memset(&it, 0, sizeof(it));
	it.id = id;
	it.owner = owner;
	it.title = title;
	it.due = (struct civil_date){ y, m, d };
	it.created = created;
	return it;
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

/* The item a message's link names, checked as the server checks it. */
static int64_t
link_item(const char *body, time_t now)
{
	const char	*p = strstr(body, "https://plc.example.edu/a/");
	char		 tok[128];
	size_t		 n;
	int64_t		 id = -1;
	time_t		 opened;

	if (p == NULL)
		return -1;
	p += strlen("https://plc.example.edu/a/");
	n = strcspn(p, " \n");
	assert_true(n < sizeof(tok));
	memcpy(tok, p, n);
	tok[n] = '\0';
	if (link_check(KEY, KEYLEN, tok, now, &id, &opened) != LINK_OK)
		return -1;
	return id;
}

/* An owner away over the due day: no nudge while away, one ("Was due")
 * on the first day back at 08:00; their digest moves there too; the
 * escalation still goes to the facilitator on time. */
static void
test_away(void **state)
{
	struct fixture		 fx, *f = &fx;
	struct config_span	 away = { { 2026, 12, 7 }, { 2026, 12, 11 } };
	struct nudge_item	 it;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	time_t			 back = utc(2026, 12, 12, 13, 0); /* 08:00 NY */
	long			 n, i;

	(void)state;
	fixture_init(f);
	ALICE->away = &away;
	ALICE->naway = 1;
	f->c.facilitator = CAROL;
	it = item(7, ALICE, "Post data", 2026, 12, 8, utc(2026, 12, 1, 12, 0));
	/* Planned on the first day away: the 2d nudge, due the day before,
	 * is not sent late into it. */
	n = nudge_plan(&f->c, &it, 1, &f->o, utc(2026, 12, 7, 17, 0), &m);
	for (i = 0; i < n; i++)
		if (strcmp(m[i].recipient, "alice") == 0)
			assert_true(m[i].due >= back);
	assert_null(find(m, n, "nudge:math7:7:2026-12-08:2d:member:alice:"
	    "email"));
	r = must_find(m, n, "nudge:math7:7:2026-12-08:0d:member:alice:email");
	assert_int_equal(r->due, back);
	assert_true(r->expires > back);
	assert_string_equal(r->subject, "Was due Tue 8 Dec: Post data");
	assert_string_equal(r->topic, "nudge:math7:7:2026-12-08:member:alice:"
	    "email");
	/* Friday 11 Dec's digest goes the next morning; the next week's
	 * keeps its time. */
	r = must_find(m, n, "digest:math7:2026-12-11:member:alice:email");
	assert_int_equal(r->due, back);
	assert_string_equal(r->topic, "digest:math7:member:alice:email");
	r = must_find(m, n, "digest:math7:2026-12-11:community:math7:team");
	assert_int_equal(r->due, utc(2026, 12, 11, 19, 0));
	assert_string_equal(r->members, "alice");
	/* The escalation reaches carol at the end of the first period. */
	must_find(m, n, "escalate:math7:7:2026-12-08:1:member:carol:email");
	plan_free(m, n);
}

/* A nudge still pending after its time says the day as of now. */
static void
test_late_wording(void **state)
{
	struct fixture		 fx, *f = &fx;
	struct nudge_item	 it;
	struct plan_msg		*m = NULL;
	long			 n;

	(void)state;
	fixture_init(f);
	it = item(8, ALICE, "Post data", 2026, 12, 10, utc(2026, 12, 1, 12, 0));
	n = nudge_plan(&f->c, &it, 1, &f->o, utc(2026, 12, 2, 12, 0), &m);
	assert_string_equal(must_find(m, n, "nudge:math7:8:2026-12-10:2d:member:"
	    "alice:email")->subject, "Due Thu 10 Dec: Post data");
	plan_free(m, n);
	/* Down until the due day: the 2d one, still planned, says today. */
	n = nudge_plan(&f->c, &it, 1, &f->o, utc(2026, 12, 10, 15, 0), &m);
	assert_string_equal(must_find(m, n, "nudge:math7:8:2026-12-10:2d:member:"
	    "alice:email")->subject, "Due today: Post data");
	plan_free(m, n);
}

/* An owner in Tokyo, a community in New York: 08:00 Tokyo time on the
 * days the lead times name, the due day being New York's. */
static void
test_owner_zone(void **state)
{
	struct fixture		 fx, *f = &fx;
	struct nudge_item	 it;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	time_t			 now = utc(2026, 11, 25, 12, 0);
	long			 n;

	(void)state;
	fixture_init(f);
	f->c.has_escalate = f->c.has_digest = false;
	it = item(42, BOB, "Draft the common assessment", 2026, 12, 1,
	    utc(2026, 11, 20, 0, 0));
	n = nudge_plan(&f->c, &it, 1, &f->o, now, &m);
	assert_int_equal(n, 2);
	r = must_find(m, n, "nudge:math7:42:2026-12-01:2d:member:bob:email");
	/* 08:00 on 29 November in Tokyo (UTC+9). */
	assert_int_equal(r->due, utc(2026, 11, 28, 23, 0));
	/* Useless after the due day ends in New York (UTC-5). */
	assert_int_equal(r->expires, utc(2026, 12, 2, 5, 0));
	assert_string_equal(r->kind, NUDGE_KIND_NUDGE);
	assert_string_equal(r->recipient, "bob");
	assert_string_equal(r->channel, "email");
	assert_string_equal(r->subject, "Due Tue 1 Dec: Draft the common "
	    "assessment");
	/* The zones as people say them; the day's end on the owner's
	 * clock. */
	assert_non_null(strstr(r->body, "due Tue 1 Dec New York time (by "
	    "Wed 2 Dec 14:00 Tokyo time):"));
	assert_null(strstr(r->body, "America/"));
	assert_int_equal(link_item(r->body, now), 42);
	r = must_find(m, n, "nudge:math7:42:2026-12-01:0d:member:bob:email");
	assert_int_equal(r->due, utc(2026, 11, 30, 23, 0));
	assert_string_equal(r->subject, "Due today: Draft the common "
	    "assessment");
	/* The link outlives its message by 30 days, no more. */
	assert_int_equal(link_item(r->body, r->due + LINK_LIFETIME - 1), 42);
	assert_int_equal(link_item(r->body, r->due + LINK_LIFETIME), -1);
	/* Sorted by due time. */
	assert_true(m[0].due < m[1].due);
	plan_free(m, n);

	/* The same owner in the community's zone: New York mornings. */
	BOB->tz = f->c.tz;
	n = nudge_plan(&f->c, &it, 1, &f->o, now, &m);
	r = must_find(m, n, "nudge:math7:42:2026-12-01:0d:member:bob:email");
	assert_int_equal(r->due, utc(2026, 12, 1, 13, 0));
	assert_null(strstr(r->body, " time"));
	assert_non_null(strstr(r->body, "is due Tue 1 Dec:\n"));
	plan_free(m, n);
}

/* A nudge inside the owner's quiet hours waits for their end. */
static void
test_quiet_hours(void **state)
{
	struct fixture		 fx, *f = &fx;
	struct nudge_item	 it;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	const struct tz		*ny = tz_find("America/New_York");
	long			 n;

	(void)state;
	fixture_init(f);
	f->c.has_escalate = f->c.has_digest = false;
	/* Until 09:00: bob's 08:00 (Tokyo) nudge goes at 09:00 Tokyo. */
	f->o.quiet_from = 21 * 3600;
	f->o.quiet_to = 9 * 3600;
	it = item(7, BOB, "Read chapter 3", 2026, 12, 1, 0);
	n = nudge_plan(&f->c, &it, 1, &f->o, utc(2026, 11, 1, 0, 0), &m);
	r = must_find(m, n, "nudge:math7:7:2026-12-01:0d:member:bob:email");
	assert_int_equal(r->due, utc(2026, 12, 1, 0, 0));
	plan_free(m, n);
	/* 12h before the morning is 20:00 the evening before: in the night
	 * 20:00-07:00, so 07:00 on the due day, in the owner's zone. */
	f->o.quiet_from = 20 * 3600;
	f->o.quiet_to = 7 * 3600;
	f->remind[0] = 12 * 3600;
	f->c.naction_remind = 1;
	n = nudge_plan(&f->c, &it, 1, &f->o, utc(2026, 11, 1, 0, 0), &m);
	r = must_find(m, n, "nudge:math7:7:2026-12-01:12h:member:bob:email");
	assert_int_equal(r->due, utc(2026, 11, 30, 22, 0));	/* 07:00 JST */
	plan_free(m, n);

	/* The rule itself: before and after midnight, outside, by day. */
	assert_int_equal(nudge_after_quiet(ny, 20 * 3600, 7 * 3600,
	    utc(2026, 12, 2, 2, 0)), utc(2026, 12, 2, 12, 0));	/* 21:00 */
	assert_int_equal(nudge_after_quiet(ny, 20 * 3600, 7 * 3600,
	    utc(2026, 12, 2, 9, 0)), utc(2026, 12, 2, 12, 0));	/* 04:00 */
	assert_int_equal(nudge_after_quiet(ny, 20 * 3600, 7 * 3600,
	    utc(2026, 12, 2, 12, 0)), utc(2026, 12, 2, 12, 0));	/* 07:00 */
	assert_int_equal(nudge_after_quiet(ny, 20 * 3600, 7 * 3600,
	    utc(2026, 12, 2, 18, 0)), utc(2026, 12, 2, 18, 0));	/* 13:00 */
	assert_int_equal(nudge_after_quiet(ny, 12 * 3600, 13 * 3600,
	    utc(2026, 12, 2, 17, 30)), utc(2026, 12, 2, 18, 0));	/* 12:30 */
	/* The night before a DST change ends at 07:00 daylight time. */
	assert_int_equal(nudge_after_quiet(ny, 20 * 3600, 7 * 3600,
	    utc(2027, 3, 14, 2, 0)), utc(2027, 3, 14, 11, 0));
}

static void
dedups(const struct plan_msg *m, long n, const char *prefix, char *out,
    size_t len)
{
	long	i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		if (strncmp(m[i].dedup, prefix, strlen(prefix)) == 0) {
			strncat(out, m[i].dedup + strlen(prefix),
			    len - strlen(out) - 2);
			strcat(out, " ");
		}
}

/* Rows of the outbox whose dedup key starts with prefix, by status. */
static size_t
outbox_count(struct store *st, const char *prefix, int status)
{
	struct store_outbox_row	*rows = NULL;
	size_t			 n = 0, i, c = 0;
	char			*err = NULL;

	assert_int_equal(store_outbox_list(st, STORE_OUTBOX_LIST_ALL, &rows,
	    &n, &err), 0);
	for (i = 0; i < n; i++)
		c += strncmp(rows[i].dedup, prefix, strlen(prefix)) == 0 &&
		    (status < 0 || (int)rows[i].status == status);
	store_outbox_rows_free(rows, n);
	return c;
}

/* One escalation per period: planning again, or later in the same period,
 * names the same rows; the next period adds one. */
static void
test_escalation_once_per_period(void **state)
{
	struct fixture		 fx, *f = &fx;
	struct nudge_item	 it;
	struct plan_msg		*m = NULL, *m2 = NULL;
	const struct plan_msg	*r;
	struct store		*st = NULL;
	struct store_outbox_counts c;
	char			*db = tmp_db(), *err = NULL, keys[512];
	char			 keys2[512];
	time_t			 t1 = utc(2026, 12, 3, 6, 0);
	long			 n, n2, i;

	(void)state;
	fixture_init(f);
	f->c.naction_remind = 0;
	f->c.has_digest = false;
	it = item(9, CAROL, "Send the rubric", 2026, 12, 1, 0);
	/* 25 hours after the due day ended in New York: period 1 is due,
	 * period 2 is next. */
	n = nudge_plan(&f->c, &it, 1, &f->o, t1, &m);
	dedups(m, n, "escalate:math7:9:2026-12-01:", keys, sizeof(keys));
	assert_string_equal(keys, "1:member:alice:email "
	    "2:member:alice:email ");
	r = must_find(m, n, "escalate:math7:9:2026-12-01:1:member:alice:email");
	/* Due at midnight in New York, inside alice's quiet hours: 07:00. */
	assert_int_equal(r->due, utc(2026, 12, 3, 12, 0));
	assert_int_equal(r->expires, utc(2026, 12, 4, 5, 0));
	assert_string_equal(r->kind, NUDGE_KIND_ESCALATION);
	assert_string_equal(r->subject, "Overdue: Send the rubric — Carol Ng");
	assert_non_null(strstr(r->body, "Owner: Carol Ng (carol)"));
	assert_non_null(strstr(r->body, "overdue by 1 day."));
	assert_int_equal(link_item(r->body, t1), 9);

	/* Into a real outbox, as outbox_plan does: again at t1 adds
	 * nothing; later in period 1 neither; in period 2, period 3. */
	assert_int_equal(store_open(db, &st, &err), 0);
	for (i = 0; i < 3; i++) {
		static const int64_t later[] = { 0, 3600, CIVIL_DAY + 7200 };
		struct store_outbox_new	 rows[4];
		long			 k;

		n2 = nudge_plan(&f->c, &it, 1, &f->o, t1 + later[i], &m2);
		assert_true(n2 <= 4);
		for (k = 0; k < n2; k++) {
			memset(&rows[k], 0, sizeof(rows[k]));
			rows[k].dedup = m2[k].dedup;
			rows[k].kind = m2[k].kind;
			rows[k].channel = m2[k].channel;
			rows[k].recipient = m2[k].recipient;
			rows[k].subject = m2[k].subject;
			rows[k].body = m2[k].body;
			rows[k].due = m2[k].due;
			rows[k].expires = m2[k].expires;
		}
		assert_int_equal(store_outbox_plan(st, rows, (size_t)n2, NULL,
		    t1 + later[i], &c, &err), 0);
		assert_int_equal(c.inserted, i == 0 ? 2 : i == 1 ? 0 : 1);
		assert_int_equal(c.updated, 0);
		if (i == 2) {
			dedups(m2, n2, "escalate:math7:9:2026-12-01:", keys2,
			    sizeof(keys2));
			assert_string_equal(keys2, "2:member:alice:email "
			    "3:member:alice:email ");
			/* Period 2 unchanged from when it was first planned. */
			assert_string_equal(must_find(m2, n2, "escalate:math7:"
			    "9:2026-12-01:2:member:alice:email")->body,
			    must_find(m, n, "escalate:math7:9:2026-12-01:2:"
			    "member:alice:email")->body);
		}
		plan_free(m2, n2);
	}
	assert_int_equal(outbox_count(st, "escalate:", -1), 3);
	store_close(st);
	rm_db(db);
	plan_free(m, n);
}

/* A member's digest: overdue first, then soonest due; none for members
 * with nothing open; one summary post for the community. */
static void
test_digest(void **state)
{
	struct fixture		 fx, *f = &fx;
	struct nudge_item	 it[5];
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	const char		*a, *b, *c, *o, *p;
	time_t			 now = utc(2026, 12, 4, 15, 0);	/* 10:00 NY */
	long			 n;

	(void)state;
	fixture_init(f);
	f->c.naction_remind = 0;
	f->c.has_escalate = false;
	it[0] = item(1, BOB, "Bring exit tickets", 2026, 12, 10, 0);
	it[1] = item(2, BOB, "Grade the quiz", 2026, 11, 30, 0);
	it[2] = item(3, CAROL, "Book the room", 2026, 12, 8, 0);
	it[3] = item(4, BOB, "Share the slides", 2026, 12, 2, 0);
	it[4] = item(5, NULL, "Owner left the config", 2026, 12, 1, 0);
	n = nudge_plan(&f->c, it, 5, &f->o, now, &m);
	/* Friday 14:00 New York; bob's and carol's; nothing for alice. */
	assert_null(find(m, n, "digest:math7:2026-12-04:member:alice:email"));
	assert_int_equal(count_prefix(m, n, "digest:math7:2026-12-04:"), 4);
	assert_int_equal(count_prefix(m, n, "digest:"), 4);
	r = must_find(m, n, "digest:math7:2026-12-04:member:bob:email");
	/* 04:00 Saturday in Tokyo is quiet: 07:00 there. */
	assert_int_equal(r->due, utc(2026, 12, 4, 22, 0));
	assert_string_equal(r->subject, "Your open action items — Grade 7 "
	    "Math PLC (3, 2 overdue)");
	assert_non_null(strstr(r->body, "as of Sat 5 Dec 07:00 Tokyo time "
	    "(due dates are days in New York time):"));
	o = strstr(r->body, "Overdue:\n");
	p = strstr(r->body, "Open:\n");
	a = strstr(r->body, "- Grade the quiz — due Mon 30 Nov (item 2)");
	b = strstr(r->body, "- Share the slides — due Wed 2 Dec (item 4)");
	c = strstr(r->body, "- Bring exit tickets — due Thu 10 Dec (item 1)");
	assert_non_null(o);
	assert_non_null(p);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_true(o < a && a < b && b < p && p < c);
	assert_null(strstr(r->body, "Book the room"));
	assert_int_equal(link_item(a, now), 2);
	assert_int_equal(link_item(c, now), 1);
	/* Carol, on both her channels, at 14:00 New York (13:00 hers). */
	r = must_find(m, n, "digest:math7:2026-12-04:member:carol:team");
	assert_int_equal(r->due, utc(2026, 12, 4, 19, 0));
	assert_null(strstr(r->body, "Overdue:"));
	must_find(m, n, "digest:math7:2026-12-04:member:carol:email");
	/* The community's post: one, counts and owners, no links. */
	r = must_find(m, n, "digest:math7:2026-12-04:community:math7:team");
	assert_string_equal(r->recipient, "math7");
	assert_string_equal(r->channel, "team");
	assert_int_equal(r->due, utc(2026, 12, 4, 19, 0));
	assert_int_equal(r->expires, r->due + NUDGE_DIGEST_LIFETIME);
	assert_non_null(strstr(r->body, "4 open action items, 2 overdue."));
	/* The work section of the meeting reminders (worksum.h). */
	assert_non_null(strstr(r->body, "- #2 Grade the quiz — Bob Jones — "
	    "due Mon 30 Nov, 4 days late\n"));
	assert_non_null(strstr(r->body, "By owner: Bob Jones 3, Carol Ng 1."));
	assert_null(strstr(r->body, "/a/"));
	plan_free(m, n);

	/* The next day the week's digest is past its day: next Friday's. */
	n = nudge_plan(&f->c, it, 5, &f->o, utc(2026, 12, 6, 15, 0), &m);
	assert_int_equal(count_prefix(m, n, "digest:math7:2026-12-11:"), 4);
	assert_int_equal(count_prefix(m, n, "digest:math7:2026-12-04:"), 0);
	plan_free(m, n);
	/* Nothing open: no digest at all. */
	n = nudge_plan(&f->c, it, 0, &f->o, now, &m);
	assert_int_equal(n, 0);
	assert_null(m);
}

/* Item text cannot break a subject; bodies do not depend on now. */
static void
test_text_and_stability(void **state)
{
	struct fixture		 fx, *f = &fx;
	struct nudge_item	 it;
	struct plan_msg		*m = NULL, *m2 = NULL;
	long			 n, n2, i;

	(void)state;
	fixture_init(f);
	it = item(3, BOB, "Evil\r\nBcc: x@example.com", 2026, 12, 20, 0);
	n = nudge_plan(&f->c, &it, 1, &f->o, utc(2026, 12, 1, 0, 0), &m);
	n2 = nudge_plan(&f->c, &it, 1, &f->o, utc(2026, 12, 1, 0, 7), &m2);
	assert_true(n > 0);
	assert_int_equal(n, n2);
	for (i = 0; i < n; i++) {
		assert_null(strpbrk(m[i].subject, "\r\n"));
		assert_string_equal(m[i].dedup, m2[i].dedup);
		assert_string_equal(m[i].body, m2[i].body);
		assert_int_equal(m[i].due, m2[i].due);
	}
	plan_free(m, n);
	plan_free(m2, n2);
	/* Added after its 2d nudge's time: that one goes when it is added,
	 * here 22:00 in Tokyo, so at 07:00 when bob's quiet hours end. */
	it.created = utc(2026, 12, 18, 13, 0);
	f->c.has_escalate = f->c.has_digest = false;
	n = nudge_plan(&f->c, &it, 1, &f->o, utc(2026, 12, 18, 13, 0), &m);
	assert_int_equal(n, 2);
	assert_int_equal(must_find(m, n, "nudge:math7:3:2026-12-20:2d:member:"
	    "bob:email")->due, utc(2026, 12, 18, 22, 0));
	must_find(m, n, "nudge:math7:3:2026-12-20:0d:member:bob:email");
	plan_free(m, n);
	/* Added after both: only the latest, once, not one per lead time. */
	it.created = utc(2026, 12, 20, 0, 0);
	n = nudge_plan(&f->c, &it, 1, &f->o, utc(2026, 12, 20, 0, 0), &m);
	assert_int_equal(n, 1);
	assert_int_equal(must_find(m, n, "nudge:math7:3:2026-12-20:0d:member:"
	    "bob:email")->due, it.created);
	plan_free(m, n);
}

/* outbox_plan against a real store: an item's nudges are planned once;
 * marked done, moved or handed over, its pending ones are withdrawn at the
 * next pass. */
/*
 * A member's personal links go by e-mail and to a channel of their own,
 * never into a shared one: carol's nudge on the community's channel has no
 * link and says who should act and how; on her own channel it has it.
 */
static void
test_shared_channel(void **state)
{
	struct fixture		 fx, *f = &fx;
	struct config_notify	 three[3];
	struct config_chat	 dm_handle = { NULL, "U0BOB" };
	struct nudge_item	 it[2];
	struct plan_msg		*m = NULL;
	const struct plan_msg	*mail, *team, *dm;
	time_t			 now = utc(2026, 12, 1, 12, 0);
	long			 n, i;

	(void)state;
	fixture_init(f);
	f->o.cfg = &f->cfg;
	/* The community's channel belongs to nobody; carol-dm, named by no
	 * one yet, neither. */
	assert_null(plan_channel_owner(&f->cfg, &f->chan[0]));
	assert_null(plan_channel_owner(&f->cfg, &f->chan[1]));
	three[0] = f->carol_notify[0];
	three[1] = f->carol_notify[1];
	three[2].email = false;
	three[2].channel = &f->chan[1];
	CAROL->notify = three;
	CAROL->nnotify = 3;
	assert_ptr_equal(plan_channel_owner(&f->cfg, &f->chan[1]), CAROL);
	assert_true(plan_channel_private(&f->cfg, CAROL, "carol-dm"));
	assert_true(plan_channel_private(&f->cfg, CAROL, "email"));
	assert_false(plan_channel_private(&f->cfg, CAROL, "team"));
	assert_false(plan_channel_private(&f->cfg, BOB, "carol-dm"));

	it[0] = item(5, CAROL, "Book room 204", 2026, 12, 10, now);
	it[1] = item(6, CAROL, "Print tickets", 2026, 12, 17, now);
	n = nudge_plan(&f->c, it, 2, &f->o, now, &m);
	mail = must_find(m, n, "nudge:math7:5:2026-12-10:2d:member:carol:"
	    "email");
	team = must_find(m, n, "nudge:math7:5:2026-12-10:2d:member:carol:team");
	dm = must_find(m, n, "nudge:math7:5:2026-12-10:2d:member:carol:"
	    "carol-dm");
	assert_int_equal(link_item(mail->body, now), 5);
	assert_int_equal(link_item(dm->body, now), 5);
	assert_null(strstr(team->body, "/a/"));
	assert_null(strstr(team->body, "https://plc.example.edu"));
	assert_non_null(strstr(team->body, "Carol Ng: mark it done with "
	    "`plc-cadence action done 5` or the link in your e-mail."));
	/* The same text otherwise. */
	assert_memory_equal(team->body, mail->body,
	    strstr(mail->body, "(item 5)") - mail->body);
	/* No message to a shared channel holds a link of any kind: nudges,
	 * escalations, digests, the community's post. */
	for (i = 0; i < n; i++) {
		if (strcmp(m[i].channel, "team") == 0) {
			if (strstr(m[i].body, "https://plc.example.edu") != NULL)
				fail_msg("%s: %s", m[i].dedup, m[i].body);
		} else if (strstr(m[i].dedup, ":member:") != NULL &&
		    link_item(m[i].body, now) < 0)
			fail_msg("no link: %s: %s", m[i].dedup, m[i].body);
	}
	must_find(m, n, "digest:math7:2026-12-04:member:carol:team");
	assert_non_null(strstr(must_find(m, n, "digest:math7:2026-12-04:member:"
	    "carol:team")->body, "Carol Ng: mark them done with `plc-cadence "
	    "action done N` (N: the item's number) or the links in your "
	    "e-mail."));
	plan_free(m, n);

	/* Another member's handle on carol-dm: someone else reads it. */
	BOB->chat = &dm_handle;
	dm_handle.channel = &f->chan[1];
	BOB->nchat = 1;
	assert_null(plan_channel_owner(&f->cfg, &f->chan[1]));
	n = nudge_plan(&f->c, it, 1, &f->o, now, &m);
	dm = must_find(m, n, "nudge:math7:5:2026-12-10:2d:member:carol:"
	    "carol-dm");
	assert_null(strstr(dm->body, "/a/"));
	plan_free(m, n);
	BOB->nchat = 0;
	/* Or a community posts there too. */
	f->notify[0] = &f->chan[1];
	assert_null(plan_channel_owner(&f->cfg, &f->chan[1]));
	f->notify[0] = &f->chan[0];
	/* Without e-mail or an own channel, the copy says only the command. */
	three[0] = three[1];
	CAROL->nnotify = 1;
	n = nudge_plan(&f->c, it, 1, &f->o, now, &m);
	team = must_find(m, n, "nudge:math7:5:2026-12-10:2d:member:carol:team");
	assert_non_null(strstr(team->body, "Carol Ng: mark it done with "
	    "`plc-cadence action done 5`.\n"));
	plan_free(m, n);
}

static void
test_done_withdraws(void **state)
{
	struct fixture		 fx, *f = &fx;
	struct store		*st = NULL;
	struct store_outbox_counts c;
	struct civil_date	 due = { 2026, 12, 10 }, moved = { 2026, 12, 17 };
	char			*db = tmp_db(), *err = NULL;
	time_t			 now = utc(2026, 12, 1, 12, 0);
	int64_t			 id, other;
	bool			 found, changed;

	(void)state;
	fixture_init(f);
	assert_int_equal(store_open(db, &st, &err), 0);
	assert_int_equal(store_action_add(st, "math7", "bob", "Draft it",
	    NULL, due, now, "alice", &id, &err), 0);
	assert_int_equal(store_action_add(st, "math7", "carol", "Book it",
	    NULL, due, now, "alice", &other, &err), 0);
	assert_int_equal(outbox_plan(&f->cfg, st, KEY, KEYLEN, now, &c,
	    &err), 0);
	assert_true(c.inserted > 0);
	assert_int_equal(outbox_count(st, "nudge:math7:1:", -1), 2);
	assert_int_equal(outbox_count(st, "escalate:math7:1:", -1), 2);
	assert_int_equal(outbox_plan(&f->cfg, st, KEY, KEYLEN, now, &c,
	    &err), 0);
	assert_int_equal(c.inserted, 0);
	assert_int_equal(c.updated, 0);
	assert_int_equal(c.withdrawn, 0);

	assert_int_equal(store_action_set_status(st, id, STORE_ACTION_DONE,
	    NULL, now, "link", &found, &changed, &err), 0);
	assert_int_equal(outbox_plan(&f->cfg, st, KEY, KEYLEN, now + 60, &c,
	    &err), 0);
	/* Its 2 nudges and 2 escalations; its digest lines go too. */
	assert_int_equal(outbox_count(st, "nudge:math7:1:",
	    STORE_OUTBOX_WITHDRAWN), 2);
	assert_int_equal(outbox_count(st, "escalate:math7:1:",
	    STORE_OUTBOX_WITHDRAWN), 2);
	assert_int_equal(outbox_count(st, "digest:math7:2026-12-04:member:bob",
	    STORE_OUTBOX_WITHDRAWN), 1);
	assert_int_equal(outbox_count(st, "nudge:math7:2:",
	    STORE_OUTBOX_PENDING), 4);	/* carol's: 2d, 0d on 2 channels */
	/* Reopened: planned again, the same rows revived. */
	assert_int_equal(store_action_set_status(st, id, STORE_ACTION_OPEN,
	    NULL, now, "alice", &found, &changed, &err), 0);
	assert_int_equal(outbox_plan(&f->cfg, st, KEY, KEYLEN, now + 120, &c,
	    &err), 0);
	assert_int_equal(outbox_count(st, "nudge:math7:1:",
	    STORE_OUTBOX_PENDING), 2);
	/* A new due date: the old date's rows go, the new date's come. */
	assert_int_equal(store_action_edit(st, id, &moved, NULL, NULL, now,
	    "alice", &found, &err), 0);
	assert_int_equal(outbox_plan(&f->cfg, st, KEY, KEYLEN, now + 180, &c,
	    &err), 0);
	assert_int_equal(outbox_count(st, "nudge:math7:1:2026-12-10:",
	    STORE_OUTBOX_WITHDRAWN), 2);
	assert_int_equal(outbox_count(st, "nudge:math7:1:2026-12-17:",
	    STORE_OUTBOX_PENDING), 2);
	/* A new owner: bob's go, carol's (e-mail and chat) come. */
	assert_int_equal(store_action_edit(st, id, NULL, "carol", NULL, now,
	    "alice", &found, &err), 0);
	assert_int_equal(outbox_plan(&f->cfg, st, KEY, KEYLEN, now + 240, &c,
	    &err), 0);
	assert_int_equal(outbox_count(st, "nudge:math7:1:2026-12-17:",
	    STORE_OUTBOX_WITHDRAWN), 2);
	assert_int_equal(outbox_count(st, "nudge:math7:1:2026-12-17:",
	    STORE_OUTBOX_PENDING), 4);
	assert_int_equal(outbox_count(st, "nudge:math7:1:2026-12-17:2d:member:"
	    "carol:team", STORE_OUTBOX_PENDING), 1);
	store_close(st);
	rm_db(db);
}

/* Item notes go only where the owner alone reads them (e-mail), in the
 * nudge and the digest; a 12-hour owner reads the day's end as such. */
static void
test_notes_and_clock(void **state)
{
	struct fixture		 fx, *f = &fx;
	struct nudge_item	 it;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	time_t			 now = utc(2026, 11, 25, 12, 0);
	long			 n;

	(void)state;
	fixture_init(f);
	f->o.cfg = &f->cfg;
	f->c.has_escalate = false;
	CAROL->clock = 12;
	it = item(7, CAROL, "Book room 204", 2026, 12, 1,
	    utc(2026, 11, 20, 0, 0));
	it.notes = "Ask the office\nfor the key";
	n = nudge_plan(&f->c, &it, 1, &f->o, now, &m);
	r = must_find(m, n, "nudge:math7:7:2026-12-01:2d:member:carol:email");
	assert_non_null(strstr(r->body, "due Tue 1 Dec New York time (by "
	    "11:00 PM Chicago time):\n  Book room 204\n(item 7)\nNotes: Ask "
	    "the office for the key\n"));
	r = must_find(m, n, "nudge:math7:7:2026-12-01:2d:member:carol:team");
	assert_null(strstr(r->body, "Notes"));
	assert_null(strstr(r->body, "office"));
	r = must_find(m, n, "digest:math7:2026-11-27:member:carol:email");
	assert_non_null(strstr(r->body, "- Book room 204 — due Tue 1 Dec "
	    "(item 7)\n  Notes: Ask the office for the key\n"));
	assert_non_null(strstr(r->body, "as of Fri 27 Nov 1:00 PM Chicago "
	    "time (due dates are days in New York time):"));
	r = must_find(m, n, "digest:math7:2026-11-27:member:carol:team");
	assert_null(strstr(r->body, "office"));
	r = must_find(m, n, "digest:math7:2026-11-27:community:math7:team");
	assert_null(strstr(r->body, "office"));
	assert_non_null(strstr(r->body, "1 open action item, 0 overdue."));
	plan_free(m, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_away),
		cmocka_unit_test(test_late_wording),
		cmocka_unit_test(test_owner_zone),
		cmocka_unit_test(test_quiet_hours),
		cmocka_unit_test(test_escalation_once_per_period),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_text_and_stability),
		cmocka_unit_test(test_shared_channel),
		cmocka_unit_test(test_done_withdraws),
		cmocka_unit_test(test_notes_and_clock),
	};
	int	rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tz_shutdown();
	return rc;
}
