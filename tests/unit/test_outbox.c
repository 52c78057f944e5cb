/* Unit tests of the store's outbox: planning, claiming, marking, retries,
 * crash recovery and expiry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "config.h"
#include "outbox.h"
#include "plan.h"
#include "store.h"
#include "tz.h"
#include "tmpdb.h"

#define T0	1000000		/* "now" of the tests */

static struct store_outbox_new
row(const char *dedup, const char *body, time_t due, time_t expires)
{
	struct store_outbox_new	 r;

	memset(&r, 0, sizeof(r));
	r.dedup = dedup;
	r.kind = "reminder";
	r.channel = "email";
	r.recipient = "bob";
	r.subject = "Reminder";
	r.body = body;
	r.due = due;
	r.expires = expires;
	return r;
}

static void
plan(struct store *st, const struct store_outbox_new *rows, size_t n,
    const struct store_outbox_scope *scope, time_t now,
    struct store_outbox_counts *c)
{
	char	*err = NULL;

	if (store_outbox_plan(st, rows, n, scope, now, c, &err) == -1)
		fail_msg("store_outbox_plan: %s", err);
}

/* All rows, by id; *n their count. */
static struct store_outbox_row *
all(struct store *st, size_t *n)
{
	struct store_outbox_row	*r = NULL;
	char			*err = NULL;

	if (store_outbox_list(st, STORE_OUTBOX_LIST_ALL, &r, n, &err) == -1)
		fail_msg("store_outbox_list: %s", err);
	return r;
}

static struct store_outbox_row *
claim(struct store *st, time_t now, size_t limit, size_t *n)
{
	struct store_outbox_row	*r = NULL;
	char			*err = NULL;

	if (store_outbox_claim(st, now, limit, &r, n, &err) == -1)
		fail_msg("store_outbox_claim: %s", err);
	return r;
}

static void
exec(struct store *st, const char *path, const char *sql)
{
	sqlite3	*db;

	(void)st;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Planning the same messages twice adds nothing. */
static void
test_plan_twice(void **state)
{
	struct store			*st = NULL;
	struct store_outbox_new		 r[3];
	struct store_outbox_counts	 c;
	struct store_outbox_row		*l;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;
	int64_t				 depth;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r[0] = row("meet:math7:2026-11-03:1d:member:bob:email", "a", T0 + 10,
	    T0 + 100);
	r[1] = row("meet:math7:2026-11-03:1h:member:bob:email", "b", T0 + 20,
	    T0 + 100);
	r[2] = row("meet:math7:2026-11-10:1d:member:bob:email", "c", T0 + 30,
	    T0 + 200);
	plan(st, r, 3, NULL, T0, &c);
	assert_int_equal(c.inserted, 3);
	assert_int_equal(c.updated, 0);
	plan(st, r, 3, NULL, T0 + 1, &c);
	assert_int_equal(c.inserted, 0);
	assert_int_equal(c.updated, 0);
	assert_int_equal(c.unchanged, 3);
	l = all(st, &n);
	assert_int_equal(n, 3);
	assert_string_equal(l[0].body, "a");
	assert_int_equal(l[0].status, STORE_OUTBOX_PENDING);
	assert_int_equal(l[0].next_try, T0 + 10);
	assert_int_equal(l[0].expires, T0 + 100);
	store_outbox_rows_free(l, n);
	assert_int_equal(store_outbox_depth(st, &depth, &err), 0);
	assert_int_equal(depth, 3);
	store_close(st);
	rm_db(p);
}

/* A moved meeting: same key, new body and due; the pending row follows. */
static void
test_pending_updated(void **state)
{
	struct store			*st = NULL;
	struct store_outbox_new		 r;
	struct store_outbox_counts	 c;
	struct store_outbox_row		*l;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r = row("meet:math7:2026-11-24:1d:member:bob:email", "Tue", T0 + 10,
	    T0 + 100);
	plan(st, &r, 1, NULL, T0, &c);
	r.body = "Moved to Wed";
	r.subject = "Moved";
	r.due = T0 + 50;
	r.expires = T0 + 150;
	plan(st, &r, 1, NULL, T0, &c);
	assert_int_equal(c.updated, 1);
	l = all(st, &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].body, "Moved to Wed");
	assert_string_equal(l[0].subject, "Moved");
	assert_int_equal(l[0].due, T0 + 50);
	assert_int_equal(l[0].next_try, T0 + 50);
	assert_int_equal(l[0].expires, T0 + 150);
	store_outbox_rows_free(l, n);

	/* "Due now" planned again at a later now (a cancellation notice
	 * is due at max(now, …)) does not churn. */
	r.due = T0 + 60;
	plan(st, &r, 1, NULL, T0 + 70, &c);
	assert_int_equal(c.unchanged, 1);
	r.due = T0 + 70;
	plan(st, &r, 1, NULL, T0 + 70, &c);
	assert_int_equal(c.unchanged, 1);
	l = all(st, &n);
	assert_int_equal(l[0].due, T0 + 50);
	store_outbox_rows_free(l, n);
	/* A due time still ahead is followed. */
	r.due = T0 + 90;
	plan(st, &r, 1, NULL, T0 + 70, &c);
	assert_int_equal(c.updated, 1);
	l = all(st, &n);
	assert_int_equal(l[0].due, T0 + 90);
	assert_int_equal(l[0].next_try, T0 + 90);
	store_outbox_rows_free(l, n);
	store_close(st);
	rm_db(p);
}

