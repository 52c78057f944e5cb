/* plan: the reminder planner — which messages should exist for meetings.
 *
 * Pure: no I/O and no clock; `now` is a parameter.  From a community's
 * meetings (cadence_expand) and its `remind` lead times it builds the
 * messages the outbox should hold: a community post per meeting per lead
 * time on each of the community's `notify` channels, standing for (and
 * mentioning) every member whose `notify` names that channel, and a
 * reminder per member (required and optional) per meeting per lead time on
 * each of the member's other `notify` channels.  A member away on the
 * meeting's day (in their zone) gets none, and a post does not stand for
 * them.  A cancelled meeting has no reminders.
 *
 * Changes (plan_changes) are told once, when first seen: one notice per
 * planning pass that finds any, with every changed meeting old → new, to
 * the same recipients as a reminder (away or not).
 *
 * Wording: times in the reader's zone on the reader's `clock` (a member's;
 * the worker's for a community post), zones named as people say them
 * (plan_zone_label: "Chicago time"), the community's time given second only
 * when its zone is not the reader's.  Every reminder ends with the work
 * section (worksum.h) of the community's action items, rendered for its
 * reader as of its due time (struct plan_work).
 *
 * Dedup keys are built from the series date (cadence_occ.orig), so a moved
 * meeting keeps its keys and only its due time and text change:
 *	meet:math7:2026-11-03:1d:member:bob:email
 *	meet:math7:2026-11-03:1h:community:math7:demo-chat
 *	change:math7:2026-12-08.2:member:bob:email
 * Every reminder key of community C starts with PLAN_PREFIX_MEET "C:", the
 * scope the outbox withdraws within (with PLAN_PREFIX_CANCEL "C:", the
 * cancellation notices earlier versions planned).  A reminder's topic is
 * its key without the lead time ("meet:math7:2026-11-03:member:bob:email"):
 * of the rows of one topic due at once, the outbox sends the nearest.
 */
#ifndef PLC_PLAN_H
#define PLC_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "civil.h"
#include "config.h"
#include "worksum.h"

#define PLAN_PREFIX_MEET	"meet:"
#define PLAN_PREFIX_CANCEL	"cancel:"

#define PLAN_PREFIX_CHANGE	"change:"
/* The notices of `auto` slots earlier versions planned. */
#define PLAN_PREFIX_SLOT	"slot:"

/* The message kinds, as stored in outbox.kind. */
#define PLAN_KIND_REMINDER	"reminder"
#define PLAN_KIND_CHANGE	"change"

/* Who a message is for, as stored in outbox.audience: one member (their
 * reminder, on one of their channels) or a community's channel. */
#define PLAN_AUDIENCE_MEMBER	"member"
#define PLAN_AUDIENCE_COMMUNITY	"community"

/* The channel of an e-mail message; any other value is a channel ID. */
#define PLAN_CHANNEL_EMAIL	"email"

/* A change notice says "Today:" or "Tomorrow:" for a meeting nearer
 * than this. */
#define PLAN_SOON		(2 * CIVIL_DAY)
/* A meeting that vanished is taken to have moved to a new one of the
 * series no further away than this (a day or cadence edit). */
#define PLAN_PAIR_SPAN		(7 * CIVIL_DAY)

/* One planned message.  Every string is owned by the message. */
struct plan_msg {
	char		*dedup;
	const char	*kind;		/* PLAN_KIND_…, static */
	char		*channel;	/* "email" or a channel ID */
	char		*recipient;	/* member ID, or community ID for posts */
	char		*subject;	/* one line, no control characters */
	char		*body;		/* plain text, '\n' line ends */
	time_t		 due;		/* when to send */
	time_t		 expires;	/* worthless after: the meeting's start */
	/* What the message is about, for the sender to read as columns
	 * rather than out of the dedup key. */
	const char	*audience;	/* PLAN_AUDIENCE_…, static */
	char		*member;	/* member ID; NULL for a community's */
	char		*community;	/* the community's ID */
	char		*meeting;	/* series date ("2026-11-03") of the
					   meeting a reminder or change is
					   about; NULL for any other */
	char		*members;	/* a community's post: the member IDs
					   it stands for, comma-separated;
					   NULL for none or a member's */
	char		*topic;		/* shared by the lead times of one
					   meeting or item for one recipient;
					   NULL for none */
	char		*html;		/* an e-mail's HTML alternative to
					   body, or NULL */
};

