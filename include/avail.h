/* avail: who is free when, as sets of instants.
 *
 * Pure: no I/O and no clock.  A struct avail is a set of half-open
 * intervals [from, to) of Unix seconds (UTC), kept sorted and merged, so
 * that union, difference and intersection cost time linear in the number
 * of intervals, never in the minutes they cover.  A member's free time over
 * a range is the weekly `available` template in the member's own zone (the
 * community's `window`, in the community's zone, when the member gives
 * none), minus the member's `away` days (whole days in the member's zone),
 * minus the busy intervals read from the member's calendars.
 *
 * Sets are opaque; every function that returns one allocates it (the caller
 * frees it with avail_free).  Adding intervals out of order is allowed: a
 * set is sorted and merged, in place, before it is next read, which is why
 * the readers take a non-const pointer.
 */
#ifndef PLC_AVAIL_H
#define PLC_AVAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "tz.h"

struct avail;

struct avail	*avail_new(void);
/* NULL is fine. */
void		 avail_free(struct avail *s);

/* Add [from, to); an empty or reversed interval adds nothing. */
void	avail_add(struct avail *s, int64_t from, int64_t to);
/* Add every interval of src to s. */
void	avail_add_set(struct avail *s, struct avail *src);

/* The number of disjoint intervals, and the i-th of them (i < count). */
size_t	avail_count(struct avail *s);
void	avail_get(struct avail *s, size_t i, int64_t *from, int64_t *to);
/* The seconds covered. */
int64_t	avail_total(struct avail *s);
/* True when all of [from, to) lies in s (binary search: log of the count). */
bool	avail_covers(struct avail *s, int64_t from, int64_t to);

/* New sets: a ∪ b, a − b, a ∩ b. */
struct avail	*avail_union(struct avail *a, struct avail *b);
struct avail	*avail_subtract(struct avail *a, struct avail *b);
struct avail	*avail_intersect(struct avail *a, struct avail *b);

/*
 * The instants of a weekly wall-clock template (config_weekly entries, each
 * a set of weekdays and a from-to time of day) in zone tz over [from, to).
 * Each local day is read on its own, so an interval keeps its wall times
 * across a DST change (and a day that is 23 or 25 hours long is handled).
 * A NULL tz is UTC.
 */
struct avail	*avail_weekly(const struct config_weekly *w, size_t n,
		    const struct tz *tz, int64_t from, int64_t to);

/*
 * One local day in a zone, for reading many wall times of it cheaply: a
 * day of exactly 24 hours has no offset change inside it (the zones in
 * use change at most once a day), so a time is its midnight plus the
 * seconds; only the two DST days a year go through tz_to_utc.  A NULL tz
 * is UTC.
 */
struct avail_day {
	const struct tz		*tz;
	struct civil_date	 date;
	int64_t			 midnight;
	bool			 plain;		/* 24 hours long */
};
void	avail_day_init(struct avail_day *d, const struct tz *tz,
	    struct civil_date date);
/* The instant of secs after midnight (0..86400; 86400 is the next midnight);
 * a wall time skipped by a DST change reads as tz_to_utc says. */
int64_t	avail_day_at(const struct avail_day *d, int secs);

/* Whole local days (inclusive spans, midnight to midnight in tz), clipped
 * to [from, to). */
struct avail	*avail_days(const struct config_span *spans, size_t n,
		    const struct tz *tz, int64_t from, int64_t to);

/*
 * Member m's free time over [from, to) for community c: m's `available`
 * (or c's window when m has none) minus m's `away` days minus busy (may be
 * NULL: no calendars).  busy is normalized in place.
 */
struct avail	*avail_member(const struct config_member *m,
		    const struct config_community *c, struct avail *busy,
		    int64_t from, int64_t to);

#endif