/* Pending rows in scope that the plan no longer names are withdrawn;
 * others are left alone; planned again, a withdrawn row comes back. */
static void
test_withdrawn(void **state)
{
	static const char *const prefixes[] = { "meet:math7:",
		"cancel:math7:" };
	struct store			*st = NULL;
	struct store_outbox_new		 r[4];
	struct store_outbox_scope	 scope;
	struct store_outbox_counts	 c;
	struct store_outbox_row		*l;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r[0] = row("meet:math7:2026-12-08:1d:member:bob:email", "a", T0 + 10,
	    T0 + 100);
	r[1] = row("meet:math7:2026-12-15:1d:member:bob:email", "b", T0 + 20,
	    T0 + 200);
	r[2] = row("meet:ela8:2026-12-10:1d:member:bob:email", "c", T0 + 30,
	    T0 + 100);
	r[3] = row("meet:math7:2027-06-01:1d:member:bob:email", "d", T0 + 40,
	    T0 + 9000);	/* outside the window */
	plan(st, r, 4, NULL, T0, &c);
	scope.prefixes = prefixes;
	scope.nprefixes = 2;
	scope.from = T0;
	scope.to = T0 + 1000;
	scope.reason = "no longer planned";
	/* The meeting of the 8th is cancelled: its reminder is not planned. */
	plan(st, &r[1], 1, &scope, T0, &c);
	assert_int_equal(c.withdrawn, 1);
	assert_int_equal(c.unchanged, 1);
	l = all(st, &n);
	assert_int_equal(n, 4);
	assert_int_equal(l[0].status, STORE_OUTBOX_WITHDRAWN);
	assert_string_equal(l[0].last_answer, "no longer planned");
	assert_int_equal(l[1].status, STORE_OUTBOX_PENDING);
	assert_int_equal(l[2].status, STORE_OUTBOX_PENDING);	/* ela8 */
	assert_int_equal(l[3].status, STORE_OUTBOX_PENDING);	/* later */
	store_outbox_rows_free(l, n);
	/* Un-cancelled: planned again, pending again. */
	plan(st, r, 2, &scope, T0, &c);
	assert_int_equal(c.updated, 1);
	assert_int_equal(c.withdrawn, 0);
	l = all(st, &n);
	assert_int_equal(l[0].status, STORE_OUTBOX_PENDING);
	assert_null(l[0].last_answer);
	store_outbox_rows_free(l, n);
	store_close(st);
	rm_db(p);
}

/* The withdrawal finds a prefix's rows by a range of the key (prefix <=
 * key < the prefix with its last byte raised): the edges of that range,
 * a key just past it (';' follows ':'), and prefixes ending in 0xff bytes
 * (raised, they carry to the byte before; all 0xff, no upper bound). */
static void
test_withdrawn_range(void **state)
{
	static const char *const prefixes[] = { "meet:math7:", "x\xff\xff",
		"\xff" };
	struct store			*st = NULL;
	struct store_outbox_new		 r[7];
	struct store_outbox_scope	 scope;
	struct store_outbox_counts	 c;
	struct store_outbox_row		*l;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r[0] = row("meet:math7:", "a", T0 + 10, T0 + 100);
	r[1] = row("meet:math7:\xff\xff", "b", T0 + 10, T0 + 100);
	r[2] = row("meet:math7;", "c", T0 + 10, T0 + 100);	/* past */
	r[3] = row("x\xff\xff:1", "d", T0 + 10, T0 + 100);
	r[4] = row("y", "e", T0 + 10, T0 + 100);	/* past "x\xff\xff" */
	r[5] = row("\xff\xff\xff", "f", T0 + 10, T0 + 100);
	r[6] = row("x\xff", "g", T0 + 10, T0 + 100);	/* before it */
	plan(st, r, 7, NULL, T0, &c);
	scope.prefixes = prefixes;
	scope.nprefixes = 3;
	scope.from = T0;
	scope.to = T0 + 1000;
	scope.reason = "no longer planned";
	plan(st, NULL, 0, &scope, T0, &c);
	assert_int_equal(c.withdrawn, 4);
	l = all(st, &n);
	assert_int_equal(n, 7);
	assert_int_equal(l[0].status, STORE_OUTBOX_WITHDRAWN);
	assert_int_equal(l[1].status, STORE_OUTBOX_WITHDRAWN);
	assert_int_equal(l[2].status, STORE_OUTBOX_PENDING);
	assert_int_equal(l[3].status, STORE_OUTBOX_WITHDRAWN);
	assert_int_equal(l[4].status, STORE_OUTBOX_PENDING);
	assert_int_equal(l[5].status, STORE_OUTBOX_WITHDRAWN);
	assert_int_equal(l[6].status, STORE_OUTBOX_PENDING);
	store_outbox_rows_free(l, n);
	store_close(st);
	rm_db(p);
}

