/* deliver: the outbox emptied by e-mail and chat.
 *
 * The outbox is filled by outbox_plan (outbox.h).  deliver_due claims
 * the rows that are due, sends them (e-mail in one SMTP batch, chat posts
 * at each channel's pace) and marks each as soon as its
 * outcome is known: sent, retry later, or failed for good.  Marks are
 * committed in groups, one transaction per 32 outcomes or 20 ms, whichever
 * comes first.  A crash between claim and mark leaves rows in 'sending',
 * which store_outbox_recover puts back at the next start: those in flight,
 * those not tried yet, and those decided in the last 20 ms.
 *
 * Retry-After and backoff hold a destination (a chat channel, or "smtp"
 * for the relay), not just the row that was refused: rows for a held
 * destination go back to pending until the hold ends ("waiting until …").
 * A destination failing for [worker] alert_after gets its facilitators
 * told by e-mail once (alert.h), and once more when it works again.
 * Destinations are kept in the store (store_dest_*) under their names,
 * never their URLs.
 *
 * Runs on the planning thread; the config and store are the caller's.
 */
#ifndef PLC_DELIVER_H
#define PLC_DELIVER_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "stop.h"
#include "store.h"
#include "webhook.h"

struct deliver_counts {
	size_t	sent, retried, failed, skipped, paced;
	/* The destinations' health after the call (when health_known):
	 * those failing for [worker] alert_after, by name ("smtp" or
	 * channel IDs, comma-separated, cut short if long), and when the
	 * next failing one reaches it (0: none), so that the caller wakes
	 * up to tell its facilitators. */
	bool	health_known;
	char	degraded[256];
	time_t	next_alert;
};

/*
 * Send what is due at now (now_ms: the monotonic clock when now was read,
 * so that a Retry-After counts from the answer; the pacer, which the
 * caller keeps from call to call, reads the clock itself): at most limit
 * rows.  Expired
 * rows are skipped and logged; rows a channel's pace holds back go back to
 * pending for a second or two.  Once stop (may be NULL) is asked for,
 * nothing more is claimed or started: rows not tried go back to pending as
 * they were, and sends cut off at the end of its grace are retried.
 * Returns 0 (however many sends failed: their rows say why), or -1 with
 * *err allocated when the store fails.
 */
int	deliver_due(const struct config *cfg, struct store *st,
	    struct webhook_pacer *pacer, struct stop *stop, time_t now,
	    int64_t now_ms, size_t limit, struct deliver_counts *counts,
	    char **err);

#endif
