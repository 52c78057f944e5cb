/* place: `auto` slots chosen and kept in the store. */
#include <stdlib.h>
#include <string.h>

#include "busy.h"
#include "feed.h"
#include "log.h"
#include "place.h"
#include "series.h"
#include "xmalloc.h"

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
	bool				 kept;
	int				 rc = -1;

	if (place_input(cfg, c, st, now, now, now +
	    (time_t)cfg->worker.horizon, true, pb, &pi, err) == -1)
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
	rc = 0;
out:
	slots_ranking_free(r);
	place_input_free(&pi);
	return rc;
}

void
place_run(const struct config *cfg, struct store *st, time_t now,
    struct busy_cache *cache, struct place_counts *counts)
{
	struct place_busy	 pb;
	char			*err = NULL;
	size_t			 i;

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
}
