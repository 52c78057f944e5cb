/* Unit tests of the store: open, migrations, meta, the cycle log, action
 * items and their history. */
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
#include "tmpdb.h"

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

static const struct civil_date D1201 = { 2026, 12, 1 };
static const struct civil_date D1125 = { 2026, 11, 25 };
static const struct civil_date D1203 = { 2026, 12, 3 };

static int64_t
add_item(struct store *st, const char *community, const char *owner,
    const char *title, struct civil_date due, time_t now)
{
	int64_t	 id = 0;
	char	*err = NULL;

	assert_int_equal(store_action_add(st, community, owner, title, NULL,
	    due, now, "alice", &id, &err), 0);
	assert_null(err);
	return id;
}

static void
test_action_add_get(void **state)
{
	struct store		*st = NULL;
	struct store_action	 a;
	char			*p = tmp_db(), *err = NULL;
	int64_t			 id;
	bool			 found;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	assert_int_equal(store_action_add(st, "math7", "bob", "Draft", "Notes",
	    D1201, 1000, "alice", &id, &err), 0);
	assert_int_equal(id, 1);
	assert_int_equal(store_action_get(st, 1, &found, &a, &err), 0);
	assert_true(found);
	assert_string_equal(a.community, "math7");
	assert_string_equal(a.owner, "bob");
	assert_string_equal(a.title, "Draft");
	assert_string_equal(a.notes, "Notes");
	assert_int_equal(civil_date_cmp(a.due, D1201), 0);
	assert_int_equal(a.status, STORE_ACTION_OPEN);
	assert_int_equal(a.sequence, 0);
	assert_int_equal(a.created, 1000);
	assert_int_equal(a.changed, 1000);
	store_action_free(&a);
	assert_int_equal(store_action_get(st, 2, &found, &a, &err), 0);
	assert_false(found);
	/* An empty title breaks the table's CHECK: refused, nothing kept. */
	assert_int_equal(store_action_add(st, "math7", "bob", "", NULL, D1201,
	    1000, "alice", &id, &err), -1);
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_int_equal(store_action_get(st, 2, &found, &a, &err), 0);
	assert_false(found);
	store_close(st);
	rm_db(p);
}

/* The numbers of the items that pass f, in the store's order: "2,1,3". */
static void
assert_listed(struct store *st, const struct store_action_filter *f,
    const char *want)
{
	struct store_action	*v = NULL;
	char			*err = NULL, got[64] = "";
	size_t			 n, i;

	assert_int_equal(store_action_list(st, f, &v, &n, &err), 0);
	assert_true(n > 0 || v == NULL);
	for (i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%lld",
		    i > 0 ? "," : "", (long long)v[i].id);
	assert_string_equal(got, want);
	store_action_list_free(v, n);
}

static void
test_action_list(void **state)
{
	struct store_action_filter	 f = { NULL, NULL, -1 };
	struct store			*st = NULL;
	char				*p = tmp_db(), *err = NULL;
	bool				 found, changed;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	add_item(st, "math7", "bob", "a", D1201, 1000);
	add_item(st, "math7", "erin", "b", D1125, 1000);
	add_item(st, "sci", "bob", "c", D1201, 1000);
	add_item(st, "sci", "zed", "d", D1203, 1000);
	assert_int_equal(store_action_set_status(st, 4, STORE_ACTION_DONE,
	    NULL, 1100, "alice", &found, &changed, &err), 0);

	/* Oldest due first, then by number. */
	assert_listed(st, &f, "2,1,3,4");
	f.owner = "bob";
	assert_listed(st, &f, "1,3");
	f.owner = NULL;
	f.community = "sci";
	f.status = STORE_ACTION_OPEN;
	assert_listed(st, &f, "3");
	f.status = STORE_ACTION_DONE;
	assert_listed(st, &f, "4");
	f.community = "geo";
	assert_listed(st, &f, "");
	store_close(st);
	rm_db(p);
}

static void
assert_change(const struct store_action_change *c, time_t at,
    const char *actor, const char *field, const char *old, const char *new)
{
	assert_int_equal(c->at, at);
	assert_string_equal(c->actor, actor);
	assert_string_equal(c->field, field);
	if (old == NULL)
		assert_null(c->old);
	else
		assert_string_equal(c->old, old);
	if (new == NULL)
		assert_null(c->new);
	else
		assert_string_equal(c->new, new);
}

