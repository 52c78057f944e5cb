/* ical_read: calendars from outside read with libical (ical.h): holiday
 * calendars (all-day events, parsed in a jail) and busy time.  Feeds are
 * ical_write.c's. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libical/ical.h>

#include "civil.h"
#include "file.h"
#include "ical.h"
#include "jail.h"
#include "tz.h"
#include "xmalloc.h"

#define ICAL_MAX_FILE	(16 * 1024 * 1024)	/* a holiday calendar */

/* ------------------------------------------------- calendars from outside */

/* What one calendar from outside may hold before it is refused: enough for
 * any real export, far below what makes libical slow. */
#define ICAL_MAX_VTIMEZONES	100
#define ICAL_MAX_COMPONENTS	50000
#define ICAL_MAX_OBSERVANCES	1000
#define ICAL_MAX_PRELOAD	32

static int
ical_month_days(int m, bool leap)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return days[m - 1] + (m == 2 && leap);
}

/* The month of day yd (1-based) of a year. */
static int
ical_yearday_month(int yd, bool leap)
{
	int	m;

	for (m = 1; m < 12 && yd > ical_month_days(m, leap); m++)
		yd -= ical_month_days(m, leap);
	return m;
}

/*
 * Can a rule ever give an instance?  Only the combinations that are cheap
 * to decide: BYMONTHDAY and BYYEARDAY against BYMONTH.  libical looks for
 * a match of BYMONTH=2;BYMONTHDAY=30 inside one call, for ever.
 */