/* Claims go by next_try up to the limit; a sent row is never planned,
 * claimed or marked again. */
static void
test_claim_and_mark(void **state)
{
	struct store			*st = NULL;
	struct store_outbox_new		 r[3];
	struct store_outbox_counts	 c;
	struct store_outbox_row		*l;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r[0] = row("k3", "c", T0 + 30, T0 + 1000);
	r[1] = row("k1", "a", T0 + 10, T0 + 1000);
	r[2] = row("k2", "b", T0 + 20, T0 + 1000);
	plan(st, r, 3, NULL, T0, &c);
	l = claim(st, T0 + 5, 10, &n);
	assert_int_equal(n, 0);
	free(l);
	l = claim(st, T0 + 30, 2, &n);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].dedup, "k1");
	assert_string_equal(l[1].dedup, "k2");
	assert_int_equal(l[0].status, STORE_OUTBOX_SENDING);
	assert_int_equal(l[0].claimed, T0 + 30);
	assert_int_equal(store_outbox_mark_sent(st, l[0].id, T0 + 31,
	    "250 2.0.0 Ok: queued", &err), 0);
	assert_int_equal(store_outbox_mark_failed(st, l[1].id, T0 + 31,
	    "550 5.1.1 no such user", &err), 0);
	/* Marked once only. */
	assert_int_equal(store_outbox_mark_sent(st, l[0].id, T0 + 32, "x",
	    &err), -1);
	assert_non_null(strstr(err, "not being sent"));
	free(err);
	err = NULL;
	store_outbox_rows_free(l, n);
	/* Planned again with a new text: the sent row stays as it was. */
	r[1].body = "changed";
	plan(st, &r[1], 1, NULL, T0 + 40, &c);
	assert_int_equal(c.unchanged, 1);
	l = claim(st, T0 + 40, 10, &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].dedup, "k3");
	store_outbox_rows_free(l, n);
	l = all(st, &n);
	assert_int_equal(l[1].status, STORE_OUTBOX_SENT);	/* k1 */
	assert_string_equal(l[1].body, "a");
	assert_int_equal(l[1].sent_at, T0 + 31);
	assert_int_equal(l[1].attempts, 1);
	assert_string_equal(l[1].last_answer, "250 2.0.0 Ok: queued");
	assert_int_equal(l[2].status, STORE_OUTBOX_FAILED);	/* k2 */
	store_outbox_rows_free(l, n);
	store_close(st);
	rm_db(p);
}

/* A group's outcomes in one call, each kind as its own call records it;
 * a row not being sent stops it with the row named. */
static void
test_mark_all(void **state)
{
	struct store			*st = NULL;
	struct store_outbox_new		 r[4];
	struct store_outbox_counts	 c;
	struct store_outbox_row		*l;
	struct store_outbox_mark	 m[4];
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r[0] = row("k1", "a", T0 + 10, T0 + 1000);
	r[1] = row("k2", "b", T0 + 10, T0 + 1000);
	r[2] = row("k3", "c", T0 + 10, T0 + 1000);
	r[3] = row("k4", "d", T0 + 10, T0 + 1000);
	plan(st, r, 4, NULL, T0, &c);
	l = claim(st, T0 + 30, 10, &n);
	assert_int_equal(n, 4);
	memset(m, 0, sizeof(m));
	m[0].id = l[0].id;
	m[0].kind = STORE_OUTBOX_MARK_SENT;
	m[0].answer = "250 ok";
	m[1].id = l[1].id;
	m[1].kind = STORE_OUTBOX_MARK_RETRY;
	m[1].answer = "429";
	m[1].retry_after = 30;
	m[2].id = l[2].id;
	m[2].kind = STORE_OUTBOX_MARK_FAILED;
	m[2].answer = "550 no";
	m[3].id = l[3].id;
	m[3].kind = STORE_OUTBOX_MARK_RELEASE;
	m[3].next_try = T0 + 99;
	assert_int_equal(store_outbox_mark_all(st, m, 4, T0 + 31, &err), 0);
	store_outbox_rows_free(l, n);
	l = all(st, &n);
	assert_int_equal(n, 4);
	assert_int_equal(l[0].status, STORE_OUTBOX_SENT);
	assert_int_equal(l[0].sent_at, T0 + 31);
	assert_string_equal(l[0].last_answer, "250 ok");
	assert_int_equal(l[1].status, STORE_OUTBOX_PENDING);
	assert_int_equal(l[1].next_try, T0 + 31 + 30);
	assert_int_equal(l[1].attempts, 1);
	assert_int_equal(l[2].status, STORE_OUTBOX_FAILED);
	assert_int_equal(l[3].status, STORE_OUTBOX_PENDING);
	assert_int_equal(l[3].next_try, T0 + 99);
	assert_int_equal(l[3].attempts, 0);
	/* The sent row again: refused, by its number. */
	m[0].id = l[0].id;
	assert_int_equal(store_outbox_mark_all(st, m, 1, T0 + 32, &err), -1);
	assert_non_null(strstr(err, "marking a message sent"));
	assert_non_null(strstr(err, "not being sent"));
	free(err);
	store_outbox_rows_free(l, n);
	store_close(st);
	rm_db(p);
}