/*
 * The messages for community c's meetings whose start lies in [from, to).
 * day and at resolve `auto` (pass c->day and c->time when they are set), as
 * for cadence_expand.  now places cancellation notices (never before now)
 * and drops messages that expired before it; a message whose due time is
 * after its expiry is not planned either.
 *
 * With work (may be NULL), every reminder carries the
 * work section (below), personal for a member's reminder.
 *
 * Returns the count with *out allocated and sorted by due time, then dedup
 * key (free with plan_free; NULL when the count is 0), or -1 with *err
 * allocated when the meetings cannot be expanded.  The config is trusted
 * (validated by config_load); its text is copied into subjects and bodies
 * with control characters replaced, so no line break reaches a subject.
 */
struct plan_work;
long	plan_meetings(const struct config_community *c, int day,
	    struct civil_time at, time_t from, time_t to, time_t now,
	    const struct plan_work *work, struct plan_msg **out, char **err);

/*
 * The community's action items, for the work section (worksum.h) that every
 * meeting reminder carries, as of the reminder's due time: NULL to
 * plan_meetings leaves the section out.  Done items count as done since the
 * last meeting by their done_at.  Everything is borrowed.
 *
 * The section is rendered when the reminder is planned, and planned again on
 * every pass while the row is pending: store_outbox_plan replaces a pending
 * row's body when it changed, so an item done (or added) after one pass is
 * right in the reminder once the next pass has run.  The worker runs a pass
 * before it sends whenever the store changed since the last one (worker.c),
 * so what goes out reflects every change committed before it was sent.
 */
struct plan_work {
	const struct config		*cfg;	/* own channels from shared
						 * (notes); NULL: all shared */
	const struct worksum_item	*items;
	size_t				 n;
};
/* Meetings this far back are expanded for "done since the last meeting". */
#define PLAN_WORK_LOOKBACK	(92 * CIVIL_DAY)

/* What was last announced of one meeting (by its series date). */
struct plan_seen {
	char		meeting[CIVIL_DATE_LEN];
	time_t		start, end;
	bool		cancelled;
	int64_t		version;	/* times changed and told, from 1 */
};

/*
 * The change notices of community c's meetings starting in [now, to)
 * (day and at as for plan_meetings, every move and cancel applied), given
 * what was last announced (seen, nseen entries, any order; entries of
 * meetings that started before now are ignored).  A meeting whose start,
 * end or cancellation differs from its entry, a first-seen cancelled one,
 * and an entry in [now, to) gone from the series (announced as moved to
 * the nearest new meeting within PLAN_PAIR_SPAN, a day or cadence edit, or
 * else as cancelled) is a change; with first (an `auto` community's first
 * placement) so is its first meeting ("First meeting: …").  A meeting seen
 * for the first time is otherwise recorded silently.
 *
 * All changes of one call make one notice per recipient (plan.h's top), due
 * now, old → new in the recipient's zone, its subject "Today: "/"Tomorrow:
 * " first when a changed meeting is nearer than PLAN_SOON.  Its dedup key
 * names the first change and its new version
 * ("change:math7:2026-12-08.2:…"), so calling again with the updated
 * entries plans nothing, while a move back is told again.
 *
 * *snap gets the entries to store now (one per meeting in [now, to);
 * allocated, *nsnap long).  Returns the count of messages with *out
 * allocated (plan_free), or -1 with *err allocated.
 */
long	plan_changes(const struct config_community *c, int day,
	    struct civil_time at, time_t now, time_t to,
	    const struct plan_seen *seen, size_t nseen, bool first,
	    struct plan_msg **out, struct plan_seen **snap, size_t *nsnap,
	    char **err);
