/* civil: calendar dates, wall-clock times and durations, as plain values.
 *
 * Pure functions with no I/O and no time zone: the proleptic Gregorian
 * calendar, ISO 8601 text, and the duration syntax of the config ("45m",
 * "1h30m", "2d", "0d").  Zones live in tz.h.
 */
#ifndef PLC_CIVIL_H
#define PLC_CIVIL_H

#include <stdbool.h>
#include <stdint.h>

struct civil_date {
	int	y, m, d;		/* 2026, 1..12, 1..31 */
};

struct civil_time {
	int	h, min, s;		/* 0..23, 0..59, 0..59 */
};

/* Weekdays are numbered ISO-style from Monday: MO=0 .. SU=6. */
enum { CIVIL_MO, CIVIL_TU, CIVIL_WE, CIVIL_TH, CIVIL_FR, CIVIL_SA, CIVIL_SU };

/* The years civil_date_valid and civil_date_parse accept (ISO's four digits). */
#define CIVIL_YEAR_MIN	1
#define CIVIL_YEAR_MAX	9999

/*
 * The years a date may name where it enters (config dates, --due, --now):
 * every part handles them.  libical expands recurrences only up to 2582
 * and the worker plans up to ten years (a horizon) past a date, so 2199
 * leaves ample room; 1970 keeps every instant a non-negative time_t.
 * Parsers accept any ISO year; callers refuse the rest with a clear error.
 */
#define CIVIL_USE_YEAR_MIN	1970
#define CIVIL_USE_YEAR_MAX	2199

bool	civil_is_leap(int y);
int	civil_days_in_month(int y, int m);	/* 0 when m is not 1..12 */
bool	civil_date_valid(struct civil_date d);
/* A valid date of the years CIVIL_USE_YEAR_MIN..CIVIL_USE_YEAR_MAX. */
bool	civil_date_usable(struct civil_date d);
/* Days since 1970-01-01 (negative before); and the inverse. */
int64_t	civil_date_to_days(struct civil_date d);
struct civil_date civil_date_from_days(int64_t days);
struct civil_date civil_date_add(struct civil_date d, int64_t days);
/* <0, 0, >0 like strcmp. */
int	civil_date_cmp(struct civil_date a, struct civil_date b);
int	civil_weekday(struct civil_date d);	/* CIVIL_MO..CIVIL_SU */

/*
 * Parsers take untrusted text, accept the whole string or nothing, and
 * return 0 on success or -1 when the text is not of the form.
 */
/* YYYY-MM-DD, a real day of years 0001..9999: 2026-11-03. */
int	civil_date_parse(const char *s, struct civil_date *out);
/* H:MM, HH:MM or HH:MM:SS, 00:00 to 23:59:59 (24:00 is refused). */
int	civil_time_parse(const char *s, struct civil_time *out);
/* MO..SU, Mon..Sun, Monday..Sunday, any case; out is CIVIL_MO..CIVIL_SU. */
int	civil_weekday_parse(const char *s, int *out);
/* Seconds in a civil day (UTC days: no leap seconds). */
#define CIVIL_DAY	86400

/*
 * 45m, 1h30m, 2d, 1w, 0d, 90s: a sum of numbers each followed by a unit
 * (w, d, h, m, s; lowercase), largest unit first and each at most once, no
 * sign, no spaces, no bare number; out in seconds, at most
 * CIVIL_DURATION_MAX.
 */
#define CIVIL_DURATION_MAX	((int64_t)10 * 366 * CIVIL_DAY)	/* 10 years */
int	civil_duration_parse(const char *s, int64_t *out);

/* Formatters write into the caller's buffer and return it. */
#define CIVIL_DATE_LEN	16
#define CIVIL_TIME_LEN	16
#define CIVIL_DUR_LEN	48
char	*civil_date_format(struct civil_date d, char buf[CIVIL_DATE_LEN]);
char	*civil_time_format(struct civil_time t, char buf[CIVIL_TIME_LEN]); /* HH:MM */
/*
 * The canonical short form: days, hours, minutes, seconds, zero parts left
 * out ("1h30m", "7d" for a week, "1d2h"), "0d" for zero and a leading "-"
 * for a negative value.  civil_duration_parse reads it back unchanged.
 */
char	*civil_duration_format(int64_t secs, char buf[CIVIL_DUR_LEN]);
/* "MO".."SU". */
const char *civil_weekday_abbr(int wday);

/* Seconds since midnight. */
int	civil_time_to_secs(struct civil_time t);
/* The time of day secs after midnight, 0 <= secs < CIVIL_DAY: the inverse
 * of civil_time_to_secs. */
struct civil_time civil_time_from_secs(int secs);

#endif
