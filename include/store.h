/* store: the worker's durable state in SQLite (<state_dir>/state.db).
 *
 * The only module that includes sqlite3.h.  A struct store is one database
 * connection: use one per thread (the HTTP server opens its own).  The
 * database runs in WAL mode with a busy timeout and foreign keys on, and its
 * schema is brought up to date on open, driven by PRAGMA user_version.
 *
 * Functions return 0 on success or -1 with *err set to an allocated message
 * the caller frees (err may be NULL when the caller does not want it).
 */
#ifndef PLC_STORE_H
#define PLC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "civil.h"
#include "token.h"

struct store;

/* The schema version this build writes. */
#define STORE_SCHEMA_VERSION	11

/*
 * Open (creating if needed) the database at path and migrate it.  A database
 * from a newer build (user_version above ours) is refused rather than
 * damaged.  *out is set only on success; close it with store_close.
 * Whether a database may be created at all is the caller's policy: the
 * commands and the worker go through statedir_open_store (statedir.h).
 */
int	store_open(const char *path, struct store **out, char **err);
/*
 * The same, but never creates a database: returns 1 (*out NULL, *err
 * untouched) when there is none at path, that is no file or a file with no
 * schema (an empty one, or one whose WAL was removed before its first
 * checkpoint); nothing is created or written then.  0 with *out set, or -1
 * with *err allocated, as store_open.
 */
int	store_open_existing(const char *path, struct store **out, char **err);
void	store_close(struct store *st);
int	store_schema_version(struct store *st);
/*
 * How long a statement on st waits for a lock another connection holds
 * before it fails with "database is locked": ms milliseconds, more than 0.
 * store_open sets STORE_BUSY_TIMEOUT_MS.
 */
#define STORE_BUSY_TIMEOUT_MS	5000
void	store_set_busy_timeout(struct store *st, int ms);

/*
 * Does the path st was opened with still name the file st has open (same
 * st_dev and st_ino as when it was opened), and do <path>-wal and -shm still
 * name the ones SQLite opened?  Another process that opens the path must see
 * the same database as st, or the state splits in two.  Returns 0 when so;
 * 1 when not, with *why allocated ("…/state.db was deleted", "… was replaced
 * by another file"); -1 when it cannot tell (stat failed otherwise), with
 * *why allocated.
 */
int	store_same_file(struct store *st, char **why);
/*
 * For a store whose file is lost (store_same_file said 1): hold its write
 * lock until store_close, so that the other connections of this process
 * (the HTTP server's) cannot record anything more in a file nobody will
 * read; and keep its close from deleting <path>-wal and -shm by name,
 * which may belong to another database by then.  Waits for a writer of
 * this process as long as the busy timeout.  0, or -1 with *err.
 */
int	store_fence(struct store *st, char **err);

/*
 * Small key/value facts (the link secret, when the worker first ran).
 * store_meta_get sets *value to an allocated copy, or NULL when unset.
 */
int	store_meta_get(struct store *st, const char *key, char **value,
	    char **err);
int	store_meta_set(struct store *st, const char *key, const char *value,
	    char **err);

/*
 * The cycle log: one row per worker cycle.  store_cycle_begin returns the
 * cycle's id in *id; store_cycle_end records its outcome (message may be NULL).
 */
int	store_cycle_begin(struct store *st, time_t started, int64_t *id,
	    char **err);
int	store_cycle_end(struct store *st, int64_t id, time_t finished, bool ok,
	    const char *message, char **err);
/* The last finished cycle; *found is false when there has been none. */
int	store_cycle_last(struct store *st, bool *found, time_t *finished,
	    bool *ok, char **err);

/*
 * Feed tokens: 128 random bits from getrandom(), written as 32 lowercase hex
 * characters.  Each owner (a member or a community, by config ID) has at most
 * one live token; a rotated token is kept, revoked, so that it is never
 * handed out again.  Tokens are secrets: never log them.
 */
