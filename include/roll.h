/* roll: the attendance page behind a signed /t/LINK (issue 16, branch
 * report).
 *
 * Pure: plain values in, a whole HTML document out (page_doc's), every
 * string HTML-escaped.  One checkbox per member, ticked as given, in a
 * real <form> that POSTs to the same URL (no script); and the parser of
 * that form's body.
 */
#ifndef PLC_ROLL_H
#define PLC_ROLL_H

#include <stdbool.h>
#include <stddef.h>

/* One member on the roll; strings borrowed. */
struct roll_entry {
	const char	*id;		/* a config ID: [a-z][a-z0-9_-]* */
	const char	*name;
	bool		 ticked;
};

/* Where the ticks of a roll come from. */
enum roll_from {
	ROLL_FROM_NONE,		/* nothing recorded, no answer: none ticked */
	ROLL_FROM_RSVP,		/* the "I'll be there" answers */
	ROLL_FROM_RECORDED	/* attendance recorded before */
};

/*
 * The page: the meeting (community name and "Tue 8 Dec (series date
 * 2026-12-08)"), where the ticks come from, the checkboxes and a "Save
 * attendance" button; after a POST (saved), a line that says it was saved.
 * Allocated.
 */
char	*roll_page(const char *community, const char *when,
	    const struct roll_entry *v, size_t n, enum roll_from from,
	    bool saved);

/*
 * Tick v[i] for every "present=ID" pair of an
 * application/x-www-form-urlencoded body (untrusted: any bytes, len of
 * them) and untick the rest.  Returns 0, or -1 when the body names
 * someone not in v or is not such a body (nothing is then to be saved).
 */
int	roll_parse(const char *body, size_t len, struct roll_entry *v,
	    size_t n);

#endif
