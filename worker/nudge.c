/* nudge: open action items into nudges, escalations and digests. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "civil.h"
#include "link.h"
#include "nudge.h"
#include "plan.h"
#include "tz.h"
#include "worksum.h"
#include "xmalloc.h"


/* What every message about one community needs. */
struct nudge_ctx {
	const struct config_community	*c;
	const struct nudge_opts		*o;
	const struct tz			*ctz;
	char				*name;	/* cleaned */
	time_t				 now, until;
	struct plan_vec			 pv;
};

time_t
nudge_after_quiet(const struct tz *tz, int from, int to, time_t t)
{
	struct civil_date	d;
	struct civil_time	tm;
	time_t			end;
	int			s;

	if (from == to)
		return t;
	tz = plan_zone(tz);
	tz_from_utc(tz, t, &d, &tm);
	s = civil_time_to_secs(tm);
	if (from < to) {
		if (s < from || s >= to)
			return t;
	} else if (s >= from)
		d = civil_date_add(d, 1);	/* the night ends tomorrow */
	else if (s >= to)
		return t;
	end = tz_to_utc(tz, d, civil_time_from_secs(to));
	/* A gap at the end (a DST change) may read as earlier: never go
	 * back in time. */
	return end > t ? end : t;
}

time_t
nudge_day_end(const struct tz *tz, struct civil_date d)
{
	struct civil_time	midnight = { 0, 0, 0 };

	return tz_to_utc(plan_zone(tz), civil_date_add(d, 1), midnight);
}

/* When a personal message to mb may go: t, out of mb's quiet hours. */
static time_t
nudge_when(const struct nudge_ctx *x, const struct config_member *mb,
    time_t t)
{
	if (!x->o->has_quiet)
		return t;
	return nudge_after_quiet(mb->tz, x->o->quiet_from, x->o->quiet_to, t);
}

/*
 * When a nudge or digest to mb due at t may go: t, or when mb is away
 * that day (or now, when t is past), NUDGE_MORNING_H on their first day
 * back; out of quiet hours.
 */
static time_t
nudge_back(const struct nudge_ctx *x, const struct config_member *mb,
    time_t t)
{
	const struct tz		*tz = plan_zone(mb->tz);
	struct civil_time	 morning = { NUDGE_MORNING_H, 0, 0 }, tm;
	struct civil_date	 d;
	size_t			 i, guard;
	time_t			 from = t;

	/* One due while away, or going late (downtime) while away. */
	if (!plan_member_away(mb, from) && from < x->now)
		from = x->now;
	if (plan_member_away(mb, from)) {
		tz_from_utc(tz, from, &d, &tm);
		/* Each span moves d past its end at most once per pass:
		 * bounded by the spans' count. */
		for (guard = 0; guard <= mb->naway; guard++)
			for (i = 0; i < mb->naway; i++)
				if (civil_date_cmp(mb->away[i].from, d) <= 0 &&
				    civil_date_cmp(d, mb->away[i].to) <= 0)
					d = civil_date_add(mb->away[i].to, 1);
		t = tz_to_utc(tz, d, morning);
	}
	return nudge_when(x, mb, t);
}

/*
 * lead + the link for item it in a message due at due, or "".  The link
 * names when the item was last opened, so that reopening it retires the
 * links sent before.
 */
static char *
nudge_link(const struct nudge_ctx *x, const char *lead,
    const struct nudge_item *it, time_t due)
{
	char	*tok, *s;

	if (x->o->public_url == NULL || x->o->key == NULL)
		return xstrdup("");
	tok = link_make(x->o->key, x->o->keylen, it->id,
	    it->opened > it->created ? it->opened : it->created,
	    due + LINK_LIFETIME);
	s = xasprintf("%s%s/a/%s", lead, x->o->public_url, tok);
	free(tok);
	return s;
}

/*
 * The community's zone as people say it ("New York time") when it is not
 * tz's, else NULL; allocated.
 */
