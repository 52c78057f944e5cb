/* feed: the identity of what a feed publishes (fingerprints and UIDs). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "civil.h"
#include "feed.h"
#include "tz.h"
#include "xmalloc.h"

/* The fingerprint is built from a handful of pieces. */
static void
feed_buf_add(struct xbuf *b, const char *s)
{
	xbuf_add(b, s, strlen(s));
}

/*
 * Free text goes in with its length first, so that no location can be made
 * to look like another field ("a;until=…") and collide.
 */
static void
feed_buf_text(struct xbuf *b, const char *key, const char *s)
{
	char	num[32];

	feed_buf_add(b, key);
	snprintf(num, sizeof(num), "=%zu:", s ? strlen(s) : 0);
	feed_buf_add(b, num);
	if (s != NULL)
		feed_buf_add(b, s);
	feed_buf_add(b, "\n");
}

static void
feed_buf_span(struct xbuf *b, struct civil_date from, struct civil_date to)
{
	char	f[CIVIL_DATE_LEN], t[CIVIL_DATE_LEN];

	civil_date_format(from, f);
	if (civil_date_cmp(from, to) == 0) {
		feed_buf_add(b, f);
	} else {
		feed_buf_add(b, f);
		feed_buf_add(b, "..");
		feed_buf_add(b, civil_date_format(to, t));
	}
	feed_buf_add(b, ",");
}

char *
feed_series_fingerprint(const struct config_community *c, int day,
    struct civil_time at)
{
	struct xbuf	 b = { NULL, 0, 0 };
	char		*rule, tmp[CIVIL_DUR_LEN + 32];
	char		 d[CIVIL_DATE_LEN], t[CIVIL_TIME_LEN];
	size_t		 i, j;

	/*
	 * "v1" lets a later build change what counts without every series
	 * bumping twice (v2 added the summary).  The zone is part of the shape: the same wall time in
	 * another zone is another instant.  So are the exceptions (EXDATE and
	 * RECURRENCE-ID), which RFC 5546 counts as significant changes; the
	 * name, description and URL are not.
	 */
	feed_buf_add(&b, "v2\n");
	feed_buf_text(&b, "summary", c->name != NULL ? c->name : c->id);
	feed_buf_text(&b, "tz", c->tz != NULL ? tz_name(c->tz) : "");
	rule = cadence_rrule(c, day);
	feed_buf_text(&b, "rule", rule);
	free(rule);
	snprintf(tmp, sizeof(tmp), "day=%d\n", day);
	feed_buf_add(&b, tmp);
	snprintf(tmp, sizeof(tmp), "at=%02d:%02d:%02d\n", at.h, at.min, at.s);
	feed_buf_add(&b, tmp);
	snprintf(tmp, sizeof(tmp), "duration=%lld\n", (long long)c->duration);
	feed_buf_add(&b, tmp);
	feed_buf_text(&b, "location", c->location);
	feed_buf_add(&b, "start=");
	feed_buf_add(&b, civil_date_format(c->start, d));
	feed_buf_add(&b, "\nuntil=");
	if (c->has_until)
		feed_buf_add(&b, civil_date_format(c->until, d));
	feed_buf_add(&b, "\nskip=");
	for (i = 0; i < c->nskip; i++)
		feed_buf_span(&b, c->skip[i].from, c->skip[i].to);
	for (i = 0; i < c->nskip_calendars; i++) {
		const struct config_calendar *cal = c->skip_calendars[i];

		feed_buf_add(&b, "|");
		for (j = 0; j < cal->nskip; j++)
			feed_buf_span(&b, cal->skip[j].from, cal->skip[j].to);
	}
	feed_buf_add(&b, "\nmove=");
	for (i = 0; i < c->nmoves; i++) {
		feed_buf_span(&b, c->moves[i].from, c->moves[i].to);
		if (c->moves[i].has_time) {
			feed_buf_add(&b, civil_time_format(c->moves[i].at, t));
			feed_buf_add(&b, ",");
		}
	}
	feed_buf_add(&b, "\ncancel=");
	for (i = 0; i < c->ncancels; i++)
		feed_buf_span(&b, c->cancels[i], c->cancels[i]);
	feed_buf_add(&b, "\n");
	return b.s;
}

/*
 * The host part of public_url, lowercased, without scheme, user, port or
 * path: "https://Plc.Example.edu:8443/x" gives "plc.example.edu".  UIDs need
 * a stable, globally unique right-hand side (RFC 5545 3.8.4.7); when there is
 * no public URL, a name under the reserved .invalid TLD keeps them well-formed.
 */
char *
feed_uid_host(const struct config *cfg)
{
	const char	*u = cfg != NULL ? cfg->worker.public_url : NULL;
	const char	*p, *end, *at;
	char		*host;
	size_t		 i;

	if (u == NULL || *u == '\0')
		return xstrdup("plc-cadence.invalid");
	p = strstr(u, "://");
	p = p != NULL ? p + 3 : u;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at != NULL)
		p = at + 1;
	if (*p == '[') {		/* an IPv6 literal keeps its brackets */
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb != NULL)
			end = rb + 1;
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));

		if (colon != NULL)
			end = colon;
	}
	if (end == p)
		return xstrdup("plc-cadence.invalid");
	host = xstrndup(p, (size_t)(end - p));
	for (i = 0; host[i] != '\0'; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	return host;
}

char *
feed_series_uid(const struct config *cfg, const struct config_community *c)
{
	char	*host = feed_uid_host(cfg), *uid;

	uid = xasprintf("%s.series@%s", c->id, host);
	free(host);
	return uid;
}

char *
feed_series_detail(const struct config *cfg, const struct config_community *c)
{
	struct xbuf			 b = { NULL, 0, 0 };
	const struct config_member	*f = c->facilitator;

	feed_buf_add(&b, "v1\n");
	feed_buf_text(&b, "description", c->description);
	feed_buf_text(&b, "url", c->url);
	if (f != NULL && f->email != NULL) {
		feed_buf_text(&b, "organizer", f->name != NULL ? f->name :
		    f->id);
		feed_buf_text(&b, "mailto", f->email);
	} else if (cfg != NULL) {
		feed_buf_text(&b, "organizer", cfg->smtp.from_name);
		feed_buf_text(&b, "mailto", cfg->smtp.from_addr);
	}
	return b.s;
}

char *
feed_epoch_uid(const char *host, const struct config_community *c,
    const char *install, int n)
{
	if (install == NULL || *install == '\0')
		return n == 0 ? xasprintf("%s.series@%s", c->id, host) :
		    xasprintf("%s.series.%d@%s", c->id, n, host);
	return n == 0 ? xasprintf("%s.series.%s@%s", c->id, install, host) :
	    xasprintf("%s.series.%s.%d@%s", c->id, install, n, host);
}

char *
feed_item_uid_at(const char *host, int64_t id)
{
	return xasprintf("%lld.item@%s", (long long)id, host);
}

char *
feed_item_uid(const struct config *cfg, int64_t id)
{
	char	*host = feed_uid_host(cfg), *uid;

	uid = feed_item_uid_at(host, id);
	free(host);
	return uid;
}
