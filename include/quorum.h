/* quorum: the quorum watch (issue 16).
 *
 * quorum_check before each meeting (config.h), the required members who
 * said "I can't come" (RSVP) and those away that day are counted; when the
 * rest is below the community's quorum (meeting_quorum_share) the
 * facilitator gets one message naming who can't come and up to
 * MEETING_NALT alternative slots that week (meeting_alternatives over the
 * members' free time, place_input), each with a signed "Move it here" link
 * (/m/, link.h) where the channel may carry personal links.  The outcome
 * ("below" or "ok") is kept per meeting (store_quorum_*): the facilitator
 * is told again only when it changes, once each (dedup
 * "quorum:COMMUNITY:DATE:N:member:ID:CHANNEL").
 *
 * Runs on the planning thread, after outbox_plan; config and store are the
 * caller's.
 */
#ifndef PLC_QUORUM_H
#define PLC_QUORUM_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "store.h"

#define QUORUM_KIND		"quorum"
#define QUORUM_PREFIX		"quorum:"

/*
 * Watch every community's meetings starting in (now, now + quorum_check]
 * and put the messages due into the outbox (due now, or when the
 * facilitator's quiet hours end, expiring when the meeting starts); move
 * links signed with key (keylen bytes; NULL: none).
 * *told (may be NULL) gets the number of messages planned.  Returns 0, or
 * -1 with *err allocated (a store failure; what was planned stays).
 */
int	quorum_run(const struct config *cfg, struct store *st,
	    const unsigned char *key, size_t keylen, time_t now, long *told,
	    char **err);

#endif
