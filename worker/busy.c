/* busy: members' busy calendars, with their last good copies. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "busy.h"
#include "fetch.h"
#include "file.h"
#include "ical.h"
#include "jail.h"
#include "log.h"
#include "tz.h"
#include "xmalloc.h"

struct busy_entry {
	char		*source;
	char		*zone;
	int64_t		 from, to;
	uint64_t	 hash;
	size_t		 len;
	struct avail	*set;
	bool		 used;
	/* The last bytes the jail refused, so that the same bad calendar
	 * costs its CPU limit once, not every cycle. */
	uint64_t	 bad_hash;
	size_t		 bad_len;
	int64_t		 bad_from, bad_to;
	char		*bad_why;
};

struct busy_cache {
	struct busy_entry	*v;
	size_t			 n;
	/* An index of v by source and zone (open addressing, entries hold
	 * i + 1, 0 is empty), so that a district's thousands of sources are
	 * found in constant time; rebuilt as v grows or is swept. */
	size_t			*idx;
	size_t			 cap;		/* a power of two, or 0 */
	struct stop_watch	 watch;		/* borrowed members */
	bool			 stopped;	/* a parse or fetch was cut */
};

struct busy_cache *
busy_cache_new(void)
{
	return xcalloc(1, sizeof(struct busy_cache));
}

static void
busy_entry_clear(struct busy_entry *e)
{
	free(e->source);
	free(e->zone);
	free(e->bad_why);
	avail_free(e->set);
}

void
busy_cache_free(struct busy_cache *bc)
{
	size_t	i;

	if (bc == NULL)
		return;
	for (i = 0; i < bc->n; i++)
		busy_entry_clear(&bc->v[i]);
	free(bc->v);
	free(bc->idx);
	free(bc);
}

void
busy_cache_sweep(struct busy_cache *bc)
{
	size_t	i, k;

	for (i = k = 0; i < bc->n; i++) {
		if (!bc->v[i].used) {
			busy_entry_clear(&bc->v[i]);
			continue;
		}
		bc->v[i].used = false;
		bc->v[k++] = bc->v[i];
	}
	bc->n = k;
	free(bc->idx);
	bc->idx = NULL;
	bc->cap = 0;	/* rebuilt on the next look-up */
}

void
busy_cache_watch(struct busy_cache *bc, const struct stop_watch *w)
{
	bc->watch = *w;
	bc->stopped = false;
}

bool
busy_cache_stopped(const struct busy_cache *bc)
{
	return bc != NULL && (bc->stopped || stop_watch_asked(&bc->watch));
}

