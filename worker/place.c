/* place: `auto` slots chosen and kept in the store. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "busy.h"
#include "feed.h"
#include "log.h"
#include "place.h"
#include "series.h"
#include "tz.h"
#include "xmalloc.h"

/*
 * Part of every ranking key: raise it when slots, avail or cadence would
 * rank the same inputs differently, so that no key kept by older code
 * matches (PLC_VERSION is in the key too, for a release that forgets).
 */
#define PLACE_KEY_VERSION	1

/* "TU"; an rrule cadence's days come from its rule: "rule". */
static const char *
place_day(int day)
{
	return day >= 0 ? civil_weekday_abbr(day) : "rule";
}

void
place_busy_init(struct place_busy *pb, const struct config *cfg,
    struct busy_cache *cache)
{
	pb->n = cfg->nmembers;
	pb->busy = xcalloc(pb->n + 1, sizeof(*pb->busy));
	pb->hash = xcalloc(pb->n + 1, sizeof(*pb->hash));
	pb->hashed = xcalloc(pb->n + 1, sizeof(*pb->hashed));
	pb->cache = cache;
}

void
place_busy_free(struct place_busy *pb)
{
	size_t	i;

	if (pb == NULL || pb->busy == NULL)
		return;
	for (i = 0; i < pb->n; i++)
		avail_free(pb->busy[i]);
	free(pb->busy);
	free(pb->hash);
	free(pb->hashed);
	memset(pb, 0, sizeof(*pb));
}

/*
 * The busy time of the members m[0..n) not in pb yet, read at once (so
 * that their calendars are parsed on every core: busy_members) into pb,
 * or into busy[] (the caller frees those) for a member pb does not hold.
 * *failed: the sources that failed, counted the first time only.
 */
static int
place_read_busy(const struct config *cfg, const struct config_member **m,
    size_t n, struct store *st, time_t now, int64_t from, int64_t to,
    bool fetch, struct place_busy *pb, struct avail **busy, size_t *failed,
    char **err)
{
	const struct config_member	**want;
	struct avail			**got;
	size_t				 *fails, i, k, nw = 0, pi;
	int64_t				  bfrom, bto;
	int				  rc = -1;

	*failed = 0;
	want = xcalloc(n + 1, sizeof(*want));
	got = xcalloc(n + 1, sizeof(*got));
	fails = xcalloc(n + 1, sizeof(*fails));
	for (i = 0; i < n; i++) {
		pi = (size_t)(m[i] - cfg->members);
		busy[i] = NULL;
		if (pb != NULL && pi < pb->n && pb->busy[pi] != NULL)
			busy[i] = pb->busy[pi];
		else
			want[nw++] = m[i];
	}
	/* Read over whole UTC days around the range (avail_member clips to
	 * it), so that a cached calendar serves every cycle of a day. */
	bfrom = (from / CIVIL_DAY - 1) * CIVIL_DAY;
	bto = (to / CIVIL_DAY + 2) * CIVIL_DAY;
	if (nw > 0 && busy_members(want, nw, st, now, bfrom, bto, fetch,
	    pb != NULL ? pb->cache : NULL, got, fails, err) == -1)
		goto out;
	for (i = k = 0; i < n; i++) {
		if (busy[i] != NULL)
			continue;
		busy[i] = got[k];
		*failed += fails[k++];
		pi = (size_t)(m[i] - cfg->members);
		if (pb != NULL && pi < pb->n)
			pb->busy[pi] = busy[i];
	}
	rc = 0;
out:
	free(fails);
	free(got);
	free(want);
	return rc;
}

