/* alert: the e-mails that tell facilitators a destination keeps failing,
 * and once more when it works again.
 *
 * A destination is a chat channel (named by its ID, never its URL, which
 * is a secret) or "smtp".  deliver.c decides when one has failed for
 * [worker] alert_after and when it has recovered; this module plans the
 * messages as outbox rows of kind "alert", e-mailed to the facilitator of
 * each community the destination serves, deduplicated per failure (its
 * start), so that each is told once.
 */
#ifndef PLC_ALERT_H
#define PLC_ALERT_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "store.h"

#define ALERT_KIND	"alert"
#define ALERT_SMTP	"smtp"	/* the SMTP relay's destination name */

/*
 * Whether community c is served by destination dest: a channel in its
 * notify, or in the notify of one of its members or optional members.
 * "smtp" serves no community here: its failure cannot be told by e-mail.
 */
bool	alert_serves(const struct config_community *c, const char *dest);

/*
 * Plan the alert (recovered false: failing since `since`, error the last
 * answer, untrusted, may be NULL) or the recovery notice (recovered true,
 * at now) for dest into st's outbox, due now: one e-mail to the facilitator
 * of each community it serves that has an address.  Returns the number of
 * messages planned (0 for none), or -1 with *err allocated when the store
 * fails.
 */
long	alert_plan(const struct config *cfg, struct store *st,
	    const char *dest, time_t since, const char *error, bool recovered,
	    time_t now, char **err);

#endif
