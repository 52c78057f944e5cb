/* Unit tests of jail: work done in a limited child, answers checked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jail.h"
#include "stop.h"
#include "xmalloc.h"

static int
work_echo(void *arg, struct xbuf *out, char **err)
{
	xbuf_add(out, arg, strlen(arg));
	return 0;
}

static int
work_refuse(void *arg, struct xbuf *out, char **err)
{
	*err = xstrdup("parse error: no\nway\x1b[31m");
	return -1;
}

/* Spins until a limit stops it; volatile so it is not optimised out. */
static int
work_spin(void *arg, struct xbuf *out, char **err)
{
	volatile unsigned long	n = 0;

	for (;;)
		n++;
	return 0;
}

/* What opening a file gives under the jail: its errno, as text. */
static int
work_open(void *arg, struct xbuf *out, char **err)
{
	char	buf[32];
	int	fd = open("/etc/hostname", O_RDONLY);

	snprintf(buf, sizeof(buf), "%d %d", fd, fd == -1 ? errno : 0);
	xbuf_add(out, buf, strlen(buf));
	return 0;
}

static int
work_socket(void *arg, struct xbuf *out, char **err)
{
	int	s = socket(AF_INET, SOCK_STREAM, 0);

	xbuf_add(out, s == -1 ? "refused" : "opened", s == -1 ? 7 : 6);
	return 0;
}

/* Grows until the address-space limit stops it. */
static int
work_grow(void *arg, struct xbuf *out, char **err)
{
	for (;;)
		memset(xmalloc(16 << 20), 1, 16 << 20);
	return 0;
}

static int
work_big(void *arg, struct xbuf *out, char **err)
{
	static char	block[4096];

	memset(block, 'x', sizeof(block));
	for (int i = 0; i < 64; i++)
		xbuf_add(out, block, sizeof(block));
	return 0;
}

static enum jail_result
run(int (*work)(void *, struct xbuf *, char **), void *arg, int cpu_s,
    size_t max_out, const struct stop_watch *w, char **out, char **why)
{
	struct jail_job	job;
	size_t		len;

	memset(&job, 0, sizeof(job));
	job.work = work;
	job.arg = arg;
	job.cpu_s = cpu_s;
	job.max_out = max_out;
	*out = *why = NULL;
	return jail_run(&job, w, out, &len, why);
}

static void
test_jail_answer(void **state)
{
	char	*out, *why;

	assert_int_equal(run(work_echo, "0123 intervals", 0, 0, NULL, &out,
	    &why), JAIL_OK);
	assert_string_equal(out, "0123 intervals");
	assert_null(why);
	free(out);
	assert_int_equal(run(work_refuse, NULL, 0, 0, NULL, &out, &why),
	    JAIL_REFUSED);
	/* The child's reason arrives printable. */
	assert_string_equal(why, "parse error: no?way?[31m");
	assert_null(out);
	free(why);
	assert_int_equal(run(work_big, NULL, 0, 1000, NULL, &out, &why),
	    JAIL_FAILED);
	assert_string_equal(why, "answer too large");
	free(why);
}

static void
test_jail_cpu_limit(void **state)
{
	char	*out, *why;

	assert_int_equal(run(work_spin, NULL, 1, 0, NULL, &out, &why),
	    JAIL_FAILED);
	assert_string_equal(why, "cpu limit");
	free(why);
}

static void
test_jail_memory_limit(void **state)
{
	char	*out, *why;
	int	 saved = dup(2), null = open("/dev/null", O_WRONLY);

	/* A sanitizer's out-of-memory report (the child keeps stderr in a
	 * sanitizer build) is expected here, not a finding. */
	dup2(null, 2);
	assert_int_equal(run(work_grow, NULL, 0, 0, NULL, &out, &why),
	    JAIL_FAILED);
	dup2(saved, 2);
	close(saved);
	close(null);
	/* xmalloc aborts; a sanitizer's allocator exits instead. */
	if (strcmp(why, "memory limit") != 0 &&
	    strncmp(why, "crashed (exit", 13) != 0)
		fail_msg("got '%s'", why);
	free(why);
}

static void
test_jail_no_files_no_sockets(void **state)
{
	char	*out, *why;

	assert_int_equal(run(work_open, NULL, 0, 0, NULL, &out, &why),
	    JAIL_OK);
	/* EACCES from the filter, or EMFILE from RLIMIT_NOFILE without one. */
	assert_true(strcmp(out, "-1 13") == 0 || strcmp(out, "-1 24") == 0);
	free(out);
#if __has_include(<seccomp.h>)
	assert_int_equal(run(work_socket, NULL, 0, 0, NULL, &out, &why),
	    JAIL_FAILED);
	assert_string_equal(why, "forbidden system call");
	free(why);
#else
	(void)work_socket;
#endif
}

static int	alive_calls;
static void
alive(void *arg)
{
	alive_calls++;
}

