/* jail: a forked child with limits, answering over a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if __has_include(<seccomp.h>)
#include <seccomp.h>
#define JAIL_SECCOMP 1
#endif

#include "jail.h"

/* The child answers on this descriptor, its only one (with stderr in a
 * sanitizer build, where the sanitizer's report is the point). */
#define JAIL_FD		3
#define JAIL_TICK_MS	1000	/* a sign of life at least this often */
#define JAIL_WHY_MAX	200

/* Exit codes of the child when its own set-up fails. */
#define JAIL_EXIT_SETUP	70

static int64_t
jail_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Every descriptor but JAIL_FD (and stderr under a sanitizer). */
static void
jail_close_fds(void)
{
	struct rlimit	rl;
	long		fd, max = 1024;

#if defined(__SANITIZE_ADDRESS__)
	close(0);
	close(1);
#else
	close(0);
	close(1);
	close(2);
#endif
	if (close_range(JAIL_FD + 1, ~0U, 0) == 0)
		return;
	/* Older kernels, or a filter that forbids close_range. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = (long)rl.rlim_cur;
	for (fd = JAIL_FD + 1; fd < max; fd++)
		close((int)fd);
}

/* The address space the child has now, from /proc/self/statm; 0 unknown. */
static size_t
jail_vsize(void)
{
	char	buf[128];
	ssize_t	n;
	int	fd;
	size_t	pages;

	if ((fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%zu", &pages) != 1)
		return 0;
	return pages * (size_t)sysconf(_SC_PAGESIZE);
}

#ifdef JAIL_SECCOMP
/*
 * Read, write, memory, time and ending: what parsing needs.  Opening a file
 * fails with EACCES (libical looks a zone up by name, and must simply not
 * find it), ioctl with ENOTTY; anything else kills the child with SIGSYS.
 */
static int
jail_filter(void)
{
	static const int allow[] = {
		SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(close),
		SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(brk),
		SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
		SCMP_SYS(mprotect), SCMP_SYS(madvise),
		SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
		SCMP_SYS(rt_sigaction), SCMP_SYS(sigaltstack),
		SCMP_SYS(futex), SCMP_SYS(clock_gettime),
		SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(getpid),
		SCMP_SYS(gettid), SCMP_SYS(tgkill), SCMP_SYS(getrandom),
		SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(lseek),
		SCMP_SYS(sched_yield), SCMP_SYS(nanosleep),
		SCMP_SYS(clock_nanosleep), SCMP_SYS(prlimit64),
		SCMP_SYS(getrlimit), SCMP_SYS(restart_syscall),
	};
	static const int deny[] = {
		SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2),
		SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(access),
		SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(readlink),
		SCMP_SYS(readlinkat),
	};
	scmp_filter_ctx	ctx;
	size_t		i;
	int		rc = -1;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return -1;
	for (i = 0; i < sizeof(allow) / sizeof(allow[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allow[i], 0) != 0)
			goto out;
	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), deny[i],
		    0) != 0)
			goto out;
	/* stdio (and a sanitizer's report) asks whether stderr is a tty. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(ioctl),
	    0) != 0)
		goto out;
	rc = seccomp_load(ctx) == 0 ? 0 : -1;
out:
	seccomp_release(ctx);
	return rc;
}
#endif

static void
jail_write_all(const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		w = write(JAIL_FD, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(JAIL_EXIT_SETUP);
		p += w;
		n -= (size_t)w;
	}
}

/* The child: never returns. */
static void
jail_child(const struct jail_job *job, int wfd, pid_t parent)
{
	struct rlimit	 rl;
	struct xbuf	 out = { NULL, 0, 0 };
	sigset_t	 none;
	char		*err = NULL, kind;
	size_t		 vsize;
	rlim_t		 cpu = (rlim_t)(job->cpu_s > 0 ? job->cpu_s : JAIL_CPU_S);
	int		 rc;

	/* The parent's mask blocks SIGTERM for its signalfd: a stop sent to
	 * the whole service must end the child too. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(JAIL_EXIT_SETUP);
	if (wfd != JAIL_FD) {
		if (dup2(wfd, JAIL_FD) == -1)
			_exit(JAIL_EXIT_SETUP);
		close(wfd);
	}
	jail_close_fds();
	vsize = jail_vsize();
	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) == -1 ||
	    setrlimit(RLIMIT_FSIZE, &rl) == -1)
		_exit(JAIL_EXIT_SETUP);
	/* SIGXCPU at the soft limit, SIGKILL a second later. */
	rl.rlim_cur = cpu;
	rl.rlim_max = cpu + 1;
	if (setrlimit(RLIMIT_CPU, &rl) == -1)
		_exit(JAIL_EXIT_SETUP);
	/* Counted above what the fork inherited: a sanitizer reserves
	 * terabytes of address space it never touches. */
	if (vsize > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)vsize +
		    (job->mem > 0 ? job->mem : JAIL_MEM);
		if (setrlimit(RLIMIT_AS, &rl) == -1)
			_exit(JAIL_EXIT_SETUP);
	}
	if (job->prepare != NULL)
		job->prepare(job->arg);
	rl.rlim_cur = rl.rlim_max = JAIL_FD + 1;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		_exit(JAIL_EXIT_SETUP);
#ifdef JAIL_SECCOMP
	if (jail_filter() == -1)
		_exit(JAIL_EXIT_SETUP);
#endif
	rc = job->work(job->arg, &out, &err);
	kind = rc == 0 ? 'o' : 'e';
	jail_write_all(&kind, 1);
	if (rc == 0)
		jail_write_all(out.s != NULL ? out.s : "", out.len);
	else
		jail_write_all(err != NULL ? err : "failed",
		    strlen(err != NULL ? err : "failed"));
	_exit(0);
}