/* Backoff: 60 s doubling to an hour, scaled by 0.5 + jitter / 2;
 * Retry-After wins. */
static void
test_retry_backoff(void **state)
{
	struct store			*st = NULL;
	struct store_outbox_new		 r;
	struct store_outbox_counts	 c;
	struct store_outbox_row		*l;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;
	time_t				 now = T0;
	int64_t				 id;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r = row("k", "a", T0, T0 + 100000);
	plan(st, &r, 1, NULL, T0, &c);
	l = claim(st, now, 1, &n);
	assert_int_equal(n, 1);
	id = l[0].id;
	store_outbox_rows_free(l, n);

	/* First retry, full jitter: 60 s. */
	assert_int_equal(store_outbox_mark_retry(st, id, now, "500", -1, 1.0,
	    &err), 0);
	l = claim(st, now + 59, 1, &n);
	assert_int_equal(n, 0);
	free(l);
	now += 60;
	l = claim(st, now, 1, &n);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].attempts, 1);
	store_outbox_rows_free(l, n);
	/* Second, full: 120 s; third, no jitter: half of 240 s. */
	assert_int_equal(store_outbox_mark_retry(st, id, now, "500", -1, 1.0,
	    &err), 0);
	l = all(st, &n);
	assert_int_equal(l[0].next_try, now + 120);
	assert_int_equal(l[0].status, STORE_OUTBOX_PENDING);
	assert_string_equal(l[0].last_answer, "500");
	store_outbox_rows_free(l, n);
	now += 120;
	store_outbox_rows_free(claim(st, now, 1, &n), n);
	assert_int_equal(n, 1);
	assert_int_equal(store_outbox_mark_retry(st, id, now, "500", -1, 0.0,
	    &err), 0);
	l = all(st, &n);
	assert_int_equal(l[0].next_try, now + 120);
	store_outbox_rows_free(l, n);
	/* Many attempts later: capped at an hour. */
	exec(st, p, "UPDATE outbox SET attempts = 40");
	now += 120;
	store_outbox_rows_free(claim(st, now, 1, &n), n);
	assert_int_equal(n, 1);
	assert_int_equal(store_outbox_mark_retry(st, id, now, "500", -1, 1.0,
	    &err), 0);
	l = all(st, &n);
	assert_int_equal(l[0].next_try, now + 3600);
	store_outbox_rows_free(l, n);
	/* Retry-After: exactly as the server said. */
	now += 3600;
	store_outbox_rows_free(claim(st, now, 1, &n), n);
	assert_int_equal(n, 1);
	assert_int_equal(store_outbox_mark_retry(st, id, now, "429", 30, 1.0,
	    &err), 0);
	l = all(st, &n);
	assert_int_equal(l[0].next_try, now + 30);
	assert_int_equal(l[0].attempts, 42);
	store_outbox_rows_free(l, n);
	/* A row not being sent cannot be retried. */
	assert_int_equal(store_outbox_mark_retry(st, id, now, "x", 1, 0,
	    &err), -1);
	free(err);
	store_close(st);
	rm_db(p);
}

/* A crash leaves claimed rows in sending: they come back, the sent ones
 * do not. */
static void
test_crash_recovery(void **state)
{
	struct store			*st = NULL;
	struct store_outbox_new		 r[3];
	struct store_outbox_counts	 c;
	struct store_outbox_row		*l;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;
	long				 back;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r[0] = row("k1", "a", T0, T0 + 1000);
	r[1] = row("k2", "b", T0, T0 + 1000);
	r[2] = row("k3", "c", T0, T0 + 1000);
	plan(st, r, 3, NULL, T0, &c);
	l = claim(st, T0, 10, &n);
	assert_int_equal(n, 3);
	assert_int_equal(store_outbox_mark_sent(st, l[0].id, T0, "ok", &err),
	    0);
	store_outbox_rows_free(l, n);
	store_close(st);	/* the crash */

	assert_int_equal(store_open(p, &st, &err), 0);
	/* Nothing is claimed twice before recovery... */
	l = claim(st, T0 + 1, 10, &n);
	assert_int_equal(n, 0);
	free(l);
	assert_int_equal(store_outbox_recover(st, T0 + 1, &back, &err), 0);
	assert_int_equal(back, 2);
	/* ...and after it only the rows that were in flight. */
	l = claim(st, T0 + 1, 10, &n);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].dedup, "k2");
	assert_string_equal(l[1].dedup, "k3");
	store_outbox_rows_free(l, n);
	assert_int_equal(store_outbox_recover(st, T0 + 2, &back, &err), 0);
	assert_int_equal(back, 2);
	l = all(st, &n);
	assert_int_equal(l[0].status, STORE_OUTBOX_SENT);
	assert_int_equal(l[1].status, STORE_OUTBOX_PENDING);
	store_outbox_rows_free(l, n);
	store_close(st);
	rm_db(p);
}

