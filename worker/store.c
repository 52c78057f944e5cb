/* store: SQLite state — connection setup, migrations, small tables. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "xmalloc.h"

/* What one of the database's files was when it was opened. */
struct store_fid {
	bool	 known;
	dev_t	 dev;
	ino_t	 ino;
};

/* The database file and the two SQLite keeps beside it in WAL mode. */
static const char *const store_suffixes[] = { "", "-wal", "-shm" };
#define STORE_NFILES	(sizeof(store_suffixes) / sizeof(store_suffixes[0]))

struct store {
	sqlite3	*db;
	/* For store_same_file: the path opened and what it named then. */
	char		*path;
	struct store_fid fids[STORE_NFILES];
};

/*
 * Migrations, applied in order; migrations[i] takes user_version i to i + 1.
 * Never edit one that has shipped: add the next.
 */
static const char *const migrations[] = {
	/* 0 -> 1: the tables the worker's capabilities stand on. */
	"CREATE TABLE meta ("
	"  key   TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	");"
	/* Feed tokens: 128 random bits, hex; one live token per owner. */
	"CREATE TABLE tokens ("
	"  token   TEXT PRIMARY KEY,"
	"  kind    TEXT NOT NULL CHECK (kind IN ('member', 'community')),"
	"  owner   TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  revoked INTEGER"
	");"
	"CREATE UNIQUE INDEX tokens_live ON tokens (kind, owner)"
	"  WHERE revoked IS NULL;"
	/* Per meeting series: stable UID, SEQUENCE, and what it was built
	 * from, so a change of time, day, rule… raises SEQUENCE once. */
	"CREATE TABLE series ("
	"  community   TEXT PRIMARY KEY,"
	"  uid         TEXT NOT NULL UNIQUE,"
	"  fingerprint TEXT NOT NULL,"
	"  sequence    INTEGER NOT NULL DEFAULT 0,"
	"  slot_day    INTEGER,"
	"  slot_time   INTEGER,"
	"  created     INTEGER NOT NULL,"
	"  changed     INTEGER NOT NULL"
	");"
	"CREATE TABLE action_items ("
	"  id        INTEGER PRIMARY KEY,"
	"  community TEXT NOT NULL,"
	"  owner     TEXT NOT NULL,"
	"  title     TEXT NOT NULL CHECK (length(title) > 0),"
	"  notes     TEXT,"
	"  due       TEXT NOT NULL,"
	"  status    TEXT NOT NULL DEFAULT 'open'"
	"            CHECK (status IN ('open', 'done')),"
	"  sequence  INTEGER NOT NULL DEFAULT 0,"
	"  created   INTEGER NOT NULL,"
	"  changed   INTEGER NOT NULL"
	");"
	"CREATE INDEX action_items_due ON action_items (status, due);"
	"CREATE TABLE action_history ("
	"  id    INTEGER PRIMARY KEY,"
	"  item  INTEGER NOT NULL REFERENCES action_items (id)"
	"        ON DELETE CASCADE,"
	"  at    INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  field TEXT NOT NULL,"
	"  old   TEXT,"
	"  new   TEXT"
	");"
	"CREATE INDEX action_history_item ON action_history (item, at);"
	/* The outbox: every message that should exist, keyed for dedup. */
	"CREATE TABLE outbox ("
	"  id          INTEGER PRIMARY KEY,"
	"  dedup       TEXT NOT NULL UNIQUE,"
	"  kind        TEXT NOT NULL,"
	"  channel     TEXT NOT NULL,"
	"  recipient   TEXT NOT NULL,"
	"  subject     TEXT,"
	"  body        TEXT NOT NULL,"
	"  due         INTEGER NOT NULL,"
	"  expires     INTEGER,"
	"  status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN"
	"              ('pending', 'sending', 'sent', 'failed', 'skipped',"
	"               'withdrawn')),"
	"  attempts    INTEGER NOT NULL DEFAULT 0,"
	"  next_try    INTEGER NOT NULL,"
	"  claimed     INTEGER,"
	"  sent_at     INTEGER,"
	"  last_answer TEXT,"
	"  created     INTEGER NOT NULL,"
	"  changed     INTEGER NOT NULL"
	");"
	"CREATE INDEX outbox_next ON outbox (status, next_try);"
	"CREATE TABLE cycles ("
	"  id       INTEGER PRIMARY KEY,"
	"  started  INTEGER NOT NULL,"
	"  finished INTEGER,"
	"  ok       INTEGER,"
	"  message  TEXT"
	");",
	/* 1 -> 2: busy calendars' last good copies, by source (a path or
	 * URL as configured; never a file name), and how the last try went. */
	"CREATE TABLE busy_sources ("
	"  source        TEXT PRIMARY KEY,"
	"  body          BLOB,"
	"  etag          TEXT,"
	"  last_modified TEXT,"
	"  fetched       INTEGER,"
	"  checked       INTEGER NOT NULL,"
	"  error         TEXT"
	");",
	/* 2 -> 3: what a message is about, as columns, so that nothing reads
	 * it back out of the dedup key.  Rows planned before are given them
	 * from their keys, once, here: "kind:COMMUNITY:…", a meeting's
	 * "meet:C:DATE:…" or "cancel:C:DATE:…", and a key that ends
	 * ":member:RECIPIENT:CHANNEL" or ":community:RECIPIENT:CHANNEL". */
	"ALTER TABLE outbox ADD COLUMN audience TEXT;"
	"ALTER TABLE outbox ADD COLUMN member TEXT;"
	"ALTER TABLE outbox ADD COLUMN community TEXT;"
	"ALTER TABLE outbox ADD COLUMN meeting TEXT;"
	"UPDATE outbox SET audience = CASE"
	"  WHEN substr(dedup, -length(':member:' || recipient || ':' ||"
	"   channel)) = ':member:' || recipient || ':' || channel"
	"   THEN 'member'"
	"  WHEN substr(dedup, -length(':community:' || recipient || ':' ||"
	"   channel)) = ':community:' || recipient || ':' || channel"
	"   THEN 'community' END;"
	"UPDATE outbox SET member = recipient WHERE audience = 'member';"
	"UPDATE outbox SET community = substr(dedup, instr(dedup, ':') + 1,"
	"  instr(substr(dedup, instr(dedup, ':') + 1), ':') - 1)"
	"  WHERE instr(substr(dedup, instr(dedup, ':') + 1), ':') > 0;"
	"UPDATE outbox SET meeting = substr(dedup, instr(dedup, ':') +"
	"  length(community) + 2, 10) WHERE community IS NOT NULL AND"
	"  (substr(dedup, 1, 5) = 'meet:' OR substr(dedup, 1, 7) = 'cancel:');",
};
#define NMIGRATIONS	(sizeof(migrations) / sizeof(migrations[0]))

