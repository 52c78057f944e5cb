/* jail: untrusted input worked on in a child process with no rights.
 *
 * In the privilege-separation style of OpenBSD's daemons: the bytes of a
 * calendar someone else controls are parsed and expanded in a forked child
 * that has a CPU-time limit (RLIMIT_CPU), an address-space limit (RLIMIT_AS,
 * counted above what it inherited), no descriptor but the pipe it answers
 * on, no core dumps, no new privileges, and (where libseccomp is built in) a
 * system-call filter that leaves it read, write and memory: no file, socket
 * or process can be opened or made.  The parent only reads plain bytes back
 * and validates them; a child that hangs, loops, blows up its memory,
 * crashes or answers garbage costs one source, never the worker.
 *
 * The parent polls the child's pipe beside the stop descriptor, so SIGTERM
 * is honoured at once (the child is killed), and gives a sign of life to
 * the watchdog about once a second while it waits: the wait is bounded by
 * the child's limits and a wall-clock cap, so the sign means something.
 *
 * The child is a fork of the calling process, which may have threads (the
 * HTTP server): it calls only the job's functions, on data the caller set
 * up before the call, and ends with _exit.  Not for use from two threads
 * at once.
 */
#ifndef PLC_JAIL_H
#define PLC_JAIL_H

#include <stddef.h>

#include "stop.h"
#include "xmalloc.h"

#define JAIL_CPU_S	10			/* CPU seconds per job */
#define JAIL_MEM	(256u * 1024 * 1024)	/* address space, above the
						   parent's */
#define JAIL_MAX_OUT	(64u * 1024 * 1024)	/* bytes of answer */
/* Wall-clock cap, as a multiple of the CPU limit: a child can block on
 * nothing, but a loaded machine stretches its CPU seconds. */
#define JAIL_WALL_FACTOR 6

struct jail_job {
	/*
	 * Runs in the child after its descriptors are closed and its limits
	 * set, before the system-call filter: the one place where it may
	 * still read a system file (the zoneinfo a calendar names).  It must
	 * not trust the input more than the work does.  NULL: none.
	 */
	void	(*prepare)(void *arg);
	/*
	 * The work, in the child, under the filter: appends its answer to
	 * *out and returns 0, or returns -1 with *err allocated (a short
	 * reason such as "parse error: …").  Its memory is the child's.
	 */
	int	(*work)(void *arg, struct xbuf *out, char **err);
	void	*arg;
	int	 cpu_s;		/* 0: JAIL_CPU_S */
	size_t	 mem;		/* 0: JAIL_MEM */
	size_t	 max_out;	/* 0: JAIL_MAX_OUT */
};

enum jail_result {
	JAIL_OK,	/* *out, *len: the work's answer (untrusted) */
	JAIL_REFUSED,	/* the work returned -1: *why is its reason */
	JAIL_FAILED,	/* *why: "cpu limit", "memory limit", "time limit",
			   "forbidden system call", "crashed (…)", "answer
			   too large", or a fork/pipe error */
	JAIL_STOPPED,	/* a stop was asked; the child was killed; *why */
};

/*
 * Run job in a child and wait for it, watching w (may be NULL: no stop, no
 * watchdog).  JAIL_OK: *out is allocated (NUL-terminated; the caller frees
 * it) with *len bytes, which the caller must validate as hostile input.
 * Every other result: *why allocated, printable, at most 200 bytes; *out
 * NULL.  The child is always reaped before this returns.
 */
enum jail_result jail_run(const struct jail_job *job,
	    const struct stop_watch *w, char **out, size_t *len, char **why);

/* One job's end in jail_run_all: jail_run's result, *out, *len and *why. */
struct jail_answer {
	enum jail_result	 result;
	char			*out;	/* JAIL_OK: the answer (untrusted) */
	size_t			 len;
	char			*why;	/* every other result */
};
void	jail_answer_clear(struct jail_answer *a);	/* NULL ok */

/*
 * Run n jobs, each in its own child with its own limits, at most parallel
 * (< 1: 1) of them at a time, and wait for all: ans[i] (n of them, filled
 * here; clear each with jail_answer_clear) is what jail_run would have
 * given for jobs[i].  One child per job, not threads in one child, so that
 * a hostile input that hits a limit, crashes or hangs costs its own job
 * only: RLIMIT_CPU and RLIMIT_AS count a whole process, and seccomp would
 * have to let a child clone.  A stop kills every child at work, and every
 * job not finished is JAIL_STOPPED.  Signs of life to w as jail_run gives.
 * Not for use from two threads at once.
 */
void	jail_run_all(const struct jail_job *jobs, size_t n, int parallel,
	    const struct stop_watch *w, struct jail_answer *ans);

#endif