/* Rows whose meeting started while nobody sent them are skipped, even one
 * waiting out a backoff; the rest go late. */
static void
test_expired_skipped(void **state)
{
	struct store			*st = NULL;
	struct store_outbox_new		 r[3];
	struct store_outbox_counts	 c;
	struct store_outbox_row		*l;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r[0] = row("late", "a", T0, T0 + 5000);
	r[1] = row("expired", "b", T0, T0 + 100);
	r[2] = row("backoff", "c", T0, T0 + 100);
	plan(st, r, 3, NULL, T0, &c);
	exec(st, p, "UPDATE outbox SET next_try = 9999999, attempts = 2 "
	    "WHERE dedup = 'backoff'");
	l = claim(st, T0 + 1000, 10, &n);
	assert_int_equal(n, 3);
	assert_string_equal(l[0].dedup, "expired");
	assert_int_equal(l[0].status, STORE_OUTBOX_SKIPPED);
	assert_string_equal(l[0].last_answer, "expired");
	assert_string_equal(l[1].dedup, "backoff");
	assert_int_equal(l[1].status, STORE_OUTBOX_SKIPPED);
	assert_string_equal(l[2].dedup, "late");
	assert_int_equal(l[2].status, STORE_OUTBOX_SENDING);
	store_outbox_rows_free(l, n);
	l = all(st, &n);
	assert_int_equal(l[1].status, STORE_OUTBOX_SKIPPED);
	assert_string_equal(l[1].last_answer, "expired");
	store_outbox_rows_free(l, n);
	store_close(st);
	rm_db(p);
}

/* After downtime, of the rows of one topic due at once only the one due
 * last goes; the others are skipped as superseded.  A change notice is
 * claimed before the reminders. */
static void
test_superseded_skipped(void **state)
{
	struct store			*st = NULL;
	struct store_outbox_new		 r[5];
	struct store_outbox_counts	 c;
	struct store_outbox_row		*l;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r[0] = row("meet:x:2d", "a", T0 - 2000, T0 + 5000);
	r[1] = row("meet:x:1d", "b", T0 - 1000, T0 + 5000);
	r[2] = row("meet:x:1h", "c", T0 + 3000, T0 + 5000);
	r[3] = row("meet:y:1d", "d", T0 - 3000, T0 + 5000);
	r[4] = row("change:x", "e", T0, T0 + 5000);
	r[0].topic = r[1].topic = r[2].topic = "meet:x";
	r[3].topic = "meet:y";
	r[4].kind = "change";
	r[4].members = "bob,dan";
	plan(st, r, 5, NULL, T0 - 5000, &c);
	l = claim(st, T0, 10, &n);
	assert_int_equal(n, 4);
	assert_string_equal(l[0].dedup, "meet:x:2d");
	assert_int_equal(l[0].status, STORE_OUTBOX_SKIPPED);
	assert_string_equal(l[0].last_answer, STORE_OUTBOX_SUPERSEDED);
	assert_string_equal(l[1].dedup, "change:x");
	assert_int_equal(l[1].status, STORE_OUTBOX_SENDING);
	assert_string_equal(l[1].members, "bob,dan");
	assert_string_equal(l[2].dedup, "meet:y:1d");
	assert_string_equal(l[3].dedup, "meet:x:1d");
	store_outbox_rows_free(l, n);
	l = all(st, &n);
	assert_int_equal(l[0].status, STORE_OUTBOX_SKIPPED);
	assert_string_equal(l[0].last_answer, STORE_OUTBOX_SUPERSEDED);
	assert_int_equal(l[2].status, STORE_OUTBOX_PENDING);
	store_outbox_rows_free(l, n);
	store_close(st);
	rm_db(p);
}