static char *
nudge_other_zone(const struct nudge_ctx *x, const struct tz *tz)
{
	char	lb[PLAN_ZONE_LEN];

	if (plan_zone_same(tz, x->ctz))
		return NULL;
	plan_zone_label(x->ctz, lb, sizeof(lb));
	return xstrdup(lb);
}

/* Adds one message; dedup, subject and body are taken over.  audience is
 * PLAN_AUDIENCE_…; a member's recipient is the member. */
static struct plan_msg *
nudge_add(struct nudge_ctx *x, char *dedup, const char *kind,
    const char *audience, const char *channel, const char *recipient,
    char *subject, char *body, time_t due, time_t expires)
{
	struct plan_msg	*m;

	/* Worthless by the time it could go, or beyond what is planned. */
	if (due >= expires || expires <= x->now || due >= x->until) {
		free(dedup);
		free(subject);
		free(body);
		return NULL;
	}
	m = plan_vec_push(&x->pv);
	m->dedup = dedup;
	m->kind = kind;
	m->channel = xstrdup(channel);
	m->recipient = xstrdup(recipient);
	m->subject = subject;
	m->body = body;
	m->due = due;
	m->expires = expires;
	m->audience = audience;
	m->member = strcmp(audience, PLAN_AUDIENCE_MEMBER) == 0 ?
	    xstrdup(recipient) : NULL;
	m->community = xstrdup(x->c->id);
	return m;
}

/*
 * One personal message on each of mb's notify channels: body (with links)
 * by e-mail and on mb's own channel, shared (without) on any other.  topic
 * (may be NULL) is what the lead times of the same thing share.
 */
static void
nudge_personal(struct nudge_ctx *x, const char *stem, const char *topic,
    const char *kind, const struct config_member *mb, const char *subject,
    const char *body, const char *shared, time_t due, time_t expires)
{
	struct plan_msg	*m;
	const char	*ch;
	size_t		 j;

	for (j = 0; j < plan_member_nchannels(mb); j++) {
		ch = plan_member_channel(mb, j);
		m = nudge_add(x, xasprintf("%s:member:%s:%s", stem, mb->id, ch),
		    kind, PLAN_AUDIENCE_MEMBER, ch, mb->id, xstrdup(subject),
		    xstrdup(plan_channel_private(x->o->cfg, mb, ch) ? body :
		    shared), due, expires);
		if (m != NULL && topic != NULL)
			m->topic = xasprintf("%s:member:%s:%s", topic, mb->id,
			    ch);
	}
}

static const char *
nudge_member_name(const struct config_member *mb)
{
	return mb->name != NULL ? mb->name : mb->id;
}

/*
 * What a copy on a shared channel says instead of links: who is asked to
 * act, and how ("Bob Jones: mark it done with `plc-cadence action done 12`
 * or the link in your e-mail.").  id is the item, or 0 for several.
 */
static char *
nudge_ask(const struct nudge_ctx *x, const struct config_member *who,
    int64_t id)
{
	const char	*where = NULL, *ch;
	char		*cmd, *s;
	size_t		 j;

	/* Where the same message goes with its links, if anywhere. */
	for (j = 0; x->o->public_url != NULL && x->o->key != NULL &&
	    j < plan_member_nchannels(who); j++) {
		ch = plan_member_channel(who, j);
		if (strcmp(ch, PLAN_CHANNEL_EMAIL) == 0)
			where = "your e-mail";
		else if (where == NULL && plan_channel_private(x->o->cfg, who,
		    ch))
			where = "your own channel";
	}
	cmd = id > 0 ? xasprintf("mark it done with `plc-cadence action done "
	    "%lld`", (long long)id) : xstrdup("mark them done with "
	    "`plc-cadence action done N` (N: the item's number)");
	s = xasprintf("%s: %s%s%s%s.\n", nudge_member_name(who), cmd,
	    where != NULL ? " or the " : "", where == NULL ? "" : id > 0 ?
	    "link in " : "links in ", where != NULL ? where : "");
	free(cmd);
	return s;
}

