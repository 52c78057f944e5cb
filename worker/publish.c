/* publish: render every feed and write the ones whose bytes changed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ical.h"
#include "log.h"
#include "publish.h"
#include "rcache.h"
#include "series.h"
#include "token.h"
#include "xmalloc.h"

#define PUBLISH_TMP_PREFIX	".tmp-"
/* A temporary file younger than this may be another process's write in
 * progress (`feeds` while `run` works); older ones are a crash's leftovers. */
#define PUBLISH_TMP_MAX_AGE	600

/* "TOKEN.ics" with a well-formed token: the only names we own in feeds/. */
static bool
publish_is_feed_name(const char *name, char token[STORE_TOKEN_LEN + 1])
{
	if (strlen(name) != STORE_TOKEN_LEN + 4 ||
	    strcmp(name + STORE_TOKEN_LEN, ".ics") != 0)
		return false;
	memcpy(token, name, STORE_TOKEN_LEN);
	token[STORE_TOKEN_LEN] = '\0';
	return token_valid(token, STORE_TOKEN_LEN);
}

char *
publish_db_path(const char *state_dir)
{
	return xasprintf("%s/state.db", state_dir);
}

static int
publish_mkdir(const char *path, char **err)
{
	struct stat	sb;

	if (mkdir(path, 0750) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	*err = xasprintf("%s: %s", path, errno == EEXIST ?
	    "exists and is not a directory" : strerror(errno));
	return -1;
}

int
publish_prepare(const char *state_dir, char **err)
{
	char	*feeds = xasprintf("%s/feeds", state_dir);
	int	 rc = -1;

	if (publish_mkdir(state_dir, err) == -1 ||
	    publish_mkdir(feeds, err) == -1)
		goto out;
	rc = 0;
out:
	free(feeds);
	return rc;
}

char *
publish_feed_url(const struct config *cfg, const char *token)
{
	if (cfg->worker.public_url == NULL)
		return NULL;
	return xasprintf("%s/feeds/%s.ics", cfg->worker.public_url, token);
}

char *
publish_webcal_url(const char *url)
{
	const char	*rest;

	if (url == NULL)
		return NULL;
	rest = strstr(url, "://");

	return xasprintf("webcal://%s", rest != NULL ? rest + 3 : url);
}

/* 1 when path holds exactly data, 0 when not (or absent), -1 on error. */
static int
publish_same_bytes(const char *path, const char *data, size_t len,
    time_t *mtime, char **err)
{
	struct stat	 sb;
	char		*buf = NULL;
	size_t		 got = 0;
	ssize_t		 r;
	int		 fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1) {
		if (errno == ENOENT || errno == ELOOP)
			return 0;
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || (size_t)sb.st_size != len) {
		rc = 0;
		goto out;
	}
	buf = xmalloc(len);
	while (got < len) {
		r = read(fd, buf + got, len - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			*err = xasprintf("%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	rc = got == len && memcmp(buf, data, len) == 0;
	if (rc == 1 && mtime != NULL)
		*mtime = sb.st_mtime;
out:
	free(buf);
	close(fd);
	return rc;
}

static int
publish_write_all(int fd, const char *data, size_t len)
{
	ssize_t	r;

	while (len > 0) {
		r = write(fd, data, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		data += r;
		len -= (size_t)r;
	}
	return 0;
}

/* A file written under a temporary name in its directory, waiting to be
 * renamed over its real name. */
struct publish_stage {
	char		*tmp, *path;
	time_t		 mtime;
	struct publish_feed *pf;	/* publish_run's; NULL otherwise */
};

static void
publish_stage_discard(struct publish_stage *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (v[i].tmp != NULL)
			unlink(v[i].tmp);
		free(v[i].tmp);
		free(v[i].path);
	}
}

/*
 * Write data under a temporary name beside dir/name and append it to
 * *v (n entries).  Not yet durable nor visible: publish_stage_commit does
 * that, for a whole batch at once.
 */
static int
publish_stage_write(const char *dir, const char *name, const char *data,
    size_t len, struct publish_stage **v, size_t *n, char **err)
{
	struct stat	 sb;
	char		*tmp = xasprintf("%s/" PUBLISH_TMP_PREFIX "%s.XXXXXX",
			    dir, name);
	int		 fd;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	/* Readable by the group, so a web server in it can serve the folder. */
	if (fchmod(fd, 0640) == -1 || publish_write_all(fd, data, len) == -1 ||
	    fstat(fd, &sb) == -1) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) == -1) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		goto fail;
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].tmp = tmp;
	(*v)[*n].path = xasprintf("%s/%s", dir, name);
	(*v)[*n].mtime = sb.st_mtime;
	(*v)[*n].pf = NULL;
	(*n)++;
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return -1;
}

