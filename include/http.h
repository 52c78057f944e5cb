/* http: the built-in HTTP server (libmicrohttpd).
 *
 * The only module that includes microhttpd.h.  The server runs in its own
 * threads (libmicrohttpd's thread pool) with its own database connection,
 * and answers:
 *
 *   GET/HEAD /feeds/TOKEN.ics  the feed, from memory: ETag, Last-Modified,
 *                              304 on If-None-Match / If-Modified-Since,
 *                              gzip when Accept-Encoding allows it
 *   GET/HEAD /a/LINK           a page naming the action item of a signed
 *                              link (link.h) with a "Mark done" form;
 *                              changes nothing
 *   POST /a/LINK               marks it done (history actor "link") and
 *                              says so; once done, says it already was
 *                              (both 200); a forged, tampered, expired or
 *                              malformed link, or one whose item is gone,
 *                              gets a 403 page and changes nothing
 *   GET/HEAD /healthz          JSON: status (with a reason when
 *                              "failed"), last cycle, outbox depth
 *   anything else              404 (405 for other methods on those paths)
 *
 * Slow clients are bounded by design: a request (header and body) must
 * arrive within 10 s of its connection opening or of the previous response,
 * or the connection is closed; an idle one is closed after 10 s; one
 * address holds at most 64 connections; and all of them together at most
 * what RLIMIT_NOFILE leaves after a reserve for the worker's own files
 * (http.c: HTTP_OWN_FILES), so connections never make the worker's own
 * opens fail.  A waiting connection costs a descriptor, never a thread.
 *
 * Every request line and header is untrusted.  No part of a URL ever becomes
 * a file name: a token is checked for its form (32 lowercase hex), looked up
 * in an in-memory map and compared in constant time.
 *
 * The feeds are handed over by the planning thread with http_set_feeds,
 * which prepares everything a response needs (gzip, ETag, headers) before
 * swapping it in, so requests never wait for compression or disk.
 */
#ifndef PLC_HTTP_H
#define PLC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "civil.h"
#include "config.h"

struct http_server;

/* One feed to serve; the server copies what it keeps. */
struct http_feed {
	const char	*token;		/* 32 lowercase hex */
	const char	*body;
	size_t		 len;
	time_t		 modified;	/* Last-Modified */
};

/*
 * Listen on addr ("127.0.0.1:8080", "[::1]:8080", ":8080" for every
 * address) and serve with a database connection of its own on db_path.
 * key (keylen bytes, copied; NULL: every link refused) checks /a/ links;
 * now_offset is added to the clock for link expiry and history times (the
 * worker's --now).  Reads RLIMIT_NOFILE once, here.  Returns 0 with *out
 * set (stop it with http_stop), or -1 with *err allocated (bad address, port
 * in use, database not readable, an open files limit too low to leave 64
 * connections beside the reserve).
 */
int	http_start(const char *addr, const char *db_path,
	    const unsigned char *key, size_t keylen, time_t now_offset,
	    struct http_server **out, char **err);

/*
 * The names the /a/ pages show for members and communities (and the
 * communities' zones), copied from cfg; call after each (re)load.  NULL
 * srv is fine.  cfg itself is kept, borrowed, for the attendance (/t/) and
 * report (/r/) pages: it must live until the next call or http_stop, and
 * be changed in place only between http_config_lock and
 * http_config_unlock.
 */
void	http_set_config(struct http_server *srv, const struct config *cfg);
/* Hold off the pages reading the config in force while the caller changes
 * it in place (the one-off meeting changes, schedule.h).  NULL srv is
 * fine. */
void	http_config_lock(struct http_server *srv);
void	http_config_unlock(struct http_server *srv);

/* One meeting as the planning thread computed it (moves and cancels,
 * one-off ones included), for the RSVP and move-here pages. */
struct http_meeting {
	const char		*community;	/* ID; copied */
	struct civil_date	 date;		/* series date */
	time_t			 start, end;
	bool			 cancelled;
};
/*
 * Replace the meetings the /v/ (RSVP) and /m/ (move here) pages know (n of
 * them, copied).  A link to a meeting not among them is refused.  Call
 * after each cycle's publish.
 */
void	http_set_meetings(struct http_server *srv, const struct http_meeting *v,
	    size_t n);

/*
 * Replace the set of feeds served (n of them; tokens not in it answer 404
 * from then on).  Call from one thread at a time.  Feeds whose bytes are
 * unchanged keep their prepared responses.
 */
void	http_set_feeds(struct http_server *srv, const struct http_feed *feeds,
	    size_t n);

/* Stop serving (in-flight responses finish) and free srv; NULL is fine. */
void	http_stop(struct http_server *srv);

/*
 * What the worker tells the server after each cycle, for /healthz and
 * /metrics.  /healthz answers 503 "overdue" once no cycle has ended for
 * overdue_ms (0: never), measured on the monotonic clock.
 */
struct http_stats {
	bool		 has_cycle;
	double		 cycle_seconds;
	time_t		 last_cycle;		/* Unix time */
	bool		 last_ok;
	uint64_t	 cycles, cycle_failures;
	uint64_t	 busy_failures;
	int64_t		 last_cycle_mono_ms;	/* CLOCK_MONOTONIC */
	int64_t		 overdue_ms;
	/* Non-empty: the worker has stopped for good (its state.db is
	 * lost) and says why; /healthz answers 503 "failed" with it as
	 * "reason". */
	char		 failed[512];
	/* Non-empty: destinations failing for alert_after (deliver.h's
	 * degraded), and why the last reload was refused; /healthz says
	 * "degraded" and names them, as /metrics does. */
	char		 degraded[256];
	char		 reload_error[512];
};
void	http_set_stats(struct http_server *srv, const struct http_stats *stats);

#endif