/* FNV-1a: enough to tell one version of a calendar from the next. */
static uint64_t
busy_hash(const char *p, size_t len)
{
	uint64_t	h = 14695981039346656037ULL;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* What the child parses, set up by the parent before the fork. */
struct busy_job {
	const char	*text;
	size_t		 len;
	const struct tz	*zone;
	int64_t		 from, to;
};

static void
busy_job_prepare(void *arg)
{
	struct busy_job	*j = arg;

	ical_preload_zones(j->text, j->len);
}

/* In the child: the busy intervals, as pairs of int64_t. */
static int
busy_job_work(void *arg, struct xbuf *out, char **err)
{
	struct busy_job	*j = arg;
	struct avail	*set = avail_new();
	int64_t		 iv[2];
	size_t		 i;

	if (ical_busy(j->text, j->len, j->zone, j->from, j->to, set,
	    err) == -1) {
		avail_free(set);
		return -1;
	}
	for (i = 0; i < avail_count(set); i++) {
		avail_get(set, i, &iv[0], &iv[1]);
		xbuf_add(out, (const char *)iv, sizeof(iv));
	}
	avail_free(set);
	return 0;
}

/*
 * Calendars parsed in one child, BUSY_BATCH at most: a child per calendar
 * costs a fork of the whole worker (its page tables, its copy-on-write
 * faults), more than a small calendar's parse, and a district has
 * thousands.  The child answers each calendar in turn, framed:
 * struct busy_frame, then the pairs (ok) or the reason (not ok).  A
 * calendar that ical_busy refuses is that calendar's answer; a batch that
 * hits a limit, crashes or answers garbage is run again one calendar per
 * child, so that a hostile calendar costs only itself (and its batch one
 * limit's worth of waiting).
 */
#define BUSY_BATCH	16
#define BUSY_BATCH_BYTES (1024 * 1024)	/* text per batch, beyond its first */
#define BUSY_WHY_MAX	200

struct busy_batch {
	struct busy_job	*v;
	size_t		 n;
};

struct busy_frame {
	uint32_t	ok;		/* 1: pairs follow; 0: a reason */
	uint32_t	len;		/* bytes that follow */
};

static void
busy_batch_prepare(void *arg)
{
	struct busy_batch	*b = arg;
	size_t			 i;

	for (i = 0; i < b->n; i++)
		busy_job_prepare(&b->v[i]);
}

static int
busy_batch_work(void *arg, struct xbuf *out, char **err)
{
	struct busy_batch	*b = arg;
	struct busy_frame	 f;
	struct xbuf		 one = { NULL, 0, 0 };
	char			*why;
	size_t			 i;

	for (i = 0; i < b->n; i++) {
		one.len = 0;
		why = NULL;
		f.ok = busy_job_work(&b->v[i], &one, &why) == 0;
		if (!f.ok) {
			one.len = 0;
			xbuf_add(&one, why != NULL ? why : "failed",
			    strnlen(why != NULL ? why : "failed",
			    BUSY_WHY_MAX));
			free(why);
		}
		f.len = (uint32_t)one.len;
		xbuf_add(out, (const char *)&f, sizeof(f));
		if (one.len > 0)
			xbuf_add(out, one.s, one.len);
	}
	free(one.s);
	return 0;
}

/* A reason from a child, made safe to log: printable ASCII, capped. */
static char *
busy_clean(const char *p, size_t n)
{
	char	*s;
	size_t	 i;

	s = xstrndup(p, n > BUSY_WHY_MAX ? BUSY_WHY_MAX : n);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			s[i] = '?';
	return s;
}

/*
 * A batch's answer (hostile) into one answer per calendar: 0, or -1 when
 * its framing is wrong (every a[] then cleared).
 */
static int
busy_batch_split(const char *p, size_t len, size_t n, struct jail_answer *a)
{
	struct busy_frame	f;
	size_t			off = 0, i;

	for (i = 0; i < n; i++) {
		if (len - off < sizeof(f))
			goto bad;
		memcpy(&f, p + off, sizeof(f));
		off += sizeof(f);
		if (f.len > len - off || f.ok > 1)
			goto bad;
		if (f.ok) {
			a[i].result = JAIL_OK;
			a[i].out = xmalloc((size_t)f.len + 1);
			memcpy(a[i].out, p + off, f.len);
			a[i].out[f.len] = '\0';
			a[i].len = f.len;
		} else {
			a[i].result = JAIL_REFUSED;
			a[i].why = busy_clean(p + off, f.len);
		}
		off += f.len;
	}
	if (off == len)
		return 0;
bad:
	while (i-- > 0)
		jail_answer_clear(&a[i]);
	return -1;
}

static int	busy_jobs(void);

/*
 * Parse bj[0..nj) in batches, busy_jobs() children at a time, into ans[]
 * (one per calendar, as jail_run would answer a child of its own).  single:
 * one calendar per child (the second try of a failed batch).
 */
static void
busy_run_jobs(struct busy_cache *bc, struct busy_job *bj, size_t nj,
    struct jail_answer *ans, bool single)
{
	struct busy_batch	*b;
	struct jail_job		*jobs;
	struct jail_answer	*ba;
	struct busy_job		*again;
	struct jail_answer	*aa;
	size_t			 per, nb = 0, i, k, bytes = 0, n2 = 0, *at;
	int			 par = busy_jobs();

	/* Enough batches to keep every child busy, none too large. */
	per = single ? 1 : (nj + (size_t)par - 1) / (size_t)par;
	per = per > BUSY_BATCH ? BUSY_BATCH : per < 1 ? 1 : per;
	b = xcalloc(nj + 1, sizeof(*b));
	for (i = 0; i < nj; i++) {
		if (nb == 0 || b[nb - 1].n >= per || bytes + bj[i].len >
		    BUSY_BATCH_BYTES) {
			b[nb].v = &bj[i];
			nb++;
			bytes = 0;
		}
		b[nb - 1].n++;
		bytes += bj[i].len;
	}
	jobs = xcalloc(nb + 1, sizeof(*jobs));
	ba = xcalloc(nb + 1, sizeof(*ba));
	for (i = 0; i < nb; i++) {
		jobs[i].prepare = busy_batch_prepare;
		jobs[i].work = busy_batch_work;
		jobs[i].arg = &b[i];
		/* Each calendar's most, within the jail's own cap. */
		jobs[i].max_out = b[i].n > 4 ? 0 : b[i].n *
		    ((size_t)ICAL_BUSY_MAX * 2 * sizeof(int64_t) +
		    sizeof(struct busy_frame));
	}
	jail_run_all(jobs, nb, par, bc != NULL ? &bc->watch : NULL, ba);
	again = xcalloc(nj + 1, sizeof(*again));
	at = xcalloc(nj + 1, sizeof(*at));
	for (i = 0; i < nb; i++) {
		struct jail_answer *a = ans + (b[i].v - bj);

		if (ba[i].result == JAIL_OK && busy_batch_split(ba[i].out,
		    ba[i].len, b[i].n, a) == 0)
			continue;
		if (ba[i].result == JAIL_OK) {
			ba[i].result = JAIL_FAILED;
			ba[i].why = xstrdup("garbled answer from the parser");
		}
		if (b[i].n > 1 && ba[i].result != JAIL_STOPPED) {
			for (k = 0; k < b[i].n; k++) {
				again[n2] = b[i].v[k];
				at[n2++] = (size_t)(b[i].v - bj) + k;
			}
			continue;
		}
		for (k = 0; k < b[i].n; k++) {
			a[k].result = ba[i].result;
			a[k].why = xstrdup(ba[i].why);
		}
	}
	if (n2 > 0) {
		aa = xcalloc(n2 + 1, sizeof(*aa));
		busy_run_jobs(bc, again, n2, aa, true);
		for (k = 0; k < n2; k++)
			ans[at[k]] = aa[k];
		free(aa);
	}
	for (i = 0; i < nb; i++)
		jail_answer_clear(&ba[i]);
	free(at);
	free(again);
	free(ba);
	free(jobs);
	free(b);
}

/* How far past the asked range a calendar is expanded: a cached expansion
 * then serves every cycle, and a restart, for a week as the range moves. */
#define BUSY_SLACK	(7 * 86400)
/* The most children parsing at once, whatever the machine has. */
#define BUSY_JOBS_MAX	8

/*
 * Children at once: one per online CPU (at most BUSY_JOBS_MAX), so that a
 * cycle's calendars are parsed on every core.  Each child keeps its own
 * limits (jail_run_all): the pool is processes, not threads, which keeps
 * one hostile calendar from costing more than its own source (RLIMIT_CPU
 * and RLIMIT_AS count a whole process), and needs nothing from libical's
 * thread safety: its builtin zone table is global, filled and expanded
 * lazily, and has had races that crash (libical issues 319, 441, and 1029,
 * still open in 2025); threads would have to serialise every conversion.
 */
static int
busy_jobs(void)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > BUSY_JOBS_MAX ? BUSY_JOBS_MAX : (int)n;
}

