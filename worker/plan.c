/* plan: meetings and lead times into the messages the outbox should hold. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "chat.h"
#include "civil.h"
#include "plan.h"
#include "tz.h"
#include "worksum.h"
#include "xmalloc.h"

/* One meeting as the messages about it see it. */
struct plan_meeting {
	const struct config_community	*c;
	const struct cadence_occ	*occ;
	const char			*name, *location, *url, *descr;
	char				 orig[CIVIL_DATE_LEN];
	time_t				 now;
	/* The work section's items (NULL: none) and the starts of the
	 * meetings held, ascending, for "last" and "next" meeting. */
	const struct plan_work		*work;
	const time_t			*starts;
	size_t				 nstarts;
};

#define PLAN_WHEN_LEN	128


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
	worksum_day(d, buf, len);
}

void
plan_time(struct civil_time t, int clock, char *buf, size_t len)
{
	if (clock == 12)
		snprintf(buf, len, "%d:%02d %s", t.h % 12 == 0 ? 12 : t.h % 12,
		    t.min, t.h < 12 ? "AM" : "PM");
	else
		snprintf(buf, len, "%02d:%02d", t.h, t.min);
}

void
plan_instant(const struct tz *tz, int clock, time_t t, char *buf, size_t len)
{
	struct civil_date	d;
	struct civil_time	tm;
	char			db[PLAN_DAY_LEN], tb[PLAN_TIME_LEN];

	tz_from_utc(plan_zone(tz), t, &d, &tm);
	plan_day(d, db, sizeof(db));
	plan_time(tm, clock, tb, sizeof(tb));
	snprintf(buf, len, "%s %s", db, tb);
}

void
plan_zone_label(const struct tz *tz, char *buf, size_t len)
{
	const char	*name = tz_name(plan_zone(tz)), *city;
	char		*p;

	city = strrchr(name, '/');
	city = city != NULL ? city + 1 : name;
	/* UTC, GMT, Etc/GMT+5: no city to name. */
	if (strcmp(city, "UTC") == 0 || strcmp(city, "UCT") == 0 ||
	    strcmp(city, "Zulu") == 0 || strcmp(city, "Universal") == 0) {
		snprintf(buf, len, "UTC");
		return;
	}
	if (strncmp(name, "Etc/", 4) == 0 || strncmp(city, "GMT", 3) == 0 ||
	    city == name) {
		snprintf(buf, len, "%s", name);
		return;
	}
	snprintf(buf, len, "%s time", city);
	for (p = buf; *p != '\0'; p++)
		if (*p == '_')
			*p = ' ';
}

bool
plan_zone_same(const struct tz *a, const struct tz *b)
{
	char	*x = xstrdup(tz_name(plan_zone(a)));
	bool	 same;

	/* Copied: libical may free a zone's name when it next converts. */
	same = strcmp(x, tz_name(plan_zone(b))) == 0;
	free(x);
	return same;
}

void
plan_span(int64_t secs, char *buf, size_t len)
{
	int64_t	d = secs / CIVIL_DAY, h = secs % CIVIL_DAY / 3600;
	int64_t	m = secs % 3600 / 60;
	size_t	o = 0;

	buf[0] = '\0';
	if (d > 0)
		o += (size_t)snprintf(buf, len, "%lld day%s", (long long)d,
		    d == 1 ? "" : "s");
	if (h > 0 && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%s%lld hour%s",
		    o > 0 ? " " : "", (long long)h, h == 1 ? "" : "s");
	if ((m > 0 || o == 0) && d == 0 && o < len)
		snprintf(buf + o, len - o, "%s%lld minute%s", o > 0 ? " " : "",
		    (long long)m, m == 1 ? "" : "s");
}

/* "Tue 3 Nov 15:30–16:15" in zone tz on the reader's clock; the end's
 * date is given only when it is another day. */