_Static_assert(NMIGRATIONS == STORE_SCHEMA_VERSION,
    "STORE_SCHEMA_VERSION must match the migrations");

static void
store_seterr(char **err, sqlite3 *db, const char *what)
{
	if (err != NULL)
		*err = xasprintf("%s: %s", what,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

static int
store_exec(struct store *st, const char *sql, const char *what, char **err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		store_seterr(err, st->db, what);
		return -1;
	}
	return 0;
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt	*s = NULL;
	int		 v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Each step runs in its own transaction with its user_version bump, so a
 * crash mid-migration leaves the database at the previous version. */
static int
store_migrate(struct store *st, char **err)
{
	char	*sql = NULL;
	int	 v, rc = -1;

	v = store_schema_version(st);
	if (v < 0) {
		store_seterr(err, st->db, "reading the schema version");
		goto out;
	}
	if ((size_t)v > NMIGRATIONS) {
		if (err != NULL)
			*err = xasprintf("the database has schema version %d; "
			    "this plc-cadence knows up to %d (downgrade?)", v,
			    STORE_SCHEMA_VERSION);
		goto out;
	}
	for (; (size_t)v < NMIGRATIONS; v++) {
		free(sql);
		sql = xasprintf("BEGIN IMMEDIATE; %s PRAGMA user_version = %d;"
		    " COMMIT;", migrations[v], v + 1);
		if (store_exec(st, sql, "migrating the schema", err) == -1) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
	}
	rc = 0;
out:
	free(sql);
	return rc;
}

/*
 * Is the database just opened (without SQLITE_OPEN_CREATE) one at all?
 * 0 when it has no schema (an empty file reads as an empty database),
 * 1 when it has, -1 on error.  Only reads.
 */
static int
store_has_schema(struct store *st, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, "SELECT (SELECT count(*) FROM "
	    "sqlite_master) + (SELECT user_version FROM pragma_user_version)",
	    -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		store_seterr(err, st->db, st->path);
		goto out;
	}
	rc = sqlite3_column_int64(s, 0) != 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/*
 * Note what the database's files are now.  The main file's identity is
 * confirmed by SQLite (SQLITE_FCNTL_HAS_MOVED compares the path with the
 * file it has open), so a swap during the open is caught here and not
 * mistaken for the file.  -wal and -shm are noted when they exist (they
 * do in WAL mode once the first read has run, and stay while this
 * connection is open).
 */
static int
store_note_files(struct store *st, char **err)
{
	struct stat	 sb;
	char		*name;
	size_t		 i;
	int		 moved = 0;

	for (i = 0; i < STORE_NFILES; i++) {
		name = xasprintf("%s%s", st->path, store_suffixes[i]);
		if (stat(name, &sb) == 0) {
			st->fids[i].known = true;
			st->fids[i].dev = sb.st_dev;
			st->fids[i].ino = sb.st_ino;
		}
		free(name);
	}
	if (!st->fids[0].known || sqlite3_file_control(st->db, "main",
	    SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK || moved) {
		if (err != NULL)
			*err = xasprintf("%s: the file changed while it was "
			    "being opened", st->path);
		return -1;
	}
	return 0;
}

/* store_open and store_open_existing: 0, 1 (none, when !create) or -1. */
static int
store_open_mode(const char *path, bool create, struct store **out, char **err)
{
	struct store	*st = xcalloc(1, sizeof(*st));
	int		 rc = -1, flags, r;

	*out = NULL;
	st->path = xstrdup(path);
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		if (!create && access(path, F_OK) == -1 && errno == ENOENT) {
			rc = 1;
			goto out;
		}
		if (err != NULL)
			*err = xasprintf("%s: %s", path, st->db != NULL ?
			    sqlite3_errmsg(st->db) : "cannot open");
		goto out;
	}
	/* Writers on the other thread wait for each other instead of failing. */
	sqlite3_busy_timeout(st->db, 5000);
	/* Before anything writes: the pragmas below would turn an empty
	 * file into a database. */
	if (!create && (r = store_has_schema(st, err)) != 1) {
		rc = r == 0 ? 1 : -1;
		goto out;
	}
	if (store_exec(st, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
	    path, err) == -1)
		goto out;
	if (store_migrate(st, err) == -1)
		goto out;
	if (store_note_files(st, err) == -1)
		goto out;
	*out = st;
	st = NULL;
	rc = 0;
out:
	store_close(st);
	return rc;
}

int
store_open(const char *path, struct store **out, char **err)
{
	return store_open_mode(path, true, out, err);
}

int
store_open_existing(const char *path, struct store **out, char **err)
{
	return store_open_mode(path, false, out, err);
}

int
store_same_file(struct store *st, char **why)
{
	struct stat	 sb;
	char		*name = NULL;
	size_t		 i;
	int		 moved = 0, rc = -1;

	for (i = 0; i < STORE_NFILES; i++) {
		if (!st->fids[i].known)
			continue;
		free(name);
		name = xasprintf("%s%s", st->path, store_suffixes[i]);
		if (stat(name, &sb) == -1) {
			if (errno != ENOENT && errno != ENOTDIR) {
				*why = xasprintf("%s: %s", name,
				    strerror(errno));
				goto out;
			}
			*why = xasprintf("%s was deleted", name);
			rc = 1;
			goto out;
		}
		if (sb.st_dev != st->fids[i].dev ||
		    sb.st_ino != st->fids[i].ino) {
			*why = xasprintf("%s was replaced by another file",
			    name);
			rc = 1;
			goto out;
		}
	}
	/* SQLite's own view of the main file, in case it reopened it. */
	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_HAS_MOVED,
	    &moved) == SQLITE_OK && moved) {
		*why = xasprintf("%s was replaced by another file", st->path);
		rc = 1;
		goto out;
	}
	rc = 0;
out:
	free(name);
	return rc;
}

