/* store_series: the series table (each community's auto slot) and its
 * epochs (UID, slot, SEQUENCE of each part of the series' history). */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

int
store_series_sync(struct store *st, const char *community, const char *uid,
    const char *fingerprint, time_t now, int *sequence, time_t *created,
    time_t *changed, char **err)
{
	sqlite3_stmt	*s = NULL;
	const char	*ouid, *ofp;
	int		 rc = -1, r, began = 0;

	/* IMMEDIATE: two processes syncing at once must not both raise the
	 * sequence for the same change. */
	if (store_exec(st, "BEGIN IMMEDIATE", "syncing a series", err) == -1)
		return -1;
	began = 1;
	if (sqlite3_prepare_v2(st->db, "SELECT uid, fingerprint, sequence, "
	    "created, changed FROM series WHERE community = ?", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		ouid = (const char *)sqlite3_column_text(s, 0);
		ofp = (const char *)sqlite3_column_text(s, 1);
		*sequence = sqlite3_column_int(s, 2);
		*created = (time_t)sqlite3_column_int64(s, 3);
		*changed = (time_t)sqlite3_column_int64(s, 4);
		if (ouid != NULL && ofp != NULL && strcmp(ouid, uid) == 0 &&
		    strcmp(ofp, fingerprint) == 0)
			goto done;
		sqlite3_finalize(s);
		s = NULL;
		(*sequence)++;
		*changed = now;
		if (sqlite3_prepare_v2(st->db, "UPDATE series SET uid = ?, "
		    "fingerprint = ?, sequence = ?, changed = ? "
		    "WHERE community = ?", -1, &s, NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_text(s, 1, uid, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, fingerprint, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, *sequence);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
		sqlite3_bind_text(s, 5, community, -1, SQLITE_STATIC);
	} else if (r == SQLITE_DONE) {
		sqlite3_finalize(s);
		s = NULL;
		*sequence = 0;
		*created = *changed = now;
		if (sqlite3_prepare_v2(st->db, "INSERT INTO series (community, "
		    "uid, fingerprint, sequence, created, changed) "
		    "VALUES (?, ?, ?, 0, ?, ?)", -1, &s, NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, uid, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, fingerprint, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)now);
	} else
		goto fail;
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
done:
	sqlite3_finalize(s);
	s = NULL;
	if (store_exec(st, "COMMIT", "syncing a series", err) == -1)
		goto out;
	began = 0;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "syncing a series");
out:
	sqlite3_finalize(s);
	if (began)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
store_series_slot(struct store *st, const char *community, bool *found,
    int *day, int *secs, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1, r;

	*found = false;
	if (sqlite3_prepare_v2(st->db, "SELECT slot_day, slot_time FROM series "
	    "WHERE community = ? AND slot_day IS NOT NULL AND slot_time IS "
	    "NOT NULL", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*found = true;
		*day = sqlite3_column_int(s, 0);
		*secs = sqlite3_column_int(s, 1);
	} else if (r != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading a series' slot");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_series_set_slot(struct store *st, const char *community, int day,
    int secs, char **err)
{
	sqlite3_stmt	*s = NULL;

	if (sqlite3_prepare_v2(st->db, "UPDATE series SET slot_day = ?, "
	    "slot_time = ? WHERE community = ?", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int(s, 1, day);
		sqlite3_bind_int(s, 2, secs);
		sqlite3_bind_text(s, 3, community, -1, SQLITE_STATIC);
	}
	return store_write(st, s, "storing a series' slot", err);
}

static char *
store_epoch_text(sqlite3_stmt *s, int col)
{
	const char	*t = (const char *)sqlite3_column_text(s, col);

	return t != NULL ? xstrdup(t) : NULL;
}

static bool
store_epoch_date(sqlite3_stmt *s, int col, struct civil_date *d)
{
	const char	*t = (const char *)sqlite3_column_text(s, col);

	return t != NULL && civil_date_parse(t, d) == 0;
}

int
store_epoch_list(struct store *st, const char *community,
    struct store_epoch **out, size_t *n, char **err)
{
	sqlite3_stmt		*s = NULL;
	struct store_epoch	*e;
	int			 rc = -1, r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT n, uid, from_date, until_date, "
	    "cadence, rrule, day, week, at, duration, tz, fingerprint, detail, "
	    "sequence, created, changed FROM series_epochs WHERE community = ? "
	    "ORDER BY n", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		e = &(*out)[(*n)++];
		memset(e, 0, sizeof(*e));
		e->n = sqlite3_column_int(s, 0);
		e->uid = store_epoch_text(s, 1);
		e->has_from = store_epoch_date(s, 2, &e->from);
		e->has_until = store_epoch_date(s, 3, &e->until);
		e->has_shape = sqlite3_column_type(s, 4) != SQLITE_NULL;
		e->cadence = sqlite3_column_int(s, 4);
		e->rrule = store_epoch_text(s, 5);
		e->day = sqlite3_column_int(s, 6);
		e->week = sqlite3_column_int(s, 7);
		e->at = sqlite3_column_int(s, 8);
		e->duration = sqlite3_column_int64(s, 9);
		e->tz = store_epoch_text(s, 10);
		e->fingerprint = store_epoch_text(s, 11);
		e->detail = store_epoch_text(s, 12);
		e->sequence = sqlite3_column_int(s, 13);
		e->created = (time_t)sqlite3_column_int64(s, 14);
		e->changed = (time_t)sqlite3_column_int64(s, 15);
		if (e->uid == NULL)
			e->uid = xstrdup("");
		if (e->fingerprint == NULL)
			e->fingerprint = xstrdup("");
		if (e->detail == NULL)
			e->detail = xstrdup("");
	}
	if (r != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading a series' epochs");
	store_epoch_list_free(*out, *n);
	*out = NULL;
	*n = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

void
store_epoch_list_free(struct store_epoch *list, size_t n)
{
	size_t	i;

	for (i = 0; list != NULL && i < n; i++) {
		free(list[i].uid);
		free(list[i].rrule);
		free(list[i].tz);
		free(list[i].fingerprint);
		free(list[i].detail);
	}
	free(list);
}

int
store_epoch_save(struct store *st, const char *community,
    const struct store_epoch *list, size_t n, char **err)
{
	sqlite3_stmt	*s = NULL;
	char		 fb[CIVIL_DATE_LEN], ub[CIVIL_DATE_LEN];
	size_t		 i;
	int		 rc = -1, began = 0;

	if (store_exec(st, "BEGIN IMMEDIATE", "storing a series' epochs",
	    err) == -1)
		return -1;
	began = 1;
	if (sqlite3_prepare_v2(st->db, "DELETE FROM series_epochs WHERE "
	    "community = ?", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO series_epochs (community, "
	    "n, uid, from_date, until_date, cadence, rrule, day, week, at, "
	    "duration, tz, fingerprint, detail, sequence, created, changed) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1,
	    &s, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		const struct store_epoch *e = &list[i];

		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, e->n);
		sqlite3_bind_text(s, 3, e->uid, -1, SQLITE_STATIC);
		if (e->has_from)
			sqlite3_bind_text(s, 4, civil_date_format(e->from, fb),
			    -1, SQLITE_STATIC);
		if (e->has_until)
			sqlite3_bind_text(s, 5, civil_date_format(e->until, ub),
			    -1, SQLITE_STATIC);
		if (e->has_shape) {
			sqlite3_bind_int(s, 6, e->cadence);
			if (e->rrule != NULL)
				sqlite3_bind_text(s, 7, e->rrule, -1,
				    SQLITE_STATIC);
			sqlite3_bind_int(s, 8, e->day);
			sqlite3_bind_int(s, 9, e->week);
			sqlite3_bind_int(s, 10, e->at);
			sqlite3_bind_int64(s, 11, e->duration);
			if (e->tz != NULL)
				sqlite3_bind_text(s, 12, e->tz, -1,
				    SQLITE_STATIC);
		}
		sqlite3_bind_text(s, 13, e->fingerprint, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 14, e->detail, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 15, e->sequence);
		sqlite3_bind_int64(s, 16, (sqlite3_int64)e->created);
		sqlite3_bind_int64(s, 17, (sqlite3_int64)e->changed);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_exec(st, "COMMIT", "storing a series' epochs", err) == -1)
		goto out;
	began = 0;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "storing a series' epochs");
out:
	sqlite3_finalize(s);
	if (began)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
