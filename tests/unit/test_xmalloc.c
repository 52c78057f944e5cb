/* Unit tests of xmalloc's growing string, the one growable buffer (issue 12,
 * deliverable 6). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void
test_add(void **state)
{
	struct xbuf	b = { NULL, 0, 0 };

	(void)state;
	xbuf_add(&b, "ab", 2);
	xbuf_add(&b, "cdef", 3);
	assert_string_equal(b.s, "abcde");
	assert_int_equal(b.len, 5);
	xbuf_add(&b, "", 0);
	assert_string_equal(b.s, "abcde");
	free(b.s);
}

/* Formatted appends past the room there is, and an empty one on an empty
 * buffer still leaves a string. */
static void
test_printf(void **state)
{
	struct xbuf	b = { NULL, 0, 0 }, e = { NULL, 0, 0 };
	char		want[4096];
	size_t		n = 0;
	int		i;

	(void)state;
	for (i = 0; i < 300; i++) {
		xbuf_printf(&b, "%d:%s;", i, i % 7 ? "x" : "");
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%d:%s;", i,
		    i % 7 ? "x" : "");
		assert_int_equal(b.len, n);
		assert_true(b.cap > b.len);
	}
	assert_string_equal(b.s, want);
	xbuf_printf(&e, "%s", "");
	assert_non_null(e.s);
	assert_string_equal(e.s, "");
	assert_int_equal(e.len, 0);
	free(b.s);
	free(e.s);
}

static void
test_reserve(void **state)
{
	struct xbuf	b = { NULL, 0, 0 };

	(void)state;
	xbuf_add(&b, "abc", 3);
	xbuf_reserve(&b, 1000);
	assert_true(b.cap >= b.len + 1000 + 1);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.s, "abc");
	free(b.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_reserve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