enum store_token_kind { STORE_TOKEN_MEMBER, STORE_TOKEN_COMMUNITY };

#define STORE_TOKEN_LEN		TOKEN_LEN

/* "member" or "community". */
const char *store_token_kind_name(enum store_token_kind kind);

/*
 * The live token of (kind, owner) into token, creating one (dated now) when
 * there is none.  Safe against another process creating it at the same time:
 * both end up with the same token.
 */
int	store_token_get_or_create(struct store *st, enum store_token_kind kind,
	    const char *owner, time_t now, char token[STORE_TOKEN_LEN + 1],
	    char **err);
/*
 * Revoke the live token of (kind, owner), if any, and create a new one, in
 * one transaction; the new token is written into token.
 */
int	store_token_rotate(struct store *st, enum store_token_kind kind,
	    const char *owner, time_t now, char token[STORE_TOKEN_LEN + 1],
	    char **err);

struct store_token {
	enum store_token_kind	 kind;
	char			*owner;
	char			 token[STORE_TOKEN_LEN + 1];
	time_t			 created;
};
/*
 * Every live token, ordered by kind and owner.  *out is allocated (free it
 * with store_token_list_free), *n its length.
 */
int	store_token_list(struct store *st, struct store_token **out,
	    size_t *n, char **err);
void	store_token_list_free(struct store_token *list, size_t n);

/*
 * Bring the stored state of a community's meeting series up to date and
 * return it.  The first sight of a community stores it with sequence 0 and
 * created = changed = now.  A fingerprint (or uid) different from the stored
 * one raises the sequence by one and sets changed = now; the same one writes
 * nothing, so the same config renders byte-identical feeds.
 */
int	store_series_sync(struct store *st, const char *community,
	    const char *uid, const char *fingerprint, time_t now,
	    int *sequence, time_t *created, time_t *changed, char **err);

/*
 * The slot an `auto` community's series is held at (slot_day CIVIL_MO..SU,
 * slot_time seconds after midnight): *found is false when none is stored.
 * store_series_set_slot records it on the community's series row, which
 * store_series_sync must have created.
 */
int	store_series_slot(struct store *st, const char *community, bool *found,
	    int *day, int *secs, char **err);
int	store_series_set_slot(struct store *st, const char *community, int day,
	    int secs, char **err);

/*
 * One epoch of a community's meeting series (series.h says what they mean):
 * its UID, the series dates it covers (from/until, inclusive; unset: the
 * config's start/until), its slot and rule (has_shape false: a series
 * stored before epochs, whose shape is not known), the fingerprints its
 * metadata follows, and SEQUENCE and change times.  n orders the epochs.
 */
struct store_epoch {
	int		 n;
	char		*uid;
	bool		 has_from, has_until;
	struct civil_date from, until;
	bool		 has_shape;
	int		 cadence, day, week, at;	/* at: seconds */
	char		*rrule;		/* NULL unless the cadence is a rule */
	int64_t		 duration;
	char		*tz;		/* zone name */
	char		*fingerprint, *detail;
	int		 sequence;
	time_t		 created, changed;
};

/*
 * The epochs of a community's series, by n (none: *n = 0).  *out is
 * allocated; free it with store_epoch_list_free.
 */
int	store_epoch_list(struct store *st, const char *community,
	    struct store_epoch **out, size_t *n, char **err);
void	store_epoch_list_free(struct store_epoch *list, size_t n);
/* Replace a community's epochs with list[0..n), in one transaction. */
int	store_epoch_save(struct store *st, const char *community,
	    const struct store_epoch *list, size_t n, char **err);

/*
 * Busy sources (a member's `busy` paths and URLs, keyed by the text as
 * configured; never turned into a file name): the last good copy with its
 * validators, when it was fetched, and how the last try went.  Everything
 * but `source` comes from untrusted data.
 */
