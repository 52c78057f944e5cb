/* cadence: a community's meeting series, from config to concrete meetings. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cadence.h"
#include "civil.h"
#include "config.h"
#include "recur.h"
#include "tz.h"
#include "xmalloc.h"


/*
 * The series' rule without UNTIL.  Expansion bounds `until` itself, as a
 * local date: the UTC UNTIL of the published rule is an instant, which a
 * floating expansion cannot compare.  Allocated.
 */
static char *
cadence_rule_base(const struct config_community *c, int day)
{
	const char	*wd = civil_weekday_abbr(day);

	switch (c->cadence) {
	case CONFIG_CADENCE_WEEKLY:
		return xasprintf("FREQ=WEEKLY;BYDAY=%s", wd);
	case CONFIG_CADENCE_BIWEEKLY:
		return xasprintf("FREQ=WEEKLY;INTERVAL=2;BYDAY=%s", wd);
	case CONFIG_CADENCE_MONTHLY:
		/* A zeroed struct means the config default: the first. */
		return xasprintf("FREQ=MONTHLY;BYDAY=%d%s",
		    c->week == 0 ? 1 : c->week, wd);
	case CONFIG_CADENCE_RRULE:
		break;
	}
	return xstrdup(c->rrule != NULL ? c->rrule : "");
}

char *
cadence_rrule(const struct config_community *c, int day)
{
	struct civil_time	 eod = { 23, 59, 59 };
	struct civil_date	 d;
	struct civil_time	 t;
	char			*base, *rule;

	base = cadence_rule_base(c, day);
	if (!c->has_until)
		return base;
	/*
	 * RFC 5545 wants a UTC UNTIL with a DTSTART;TZID.  The last second of
	 * the until day, local, keeps a meeting late on that day in.
	 */
	tz_from_utc(NULL, tz_to_utc(c->tz, c->until, eod), &d, &t);
	rule = xasprintf("%s;UNTIL=%04d%02d%02dT%02d%02d%02dZ", base, d.y, d.m,
	    d.d, t.h, t.min, t.s);
	free(base);
	return rule;
}

/* The last date the series may have. */
static struct civil_date
cadence_last(const struct config_community *c)
{
	struct civil_date	 far = { CIVIL_YEAR_MAX, 12, 31 };

	return c->has_until ? c->until : far;
}

/* The first occurrence of rule on or after c->start; c->start if none. */
static struct civil_date
cadence_first_of(const struct config_community *c, const char *rule,
    struct civil_time at)
{
	struct civil_date	*v = NULL, first = c->start;
	char			*err = NULL;

	if (recur_expand(rule, c->start, at, c->start, cadence_last(c), 1, &v,
	    &err) == 1)
		first = v[0];
	free(v);
	free(err);
	return first;
}

/*
 * A weekly series, worked out by arithmetic: libical's iterator (through
 * ICU) costs microseconds a step, and a district's feeds take tens of
 * thousands of steps.  FREQ=WEEKLY;BYDAY=D from DTSTART start is day D on
 * or after start, then every 7 days; test_cadence holds libical to the same
 * dates.  (Biweekly stays with libical, whose reading of which week counts
 * first is its own.)  Returns 1 with *first set, or 0 when c is another
 * kind of rule.  *first past the series' end means no meeting at all.
 */
static int
cadence_weekly_first(const struct config_community *c, int day,
    struct civil_date *first)
{
	if (c->cadence != CONFIG_CADENCE_WEEKLY || day < CIVIL_MO ||
	    day > CIVIL_SU || !civil_date_valid(c->start))
		return 0;
	*first = civil_date_add(c->start, day - civil_weekday(c->start));
	if (civil_date_cmp(*first, c->start) < 0)
		*first = civil_date_add(*first, 7);
	return 1;
}

struct civil_date
cadence_first(const struct config_community *c, int day)
{
	struct civil_date	 first;
	char			*rule;

	if (cadence_weekly_first(c, day, &first) != 0)
		return civil_date_cmp(first, cadence_last(c)) <= 0 ? first :
		    c->start;
	rule = cadence_rule_base(c, day);
	first = cadence_first_of(c, rule, c->time);
	free(rule);
	return first;
}

