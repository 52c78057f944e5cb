/* outbox: fill the outbox from the plan. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cadence.h"
#include "civil.h"
#include "config.h"
#include "ledger.h"
#include "link.h"
#include "log.h"
#include "meeting.h"
#include "nudge.h"
#include "outbox.h"
#include "plan.h"
#include "prompt.h"
#include "series.h"
#include "store.h"
#include "worksum.h"
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
		rows[i].members = m[i].members;
		rows[i].topic = m[i].topic;
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

/*
 * The RSVP links of issue 16, added to the personal reminders planned for
 * c (a post-pass, so the planner's wording stays its own): a member's
 * reminder by e-mail, or on a chat channel that is theirs alone
 * (plan_channel_private), gets one signed /v/ link, valid until the meeting
 * ends, whose page offers both answers.  Community posts get none, nor does
 * anything without public_url or a key.
 */
static void
outbox_rsvp_links(const struct config *cfg, const struct config_community *c,
    const unsigned char *key, size_t keylen, struct plan_msg *m, long n)
{
	const struct config_member	*mb;
	struct civil_date		 d;
	char				*subject, *tok, *body;
	long				 i;

	if (cfg == NULL || cfg->worker.public_url == NULL || key == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(m[i].kind, PLAN_KIND_REMINDER) != 0 ||
		    strcmp(m[i].audience, PLAN_AUDIENCE_MEMBER) != 0 ||
		    m[i].member == NULL || m[i].meeting == NULL ||
		    civil_date_parse(m[i].meeting, &d) == -1 ||
		    (mb = config_member_find(cfg, m[i].member)) == NULL ||
		    !plan_channel_private(cfg, mb, m[i].channel))
			continue;
		subject = meeting_rsvp_subject(c->id, d, mb->id);
		/* expires is the meeting's start: the link lasts until its
		 * end, the answer may change until its start. */
		tok = link_make_kind(key, keylen, LINK_RSVP, subject,
		    m[i].expires + (time_t)c->duration);
		body = xasprintf("%s\n\nWill you be there? Answer \"I'll be "
		    "there\" or \"I can't come\" here:\n%s/v/%s\n",
		    m[i].body, cfg->worker.public_url, tok);
		free(m[i].body);
		m[i].body = body;
		free(tok);
		free(subject);
	}
}