/*
 * Whole pairs, each from < to inside [from, to), at most ICAL_BUSY_MAX:
 * what the child answers and what the store gives back are both checked
 * so.  Returns the number of pairs, or -1.
 */
static long
busy_check_pairs(const char *p, size_t len, int64_t from, int64_t to)
{
	int64_t	iv[2];
	size_t	i;

	if (len % sizeof(iv) != 0 || len / sizeof(iv) > ICAL_BUSY_MAX)
		return -1;
	for (i = 0; i < len; i += sizeof(iv)) {
		memcpy(iv, p + i, sizeof(iv));
		if (iv[0] >= iv[1] || iv[0] < from || iv[1] > to)
			return -1;
	}
	return (long)(len / sizeof(iv));
}

/* The pairs as a set. */
static struct avail *
busy_pairs_set(const char *p, size_t len)
{
	struct avail	*set = avail_new();
	int64_t		 iv[2];
	size_t		 i;

	for (i = 0; i + sizeof(iv) <= len; i += sizeof(iv)) {
		memcpy(iv, p + i, sizeof(iv));
		avail_add(set, iv[0], iv[1]);
	}
	return set;
}

/* src's intervals, cut to [from, to), added to set. */
static void
busy_add_clipped(struct avail *set, struct avail *src, int64_t from,
    int64_t to)
{
	int64_t	f, t;
	size_t	i;

	for (i = 0; i < avail_count(src); i++) {
		avail_get(src, i, &f, &t);
		if (t > from && f < to)
			avail_add(set, f < from ? from : f, t > to ? to : t);
	}
}

/*
 * One parse asked for: the bytes of a source, for a zone and a range; the
 * answer is rc (0 with set, the intervals over at least [from, to), owned
 * by the cache or the request; -1 with err, the reason; -2 stopped).
 */
struct busy_req {
	const char		*source;
	const struct config_member *m;
	const char		*text;
	size_t			 len;
	int64_t			 from, to;
	uint64_t		 hash;
	int			 rc;
	struct avail		*set;		/* borrowed from the cache */
	struct avail		*own;		/* or owned (no cache) */
	char			*err;
	size_t			 job;		/* its jail job, when run */
	bool			 run;
};

/* Where a source and zone sit in the index. */
static size_t
busy_key(const char *source, const char *zone)
{
	return (size_t)(busy_hash(source, strlen(source)) ^
	    (busy_hash(zone, strlen(zone)) * 31));
}

