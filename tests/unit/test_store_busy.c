/* Unit tests of the store's busy-source copies and series slots. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "tmpdb.h"

struct fx {
	char		*path;
	struct store	*st;
};

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));
	char		*err = NULL;

	f->path = tmp_db();
	assert_int_equal(store_open(f->path, &f->st, &err), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	store_close(f->st);
	rm_db(f->path);
	free(f);
	return 0;
}

static void
test_busy_copy_and_errors(void **state)
{
	struct fx		*f = *state;
	struct store_busy	 b, *list = NULL;
	char			*err = NULL;
	size_t			 n = 0;
	bool			 found = true;
	static const char	 body[] = "BEGIN:VCALENDAR\r\n\0x";

	assert_int_equal(store_busy_get(f->st, "https://h/x", &found, &b,
	    &err), 0);
	assert_false(found);
	/* A good copy, binary-safe, with its validators. */
	assert_int_equal(store_busy_good(f->st, "https://h/x", body,
	    sizeof(body) - 1, "\"v1\"", "Tue, 01 Dec 2026 06:00:00 GMT", 100,
	    &err), 0);
	/* A failure keeps it and records why. */
	assert_int_equal(store_busy_checked(f->st, "https://h/x", 200,
	    "HTTP status 500", &err), 0);
	assert_int_equal(store_busy_get(f->st, "https://h/x", &found, &b,
	    &err), 0);
	assert_true(found);
	assert_true(b.has_copy);
	assert_int_equal(b.len, sizeof(body) - 1);
	assert_memory_equal(b.body, body, sizeof(body) - 1);
	assert_string_equal(b.etag, "\"v1\"");
	assert_int_equal(b.fetched, 100);
	assert_int_equal(b.checked, 200);
	assert_string_equal(b.error, "HTTP status 500");
	store_busy_clear(&b);
	/* A source that never worked: an error and no copy. */
	assert_int_equal(store_busy_checked(f->st, "/a.ics", 300, "ENOENT",
	    &err), 0);
	assert_int_equal(store_busy_list(f->st, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].source, "/a.ics");
	assert_false(list[0].has_copy);
	assert_null(list[0].body);
	assert_true(list[1].has_copy);
	/* A good copy clears the error. */
	assert_int_equal(store_busy_good(f->st, "https://h/x", "B", 1, NULL,
	    NULL, 400, &err), 0);
	assert_int_equal(store_busy_get(f->st, "https://h/x", &found, &b,
	    &err), 0);
	assert_null(b.error);
	assert_null(b.etag);
	assert_int_equal(b.fetched, 400);
	store_busy_clear(&b);
	for (size_t i = 0; i < n; i++)
		store_busy_clear(&list[i]);
	free(list);
}

/* A source's expansion per zone: intervals or a refusal, replaced. */
static void
test_busy_expanded(void **state)
{
	struct fx		*f = *state;
	struct store_busy_exp	 e, got;
	int64_t			 iv[4] = { 10, 20, 30, 40 };
	char			*err = NULL;
	bool			 found = true;

	assert_int_equal(store_busy_exp_get(f->st, "/a.ics", "UTC", &found,
	    &got, &err), 0);
	assert_false(found);
	memset(&e, 0, sizeof(e));
	e.hash = 0xfedcba9876543210ULL;	/* above INT64_MAX: kept whole */
	e.len = 1234;
	e.from = 5;
	e.to = 50;
	e.iv = iv;
	e.niv = 2;
	assert_int_equal(store_busy_exp_put(f->st, "/a.ics", "UTC", &e, &err),
	    0);
	assert_int_equal(store_busy_exp_get(f->st, "/a.ics", "UTC", &found,
	    &got, &err), 0);
	assert_true(found);
	assert_true(got.hash == 0xfedcba9876543210ULL);
	assert_int_equal(got.len, 1234);
	assert_int_equal(got.from, 5);
	assert_int_equal(got.to, 50);
	assert_int_equal(got.niv, 2);
	assert_memory_equal(got.iv, iv, sizeof(iv));
	assert_null(got.error);
	store_busy_exp_clear(&got);
	/* Another zone is another row; none is there yet. */
	assert_int_equal(store_busy_exp_get(f->st, "/a.ics",
	    "America/New_York", &found, &got, &err), 0);
	assert_false(found);
	/* A refusal replaces the intervals. */
	e.iv = NULL;
	e.niv = 0;
	e.error = "cpu limit";
	assert_int_equal(store_busy_exp_put(f->st, "/a.ics", "UTC", &e, &err),
	    0);
	assert_int_equal(store_busy_exp_get(f->st, "/a.ics", "UTC", &found,
	    &got, &err), 0);
	assert_true(found);
	assert_string_equal(got.error, "cpu limit");
	assert_null(got.iv);
	store_busy_exp_clear(&got);
	/* No interval at all is a set too (an empty calendar). */
	e.error = NULL;
	assert_int_equal(store_busy_exp_put(f->st, "/a.ics", "UTC", &e, &err),
	    0);
	assert_int_equal(store_busy_exp_get(f->st, "/a.ics", "UTC", &found,
	    &got, &err), 0);
	assert_true(found);
	assert_null(got.error);
	assert_int_equal(got.niv, 0);
	store_busy_exp_clear(&got);
}

static void
test_series_slot(void **state)
{
	struct fx	*f = *state;
	char		*err = NULL;
	bool		 found = true;
	int		 day = -9, secs = -9, seq;
	time_t		 created, changed;

	assert_int_equal(store_series_slot(f->st, "m", &found, &day, &secs,
	    &err), 0);
	assert_false(found);
	assert_int_equal(store_series_sync(f->st, "m", "m.series@x", "fp1", 10,
	    &seq, &created, &changed, &err), 0);
	/* A series without a slot yet (a fixed one) has none. */
	assert_int_equal(store_series_slot(f->st, "m", &found, &day, &secs,
	    &err), 0);
	assert_false(found);
	assert_int_equal(store_series_set_slot(f->st, "m", 3, 55800, &err), 0);
	assert_int_equal(store_series_slot(f->st, "m", &found, &day, &secs,
	    &err), 0);
	assert_true(found);
	assert_int_equal(day, 3);
	assert_int_equal(secs, 55800);
	/* The fingerprint of the new slot raises the sequence once. */
	assert_int_equal(store_series_sync(f->st, "m", "m.series@x", "fp2", 20,
	    &seq, &created, &changed, &err), 0);
	assert_int_equal(seq, 1);
	assert_int_equal(store_series_sync(f->st, "m", "m.series@x", "fp2", 30,
	    &seq, &created, &changed, &err), 0);
	assert_int_equal(seq, 1);
	assert_int_equal(changed, 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_busy_copy_and_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_expanded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_series_slot, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