struct store_busy {
	char	*source;
	bool	 has_copy;
	char	*body;		/* NUL-terminated; NULL from store_busy_list */
	size_t	 len;
	char	*etag, *last_modified;	/* may be NULL */
	time_t	 fetched;	/* of the copy; 0 when none */
	time_t	 checked;	/* the last try */
	char	*error;		/* the last try's error, NULL when it was good */
};
void	store_busy_clear(struct store_busy *b);
/* *found false when the source was never tried; *b is cleared then. */
int	store_busy_get(struct store *st, const char *source, bool *found,
	    struct store_busy *b, char **err);
/* A good copy arrived: keep it, clear the error. */
int	store_busy_good(struct store *st, const char *source, const char *body,
	    size_t len, const char *etag, const char *last_modified, time_t now,
	    char **err);
/* A try that kept the copy: unchanged (error NULL) or failed (error set). */
int	store_busy_checked(struct store *st, const char *source, time_t now,
	    const char *error, char **err);
/* Every source tried, by source, without bodies; free each with
 * store_busy_clear and the array with free. */
int	store_busy_list(struct store *st, struct store_busy **out, size_t *n,
	    char **err);

/*
 * A source's busy intervals as last expanded in one zone (busy.c): the
 * bytes' hash and length, the range [from, to) the expansion covered, and
 * either the intervals (pairs of int64_t, from < to) or the reason the
 * bytes were refused.  Read back, iv is as untrusted as the database file:
 * the caller checks it.
 */
struct store_busy_exp {
	uint64_t	 hash;
	size_t		 len;
	int64_t		 from, to;
	int64_t		*iv;		/* 2 * niv values; NULL with error */
	size_t		 niv;
	char		*error;		/* NULL: iv holds the intervals */
};
void	store_busy_exp_clear(struct store_busy_exp *e);
/* *found false (and *e cleared) when there is none for source and zone. */
int	store_busy_exp_get(struct store *st, const char *source,
	    const char *zone, bool *found, struct store_busy_exp *e,
	    char **err);
/* Keep e for source and zone, replacing what was kept. */
int	store_busy_exp_put(struct store *st, const char *source,
	    const char *zone, const struct store_busy_exp *e, char **err);

/*
 * Busy sources no longer asked for: delete the busy_expanded rows whose
 * (source, zone) is not one of the n pairs sources[i], zones[i] (the
 * config's members' busy sources, each in its member's zone).  *removed
 * (may be NULL) gets the number of rows deleted.  Returns 0, or -1 with
 * *err allocated (nothing deleted).
 */
int	store_busy_exp_prune(struct store *st, const char *const *sources,
	    const char *const *zones, size_t n, size_t *removed, char **err);

/*
 * An auto community's ranking key (place.c: a hash of what its last
 * ranking read and of the slot it left in force); *found false when none
 * is kept.  store_place_set_key replaces it.
 */
int	store_place_key(struct store *st, const char *community, bool *found,
	    uint64_t *key, char **err);
int	store_place_set_key(struct store *st, const char *community,
	    uint64_t key, char **err);

/*
 * SQLite's PRAGMA data_version for this connection: it changes when another
 * connection (another process, or another thread's store) has committed
 * since the last call, and never because of this connection's own writes.
 */
int	store_data_version(struct store *st, int64_t *version, char **err);

/* The number of outbox rows still waiting to be sent (status pending). */
int	store_outbox_depth(struct store *st, int64_t *depth, char **err);

/* ------------------------------------------------------------- backup */

/* The destination could not be created: it exists, or so does its
 * temporary file, or its directory refuses. */
#define STORE_BACKUP_CANTCREAT	(-2)

/*
 * Write a consistent copy of st's database to the new file path (the
 * operator's choice, trusted as a path), using SQLite's online backup, so it
 * is safe while the worker runs.  The copy goes to "path.tmp" (created with
 * O_EXCL, mode 0600), is fsynced and then linked to path, so path either does
 * not exist or holds the whole copy.  Never overwrites: when path exists
 * (or appears meanwhile), or path.tmp cannot be created, returns
 * STORE_BACKUP_CANTCREAT and leaves path alone; other failures (reading
 * or writing the copy) return -1.  *err is set in both cases.
 */
