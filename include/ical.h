/* ical: iCalendar in and out, through libical.
 *
 * The only module that includes libical for calendars (tz.c and recur.c wrap
 * its zones and recurrence maths for the pure core).
 */
#ifndef PLC_ICAL_H
#define PLC_ICAL_H

#include <stddef.h>

#include "config.h"
#include "feed.h"

/*
 * Render a feed as an RFC 5545 VCALENDAR: METHOD:PUBLISH, one VEVENT per
 * series (DTSTART;TZID, RRULE, EXDATE, RECURRENCE-ID overrides for moved and
 * cancelled meetings), one all-day VEVENT per item, and a VTIMEZONE (plain
 * IANA TZID, truncated to the years in use) for every zone referenced.
 * The same input gives the same bytes.  *out is allocated (caller frees),
 * *len its length.  Returns 0, or -1 with *err allocated.
 */
int	ical_render_feed(const struct feed_input *in, char **out, size_t *len,
	    char **err);

/*
 * Read the all-day events of an iCalendar file (a holiday calendar) as date
 * spans (DTEND exclusive, so a one-day event is one date).  path comes from
 * the config; the file's content is untrusted.  Returns 0 with *out allocated
 * (caller frees) and *n set, or -1 with *err allocated.
 */
int	ical_read_allday(const char *path, struct config_span **out, size_t *n,
	    char **err);

#endif
