/* place: the worker's `auto` placement, each cycle.
 *
 * Joins busy (calendars), avail and slots (pure ranking) with the store:
 * for each community with `day = auto` or `time = auto` it ranks the
 * slots over the horizon, keeps the stored slot (series.slot_day,
 * slot_time) while it meets min_attendance, else stores the best one, which
 * raises the series' SEQUENCE (the fingerprint holds day and time).  Feeds
 * and reminders then read the slot with series_slot (series.h), and the
 * planning pass tells everyone of the new time (plan.h, plan_changes).
 */
#ifndef PLC_PLACE_H
#define PLC_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "busy.h"
#include "civil.h"
#include "config.h"
#include "slots.h"
#include "store.h"

/* The ranking input for one community: its members' free time. */
struct place_input {
	struct slots_input	 in;
	struct slots_member	*members;
	size_t			 failed;	/* busy sources that failed */
};

/*
 * Members' busy time over one range, read once however many communities a
 * member is in: one slot per cfg->members entry, filled on first use.
 */
struct place_busy {
	struct avail		**busy;		/* NULL: not read yet */
	size_t			  n;
	struct busy_cache	 *cache;	/* the caller's, or NULL */
	uint64_t		 *hash;		/* of busy[i], once taken */
	bool			 *hashed;
};
void	place_busy_init(struct place_busy *pb, const struct config *cfg,
	    struct busy_cache *cache);
void	place_busy_free(struct place_busy *pb);

/*
 * Build c's ranking input over [from, to) (members first, then optional
 * ones not also required), with the stored slot as the current one.
 * fetch false reads URL sources from their kept copies.  pb (may be NULL)
 * shares members' busy time between calls over the same range.  Returns 0
 * (free with place_input_free), or -1 with *err allocated when the store
 * fails.
 */
int	place_input(const struct config *cfg, const struct config_community *c,
	    struct store *st, time_t now, int64_t from, int64_t to, bool fetch,
	    struct place_busy *pb, struct place_input *out, char **err);
void	place_input_free(struct place_input *p);

/*
 * The busy time of every member of an auto community over [from, to) into
 * pb, read at once (busy_members: calendars parsed on every core), before
 * place_input takes them from pb.  *failed: the sources that failed are
 * added to it.  Returns 0, or -1 with *err allocated (the store failed,
 * or a stop: busy_cache_stopped(pb->cache)).
 */
int	place_prefetch(const struct config *cfg, struct store *st, time_t now,
	    int64_t from, int64_t to, bool fetch, struct place_busy *pb,
	    size_t *failed, char **err);

struct place_counts {
	size_t	communities;	/* auto ones ranked */
	size_t	unchanged;	/* auto ones not ranked again: nothing
				 * their last ranking read has changed */
	size_t	changed;	/* given a new slot this time */
	size_t	failed;		/* busy sources that failed */
	size_t	errors;		/* communities that could not be placed */
};

/*
 * Rank and place every auto community for [now, now + horizon), into
 * *counts.  A community is not ranked again while nothing its last
 * ranking read has changed: its members (and which are required), their
 * zones, `available`, away days and busy time (as read this cycle), its
 * cadence, window, duration, min_attendance, skips, moves and cancels,
 * the slot in force, the range's first and last UTC days and the code's
 * version; a hash of them is kept in the store beside the slot
 * (store_place_key), so that a restart finds it too.  Ranking the same
 * inputs again would keep the same slot (slots_choice), so only the time
 * is saved; the ranking range moves by whole days for this, so a meeting
 * that has started since the last ranking today still counts until the
 * next day's.  After a cycle that read every busy source, the expansions
 * kept for sources no longer in the config are deleted from the store.  A community that cannot be placed (the store fails) is logged
 * and counted, and keeps the slot it had; busy sources that fail are
 * counted too.  Never stops the cycle.  cache (may be NULL) keeps parsed
 * calendars from one cycle to the next; it is swept at the end.
 */
void	place_run(const struct config *cfg, struct store *st, time_t now,
	    struct busy_cache *cache, struct place_counts *counts);

#endif
