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

#endif