static void
plan_when(const struct tz *tz, int clock, time_t start, time_t end,
    char *buf, size_t len)
{
	struct civil_date	sd, ed;
	struct civil_time	st, et;
	char			sb[PLAN_INSTANT_LEN], eb[PLAN_INSTANT_LEN];

	tz_from_utc(tz, start, &sd, &st);
	tz_from_utc(tz, end, &ed, &et);
	plan_instant(tz, clock, start, sb, sizeof(sb));
	if (civil_date_cmp(sd, ed) == 0)
		plan_time(et, clock, eb, sizeof(eb));
	else
		plan_instant(tz, clock, end, eb, sizeof(eb));
	snprintf(buf, len, "%s–%s", sb, eb);
}

/* The meeting's line in the reader's zone tz, named as people say it, with
 * the community's zone too when it is another one: "Grade 7 Math PLC — Tue
 * 3 Nov 14:30–15:15 Chicago time (15:30–16:15 New York time), Room 204,
 * https://…".  Allocated. */
static char *
plan_line(const struct plan_meeting *m, const struct tz *tz, int clock)
{
	const struct tz		*ctz = plan_zone(m->c->tz);
	struct civil_date	 d1, d2, e2;
	struct civil_time	 t1, t2, et;
	char			 w1[PLAN_WHEN_LEN], w2[PLAN_WHEN_LEN] = "";
	char			 z1[PLAN_ZONE_LEN], z2[PLAN_ZONE_LEN] = "";
	char			 tb[PLAN_TIME_LEN], eb[PLAN_TIME_LEN];

	plan_when(tz, clock, m->occ->start, m->occ->end, w1, sizeof(w1));
	plan_zone_label(tz, z1, sizeof(z1));
	if (!plan_zone_same(tz, ctz)) {
		plan_zone_label(ctz, z2, sizeof(z2));
		tz_from_utc(tz, m->occ->start, &d1, &t1);
		tz_from_utc(ctz, m->occ->start, &d2, &t2);
		tz_from_utc(ctz, m->occ->end, &e2, &et);
		/* The same day in both zones: the times say it all. */
		if (civil_date_cmp(d1, d2) == 0 && civil_date_cmp(d2, e2) == 0) {
			plan_time(t2, clock, tb, sizeof(tb));
			plan_time(et, clock, eb, sizeof(eb));
			snprintf(w2, sizeof(w2), "%s–%s", tb, eb);
		} else
			plan_when(ctz, clock, m->occ->start, m->occ->end, w2,
			    sizeof(w2));
	}
	return xasprintf("%s — %s %s%s%s%s%s%s%s%s%s%s", m->name, w1, z1,
	    z2[0] ? " (" : "", w2, z2[0] ? " " : "", z2, z2[0] ? ")" : "",
	    m->location ? ", " : "", m->location ? m->location : "",
	    m->url ? ", " : "", m->url ? m->url : "");
}

/* "Today: " or "Tomorrow: " when the meeting is that on the day a
 * message due at `due` goes (now, when that is later), in zone tz. */
static const char *
plan_relative(const struct tz *tz, time_t due, time_t now, time_t start)
{
	struct civil_date	d, sent;
	struct civil_time	tm;

	tz_from_utc(tz, due > now ? due : now, &sent, &tm);
	tz_from_utc(tz, start, &d, &tm);
	if (civil_date_cmp(d, sent) == 0)
		return "Today: ";
	if (civil_date_cmp(d, civil_date_add(sent, 1)) == 0)
		return "Tomorrow: ";
	return "";
}

/* A reminder due at due; section (may be NULL): the work section, after
 * the meeting's text. */
static void
plan_texts(const struct plan_meeting *m, const struct tz *tz, int clock,
    time_t due, const char *section, char **subject, char **body)
{
	struct civil_date	 od = m->occ->orig;
	const char		*rel;
	char			*line, *text, ib[PLAN_INSTANT_LEN], ob[32];
	char			*notes;

	line = plan_line(m, tz, clock);
	plan_instant(tz, clock, m->occ->start, ib, sizeof(ib));
	/* True the day it goes: a reminder sent late is replanned first. */
	rel = plan_relative(tz, due, m->now, m->occ->start);
	if (m->occ->moved) {
		plan_day(od, ob, sizeof(ob));
		*subject = xasprintf("%sMoved: %s — now %s", rel, m->name, ib);
		*body = xasprintf("%s\nMoved from %s.\n%s%s", line, ob,
		    m->descr ? m->descr : "", m->descr ? "\n" : "");
	} else {
		*subject = xasprintf("%sReminder: %s — %s", rel, m->name, ib);
		*body = xasprintf("%s\n%s%s", line, m->descr ? m->descr : "",
		    m->descr ? "\n" : "");
	}
	/* Branch report: the meeting's notes link, in its reminders. */
	if ((notes = plan_notes_url(m->c, od)) != NULL) {
		text = xasprintf("%sNotes: %s\n", *body, notes);
		free(*body);
		*body = text;
		free(notes);
	}
	if (section != NULL) {
		text = xasprintf("%s\n%s", *body, section);
		free(*body);
		*body = text;
	}
	free(line);
}

