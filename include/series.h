/* series: the slot a community's meeting series is held at, in force now.
 *
 * A community's day and time come from the config, except the parts that
 * are `auto`: those are the slot placement stored (store_series_slot).
 * Feeds, reminders and `check` read the slot here; placement (place.h)
 * decides and stores it.
 *
 * The history of a series is a sequence of epochs (store_epoch), each its
 * own VEVENT with its own UID: a change of day, time, duration, cadence,
 * week or zone ends the epoch in force after its last meeting that started
 * before the change was first seen, and starts a new one at the first
 * meeting of the new slot that starts after it, so that the past stays
 * where it was in every feed.  An epoch with no meeting in the past yet is
 * replaced instead.  Only the worker's cycle records an epoch
 * (series_history with record); everything else works the same out in
 * memory.
 */
#ifndef PLC_SERIES_H
#define PLC_SERIES_H

#include <stdbool.h>

#include "civil.h"
#include "config.h"
#include "feed.h"
#include "store.h"

/* True when c's day (for a weekday cadence) or time is auto.  Pure. */
bool	series_is_auto(const struct config_community *c);

/*
 * The slot c's series is held at: the configured day and time, with the
 * auto parts from the store.  *placed is false when an auto community has
 * no slot stored yet (nothing to publish or plan).  c is borrowed.
 * Returns 0, or -1 with *err allocated when the store fails.
 */
int	series_slot(struct store *st, const struct config_community *c,
	    bool *placed, int *day, struct civil_time *at, char **err);

/*
 * A series' epochs, oldest first: epochs[i] as stored (or as it would be
 * stored), views[i] the community as that epoch renders (c with the
 * epoch's slot, rule and zone, start/until narrowed to its dates) and
 * series[i] its feed state, series[i].community = &views[i].  n is 0 when
 * an auto community is not placed yet.  Free with series_history_free.
 */
struct series_history {
	struct store_epoch		*epochs;
	struct config_community		*views;
	struct feed_series		*series;
	size_t				 n;
	bool				 recorded;	/* this call wrote */
};

/*
 * Bring c's history up to date as of now (see above), with the UIDs of new
 * epochs from cfg's host and the state's install id.  SERIES_RECORD stores
 * a change of slot (the worker's cycle); otherwise it is worked out in
 * memory only, and SERIES_PUBLISH stores only metadata (a first epoch of a
 * fixed series, a new SEQUENCE), so that feeds stay byte-stable.  c and cfg
 * are borrowed and must outlive *out.  Returns 0, or -1 with *err allocated
 * (the store failed, or a rule cannot be expanded).
 */
enum series_mode {
	SERIES_LOOK,		/* write nothing (check, reminders) */
	SERIES_PUBLISH,		/* store metadata, no epoch (feeds) */
	SERIES_RECORD		/* store it all (the worker's cycle) */
};
int	series_history(const struct config *cfg, struct store *st,
	    const struct config_community *c, time_t now,
	    enum series_mode mode, struct series_history *out, char **err);
void	series_history_free(struct series_history *h);

/*
 * The epochs as one line for `check`: "TU 15:30" for one, else e.g.
 * "until 2027-01-12: TU 15:30; from 2027-01-19: TU 16:15".  Allocated.
 */
char	*series_history_line(const struct series_history *h);

#endif
