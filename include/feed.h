/* feed: what goes into one iCalendar feed, as plain values.
 *
 * The worker gathers this from the config and the store; ical.c renders it.
 * Nothing here does I/O.  There is one feed per member (the meetings of all
 * their communities and their own open action items) and one per community
 * (its meetings and all its open items).
 */
#ifndef PLC_FEED_H
#define PLC_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "civil.h"
#include "config.h"

/*
 * The stored state of one community's meeting series: a UID that never
 * changes, a SEQUENCE that rises when the series changes, and the change
 * times that DTSTAMP/LAST-MODIFIED/CREATED come from, so that the same state
 * renders byte-identical.  day/at are the slot in force (resolved from
 * `auto` when the config says so).
 */
struct feed_series {
	const struct config_community	*community;	/* as the epoch renders */
	const struct config_community	*origin;	/* in the config */
	int				 epoch;		/* orders a series' VEVENTs */
	const char			*uid;
	int				 sequence;
	time_t				 created;
	time_t				 changed;
	int				 day;	/* CIVIL_MO..SU */
	struct civil_time		 at;
};

/* An open action item: an all-day event on its due date. */
struct feed_item {
	int64_t				 id;
	const struct config_community	*community;
	const struct config_member	*owner;
	const char			*title;	/* untrusted text */
	const char			*notes;	/* untrusted text, may be NULL */
	struct civil_date		 due;
	int				 sequence;
	time_t				 created;
	time_t				 changed;
	const char			*link;	/* "mark done" URL, may be NULL */
};

enum feed_kind { FEED_MEMBER, FEED_COMMUNITY };

struct feed_input {
	const struct config		*cfg;
	enum feed_kind			 kind;
	const struct config_member	*member;	/* FEED_MEMBER */
	const struct config_community	*community;	/* FEED_COMMUNITY */
	const char			*url;	/* this feed's URL, or NULL;
						 * never written in an event */
	/* Series of the communities this feed shows, any order. */
	const struct feed_series	*series;
	size_t				 nseries;
	/* Open items this feed shows (already filtered by the caller). */
	const struct feed_item		*items;
	size_t				 nitems;
	/* Branch report: a per-meeting notes_url ({date}) is each
	 * occurrence's URL through a RECURRENCE-ID override for the
	 * meetings starting in [notes_from, notes_to) (publish: the start
	 * of time to now + horizon); notes_to <= notes_from: none. */
	time_t				 notes_from, notes_to;
};

/*
 * What identifies a series' published shape: its rule, day, time, duration,
 * location, start and until, its zone, and its exceptions (skipped dates,
 * including the skip calendars' dates, moves and cancellations: RFC 5546
 * counts EXDATE and RECURRENCE-ID changes as significant), and the name
 * (SUMMARY).  Not the description, URL or organizer (feed_series_detail):
 * when those change, DTSTAMP and LAST-MODIFIED do, SEQUENCE does not.
 * A printable, versioned string; allocated, the caller frees.
 */
char	*feed_series_fingerprint(const struct config_community *c, int day,
	    struct civil_time at);

/*
 * The UID of a community's series: "<id>.series@<host of public_url>", so it
 * survives restarts, config reorderings and even a lost database.
 * Allocated; the caller frees.
 */
char	*feed_series_uid(const struct config *cfg,
	    const struct config_community *c);
/* What else an event of c shows: description, URL, organizer.  Allocated. */
char	*feed_series_detail(const struct config *cfg,
	    const struct config_community *c);
/*
 * The UID of epoch n of c's series in an install:
 * "<id>.series.<install>@<host>" for the first, "….<install>.<n>@<host>"
 * after.  install may be NULL (a state without one).  Allocated.
 */
char	*feed_epoch_uid(const char *host, const struct config_community *c,
	    const char *install, int n);
/* "<n>.item@<host>"; allocated. */
char	*feed_item_uid(const struct config *cfg, int64_t id);
/* The same from the host part alone (feed_uid_host), for a feed of
 * thousands of items; allocated. */
char	*feed_uid_host(const struct config *cfg);
char	*feed_item_uid_at(const char *host, int64_t id);

#endif