/* A stop kills the child at once, however long its work would run. */
static void
test_jail_stop(void **state)
{
	struct stop_watch	 w;
	char			*out, *why;
	int			 p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	w.stop = stop_new(p[0], 1000);
	w.alive = alive;
	w.arg = NULL;
	assert_int_equal(run(work_spin, NULL, 30, 0, &w, &out, &why),
	    JAIL_STOPPED);
	assert_string_equal(why, "stopped");
	free(why);
	stop_free(w.stop);
	close(p[0]);
	close(p[1]);
}

/* A long wait gives signs of life (about one a second). */
static void
test_jail_alive(void **state)
{
	struct stop_watch	 w;
	char			*out, *why;

	w.stop = NULL;
	w.alive = alive;
	w.arg = NULL;
	alive_calls = 0;
	assert_int_equal(run(work_spin, NULL, 2, 0, &w, &out, &why),
	    JAIL_FAILED);
	assert_string_equal(why, "cpu limit");
	assert_true(alive_calls >= 1);
	free(why);
}

/*
 * jail_run_all: every job in its own child, each answered as jail_run
 * would, a limit hit by one costing that one only.
 */
static void
test_jail_all(void **state)
{
	struct jail_job		jobs[5];
	struct jail_answer	ans[5];
	size_t			i;

	memset(jobs, 0, sizeof(jobs));
	jobs[0].work = work_echo;
	jobs[0].arg = "first";
	jobs[1].work = work_spin;
	jobs[1].cpu_s = 1;
	jobs[2].work = work_refuse;
	jobs[3].work = work_echo;
	jobs[3].arg = "fourth";
	jobs[4].work = work_big;
	jobs[4].max_out = 1000;
	jail_run_all(jobs, 5, 2, NULL, ans);
	assert_int_equal(ans[0].result, JAIL_OK);
	assert_string_equal(ans[0].out, "first");
	assert_int_equal(ans[1].result, JAIL_FAILED);
	assert_string_equal(ans[1].why, "cpu limit");
	assert_int_equal(ans[2].result, JAIL_REFUSED);
	assert_string_equal(ans[2].why, "parse error: no?way?[31m");
	assert_int_equal(ans[3].result, JAIL_OK);
	assert_string_equal(ans[3].out, "fourth");
	assert_int_equal(ans[4].result, JAIL_FAILED);
	assert_string_equal(ans[4].why, "answer too large");
	for (i = 0; i < 5; i++)
		jail_answer_clear(&ans[i]);
}

/* Two children wait for each other through memory shared before the
 * fork: they meet only if they run at the same time. */
static int
work_meet(void *arg, struct xbuf *out, char **err)
{
	volatile int	*n = arg;

	__atomic_add_fetch(n, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(n, __ATOMIC_SEQ_CST) < 2)
		;	/* the CPU limit ends a child left alone */
	xbuf_add(out, "met", 3);
	return 0;
}

static void
test_jail_all_parallel(void **state)
{
	struct jail_job		 jobs[2];
	struct jail_answer	 ans[2];
	int			*n;

	n = mmap(NULL, sizeof(*n), PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	assert_true(n != MAP_FAILED);
	*n = 0;
	memset(jobs, 0, sizeof(jobs));
	jobs[0].work = jobs[1].work = work_meet;
	jobs[0].arg = jobs[1].arg = n;
	jobs[0].cpu_s = jobs[1].cpu_s = 5;
	jail_run_all(jobs, 2, 2, NULL, ans);
	assert_int_equal(ans[0].result, JAIL_OK);
	assert_int_equal(ans[1].result, JAIL_OK);
	assert_string_equal(ans[0].out, "met");
	jail_answer_clear(&ans[0]);
	jail_answer_clear(&ans[1]);
	munmap(n, sizeof(*n));
}

/* A stop asked before: nothing runs, every job is stopped. */
static void
test_jail_all_stop(void **state)
{
	struct stop_watch	 w;
	struct jail_job		 jobs[3];
	struct jail_answer	 ans[3];
	int			 p[2];
	size_t			 i;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	w.stop = stop_new(p[0], 1000);
	w.alive = alive;
	w.arg = NULL;
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 3; i++)
		jobs[i].work = work_spin;
	jail_run_all(jobs, 3, 2, &w, ans);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ans[i].result, JAIL_STOPPED);
		assert_string_equal(ans[i].why, "stopped");
		jail_answer_clear(&ans[i]);
	}
	stop_free(w.stop);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jail_answer),
		cmocka_unit_test(test_jail_cpu_limit),
		cmocka_unit_test(test_jail_memory_limit),
		cmocka_unit_test(test_jail_no_files_no_sockets),
		cmocka_unit_test(test_jail_stop),
		cmocka_unit_test(test_jail_alive),
		cmocka_unit_test(test_jail_all),
		cmocka_unit_test(test_jail_all_parallel),
		cmocka_unit_test(test_jail_all_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
