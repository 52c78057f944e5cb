/* plan: the reminder planner — which messages should exist for meetings.
 *
 * Pure: no I/O and no clock; `now` is a parameter.  From a community's
 * meetings (cadence_expand) and its `remind` lead times it builds the
 * messages the outbox should hold: a reminder per member (required and
 * optional) per meeting per lead time on each of the member's `notify`
 * channels, a community post per meeting per lead time on each of the
 * community's `notify` channels, and for a cancelled meeting one notice per
 * recipient and channel instead of its reminders.
 *
 * Dedup keys are built from the series date (cadence_occ.orig), so a moved
 * meeting keeps its keys and only its due time and text change:
 *	meet:math7:2026-11-03:1d:member:bob:email
 *	meet:math7:2026-11-03:1h:community:math7:demo-chat
 *	cancel:math7:2026-12-08:member:bob:email
 * Every key of community C starts with PLAN_PREFIX_MEET "C:" or
 * PLAN_PREFIX_CANCEL "C:", the scope the outbox withdraws within.
 */
#ifndef PLC_PLAN_H
#define PLC_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "civil.h"
#include "config.h"

#define PLAN_PREFIX_MEET	"meet:"
#define PLAN_PREFIX_CANCEL	"cancel:"

/* The message kinds, as stored in outbox.kind. */
#define PLAN_KIND_REMINDER	"reminder"
#define PLAN_KIND_CANCEL	"cancellation"
#define PLAN_KIND_SLOT		"slot"
#define PLAN_PREFIX_SLOT	"slot:"

/* Who a message is for, as stored in outbox.audience: one member (their
 * reminder, on one of their channels) or a community's channel. */
#define PLAN_AUDIENCE_MEMBER	"member"
#define PLAN_AUDIENCE_COMMUNITY	"community"

/* The channel of an e-mail message; any other value is a channel ID. */
#define PLAN_CHANNEL_EMAIL	"email"

/*
 * A cancellation notice goes out this long before the meeting (or at the
 * first reminder when that is earlier), or at once when that is past:
 * early enough to plan around, not so early that it is forgotten.
 */
#define PLAN_CANCEL_LEAD	(7 * CIVIL_DAY)

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
					   meeting a reminder or cancellation
					   is about; NULL for any other */
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
 * Returns the count with *out allocated and sorted by due time, then dedup
 * key (free with plan_free; NULL when the count is 0), or -1 with *err
 * allocated when the meetings cannot be expanded.  The config is trusted
 * (validated by config_load); its text is copied into subjects and bodies
 * with control characters replaced, so no line break reaches a subject.
 */
long	plan_meetings(const struct config_community *c, int day,
	    struct civil_time at, time_t from, time_t to, time_t now,
	    struct plan_msg **out, char **err);
/*
 * The notice that an `auto` community's meeting has a new slot (day, at):
 * one message per recipient and channel, as for reminders, due now, with
 * the first meeting at the new time in [now, to) (its line in the member's
 * zone) and expiring when it starts.  The dedup key names the slot
 * ("slot:math7:WE-15:30:member:bob:email"), so each slot is told once.
 * No meeting in [now, to): no message.  Returns the count with *out
 * allocated (free with plan_free), or -1 with *err allocated.
 */
long	plan_slot(const struct config_community *c, int day,
	    struct civil_time at, time_t now, time_t to, struct plan_msg **out,
	    char **err);
void	plan_free(struct plan_msg *msgs, long n);

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
/* "Tue 3 Nov 15:30", instant t's wall time in tz (NULL: UTC). */
#define PLAN_INSTANT_LEN	48
void	plan_instant(const struct tz *tz, time_t t, char *buf, size_t len);
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
