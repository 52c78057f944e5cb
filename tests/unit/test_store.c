/* Unit tests of the store: open, migrations, meta, the cycle log. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static char *
tmp_db(void)
{
	char	 tmpl[] = "/tmp/plc-store-XXXXXX";
	char	*dir = mkdtemp(tmpl);
	char	*p;

	assert_non_null(dir);
	p = malloc(strlen(dir) + 16);
	sprintf(p, "%s/state.db", dir);
	return p;
}

static void
rm_db(char *p)
{
	char	buf[512];

	snprintf(buf, sizeof(buf), "rm -rf \"$(dirname '%s')\"", p);
	assert_int_equal(system(buf), 0);
	free(p);
}

static void
test_open_migrates(void **state)
{
	struct store	*st = NULL;
	char		*p = tmp_db(), *err = NULL;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	assert_null(err);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	/* Reopening an up-to-date database changes nothing. */
	assert_int_equal(store_open(p, &st, &err), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	rm_db(p);
}

static void
test_refuses_newer_schema(void **state)
{
	struct store	*st = NULL;
	sqlite3		*db;
	char		*p = tmp_db(), *err = NULL;

	(void)state;
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(p, &st, &err), -1);
	assert_null(st);
	assert_non_null(err);
	assert_non_null(strstr(err, "schema version 99"));
	free(err);
	rm_db(p);
}

static void
test_pragmas(void **state)
{
	struct store	*st = NULL;
	sqlite3		*db;
	sqlite3_stmt	*s;
	char		*p = tmp_db(), *err = NULL;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	store_close(st);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	/* The tables later capabilities need are there. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "sqlite_master WHERE type = 'table' AND name IN ('meta', 'tokens',"
	    " 'series', 'action_items', 'action_history', 'outbox', 'cycles')",
	    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 7);
	sqlite3_finalize(s);
	sqlite3_close(db);
	rm_db(p);
}

static void
test_meta(void **state)
{
	struct store	*st = NULL;
	char		*p = tmp_db(), *err = NULL, *v = NULL;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	assert_int_equal(store_meta_get(st, "secret", &v, &err), 0);
	assert_null(v);
	assert_int_equal(store_meta_set(st, "secret", "abc", &err), 0);
	assert_int_equal(store_meta_set(st, "secret", "def", &err), 0);
	assert_int_equal(store_meta_get(st, "secret", &v, &err), 0);
	assert_string_equal(v, "def");
	free(v);
	store_close(st);
	rm_db(p);
}

static void
test_cycles(void **state)
{
	struct store	*st = NULL;
	char		*p = tmp_db(), *err = NULL;
	int64_t		 id1, id2;
	bool		 found, ok;
	time_t		 fin;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	assert_int_equal(store_cycle_last(st, &found, &fin, &ok, &err), 0);
	assert_false(found);
	assert_int_equal(store_cycle_begin(st, 1000, &id1, &err), 0);
	assert_int_equal(store_cycle_end(st, id1, 1005, true, NULL, &err), 0);
	assert_int_equal(store_cycle_begin(st, 2000, &id2, &err), 0);
	assert_true(id2 > id1);
	/* An unfinished cycle is not the last finished one. */
	assert_int_equal(store_cycle_last(st, &found, &fin, &ok, &err), 0);
	assert_true(found);
	assert_int_equal(fin, 1005);
	assert_true(ok);
	assert_int_equal(store_cycle_end(st, id2, 2009, false, "smtp down",
	    &err), 0);
	assert_int_equal(store_cycle_last(st, &found, &fin, &ok, &err), 0);
	assert_int_equal(fin, 2009);
	assert_false(ok);
	store_close(st);
	rm_db(p);
}

static void
test_open_error(void **state)
{
	struct store	*st = NULL;
	char		*err = NULL;

	(void)state;
	assert_int_equal(store_open("/nonexistent-dir/x/state.db", &st, &err),
	    -1);
	assert_null(st);
	assert_non_null(strstr(err, "/nonexistent-dir/x/state.db"));
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_migrates),
		cmocka_unit_test(test_refuses_newer_schema),
		cmocka_unit_test(test_pragmas),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_open_error),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
