/* store_busy: the busy_sources table — last good copies of busy calendars —
 * and busy_expanded, what they expanded to. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

void
store_busy_clear(struct store_busy *b)
{
	if (b == NULL)
		return;
	free(b->source);
	free(b->body);
	free(b->etag);
	free(b->last_modified);
	free(b->error);
	memset(b, 0, sizeof(*b));
}

static void
store_busy_row(sqlite3_stmt *s, struct store_busy *b, bool with_body)
{
	const void	*blob;
	int		 n;

	b->source = store_col_text(s, 0);
	if (with_body && (blob = sqlite3_column_blob(s, 1)) != NULL) {
		n = sqlite3_column_bytes(s, 1);
		b->body = xmalloc((size_t)n + 1);
		memcpy(b->body, blob, (size_t)n);
		b->body[n] = '\0';
		b->len = (size_t)n;
	}
	b->has_copy = sqlite3_column_type(s, 1) != SQLITE_NULL;
	b->etag = store_col_text(s, 2);
	b->last_modified = store_col_text(s, 3);
	b->fetched = (time_t)sqlite3_column_int64(s, 4);
	b->checked = (time_t)sqlite3_column_int64(s, 5);
	b->error = store_col_text(s, 6);
}

#define STORE_BUSY_COLS	"source, body, etag, last_modified, fetched, " \
			"checked, error"

int
store_busy_get(struct store *st, const char *source, bool *found,
    struct store_busy *b, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1, r;

	memset(b, 0, sizeof(*b));
	*found = false;
	if (sqlite3_prepare_v2(st->db, "SELECT " STORE_BUSY_COLS " FROM "
	    "busy_sources WHERE source = ?", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*found = true;
		store_busy_row(s, b, true);
	} else if (r != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading a busy source");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_busy_good(struct store *st, const char *source, const char *body,
    size_t len, const char *etag, const char *last_modified, time_t now,
    char **err)
{
	sqlite3_stmt	*s = NULL;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO busy_sources (source, "
	    "body, etag, last_modified, fetched, checked, error) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?5, NULL) ON CONFLICT (source) DO UPDATE "
	    "SET body = ?2, etag = ?3, last_modified = ?4, fetched = ?5, "
	    "checked = ?5, error = NULL", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 2, body, (int)len, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, etag, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, last_modified, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)now);
	}
	return store_write(st, s, "storing a busy source", err);
}

int
store_busy_checked(struct store *st, const char *source, time_t now,
    const char *error, char **err)
{
	sqlite3_stmt	*s = NULL;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO busy_sources (source, "
	    "checked, error) VALUES (?1, ?2, ?3) ON CONFLICT (source) DO "
	    "UPDATE SET checked = ?2, error = ?3", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
		sqlite3_bind_text(s, 3, error, -1, SQLITE_STATIC);
	}
	return store_write(st, s, "storing a busy source", err);
}

int
store_busy_list(struct store *st, struct store_busy **out, size_t *n,
    char **err)
{
	sqlite3_stmt		*s = NULL;
	struct store_busy	*v = NULL;
	size_t			 k = 0;
	int			 rc = -1, r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT " STORE_BUSY_COLS " FROM "
	    "busy_sources ORDER BY source", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		memset(&v[k], 0, sizeof(v[k]));
		store_busy_row(s, &v[k++], false);
	}
	if (r != SQLITE_DONE)
		goto fail;
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "listing busy sources");
out:
	while (v != NULL && k > 0)
		store_busy_clear(&v[--k]);
	free(v);
	sqlite3_finalize(s);
	return rc;
}

void
store_busy_exp_clear(struct store_busy_exp *e)
{
	if (e == NULL)
		return;
	free(e->iv);
	free(e->error);
	memset(e, 0, sizeof(*e));
}

int
store_busy_exp_get(struct store *st, const char *source, const char *zone,
    bool *found, struct store_busy_exp *e, char **err)
{
	sqlite3_stmt	*s = NULL;
	const void	*blob;
	size_t		 n;
	int		 rc = -1, r;

	memset(e, 0, sizeof(*e));
	*found = false;
	if (sqlite3_prepare_v2(st->db, "SELECT hash, len, range_from, "
	    "range_to, intervals, error FROM busy_expanded WHERE source = ? "
	    "AND zone = ?", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, zone, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*found = true;
		e->hash = (uint64_t)sqlite3_column_int64(s, 0);
		e->len = (size_t)sqlite3_column_int64(s, 1);
		e->from = sqlite3_column_int64(s, 2);
		e->to = sqlite3_column_int64(s, 3);
		e->error = store_col_text(s, 5);
		blob = sqlite3_column_blob(s, 4);
		n = (size_t)sqlite3_column_bytes(s, 4);
		/* A torn blob is no set at all: the caller expands again. */
		if (e->error == NULL && n % (2 * sizeof(int64_t)) == 0) {
			e->niv = n / (2 * sizeof(int64_t));
			e->iv = xmalloc(n + 1);
			if (n > 0)
				memcpy(e->iv, blob, n);
		} else if (e->error == NULL)
			*found = false;
	} else if (r != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading a busy source's intervals");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_busy_exp_put(struct store *st, const char *source, const char *zone,
    const struct store_busy_exp *e, char **err)
{
	sqlite3_stmt	*s = NULL;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO busy_expanded (source, "
	    "zone, hash, len, range_from, range_to, intervals, error) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (source, zone) DO "
	    "UPDATE SET hash = ?3, len = ?4, range_from = ?5, range_to = ?6, "
	    "intervals = ?7, error = ?8", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, zone, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)e->hash);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)e->len);
		sqlite3_bind_int64(s, 5, e->from);
		sqlite3_bind_int64(s, 6, e->to);
		if (e->error == NULL)
			sqlite3_bind_blob(s, 7, e->iv != NULL ? (const void *)
			    e->iv : "", (int)(e->niv * 2 * sizeof(int64_t)),
			    SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 7);
		sqlite3_bind_text(s, 8, e->error, -1, SQLITE_STATIC);
	}
	return store_write(st, s, "storing a busy source's intervals", err);
}

