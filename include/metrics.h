/* metrics: the worker's counters as Prometheus text (pure, no I/O).
 *
 * The HTTP server gathers a snapshot (its own request counters, the
 * worker's last cycle, the outbox tallied from the store) and renders it
 * here for GET /metrics.
 */
#ifndef PLC_METRICS_H
#define PLC_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Feed requests are counted by the status they were answered with. */
enum metrics_code { METRICS_200, METRICS_304, METRICS_404, METRICS_OTHER,
	METRICS_NCODES };

/* Outbox rows of one channel ("email" or a channel ID) in one status. */
struct metrics_outbox {
	const char	*channel;	/* config text: escaped when rendered */
	const char	*status;	/* "pending", "sent", … */
	int64_t		 count;
	int64_t		 retried;	/* of count: more than one attempt */
	int64_t		 late;		/* of count: sent over a minute late */
};

struct metrics_snapshot {
	time_t			 start_time;	/* process start, Unix time */
	bool			 has_cycle;
	double			 cycle_seconds;	/* the last cycle's duration */
	time_t			 last_cycle;	/* when it ended, Unix time */
	bool			 last_cycle_ok;
	uint64_t		 cycles, cycle_failures;
	uint64_t		 feed_requests[METRICS_NCODES];
	const struct metrics_outbox *outbox;
	size_t			 noutbox;
	uint64_t		 busy_failures;	/* busy sources that failed */
	/* Destinations failing for [worker] alert_after: channel IDs or
	 * "smtp", ", "-separated (config text: escaped when rendered);
	 * "" for none. */
	const char		*degraded;
	bool			 reload_failed;	/* the last SIGHUP's config was
						   refused */
};

/* The text/plain; version=0.0.4 exposition of m; allocated, caller frees. */
char	*metrics_render(const struct metrics_snapshot *m);

/*
 * What /healthz says, worst first: the worker has stopped for good (failed:
 * its state.db is lost); the database cannot be read; the last
 * cycle failed (as the worker saw it, or as the cycle log says: a cycle
 * that failed on a locked database could not log itself); no cycle has
 * ended for overdue_ms (0: never overdue), all times on one monotonic
 * clock; degraded: the worker works, but a destination has failed for
 * alert_after or the last reload was refused (someone must act, yet a
 * restart would not help).  Anything but METRICS_HEALTH_OK and
 * METRICS_HEALTH_DEGRADED answers 503.
 */
enum metrics_health { METRICS_HEALTH_OK, METRICS_HEALTH_DEGRADED,
	METRICS_HEALTH_OVERDUE,
	METRICS_HEALTH_FAILING, METRICS_HEALTH_UNAVAILABLE,
	METRICS_HEALTH_FAILED };
struct metrics_health_in {
	bool		db_ok;
	bool		last_failed;
	int64_t		now_ms, last_cycle_ms, overdue_ms;
	bool		failed;
	bool		degraded;
};
enum metrics_health metrics_health(const struct metrics_health_in *in);
/* "ok", "degraded", "overdue", "failing", "unavailable", "failed". */
const char	*metrics_health_name(enum metrics_health h);

#endif
