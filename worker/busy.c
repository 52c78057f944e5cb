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
#include "xmalloc.h"

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
    struct avail *set, bool *failed, char **err)
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
	if (fresh == 1 && ical_busy(body, len, m->tz, from, to, set,
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
		if (kept.has_copy && ical_busy(kept.body, kept.len, m->tz, from,
		    to, set, &perr) == -1) {
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
    int64_t from, int64_t to, bool fetch, struct avail **out, size_t *failed,
    char **err)
{
	struct avail	*set = avail_new();
	size_t		 i, nfail = 0;
	bool		 f;

	*out = NULL;
	for (i = 0; i < m->nbusy; i++) {
		if (busy_source(m, m->busy[i], st, now, from, to, fetch, set, &f,
		    err) == -1) {
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
