/* ledger: a community's meetings, items and attendance as plain values. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "civil.h"
#include "ledger.h"
#include "plan.h"
#include "prompt.h"
#include "report.h"
#include "series.h"
#include "store.h"
#include "tz.h"
#include "xmalloc.h"

int
ledger_meetings(struct store *st, const struct config_community *c,
    time_t from, time_t to, struct cadence_occ **occ, size_t *n, char **err)
{
	struct civil_time	 at;
	bool			 placed;
	long			 k;
	int			 day;

	*occ = NULL;
	*n = 0;
	if (series_slot(st, c, &placed, &day, &at, err) == -1)
		return -1;
	if (!placed)
		return 0;
	if ((k = cadence_expand(c, day, at, from, to, occ, err)) < 0)
		return -1;
	*n = (size_t)k;
	return 0;
}

int
ledger_meeting_date(struct store *st, const struct config_community *c,
    struct civil_date d, struct civil_date *orig, bool *found, char **err)
{
	struct cadence_occ	*occ = NULL;
	struct civil_time	 at, midnight = { 0, 0, 0 };
	const struct tz		*tz = plan_zone(c->tz);
	size_t			 n = 0, i;
	bool			 placed, yes = false;
	int			 day, rc = -1;

	*found = false;
	if (series_slot(st, c, &placed, &day, &at, err) == -1)
		return -1;
	if (!placed)
		return 0;
	if (cadence_is_date(c, day, at, d, &yes, err) == -1)
		return -1;
	if (yes) {
		*orig = d;
		*found = true;
		return 0;
	}
	/* A meeting moved onto d from another date. */
	if (ledger_meetings(st, c, tz_to_utc(tz, d, midnight),
	    tz_to_utc(tz, civil_date_add(d, 1), midnight), &occ, &n,
	    err) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (civil_date_cmp(occ[i].date, d) == 0) {
			*orig = occ[i].orig;
			*found = true;
			break;
		}
	rc = 0;
out:
	free(occ);
	return rc;
}

void
ledger_period(const struct config_community *c, time_t now,
    struct civil_date *from, struct civil_date *to)
{
	struct civil_time	t;

	tz_from_utc(plan_zone(c->tz), now, to, &t);
	*from = c->start;
	if (civil_date_cmp(*from, *to) > 0)
		*from = *to;
}

int
ledger_load(struct store *st, const struct config_community *c,
    struct civil_date from, struct civil_date to, time_t now,
    struct ledger *l, char **err)
{
	struct store_action_filter	 f = { c->id, NULL, -1 };
	struct cadence_occ		*occ = NULL;
	struct civil_time		 midnight = { 0, 0, 0 };
	const struct tz			*tz = plan_zone(c->tz);
	size_t				 n = 0, i, np;
	int				 rc = -1;

	memset(l, 0, sizeof(*l));
	np = c->nmembers + c->noptional;
	l->people = xcalloc(np + 1, sizeof(*l->people));
	for (i = 0; i < np; i++) {
		const struct config_member *m = i < c->nmembers ?
		    c->members[i] : c->optional[i - c->nmembers];
		size_t j;

		/* Listed as required and optional: required, once. */
		for (j = 0; j < l->in.npeople; j++)
			if (strcmp(l->people[j].id, m->id) == 0)
				break;
		if (j < l->in.npeople)
			continue;
		l->people[l->in.npeople].id = m->id;
		l->people[l->in.npeople].name = m->name != NULL ? m->name :
		    m->id;
		l->people[l->in.npeople].required = i < c->nmembers;
		l->in.npeople++;
	}
	if (store_action_list(st, &f, &l->acts, &l->nacts, err) == -1)
		goto out;
	l->items = xcalloc(l->nacts + 1, sizeof(*l->items));
	for (i = 0; i < l->nacts; i++) {
		l->items[i].owner = l->acts[i].owner;
		l->items[i].due = l->acts[i].due;
		l->items[i].created = l->acts[i].created;
		l->items[i].done = l->acts[i].status == STORE_ACTION_DONE;
		l->items[i].done_at = l->acts[i].done_at;
	}
	/* The meetings of the period, by series date: a day either side
	 * catches one moved in or out across the edge. */
	if (ledger_meetings(st, c, tz_to_utc(tz, civil_date_add(from, -1),
	    midnight), tz_to_utc(tz, civil_date_add(to, 2), midnight), &occ, &n,
	    err) == -1)
		goto out;
	l->meetings = xcalloc(n + 1, sizeof(*l->meetings));
	for (i = 0; i < n; i++) {
		l->meetings[i].orig = occ[i].orig;
		l->meetings[i].start = occ[i].start;
		l->meetings[i].moved = occ[i].moved;
		l->meetings[i].cancelled = occ[i].cancelled;
	}
	if (store_attend_list(st, c->id, NULL, &l->att, &l->natt, err) == -1)
		goto out;
	l->marks = xcalloc(l->natt + 1, sizeof(*l->marks));
	for (i = 0; i < l->natt; i++) {
		l->marks[i].member = l->att[i].member;
		l->marks[i].meeting = l->att[i].meeting;
		l->marks[i].present = l->att[i].present;
	}
	l->in.community = c->id;
	l->in.name = c->name != NULL ? c->name : c->id;
	l->in.tz = c->tz;
	l->in.people = l->people;
	l->in.items = l->items;
	l->in.nitems = l->nacts;
	l->in.meetings = l->meetings;
	l->in.nmeetings = n;
	l->in.marks = l->marks;
	l->in.nmarks = l->natt;
	/* Each member's latest answer to each meeting of the period (any
	 * answer counts, once per meeting). */
	for (i = 0; i < n; i++) {
		struct store_rsvp	*rs = NULL;
		size_t			 nrs = 0, k;
		char			 iso[CIVIL_DATE_LEN];

		if (civil_date_cmp(occ[i].orig, from) < 0 ||
		    civil_date_cmp(occ[i].orig, to) > 0)
			continue;
		if (store_rsvp_list(st, c->id, civil_date_format(occ[i].orig,
		    iso), &rs, &nrs, err) == -1)
			goto out;
		l->rsv = xreallocarray(l->rsv, l->nrsv + nrs + 1,
		    sizeof(*l->rsv));
		for (k = 0; k < nrs; k++)
			l->rsv[l->nrsv + k] = rs[k];
		l->rsvps = xreallocarray(l->rsvps, l->nrsv + nrs + 1,
		    sizeof(*l->rsvps));
		for (k = 0; k < nrs; k++) {
			l->rsvps[l->nrsv + k].member = rs[k].member;
			l->rsvps[l->nrsv + k].meeting = occ[i].orig;
		}
		l->nrsv += nrs;
		free(rs);	/* its strings moved to l->rsv */
	}
	l->in.rsvps = l->rsvps;
	l->in.nrsvps = l->nrsv;
	l->in.from = from;
	l->in.to = to;
	l->in.now = now;
	rc = 0;
out:
	free(occ);
	return rc;
}

