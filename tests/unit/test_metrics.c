/* metrics: the Prometheus text of a snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics.h"

static void
test_render(void **state)
{
	struct metrics_outbox	ob[] = {
		{ "email", "pending", 2, 1, 0 },
		{ "email", "sent", 12, 3, 4 },
		{ "we\"ird\\chan\nnel", "failed", 1, 1, 0 },
	};
	struct metrics_snapshot	m;
	char			*s;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.start_time = 1790000000;
	m.has_cycle = true;
	m.cycle_seconds = 0.0125;
	m.last_cycle = 1790000100;
	m.last_cycle_ok = true;
	m.cycles = 3;
	m.cycle_failures = 1;
	m.feed_requests[METRICS_200] = 7;
	m.feed_requests[METRICS_304] = 2;
	m.outbox = ob;
	m.noutbox = 3;
	s = metrics_render(&m);
	assert_non_null(strstr(s, "# TYPE plc_cadence_start_time_seconds gauge\n"
	    "plc_cadence_start_time_seconds 1790000000\n"));
	assert_non_null(strstr(s, "plc_cadence_cycles_total 3\n"));
	assert_non_null(strstr(s, "plc_cadence_cycle_failures_total 1\n"));
	assert_non_null(strstr(s, "plc_cadence_cycle_duration_seconds 0.012500\n"));
	assert_non_null(strstr(s, "plc_cadence_last_cycle_ok 1\n"));
	assert_non_null(strstr(s,
	    "plc_cadence_feed_requests_total{code=\"200\"} 7\n"));
	assert_non_null(strstr(s,
	    "plc_cadence_feed_requests_total{code=\"404\"} 0\n"));
	assert_non_null(strstr(s, "plc_cadence_outbox_messages{channel="
	    "\"email\",status=\"sent\"} 12\n"));
	/* Label values are escaped: no line can be forged from config text. */
	assert_non_null(strstr(s, "{channel=\"we\\\"ird\\\\chan\\nnel\","
	    "status=\"failed\"} 1\n"));
	/* Retried and late, summed over a channel's statuses. */
	assert_non_null(strstr(s,
	    "plc_cadence_messages_retried{channel=\"email\"} 4\n"));
	assert_non_null(strstr(s,
	    "plc_cadence_messages_late{channel=\"email\"} 4\n"));
	free(s);

	/* Before the first cycle there is no cycle to describe. */
	m.has_cycle = false;
	s = metrics_render(&m);
	assert_null(strstr(s, "plc_cadence_cycle_duration_seconds"));
	assert_null(strstr(s, "plc_cadence_last_cycle_ok"));
	free(s);
}

/* /healthz: worst first; overdue only past the limit, never with 0. */
static void
test_health(void **state)
{
	struct metrics_health_in h = { true, false, 1000000, 900000, 300000,
	    false, false };

	(void)state;
	assert_int_equal(metrics_health(&h), METRICS_HEALTH_OK);
	assert_string_equal(metrics_health_name(metrics_health(&h)), "ok");
	h.now_ms = 1200000;	/* exactly the limit: not yet */
	assert_int_equal(metrics_health(&h), METRICS_HEALTH_OK);
	h.now_ms = 1200001;
	assert_int_equal(metrics_health(&h), METRICS_HEALTH_OVERDUE);
	assert_string_equal(metrics_health_name(metrics_health(&h)),
	    "overdue");
	h.overdue_ms = 0;
	assert_int_equal(metrics_health(&h), METRICS_HEALTH_OK);
	h.overdue_ms = 300000;
	h.last_failed = true;
	assert_int_equal(metrics_health(&h), METRICS_HEALTH_FAILING);
	assert_string_equal(metrics_health_name(metrics_health(&h)),
	    "failing");
	h.db_ok = false;
	assert_int_equal(metrics_health(&h), METRICS_HEALTH_UNAVAILABLE);
	assert_string_equal(metrics_health_name(metrics_health(&h)),
	    "unavailable");
	/* A worker that stopped for good is worse than any of those. */
	h.failed = true;
	assert_int_equal(metrics_health(&h), METRICS_HEALTH_FAILED);
	assert_string_equal(metrics_health_name(metrics_health(&h)),
	    "failed");
}

/* Degraded: the mildest trouble, shown only when nothing worse is. */
static void
test_degraded(void **state)
{
	struct metrics_health_in h = { true, false, 1000000, 900000, 300000,
	    false, true };
	struct metrics_snapshot	 m;
	char			*s;

	(void)state;
	assert_int_equal(metrics_health(&h), METRICS_HEALTH_DEGRADED);
	assert_string_equal(metrics_health_name(metrics_health(&h)),
	    "degraded");
	h.now_ms = 1200001;
	assert_int_equal(metrics_health(&h), METRICS_HEALTH_OVERDUE);
	h.now_ms = 1000000;
	h.last_failed = true;
	assert_int_equal(metrics_health(&h), METRICS_HEALTH_FAILING);

	memset(&m, 0, sizeof(m));
	s = metrics_render(&m);
	assert_null(strstr(s, "plc_cadence_destination_failing{"));
	assert_non_null(strstr(s, "plc_cadence_reload_failed 0\n"));
	assert_non_null(strstr(s, "plc_cadence_degraded 0\n"));
	free(s);
	m.degraded = "math-team, smtp, we\"ird";
	s = metrics_render(&m);
	assert_non_null(strstr(s, "plc_cadence_destination_failing"
	    "{destination=\"math-team\"} 1\n"
	    "plc_cadence_destination_failing{destination=\"smtp\"} 1\n"
	    "plc_cadence_destination_failing{destination=\"we\\\"ird\"} 1\n"));
	assert_non_null(strstr(s, "plc_cadence_degraded 1\n"));
	free(s);
	m.degraded = "";
	m.reload_failed = true;
	s = metrics_render(&m);
	assert_non_null(strstr(s, "plc_cadence_reload_failed 1\n"));
	assert_non_null(strstr(s, "plc_cadence_degraded 1\n"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_degraded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
