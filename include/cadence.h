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

/* The most meetings cadence_expand returns for one call. */
#define CADENCE_MAX	100000

/*
 * The RRULE value of c's series (no "RRULE:" prefix), with UNTIL as a UTC
 * date-time at the end of the `until` day in the community's zone
 * (23:59:59 local).  Allocated; the caller frees.  day = auto must be
 * resolved by the caller: `day` is the weekday to use (CIVIL_MO..SU; it is
 * ignored for an rrule cadence).  weekly gives "FREQ=WEEKLY;BYDAY=TU",
 * biweekly "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", monthly
 * "FREQ=MONTHLY;BYDAY=1TU" (week 1..4) or "…;BYDAY=-1TU" (last; a week of 0
 * reads as 1), and rrule the configured rule as given.
 */
char	*cadence_rrule(const struct config_community *c, int day);

/*
 * The first date of the series on or after c->start (and not after until)
 * that matches the rule: the DTSTART to publish, since DTSTART must itself
 * be an occurrence.  c->start when the rule has no such date.
 */
struct civil_date cadence_first(const struct config_community *c, int day);

/* True when the date is skipped for c: its own skip list or a calendar's. */
bool	cadence_skipped(const struct config_community *c, struct civil_date d);

/*
 * The meeting whose series date is orig (a date the rule generates), at
 * the series time at, with its move and cancel applied.
 */
struct cadence_occ cadence_meeting(const struct config_community *c,
	    struct civil_date orig, struct civil_time at);

/*
 * The dates of the series itself in [from, to] (local, inclusive), before
 * skips, moves and cancels: what RRULE generates from the published DTSTART,
 * bounded by until.  For EXDATE and RECURRENCE-ID, which name such dates.
 * *out is allocated (caller frees; NULL when none).  Returns the count, or
 * -1 with *err allocated (an invalid rule, or more than CADENCE_MAX dates).
 */
long	cadence_dates(const struct config_community *c, int day,
	    struct civil_time at, struct civil_date from, struct civil_date to,
	    struct civil_date **out, char **err);

/*
 * The occurrences of c whose start lies in [from, to), in start order:
 * skipped dates left out, moves applied, cancelled meetings kept with
 * `cancelled` set.  day and at resolve `auto`; pass c->day and c->time when
 * they are set.  Returns the count with *out allocated (caller frees; may be
 * NULL when the count is 0), or -1 with *err allocated when the rule cannot
 * be expanded or [from, to) holds more than CADENCE_MAX meetings.
 *
 * Rules: a skipped date (c->skip, or a skip calendar's spans) has no
 * meeting, unless a move names it: the move wins.  A move names the series date
 * (move.from) and gives the meeting move.to, at move.at when has_time, else
 * at `at`; a meeting moved into the window from outside it is found, one
 * moved out is not returned.  A cancel names the series date and keeps the
 * meeting with `cancelled` set.  start is the wall time in c->tz (tz_to_utc:
 * a time in a spring-forward gap is read with the offset before it, a
 * repeated one is the first); end = start + duration.  A NULL c->tz is UTC.
 */
long	cadence_expand(const struct config_community *c, int day,
	    struct civil_time at, time_t from, time_t to,
	    struct cadence_occ **out, char **err);

/*
 * The series dates (as cadence_dates gives them, for the series at day and
 * at) that a skip list or a skip calendar of c takes out: the EXDATEs of a
 * published series.  In order, each once.  *out is allocated (caller frees;
 * NULL when none) and *nout set; returns 0, or -1 with *err allocated when
 * the rule cannot be expanded.
 */
int	cadence_exdates(const struct config_community *c, int day,
	    struct civil_time at, struct civil_date **out, size_t *nout,
	    char **err);

/*
 * Whether d is a date of the series at day and at that no skip takes out
 * (moves and cancels aside): *yes set and 0, or -1 with *err allocated.
 */
int	cadence_is_meeting(const struct config_community *c, int day,
	    struct civil_time at, struct civil_date d, bool *yes, char **err);

/*
 * Whether d is a date of the series at day and at, skips aside (the date a
 * move out of a skipped week names): *yes set and 0, or -1 with *err
 * allocated.
 */
int	cadence_is_date(const struct config_community *c, int day,
	    struct civil_time at, struct civil_date d, bool *yes, char **err);

/* The move of c that names the series date d, or NULL.  Belongs to c. */
const struct config_move *cadence_move_of(const struct config_community *c,
	    struct civil_date d);

/*
 * The checks of every community's move and cancel against its series,
 * which config_load cannot make (config does not know cadence): a date
 * that is not a meeting (wrong weekday, off the cadence, skipped for a
 * cancel), with the nearest meetings before and after it, and a move onto
 * another meeting's slot.  A move out of a skipped date is allowed.  Only
 * dates from now's day on (in each community's zone) are checked: an
 * earlier one belongs to the epoch in force then (series history), which
 * only the state knows.  Run
 * wherever a config is accepted, after ical_read_holidays (calendar skips
 * count).  Returns 0, or -1 with *errors allocated: every error, one
 * "FILE:LINE: [community ID] KEY: …" per line, sorted by line, '\n'
 * between them and none at the end, as config_load gives them.
 */
int	cadence_lint(const struct config *cfg, time_t now, char **errors);

/* True when c's cancel list names the series date d. */
bool	cadence_cancelled(const struct config_community *c,
	    struct civil_date d);

#endif