bool
plan_member_away(const struct config_member *mb, time_t t)
{
	struct civil_date	d;
	struct civil_time	tm;
	size_t			i;

	if (mb->naway == 0)
		return false;
	tz_from_utc(plan_zone(mb->tz), t, &d, &tm);
	for (i = 0; i < mb->naway; i++)
		if (civil_date_cmp(mb->away[i].from, d) <= 0 &&
		    civil_date_cmp(d, mb->away[i].to) <= 0)
			return true;
	return false;
}

/* One recipient of a message about a community's meeting. */
struct plan_rcpt {
	const char		*audience;	/* PLAN_AUDIENCE_… */
	const char		*channel;
	const char		*recipient;
	const struct tz		*tz;
	int			 clock;
	const struct config_member *mb;		/* NULL: a post */
	char			*members;	/* a post's; allocated */
};

/* Member i of c's required then optional members; NULL for one listed
 * again. */
static const struct config_member *
plan_nth_member(const struct config_community *c, size_t i)
{
	const struct config_member	*mb;
	size_t				 k;

	mb = i < c->nmembers ? c->members[i] : c->optional[i - c->nmembers];
	for (k = 0; k < i; k++)
		if ((k < c->nmembers ? c->members[k] :
		    c->optional[k - c->nmembers]) == mb)
			return NULL;
	return mb;
}

static bool
plan_community_channel(const struct config_community *c, const char *ch)
{
	size_t	j;

	for (j = 0; j < c->nnotify; j++)
		if (strcmp(c->notify[j]->id, ch) == 0)
			return true;
	return false;
}

/*
 * Who hears about c's meetings: each of c's channels once, standing for
 * the members routed to it, and each member on their other channels.
 * With away (not 0), members away on the day of that instant are left
 * out.  Returns the count; *out allocated (plan_rcpts_free).
 */
static size_t
plan_rcpts(const struct config_community *c, time_t away,
    struct plan_rcpt **out)
{
	const struct config_member	*mb;
	struct plan_rcpt		*v;
	const char			*ch;
	char				*t;
	size_t				 i, j, n = 0, nm = c->nmembers +
					    c->noptional, max;

	max = c->nnotify;
	for (i = 0; i < nm; i++)
		if ((mb = plan_nth_member(c, i)) != NULL)
			max += plan_member_nchannels(mb);
	v = xcalloc(max + 1, sizeof(*v));
	for (j = 0; j < c->nnotify; j++) {
		v[n].audience = PLAN_AUDIENCE_COMMUNITY;
		v[n].channel = c->notify[j]->id;
		v[n].recipient = c->id;
		v[n].tz = c->tz;
		v[n].clock = c->clock;
		n++;
	}
	for (i = 0; i < nm; i++) {
		if ((mb = plan_nth_member(c, i)) == NULL ||
		    (away != 0 && plan_member_away(mb, away)))
			continue;
		for (j = 0; j < plan_member_nchannels(mb); j++) {
			ch = plan_member_channel(mb, j);
			if (plan_community_channel(c, ch)) {
				/* The post stands for them: no second copy. */
				struct plan_rcpt *p;

				for (p = v; strcmp(p->channel, ch) != 0; p++)
					;
				t = p->members == NULL ? xstrdup(mb->id) :
				    xasprintf("%s,%s", p->members, mb->id);
				free(p->members);
				p->members = t;
				continue;
			}
			v[n].audience = PLAN_AUDIENCE_MEMBER;
			v[n].channel = ch;
			v[n].recipient = mb->id;
			v[n].tz = mb->tz;
			v[n].clock = mb->clock;
			v[n].mb = mb;
			n++;
		}
	}
	*out = v;
	return n;
}

