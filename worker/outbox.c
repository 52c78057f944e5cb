/* outbox: fill the outbox from the plan. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "config.h"
#include "ledger.h"
#include "log.h"
#include "nudge.h"
#include "outbox.h"
#include "plan.h"
#include "prompt.h"
#include "series.h"
#include "store.h"
#include "xmalloc.h"

int
outbox_store_plan(struct store *st, const struct plan_msg *m, long n,
    const struct store_outbox_scope *scope, time_t now,
    struct store_outbox_counts *counts, char **err)
{
	struct store_outbox_new	*rows;
	long			 i;
	int			 rc;

	rows = xcalloc((size_t)(n > 0 ? n : 0) + 1, sizeof(*rows));
	for (i = 0; i < n; i++) {
		rows[i].dedup = m[i].dedup;
		rows[i].kind = m[i].kind;
		rows[i].channel = m[i].channel;
		rows[i].recipient = m[i].recipient;
		rows[i].subject = m[i].subject;
		rows[i].body = m[i].body;
		rows[i].due = m[i].due;
		rows[i].expires = m[i].expires;
		rows[i].audience = m[i].audience;
		rows[i].member = m[i].member;
		rows[i].community = m[i].community;
		rows[i].meeting = m[i].meeting;
		rows[i].html = m[i].html;
	}
	rc = store_outbox_plan(st, rows, (size_t)(n > 0 ? n : 0), scope, now,
	    counts, err);
	free(rows);
	return rc;
}

/*
 * Make the outbox hold msgs (n of them, n >= 0) and withdraw what earlier
 * passes planned in scope (rows whose dedup key starts with a prefix and
 * that expire in [now, to)) that msgs no longer name; add the counts to
 * *total.
 */
static int
outbox_plan_scoped(struct store *st, const struct plan_msg *m, long n,
    const char *const *prefixes, size_t nprefixes, time_t now, time_t to,
    struct store_outbox_counts *total, char **err)
{
	struct store_outbox_counts	 counts;
	struct store_outbox_scope	 scope;

	scope.prefixes = prefixes;
	scope.nprefixes = nprefixes;
	scope.from = now;
	scope.to = to;
	scope.reason = "no longer planned";
	memset(&counts, 0, sizeof(counts));
	if (outbox_store_plan(st, m, n, &scope, now, &counts, err) == -1)
		return -1;
	total->inserted += counts.inserted;
	total->updated += counts.updated;
	total->unchanged += counts.unchanged;
	total->withdrawn += counts.withdrawn;
	return 0;
}

static int
outbox_plan_one(const struct config_community *c, int day,
    struct civil_time at, struct store *st, time_t now, time_t to,
    struct store_outbox_counts *total, char **err)
{
	struct plan_msg			*m = NULL;
	const char			*prefixes[2];
	char				*meet, *cancel;
	long				 n;
	int				 rc = -1;

	n = plan_meetings(c, day, at, now, to, now, &m, err);
	meet = xasprintf("%s%s:", PLAN_PREFIX_MEET, c->id);
	cancel = xasprintf("%s%s:", PLAN_PREFIX_CANCEL, c->id);
	if (n < 0)
		goto out;
	/* What this pass plans replaces what earlier passes planned for the
	 * same meetings: a moved, cancelled or dropped meeting's rows follow. */
	prefixes[0] = meet;
	prefixes[1] = cancel;
	rc = outbox_plan_scoped(st, m, n, prefixes, 2, now, to, total, err);
out:
	plan_free(m, n);
	free(meet);
	free(cancel);
	return rc;
}

/*
 * The nudges, escalations and digests of community c's open items.  The
 * planner names every message an item should have from now on, so the
 * scope has no end: an item done, moved or handed over loses all its
 * pending messages, however far ahead.
 */
static int
outbox_plan_items(const struct config *cfg, const struct config_community *c,
    struct store *st, const struct nudge_opts *o, time_t now,
    struct store_outbox_counts *total, char **err)
{
	struct store_action_filter	 f = { c->id, NULL, STORE_ACTION_OPEN };
	struct store_action		*acts = NULL;
	struct nudge_item		*items = NULL;
	struct plan_msg			*m = NULL;
	const char			*prefixes[3];
	char				*p[3];
	size_t				 na = 0, i;
	long				 n = 0;
	int				 rc = -1;

