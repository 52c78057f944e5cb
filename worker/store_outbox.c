/* store_outbox: the outbox table — planning, claiming and settling messages. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

int
store_outbox_depth(struct store *st, int64_t *depth, char **err)
{
	return store_int64_query(st, "SELECT count(*) FROM outbox "
	    "WHERE status = 'pending'", "counting the outbox", depth, err);
}

static const char *const store_outbox_statuses[] = { "pending", "sending",
	"sent", "failed", "skipped", "withdrawn" };

const char *
store_outbox_status_name(enum store_outbox_status s)
{
	if ((size_t)s >= sizeof(store_outbox_statuses) /
	    sizeof(store_outbox_statuses[0]))
		return "?";
	return store_outbox_statuses[s];
}

static enum store_outbox_status
store_outbox_status_parse(const char *s)
{
	size_t	i;

	for (i = 0; s != NULL && i < sizeof(store_outbox_statuses) /
	    sizeof(store_outbox_statuses[0]); i++)
		if (strcmp(s, store_outbox_statuses[i]) == 0)
			return (enum store_outbox_status)i;
	/* The CHECK constraint allows nothing else. */
	return STORE_OUTBOX_FAILED;
}

/* 1 when the key is known, 0 when not, -1 on error. */
static int
store_outbox_known(sqlite3_stmt *s, const char *dedup)
{
	int	r;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, dedup, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

/* The due time a known row takes: ?7 new, ?9 now. */
#define STORE_OUTBOX_NEWDUE \
	"(CASE WHEN outbox.status = 'pending' AND outbox.due <= ?9" \
	" AND excluded.due <= ?9 THEN outbox.due ELSE excluded.due END)"

static int
store_outbox_upsert(struct store *st, sqlite3_stmt *known_s, sqlite3_stmt *s,
    const struct store_outbox_new *r, time_t now,
    struct store_outbox_counts *c)
{
	int		 known;

	if ((known = store_outbox_known(known_s, r->dedup)) == -1)
		return -1;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, r->dedup, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)r->due);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)r->expires);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)now);
	sqlite3_bind_text(s, 10, r->audience, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, r->member, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, r->community, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, r->meeting, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 14, r->members, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 15, r->topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 16, r->html, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		c->unchanged++;
	else if (known)
		c->updated++;
	else
		c->inserted++;
	return 0;
}

/* Prepared once per planning pass: tens of thousands of rows use them. */
static int
store_outbox_plan_prepare(struct store *st, sqlite3_stmt **known,
    sqlite3_stmt **upsert)
{
	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM outbox WHERE dedup = ?",
	    -1, known, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO outbox (dedup, kind, "
	    "channel, recipient, subject, body, due, expires, next_try, "
	    "created, changed, audience, member, community, meeting, members, "
	    "topic, html) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?9, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15, ?16) "
	    "ON CONFLICT (dedup) DO UPDATE SET kind = excluded.kind, "
	    "channel = excluded.channel, recipient = excluded.recipient, "
	    "subject = excluded.subject, body = excluded.body, "
	    "html = excluded.html, "
	    "expires = excluded.expires, due = " STORE_OUTBOX_NEWDUE ", "
	    /* Facts of the key, which is the same: they change with it. */
	    "audience = excluded.audience, member = excluded.member, "
	    "community = excluded.community, meeting = excluded.meeting, "
	    "members = excluded.members, topic = excluded.topic, "
	    /* A row waiting out a backoff keeps waiting. */
	    "next_try = CASE WHEN outbox.status = 'pending' AND "
	    "outbox.attempts > 0 THEN max(outbox.next_try, "
	    STORE_OUTBOX_NEWDUE ") ELSE " STORE_OUTBOX_NEWDUE " END, "
	    "last_answer = CASE WHEN outbox.status = 'withdrawn' THEN NULL "
	    "ELSE outbox.last_answer END, status = 'pending', changed = ?9 "
	    "WHERE outbox.status = 'withdrawn' OR (outbox.status = 'pending' "
	    "AND (outbox.kind IS NOT excluded.kind OR outbox.channel IS NOT "
	    "excluded.channel OR outbox.recipient IS NOT excluded.recipient "
	    "OR outbox.subject IS NOT excluded.subject OR outbox.body IS NOT "
	    "excluded.body OR outbox.html IS NOT excluded.html OR "
	    "outbox.expires IS NOT excluded.expires OR "
	    "outbox.members IS NOT excluded.members OR "
	    "outbox.due IS NOT " STORE_OUTBOX_NEWDUE "))", -1, upsert,
	    NULL) != SQLITE_OK)
		return -1;
	return 0;
}

