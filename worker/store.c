/* store: SQLite state — connection setup, migrations, meta, the cycle log,
 * transactions, backups and the state file's identity; the statement
 * helpers the per-table files share (store_int.h).  Tables: store_token.c,
 * store_series.c, store_outbox.c, store_action.c, store_busy.c. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"
#include "xmalloc.h"

/* The database file and the two SQLite keeps beside it in WAL mode. */
static const char *const store_suffixes[] = { "", "-wal", "-shm" };
_Static_assert(sizeof(store_suffixes) / sizeof(store_suffixes[0]) ==
    STORE_NFILES, "STORE_NFILES must match store_suffixes");

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
	/* 3 -> 4 (branch epochs): a series as a sequence of epochs, each with
	 * its own slot, UID and metadata, so a change keeps the past where it
	 * was.  The shape columns are NULL for a series published before: it
	 * takes the config's shape once, keeping its UID and SEQUENCE so that
	 * no subscriber sees an event twice.  An install id, random and made
	 * once, keeps new UIDs apart across installs behind one host. */
	"CREATE TABLE series_epochs ("
	"  community  TEXT NOT NULL,"
	"  n          INTEGER NOT NULL,"
	"  uid        TEXT NOT NULL UNIQUE,"
	"  from_date  TEXT,"
	"  until_date TEXT,"
	"  cadence    INTEGER,"
	"  rrule      TEXT,"
	"  day        INTEGER,"
	"  week       INTEGER,"
	"  at         INTEGER,"
	"  duration   INTEGER,"
	"  tz         TEXT,"
	"  fingerprint TEXT NOT NULL,"
	"  detail     TEXT NOT NULL DEFAULT '',"
	"  sequence   INTEGER NOT NULL,"
	"  created    INTEGER NOT NULL,"
	"  changed    INTEGER NOT NULL,"
	"  PRIMARY KEY (community, n)"
	");"
	"INSERT INTO series_epochs (community, n, uid, fingerprint, sequence,"
	"  created, changed) SELECT community, 0, uid, fingerprint, sequence,"
	"  created, changed FROM series;"
	"INSERT OR IGNORE INTO meta (key, value)"
	"  VALUES ('install_id', lower(hex(randomblob(4))));",
	/* 4 -> 5 (branch meeting): the meeting cycle.  Every RSVP answer
	 * kept with its time (the latest one per member counts); one-off
	 * moves and cancels by the facilitator or a move-here link, each
	 * row a change (the latest per meeting is in force, a restore
	 * undoes it); and the quorum watch's last word per meeting, so that
	 * the facilitator is told again only when it changes. */
	"CREATE TABLE rsvps ("
	"  id        INTEGER PRIMARY KEY,"
	"  community TEXT NOT NULL,"
	"  meeting   TEXT NOT NULL,"
	"  member    TEXT NOT NULL,"
	"  answer    TEXT NOT NULL CHECK (answer IN ('yes', 'no')),"
	"  at        INTEGER NOT NULL"
	");"
	"CREATE INDEX rsvps_meeting ON rsvps (community, meeting, member);"
	"CREATE TABLE meeting_changes ("
	"  id        INTEGER PRIMARY KEY,"
	"  community TEXT NOT NULL,"
	"  meeting   TEXT NOT NULL,"
	"  action    TEXT NOT NULL"
	"            CHECK (action IN ('move', 'cancel', 'restore')),"
	"  to_date   TEXT,"
	"  to_time   INTEGER,"
	"  note      TEXT,"
	"  by        TEXT NOT NULL,"
	"  at        INTEGER NOT NULL"
	");"
	"CREATE INDEX meeting_changes_meeting ON meeting_changes"
	"  (community, meeting);"
	"CREATE TABLE quorum_watch ("
	"  community TEXT NOT NULL,"
	"  meeting   TEXT NOT NULL,"
	"  outcome   TEXT NOT NULL,"
	"  told      INTEGER NOT NULL,"
	"  serial    INTEGER NOT NULL,"
	"  PRIMARY KEY (community, meeting)"
	");",
	/* 5 -> 6 (branch msgplan): which members a community's post stands
	 * for (member IDs, comma-separated), and the topic that rows of one
	 * meeting or item for one recipient share across lead times, so that
	 * after downtime only the nearest goes.  And what was last announced
	 * of each meeting (by series date), to tell every change once. */
	"ALTER TABLE outbox ADD COLUMN members TEXT;"
	"ALTER TABLE outbox ADD COLUMN topic TEXT;"
	"CREATE INDEX outbox_topic ON outbox (topic) WHERE topic IS NOT NULL;"
	"CREATE TABLE announced ("
	"  community TEXT NOT NULL,"
	"  meeting   TEXT NOT NULL,"
	"  start     INTEGER NOT NULL,"
	"  end       INTEGER NOT NULL,"
	"  cancelled INTEGER NOT NULL,"
	"  version   INTEGER NOT NULL,"
	"  PRIMARY KEY (community, meeting)"
	");",
	/* 6 -> 7 (branch destin): each destination's health, kept across
	 * restarts so that a hold is honoured and a long failure is told
	 * once. */
	"CREATE TABLE destinations ("
	"  name          TEXT PRIMARY KEY,"
	"  hold_until    INTEGER NOT NULL DEFAULT 0,"
	"  failures      INTEGER NOT NULL DEFAULT 0,"
	"  failing_since INTEGER NOT NULL DEFAULT 0,"
	"  alerted       INTEGER NOT NULL DEFAULT 0,"
	"  error         TEXT"
	");",
	/* 7 -> 8 (branch busypool): each busy source's intervals as last
	 * expanded for one zone, with the hash and length of the bytes and
	 * the range they cover, so that a restart does not expand again a
	 * calendar that has not changed; or, instead of intervals, the
	 * jail's reason for refusing those bytes. */
	"CREATE TABLE busy_expanded ("
	"  source     TEXT NOT NULL,"
	"  zone       TEXT NOT NULL,"
	"  hash       INTEGER NOT NULL,"
	"  len        INTEGER NOT NULL,"
	"  range_from INTEGER NOT NULL,"
	"  range_to   INTEGER NOT NULL,"
	"  intervals  BLOB,"
	"  error      TEXT,"
	"  PRIMARY KEY (source, zone)"
	");",
	/* 8 -> 9 (branch report): the meeting an action item came from
	 * (its series date), who came to each meeting (recorded when and by
	 * whom), and an e-mail's HTML alternative (the monthly report). */
	"ALTER TABLE action_items ADD COLUMN meeting TEXT;"
	"CREATE TABLE attendance ("
	"  community TEXT NOT NULL,"
	"  meeting   TEXT NOT NULL,"
	"  member    TEXT NOT NULL,"
	"  present   INTEGER NOT NULL CHECK (present IN (0, 1)),"
	"  at        INTEGER NOT NULL,"
	"  actor     TEXT NOT NULL,"
	"  PRIMARY KEY (community, meeting, member)"
	");"
	"ALTER TABLE outbox ADD COLUMN html TEXT;",
	/* 9 -> 10 (branch delivperf): expired pending rows found without
	 * reading every pending row, which each batch's claim did (the
	 * whole horizon's rows, ten times for 1,000 due). */
	"CREATE INDEX IF NOT EXISTS outbox_expires ON outbox (status, expires);",
	/* 10 -> 11 (branch restart): per auto community, a hash of everything
	 * its last ranking read (place.c), with the slot that ranking left in
	 * force, so that a restart (or a cycle) with nothing changed does not
	 * rank it again. */
	"CREATE TABLE place_keys ("
	"  community TEXT PRIMARY KEY,"
	"  key       INTEGER NOT NULL"
	");",
};
#define NMIGRATIONS	(sizeof(migrations) / sizeof(migrations[0]))

_Static_assert(NMIGRATIONS == STORE_SCHEMA_VERSION,
    "STORE_SCHEMA_VERSION must match the migrations");

void
store_seterr(char **err, sqlite3 *db, const char *what)
{
	if (err != NULL)
		*err = xasprintf("%s: %s", what,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

int
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
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
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

void
store_set_busy_timeout(struct store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
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

/* A one-row, one-integer query. */
int
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

/* ------------------------------------------------------- transactions */

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

/* ----------------------------------------------------- shared helpers */

/*
 * Step a prepared write (s may be NULL: preparing it failed) to its end and
 * finalize it: 0, or -1 with *err naming what.
 */
int
store_write(struct store *st, sqlite3_stmt *s, const char *what, char **err)
{
	int	rc = s != NULL && sqlite3_step(s) == SQLITE_DONE ? 0 : -1;

	if (rc == -1)
		store_seterr(err, st->db, what);
	sqlite3_finalize(s);
	return rc;
}

char *
store_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}
