/* store_dest: the destinations table — each chat channel's and the SMTP
 * relay's health, for deliver.c. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

void
store_dest_list_free(struct store_dest *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].name);
		free(v[i].error);
	}
	free(v);
}

int
store_dest_list(struct store *st, struct store_dest **out, size_t *n,
    char **err)
{
	sqlite3_stmt		*s = NULL;
	struct store_dest	*v = NULL, *d;
	size_t			 k = 0;
	int			 rc = -1, r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT name, hold_until, failures, "
	    "failing_since, alerted, error FROM destinations ORDER BY name",
	    -1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		d = &v[k++];
		memset(d, 0, sizeof(*d));
		d->name = store_col_text(s, 0);
		if (d->name == NULL)
			d->name = xstrdup("");
		d->hold_until = (time_t)sqlite3_column_int64(s, 1);
		d->failures = sqlite3_column_int(s, 2);
		d->failing_since = (time_t)sqlite3_column_int64(s, 3);
		d->alerted = sqlite3_column_int(s, 4) != 0;
		d->error = store_col_text(s, 5);
	}
	if (r != SQLITE_DONE)
		goto fail;
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading the destinations");
	store_dest_list_free(v, k);
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_dest_save(struct store *st, const struct store_dest *d, char **err)
{
	sqlite3_stmt	*s = NULL;

	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO destinations "
	    "(name, hold_until, failures, failing_since, alerted, error) "
	    "VALUES (?, ?, ?, ?, ?, ?)", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, d->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)d->hold_until);
		sqlite3_bind_int(s, 3, d->failures);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)d->failing_since);
		sqlite3_bind_int(s, 5, d->alerted);
		sqlite3_bind_text(s, 6, d->error, -1, SQLITE_STATIC);
	}
	return store_write(st, s, "recording a destination", err);
}