void
ledger_free(struct ledger *l)
{
	if (l == NULL)
		return;
	free(l->people);
	free(l->items);
	free(l->meetings);
	free(l->marks);
	store_action_list_free(l->acts, l->nacts);
	store_attend_free(l->att, l->natt);
	free(l->rsvps);
	store_rsvp_list_free(l->rsv, l->nrsv);
	memset(l, 0, sizeof(*l));
}

/* The monthly report e-mail, when one is due at now. */
static long
ledger_report(struct store *st, const struct config_community *c,
    const struct prompt_opts *o, time_t now, struct plan_msg **out,
    char **err)
{
	struct ledger		 l;
	struct report		 r;
	struct civil_date	 from, to;
	char			 month[PROMPT_MONTH_LEN], *subj, *text, *html;
	time_t			 due;
	long			 n;

	*out = NULL;
	if (!prompt_report_due(c, now, &due, month))
		return 0;
	/* The figures as of when it is due: planning again before it goes
	 * out gives the same message. */
	ledger_period(c, due, &from, &to);
	if (ledger_load(st, c, from, to, due, &l, err) == -1) {
		ledger_free(&l);
		return -1;
	}
	report_compute(&l.in, &r);
	subj = report_subject(&r);
	text = report_text(&r);
	html = report_mail_html(&r);
	n = prompt_report(c, subj, text, html, month, due, o, now, out);
	free(subj);
	free(text);
	free(html);
	report_free(&r);
	ledger_free(&l);
	return n;
}

long
ledger_prompts(struct store *st, const struct config_community *c,
    const struct prompt_opts *o, time_t now, struct plan_msg **out,
    char **err)
{
	struct store_action_filter	 f = { c->id, NULL, -1 };
	struct store_action		*acts = NULL;
	struct cadence_occ		*occ = NULL;
	struct civil_date		*minuted = NULL;
	struct plan_msg			*pm = NULL, *rm = NULL;
	struct plan_vec			 pv = { NULL, 0 };
	size_t				 na = 0, nm = 0, n = 0, i;
	time_t				 from, to;
	long				 np = 0, nr = 0, rc = -1, k;

	*out = NULL;
	if (c->has_agenda_due || c->has_minutes_due) {
		prompt_window(c, now, o->horizon, &from, &to);
		if (ledger_meetings(st, c, from, to, &occ, &n, err) == -1)
			goto out;
		if (store_action_list(st, &f, &acts, &na, err) == -1)
			goto out;
		minuted = xcalloc(na + 1, sizeof(*minuted));
		for (i = 0; i < na; i++)
			if (acts[i].has_meeting)
				minuted[nm++] = acts[i].meeting;
		np = prompt_plan(c, occ, n, minuted, nm, o, now, &pm);
	}
	if ((nr = ledger_report(st, c, o, now, &rm, err)) < 0)
		goto out;
	/* One vector, taken over from both. */
	for (k = 0; k < np; k++)
		*plan_vec_push(&pv) = pm[k];
	for (k = 0; k < nr; k++)
		*plan_vec_push(&pv) = rm[k];
	free(pm);
	free(rm);
	pm = rm = NULL;
	np = nr = 0;
	plan_vec_sort(&pv);
	*out = pv.v;
	rc = pv.n;
out:
	plan_free(pm, np);
	plan_free(rm, nr > 0 ? nr : 0);
	free(minuted);
	free(occ);
	store_action_list_free(acts, na);
	return rc;
}
