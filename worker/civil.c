/* civil: the proleptic Gregorian calendar, ISO text and durations. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "civil.h"


bool
civil_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
civil_days_in_month(int y, int m)
{
	static const int	 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && civil_is_leap(y))
		return 29;
	return days[m - 1];
}

bool
civil_date_valid(struct civil_date d)
{
	return d.y >= CIVIL_YEAR_MIN && d.y <= CIVIL_YEAR_MAX &&
	    d.m >= 1 && d.m <= 12 && d.d >= 1 &&
	    d.d <= civil_days_in_month(d.y, d.m);
}

bool
civil_date_usable(struct civil_date d)
{
	return civil_date_valid(d) && d.y >= CIVIL_USE_YEAR_MIN &&
	    d.y <= CIVIL_USE_YEAR_MAX;
}

/*
 * Howard Hinnant's days_from_civil: counting years from March puts the leap
 * day last, so every 400-year era has the same shape and no table is needed.
 */
int64_t
civil_date_to_days(struct civil_date d)
{
	int64_t	 y = (int64_t)d.y - (d.m <= 2);
	int64_t	 era = (y >= 0 ? y : y - 399) / 400;
	int64_t	 yoe = y - era * 400;			/* 0..399 */
	int64_t	 mp = (d.m + 9) % 12;			/* March = 0 */
	int64_t	 doy = (153 * mp + 2) / 5 + d.d - 1;	/* 0..365 */
	int64_t	 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

struct civil_date
civil_date_from_days(int64_t days)
{
	struct civil_date	 r;
	int64_t			 z = days + 719468;
	int64_t			 era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t			 doe = z - era * 146097;	/* 0..146096 */
	int64_t			 yoe = (doe - doe / 1460 + doe / 36524 -
				    doe / 146096) / 365;	/* 0..399 */
	int64_t			 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t			 mp = (5 * doy + 2) / 153;	/* March = 0 */

	r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	r.y = (int)(yoe + era * 400 + (r.m <= 2));
	return r;
}

struct civil_date
civil_date_add(struct civil_date d, int64_t days)
{
	return civil_date_from_days(civil_date_to_days(d) + days);
}

int
civil_date_cmp(struct civil_date a, struct civil_date b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

int
civil_weekday(struct civil_date d)
{
	/* 1970-01-01 was a Thursday; floor the modulo for earlier dates. */
	int64_t	 w = (civil_date_to_days(d) + CIVIL_TH) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

int
civil_time_to_secs(struct civil_time t)
{
	return t.h * 3600 + t.min * 60 + t.s;
}

struct civil_time
civil_time_from_secs(int secs)
{
	struct civil_time	t = { secs / 3600, secs / 60 % 60, secs % 60 };

	return t;
}

/* Exactly n decimal digits at s, none of them a sign or a space. */
static int
civil_digits(const char *s, int n, int *out)
{
	int	 i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
civil_date_parse(const char *s, struct civil_date *out)
{
	struct civil_date	 d;

	/* strlen first, so the digit scans never read past the end. */
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (civil_digits(s, 4, &d.y) == -1 ||
	    civil_digits(s + 5, 2, &d.m) == -1 ||
	    civil_digits(s + 8, 2, &d.d) == -1)
		return -1;
	if (!civil_date_valid(d))
		return -1;
	*out = d;
	return 0;
}

int
civil_time_parse(const char *s, struct civil_time *out)
{
	struct civil_time	 t = { 0, 0, 0 };
	size_t			 len, hl;

	if (s == NULL)
		return -1;
	len = strlen(s);
	/* "7:30" is how people write it; the hour may have one digit. */
	hl = len > 0 && s[1] == ':' ? 1 : 2;
	if (len != hl + 3 && len != hl + 6)
		return -1;
	if (civil_digits(s, (int)hl, &t.h) == -1 || s[hl] != ':' ||
	    civil_digits(s + hl + 1, 2, &t.min) == -1)
		return -1;
	if (len == hl + 6 && (s[hl + 3] != ':' ||
	    civil_digits(s + hl + 4, 2, &t.s) == -1))
		return -1;
	/* 24:00 is left out: a meeting at the end of a day starts on the next. */
	if (t.h > 23 || t.min > 59 || t.s > 59)
		return -1;
	*out = t;
	return 0;
}

static const char *const civil_day_names[7] = { "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday" };

int
civil_weekday_parse(const char *s, int *out)
{
	size_t	 len;
	int	 i;

	if (s == NULL)
		return -1;
	len = strlen(s);
	for (i = 0; i < 7; i++) {
		/* The two- and three-letter prefixes are unique, "Mond" is not a form. */
		if ((len == 2 || len == 3 || len == strlen(civil_day_names[i])) &&
		    strncasecmp(s, civil_day_names[i], len) == 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

int
civil_duration_parse(const char *s, int64_t *out)
{
	static const char	 units[] = "wdhms";
	static const int64_t	 secs[] = { 7 * CIVIL_DAY, CIVIL_DAY,
	    3600, 60, 1 };
	const char		*p, *u;
	int64_t			 total = 0, n;
	int			 last = -1, rank;

	if (s == NULL || *s == '\0')
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;	/* a unit with no number, or a sign */
		for (n = 0; *p >= '0' && *p <= '9'; p++) {
			n = n * 10 + (*p - '0');
			/* Stop before the product below can overflow. */
			if (n > CIVIL_DURATION_MAX)
				return -1;
		}
		if (*p == '\0' || (u = strchr(units, *p)) == NULL)
			return -1;	/* a bare number or an unknown unit */
		rank = (int)(u - units);
		/* Largest unit first, each once: "30m1h" is more likely a slip. */
		if (rank <= last)
			return -1;
		last = rank;
		total += n * secs[rank];
		if (total > CIVIL_DURATION_MAX)
			return -1;
	}
	*out = total;
	return 0;
}

char *
civil_date_format(struct civil_date d, char buf[CIVIL_DATE_LEN])
{
	snprintf(buf, CIVIL_DATE_LEN, "%04d-%02d-%02d", d.y, d.m, d.d);
	return buf;
}

char *
civil_time_format(struct civil_time t, char buf[CIVIL_TIME_LEN])
{
	snprintf(buf, CIVIL_TIME_LEN, "%02d:%02d", t.h, t.min);
	return buf;
}

char *
civil_duration_format(int64_t secs, char buf[CIVIL_DUR_LEN])
{
	static const char	 units[] = "dhms";
	static const uint64_t	 size[] = { CIVIL_DAY, 3600, 60, 1 };
	uint64_t		 v, n;
	size_t			 len = 0;
	int			 i;

	/* Unsigned, so that INT64_MIN has a magnitude too. */
	v = secs < 0 ? -(uint64_t)secs : (uint64_t)secs;
	if (secs < 0)
		buf[len++] = '-';
	if (v == 0) {
		snprintf(buf + len, CIVIL_DUR_LEN - len, "0d");
		return buf;
	}
	buf[len] = '\0';
	for (i = 0; i < 4; i++) {
		n = v / size[i];
		v %= size[i];
		if (n == 0)
			continue;
		/* At most 4 parts of at most 15 digits: always fits. */
		len += (size_t)snprintf(buf + len, CIVIL_DUR_LEN - len,
		    "%llu%c", (unsigned long long)n, units[i]);
	}
	return buf;
}

const char *
civil_weekday_abbr(int wday)
{
	static const char *const abbr[7] = { "MO", "TU", "WE", "TH", "FR",
	    "SA", "SU" };

	if (wday < CIVIL_MO || wday > CIVIL_SU)
		return "??";
	return abbr[wday];
}
