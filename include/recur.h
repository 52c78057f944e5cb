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
 * rule is untrusted config text.  Returns 0, or -1 with *err set to an
 * allocated message the caller frees.
 */
int	recur_validate(const char *rule, char **err);

/*
 * Expand rule from the series' first wall date and time (floating: no zone)
 * and return, in *out (allocated, caller frees), the dates of occurrences that
 * fall in [from, to], in order.  An UNTIL in the rule is compared as a date.
 * Returns the count, or -1 with *err set when the rule is invalid.
 * max bounds the count so a runaway rule cannot exhaust memory.
 */
long	recur_expand(const char *rule, struct civil_date dtstart,
	    struct civil_time at, struct civil_date from, struct civil_date to,
	    size_t max, struct civil_date **out, char **err);

#endif