static bool
cadence_in_spans(const struct config_span *s, size_t n, struct civil_date d)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (civil_date_cmp(d, s[i].from) >= 0 &&
		    civil_date_cmp(d, s[i].to) <= 0)
			return true;
	return false;
}

bool
cadence_skipped(const struct config_community *c, struct civil_date d)
{
	const struct config_calendar	*cal;
	size_t				 i;

	if (cadence_in_spans(c->skip, c->nskip, d))
		return true;
	for (i = 0; i < c->nskip_calendars; i++) {
		cal = c->skip_calendars[i];
		if (cal != NULL && cadence_in_spans(cal->skip, cal->nskip, d))
			return true;
	}
	return false;
}

static int
cadence_occ_cmp(const void *a, const void *b)
{
	const struct cadence_occ	*x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return civil_date_cmp(x->orig, y->orig);
}

/*
 * Instants are kept within the years civil dates can name, with a day to
 * spare each side for the local-date margin below.
 */
static time_t
cadence_clamp(time_t t)
{
	struct civil_date	 lo = { CIVIL_YEAR_MIN + 1, 1, 1 };
	struct civil_date	 hi = { CIVIL_YEAR_MAX - 1, 12, 31 };
	int64_t			 tlo = civil_date_to_days(lo) * CIVIL_DAY;
	int64_t			 thi = civil_date_to_days(hi) * CIVIL_DAY;

	if ((int64_t)t < tlo)
		return (time_t)tlo;
	if ((int64_t)t > thi)
		return (time_t)thi;
	return t;
}

/* The one meeting of the series on date orig, moves and cancels applied. */
struct cadence_occ
cadence_meeting(const struct config_community *c, struct civil_date orig,
    struct civil_time at)
{
	struct cadence_occ	 o;
	size_t			 i;

	o.orig = orig;
	o.date = orig;
	o.at = at;
	o.moved = false;
	o.cancelled = false;
	for (i = 0; i < c->nmoves; i++) {
		if (civil_date_cmp(c->moves[i].from, orig) != 0)
			continue;
		o.date = c->moves[i].to;
		if (c->moves[i].has_time)
			o.at = c->moves[i].at;
		o.moved = true;
		break;
	}
	/* A cancel names the series date, like the RECURRENCE-ID it becomes. */
	for (i = 0; i < c->ncancels; i++)
		if (civil_date_cmp(c->cancels[i], orig) == 0)
			o.cancelled = true;
	o.start = tz_to_utc(c->tz, o.date, o.at);
	o.end = o.start + (time_t)c->duration;
	return o;
}

long
cadence_dates(const struct config_community *c, int day, struct civil_time at,
    struct civil_date from, struct civil_date to, struct civil_date **out,
    char **err)
{
	struct civil_date	 first;
	char			*rule, a[CIVIL_DATE_LEN], b[CIVIL_DATE_LEN];
	long			 n;
	int			 weeks;

	*out = NULL;
	*err = NULL;
	if (civil_date_cmp(to, cadence_last(c)) > 0)
		to = cadence_last(c);
	if (civil_date_cmp(from, to) > 0)
		return 0;
	if ((weeks = cadence_weekly_first(c, day, &first)) != 0) {
		int64_t	step = 7 * weeks, k = 0, f = civil_date_to_days(first);
		int64_t	lo = civil_date_to_days(from), hi = civil_date_to_days(to);
		size_t	cap = 0;

		if (lo > f)
			k = (lo - f + step - 1) / step;
		for (n = 0; f + k * step <= hi && n <= CADENCE_MAX; k++) {
			if ((size_t)n == cap) {
				cap = cap ? 2 * cap : 16;
				*out = xreallocarray(*out, cap, sizeof(**out));
			}
			(*out)[n++] = civil_date_from_days(f + k * step);
		}
	} else {
		rule = cadence_rule_base(c, day);
		first = cadence_first_of(c, rule, at);
		n = recur_expand(rule, first, at, from, to, CADENCE_MAX + 1,
		    out, err);
		free(rule);
	}
	if (n > CADENCE_MAX) {
		free(*out);
		*out = NULL;
		*err = xasprintf("more than %d meetings between %s and %s",
		    CADENCE_MAX, civil_date_format(from, a),
		    civil_date_format(to, b));
		return -1;
	}
	return n;
}