static void
busy_idx_put(struct busy_cache *bc, size_t i)
{
	size_t	k;

	for (k = busy_key(bc->v[i].source, bc->v[i].zone) & (bc->cap - 1);
	    bc->idx[k] != 0; k = (k + 1) & (bc->cap - 1))
		;
	bc->idx[k] = i + 1;
}

static struct busy_entry *
busy_entry_find(struct busy_cache *bc, const char *source, const char *zone,
    bool make)
{
	struct busy_entry	*e;
	size_t			 i;

	if (bc->cap < 2 * (bc->n + 1)) {
		free(bc->idx);
		for (bc->cap = 64; bc->cap < 4 * (bc->n + 1); bc->cap *= 2)
			;
		bc->idx = xcalloc(bc->cap, sizeof(*bc->idx));
		for (i = 0; i < bc->n; i++)
			busy_idx_put(bc, i);
	}
	for (i = busy_key(source, zone) & (bc->cap - 1); bc->idx[i] != 0;
	    i = (i + 1) & (bc->cap - 1)) {
		e = &bc->v[bc->idx[i] - 1];
		if (strcmp(e->source, source) == 0 &&
		    strcmp(e->zone, zone) == 0)
			return e;
	}
	if (!make)
		return NULL;
	bc->v = xreallocarray(bc->v, bc->n + 1, sizeof(*bc->v));
	e = &bc->v[bc->n++];
	memset(e, 0, sizeof(*e));
	e->source = xstrdup(source);
	e->zone = xstrdup(zone);
	bc->idx[i] = bc->n;
	return e;
}

/*
 * The request answered from what is kept, in memory (bc) or in the store
 * (st, then copied into bc): true when it was.
 */
static bool
busy_req_kept(struct busy_cache *bc, struct store *st, struct busy_req *r)
{
	struct store_busy_exp	 x;
	struct busy_entry	*e = NULL, tmp;
	const char		*zone = tz_name(r->m->tz);
	char			*serr = NULL;
	bool			 found;

	if (bc != NULL && (e = busy_entry_find(bc, r->source, zone,
	    false)) != NULL) {
		e->used = true;
		if (e->set != NULL && e->hash == r->hash && e->len == r->len &&
		    e->from <= r->from && e->to >= r->to) {
			r->set = e->set;
			r->rc = 0;
			return true;
		}
		if (e->bad_why != NULL && e->bad_hash == r->hash &&
		    e->bad_len == r->len && e->bad_from <= r->from &&
		    e->bad_to >= r->to) {
			r->err = xstrdup(e->bad_why);
			r->rc = -1;
			return true;
		}
	}
	if (st == NULL)
		return false;
	if (store_busy_exp_get(st, r->source, zone, &found, &x, &serr) == -1) {
		/* Only a cache: the calendar is expanded again. */
		log_debug("busy source: %s", serr);
		free(serr);
		return false;
	}
	if (!found || x.hash != r->hash || x.len != r->len || x.from > r->from ||
	    x.to < r->to || (x.error == NULL && busy_check_pairs((const char *)
	    x.iv, x.niv * 2 * sizeof(int64_t), x.from, x.to) == -1)) {
		store_busy_exp_clear(&x);
		return false;
	}
	if (bc == NULL) {
		memset(&tmp, 0, sizeof(tmp));
		e = &tmp;
	} else
		e = busy_entry_find(bc, r->source, zone, true);
	e->used = true;
	if (x.error != NULL) {
		free(e->bad_why);
		e->bad_why = x.error;
		x.error = NULL;
		e->bad_hash = x.hash;
		e->bad_len = x.len;
		e->bad_from = x.from;
		e->bad_to = x.to;
		r->err = xstrdup(e->bad_why);
		r->rc = -1;
	} else {
		avail_free(e->set);
		e->set = busy_pairs_set((const char *)x.iv,
		    x.niv * 2 * sizeof(int64_t));
		e->hash = x.hash;
		e->len = x.len;
		e->from = x.from;
		e->to = x.to;
		r->set = e->set;
		r->rc = 0;
	}
	if (bc == NULL) {
		r->own = e->set;
		free(e->bad_why);
	}
	store_busy_exp_clear(&x);
	return true;
}

/* The jail's answer to r (a, already run), into the cache and the store. */
static void
busy_req_answer(struct busy_cache *bc, struct store *st, struct busy_req *r,
    struct jail_answer *a, int64_t xfrom, int64_t xto)
{
	struct store_busy_exp	 x;
	struct busy_entry	*e = NULL;
	const char		*zone = tz_name(r->m->tz);
	char			*serr = NULL, *shown;
	struct avail		*got;

