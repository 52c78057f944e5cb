/* page: the small HTML pages behind a one-click link (/a/LINK).
 *
 * Pure: plain values in, a whole HTML document out.  Every string put into
 * a page is untrusted (item titles, config names) and HTML-escaped.  The
 * pages are plain, accessible HTML: a language, a title, headings, a
 * definition list of the item's facts and a real <form> with a real button
 * (no script), readable at any zoom and by screen readers.
 */
#ifndef PLC_PAGE_H
#define PLC_PAGE_H

#include <stdbool.h>

/* What a page says about an item; every string is borrowed. */
struct page_item {
	const char	*title;
	const char	*owner;		/* the owner's name */
	const char	*community;	/* the community's name */
	const char	*due;		/* "2026-12-01 (America/New_York)" */
	bool		 done;
};

/* s with &, <, >, " and ' as character references; allocated.  NULL is "". */
char	*page_escape(const char *s);

/*
 * The page GET shows: the item and, while it is open, a form that POSTs to
 * the same URL with a "Mark done" button.  Allocated.
 */
char	*page_item(const struct page_item *it);
/* After POST: "marked done", or (already) "was already done".  Allocated. */
char	*page_done(const struct page_item *it, bool already);
/* A link that is forged, tampered with, expired or for no item.  Allocated. */
char	*page_refused(void);
/* A link made before its item was last reopened.  Allocated. */
char	*page_stale(void);
/* The database could not answer: try again, nothing changed.  Allocated. */
char	*page_busy(void);

/* What an RSVP page (/v/LINK) says; every string borrowed, untrusted. */
struct page_rsvp {
	const char	*community;	/* the community's name */
	const char	*member;	/* the member's name */
	const char	*when;		/* "Tue 8 Dec 2026 15:30–16:15 (zone)" */
	int		 answer;	/* 0 none yet, 1 coming, 2 not coming */
	bool		 open;		/* before the start: can answer */
	bool		 cancelled;
	const char	*status;	/* after a POST: what was recorded */
};
/*
 * The meeting, the answer so far and, while open, two forms that POST to
 * the same URL with ?answer=yes ("I'll be there") and ?answer=no ("I can't
 * come").  Allocated.
 */
char	*page_rsvp(const struct page_rsvp *r);

/* What a move-here page (/m/LINK) says; strings borrowed, untrusted. */
struct page_move {
	const char	*community;
	const char	*from;		/* the meeting as it is now */
	const char	*to;		/* the slot offered */
	bool		 open;		/* can still be moved */
	bool		 done;		/* the meeting is at that slot */
	const char	*status;	/* after a POST */
};
/* The offer and, while open and not done, a "Move it here" form. */
char	*page_move(const struct page_move *m);

/*
 * Whether a POST to a signed page may go ahead: its Origin and Referer
 * headers (untrusted, NULL when absent) must, where present, name the
 * origin of public_url ("https://plc.example.edu", trusted, from the
 * config): same scheme, host (case-insensitive) and port (an absent port
 * being the scheme's default).  Origin is checked first; "null" (an opaque
 * origin) is never a match.  Neither header present: true (mail clients
 * and privacy settings send none, and the link's MAC is what authorises).
 * A NULL public_url matches no header.
 */
bool	page_origin_ok(const char *public_url, const char *origin,
	    const char *referer);

/*
 * The shared document of every signed page: a title, a heading (both
 * escaped here) and a body that is already HTML.  Allocated.
 */
char	*page_doc(const char *title, const char *heading, const char *body);

/* A POST from another site (page_origin_ok false): nothing changed. */
char	*page_cross_origin(void);

#endif