long
cadence_expand(const struct config_community *c, int day,
    struct civil_time at, time_t from, time_t to,
    struct cadence_occ **out, char **err)
{
	struct cadence_occ	*occ = NULL, o;
	struct civil_date	*dates = NULL, lo, hi, elo, ehi, first;
	char			*rule = NULL, a[CIVIL_DATE_LEN], b[CIVIL_DATE_LEN];
	long			 n, i, k = 0, rc = -1;
	size_t			 j;

	*out = NULL;
	*err = NULL;
	from = cadence_clamp(from);
	to = cadence_clamp(to);
	if (from >= to) {
		rc = 0;
		goto out;
	}
	/*
	 * A meeting starting in [from, to) is on a local date between those of
	 * from and to; a day either side is a margin for wall times that a
	 * zone change moves across midnight.
	 */
	tz_from_utc(c->tz, from, &lo, NULL);
	tz_from_utc(c->tz, to - 1, &hi, NULL);
	lo = civil_date_add(lo, -1);
	hi = civil_date_add(hi, 1);
	/* A meeting moved into the window comes from a date outside it. */
	elo = lo;
	ehi = hi;
	for (j = 0; j < c->nmoves; j++) {
		if (civil_date_cmp(c->moves[j].to, lo) < 0 ||
		    civil_date_cmp(c->moves[j].to, hi) > 0)
			continue;
		if (civil_date_cmp(c->moves[j].from, elo) < 0)
			elo = c->moves[j].from;
		if (civil_date_cmp(c->moves[j].from, ehi) > 0)
			ehi = c->moves[j].from;
	}
	/* until is inclusive, and a date: compared here, not as UNTIL. */
	if (civil_date_cmp(ehi, cadence_last(c)) > 0)
		ehi = cadence_last(c);
	if (civil_date_cmp(elo, ehi) > 0) {
		rc = 0;
		goto out;
	}
	rule = cadence_rule_base(c, day);
	/* Expanding from the published DTSTART keeps COUNT and INTERVAL in step. */
	first = cadence_first_of(c, rule, at);
	n = recur_expand(rule, first, at, elo, ehi, CADENCE_MAX + 1, &dates,
	    err);
	if (n < 0)
		goto out;
	if (n > CADENCE_MAX) {
		*err = xasprintf("more than %d meetings between %s and %s",
		    CADENCE_MAX, civil_date_format(elo, a),
		    civil_date_format(ehi, b));
		goto out;
	}
	occ = xcalloc((size_t)n, sizeof(*occ));
	for (i = 0; i < n; i++) {
		/* A skipped date is an EXDATE: no meeting, unless a move
		 * takes it out of the skipped week. */
		if (cadence_skipped(c, dates[i]) &&
		    cadence_move_of(c, dates[i]) == NULL)
			continue;
		o = cadence_meeting(c, dates[i], at);
		if (o.start < from || o.start >= to)
			continue;
		occ[k++] = o;
	}
	qsort(occ, (size_t)k, sizeof(*occ), cadence_occ_cmp);
	*out = occ;
	occ = NULL;
	rc = k;
out:
	free(occ);
	free(dates);
	free(rule);
	return rc;
}

/* ------------------------------------------- what a feed's series leaves out */

static int
cadence_date_cmp(const void *a, const void *b)
{
	return civil_date_cmp(*(const struct civil_date *)a,
	    *(const struct civil_date *)b);
}

/* Append the series dates in span to *v (grown as needed). */
static int
cadence_span_dates(const struct config_community *c, int day,
    struct civil_time at, const struct config_span *span,
    struct civil_date **v, size_t *n, char **err)
{
	struct civil_date	*d = NULL;
	long			 k, i;

	k = cadence_dates(c, day, at, span->from, span->to, &d, err);
	if (k < 0)
		return -1;
	*v = xreallocarray(*v, *n + (size_t)k + 1, sizeof(**v));
	for (i = 0; i < k; i++)
		(*v)[(*n)++] = d[i];
	free(d);
	return 0;
}

