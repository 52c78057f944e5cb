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

struct store;

/* The schema version this build writes. */
#define STORE_SCHEMA_VERSION	1

/*
 * Open (creating if needed) the database at path and migrate it.  A database
 * from a newer build (user_version above ours) is refused rather than
 * damaged.  *out is set only on success; close it with store_close.
 */
int	store_open(const char *path, struct store **out, char **err);
void	store_close(struct store *st);
int	store_schema_version(struct store *st);

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

#define STORE_TOKEN_LEN		32	/* hex characters, without the NUL */

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

#endif
