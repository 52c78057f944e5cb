/* prompt: agenda, minutes and monthly report prompts. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "civil.h"
#include "link.h"
#include "nudge.h"
#include "plan.h"
#include "prompt.h"
#include "tz.h"
#include "xmalloc.h"

const struct config_member *
prompt_recorder(const struct config_community *c)
{
	return c->recorder != NULL ? c->recorder : c->facilitator;
}

void
prompt_window(const struct config_community *c, time_t now, int64_t horizon,
    time_t *from, time_t *to)
{
	int64_t	back = PROMPT_MINUTES_LIFETIME + c->duration + 2 * CIVIL_DAY;

	/* A minutes prompt is due minutes_due after the end, held up to a
	 * quiet night, and lives PROMPT_MINUTES_LIFETIME. */
	if (c->has_minutes_due)
		back += c->minutes_due;
	*from = now - (time_t)back;
	*to = now + (time_t)horizon + (time_t)(c->has_agenda_due ?
	    c->agenda_due : 0);
}

/* What every prompt of one community needs. */
struct prompt_ctx {
	const struct config_community	*c;
	const struct prompt_opts	*o;
	char				*name;	/* cleaned */
	time_t				 now;
	struct plan_vec			 pv;
};

static time_t
prompt_when(const struct prompt_ctx *x, const struct config_member *mb,
    time_t t)
{
	if (!x->o->has_quiet)
		return t;
	return nudge_after_quiet(mb->tz, x->o->quiet_from, x->o->quiet_to, t);
}

/* PUBLIC_URL/path/TOKEN of a link of kind about subject, or NULL. */
static char *
prompt_link(const struct prompt_opts *o, const char *path,
    enum link_kind kind, const char *subject, time_t expires)
{
	char	*tok, *s;

	if (o->public_url == NULL || o->key == NULL)
		return NULL;
	tok = link_make_kind(o->key, o->keylen, kind, subject, expires);
	s = xasprintf("%s%s%s", o->public_url, path, tok);
	free(tok);
	return s;
}

/* Adds one message to member mb on channel ch; dedup, subject and body
 * are taken over. */
static void
prompt_add(struct prompt_ctx *x, char *dedup, const char *kind,
    const struct config_member *mb, const char *ch, const char *meeting,
    char *subject, char *body, char *html, time_t due, time_t expires)
{
	struct plan_msg	*m;

	m = plan_vec_push(&x->pv);
	m->dedup = dedup;
	m->kind = kind;
	m->channel = xstrdup(ch);
	m->recipient = xstrdup(mb->id);
	m->audience = PLAN_AUDIENCE_MEMBER;
	m->member = xstrdup(mb->id);
	m->community = xstrdup(x->c->id);
	/* No meeting column: it names the meeting of a reminder or change
	 * (plan.h), and a prompt is neither. */
	(void)meeting;
	m->meeting = NULL;
	m->subject = subject;
	m->body = body;
	m->html = html;
	m->due = due;
	m->expires = expires;
}

/* "Grade 7 Math PLC — Tue 8 Dec 3:30 PM New York time": in mb's zone, on
 * mb's clock, the zone as people say it (plan.h). */
static char *
prompt_line(const struct prompt_ctx *x, const struct cadence_occ *oc,
    const struct config_member *mb)
{
	char	ib[PLAN_INSTANT_LEN], zb[PLAN_ZONE_LEN];

	plan_instant(mb->tz, mb->clock, oc->start, ib, sizeof(ib));
	plan_zone_label(plan_zone(mb->tz), zb, sizeof(zb));
	return xasprintf("%s — %s %s", x->name, ib, zb);
}

/* "Tue 8 Dec": the meeting's day in mb's zone. */
static void
prompt_day(const struct cadence_occ *oc, const struct config_member *mb,
    char *buf, size_t len)
{
	struct civil_date	d;
	struct civil_time	t;

	tz_from_utc(plan_zone(mb->tz), oc->start, &d, &t);
	plan_day(d, buf, len);
}