/* Widen [*lo, *hi] to cover the spans. */
static void
cadence_spans_bound(const struct config_span *sp, size_t n, bool *any,
    struct civil_date *lo, struct civil_date *hi)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (!*any || civil_date_cmp(sp[i].from, *lo) < 0)
			*lo = sp[i].from;
		if (!*any || civil_date_cmp(sp[i].to, *hi) > 0)
			*hi = sp[i].to;
		*any = true;
	}
}

/*
 * One expansion over the range the skips cover, filtered, rather than one
 * per skip: a district's calendar has a dozen spans, and each expansion
 * walks the rule from the series' start.  Only when that range holds more
 * meetings than an expansion may give (skips centuries apart) is each span
 * expanded alone.
 */
int
cadence_exdates(const struct config_community *c, int day,
    struct civil_time at, struct civil_date **out, size_t *nout, char **err)
{
	const struct config_calendar	*cal;
	struct civil_date		*v = NULL, lo, hi;
	size_t				 n = 0, i, j, k;
	long				 m;
	bool				 any = false;
	int				 rc = -1;

	*out = NULL;
	*nout = 0;
	cadence_spans_bound(c->skip, c->nskip, &any, &lo, &hi);
	for (i = 0; i < c->nskip_calendars; i++)
		if ((cal = c->skip_calendars[i]) != NULL)
			cadence_spans_bound(cal->skip, cal->nskip, &any, &lo,
			    &hi);
	if (!any)
		return 0;
	if ((m = cadence_dates(c, day, at, lo, hi, &v, err)) >= 0) {
		for (i = 0, k = 0; i < (size_t)m; i++)
			if (cadence_skipped(c, v[i]))
				v[k++] = v[i];
		*out = v;
		*nout = k;
		return 0;
	}
	free(*err);
	*err = NULL;
	free(v);
	v = NULL;
	for (i = 0; i < c->nskip; i++)
		if (cadence_span_dates(c, day, at, &c->skip[i], &v, &n,
		    err) == -1)
			goto out;
	for (i = 0; i < c->nskip_calendars; i++) {
		cal = c->skip_calendars[i];
		for (j = 0; cal != NULL && j < cal->nskip; j++)
			if (cadence_span_dates(c, day, at, &cal->skip[j], &v,
			    &n, err) == -1)
				goto out;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), cadence_date_cmp);
	for (i = 0, k = 0; i < n; i++)	/* a date in two lists, once */
		if (k == 0 || civil_date_cmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	*out = v;
	*nout = k;
	v = NULL;
	rc = 0;
out:
	free(v);
	return rc;
}

int
cadence_is_date(const struct config_community *c, int day,
    struct civil_time at, struct civil_date d, bool *yes, char **err)
{
	struct civil_date	*v = NULL;
	long			 k;

	k = cadence_dates(c, day, at, d, d, &v, err);
	free(v);
	if (k < 0)
		return -1;
	*yes = k == 1;
	return 0;
}

int
cadence_is_meeting(const struct config_community *c, int day,
    struct civil_time at, struct civil_date d, bool *yes, char **err)
{
	if (cadence_is_date(c, day, at, d, yes, err) == -1)
		return -1;
	*yes = *yes && !cadence_skipped(c, d);
	return 0;
}

const struct config_move *
cadence_move_of(const struct config_community *c, struct civil_date d)
{
	size_t	i;

	for (i = 0; i < c->nmoves; i++)
		if (civil_date_cmp(c->moves[i].from, d) == 0)
			return &c->moves[i];
	return NULL;
}

bool
cadence_cancelled(const struct config_community *c, struct civil_date d)
{
	size_t	i;

	for (i = 0; i < c->ncancels; i++)
		if (civil_date_cmp(c->cancels[i], d) == 0)
			return true;
	return false;
}

/* ------------------------------------------------- move and cancel, checked */

/* How far cadence_lint looks for the nearest meetings, each side. */
#define CADENCE_NEAR_DAYS	400

