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
 * ical_busy in a jail: 0 with the intervals added to set; -1 with *err
 * allocated (the reason); -2 with *err when a stop cut it short (the
 * source did not fail).  The child's answer is hostile until checked:
 * whole pairs, each inside [from, to), from < to, at most ICAL_BUSY_MAX.
 */
static int
busy_jailed(const struct busy_cache *bc, const char *text, size_t len,
    const struct tz *zone, int64_t from, int64_t to, struct avail *set,
    char **err)
{
	struct busy_job		 bj = { text, len, zone, from, to };
	struct jail_job		 job;
	enum jail_result	 jr;
	int64_t			 iv[2];
	char			*ans = NULL;
	size_t			 alen = 0, i;
	int			 rc = -1;

	memset(&job, 0, sizeof(job));
	job.prepare = busy_job_prepare;
	job.work = busy_job_work;
	job.arg = &bj;
	job.max_out = (size_t)ICAL_BUSY_MAX * sizeof(iv);
	jr = jail_run(&job, bc != NULL ? &bc->watch : NULL, &ans, &alen, err);
	if (jr == JAIL_STOPPED)
		return -2;
	if (jr != JAIL_OK)
		return -1;
	if (alen % sizeof(iv) != 0) {
		*err = xstrdup("garbled answer from the parser");
		goto out;
	}
	for (i = 0; i < alen; i += sizeof(iv)) {
		memcpy(iv, ans + i, sizeof(iv));
		if (iv[0] >= iv[1] || iv[0] < from || iv[1] > to) {
			*err = xstrdup("garbled answer from the parser");
			goto out;
		}
	}
	for (i = 0; i < alen; i += sizeof(iv)) {
		memcpy(iv, ans + i, sizeof(iv));
		avail_add(set, iv[0], iv[1]);
	}
	rc = 0;
out:
	free(ans);
	return rc;
}

/*
 * Parse text (len bytes) for source into set, through the cache when
 * there is one.  Returns busy_jailed's result.
 */