int
place_prefetch(const struct config *cfg, struct store *st, time_t now,
    int64_t from, int64_t to, bool fetch, struct place_busy *pb,
    size_t *failed, char **err)
{
	const struct config_community	 *c;
	const struct config_member	**m;
	struct avail			**busy;
	bool				 *seen;
	size_t				  i, k, n = 0;
	int				  rc;

	m = xcalloc(cfg->nmembers + 1, sizeof(*m));
	busy = xcalloc(cfg->nmembers + 1, sizeof(*busy));
	seen = xcalloc(cfg->nmembers + 1, sizeof(*seen));
	for (i = 0; i < cfg->ncommunities; i++) {
		c = &cfg->communities[i];
		if (!series_is_auto(c))
			continue;
		for (k = 0; k < c->nmembers + c->noptional; k++) {
			const struct config_member *x = k < c->nmembers ?
			    c->members[k] : c->optional[k - c->nmembers];
			size_t pi = (size_t)(x - cfg->members);

			if (pi < cfg->nmembers && !seen[pi]) {
				seen[pi] = true;
				m[n++] = x;
			}
		}
	}
	rc = place_read_busy(cfg, m, n, st, now, from, to, fetch, pb, busy,
	    failed, err);
	free(seen);
	free(busy);
	free(m);
	return rc;
}

int
place_input(const struct config *cfg, const struct config_community *c,
    struct store *st, time_t now, int64_t from, int64_t to, bool fetch,
    struct place_busy *pb, struct place_input *out, char **err)
{
	const struct config_member	*m, **mv;
	struct avail			**busy;
	size_t				 i, k, n = 0;
	bool				 found, owned;
	int				 sday, ssecs;

	memset(out, 0, sizeof(*out));
	out->members = xcalloc(c->nmembers + c->noptional + 1,
	    sizeof(*out->members));
	mv = xcalloc(c->nmembers + c->noptional + 1, sizeof(*mv));
	busy = xcalloc(c->nmembers + c->noptional + 1, sizeof(*busy));
	for (i = 0; i < c->nmembers + c->noptional; i++) {
		m = i < c->nmembers ? c->members[i] :
		    c->optional[i - c->nmembers];
		for (k = 0; k < n && out->members[k].member != m; k++)
			;
		if (k < n)
			continue;	/* required and optional: required */
		out->members[n].member = m;
		out->members[n].required = i < c->nmembers;
		mv[n++] = m;
	}
	if (place_read_busy(cfg, mv, n, st, now, from, to, fetch, pb, busy,
	    &out->failed, err) == -1) {
		n = 0;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		k = (size_t)(mv[i] - cfg->members);
		owned = pb == NULL || k >= pb->n;
		out->members[i].free = avail_member(mv[i], c, busy[i], from,
		    to);
		if (owned)
			avail_free(busy[i]);
	}
	free(busy);
	free(mv);
	busy = NULL;
	mv = NULL;
	out->in.community = c;
	out->in.members = out->members;
	out->in.nmembers = n;
	out->in.from = from;
	out->in.to = to;
	if (store_series_slot(st, c->id, &found, &sday, &ssecs, err) == -1)
		goto fail;
	if (found) {
		out->in.has_current = true;
		out->in.current_day = c->day == -1 ? sday : c->day;
		out->in.current_at = c->time_auto ?
		    civil_time_from_secs(ssecs) : c->time;
	}
	return 0;
fail:
	free(busy);
	free(mv);
	out->in.nmembers = n;
	place_input_free(out);
	return -1;
}

void
place_input_free(struct place_input *p)
{
	size_t	i;

	if (p == NULL || p->members == NULL)
		return;
	for (i = 0; i < p->in.nmembers; i++)
		avail_free(p->members[i].free);
	free(p->members);
	p->members = NULL;
}

/*
 * The ranking key: a 64-bit hash of what a ranking reads (not a defence
 * against a hostile calendar: a collision only keeps the slot in force
 * one more day, which that calendar's owner could have had by leaving it
 * be).  Words are mixed in one at a time, each string after its length.
 */
static void
place_mix(uint64_t *h, uint64_t v)
{
	*h ^= v;
	*h *= UINT64_C(0x9e3779b97f4a7c15);
	*h ^= *h >> 29;
}

static void
place_mix_str(uint64_t *h, const char *s)
{
	size_t		n, i, k;
	uint64_t	w;

	if (s == NULL) {
		place_mix(h, UINT64_MAX);
		return;
	}
	n = strlen(s);
	place_mix(h, (uint64_t)n);
	for (i = 0; i < n; i += 8) {
		w = 0;
		for (k = 0; k < 8 && i + k < n; k++)
			w |= (uint64_t)(unsigned char)s[i + k] << (8 * k);
		place_mix(h, w);
	}
}