int	store_backup(struct store *st, const char *path, char **err);

/*
 * ---- outbox ----------------------------------------------------------
 *
 * Every message that should exist, keyed by a dedup key so that planning
 * again never adds a second copy.  A row's life: pending -> sending (claimed)
 * -> sent | pending again (retry) | failed (permanent); pending -> skipped
 * (expired before it could go) | withdrawn (no longer planned; planning it
 * again revives it).  Claims and marks are transactions, so a crash leaves
 * at most the claimed rows in 'sending', and store_outbox_recover puts them
 * back: they may be sent twice, nothing is lost.
 *
 * Subjects, bodies and answers are untrusted text when they come from item
 * text or a server; the store keeps them as they are.
 */
enum store_outbox_status { STORE_OUTBOX_PENDING, STORE_OUTBOX_SENDING,
	STORE_OUTBOX_SENT, STORE_OUTBOX_FAILED, STORE_OUTBOX_SKIPPED,
	STORE_OUTBOX_WITHDRAWN };

/* "pending", "sending", … as stored. */
const char *store_outbox_status_name(enum store_outbox_status s);

/* Retries wait 60 s, doubling per attempt, at most an hour. */
#define STORE_OUTBOX_BACKOFF_BASE	60
#define STORE_OUTBOX_BACKOFF_CAP	3600

/* A message to plan; the strings are the caller's.  audience, member,
 * community and meeting say what it is about (plan.h's struct plan_msg),
 * so that the sender need not read them out of dedup; each may be NULL. */
struct store_outbox_new {
	const char	*dedup, *kind, *channel, *recipient;
	const char	*subject;	/* may be NULL */
	const char	*body;
	time_t		 due, expires;
	const char	*audience, *member, *community, *meeting;
	/* A community's post: the member IDs it stands for, comma-separated
	 * (plan.h); NULL for a member's message. */
	const char	*members;
	/* What the rows of one meeting or item for one recipient share
	 * across lead times (plan.h), or NULL. */
	const char	*topic;
	const char	*html;		/* an e-mail's HTML alternative, or
					   NULL (branch report) */
};

/*
 * What one planning pass covers: the pending rows whose dedup key starts
 * with one of the prefixes and whose expiry lies in [from, to) are the
 * pass's to keep or withdraw.  reason becomes the withdrawn rows'
 * last_answer.
 */
struct store_outbox_scope {
	const char *const	*prefixes;
	size_t			 nprefixes;
	time_t			 from, to;
	const char		*reason;
};

struct store_outbox_counts {
	long	inserted, updated, unchanged, withdrawn;
};

/*
 * Make the outbox match a plan, in one transaction.  A new dedup key is
 * inserted (due, next_try = due).  A known key still pending (or withdrawn)
 * takes the new kind, channel, recipient, subject, body, due and expiry
 * (and audience, member, community and meeting with them), and a
 * withdrawn row is pending again; when the old and the new due time
 * are both at or before now the old one stays, so that "due now" does not
 * churn.  Rows in any other state are left alone: a sent message is never
 * planned twice.  Then, when scope is not NULL, the pending rows in scope
 * that the plan does not name are withdrawn.  counts may be NULL.
 */
int	store_outbox_plan(struct store *st, const struct store_outbox_new *rows,
	    size_t n, const struct store_outbox_scope *scope, time_t now,
	    struct store_outbox_counts *counts, char **err);