/* What was announced, kept per community; past rows kept as asked. */
static void
test_announced(void **state)
{
	static const char *const keep[] = { "math7" };
	struct store		*st = NULL;
	struct store_announced	 v[2], *a = NULL;
	char			*p = tmp_db(), *err = NULL;
	size_t			 n;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	v[0] = (struct store_announced){ "2026-11-03", 100, 200, false, 1 };
	v[1] = (struct store_announced){ "2026-11-10", 300, 400, true, 2 };
	assert_int_equal(store_announced_set(st, "math7", v, 2, 0, 0, &err),
	    0);
	assert_int_equal(store_announced_set(st, "ela8", v, 1, 0, 0, &err),
	    0);
	assert_int_equal(store_announced_get(st, "math7", &a, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(a[1].meeting, "2026-11-10");
	assert_true(a[1].cancelled);
	assert_int_equal(a[1].version, 2);
	store_announced_free(a, n);
	/* 3 Nov (start 100) kept as past, 10 Nov dropped. */
	assert_int_equal(store_announced_set(st, "math7", NULL, 0, 50, 150,
	    &err), 0);
	assert_int_equal(store_announced_get(st, "math7", &a, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].meeting, "2026-11-03");
	store_announced_free(a, n);
	assert_int_equal(store_announced_get(st, "ela8", &a, &n, &err), 0);
	assert_int_equal(n, 1);
	store_announced_free(a, n);
	/* ela8 leaves the config: forgotten. */
	assert_int_equal(store_outbox_withdraw_others(st, keep, 1, T0, NULL,
	    &err), 0);
	assert_int_equal(store_announced_get(st, "ela8", &a, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_announced_get(st, "math7", &a, &n, &err), 0);
	assert_int_equal(n, 1);
	store_announced_free(a, n);
	store_close(st);
	rm_db(p);
}

/* A failed row listed, retried by hand, and only a failed one. */
static void
test_list_and_retry(void **state)
{
	struct store			*st = NULL;
	struct store_outbox_new		 r[2];
	struct store_outbox_counts	 c;
	struct store_outbox_row		*l = NULL;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;
	bool				 found;
	int64_t				 id;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r[0] = row("k1", "a", T0, T0 + 1000);
	r[1] = row("k2", "b", T0 + 500, T0 + 1000);
	plan(st, r, 2, NULL, T0, &c);
	l = claim(st, T0, 1, &n);
	id = l[0].id;
	store_outbox_rows_free(l, n);
	assert_int_equal(store_outbox_mark_failed(st, id, T0, "404 Not Found",
	    &err), 0);
	assert_int_equal(store_outbox_list(st, STORE_OUTBOX_LIST_FAILED, &l,
	    &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].last_answer, "404 Not Found");
	store_outbox_rows_free(l, n);
	assert_int_equal(store_outbox_list(st, STORE_OUTBOX_LIST_PENDING, &l,
	    &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].dedup, "k2");
	store_outbox_rows_free(l, n);
	/* Only a failed row can be retried. */
	assert_int_equal(store_outbox_retry(st, id + 1, T0, &found, &err), 0);
	assert_false(found);
	assert_int_equal(store_outbox_retry(st, 999, T0, &found, &err), 0);
	assert_false(found);
	assert_int_equal(store_outbox_retry(st, id, T0 + 10, &found, &err), 0);
	assert_true(found);
	l = claim(st, T0 + 10, 10, &n);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].id, id);
	assert_int_equal(l[0].attempts, 0);
	store_outbox_rows_free(l, n);
	store_close(st);
	rm_db(p);
}

/* The planner's messages into the outbox, as the worker will put them. */
static void
plan_community(struct store *st, const struct config_community *c,
    time_t from, time_t to, time_t now, struct store_outbox_counts *counts)
{
	static const char *const prefixes[] = { PLAN_PREFIX_MEET "math7:",
		PLAN_PREFIX_CANCEL "math7:" };
	struct store_outbox_scope	 scope = { prefixes, 2, 0, 0,
		"no longer planned" };
	struct plan_msg			*m = NULL;
	char				*err = NULL;
	long				 n;

	n = plan_meetings(c, c->day, c->time, from, to, now, NULL, &m, &err);
	if (n < 0 || n > 1000)
		fail_msg("plan_meetings: %s", err ? err : "too many");
	scope.from = from;
	scope.to = to;
	if (outbox_store_plan(st, m, n, &scope, now, counts, &err) == -1)
		fail_msg("outbox_store_plan: %s", err);
	plan_free(m, n);
}

static const struct store_outbox_row *
by_key(const struct store_outbox_row *l, size_t n, const char *dedup)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i].dedup, dedup) == 0)
			return &l[i];
	fail_msg("no row %s", dedup);
	return NULL;
}

