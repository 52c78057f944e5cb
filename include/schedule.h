/* schedule: the effective schedule — the config's moves and cancels with
 * the database's one-off changes (`meeting move/cancel`, move-here links)
 * overlaid, read from the store and applied with meeting_apply.
 *
 * Every command (main.c, before the command runs) and every worker cycle
 * calls schedule_apply, so that check, the feeds, the reminders and the
 * change notice all see one schedule.
 */
#ifndef PLC_SCHEDULE_H
#define PLC_SCHEDULE_H

#include "config.h"
#include "store.h"

/*
 * Overlay the changes in force in st on cfg (meeting_apply).  A row whose
 * dates do not parse is left out with a warning.  *warnings: NULL or
 * allocated lines, as meeting_apply gives them.  Returns the number of
 * changes applied, or -1 with *err allocated when the store cannot be read
 * (cfg then keeps its previous overlay).
 */
long	schedule_apply(struct config *cfg, struct store *st, char **warnings,
	    char **err);

#endif
