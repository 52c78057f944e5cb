/* statedir: the state directory as one whole.
 *
 * <state_dir> holds state.db (with its -wal and -shm), feeds/, link.key,
 * mail/ and lock.  Two rules keep its state from splitting in two:
 *
 * - Only one worker runs on it.  The lock is an flock on the directory
 *   itself, which cannot be deleted from under its holder as a lock file
 *   can; <state_dir>/lock only holds the pid, for people and messages.
 * - A database is created only in a directory that holds no trace of an
 *   earlier one (files in feeds/, lock, link.key, state.db-wal or -shm).
 *   Where those are and state.db is not, a new database would give every
 *   feed a new URL and forget every item and the outbox: the open is
 *   refused, pointing to a backup, and nothing is created.
 *
 * state_dir is the operator's choice (trusted as a path).  Functions return
 * 0 on success or -1 with *err allocated, unless said otherwise.
 */
#ifndef PLC_STATEDIR_H
#define PLC_STATEDIR_H

struct store;

/* The pid file's name in the state directory. */
#define STATEDIR_PID_FILE	"lock"

/*
 * Take the single-worker lock on state_dir (which must exist): flock, not
 * waiting.  Returns 0 with *fd set (closing it, or the process ending,
 * releases the lock); 1 when another process holds it, with *err saying
 * so (and naming its pid when the pid file is there); -1 on error.
 */
int	statedir_lock(const char *state_dir, int *fd, char **err);

/*
 * Write this process's pid into <state_dir>/STATEDIR_PID_FILE (mode 0640),
 * for the message of statedir_lock and for people.  Call after
 * statedir_open_store, so that a start that failed before leaves no trace.
 */
int	statedir_note_pid(const char *state_dir, char **err);

/*
 * Open <state_dir>/state.db (store_open), creating it only when the
 * directory holds no trace of an earlier database; otherwise *err says
 * which traces are there and how to restore a backup or start afresh.  The
 * directory itself is never created.  *out is set only on success.
 */
int	statedir_open_store(const char *state_dir, struct store **out,
	    char **err);

#endif
