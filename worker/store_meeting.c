/* store_meeting: the rsvps, meeting_changes and quorum_watch tables. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

int
store_rsvp_add(struct store *st, const char *community, const char *meeting,
    const char *member, enum store_rsvp_answer answer, time_t now, char **err)
{
	sqlite3_stmt	*s = NULL;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO rsvps (community, "
	    "meeting, member, answer, at) VALUES (?, ?, ?, ?, ?)", -1, &s,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, meeting, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, member, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, answer == STORE_RSVP_YES ? "yes" : "no",
		    -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)now);
	}
	return store_write(st, s, "recording an RSVP", err);
}

void
store_rsvp_list_free(struct store_rsvp *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].member);
	free(v);
}

int
store_rsvp_list(struct store *st, const char *community, const char *meeting,
    struct store_rsvp **out, size_t *n, char **err)
{
	sqlite3_stmt		*s = NULL;
	struct store_rsvp	*v = NULL;
	size_t			 k = 0;
	int			 r, rc = -1;
	const char		*a;

	*out = NULL;
	*n = 0;
	/* The latest row per member: the greatest id, since ids only grow. */
	if (sqlite3_prepare_v2(st->db, "SELECT r.member, r.answer, r.at, "
	    "(SELECT count(*) FROM rsvps c WHERE c.community = r.community "
	    "AND c.meeting = r.meeting AND c.member = r.member) FROM rsvps r "
	    "WHERE r.community = ?1 AND r.meeting = ?2 AND r.id = (SELECT "
	    "max(id) FROM rsvps l WHERE l.community = r.community AND "
	    "l.meeting = r.meeting AND l.member = r.member) ORDER BY r.member",
	    -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, meeting, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		memset(&v[k], 0, sizeof(v[k]));
		v[k].member = store_col_text(s, 0);
		a = (const char *)sqlite3_column_text(s, 1);
		v[k].answer = a != NULL && strcmp(a, "yes") == 0 ?
		    STORE_RSVP_YES : STORE_RSVP_NO;
		v[k].at = (time_t)sqlite3_column_int64(s, 2);
		v[k].count = (long)sqlite3_column_int64(s, 3);
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
	store_seterr(err, st->db, "reading RSVPs");
out:
	store_rsvp_list_free(v, k);
	sqlite3_finalize(s);
	return rc;
}

static const char *const store_meeting_actions[] = {
	[STORE_MEETING_MOVE] = "move",
	[STORE_MEETING_CANCEL] = "cancel",
	[STORE_MEETING_RESTORE] = "restore",
};

int
store_meeting_change_add(struct store *st,
    const struct store_meeting_change *c, char **err)
{
	sqlite3_stmt	*s = NULL;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO meeting_changes "
	    "(community, meeting, action, to_date, to_time, note, by, at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, c->community, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, c->meeting, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, store_meeting_actions[c->action], -1,
		    SQLITE_STATIC);
		if (c->action == STORE_MEETING_MOVE) {
			sqlite3_bind_text(s, 4, c->to_date, -1, SQLITE_STATIC);
			if (c->to_time >= 0)
				sqlite3_bind_int(s, 5, c->to_time);
		}
		if (c->note != NULL)
			sqlite3_bind_text(s, 6, c->note, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, c->by, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 8, (sqlite3_int64)c->at);
	}
	return store_write(st, s, "recording a meeting change", err);
}

void
store_meeting_changes_free(struct store_meeting_change *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].community);
		free(v[i].meeting);
		free(v[i].to_date);
		free(v[i].note);
		free(v[i].by);
	}
	free(v);
}

int
store_meeting_changes(struct store *st, const char *community,
    struct store_meeting_change **out, size_t *n, char **err)
{
	sqlite3_stmt			*s = NULL;
	struct store_meeting_change	*v = NULL, *c;
	size_t				 k = 0;
	int				 r, rc = -1;
	const char			*a;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT community, meeting, action, "
	    "to_date, to_time, note, by, at FROM meeting_changes m WHERE "
	    "(?1 IS NULL OR community = ?1) AND action <> 'restore' AND "
	    "id = (SELECT max(id) FROM meeting_changes l WHERE "
	    "l.community = m.community AND l.meeting = m.meeting) "
	    "ORDER BY meeting, community", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	if (community != NULL)
		sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		c = &v[k++];
		memset(c, 0, sizeof(*c));
		c->community = store_col_text(s, 0);
		c->meeting = store_col_text(s, 1);
		a = (const char *)sqlite3_column_text(s, 2);
		c->action = a != NULL && strcmp(a, "move") == 0 ?
		    STORE_MEETING_MOVE : STORE_MEETING_CANCEL;
		c->to_date = store_col_text(s, 3);
		c->to_time = sqlite3_column_type(s, 4) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(s, 4);
		c->note = store_col_text(s, 5);
		c->by = store_col_text(s, 6);
		c->at = (time_t)sqlite3_column_int64(s, 7);
	}
	if (r != SQLITE_DONE)
		goto fail;
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading meeting changes");
out:
	store_meeting_changes_free(v, k);
	sqlite3_finalize(s);
	return rc;
}

int
store_quorum_get(struct store *st, const char *community, const char *meeting,
    bool *found, char **outcome, long *serial, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 r, rc = -1;

	*found = false;
	*outcome = NULL;
	*serial = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT outcome, serial FROM "
	    "quorum_watch WHERE community = ? AND meeting = ?", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, meeting, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*found = true;
		*outcome = store_col_text(s, 0);
		*serial = (long)sqlite3_column_int64(s, 1);
	} else if (r != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading the quorum watch");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_quorum_set(struct store *st, const char *community, const char *meeting,
    const char *outcome, long serial, time_t now, char **err)
{
	sqlite3_stmt	*s = NULL;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO quorum_watch (community, "
	    "meeting, outcome, told, serial) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (community, meeting) DO UPDATE SET outcome = ?3, "
	    "told = ?4, serial = ?5", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, meeting, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, outcome, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)serial);
	}
	return store_write(st, s, "recording the quorum watch", err);
}
