/* tz: IANA zones through libical, wall time <-> UTC. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libical/ical.h>

#include "civil.h"
#include "tz.h"

#define TZ_NAME_MAX	64

/*
 * struct tz is never defined: a handle is libical's own icaltimezone, cast.
 * NULL stands for UTC everywhere, so a half-built config cannot crash a
 * conversion.
 */
static icaltimezone *
tz_ical(const struct tz *tz)
{
	if (tz == NULL)
		return icaltimezone_get_utc_timezone();
	return (icaltimezone *)(uintptr_t)tz;
}

/*
 * libical turns the name into a path under /usr/share/zoneinfo, so only the
 * characters of real zone names get through, and nothing that climbs out.
 */
static bool
tz_name_safe(const char *name)
{
	const char	*p;
	size_t		 len = strlen(name);

	if (len == 0 || len > TZ_NAME_MAX || name[0] == '/' ||
	    name[len - 1] == '/' || strstr(name, "..") != NULL ||
	    strstr(name, "//") != NULL)
		return false;
	for (p = name; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("_+-/", *p) != NULL)
			continue;
		return false;
	}
	return true;
}

const struct tz *
tz_find(const char *name)
{
	icaltimezone	*z;

	if (name == NULL || !tz_name_safe(name))
		return NULL;
	/* libical's UTC is a built-in object, not a file; it has no location. */
	if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)
		return (const struct tz *)icaltimezone_get_utc_timezone();
	z = icaltimezone_get_builtin_timezone(name);
	/* libical reads the zone's rules on first use, and then frees and
	 * replaces the location string tz_name returned before: load them
	 * now, so a name stays valid as long as the zone. */
	if (z != NULL && icaltimezone_get_component(z) == NULL)
		return NULL;
	return (const struct tz *)z;
}

const char *
tz_name(const struct tz *tz)
{
	const char	*loc = icaltimezone_get_location(tz_ical(tz));

	return loc != NULL ? loc : "UTC";
}

void *
tz_icaltimezone(const struct tz *tz)
{
	return tz_ical(tz);
}

/*
 * An instant as a UTC icaltimetype, built with our own calendar maths so that
 * any time_t works, whatever gmtime would make of it.
 */
static struct icaltimetype
tz_icaltime_utc(time_t t)
{
	struct icaltimetype	 it = icaltime_null_time();
	struct civil_date	 lo = { CIVIL_YEAR_MIN, 1, 1 };
	struct civil_date	 hi = { CIVIL_YEAR_MAX, 12, 31 };
	int64_t			 days, secs;
	struct civil_date	 d;

	/* Offsets do not change outside these years; libical needs a sane year. */
	if ((int64_t)t < civil_date_to_days(lo) * CIVIL_DAY)
		t = (time_t)(civil_date_to_days(lo) * CIVIL_DAY);
	if ((int64_t)t > civil_date_to_days(hi) * CIVIL_DAY)
		t = (time_t)(civil_date_to_days(hi) * CIVIL_DAY);
	days = (int64_t)t / CIVIL_DAY;
	secs = (int64_t)t % CIVIL_DAY;
	if (secs < 0) {
		secs += CIVIL_DAY;
		days--;
	}
	d = civil_date_from_days(days);
	it.year = d.y;
	it.month = d.m;
	it.day = d.d;
	it.hour = (int)(secs / 3600);
	it.minute = (int)(secs / 60 % 60);
	it.second = (int)(secs % 60);
	it.is_date = 0;
	it.zone = icaltimezone_get_utc_timezone();
	return it;
}

long
tz_offset_at(const struct tz *tz, time_t t)
{
	struct icaltimetype	 it = tz_icaltime_utc(t);
	int			 is_dst = 0;

	return icaltimezone_get_utc_offset_of_utc_time(tz_ical(tz), &it,
	    &is_dst);
}

/*
 * L is the wall time read as if it were UTC.  The offsets a day either side
 * are the only two that can apply (no zone changes twice within two days),
 * and a candidate counts only if the zone really has that offset then.
 */
time_t
tz_to_utc(const struct tz *tz, struct civil_date d, struct civil_time t)
{
	int64_t	 l = civil_date_to_days(d) * CIVIL_DAY + civil_time_to_secs(t);
	long	 o1, o2;
	int64_t	 u1, u2;
	bool	 ok1, ok2;

	o1 = tz_offset_at(tz, (time_t)(l - CIVIL_DAY));
	o2 = tz_offset_at(tz, (time_t)(l + CIVIL_DAY));
	u1 = l - o1;
	u2 = l - o2;
	ok1 = tz_offset_at(tz, (time_t)u1) == o1;
	ok2 = tz_offset_at(tz, (time_t)u2) == o2;
	if (ok1 && ok2)
		return (time_t)(u1 < u2 ? u1 : u2);	/* fall-back: the first */
	if (ok2)
		return (time_t)u2;
	/* ok1 alone, or a spring-forward gap: the offset before the change. */
	return (time_t)u1;
}

void
tz_from_utc(const struct tz *tz, time_t t, struct civil_date *d,
    struct civil_time *tm)
{
	int64_t	 l = (int64_t)t + tz_offset_at(tz, t);
	int64_t	 days = l / CIVIL_DAY, secs = l % CIVIL_DAY;

	if (secs < 0) {
		secs += CIVIL_DAY;
		days--;
	}
	if (d != NULL)
		*d = civil_date_from_days(days);
	if (tm != NULL) {
		tm->h = (int)(secs / 3600);
		tm->min = (int)(secs / 60 % 60);
		tm->s = (int)(secs % 60);
	}
}

void
tz_shutdown(void)
{
	icaltimezone_free_builtin_timezones();
}
