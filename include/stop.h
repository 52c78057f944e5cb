/* stop: a request to stop, as seen by sends that take a while.
 *
 * SIGTERM often reaches the worker while the planning thread is inside a
 * batch of sends.  A struct stop watches a descriptor that is readable while
 * a stop is pending (a signalfd for SIGTERM and SIGINT that nobody reads:
 * the loop's own signalfd takes the signal later) and, from the moment it
 * first sees it, gives the sends in flight a grace period: no new send
 * starts, and whatever is still going when the grace is over is cut off and
 * retried at the next start.
 *
 * One per planning thread; no I/O but a zero-timeout poll(2) on the fd.
 */
#ifndef PLC_STOP_H
#define PLC_STOP_H

#include <stdbool.h>
#include <stdint.h>

struct stop;

/* Watch fd (the caller's; it stays open while the stop lives) with a grace
 * of grace_ms.  Never fails. */
struct stop	*stop_new(int fd, int64_t grace_ms);
void		 stop_free(struct stop *s);

/* Has a stop been asked for?  Once true, stays true.  NULL: never. */
bool		 stop_asked(struct stop *s);
/* Asked for, and the grace is over: cut off what is still in flight. */
bool		 stop_overdue(struct stop *s);
/* Milliseconds of grace left, at most cap; cap when no stop was asked. */
int64_t		 stop_wait_ms(struct stop *s, int64_t cap);
/* The descriptor watched (to poll beside one's own), or -1 (NULL too). */
int		 stop_fd(const struct stop *s);

/*
 * What a long wait inside a cycle (a fetch, a calendar parsed in a child)
 * looks at: a stop that cuts it short, and a sign of life given about once
 * a second while it waits, for the systemd watchdog.  The sign comes only
 * from waits that are bounded themselves, so a cycle that truly hangs still
 * trips the watchdog.  Borrowed by those who take it; NULL members: none.
 */
struct stop_watch {
	struct stop	*stop;
	void		(*alive)(void *arg);
	void		*arg;
};
/* w->alive(w->arg), if there is one; w may be NULL. */
void		 stop_alive(const struct stop_watch *w);
/* stop_asked(w->stop); false for a NULL w. */
bool		 stop_watch_asked(const struct stop_watch *w);

#endif
