/* avail: sorted, merged interval sets and members' free time. */
#include <stdlib.h>
#include <string.h>

#include "avail.h"
#include "civil.h"
#include "xmalloc.h"

struct avail_iv {
	int64_t	from, to;
};

struct avail {
	struct avail_iv	*v;
	size_t		 n, cap;
	bool		 dirty;		/* v may be unsorted or overlapping */
};

struct avail *
avail_new(void)
{
	return xcalloc(1, sizeof(struct avail));
}

void
avail_free(struct avail *s)
{
	if (s == NULL)
		return;
	free(s->v);
	free(s);
}

static void
avail_push(struct avail *s, int64_t from, int64_t to)
{
	if (s->n == s->cap) {
		s->cap = s->cap < 16 ? 16 : s->cap * 2;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n].from = from;
	s->v[s->n].to = to;
	s->n++;
}

void
avail_add(struct avail *s, int64_t from, int64_t to)
{
	struct avail_iv	*last;

	if (to <= from)
		return;
	/* Intervals mostly arrive in order: extend or append without
	 * marking the set for a sort. */
	if (!s->dirty && s->n > 0) {
		last = &s->v[s->n - 1];
		if (from >= last->from && from <= last->to) {
			if (to > last->to)
				last->to = to;
			return;
		}
		if (from < last->from)
			s->dirty = true;
	}
	avail_push(s, from, to);
}

