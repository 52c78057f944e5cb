/* tmpdb: the scratch state database of the unit tests that open a store.
 * Include after <cmocka.h>. */
#ifndef PLC_TEST_TMPDB_H
#define PLC_TEST_TMPDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "<a new directory under /tmp>/state.db", allocated; the database itself
 * is not created. */
static inline char *
tmp_db(void)
{
	char	 tmpl[] = "/tmp/plc-unit-XXXXXX";
	char	*dir = mkdtemp(tmpl), *p;

	assert_non_null(dir);
	p = malloc(strlen(dir) + 16);
	assert_non_null(p);
	sprintf(p, "%s/state.db", dir);
	return p;
}

/* The directory of a tmp_db() path, into buf. */
static inline void
tmp_db_dir(const char *p, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)(strrchr(p, '/') - p), p);
}

/* Remove the directory of p (the database, its WAL files, anything else
 * the test left there) and free p. */
static inline void
rm_db(char *p)
{
	char	buf[512];

	snprintf(buf, sizeof(buf), "rm -rf \"$(dirname '%s')\"", p);
	assert_int_equal(system(buf), 0);
	free(p);
}

#endif