/* The least string above every string starting with prefix (binary
 * order), its length in *len; NULL if there is none (all bytes 0xff). */
static char *
store_outbox_past_prefix(const char *prefix, size_t *len)
{
	char	*p;
	size_t	 n = strlen(prefix);

	while (n > 0 && (unsigned char)prefix[n - 1] == 0xff)
		n--;
	if (n == 0)
		return NULL;
	p = xmalloc(n + 1);
	memcpy(p, prefix, n);
	p[n - 1] = (char)((unsigned char)p[n - 1] + 1);
	p[n] = '\0';
	*len = n;
	return p;
}

/* The plan's keys go into a temporary table so that one statement per
 * prefix can find the rows the plan no longer names. */
static int
store_outbox_withdraw(struct store *st, const struct store_outbox_new *rows,
    size_t n, const struct store_outbox_scope *scope, time_t now,
    struct store_outbox_counts *c)
{
	sqlite3_stmt	*s = NULL;
	char		*past = NULL;
	size_t		 i, pastlen = 0;
	int		 rc = -1;

	if (sqlite3_exec(st->db, "CREATE TEMP TABLE IF NOT EXISTS "
	    "outbox_planned (dedup TEXT PRIMARY KEY);"
	    "DELETE FROM temp.outbox_planned", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO "
	    "temp.outbox_planned (dedup) VALUES (?)", -1, &s,
	    NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(s, 1, rows[i].dedup, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto out;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	/* The prefix as a range of the dedup key's index (?5 <= dedup <
	 * ?6): by (status, expires) each prefix of each community read every
	 * pending row of the horizon, 1,000 due reminders times every
	 * prefix of every planning pass.  The unary + keep the planner off
	 * that index. */
	if (sqlite3_prepare_v2(st->db, "UPDATE outbox SET status = "
	    "'withdrawn', last_answer = ?1, changed = ?2 WHERE dedup >= ?5 "
	    "AND dedup < ?6 AND +status = 'pending' AND +expires >= ?3 AND "
	    "+expires < ?4 AND substr(dedup, 1, length(?5)) = ?5 AND dedup "
	    "NOT IN (SELECT dedup FROM temp.outbox_planned)", -1, &s,
	    NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < scope->nprefixes; i++) {
		sqlite3_bind_text(s, 1, scope->reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)scope->from);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)scope->to);
		sqlite3_bind_text(s, 5, scope->prefixes[i], -1, SQLITE_STATIC);
		free(past);
		past = store_outbox_past_prefix(scope->prefixes[i], &pastlen);
		if (past != NULL)
			sqlite3_bind_text(s, 6, past, (int)pastlen,
			    SQLITE_STATIC);
		else	/* every text sorts before a blob */
			sqlite3_bind_blob(s, 6, "", 0, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto out;
		c->withdrawn += sqlite3_changes(st->db);
		sqlite3_reset(s);
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	free(past);
	return rc;
}

int
store_outbox_plan(struct store *st, const struct store_outbox_new *rows,
    size_t n, const struct store_outbox_scope *scope, time_t now,
    struct store_outbox_counts *counts, char **err)
{
	struct store_outbox_counts	 c = { 0, 0, 0, 0 };
	sqlite3_stmt			*known = NULL, *upsert = NULL;
	size_t				 i;

	if (store_exec(st, "BEGIN IMMEDIATE", "planning the outbox",
	    err) == -1)
		return -1;
	if (store_outbox_plan_prepare(st, &known, &upsert) == -1)
		goto fail;
	for (i = 0; i < n; i++)
		if (store_outbox_upsert(st, known, upsert, &rows[i], now,
		    &c) == -1)
			goto fail;
	sqlite3_finalize(known);
	sqlite3_finalize(upsert);
	known = upsert = NULL;
	if (scope != NULL &&
	    store_outbox_withdraw(st, rows, n, scope, now, &c) == -1)
		goto fail;
	if (store_exec(st, "COMMIT", "planning the outbox", err) == -1)
		goto rollback;
	if (counts != NULL)
		*counts = c;
	return 0;
fail:
	store_seterr(err, st->db, "planning the outbox");
rollback:
	sqlite3_finalize(known);
	sqlite3_finalize(upsert);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

void
store_outbox_rows_free(struct store_outbox_row *rows, size_t n)
{
	size_t	i;

	for (i = 0; rows != NULL && i < n; i++) {
		free(rows[i].dedup);
		free(rows[i].kind);
		free(rows[i].channel);
		free(rows[i].recipient);
		free(rows[i].subject);
		free(rows[i].body);
		free(rows[i].last_answer);
		free(rows[i].audience);
		free(rows[i].member);
		free(rows[i].community);
		free(rows[i].meeting);
		free(rows[i].members);
		free(rows[i].topic);
		free(rows[i].html);
	}
	free(rows);
}

#define STORE_OUTBOX_COLUMNS "id, dedup, kind, channel, recipient, subject, " \
	"body, last_answer, status, attempts, due, expires, next_try, " \
	"claimed, sent_at, created, changed, audience, member, community, " \
	"meeting, members, topic, html"

/* Appends the rows a SELECT of STORE_OUTBOX_COLUMNS gives. */
static int
store_outbox_fetch(sqlite3_stmt *s, struct store_outbox_row **rows,
    size_t *n)
{
	struct store_outbox_row	*r;
	int			 st;

	while ((st = sqlite3_step(s)) == SQLITE_ROW) {
		*rows = xreallocarray(*rows, *n + 1, sizeof(**rows));
		r = &(*rows)[(*n)++];
		r->id = sqlite3_column_int64(s, 0);
		r->dedup = store_col_text(s, 1);
		r->kind = store_col_text(s, 2);
		r->channel = store_col_text(s, 3);
		r->recipient = store_col_text(s, 4);
		r->subject = store_col_text(s, 5);
		r->body = store_col_text(s, 6);
		r->last_answer = store_col_text(s, 7);
		r->status = store_outbox_status_parse(
		    (const char *)sqlite3_column_text(s, 8));
		r->attempts = sqlite3_column_int(s, 9);
		r->due = (time_t)sqlite3_column_int64(s, 10);
		r->expires = (time_t)sqlite3_column_int64(s, 11);
		r->next_try = (time_t)sqlite3_column_int64(s, 12);
		r->claimed = (time_t)sqlite3_column_int64(s, 13);
		r->sent_at = (time_t)sqlite3_column_int64(s, 14);
		r->created = (time_t)sqlite3_column_int64(s, 15);
		r->changed = (time_t)sqlite3_column_int64(s, 16);
		r->audience = store_col_text(s, 17);
		r->member = store_col_text(s, 18);
		r->community = store_col_text(s, 19);
		r->meeting = store_col_text(s, 20);
		r->members = store_col_text(s, 21);
		r->topic = store_col_text(s, 22);
		r->html = store_col_text(s, 23);
	}
	return st == SQLITE_DONE ? 0 : -1;
}

/* Selects rows by sql (?1 = now, ?2 = limit), then moves them to status
 * with `set`, appending them, updated, to *rows. */
static int
store_outbox_take(struct store *st, const char *sql, const char *set,
    time_t now, size_t limit, struct store_outbox_row **rows, size_t *n)
{
	sqlite3_stmt	*s = NULL;
	size_t		 first = *n, i;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	if (store_outbox_fetch(s, rows, n) == -1)
		goto out;
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, set, -1, &s, NULL) != SQLITE_OK)
		goto out;
	for (i = first; i < *n; i++) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
		sqlite3_bind_int64(s, 2, (*rows)[i].id);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto out;
		sqlite3_reset(s);
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_outbox_claim(struct store *st, time_t now, size_t limit,
    struct store_outbox_row **out, size_t *n, char **err)
{
	struct store_outbox_row	*rows = NULL;
	size_t			 len = 0, i, expired, skipped;

	*out = NULL;
	*n = 0;
	if (store_exec(st, "BEGIN IMMEDIATE", "claiming outbox rows",
	    err) == -1)
		return -1;
	/* Expired first, whatever their next_try: a reminder in backoff
	 * whose meeting has started is as worthless as a due one. */
	if (store_outbox_take(st, "SELECT " STORE_OUTBOX_COLUMNS " FROM outbox "
	    "WHERE status = 'pending' AND expires IS NOT NULL AND "
	    "expires < ?1 ORDER BY next_try, id", "UPDATE outbox SET status = "
	    "'skipped', last_answer = 'expired', changed = ?1 WHERE id = ?2",
	    now, 0, &rows, &len) == -1)
		goto fail;
	expired = len;
	/* After downtime, of one topic's due rows only the one due last
	 * (the nearest lead time) still says something true.  The unary +
	 * keeps the inner search on the topic index: by (status, next_try)
	 * it read every due row once per due row, quadratic in a busy
	 * morning (1,000 due rows: half a second). */
	if (store_outbox_take(st, "SELECT " STORE_OUTBOX_COLUMNS " FROM outbox "
	    "o WHERE status = 'pending' AND next_try <= ?1 AND topic IS NOT "
	    "NULL AND EXISTS (SELECT 1 FROM outbox p WHERE p.topic = o.topic "
	    "AND +p.status = 'pending' AND +p.next_try <= ?1 AND p.id != o.id "
	    "AND (p.due > o.due OR (p.due = o.due AND p.dedup > o.dedup))) "
	    "ORDER BY next_try, id", "UPDATE outbox SET status = 'skipped', "
	    "last_answer = '" STORE_OUTBOX_SUPERSEDED "', changed = ?1 WHERE "
	    "id = ?2", now, 0, &rows, &len) == -1)
		goto fail;
	skipped = len;
	if (limit > 0 && store_outbox_take(st, "SELECT " STORE_OUTBOX_COLUMNS
	    " FROM outbox WHERE status = 'pending' AND next_try <= ?1 "
	    "ORDER BY kind != 'change', next_try, id LIMIT ?2", "UPDATE outbox SET status = "
	    "'sending', claimed = ?1, changed = ?1 WHERE id = ?2", now, limit,
	    &rows, &len) == -1)
		goto fail;
	if (store_exec(st, "COMMIT", "claiming outbox rows", err) == -1)
		goto rollback;
	for (i = 0; i < len; i++) {
		rows[i].changed = now;
		if (i < skipped) {
			rows[i].status = STORE_OUTBOX_SKIPPED;
			free(rows[i].last_answer);
			rows[i].last_answer = xstrdup(i < expired ?
			    "expired" : STORE_OUTBOX_SUPERSEDED);
		} else {
			rows[i].status = STORE_OUTBOX_SENDING;
			rows[i].claimed = now;
		}
	}
	*out = rows;
	*n = len;
	return 0;
fail:
	store_seterr(err, st->db, "claiming outbox rows");
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	store_outbox_rows_free(rows, len);
	return -1;
}

int
store_outbox_withdraw_others(struct store *st, const char *const *keep,
    size_t n, time_t now, long *withdrawn, char **err)
{
	sqlite3_stmt	*s = NULL;
	size_t		 i;

	if (withdrawn != NULL)
		*withdrawn = 0;
	if (store_exec(st, "BEGIN IMMEDIATE; CREATE TEMP TABLE IF NOT EXISTS "
	    "outbox_keep (id TEXT PRIMARY KEY); DELETE FROM temp.outbox_keep",
	    "withdrawing rows of removed communities", err) == -1)
		return -1;
	if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO temp.outbox_keep "
	    "(id) VALUES (?)", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(s, 1, keep[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, "UPDATE outbox SET status = "
	    "'withdrawn', last_answer = 'its community is no longer in the "
	    "config', changed = ?1 WHERE status = 'pending' AND community "
	    "IS NOT NULL AND community NOT IN (SELECT id FROM "
	    "temp.outbox_keep)", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	if (withdrawn != NULL)
		*withdrawn = sqlite3_changes(st->db);
	sqlite3_finalize(s);
	s = NULL;
	/* Nor is anything announced of it: back in the config, it starts
	 * afresh instead of telling what changed while it was out. */
	if (store_exec(st, "DELETE FROM announced WHERE community NOT IN "
	    "(SELECT id FROM temp.outbox_keep)", "withdrawing rows of removed "
	    "communities", err) == -1)
		goto rollback;
	if (store_exec(st, "COMMIT", "withdrawing rows of removed communities",
	    err) == -1)
		goto rollback;
	return 0;
fail:
	store_seterr(err, st->db, "withdrawing rows of removed communities");
rollback:
	sqlite3_finalize(s);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* The statement of each kind of mark (?1 now, ?2 id, ?3 answer,
 * ?4 next_try), and what it does for an error; each moves a row from
 * 'sending' only. */
static const char *const store_outbox_mark_sql[] = {
	[STORE_OUTBOX_MARK_SENT] = "UPDATE outbox SET status = 'sent', "
	    "sent_at = ?1, changed = ?1, last_answer = ?3, attempts = "
	    "attempts + 1 WHERE id = ?2 AND status = 'sending'",
	[STORE_OUTBOX_MARK_RETRY] = "UPDATE outbox SET status = 'pending', "
	    "changed = ?1, last_answer = ?3, attempts = attempts + 1, "
	    "next_try = ?4, claimed = NULL WHERE id = ?2 AND "
	    "status = 'sending'",
	[STORE_OUTBOX_MARK_FAILED] = "UPDATE outbox SET status = 'failed', "
	    "changed = ?1, last_answer = ?3, attempts = attempts + 1 "
	    "WHERE id = ?2 AND status = 'sending'",
	[STORE_OUTBOX_MARK_RELEASE] = "UPDATE outbox SET status = 'pending', "
	    "changed = ?1, next_try = ?4, claimed = NULL "
	    "WHERE id = ?2 AND status = 'sending'",
};
static const char *const store_outbox_mark_what[] = {
	[STORE_OUTBOX_MARK_SENT] = "marking a message sent",
	[STORE_OUTBOX_MARK_RETRY] = "scheduling a retry",
	[STORE_OUTBOX_MARK_FAILED] = "marking a message failed",
	[STORE_OUTBOX_MARK_RELEASE] = "putting a message back",
};
#define STORE_OUTBOX_NMARK	4

/* A retry's pause: Retry-After, or the backoff for the row's attempts so
 * far (read with att, prepared once by the caller; a missing row reads 0,
 * the UPDATE then says why). */
static int
store_outbox_retry_after(sqlite3_stmt *att, int64_t id, long retry_after,
    double jitter, long *out)
{
	int64_t	attempts = 0;
	long	backoff;
	int	rc;

	if (retry_after >= 0) {
		*out = retry_after;
		return 0;
	}
	sqlite3_bind_int64(att, 1, id);
	if ((rc = sqlite3_step(att)) == SQLITE_ROW)
		attempts = sqlite3_column_int64(att, 0);
	sqlite3_reset(att);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	backoff = STORE_OUTBOX_BACKOFF_BASE;
	while (attempts-- > 0 && backoff < STORE_OUTBOX_BACKOFF_CAP)
		backoff *= 2;
	if (backoff > STORE_OUTBOX_BACKOFF_CAP)
		backoff = STORE_OUTBOX_BACKOFF_CAP;
	if (!(jitter >= 0))	/* NaN too */
		jitter = 0;
	if (jitter > 1)
		jitter = 1;
	*out = (long)((double)backoff * (0.5 + jitter / 2));
	return 0;
}

int
store_outbox_mark_all(struct store *st, const struct store_outbox_mark *v,
    size_t n, time_t now, char **err)
{
	sqlite3_stmt	*s[STORE_OUTBOX_NMARK] = { NULL }, *att = NULL;
	const char	*what = "recording outcomes";
	time_t		 next_try;
	long		 pause;
	size_t		 i, k;
	int		 rc = -1;

	for (i = 0; i < n; i++) {
		k = (size_t)v[i].kind;
		if (k >= STORE_OUTBOX_NMARK) {
			if (err != NULL)
				*err = xasprintf("%s: no such outcome %zu",
				    what, k);
			goto out;
		}
		what = store_outbox_mark_what[k];
		next_try = v[i].next_try;
		if (v[i].kind == STORE_OUTBOX_MARK_RETRY) {
			if (att == NULL && sqlite3_prepare_v2(st->db,
			    "SELECT attempts FROM outbox WHERE id = ?", -1,
			    &att, NULL) != SQLITE_OK)
				goto fail;
			if (store_outbox_retry_after(att, v[i].id,
			    v[i].retry_after, v[i].jitter, &pause) == -1)
				goto fail;
			next_try = now + (time_t)pause;
		}
		if (s[k] == NULL && sqlite3_prepare_v2(st->db,
		    store_outbox_mark_sql[k], -1, &s[k], NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(s[k], 1, (sqlite3_int64)now);
		sqlite3_bind_int64(s[k], 2, v[i].id);
		sqlite3_bind_text(s[k], 3, v[i].answer, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s[k], 4, (sqlite3_int64)next_try);
		if (sqlite3_step(s[k]) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(s[k]);
		if (sqlite3_changes(st->db) == 0) {
			if (err != NULL)
				*err = xasprintf("%s: outbox row %lld is not "
				    "being sent", what, (long long)v[i].id);
			goto out;
		}
	}
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, what);
out:
	for (k = 0; k < STORE_OUTBOX_NMARK; k++)
		sqlite3_finalize(s[k]);
	sqlite3_finalize(att);
	return rc;
}

/* One mark of kind k. */
static int
store_outbox_mark_one(struct store *st, enum store_outbox_mark_kind k,
    int64_t id, time_t now, const char *answer, long retry_after,
    double jitter, time_t next_try, char **err)
{
	struct store_outbox_mark	m;

	memset(&m, 0, sizeof(m));
	m.id = id;
	m.kind = k;
	m.answer = answer;
	m.retry_after = retry_after;
	m.jitter = jitter;
	m.next_try = next_try;
	return store_outbox_mark_all(st, &m, 1, now, err);
}

int
store_outbox_mark_sent(struct store *st, int64_t id, time_t now,
    const char *answer, char **err)
{
	return store_outbox_mark_one(st, STORE_OUTBOX_MARK_SENT, id, now,
	    answer, -1, 0, 0, err);
}

int
store_outbox_mark_failed(struct store *st, int64_t id, time_t now,
    const char *answer, char **err)
{
	return store_outbox_mark_one(st, STORE_OUTBOX_MARK_FAILED, id, now,
	    answer, -1, 0, 0, err);
}

int
store_outbox_release(struct store *st, int64_t id, time_t now,
    time_t next_try, char **err)
{
	return store_outbox_mark_one(st, STORE_OUTBOX_MARK_RELEASE, id, now,
	    NULL, -1, 0, next_try, err);
}

int
store_outbox_mark_retry(struct store *st, int64_t id, time_t now,
    const char *answer, long retry_after, double jitter, char **err)
{
	return store_outbox_mark_one(st, STORE_OUTBOX_MARK_RETRY, id, now,
	    answer, retry_after, jitter, 0, err);
}

int
store_outbox_recover(struct store *st, time_t now, long *n, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, "UPDATE outbox SET status = 'pending', "
	    "claimed = NULL, changed = ? WHERE status = 'sending'", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	if (n != NULL)
		*n = sqlite3_changes(st->db);
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "recovering the outbox");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_outbox_list(struct store *st, enum store_outbox_filter filter,
    struct store_outbox_row **out, size_t *n, char **err)
{
	struct store_outbox_query	q;

	memset(&q, 0, sizeof(q));
	q.filter = filter;
	return store_outbox_query(st, &q, out, n, err);
}

int
store_outbox_query(struct store *st, const struct store_outbox_query *q,
    struct store_outbox_row **out, size_t *n, char **err)
{
	sqlite3_stmt	*s = NULL;
	struct xbuf	 sql = { 0 };
	const char	*sep = " WHERE ";
	size_t		 i;
	int		 rc = -1, k = 0;

	*out = NULL;
	*n = 0;
	/* Only fixed text goes into the statement; every value is a
	 * parameter, numbered in the order the clauses are added. */
	xbuf_printf(&sql, "SELECT %s FROM outbox", STORE_OUTBOX_COLUMNS);
#define STORE_OUTBOX_AND(clause) do {				\
		xbuf_printf(&sql, "%s%s", sep, clause);		\
		sep = " AND ";					\
	} while (0)
	if (q->filter == STORE_OUTBOX_LIST_PENDING)
		STORE_OUTBOX_AND("status IN ('pending', 'sending')");
	else if (q->filter == STORE_OUTBOX_LIST_FAILED)
		STORE_OUTBOX_AND("status = 'failed'");
	if (q->nkinds > 0) {
		STORE_OUTBOX_AND("kind IN (?");
		for (i = 1; i < q->nkinds && i < STORE_OUTBOX_QUERY_KINDS; i++)
			xbuf_printf(&sql, ", ?");
		xbuf_printf(&sql, ")");
	}
	if (q->to != NULL)
		STORE_OUTBOX_AND("(recipient = ? OR member = ? OR "
		    "channel = ?)");
	if (q->community != NULL)
		STORE_OUTBOX_AND("community = ?");
	if (q->has_since)
		STORE_OUTBOX_AND("due >= ?");
	if (q->has_until)
		STORE_OUTBOX_AND("due < ?");
#undef STORE_OUTBOX_AND
	xbuf_printf(&sql, q->filter == STORE_OUTBOX_LIST_PENDING ?
	    " ORDER BY next_try, id" : " ORDER BY id");
	if (sqlite3_prepare_v2(st->db, sql.s, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < q->nkinds && i < STORE_OUTBOX_QUERY_KINDS; i++)
		sqlite3_bind_text(s, ++k, q->kinds[i], -1, SQLITE_STATIC);
	if (q->to != NULL) {
		sqlite3_bind_text(s, ++k, q->to, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, ++k, q->to, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, ++k, q->to, -1, SQLITE_STATIC);
	}
	if (q->community != NULL)
		sqlite3_bind_text(s, ++k, q->community, -1, SQLITE_STATIC);
	if (q->has_since)
		sqlite3_bind_int64(s, ++k, (sqlite3_int64)q->since);
	if (q->has_until)
		sqlite3_bind_int64(s, ++k, (sqlite3_int64)q->until);
	if (store_outbox_fetch(s, out, n) == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "listing the outbox");
	store_outbox_rows_free(*out, *n);
	*out = NULL;
	*n = 0;
out:
	sqlite3_finalize(s);
	free(sql.s);
	return rc;
}

int
store_outbox_retry(struct store *st, int64_t id, time_t now, bool *found,
    char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	*found = false;
	if (sqlite3_prepare_v2(st->db, "UPDATE outbox SET status = 'pending', "
	    "attempts = 0, next_try = ?1, claimed = NULL, changed = ?1 "
	    "WHERE id = ?2 AND status = 'failed'", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 2, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	*found = sqlite3_changes(st->db) > 0;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "retrying an outbox row");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_outbox_tally(struct store *st, struct store_outbox_tally **out,
    size_t *n, char **err)
{
	struct store_outbox_tally	*v = NULL;
	sqlite3_stmt			*s = NULL;
	size_t				 k = 0;
	int				 r, rc = -1;

	*out = NULL;
	*n = 0;
	/* Late: sent more than a minute after it was due (the worker was
	 * down, or the server kept refusing). */
	if (sqlite3_prepare_v2(st->db, "SELECT channel, status, count(*), "
	    "sum(attempts > 1), sum(status = 'sent' AND sent_at > due + 60) "
	    "FROM outbox GROUP BY channel, status ORDER BY channel, status",
	    -1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		v[k].channel = xstrdup((const char *)sqlite3_column_text(s, 0));
		v[k].status = xstrdup((const char *)sqlite3_column_text(s, 1));
		v[k].count = sqlite3_column_int64(s, 2);
		v[k].retried = sqlite3_column_int64(s, 3);
		v[k].late = sqlite3_column_int64(s, 4);
		k++;
	}
	if (r != SQLITE_DONE)
		goto fail;
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "tallying the outbox");
out:
	store_outbox_tally_free(v, k);
	sqlite3_finalize(s);
	return rc;
}

void
store_outbox_tally_free(struct store_outbox_tally *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].channel);
		free(v[i].status);
	}
	free(v);
}

int
store_outbox_next(struct store *st, bool *found, time_t *when, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 r, rc = -1;

	*found = false;
	if (sqlite3_prepare_v2(st->db, "SELECT min(next_try) FROM outbox "
	    "WHERE status = 'pending'", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	if ((r = sqlite3_step(s)) != SQLITE_ROW)
		goto fail;
	if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*found = true;
		*when = (time_t)sqlite3_column_int64(s, 0);
	}
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "finding the next message");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_outbox_any(struct store *st, const char *prefix, bool *found,
    char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 r;

	*found = false;
	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM outbox WHERE "
	    "substr(dedup, 1, length(?1)) = ?1 LIMIT 1", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(s)) != SQLITE_ROW && r != SQLITE_DONE)
		goto fail;
	*found = r == SQLITE_ROW;
	sqlite3_finalize(s);
	return 0;
fail:
	store_seterr(err, st->db, "reading the outbox");
	sqlite3_finalize(s);
	return -1;
}

void
store_announced_free(struct store_announced *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].meeting);
	free(v);
}

int
store_announced_get(struct store *st, const char *community,
    struct store_announced **out, size_t *n, char **err)
{
	struct store_announced	*v = NULL;
	sqlite3_stmt		*s = NULL;
	size_t			 len = 0;
	int			 r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT meeting, start, end, cancelled, "
	    "version FROM announced WHERE community = ? ORDER BY start, "
	    "meeting", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, len + 1, sizeof(*v));
		v[len].meeting = store_col_text(s, 0);
		v[len].start = (time_t)sqlite3_column_int64(s, 1);
		v[len].end = (time_t)sqlite3_column_int64(s, 2);
		v[len].cancelled = sqlite3_column_int(s, 3) != 0;
		v[len].version = sqlite3_column_int64(s, 4);
		len++;
	}
	if (r != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	*out = v;
	*n = len;
	return 0;
fail:
	store_seterr(err, st->db, "reading what was announced");
	sqlite3_finalize(s);
	store_announced_free(v, len);
	return -1;
}

int
store_announced_set(struct store *st, const char *community,
    const struct store_announced *v, size_t n, time_t keep_from,
    time_t keep_to, char **err)
{
	sqlite3_stmt	*s = NULL;
	size_t		 i;

	if (store_exec(st, "BEGIN IMMEDIATE; CREATE TEMP TABLE IF NOT EXISTS "
	    "announced_now (meeting TEXT PRIMARY KEY); DELETE FROM "
	    "temp.announced_now", "recording what was announced", err) == -1)
		return -1;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO announced (community, "
	    "meeting, start, end, cancelled, version) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6) ON CONFLICT (community, meeting) DO UPDATE SET start = "
	    "excluded.start, end = excluded.end, cancelled = "
	    "excluded.cancelled, version = excluded.version", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, v[i].meeting, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)v[i].start);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)v[i].end);
		sqlite3_bind_int(s, 5, v[i].cancelled);
		sqlite3_bind_int64(s, 6, v[i].version);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO "
	    "temp.announced_now (meeting) VALUES (?)", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(s, 1, v[i].meeting, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, "DELETE FROM announced WHERE "
	    "community = ?1 AND NOT (start >= ?2 AND start < ?3) AND meeting "
	    "NOT IN (SELECT meeting FROM temp.announced_now)", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)keep_from);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)keep_to);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;
	if (store_exec(st, "COMMIT", "recording what was announced",
	    err) == -1)
		goto rollback;
	return 0;
fail:
	store_seterr(err, st->db, "recording what was announced");
rollback:
	sqlite3_finalize(s);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