/* A string column: NULL or its value. */
static void
col_equal(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void
facts(const struct store_outbox_row *r, const char *audience,
    const char *member, const char *community, const char *meeting)
{
	col_equal(r->audience, audience);
	col_equal(r->member, member);
	col_equal(r->community, community);
	col_equal(r->meeting, meeting);
}

/*
 * A database planned by schema 2 (the facts only in the keys) is given
 * them by the migration: from then on it is read and withdrawn by its
 * columns as a new one is.
 */
static void
test_facts_backfilled(void **state)
{
	static const char *const keep[] = { "math7" };
	struct store_outbox_row	*l;
	struct store		*st = NULL;
	char			*p = tmp_db(), *err = NULL;
	size_t			 n;
	long			 w = 0;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	store_close(st);
	/* Back to schema 2's outbox, with rows as its planners wrote them
	 * (and without what later migrations add). */
	exec(NULL, p, "DROP TABLE series_epochs;"
	    "DROP TABLE rsvps; DROP TABLE meeting_changes;"
	    "DROP TABLE quorum_watch;"
	    "DROP TABLE destinations;"
	    "DROP TABLE busy_expanded;"	/* 7 -> 8 (branch busypool) */
	    "DROP TABLE place_keys;"	/* 10 -> 11 (branch restart) */
	    "DELETE FROM meta WHERE key = 'install_id';"
	    "DROP TABLE announced;"
	    "DROP INDEX outbox_topic;"
	    "ALTER TABLE outbox DROP COLUMN members;"
	    "ALTER TABLE outbox DROP COLUMN topic;"
	    /* Migration 8 (branch report). */
	    "DROP TABLE attendance;"
	    "ALTER TABLE action_items DROP COLUMN meeting;"
	    "ALTER TABLE outbox DROP COLUMN html;"
	    "ALTER TABLE outbox DROP COLUMN audience;"
	    "ALTER TABLE outbox DROP COLUMN member;"
	    "ALTER TABLE outbox DROP COLUMN community;"
	    "ALTER TABLE outbox DROP COLUMN meeting;"
	    "PRAGMA user_version = 2;"
	    "INSERT INTO outbox (id, dedup, kind, channel, recipient, body, "
	    "due, expires, next_try, created, changed) VALUES "
	    "(1, 'meet:math7:2026-11-03:1d:member:bob:email', 'reminder', "
	    " 'email', 'bob', 'b', 1, 9999999, 1, 1, 1),"
	    "(2, 'meet:math7:2026-11-03:1h:community:math7:chat', 'reminder', "
	    " 'chat', 'math7', 'b', 1, 9999999, 1, 1, 1),"
	    "(3, 'cancel:sci:2026-12-08:member:ann:ann-dm', 'cancellation', "
	    " 'ann-dm', 'ann', 'b', 1, 9999999, 1, 1, 1),"
	    "(4, 'slot:math7:WE-15:30:member:bob:email', 'slot', 'email', "
	    " 'bob', 'b', 1, 9999999, 1, 1, 1),"
	    "(5, 'nudge:sci:9:2026-12-01:1d:member:ann:email', 'nudge', "
	    " 'email', 'ann', 'b', 1, 9999999, 1, 1, 1),"
	    "(6, 'digest:sci:2026-12-01:community:sci:chat', 'digest', "
	    " 'chat', 'sci', 'b', 1, 9999999, 1, 1, 1),"
	    "(7, 'odd', 'reminder', 'email', 'bob', 'b', 1, 9999999, 1, 1, 1)");
	assert_int_equal(store_open(p, &st, &err), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	l = all(st, &n);
	assert_int_equal(n, 7);
	facts(&l[0], "member", "bob", "math7", "2026-11-03");
	facts(&l[1], "community", NULL, "math7", "2026-11-03");
	facts(&l[2], "member", "ann", "sci", "2026-12-08");
	facts(&l[3], "member", "bob", "math7", NULL);
	facts(&l[4], "member", "ann", "sci", NULL);
	facts(&l[5], "community", NULL, "sci", NULL);
	facts(&l[6], NULL, NULL, NULL, NULL);
	store_outbox_rows_free(l, n);
	/* sci is gone from the config: its rows go, by their column; a row
	 * that names no community stays. */
	assert_int_equal(store_outbox_withdraw_others(st, keep, 1, T0, &w,
	    &err), 0);
	assert_int_equal(w, 3);
	l = all(st, &n);
	assert_int_equal(l[2].status, STORE_OUTBOX_WITHDRAWN);
	assert_int_equal(l[4].status, STORE_OUTBOX_WITHDRAWN);
	assert_int_equal(l[5].status, STORE_OUTBOX_WITHDRAWN);
	assert_int_equal(l[0].status, STORE_OUTBOX_PENDING);
	assert_int_equal(l[6].status, STORE_OUTBOX_PENDING);
	store_outbox_rows_free(l, n);
	store_close(st);
	rm_db(p);
}

/* Planner and outbox together: a move updates the pending reminder, a
 * cancellation withdraws it (its change notice is plan_changes'). */
static void
test_planner_into_outbox(void **state)
{
	struct config_member		 bob, *members[1] = { &bob };
	struct config_community		 c;
	struct config_move		 move;
	struct civil_date		 cancel = { 2026, 11, 10 };
	struct store_outbox_counts	 k;
	struct store_outbox_row		*l;
	const struct store_outbox_row	*r;
	struct store			*st = NULL;
	int64_t				 remind = CIVIL_DAY;
	char				*p = tmp_db(), *err = NULL;
	time_t				 from = 1793577600;	/* 2026-11-02Z */
	time_t				 to = from + 14 * CIVIL_DAY;
	size_t				 n;

	(void)state;
	memset(&bob, 0, sizeof(bob));
	bob.id = "bob";
	bob.tz = tz_find("America/Chicago");
	memset(&c, 0, sizeof(c));
	c.id = "math7";
	c.name = "Grade 7 Math PLC";
	c.members = members;
	c.nmembers = 1;
	c.day = 1;	/* Tuesday */
	c.time = (struct civil_time){ 15, 30, 0 };
	c.duration = 45 * 60;
	c.start = (struct civil_date){ 2026, 9, 1 };
	c.remind = &remind;
	c.nremind = 1;
	c.tz = tz_find("America/New_York");
	assert_int_equal(store_open(p, &st, &err), 0);

	plan_community(st, &c, from, to, from, &k);
	assert_int_equal(k.inserted, 2);	/* 3 and 10 November */
	plan_community(st, &c, from, to, from + 60, &k);
	assert_int_equal(k.inserted, 0);
	assert_int_equal(k.unchanged, 2);

	move.from = (struct civil_date){ 2026, 11, 3 };
	move.to = (struct civil_date){ 2026, 11, 4 };
	move.has_time = false;
	c.moves = &move;
	c.nmoves = 1;
	c.cancels = &cancel;
	c.ncancels = 1;
	plan_community(st, &c, from, to, from + 120, &k);
	assert_int_equal(k.updated, 1);
	assert_int_equal(k.inserted, 0);
	assert_int_equal(k.withdrawn, 1);
	l = all(st, &n);
	assert_int_equal(n, 2);
	r = by_key(l, n, "meet:math7:2026-11-03:1d:member:bob:email");
	assert_int_equal(r->status, STORE_OUTBOX_PENDING);
	assert_int_equal(r->expires,
	    from + 2 * CIVIL_DAY + 20 * 3600 + 30 * 60);
	assert_non_null(strstr(r->subject, "Moved"));
	r = by_key(l, n, "meet:math7:2026-11-10:1d:member:bob:email");
	assert_int_equal(r->status, STORE_OUTBOX_WITHDRAWN);
	/* What the sender needs, as columns the planner filled. */
	facts(r, PLAN_AUDIENCE_MEMBER, "bob", "math7", "2026-11-10");
	assert_string_equal(r->topic, "meet:math7:2026-11-10:member:bob:email");
	r = by_key(l, n, "meet:math7:2026-11-03:1d:member:bob:email");
	facts(r, PLAN_AUDIENCE_MEMBER, "bob", "math7", "2026-11-03");
	store_outbox_rows_free(l, n);
	store_close(st);
	rm_db(p);
}

static int
teardown(void **state)
{
	(void)state;
	tz_shutdown();
	return 0;
}

/* The filters of store_outbox_query: each narrows, they combine, and a
 * value is a value however it reads as SQL. */
static size_t
query_n(struct store *st, const struct store_outbox_query *q)
{
	struct store_outbox_row	*l = NULL;
	char			*err = NULL;
	size_t			 n = 0;

	if (store_outbox_query(st, q, &l, &n, &err) == -1)
		fail_msg("store_outbox_query: %s", err);
	store_outbox_rows_free(l, n);
	return n;
}

static void
test_query_filters(void **state)
{
	struct store			*st = NULL;
	struct store_outbox_new		 r[4];
	struct store_outbox_query	 q;
	char				*p = tmp_db(), *err = NULL;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	r[0] = row("k1", "a", T0, T0 + 1000);
	r[0].community = "math7";
	r[0].member = "bob";
	r[1] = row("k2", "b", T0 + 100, T0 + 1000);
	r[1].kind = "nudge";
	r[1].community = "ela8";
	r[1].member = "bob";
	r[2] = row("k3", "c", T0 + 200, T0 + 1000);
	r[2].channel = "team";
	r[2].recipient = "math7";
	r[2].community = "math7";
	r[3] = row("k4", "d", T0 + 300, T0 + 1000);
	r[3].kind = "slot";
	r[3].recipient = "carol";
	r[3].member = "carol";
	r[3].community = "math7";
	plan(st, r, 4, NULL, T0, NULL);
	memset(&q, 0, sizeof(q));
	q.filter = STORE_OUTBOX_LIST_ALL;
	assert_int_equal(query_n(st, &q), 4);
	q.kinds[0] = "reminder";
	q.nkinds = 1;
	assert_int_equal(query_n(st, &q), 2);
	q.kinds[1] = "slot";
	q.nkinds = 2;
	assert_int_equal(query_n(st, &q), 3);
	q.to = "bob";
	assert_int_equal(query_n(st, &q), 1);
	q.nkinds = 0;
	assert_int_equal(query_n(st, &q), 2);
	q.to = "team";
	assert_int_equal(query_n(st, &q), 1);
	q.to = NULL;
	q.community = "math7";
	assert_int_equal(query_n(st, &q), 3);
	q.has_since = true;
	q.since = T0 + 100;
	q.has_until = true;
	q.until = T0 + 300;
	assert_int_equal(query_n(st, &q), 1);	/* k3 */
	q.community = NULL;
	assert_int_equal(query_n(st, &q), 2);	/* k2, k3 */
	q.filter = STORE_OUTBOX_LIST_FAILED;
	assert_int_equal(query_n(st, &q), 0);
	memset(&q, 0, sizeof(q));
	q.to = "bob' OR '1'='1";
	assert_int_equal(query_n(st, &q), 0);
	q.to = NULL;
	q.community = "x') OR 1=1 --";
	assert_int_equal(query_n(st, &q), 0);
	store_close(st);
	rm_db(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_twice),
		cmocka_unit_test(test_pending_updated),
		cmocka_unit_test(test_withdrawn),
		cmocka_unit_test(test_withdrawn_range),
		cmocka_unit_test(test_claim_and_mark),
		cmocka_unit_test(test_mark_all),
		cmocka_unit_test(test_retry_backoff),
		cmocka_unit_test(test_crash_recovery),
		cmocka_unit_test(test_expired_skipped),
		cmocka_unit_test(test_superseded_skipped),
		cmocka_unit_test(test_announced),
		cmocka_unit_test(test_list_and_retry),
		cmocka_unit_test(test_planner_into_outbox),
		cmocka_unit_test(test_facts_backfilled),
		cmocka_unit_test(test_query_filters),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