static int
avail_iv_cmp(const void *a, const void *b)
{
	const struct avail_iv	*x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

/* Sort and merge touching or overlapping intervals, in place. */
static void
avail_norm(struct avail *s)
{
	size_t	i, k;

	if (!s->dirty)
		return;
	qsort(s->v, s->n, sizeof(*s->v), avail_iv_cmp);
	for (i = 1, k = 0; i < s->n; i++) {
		if (s->v[i].from <= s->v[k].to) {
			if (s->v[i].to > s->v[k].to)
				s->v[k].to = s->v[i].to;
		} else
			s->v[++k] = s->v[i];
	}
	if (s->n > 0)
		s->n = k + 1;
	s->dirty = false;
}

void
avail_add_set(struct avail *s, struct avail *src)
{
	size_t	i;

	avail_norm(src);
	for (i = 0; i < src->n; i++)
		avail_add(s, src->v[i].from, src->v[i].to);
}

size_t
avail_count(struct avail *s)
{
	avail_norm(s);
	return s->n;
}

void
avail_get(struct avail *s, size_t i, int64_t *from, int64_t *to)
{
	avail_norm(s);
	*from = s->v[i].from;
	*to = s->v[i].to;
}

int64_t
avail_total(struct avail *s)
{
	int64_t	t = 0;
	size_t	i;

	avail_norm(s);
	for (i = 0; i < s->n; i++)
		t += s->v[i].to - s->v[i].from;
	return t;
}

bool
avail_covers(struct avail *s, int64_t from, int64_t to)
{
	size_t	lo = 0, hi, mid;

	avail_norm(s);
	if (to <= from)
		return true;
	/* The last interval starting at or before `from`. */
	hi = s->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->v[mid].from <= from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && s->v[lo - 1].to >= to;
}

struct avail *
avail_union(struct avail *a, struct avail *b)
{
	struct avail	*r = avail_new();
	size_t		 i = 0, j = 0;

	avail_norm(a);
	avail_norm(b);
	/* A merge of two sorted lists stays sorted: avail_add extends. */
	while (i < a->n || j < b->n) {
		if (j >= b->n || (i < a->n && a->v[i].from <= b->v[j].from)) {
			avail_add(r, a->v[i].from, a->v[i].to);
			i++;
		} else {
			avail_add(r, b->v[j].from, b->v[j].to);
			j++;
		}
	}
	return r;
}

struct avail *
avail_subtract(struct avail *a, struct avail *b)
{
	struct avail	*r = avail_new();
	int64_t		 cur;
	size_t		 i, j = 0;

	avail_norm(a);
	avail_norm(b);
	for (i = 0; i < a->n; i++) {
		cur = a->v[i].from;
		/* b's intervals wholly before this one cannot touch later ones
		 * either, since both lists are sorted. */
		while (j < b->n && b->v[j].to <= cur)
			j++;
		while (j < b->n && b->v[j].from < a->v[i].to) {
			if (b->v[j].from > cur)
				avail_add(r, cur, b->v[j].from);
			if (b->v[j].to > cur)
				cur = b->v[j].to;
			if (b->v[j].to >= a->v[i].to)
				break;
			j++;
		}
		if (cur < a->v[i].to)
			avail_add(r, cur, a->v[i].to);
	}
	return r;
}

struct avail *
avail_intersect(struct avail *a, struct avail *b)
{
	struct avail	*r = avail_new();
	int64_t		 lo, hi;
	size_t		 i = 0, j = 0;

	avail_norm(a);
	avail_norm(b);
	while (i < a->n && j < b->n) {
		lo = a->v[i].from > b->v[j].from ? a->v[i].from : b->v[j].from;
		hi = a->v[i].to < b->v[j].to ? a->v[i].to : b->v[j].to;
		if (lo < hi)
			avail_add(r, lo, hi);
		if (a->v[i].to < b->v[j].to)
			i++;
		else
			j++;
	}
	return r;
}

/* The instant of `secs` after local midnight of d; 24:00 is next midnight. */
static int64_t
avail_local(const struct tz *tz, struct civil_date d, int secs)
{
	if (secs >= CIVIL_DAY) {
		d = civil_date_add(d, secs / CIVIL_DAY);
		secs %= CIVIL_DAY;
	}
	return (int64_t)tz_to_utc(tz, d, civil_time_from_secs(secs));
}

void
avail_day_init(struct avail_day *d, const struct tz *tz,
    struct civil_date date)
{
	d->tz = tz;
	d->date = date;
	d->midnight = avail_local(tz, date, 0);
	d->plain = avail_local(tz, date, CIVIL_DAY) - d->midnight == CIVIL_DAY;
}

int64_t
avail_day_at(const struct avail_day *d, int secs)
{
	if (d->plain)
		return d->midnight + secs;
	return avail_local(d->tz, d->date, secs);
}

/* The local dates that [from, to) can touch, with a day's margin for the
 * zone's offset. */
static void
avail_date_range(const struct tz *tz, int64_t from, int64_t to,
    struct civil_date *first, struct civil_date *last)
{
	tz_from_utc(tz, (time_t)from, first, NULL);
	tz_from_utc(tz, (time_t)to, last, NULL);
	*first = civil_date_add(*first, -1);
	*last = civil_date_add(*last, 1);
}

static void
avail_add_clipped(struct avail *s, int64_t a, int64_t b, int64_t from,
    int64_t to)
{
	if (a < from)
		a = from;
	if (b > to)
		b = to;
	avail_add(s, a, b);
}

struct avail *
avail_weekly(const struct config_weekly *w, size_t n, const struct tz *tz,
    int64_t from, int64_t to)
{
	struct avail		*r = avail_new();
	struct civil_date	 d, last;
	struct avail_day	 day;
	int			 wd;
	size_t			 i;

	if (to <= from || n == 0)
		return r;
	avail_date_range(tz, from, to, &d, &last);
	for (; civil_date_cmp(d, last) <= 0; d = civil_date_add(d, 1)) {
		wd = civil_weekday(d);
		avail_day_init(&day, tz, d);
		for (i = 0; i < n; i++)
			if (w[i].days & (1u << wd))
				avail_add_clipped(r, avail_day_at(&day,
				    w[i].from), avail_day_at(&day, w[i].to),
				    from, to);
	}
	return r;
}

struct avail *
avail_days(const struct config_span *spans, size_t n, const struct tz *tz,
    int64_t from, int64_t to)
{
	struct avail	*r = avail_new();
	size_t		 i;

	for (i = 0; i < n; i++)
		avail_add_clipped(r, avail_local(tz, spans[i].from, 0),
		    avail_local(tz, civil_date_add(spans[i].to, 1), 0),
		    from, to);
	return r;
}

struct avail *
avail_member(const struct config_member *m, const struct config_community *c,
    struct avail *busy, int64_t from, int64_t to)
{
	struct avail	*tmpl, *away, *free1, *r;

	if (m->navailable > 0)
		tmpl = avail_weekly(m->available, m->navailable, m->tz, from,
		    to);
	else
		tmpl = avail_weekly(c->window, c->nwindow, c->tz, from, to);
	away = avail_days(m->away, m->naway, m->tz, from, to);
	free1 = avail_subtract(tmpl, away);
	if (busy != NULL) {
		r = avail_subtract(free1, busy);
		avail_free(free1);
	} else
		r = free1;
	avail_free(away);
	avail_free(tmpl);
	return r;
}