static void
test_action_status_history(void **state)
{
	struct store_action_change	*h = NULL;
	struct store_action		 a;
	struct store			*st = NULL;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;
	bool				 found, changed;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	add_item(st, "math7", "bob", "Draft", D1201, 1000);
	assert_int_equal(store_action_set_status(st, 1, STORE_ACTION_DONE,
	    "shared", 1100, "bob", &found, &changed, &err), 0);
	assert_true(found);
	assert_true(changed);
	/* Done again: no change, no history row. */
	assert_int_equal(store_action_set_status(st, 1, STORE_ACTION_DONE,
	    NULL, 1200, "bob", &found, &changed, &err), 0);
	assert_true(found);
	assert_false(changed);
	assert_int_equal(store_action_set_status(st, 1, STORE_ACTION_OPEN,
	    NULL, 1300, "link", &found, &changed, &err), 0);
	assert_true(changed);
	assert_int_equal(store_action_set_status(st, 9, STORE_ACTION_DONE,
	    NULL, 1300, "bob", &found, &changed, &err), 0);
	assert_false(found);
	assert_false(changed);

	assert_int_equal(store_action_get(st, 1, &found, &a, &err), 0);
	assert_int_equal(a.status, STORE_ACTION_OPEN);
	assert_int_equal(a.changed, 1300);
	assert_int_equal(a.sequence, 0);
	store_action_free(&a);

	assert_int_equal(store_action_history(st, 1, &h, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_change(&h[0], 1000, "alice", "created", NULL, "Draft");
	assert_change(&h[1], 1100, "bob", "status", "open", "done: shared");
	assert_change(&h[2], 1300, "link", "status", "done", "open");
	store_action_history_free(h, n);
	store_close(st);
	rm_db(p);
}

static void
test_action_edit(void **state)
{
	struct store_action_change	*h = NULL;
	struct store_action		 a;
	struct store			*st = NULL;
	char				*p = tmp_db(), *err = NULL;
	size_t				 n;
	bool				 found;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	add_item(st, "math7", "bob", "Draft", D1201, 1000);
	/* Owner and title: one row each, the sequence stays. */
	assert_int_equal(store_action_edit(st, 1, NULL, "erin", "Redraft",
	    1100, "alice", &found, &err), 0);
	assert_true(found);
	assert_int_equal(store_action_get(st, 1, &found, &a, &err), 0);
	assert_string_equal(a.owner, "erin");
	assert_string_equal(a.title, "Redraft");
	assert_int_equal(a.sequence, 0);
	assert_int_equal(a.changed, 1100);
	store_action_free(&a);
	/* A new due date raises the sequence. */
	assert_int_equal(store_action_edit(st, 1, &D1203, NULL, NULL, 1200,
	    "alice", &found, &err), 0);
	assert_int_equal(store_action_get(st, 1, &found, &a, &err), 0);
	assert_int_equal(civil_date_cmp(a.due, D1203), 0);
	assert_int_equal(a.sequence, 1);
	store_action_free(&a);
	/* The same values again: nothing written, not even changed. */
	assert_int_equal(store_action_edit(st, 1, &D1203, "erin", "Redraft",
	    1300, "alice", &found, &err), 0);
	assert_int_equal(store_action_get(st, 1, &found, &a, &err), 0);
	assert_int_equal(a.sequence, 1);
	assert_int_equal(a.changed, 1200);
	store_action_free(&a);
	assert_int_equal(store_action_edit(st, 7, &D1203, NULL, NULL, 1300,
	    "alice", &found, &err), 0);
	assert_false(found);

	assert_int_equal(store_action_history(st, 1, &h, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_change(&h[1], 1100, "alice", "owner", "bob", "erin");
	assert_change(&h[2], 1100, "alice", "title", "Draft", "Redraft");
	assert_change(&h[3], 1200, "alice", "due", "2026-12-01",
	    "2026-12-03");
	store_action_history_free(h, n);
	assert_int_equal(store_action_history(st, 7, &h, &n, &err), 0);
	assert_int_equal(n, 0);
	store_close(st);
	rm_db(p);
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
		cmocka_unit_test(test_action_add_get),
		cmocka_unit_test(test_action_list),
		cmocka_unit_test(test_action_status_history),
		cmocka_unit_test(test_action_edit),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
