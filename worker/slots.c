/* slots: candidate meeting slots scored by who can attend. */
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "slots.h"
#include "xmalloc.h"

struct slots_ranking {
	struct slots_candidate	*cand;		/* best first */
	size_t			 n;
	long			*missed;	/* n * nmembers */
	const struct slots_candidate *current;
	double			 min_attendance;
};

/* A (day, start) pair before scoring. */
struct slots_key {
	int	day, secs;
};

static int
slots_key_cmp(const void *a, const void *b)
{
	const struct slots_key	*x = a, *y = b;

	if (x->day != y->day)
		return x->day - y->day;
	return x->secs - y->secs;
}

static bool
slots_day_auto(const struct config_community *c)
{
	return c->day == -1 && c->cadence != CONFIG_CADENCE_RRULE;
}

/* Does [secs, secs + len) fit in a window entry on day (-1: any day)? */
static bool
slots_fits(const struct config_community *c, int day, int secs, int64_t len)
{
	size_t	i;

	for (i = 0; i < c->nwindow; i++)
		if ((day < 0 || (c->window[i].days & (1u << day))) &&
		    c->window[i].from <= secs && secs + len <= c->window[i].to)
			return true;
	return false;
}

static void
slots_key_add(struct slots_key **v, size_t *n, size_t *cap, int day,
    int secs)
{
	if (*n == *cap) {
		*cap = *cap < 64 ? 64 : *cap * 2;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[*n].day = day;
	(*v)[*n].secs = secs;
	(*n)++;
}

/* Every grid start in the window on day (-1: any) that fits len. */
static void
slots_grid(const struct config_community *c, int day, struct slots_key **v,
    size_t *n, size_t *cap)
{
	size_t	i;
	int	s;

	for (i = 0; i < c->nwindow; i++) {
		if (day >= 0 && !(c->window[i].days & (1u << day)))
			continue;
		s = (c->window[i].from + SLOTS_GRID - 1) / SLOTS_GRID *
		    SLOTS_GRID;
		for (; s + c->duration <= c->window[i].to; s += SLOTS_GRID)
			slots_key_add(v, n, cap, day, s);
	}
}

static uint8_t
slots_window_days(const struct config_community *c)
{
	uint8_t	days = 0;
	size_t	i;

	for (i = 0; i < c->nwindow; i++)
		days |= c->window[i].days;
	return days;
}

/*
 * The candidates: the grid where a part is auto (or everything, when
 * exploring), the configured value where it is not.  A fixed time that no
 * window day holds still gets every window day, so that day = auto always
 * has somewhere to go.
 */
static size_t
slots_candidates(const struct slots_input *in, struct slots_key **out)
{
	const struct config_community	*c = in->community;
	struct slots_key		*v = NULL;
	size_t				 n = 0, cap = 0, i, k;
	int				 d, secs = civil_time_to_secs(c->time);
	uint8_t				 days = slots_window_days(c);
	bool				 day_auto, time_auto;

	day_auto = slots_day_auto(c) || (in->explore &&
	    c->cadence != CONFIG_CADENCE_RRULE);
	time_auto = c->time_auto || in->explore;
	for (d = 0; d < 7; d++) {
		if (c->cadence == CONFIG_CADENCE_RRULE) {
			if (d > 0)
				break;
			d = -1;		/* the rule says the days */
		} else if (!day_auto) {
			if (d != c->day)
				continue;
		} else if (!(days & (1u << d)))
			continue;
		if (time_auto)
			slots_grid(c, d, &v, &n, &cap);
		else if (!day_auto || slots_fits(c, d, secs, c->duration))
			slots_key_add(&v, &n, &cap, d, secs);
		if (d == -1)
			break;
	}
	if (n == 0 && !time_auto && day_auto)
		for (d = 0; d < 7; d++)
			if (days & (1u << d))
				slots_key_add(&v, &n, &cap, d, secs);
	if (n > 0)
		qsort(v, n, sizeof(*v), slots_key_cmp);
	for (i = k = 0; i < n; i++)
		if (k == 0 || slots_key_cmp(&v[k - 1], &v[i]) != 0)
			v[k++] = v[i];
	*out = v;
	return k;
}

/* Score the candidates cand[0..n), which all share one day. */
static int
slots_score_day(const struct slots_input *in, struct slots_candidate *cand,
    size_t n, char **err)
{
	const struct config_community	*c = in->community;
	struct cadence_occ		*occ = NULL, m;
	struct avail_day		*days = NULL;
	int64_t				 start, end;
	long				 nocc, k;
	size_t				 i, j;
	int				 secs;
	long				*missed;

	nocc = cadence_expand(c, cand[0].day < 0 ? 0 : cand[0].day,
	    cand[0].at, (time_t)in->from, (time_t)in->to, &occ, err);
	if (nocc < 0)
		return -1;
	/* Each meeting's day is read once for all the candidates. */
	days = xcalloc((size_t)nocc + 1, sizeof(*days));
	for (k = 0; k < nocc; k++)
		avail_day_init(&days[k], c->tz, occ[k].date);
	for (i = 0; i < n; i++) {
		secs = civil_time_to_secs(cand[i].at);
		missed = (long *)cand[i].missed;
		for (k = 0; k < nocc; k++) {
			if (occ[k].cancelled)
				continue;
			if (occ[k].moved) {
				/* A move may or may not give its own time. */
				m = cadence_meeting(c, occ[k].orig, cand[i].at);
				start = m.start;
				end = m.end;
			} else {
				start = avail_day_at(&days[k], secs);
				end = start + c->duration;
			}
			/* Free time is known only inside [from, to): a meeting
			 * cut by either end would count as missed by all. */
			if (start < in->from || end > in->to)
				continue;
			cand[i].meetings++;
			for (j = 0; j < in->nmembers; j++) {
				if (!avail_covers(in->members[j].free, start,
				    end))
					missed[j]++;
				else if (in->members[j].required)
					cand[i].required_free++;
				else
					cand[i].optional_free++;
			}
		}
	}
	free(days);
	free(occ);
	return 0;
}

/* a/b against c/d for non-negative counts and positive b, d. */
static int
slots_rate_cmp(long a, long b, long c, long d)
{
	long long	x = (long long)a * d, y = (long long)c * b;

	return (x < y) - (x > y);	/* the higher rate first */
}

/*
 * Rates, not sums: a slot on a day with more holidays holds fewer meetings
 * and must not lose for that alone.  A slot with no meeting in the range
 * tells nothing and goes last.
 */
static int
slots_cand_cmp(const void *a, const void *b)
{
	const struct slots_candidate	*x = a, *y = b;
	int				 xs, ys, r;

	if ((x->meetings == 0) != (y->meetings == 0))
		return x->meetings == 0 ? 1 : -1;
	if (x->meetings > 0 &&
	    ((r = slots_rate_cmp(x->required_free, x->meetings,
	    y->required_free, y->meetings)) != 0 ||
	    (r = slots_rate_cmp(x->optional_free, x->meetings,
	    y->optional_free, y->meetings)) != 0))
		return r;
	if (x->current != y->current)
		return x->current ? -1 : 1;
	if (x->day != y->day)
		return x->day - y->day;
	xs = civil_time_to_secs(x->at);
	ys = civil_time_to_secs(y->at);
	return (xs > ys) - (xs < ys);
}

int
slots_rank(const struct slots_input *in, struct slots_ranking **out,
    char **err)
{
	const struct config_community	*c = in->community;
	struct slots_ranking		*r = xcalloc(1, sizeof(*r));
	struct slots_key		*keys = NULL;
	size_t				 i, j, nreq = 0;
	int				 rc = -1;

	*out = NULL;
	r->min_attendance = c->min_attendance;
	r->n = slots_candidates(in, &keys);
	r->cand = xcalloc(r->n + 1, sizeof(*r->cand));
	r->missed = xcalloc(r->n * in->nmembers + 1, sizeof(*r->missed));
	for (j = 0; j < in->nmembers; j++)
		nreq += in->members[j].required;
	for (i = 0; i < r->n; i++) {
		r->cand[i].day = keys[i].day;
		r->cand[i].at = civil_time_from_secs(keys[i].secs);
		r->cand[i].missed = r->missed + i * in->nmembers;
		r->cand[i].current = in->has_current &&
		    (keys[i].day < 0 || keys[i].day == in->current_day) &&
		    keys[i].secs == civil_time_to_secs(in->current_at);
	}
	/* Candidates come sorted by day: one expansion per day. */
	for (i = 0; i < r->n; i = j) {
		for (j = i + 1; j < r->n && keys[j].day == keys[i].day; j++)
			;
		if (slots_score_day(in, r->cand + i, j - i, err) == -1)
			goto out;
	}
	for (i = 0; i < r->n; i++)
		r->cand[i].attendance = r->cand[i].meetings == 0 ||
		    nreq == 0 ? 1.0 : (double)r->cand[i].required_free /
		    ((double)r->cand[i].meetings * (double)nreq);
	if (r->n > 0)
		qsort(r->cand, r->n, sizeof(*r->cand), slots_cand_cmp);
	for (i = 0; i < r->n; i++)
		if (r->cand[i].current)
			r->current = &r->cand[i];
	*out = r;
	r = NULL;
	rc = 0;
out:
	free(keys);
	slots_ranking_free(r);
	return rc;
}

void
slots_ranking_free(struct slots_ranking *r)
{
	if (r == NULL)
		return;
	free(r->missed);
	free(r->cand);
	free(r);
}

size_t
slots_count(const struct slots_ranking *r)
{
	return r->n;
}

const struct slots_candidate *
slots_get(const struct slots_ranking *r, size_t i)
{
	return i < r->n ? &r->cand[i] : NULL;
}

const struct slots_candidate *
slots_current(const struct slots_ranking *r)
{
	return r->current;
}

const struct slots_candidate *
slots_choice(const struct slots_ranking *r, bool *kept)
{
	bool	keep;

	/* A tiny slack so that 3 of 4 counts as 0.75 in floating point. */
	keep = r->current != NULL &&
	    r->current->attendance + 1e-9 >= r->min_attendance;
	/* Below min_attendance but still the best there is: nothing to move
	 * to (else each cycle "moves" it to itself and stores it again). */
	if (!keep && r->current != NULL && r->n > 0 &&
	    &r->cand[0] == r->current)
		keep = true;
	if (kept != NULL)
		*kept = keep;
	if (keep)
		return r->current;
	return r->n > 0 ? &r->cand[0] : NULL;
}

void
slots_heatmap(const struct slots_input *in, struct slots_heatmap *out)
{
	const struct config_community	*c = in->community;
	struct civil_date		 d, last;
	struct avail_day		 day;
	uint8_t				 days = slots_window_days(c);
	int64_t				 t;
	long				*ndates;
	size_t				 i, col, row, free_n;
	int				 lo = CIVIL_DAY, hi = 0, wd, secs;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < c->nwindow; i++) {
		if (c->window[i].from < lo)
			lo = c->window[i].from;
		if (c->window[i].to > hi)
			hi = c->window[i].to;
	}
	for (wd = 0; wd < 7; wd++)
		if (days & (1u << wd))
			out->days[out->ndays++] = wd;
	if (hi <= lo || out->ndays == 0)
		return;
	out->first = lo / SLOTS_GRID * SLOTS_GRID;
	out->nrows = (size_t)((hi - out->first + SLOTS_GRID - 1) / SLOTS_GRID);
	out->cells = xcalloc(out->nrows * out->ndays, sizeof(*out->cells));
	ndates = xcalloc(7, sizeof(*ndates));
	tz_from_utc(c->tz, (time_t)in->from, &d, NULL);
	tz_from_utc(c->tz, (time_t)(in->to - 1), &last, NULL);
	for (; in->to > in->from && civil_date_cmp(d, last) <= 0;
	    d = civil_date_add(d, 1)) {
		wd = civil_weekday(d);
		for (col = 0; col < out->ndays && out->days[col] != wd; col++)
			;
		if (col == out->ndays)
			continue;
		ndates[col]++;
		avail_day_init(&day, c->tz, d);
		for (row = 0; row < out->nrows; row++) {
			secs = out->first + (int)row * SLOTS_GRID;
			t = avail_day_at(&day, secs);
			free_n = 0;
			for (i = 0; i < in->nmembers; i++)
				free_n += avail_covers(in->members[i].free, t,
				    t + SLOTS_GRID);
			out->cells[row * out->ndays + col] += (double)free_n;
		}
	}
	for (col = 0; col < out->ndays; col++)
		for (row = 0; row < out->nrows; row++) {
			secs = out->first + (int)row * SLOTS_GRID;
			if (!slots_fits(c, out->days[col], secs, SLOTS_GRID))
				out->cells[row * out->ndays + col] = -1;
			else if (ndates[col] > 0)
				out->cells[row * out->ndays + col] /=
				    (double)ndates[col];
		}
	free(ndates);
}

void
slots_heatmap_free(struct slots_heatmap *h)
{
	if (h == NULL)
		return;
	free(h->cells);
	h->cells = NULL;
}
