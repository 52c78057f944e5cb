/* recur: RFC 5545 recurrence rules expanded to local dates.
 *
 * A thin, pure wrapper over libical's recurrence iterator, so that the RRULE
 * a feed publishes and the dates the planner uses come from one reading.
 */
#ifndef PLC_RECUR_H
#define PLC_RECUR_H

#include <stddef.h>

#include "civil.h"

/*
 * Check an RRULE value ("FREQ=MONTHLY;BYDAY=1TU", without "RRULE:").
 * rule is untrusted config text.  A rule libical cannot read, one with a
 * value out of range (BYDAY=6TU) and one that never occurs (BYMONTH=2;
 * BYMONTHDAY=30) are refused.  Returns 0, or -1 with *err set to an
 * allocated message, which quotes the rule, that the caller frees.
 */
int	recur_validate(const char *rule, char **err);

/*
 * Expand rule from the series' first wall date and time (floating: no zone)
 * and return, in *out (allocated, caller frees; NULL when none), the dates
 * of occurrences that fall in [from, to], in order, each date once.
 * As libical (and cadence_first) reads RFC 5545, a dtstart that does not
 * match the rule is not an occurrence.  An UNTIL in the rule is compared as
 * a date, the date it is written with; for a UTC UNTIL that is a UTC date,
 * so a caller with a zone leaves UNTIL out and bounds `to` itself.
 * Returns the count, or -1 with *err set when the rule is invalid.
 * max bounds the count so a runaway rule cannot exhaust memory: the first
 * max dates are returned.
 */
long	recur_expand(const char *rule, struct civil_date dtstart,
	    struct civil_time at, struct civil_date from, struct civil_date to,
	    size_t max, struct civil_date **out, char **err);

#endif
