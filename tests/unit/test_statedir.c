/* Unit tests of the state directory: the lock that a removed pid file does
 * not free, a database never created beside an earlier one's traces, and
 * the store's view of whether its path still names its file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "statedir.h"
#include "store.h"
#include "tmpdb.h"

struct fx {
	char	 dir[64];
	char	*path;		/* state.db in it */
};

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));

	f->path = tmp_db();
	tmp_db_dir(f->path, f->dir, sizeof(f->dir));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	rm_db(f->path);
	free(f);
	return 0;
}

static void
touch(const char *dir, const char *name)
{
	char	p[256];
	int	fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	close(fd);
}

static bool
exists(const char *dir, const char *name)
{
	char		p[256];
	struct stat	sb;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &sb) == 0;
}

/* The child's view: 0 when it could take the lock, 1 when it was held. */
static int
lock_in_child(const char *dir)
{
	pid_t	pid;
	int	st, fd;
	char	*err = NULL;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		_exit(statedir_lock(dir, &fd, &err) == 1 ? 1 : 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WEXITSTATUS(st);
}

/* flock is per open file: another process sees the lock, and removing
 * the pid file changes nothing. */
static void
test_lock_survives_rm_pidfile(void **state)
{
	struct fx	*f = *state;
	char		*err = NULL, pidfile[160];
	int		 fd = -1;

	assert_int_equal(statedir_lock(f->dir, &fd, &err), 0);
	assert_null(err);
	assert_int_equal(statedir_note_pid(f->dir, &err), 0);
	assert_int_equal(lock_in_child(f->dir), 1);
	snprintf(pidfile, sizeof(pidfile), "%s/lock", f->dir);
	assert_int_equal(unlink(pidfile), 0);
	assert_int_equal(lock_in_child(f->dir), 1);
	close(fd);
	assert_int_equal(lock_in_child(f->dir), 0);
}

/* The message names the holder's pid from the pid file. */
static void
test_lock_message(void **state)
{
	struct fx	*f = *state;
	char		*err = NULL, want[64];
	int		 fd = -1, fd2 = -1;
	pid_t		 pid;
	int		 p[2], st;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(p[0]);
		if (statedir_lock(f->dir, &fd, &err) != 0 ||
		    statedir_note_pid(f->dir, &err) != 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		/* Hold it until killed. */
		for (;;)
			pause();
	}
	close(p[1]);
	{
		char c;

		assert_int_equal(read(p[0], &c, 1), 1);
	}
	assert_int_equal(statedir_lock(f->dir, &fd2, &err), 1);
	assert_int_equal(fd2, -1);
	snprintf(want, sizeof(want), "(pid %ld) is using", (long)pid);
	assert_non_null(strstr(err, want));
	free(err);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	close(p[0]);
}

/* An empty directory: a new database. */
static void
test_fresh_creates(void **state)
{
	struct fx	*f = *state;
	struct store	*st = NULL;
	char		*err = NULL;

	assert_int_equal(statedir_open_store(f->dir, &st, &err), 0);
	assert_non_null(st);
	store_close(st);
	assert_true(exists(f->dir, "state.db"));
	/* And it opens again, as an existing one. */
	assert_int_equal(statedir_open_store(f->dir, &st, &err), 0);
	store_close(st);
}

/* Each trace alone keeps a new database from being made. */
static void
test_traces_refuse(void **state)
{
	static const char *const traces[] = { "lock", "link.key",
	    "state.db-wal", "state.db-shm", "feeds/x.ics" };
	struct fx	*f = *state;
	struct store	*st = NULL;
	char		*err = NULL, p[256], feeds[160];
	size_t		 i;

	snprintf(feeds, sizeof(feeds), "%s/feeds", f->dir);
	assert_int_equal(mkdir(feeds, 0750), 0);
	for (i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		touch(f->dir, traces[i]);
		assert_int_equal(statedir_open_store(f->dir, &st, &err), -1);
		assert_null(st);
		assert_non_null(err);
		assert_non_null(strstr(err, "state.db is missing from"));
		assert_non_null(strstr(err, "plc-cadence backup"));
		assert_false(exists(f->dir, "state.db"));
		free(err);
		err = NULL;
		snprintf(p, sizeof(p), "%s/%s", f->dir, traces[i]);
		assert_int_equal(unlink(p), 0);
	}
	/* An empty feeds/ is no trace (commands make it first). */
	assert_int_equal(statedir_open_store(f->dir, &st, &err), 0);
	store_close(st);
}

/* A zero-length state.db beside feeds is refused and not written to. */
static void
test_empty_file_refused(void **state)
{
	struct fx	*f = *state;
	struct store	*st = NULL;
	struct stat	 sb;
	char		*err = NULL;

	touch(f->dir, "lock");
	touch(f->dir, "state.db");
	assert_int_equal(statedir_open_store(f->dir, &st, &err), -1);
	assert_non_null(strstr(err, "state.db is empty in"));
	assert_non_null(strstr(err, "remove state.db and lock"));
	free(err);
	err = NULL;
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_false(exists(f->dir, "state.db-wal"));
	/* store_open_existing says "none" for it, without an error. */
	assert_int_equal(store_open_existing(f->path, &st, &err), 1);
	assert_null(st);
	assert_null(err);
}

/* The path deleted, or renamed over, under an open store. */
static void
test_same_file(void **state)
{
	struct fx	*f = *state;
	struct store	*st = NULL, *other = NULL;
	char		*err = NULL, *why = NULL, copy[160], wal[160];

	assert_int_equal(store_open(f->path, &st, &err), 0);
	assert_int_equal(store_same_file(st, &why), 0);
	assert_null(why);

	/* Replaced: another database renamed over the path. */
	snprintf(copy, sizeof(copy), "%s/other.db", f->dir);
	assert_int_equal(store_open(copy, &other, &err), 0);
	store_close(other);
	assert_int_equal(rename(copy, f->path), 0);
	assert_int_equal(store_same_file(st, &why), 1);
	assert_non_null(strstr(why, "state.db was replaced by another file"));
	free(why);
	why = NULL;
	assert_int_equal(store_fence(st, &err), 0);
	store_close(st);

	/* Deleted: first the WAL alone, then the file. */
	assert_int_equal(store_open(f->path, &st, &err), 0);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(unlink(wal), 0);
	assert_int_equal(store_same_file(st, &why), 1);
	assert_non_null(strstr(why, "state.db-wal was deleted"));
	free(why);
	why = NULL;
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(store_same_file(st, &why), 1);
	assert_non_null(strstr(why, "state.db was deleted"));
	free(why);
	/* Fenced, its close leaves alone what the paths name now. */
	assert_int_equal(store_fence(st, &err), 0);
	assert_int_equal(store_open(f->path, &other, &err), 0);
	store_close(st);
	assert_true(exists(f->dir, "state.db-wal"));
	assert_true(exists(f->dir, "state.db-shm"));
	store_close(other);
}

/* The store's connection being fenced, another connection of the same
 * process cannot write into the lost file. */
static void
test_fence_holds_writes(void **state)
{
	struct fx	*f = *state;
	struct store	*st = NULL, *http = NULL;
	char		*err = NULL, *why = NULL;

	assert_int_equal(store_open(f->path, &st, &err), 0);
	assert_int_equal(store_open_existing(f->path, &http, &err), 0);
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(store_same_file(st, &why), 1);
	free(why);
	assert_int_equal(store_fence(st, &err), 0);
	/* Busy after the timeout: nothing recorded. */
	assert_int_equal(store_meta_set(http, "k", "v", &err), -1);
	assert_non_null(err);
	free(err);
	store_close(http);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lock_survives_rm_pidfile,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_message, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fresh_creates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_traces_refuse, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_file_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_same_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fence_holds_writes, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
