/* Unit tests of store_backup: a whole copy, and never an overwrite. */
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

struct fixture {
	char	 dir[32];	/* of db */
	char	*db, copy[64], tmp[64];
};

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	f->db = tmp_db();
	tmp_db_dir(f->db, f->dir, sizeof(f->dir));
	snprintf(f->copy, sizeof(f->copy), "%s/copy.db", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s/copy.db.tmp", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	rm_db(f->db);
	free(f);
	return 0;
}

static void
test_backup_copies(void **state)
{
	struct fixture	*f = *state;
	struct store	*st = NULL, *cp = NULL;
	char		*err = NULL, *v = NULL;

	assert_int_equal(store_open(f->db, &st, &err), 0);
	assert_int_equal(store_meta_set(st, "first_run", "2026-11-23", &err),
	    0);
	assert_int_equal(store_backup(st, f->copy, &err), 0);
	assert_null(err);
	assert_int_equal(access(f->tmp, F_OK), -1);
	/* A later write is not in the copy: it is a snapshot. */
	assert_int_equal(store_meta_set(st, "later", "x", &err), 0);
	store_close(st);

	assert_int_equal(store_open(f->copy, &cp, &err), 0);
	assert_int_equal(store_schema_version(cp), STORE_SCHEMA_VERSION);
	assert_int_equal(store_meta_get(cp, "first_run", &v, &err), 0);
	assert_string_equal(v, "2026-11-23");
	free(v);
	assert_int_equal(store_meta_get(cp, "later", &v, &err), 0);
	assert_null(v);
	store_close(cp);
}

static void
test_backup_never_overwrites(void **state)
{
	struct fixture	*f = *state;
	struct store	*st = NULL;
	char		*err = NULL, buf[16] = "";
	FILE		*fp;

	assert_int_equal(store_open(f->db, &st, &err), 0);
	fp = fopen(f->copy, "w");
	fputs("precious", fp);
	fclose(fp);
	assert_int_equal(store_backup(st, f->copy, &err),
	    STORE_BACKUP_CANTCREAT);
	assert_non_null(strstr(err, "already exists"));
	free(err);
	err = NULL;
	fp = fopen(f->copy, "r");
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "precious");
	assert_int_equal(access(f->tmp, F_OK), -1);

	/* A leftover temporary file is not reused, nor removed. */
	unlink(f->copy);
	fclose(fopen(f->tmp, "w"));
	assert_int_equal(store_backup(st, f->copy, &err),
	    STORE_BACKUP_CANTCREAT);
	assert_non_null(strstr(err, f->tmp));
	free(err);
	assert_int_equal(access(f->copy, F_OK), -1);
	assert_int_equal(access(f->tmp, F_OK), 0);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backup_copies, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_backup_never_overwrites,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
