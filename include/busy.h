/* busy: a member's `busy` calendars, read, fetched and kept.
 *
 * Each source (a file path or an http(s) URL from the config) is read (a
 * file) or fetched with a conditional request (a URL, through fetch.c) and
 * parsed (ical_busy).  A good copy is kept in the store; a source that
 * cannot be read, fails, is over the size limit or is malformed falls back
 * to its last good copy (or adds nothing when there is none), is logged and
 * recorded in the store for `check` and /healthz, and never stops the
 * caller.  URLs are logged without their path, which may be a secret.
 */
#ifndef PLC_BUSY_H
#define PLC_BUSY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "avail.h"
#include "config.h"
#include "stop.h"
#include "store.h"

/*
 * A source's bytes are parsed and expanded in a jail (jail.h: a child with
 * CPU, memory and system-call limits) and only the intervals it returns,
 * checked, are used.  A jail that fails (reason "cpu limit", "memory
 * limit", "too many instances", "parse error: …") fails that source like
 * any other failure; the same bytes are not tried again while the cache
 * holds their failure.  A file source is opened without blocking and
 * refused unless it is a regular file.
 */

/* The most a file source may hold, as for a fetched one. */
#define BUSY_MAX_FILE	(5 * 1024 * 1024)

/* True for http:// and https:// sources. */
bool	busy_is_url(const char *source);
/* The source as it may be shown: a path, or a URL without its path.
 * Allocated. */
char	*busy_display(const char *source);

/*
 * What a source's bytes gave over a range, kept between cycles so that an
 * unchanged calendar (a 304, the same file) is not expanded again: one
 * entry per source and zone, found by a hash of the bytes and a range
 * that covers the one asked (a calendar is expanded a week further than
 * asked), and kept in the store too (busy_members), so that a restart
 * finds it there.
 * busy_cache_sweep drops the entries not used since the last sweep (a
 * source gone from the config).  Used on one thread.
 */
struct busy_cache;
struct busy_cache	*busy_cache_new(void);
void			 busy_cache_free(struct busy_cache *bc);	/* NULL ok */
void			 busy_cache_sweep(struct busy_cache *bc);
/*
 * What fetches and parses through bc watch from now on (copied; its
 * members are borrowed and must outlive the cache's use): a stop cuts them
 * short, and they give signs of life while they wait.
 */
void			 busy_cache_watch(struct busy_cache *bc,
			    const struct stop_watch *w);
/* Has a stop been asked for, or cut a fetch or parse short?  NULL: no. */
bool			 busy_cache_stopped(const struct busy_cache *bc);
/* A sign of life, through the watch (NULL: nothing). */
void			 busy_cache_alive(const struct busy_cache *bc);

/*
 * Member m's busy time over [from, to) from every source, into a new set
 * (*out, free with avail_free).  fetch false reads URLs from their kept
 * copies only.  cache may be NULL.  *failed (may be NULL) gets the number
 * of sources that failed this time.  Returns 0, or -1 with *err allocated
 * when the store fails or a stop was asked (busy_cache_stopped is then
 * true, and nothing is marked failed).
 */
int	busy_member(const struct config_member *m, struct store *st,
	    time_t now, int64_t from, int64_t to, bool fetch,
	    struct busy_cache *cache, struct avail **out, size_t *failed,
	    char **err);

/*
 * busy_member for n members at once (m[0..n)), into out[i] (a new set
 * each, free with avail_free) and failed[i]: every source is read or
 * fetched first, one after the other, then the calendars that must be
 * expanded are parsed in jails on every core at once (jail_run_all, one
 * child per calendar), then the store is told how each went.  A source's
 * expansion is kept, in cache and in the store, with the hash and length
 * of its bytes, for its range and a week more: the same bytes are not
 * expanded again, nor after a restart.  Returns 0, or -1 with *err
 * allocated (the store failed, or "stopped") and every out[i] NULL.
 */
int	busy_members(const struct config_member *const *m, size_t n,
	    struct store *st, time_t now, int64_t from, int64_t to, bool fetch,
	    struct busy_cache *cache, struct avail **out, size_t *failed,
	    char **err);

/*
 * The holiday calendars given as URLs ([calendar] source): each fetched as a
 * busy source is (conditional request, fetch.c's limits, parsed in the
 * jail by ical_allday_text), its good copy kept in st under its URL and
 * its failures recorded there (for check and /healthz), and its all-day
 * events added to the calendar's skip spans; a source that fails gives the
 * kept copy's.  Call after config_load and ical_read_holidays, once per
 * load.  fetch false reads the kept copies only (the commands that only
 * look: no network, nothing recorded).  st NULL: nothing kept, nothing
 * recorded.  bc: the worker's cache, whose stop watch (busy_cache_watch)
 * cuts a fetch short on SIGTERM, which then records nothing; NULL where
 * there is no worker loop.  A failure is a warning:
 * a "FILE:LINE: warning: …" line appended to *warnings (allocated, '\n'
 * between lines; the caller prints and frees it, and sets it NULL first or
 * passes ical_read_holidays' lines).
 */
void	busy_holidays(struct busy_cache *bc, struct config *cfg,
	    struct store *st, time_t now, bool fetch, char **warnings);

#endif
