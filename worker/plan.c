/* plan: meetings and lead times into the messages the outbox should hold. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "civil.h"
#include "plan.h"
#include "tz.h"
#include "xmalloc.h"

/* One meeting as the messages about it see it. */
struct plan_meeting {
	const struct config_community	*c;
	const struct cadence_occ	*occ;
	const char			*name, *location, *url, *descr;
	char				 orig[CIVIL_DATE_LEN];
};

#define PLAN_WHEN_LEN	128

static const char *const plan_wday[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	"Sat", "Sun" };
static const char *const plan_wdays[] = { "Mondays", "Tuesdays",
	"Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays" };
static const char *const plan_month[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Config text goes into subjects: no control character may survive. */
char *
plan_clean(const char *s)
{
	char	*r, *p;

	if (s == NULL || *s == '\0')
		return NULL;
	r = xstrdup(s);
	for (p = r; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return r;
}

const struct tz *
plan_zone(const struct tz *tz)
{
	/* A NULL zone is UTC, as in cadence. */
	return tz != NULL ? tz : tz_find("UTC");
}

void
plan_day(struct civil_date d, char *buf, size_t len)
{
	snprintf(buf, len, "%s %d %s", plan_wday[civil_weekday(d)], d.d,
	    plan_month[d.m - 1]);
}

void
plan_instant(const struct tz *tz, time_t t, char *buf, size_t len)
{
	struct civil_date	d;
	struct civil_time	tm;
	char			db[PLAN_DAY_LEN], tb[CIVIL_TIME_LEN];

	tz_from_utc(plan_zone(tz), t, &d, &tm);
	plan_day(d, db, sizeof(db));
	snprintf(buf, len, "%s %s", db, civil_time_format(tm, tb));
}

/* "Tue 3 Nov 15:30–16:15 (America/New_York)"; the end's date is given
 * only when it is another day. */
static void
plan_when(const struct tz *tz, time_t start, time_t end, char *buf,
    size_t len)
{
	struct civil_date	sd, ed;
	struct civil_time	st, et;
	char			sb[48], eb[48], tb[CIVIL_TIME_LEN];

	tz_from_utc(tz, start, &sd, &st);
	tz_from_utc(tz, end, &ed, &et);
	plan_instant(tz, start, sb, sizeof(sb));
	if (civil_date_cmp(sd, ed) == 0)
		snprintf(eb, sizeof(eb), "%s", civil_time_format(et, tb));
	else
		plan_instant(tz, end, eb, sizeof(eb));
	snprintf(buf, len, "%s–%s (%s)", sb, eb, tz_name(tz));
}

/* The meeting's line in zone tz, with the community's zone too when it
 * is another one: "Grade 7 Math PLC — Tue 3 Nov 15:30–16:15 (…), Room 204,
 * https://…".  Allocated. */
static char *
plan_line(const struct plan_meeting *m, const struct tz *tz)
{
	const struct tz	*ctz = plan_zone(m->c->tz);
	char		 w1[PLAN_WHEN_LEN], w2[PLAN_WHEN_LEN + 2] = "";

	plan_when(tz, m->occ->start, m->occ->end, w1, sizeof(w1));
	if (strcmp(tz_name(tz), tz_name(ctz)) != 0) {
		w2[0] = ',';
		w2[1] = ' ';
		plan_when(ctz, m->occ->start, m->occ->end, w2 + 2,
		    sizeof(w2) - 2);
	}
	return xasprintf("%s — %s%s%s%s%s%s", m->name, w1, w2,
	    m->location ? ", " : "", m->location ? m->location : "",
	    m->url ? ", " : "", m->url ? m->url : "");
}

static void
plan_texts(const struct plan_meeting *m, const struct tz *tz, const char *kind,
    char **subject, char **body)
{
	struct civil_date	 od = m->occ->orig;
	struct civil_date	 d;
	struct civil_time	 t;
	char			*line, ib[48], ob[32], tb[CIVIL_TIME_LEN];
	char			*notes, *line2;

	line = plan_line(m, tz);
	plan_instant(tz, m->occ->start, ib, sizeof(ib));
	if (strcmp(kind, PLAN_KIND_SLOT) == 0) {
		/* The new weekly time as the reader's clock shows it. */
		tz_from_utc(tz, m->occ->start, &d, &t);
		*subject = xasprintf("New time: %s — %s at %s, from %s",
		    m->name, plan_wdays[civil_weekday(d)],
		    civil_time_format(t, tb), ib);
		*body = xasprintf("The meeting has a new time, chosen from "
		    "everyone's availability.\nNext: %s\n%s%s", line,
		    m->descr ? m->descr : "", m->descr ? "\n" : "");
	} else if (strcmp(kind, PLAN_KIND_CANCEL) == 0) {
		*subject = xasprintf("Cancelled: %s — %s", m->name, ib);
		*body = xasprintf("This meeting is cancelled:\n%s\n", line);
	} else if (m->occ->moved) {
		plan_day(od, ob, sizeof(ob));
		*subject = xasprintf("Moved: %s — now %s", m->name, ib);
		*body = xasprintf("%s\nMoved from %s.\n%s%s", line, ob,
		    m->descr ? m->descr : "", m->descr ? "\n" : "");
	} else {
		*subject = xasprintf("Reminder: %s — %s", m->name, ib);
		*body = xasprintf("%s\n%s%s", line, m->descr ? m->descr : "",
		    m->descr ? "\n" : "");
	}
	/* Branch report: the meeting's notes link, in its reminders. */
	if (strcmp(kind, PLAN_KIND_REMINDER) == 0 &&
	    (notes = plan_notes_url(m->c, od)) != NULL) {
		line2 = *body;
		*body = xasprintf("%sNotes: %s\n", line2, notes);
		free(line2);
		free(notes);
	}
	free(line);
}

/* Adds one message; dedup is taken over, the rest copied.  audience is
 * PLAN_AUDIENCE_…; a member's recipient is the member. */
static void
plan_add(struct plan_vec *pv, const struct plan_meeting *m, char *dedup,
    const char *kind, const char *audience, const char *channel,
    const char *recipient, const struct tz *tz, time_t due)
{
	struct plan_msg	*msg;

	msg = plan_vec_push(pv);
	msg->dedup = dedup;
	msg->kind = kind;
	msg->channel = xstrdup(channel);
	msg->recipient = xstrdup(recipient);
	msg->audience = audience;
	msg->member = strcmp(audience, PLAN_AUDIENCE_MEMBER) == 0 ?
	    xstrdup(recipient) : NULL;
	msg->community = xstrdup(m->c->id);
	/* A slot notice names no one meeting: it carries no calendar. */
	msg->meeting = strcmp(kind, PLAN_KIND_SLOT) != 0 ? xstrdup(m->orig) :
	    NULL;
	plan_texts(m, plan_zone(tz), kind, &msg->subject, &msg->body);
	msg->due = due;
	msg->expires = m->occ->start;
}

/* The messages of one kind about one meeting for everyone, their dedup
 * keys starting with stem (taken over). */
static void
plan_everyone(struct plan_vec *pv, const struct plan_meeting *m, char *stem,
    const char *kind, time_t due)
{
	const struct config_community	*c = m->c;
	const struct config_member	*mb;
	const char			*ch;
	size_t				 i, j, k, nm = c->nmembers + c->noptional;

	for (i = 0; i < nm; i++) {
		mb = i < c->nmembers ? c->members[i] :
		    c->optional[i - c->nmembers];
		/* Listed twice (required and optional): one copy. */
		for (k = 0; k < i; k++)
			if ((k < c->nmembers ? c->members[k] :
			    c->optional[k - c->nmembers]) == mb)
				break;
		if (k < i)
			continue;
		for (j = 0; j < plan_member_nchannels(mb); j++) {
			ch = plan_member_channel(mb, j);
			plan_add(pv, m, xasprintf("%s:member:%s:%s", stem,
			    mb->id, ch), kind, PLAN_AUDIENCE_MEMBER, ch,
			    mb->id, mb->tz, due);
		}
	}
	for (j = 0; j < c->nnotify; j++)
		plan_add(pv, m, xasprintf("%s:community:%s:%s", stem, c->id,
		    c->notify[j]->id), kind, PLAN_AUDIENCE_COMMUNITY,
		    c->notify[j]->id, c->id, c->tz, due);
	free(stem);
}

/* The messages about one meeting for everyone; lead is the label ("1d")
 * of a reminder, NULL for a cancellation notice. */
static void
plan_recipients(struct plan_vec *pv, const struct plan_meeting *m,
    const char *lead, time_t due)
{
	const struct config_community	*c = m->c;

	if (lead != NULL)
		plan_everyone(pv, m, xasprintf("%s%s:%s:%s", PLAN_PREFIX_MEET,
		    c->id, m->orig, lead), PLAN_KIND_REMINDER, due);
	else
		plan_everyone(pv, m, xasprintf("%s%s:%s", PLAN_PREFIX_CANCEL,
		    c->id, m->orig), PLAN_KIND_CANCEL, due);
}

static int
plan_cmp(const void *a, const void *b)
{
	const struct plan_msg	*x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return strcmp(x->dedup, y->dedup);
}

struct plan_msg *
plan_vec_push(struct plan_vec *pv)
{
	struct plan_msg	*msg;

	pv->v = xreallocarray(pv->v, (size_t)pv->n + 1, sizeof(*pv->v));
	msg = &pv->v[pv->n++];
	memset(msg, 0, sizeof(*msg));
	return msg;
}

void
plan_vec_sort(struct plan_vec *pv)
{
	if (pv->n > 0)
		qsort(pv->v, (size_t)pv->n, sizeof(*pv->v), plan_cmp);
}

char *
plan_notes_url(const struct config_community *c, struct civil_date d)
{
	struct xbuf	 b = { NULL, 0, 0 };
	char		 ds[CIVIL_DATE_LEN];
	const char	*p, *q;

	if (c->notes_url == NULL)
		return NULL;
	civil_date_format(d, ds);
	for (p = c->notes_url; (q = strstr(p, CONFIG_NOTES_DATE)) != NULL;
	    p = q + strlen(CONFIG_NOTES_DATE)) {
		xbuf_add(&b, p, (size_t)(q - p));
		xbuf_add(&b, ds, strlen(ds));
	}
	xbuf_add(&b, p, strlen(p));
	return b.s;
}

bool
plan_notes_per_meeting(const struct config_community *c)
{
	return c->notes_url != NULL &&
	    strstr(c->notes_url, CONFIG_NOTES_DATE) != NULL;
}

size_t
plan_member_nchannels(const struct config_member *mb)
{
	return mb->nnotify > 0 ? mb->nnotify : 1;
}

const char *
plan_member_channel(const struct config_member *mb, size_t j)
{
	return mb->nnotify == 0 || mb->notify[j].email ? PLAN_CHANNEL_EMAIL :
	    mb->notify[j].channel->id;
}

const struct config_member *
plan_channel_owner(const struct config *cfg, const struct config_channel *ch)
{
	const struct config_member	*owner = NULL, *mb;
	size_t				 i, j;
	bool				 named;

	if (cfg == NULL || ch == NULL)
		return NULL;
	for (i = 0; i < cfg->ncommunities; i++)
		for (j = 0; j < cfg->communities[i].nnotify; j++)
			if (cfg->communities[i].notify[j] == ch)
				return NULL;
	for (i = 0; i < cfg->nmembers; i++) {
		mb = &cfg->members[i];
		named = false;
		for (j = 0; j < mb->nnotify; j++)
			if (!mb->notify[j].email && mb->notify[j].channel == ch)
				named = true;
		for (j = 0; j < mb->nchat; j++)
			if (mb->chat[j].channel == ch && !named)
				return NULL;	/* another's handle on it */
		if (!named)
			continue;
		if (owner != NULL)
			return NULL;		/* a second reader */
		owner = mb;
	}
	return owner;
}

bool
plan_channel_private(const struct config *cfg, const struct config_member *mb,
    const char *chan)
{
	size_t	i;

	if (strcmp(chan, PLAN_CHANNEL_EMAIL) == 0)
		return true;
	for (i = 0; cfg != NULL && i < cfg->nchannels; i++)
		if (strcmp(cfg->channels[i].id, chan) == 0)
			return mb != NULL &&
			    plan_channel_owner(cfg, &cfg->channels[i]) == mb;
	return false;
}

long
plan_meetings(const struct config_community *c, int day,
    struct civil_time at, time_t from, time_t to, time_t now,
    struct plan_msg **out, char **err)
{
	struct cadence_occ	*occ = NULL;
	struct plan_vec		 pv = { NULL, 0 };
	struct plan_meeting	 m;
	char			*name, *loc, *url, *descr, lb[CIVIL_DUR_LEN];
	int64_t			 maxlead = 0, lead;
	time_t			 due;
	long			 n, i, rc = -1;
	size_t			 r;

	*out = NULL;
	name = plan_clean(c->name != NULL ? c->name : c->id);
	loc = plan_clean(c->location);
	url = plan_clean(c->url);
	descr = plan_clean(c->description);
	if ((n = cadence_expand(c, day, at, from, to, &occ, err)) < 0)
		goto out;
	for (r = 0; r < c->nremind; r++)
		if (c->remind[r] > maxlead)
			maxlead = c->remind[r];
	memset(&m, 0, sizeof(m));
	m.c = c;
	m.name = name;
	m.location = loc;
	m.url = url;
	m.descr = descr;
	for (i = 0; i < n; i++) {
		/* Useless once the meeting has started. */
		if (occ[i].start < now)
			continue;
		m.occ = &occ[i];
		civil_date_format(occ[i].orig, m.orig);
		if (occ[i].cancelled) {
			lead = maxlead > PLAN_CANCEL_LEAD ? maxlead :
			    PLAN_CANCEL_LEAD;
			due = occ[i].start - (time_t)lead;
			plan_recipients(&pv, &m, NULL, due > now ? due : now);
			continue;
		}
		for (r = 0; r < c->nremind; r++) {
			lead = c->remind[r];
			due = occ[i].start - (time_t)lead;
			/* Never after the meeting it is about. */
			if (lead < 0 || due > occ[i].start)
				continue;
			plan_recipients(&pv, &m, civil_duration_format(lead,
			    lb), due);
		}
	}
	plan_vec_sort(&pv);
	*out = pv.v;
	rc = pv.n;
	pv.v = NULL;
out:
	free(occ);
	free(name);
	free(loc);
	free(url);
	free(descr);
	free(pv.v);
	return rc;
}

long
plan_slot(const struct config_community *c, int day, struct civil_time at,
    time_t now, time_t to, struct plan_msg **out, char **err)
{
	struct cadence_occ	*occ = NULL;
	struct plan_vec		 pv = { NULL, 0 };
	struct plan_meeting	 m;
	char			 tb[CIVIL_TIME_LEN];
	long			 n, i, rc = -1;

	*out = NULL;
	memset(&m, 0, sizeof(m));
	m.c = c;
	m.name = plan_clean(c->name != NULL ? c->name : c->id);
	m.location = plan_clean(c->location);
	m.url = plan_clean(c->url);
	m.descr = plan_clean(c->description);
	if ((n = cadence_expand(c, day, at, now, to, &occ, err)) < 0)
		goto out;
	/* Told with the first meeting held at the new time. */
	for (i = 0; i < n && (occ[i].cancelled || occ[i].moved); i++)
		;
	if (i < n) {
		m.occ = &occ[i];
		civil_date_format(occ[i].orig, m.orig);
		plan_everyone(&pv, &m, xasprintf("%s%s:%s-%s", PLAN_PREFIX_SLOT,
		    c->id, day >= 0 ? civil_weekday_abbr(day) : "RULE",
		    civil_time_format(at, tb)), PLAN_KIND_SLOT, now);
		for (long k = 0; k < pv.n; k++)
			pv.v[k].expires = occ[i].start;
	}
	if (pv.n > 0)
		qsort(pv.v, (size_t)pv.n, sizeof(*pv.v), plan_cmp);
	*out = pv.v;
	rc = pv.n;
	pv.v = NULL;
out:
	free(occ);
	free((char *)m.name);
	free((char *)m.location);
	free((char *)m.url);
	free((char *)m.descr);
	free(pv.v);
	return rc;
}

void
plan_free(struct plan_msg *msgs, long n)
{
	long	i;

	for (i = 0; msgs != NULL && i < n; i++) {
		free(msgs[i].dedup);
		free(msgs[i].channel);
		free(msgs[i].recipient);
		free(msgs[i].subject);
		free(msgs[i].body);
		free(msgs[i].member);
		free(msgs[i].community);
		free(msgs[i].meeting);
		free(msgs[i].html);
	}
	free(msgs);
}