static void
place_mix_date(uint64_t *h, struct civil_date d)
{
	place_mix(h, (uint64_t)(((int64_t)d.y * 16 + d.m) * 32 + d.d));
}

static void
place_mix_spans(uint64_t *h, const struct config_span *v, size_t n)
{
	size_t	i;

	place_mix(h, (uint64_t)n);
	for (i = 0; i < n; i++) {
		place_mix_date(h, v[i].from);
		place_mix_date(h, v[i].to);
	}
}

static void
place_mix_weekly(uint64_t *h, const struct config_weekly *v, size_t n)
{
	size_t	i;

	place_mix(h, (uint64_t)n);
	for (i = 0; i < n; i++) {
		place_mix(h, v[i].days);
		place_mix(h, (uint64_t)v[i].from);
		place_mix(h, (uint64_t)v[i].to);
	}
}

/* The hash of member pi's busy time in pb, taken once a cycle. */
static uint64_t
place_busy_hash(struct place_busy *pb, size_t pi)
{
	struct avail	*b = pb->busy[pi];
	size_t		 i, n;
	int64_t		 from, to;
	uint64_t	 h = 0;

	if (pb->hashed[pi])
		return pb->hash[pi];
	n = avail_count(b);
	place_mix(&h, (uint64_t)n);
	for (i = 0; i < n; i++) {
		avail_get(b, i, &from, &to);
		place_mix(&h, (uint64_t)from);
		place_mix(&h, (uint64_t)to);
	}
	pb->hash[pi] = h;
	pb->hashed[pi] = true;
	return h;
}

/*
 * c's ranking key over [from, to) with the stored slot (found, day, secs)
 * in force, into *key: what place_input and slots_rank read, members in
 * place_input's order.  False when a member's busy time is not in pb
 * (then c is ranked, its key unknown).
 */
static bool
place_key(const struct config *cfg, const struct config_community *c,
    struct place_busy *pb, int64_t from, int64_t to, bool found, int day,
    int secs, uint64_t *key)
{
	const struct config_member	*m;
	uint64_t			 h = UINT64_C(0xcbf29ce484222325), d;
	size_t				 i, k, pi;

	place_mix(&h, PLACE_KEY_VERSION);
	place_mix_str(&h, PLC_VERSION);
	/* Busy time is read over whole UTC days (place_read_busy). */
	place_mix(&h, (uint64_t)(from / CIVIL_DAY));
	place_mix(&h, (uint64_t)(to / CIVIL_DAY));
	place_mix(&h, found);
	place_mix(&h, found ? (uint64_t)day : 0);
	place_mix(&h, found ? (uint64_t)secs : 0);
	place_mix_str(&h, c->id);
	place_mix_str(&h, tz_name(c->tz));
	place_mix(&h, (uint64_t)c->cadence);
	place_mix_str(&h, c->rrule);
	place_mix(&h, (uint64_t)c->day);
	place_mix(&h, (uint64_t)c->week);
	place_mix(&h, c->time_auto);
	place_mix(&h, (uint64_t)civil_time_to_secs(c->time));
	place_mix(&h, (uint64_t)c->duration);
	place_mix_weekly(&h, c->window, c->nwindow);
	memcpy(&d, &c->min_attendance, sizeof(d));
	place_mix(&h, d);
	place_mix_date(&h, c->start);
	place_mix(&h, c->has_until);
	place_mix_date(&h, c->until);
	place_mix(&h, (uint64_t)c->nskip_calendars);
	for (i = 0; i < c->nskip_calendars; i++)
		place_mix_spans(&h, c->skip_calendars[i]->skip,
		    c->skip_calendars[i]->nskip);
	place_mix_spans(&h, c->skip, c->nskip);
	place_mix(&h, (uint64_t)c->nmoves);
	for (i = 0; i < c->nmoves; i++) {
		place_mix_date(&h, c->moves[i].from);
		place_mix_date(&h, c->moves[i].to);
		place_mix(&h, c->moves[i].has_time);
		place_mix(&h, (uint64_t)civil_time_to_secs(c->moves[i].at));
	}
	place_mix(&h, (uint64_t)c->ncancels);
	for (i = 0; i < c->ncancels; i++)
		place_mix_date(&h, c->cancels[i]);
	for (i = 0; i < c->nmembers + c->noptional; i++) {
		m = i < c->nmembers ? c->members[i] :
		    c->optional[i - c->nmembers];
		for (k = 0; k < i; k++)
			if ((k < c->nmembers ? c->members[k] :
			    c->optional[k - c->nmembers]) == m)
				break;
		if (k < i)
			continue;	/* listed twice: place_input's first */
		pi = (size_t)(m - cfg->members);
		if (pi >= pb->n || pb->busy[pi] == NULL)
			return false;
		place_mix_str(&h, m->id);
		place_mix(&h, i < c->nmembers);
		place_mix_str(&h, tz_name(m->tz));
		place_mix_weekly(&h, m->available, m->navailable);
		place_mix_spans(&h, m->away, m->naway);
		place_mix(&h, place_busy_hash(pb, pi));
	}
	place_mix(&h, (uint64_t)(c->nmembers + c->noptional));
	*key = h;
	return true;
}