static bool
ical_rule_can_match(const struct icalrecurrencetype *r)
{
	bool	month[13], any_month, ok;
	int	i, m, d, leap, len;

	any_month = r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX;
	for (m = 1; m <= 12; m++)
		month[m] = any_month;
	for (i = 0; i < ICAL_BY_MONTH_SIZE &&
	    r->by_month[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		m = icalrecurrencetype_month_month(r->by_month[i]);
		if (m >= 1 && m <= 12)
			month[m] = true;
	}
	if (r->by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX) {
		ok = false;
		for (i = 0; i < ICAL_BY_MONTHDAY_SIZE &&
		    r->by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
			d = abs(r->by_month_day[i]);
			for (m = 1; m <= 12; m++)
				ok |= month[m] && d >= 1 &&
				    d <= ical_month_days(m, true);
		}
		if (!ok)
			return false;
	}
	if (r->by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX && !any_month) {
		ok = false;
		for (i = 0; i < ICAL_BY_YEARDAY_SIZE &&
		    r->by_year_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
			for (leap = 0; leap <= 1; leap++) {
				len = 365 + leap;
				d = r->by_year_day[i] > 0 ? r->by_year_day[i] :
				    len + 1 + r->by_year_day[i];
				if (d >= 1 && d <= len)
					ok |= month[ical_yearday_month(d,
					    leap)];
			}
		if (!ok)
			return false;
	}
	return true;
}

/*
 * The rules of comp, held to what a calendar from outside may ask for: a
 * zone's observances repeat yearly and nothing else (libical expands a
 * zone from its first observance on: FREQ=SECONDLY from 1601 never
 * ends); a busy event repeats no more often than hourly; no rule that can
 * never match.
 */
static int
ical_guard_rules(icalcomponent *comp, bool zone, char **err)
{
	icalproperty			*p;
	struct icalrecurrencetype	 r;

	for (p = icalcomponent_get_first_property(comp, ICAL_RRULE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(comp, ICAL_RRULE_PROPERTY)) {
		r = icalproperty_get_rrule(p);
		if (zone && r.freq != ICAL_YEARLY_RECURRENCE) {
			*err = xasprintf("parse error: a VTIMEZONE observance "
			    "repeats FREQ=%s; only YEARLY is accepted",
			    icalrecur_freq_to_string(r.freq));
			return -1;
		}
		if (r.freq == ICAL_SECONDLY_RECURRENCE ||
		    r.freq == ICAL_MINUTELY_RECURRENCE) {
			*err = xasprintf("parse error: an event repeats "
			    "FREQ=%s; busy calendars may repeat hourly at "
			    "most", icalrecur_freq_to_string(r.freq));
			return -1;
		}
		if (!ical_rule_can_match(&r)) {
			*err = xasprintf("parse error: an RRULE (FREQ=%s) "
			    "whose BYMONTH, BYMONTHDAY and BYYEARDAY can "
			    "never match", icalrecur_freq_to_string(r.freq));
			return -1;
		}
	}
	return 0;
}

/*
 * The cheap checks made on a parsed calendar before anything in it is
 * expanded or converted: bounded numbers of components and zones, zones
 * that repeat yearly, and (busy, where events are expanded) event rules
 * that are cheap to follow.  Returns 0, or -1 with *err allocated.
 */
static int
ical_guard_calendar(icalcomponent *root, bool busy, char **err)
{
	icalcomponent	*c, *o;
	int		 nall, nzones, nobs;

	nall = icalcomponent_count_components(root, ICAL_ANY_COMPONENT);
	if (nall > ICAL_MAX_COMPONENTS) {
		*err = xasprintf("too many components (%d; at most %d)", nall,
		    ICAL_MAX_COMPONENTS);
		return -1;
	}
	nzones = icalcomponent_count_components(root,
	    ICAL_VTIMEZONE_COMPONENT);
	if (nzones > ICAL_MAX_VTIMEZONES) {
		*err = xasprintf("too many VTIMEZONEs (%d; at most %d)",
		    nzones, ICAL_MAX_VTIMEZONES);
		return -1;
	}
	for (c = icalcomponent_get_first_component(root,
	    ICAL_VTIMEZONE_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(root,
	    ICAL_VTIMEZONE_COMPONENT)) {
		nobs = icalcomponent_count_components(c, ICAL_ANY_COMPONENT);
		if (nobs > ICAL_MAX_OBSERVANCES) {
			*err = xasprintf("too many observances in a VTIMEZONE "
			    "(%d; at most %d)", nobs, ICAL_MAX_OBSERVANCES);
			return -1;
		}
		for (o = icalcomponent_get_first_component(c,
		    ICAL_ANY_COMPONENT); o != NULL;
		    o = icalcomponent_get_next_component(c,
		    ICAL_ANY_COMPONENT))
			if (ical_guard_rules(o, true, err) == -1)
				return -1;
	}
	if (!busy)
		return 0;
	for (c = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
		if (ical_guard_rules(c, false, err) == -1)
			return -1;
	return 0;
}

void
ical_preload_zones(const char *text, size_t len)
{
	const char	*p = text, *end = text + len;
	char		 seen[ICAL_MAX_PRELOAD][65], name[65];
	icaltimezone	*z;
	size_t		 k, nseen = 0, i;
	bool		 dup;

	while (nseen < ICAL_MAX_PRELOAD && p < end &&
	    (p = memmem(p, (size_t)(end - p), "TZID=", 5)) != NULL) {
		p += 5;
		if (p < end && *p == '"')
			p++;
		for (k = 0; p < end && k < sizeof(name) - 1 &&
		    (isalnum((unsigned char)*p) || strchr("/_+-", *p) != NULL);
		    p++)
			name[k++] = *p;
		name[k] = '\0';
		if (k == 0 || name[0] == '/')
			continue;
		for (i = 0, dup = false; i < nseen && !dup; i++)
			dup = strcmp(seen[i], name) == 0;
		if (dup)
			continue;
		memcpy(seen[nseen++], name, k + 1);
		/* Rules loaded now stay in libical's table for the parse. */
		if ((z = icaltimezone_get_builtin_timezone(name)) != NULL)
			(void)icaltimezone_get_component(z);
	}
}

/*
 * The whole of a small regular file, NUL-terminated; path is the config's.
 * file_read opens it without blocking, so that a FIFO or a device named
 * there cannot hold the caller, and refuses anything but a regular file.
 */
static char *
ical_slurp(const char *path, size_t *len, char **err)
{
	char	*buf = NULL;

	switch (file_read(path, ICAL_MAX_FILE, &buf, len)) {
	case FILE_READ_OK:
		return buf;
	case FILE_READ_OPEN:
		*err = xasprintf("%s: %s", path, strerror(errno));
		break;
	case FILE_READ_NOT_REGULAR:
	case FILE_READ_TOO_BIG:
		*err = xasprintf("%s: not a regular file of at most %d MB",
		    path, ICAL_MAX_FILE / (1024 * 1024));
		break;
	case FILE_READ_SHORT:
		*err = xasprintf("%s: short read: %s", path, strerror(errno));
		break;
	}
	return NULL;
}

/* Parsed in the jail: the text and what the child made of it. */
struct ical_allday_job {
	const char	*text;
	size_t		 len;
};

/* The child's work: all-day spans as packed struct config_span. */
static int
ical_allday_work(void *arg, struct xbuf *out, char **err)
{
	struct ical_allday_job	*job = arg;
	icalcomponent		*root = NULL, *ev;
	struct icaltimetype	 s, e;
	struct config_span	 sp;
	int			 rc = -1;

	if (memchr(job->text, '\0', job->len) != NULL) {
		*err = xstrdup("parse error: not text (it holds a NUL byte)");
		return -1;
	}
	root = icalparser_parse_string(job->text);
	if (root == NULL || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		*err = xstrdup("parse error: not an iCalendar file");
		goto out;
	}
	if (ical_guard_calendar(root, false, err) == -1)
		goto out;
	for (ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	    ev != NULL;
	    ev = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
		s = icalcomponent_get_dtstart(ev);
		if (icaltime_is_null_time(s) || !s.is_date ||
		    icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
			continue;
		e = icalcomponent_get_dtend(ev);
		memset(&sp, 0, sizeof(sp));
		sp.from = (struct civil_date){ s.year, s.month, s.day };
		sp.to = sp.from;
		/* DTEND is exclusive: a one-day event ends the next day. */
		if (!icaltime_is_null_time(e) && e.is_date &&
		    icaltime_compare_date_only(e, s) > 0)
			sp.to = civil_date_add((struct civil_date){ e.year,
			    e.month, e.day }, -1);
		if (!civil_date_valid(sp.from) || !civil_date_valid(sp.to))
			continue;
		xbuf_add(out, (const char *)&sp, sizeof(sp));
	}
	rc = 0;
out:
	if (root != NULL)
		icalcomponent_free(root);
	return rc;
}

int
ical_read_allday(const char *path, struct config_span **out, size_t *n,
    char **err)
{
	char	*text, *why = NULL;
	size_t	 len = 0;
	int	 rc;

	*out = NULL;
	*n = 0;
	*err = NULL;
	if ((text = ical_slurp(path, &len, err)) == NULL)
		return -1;
	if ((rc = ical_allday_text(text, len, out, n, &why)) == -1)
		*err = xasprintf("%s: %s", path, why);
	free(why);
	free(text);
	return rc;
}

int
ical_allday_text(const char *text, size_t len, struct config_span **out,
    size_t *n, char **err)
{
	struct ical_allday_job	 aj;
	struct jail_job		 job;
	struct config_span	*v = NULL;
	char			*ans = NULL, *why = NULL;
	size_t			 alen = 0, k, i;
	int			 rc = -1;

	*out = NULL;
	*n = 0;
	*err = NULL;
	aj.text = text;
	aj.len = len;
	memset(&job, 0, sizeof(job));
	job.work = ical_allday_work;
	job.arg = &aj;
	if (jail_run(&job, NULL, &ans, &alen, &why) != JAIL_OK) {
		*err = why;
		why = NULL;
		goto out;
	}
	/* The child's answer is checked like any input from outside. */
	k = alen / sizeof(*v);
	if (alen % sizeof(*v) != 0) {
		*err = xstrdup("garbled answer from the parser");
		goto out;
	}
	v = xreallocarray(NULL, k + 1, sizeof(*v));
	memcpy(v, ans, alen);
	for (i = 0; i < k; i++)
		if (!civil_date_valid(v[i].from) || !civil_date_valid(v[i].to)) {
			*err = xstrdup("garbled answer from the parser");
			goto out;
		}
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
out:
	free(v);
	free(ans);
	free(why);
	return rc;
}

void
ical_read_holidays(struct config *cfg, char **warnings)
{
	struct config_calendar	*cal;
	struct config_span	*days = NULL;
	char			*err, *line, *out = NULL;
	size_t			 i, j, n;

	*warnings = NULL;
	for (i = 0; i < cfg->ncalendars; i++) {
		cal = &cfg->calendars[i];
		if (cal->source == NULL || cal->source_line == 0 ||
		    strncmp(cal->source, "http://", 7) == 0 ||
		    strncmp(cal->source, "https://", 8) == 0)
			continue;
		err = NULL;
		if (ical_read_allday(cal->source, &days, &n, &err) == -1) {
			line = xasprintf("%s%s%s:%d: warning: [calendar %s] "
			    "source: %s; its all-day events are not skipped",
			    out != NULL ? out : "", out != NULL ? "\n" : "",
			    cfg->path, cal->source_line, cal->id, err);
			free(out);
			out = line;
			free(err);
			continue;
		}
		cal->skip = xreallocarray(cal->skip, cal->nskip + n + 1,
		    sizeof(*cal->skip));
		for (j = 0; j < n; j++)
			cal->skip[cal->nskip++] = days[j];
		free(days);
		days = NULL;
	}
	*warnings = out;
}

/* ------------------------------------------------------------ busy time */

/* A RECURRENCE-ID override: the instance of uid at `at` is replaced. */
struct ical_override {
	const char	*uid;
	int64_t		 at;
};

struct ical_busy_ctx {
	icaltimezone		*floating;	/* the member's zone */
	const struct tz		*zone;
	int64_t			 from, to;
	struct avail		*set;
	size_t			 count;
	size_t			 steps;		/* recurrence steps, all events */
	struct ical_override	*ov;
	size_t			 nov;
	bool			 fast;		/* plain rules: ical_fast */
};

/* The instant of a date-time: UTC, its own zone, or floating in ours. */
static int64_t
ical_instant(struct icaltimetype t, icaltimezone *floating)
{
	icaltimezone	*z;

	if (icaltime_is_utc(t))
		z = icaltimezone_get_utc_timezone();
	else if (t.zone != NULL)
		z = (icaltimezone *)t.zone;
	else
		z = floating;
	return (int64_t)icaltime_as_timet_with_zone(t, z);
}

static int
ical_busy_add(struct ical_busy_ctx *b, int64_t s, int64_t e, char **err)
{
	if (++b->count > ICAL_BUSY_MAX) {
		*err = xasprintf("too many instances (more than %d busy "
		    "times in the range)", ICAL_BUSY_MAX);
		return -1;
	}
	if (e > b->from && s < b->to)
		avail_add(b->set, s < b->from ? b->from : s,
		    e > b->to ? b->to : e);
	return 0;
}

static bool
ical_overridden(const struct ical_busy_ctx *b, const char *uid, int64_t at)
{
	size_t	i;

	for (i = 0; uid != NULL && i < b->nov; i++)
		if (b->ov[i].at == at && strcmp(b->ov[i].uid, uid) == 0)
			return true;
	return false;
}

/*
 * An event's EXDATEs, sorted for binary search: a rule with thousands of
 * them must cost instances times log(EXDATEs), not their product.  A date
 * EXDATE names a day whatever the time, as does any EXDATE against an
 * all-day instance: so the written dates of all (days), of the date ones
 * (date_days) and the instants of the others.
 */
struct ical_exset {
	int64_t	*days, *date_days, *inst;
	size_t	 ndays, ndate, ninst;
};

static int
ical_i64_cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
ical_exdates_push(int64_t **v, size_t *n, int64_t x)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = x;
}

static void
ical_exdates_load(struct ical_exset *x, icalcomponent *ev,
    icaltimezone *floating)
{
	icalproperty		*p;
	struct icaltimetype	 t;
	struct civil_date	 d;

	memset(x, 0, sizeof(*x));
	for (p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
		t = icalproperty_get_exdate(p);
		d = (struct civil_date){ t.year, t.month, t.day };
		if (icaltime_is_null_time(t) || !civil_date_valid(d))
			continue;
		ical_exdates_push(&x->days, &x->ndays, civil_date_to_days(d));
		if (t.is_date)
			ical_exdates_push(&x->date_days, &x->ndate,
			    civil_date_to_days(d));
		else
			ical_exdates_push(&x->inst, &x->ninst,
			    ical_instant(t, floating));
	}
	if (x->ndays > 1)
		qsort(x->days, x->ndays, sizeof(int64_t), ical_i64_cmp);
	if (x->ndate > 1)
		qsort(x->date_days, x->ndate, sizeof(int64_t), ical_i64_cmp);
	if (x->ninst > 1)
		qsort(x->inst, x->ninst, sizeof(int64_t), ical_i64_cmp);
}

static void
ical_exdates_free(struct ical_exset *x)
{
	free(x->days);
	free(x->date_days);
	free(x->inst);
}

static bool
ical_in(const int64_t *v, size_t n, int64_t key)
{
	return n > 0 && bsearch(&key, v, n, sizeof(*v), ical_i64_cmp) != NULL;
}

static bool
ical_excluded(const struct ical_exset *x, struct icaltimetype t, int64_t at)
{
	struct civil_date	d = { t.year, t.month, t.day };
	int64_t			day;

	if (!civil_date_valid(d))
		return false;
	day = civil_date_to_days(d);
	if (t.is_date)
		return ical_in(x->days, x->ndays, day);
	return ical_in(x->date_days, x->ndate, day) ||
	    ical_in(x->inst, x->ninst, at);
}

/* Busy from one instance starting at t (in the event's zone). */
static int
ical_busy_instance(struct ical_busy_ctx *b, struct icaltimetype t,
    int64_t dur, long days, char **err)
{
	struct civil_date	 d = { t.year, t.month, t.day };
	struct civil_time	 midnight = { 0, 0, 0 };
	int64_t			 s;

	if (t.is_date) {
		if (!civil_date_valid(d))
			return 0;
		return ical_busy_add(b, (int64_t)tz_to_utc(b->zone, d,
		    midnight), (int64_t)tz_to_utc(b->zone, civil_date_add(d,
		    days), midnight), err);
	}
	s = ical_instant(t, b->floating);
	return ical_busy_add(b, s, s + dur, err);
}

/* RDATE instances of a series, with the series' length. */
static int
ical_busy_rdates(struct ical_busy_ctx *b, icalcomponent *ev,
    struct icaltimetype s, int64_t dur, long days, char **err)
{
	struct icaldatetimeperiodtype	 r;
	icalproperty			*p;
	int64_t				 st, en;

	for (p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY)) {
		r = icalproperty_get_rdate(p);
		if (!icaltime_is_null_time(r.period.start)) {
			st = ical_instant(r.period.start, b->floating);
			en = !icaltime_is_null_time(r.period.end) ?
			    ical_instant(r.period.end, b->floating) :
			    st + icaldurationtype_as_int(r.period.duration);
			if (ical_busy_add(b, st, en, err) == -1)
				return -1;
			continue;
		}
		if (icaltime_is_null_time(r.time))
			continue;
		if (!r.time.is_date && r.time.zone == NULL &&
		    !icaltime_is_utc(r.time))
			r.time.zone = s.zone;	/* the series' TZID */
		if (ical_busy_instance(b, r.time, dur, days, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * A plain daily or weekly rule stepped on civil dates.  libical 3.0's
 * iterator goes through ICU's calendar for every step (about 5 us each,
 * most of a busy calendar's cost); the rules people put in their calendars
 * are nearly all FREQ=WEEKLY (or DAILY) with INTERVAL, weekdays, COUNT or
 * UNTIL, and those are cheap to follow.  Only rules whose meaning leaves
 * no room for doubt take this path: no other BY* part, no RSCALE, DTSTART
 * on one of its BYDAY days (so that it is the first instance, as libical
 * makes it), UNTIL a UTC date-time with a zoned or UTC DTSTART, or a date
 * with a date DTSTART.  Everything else goes through libical.  It yields
 * the same icaltimetype values as icalrecur_iterator_next, in the same
 * order, so the caller treats both alike; test_busy compares the two on
 * random rules.
 */
struct ical_fast {
	struct icaltimetype	 start;
	int64_t			 day;		/* the next candidate */
	int64_t			 week0;		/* first day of DTSTART's week */
	unsigned		 mask;		/* weekdays, bit CIVIL_MO.. */
	int			 interval;
	bool			 weekly;
	int			 count;		/* 0: none */
	int			 emitted;
	bool			 has_until, until_date;
	int64_t			 until;		/* a day, or an instant */
};

static bool
ical_by_empty(const short *v)
{
	return v[0] == ICAL_RECURRENCE_ARRAY_MAX;
}

/* The civil weekday (CIVIL_MO=0) of libical's (ICAL_SUNDAY_WEEKDAY=1). */
static int
ical_civil_wday(int icalwday)
{
	return (icalwday + 5) % 7;
}

static bool
ical_fast_init(struct ical_fast *f, const struct icalrecurrencetype *r,
    struct icaltimetype s)
{
	struct civil_date	d = { s.year, s.month, s.day };
	struct icaltimetype	u = r->until;
	int			i, wd, wkst;

	memset(f, 0, sizeof(*f));
	if ((r->freq != ICAL_WEEKLY_RECURRENCE &&
	    r->freq != ICAL_DAILY_RECURRENCE) || r->rscale != NULL ||
	    !ical_by_empty(r->by_second) || !ical_by_empty(r->by_minute) ||
	    !ical_by_empty(r->by_hour) || !ical_by_empty(r->by_month_day) ||
	    !ical_by_empty(r->by_year_day) || !ical_by_empty(r->by_week_no) ||
	    !ical_by_empty(r->by_month) || !ical_by_empty(r->by_set_pos) ||
	    r->interval < 1 || r->count < 0 || !civil_date_valid(d))
		return false;
	wd = civil_weekday(d);
	for (i = 0; i < ICAL_BY_DAY_SIZE &&
	    r->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		if (icalrecurrencetype_day_position(r->by_day[i]) != 0)
			return false;
		f->mask |= 1u << ical_civil_wday(
		    icalrecurrencetype_day_day_of_week(r->by_day[i]));
	}
	if (f->mask == 0)	/* weekly on DTSTART's day; daily every day */
		f->mask = r->freq == ICAL_WEEKLY_RECURRENCE ? 1u << wd : 0x7f;
	if (!(f->mask & (1u << wd)))
		return false;
	if (!icaltime_is_null_time(u)) {
		if (s.is_date && u.is_date)
			f->until_date = true;
		else if (!s.is_date && !u.is_date && icaltime_is_utc(u) &&
		    (s.zone != NULL || icaltime_is_utc(s)))
			f->until_date = false;
		else
			return false;
		if (!civil_date_valid((struct civil_date){ u.year, u.month,
		    u.day }))
			return false;
		f->has_until = true;
		f->until = f->until_date ? civil_date_to_days(
		    (struct civil_date){ u.year, u.month, u.day }) :
		    (int64_t)icaltime_as_timet_with_zone(u,
		    icaltimezone_get_utc_timezone());
	}
	wkst = r->week_start >= ICAL_SUNDAY_WEEKDAY &&
	    r->week_start <= ICAL_SATURDAY_WEEKDAY ?
	    ical_civil_wday(r->week_start) : CIVIL_MO;
	/* Where the week starts matters to a rule that skips weeks on more
	 * than one day; libical reads WKST other than MO and SU its own way
	 * there, which it keeps. */
	if (r->freq == ICAL_WEEKLY_RECURRENCE && r->interval > 1 &&
	    (f->mask & (f->mask - 1)) != 0 && wkst != CIVIL_MO &&
	    wkst != CIVIL_SU)
		return false;
	f->start = s;
	f->day = civil_date_to_days(d);
	f->week0 = f->day - (wd - wkst + 7) % 7;
	f->interval = r->interval;
	f->weekly = r->freq == ICAL_WEEKLY_RECURRENCE;
	f->count = r->count;
	return true;
}

/* A wall time's seconds from the epoch, as if UTC. */
static int64_t
ical_wall(struct icaltimetype t)
{
	return civil_date_to_days((struct civil_date){ t.year, t.month,
	    t.day }) * CIVIL_DAY + t.hour * 3600 + t.minute * 60 + t.second;
}

/*
 * A wall time that its zone skips (02:30 on the spring-forward day) is
 * moved on by the gap, to 03:30, as RFC 5545 (3.3.10) says and libical's
 * iterator does for that instance; every other time is itself.  (libical
 * then keeps 03:30 for the instances after it, which RFC 5545 does not
 * say: here they keep the rule's 02:30.)
 */
static struct icaltimetype
ical_fast_gap(struct icaltimetype t)
{
	icaltimezone		*z = (icaltimezone *)t.zone;
	struct icaltimetype	 back;
	time_t			 at;

	at = icaltime_as_timet_with_zone(t, z);
	back = icaltime_from_timet_with_zone(at, 0, z);
	if (ical_wall(back) == ical_wall(t))
		return t;
	back = icaltime_from_timet_with_zone(at + (time_t)(ical_wall(t) -
	    ical_wall(back)), 0, z);
	back.zone = z;
	return back;
}

/* The next instance, or a null time after the last. */
static struct icaltimetype
ical_fast_next(struct ical_fast *f, icaltimezone *floating)
{
	struct icaltimetype	t;
	struct civil_date	d;
	int64_t			day, w;

	if (f->count > 0 && f->emitted >= f->count)
		return icaltime_null_time();
	for (;;) {
		day = f->day;
		if (f->weekly) {
			w = (day - f->week0) / 7;
			if (w % f->interval != 0) {
				/* Into the next week of the rule. */
				f->day = f->week0 + (w / f->interval + 1) *
				    f->interval * 7;
				continue;
			}
			f->day = day + 1;
		} else
			f->day = day + f->interval;
		/* The weekday from the day number (1970-01-01 a Thursday),
		 * so that a day not in the rule costs no date conversion. */
		if (!(f->mask & (1u << (((day + CIVIL_TH) % 7 + 7) % 7))))
			continue;
		d = civil_date_from_days(day);
		if (!civil_date_valid(d) || d.y > 9999)
			return icaltime_null_time();
		t = f->start;
		t.year = d.y;
		t.month = d.m;
		t.day = d.d;
		if (t.zone != NULL && !t.is_date && !icaltime_is_utc(t))
			t = ical_fast_gap(t);
		if (f->has_until && (f->until_date ? day > f->until :
		    ical_instant(t, floating) > f->until))
			return icaltime_null_time();
		f->emitted++;
		return t;
	}
}

static int
ical_busy_event(struct ical_busy_ctx *b, icalcomponent *ev, char **err)
{
	struct icaltimetype	 s, e, t;
	icalproperty		*p, *rr;
	icalrecur_iterator	*it = NULL;
	struct icalrecurrencetype recur;
	struct ical_exset	 ex;
	struct ical_fast	 fast;
	bool			 is_fast;
	const char		*uid = icalcomponent_get_uid(ev);
	int64_t			 dur = 0, at;
	long			 days = 1;
	int			 rc = -1;

	s = icalcomponent_get_dtstart(ev);
	if (icaltime_is_null_time(s) || !icaltime_is_valid_time(s) ||
	    icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
		return 0;
	p = icalcomponent_get_first_property(ev, ICAL_TRANSP_PROPERTY);
	if (p != NULL && icalproperty_get_transp(p) == ICAL_TRANSP_TRANSPARENT)
		return 0;
	e = icalcomponent_get_dtend(ev);
	if (s.is_date) {
		if (!icaltime_is_null_time(e) && e.is_date)
			days = (long)(civil_date_to_days((struct civil_date){
			    e.year, e.month, e.day }) - civil_date_to_days(
			    (struct civil_date){ s.year, s.month, s.day }));
		if (days < 1)
			days = 1;
		if (days > 366)
			days = 366;
	} else if (!icaltime_is_null_time(e))
		dur = ical_instant(e, b->floating) - ical_instant(s,
		    b->floating);
	if (dur < 0)
		dur = 0;
	rr = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
	/* An override (RECURRENCE-ID) is one instance, never a series. */
	if (rr == NULL || icalcomponent_get_first_property(ev,
	    ICAL_RECURRENCEID_PROPERTY) != NULL)
		return ical_busy_instance(b, s, dur, days, err);
	if (ical_busy_rdates(b, ev, s, dur, days, err) == -1)
		return -1;
	recur = icalproperty_get_rrule(rr);
	is_fast = b->fast && ical_fast_init(&fast, &recur, s);
	if (!is_fast && (it = icalrecur_iterator_new(recur, s)) == NULL)
		return 0;	/* a rule libical cannot read: ignored */
	ical_exdates_load(&ex, ev, b->floating);
	for (t = is_fast ? ical_fast_next(&fast, b->floating) :
	    icalrecur_iterator_next(it); !icaltime_is_null_time(t);
	    t = is_fast ? ical_fast_next(&fast, b->floating) :
	    icalrecur_iterator_next(it)) {
		/* Steps before the range count too: a FREQ=SECONDLY rule
		 * from 1970 must not hold the worker for hours. */
		if (++b->steps > ICAL_BUSY_MAX_STEPS) {
			*err = xasprintf("too many instances (more than %d "
			    "recurrence steps)", ICAL_BUSY_MAX_STEPS);
			goto out;
		}
		at = t.is_date ? 0 : ical_instant(t, b->floating);
		if (!t.is_date && at >= b->to)
			break;
		if (t.is_date && ical_instant(t, b->floating) >= b->to + CIVIL_DAY)
			break;
		if (!t.is_date && at + dur <= b->from)
			continue;
		if (ical_excluded(&ex, t, at) ||
		    (!t.is_date && ical_overridden(b, uid, at)))
			continue;
		if (ical_busy_instance(b, t, dur, days, err) == -1)
			goto out;
	}
	rc = 0;
out:
	ical_exdates_free(&ex);
	if (it != NULL)
		icalrecur_iterator_free(it);
	return rc;
}

static int
ical_busy_freebusy(struct ical_busy_ctx *b, icalcomponent *fb, char **err)
{
	icalproperty		*p;
	icalparameter		*type;
	struct icalperiodtype	 per;
	int64_t			 s, e;

	for (p = icalcomponent_get_first_property(fb, ICAL_FREEBUSY_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(fb, ICAL_FREEBUSY_PROPERTY)) {
		type = icalproperty_get_first_parameter(p,
		    ICAL_FBTYPE_PARAMETER);
		if (type != NULL &&
		    icalparameter_get_fbtype(type) == ICAL_FBTYPE_FREE)
			continue;
		per = icalproperty_get_freebusy(p);
		if (icaltime_is_null_time(per.start))
			continue;
		s = ical_instant(per.start, b->floating);
		if (!icaltime_is_null_time(per.end))
			e = ical_instant(per.end, b->floating);
		else
			e = s + icaldurationtype_as_int(per.duration);
		if (ical_busy_add(b, s, e, err) == -1)
			return -1;
	}
	return 0;
}

int
ical_busy(const char *text, size_t len, const struct tz *zone, int64_t from,
    int64_t to, struct avail *out, char **err)
{
	struct ical_busy_ctx	 b;
	icalcomponent		*root = NULL, *c;
	icalproperty		*rid;
	int			 rc = -1;

	memset(&b, 0, sizeof(b));
	b.zone = zone;
	b.floating = zone != NULL ? tz_icaltimezone(zone) :
	    icaltimezone_get_utc_timezone();
	b.from = from;
	b.to = to;
	b.set = avail_new();
	b.fast = true;
	if (memchr(text, '\0', len) != NULL || text[len] != '\0') {
		*err = xstrdup("parse error: not text (it holds a NUL byte)");
		goto out;
	}
	root = icalparser_parse_string(text);
	if (root == NULL || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		*err = xstrdup("parse error: not an iCalendar file (no "
		    "VCALENDAR)");
		goto out;
	}
	if (ical_guard_calendar(root, true, err) == -1)
		goto out;
	/* Overrides first, so that the series can leave their dates out. */
	for (c = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
		rid = icalcomponent_get_first_property(c,
		    ICAL_RECURRENCEID_PROPERTY);
		if (rid == NULL || icalcomponent_get_uid(c) == NULL)
			continue;
		b.ov = xreallocarray(b.ov, b.nov + 1, sizeof(*b.ov));
		b.ov[b.nov].uid = icalcomponent_get_uid(c);
		b.ov[b.nov].at = ical_instant(icalproperty_get_recurrenceid(
		    rid), b.floating);
		b.nov++;
	}
	for (c = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
		if (ical_busy_event(&b, c, err) == -1)
			goto out;
	for (c = icalcomponent_get_first_component(root,
	    ICAL_VFREEBUSY_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(root,
	    ICAL_VFREEBUSY_COMPONENT))
		if (ical_busy_freebusy(&b, c, err) == -1)
			goto out;
	avail_add_set(out, b.set);
	rc = 0;
out:
	free(b.ov);
	avail_free(b.set);
	if (root != NULL)
		icalcomponent_free(root);
	return rc;
}