void	plan_free(struct plan_msg *msgs, long n);

/* Whether member mb is away on the day instant t falls on in their zone. */
bool	plan_member_away(const struct config_member *mb, time_t t);

/*
 * Pieces the other planners (nudge.h) share, so that every message words
 * dates and times the same way.
 */

/* A growing array of planned messages. */
struct plan_vec {
	struct plan_msg	*v;
	long		 n;
};
/* Appends a message and returns it, zeroed, for the caller to fill in. */
struct plan_msg	*plan_vec_push(struct plan_vec *pv);
/* Sorts by due time, then dedup key, as plan_meetings returns them. */
void	plan_vec_sort(struct plan_vec *pv);

/* Text (config or item, untrusted) with every control character made a
 * space, so that it is safe in a subject; allocated, NULL for NULL or "". */
char	*plan_clean(const char *s);
/* "Tue 3 Nov". */
#define PLAN_DAY_LEN	32
void	plan_day(struct civil_date d, char *buf, size_t len);
/*
 * A time of day as the reader's clock (config `clock`: 12 or 24; anything
 * else counts as 24) writes it: "15:30", or "3:30 PM", "12:00 PM" for noon
 * and "12:00 AM" for midnight.
 */
#define PLAN_TIME_LEN	16
void	plan_time(struct civil_time t, int clock, char *buf, size_t len);
/* "Tue 3 Nov 15:30" (or "Tue 3 Nov 3:30 PM"), instant t's wall time in tz
 * (NULL: UTC) on the reader's clock. */
#define PLAN_INSTANT_LEN	48
void	plan_instant(const struct tz *tz, int clock, time_t t, char *buf,
	    size_t len);
/*
 * A zone as people say it: "Chicago time" for America/Chicago, "Buenos
 * Aires time" for America/Argentina/Buenos_Aires (the IANA name's last
 * part, '_' as ' '), "UTC" for UTC; a name with no city (Etc/GMT+5) as it
 * is.  tz NULL is UTC.
 */
#define PLAN_ZONE_LEN	80
void	plan_zone_label(const struct tz *tz, char *buf, size_t len);
/* Whether a and b (NULL: UTC) are the same zone. */
bool	plan_zone_same(const struct tz *a, const struct tz *b);
/* A length of time in words: "3 days", "1 day 12 hours", "45 minutes". */
#define PLAN_SPAN_LEN	48
void	plan_span(int64_t secs, char *buf, size_t len);
/*
 * c's notes link for the meeting of series date d (branch report):
 * notes_url with every CONFIG_NOTES_DATE replaced by the ISO date.
 * Allocated; NULL when c has no notes_url.
 */
char	*plan_notes_url(const struct config_community *c, struct civil_date d);
/* Whether c's notes link differs per meeting (its template has {date}). */
bool	plan_notes_per_meeting(const struct config_community *c);

/* tz, or UTC for NULL. */
const struct tz	*plan_zone(const struct tz *tz);

/* Where a member's personal messages go: channel j of
 * plan_member_nchannels(mb), "email" or a channel ID.  No notify key means
 * e-mail. */
size_t	plan_member_nchannels(const struct config_member *mb);
const char *plan_member_channel(const struct config_member *mb, size_t j);

/*
 * The member chat channel ch belongs to, or NULL when it is shared.
 * Personal signed links and feed URLs may go only to a member's own
 * channel (or by e-mail), so a channel counts as one member's only when
 * the config gives it no other reader: that member's `notify` names it, and
 * no community's `notify` and no other member's `notify` or `chat` does.
 * Anything else, or a NULL cfg, is shared.  Everything is borrowed.
 */
const struct config_member *plan_channel_owner(const struct config *cfg,
	    const struct config_channel *ch);
/* Whether channel id chan ("email" or a channel ID) may carry mb's
 * personal links: e-mail, or mb's own channel (plan_channel_owner). */
bool	plan_channel_private(const struct config *cfg,
	    const struct config_member *mb, const char *chan);

#endif
