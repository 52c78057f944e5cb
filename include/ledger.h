/* ledger: a community's meeting cycle as the store and config record it.
 *
 * Gathers, for one community, what the pure planners and the report take
 * as plain values: its meetings (series_slot's slot, cadence_expand), its
 * action items (with the meeting each came from and when it was done) and
 * who came to each meeting.  Used by the outbox (agenda, minutes and
 * report prompts), the `report` command and the report page.  Reads the
 * store only; config and store are the caller's.
 */
#ifndef PLC_LEDGER_H
#define PLC_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cadence.h"
#include "config.h"
#include "plan.h"
#include "prompt.h"
#include "report.h"
#include "store.h"

/*
 * c's meetings starting in [from, to) at the slot in force into *occ
 * (allocated, caller frees; NULL when none) and *n; an `auto` community
 * not placed yet has none.  Returns 0, or -1 with *err allocated.
 */
int	ledger_meetings(struct store *st, const struct config_community *c,
	    time_t from, time_t to, struct cadence_occ **occ, size_t *n,
	    char **err);

/* The series date of c's meeting on date d: d itself when the series has
 * a meeting there (moved or not), else the series date of the meeting
 * moved onto d.  *found false when neither.  Returns 0, or -1 with *err. */
int	ledger_meeting_date(struct store *st, const struct config_community *c,
	    struct civil_date d, struct civil_date *orig, bool *found,
	    char **err);

/* A report's inputs and what they point into. */
struct ledger {
	struct report_input	 in;
	struct report_person	*people;
	struct report_item	*items;
	struct report_meeting	*meetings;
	struct report_mark	*marks;
	struct store_action	*acts;
	size_t			 nacts;
	struct store_attend	*att;
	size_t			 natt;
	struct report_rsvp	*rsvps;
	struct store_rsvp	*rsv;		/* every meeting's, one array */
	size_t			 nrsv;
};

/*
 * The report inputs of c over [from, to] at now into *l (free with
 * ledger_free, which accepts a zeroed or half-filled one).  l->in borrows
 * from c and from l.  Returns 0, or -1 with *err allocated.
 */
int	ledger_load(struct store *st, const struct config_community *c,
	    struct civil_date from, struct civil_date to, time_t now,
	    struct ledger *l, char **err);
void	ledger_free(struct ledger *l);

/* The default report period at now: c's start to today (community-local);
 * from is never after to. */
void	ledger_period(const struct config_community *c, time_t now,
	    struct civil_date *from, struct civil_date *to);

/*
 * The agenda, minutes and monthly report messages of c at now
 * (prompt.h), for the outbox.  Returns the count with *out allocated (free
 * with plan_free), or -1 with *err allocated.
 */
long	ledger_prompts(struct store *st, const struct config_community *c,
	    const struct prompt_opts *o, time_t now, struct plan_msg **out,
	    char **err);

#endif
