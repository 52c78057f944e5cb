/* tz: IANA time zones, wall time <-> UTC.
 *
 * Backed by libical's time zones, which Debian builds to read the system's
 * /usr/share/zoneinfo.  Apart from loading a zone file the first time a name
 * is looked up, these functions do no I/O.  libical's zone cache is not
 * thread-safe: look zones up on the planning thread (config load does), and
 * only pass the resulting handles around.
 *
 * Instants are time_t seconds since the epoch, UTC.
 */
#ifndef PLC_TZ_H
#define PLC_TZ_H

#include <time.h>

#include "civil.h"

struct tz;	/* opaque; owned by libical's cache, never freed by callers */

/* The zone of an IANA name ("America/New_York", "UTC"), or NULL if the
 * system has no such zone.  name is untrusted config text. */
const struct tz	*tz_find(const char *name);
/* The plain IANA name, as used in TZIDs ("America/New_York"); it stays
 * valid for as long as the process (libical keeps every zone it loads). */
const char	*tz_name(const struct tz *tz);
/* The zone's libical handle (icaltimezone *) for the ical adapter. */
void		*tz_icaltimezone(const struct tz *tz);

/* UTC offset in seconds east of Greenwich in force at instant t. */
long	tz_offset_at(const struct tz *tz, time_t t);

/*
 * The instant of a wall time in the zone.  A wall time that does not exist
 * (skipped by a spring-forward change) is read with the offset in force before
 * the gap, so 02:30 becomes 03:30 daylight time, as RFC 5545 3.3.5 says; a
 * wall time that exists twice (fall-back) is the first, earlier one.
 */
time_t	tz_to_utc(const struct tz *tz, struct civil_date d, struct civil_time t);
/* The wall date and time of instant t in the zone. */
void	tz_from_utc(const struct tz *tz, time_t t, struct civil_date *d,
	    struct civil_time *tm);

/* Release libical's zone cache; call once at exit (keeps leak checkers quiet). */
void	tz_shutdown(void);

#endif
