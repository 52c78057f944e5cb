/* alert: facilitators told of a destination that keeps failing. */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "civil.h"
#include "plan.h"
#include "xmalloc.h"

static bool
alert_member_serves(const struct config_member *m, const char *dest)
{
	size_t	i;

	for (i = 0; m != NULL && i < m->nnotify; i++)
		if (!m->notify[i].email && m->notify[i].channel != NULL &&
		    strcmp(m->notify[i].channel->id, dest) == 0)
			return true;
	return false;
}

bool
alert_serves(const struct config_community *c, const char *dest)
{
	size_t	i;

	for (i = 0; i < c->nnotify; i++)
		if (strcmp(c->notify[i]->id, dest) == 0)
			return true;
	for (i = 0; i < c->nmembers; i++)
		if (alert_member_serves(c->members[i], dest))
			return true;
	for (i = 0; i < c->noptional; i++)
		if (alert_member_serves(c->optional[i], dest))
			return true;
	return false;
}

long
alert_plan(const struct config *cfg, struct store *st, const char *dest,
    time_t since, const char *error, bool recovered, time_t now, char **err)
{
	const struct config_community	*c;
	const struct config_member	*f;
	struct store_outbox_new		*rows;
	char				**bufs, at[PLAN_INSTANT_LEN];
	char				 zone[PLAN_ZONE_LEN];
	char				*why = plan_clean(error);
	size_t				 i, n = 0, nb = 0;
	long				 rc = -1;

	rows = xcalloc(cfg->ncommunities + 1, sizeof(*rows));
	bufs = xcalloc(3 * cfg->ncommunities + 1, sizeof(*bufs));
	for (i = 0; i < cfg->ncommunities; i++) {
		c = &cfg->communities[i];
		f = c->facilitator;
		if (f == NULL || f->email == NULL || !alert_serves(c, dest))
			continue;
		plan_instant(f->tz, f->clock, recovered ? now : since, at,
		    sizeof(at));
		plan_zone_label(f->tz, zone, sizeof(zone));
		/* One per failure (its start) and community. */
		rows[n].dedup = bufs[nb++] = xasprintf("%s:%s:%s:%lld:%s",
		    ALERT_KIND, recovered ? "recovered" : "failing", dest,
		    (long long)since, c->id);
		rows[n].kind = ALERT_KIND;
		rows[n].channel = PLAN_CHANNEL_EMAIL;
		rows[n].recipient = f->id;
		if (recovered) {
			rows[n].subject = bufs[nb++] = xasprintf("Working "
			    "again: chat channel %s", dest);
			rows[n].body = bufs[nb++] = xasprintf("The chat "
			    "channel %s of %s takes messages again (since %s "
			    "%s).\nThe messages held back while it failed are "
			    "being sent now; nothing was lost.\n", dest,
			    c->name != NULL ? c->name : c->id, at,
			    zone);
		} else {
			rows[n].subject = bufs[nb++] = xasprintf("Not "
			    "delivered: chat channel %s is failing", dest);
			rows[n].body = bufs[nb++] = xasprintf("Messages for "
			    "%s to the chat channel %s could not be delivered "
			    "since %s %s.\nLast answer: %s\n\nThey are kept "
			    "and tried again; nothing is lost.  Please ask "
			    "whoever runs the channel to check its webhook.  "
			    "You will get one more message when it works "
			    "again.\n", c->name != NULL ? c->name : c->id,
			    dest, at, zone,
			    why != NULL ? why : "none");
		}
		rows[n].due = now;
		rows[n].expires = now + 7 * CIVIL_DAY;	/* stale after */
		rows[n].audience = PLAN_AUDIENCE_MEMBER;
		rows[n].member = f->id;
		rows[n].community = c->id;
		n++;
	}
	if (n > 0 && store_outbox_plan(st, rows, n, NULL, now, NULL,
	    err) == -1)
		goto out;
	rc = (long)n;
out:
	for (i = 0; i < nb; i++)
		free(bufs[i]);
	free(bufs);
	free(rows);
	free(why);
	return rc;
}