struct store_outbox_row {
	int64_t				 id;
	char				*dedup, *kind, *channel, *recipient;
	char				*subject;	/* or NULL */
	char				*body;
	char				*last_answer;	/* or NULL */
	enum store_outbox_status	 status;
	int				 attempts;
	time_t				 due, expires;	/* expires 0: none */
	time_t				 next_try, claimed, sent_at; /* 0: unset */
	time_t				 created, changed;
	/* As planned (struct store_outbox_new); NULL when not known. */
	char				*audience, *member, *community;
	char				*meeting;
	char				*members, *topic;
	char				*html;		/* or NULL */
};
void	store_outbox_rows_free(struct store_outbox_row *rows, size_t n);

/* The last_answer of a row skipped because a nearer one of its topic was
 * due with it. */
#define STORE_OUTBOX_SUPERSEDED	"superseded: a nearer reminder of it was due too"

/*
 * In one transaction: every pending row whose expiry is before now becomes
 * skipped with last_answer "expired"; every pending row with next_try <= now
 * that shares its topic with another such row due later (nearer the meeting
 * or item) becomes skipped with last_answer STORE_OUTBOX_SUPERSEDED, so that
 * after downtime only the nearest lead time goes; then up to limit pending
 * rows with next_try <= now become sending with claimed = now, change
 * notices first (kind "change": they say what the reminders are about),
 * then earliest first.
 * *out (free with store_outbox_rows_free) holds the skipped rows first, then
 * the claimed ones, each with its new status, so that the caller can log the
 * skipped and send the claimed; *n is its length.
 */
int	store_outbox_claim(struct store *st, time_t now, size_t limit,
	    struct store_outbox_row **out, size_t *n, char **err);

/*
 * The outcome of sending a claimed row (status sending; any other status
 * is an error, so a row is never marked twice).  answer is what the server
 * said (untrusted, may be NULL), kept as last_answer; each counts one
 * attempt.
 *
 * mark_retry puts the row back to pending: with retry_after >= 0 (a
 * Retry-After header) next_try = now + retry_after; otherwise the backoff
 * for this attempt (base 60 s, doubling, at most an hour) scaled by
 * 0.5 + jitter / 2, jitter in [0, 1] from the caller's random source (so a
 * crowd of retries spreads out, and tests can fix it).
 */
int	store_outbox_mark_sent(struct store *st, int64_t id, time_t now,
	    const char *answer, char **err);
int	store_outbox_mark_retry(struct store *st, int64_t id, time_t now,
	    const char *answer, long retry_after, double jitter, char **err);
int	store_outbox_mark_failed(struct store *st, int64_t id, time_t now,
	    const char *answer, char **err);

/*
 * Many outcomes at once (a batch's hot path): each as the call of its kind
 * above or below would record it (store_outbox_release for RELEASE), in
 * order, with each statement prepared once.  Stops at the first that
 * fails: -1 with *err, the earlier ones written (in the caller's
 * transaction, which it then rolls back).  answer (untrusted, may be NULL)
 * is used by SENT, RETRY and FAILED; retry_after and jitter by RETRY;
 * next_try by RELEASE.
 */
enum store_outbox_mark_kind { STORE_OUTBOX_MARK_SENT, STORE_OUTBOX_MARK_RETRY,
	STORE_OUTBOX_MARK_FAILED, STORE_OUTBOX_MARK_RELEASE };
struct store_outbox_mark {
	int64_t				 id;
	enum store_outbox_mark_kind	 kind;
	const char			*answer;
	long				 retry_after;
	double				 jitter;
	time_t				 next_try;
};
int	store_outbox_mark_all(struct store *st,
	    const struct store_outbox_mark *v, size_t n, time_t now,
	    char **err);

/*
 * One transaction around many marks, so a group of outcomes costs one
 * commit instead of one each.  A crash before store_tx_commit leaves the
 * group in 'sending' (store_outbox_recover sends it again): nothing is
 * lost, and at most the group goes twice, so keep it small.
 * store_tx_rollback accepts a store with no transaction open.
 */
int	store_tx_begin(struct store *st, char **err);
int	store_tx_commit(struct store *st, char **err);
void	store_tx_rollback(struct store *st);