	if (a->result == JAIL_STOPPED) {
		r->rc = -2;
		r->err = xstrdup("stopped");
		return;
	}
	if (a->result == JAIL_OK && busy_check_pairs(a->out, a->len, xfrom,
	    xto) == -1) {
		a->result = JAIL_FAILED;
		a->why = xstrdup("garbled answer from the parser");
	}
	memset(&x, 0, sizeof(x));
	x.hash = r->hash;
	x.len = r->len;
	x.from = xfrom;
	x.to = xto;
	if (bc != NULL)
		e = busy_entry_find(bc, r->source, zone, true);
	if (a->result != JAIL_OK) {
		r->rc = -1;
		r->err = xstrdup(a->why);
		/* A child that ran out of wall time without using its CPU
		 * may have been held by the machine, not by the calendar:
		 * tried again next cycle. */
		if (strcmp(a->why, "time limit") == 0)
			return;
		if (e != NULL) {
			e->used = true;
			free(e->bad_why);
			e->bad_why = xstrdup(a->why);
			e->bad_hash = r->hash;
			e->bad_len = r->len;
			e->bad_from = xfrom;
			e->bad_to = xto;
		}
		x.error = a->why;
	} else {
		got = busy_pairs_set(a->out, a->len);
		shown = busy_display(r->source);
		log_debug("member %s: busy source %s: expanded, %zu busy "
		    "intervals", r->m->id, shown, avail_count(got));
		free(shown);
		x.iv = (int64_t *)(void *)a->out;
		x.niv = a->len / (2 * sizeof(int64_t));
		r->rc = 0;
		if (e != NULL) {
			e->used = true;
			avail_free(e->set);
			e->set = got;
			e->hash = r->hash;
			e->len = r->len;
			e->from = xfrom;
			e->to = xto;
			r->set = got;
		} else
			r->set = r->own = got;
	}
	/* Only a cache: a store that cannot keep it costs a parse later. */
	if (st != NULL && store_busy_exp_put(st, r->source, zone, &x,
	    &serr) == -1) {
		log_debug("busy source: %s", serr);
		free(serr);
	}
}

/*
 * Answer n requests: from the cache or the store where the same bytes
 * were expanded for a range that covers theirs, the rest parsed in jails,
 * busy_jobs() at a time, each over its range and BUSY_SLACK more.
 */
static void
busy_parse_many(struct busy_cache *bc, struct store *st, struct busy_req *r,
    size_t n)
{
	struct busy_job		*bj;
	struct jail_answer	*ans;
	size_t			*first, *twin, cap, i, k, nj = 0;

	bj = xcalloc(n + 1, sizeof(*bj));
	twin = xcalloc(n + 1, sizeof(*twin));
	/* The first request of each job, by bytes (open addressing, i + 1). */
	for (cap = 16; cap < 2 * (n + 1); cap *= 2)
		;
	first = xcalloc(cap, sizeof(*first));
	for (i = 0; i < n; i++) {
		twin[i] = i;
		r[i].hash = busy_hash(r[i].text, r[i].len);
		if (busy_req_kept(bc, st, &r[i]))
			continue;
		r[i].run = true;
		/* The same bytes of the same source for the same zone twice
		 * in one go (members sharing a calendar) are parsed once. */
		for (k = (size_t)r[i].hash & (cap - 1); first[k] != 0;
		    k = (k + 1) & (cap - 1)) {
			const struct busy_req *o = &r[first[k] - 1];

			if (o->hash == r[i].hash && o->len == r[i].len &&
			    o->m->tz == r[i].m->tz && o->from == r[i].from &&
			    o->to == r[i].to && strcmp(o->source,
			    r[i].source) == 0)
				break;
		}
		if (first[k] != 0) {
			twin[i] = first[k] - 1;
			r[i].job = r[twin[i]].job;
			continue;
		}
		first[k] = i + 1;
		r[i].job = nj;
		bj[nj] = (struct busy_job){ r[i].text, r[i].len, r[i].m->tz,
		    r[i].from, r[i].to + BUSY_SLACK };
		nj++;
	}
	ans = xcalloc(nj + 1, sizeof(*ans));
	if (nj > 0)
		busy_run_jobs(bc, bj, nj, ans, false);
	for (i = 0; i < n; i++) {
		if (!r[i].run)
			continue;
		if ((k = twin[i]) != i) {	/* its twin's answer */
			r[i].rc = r[k].rc;
			r[i].err = r[k].err != NULL ? xstrdup(r[k].err) : NULL;
			r[i].set = r[k].set;
			if (r[k].own != NULL) {
				r[i].own = avail_new();
				avail_add_set(r[i].own, r[k].own);
				r[i].set = r[i].own;
			}
			continue;
		}
		busy_req_answer(bc, st, &r[i], &ans[r[i].job], r[i].from,
		    r[i].to + BUSY_SLACK);
		if (r[i].rc == -2 && bc != NULL)
			bc->stopped = true;
	}
	for (i = 0; i < nj; i++)
		jail_answer_clear(&ans[i]);
	free(ans);
	free(first);
	free(twin);
	free(bj);
}

