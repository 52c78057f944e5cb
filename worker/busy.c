/* busy: members' busy calendars, with their last good copies. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "busy.h"
#include "fetch.h"
#include "ical.h"
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
};

struct busy_cache {
	struct busy_entry	*v;
	size_t			 n;
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

/*
 * Parse text (len bytes) for source into set, through the cache when
 * there is one.  Returns ical_busy's result.
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

	if (bc == NULL)
		return ical_busy(text, len, m->tz, from, to, set, err);
	h = busy_hash(text, len);
	for (i = 0; i < bc->n && e == NULL; i++)
		if (strcmp(bc->v[i].source, source) == 0 &&
		    strcmp(bc->v[i].zone, zone) == 0)
			e = &bc->v[i];
	if (e != NULL && e->hash == h && e->len == len && e->from == from &&
	    e->to == to) {
		e->used = true;
		avail_add_set(set, e->set);
		return 0;
	}
	got = avail_new();
	if (ical_busy(text, len, m->tz, from, to, got, err) == -1) {
		avail_free(got);
		return -1;
	}
	shown = busy_display(source);
	log_debug("member %s: busy source %s: expanded, %zu busy intervals",
	    m->id, shown, avail_count(got));
	free(shown);
	avail_add_set(set, got);
	if (e == NULL) {
		bc->v = xreallocarray(bc->v, bc->n + 1, sizeof(*bc->v));
		e = &bc->v[bc->n++];
		memset(e, 0, sizeof(*e));
		e->source = xstrdup(source);
		e->zone = xstrdup(zone);
	}
	avail_free(e->set);
	e->set = got;
	e->hash = h;
	e->len = len;
	e->from = from;
	e->to = to;
	e->used = true;
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
	struct stat	 sb;
	char		*buf = NULL;
	size_t		 got = 0;
	ssize_t		 r;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*err = xasprintf("%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		*err = xstrdup("not a regular file");
		goto out;
	}
	if (sb.st_size > BUSY_MAX_FILE) {
		*err = xasprintf("larger than the limit of %d bytes; refused",
		    BUSY_MAX_FILE);
		goto out;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size) {
		r = read(fd, buf + got, (size_t)sb.st_size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != (size_t)sb.st_size) {
		*err = xasprintf("short read: %s", strerror(errno));
		goto out;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

/*
 * New bytes for one source: 1 with *body set (fresh), 0 when the kept copy
 * still holds (304), -1 with *why set when the source failed.
 */
static int
busy_fresh(const char *source, const struct store_busy *kept, bool fetch,
    char **body, size_t *len, char **etag, char **lm, char **why)
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
	if (fetch_url(source, &opts, &res, why) == -1)
		return -1;
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

/* One source into set; *failed set when it failed this time. */
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
	int			 fresh, rc = -1;

	*failed = false;
	if (store_busy_get(st, source, &found, &kept, err) == -1)
		return -1;
	fresh = busy_fresh(source, &kept, fetch, &body, &len, &etag, &lm,
	    &why);
	if (fresh == 1 && busy_parse(bc, source, m, body, len, from, to, set,
	    &perr) == -1) {
		why = xasprintf("malformed: %s", perr);
		free(perr);
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
		if (kept.has_copy && busy_parse(bc, source, m, kept.body,
		    kept.len, from, to, set, &perr) == -1) {
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
