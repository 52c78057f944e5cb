/* nudge: the action-item planner — deadline nudges, escalations, digests.
 *
 * Pure: no I/O and no clock; `now` is a parameter and the items are plain
 * values (the worker reads them from the store).  From a community's open
 * items it builds the messages the outbox should hold:
 *
 *   nudges       to the owner at each `action_remind` lead time before the
 *                due date.  The due date is a day in the community's zone;
 *                a lead time counts back from NUDGE_MORNING (08:00) in the
 *                OWNER's zone on that date, whole days as calendar days:
 *                `0d` is 08:00 on the due day, `2d` 08:00 two days before,
 *                `12h` 20:00 the evening before.  Of the nudges that
 *                would have been due before the item was added, only the
 *                latest is planned, due when the item was added (or
 *                when the owner's quiet hours then end).
 *   escalations  to the facilitator, once the item is `escalate` past the
 *                end of its due day (midnight in the community's zone),
 *                and again every `escalate` after that while it is open;
 *                period k (1, 2, …) is due at end + k × escalate.  `0d`
 *                counts as one day.
 *   digests      each week at `digest` (community-local), to every member
 *                who owns open items of the community, listing them with
 *                the overdue ones first, then soonest due first; and one
 *                post per digest on each of the community's `notify`
 *                channels that sums them up: the counts, then the work
 *                section of the meeting reminders (worksum_render, as of
 *                the digest's time, between the last and the next meeting),
 *                then who owns how many.  Nobody with nothing open gets one; neither does
 *                a community with nothing open.
 *
 * An item's notes appear only where its owner alone reads them: the nudge
 * and the member's digest by e-mail and on the owner's own channel, never a
 * shared copy or a community post.  Times are on the reader's `clock`, zones
 * named as people say them (plan_zone_label), the community's zone only when
 * it is not the reader's.
 *
 * Every personal message (nudge, escalation, member digest) that would fall
 * inside the worker's quiet_hours in its RECIPIENT's zone is moved to the
 * end of those quiet hours.  Community posts are not moved.  A nudge or
 * digest due on one of the recipient's `away` days is moved to
 * NUDGE_MORNING_H on their first day back (then out of quiet hours); of
 * those that land on the same instant only the nearest lead time (the
 * latest week's digest) is planned, and a nudge moved past its item's due
 * day lives a day longer ("Was due …").  Escalations are not moved: the
 * facilitator hears of an away owner's item as of anyone's.
 *
 * Nudges and escalations carry the item's one-click link,
 * PUBLIC_URL/a/LINK (link_make, expiring LINK_LIFETIME after the message is
 * due), and so does each item of a member's digest, by e-mail and on the
 * recipient's own chat channel (plan_channel_private).  A copy on a shared
 * channel, and a community's post, carry none, since anyone in the channel
 * could use it: the copy names who is asked to act and how instead
 * ("Bob Jones: mark it done with `plc-cadence action done 12` or the link
 * in your e-mail").  Bodies
 * depend only on their inputs, never on now, so planning again with the
 * same items changes nothing; only a nudge's subject ("Due today",
 * "Due tomorrow") is worded as of when it goes, now when that is later
 * than its due time, so one sent late says what is true.
 *
 * Dedup keys name the community, the item and its due date (so a new due
 * date or owner plans new messages and withdraws the old), the lead time or
 * period, the recipient and the channel:
 *	nudge:math7:42:2026-12-01:2d:member:bob:email
 *	escalate:math7:42:2026-12-01:1:member:alice:email
 *	digest:math7:2026-12-04:member:bob:email
 *	digest:math7:2026-12-04:community:math7:team
 * Nudges and member digests carry a topic, the key without the lead time
 * or date ("nudge:math7:42:2026-12-01:member:bob:email",
 * "digest:math7:member:bob:email"): of the rows of one topic due at once,
 * the outbox sends only the nearest.  A community's digest post stands for
 * (plan_msg.members) the owners it names.
 * Every key of community C starts with NUDGE_PREFIX_* "C:", the scope the
 * outbox withdraws within: an item marked done, or moved, or given to
 * someone else, loses its pending messages at the next planning pass.
 *
 * What is planned: nudges not yet expired (a nudge expires at the end of the
 * due day), the escalation of the current period and the next, and the
 * digest of this week (until it expires, a day after it is due) and the
 * next; only messages due before now + horizon.
 */
#ifndef PLC_NUDGE_H
#define PLC_NUDGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "civil.h"
#include "config.h"
#include "plan.h"
#include "worksum.h"

#define NUDGE_PREFIX_NUDGE	"nudge:"
#define NUDGE_PREFIX_ESCALATE	"escalate:"
#define NUDGE_PREFIX_DIGEST	"digest:"

/* The message kinds, as stored in outbox.kind. */
#define NUDGE_KIND_NUDGE	"nudge"
#define NUDGE_KIND_ESCALATION	"escalation"
#define NUDGE_KIND_DIGEST	"digest"

/* Lead times count back from this wall time, in the owner's zone. */
#define NUDGE_MORNING_H		8
/* A digest left unsent this long after it was due is no longer sent. */
#define NUDGE_DIGEST_LIFETIME	CIVIL_DAY

/* One open item.  Everything is borrowed from the caller. */
struct nudge_item {
	int64_t				 id;
	const struct config_member	*owner;	/* NULL: not in the config */
	const char			*title;	/* untrusted */
	const char			*notes;	/* untrusted; NULL: none.
						 * Only in the owner's own
						 * messages (e-mail, own
						 * channel) */
	struct civil_date		 due;	/* in the community's zone */
	time_t				 created;
	time_t				 opened;	/* created, or last
							 * reopened */
};

/* What the worker's config and secret say. */
struct nudge_opts {
	const struct config	*cfg;		/* tells own channels from
						 * shared; NULL: all shared */
	const char		*public_url;	/* no trailing slash */
	const unsigned char	*key;		/* link_key_load's */
	size_t			 keylen;
	int64_t			 horizon;	/* seconds */
	bool			 has_quiet;
	int			 quiet_from, quiet_to;	/* secs since midnight */
	/* For the community post's work section (worksum.h): the
	 * community's items, open and recently done, and the starts of its
	 * meetings (ascending, cancelled left out) around the digests.
	 * NULL/0: none known. */
	const struct worksum_item *work;
	size_t			 nwork;
	const time_t		*meetings;
	size_t			 nmeetings;
};

/*
 * The messages for community c's open items (n of them, in any order; items
 * without an owner are left out) at now.  Returns the count with *out
 * allocated and sorted by due time, then dedup key (free with plan_free;
 * NULL when the count is 0).  Item text is copied into subjects and bodies
 * with control characters replaced; the config is trusted.
 */
long	nudge_plan(const struct config_community *c,
	    const struct nudge_item *items, size_t n, const struct nudge_opts *o,
	    time_t now, struct plan_msg **out);

/*
 * t, or the end of the quiet hours [from, to) (seconds since midnight,
 * from > to for a night) in zone tz that t falls into.  Exposed for tests.
 */
time_t	nudge_after_quiet(const struct tz *tz, int from, int to, time_t t);

/* The end of date d in zone tz: midnight that begins the next day. */
time_t	nudge_day_end(const struct tz *tz, struct civil_date d);

#endif
