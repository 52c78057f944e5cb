/* store_series: the series table — each community's UID, SEQUENCE and slot. */
#include <string.h>

#include "store_int.h"

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