static void
busy_req_clear(struct busy_req *r)
{
	free(r->err);
	avail_free(r->own);
	memset(r, 0, sizeof(*r));
}

bool
busy_is_url(const char *source)
{
	return strncmp(source, "http://", 7) == 0 ||
	    strncmp(source, "https://", 8) == 0;
}

char *
busy_display(const char *source)
{
	return busy_is_url(source) ? fetch_redact(source) : xstrdup(source);
}

/* A whole regular file of at most BUSY_MAX_FILE bytes, NUL-terminated. */
static int
busy_read_file(const char *path, char **out, size_t *len, char **err)
{
	switch (file_read(path, BUSY_MAX_FILE, out, len)) {
	case FILE_READ_OK:
		return 0;
	case FILE_READ_OPEN:
		*err = xasprintf("%s", strerror(errno));
		break;
	case FILE_READ_NOT_REGULAR:
		*err = xstrdup("not a regular file");
		break;
	case FILE_READ_TOO_BIG:
		*err = xasprintf("larger than the limit of %d bytes; refused",
		    BUSY_MAX_FILE);
		break;
	case FILE_READ_SHORT:
		*err = xasprintf("short read: %s", strerror(errno));
		break;
	}
	return -1;
}

/*
 * New bytes for one source: 1 with *body set (fresh), 0 when the kept copy
 * still holds (304), -1 with *why set when the source failed (or a stop cut
 * the fetch short: busy_cache_stopped then says so).
 */
static int
busy_fresh(struct busy_cache *bc, const char *source,
    const struct store_busy *kept, bool fetch, char **body, size_t *len,
    char **etag, char **lm, char **why)
{
	struct fetch_opts	opts;
	struct fetch_result	res;

	if (!busy_is_url(source))
		return busy_read_file(source, body, len, why) == 0 ? 1 : -1;
	if (!fetch)
		return 0;
	memset(&opts, 0, sizeof(opts));
	if (kept->has_copy) {
		opts.etag = kept->etag;
		opts.last_modified = kept->last_modified;
	}
	opts.watch = bc != NULL ? &bc->watch : NULL;
	if (fetch_url(source, &opts, &res, why) == -1) {
		if (busy_cache_stopped(bc))
			bc->stopped = true;
		return -1;
	}
	if (res.status == FETCH_NOT_MODIFIED && kept->has_copy) {
		fetch_result_free(&res);
		return 0;
	}
	if (res.status == FETCH_NOT_MODIFIED) {
		fetch_result_free(&res);
		*why = xstrdup("304 Not Modified without a kept copy");
		return -1;
	}
	*body = res.body;
	*len = res.len;
	*etag = res.etag;
	*lm = res.last_modified;
	res.body = res.etag = res.last_modified = NULL;
	fetch_result_free(&res);
	return 1;
}


/* One source of one member, through the three steps of busy_members. */
struct busy_src {
	size_t			 mi;		/* the member's index */
	const char		*source;
	struct store_busy	 kept;
	int			 fresh;		/* busy_fresh's answer */
	char			*body, *etag, *lm, *why;
	size_t			 len;
	struct busy_req		 req;		/* the bytes in use, parsed */
	bool			 has_req;
};

static void
busy_src_clear(struct busy_src *s)
{
	store_busy_clear(&s->kept);
	free(s->body);
	free(s->etag);
	free(s->lm);
	free(s->why);
	busy_req_clear(&s->req);
}

/* Ask for the parse of text as s's, over [from, to). */
static void
busy_src_ask(struct busy_src *s, const struct config_member *m,
    const char *text, size_t len, int64_t from, int64_t to)
{
	busy_req_clear(&s->req);
	s->req.source = s->source;
	s->req.m = m;
	s->req.text = text;
	s->req.len = len;
	s->req.from = from;
	s->req.to = to;
	s->has_req = true;
}

