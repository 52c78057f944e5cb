/* Unit tests of the attendance page and its form (roll.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "roll.h"

#define ROLL(v)	struct roll_entry v[3] = { { "alice", "Alice", true }, \
		    { "bob", "Bob <B>", false }, { "carol", "Carol", true } }

static void
test_parse(void **state)
{
	ROLL(v);
	static const char two[] = "present=bob&present=carol";

	(void)state;
	assert_int_equal(roll_parse(two, strlen(two), v, 3), 0);
	assert_false(v[0].ticked);
	assert_true(v[1].ticked);
	assert_true(v[2].ticked);
	/* Nobody ticked: an empty body unticks all. */
	assert_int_equal(roll_parse("", 0, v, 3), 0);
	assert_false(v[0].ticked || v[1].ticked || v[2].ticked);
	/* Strangers, other fields, encodings, prefixes: refused. */
	assert_int_equal(roll_parse("present=zed", 11, v, 3), -1);
	assert_int_equal(roll_parse("present=bo", 10, v, 3), -1);
	assert_int_equal(roll_parse("present=bobby", 13, v, 3), -1);
	assert_int_equal(roll_parse("absent=bob", 10, v, 3), -1);
	assert_int_equal(roll_parse("present=%62ob", 13, v, 3), -1);
	assert_int_equal(roll_parse("present", 7, v, 3), -1);
	assert_int_equal(roll_parse("present=bob&&present=alice", 26, v, 3),
	    -1);
	/* A NUL inside is no ID either. */
	assert_int_equal(roll_parse("present=bob\0x", 13, v, 3), -1);
}

static void
test_page(void **state)
{
	ROLL(v);
	char	*p;

	(void)state;
	p = roll_page("Math <7>", "Tue 8 Dec", v, 3, ROLL_FROM_RECORDED, false);
	assert_non_null(strstr(p, "<form method=\"post\">"));
	assert_non_null(strstr(p, "value=\"alice\" checked> Alice</label>"));
	assert_non_null(strstr(p, "value=\"bob\"> Bob &lt;B&gt;</label>"));
	assert_non_null(strstr(p, "Math &lt;7&gt;"));
	assert_non_null(strstr(p, "recorded before"));
	assert_null(strstr(p, "<script"));
	assert_null(strstr(p, "Attendance saved"));
	free(p);
	p = roll_page("Math", "Tue 8 Dec", v, 3, ROLL_FROM_RECORDED, true);
	assert_non_null(strstr(p, "role=\"status\"><strong>Attendance saved."));
	free(p);
	/* Ticked from the answers: it says so, and not "recorded". */
	p = roll_page("Math", "Tue 8 Dec", v, 3, ROLL_FROM_RSVP, false);
	assert_non_null(strstr(p, "Ticked: those who answered"));
	assert_null(strstr(p, "recorded before"));
	free(p);
	p = roll_page("Math", "Tue 8 Dec", v, 3, ROLL_FROM_NONE, false);
	assert_null(strstr(p, "Ticked:"));
	assert_null(strstr(p, "recorded before"));
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
