/* statedir: the worker's lock on the state directory, and a database that
 * is never started afresh beside the traces of a lost one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "link.h"
#include "statedir.h"
#include "store.h"
#include "xmalloc.h"

/* What an earlier database leaves beside itself, besides feeds/. */
static const char *const statedir_trace_files[] = {
	STATEDIR_PID_FILE, LINK_FILE, "state.db-wal", "state.db-shm",
};
#define STATEDIR_NTRACES \
	(1 + sizeof(statedir_trace_files) / sizeof(statedir_trace_files[0]))

int
statedir_lock(const char *state_dir, int *fd, char **err)
{
	char	*pidfile = NULL, held[32];
	ssize_t	 n = 0;
	int	 pfd, rc = -1;

	*fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd == -1) {
		*err = xasprintf("%s: %s", state_dir, strerror(errno));
		goto out;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0) {
		rc = 0;
		goto out;
	}
	if (errno != EWOULDBLOCK) {
		*err = xasprintf("%s: flock: %s", state_dir, strerror(errno));
		goto fail;
	}
	/* Only for the message: the holder may have lost its pid file. */
	pidfile = xasprintf("%s/%s", state_dir, STATEDIR_PID_FILE);
	pfd = open(pidfile, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (pfd != -1) {
		n = read(pfd, held, sizeof(held) - 1);
		close(pfd);
	}
	held[n > 0 ? n : 0] = '\0';
	held[strcspn(held, "\n")] = '\0';
	*err = xasprintf("another plc-cadence run%s%s%s is using %s (it holds "
	    "the lock on the directory)", held[0] != '\0' ? " (pid " : "",
	    held, held[0] != '\0' ? ")" : "", state_dir);
	rc = 1;
fail:
	close(*fd);
	*fd = -1;
out:
	free(pidfile);
	return rc;
}

int
statedir_note_pid(const char *state_dir, char **err)
{
	char	*path = xasprintf("%s/%s", state_dir, STATEDIR_PID_FILE);
	char	 pid[32];
	int	 fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK, 0640);
	if (fd == -1) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || write(fd, pid, strlen(pid)) !=
	    (ssize_t)strlen(pid)) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(path);
	return rc;
}

/* Does <state_dir>/feeds hold anything? */
static bool
statedir_has_feeds(const char *state_dir)
{
	char		*path = xasprintf("%s/feeds", state_dir);
	DIR		*d = opendir(path);
	struct dirent	*de;
	bool		 found = false;

	while (d != NULL && !found && (de = readdir(d)) != NULL)
		found = strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	if (d != NULL)
		closedir(d);
	free(path);
	return found;
}

/*
 * The traces of an earlier database in state_dir, as an allocated
 * "feeds/, lock and link.key" (with "state.db" first when given, for the
 * list of what to remove), or NULL when there is none.
 */
static char *
statedir_traces(const char *state_dir, const char *first)
{
	const char	*names[STATEDIR_NTRACES + 1];
	struct stat	 sb;
	char		*path, *list, *tmp;
	size_t		 n = 0, i, ntraces = 0;

	if (first != NULL)
		names[n++] = first;
	if (statedir_has_feeds(state_dir)) {
		names[n++] = "feeds/";
		ntraces++;
	}
	for (i = 0; i < STATEDIR_NTRACES - 1; i++) {
		path = xasprintf("%s/%s", state_dir, statedir_trace_files[i]);
		if (lstat(path, &sb) == 0) {
			names[n++] = statedir_trace_files[i];
			ntraces++;
		}
		free(path);
	}
	if (ntraces == 0)
		return NULL;
	list = xstrdup(names[0]);
	for (i = 1; i < n; i++) {
		tmp = xasprintf("%s%s%s", list, i + 1 < n ? ", " : " and ",
		    names[i]);
		free(list);
		list = tmp;
	}
	return list;
}

int
statedir_open_store(const char *state_dir, struct store **out, char **err)
{
	char		*db = xasprintf("%s/state.db", state_dir);
	char		*traces = NULL, *remove = NULL;
	struct stat	 sb;
	bool		 empty;
	int		 r, rc = -1;

	*out = NULL;
	if ((r = store_open_existing(db, out, err)) != 1) {
		rc = r;
		goto out;
	}
	/* No database: a new one only where no earlier one left traces. */
	empty = lstat(db, &sb) == 0;
	if ((traces = statedir_traces(state_dir, NULL)) == NULL) {
		rc = store_open(db, out, err);
		goto out;
	}
	remove = statedir_traces(state_dir, empty ? "state.db" : NULL);
	*err = xasprintf("state.db is %s %s, which holds %s from an earlier "
	    "database (a new one would give every feed a new URL and lose "
	    "the action items and the outbox): restore a backup to %s (one "
	    "made with `plc-cadence backup FILE`; see \"Restoring a backup\" "
	    "in plc-cadence(8)), or remove %s to start afresh", empty ?
	    "empty in" : "missing from", state_dir, traces, db, remove);
out:
	free(remove);
	free(traces);
	free(db);
	return rc;
}
