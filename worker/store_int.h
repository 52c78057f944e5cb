/* store_int: what the store's files share — private to worker/store*.c.
 *
 * store.h is the store's one public header; this one holds the connection's
 * insides and the statement helpers that store.c defines for the per-table
 * files (store_token.c, store_series.c, store_outbox.c, store_action.c,
 * store_busy.c).  Nothing outside worker/store*.c includes it, so sqlite3.h
 * stays inside the store module.
 */
#ifndef PLC_STORE_INT_H
#define PLC_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <sqlite3.h>

#include "store.h"

/* What one of the database's files was when it was opened. */
struct store_fid {
	bool	 known;
	dev_t	 dev;
	ino_t	 ino;
};

/* The database file and the two SQLite keeps beside it in WAL mode
 * (store.c's store_suffixes). */
#define STORE_NFILES	3

struct store {
	sqlite3	*db;
	/* For store_same_file: the path opened and what it named then. */
	char		*path;
	struct store_fid fids[STORE_NFILES];
};

/* *err (when err is not NULL) = "what: SQLite's message for db", allocated;
 * db NULL means SQLite could not even allocate a connection. */
void	store_seterr(char **err, sqlite3 *db, const char *what);

/* Run sql (one or more statements, no results): 0, or -1 with *err. */
int	store_exec(struct store *st, const char *sql, const char *what,
	    char **err);

/* A one-row, one-integer query into *v: 0, or -1 with *err. */
int	store_int64_query(struct store *st, const char *sql, const char *what,
	    int64_t *v, char **err);

/*
 * Step a prepared write (s may be NULL: preparing it failed) to its end and
 * finalize it: 0, or -1 with *err naming what.
 */
int	store_write(struct store *st, sqlite3_stmt *s, const char *what,
	    char **err);

/* Column i of the current row as an allocated string the caller frees;
 * NULL for SQL NULL. */
char	*store_col_text(sqlite3_stmt *s, int i);

#endif