/* Parse what the sources ask (has_req, not answered yet), all at once. */
static bool
busy_src_parse(struct busy_cache *bc, struct store *st, struct busy_src *v,
    size_t n)
{
	struct busy_req	*r;
	size_t		 i, k = 0;
	bool		 stopped = false;

	r = xcalloc(n + 1, sizeof(*r));
	for (i = 0; i < n; i++)
		if (v[i].has_req)
			r[k++] = v[i].req;
	busy_parse_many(bc, st, r, k);
	for (i = k = 0; i < n; i++)
		if (v[i].has_req) {
			v[i].req = r[k++];
			v[i].has_req = false;
			stopped |= v[i].req.rc == -2;
		}
	free(r);
	return !stopped;
}

int
busy_members(const struct config_member *const *m, size_t n,
    struct store *st, time_t now, int64_t from, int64_t to, bool fetch,
    struct busy_cache *bc, struct avail **out, size_t *failed, char **err)
{
	struct busy_src	*v = NULL;
	size_t		 nv = 0, i, j;
	char		*shown;
	bool		 found, same;
	int		 rc = -1;

	for (i = 0; i < n; i++) {
		out[i] = NULL;
		failed[i] = 0;
		nv += m[i]->nbusy;
	}
	v = xcalloc(nv + 1, sizeof(*v));
	/* 1. Bytes: each file read, each URL fetched (or its kept copy). */
	for (i = nv = 0; i < n; i++)
		for (j = 0; j < m[i]->nbusy; j++, nv++) {
			v[nv].mi = i;
			v[nv].source = m[i]->busy[j];
			if (busy_cache_stopped(bc))
				goto stopped;
			if (bc != NULL)
				stop_alive(&bc->watch);
			if (store_busy_get(st, v[nv].source, &found,
			    &v[nv].kept, err) == -1) {
				nv++;
				goto out;
			}
			v[nv].fresh = busy_fresh(bc, v[nv].source, &v[nv].kept,
			    fetch, &v[nv].body, &v[nv].len, &v[nv].etag,
			    &v[nv].lm, &v[nv].why);
			if (v[nv].fresh == -1 && bc != NULL && bc->stopped) {
				nv++;
				goto stopped;
			}
			/* The kept copy was good when kept. */
			if (v[nv].fresh == 1)
				busy_src_ask(&v[nv], m[i], v[nv].body,
				    v[nv].len, from, to);
			else if (v[nv].kept.has_copy)
				busy_src_ask(&v[nv], m[i], v[nv].kept.body,
				    v[nv].kept.len, from, to);
		}
	/* 2. Parsed, on every core; new bytes that fail fall back on the
	 * kept copy, parsed in a second round. */
	if (!busy_src_parse(bc, st, v, nv))
		goto stopped;
	for (i = 0; i < nv; i++) {
		if (v[i].fresh != 1 || v[i].req.rc == 0)
			continue;
		v[i].why = v[i].req.err;
		v[i].req.err = NULL;
		v[i].fresh = -1;
		busy_req_clear(&v[i].req);
		if (v[i].kept.has_copy)
			busy_src_ask(&v[i], m[v[i].mi], v[i].kept.body,
			    v[i].kept.len, from, to);
	}
	if (!busy_src_parse(bc, st, v, nv))
		goto stopped;
	/* 3. Each member's set, and what the store keeps of each source. */
	for (i = 0; i < nv; i++) {
		if (out[v[i].mi] == NULL)
			out[v[i].mi] = avail_new();
		if (v[i].req.rc == 0 && v[i].req.set != NULL)
			busy_add_clipped(out[v[i].mi], v[i].req.set, from, to);
		if (v[i].fresh == 1) {
			same = v[i].kept.has_copy && v[i].kept.len ==
			    v[i].len && v[i].kept.error == NULL &&
			    memcmp(v[i].kept.body, v[i].body, v[i].len) == 0;
			if (!same && store_busy_good(st, v[i].source,
			    v[i].body, v[i].len, v[i].etag, v[i].lm, now,
			    err) == -1)
				goto out;
		} else if (v[i].fresh == -1) {
			failed[v[i].mi]++;
			shown = busy_display(v[i].source);
			log_warn("member %s: busy source %s: %s; %s",
			    m[v[i].mi]->id, shown, v[i].why,
			    v[i].kept.has_copy ? "using the last good copy" :
			    "no copy kept: nothing from it");
			free(shown);
			if (store_busy_checked(st, v[i].source, now, v[i].why,
			    err) == -1)
				goto out;
		} else if (fetch && busy_is_url(v[i].source) &&
		    (v[i].kept.error != NULL || now - v[i].kept.checked >=
		    60) && store_busy_checked(st, v[i].source, now, NULL,
		    err) == -1)
			goto out;
	}
	for (i = 0; i < n; i++)
		if (out[i] == NULL)
			out[i] = avail_new();
	rc = 0;
	goto out;
stopped:
	*err = xstrdup("stopped");
	if (bc != NULL)
		bc->stopped = true;
out:
	for (i = 0; i < nv; i++)
		busy_src_clear(&v[i]);
	free(v);
	if (rc == -1)
		for (i = 0; i < n; i++) {
			avail_free(out[i]);
			out[i] = NULL;
		}
	return rc;
}