/*
 * A claimed row back to pending, untried (attempts unchanged), to go at
 * next_try: a channel's pace held it back.
 */
int	store_outbox_release(struct store *st, int64_t id, time_t now,
	    time_t next_try, char **err);
/*
 * After a crash: rows left in sending go back to pending with their
 * next_try, to be sent (again) at once.  *n (may be NULL) is their count.
 */
int	store_outbox_recover(struct store *st, time_t now, long *n, char **err);

/*
 * Withdraw every pending row whose community (outbox.community) is not
 * one of keep[0..n-1] (rows with none are kept): a community taken out of the
 * config sends nothing more; what was announced of it is forgotten too.  *withdrawn (may be NULL) gets the count.
 */
int	store_outbox_withdraw_others(struct store *st, const char *const *keep,
	    size_t n, time_t now, long *withdrawn, char **err);

enum store_outbox_filter { STORE_OUTBOX_LIST_PENDING,
	STORE_OUTBOX_LIST_FAILED, STORE_OUTBOX_LIST_ALL };
/*
 * The rows pending (and sending), failed, or all, by next_try then id for
 * pending and by id otherwise.  *out is allocated
 * (store_outbox_rows_free), *n its length.
 */
int	store_outbox_list(struct store *st, enum store_outbox_filter filter,
	    struct store_outbox_row **out, size_t *n, char **err);
/*
 * store_outbox_list narrowed: rows whose kind is one of kinds[0..nkinds)
 * (none: any), that are for `to` (their recipient, member or channel is
 * it; NULL: anyone), about `community` (NULL: any), and due in
 * [since, until) (each only when its has_ flag is set).  Every value is
 * bound, never spliced into the SQL, so any text is safe; the strings stay
 * the caller's.  The order and *out are as for store_outbox_list.
 */
#define STORE_OUTBOX_QUERY_KINDS	4
struct store_outbox_query {
	enum store_outbox_filter	 filter;
	const char			*kinds[STORE_OUTBOX_QUERY_KINDS];
	size_t				 nkinds;
	const char			*to, *community;
	bool				 has_since, has_until;
	time_t				 since, until;
};
int	store_outbox_query(struct store *st, const struct store_outbox_query *q,
	    struct store_outbox_row **out, size_t *n, char **err);
/*
 * A failed row back to pending, to be tried at now with its attempts reset.
 * *found is false (and nothing changes) when row id does not exist or has
 * not failed.
 */
int	store_outbox_retry(struct store *st, int64_t id, time_t now,
	    bool *found, char **err);

/*
 * How many rows each channel has in each status, how many of them took more
 * than one attempt, and how many were sent over a minute late (/metrics).
 */
struct store_outbox_tally {
	char	*channel, *status;
	int64_t	 count, retried, late;
};
int	store_outbox_tally(struct store *st, struct store_outbox_tally **out,
	    size_t *n, char **err);
void	store_outbox_tally_free(struct store_outbox_tally *v, size_t n);

/* When the next pending row is to be tried; *found false when none is. */
int	store_outbox_next(struct store *st, bool *found, time_t *when,
	    char **err);

/*
 * ---- announced ---------------------------------------------------------
 *
 * What the members were last told of each meeting of a community, by its
 * series date ("2026-12-08"): its start and end, whether it is cancelled,
 * and how many times it was announced (version, from 1), so that each
 * change is told once (plan.h, plan_changes).
 */
struct store_announced {
	char	*meeting;
	time_t	 start, end;
	bool	 cancelled;
	int64_t	 version;
};
/* The community's rows, by start.  *out allocated
 * (store_announced_free), *n its length. */
int	store_announced_get(struct store *st, const char *community,
	    struct store_announced **out, size_t *n, char **err);
/* In one transaction: the community's rows become v[0..n-1], except that
 * rows not in v whose start lies in [keep_from, keep_to) are kept. */
int	store_announced_set(struct store *st, const char *community,
	    const struct store_announced *v, size_t n, time_t keep_from,
	    time_t keep_to, char **err);
