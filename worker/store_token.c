/* store_token: the tokens table — one live feed token per member and community. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hex.h"
#include "store_int.h"
#include "xmalloc.h"

const char *
store_token_kind_name(enum store_token_kind kind)
{
	return kind == STORE_TOKEN_MEMBER ? "member" : "community";
}

/* 128 bits from the kernel's CSPRNG, as lowercase hex. */
static int
store_token_generate(char token[STORE_TOKEN_LEN + 1], char **err)
{
	unsigned char	 raw[STORE_TOKEN_LEN / 2];
	size_t		 got = 0;
	ssize_t		 r;

	while (got < sizeof(raw)) {
		r = getrandom(raw + got, sizeof(raw) - got, 0);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			if (err != NULL)
				*err = xasprintf("getrandom: %s",
				    strerror(errno));
			return -1;
		}
		got += (size_t)r;
	}
	hex_encode(raw, sizeof(raw), token);
	return 0;
}

/* The live token of (kind, owner): 1 found, 0 none, -1 error. */
static int
store_token_find(struct store *st, enum store_token_kind kind,
    const char *owner, char token[STORE_TOKEN_LEN + 1], char **err)
{
	sqlite3_stmt	*s = NULL;
	const char	*t;
	int		 rc = -1, r;

	if (sqlite3_prepare_v2(st->db, "SELECT token FROM tokens WHERE "
	    "kind = ? AND owner = ? AND revoked IS NULL", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, store_token_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_DONE) {
		rc = 0;
		goto out;
	}
	if (r != SQLITE_ROW)
		goto fail;
	t = (const char *)sqlite3_column_text(s, 0);
	/* Only this module writes the table, but a hand-edited row must not
	 * become a URL or a file name. */
	if (t == NULL || !token_valid(t, strlen(t))) {
		if (err != NULL)
			*err = xasprintf("the token of %s %s in the database "
			    "is malformed", store_token_kind_name(kind), owner);
		goto out;
	}
	memcpy(token, t, STORE_TOKEN_LEN + 1);
	rc = 1;
	goto out;
fail:
	store_seterr(err, st->db, "reading tokens");
out:
	sqlite3_finalize(s);
	return rc;
}

static int
store_token_insert(struct store *st, enum store_token_kind kind,
    const char *owner, time_t now, const char *token, bool or_ignore,
    char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, or_ignore ?
	    "INSERT OR IGNORE INTO tokens (token, kind, owner, created) "
	    "VALUES (?, ?, ?, ?)" :
	    "INSERT INTO tokens (token, kind, owner, created) "
	    "VALUES (?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, token, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, store_token_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "writing a token");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_token_get_or_create(struct store *st, enum store_token_kind kind,
    const char *owner, time_t now, char token[STORE_TOKEN_LEN + 1],
    char **err)
{
	char	fresh[STORE_TOKEN_LEN + 1];
	int	r;

	/* The common case reads only, so an idle cycle writes nothing. */
	if ((r = store_token_find(st, kind, owner, token, err)) != 0)
		return r == 1 ? 0 : -1;
	if (store_token_generate(fresh, err) == -1)
		return -1;
	/* OR IGNORE: when another process created one meanwhile, the unique
	 * index on live tokens keeps theirs, and we read it back below. */
	if (store_token_insert(st, kind, owner, now, fresh, true, err) == -1)
		return -1;
	if ((r = store_token_find(st, kind, owner, token, err)) == 0 &&
	    err != NULL)
		*err = xasprintf("the token of %s %s vanished while it was "
		    "created", store_token_kind_name(kind), owner);
	return r == 1 ? 0 : -1;
}

int
store_token_rotate(struct store *st, enum store_token_kind kind,
    const char *owner, time_t now, char token[STORE_TOKEN_LEN + 1],
    char **err)
{
	sqlite3_stmt	*s = NULL;
	char		 fresh[STORE_TOKEN_LEN + 1];
	int		 rc = -1;

	if (store_token_generate(fresh, err) == -1)
		return -1;
	if (store_exec(st, "BEGIN IMMEDIATE", "rotating a token", err) == -1)
		return -1;
	if (sqlite3_prepare_v2(st->db, "UPDATE tokens SET revoked = ? "
	    "WHERE kind = ? AND owner = ? AND revoked IS NULL", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	sqlite3_bind_text(s, 2, store_token_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, owner, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	if (store_token_insert(st, kind, owner, now, fresh, false, err) == -1)
		goto rollback;
	if (store_exec(st, "COMMIT", "rotating a token", err) == -1)
		goto rollback;
	memcpy(token, fresh, sizeof(fresh));
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "rotating a token");
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_token_list(struct store *st, struct store_token **out, size_t *n,
    char **err)
{
	sqlite3_stmt		*s = NULL;
	struct store_token	*list = NULL, *t;
	const char		*kind, *owner, *token;
	size_t			 len = 0;
	int			 rc = -1, r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT kind, owner, token, created "
	    "FROM tokens WHERE revoked IS NULL ORDER BY kind DESC, owner",
	    -1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		kind = (const char *)sqlite3_column_text(s, 0);
		owner = (const char *)sqlite3_column_text(s, 1);
		token = (const char *)sqlite3_column_text(s, 2);
		/* Skip what could not have come from this module. */
		if (kind == NULL || owner == NULL || token == NULL ||
		    !token_valid(token, strlen(token)))
			continue;
		list = xreallocarray(list, len + 1, sizeof(*list));
		t = &list[len++];
		t->kind = strcmp(kind, "member") == 0 ? STORE_TOKEN_MEMBER :
		    STORE_TOKEN_COMMUNITY;
		t->owner = xstrdup(owner);
		memcpy(t->token, token, STORE_TOKEN_LEN + 1);
		t->created = (time_t)sqlite3_column_int64(s, 3);
	}
	if (r != SQLITE_DONE)
		goto fail;
	*out = list;
	*n = len;
	list = NULL;
	len = 0;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "listing tokens");
out:
	store_token_list_free(list, len);
	sqlite3_finalize(s);
	return rc;
}

void
store_token_list_free(struct store_token *list, size_t n)
{
	size_t	i;

	for (i = 0; list != NULL && i < n; i++)
		free(list[i].owner);
	free(list);
}