/* One (source, zone) pair, for store_busy_exp_prune's sorted lookup. */
struct store_busy_pair {
	const char	*source, *zone;
};

static int
store_busy_pair_cmp(const void *a, const void *b)
{
	const struct store_busy_pair	*x = a, *y = b;
	int				 r = strcmp(x->source, y->source);

	return r != 0 ? r : strcmp(x->zone, y->zone);
}

int
store_busy_exp_prune(struct store *st, const char *const *sources,
    const char *const *zones, size_t n, size_t *removed, char **err)
{
	struct store_busy_pair	*keep, *drop = NULL, key;
	sqlite3_stmt		*s = NULL, *d = NULL;
	size_t			 i, ngone = 0, capgone = 0;
	bool			 open = false;
	int			 rc = -1, r;

	if (removed != NULL)
		*removed = 0;
	keep = xcalloc(n + 1, sizeof(*keep));
	for (i = 0; i < n; i++) {
		keep[i].source = sources[i];
		keep[i].zone = zones[i];
	}
	if (n > 0)
		qsort(keep, n, sizeof(*keep), store_busy_pair_cmp);
	/* A savepoint: one commit for every row, inside a caller's
	 * transaction or not. */
	if (store_exec(st, "SAVEPOINT busy_prune", "pruning busy intervals",
	    err) == -1)
		goto out;
	open = true;
	if (sqlite3_prepare_v2(st->db, "SELECT source, zone FROM "
	    "busy_expanded", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM busy_expanded WHERE "
	    "source = ? AND zone = ?", -1, &d, NULL) != SQLITE_OK)
		goto fail;
	/* Read all, then delete: no delete under a running read. */
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		key.source = (const char *)sqlite3_column_text(s, 0);
		key.zone = (const char *)sqlite3_column_text(s, 1);
		if (key.source == NULL || key.zone == NULL || (n > 0 &&
		    bsearch(&key, keep, n, sizeof(*keep),
		    store_busy_pair_cmp) != NULL))
			continue;
		if (ngone == capgone) {
			capgone = capgone < 16 ? 16 : capgone * 2;
			drop = xreallocarray(drop, capgone, sizeof(*drop));
		}
		drop[ngone].source = xstrdup(key.source);
		drop[ngone++].zone = xstrdup(key.zone);
	}
	if (r != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;
	for (i = 0; i < ngone; i++) {
		sqlite3_bind_text(d, 1, drop[i].source, -1, SQLITE_STATIC);
		sqlite3_bind_text(d, 2, drop[i].zone, -1, SQLITE_STATIC);
		if (sqlite3_step(d) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(d);
	}
	if (store_exec(st, "RELEASE busy_prune", "pruning busy intervals",
	    err) == -1)
		goto out;
	open = false;
	if (removed != NULL)
		*removed = ngone;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "pruning busy intervals");
out:
	sqlite3_finalize(s);
	sqlite3_finalize(d);
	if (open) {
		(void)store_exec(st, "ROLLBACK TO busy_prune; RELEASE "
		    "busy_prune", "pruning busy intervals", NULL);
	}
	for (i = 0; i < ngone; i++) {
		free((char *)drop[i].source);
		free((char *)drop[i].zone);
	}
	free(drop);
	free(keep);
	return rc;
}