static void
plan_rcpts_free(struct plan_rcpt *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].members);
	free(v);
}

/* The chat service behind channel ID chan, if it is one. */
static const struct config_channel *
plan_chat(const struct plan_meeting *m, const char *chan)
{
	const struct config	*cfg = m->work != NULL ? m->work->cfg : NULL;
	size_t			 i;

	for (i = 0; i < m->c->nnotify; i++)
		if (strcmp(m->c->notify[i]->id, chan) == 0)
			return m->c->notify[i];
	for (i = 0; cfg != NULL && i < cfg->nchannels; i++)
		if (strcmp(cfg->channels[i].id, chan) == 0)
			return &cfg->channels[i];
	return NULL;
}

/*
 * The work section of a reminder due at due, for mb (NULL: the community's
 * post) on channel chan; NULL without work.  Notes only where mb alone
 * reads; on a chat service, at most half its length limit, so that the
 * meeting's own lines and the mentions keep their room.
 */
static char *
plan_section(const struct plan_meeting *m, const struct config_member *mb,
    const char *chan, time_t due)
{
	const struct config_channel	*ch;
	struct worksum_view		 v;

	if (m->work == NULL)
		return NULL;
	memset(&v, 0, sizeof(v));
	v.ctz = plan_zone(m->c->tz);
	v.rtz = plan_zone(mb != NULL ? mb->tz : m->c->tz);
	v.at = due;
	worksum_around(m->starts, m->nstarts, due, &v.last, &v.next);
	v.reader = mb != NULL ? mb->id : NULL;
	v.notes = mb != NULL && plan_channel_private(m->work->cfg, mb, chan);
	v.community = m->c->id;
	if (strcmp(chan, PLAN_CHANNEL_EMAIL) != 0 &&
	    (ch = plan_chat(m, chan)) != NULL)
		v.max_bytes = chat_limit(ch->type) / 2;
	return worksum_render(m->work->items, m->work->n, &v);
}

/* Adds one message for recipient r; dedup, subject and body are taken
 * over, the rest copied. */
static struct plan_msg *
plan_add(struct plan_vec *pv, const struct config_community *c,
    const struct plan_rcpt *r, const char *orig, char *dedup,
    const char *kind, char *subject, char *body, time_t due, time_t expires)
{
	struct plan_msg	*msg;

	msg = plan_vec_push(pv);
	msg->dedup = dedup;
	msg->kind = kind;
	msg->channel = xstrdup(r->channel);
	msg->recipient = xstrdup(r->recipient);
	msg->audience = r->audience;
	msg->member = strcmp(r->audience, PLAN_AUDIENCE_MEMBER) == 0 ?
	    xstrdup(r->recipient) : NULL;
	msg->members = r->members != NULL ? xstrdup(r->members) : NULL;
	msg->community = xstrdup(c->id);
	msg->meeting = orig != NULL ? xstrdup(orig) : NULL;
	msg->subject = subject;
	msg->body = body;
	msg->due = due;
	msg->expires = expires;
	return msg;
}

/* The reminders of one meeting at lead time `lead` ("1d") for everyone
 * not away that day. */
