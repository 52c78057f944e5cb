/* Unit tests of hex: the one hex encoder (issue 12, deliverable 6). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hex.h"

static void
test_encode(void **state)
{
	static const unsigned char	 in[] = { 0x00, 0x01, 0x7f, 0x80,
	    0xab, 0xff };
	char				 out[2 * sizeof(in) + 2];

	(void)state;
	memset(out, 'x', sizeof(out));
	assert_ptr_equal(hex_encode(in, sizeof(in), out), out);
	assert_string_equal(out, "00017f80abff");
	/* Exactly 2n + 1 bytes written. */
	assert_int_equal(out[2 * sizeof(in) + 1], 'x');
	assert_string_equal(hex_encode(in, 0, out), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
