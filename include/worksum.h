/* worksum: the work section of a meeting's messages — what is overdue, what
 * is due before the next meeting, and what got done since the last one.
 *
 * Pure: no I/O and no clock; the items and the instants are plain values.
 * ONE function renders the section, so that every place that shows it says
 * the same: the meeting reminders (plan.c, e-mail and the community's chat
 * post), the community summary of the weekly digest (nudge.c), and `check`'s
 * view of the next meeting (cmd_check.c).  `meeting show ID DATE` (branch
 * meeting) must call worksum_render too, with worksum_around on the
 * community's meetings, and never word the section itself.
 *
 * The section, for a reader at `at`:
 *
 *	Overdue:
 *	- #12 Post exit-ticket data — Bob Jones (yours) — due Fri 30 Oct, 3 days late
 *	    Notes: the grade 7 sheet
 *	Due before the next meeting (Tue 3 Nov):
 *	- #14 Book room 204 — Carol Diaz — due Tue 3 Nov
 *	Done since Tue 27 Oct: Carol Diaz — Book room 204 (#9); Bob Jones — Share exit tickets (#10)
 *	and 7 more: plc-cadence action list --community math7
 *	Mark one done: plc-cadence action done NUMBER
 *
 * - Overdue: open items whose due day is over in the READER's zone (an item
 *   due "today" in New York is not overdue for a Chicago reader at 23:30
 *   Chicago time), oldest first; "N days late" counts the reader's days.
 * - Due before the next meeting: the other open items due on or before the
 *   day (community zone) of the next meeting, soonest first; with no next
 *   meeting, those due within WORKSUM_NO_MEETING_DAYS of the reader's day.
 * - Done since the last meeting: items marked done at or after its start,
 *   in the order they were done; no line when there was no last meeting.
 * - A reader's own items come first in each part and say "(yours)"; their
 *   notes follow (one line, cut) when the view allows notes, which the
 *   caller allows only in a message that no one else reads.
 * - At most max_lines entries (item lines of the first two parts, one per
 *   entry of the done line), and while max_bytes allows; the rest is told
 *   as "and N more: plc-cadence action list --community ID".
 * - Nothing to list: "No open action items." (or, with open items due
 *   later only, "Nothing overdue or due before the next meeting; N open
 *   items due later.").
 * - No link of any kind: the section may go to a shared channel.
 *
 * Titles, notes and names are cleaned of control characters and cut on a
 * UTF-8 boundary; the section ends with '\n'.
 */
#ifndef PLC_WORKSUM_H
#define PLC_WORKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "civil.h"
#include "tz.h"

#define WORKSUM_LINES		10	/* entries shown at most */
#define WORKSUM_NO_MEETING_DAYS	7
#define WORKSUM_TITLE_MAX	120	/* bytes of a title shown */
#define WORKSUM_NOTES_MAX	240	/* bytes of notes shown */

/* One action item.  Everything is borrowed. */
struct worksum_item {
	int64_t			 id;
	const char		*title;		/* untrusted */
	const char		*notes;		/* untrusted; NULL: none */
	const char		*owner;		/* member ID */
	const char		*owner_name;	/* trusted; NULL: the ID */
	struct civil_date	 due;		/* a day in the community's zone */
	bool			 done;
	time_t			 done_at;	/* when last marked done */
};

/* Who reads the section, and when.  Everything is borrowed. */
struct worksum_view {
	const struct tz	*ctz;		/* the community's zone; NULL: UTC */
	const struct tz	*rtz;		/* the reader's; NULL: ctz */
	time_t		 at;		/* when it is read (the message's due
					 * time, not the planning pass's) */
	time_t		 last;		/* the last meeting's start; 0: none */
	time_t		 next;		/* the next meeting's start; 0: none */
	const char	*reader;	/* member ID; NULL: a community post */
	bool		 notes;		/* the reader's own items' notes */
	const char	*community;	/* its ID, for the "more" command */
	size_t		 max_lines;	/* 0: WORKSUM_LINES */
	size_t		 max_bytes;	/* 0: no limit; else at least ~200 */
};

/*
 * The section for items[0..n-1] (any order) as view v sees it; allocated,
 * never NULL.  Depends only on its arguments, so that planning again with
 * the same items gives the same text.
 */
char	*worksum_render(const struct worksum_item *items, size_t n,
	    const struct worksum_view *v);

/*
 * Of the meeting starts[0..n-1] (ascending; cancelled ones left out by the
 * caller), the last that started before at (*last, 0: none) and the first
 * at or after it (*next, 0: none).
 */
/* "Tue 3 Nov": how every message writes a day (plan_day is this). */
#define WORKSUM_DAY_LEN	32
void	worksum_day(struct civil_date d, char *buf, size_t len);

void	worksum_around(const time_t *starts, size_t n, time_t at, time_t *last,
	    time_t *next);

#endif
