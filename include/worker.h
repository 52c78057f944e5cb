/* worker: the long-running loop that joins the modules.
 *
 * One thread plans and publishes (and, in later stages, delivers); the HTTP
 * server runs in threads of its own.  A cycle (worker.c's worker_cycle)
 * publishes every feed and is logged in the store; the loop runs one at
 * start, then again when the config is reloaded (SIGHUP) or when another
 * process changed the database (`token rotate`), and stops cleanly on
 * SIGTERM or SIGINT.  Signals arrive through a signalfd, never a handler.
 * Only one worker runs on a state directory: the directory itself is held
 * with flock for the worker's lifetime (statedir.h).  The worker checks
 * each time round its loop that <state_dir>/state.db is still the file it
 * has open; when it is not (deleted, replaced), it stops planning and
 * sending at once, says so in the log, STATUS= and /healthz ("failed"),
 * and exits with WORKER_LOST.
 */
#ifndef PLC_WORKER_H
#define PLC_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"

struct worker_opts {
	/* The config at start; borrowed.  Reloads read cfg->path again and
	 * are owned by the worker. */
	const struct config	*cfg;
	bool			 once;		/* one cycle, then return */
	bool			 has_now;
	/* With has_now: the clock starts at this instant and runs on. */
	time_t			 now;
	/* -v or -q was given: a reload keeps the level, whatever the new
	 * config's log_level says. */
	bool			 log_forced;
	/* For the tests: the stop's grace, the wait before a failed cycle
	 * is retried and how long a cycle waits for the database's write
	 * lock held by another process, in milliseconds; 0 keeps the
	 * defaults (10 s, 30 s, STORE_BUSY_TIMEOUT_MS). */
	int64_t			 stop_grace_ms;
	int64_t			 retry_ms;
	int64_t			 lock_wait_ms;
};

enum worker_result {
	WORKER_OK,
	WORKER_LOCKED,		/* another worker holds the state directory */
	WORKER_UNAVAILABLE,	/* state directory, database or port unusable */
	WORKER_FAILED,		/* --once: the cycle failed (worth a retry) */
	WORKER_LOST,		/* state.db was deleted or replaced while the
				   worker ran: it stopped */
};

/*
 * Run the worker until it is told to stop (or one cycle with opts->once).
 * Returns WORKER_OK, or another result with *err allocated.
 */
enum worker_result worker_run(const struct worker_opts *opts, char **err);

#endif