void	store_announced_free(struct store_announced *v, size_t n);
/* Whether any outbox row's dedup key starts with prefix. */
int	store_outbox_any(struct store *st, const char *prefix, bool *found,
	    char **err);

/*
 * ---- action items ------------------------------------------------------
 *
 * What members promised at a meeting, with a due date in the community's
 * zone.  Every change is one transaction that also writes one history row
 * per changed field (what, from, to, when, by whom).  Titles and notes are
 * untrusted text; the callers validate them.
 */
enum store_action_status { STORE_ACTION_OPEN, STORE_ACTION_DONE };

/*
 * Destinations: a chat channel (by its ID) or "smtp", never by URL.  What
 * deliver.c knows of each one's health: held until hold_until (Retry-After
 * or backoff), failures in a row since failing_since, whether the
 * facilitators were told.  error is the last failure's answer (untrusted
 * server text, bounded by the sender).
 */
struct store_dest {
	char	*name;
	time_t	 hold_until;	/* 0: none */
	int	 failures;
	time_t	 failing_since;	/* 0: not failing */
	bool	 alerted;
	char	*error;		/* or NULL */
};
/* Every destination with a record, by name, into *out (free with
 * store_dest_list_free). */
int	store_dest_list(struct store *st, struct store_dest **out, size_t *n,
	    char **err);
void	store_dest_list_free(struct store_dest *v, size_t n);
/* Insert or replace d's record. */
int	store_dest_save(struct store *st, const struct store_dest *d,
	    char **err);

struct store_action {
	int64_t				 id;
	char				*community, *owner, *title;
	char				*notes;		/* or NULL */
	struct civil_date		 due;
	enum store_action_status	 status;
	int				 sequence;	/* rises when due moves */
	time_t				 created, changed;
	time_t				 opened;	/* created, or last
							 * reopened */
	time_t				 done_at;	/* done: when it was
							 * last marked done
							 * (history); else 0 */
	/* Branch report: the meeting it came from (series date). */
	bool				 has_meeting;
	struct civil_date		 meeting;
};
void	store_action_free(struct store_action *a);
void	store_action_list_free(struct store_action *v, size_t n);

/* Record a new open item; *id is its number. */
int	store_action_add(struct store *st, const char *community,
	    const char *owner, const char *title, const char *notes,
	    struct civil_date due, time_t now, const char *actor, int64_t *id,
	    char **err);
/* The same, tied to the meeting (series date) that produced it; meeting
 * NULL: none. */
int	store_action_add_meeting(struct store *st, const char *community,
	    const char *owner, const char *title, const char *notes,
	    struct civil_date due, const struct civil_date *meeting,
	    time_t now, const char *actor, int64_t *id, char **err);
/* Item id into *out (store_action_free); *found false when none. */
int	store_action_get(struct store *st, int64_t id, bool *found,
	    struct store_action *out, char **err);

struct store_action_filter {
	const char		*community;	/* NULL: any */
	const char		*owner;		/* NULL: any */
	int			 status;	/* -1: any, else the enum */
};
/* The items that pass f, oldest due first, then by number. */
int	store_action_list(struct store *st, const struct store_action_filter *f,
	    struct store_action **out, size_t *n, char **err);

/*
 * Set an item's status (done or open again); note (may be NULL) goes into
 * the history row.  *changed false when it already had that status.
 * *found false when there is no such item.
 */
int	store_action_set_status(struct store *st, int64_t id,
	    enum store_action_status status, const char *note, time_t now,
	    const char *actor, bool *found, bool *changed, char **err);
/*
 * Change the due date, owner and/or title (NULL: unchanged); one history
 * row per field that really changes; a new due date raises the sequence.
 */
int	store_action_edit(struct store *st, int64_t id,
	    const struct civil_date *due, const char *owner, const char *title,
	    time_t now, const char *actor, bool *found, char **err);

