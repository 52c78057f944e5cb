/* store_action: the action_items and action_history tables. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

/* Column 10 is when the item was last opened (its last reopening, a status
 * change from done, else its creation), 11 when it was last marked done
 * (NULL: never), 12 the meeting it came from (branch report). */
#define STORE_ACTION_COLS	"id, community, owner, title, notes, due, " \
				"status, sequence, created, changed, " \
				"max(created, coalesce((SELECT max(h.at) " \
				"FROM action_history h WHERE h.item = " \
				"action_items.id AND h.field = 'status' AND " \
				"h.old = 'done'), created)), " \
				"coalesce((SELECT max(h.at) FROM " \
				"action_history h WHERE h.item = " \
				"action_items.id AND h.field = 'status' AND " \
				"(h.new = 'done' OR h.new LIKE 'done:%')), " \
				"changed), meeting"

static void
store_action_row(sqlite3_stmt *s, struct store_action *a)
{
	const char	*due = (const char *)sqlite3_column_text(s, 5);
	const char	*mt;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->community = store_col_text(s, 1);
	a->owner = store_col_text(s, 2);
	a->title = store_col_text(s, 3);
	a->notes = store_col_text(s, 4);
	if (due == NULL || civil_date_parse(due, &a->due) == -1)
		a->due = (struct civil_date){ 1970, 1, 1 };
	a->status = strcmp((const char *)sqlite3_column_text(s, 6), "done") ==
	    0 ? STORE_ACTION_DONE : STORE_ACTION_OPEN;
	a->sequence = sqlite3_column_int(s, 7);
	a->created = (time_t)sqlite3_column_int64(s, 8);
	a->changed = (time_t)sqlite3_column_int64(s, 9);
	a->opened = (time_t)sqlite3_column_int64(s, 10);
	a->done_at = a->status == STORE_ACTION_DONE ?
	    (time_t)sqlite3_column_int64(s, 11) : 0;
	mt = (const char *)sqlite3_column_text(s, 12);
	a->has_meeting = mt != NULL && civil_date_parse(mt, &a->meeting) == 0;
}

void
store_action_free(struct store_action *a)
{
	if (a == NULL)
		return;
	free(a->community);
	free(a->owner);
	free(a->title);
	free(a->notes);
	memset(a, 0, sizeof(*a));
}

void
store_action_list_free(struct store_action *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++)
		store_action_free(&v[i]);
	free(v);
}

static int
store_action_log(struct store *st, int64_t id, time_t now, const char *actor,
    const char *field, const char *old, const char *new)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO action_history (item, at, "
	    "actor, field, old, new) VALUES (?, ?, ?, ?, ?, ?)", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, old, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, new, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_DONE)
		rc = 0;
	sqlite3_finalize(s);
	return rc;
}

int
store_action_add(struct store *st, const char *community, const char *owner,
    const char *title, const char *notes, struct civil_date due, time_t now,
    const char *actor, int64_t *id, char **err)
{
	return store_action_add_meeting(st, community, owner, title, notes,
	    due, NULL, now, actor, id, err);
}

