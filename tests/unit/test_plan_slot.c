/* Unit tests of plan_slot: the notice of an auto community's new time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "plan.h"
#include "tz.h"
#include "utc.h"

static void
test_slot_notice(void **state)
{
	struct config_member	 a, b, *members[2] = { &a, &b };
	struct config_channel	 ch, *chans[1] = { &ch };
	struct config_community	 c;
	struct plan_msg		*m = NULL;
	char			*err = NULL;
	long			 n, i;

	memset(&a, 0, sizeof(a));
	a.id = "a";
	a.tz = tz_find("America/New_York");
	memset(&b, 0, sizeof(b));
	b.id = "b";
	b.tz = tz_find("America/Chicago");
	memset(&ch, 0, sizeof(ch));
	ch.id = "team";
	memset(&c, 0, sizeof(c));
	c.id = "plc";
	c.name = "Test\nPLC";		/* no line break reaches a subject */
	c.members = members;
	c.nmembers = 2;
	c.notify = chans;
	c.nnotify = 1;
	c.cadence = CONFIG_CADENCE_WEEKLY;
	c.day = -1;
	c.time_auto = true;
	c.duration = 45 * 60;
	c.start = (struct civil_date){ 2026, 9, 1 };
	c.tz = tz_find("America/New_York");

	n = plan_slot(&c, CIVIL_WE, (struct civil_time){ 15, 30, 0 },
	    (time_t)utc(2026, 11, 2, 13, 0), (time_t)utc(2026, 12, 1, 0, 0),
	    &m, &err);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		assert_string_equal(m[i].kind, PLAN_KIND_SLOT);
		assert_int_equal(m[i].due, utc(2026, 11, 2, 13, 0));
		/* Worthless once the first meeting at the new time began. */
		assert_int_equal(m[i].expires, utc(2026, 11, 4, 20, 30));
		assert_null(strchr(m[i].subject, '\n'));
	}
	/* Sorted by dedup key at the same due time. */
	assert_string_equal(m[0].dedup, "slot:plc:WE-15:30:community:plc:team");
	assert_string_equal(m[1].dedup, "slot:plc:WE-15:30:member:a:email");
	assert_string_equal(m[2].dedup, "slot:plc:WE-15:30:member:b:email");
	assert_non_null(strstr(m[1].subject, "Wednesdays at 15:30, from Wed 4 Nov"));
	/* b reads it on a Chicago clock. */
	assert_non_null(strstr(m[2].subject, "Wednesdays at 14:30, from Wed 4 Nov"));
	plan_free(m, n);

	/* No meeting left in the range: nothing to tell. */
	c.has_until = true;
	c.until = (struct civil_date){ 2026, 10, 1 };
	n = plan_slot(&c, CIVIL_WE, (struct civil_time){ 15, 30, 0 },
	    (time_t)utc(2026, 11, 2, 13, 0), (time_t)utc(2026, 12, 1, 0, 0),
	    &m, &err);
	assert_int_equal(n, 0);
	plan_free(m, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_notice),
	};
	int	rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tz_shutdown();
	return rc;
}
