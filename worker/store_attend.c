/* store_attend: the attendance table (who came to a meeting). */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

int
store_attend_set(struct store *st, const char *community,
    struct civil_date meeting, const char *const *members,
    const bool *present, size_t n, time_t now, const char *actor,
    char **err)
{
	sqlite3_stmt	*s = NULL;
	char		 d[CIVIL_DATE_LEN];
	size_t		 i;

	civil_date_format(meeting, d);
	if (store_exec(st, "BEGIN IMMEDIATE", "recording attendance",
	    err) == -1)
		return -1;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO attendance (community, "
	    "meeting, member, present, at, actor) VALUES (?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT (community, meeting, member) DO UPDATE SET "
	    "present = excluded.present, at = excluded.at, "
	    "actor = excluded.actor", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, d, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, members[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, present[i] ? 1 : 0);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)now);
		sqlite3_bind_text(s, 6, actor, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_exec(st, "COMMIT", "recording attendance", err) == -1)
		goto rollback;
	return 0;
fail:
	store_seterr(err, st->db, "recording attendance");
rollback:
	sqlite3_finalize(s);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_attend_list(struct store *st, const char *community,
    const struct civil_date *meeting, struct store_attend **out, size_t *n,
    char **err)
{
	struct store_attend	*v = NULL;
	sqlite3_stmt		*s = NULL;
	const char		*md;
	char			 d[CIVIL_DATE_LEN];
	size_t			 k = 0;
	int			 r, rc = -1;

	*out = NULL;
	*n = 0;
	if (meeting != NULL)
		civil_date_format(*meeting, d);
	if (sqlite3_prepare_v2(st->db, "SELECT member, meeting, present, at, "
	    "actor FROM attendance WHERE community = ?1 AND (?2 IS NULL OR "
	    "meeting = ?2) ORDER BY meeting, member", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, meeting != NULL ? d : NULL, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		memset(&v[k], 0, sizeof(v[k]));
		v[k].member = store_col_text(s, 0);
		md = (const char *)sqlite3_column_text(s, 1);
		if (md == NULL || civil_date_parse(md, &v[k].meeting) == -1)
			v[k].meeting = (struct civil_date){ 1970, 1, 1 };
		v[k].present = sqlite3_column_int(s, 2) != 0;
		v[k].at = (time_t)sqlite3_column_int64(s, 3);
		v[k].actor = store_col_text(s, 4);
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
	store_seterr(err, st->db, "listing attendance");
out:
	store_attend_free(v, k);
	sqlite3_finalize(s);
	return rc;
}

void
store_attend_free(struct store_attend *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].member);
		free(v[i].actor);
	}
	free(v);
}