int
store_action_add_meeting(struct store *st, const char *community,
    const char *owner, const char *title, const char *notes,
    struct civil_date due, const struct civil_date *meeting, time_t now,
    const char *actor, int64_t *id, char **err)
{
	sqlite3_stmt	*s = NULL;
	char		 d[CIVIL_DATE_LEN], md[CIVIL_DATE_LEN];

	civil_date_format(due, d);
	if (meeting != NULL)
		civil_date_format(*meeting, md);
	if (store_exec(st, "BEGIN IMMEDIATE", "adding an item", err) == -1)
		return -1;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO action_items (community, "
	    "owner, title, notes, due, created, changed, meeting) VALUES (?, "
	    "?, ?, ?, ?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, notes, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, d, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)now);
	sqlite3_bind_text(s, 8, meeting != NULL ? md : NULL, -1,
	    SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	*id = sqlite3_last_insert_rowid(st->db);
	if (store_action_log(st, *id, now, actor, "created", NULL, title) == -1)
		goto fail;
	if (store_exec(st, "COMMIT", "adding an item", err) == -1)
		goto rollback;
	sqlite3_finalize(s);
	return 0;
fail:
	store_seterr(err, st->db, "adding an item");
rollback:
	sqlite3_finalize(s);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_action_get(struct store *st, int64_t id, bool *found,
    struct store_action *out, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 r, rc = -1;

	*found = false;
	if (sqlite3_prepare_v2(st->db, "SELECT " STORE_ACTION_COLS " FROM "
	    "action_items WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		store_action_row(s, out);
		*found = true;
	} else if (r != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading an item");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_action_list(struct store *st, const struct store_action_filter *f,
    struct store_action **out, size_t *n, char **err)
{
	struct store_action	*v = NULL;
	sqlite3_stmt		*s = NULL;
	size_t			 k = 0;
	int			 r, rc = -1;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT " STORE_ACTION_COLS " FROM "
	    "action_items WHERE (?1 IS NULL OR community = ?1) AND "
	    "(?2 IS NULL OR owner = ?2) AND (?3 IS NULL OR status = ?3) "
	    "ORDER BY due, id", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, f != NULL ? f->community : NULL, -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 2, f != NULL ? f->owner : NULL, -1, SQLITE_STATIC);
	if (f != NULL && f->status >= 0)
		sqlite3_bind_text(s, 3, f->status == STORE_ACTION_DONE ?
		    "done" : "open", -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		store_action_row(s, &v[k++]);
	}
	if (r != SQLITE_DONE)
		goto fail;
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "listing items");
out:
	store_action_list_free(v, k);
	sqlite3_finalize(s);
	return rc;
}

/* Run one UPDATE on item id with one text value, in the open transaction. */
static int
store_action_update(struct store *st, const char *sql, int64_t id,
    const char *value, time_t now)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 3, id);
	if (sqlite3_step(s) == SQLITE_DONE)
		rc = 0;
	sqlite3_finalize(s);
	return rc;
}

int
store_action_set_status(struct store *st, int64_t id,
    enum store_action_status status, const char *note, time_t now,
    const char *actor, bool *found, bool *changed, char **err)
{
	struct store_action	 a;
	const char		*to = status == STORE_ACTION_DONE ? "done" : "open";
	char			*what = NULL;
	int			 rc = -1;

	*changed = false;
	memset(&a, 0, sizeof(a));
	if (store_exec(st, "BEGIN IMMEDIATE", "changing an item", err) == -1)
		return -1;
	if (store_action_get(st, id, found, &a, err) == -1)
		goto rollback;
	if (!*found || a.status == status) {
		rc = 0;
		goto rollback;
	}
	if (store_action_update(st, "UPDATE action_items SET status = ?1, "
	    "changed = ?2 WHERE id = ?3", id, to, now) == -1)
		goto fail;
	what = note != NULL && *note != '\0' ? xasprintf("%s: %s", to, note) :
	    xstrdup(to);
	if (store_action_log(st, id, now, actor, "status",
	    a.status == STORE_ACTION_DONE ? "done" : "open", what) == -1)
		goto fail;
	if (store_exec(st, "COMMIT", "changing an item", err) == -1)
		goto rollback;
	*changed = true;
	store_action_free(&a);
	free(what);
	return 0;
fail:
	store_seterr(err, st->db, "changing an item");
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	store_action_free(&a);
	free(what);
	return rc;
}

int
store_action_edit(struct store *st, int64_t id, const struct civil_date *due,
    const char *owner, const char *title, time_t now, const char *actor,
    bool *found, char **err)
{
	struct store_action	 a;
	char			 od[CIVIL_DATE_LEN], nd[CIVIL_DATE_LEN];

	memset(&a, 0, sizeof(a));
	if (store_exec(st, "BEGIN IMMEDIATE", "editing an item", err) == -1)
		return -1;
	if (store_action_get(st, id, found, &a, err) == -1)
		goto rollback;
	if (!*found)
		goto done;
	if (due != NULL && civil_date_cmp(*due, a.due) != 0) {
		civil_date_format(a.due, od);
		civil_date_format(*due, nd);
		if (store_action_update(st, "UPDATE action_items SET due = ?1, "
		    "sequence = sequence + 1, changed = ?2 WHERE id = ?3", id,
		    nd, now) == -1 ||
		    store_action_log(st, id, now, actor, "due", od, nd) == -1)
			goto fail;
	}
	if (owner != NULL && strcmp(owner, a.owner) != 0 &&
	    (store_action_update(st, "UPDATE action_items SET owner = ?1, "
	    "changed = ?2 WHERE id = ?3", id, owner, now) == -1 ||
	    store_action_log(st, id, now, actor, "owner", a.owner,
	    owner) == -1))
		goto fail;
	if (title != NULL && strcmp(title, a.title) != 0 &&
	    (store_action_update(st, "UPDATE action_items SET title = ?1, "
	    "changed = ?2 WHERE id = ?3", id, title, now) == -1 ||
	    store_action_log(st, id, now, actor, "title", a.title,
	    title) == -1))
		goto fail;
done:
	if (store_exec(st, "COMMIT", "editing an item", err) == -1)
		goto rollback;
	store_action_free(&a);
	return 0;
fail:
	store_seterr(err, st->db, "editing an item");
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	store_action_free(&a);
	return -1;
}

int
store_action_history(struct store *st, int64_t id,
    struct store_action_change **out, size_t *n, char **err)
{
	struct store_action_change	*v = NULL;
	sqlite3_stmt			*s = NULL;
	size_t				 k = 0;
	int				 r, rc = -1;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT at, actor, field, old, new "
	    "FROM action_history WHERE item = ? ORDER BY at, id", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		v[k].at = (time_t)sqlite3_column_int64(s, 0);
		v[k].actor = store_col_text(s, 1);
		v[k].field = store_col_text(s, 2);
		v[k].old = store_col_text(s, 3);
		v[k].new = store_col_text(s, 4);
		k++;
	}
	if (r != SQLITE_DONE)
		goto fail;
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading an item's history");
out:
	store_action_history_free(v, k);
	sqlite3_finalize(s);
	return rc;
}

void
store_action_history_free(struct store_action_change *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].actor);
		free(v[i].field);
		free(v[i].old);
		free(v[i].new);
	}
	free(v);
}