struct cadence_note {
	int	 line;
	size_t	 seq;		/* keeps the order of one line's notes */
	char	*msg;
};

struct cadence_notes {
	struct cadence_note	*v;
	size_t			 n;
};

static void
cadence_note(struct cadence_notes *notes, int line, char *msg)
{
	notes->v = xreallocarray(notes->v, notes->n + 1, sizeof(*notes->v));
	notes->v[notes->n].line = line;
	notes->v[notes->n].seq = notes->n;
	notes->v[notes->n].msg = msg;
	notes->n++;
}

static int
cadence_note_cmp(const void *a, const void *b)
{
	const struct cadence_note	*x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A date that holds a meeting: of the series, and not skipped unless moved. */
static bool
cadence_holds(const struct config_community *c, struct civil_date d)
{
	return !cadence_skipped(c, d) || cadence_move_of(c, d) != NULL;
}

/*
 * "(nearest: A, B)": the meetings closest to d before and after it, within
 * CADENCE_NEAR_DAYS.  Allocated; NULL with *err allocated when the rule
 * cannot be expanded.
 */
static char *
cadence_nearest(const struct config_community *c, int day,
    struct civil_time at, struct civil_date d, char **err)
{
	struct civil_date	*v = NULL, lo, hi;
	char			 a[CIVIL_DATE_LEN], b[CIVIL_DATE_LEN], *s;
	long			 n, i, before = -1, after = -1;

	lo = civil_date_add(d, -CADENCE_NEAR_DAYS);
	hi = civil_date_add(d, CADENCE_NEAR_DAYS);
	if ((n = cadence_dates(c, day, at, lo, hi, &v, err)) < 0)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!cadence_holds(c, v[i]))
			continue;
		if (civil_date_cmp(v[i], d) < 0)
			before = i;
		else if (civil_date_cmp(v[i], d) > 0 && after == -1)
			after = i;
	}
	if (before >= 0 && after >= 0)
		s = xasprintf("(nearest: %s, %s)", civil_date_format(v[before],
		    a), civil_date_format(v[after], b));
	else if (before >= 0 || after >= 0)
		s = xasprintf("(nearest: %s)", civil_date_format(
		    v[before >= 0 ? before : after], a));
	else
		s = xasprintf("(no meeting within %d days)", CADENCE_NEAR_DAYS);
	free(v);
	return s;
}

static bool
cadence_time_eq(struct civil_time a, struct civil_time b)
{
	return a.h == b.h && a.min == b.min && a.s == b.s;
}

/*
 * Whether two meetings' wall times are known to be the same: with time =
 * auto the series' time is not known here, so only two meetings both at the
 * series time are.
 */
static bool
cadence_same_time(const struct config_community *c, bool a_own,
    struct civil_time a, bool b_own, struct civil_time b)
{
	if (c->time_auto)
		return !a_own && !b_own;
	return cadence_time_eq(a_own ? a : c->time, b_own ? b : c->time);
}

/* A move onto a slot another meeting of c already has. */
static void
cadence_lint_target(const struct config_community *c, size_t i, int day,
    struct cadence_notes *notes, char **err)
{
	const struct config_move	*m = &c->moves[i], *o;
	char				 a[CIVIL_DATE_LEN], b[CIVIL_DATE_LEN];
	char				 d[CIVIL_DATE_LEN], t[CIVIL_TIME_LEN];
	size_t				 j;
	bool				 yes;

	for (j = 0; j < i; j++) {
		o = &c->moves[j];
		if (civil_date_cmp(o->to, m->to) == 0 && cadence_same_time(c,
		    o->has_time, o->at, m->has_time, m->at))
			cadence_note(notes, c->move_line, xasprintf(
			    "[community %s] move: %s and %s are both moved "
			    "to %s", c->id, civil_date_format(o->from, a),
			    civil_date_format(m->from, b), civil_date_format(
			    m->to, d)));
	}
	/* A meeting that stays on the target date, at the same time. */
	if (civil_date_cmp(m->to, m->from) == 0 ||
	    cadence_move_of(c, m->to) != NULL || cadence_skipped(c, m->to) ||
	    cadence_cancelled(c, m->to) ||
	    !cadence_same_time(c, m->has_time, m->at, false, c->time))
		return;
	if (cadence_is_date(c, day, c->time, m->to, &yes, err) == -1 || !yes)
		return;
	cadence_note(notes, c->move_line, xasprintf("[community %s] move: %s "
	    "-> %s %s is the slot of the meeting of %s", c->id,
	    civil_date_format(m->from, a), civil_date_format(m->to, b),
	    civil_time_format(m->has_time ? m->at : c->time, t),
	    civil_date_format(m->to, d)));
}

