/* Unit tests of series: which communities are auto, and the slot in force
 * from the config and the store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "series.h"
#include "store.h"
#include "tmpdb.h"

static struct config_community
community(int day, bool time_auto, enum config_cadence cadence)
{
	struct config_community	c;

	memset(&c, 0, sizeof(c));
	c.id = "math7";
	c.day = day;
	c.time = (struct civil_time){ 15, 30, 0 };
	c.time_auto = time_auto;
	c.cadence = cadence;
	return c;
}

/* A weekday cadence with no day, or any cadence with no time, is auto; an
 * rrule's days come from its rule. */
static void
test_is_auto(void **state)
{
	struct config_community	c;

	(void)state;
	c = community(1, false, CONFIG_CADENCE_WEEKLY);
	assert_false(series_is_auto(&c));
	c = community(-1, false, CONFIG_CADENCE_WEEKLY);
	assert_true(series_is_auto(&c));
	c = community(-1, false, CONFIG_CADENCE_MONTHLY);
	assert_true(series_is_auto(&c));
	c = community(-1, false, CONFIG_CADENCE_RRULE);
	assert_false(series_is_auto(&c));
	c = community(-1, true, CONFIG_CADENCE_RRULE);
	assert_true(series_is_auto(&c));
	c = community(2, true, CONFIG_CADENCE_BIWEEKLY);
	assert_true(series_is_auto(&c));
}

/* The configured parts stay; only the auto ones come from the store, and
 * an auto community with nothing stored is not placed. */
static void
test_slot(void **state)
{
	struct config_community	 c;
	struct civil_time	 at;
	struct store		*st = NULL;
	char			*p = tmp_db(), *err = NULL;
	bool			 placed;
	int			 day, seq;
	time_t			 created, changed;

	(void)state;
	assert_int_equal(store_open(p, &st, &err), 0);
	/* Fixed: the config's, without reading the store. */
	c = community(3, false, CONFIG_CADENCE_WEEKLY);
	assert_int_equal(series_slot(st, &c, &placed, &day, &at, &err), 0);
	assert_true(placed);
	assert_int_equal(day, 3);
	assert_int_equal(at.h * 100 + at.min, 1530);
	/* Auto day, nothing stored yet. */
	c = community(-1, false, CONFIG_CADENCE_WEEKLY);
	assert_int_equal(series_slot(st, &c, &placed, &day, &at, &err), 0);
	assert_false(placed);
	/* Stored Friday 09:15: the day from the store, the time configured. */
	assert_int_equal(store_series_sync(st, "math7", "uid", "fp", 1000,
	    &seq, &created, &changed, &err), 0);
	assert_int_equal(store_series_set_slot(st, "math7", 4, 9 * 3600 +
	    15 * 60, &err), 0);
	assert_int_equal(series_slot(st, &c, &placed, &day, &at, &err), 0);
	assert_true(placed);
	assert_int_equal(day, 4);
	assert_int_equal(at.h * 100 + at.min, 1530);
	/* Auto time only: the time from the store, the day configured. */
	c = community(1, true, CONFIG_CADENCE_WEEKLY);
	assert_int_equal(series_slot(st, &c, &placed, &day, &at, &err), 0);
	assert_true(placed);
	assert_int_equal(day, 1);
	assert_int_equal(at.h * 100 + at.min, 915);
	store_close(st);
	rm_db(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_auto),
		cmocka_unit_test(test_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
