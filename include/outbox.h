/* outbox: the outbox filled from the plan.
 *
 * outbox_plan turns every community's meetings over the horizon, and the
 * nudges, escalations and digests of its open action items, into outbox
 * rows (store_outbox_plan keeps them unique by dedup key), and withdraws
 * what earlier passes planned that this one no longer names.  Before the
 * reminders it compares the meetings with what was announced
 * (store_announced) and plans the change notice of any difference
 * (plan_changes), then records them: each change is told once.  Each row
 * carries what the sender needs to know about it as columns (audience,
 * member, community, meeting: plan.h), so that nothing reads them back
 * out of its dedup key.  deliver.h sends the rows.
 *
 * Runs on the planning thread; the config and store are the caller's.
 */
#ifndef PLC_OUTBOX_H
#define PLC_OUTBOX_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "plan.h"
#include "store.h"
#include "worksum.h"

/*
 * Plan the reminders of every community whose day and time are known into
 * the outbox, for meetings starting in [now, now + horizon), and the
 * nudges, escalations and digests of every community's open action items
 * (nudge.h), their links signed with key (keylen bytes; NULL: no links).
 * The slot of an `auto` community is the one in force (series.h); one not
 * placed yet has no reminders.  Pending rows of communities no longer in
 * the config are withdrawn.  *planned (may be NULL) gets the totals.
 * Returns 0, or -1 with *err allocated.
 */
int	outbox_plan(const struct config *cfg, struct store *st,
	    const unsigned char *key, size_t keylen, time_t now,
	    struct store_outbox_counts *planned, char **err);

/*
 * Put n planned messages into the outbox (store_outbox_plan, with scope and
 * counts as it takes them; both may be NULL).  The messages stay the
 * caller's.  Returns 0, or -1 with *err allocated.
 */
int	outbox_store_plan(struct store *st, const struct plan_msg *m, long n,
	    const struct store_outbox_scope *scope, time_t now,
	    struct store_outbox_counts *counts, char **err);

/*
 * outbox_welcome.c: each member's welcome message (welcome.h), planned once
 * per member and feed URL; a pending one for an older URL or a member gone
 * is withdrawn.  Called by outbox_plan; adds to *total (may be NULL).
 * Returns 0, or -1 with *err allocated.
 */
int	outbox_plan_welcome(const struct config *cfg, struct store *st,
	    time_t now, struct store_outbox_counts *total, char **err);

/*
 * A community's items (acts[0..na-1], all of them, as store_action_list
 * gives them) as the work section sees them (worksum.h): the open ones, and
 * those done since now - PLAN_WORK_LOOKBACK (older ones cannot be "done
 * since the last meeting" of anything planned now), with their owners'
 * names from cfg.  The strings are borrowed from acts and cfg; the array is
 * allocated (free it), *n its length.  Every view of the section (reminders,
 * digest, `check`, `meeting show`) takes its items from here.
 */
struct worksum_item *outbox_work_items(const struct config *cfg,
	    const struct store_action *acts, size_t na, time_t now, size_t *n);

#endif