/* The checks of one community; -1 with *err when its rule cannot expand. */
static int
cadence_lint_one(const struct config_community *c, time_t now,
    struct cadence_notes *notes, char **err)
{
	const struct config_move	*m;
	char				 a[CIVIL_DATE_LEN], *near;
	size_t				 i;
	bool				 yes;
	int				 day = c->day;
	struct civil_date		 today;
	struct civil_time		 t;

	/*
	 * day = auto: the series' dates are the worker's placement, known
	 * only at run time (and in the store, which a config check does not
	 * open), so the dates are not checked here.  time = auto is: a
	 * series' dates do not depend on its time.
	 */
	if (day == -1 && c->cadence != CONFIG_CADENCE_RRULE)
		return 0;
	/*
	 * A date before today is history: it belongs to the epoch that was
	 * in force then, which only the state knows (an earlier day or
	 * time), and it was checked while it was still ahead.
	 */
	tz_from_utc(c->tz, now, &today, &t);
	for (i = 0; i < c->nmoves; i++) {
		m = &c->moves[i];
		if (civil_date_cmp(m->from, today) < 0)
			continue;
		if (cadence_is_date(c, day, c->time, m->from, &yes, err) == -1)
			return -1;
		if (!yes) {
			if ((near = cadence_nearest(c, day, c->time, m->from,
			    err)) == NULL)
				return -1;
			cadence_note(notes, c->move_line, xasprintf(
			    "[community %s] move: %s is not a meeting %s",
			    c->id, civil_date_format(m->from, a), near));
			free(near);
			continue;
		}
		cadence_lint_target(c, i, day, notes, err);
		if (*err != NULL)
			return -1;
	}
	for (i = 0; i < c->ncancels; i++) {
		if (civil_date_cmp(c->cancels[i], today) < 0)
			continue;
		if (cadence_is_date(c, day, c->time, c->cancels[i], &yes,
		    err) == -1)
			return -1;
		if (yes && cadence_holds(c, c->cancels[i]))
			continue;
		if ((near = cadence_nearest(c, day, c->time, c->cancels[i],
		    err)) == NULL)
			return -1;
		cadence_note(notes, c->cancel_line, xasprintf("[community %s] "
		    "cancel: %s is not a meeting%s %s", c->id,
		    civil_date_format(c->cancels[i], a),
		    yes ? ": the date is skipped" : "", near));
		free(near);
	}
	return 0;
}

int
cadence_lint(const struct config *cfg, time_t now, char **errors)
{
	const struct config_community	*c;
	struct cadence_notes		 notes = { NULL, 0 };
	char				*err = NULL, *s = NULL, *line;
	size_t				 i, len = 0;

	*errors = NULL;
	for (i = 0; i < cfg->ncommunities; i++) {
		c = &cfg->communities[i];
		if (cadence_lint_one(c, now, &notes, &err) == -1) {
			cadence_note(&notes, c->line, xasprintf("[community "
			    "%s] %s", c->id, err));
			free(err);
			err = NULL;
		}
	}
	if (notes.n == 0)
		return 0;
	qsort(notes.v, notes.n, sizeof(*notes.v), cadence_note_cmp);
	for (i = 0; i < notes.n; i++) {
		line = xasprintf("%s%s:%d: %s", i ? "\n" : "", cfg->path,
		    notes.v[i].line, notes.v[i].msg);
		s = xreallocarray(s, len + strlen(line) + 1, 1);
		memcpy(s + len, line, strlen(line) + 1);
		len += strlen(line);
		free(line);
		free(notes.v[i].msg);
	}
	free(notes.v);
	*errors = s;
	return -1;
}