/* When the nudge `lead` ahead of the due day falls, quiet hours aside. */
static time_t
nudge_lead_instant(const struct nudge_item *it, const struct tz *otz,
    int64_t lead)
{
	struct civil_time	morning = { NUDGE_MORNING_H, 0, 0 };
	struct civil_date	day;

	day = civil_date_add(it->due, -(lead / CIVIL_DAY));
	return tz_to_utc(otz, day, morning) - (time_t)(lead % CIVIL_DAY);
}

/*
 * The nudges of one item: one per lead time, each on every channel.  Of the
 * lead times that had passed when the item was added, only the latest is
 * planned, due when the item was added: a new item due soon is announced
 * once, not once per lead time it missed.
 */
static void
nudge_item_nudges(struct nudge_ctx *x, const struct nudge_item *it,
    const char *title, const char *due)
{
	const struct config_member	*mb = it->owner;
	const struct tz			*otz = plan_zone(mb->tz);
	char				*oz = nudge_other_zone(x, otz);
	struct civil_date		 sent;
	struct civil_time		 tm;
	char				 lb[CIVIL_DUR_LEN], db[PLAN_DAY_LEN];
	char				 eb[PLAN_INSTANT_LEN], *stem, *subject;
	char				*body, *link, *when, *shared, *ask;
	char				*notes = plan_clean(it->notes);
	char				*topic;
	time_t				 end, t, missed = 0, *at, exp;
	size_t				 r, r2;
	bool				 any = false, held = false;

	for (r = 0; r < x->c->naction_remind; r++) {
		t = nudge_lead_instant(it, otz, x->c->action_remind[r]);
		if (x->c->action_remind[r] >= 0 && t < it->created &&
		    (!any || t > missed)) {
			missed = t;
			any = true;
		}
	}
	end = nudge_day_end(x->ctz, it->due);
	plan_day(it->due, db, sizeof(db));
	/* The due day is the community's; when the owner lives in another
	 * zone, when that day ends on the owner's clock. */
	if (oz != NULL) {
		struct civil_date	ed;
		struct civil_time	et;
		char			zb[PLAN_ZONE_LEN], tb[PLAN_TIME_LEN];

		tz_from_utc(otz, end, &ed, &et);
		plan_zone_label(otz, zb, sizeof(zb));
		if (civil_date_cmp(ed, it->due) == 0) {
			plan_time(et, mb->clock, tb, sizeof(tb));
			snprintf(eb, sizeof(eb), "%s", tb);
		} else
			plan_instant(otz, mb->clock, end, eb, sizeof(eb));
		when = xasprintf("%s %s (by %s %s)", db, oz, eb, zb);
	} else
		when = xstrdup(db);
	/* When each lead's nudge goes (0: not at all): out of quiet hours,
	 * and after the owner's away days. */
	at = xcalloc(x->c->naction_remind + 1, sizeof(*at));
	for (r = 0; r < x->c->naction_remind; r++) {
		if (x->c->action_remind[r] < 0)
			continue;
		t = nudge_lead_instant(it, otz, x->c->action_remind[r]);
		if (t < it->created && !(any && t == missed))
			continue;
		/* The missed one goes when the item is added: out of quiet
		 * hours like any other. */
		if (t < it->created)
			t = it->created;
		at[r] = nudge_back(x, mb, t);
		if (plan_member_away(mb, t))
			held = true;
	}
	topic = xasprintf("%s%s:%lld:%s", NUDGE_PREFIX_NUDGE, x->c->id,
	    (long long)it->id, due);
	for (r = 0; r < x->c->naction_remind; r++) {
		int64_t lead = x->c->action_remind[r];

		if ((t = at[r]) == 0)
			continue;
		/* Held over away days onto a nearer one's time: that one
		 * goes alone. */
		for (r2 = 0; r2 < x->c->naction_remind; r2++)
			if (r2 != r && at[r2] == t && x->c->action_remind[r2] <
			    lead)
				break;
		if (r2 < x->c->naction_remind)
			continue;
		/* Away past the due day: told once on the way back. */
		exp = held && t >= end ? t + NUDGE_DIGEST_LIFETIME : end;
		/* The day it says is the day it goes: late (downtime, a
		 * retry) is now. */
		tz_from_utc(otz, t > x->now ? t : x->now, &sent, &tm);
		link = nudge_link(x, "\nDone? Mark it done: ", it, t);
		stem = xasprintf("%s%s:%lld:%s:%s", NUDGE_PREFIX_NUDGE,
		    x->c->id, (long long)it->id, due,
		    civil_duration_format(lead, lb));
		subject = civil_date_cmp(sent, it->due) == 0 ?
		    xasprintf("Due today: %s", title) :
		    civil_date_cmp(civil_date_add(sent, 1), it->due) == 0 ?
		    xasprintf("Due tomorrow: %s", title) :
		    civil_date_cmp(sent, it->due) > 0 ?
		    xasprintf("Was due %s: %s", db, title) :
		    xasprintf("Due %s: %s", db, title);
		body = xasprintf("Your action item for %s is due %s:\n  %s\n"
		    "(item %lld)%s%s%s\n", x->name, when, title,
		    (long long)it->id, notes != NULL ? "\nNotes: " : "",
		    notes != NULL ? notes : "", link);
		ask = nudge_ask(x, mb, it->id);
		shared = xasprintf("Your action item for %s is due %s:\n  %s\n"
		    "(item %lld)\n%s", x->name, when, title, (long long)it->id,
		    ask);
		nudge_personal(x, stem, topic, NUDGE_KIND_NUDGE, mb, subject,
		    body, shared, t, exp);
		free(stem);
		free(subject);
		free(body);
		free(shared);
		free(ask);
		free(link);
	}
	free(topic);
	free(at);
	free(when);
	free(oz);
	free(notes);
}

