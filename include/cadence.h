/* cadence: a community's meeting series as concrete occurrences.
 *
 * Pure: takes the parsed config and an interval, returns the meetings in it.
 * The series is described once as an RRULE (cadence_rrule) so that the dates
 * expanded here and the RRULE published in feeds cannot disagree.
 */
#ifndef PLC_CADENCE_H
#define PLC_CADENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "civil.h"
#include "config.h"

struct cadence_occ {
	struct civil_date	 orig;		/* date in the series (RECURRENCE-ID) */
	struct civil_date	 date;		/* local date it happens on */
	struct civil_time	 at;		/* local wall time */
	time_t			 start, end;	/* instants, UTC */
	bool			 moved;
	bool			 cancelled;	/* shown as cancelled, not dropped */
};

/*
 * The RRULE value of c's series (no "RRULE:" prefix), with UNTIL as a UTC
 * date-time at the end of the `until` day in the community's zone.
 * Allocated; the caller frees.  day = auto must be resolved by the caller:
 * `day` is the weekday to use (CIVIL_MO..SU).
 */
char	*cadence_rrule(const struct config_community *c, int day);

/*
 * The first date of the series on or after c->start that matches the rule
 * (DTSTART must itself be an occurrence).
 */
struct civil_date cadence_first(const struct config_community *c, int day);

/* True when the date is skipped for c: its own skip list or a calendar's. */
bool	cadence_skipped(const struct config_community *c, struct civil_date d);

/*
 * The occurrences of c whose start lies in [from, to), in start order:
 * skipped dates left out, moves applied, cancelled meetings kept with
 * `cancelled` set.  day and at resolve `auto`; pass c->day and c->time when
 * they are set.  Returns the count with *out allocated (caller frees), or -1
 * with *err allocated when the rule cannot be expanded.
 */
long	cadence_expand(const struct config_community *c, int day,
	    struct civil_time at, time_t from, time_t to,
	    struct cadence_occ **out, char **err);

#endif
