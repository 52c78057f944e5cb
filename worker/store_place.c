/* store_place: the place_keys table — what each auto community was last
 * ranked from (place.c). */
#include <stdlib.h>

#include "store_int.h"

int
store_place_key(struct store *st, const char *community, bool *found,
    uint64_t *key, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1, r;

	*found = false;
	*key = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT key FROM place_keys WHERE "
	    "community = ?", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*found = true;
		*key = (uint64_t)sqlite3_column_int64(s, 0);
	} else if (r != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading a community's ranking key");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_place_set_key(struct store *st, const char *community, uint64_t key,
    char **err)
{
	sqlite3_stmt	*s = NULL;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO place_keys (community, "
	    "key) VALUES (?1, ?2) ON CONFLICT (community) DO UPDATE SET "
	    "key = ?2", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)key);
	}
	return store_write(st, s, "storing a community's ranking key", err);
}