static int
outbox_plan_one(const struct config *cfg, const struct config_community *c,
    int day, struct civil_time at, struct store *st,
    const unsigned char *key, size_t keylen, time_t now, time_t to,
    const struct plan_work *work, struct store_outbox_counts *total,
    char **err)
{
	struct plan_msg			*m = NULL;
	const char			*prefixes[2];
	char				*meet, *cancel;
	long				 n;
	int				 rc = -1;

	n = plan_meetings(c, day, at, now, to, now, work, &m, err);
	outbox_rsvp_links(cfg, c, key, keylen, m, n);
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

/* What is kept of past meetings' announcements: a move out of the past
 * is still a change. */
#define OUTBOX_SEEN_PAST	(30 * CIVIL_DAY)

/* Whether the entries to record are those recorded: every one of snap
 * is in seen as it is, and seen has no other but past ones. */
static bool
outbox_seen_same(const struct plan_seen *seen, size_t nseen,
    const struct plan_seen *snap, size_t nsnap, time_t now)
{
	size_t	i, j, past = 0;

	for (j = 0; j < nseen; j++)
		if (seen[j].start < now)
			past++;
	if (nseen - past != nsnap)
		return false;
	for (i = 0; i < nsnap; i++) {
		for (j = 0; j < nseen; j++)
			if (strcmp(seen[j].meeting, snap[i].meeting) == 0)
				break;
		if (j == nseen || seen[j].start != snap[i].start ||
		    seen[j].end != snap[i].end ||
		    seen[j].cancelled != snap[i].cancelled ||
		    seen[j].version != snap[i].version)
			return false;
	}
	return true;
}

/*
 * Tell every change of c's meetings in [now, to) once: compare them with
 * what was announced, plan one notice of what differs, then record what
 * is in force.  The notice is stored first, so a crash between the two
 * plans the same notice (same key) again, not a second one.
 */
static int
outbox_plan_changes(const struct config_community *c, int day,
    struct civil_time at, struct store *st, time_t now, time_t to,
    struct store_outbox_counts *total, char **err)
{
	struct store_announced	*a = NULL, *na = NULL;
	struct plan_seen	*seen = NULL, *snap = NULL;
	struct plan_msg		*m = NULL;
	size_t			 n = 0, nsnap = 0, i;
	long			 nm = 0;
	bool			 first = false, found = false;
	char			*p;
	int			 rc = -1;

	if (store_announced_get(st, c->id, &a, &n, err) == -1)
		return -1;
	seen = xcalloc(n + 1, sizeof(*seen));
	for (i = 0; i < n; i++) {
		snprintf(seen[i].meeting, sizeof(seen[i].meeting), "%s",
		    a[i].meeting);
		seen[i].start = a[i].start;
		seen[i].end = a[i].end;
		seen[i].cancelled = a[i].cancelled;
		seen[i].version = a[i].version;
	}
	/* Nothing recorded yet: an `auto` community's first placement,
	 * unless an earlier version told of a slot already. */
	if (n == 0 && series_is_auto(c)) {
		first = true;
		p = xasprintf("%s%s:", PLAN_PREFIX_SLOT, c->id);
		rc = store_outbox_any(st, p, &found, err);
		free(p);
		if (rc == -1)
			goto out;
		rc = -1;
		first = !found;
		p = xasprintf("%s%s:", PLAN_PREFIX_CHANGE, c->id);
		if (first && store_outbox_any(st, p, &found, err) == -1) {
			free(p);
			goto out;
		}
		free(p);
		first = first && !found;
	}
	if ((nm = plan_changes(c, day, at, now, to, seen, n, first, &m, &snap,
	    &nsnap, err)) < 0)
		goto out;
	/* A cancellation an earlier version announced already. */
	if (n == 0 && nm > 0 && m[0].meeting != NULL) {
		p = xasprintf("%s%s:%s:", PLAN_PREFIX_CANCEL, c->id,
		    m[0].meeting);
		rc = store_outbox_any(st, p, &found, err);
		free(p);
		if (rc == -1)
			goto out;
		rc = -1;
		if (found) {
			plan_free(m, nm);
			m = NULL;
			nm = 0;
		}
	}
	if (nm > 0) {
		struct store_outbox_counts cn = { 0, 0, 0, 0 };

		if (outbox_store_plan(st, m, nm, NULL, now, &cn, err) == -1)
			goto out;
		if (cn.inserted > 0)
			log_notice("community %s: a change of its meetings, told "
			    "in %ld messages: %s", c->id, cn.inserted,
			    m[0].subject);
		total->inserted += cn.inserted;
		total->updated += cn.updated;
		total->unchanged += cn.unchanged;
	}
	/* Nothing new to record: no write (the common case, every cycle). */
	if (nm == 0 && outbox_seen_same(seen, n, snap, nsnap, now)) {
		rc = 0;
		goto out;
	}
	na = xcalloc(nsnap + 1, sizeof(*na));
	for (i = 0; i < nsnap; i++) {
		na[i].meeting = snap[i].meeting;
		na[i].start = snap[i].start;
		na[i].end = snap[i].end;
		na[i].cancelled = snap[i].cancelled;
		na[i].version = snap[i].version;
	}
	if (store_announced_set(st, c->id, na, nsnap, now -
	    (time_t)OUTBOX_SEEN_PAST, now, err) == -1)
		goto out;
	rc = 0;
out:
	free(na);
	plan_free(m, nm);
	free(snap);
	free(seen);
	store_announced_free(a, n);
	return rc;
}

/*
 * The nudges, escalations and digests of community c's open items (of
 * acts[0..na-1], all its items).  The planner names every message an item
 * should have from now on, so the scope has no end: an item done, moved or
 * handed over loses all its pending messages, however far ahead.
 */
static int
outbox_plan_items(const struct config *cfg, const struct config_community *c,
    struct store *st, const struct nudge_opts *o,
    const struct store_action *acts, size_t na, time_t now,
    struct store_outbox_counts *total, char **err)
{
	struct nudge_item		*items = NULL;
	struct plan_msg			*m = NULL;
	const char			*prefixes[3];
	char				*p[3];
	size_t				 i, k = 0;
	long				 n = 0;
	int				 rc;

	p[0] = xasprintf("%s%s:", NUDGE_PREFIX_NUDGE, c->id);
	p[1] = xasprintf("%s%s:", NUDGE_PREFIX_ESCALATE, c->id);
	p[2] = xasprintf("%s%s:", NUDGE_PREFIX_DIGEST, c->id);
	items = xcalloc(na + 1, sizeof(*items));
	for (i = 0; i < na; i++) {
		if (acts[i].status != STORE_ACTION_OPEN)
			continue;
		items[k].id = acts[i].id;
		/* An owner gone from the config gets nothing. */
		items[k].owner = config_member_find(cfg, acts[i].owner);
		items[k].title = acts[i].title;
		items[k].notes = acts[i].notes;
		items[k].due = acts[i].due;
		items[k].created = acts[i].created;
		items[k].opened = acts[i].opened;
		k++;
	}
	n = nudge_plan(c, items, k, o, now, &m);
	for (i = 0; i < 3; i++)
		prefixes[i] = p[i];
	rc = outbox_plan_scoped(st, m, n, prefixes, 3, now,
	    (time_t)INT64_MAX, total, err);
	plan_free(m, n);
	free(items);
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

struct worksum_item *
outbox_work_items(const struct config *cfg, const struct store_action *acts,
    size_t na, time_t now, size_t *n)
{
	const struct config_member	*mb;
	struct worksum_item		*w;
	size_t				 i, k = 0;

	w = xcalloc(na + 1, sizeof(*w));
	for (i = 0; i < na; i++) {
		if (acts[i].status == STORE_ACTION_DONE &&
		    acts[i].done_at < now - PLAN_WORK_LOOKBACK)
			continue;
		mb = config_member_find(cfg, acts[i].owner);
		w[k].id = acts[i].id;
		w[k].title = acts[i].title;
		w[k].notes = acts[i].notes;
		w[k].owner = acts[i].owner;
		w[k].owner_name = mb != NULL ? mb->name : NULL;
		w[k].due = acts[i].due;
		w[k].done = acts[i].status == STORE_ACTION_DONE;
		w[k].done_at = acts[i].done_at;
		k++;
	}
	*n = k;
	return w;
}

/* The starts of c's meetings held in [from, to), ascending (*n of them,
 * allocated), for the digest's "last" and "next" meeting. */
static int
outbox_meeting_starts(const struct config_community *c, int day,
    struct civil_time at, time_t from, time_t to, time_t **out, size_t *n,
    char **err)
{
	struct cadence_occ	*occ = NULL;
	long			 k, i;

	*out = NULL;
	*n = 0;
	if ((k = cadence_expand(c, day, at, from, to, &occ, err)) < 0)
		return -1;
	*out = xcalloc((size_t)k + 1, sizeof(**out));
	for (i = 0; i < k; i++)
		if (!occ[i].cancelled)
			(*out)[(*n)++] = occ[i].start;
	free(occ);
	return 0;
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
		struct store_action_filter	 f = { NULL, NULL, -1 };
		struct store_action		*acts = NULL;
		struct worksum_item		*wi = NULL;
		struct plan_work		 work;
		time_t				*starts = NULL;
		size_t				 na = 0, nw = 0, ns = 0;
		int				 r = -1;

		c = &cfg->communities[i];
		f.community = c->id;
		/* Read once: the nudges and every reminder's work section. */
		if (store_action_list(st, &f, &acts, &na, &cerr) == -1)
			goto fail;
		wi = outbox_work_items(cfg, acts, na, now, &nw);
		if (outbox_plan_prompts(cfg, c, st, &o, now, &total,
		    &cerr) == -1)
			goto next;
		/* An `auto` slot is placed by availability first. */
		if (series_slot(st, c, &placed, &day, &at, &cerr) == -1)
			goto next;
		if (placed && outbox_meeting_starts(c, day, at, now -
		    PLAN_WORK_LOOKBACK, now + (time_t)cfg->worker.horizon +
		    PLAN_WORK_LOOKBACK, &starts, &ns, &cerr) == -1)
			goto next;
		o.work = wi;
		o.nwork = nw;
		o.meetings = starts;
		o.nmeetings = ns;
		if (outbox_plan_items(cfg, c, st, &o, acts, na, now, &total,
		    &cerr) == -1)
			goto next;
		work.cfg = cfg;
		work.items = wi;
		work.n = nw;
		if (placed && outbox_plan_changes(c, day, at, st, now,
		    now + (time_t)cfg->worker.horizon, &total, &cerr) == -1)
			goto next;
		if (placed && outbox_plan_one(cfg, c, day, at, st, key,
		    keylen, now, now + (time_t)cfg->worker.horizon, &work, &total,
		    &cerr) == -1)
			goto next;
		r = 0;
next:
		free(starts);
		free(wi);
		store_action_list_free(acts, na);
		if (r == -1)
			goto fail;
	}
	if (outbox_plan_welcome(cfg, st, now, &total, err) == -1)
		return -1;
	if (planned != NULL)
		*planned = total;
	return 0;
fail:
	*err = xasprintf("community %s: %s", c->id, cerr);
	free(cerr);
	return -1;
}