/* The escalations of one item: the current period's and the next. */
static void
nudge_item_escalations(struct nudge_ctx *x, const struct nudge_item *it,
    const char *title, const char *due)
{
	const struct config_member	*f = x->c->facilitator;
	const struct config_member	*mb = it->owner;
	int64_t				 period, k, last;
	char				 db[PLAN_DAY_LEN], ob[PLAN_SPAN_LEN];
	char				*fz;
	char				*stem, *subject, *body, *link;
	char				*text, *ask, *shared;
	time_t				 end, at, t;

	if (!x->c->has_escalate || f == NULL)
		return;
	period = x->c->escalate > 0 ? x->c->escalate : CIVIL_DAY;
	end = nudge_day_end(x->ctz, it->due);
	k = x->now > end ? (int64_t)(x->now - end) / period : 0;
	if (k < 1)
		k = 1;
	plan_day(it->due, db, sizeof(db));
	/* The due day is the community's: said so when the facilitator
	 * lives in another zone. */
	fz = nudge_other_zone(x, f->tz);
	for (last = k + 1; k <= last; k++) {
		at = end + (time_t)(k * period);
		t = nudge_when(x, f, at);
		link = nudge_link(x, "\nMark it done: ", it, t);
		stem = xasprintf("%s%s:%lld:%s:%lld", NUDGE_PREFIX_ESCALATE,
		    x->c->id, (long long)it->id, due, (long long)k);
		subject = xasprintf("Overdue: %s — %s", title,
		    nudge_member_name(mb));
		plan_span(k * period, ob, sizeof(ob));
		text = xasprintf("An action item of %s is overdue:\n  %s\n"
		    "Owner: %s (%s)\nWas due: %s%s%s; overdue by %s.\n"
		    "(item %lld)", x->name, title, nudge_member_name(mb),
		    mb->id, db, fz != NULL ? ", " : "", fz != NULL ? fz : "",
		    ob, (long long)it->id);
		body = xasprintf("%s%s\n", text, link);
		ask = nudge_ask(x, f, it->id);
		shared = xasprintf("%s\n%s", text, ask);
		/* Superseded by the next period's. */
		nudge_personal(x, stem, NULL, NUDGE_KIND_ESCALATION, f,
		    subject, body, shared, t, at + (time_t)period);
		free(stem);
		free(subject);
		free(body);
		free(text);
		free(ask);
		free(shared);
		free(link);
	}
	free(fz);
}