static void
plan_recipients(struct plan_vec *pv, const struct plan_meeting *m,
    const char *lead, time_t due)
{
	const struct config_community	*c = m->c;
	struct plan_rcpt		*r;
	struct plan_msg			*msg;
	char				*subject, *body, *section;
	size_t				 n, i;

	n = plan_rcpts(c, m->occ->start, &r);
	for (i = 0; i < n; i++) {
		section = plan_section(m, r[i].mb, r[i].channel, due);
		plan_texts(m, plan_zone(r[i].tz), r[i].clock, due, section,
		    &subject, &body);
		free(section);
		msg = plan_add(pv, c, &r[i], m->orig, xasprintf("%s%s:%s:%s:"
		    "%s:%s:%s", PLAN_PREFIX_MEET, c->id, m->orig, lead,
		    r[i].audience, r[i].recipient, r[i].channel),
		    PLAN_KIND_REMINDER, subject, body, due, m->occ->start);
		msg->topic = xasprintf("%s%s:%s:%s:%s:%s", PLAN_PREFIX_MEET,
		    c->id, m->orig, r[i].audience, r[i].recipient,
		    r[i].channel);
	}
	plan_rcpts_free(r, n);
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
    const struct plan_work *work, struct plan_msg **out, char **err)
{
	struct cadence_occ	*occ = NULL;
	time_t			*starts = NULL;
	size_t			 nstarts = 0;
	struct plan_vec		 pv = { NULL, 0 };
	struct plan_meeting	 m;
	char			*name, *loc, *url, *descr, lb[CIVIL_DUR_LEN];
	int64_t			 lead;
	time_t			 due;
	long			 n, i, rc = -1;
	size_t			 r;

	*out = NULL;
	name = plan_clean(c->name != NULL ? c->name : c->id);
	loc = plan_clean(c->location);
	url = plan_clean(c->url);
	descr = plan_clean(c->description);
	/* The work section names the last meeting before each reminder. */
	if ((n = cadence_expand(c, day, at, work != NULL ? from -
	    PLAN_WORK_LOOKBACK : from, to, &occ, err)) < 0)
		goto out;
	starts = xcalloc((size_t)n + 1, sizeof(*starts));
	for (i = 0; i < n; i++)
		if (!occ[i].cancelled)
			starts[nstarts++] = occ[i].start;
	memset(&m, 0, sizeof(m));
	m.c = c;
	m.now = now;
	m.name = name;
	m.location = loc;
	m.url = url;
	m.descr = descr;
	m.work = work;
	m.starts = starts;
	m.nstarts = nstarts;
	for (i = 0; i < n; i++) {
		/* Useless once the meeting has started. */
		if (occ[i].start < now || occ[i].start < from)
			continue;
		m.occ = &occ[i];
		civil_date_format(occ[i].orig, m.orig);
		/* Its change notice told everyone (plan_changes). */
		if (occ[i].cancelled)
			continue;
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
	free(starts);
	free(name);
	free(loc);
	free(url);
	free(descr);
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
		free(msgs[i].members);
		free(msgs[i].topic);
		free(msgs[i].html);
	}
	free(msgs);
}

/* One change: before (NULL for a first sight) and after (NULL for a
 * meeting gone from the series). */
struct plan_change {
	const struct plan_seen		*old;
	const struct cadence_occ	*now;
	bool				 first;
};

/* When a change matters: the nearest start it names that is to come. */
static time_t
plan_change_at(const struct plan_change *ch, time_t now)
{
	time_t	a = ch->old != NULL ? ch->old->start : 0;
	time_t	b = ch->now != NULL ? ch->now->start : 0;

	if (a < now)
		return b;
	if (b < now)
		return a;
	return a < b ? a : b;
}

/* "Today: " or "Tomorrow: " when t is that, and nearer than PLAN_SOON,
 * in zone tz; else "". */
static const char *
plan_soon(const struct tz *tz, time_t t, time_t now)
{
	struct civil_date	d, today;
	struct civil_time	tm;

	if (t - now >= PLAN_SOON)
		return "";
	tz_from_utc(tz, now, &today, &tm);
	tz_from_utc(tz, t, &d, &tm);
	if (civil_date_cmp(d, today) == 0)
		return "Today: ";
	if (civil_date_cmp(d, civil_date_add(today, 1)) == 0)
		return "Tomorrow: ";
	return "";
}

/* One change as a line of a notice in zone tz on the reader's clock;
 * *what is its short name. */
static char *
plan_change_line(const struct plan_change *ch, const struct tz *tz,
    int clock, const char **what)
{
	char	o[PLAN_WHEN_LEN], n[PLAN_WHEN_LEN], z[PLAN_ZONE_LEN];

	plan_zone_label(tz, z, sizeof(z));
	if (ch->now != NULL)
		plan_when(tz, clock, ch->now->start, ch->now->end, n,
		    sizeof(n));
	if (ch->old != NULL)
		plan_when(tz, clock, ch->old->start, ch->old->end, o,
		    sizeof(o));
	if (ch->first) {
		*what = "First meeting";
		return xasprintf("First meeting: %s %s", n, z);
	}
	if (ch->now == NULL || (ch->now->cancelled &&
	    (ch->old == NULL || !ch->old->cancelled))) {
		*what = "Cancelled";
		return xasprintf("Cancelled: %s %s", ch->now == NULL ? o : n,
		    z);
	}
	if (ch->old != NULL && ch->old->cancelled) {
		*what = "On again";
		return xasprintf("On again: %s %s", n, z);
	}
	*what = "Moved";
	return xasprintf("Moved: %s → %s %s", o, n, z);
}

