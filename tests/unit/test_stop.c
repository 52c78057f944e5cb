/* stop: a pending stop seen by sends, and a batch that sees it. */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "stop.h"
#include "webhook.h"

/* A pipe stands in for the signalfd: readable once something is written. */
static void
test_asked_once_readable(void **state)
{
	struct stop	*s;
	int		 p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	s = stop_new(p[0], 60000);
	assert_false(stop_asked(s));
	assert_false(stop_overdue(s));
	assert_int_equal(stop_wait_ms(s, 1000), 1000);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_true(stop_asked(s));
	/* The grace runs from the first sight: a minute is not over yet. */
	assert_false(stop_overdue(s));
	assert_int_equal(stop_wait_ms(s, 1000), 1000);
	assert_in_range(stop_wait_ms(s, 120000), 59000, 60000);
	stop_free(s);
	close(p[0]);
	close(p[1]);
}

static void
test_stays_asked(void **state)
{
	struct stop	*s;
	char		 c;
	int		 p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	s = stop_new(p[0], 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_true(stop_asked(s));
	/* Taken by someone else (the loop's signalfd): still asked. */
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_true(stop_asked(s));
	/* No grace at all: overdue at once, nothing left to wait. */
	assert_true(stop_overdue(s));
	assert_int_equal(stop_wait_ms(s, 1000), 0);
	stop_free(s);
	close(p[0]);
	close(p[1]);
}

static void
test_none(void **state)
{
	struct stop	*s = stop_new(-1, 0);

	(void)state;
	assert_false(stop_asked(NULL));
	assert_false(stop_overdue(NULL));
	assert_int_equal(stop_wait_ms(NULL, 250), 250);
	assert_false(stop_asked(s));
	stop_free(s);
	stop_free(NULL);
}

/* Asked before the batch: no post starts, each says why, none is sent. */
static void
test_batch_untried(void **state)
{
	struct config_channel	 ch;
	struct webhook_job	 jobs[3];
	struct stop		*s;
	size_t			 i;
	int			 p[2];

	(void)state;
	memset(&ch, 0, sizeof(ch));
	ch.id = "team";
	ch.type = CONFIG_CHAN_GENERIC;
	/* Nothing listens on port 1: a post that started would fail. */
	ch.url.value = "http://127.0.0.1:1/hook";
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 3; i++) {
		jobs[i].ch = &ch;
		jobs[i].payload = "{}";
	}
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	s = stop_new(p[0], 10000);
	webhook_post_all(NULL, jobs, 3, time(NULL), s, NULL);
	for (i = 0; i < 3; i++) {
		assert_int_equal(jobs[i].res.status, WEBHOOK_TEMPFAIL);
		assert_true(jobs[i].res.untried);
		assert_string_equal(jobs[i].res.answer,
		    "not sent: the worker is stopping");
		free(jobs[i].res.answer);
	}
	stop_free(s);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_asked_once_readable),
		cmocka_unit_test(test_stays_asked),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_batch_untried),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