static int
busy_parse(struct busy_cache *bc, const char *source,
    const struct config_member *m, const char *text, size_t len,
    int64_t from, int64_t to, struct avail *set, char **err)
{
	struct busy_entry	*e = NULL;
	struct avail		*got;
	char			*shown;
	const char		*zone = tz_name(m->tz);
	uint64_t		 h;
	size_t			 i;
	int			 rc;

	if (bc == NULL)
		return busy_jailed(bc, text, len, m->tz, from, to, set, err);
	h = busy_hash(text, len);
	for (i = 0; i < bc->n && e == NULL; i++)
		if (strcmp(bc->v[i].source, source) == 0 &&
		    strcmp(bc->v[i].zone, zone) == 0)
			e = &bc->v[i];
	if (e != NULL && e->set != NULL && e->hash == h && e->len == len &&
	    e->from == from && e->to == to) {
		e->used = true;
		avail_add_set(set, e->set);
		return 0;
	}
	if (e != NULL && e->bad_why != NULL && e->bad_hash == h &&
	    e->bad_len == len && e->bad_from == from && e->bad_to == to) {
		e->used = true;
		*err = xstrdup(e->bad_why);
		return -1;
	}
	if (e == NULL) {
		bc->v = xreallocarray(bc->v, bc->n + 1, sizeof(*bc->v));
		e = &bc->v[bc->n++];
		memset(e, 0, sizeof(*e));
		e->source = xstrdup(source);
		e->zone = xstrdup(zone);
	}
	e->used = true;
	got = avail_new();
	if ((rc = busy_jailed(bc, text, len, m->tz, from, to, got,
	    err)) != 0) {
		avail_free(got);
		if (rc == -2) {
			bc->stopped = true;
			return rc;
		}
		/* A child that ran out of wall time without using its CPU
		 * may have been held by the machine, not by the calendar:
		 * tried again next cycle. */
		if (strcmp(*err, "time limit") == 0)
			return rc;
		free(e->bad_why);
		e->bad_why = xstrdup(*err);
		e->bad_hash = h;
		e->bad_len = len;
		e->bad_from = from;
		e->bad_to = to;
		return rc;
	}
	shown = busy_display(source);
	log_debug("member %s: busy source %s: expanded, %zu busy intervals",
	    m->id, shown, avail_count(got));
	free(shown);
	avail_add_set(set, got);
	avail_free(e->set);
	e->set = got;
	e->hash = h;
	e->len = len;
	e->from = from;
	e->to = to;
	return 0;
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

/*
 * One source into set; *failed set when it failed this time.  -1 with
 * *err when the store fails, or "stopped" when a stop cut it short (the
 * source is then not marked failed: it was not its fault).
 */
static int
busy_source(const struct config_member *m, const char *source,
    struct store *st, time_t now, int64_t from, int64_t to, bool fetch,
    struct busy_cache *bc, struct avail *set, bool *failed, char **err)
{
	struct store_busy	 kept;
	char			*body = NULL, *etag = NULL, *lm = NULL;
	char			*why = NULL, *perr = NULL, *shown = NULL;
	size_t			 len = 0;
	bool			 found, same;
	int			 fresh, prc, rc = -1;

	*failed = false;
	if (bc != NULL)
		stop_alive(&bc->watch);
	if (store_busy_get(st, source, &found, &kept, err) == -1)
		return -1;
	fresh = busy_fresh(bc, source, &kept, fetch, &body, &len, &etag, &lm,
	    &why);
	if (fresh == -1 && bc != NULL && bc->stopped)
		goto stopped;
	if (fresh == 1 && (prc = busy_parse(bc, source, m, body, len, from,
	    to, set, &perr)) != 0) {
		if (prc == -2)
			goto stopped;
		why = perr;
		perr = NULL;
		fresh = -1;
	}
	if (fresh == 1) {
		same = kept.has_copy && kept.len == len && kept.error == NULL &&
		    memcmp(kept.body, body, len) == 0;
		if (!same && store_busy_good(st, source, body, len, etag, lm,
		    now, err) == -1)
			goto out;
		rc = 0;
		goto out;
	}
	if (fresh == 0 || why != NULL) {
		/* The kept copy was good when kept. */
		if (kept.has_copy && (prc = busy_parse(bc, source, m,
		    kept.body, kept.len, from, to, set, &perr)) != 0) {
			if (prc == -2)
				goto stopped;
			free(perr);
			perr = NULL;
		}
	}
	if (fresh == -1) {
		*failed = true;
		shown = busy_display(source);
		log_warn("member %s: busy source %s: %s; %s", m->id, shown, why,
		    kept.has_copy ? "using the last good copy" :
		    "no copy kept: nothing from it");
		if (store_busy_checked(st, source, now, why, err) == -1)
			goto out;
	} else if (fetch && busy_is_url(source) && (kept.error != NULL ||
	    now - kept.checked >= 60) && store_busy_checked(st, source, now,
	    NULL, err) == -1)
		goto out;
	rc = 0;
	goto out;
stopped:
	*err = xstrdup("stopped");
out:
	store_busy_clear(&kept);
	free(shown);
	free(perr);
	free(why);
	free(body);
	free(etag);
	free(lm);
	return rc;
}

int
busy_member(const struct config_member *m, struct store *st, time_t now,
    int64_t from, int64_t to, bool fetch, struct busy_cache *cache,
    struct avail **out, size_t *failed, char **err)
{
	struct avail	*set = avail_new();
	size_t		 i, nfail = 0;
	bool		 f;

	*out = NULL;
	for (i = 0; i < m->nbusy; i++) {
		if (busy_cache_stopped(cache)) {
			*err = xstrdup("stopped");
			avail_free(set);
			return -1;
		}
		if (busy_source(m, m->busy[i], st, now, from, to, fetch, cache,
		    set, &f, err) == -1) {
			avail_free(set);
			return -1;
		}
		nfail += f;
	}
	if (failed != NULL)
		*failed = nfail;
	*out = set;
	return 0;
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