int
store_fence(struct store *st, char **err)
{
	int	on = 1;

	/* Persistent WAL: the last close checkpoints into the file it has
	 * open and truncates nothing by name. */
	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL,
	    &on) != SQLITE_OK) {
		store_seterr(err, st->db, "keeping the lost database's WAL");
		return -1;
	}
	if (sqlite3_get_autocommit(st->db) == 0)
		return 0;
	return store_exec(st, "BEGIN IMMEDIATE", "holding the lost database",
	    err);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int
store_meta_get(struct store *st, const char *key, char **value, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1, r;

	*value = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?",
	    -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		*value = xstrdup((const char *)sqlite3_column_text(s, 0));
	else if (r != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading meta");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_meta_set(struct store *st, const char *key, const char *value,
    char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO meta (key, value) "
	    "VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	    -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "writing meta");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_cycle_begin(struct store *st, time_t started, int64_t *id, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO cycles (started) "
	    "VALUES (?)", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)started);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	*id = sqlite3_last_insert_rowid(st->db);
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "logging the cycle");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_cycle_end(struct store *st, int64_t id, time_t finished, bool ok,
    const char *message, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, "UPDATE cycles SET finished = ?, "
	    "ok = ?, message = ? WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)finished);
	sqlite3_bind_int(s, 2, ok);
	sqlite3_bind_text(s, 3, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	/* Keep the log bounded: a year of 1-minute cycles is plenty. */
	if (store_exec(st, "DELETE FROM cycles WHERE id <= "
	    "(SELECT max(id) FROM cycles) - 500000", "pruning cycles",
	    err) == -1)
		goto out;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "logging the cycle");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_cycle_last(struct store *st, bool *found, time_t *finished, bool *ok,
    char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1, r;

	*found = false;
	if (sqlite3_prepare_v2(st->db, "SELECT finished, ok FROM cycles "
	    "WHERE finished IS NOT NULL ORDER BY id DESC LIMIT 1", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*found = true;
		*finished = (time_t)sqlite3_column_int64(s, 0);
		*ok = sqlite3_column_int(s, 1) != 0;
	} else if (r != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "reading the cycle log");
out:
	sqlite3_finalize(s);
	return rc;
}

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
	size_t		 got = 0, i;
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
	for (i = 0; i < sizeof(raw); i++) {
		token[2 * i] = "0123456789abcdef"[raw[i] >> 4];
		token[2 * i + 1] = "0123456789abcdef"[raw[i] & 0xf];
	}
	token[STORE_TOKEN_LEN] = '\0';
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
	if (t == NULL || strlen(t) != STORE_TOKEN_LEN ||
	    strspn(t, "0123456789abcdef") != STORE_TOKEN_LEN) {
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
		    strlen(token) != STORE_TOKEN_LEN ||
		    strspn(token, "0123456789abcdef") != STORE_TOKEN_LEN)
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

/* A one-row, one-integer query. */
static int
store_int64_query(struct store *st, const char *sql, const char *what,
    int64_t *v, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		store_seterr(err, st->db, what);
		goto out;
	}
	*v = sqlite3_column_int64(s, 0);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_data_version(struct store *st, int64_t *version, char **err)
{
	return store_int64_query(st, "PRAGMA data_version",
	    "reading the data version", version, err);
}

int
store_outbox_depth(struct store *st, int64_t *depth, char **err)
{
	return store_int64_query(st, "SELECT count(*) FROM outbox "
	    "WHERE status = 'pending'", "counting the outbox", depth, err);
}

/* ------------------------------------------------------------- backup */

/* fsync path (a file, or a directory after a link in it). */
static int
store_fsync_path(const char *path, int flags, char **err)
{
	int	fd, rc = -1;

	if ((fd = open(path, flags | O_RDONLY | O_CLOEXEC)) == -1) {
		if (err != NULL)
			*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fsync(fd) == -1) {
		if (err != NULL)
			*err = xasprintf("%s: fsync: %s", path,
			    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Copy st's database into the empty file tmp with SQLite's online backup.
 * One step of -1 pages copies everything under one read transaction: in WAL
 * mode that is a consistent snapshot that never blocks the worker's writes. */
static int
store_backup_copy(struct store *st, const char *tmp, char **err)
{
	sqlite3		*dst = NULL;
	sqlite3_backup	*b = NULL;
	int		 r, tries, rc = -1;

	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		store_seterr(err, dst, tmp);
		goto out;
	}
	if ((b = sqlite3_backup_init(dst, "main", st->db, "main")) == NULL) {
		store_seterr(err, dst, "starting the backup");
		goto out;
	}
	/* A writer mid-checkpoint can hold the source briefly. */
	for (tries = 0; (r = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    r == SQLITE_LOCKED; tries++) {
		if (tries == 100)
			break;
		sqlite3_sleep(100);
	}
	if (r != SQLITE_DONE) {
		if (err != NULL)
			*err = xasprintf("copying the database: %s",
			    sqlite3_errstr(r));
		goto out;
	}
	if (sqlite3_backup_finish(b) != SQLITE_OK) {
		b = NULL;
		store_seterr(err, dst, "finishing the backup");
		goto out;
	}
	b = NULL;
	rc = 0;
out:
	if (b != NULL)
		sqlite3_backup_finish(b);
	if (sqlite3_close(dst) != SQLITE_OK && rc == 0) {
		store_seterr(err, dst, tmp);
		rc = -1;
	}
	return rc;
}

int
store_backup(struct store *st, const char *path, char **err)
{
	struct stat	 sb;
	char		*tmp = NULL, *dir = NULL;
	int		 fd, made = 0, rc = -1;

	if (lstat(path, &sb) == 0) {
		if (err != NULL)
			*err = xasprintf("%s already exists; a backup never "
			    "overwrites a file", path);
		rc = STORE_BACKUP_CANTCREAT;
		goto out;
	}
	tmp = xasprintf("%s.tmp", path);
	/* O_EXCL: a leftover or concurrent FILE.tmp is not ours to reuse. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		if (err != NULL)
			*err = xasprintf("%s: %s", tmp, strerror(errno));
		rc = STORE_BACKUP_CANTCREAT;
		goto out;
	}
	close(fd);
	made = 1;
	if (store_backup_copy(st, tmp, err) == -1 ||
	    store_fsync_path(tmp, 0, err) == -1)
		goto out;
	/* link(), unlike rename(), fails when path appeared meanwhile: the
	 * copy is published only where nothing was. */
	if (link(tmp, path) == -1) {
		if (err != NULL)
			*err = errno == EEXIST ? xasprintf("%s already exists; "
			    "a backup never overwrites a file", path) :
			    xasprintf("%s: %s", path, strerror(errno));
		if (errno == EEXIST)
			rc = STORE_BACKUP_CANTCREAT;
		goto out;
	}
	dir = xstrdup(path);
	if (store_fsync_path(dirname(dir), O_DIRECTORY, err) == -1)
		goto out;
	rc = 0;
out:
	if (made)
		unlink(tmp);
	free(tmp);
	free(dir);
	return rc;
}

/*
 * ---- outbox ----------------------------------------------------------
 */

static const char *const store_outbox_statuses[] = { "pending", "sending",
	"sent", "failed", "skipped", "withdrawn" };

const char *
store_outbox_status_name(enum store_outbox_status s)
{
	if ((size_t)s >= sizeof(store_outbox_statuses) /
	    sizeof(store_outbox_statuses[0]))
		return "?";
	return store_outbox_statuses[s];
}

static enum store_outbox_status
store_outbox_status_parse(const char *s)
{
	size_t	i;

	for (i = 0; s != NULL && i < sizeof(store_outbox_statuses) /
	    sizeof(store_outbox_statuses[0]); i++)
		if (strcmp(s, store_outbox_statuses[i]) == 0)
			return (enum store_outbox_status)i;
	/* The CHECK constraint allows nothing else. */
	return STORE_OUTBOX_FAILED;
}

/* 1 when the key is known, 0 when not, -1 on error. */
static int
store_outbox_known(sqlite3_stmt *s, const char *dedup)
{
	int	r;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, dedup, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

/* The due time a known row takes: ?7 new, ?9 now. */
#define STORE_OUTBOX_NEWDUE \
	"(CASE WHEN outbox.status = 'pending' AND outbox.due <= ?9" \
	" AND excluded.due <= ?9 THEN outbox.due ELSE excluded.due END)"

static int
store_outbox_upsert(struct store *st, sqlite3_stmt *known_s, sqlite3_stmt *s,
    const struct store_outbox_new *r, time_t now,
    struct store_outbox_counts *c)
{
	int		 known;

	if ((known = store_outbox_known(known_s, r->dedup)) == -1)
		return -1;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, r->dedup, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)r->due);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)r->expires);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)now);
	sqlite3_bind_text(s, 10, r->audience, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, r->member, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, r->community, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, r->meeting, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		c->unchanged++;
	else if (known)
		c->updated++;
	else
		c->inserted++;
	return 0;
}

/* Prepared once per planning pass: tens of thousands of rows use them. */
static int
store_outbox_plan_prepare(struct store *st, sqlite3_stmt **known,
    sqlite3_stmt **upsert)
{
	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM outbox WHERE dedup = ?",
	    -1, known, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO outbox (dedup, kind, "
	    "channel, recipient, subject, body, due, expires, next_try, "
	    "created, changed, audience, member, community, meeting) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?9, ?9, ?10, ?11, ?12, ?13) "
	    "ON CONFLICT (dedup) DO UPDATE SET kind = excluded.kind, "
	    "channel = excluded.channel, recipient = excluded.recipient, "
	    "subject = excluded.subject, body = excluded.body, "
	    "expires = excluded.expires, due = " STORE_OUTBOX_NEWDUE ", "
	    /* Facts of the key, which is the same: they change with it. */
	    "audience = excluded.audience, member = excluded.member, "
	    "community = excluded.community, meeting = excluded.meeting, "
	    /* A row waiting out a backoff keeps waiting. */
	    "next_try = CASE WHEN outbox.status = 'pending' AND "
	    "outbox.attempts > 0 THEN max(outbox.next_try, "
	    STORE_OUTBOX_NEWDUE ") ELSE " STORE_OUTBOX_NEWDUE " END, "
	    "last_answer = CASE WHEN outbox.status = 'withdrawn' THEN NULL "
	    "ELSE outbox.last_answer END, status = 'pending', changed = ?9 "
	    "WHERE outbox.status = 'withdrawn' OR (outbox.status = 'pending' "
	    "AND (outbox.kind IS NOT excluded.kind OR outbox.channel IS NOT "
	    "excluded.channel OR outbox.recipient IS NOT excluded.recipient "
	    "OR outbox.subject IS NOT excluded.subject OR outbox.body IS NOT "
	    "excluded.body OR outbox.expires IS NOT excluded.expires OR "
	    "outbox.due IS NOT " STORE_OUTBOX_NEWDUE "))", -1, upsert,
	    NULL) != SQLITE_OK)
		return -1;
	return 0;
}

