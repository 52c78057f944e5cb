/* series: the slot in force, from the config and the store. */
#include <stdbool.h>

#include "config.h"
#include "series.h"
#include "store.h"

bool
series_is_auto(const struct config_community *c)
{
	return (c->day == -1 && c->cadence != CONFIG_CADENCE_RRULE) ||
	    c->time_auto;
}

int
series_slot(struct store *st, const struct config_community *c, bool *placed,
    int *day, struct civil_time *at, char **err)
{
	bool	found;
	int	sday, ssecs;

	*day = c->day;
	*at = c->time;
	*placed = true;
	if (!series_is_auto(c))
		return 0;
	if (store_series_slot(st, c->id, &found, &sday, &ssecs, err) == -1)
		return -1;
	*placed = found;
	if (!found)
		return 0;
	if (c->day == -1)
		*day = sday;
	if (c->time_auto)
		*at = civil_time_from_secs(ssecs);
	return 0;
}