struct store_action_change {
	time_t	 at;
	char	*actor, *field;
	char	*old, *new;	/* NULL for none */
};
int	store_action_history(struct store *st, int64_t id,
	    struct store_action_change **out, size_t *n, char **err);
void	store_action_history_free(struct store_action_change *v, size_t n);

/* store_meeting.c: RSVPs, one-off meeting changes, the quorum watch.
 * Community and member IDs and dates are stored as given (the callers
 * check them against the config); meeting is the series date (ISO). */

enum store_rsvp_answer { STORE_RSVP_NONE, STORE_RSVP_YES, STORE_RSVP_NO };

/* Record member's answer (YES or NO) for a meeting at now. */
int	store_rsvp_add(struct store *st, const char *community,
	    const char *meeting, const char *member,
	    enum store_rsvp_answer answer, time_t now, char **err);

/* One member's latest answer to a meeting, and how many they gave. */
struct store_rsvp {
	char			*member;
	enum store_rsvp_answer	 answer;
	time_t			 at;
	long			 count;
};
/*
 * The latest answer of every member who answered a meeting, by member ID.
 * *out allocated (free with store_rsvp_list_free), *n its length.
 */
int	store_rsvp_list(struct store *st, const char *community,
	    const char *meeting, struct store_rsvp **out, size_t *n,
	    char **err);
void	store_rsvp_list_free(struct store_rsvp *v, size_t n);

enum store_meeting_action { STORE_MEETING_MOVE, STORE_MEETING_CANCEL,
	STORE_MEETING_RESTORE };

/* One one-off change of a meeting.  Strings owned by the struct. */
struct store_meeting_change {
	char				*community;
	char				*meeting;	/* series date */
	enum store_meeting_action	 action;
	char				*to_date;	/* MOVE: ISO date */
	int				 to_time;	/* MOVE: minutes past
							   midnight, -1: none */
	char				*note;		/* may be NULL */
	char				*by;		/* "alice", "link:bob" */
	time_t				 at;
};
/* Record a change (c's strings are the caller's). */
int	store_meeting_change_add(struct store *st,
	    const struct store_meeting_change *c, char **err);
/*
 * The changes in force: per meeting of every community, its latest change
 * when that is a move or a cancel (a restore leaves none), oldest meeting
 * first.  community NULL: every community.  Free with
 * store_meeting_changes_free.
 */
int	store_meeting_changes(struct store *st, const char *community,
	    struct store_meeting_change **out, size_t *n, char **err);
void	store_meeting_changes_free(struct store_meeting_change *v, size_t n);

/* The quorum watch's last outcome for a meeting: *found false when none
 * was told yet; *serial counts the messages told. */
int	store_quorum_get(struct store *st, const char *community,
	    const char *meeting, bool *found, char **outcome, long *serial,
	    char **err);
int	store_quorum_set(struct store *st, const char *community,
	    const char *meeting, const char *outcome, long serial, time_t now,
	    char **err);
/*
 * ---- attendance (branch report) ----------------------------------------
 *
 * Who came to a meeting (community, series date), one row per member,
 * with when and by whom it was recorded; recording again replaces a
 * member's row.  Member IDs are the caller's to validate.
 */
struct store_attend {
	char			*member;
	struct civil_date	 meeting;
	bool			 present;
	time_t			 at;
	char			*actor;
};
/* Record n members' presence at one meeting, in one transaction. */
int	store_attend_set(struct store *st, const char *community,
	    struct civil_date meeting, const char *const *members,
	    const bool *present, size_t n, time_t now, const char *actor,
	    char **err);
/* Every row of community (meeting NULL) or of one meeting, by meeting
 * then member; *out allocated (store_attend_free). */
int	store_attend_list(struct store *st, const char *community,
	    const struct civil_date *meeting, struct store_attend **out,
	    size_t *n, char **err);
void	store_attend_free(struct store_attend *v, size_t n);

#endif