static void
prompt_agenda(struct prompt_ctx *x, const struct cadence_occ *oc,
    const char *orig, const char *notes)
{
	const struct config_member	*mb = x->c->facilitator;
	char				 db[PLAN_DAY_LEN], *line;
	const char			*ch;
	time_t				 due;
	size_t				 j;

	if (mb == NULL)
		return;
	due = prompt_when(x, mb, oc->start - (time_t)x->c->agenda_due);
	/* Useless once the meeting has started. */
	if (due >= oc->start || oc->start <= x->now)
		return;
	prompt_day(oc, mb, db, sizeof(db));
	line = prompt_line(x, oc, mb);
	for (j = 0; j < plan_member_nchannels(mb); j++) {
		ch = plan_member_channel(mb, j);
		prompt_add(x, xasprintf("%s%s:%s:member:%s:%s",
		    PROMPT_PREFIX_AGENDA, x->c->id, orig, mb->id, ch),
		    PROMPT_KIND_AGENDA, mb, ch, orig,
		    xasprintf("Post the agenda for %s", db),
		    xasprintf("Post the agenda for %s.\n%s\n%s%s%s", db, line,
		    notes != NULL ? "Notes: " : "", notes != NULL ? notes : "",
		    notes != NULL ? "\n" : ""), NULL, due, oc->start);
	}
	free(line);
}

static void
prompt_minutes(struct prompt_ctx *x, const struct cadence_occ *oc,
    const char *orig, const char *notes)
{
	const struct config_member	*mb = prompt_recorder(x->c);
	char				 db[PLAN_DAY_LEN], *line, *subj, *link;
	char				*who, *how;
	const char			*ch;
	time_t				 due, expires;
	size_t				 j;
	bool				 by_mail = false;

	if (mb == NULL)
		return;
	for (j = 0; j < plan_member_nchannels(mb); j++)
		if (strcmp(plan_member_channel(mb, j), PLAN_CHANNEL_EMAIL) == 0)
			by_mail = true;
	due = prompt_when(x, mb, oc->end + (time_t)x->c->minutes_due);
	expires = due + PROMPT_MINUTES_LIFETIME;
	if (expires <= x->now || due >= x->now + (time_t)x->o->horizon)
		return;
	prompt_day(oc, mb, db, sizeof(db));
	line = prompt_line(x, oc, mb);
	subj = xasprintf("%s.%s", x->c->id, orig);
	link = prompt_link(x->o, "/t/", LINK_ATTEND, subj,
	    expires + LINK_LIFETIME);
	how = xasprintf("Action items: plc-cadence action add %s --owner "
	    "MEMBER --due DATE --title TEXT --meeting %s\n", x->c->id, orig);
	for (j = 0; j < plan_member_nchannels(mb); j++) {
		ch = plan_member_channel(mb, j);
		if (link != NULL && plan_channel_private(x->o->cfg, mb, ch))
			who = xasprintf("Who came: %s\n", link);
		else
			who = xasprintf("Who came: plc-cadence meeting attend "
			    "%s %s --present MEMBERS --absent MEMBERS%s\n",
			    x->c->id, orig, link != NULL && by_mail ?
			    " (or the link in your e-mail)" : "");
		prompt_add(x, xasprintf("%s%s:%s:member:%s:%s",
		    PROMPT_PREFIX_MINUTES, x->c->id, orig, mb->id, ch),
		    PROMPT_KIND_MINUTES, mb, ch, orig,
		    xasprintf("Record minutes and action items of %s", db),
		    xasprintf("Record minutes and action items of %s.\n%s\n"
		    "%s%s%s%s%s", db, line, notes != NULL ? "Notes: " : "",
		    notes != NULL ? notes : "", notes != NULL ? "\n" : "", who,
		    how), NULL, due, expires);
		free(who);
	}
	free(how);
	free(link);
	free(subj);
	free(line);
}