int
busy_member(const struct config_member *m, struct store *st, time_t now,
    int64_t from, int64_t to, bool fetch, struct busy_cache *cache,
    struct avail **out, size_t *failed, char **err)
{
	size_t	f = 0;
	int	rc;

	rc = busy_members(&m, 1, st, now, from, to, fetch, cache, out, &f,
	    err);
	if (failed != NULL)
		*failed = f;
	return rc;
}

void
busy_cache_alive(const struct busy_cache *bc)
{
	if (bc != NULL)
		stop_alive(&bc->watch);
}

/* One line more for *warnings ('\n' between lines). */
static void
busy_warn(char **warnings, const struct config *cfg,
    const struct config_calendar *cal, const char *shown, const char *why,
    bool kept)
{
	char	*line;

	line = xasprintf("%s%s%s:%d: warning: [calendar %s] source %s: %s; %s",
	    *warnings != NULL ? *warnings : "", *warnings != NULL ? "\n" : "",
	    cfg->path, cal->source_line, cal->id, shown, why, kept ?
	    "using the last good copy" : "its all-day events are not skipped");
	free(*warnings);
	*warnings = line;
}

/* The all-day spans of body, added to cal's skip spans. */
static int
busy_add_days(struct config_calendar *cal, const char *body, size_t len,
    char **why)
{
	struct config_span	*days = NULL;
	size_t			 n = 0, j;

	if (ical_allday_text(body, len, &days, &n, why) == -1)
		return -1;
	cal->skip = xreallocarray(cal->skip, cal->nskip + n + 1,
	    sizeof(*cal->skip));
	for (j = 0; j < n; j++)
		cal->skip[cal->nskip++] = days[j];
	free(days);
	return 0;
}

void
busy_holidays(struct busy_cache *bc, struct config *cfg, struct store *st,
    time_t now, bool fetch, char **warnings)
{
	struct config_calendar	*cal;
	struct store_busy	 kept;
	char			*body, *etag, *lm, *why, *serr, *shown;
	size_t			 i, len;
	bool			 found;
	int			 fresh;

	for (i = 0; i < cfg->ncalendars; i++) {
		cal = &cfg->calendars[i];
		if (cal->source == NULL || cal->source_line == 0 ||
		    !busy_is_url(cal->source))
			continue;
		body = etag = lm = why = serr = NULL;
		len = 0;
		memset(&kept, 0, sizeof(kept));
		if (st != NULL && store_busy_get(st, cal->source, &found,
		    &kept, &serr) == -1) {
			/* No copy to fall back on, but the fetch may work. */
			log_warn("calendar %s: %s", cal->id, serr);
			free(serr);
			serr = NULL;
			memset(&kept, 0, sizeof(kept));
		}
		fresh = busy_fresh(bc, cal->source, &kept, fetch, &body,
		    &len, &etag, &lm, &why);
		if (bc != NULL && bc->stopped) {
			/* Cut short by a stop: no failure to record. */
			store_busy_clear(&kept);
			free(why);
			break;
		}
		if (fresh == 1 && busy_add_days(cal, body, len, &why) == -1)
			fresh = -1;
		if (fresh == 1 && st != NULL && !(kept.has_copy &&
		    kept.len == len && kept.error == NULL &&
		    memcmp(kept.body, body, len) == 0) &&
		    store_busy_good(st, cal->source, body, len, etag, lm, now,
		    &serr) == -1)
			log_warn("calendar %s: %s", cal->id, serr);
		if (fresh == 0 && fetch && st != NULL && store_busy_checked(st,
		    cal->source, now, NULL, &serr) == -1)
			log_warn("calendar %s: %s", cal->id, serr);
		if (fresh == -1) {
			shown = busy_display(cal->source);
			busy_warn(warnings, cfg, cal, shown, why,
			    kept.has_copy);
			free(shown);
			if (st != NULL && store_busy_checked(st, cal->source,
			    now, why, &serr) == -1)
				log_warn("calendar %s: %s", cal->id, serr);
		}
		/* The kept copy was good when kept. */
		if (fresh != 1 && kept.has_copy) {
			free(why);
			why = NULL;
			if (busy_add_days(cal, kept.body, kept.len, &why) == -1)
				log_warn("calendar %s: the kept copy: %s",
				    cal->id, why);
		}
		store_busy_clear(&kept);
		free(serr);
		free(body);
		free(etag);
		free(lm);
		free(why);
	}
}