/* From this many files on, one syncfs costs less than a fsync each (which
 * on ext4 is a journal commit each: seconds for a district). */
#define PUBLISH_SYNCFS_MIN	32

/*
 * Make the staged files durable, then rename each over its real name, then
 * make the directory durable: a crash leaves each file old or new, never
 * torn.  Every entry's tmp is consumed (renamed, or removed on failure).
 * Returns 0, or -1 with *err allocated.
 */
static int
publish_stage_commit(const char *dir, struct publish_stage *v, size_t n,
    char **err)
{
	size_t	i;
	int	dfd, fd, rc = -1;

	if (n == 0)
		return 0;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*err = xasprintf("%s: %s", dir, strerror(errno));
		goto out;
	}
	if (n >= PUBLISH_SYNCFS_MIN) {
		if (syncfs(dfd) == -1) {
			*err = xasprintf("%s: %s", dir, strerror(errno));
			goto out;
		}
	} else {
		for (i = 0; i < n; i++) {
			fd = open(v[i].tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (fd == -1 || fsync(fd) == -1) {
				*err = xasprintf("%s: %s", v[i].tmp,
				    strerror(errno));
				if (fd != -1)
					close(fd);
				goto out;
			}
			close(fd);
		}
	}
	for (i = 0; i < n; i++) {
		if (rename(v[i].tmp, v[i].path) == -1) {
			*err = xasprintf("%s: %s", v[i].path, strerror(errno));
			goto out;
		}
		free(v[i].tmp);
		v[i].tmp = NULL;
	}
	/* The renames are durable only once the directory is on disk too. */
	if (fsync(dfd) == -1) {
		*err = xasprintf("%s: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		if (v[i].tmp != NULL) {
			unlink(v[i].tmp);
			free(v[i].tmp);
			v[i].tmp = NULL;
		}
	if (dfd != -1)
		close(dfd);
	return rc;
}

int
publish_write_if_changed(const char *dir, const char *name, const char *data,
    size_t len, bool *written, time_t *mtime, char **err)
{
	struct publish_stage	*v = NULL;
	char			*path = xasprintf("%s/%s", dir, name);
	size_t			 n = 0;
	int			 rc = -1, same;

	*written = false;
	if ((same = publish_same_bytes(path, data, len, mtime, err)) == -1)
		goto out;
	if (same) {
		rc = 0;
		goto out;
	}
	if (publish_stage_write(dir, name, data, len, &v, &n, err) == -1 ||
	    publish_stage_commit(dir, v, n, err) == -1)
		goto out;
	*written = true;
	if (mtime != NULL)
		*mtime = v[0].mtime;
	rc = 0;
out:
	publish_stage_discard(v, n);
	free(v);
	free(path);
	return rc;
}

static int
publish_token_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
publish_remove_stale(const char *dir, char *const *keep, size_t n,
    size_t *removed, char **err)
{
	DIR		 *d;
	struct dirent	 *de;
	struct stat	  sb;
	char		**sorted = NULL, *path = NULL;
	char		  token[STORE_TOKEN_LEN + 1], *key = token;
	time_t		  now = time(NULL);
	int		  rc = -1;

	*removed = 0;
	if ((d = opendir(dir)) == NULL) {
		*err = xasprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	sorted = xreallocarray(NULL, n, sizeof(*sorted));
	if (n > 0)
		memcpy(sorted, keep, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), publish_token_cmp);
	while ((errno = 0, de = readdir(d)) != NULL) {
		free(path);
		path = xasprintf("%s/%s", dir, de->d_name);
		if (publish_is_feed_name(de->d_name, token)) {
			if (bsearch(&key, sorted, n, sizeof(*sorted),
			    publish_token_cmp) != NULL)
				continue;
		} else if (strncmp(de->d_name, PUBLISH_TMP_PREFIX,
		    strlen(PUBLISH_TMP_PREFIX)) == 0) {
			if (lstat(path, &sb) == -1 ||
			    now - sb.st_mtime < PUBLISH_TMP_MAX_AGE)
				continue;
		} else
			continue;
		if (unlink(path) == -1 && errno != ENOENT) {
			*err = xasprintf("%s: %s", path, strerror(errno));
			goto out;
		}
		(*removed)++;
	}
	if (errno != 0) {
		*err = xasprintf("%s: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(path);
	free(sorted);
	closedir(d);
	return rc;
}

void
publish_result_free(struct publish_result *res)
{
	size_t	i;

	if (res == NULL)
		return;
	for (i = 0; i < res->nfeeds; i++)
		free(res->feeds[i].body);
	free(res->feeds);
	memset(res, 0, sizeof(*res));
}

/* The epochs of every placed series, brought up to date (and recorded
 * when record is set), as one list of feed series; hist[i] is community
 * i's history, which the list points into. */
static int
publish_sync_series(const struct config *cfg, struct store *st, time_t now,
    bool record, struct series_history *hist, struct feed_series **series,
    size_t *nseries, size_t *skipped, char **err)
{
	const struct config_community	*c;
	size_t				 i, j;

	*series = NULL;
	*nseries = 0;
	for (i = 0; i < cfg->ncommunities; i++) {
		c = &cfg->communities[i];
		if (series_history(cfg, st, c, now, record ? SERIES_RECORD :
		    SERIES_PUBLISH, &hist[i], err) == -1)
			return -1;
		/* An `auto` slot is placed from availability (place.c);
		 * until it is there is nothing to publish. */
		if (hist[i].n == 0) {
			log_notice("community %s: day or time is auto, which "
			    "is not placed yet; its meetings are left out of "
			    "the feeds", c->id);
			(*skipped)++;
			continue;
		}
		*series = xreallocarray(*series, *nseries + hist[i].n,
		    sizeof(**series));
		for (j = 0; j < hist[i].n; j++)
			(*series)[(*nseries)++] = hist[i].series[j];
	}
	return 0;
}

/*
 * Every open action item whose community and owner the config still has,
 * as feed items pointing into cfg and into *rows (which the caller frees
 * with store_action_list_free, after the items).  An item of a community or
 * member since removed from the config stays in the store and out of the
 * feeds.  Read once per run: the feeds of one run show the same items.
 */
static int
publish_read_items(const struct config *cfg, struct store *st,
    struct store_action **rows, size_t *nrows, struct feed_item **items,
    size_t *nitems, char **err)
{
	struct store_action_filter	 f = { NULL, NULL, STORE_ACTION_OPEN };
	struct feed_item		*it;
	size_t				 i;

	*items = NULL;
	*nitems = 0;
	if (store_action_list(st, &f, rows, nrows, err) == -1)
		return -1;
	if (*nrows > 0)
		*items = xcalloc(*nrows, sizeof(**items));
	for (i = 0; i < *nrows; i++) {
		const struct store_action *a = &(*rows)[i];

		it = &(*items)[*nitems];
		it->community = config_community_find(cfg, a->community);
		it->owner = config_member_find(cfg, a->owner);
		if (it->community == NULL || it->owner == NULL)
			continue;
		it->id = a->id;
		it->title = a->title;
		it->notes = a->notes;
		it->due = a->due;
		it->sequence = a->sequence;
		it->created = a->created;
		it->changed = a->changed;
		(*nitems)++;
	}
	return 0;
}

/*
 * What each feed shows, worked out once for all feeds: feed f (member f,
 * then community f - nmembers, as publish_run numbers them) shows
 * series[sidx[soff[f]..soff[f + 1])] and items[iidx[ioff[f]..]], in the
 * order of the lists.  A member's feed shows the series of the
 * communities they facilitate or belong to (an epoch's view has the same
 * members as its origin) and their own items; a community's, its series
 * and all its items.  One pass over the series and items: asking every
 * feed about every series grows with the square of the district.
 */
struct publish_index {
	size_t	*soff, *sidx, *ioff, *iidx;
};

/* Feed f of lists built in two passes: count (fill false), then fill. */
static void
publish_index_add(size_t *off, size_t *idx, size_t *last, size_t f,
    size_t j, bool fill)
{
	/* A facilitator who is also a member sees the series once. */
	if (last[f] == j + 1)
		return;
	last[f] = j + 1;
	if (fill)
		idx[off[f]++] = j;
	else
		off[f + 1]++;
}

static void
publish_index_build(const struct config *cfg, const struct feed_series *s,
    size_t ns, const struct feed_item *it, size_t ni,
    struct publish_index *x)
{
	const struct config_community	*c;
	size_t				 nf = cfg->nmembers +
					    cfg->ncommunities, *last, *cur;
	size_t				 i, j, k;
	int				 pass;

	x->soff = xcalloc(nf + 2, sizeof(*x->soff));
	x->ioff = xcalloc(nf + 2, sizeof(*x->ioff));
	last = xcalloc(nf + 1, sizeof(*last));
	cur = xcalloc(nf + 1, sizeof(*cur));
	x->sidx = xcalloc(1, sizeof(*x->sidx));
	x->iidx = xcalloc(1, sizeof(*x->iidx));
	for (pass = 0; pass < 2; pass++) {
		size_t *off = pass == 0 ? x->soff : cur;

		memset(last, 0, (nf + 1) * sizeof(*last));
		for (j = 0; j < ns; j++) {
			c = s[j].origin;
			k = (size_t)(c - cfg->communities);
			publish_index_add(off, x->sidx, last,
			    cfg->nmembers + k, j, pass == 1);
			if (c->facilitator != NULL)
				publish_index_add(off, x->sidx, last,
				    (size_t)(c->facilitator - cfg->members), j,
				    pass == 1);
			for (i = 0; i < c->nmembers; i++)
				publish_index_add(off, x->sidx, last,
				    (size_t)(c->members[i] - cfg->members), j,
				    pass == 1);
			for (i = 0; i < c->noptional; i++)
				publish_index_add(off, x->sidx, last,
				    (size_t)(c->optional[i] - cfg->members),
				    j, pass == 1);
		}
		if (pass == 0) {
			for (i = 0; i < nf; i++)
				x->soff[i + 1] += x->soff[i];
			free(x->sidx);
			x->sidx = xcalloc(x->soff[nf] + 1, sizeof(*x->sidx));
			memcpy(cur, x->soff, nf * sizeof(*cur));
		}
	}
	for (pass = 0; pass < 2; pass++) {
		size_t *off = pass == 0 ? x->ioff : cur;

		memset(last, 0, (nf + 1) * sizeof(*last));
		for (j = 0; j < ni; j++) {
			publish_index_add(off, x->iidx, last,
			    (size_t)(it[j].owner - cfg->members), j,
			    pass == 1);
			publish_index_add(off, x->iidx, last, cfg->nmembers +
			    (size_t)(it[j].community - cfg->communities), j,
			    pass == 1);
		}
		if (pass == 0) {
			for (i = 0; i < nf; i++)
				x->ioff[i + 1] += x->ioff[i];
			free(x->iidx);
			x->iidx = xcalloc(x->ioff[nf] + 1, sizeof(*x->iidx));
			memcpy(cur, x->ioff, nf * sizeof(*cur));
		}
	}
	free(last);
	free(cur);
}

static void
publish_index_free(struct publish_index *x)
{
	free(x->soff);
	free(x->sidx);
	free(x->ioff);
	free(x->iidx);
}

/* Render one feed and, when its file holds other bytes, stage the new
 * ones (publish_stage_commit writes them all at once). */
static int
publish_one(const struct config *cfg, const char *dir,
    const struct config_member *member,
    const struct config_community *community,
    const struct feed_series *all, const struct feed_item *all_items,
    const struct publish_index *x, size_t f, struct ical_cache *cache,
    struct publish_feed *pf, struct publish_stage **stages, size_t *nstages,
    time_t now, char **err)
{
	struct feed_input	 in;
	struct feed_series	*mine = NULL;
	struct feed_item	*items = NULL;
	char			*url = NULL, *name = NULL, *rerr = NULL;
	char			*path = NULL;
	size_t			 i, nitems = 0;
	int			 rc = -1, same;

	memset(&in, 0, sizeof(in));
	in.cfg = cfg;
	in.kind = pf->kind;
	in.member = member;
	in.community = community;
	url = publish_feed_url(cfg, pf->token);
	in.url = url;
	/* From the series' start, not from now: the feed then changes only
	 * when a meeting enters the horizon, not as each one passes; and to
	 * a whole UTC day, so that a series' rendered block (rcache) stays
	 * good for the day instead of one cycle. */
	in.notes_from = 0;
	in.notes_to = (now + (time_t)cfg->worker.horizon) / CIVIL_DAY *
	    CIVIL_DAY;
	mine = xcalloc(x->soff[f + 1] - x->soff[f] + 1, sizeof(*mine));
	for (i = x->soff[f]; i < x->soff[f + 1]; i++)
		mine[in.nseries++] = all[x->sidx[i]];
	in.series = mine;
	items = xcalloc(x->ioff[f + 1] - x->ioff[f] + 1, sizeof(*items));
	for (i = x->ioff[f]; i < x->ioff[f + 1]; i++)
		items[nitems++] = all_items[x->iidx[i]];
	in.items = items;
	in.nitems = nitems;
	if (ical_render_feed_cached(&in, cache, &pf->body, &pf->len,
	    &rerr) == -1) {
		*err = xasprintf("%s %s: %s", pf->kind == FEED_MEMBER ?
		    "member" : "community", pf->owner, rerr);
		goto out;
	}
	name = xasprintf("%s.ics", pf->token);
	path = xasprintf("%s/%s", dir, name);
	if ((same = publish_same_bytes(path, pf->body, pf->len, &pf->modified,
	    err)) == -1)
		goto out;
	if (!same) {
		if (publish_stage_write(dir, name, pf->body, pf->len, stages,
		    nstages, err) == -1)
			goto out;
		(*stages)[*nstages - 1].pf = pf;
	}
	rc = 0;
out:
	free(rerr);
	free(path);
	free(name);
	free(items);
	free(mine);
	free(url);
	return rc;
}

/* Tokens by kind and owner, for bsearch. */
static int
publish_tok_cmp(const void *a, const void *b)
{
	const struct store_token	*x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->owner, y->owner);
}

/*
 * Every feed's token: the live ones read at once (one query, not one per
 * feed), the missing ones created in one transaction (a district's first
 * run creates thousands: a commit each costs seconds).  res->feeds[i]
 * already holds its kind and owner.
 */
static int
publish_tokens(struct store *st, time_t now, struct publish_result *res,
    size_t n, char **err)
{
	struct store_token	*live = NULL, key, *t;
	struct publish_feed	*pf;
	size_t			 nlive = 0, i, missing = 0;
	int			 rc = -1;

	if (store_token_list(st, &live, &nlive, err) == -1)
		return -1;
	if (nlive > 0)
		qsort(live, nlive, sizeof(*live), publish_tok_cmp);
	for (i = 0; i < n; i++) {
		pf = &res->feeds[i];
		key.kind = pf->kind == FEED_MEMBER ? STORE_TOKEN_MEMBER :
		    STORE_TOKEN_COMMUNITY;
		key.owner = (char *)pf->owner;
		t = nlive > 0 ? bsearch(&key, live, nlive, sizeof(*live),
		    publish_tok_cmp) : NULL;
		if (t != NULL)
			memcpy(pf->token, t->token, sizeof(pf->token));
		else
			missing++;
	}
	if (missing > 0 && store_tx_begin(st, err) == -1)
		goto out;
	for (i = 0; missing > 0 && i < n; i++) {
		pf = &res->feeds[i];
		if (pf->token[0] != '\0')
			continue;
		if (store_token_get_or_create(st, pf->kind == FEED_MEMBER ?
		    STORE_TOKEN_MEMBER : STORE_TOKEN_COMMUNITY, pf->owner, now,
		    pf->token, err) == -1) {
			store_tx_rollback(st);
			goto out;
		}
	}
	if (missing > 0 && store_tx_commit(st, err) == -1) {
		store_tx_rollback(st);
		goto out;
	}
	rc = 0;
out:
	store_token_list_free(live, nlive);
	return rc;
}

int
publish_run(const struct config *cfg, const char *state_dir, struct store *st,
    time_t now, bool record, struct publish_result *res, bool *store_failed,
    char **err)
{
	return publish_run_blocks(cfg, state_dir, st, now, record, NULL, res,
	    store_failed, err);
}

int
publish_run_blocks(const struct config *cfg, const char *state_dir,
    struct store *st, time_t now, bool record, struct rcache *blocks,
    struct publish_result *res, bool *store_failed, char **err)
{
	struct series_history	 *hist = NULL;
	struct feed_series	 *series = NULL;
	struct store_action	 *rows = NULL;
	struct feed_item	 *items = NULL;
	struct ical_cache	 *cache = NULL;
	struct publish_stage	 *stages = NULL;
	struct publish_feed	 *pf;
	struct publish_index	  index = { NULL, NULL, NULL, NULL };
	char			**keep = NULL, *dir = NULL;
	size_t			  i, n, nrows = 0, nitems = 0, nstages = 0;
	size_t			  nseries = 0;
	int			  rc = -1;

	memset(res, 0, sizeof(*res));
	*store_failed = false;
	if (publish_prepare(state_dir, err) == -1)
		goto out;
	dir = xasprintf("%s/feeds", state_dir);
	hist = xcalloc(cfg->ncommunities + 1, sizeof(*hist));
	if (publish_sync_series(cfg, st, now, record, hist, &series, &nseries,
	    &res->skipped, err) == -1 ||
	    publish_read_items(cfg, st, &rows, &nrows, &items, &nitems,
	    err) == -1) {
		*store_failed = true;
		goto out;
	}

	n = cfg->nmembers + cfg->ncommunities;
	publish_index_build(cfg, series, nseries, items, nitems, &index);
	res->feeds = xcalloc(n, sizeof(*res->feeds));
	keep = xcalloc(n, sizeof(*keep));
	/* The test knob: every feed through libical whole, the reference
	 * the blocks must match (tests/e2e/rcache.sh). */
	if (getenv("PLC_TEST_RENDER_WHOLE") == NULL)
		cache = ical_cache_new(blocks);
	for (i = 0; i < n; i++) {
		pf = &res->feeds[i];
		if (i < cfg->nmembers) {
			pf->kind = FEED_MEMBER;
			pf->owner = cfg->members[i].id;
		} else {
			pf->kind = FEED_COMMUNITY;
			pf->owner = cfg->communities[i - cfg->nmembers].id;
		}
	}
	res->nfeeds = n;
	if (publish_tokens(st, now, res, n, err) == -1) {
		*store_failed = true;
		goto out;
	}
	for (i = 0; i < n; i++) {
		pf = &res->feeds[i];
		if (publish_one(cfg, dir, i < cfg->nmembers ?
		    &cfg->members[i] : NULL, i < cfg->nmembers ? NULL :
		    &cfg->communities[i - cfg->nmembers], series, items,
		    &index, i, cache, pf, &stages, &nstages, now, err) == -1)
			goto out;
		keep[i] = pf->token;
	}
	if (publish_stage_commit(dir, stages, nstages, err) == -1)
		goto out;
	for (i = 0; i < nstages; i++) {
		stages[i].pf->written = true;
		stages[i].pf->modified = stages[i].mtime;
	}
	res->written = nstages;
	res->unchanged = res->nfeeds - nstages;
	if (publish_remove_stale(dir, keep, n, &res->removed, err) == -1)
		goto out;
	rc = 0;
out:
	/* Blocks no feed of this run used are for a config or state gone. */
	if (blocks != NULL)
		rcache_sweep(blocks);
	if (rc == -1)
		publish_result_free(res);
	for (i = 0; hist != NULL && i < cfg->ncommunities; i++)
		series_history_free(&hist[i]);
	free(hist);
	publish_stage_discard(stages, nstages);
	free(stages);
	ical_cache_free(cache);
	publish_index_free(&index);
	free(keep);
	free(series);
	free(items);
	store_action_list_free(rows, nrows);
	free(dir);
	return rc;
}