long
prompt_plan(const struct config_community *c, const struct cadence_occ *occ,
    size_t n, const struct civil_date *minuted, size_t nminuted,
    const struct prompt_opts *o, time_t now, struct plan_msg **out)
{
	struct prompt_ctx	 x;
	char			 orig[CIVIL_DATE_LEN], *notes;
	size_t			 i, k;

	*out = NULL;
	if (!c->has_agenda_due && !c->has_minutes_due)
		return 0;
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.o = o;
	x.now = now;
	x.name = plan_clean(c->name != NULL ? c->name : c->id);
	for (i = 0; i < n; i++) {
		if (occ[i].cancelled)
			continue;
		civil_date_format(occ[i].orig, orig);
		notes = plan_notes_url(c, occ[i].orig);
		if (c->has_agenda_due)
			prompt_agenda(&x, &occ[i], orig, notes);
		for (k = 0; k < nminuted; k++)
			if (civil_date_cmp(minuted[k], occ[i].orig) == 0)
				break;
		if (c->has_minutes_due && k == nminuted)
			prompt_minutes(&x, &occ[i], orig, notes);
		free(notes);
	}
	free(x.name);
	plan_vec_sort(&x.pv);
	*out = x.pv.v;
	return x.pv.n;
}

bool
prompt_report_due(const struct config_community *c, time_t now, time_t *due,
    char month[PROMPT_MONTH_LEN])
{
	const struct tz		*tz = plan_zone(c->tz);
	struct civil_date	 d;
	struct civil_time	 t;
	time_t			 at;
	int			 back;

	if (!c->has_report)
		return false;
	tz_from_utc(tz, now, &d, &t);
	/* This month's instant, or last month's when this one is ahead. */
	for (back = 0; back < 2; back++) {
		d.d = c->report_mday;
		at = tz_to_utc(tz, d, c->report_time);
		if (at <= now) {
			if (at <= now - PROMPT_REPORT_LIFETIME)
				return false;
			*due = at;
			snprintf(month, PROMPT_MONTH_LEN, "%04d-%02d",
			    (d.y % 10000 + 10000) % 10000, (d.m % 100 + 100) % 100);
			return true;
		}
		if (--d.m < 1) {
			d.m = 12;
			d.y--;
		}
	}
	return false;
}

long
prompt_report(const struct config_community *c, const char *subject,
    const char *text, const char *html, const char *month, time_t due,
    const struct prompt_opts *o, time_t now, struct plan_msg **out)
{
	const struct config_member	*mb = c->facilitator;
	struct prompt_ctx		 x;
	const char			*mark;
	char				*link, *body, *page, *lh;
	time_t				 when, expires = due +
					    PROMPT_REPORT_LIFETIME;

	*out = NULL;
	if (mb == NULL || mb->email == NULL || expires <= now)
		return 0;
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.o = o;
	x.now = now;
	when = prompt_when(&x, mb, due);
	link = prompt_link(o, "/r/", LINK_REPORT, c->id,
	    when + LINK_LIFETIME);
	body = xasprintf("%s%s%s%s", text, link != NULL ? "\nThe report with "
	    "its charts: " : "", link != NULL ? link : "",
	    link != NULL ? "\n" : "");
	lh = link != NULL ? xasprintf("<p><a href=\"%s\">The report with its "
	    "charts</a></p>", link) : xstrdup("");
	if ((mark = strstr(html, PROMPT_LINK_MARK)) != NULL)
		page = xasprintf("%.*s%s%s", (int)(mark - html), html, lh,
		    mark + strlen(PROMPT_LINK_MARK));
	else
		page = xasprintf("%s%s", html, lh);
	prompt_add(&x, xasprintf("%s%s:%s:member:%s:%s", PROMPT_PREFIX_REPORT,
	    c->id, month, mb->id, PLAN_CHANNEL_EMAIL), PROMPT_KIND_REPORT, mb,
	    PLAN_CHANNEL_EMAIL, NULL, plan_clean(subject), body, page, when,
	    expires);
	free(lh);
	free(link);
	*out = x.pv.v;
	return x.pv.n;
}
