/* welcome: the message that gives a member their calendar subscription.
 *
 * Pure: no I/O and no clock; `now` is a parameter.  Reminders carry no
 * calendar attachment (an imported copy would sit beside the subscription
 * and never change); instead each member gets one e-mail with their own
 * feed's links: https and webcal, a one-click link for Google Calendar and
 * one for Outlook.com, and a line on Apple Calendar.  The feed URL is a
 * secret of that member's, so the message goes by e-mail only, never to a
 * chat channel, and only when the operator set `public_url` (a URL derived
 * from `listen` is a loopback address nobody else can open).
 *
 * Its dedup key names the member and a short hash of their feed URL
 * ("welcome:bob:3fa2c91b0d4e"): planned once per member per link, so a
 * `token rotate` (or a new public_url) plans a new one, and the key shows
 * nothing of the token.
 * Installs that had tokens before this message existed send one to every
 * member on their first cycle: none of them was ever sent their links.
 */
#ifndef PLC_WELCOME_H
#define PLC_WELCOME_H

#include <time.h>

#include "config.h"
#include "plan.h"

#define WELCOME_KIND	"welcome"
#define WELCOME_PREFIX	"welcome:"

/* Hex digits of SHA-256(feed URL) in the dedup key: 48 bits, enough to
 * tell a member's links apart, too few to say anything of the token. */
#define WELCOME_HASH_LEN	12

/*
 * s percent-encoded (RFC 3986): every byte but the unreserved ALPHA,
 * DIGIT, '-', '.', '_' and '~' becomes %XX (upper-case hex), so the result
 * can be a query value.  s is untrusted (config text); allocated.
 */
char	*welcome_pct(const char *s);

/* A member's subscription links, each allocated. */
struct welcome_links {
	char	*https;		/* the feed URL itself (http:// too) */
	char	*webcal;	/* the same with webcal:// */
	char	*google;	/* calendar.google.com/calendar/r?cid=WEBCAL */
	char	*outlook;	/* outlook.live.com/…/addfromweb?url=&name= */
};

/*
 * The links of the feed at url (public_url + "/feeds/TOKEN.ics", as
 * `urls` prints it; trusted: built from a validated public_url), its
 * calendar named name (UTF-8, untrusted).  Free with welcome_links_free,
 * which accepts a zeroed struct.
 */
void	welcome_links(const char *url, const char *name,
	    struct welcome_links *out);
void	welcome_links_free(struct welcome_links *l);

/* The name of m's calendar, as their feed's X-WR-CALNAME: "PLC — Name"
 * (the ID without a name).  Allocated. */
char	*welcome_calendar_name(const struct config_member *m);

/*
 * Append m's welcome to pv: due at now, or when the worker's quiet hours
 * end in m's zone, by e-mail to m.  Nothing when m has no e-mail address,
 * the config no public_url (cfg->worker.public_url_set), or url is NULL.
 * url is m's feed URL (publish_feed_url).  The message's strings are pv's
 * (plan_free).
 */
void	welcome_plan(const struct config *cfg, const struct config_member *m,
	    const char *url, time_t now, struct plan_vec *pv);

#endif
