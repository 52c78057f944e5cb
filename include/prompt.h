/* prompt: the meeting cycle's prompts — agenda, minutes, monthly report.
 *
 * Pure: no I/O and no clock; `now` is a parameter, the meetings are
 * cadence_expand's and the rest plain values.  From a community's meetings
 * it builds the messages the outbox should hold:
 *
 *   agenda   to the facilitator, `agenda_due` before each meeting that is
 *            not cancelled: "Post the agenda for Tue 8 Dec"; expires when
 *            the meeting starts.
 *   minutes  to the recorder (`recorder`, else the facilitator),
 *            `minutes_due` after each meeting ends: "Record minutes and
 *            action items of Tue 8 Dec", with the signed attendance link
 *            (/t/LINK, LINK_ATTEND, subject "COMMUNITY.DATE"); expires
 *            PROMPT_MINUTES_LIFETIME after it is due.  Not planned once an
 *            action item names the meeting (`action add … --meeting`).
 *   report   to the facilitator by e-mail, at `report` (day of the month,
 *            community-local time) each month: the text and HTML the
 *            caller rendered (report.h) and the signed report page link
 *            (/r/LINK, LINK_REPORT, subject "COMMUNITY"); expires
 *            PROMPT_REPORT_LIFETIME after it is due.
 *
 * Every prompt goes to its recipient's `notify` channels, dates and times
 * in the recipient's zone, and is held until their quiet hours end (as
 * nudges are).  Signed links go only by e-mail or to the recipient's own
 * chat channel (plan_channel_private); a shared channel's copy names the
 * command instead.  A meeting's notes link (notes_url with {date} filled
 * in: plan_notes_url) is in its prompts.
 *
 * Dedup keys name the community, the meeting's series date (or the
 * report's month), the recipient and the channel:
 *	agenda:math7:2026-12-08:member:alice:email
 *	minutes:math7:2026-12-08:member:carol:email
 *	report:math7:2026-12:member:alice:email
 * Every key of community C starts with PROMPT_PREFIX_* "C:", the scope
 * the outbox withdraws within.
 */
#ifndef PLC_PROMPT_H
#define PLC_PROMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cadence.h"
#include "civil.h"
#include "config.h"
#include "plan.h"

#define PROMPT_PREFIX_AGENDA	"agenda:"
#define PROMPT_PREFIX_MINUTES	"minutes:"
#define PROMPT_PREFIX_REPORT	"report:"

/* The message kinds, as stored in outbox.kind. */
#define PROMPT_KIND_AGENDA	"agenda"
#define PROMPT_KIND_MINUTES	"minutes"
#define PROMPT_KIND_REPORT	"report"

#define PROMPT_MINUTES_LIFETIME	(7 * CIVIL_DAY)
#define PROMPT_REPORT_LIFETIME	(3 * CIVIL_DAY)

/* What the worker's config and secret say (as nudge_opts). */
struct prompt_opts {
	const struct config	*cfg;		/* tells own channels from
						 * shared; NULL: all shared */
	const char		*public_url;	/* no trailing slash; NULL:
						 * no links */
	const unsigned char	*key;		/* NULL: no links */
	size_t			 keylen;
	int64_t			 horizon;	/* seconds */
	bool			 has_quiet;
	int			 quiet_from, quiet_to;
};

/* Who is asked for c's minutes: recorder, else the facilitator. */
const struct config_member *prompt_recorder(const struct config_community *c);

/*
 * The meetings prompt_plan needs at now: those starting in [*from, *to)
 * (recent ones for the minutes, coming ones for the agenda).
 */
void	prompt_window(const struct config_community *c, time_t now,
	    int64_t horizon, time_t *from, time_t *to);

/*
 * The agenda and minutes prompts of c's meetings occ[0..n) (cadence_expand's
 * over prompt_window) at now.  minuted[0..nminuted) are the series dates
 * that action items already name.  Returns the count with *out allocated
 * and sorted as plan_vec_sort does (free with plan_free; NULL for 0).
 */
long	prompt_plan(const struct config_community *c,
	    const struct cadence_occ *occ, size_t n,
	    const struct civil_date *minuted, size_t nminuted,
	    const struct prompt_opts *o, time_t now, struct plan_msg **out);

/*
 * The instant of c's monthly report that is due at now and not yet expired
 * (in (now - PROMPT_REPORT_LIFETIME, now]) into *due, and its month
 * ("2026-12") into month; false when there is none (or no `report` key).
 */
#define PROMPT_MONTH_LEN	16
bool	prompt_report_due(const struct config_community *c, time_t now,
	    time_t *due, char month[PROMPT_MONTH_LEN]);

/*
 * The monthly report e-mail to c's facilitator (on e-mail only), due at
 * due (prompt_report_due's), for month: subject, text (report_text's) and
 * html (report_mail_html's, a whole document) as given, the page link
 * added to both (the HTML where it says PROMPT_LINK_MARK, else at its end;
 * the link is HTML-safe: base64url and the config's URL).  Returns the
 * count (0 or 1) with *out as for prompt_plan.
 */
#define PROMPT_LINK_MARK	"<!--plc:report-link-->"
long	prompt_report(const struct config_community *c, const char *subject,
	    const char *text, const char *html, const char *month, time_t due,
	    const struct prompt_opts *o, time_t now, struct plan_msg **out);

#endif
