/* stop: a pending SIGTERM, seen from inside a batch of sends. */
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "stop.h"
#include "xmalloc.h"

struct stop {
	int	fd;
	int64_t	grace_ms;
	int64_t	deadline_ms;	/* -1 until the stop is seen */
};

static int64_t
stop_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct stop *
stop_new(int fd, int64_t grace_ms)
{
	struct stop	*s = xcalloc(1, sizeof(*s));

	s->fd = fd;
	s->grace_ms = grace_ms;
	s->deadline_ms = -1;
	return s;
}

void
stop_free(struct stop *s)
{
	free(s);
}

bool
stop_asked(struct stop *s)
{
	struct pollfd	pfd;

	if (s == NULL || s->fd == -1)
		return false;
	if (s->deadline_ms >= 0)
		return true;
	pfd.fd = s->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	/* Readable: a signal of the set is pending.  poll does not take it. */
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)) {
		s->deadline_ms = stop_mono_ms() + s->grace_ms;
		return true;
	}
	return false;
}

bool
stop_overdue(struct stop *s)
{
	return stop_asked(s) && stop_mono_ms() >= s->deadline_ms;
}

int64_t
stop_wait_ms(struct stop *s, int64_t cap)
{
	int64_t	left;

	if (!stop_asked(s))
		return cap;
	left = s->deadline_ms - stop_mono_ms();
	return left < 0 ? 0 : left < cap ? left : cap;
}

int
stop_fd(const struct stop *s)
{
	return s != NULL ? s->fd : -1;
}

void
stop_alive(const struct stop_watch *w)
{
	if (w != NULL && w->alive != NULL)
		w->alive(w->arg);
}

bool
stop_watch_asked(const struct stop_watch *w)
{
	return w != NULL && stop_asked(w->stop);
}