/* Items by due date, then number: overdue ones come first by themselves. */
static int
nudge_item_cmp(const void *a, const void *b)
{
	const struct nudge_item	*x = *(const struct nudge_item *const *)a;
	const struct nudge_item	*y = *(const struct nudge_item *const *)b;
	int			 d = civil_date_cmp(x->due, y->due);

	if (d != 0)
		return d;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* A list of items, one line each, appended to *s (allocated); with their
 * owners' names or with their links. */
static void
nudge_lines(const struct nudge_ctx *x, char **s,
    const struct nudge_item *const *v, size_t n, bool owners, bool links,
    time_t due)
{
	char	db[PLAN_DAY_LEN], *title, *link, *line, *notes;
	size_t	i;

	for (i = 0; i < n; i++) {
		title = plan_clean(v[i]->title);
		plan_day(v[i]->due, db, sizeof(db));
		link = links ? nudge_link(x, "\n  Mark done: ", v[i], due) :
		    xstrdup("");
		/* Notes go where the links go: only the owner reads them. */
		notes = links ? plan_clean(v[i]->notes) : NULL;
		line = xasprintf("%s- %s%s%s — due %s (item %lld)%s%s%s\n", *s,
		    title != NULL ? title : "", owners ? " — " : "",
		    owners ? nudge_member_name(v[i]->owner) : "", db,
		    (long long)v[i]->id, notes != NULL ? "\n  Notes: " : "",
		    notes != NULL ? notes : "", link);
		free(*s);
		*s = line;
		free(title);
		free(notes);
		free(link);
	}
}

/* Two sections, overdue and open; v is sorted, its first nover overdue. */
static char *
nudge_sections(const struct nudge_ctx *x, const char *head,
    const struct nudge_item *const *v, size_t n, size_t nover, bool owners,
    bool links, time_t due)
{
	char	*s = xstrdup(head), *t;

	if (nover > 0) {
		t = xasprintf("%s\nOverdue:\n", s);
		free(s);
		s = t;
		nudge_lines(x, &s, v, nover, owners, links, due);
	}
	if (n > nover) {
		t = xasprintf("%s\n%s:\n", s, owners ? "Next due" : "Open");
		free(s);
		s = t;
		nudge_lines(x, &s, v + nover, n - nover, owners, links, due);
	}
	return s;
}

/* How many of v (sorted) are overdue at t. */
static size_t
nudge_count_overdue(const struct nudge_ctx *x,
    const struct nudge_item *const *v, size_t n, time_t t)
{
	size_t	k = 0;

	while (k < n && nudge_day_end(x->ctz, v[k]->due) <= t)
		k++;
	return k;
}

/* One member's digest of the week whose digest is at `at`. */
static void
nudge_digest_member(struct nudge_ctx *x, const char *date, time_t at,
    time_t next, const struct nudge_item *const *v, size_t n)
{
	const struct config_member	*mb = v[0]->owner;
	char				*oz, ib[PLAN_INSTANT_LEN], *stem, *head;
	char				*subject, *body, *zones, *list, *ask;
	char				*shared, *topic;
	size_t				 nover;
	time_t				 t = nudge_back(x, mb, at);

	/* Held over away days onto next week's: that one goes alone. */
	if (next != 0 && nudge_back(x, mb, next) == t)
		return;
	oz = nudge_other_zone(x, mb->tz);

	/* As of when it is read: what is overdue then. */
	nover = nudge_count_overdue(x, v, n, t);
	plan_instant(mb->tz, mb->clock, t, ib, sizeof(ib));
	if (oz != NULL) {
		char	lb[PLAN_ZONE_LEN];

		plan_zone_label(mb->tz, lb, sizeof(lb));
		zones = xasprintf(" %s (due dates are days in %s)", lb, oz);
	} else
		zones = xstrdup("");
	head = xasprintf("Your open action items for %s, as of %s%s:\n",
	    x->name, ib, zones);
	body = nudge_sections(x, head, v, n, nover, false, true, t);
	list = nudge_sections(x, head, v, n, nover, false, false, t);
	ask = nudge_ask(x, mb, n == 1 ? v[0]->id : 0);
	shared = xasprintf("%s\n%s", list, ask);
	subject = nover > 0 ? xasprintf("Your open action items — %s (%zu, "
	    "%zu overdue)", x->name, n, nover) :
	    xasprintf("Your open action items — %s (%zu)", x->name, n);
	stem = xasprintf("%s%s:%s", NUDGE_PREFIX_DIGEST, x->c->id, date);
	topic = xasprintf("%s%s", NUDGE_PREFIX_DIGEST, x->c->id);
	nudge_personal(x, stem, topic, NUDGE_KIND_DIGEST, mb, subject, body,
	    shared, t, t + NUDGE_DIGEST_LIFETIME);
	free(topic);
	free(stem);
	free(subject);
	free(body);
	free(list);
	free(ask);
	free(shared);
	free(head);
	free(zones);
	free(oz);
}

/*
 * The work section (worksum.h) of a community post at `at` on channel ch:
 * the community's items as the opts give them (else the open items v),
 * between the last meeting and the next.  Allocated.
 */
static char *
nudge_work(const struct nudge_ctx *x, const struct nudge_item *const *v,
    size_t n, time_t at, const struct config_channel *ch)
{
	struct worksum_item	*own = NULL;
	struct worksum_view	 w;
	char			*s;
	size_t			 i;

	memset(&w, 0, sizeof(w));
	w.ctz = x->ctz;
	w.rtz = x->ctz;
	w.at = at;
	worksum_around(x->o->meetings, x->o->nmeetings, at, &w.last, &w.next);
	w.community = x->c->id;
	w.max_bytes = chat_limit(ch->type) / 2;
	if (x->o->work != NULL)
		return worksum_render(x->o->work, x->o->nwork, &w);
	own = xcalloc(n + 1, sizeof(*own));
	for (i = 0; i < n; i++) {
		own[i].id = v[i]->id;
		own[i].title = v[i]->title;
		own[i].owner = v[i]->owner->id;
		own[i].owner_name = nudge_member_name(v[i]->owner);
		own[i].due = v[i]->due;
	}
	s = worksum_render(own, n, &w);
	free(own);
	return s;
}

/* The community's post: the counts, the work section, who owns what. */
static void
nudge_digest_post(struct nudge_ctx *x, const char *date, time_t at,
    const struct nudge_item *const *v, size_t n)
{
	const struct config_member	**owners;
	struct plan_msg			*m;
	size_t				*count, no = 0, i, j, nover;
	char				*head, *body, *t, *subject, *section;
	char				*ids = NULL;

	nover = nudge_count_overdue(x, v, n, at);
	owners = xcalloc(n, sizeof(*owners));
	count = xcalloc(n, sizeof(*count));
	for (i = 0; i < n; i++) {
		for (j = 0; j < no && owners[j] != v[i]->owner; j++)
			;
		if (j == no)
			owners[no++] = v[i]->owner;
		count[j]++;
	}
	head = xasprintf("%zu open action item%s, %zu overdue.\n", n,
	    n == 1 ? "" : "s", nover);
	subject = xasprintf("Open action items — %s", x->name);
	/* The post stands for the owners it names. */
	for (j = 0; j < no; j++) {
		t = ids == NULL ? xstrdup(owners[j]->id) :
		    xasprintf("%s,%s", ids, owners[j]->id);
		free(ids);
		ids = t;
	}
	for (i = 0; i < x->c->nnotify; i++) {
		/* The same section as the meeting reminders: one renderer. */
		section = nudge_work(x, v, n, at, x->c->notify[i]);
		body = xasprintf("%s\n%s", head, section);
		for (j = 0; j < no; j++) {
			t = xasprintf("%s%s%s %zu%s", body, j == 0 ?
			    "\nBy owner: " : "", nudge_member_name(owners[j]),
			    count[j], j + 1 < no ? ", " : ".\n");
			free(body);
			body = t;
		}
		m = nudge_add(x, xasprintf("%s%s:%s:community:%s:%s",
		    NUDGE_PREFIX_DIGEST, x->c->id, date, x->c->id,
		    x->c->notify[i]->id), NUDGE_KIND_DIGEST,
		    PLAN_AUDIENCE_COMMUNITY, x->c->notify[i]->id, x->c->id,
		    xstrdup(subject), body, at, at + NUDGE_DIGEST_LIFETIME);
		if (m != NULL && ids != NULL)
			m->members = xstrdup(ids);
		free(section);
	}
	free(ids);
	free(subject);
	free(head);
	free(count);
	free(owners);
}

/* This week's digest (while it may still go) and next week's. */
static void
nudge_digests(struct nudge_ctx *x, const struct nudge_item *const *v,
    size_t n)
{
	struct civil_date	today, d;
	struct civil_time	tm;
	char			date[CIVIL_DATE_LEN];
	time_t			at;
	size_t			i, j, w;

	if (!x->c->has_digest || n == 0)
		return;
	tz_from_utc(x->ctz, x->now, &today, &tm);
	d = civil_date_add(today, -((civil_weekday(today) -
	    x->c->digest_day + 7) % 7));
	if (tz_to_utc(x->ctz, d, x->c->digest_time) > x->now)
		d = civil_date_add(d, -7);
	for (w = 0; w < 2; w++, d = civil_date_add(d, 7)) {
		at = tz_to_utc(x->ctz, d, x->c->digest_time);
		civil_date_format(d, date);
		nudge_digest_post(x, date, at, v, n);
		/* v is sorted by due date: each owner's items in order. */
		for (i = 0; i < n; i++) {
			const struct nudge_item	**mine;
			size_t			  k = 0;

			for (j = 0; j < i && v[j]->owner != v[i]->owner; j++)
				;
			if (j < i)
				continue;
			mine = xcalloc(n, sizeof(*mine));
			for (j = i; j < n; j++)
				if (v[j]->owner == v[i]->owner)
					mine[k++] = v[j];
			nudge_digest_member(x, date, at, w == 0 ?
			    tz_to_utc(x->ctz, civil_date_add(d, 7),
			    x->c->digest_time) : 0, mine, k);
			free(mine);
		}
	}
}

long
nudge_plan(const struct config_community *c, const struct nudge_item *items,
    size_t n, const struct nudge_opts *o, time_t now, struct plan_msg **out)
{
	struct nudge_ctx	  x;
	const struct nudge_item	**v;
	char			  date[CIVIL_DATE_LEN], *title;
	size_t			  i, k = 0;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.o = o;
	x.ctz = plan_zone(c->tz);
	x.name = plan_clean(c->name != NULL ? c->name : c->id);
	x.now = now;
	x.until = now + (time_t)o->horizon;
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++)
		if (items[i].owner != NULL)
			v[k++] = &items[i];
	if (k > 0)
		qsort(v, k, sizeof(*v), nudge_item_cmp);
	for (i = 0; i < k; i++) {
		title = plan_clean(v[i]->title);
		if (title == NULL)
			title = xstrdup("(untitled)");
		civil_date_format(v[i]->due, date);
		nudge_item_nudges(&x, v[i], title, date);
		nudge_item_escalations(&x, v[i], title, date);
		free(title);
	}
	nudge_digests(&x, v, k);
	plan_vec_sort(&x.pv);
	*out = x.pv.v;
	free(v);
	free(x.name);
	return x.pv.n;
}