/* A reason from the child, made safe to log: printable ASCII, capped. */
static char *
jail_clean(const char *p, size_t n)
{
	char	*s;
	size_t	 i;

	if (n > JAIL_WHY_MAX)
		n = JAIL_WHY_MAX;
	s = xstrndup(p, n);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			s[i] = '?';
	return s;
}

/* Why a child that did not answer properly ended. */
static char *
jail_death(int status, const struct rusage *ru, int cpu_s, bool timed_out,
    bool too_big)
{
	int64_t	cpu_ms;
	int	sig;

	cpu_ms = ((int64_t)ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000 +
	    (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1000;
	if (too_big)
		return xstrdup("answer too large");
	if (timed_out)
		return xstrdup("time limit");
	if (WIFSIGNALED(status)) {
		sig = WTERMSIG(status);
		if (sig == SIGXCPU || (sig == SIGKILL &&
		    cpu_ms >= (int64_t)cpu_s * 1000))
			return xstrdup("cpu limit");
		if (sig == SIGSYS)
			return xstrdup("forbidden system call");
		/* xmalloc aborts when an allocation fails: under RLIMIT_AS,
		 * that is the memory limit. */
		if (sig == SIGABRT)
			return xstrdup("memory limit");
		return xasprintf("crashed (%s)", strsignal(sig));
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == JAIL_EXIT_SETUP)
		return xstrdup("the child could not set up its limits");
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		/* A sanitizer's allocator ends this way when out of memory. */
		return xasprintf("crashed (exit %d)", WEXITSTATUS(status));
	return xstrdup("garbled answer");
}

/* A child at work, as the parent sees it. */
struct jail_kid {
	size_t		 job;		/* index into the jobs */
	pid_t		 pid;
	int		 fd;		/* the read end of its pipe */
	struct xbuf	 b;		/* its answer so far */
	int64_t		 deadline;	/* wall-clock cap, monotonic ms */
	bool		 eof, timed_out, too_big;
};

/* Fork a child for job; 0, or -1 with a->why set (pipe or fork failed). */
static int
jail_start(const struct jail_job *job, struct jail_kid *k,
    struct jail_answer *a)
{
	int	p[2];
	pid_t	parent = getpid();

	/* The slot may hold a moved child's copy: start it afresh. */
	memset(k, 0, sizeof(*k));
	if (pipe2(p, O_CLOEXEC) == -1) {
		a->result = JAIL_FAILED;
		a->why = xasprintf("pipe: %s", strerror(errno));
		return -1;
	}
	if ((k->pid = fork()) == -1) {
		a->result = JAIL_FAILED;
		a->why = xasprintf("fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (k->pid == 0) {
		close(p[0]);
		jail_child(job, p[1], parent);
	}
	close(p[1]);
	k->fd = p[0];
	k->deadline = jail_mono_ms() + (int64_t)(job->cpu_s > 0 ? job->cpu_s :
	    JAIL_CPU_S) * JAIL_WALL_FACTOR * 1000;
	return 0;
}

/*
 * Reap k (killed first unless its answer ended) and sort its end into a:
 * stopped says a stop was asked.  The wait is bounded by k's deadline.
 */
static void
jail_finish(const struct jail_job *job, struct jail_kid *k, bool stopped,
    const struct stop_watch *w, struct jail_answer *a)
{
	struct rusage	ru;
	int		status = 0;
	pid_t		got;

	close(k->fd);
	if (!k->eof)
		kill(k->pid, SIGKILL);
	/* After EOF the child is on its way out; a child that closed its
	 * pipe and went on is killed at the deadline. */
	while ((got = wait4(k->pid, &status, k->eof ? WNOHANG : 0, &ru)) ==
	    0 || (got == -1 && errno == EINTR)) {
		if (got == 0 && (jail_mono_ms() >= k->deadline ||
		    stop_watch_asked(w))) {
			stopped = stop_watch_asked(w);
			k->timed_out = !stopped;
			k->eof = false;
			kill(k->pid, SIGKILL);
			continue;
		}
		if (got == 0)
			poll(NULL, 0, 10);
	}
	if (got == -1)
		memset(&ru, 0, sizeof(ru));
	if (stopped) {
		a->why = xstrdup("stopped");
		a->result = JAIL_STOPPED;
	} else if (k->eof && got == k->pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0 && k->b.len >= 1 && (k->b.s[0] == 'o' ||
	    k->b.s[0] == 'e')) {
		if (k->b.s[0] == 'e') {
			a->why = jail_clean(k->b.s + 1, k->b.len - 1);
			a->result = JAIL_REFUSED;
		} else {
			a->len = k->b.len - 1;
			a->out = xmalloc(a->len + 1);
			memcpy(a->out, k->b.s + 1, a->len);
			a->out[a->len] = '\0';
			a->result = JAIL_OK;
		}
	} else {
		a->why = jail_death(status, &ru, job->cpu_s > 0 ? job->cpu_s :
		    JAIL_CPU_S, k->timed_out, k->too_big);
		a->result = JAIL_FAILED;
	}
	free(k->b.s);
	memset(k, 0, sizeof(*k));
}

void
jail_answer_clear(struct jail_answer *a)
{
	if (a == NULL)
		return;
	free(a->out);
	free(a->why);
	memset(a, 0, sizeof(*a));
}

void
jail_run_all(const struct jail_job *jobs, size_t n, int parallel,
    const struct stop_watch *w, struct jail_answer *ans)
{
	struct jail_kid	*kids;
	struct pollfd	*pfd;
	char		 buf[65536];
	size_t		 next = 0, nk = 0, i, max;
	int64_t		 now, wake, next_tick;
	int		 sfd, np;
	bool		 stopped = false;
	ssize_t		 r;

	memset(ans, 0, n * sizeof(*ans));
	if (parallel < 1)
		parallel = 1;
	kids = xcalloc((size_t)parallel, sizeof(*kids));
	pfd = xcalloc((size_t)parallel + 1, sizeof(*pfd));
	sfd = w != NULL ? stop_fd(w->stop) : -1;
	next_tick = jail_mono_ms() + JAIL_TICK_MS;
	while (next < n || nk > 0) {
		if (stop_watch_asked(w)) {
			stopped = true;
			break;
		}
		/* Keep `parallel` children at work. */
		while (nk < (size_t)parallel && next < n) {
			if (jail_start(&jobs[next], &kids[nk], &ans[next]) == 0)
				kids[nk++].job = next;
			next++;
		}
		if (nk == 0)
			continue;
		now = jail_mono_ms();
		if (now >= next_tick) {
			stop_alive(w);
			next_tick = now + JAIL_TICK_MS;
		}
		/* A child past its wall-clock cap is done with. */
		wake = next_tick;
		for (i = 0; i < nk; ) {
			if (now >= kids[i].deadline) {
				kids[i].timed_out = true;
				jail_finish(&jobs[kids[i].job], &kids[i], false,
				    w, &ans[kids[i].job]);
				kids[i] = kids[--nk];
				continue;
			}
			if (kids[i].deadline < wake)
				wake = kids[i].deadline;
			i++;
		}
		if (nk == 0)
			continue;
		for (i = 0; i < nk; i++) {
			pfd[i].fd = kids[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		np = (int)nk;
		if (sfd != -1) {
			pfd[np].fd = sfd;
			pfd[np].events = POLLIN;
			pfd[np].revents = 0;
			np++;
		}
		if (poll(pfd, (nfds_t)np, (int)(wake > now ? wake - now : 0)) ==
		    -1 && errno != EINTR)
			break;
		if (stop_watch_asked(w)) {
			stopped = true;
			break;
		}
		/* Read what is there; an answer ends at EOF.  Backwards, so
		 * that a finished child's slot takes the last one's. */
		for (i = nk; i-- > 0; ) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(kids[i].fd, buf, sizeof(buf));
			if (r == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			max = jobs[kids[i].job].max_out > 0 ?
			    jobs[kids[i].job].max_out : JAIL_MAX_OUT;
			if (r > 0 && kids[i].b.len + (size_t)r > max + 1)
				kids[i].too_big = true;
			else if (r > 0) {
				xbuf_add(&kids[i].b, buf, (size_t)r);
				continue;
			} else
				kids[i].eof = true;
			jail_finish(&jobs[kids[i].job], &kids[i], false, w,
			    &ans[kids[i].job]);
			/* pfd[] is not read again before it is rebuilt. */
			kids[i] = kids[--nk];
		}
	}
	/* A stop, or poll failing: every child still at work is killed. */
	for (i = 0; i < nk; i++)
		jail_finish(&jobs[kids[i].job], &kids[i], stopped, w,
		    &ans[kids[i].job]);
	for (; next < n; next++) {
		ans[next].result = stopped ? JAIL_STOPPED : JAIL_FAILED;
		ans[next].why = xstrdup(stopped ? "stopped" : "not run");
	}
	free(pfd);
	free(kids);
}

enum jail_result
jail_run(const struct jail_job *job, const struct stop_watch *w, char **out,
    size_t *len, char **why)
{
	struct jail_answer	a;

	jail_run_all(job, 1, 1, w, &a);
	*out = a.out;
	*len = a.len;
	*why = a.why;
	return a.result;
}