/* The plan's keys go into a temporary table so that one statement per
 * prefix can find the rows the plan no longer names. */
static int
store_outbox_withdraw(struct store *st, const struct store_outbox_new *rows,
    size_t n, const struct store_outbox_scope *scope, time_t now,
    struct store_outbox_counts *c)
{
	sqlite3_stmt	*s = NULL;
	size_t		 i;
	int		 rc = -1;

	if (sqlite3_exec(st->db, "CREATE TEMP TABLE IF NOT EXISTS "
	    "outbox_planned (dedup TEXT PRIMARY KEY);"
	    "DELETE FROM temp.outbox_planned", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO "
	    "temp.outbox_planned (dedup) VALUES (?)", -1, &s,
	    NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(s, 1, rows[i].dedup, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto out;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, "UPDATE outbox SET status = "
	    "'withdrawn', last_answer = ?1, changed = ?2 WHERE status = "
	    "'pending' AND expires >= ?3 AND expires < ?4 AND "
	    "substr(dedup, 1, length(?5)) = ?5 AND dedup NOT IN "
	    "(SELECT dedup FROM temp.outbox_planned)", -1, &s,
	    NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < scope->nprefixes; i++) {
		sqlite3_bind_text(s, 1, scope->reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)scope->from);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)scope->to);
		sqlite3_bind_text(s, 5, scope->prefixes[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto out;
		c->withdrawn += sqlite3_changes(st->db);
		sqlite3_reset(s);
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_outbox_plan(struct store *st, const struct store_outbox_new *rows,
    size_t n, const struct store_outbox_scope *scope, time_t now,
    struct store_outbox_counts *counts, char **err)
{
	struct store_outbox_counts	 c = { 0, 0, 0, 0 };
	sqlite3_stmt			*known = NULL, *upsert = NULL;
	size_t				 i;

	if (store_exec(st, "BEGIN IMMEDIATE", "planning the outbox",
	    err) == -1)
		return -1;
	if (store_outbox_plan_prepare(st, &known, &upsert) == -1)
		goto fail;
	for (i = 0; i < n; i++)
		if (store_outbox_upsert(st, known, upsert, &rows[i], now,
		    &c) == -1)
			goto fail;
	sqlite3_finalize(known);
	sqlite3_finalize(upsert);
	known = upsert = NULL;
	if (scope != NULL &&
	    store_outbox_withdraw(st, rows, n, scope, now, &c) == -1)
		goto fail;
	if (store_exec(st, "COMMIT", "planning the outbox", err) == -1)
		goto rollback;
	if (counts != NULL)
		*counts = c;
	return 0;
fail:
	store_seterr(err, st->db, "planning the outbox");
rollback:
	sqlite3_finalize(known);
	sqlite3_finalize(upsert);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

void
store_outbox_rows_free(struct store_outbox_row *rows, size_t n)
{
	size_t	i;

	for (i = 0; rows != NULL && i < n; i++) {
		free(rows[i].dedup);
		free(rows[i].kind);
		free(rows[i].channel);
		free(rows[i].recipient);
		free(rows[i].subject);
		free(rows[i].body);
		free(rows[i].last_answer);
		free(rows[i].audience);
		free(rows[i].member);
		free(rows[i].community);
		free(rows[i].meeting);
	}
	free(rows);
}

#define STORE_OUTBOX_COLUMNS "id, dedup, kind, channel, recipient, subject, " \
	"body, last_answer, status, attempts, due, expires, next_try, " \
	"claimed, sent_at, created, changed, audience, member, community, " \
	"meeting"

static char *
store_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

/* Appends the rows a SELECT of STORE_OUTBOX_COLUMNS gives. */
static int
store_outbox_fetch(sqlite3_stmt *s, struct store_outbox_row **rows,
    size_t *n)
{
	struct store_outbox_row	*r;
	int			 st;

	while ((st = sqlite3_step(s)) == SQLITE_ROW) {
		*rows = xreallocarray(*rows, *n + 1, sizeof(**rows));
		r = &(*rows)[(*n)++];
		r->id = sqlite3_column_int64(s, 0);
		r->dedup = store_col_text(s, 1);
		r->kind = store_col_text(s, 2);
		r->channel = store_col_text(s, 3);
		r->recipient = store_col_text(s, 4);
		r->subject = store_col_text(s, 5);
		r->body = store_col_text(s, 6);
		r->last_answer = store_col_text(s, 7);
		r->status = store_outbox_status_parse(
		    (const char *)sqlite3_column_text(s, 8));
		r->attempts = sqlite3_column_int(s, 9);
		r->due = (time_t)sqlite3_column_int64(s, 10);
		r->expires = (time_t)sqlite3_column_int64(s, 11);
		r->next_try = (time_t)sqlite3_column_int64(s, 12);
		r->claimed = (time_t)sqlite3_column_int64(s, 13);
		r->sent_at = (time_t)sqlite3_column_int64(s, 14);
		r->created = (time_t)sqlite3_column_int64(s, 15);
		r->changed = (time_t)sqlite3_column_int64(s, 16);
		r->audience = store_col_text(s, 17);
		r->member = store_col_text(s, 18);
		r->community = store_col_text(s, 19);
		r->meeting = store_col_text(s, 20);
	}
	return st == SQLITE_DONE ? 0 : -1;
}

/* Selects rows by sql (?1 = now, ?2 = limit), then moves them to status
 * with `set`, appending them, updated, to *rows. */
static int
store_outbox_take(struct store *st, const char *sql, const char *set,
    time_t now, size_t limit, struct store_outbox_row **rows, size_t *n)
{
	sqlite3_stmt	*s = NULL;
	size_t		 first = *n, i;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	if (store_outbox_fetch(s, rows, n) == -1)
		goto out;
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, set, -1, &s, NULL) != SQLITE_OK)
		goto out;
	for (i = first; i < *n; i++) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
		sqlite3_bind_int64(s, 2, (*rows)[i].id);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto out;
		sqlite3_reset(s);
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_outbox_claim(struct store *st, time_t now, size_t limit,
    struct store_outbox_row **out, size_t *n, char **err)
{
	struct store_outbox_row	*rows = NULL;
	size_t			 len = 0, i, skipped;

	*out = NULL;
	*n = 0;
	if (store_exec(st, "BEGIN IMMEDIATE", "claiming outbox rows",
	    err) == -1)
		return -1;
	/* Expired first, whatever their next_try: a reminder in backoff
	 * whose meeting has started is as worthless as a due one. */
	if (store_outbox_take(st, "SELECT " STORE_OUTBOX_COLUMNS " FROM outbox "
	    "WHERE status = 'pending' AND expires IS NOT NULL AND "
	    "expires < ?1 ORDER BY next_try, id", "UPDATE outbox SET status = "
	    "'skipped', last_answer = 'expired', changed = ?1 WHERE id = ?2",
	    now, 0, &rows, &len) == -1)
		goto fail;
	skipped = len;
	if (limit > 0 && store_outbox_take(st, "SELECT " STORE_OUTBOX_COLUMNS
	    " FROM outbox WHERE status = 'pending' AND next_try <= ?1 "
	    "ORDER BY next_try, id LIMIT ?2", "UPDATE outbox SET status = "
	    "'sending', claimed = ?1, changed = ?1 WHERE id = ?2", now, limit,
	    &rows, &len) == -1)
		goto fail;
	if (store_exec(st, "COMMIT", "claiming outbox rows", err) == -1)
		goto rollback;
	for (i = 0; i < len; i++) {
		rows[i].changed = now;
		if (i < skipped) {
			rows[i].status = STORE_OUTBOX_SKIPPED;
			free(rows[i].last_answer);
			rows[i].last_answer = xstrdup("expired");
		} else {
			rows[i].status = STORE_OUTBOX_SENDING;
			rows[i].claimed = now;
		}
	}
	*out = rows;
	*n = len;
	return 0;
fail:
	store_seterr(err, st->db, "claiming outbox rows");
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	store_outbox_rows_free(rows, len);
	return -1;
}

int
store_outbox_withdraw_others(struct store *st, const char *const *keep,
    size_t n, time_t now, long *withdrawn, char **err)
{
	sqlite3_stmt	*s = NULL;
	size_t		 i;

	if (withdrawn != NULL)
		*withdrawn = 0;
	if (store_exec(st, "BEGIN IMMEDIATE; CREATE TEMP TABLE IF NOT EXISTS "
	    "outbox_keep (id TEXT PRIMARY KEY); DELETE FROM temp.outbox_keep",
	    "withdrawing rows of removed communities", err) == -1)
		return -1;
	if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO temp.outbox_keep "
	    "(id) VALUES (?)", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(s, 1, keep[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, "UPDATE outbox SET status = "
	    "'withdrawn', last_answer = 'its community is no longer in the "
	    "config', changed = ?1 WHERE status = 'pending' AND community "
	    "IS NOT NULL AND community NOT IN (SELECT id FROM "
	    "temp.outbox_keep)", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	if (withdrawn != NULL)
		*withdrawn = sqlite3_changes(st->db);
	sqlite3_finalize(s);
	s = NULL;
	if (store_exec(st, "COMMIT", "withdrawing rows of removed communities",
	    err) == -1)
		goto rollback;
	return 0;
fail:
	store_seterr(err, st->db, "withdrawing rows of removed communities");
rollback:
	sqlite3_finalize(s);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_tx_begin(struct store *st, char **err)
{
	return store_exec(st, "BEGIN IMMEDIATE", "starting a transaction", err);
}

int
store_tx_commit(struct store *st, char **err)
{
	return store_exec(st, "COMMIT", "committing a transaction", err);
}

void
store_tx_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Moves a row in status `from` with sql (?1 now, ?2 id, ?3 answer,
 * ?4 next_try); an error when the row is not in that state. */
static int
store_outbox_move(struct store *st, const char *sql, int64_t id, time_t now,
    const char *answer, time_t next_try, const char *what, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_text(s, 3, answer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)next_try);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		if (err != NULL)
			*err = xasprintf("%s: outbox row %lld is not being "
			    "sent", what, (long long)id);
		goto out;
	}
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, what);
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_outbox_mark_sent(struct store *st, int64_t id, time_t now,
    const char *answer, char **err)
{
	return store_outbox_move(st, "UPDATE outbox SET status = 'sent', "
	    "sent_at = ?1, changed = ?1, last_answer = ?3, attempts = "
	    "attempts + 1 WHERE id = ?2 AND status = 'sending'", id, now,
	    answer, 0, "marking a message sent", err);
}

int
store_outbox_mark_failed(struct store *st, int64_t id, time_t now,
    const char *answer, char **err)
{
	return store_outbox_move(st, "UPDATE outbox SET status = 'failed', "
	    "changed = ?1, last_answer = ?3, attempts = attempts + 1 "
	    "WHERE id = ?2 AND status = 'sending'", id, now, answer, 0,
	    "marking a message failed", err);
}

int
store_outbox_release(struct store *st, int64_t id, time_t now,
    time_t next_try, char **err)
{
	return store_outbox_move(st, "UPDATE outbox SET status = 'pending', "
	    "changed = ?1, next_try = ?4, claimed = NULL "
	    "WHERE id = ?2 AND status = 'sending'", id, now, NULL,
	    (int64_t)next_try, "putting a message back", err);
}

int
store_outbox_mark_retry(struct store *st, int64_t id, time_t now,
    const char *answer, long retry_after, double jitter, char **err)
{
	int64_t	attempts;
	long	backoff;
	char	*sql;
	int	 rc;

	if (retry_after < 0) {
		/* A missing row reads 0; store_outbox_move says why. */
		sql = xasprintf("SELECT coalesce((SELECT attempts FROM outbox "
		    "WHERE id = %lld), 0)", (long long)id);
		rc = store_int64_query(st, sql, "reading a row's attempts",
		    &attempts, err);
		free(sql);
		if (rc == -1)
			return -1;
		backoff = STORE_OUTBOX_BACKOFF_BASE;
		while (attempts-- > 0 && backoff < STORE_OUTBOX_BACKOFF_CAP)
			backoff *= 2;
		if (backoff > STORE_OUTBOX_BACKOFF_CAP)
			backoff = STORE_OUTBOX_BACKOFF_CAP;
		if (!(jitter >= 0))	/* NaN too */
			jitter = 0;
		if (jitter > 1)
			jitter = 1;
		retry_after = (long)((double)backoff * (0.5 + jitter / 2));
	}
	return store_outbox_move(st, "UPDATE outbox SET status = 'pending', "
	    "changed = ?1, last_answer = ?3, attempts = attempts + 1, "
	    "next_try = ?4, claimed = NULL WHERE id = ?2 AND "
	    "status = 'sending'", id, now, answer, now + (time_t)retry_after,
	    "scheduling a retry", err);
}

int
store_outbox_recover(struct store *st, time_t now, long *n, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, "UPDATE outbox SET status = 'pending', "
	    "claimed = NULL, changed = ? WHERE status = 'sending'", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	if (n != NULL)
		*n = sqlite3_changes(st->db);
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "recovering the outbox");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_outbox_list(struct store *st, enum store_outbox_filter filter,
    struct store_outbox_row **out, size_t *n, char **err)
{
	sqlite3_stmt	*s = NULL;
	const char	*where;
	char		*sql;
	int		 rc = -1;

	*out = NULL;
	*n = 0;
	where = filter == STORE_OUTBOX_LIST_PENDING ?
	    "WHERE status IN ('pending', 'sending') ORDER BY next_try, id" :
	    filter == STORE_OUTBOX_LIST_FAILED ?
	    "WHERE status = 'failed' ORDER BY id" : "ORDER BY id";
	sql = xasprintf("SELECT %s FROM outbox %s", STORE_OUTBOX_COLUMNS,
	    where);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK ||
	    store_outbox_fetch(s, out, n) == -1) {
		store_seterr(err, st->db, "listing the outbox");
		store_outbox_rows_free(*out, *n);
		*out = NULL;
		*n = 0;
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	free(sql);
	return rc;
}

int
store_outbox_retry(struct store *st, int64_t id, time_t now, bool *found,
    char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	*found = false;
	if (sqlite3_prepare_v2(st->db, "UPDATE outbox SET status = 'pending', "
	    "attempts = 0, next_try = ?1, claimed = NULL, changed = ?1 "
	    "WHERE id = ?2 AND status = 'failed'", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 2, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	*found = sqlite3_changes(st->db) > 0;
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "retrying an outbox row");
out:
	sqlite3_finalize(s);
	return rc;
}

int
store_outbox_tally(struct store *st, struct store_outbox_tally **out,
    size_t *n, char **err)
{
	struct store_outbox_tally	*v = NULL;
	sqlite3_stmt			*s = NULL;
	size_t				 k = 0;
	int				 r, rc = -1;

	*out = NULL;
	*n = 0;
	/* Late: sent more than a minute after it was due (the worker was
	 * down, or the server kept refusing). */
	if (sqlite3_prepare_v2(st->db, "SELECT channel, status, count(*), "
	    "sum(attempts > 1), sum(status = 'sent' AND sent_at > due + 60) "
	    "FROM outbox GROUP BY channel, status ORDER BY channel, status",
	    -1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		v[k].channel = xstrdup((const char *)sqlite3_column_text(s, 0));
		v[k].status = xstrdup((const char *)sqlite3_column_text(s, 1));
		v[k].count = sqlite3_column_int64(s, 2);
		v[k].retried = sqlite3_column_int64(s, 3);
		v[k].late = sqlite3_column_int64(s, 4);
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
	store_seterr(err, st->db, "tallying the outbox");
out:
	store_outbox_tally_free(v, k);
	sqlite3_finalize(s);
	return rc;
}

void
store_outbox_tally_free(struct store_outbox_tally *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].channel);
		free(v[i].status);
	}
	free(v);
}

int
store_outbox_next(struct store *st, bool *found, time_t *when, char **err)
{
	sqlite3_stmt	*s = NULL;
	int		 r, rc = -1;

	*found = false;
	if (sqlite3_prepare_v2(st->db, "SELECT min(next_try) FROM outbox "
	    "WHERE status = 'pending'", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	if ((r = sqlite3_step(s)) != SQLITE_ROW)
		goto fail;
	if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*found = true;
		*when = (time_t)sqlite3_column_int64(s, 0);
	}
	rc = 0;
	goto out;
fail:
	store_seterr(err, st->db, "finding the next message");
out:
	sqlite3_finalize(s);
	return rc;
}

/*
 * ---- action items ------------------------------------------------------
 */

/* The last column is when the item was last opened: its last reopening
 * (a status change from done), else its creation. */
#define STORE_ACTION_COLS	"id, community, owner, title, notes, due, " \
				"status, sequence, created, changed, " \
				"max(created, coalesce((SELECT max(h.at) " \
				"FROM action_history h WHERE h.item = " \
				"action_items.id AND h.field = 'status' AND " \
				"h.old = 'done'), created))"

static char *
store_col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

static void
store_action_row(sqlite3_stmt *s, struct store_action *a)
{
	const char	*due = (const char *)sqlite3_column_text(s, 5);

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->community = store_col_dup(s, 1);
	a->owner = store_col_dup(s, 2);
	a->title = store_col_dup(s, 3);
	a->notes = store_col_dup(s, 4);
	if (due == NULL || civil_date_parse(due, &a->due) == -1)
		a->due = (struct civil_date){ 1970, 1, 1 };
	a->status = strcmp((const char *)sqlite3_column_text(s, 6), "done") ==
	    0 ? STORE_ACTION_DONE : STORE_ACTION_OPEN;
	a->sequence = sqlite3_column_int(s, 7);
	a->created = (time_t)sqlite3_column_int64(s, 8);
	a->changed = (time_t)sqlite3_column_int64(s, 9);
	a->opened = (time_t)sqlite3_column_int64(s, 10);
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
	sqlite3_stmt	*s = NULL;
	char		 d[CIVIL_DATE_LEN];

	civil_date_format(due, d);
	if (store_exec(st, "BEGIN IMMEDIATE", "adding an item", err) == -1)
		return -1;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO action_items (community, "
	    "owner, title, notes, due, created, changed) VALUES (?, ?, ?, ?, "
	    "?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, community, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, notes, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, d, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)now);
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
		v[k].actor = store_col_dup(s, 1);
		v[k].field = store_col_dup(s, 2);
		v[k].old = store_col_dup(s, 3);
		v[k].new = store_col_dup(s, 4);
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

/* ------------------------------------------------------------- slots */

/*
 * Step a prepared write (s may be NULL: preparing it failed) to its end and
 * finalize it: 0, or -1 with *err naming what.
 */
static int
store_write(struct store *st, sqlite3_stmt *s, const char *what, char **err)
{
	int	rc = s != NULL && sqlite3_step(s) == SQLITE_DONE ? 0 : -1;

	if (rc == -1)
		store_seterr(err, st->db, what);
	sqlite3_finalize(s);
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

/* ------------------------------------------------------- busy sources */

static char *
store_column_dup(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

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

	b->source = store_column_dup(s, 0);
	if (with_body && (blob = sqlite3_column_blob(s, 1)) != NULL) {
		n = sqlite3_column_bytes(s, 1);
		b->body = xmalloc((size_t)n + 1);
		memcpy(b->body, blob, (size_t)n);
		b->body[n] = '\0';
		b->len = (size_t)n;
	}
	b->has_copy = sqlite3_column_type(s, 1) != SQLITE_NULL;
	b->etag = store_column_dup(s, 2);
	b->last_modified = store_column_dup(s, 3);
	b->fetched = (time_t)sqlite3_column_int64(s, 4);
	b->checked = (time_t)sqlite3_column_int64(s, 5);
	b->error = store_column_dup(s, 6);
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
