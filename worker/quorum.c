/* quorum: the quorum watch, into the outbox. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "link.h"
#include "log.h"
#include "meeting.h"
#include "nudge.h"
#include "outbox.h"
#include "place.h"
#include "plan.h"
#include "quorum.h"
#include "series.h"
#include "tz.h"
#include "xmalloc.h"

static bool
quorum_away(const struct config_member *m, struct civil_date d)
{
	size_t	i;

	for (i = 0; i < m->naway; i++)
		if (civil_date_cmp(m->away[i].from, d) <= 0 &&
		    civil_date_cmp(d, m->away[i].to) <= 0)
			return true;
	return false;
}

static const char *
quorum_name(const struct config_member *m)
{
	return m->name != NULL ? m->name : m->id;
}

/* What one meeting's watch found. */
struct quorum_look {
	const struct config_community	*c;
	const struct cadence_occ	*occ;
	const struct config_member	**cant;	/* said no, or away */
	bool				*away;	/* per cant */
	size_t				 ncant;
	size_t				 nreq, needed;
	bool				 ok;
	struct meeting_alt		 alt[MEETING_NALT];
	long				 nalt;
};

/* The message's text for the facilitator on channel chan. */
static char *
quorum_body(const struct config *cfg, const struct quorum_look *q,
    const char *chan, const unsigned char *key, size_t keylen, bool *linked)
{
	const struct config_community	*c = q->c;
	struct xbuf			 b = { NULL, 0, 0 };
	char				 when[PLAN_INSTANT_LEN];
	char				 zone[PLAN_ZONE_LEN];
	char				 day[PLAN_DAY_LEN], a[CIVIL_DATE_LEN];
	char				 t[CIVIL_TIME_LEN], *subj, *tok;
	const char			*name = c->name != NULL ? c->name :
					    c->id;
	bool				 links;
	size_t				 i;
	long				 k;

	*linked = false;
	links = cfg->worker.public_url != NULL && key != NULL &&
	    plan_channel_private(cfg, c->facilitator, chan);
	plan_instant(c->tz, c->facilitator->clock, q->occ->start, when,
	    sizeof(when));
	plan_zone_label(c->tz, zone, sizeof(zone));
	if (q->ok) {
		xbuf_printf(&b, "Enough members can come to the %s meeting of "
		    "%s, %s, again: %zu of %zu required members, %zu needed."
		    "\n", name, when, zone,
		    q->nreq - q->ncant, q->nreq, q->needed);
		return b.s;
	}
	xbuf_printf(&b, "Only %zu of the %zu required members of %s can come "
	    "to the meeting of %s, %s; %zu are needed.\n\nCan't come:\n",
	    q->nreq - q->ncant, q->nreq, name, when,
	    zone, q->needed);
	for (i = 0; i < q->ncant; i++)
		xbuf_printf(&b, "- %s (%s)%s\n", quorum_name(q->cant[i]),
		    q->cant[i]->id, q->away[i] ? ", away that day" : "");
	if (q->nalt == 0) {
		xbuf_printf(&b, "\nNo other slot this week has more of them "
		    "free.\n");
		return b.s;
	}
	xbuf_printf(&b, "\nOther slots this week, best first:\n");
	for (k = 0; k < q->nalt; k++) {
		plan_day(q->alt[k].date, day, sizeof(day));
		xbuf_printf(&b, "- %s %s: %ld of %zu required members free\n",
		    day, civil_time_format(q->alt[k].at, t),
		    q->alt[k].required_free, q->nreq);
		if (links) {
			subj = meeting_move_subject(c->id, q->occ->orig,
			    q->alt[k].date, q->alt[k].at);
			tok = link_make_kind(key, keylen, LINK_MOVE, subj,
			    q->occ->start);
			xbuf_printf(&b, "  Move it here: %s/m/%s\n",
			    cfg->worker.public_url, tok);
			free(tok);
			free(subj);
			*linked = true;
		} else
			xbuf_printf(&b, "  plc-cadence meeting move %s %s --to "
			    "\"%s %s\"\n", c->id, civil_date_format(
			    q->occ->orig, a), civil_date_format(q->alt[k].date,
			    day), t);
	}
	return b.s;
}

/* Plan the facilitator's message(s), one per personal channel. */
static int
quorum_tell(const struct config *cfg, struct store *st,
    const struct quorum_look *q, long serial, const unsigned char *key,
    size_t keylen, time_t now, long *told, char **err)
{
	const struct config_community	*c = q->c;
	const struct config_member	*f = c->facilitator;
	struct plan_vec			 pv = { NULL, 0 };
	struct plan_msg			*m;
	char				 a[CIVIL_DATE_LEN], day[PLAN_DAY_LEN];
	const char			*chan;
	bool				 linked;
	size_t				 j;
	int				 rc;

	civil_date_format(q->occ->orig, a);
	plan_day(q->occ->date, day, sizeof(day));
	for (j = 0; j < plan_member_nchannels(f); j++) {
		chan = plan_member_channel(f, j);
		m = plan_vec_push(&pv);
		m->dedup = xasprintf("%s%s:%s:%ld:member:%s:%s", QUORUM_PREFIX,
		    c->id, a, serial, f->id, chan);
		m->kind = QUORUM_KIND;
		m->channel = xstrdup(chan);
		m->recipient = xstrdup(f->id);
		m->subject = q->ok ? xasprintf("Quorum back for %s on %s",
		    c->name != NULL ? c->name : c->id, day) :
		    xasprintf("Quorum short for %s on %s",
		    c->name != NULL ? c->name : c->id, day);
		m->body = quorum_body(cfg, q, chan, key, keylen, &linked);
		/* Out of the facilitator's quiet hours, like a nudge. */
		m->due = cfg->worker.has_quiet ? nudge_after_quiet(f->tz,
		    cfg->worker.quiet_from, cfg->worker.quiet_to, now) : now;
		m->expires = q->occ->start;
		m->audience = PLAN_AUDIENCE_MEMBER;
		m->member = xstrdup(f->id);
		m->community = xstrdup(c->id);
		m->meeting = xstrdup(a);
	}
	rc = outbox_store_plan(st, pv.v, pv.n, NULL, now, NULL, err);
	if (rc == 0) {
		*told += pv.n;
		log_notice("quorum: %s %s: %s (facilitator %s told)", c->id, a,
		    q->ok ? "enough members again" : "below quorum", f->id);
	}
	plan_free(pv.v, pv.n);
	return rc;
}

