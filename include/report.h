/* report: the accountability report of one community.
 *
 * Pure: plain values in (items, meetings, attendance, RSVP answers, the
 * period and now), figures out, and the figures rendered as text, as an
 * HTML page with inline SVG charts (no script) and as an HTML e-mail
 * (tables only: what Gmail and Outlook render).  Every string put into
 * HTML is escaped.
 *
 * The figures, over the period [from, to] (community-local dates):
 *   per member    items owned (due in the period), done on time (marked
 *                 done before the end of the due day, community-local),
 *                 done late, open (not done, due day not over at now),
 *                 overdue (not done, due day over); meetings expected (held
 *                 meetings, for a required member) and attended (marked
 *                 present); RSVP answers given.
 *   community     meetings planned (every meeting of the series in the
 *                 period, cancelled ones too), held (started by now, not
 *                 cancelled), moved, cancelled; attendance rate (present
 *                 marks of required members over what they were expected
 *                 at, over the held meetings whose attendance was
 *                 recorded; none when no such meeting); the median of days
 *                 from an item's creation to its being done (none when no
 *                 item is done).
 *   open over time the number of items open (created, not yet done) at
 *                 REPORT_POINTS evenly spaced instants of the period (up to
 *                 now).
 */
#ifndef PLC_REPORT_H
#define PLC_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "civil.h"
#include "tz.h"

/* One action item; strings borrowed. */
struct report_item {
	const char		*owner;		/* member ID */
	struct civil_date	 due;
	time_t			 created;
	bool			 done;
	time_t			 done_at;	/* when done */
};

/* One meeting of the series (cadence_occ's view of it). */
struct report_meeting {
	struct civil_date	 orig;		/* series date */
	time_t			 start;
	bool			 moved, cancelled;
};

/* One attendance mark. */
struct report_mark {
	const char		*member;
	struct civil_date	 meeting;	/* series date */
	bool			 present;
};

/* One RSVP answer (any answer counts). */
struct report_rsvp {
	const char		*member;
	struct civil_date	 meeting;
};

/* One member. */
struct report_person {
	const char		*id;
	const char		*name;
	bool			 required;
};

struct report_input {
	const char			*community;	/* ID */
	const char			*name;		/* display name */
	const struct tz			*tz;		/* NULL: UTC */
	const struct report_person	*people;
	size_t				 npeople;
	const struct report_item	*items;
	size_t				 nitems;
	const struct report_meeting	*meetings;	/* start order */
	size_t				 nmeetings;
	const struct report_mark	*marks;
	size_t				 nmarks;
	const struct report_rsvp	*rsvps;
	size_t				 nrsvps;
	struct civil_date		 from, to;	/* inclusive */
	time_t				 now;
};

struct report_member {
	const char	*id, *name;	/* borrowed from the input */
	bool		 required;
	int		 owned, on_time, late, open, overdue;
	int		 expected, attended, rsvps;
};

/* A meeting's row in the attendance strip. */
struct report_held {
	struct civil_date	 orig;
	bool			 recorded;	/* any mark for it */
	/* present[i] for people[i]: 1 present, 0 absent, -1 unknown. */
	signed char		*present;
};

#define REPORT_POINTS	12

struct report {
	const struct report_input *in;		/* borrowed */
	struct report_member	*members;	/* npeople of them */
	size_t			 nmembers;
	int			 planned, held, moved, cancelled;
	bool			 has_rate;
	double			 rate;		/* 0..1 */
	bool			 has_median;
	double			 median_days;
	int			 items_total, done_total;
	struct report_held	*helds;		/* the held meetings */
	size_t			 nheld;
	/* Items open at the instants at[0..npoints). */
	time_t			 at[REPORT_POINTS];
	int			 open_at[REPORT_POINTS];
	size_t			 npoints;
};

/* The figures of in (borrowed, must outlive r).  r is filled (free with
 * report_free). */
void	report_compute(const struct report_input *in, struct report *r);
void	report_free(struct report *r);

/* The report as plain text (the `report` command and the e-mail's text
 * part).  Allocated. */
char	*report_text(const struct report *r);

/* A whole HTML page with inline SVG charts (a stacked bar per member, an
 * attendance strip per meeting, a line of items open over time), no
 * script, print and phone friendly.  Allocated. */
char	*report_page_html(const struct report *r);

/* A whole HTML e-mail: the figures as tables with inline styles, no SVG,
 * no script; PROMPT_LINK_MARK (prompt.h) marks where the page's link
 * goes.  Allocated. */
char	*report_mail_html(const struct report *r);

/* "Report: Grade 7 Math PLC, 2026-09-01 to 2026-12-01".  Allocated. */
char	*report_subject(const struct report *r);

#endif