/* Store slot s for c (raising SEQUENCE); the planning pass that follows
 * tells everyone of the new time (plan_changes). */
static int
place_store(const struct config *cfg, const struct config_community *c,
    struct store *st, const struct slots_candidate *s, time_t now,
    char **err)
{
	char			*uid, *fp;
	time_t			 created, changed;
	int			 seq, rc = -1;

	uid = feed_series_uid(cfg, c);
	fp = feed_series_fingerprint(c, s->day, s->at);
	if (store_series_sync(st, c->id, uid, fp, now, &seq, &created,
	    &changed, err) == -1 ||
	    store_series_set_slot(st, c->id, s->day,
	    civil_time_to_secs(s->at), err) == -1)
		goto out;
	rc = 0;
out:
	free(fp);
	free(uid);
	return rc;
}

static int
place_one(const struct config *cfg, const struct config_community *c,
    struct store *st, time_t now, struct place_busy *pb,
    struct place_counts *counts, char **err)
{
	struct place_input		 pi;
	struct slots_ranking		*r = NULL;
	const struct slots_candidate	*s;
	char				 tb[CIVIL_TIME_LEN], ob[CIVIL_TIME_LEN];
	int64_t				 to = now + (time_t)cfg->worker.horizon;
	uint64_t			 key = 0, had = 0;
	bool				 kept, found, has_key, kfound;
	int				 rc = -1, sday = 0, ssecs = 0;

	/* Nothing the last ranking read has changed: it would keep the
	 * slot in force again (slots_choice), so it is not ranked. */
	if (store_series_slot(st, c->id, &found, &sday, &ssecs, err) == -1)
		return -1;
	has_key = place_key(cfg, c, pb, now, to, found, sday, ssecs, &key);
	if (has_key && store_place_key(st, c->id, &kfound, &had, err) == -1)
		return -1;
	if (has_key && kfound && had == key) {
		counts->unchanged++;
		return 0;
	}
	if (place_input(cfg, c, st, now, now, to, true, pb, &pi, err) == -1)
		return -1;
	counts->failed += pi.failed;
	if (slots_rank(&pi.in, &r, err) == -1)
		goto out;
	if ((s = slots_choice(r, &kept)) == NULL) {
		log_warn("community %s: no slot of %lld minutes fits its window; "
		    "%s", c->id, (long long)c->duration / 60, pi.in.has_current ?
		    "the slot in force is kept" : "nothing is placed");
		rc = 0;
		goto out;
	}
	counts->communities++;
	if (kept) {
		/* The same inputs with this slot in force rank the same. */
		if (has_key && (!kfound || had != key) &&
		    store_place_set_key(st, c->id, key, err) == -1)
			goto out;
		rc = 0;
		goto out;
	}
	if (pi.in.has_current && slots_current(r) == NULL)
		log_notice("community %s: moved from %s %s, which no longer "
		    "fits its window, to %s %s (%.0f%% of the members can "
		    "come)", c->id, place_day(pi.in.current_day),
		    civil_time_format(pi.in.current_at, ob), place_day(s->day),
		    civil_time_format(s->at, tb), s->attendance * 100);
	else if (pi.in.has_current)
		log_notice("community %s: moved from %s %s to %s %s: %.0f%% of "
		    "the members could come at the old time, %.0f%% can at the "
		    "new one", c->id, place_day(pi.in.current_day),
		    civil_time_format(pi.in.current_at, ob), place_day(s->day),
		    civil_time_format(s->at, tb),
		    slots_current(r)->attendance * 100, s->attendance * 100);
	else
		log_notice("community %s: placed at %s %s (%.0f%% of the "
		    "members can come)", c->id, place_day(s->day),
		    civil_time_format(s->at, tb), s->attendance * 100);
	if (place_store(cfg, c, st, s, now, err) == -1)
		goto out;
	counts->changed++;
	/* Ranked again with s in force, the same inputs keep s: s ranked
	 * first, and the current slot wins a tie. */
	if (has_key && place_key(cfg, c, pb, now, to, true, s->day,
	    civil_time_to_secs(s->at), &key) &&
	    store_place_set_key(st, c->id, key, err) == -1)
		goto out;
	rc = 0;
out:
	slots_ranking_free(r);
	place_input_free(&pi);
	return rc;
}