/* The alternatives for q's meeting: members' free time over its week. */
static int
quorum_alternatives(const struct config *cfg, struct store *st,
    struct quorum_look *q, const struct store_rsvp *rs, size_t nrs,
    time_t now, char **err)
{
	struct place_input	 pi;
	const char		**no;
	size_t			 i, k = 0;
	int			 rc = -1;

	/* The busy calendars as last read (no fetch on the planning path). */
	if (place_input(cfg, q->c, st, now, q->occ->start - 7 * CIVIL_DAY,
	    q->occ->start + 7 * CIVIL_DAY, false, NULL, &pi, err) == -1)
		return -1;
	no = xcalloc(nrs + 1, sizeof(*no));
	for (i = 0; i < nrs; i++)
		if (rs[i].answer == STORE_RSVP_NO)
			no[k++] = rs[i].member;
	q->nalt = meeting_alternatives(q->c, pi.members, pi.in.nmembers,
	    q->occ->start, q->occ->end, no, k, (long)(q->nreq - q->ncant),
	    now, q->alt, err);
	if (q->nalt >= 0)
		rc = 0;
	else
		q->nalt = 0;
	free(no);
	place_input_free(&pi);
	return rc;
}

static int
quorum_one(const struct config *cfg, struct store *st,
    const struct config_community *c, const struct cadence_occ *occ,
    const unsigned char *key, size_t keylen, time_t now, long *told,
    char **err)
{
	struct quorum_look	 q;
	struct store_rsvp	*rs = NULL;
	char			 a[CIVIL_DATE_LEN], *prev = NULL;
	size_t			 nrs = 0, i, j;
	long			 serial = 0;
	bool			 found, away, no;
	int			 rc = -1;

	memset(&q, 0, sizeof(q));
	q.c = c;
	q.occ = occ;
	q.nreq = c->nmembers;
	civil_date_format(occ->orig, a);
	if (store_rsvp_list(st, c->id, a, &rs, &nrs, err) == -1)
		return -1;
	q.cant = xcalloc(c->nmembers + 1, sizeof(*q.cant));
	q.away = xcalloc(c->nmembers + 1, sizeof(*q.away));
	for (i = 0; i < c->nmembers; i++) {
		away = quorum_away(c->members[i], occ->date);
		for (no = false, j = 0; j < nrs; j++)
			if (strcmp(rs[j].member, c->members[i]->id) == 0)
				no = rs[j].answer == STORE_RSVP_NO;
		if (away || no) {
			q.away[q.ncant] = away;
			q.cant[q.ncant++] = c->members[i];
		}
	}
	q.needed = meeting_quorum_needed(q.nreq, meeting_quorum_share(c));
	q.ok = meeting_quorum_ok(q.nreq, q.ncant, meeting_quorum_share(c));
	if (store_quorum_get(st, c->id, a, &found, &prev, &serial, err) == -1)
		goto out;
	/* Told only of a change: first of a shortfall, then of each turn. */
	if ((!found && q.ok) || (found && strcmp(prev, q.ok ? "ok" :
	    "below") == 0)) {
		rc = 0;
		goto out;
	}
	if (!q.ok && quorum_alternatives(cfg, st, &q, rs, nrs, now,
	    err) == -1)
		goto out;
	if (quorum_tell(cfg, st, &q, serial + 1, key, keylen, now, told,
	    err) == -1 ||
	    store_quorum_set(st, c->id, a, q.ok ? "ok" : "below", serial + 1,
	    now, err) == -1)
		goto out;
	rc = 0;
out:
	free(prev);
	free(q.cant);
	free(q.away);
	store_rsvp_list_free(rs, nrs);
	return rc;
}

int
quorum_run(const struct config *cfg, struct store *st,
    const unsigned char *key, size_t keylen, time_t now, long *told,
    char **err)
{
	const struct config_community	*c;
	struct cadence_occ		*occ = NULL;
	struct civil_time		 at;
	char				*cerr = NULL;
	long				 k, j, mine = 0;
	size_t				 i;
	bool				 placed;
	int				 day;

	for (i = 0; i < cfg->ncommunities; i++) {
		c = &cfg->communities[i];
		if (c->nmembers == 0 || c->facilitator == NULL)
			continue;
		if (series_slot(st, c, &placed, &day, &at, &cerr) == -1)
			goto fail;
		if (!placed)
			continue;
		if ((k = cadence_expand(c, day, at, now + 1,
		    now + (time_t)c->quorum_check + 1, &occ, &cerr)) < 0)
			goto fail;
		for (j = 0; j < k; j++)
			if (!occ[j].cancelled && quorum_one(cfg, st, c,
			    &occ[j], key, keylen, now, &mine, &cerr) == -1) {
				free(occ);
				goto fail;
			}
		free(occ);
		occ = NULL;
	}
	if (told != NULL)
		*told = mine;
	return 0;
fail:
	*err = xasprintf("quorum watch, community %s: %s", c->id, cerr);
	free(cerr);
	if (told != NULL)
		*told = mine;
	return -1;
}