/* A notice's subject and body in zone tz. */
static void
plan_change_texts(const struct plan_meeting *m, const struct plan_change *v,
    size_t n, const struct tz *tz, int clock, time_t now, char **subject,
    char **body)
{
	const char		*what = "", *what0 = "", *soon;
	char			*line, *t, ib[PLAN_INSTANT_LEN];
	char			 ob[PLAN_INSTANT_LEN];
	time_t			 at, first = 0;
	size_t			 i;

	*body = xasprintf("%s has %s:\n", m->name, n == 1 ? "a change" :
	    "changes");
	for (i = 0; i < n; i++) {
		at = plan_change_at(&v[i], now);
		if (i == 0 || at < first)
			first = at;
		line = plan_change_line(&v[i], tz, clock, i == 0 ? &what0 :
		    &what);
		t = xasprintf("%s%s\n", *body, line);
		free(line);
		free(*body);
		*body = t;
	}
	t = xasprintf("%s%s%s%s%s%s%s", *body, m->location ? m->location :
	    "", m->location && m->url ? ", " : "", m->url ? m->url : "",
	    m->location || m->url ? "\n" : "", m->descr ? m->descr : "",
	    m->descr ? "\n" : "");
	free(*body);
	*body = t;
	soon = plan_soon(tz, first, now);
	what = what0;
	if (n > 1) {
		plan_instant(tz, clock, first, ib, sizeof(ib));
		*subject = xasprintf("%sSchedule change: %s — %zu meetings, "
		    "from %s", soon, m->name, n, ib);
	} else if (strcmp(what, "Moved") == 0) {
		plan_instant(tz, clock, v[0].old->start, ob, sizeof(ob));
		plan_instant(tz, clock, v[0].now->start, ib, sizeof(ib));
		*subject = xasprintf("%sMoved: %s — %s → %s", soon, m->name, ob,
		    ib);
	} else {
		plan_instant(tz, clock, v[0].now != NULL ? v[0].now->start :
		    v[0].old->start, ib, sizeof(ib));
		*subject = xasprintf("%s%s: %s — %s", soon, what, m->name, ib);
	}
}

/* The seen entry of series date orig, or NULL. */
static const struct plan_seen *
plan_seen_find(const struct plan_seen *seen, size_t nseen, const char *orig)
{
	size_t	i;

	for (i = 0; i < nseen; i++)
		if (strcmp(seen[i].meeting, orig) == 0)
			return &seen[i];
	return NULL;
}

