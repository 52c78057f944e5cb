/* outbox_welcome: each member's welcome (welcome.h) into the outbox. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "outbox.h"
#include "plan.h"
#include "publish.h"
#include "store.h"
#include "welcome.h"
#include "xmalloc.h"

int
outbox_plan_welcome(const struct config *cfg, struct store *st, time_t now,
    struct store_outbox_counts *total, char **err)
{
	const struct config_member	*m;
	struct store_outbox_counts	 counts;
	struct store_outbox_scope	 scope;
	struct plan_vec			 pv = { NULL, 0 };
	const char			*prefix = WELCOME_PREFIX;
	char				 token[STORE_TOKEN_LEN + 1], *url;
	size_t				 i;
	int				 rc = -1;

	/* Without public_url no welcome is planned, and none planned before
	 * is withdrawn: its link still works once the URL is back. */
	if (!cfg->worker.public_url_set)
		return 0;
	for (i = 0; i < cfg->nmembers; i++) {
		m = &cfg->members[i];
		if (m->email == NULL)
			continue;
		/* The feed URL exactly as `urls` gives it. */
		if (store_token_get_or_create(st, STORE_TOKEN_MEMBER, m->id,
		    now, token, err) == -1)
			goto out;
		url = publish_feed_url(cfg, token);
		welcome_plan(cfg, m, url, now, &pv);
		free(url);
	}
	/* Every pending welcome this pass does not name goes: one for an old
	 * link (a rotated token: it is dead) or a member gone. */
	scope.prefixes = &prefix;
	scope.nprefixes = 1;
	scope.from = now;
	scope.to = (time_t)INT64_MAX;
	scope.reason = "no longer planned";
	memset(&counts, 0, sizeof(counts));
	if (outbox_store_plan(st, pv.v, pv.n, &scope, now, &counts, err) == -1)
		goto out;
	if (total != NULL) {
		total->inserted += counts.inserted;
		total->updated += counts.updated;
		total->unchanged += counts.unchanged;
		total->withdrawn += counts.withdrawn;
	}
	rc = 0;
out:
	plan_free(pv.v, pv.n);
	return rc;
}