/*
 * Delete the busy expansions kept for sources no member reads any more (or
 * reads in another zone now), so that the state does not grow with every
 * calendar ever configured.  A failure is logged: nothing is lost but
 * space.
 */
static void
place_prune(const struct config *cfg, struct store *st)
{
	const char	**src, **zone;
	char		 *err = NULL;
	size_t		  i, k, n = 0, cap = 0, removed;

	for (i = 0; i < cfg->nmembers; i++)
		cap += cfg->members[i].nbusy;
	src = xcalloc(cap + 1, sizeof(*src));
	zone = xcalloc(cap + 1, sizeof(*zone));
	for (i = 0; i < cfg->nmembers; i++)
		for (k = 0; k < cfg->members[i].nbusy; k++) {
			src[n] = cfg->members[i].busy[k];
			zone[n++] = tz_name(cfg->members[i].tz);
		}
	if (store_busy_exp_prune(st, src, zone, n, &removed, &err) == -1) {
		log_err("busy calendars: %s", err);
		free(err);
	} else if (removed > 0)
		log_info("busy calendars: the expansions of %zu sources no "
		    "longer in the config deleted", removed);
	free(zone);
	free(src);
}

void
place_run(const struct config *cfg, struct store *st, time_t now,
    struct busy_cache *cache, struct place_counts *counts)
{
	struct place_busy	 pb;
	char			*err = NULL;
	size_t			 i;
	bool			 all_read = true;

	memset(counts, 0, sizeof(*counts));
	/* A member in several auto communities is fetched once a cycle, and
	 * all of them before the first is ranked, so that their calendars
	 * are parsed on every core at once. */
	place_busy_init(&pb, cfg, cache);
	if (place_prefetch(cfg, st, now, now, now +
	    (time_t)cfg->worker.horizon, true, &pb, &counts->failed,
	    &err) == -1) {
		/* Read again, one community at a time, where it failed. */
		if (!busy_cache_stopped(cache))
			log_err("busy calendars: %s", err);
		free(err);
		err = NULL;
		all_read = false;
	}
	for (i = 0; i < cfg->ncommunities; i++) {
		if (!series_is_auto(&cfg->communities[i]))
			continue;
		/* A stop leaves the rest unplaced (their slots are kept);
		 * a long placement gives the watchdog a sign of life. */
		if (busy_cache_stopped(cache))
			break;
		busy_cache_alive(cache);
		/* One community that cannot be placed must not keep the
		 * others (and every feed) from being published. */
		if (place_one(cfg, &cfg->communities[i], st, now, &pb, counts,
		    &err) == -1) {
			if (busy_cache_stopped(cache)) {
				free(err);
				break;
			}
			log_err("community %s: cannot place it: %s",
			    cfg->communities[i].id, err);
			free(err);
			err = NULL;
			counts->errors++;
		}
	}
	place_busy_free(&pb);
	if (cache != NULL)
		busy_cache_sweep(cache);
	/* Only after every source was read: a source whose read was cut
	 * short by a stop or a store error must keep its expansion. */
	if (all_read && !busy_cache_stopped(cache))
		place_prune(cfg, st);
}
