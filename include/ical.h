/* ical: iCalendar in and out, through libical.
 *
 * The only module that includes libical for calendars (tz.c and recur.c wrap
 * its zones and recurrence maths for the pure core).
 */
#ifndef PLC_ICAL_H
#define PLC_ICAL_H

#include <stddef.h>

#include "avail.h"
#include "cadence.h"
#include "config.h"
#include "feed.h"

/*
 * Render a feed as an RFC 5545 VCALENDAR: METHOD:PUBLISH, one VEVENT per
 * series (DTSTART;TZID, RRULE, EXDATE, RECURRENCE-ID overrides for moved and
 * cancelled meetings), one all-day VEVENT per item, and a VTIMEZONE (plain
 * IANA TZID, truncated to the years in use, the rules in force as yearly
 * RRULEs: see ical_render_vtimezone) for every zone referenced, and for
 * the feed's own zone even with no event: never an empty VCALENDAR.
 * The same input gives the same bytes.  *out is allocated (caller frees),
 * *len its length.  Returns 0, or -1 with *err allocated.
 */
int	ical_render_feed(const struct feed_input *in, char **out, size_t *len,
	    char **err);

/*
 * What the feeds of one publishing run share, worked out once: each
 * series' first and skipped dates, each zone's truncated VTIMEZONE, the
 * text of the properties many items share (change times, due dates, a
 * community's ORGANIZER).  It
 * holds pointers into the config and the zones the feeds use, so it must
 * not outlive the config, and must be dropped when the config changes.
 * blocks (may be NULL: the cache's own, freed with it) keeps the rendered
 * text of each event, head and VTIMEZONE by the exact inputs of each
 * (rcache.h): it holds no pointer into the config, so a worker keeps one
 * across runs and reloads, and only what changed goes through libical
 * again.  blocks is the caller's and must outlive the cache.  One thread
 * at a time.  ical_cache_free(NULL) is fine.
 */
struct ical_cache;
struct rcache;
struct ical_cache	*ical_cache_new(struct rcache *blocks);
void			 ical_cache_free(struct ical_cache *cache);

/*
 * ical_render_feed with a cache (NULL: none): the feed assembled from
 * blocks, each rendered through libical only when the cache does not hold
 * it.  The same bytes as ical_render_feed, whatever the cache holds.
 */
int	ical_render_feed_cached(const struct feed_input *in,
	    struct ical_cache *cache, char **out, size_t *len, char **err);

/*
 * The VTIMEZONE of tz over the years ylo..yhi (yhi 0: from ylo on), as the
 * feeds write it: the observances of the rules in force carry their yearly
 * RRULE, older changes in those years are one-off onsets.  *out is
 * allocated (caller frees).  Returns 0, or -1 with *err allocated (UTC and
 * zones without data have none).
 */
int	ical_render_vtimezone(const struct tz *tz, int ylo, int yhi, char **out,
	    char **err);

/*
 * Read the all-day events of an iCalendar file (a holiday calendar) as date
 * spans (DTEND exclusive, so a one-day event is one date).  path comes from
 * the config; the file's content is untrusted: the file is opened without
 * blocking and refused unless it is a regular file of at most 16 MB, and
 * it is parsed in a jail (jail.h), whose answer is checked.  Returns 0 with
 * *out allocated (caller frees) and *n set, or -1 with *err allocated
 * (naming path, and the reason: "cpu limit", "parse error: …", …).
 */
int	ical_read_allday(const char *path, struct config_span **out, size_t *n,
	    char **err);

/* ical_read_allday on text (len bytes, untrusted, e.g. fetched): the same
 * jail, the same answers; *err does not name a source. */
int	ical_allday_text(const char *text, size_t len, struct config_span **out,
	    size_t *n, char **err);

/*
 * Read the holiday calendar file of every [calendar] of cfg that names one
 * (source_line != 0; URLs are busy_holidays' (busy.h)) with ical_read_allday and add its all-day events to
 * that calendar's skip spans.  config_load parses no calendar: the commands
 * call this once, right after it, before anything reads the skips.  A
 * calendar that cannot be read leaves the rest of the config usable: it is
 * a warning, and *warnings is then an allocated string of "FILE:LINE:
 * warning: …" lines (as config_load's warnings, '\n' between them, no
 * final newline) that the caller prints and frees; NULL when none.
 */
void	ical_read_holidays(struct config *cfg, char **warnings);

/*
 * Load the system zones that the TZID parameters of text (untrusted, len
 * bytes) name, at most a few dozen, into libical's table, so that a parse
 * that cannot open files (in the jail, after its filter) still finds them.
 * Names are plain zone names only; unknown ones are skipped.
 */
void	ical_preload_zones(const char *text, size_t len);

/*
 * The busy time in an iCalendar text (a member's calendar or free/busy
 * export) over [from, to), added to out.  Events are expanded (RRULE and
 * RDATE, with EXDATE left out and RECURRENCE-ID overrides replacing their
 * instance);
 * an all-day event is busy for whole days in zone (the member's), as are
 * floating times read in it; events marked TRANSP:TRANSPARENT or
 * STATUS:CANCELLED are not busy; VFREEBUSY FREEBUSY periods are, except
 * FBTYPE=FREE.  text (len bytes) is untrusted: anything that is not a
 * VCALENDAR, holds a NUL byte, or expands to more than ICAL_BUSY_MAX
 * instances in the range (or takes more than ICAL_BUSY_MAX_STEPS
 * recurrence steps, counting those before the range) is refused with -1 and
 * *err allocated, and out is then left unchanged.  So are, before anything
 * is expanded, the inputs that make libical slow: more than 100 VTIMEZONEs
 * or 50,000 components, a zone observance that repeats other than yearly,
 * an event that repeats secondly or minutely, a rule whose BYMONTH,
 * BYMONTHDAY and BYYEARDAY can never match.  *err then starts "parse
 * error: ", "too many instances" or "too many …".  EXDATEs are looked up
 * by binary search.  Not bounded in CPU or memory by itself: callers with
 * input from outside run it in a jail (busy.c).  Returns 0 on success.
 */
#define ICAL_BUSY_MAX		500000
#define ICAL_BUSY_MAX_STEPS	1000000
int	ical_busy(const char *text, size_t len, const struct tz *zone,
	    int64_t from, int64_t to, struct avail *out, char **err);

#endif