	p[0] = xasprintf("%s%s:", NUDGE_PREFIX_NUDGE, c->id);
	p[1] = xasprintf("%s%s:", NUDGE_PREFIX_ESCALATE, c->id);
	p[2] = xasprintf("%s%s:", NUDGE_PREFIX_DIGEST, c->id);
	if (store_action_list(st, &f, &acts, &na, err) == -1)
		goto out;
	items = xcalloc(na + 1, sizeof(*items));
	for (i = 0; i < na; i++) {
		items[i].id = acts[i].id;
		/* An owner gone from the config gets nothing. */
		items[i].owner = config_member_find(cfg, acts[i].owner);
		items[i].title = acts[i].title;
		items[i].due = acts[i].due;
		items[i].created = acts[i].created;
		items[i].opened = acts[i].opened;
	}
	n = nudge_plan(c, items, na, o, now, &m);
	for (i = 0; i < 3; i++)
		prefixes[i] = p[i];
	rc = outbox_plan_scoped(st, m, n, prefixes, 3, now,
	    (time_t)INT64_MAX, total, err);
out:
	plan_free(m, n);
	free(items);
	store_action_list_free(acts, na);
	for (i = 0; i < 3; i++)
		free(p[i]);
	return rc;
}

/* Branch report: the agenda, minutes and monthly report prompts
 * (prompt.h), withdrawn with no end as the nudges are. */
static int
outbox_plan_prompts(const struct config *cfg,
    const struct config_community *c, struct store *st,
    const struct nudge_opts *no, time_t now,
    struct store_outbox_counts *total, char **err)
{
	struct prompt_opts	 o = { cfg, no->public_url, no->key, no->keylen,
				    no->horizon, no->has_quiet,
				    no->quiet_from, no->quiet_to };
	struct plan_msg		*m = NULL;
	const char		*prefixes[3];
	char			*p[3];
	long			 n;
	int			 rc = -1, i;

	p[0] = xasprintf("%s%s:", PROMPT_PREFIX_AGENDA, c->id);
	p[1] = xasprintf("%s%s:", PROMPT_PREFIX_MINUTES, c->id);
	p[2] = xasprintf("%s%s:", PROMPT_PREFIX_REPORT, c->id);
	for (i = 0; i < 3; i++)
		prefixes[i] = p[i];
	if ((n = ledger_prompts(st, c, &o, now, &m, err)) >= 0)
		rc = outbox_plan_scoped(st, m, n, prefixes, 3, now,
		    (time_t)INT64_MAX, total, err);
	plan_free(m, n > 0 ? n : 0);
	for (i = 0; i < 3; i++)
		free(p[i]);
	return rc;
}

/* A community gone from the config: its pending messages with it. */
static int
outbox_withdraw_removed(const struct config *cfg, struct store *st,
    time_t now, struct store_outbox_counts *total, char **err)
{
	const char	**ids;
	long		  n = 0;
	size_t		  i;
	int		  rc;

	ids = xcalloc(cfg->ncommunities + 1, sizeof(*ids));
	for (i = 0; i < cfg->ncommunities; i++)
		ids[i] = cfg->communities[i].id;
	rc = store_outbox_withdraw_others(st, ids, cfg->ncommunities, now, &n,
	    err);
	if (rc == 0 && n > 0)
		log_notice("outbox: %ld messages withdrawn: their community is "
		    "no longer in the config", n);
	total->withdrawn += n;
	free(ids);
	return rc;
}

int
outbox_plan(const struct config *cfg, struct store *st,
    const unsigned char *key, size_t keylen, time_t now,
    struct store_outbox_counts *planned, char **err)
{
	struct store_outbox_counts	 total;
	const struct config_community	*c;
	struct nudge_opts		 o;
	struct civil_time		 at;
	char				*cerr = NULL;
	size_t				 i;
	bool				 placed;
	int				 day;

	memset(&total, 0, sizeof(total));
	if (outbox_withdraw_removed(cfg, st, now, &total, err) == -1)
		return -1;
	memset(&o, 0, sizeof(o));
	o.cfg = cfg;
	o.public_url = cfg->worker.public_url;
	o.key = key;
	o.keylen = keylen;
	o.horizon = cfg->worker.horizon;
	o.has_quiet = cfg->worker.has_quiet;
	o.quiet_from = cfg->worker.quiet_from;
	o.quiet_to = cfg->worker.quiet_to;
	for (i = 0; i < cfg->ncommunities; i++) {
		c = &cfg->communities[i];
		if (outbox_plan_items(cfg, c, st, &o, now, &total,
		    &cerr) == -1)
			goto fail;
		if (outbox_plan_prompts(cfg, c, st, &o, now, &total,
		    &cerr) == -1)
			goto fail;
		/* An `auto` slot is placed by availability first. */
		if (series_slot(st, c, &placed, &day, &at, &cerr) == -1)
			goto fail;
		if (!placed)
			continue;
		if (outbox_plan_one(c, day, at, st, now,
		    now + (time_t)cfg->worker.horizon, &total, &cerr) == -1)
			goto fail;
	}
	if (planned != NULL)
		*planned = total;
	return 0;
fail:
	*err = xasprintf("community %s: %s", c->id, cerr);
	free(cerr);
	return -1;
}
