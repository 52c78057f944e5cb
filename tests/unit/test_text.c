/* Unit tests of text: the one rule for names and titles (issue 15,
 * finding 15: C1 controls, U+2028 and bidi overrides reached feeds and
 * messages). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "text.h"

static void
test_decode(void **state)
{
	uint32_t	 cp = 0;

	(void)state;
	assert_int_equal(text_utf8_decode("A", &cp), 1);
	assert_int_equal(cp, 0x41);
	assert_int_equal(text_utf8_decode("", &cp), 1);
	assert_int_equal(cp, 0);
	assert_int_equal(text_utf8_decode("\xc3\xa9", &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(text_utf8_decode("\xe2\x80\xae", &cp), 3);
	assert_int_equal(cp, 0x202e);
	assert_int_equal(text_utf8_decode("\xf0\x9f\x93\x88", &cp), 4);
	assert_int_equal(cp, 0x1f4c8);
	assert_int_equal(text_utf8_decode("\xf4\x8f\xbf\xbf", &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	/* Malformed: stray continuation, overlong, surrogate, past
	 * U+10FFFF, truncated at the NUL, 0xff. */
	assert_int_equal(text_utf8_decode("\x80", &cp), 0);
	assert_int_equal(text_utf8_decode("\xc0\xaf", &cp), 0);
	assert_int_equal(text_utf8_decode("\xc1\xbf", &cp), 0);
	assert_int_equal(text_utf8_decode("\xe0\x80\xaf", &cp), 0);
	assert_int_equal(text_utf8_decode("\xed\xa0\x80", &cp), 0);
	assert_int_equal(text_utf8_decode("\xf0\x80\x80\xaf", &cp), 0);
	assert_int_equal(text_utf8_decode("\xf4\x90\x80\x80", &cp), 0);
	assert_int_equal(text_utf8_decode("\xe2\x80", &cp), 0);
	assert_int_equal(text_utf8_decode("\xff", &cp), 0);
}

static void
test_refused(void **state)
{
	uint32_t	 cp;

	(void)state;
	for (cp = 0; cp < 0x20; cp++)
		assert_true(text_refused(cp));
	for (cp = 0x7f; cp <= 0x9f; cp++)
		assert_true(text_refused(cp));
	for (cp = 0x202a; cp <= 0x202e; cp++)
		assert_true(text_refused(cp));
	for (cp = 0x2066; cp <= 0x2069; cp++)
		assert_true(text_refused(cp));
	assert_true(text_refused(0x2028));
	assert_true(text_refused(0x2029));
	/* Printable text, the bidi marks, joiners, the neighbours of the
	 * refused ranges. */
	assert_false(text_refused(' '));
	assert_false(text_refused('~'));
	assert_false(text_refused(0xa0));
	assert_false(text_refused(0xe9));
	assert_false(text_refused(0x061c));
	assert_false(text_refused(0x200d));
	assert_false(text_refused(0x200e));
	assert_false(text_refused(0x200f));
	assert_false(text_refused(0x2027));
	assert_false(text_refused(0x202f));
	assert_false(text_refused(0x2065));
	assert_false(text_refused(0x206a));
	assert_false(text_refused(0x1f4c8));
}

static void
test_check(void **state)
{
	struct text_bad	 bad;

	(void)state;
	assert_int_equal(text_check("", NULL), TEXT_OK);
	assert_int_equal(text_check("Résumé — unité 4 📈", &bad), TEXT_OK);
	assert_int_equal(text_check("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d "
	    "\xe2\x80\x8f" "7", NULL), TEXT_OK);
	/* The inputs of the review: U+0085, U+2028, U+202E. */
	assert_int_equal(text_check("Bob\xc2\x85" "Bcc", &bad), TEXT_REFUSED);
	assert_int_equal(bad.offset, 3);
	assert_int_equal(bad.cp, 0x85);
	assert_int_equal(text_check("a\xe2\x80\xa8" "b", &bad), TEXT_REFUSED);
	assert_int_equal(bad.offset, 1);
	assert_int_equal(bad.cp, 0x2028);
	assert_int_equal(text_check("\xc3\xa9\xe2\x80\xae" "fdp.exe", &bad),
	    TEXT_REFUSED);
	assert_int_equal(bad.offset, 2);
	assert_int_equal(bad.cp, 0x202e);
	assert_int_equal(text_check("tab\there", &bad), TEXT_REFUSED);
	assert_int_equal(bad.cp, 9);
	/* The first fault wins; invalid UTF-8 is found where it is. */
	assert_int_equal(text_check("ok caf\xc3", &bad), TEXT_BAD_UTF8);
	assert_int_equal(bad.offset, 6);
	assert_int_equal(text_check("\x1b[31m\xff", &bad), TEXT_REFUSED);
	assert_int_equal(bad.cp, 0x1b);
	assert_int_equal(text_check("\xff\x1b", &bad), TEXT_BAD_UTF8);
	assert_int_equal(bad.offset, 0);
}

static void
test_describe(void **state)
{
	char	buf[TEXT_DESC_LEN];

	(void)state;
	assert_string_equal(text_describe(0x202e, buf),
	    "U+202E (right-to-left override)");
	assert_string_equal(text_describe(0x2028, buf),
	    "U+2028 (line separator)");
	assert_string_equal(text_describe(0x85, buf), "U+0085 (next line)");
	assert_string_equal(text_describe(0x9b, buf),
	    "U+009B (C1 control character)");
	assert_string_equal(text_describe(0x09, buf), "U+0009 (tab)");
	assert_string_equal(text_describe(0x01, buf),
	    "U+0001 (control character)");
	assert_string_equal(text_describe(0x2069, buf),
	    "U+2069 (pop directional isolate)");
	assert_string_equal(text_describe(0x202a, buf),
	    "U+202A (left-to-right embedding)");
	assert_string_equal(text_describe(0x10ffff, buf),
	    "U+10FFFF (character)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
