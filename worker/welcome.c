/* welcome: a member's calendar subscription links, by e-mail (welcome.h). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "hex.h"
#include "nudge.h"
#include "plan.h"
#include "welcome.h"
#include "xmalloc.h"

#define WELCOME_GOOGLE	"https://calendar.google.com/calendar/r?cid="
#define WELCOME_OUTLOOK	"https://outlook.live.com/calendar/0/addfromweb?url="

/*
 * A welcome is worth sending however late it comes: it expires after
 * every date the config accepts (2200-01-01T00:00Z), a constant so that
 * planning it again changes nothing.
 */
#define WELCOME_EXPIRES	((time_t)7258118400LL)

char *
welcome_pct(const char *s)
{
	static const char	 hexd[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			*out, *o;

	out = o = xmalloc(strlen(s) * 3 + 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			*o++ = (char)*p;
		else {
			*o++ = '%';
			*o++ = hexd[*p >> 4];
			*o++ = hexd[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

void
welcome_links(const char *url, const char *name, struct welcome_links *out)
{
	const char	*rest = strstr(url, "://");
	char		*ew, *eu, *en;

	out->https = xstrdup(url);
	out->webcal = xasprintf("webcal://%s", rest != NULL ? rest + 3 : url);
	ew = welcome_pct(out->webcal);
	eu = welcome_pct(url);
	en = welcome_pct(name);
	out->google = xasprintf("%s%s", WELCOME_GOOGLE, ew);
	out->outlook = xasprintf("%s%s&name=%s", WELCOME_OUTLOOK, eu, en);
	free(ew);
	free(eu);
	free(en);
}

void
welcome_links_free(struct welcome_links *l)
{
	if (l == NULL)
		return;
	free(l->https);
	free(l->webcal);
	free(l->google);
	free(l->outlook);
	memset(l, 0, sizeof(*l));
}

char *
welcome_calendar_name(const struct config_member *m)
{
	/* The same words as ical_write.c's X-WR-CALNAME of a member's feed,
	 * so Outlook.com names the calendar as the feed does. */
	return xasprintf("PLC \xe2\x80\x94 %s", m->name != NULL ? m->name :
	    m->id);
}

/* The first WELCOME_HASH_LEN hex digits of SHA-256(s). */
static void
welcome_hash(const char *s, char out[WELCOME_HASH_LEN + 1])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;
	char		hex[2 * EVP_MAX_MD_SIZE + 1];

	if (EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL) !=
	    1 || mdlen != 32)
		abort();	/* a broken libcrypto: no sane way on */
	hex_encode(md, mdlen, hex);
	memcpy(out, hex, WELCOME_HASH_LEN);
	out[WELCOME_HASH_LEN] = '\0';
}

/* ", "-joined names of the communities m belongs to (required or
 * optional), each once; NULL when none. */
static char *
welcome_communities(const struct config *cfg, const struct config_member *m)
{
	const struct config_community	*c;
	struct xbuf			 b = { 0 };
	char				*name;
	size_t				 i, j;
	bool				 in;

	for (i = 0; i < cfg->ncommunities; i++) {
		c = &cfg->communities[i];
		in = false;
		for (j = 0; j < c->nmembers && !in; j++)
			in = c->members[j] == m;
		for (j = 0; j < c->noptional && !in; j++)
			in = c->optional[j] == m;
		if (!in)
			continue;
		name = plan_clean(c->name != NULL ? c->name : c->id);
		xbuf_printf(&b, "%s%s", b.len > 0 ? ", " : "", name);
		free(name);
	}
	return b.s;
}

void
welcome_plan(const struct config *cfg, const struct config_member *m,
    const char *url, time_t now, struct plan_vec *pv)
{
	struct welcome_links	 l;
	struct plan_msg		*msg;
	char			 hash[WELCOME_HASH_LEN + 1];
	char			*name, *who, *comms;

	if (m->email == NULL || !cfg->worker.public_url_set || url == NULL)
		return;
	memset(&l, 0, sizeof(l));
	name = welcome_calendar_name(m);
	welcome_links(url, name, &l);
	who = plan_clean(m->name != NULL ? m->name : m->id);
	comms = welcome_communities(cfg, m);
	welcome_hash(url, hash);

	msg = plan_vec_push(pv);
	msg->dedup = xasprintf("%s%s:%s", WELCOME_PREFIX, m->id, hash);
	msg->kind = WELCOME_KIND;
	msg->channel = xstrdup(PLAN_CHANNEL_EMAIL);
	msg->recipient = xstrdup(m->id);
	msg->audience = PLAN_AUDIENCE_MEMBER;
	msg->member = xstrdup(m->id);
	msg->subject = xstrdup("Your PLC calendar: subscribe once");
	msg->body = xasprintf(
	    "Hello %s,\n"
	    "\n"
	    "Your PLC meetings and your action items are in one calendar of "
	    "your own. Subscribe to it once and it keeps itself up to date: "
	    "moved and cancelled meetings change there by themselves.%s%s%s\n"
	    "\n"
	    "Google Calendar, in one click:\n"
	    "%s\n"
	    "\n"
	    "Outlook.com, in one click:\n"
	    "%s\n"
	    "\n"
	    "Apple Calendar: choose File > New Calendar Subscription and "
	    "paste this link:\n"
	    "%s\n"
	    "\n"
	    "Any other calendar app: subscribe to this address:\n"
	    "%s\n"
	    "\n"
	    "This link is yours alone; please do not forward it. If you were "
	    "sent an earlier link, it no longer works: subscribe with this "
	    "one and remove the old calendar.\n",
	    who, comms != NULL ? "\nIt holds the meetings of " : "",
	    comms != NULL ? comms : "", comms != NULL ? "." : "", l.google, l.outlook, l.webcal, l.https);
	msg->due = cfg->worker.has_quiet ? nudge_after_quiet(m->tz,
	    cfg->worker.quiet_from, cfg->worker.quiet_to, now) : now;
	msg->expires = WELCOME_EXPIRES;

	free(comms);
	free(who);
	free(name);
	welcome_links_free(&l);
}
