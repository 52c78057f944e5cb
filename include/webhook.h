/* webhook: chat payloads posted to incoming-webhook URLs with libcurl.
 *
 * The only module that uses libcurl for HTTP.  A channel's URL is a secret
 * (whoever has it can post): it is never logged, and errors name only its
 * scheme and host.  `file:/path.jsonl` URLs append the payload as one JSON
 * line instead (the demo's dry run).
 */
#ifndef PLC_WEBHOOK_H
#define PLC_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "stop.h"

enum webhook_status { WEBHOOK_OK, WEBHOOK_TEMPFAIL, WEBHOOK_PERMFAIL };

struct webhook_result {
	enum webhook_status	 status;
	long			 code;		/* HTTP status; 0 if none */
	long			 retry_after;	/* seconds; -1 if not given */
	char			*answer;	/* allocated: "202 Accepted: …",
						   untrusted, bounded */
	bool			 untried;	/* TEMPFAIL before it was
						   started: a stop */
	bool			 cut;		/* WEBHOOK_OK, though the
						   transfer failed after the
						   2xx status (answer says
						   how): log it as a warning */
};

/*
 * What an HTTP answer means for a retry: 2xx sent; 408, 429 and 5xx try
 * again; any other status refused for good.
 */
enum webhook_status webhook_classify(long code);

/*
 * A Retry-After value (untrusted): delta-seconds, or an HTTP-date relative
 * to now.  -1 when absent or unreadable; never more than a day.
 */
long	webhook_retry_after(const char *value, time_t now);

/*
 * Post every job's payload at once through libcurl's multi interface (at
 * most 64 transfers in flight, and all of them may go to one channel),
 * each with connect and total timeouts; file: URLs are appended to in
 * turn.  Every job's res is filled (free res.answer).  p (may be NULL)
 * keeps the connections open for its next call, so a busy outbox reuses
 * them instead of opening new ones each round.  Once stop (may be NULL) is
 * asked for, no transfer starts (res.untried) and those in flight are cut
 * off when its grace is over (WEBHOOK_TEMPFAIL).
 *
 * A 2xx status means the service took the post, whatever happens to the
 * rest of the answer: a body that stalls, a timeout or a dropped
 * connection after it, or a stop, still make WEBHOOK_OK (res.cut), since
 * a retry would post twice.  Once the 2xx headers are in, the body gets
 * 5 s more at most (it is only kept for the log).
 *
 * notify (may be NULL) is told of each job as soon as its res is filled:
 * notify->fn(arg, i) for jobs[i] (the callback may read res and must leave
 * it as it is), and fn(arg, WEBHOOK_TICK) now and then while transfers go
 * on.  Each call returns the milliseconds after which the caller wants a
 * tick although nothing was decided, or -1 for none: webhook_post_all
 * never waits longer.
 */
struct webhook_pacer;
struct webhook_job {
	const struct config_channel	*ch;
	const char			*payload;
	struct webhook_result		 res;
};
#define WEBHOOK_TICK	((size_t)-1)
struct webhook_notify {
	int64_t	(*fn)(void *arg, size_t i);
	void	*arg;
};
void	webhook_post_all(struct webhook_pacer *p, struct webhook_job *jobs,
	    size_t n, time_t now, struct stop *stop,
	    const struct webhook_notify *notify);

/*
 * Post payload (JSON) to ch's URL, or append it to a file: URL's file.
 * Returns 0 with *res filled (free res->answer), whatever the server said;
 * -1 with *err allocated only when nothing could be tried (no URL).
 */
int	webhook_post(const struct config_channel *ch, const char *payload,
	    time_t now, struct webhook_result *res, char **err);

/*
 * Each service's published pace: Slack about one post a second, Discord
 * five per two seconds, Teams four a second, others one a second.  A pacer
 * remembers recent posts per channel (by its ID) across cycles, and holds
 * the open connections (webhook_post_all).
 */
struct webhook_pacer	*webhook_pacer_new(void);
void			 webhook_pacer_free(struct webhook_pacer *p);
/* The channel's rate: its `rate` key, else its service's. */
void	webhook_rate(const struct config_channel *ch, int *posts,
	    int64_t *window_ms);
/* Seconds to wait before ch may take another post at now_ms (monotonic). */
double	webhook_pacer_wait(struct webhook_pacer *p,
	    const struct config_channel *ch, int64_t now_ms);
void	webhook_pacer_sent(struct webhook_pacer *p,
	    const struct config_channel *ch, int64_t now_ms);

/* libcurl's global set-up and tear-down, once per process, from main. */
int	webhook_global_init(void);
void	webhook_global_cleanup(void);

#endif