long
plan_changes(const struct config_community *c, int day, struct civil_time at,
    time_t now, time_t to, const struct plan_seen *seen, size_t nseen,
    bool first, struct plan_msg **out, struct plan_seen **snap,
    size_t *nsnap, char **err)
{
	struct cadence_occ	*occ = NULL;
	struct plan_vec		 pv = { NULL, 0 };
	struct plan_change	*ch = NULL;
	struct plan_meeting	 m;
	struct plan_rcpt	*r = NULL;
	struct plan_seen	*sn = NULL;
	const struct plan_seen	*old;
	char			 orig[CIVIL_DATE_LEN], *subject, *body;
	bool			*paired = NULL, *used = NULL;
	long			 n, i, rc = -1, best;
	size_t			 nch = 0, nr = 0, k;
	time_t			 d, bestd, expires = now;

	*out = NULL;
	*snap = NULL;
	*nsnap = 0;
	memset(&m, 0, sizeof(m));
	m.c = c;
	m.name = plan_clean(c->name != NULL ? c->name : c->id);
	m.location = plan_clean(c->location);
	m.url = plan_clean(c->url);
	m.descr = plan_clean(c->description);
	if ((n = cadence_expand(c, day, at, now, to, &occ, err)) < 0)
		goto out;
	ch = xcalloc((size_t)n + nseen + 1, sizeof(*ch));
	sn = xcalloc((size_t)n + 1, sizeof(*sn));
	paired = xcalloc((size_t)n + 1, sizeof(*paired));
	used = xcalloc(nseen + 1, sizeof(*used));
	/* Meetings already seen, by series date. */
	for (i = 0; i < n; i++) {
		civil_date_format(occ[i].orig, orig);
		snprintf(sn[i].meeting, sizeof(sn[i].meeting), "%s", orig);
		sn[i].start = occ[i].start;
		sn[i].end = occ[i].end;
		sn[i].cancelled = occ[i].cancelled;
		sn[i].version = 1;
		if ((old = plan_seen_find(seen, nseen, orig)) == NULL)
			continue;
		paired[i] = true;
		used[old - seen] = true;
		sn[i].version = old->version;
		if (old->start == occ[i].start && old->end == occ[i].end &&
		    old->cancelled == occ[i].cancelled)
			continue;
		sn[i].version = old->version + 1;
		ch[nch].old = old;
		ch[nch++].now = &occ[i];
	}
	/* Seen ones gone from the series: moved to the nearest new one (a
	 * day or cadence edit), else no longer held. */
	for (k = 0; k < nseen; k++) {
		old = &seen[k];
		if (used[k] || old->start < now || old->start >= to)
			continue;
		best = -1;
		bestd = 0;
		for (i = 0; i < n; i++) {
			if (paired[i])
				continue;
			d = occ[i].start > old->start ? occ[i].start -
			    old->start : old->start - occ[i].start;
			if (d < PLAN_PAIR_SPAN && (best < 0 || d < bestd)) {
				best = i;
				bestd = d;
			}
		}
		if (best >= 0) {
			paired[best] = true;
			sn[best].version = old->version + 1;
			ch[nch].old = old;
			ch[nch++].now = &occ[best];
		} else if (!old->cancelled) {
			ch[nch].old = old;
			ch[nch++].now = NULL;
		}
	}
	/* First sights: silent, but for a cancellation and a first
	 * placement. */
	for (i = 0; i < n; i++) {
		if (paired[i])
			continue;
		if (occ[i].cancelled) {
			ch[nch++].now = &occ[i];
		} else if (first) {
			ch[nch].first = true;
			ch[nch++].now = &occ[i];
			first = false;
		}
	}
	if (nch > 0) {
		/* Keyed by the first change's new version. */
		const struct plan_change *c0 = &ch[0];
		const char *key = c0->now != NULL ? sn[c0->now - occ].meeting :
		    c0->old->meeting;
		int64_t ver = c0->now != NULL ? sn[c0->now - occ].version :
		    c0->old->version + 1;

		for (k = 0; k < nch; k++) {
			if (ch[k].old != NULL && ch[k].old->start > expires)
				expires = ch[k].old->start;
			if (ch[k].now != NULL && ch[k].now->start > expires)
				expires = ch[k].now->start;
		}
		m.occ = c0->now != NULL ? c0->now : &occ[0];
		nr = plan_rcpts(c, 0, &r);
		for (k = 0; k < nr; k++) {
			plan_change_texts(&m, ch, nch, plan_zone(r[k].tz),
			    r[k].clock, now, &subject, &body);
			plan_add(&pv, c, &r[k], nch == 1 ? key : NULL,
			    xasprintf("%s%s:%s.%lld:%s:%s:%s",
			    PLAN_PREFIX_CHANGE, c->id, key, (long long)ver,
			    r[k].audience, r[k].recipient, r[k].channel),
			    PLAN_KIND_CHANGE, subject, body, now, expires);
		}
	}
	plan_vec_sort(&pv);
	*out = pv.v;
	rc = pv.n;
	pv.v = NULL;
	*snap = sn;
	*nsnap = (size_t)n;
	sn = NULL;
out:
	plan_rcpts_free(r, nr);
	free(sn);
	free(ch);
	free(paired);
	free(used);
	free(occ);
	free((char *)m.name);
	free((char *)m.location);
	free((char *)m.url);
	free((char *)m.descr);
	free(pv.v);
	return rc;
}
