/* series: the slot a community's meeting series is held at, in force now.
 *
 * A community's day and time come from the config, except the parts that
 * are `auto`: those are the slot placement stored (store_series_slot).
 * Feeds, reminders and `check` read the slot here; placement (place.h)
 * decides and stores it.  Reads the store, writes nothing.
 */
#ifndef PLC_SERIES_H
#define PLC_SERIES_H

#include <stdbool.h>

#include "civil.h"
#include "config.h"
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

#endif
