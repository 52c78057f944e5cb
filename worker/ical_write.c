/* ical_write: feeds and meeting invitations rendered with libical (ical.h).
 * The calendars read from outside are ical_read.c's. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libical/ical.h>

#include "cadence.h"
#include "civil.h"
#include "feed.h"
#include "ical.h"
#include "plan.h"
#include "rcache.h"
#include "tz.h"
#include "xmalloc.h"

#define ICAL_PRODID	"-//plc-cadence//plc-cadence " PLC_VERSION "//EN"
#define ICAL_MAX_ZONES	64

/* The zones a feed uses, and the years its events span. */
struct ical_zones {
	const struct tz	*tz[ICAL_MAX_ZONES];
	size_t		 n;
	int		 ylo, yhi;	/* yhi 0: open-ended */
	bool		 open;
};

/*
 * What the feeds of one run share.  A series shows in the feed of its
 * community and of each of its members, and all of a district's feeds use
 * the same zone over the same years: its exceptions and VTIMEZONE are
 * worked out once (libical's recurrence iterator and zone truncation are
 * the dear parts of a feed).  Keys are pointers into the config and
 * tz_find's zones, which outlive the cache.
 */
struct ical_cached_series {
	const struct config_community	*community;	/* NULL: empty slot */
	int				 day;
	struct civil_time		 at;
	struct civil_date		 first;
	struct civil_date		*ex;
	size_t				 nex;
};

struct ical_cached_zone {
	const struct tz		*tz;
	int			 ylo, yhi;
	bool			 open;
	icalcomponent		*vtz;
};

struct ical_memo {
	const struct feed_series	*key;	/* NULL: empty; the fields
						   below are compared */
	struct feed_series		 s;
	const struct rcache_entry	*e;
};

/* A property's text as libical writes it, kept for the next event whose
 * same property has the same inputs (k; for ORGANIZER, the community). */
struct ical_prop_memo {
	bool				 set;
	long long			 k;
	const struct config_community	*c;
	struct xbuf			 t;
};

/* An item's properties, then (S_) a series event's. */
enum { ICAL_PM_DTSTAMP, ICAL_PM_CREATED, ICAL_PM_LASTMOD, ICAL_PM_SEQUENCE,
	ICAL_PM_DTSTART, ICAL_PM_DTEND, ICAL_PM_TRANSP, ICAL_PM_S_DTSTAMP,
	ICAL_PM_S_CREATED, ICAL_PM_S_LASTMOD, ICAL_PM_S_SEQUENCE,
	ICAL_PM_S_DURATION, ICAL_PM_N };
#define ICAL_ORG_MEMO	256

struct ical_cache {
	struct ical_cached_series	*series;	/* open addressing */
	size_t				 mask, nseries;
	struct ical_cached_zone		*zones;
	size_t				 nzones;
	struct rcache			*blocks;	/* rendered text */
	bool				 own_blocks;
	/* This run's series blocks by the series' identity: a series shows
	 * in a dozen feeds, its key is built once. */
	struct ical_memo		*memo;		/* open addressing */
	size_t				 memo_mask, nmemo;
	struct xbuf			 key, text;	/* scratch */
	/* An item's properties: most are shared by many items (the change
	 * times, the due date, the community's organizer), each written
	 * through libical once.  vevent: libical's empty VEVENT, cut at
	 * vevent_end into its BEGIN and END lines. */
	struct ical_prop_memo		 pm[ICAL_PM_N];
	struct ical_prop_memo		 org[ICAL_ORG_MEMO];
	struct xbuf			 summary, desc;	/* an item's */
	char				*vevent;
	size_t				 vevent_end;
};

static int	ical_render_whole(const struct feed_input *, struct ical_cache *,
		    char **, size_t *, char **);

static bool
ical_is_utc(const struct tz *tz)
{
	return tz == NULL || strcmp(tz_name(tz), "UTC") == 0;
}

static void
ical_zone_use(struct ical_zones *z, const struct tz *tz)
{
	size_t	i;

	if (ical_is_utc(tz))
		return;
	for (i = 0; i < z->n; i++)
		if (z->tz[i] == tz)
			return;
	if (z->n < ICAL_MAX_ZONES)
		z->tz[z->n++] = tz;
}

static void
ical_year_use(struct ical_zones *z, int y)
{
	if (z->ylo == 0 || y < z->ylo)
		z->ylo = y;
	if (y > z->yhi)
		z->yhi = y;
}

static struct icaltimetype
ical_date(struct civil_date d)
{
	struct icaltimetype	t = icaltime_null_date();

	t.year = d.y;
	t.month = d.m;
	t.day = d.d;
	return t;
}

static struct icaltimetype
ical_utc(time_t when)
{
	return icaltime_from_timet_with_zone(when, 0,
	    icaltimezone_get_utc_timezone());
}

/*
 * A date-time property in a zone: DTSTART;TZID=America/New_York:… with the
 * plain IANA name that the feed's VTIMEZONE carries, or a UTC value.
 */
static icalproperty *
ical_local(icalproperty *p, icalproperty_kind kind, const struct tz *tz,
    struct civil_date d, struct civil_time at)
{
	struct icaltimetype	t = ical_date(d);

	t.is_date = 0;
	t.hour = at.h;
	t.minute = at.min;
	t.second = at.s;
	if (ical_is_utc(tz)) {
		t = ical_utc(tz_to_utc(tz, d, at));
		icalproperty_set_value(p, icalvalue_new_datetime(t));
		return p;
	}
	(void)kind;
	icalproperty_set_value(p, icalvalue_new_datetime(t));
	icalproperty_add_parameter(p, icalparameter_new_tzid(tz_name(tz)));
	return p;
}

static void
ical_add_local(icalcomponent *ev, icalproperty_kind kind, const struct tz *tz,
    struct civil_date d, struct civil_time at)
{
	icalproperty	*p = icalproperty_new(kind);

	icalcomponent_add_property(ev, ical_local(p, kind, tz, d, at));
}

/* "Name <mailto:…>": the facilitator, or the worker's sender. */
static void
ical_add_organizer(icalcomponent *ev, const struct config *cfg,
    const struct config_community *c)
{
	const struct config_member	*f = c->facilitator;
	const char			*name = NULL, *addr = NULL;
	icalproperty			*p;
	char				*mailto;

	if (f != NULL && f->email != NULL) {
		name = f->name != NULL ? f->name : f->id;
		addr = f->email;
	} else {
		name = cfg->smtp.from_name;
		addr = cfg->smtp.from_addr;
	}
	if (addr == NULL)
		addr = "plc-cadence@plc-cadence.invalid";
	mailto = xasprintf("mailto:%s", addr);
	p = icalproperty_new_organizer(mailto);
	if (name != NULL)
		icalproperty_add_parameter(p, icalparameter_new_cn(name));
	icalcomponent_add_property(ev, p);
	free(mailto);
}

/* UID, DTSTAMP, CREATED, LAST-MODIFIED, SEQUENCE: from stored state only. */
static void
ical_add_identity(icalcomponent *ev, const char *uid, time_t created,
    time_t changed, int sequence)
{
	struct icaltimetype	c = ical_utc(changed);

	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(c));
	icalcomponent_add_property(ev, icalproperty_new_created(
	    created == changed ? c : ical_utc(created)));
	icalcomponent_add_property(ev, icalproperty_new_lastmodified(c));
	icalcomponent_add_property(ev, icalproperty_new_sequence(sequence));
}

/* No feed URL: an event is forwarded, and the URL is the subscription. */
static char *
ical_series_description(const struct config_community *c)
{
	const char	*desc = c->description != NULL ? c->description : "";

	if (c->url == NULL)
		return xstrdup(desc);
	return xasprintf("%s%sJoin: %s", desc, *desc != '\0' ? "\n\n" : "",
	    c->url);
}

/* What every event of a series carries, the master and its overrides. */
static icalcomponent *
ical_series_event(const struct feed_input *in, const struct feed_series *s)
{
	const struct config_community	*c = s->community;
	icalcomponent			*ev;
	char				*desc;

	ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	ical_add_identity(ev, s->uid, s->created, s->changed, s->sequence);
	icalcomponent_add_property(ev, icalproperty_new_summary(
	    c->name != NULL ? c->name : c->id));
	desc = ical_series_description(c);
	/* An empty DESCRIPTION is noise in every client. */
	if (*desc != '\0')
		icalcomponent_add_property(ev,
		    icalproperty_new_description(desc));
	free(desc);
	if (c->location != NULL)
		icalcomponent_add_property(ev,
		    icalproperty_new_location(c->location));
	if (c->url != NULL)
		icalcomponent_add_property(ev, icalproperty_new_url(c->url));
	ical_add_organizer(ev, in->cfg, c);
	icalcomponent_add_property(ev, icalproperty_new_duration(
	    icaldurationtype_from_int((int)c->duration)));
	return ev;
}

/* Branch report: the event's URL is the meeting's notes link (notes_url
 * filled in); the join link stays in DESCRIPTION.  notes NULL: as is. */
static void
ical_set_notes(icalcomponent *ev, const char *notes)
{
	icalproperty	*p;

	if (notes == NULL)
		return;
	while ((p = icalcomponent_get_first_property(ev,
	    ICAL_URL_PROPERTY)) != NULL) {
		icalcomponent_remove_property(ev, p);
		icalproperty_free(p);
	}
	icalcomponent_add_property(ev, icalproperty_new_url(notes));
}

/* The notes link of the meeting of series date orig as a feed shows it:
 * the template filled in, or the fixed link; NULL for none. */
static char *
ical_notes(const struct config_community *c, struct civil_date orig)
{
	return plan_notes_url(c, orig);
}

/* A RECURRENCE-ID override: a moved meeting, or (branch report) one
 * whose notes link is its own.  A cancelled one is an EXDATE of the
 * master instead: clients that ignore STATUS on overrides would still
 * show it. */
static void
ical_add_override(icalcomponent *cal, const struct feed_input *in,
    const struct feed_series *s, struct civil_date orig,
    struct civil_date date, struct civil_time at, struct ical_zones *z)
{
	const struct tz	*tz = s->community->tz;
	icalcomponent	*ev = ical_series_event(in, s);
	char		*notes = ical_notes(s->community, orig);

	ical_set_notes(ev, notes);
	free(notes);

	ical_add_local(ev, ICAL_RECURRENCEID_PROPERTY, tz, orig, s->at);
	ical_add_local(ev, ICAL_DTSTART_PROPERTY, tz, date, at);
	ical_year_use(z, date.y);
	icalcomponent_add_component(cal, ev);
}

/*
 * Branch report: a per-meeting notes link is the URL of each meeting
 * starting in [notes_from, notes_to), through an override; one moved is
 * already an override above and has its link there.  The render cache's
 * key of a series must name c->notes_url and notes_to (when the template
 * has {date}).
 */
static int
ical_add_notes(icalcomponent *cal, const struct feed_input *in,
    const struct feed_series *s, struct ical_zones *z, char **err)
{
	const struct config_community	*c = s->community;
	struct cadence_occ		*occ = NULL;
	long				 n, i;

	if (!plan_notes_per_meeting(c) || in->notes_to <= in->notes_from)
		return 0;
	if ((n = cadence_expand(c, s->day, s->at, in->notes_from,
	    in->notes_to, &occ, err)) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (!occ[i].cancelled && cadence_move_of(c, occ[i].orig) ==
		    NULL)
			ical_add_override(cal, in, s, occ[i].orig, occ[i].date,
			    occ[i].at, z);
	free(occ);
	return 0;
}

static int
ical_date_cmp(const void *a, const void *b)
{
	return civil_date_cmp(*(const struct civil_date *)a,
	    *(const struct civil_date *)b);
}

static size_t
ical_series_hash(const struct config_community *c, int day,
    struct civil_time at)
{
	uint64_t	h = (uint64_t)(uintptr_t)c;

	h ^= (uint64_t)(day + 1) << 48 ^ (uint64_t)(at.h * 3600 + at.min * 60 +
	    at.s) << 20;
	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 17);
}

static struct ical_cached_series *
ical_cache_slot(struct ical_cache *cache, const struct feed_series *s)
{
	struct ical_cached_series	*e;
	size_t				 i;

	for (i = ical_series_hash(s->community, s->day, s->at) & cache->mask;
	    (e = &cache->series[i])->community != NULL;
	    i = (i + 1) & cache->mask)
		if (e->community == s->community && e->day == s->day &&
		    e->at.h == s->at.h && e->at.min == s->at.min &&
		    e->at.s == s->at.s)
			return e;
	return e;
}

/* Keep the table at most half full, so that probes stay short. */
static void
ical_cache_grow(struct ical_cache *cache)
{
	struct ical_cached_series	*old = cache->series, *e;
	struct feed_series		 key;
	size_t				 n = cache->mask + 1, i;

	if (2 * (cache->nseries + 1) <= n)
		return;
	cache->series = xcalloc(2 * n, sizeof(*cache->series));
	cache->mask = 2 * n - 1;
	for (i = 0; i < n; i++) {
		if (old[i].community == NULL)
			continue;
		key.community = old[i].community;
		key.day = old[i].day;
		key.at = old[i].at;
		e = ical_cache_slot(cache, &key);
		*e = old[i];
	}
	free(old);
}

/*
 * A series' first date and skipped dates: from the cache when it has them
 * (the cache keeps them), else worked out into *tmp (the caller frees
 * tmp->ex).  Returns 0 with *out set, or -1 with *err allocated.
 */
static int
ical_series_dates(struct ical_cache *cache, const struct feed_series *s,
    struct ical_cached_series *tmp, const struct ical_cached_series **out,
    char **err)
{
	struct ical_cached_series	*e = tmp;

	if (cache != NULL) {
		e = ical_cache_slot(cache, s);
		if (e->community != NULL) {
			*out = e;
			return 0;
		}
		ical_cache_grow(cache);
		e = ical_cache_slot(cache, s);
	}
	memset(tmp, 0, sizeof(*tmp));
	if (cadence_exdates(s->community, s->day, s->at, &tmp->ex, &tmp->nex,
	    err) == -1)
		return -1;
	tmp->first = cadence_first(s->community, s->day);
	tmp->community = s->community;
	tmp->day = s->day;
	tmp->at = s->at;
	if (e != tmp) {
		*e = *tmp;
		tmp->ex = NULL;		/* the cache's now */
		cache->nseries++;
	}
	*out = e;
	return 0;
}

static int
ical_add_series(icalcomponent *cal, const struct feed_input *in,
    struct ical_cache *cache, const struct feed_series *s,
    struct ical_zones *z, char **err)
{
	const struct config_community	*c = s->community;
	const struct tz			*tz = c->tz;
	const struct ical_cached_series	*dates;
	struct ical_cached_series	 tmp;
	struct icalrecurrencetype	 rt;
	struct civil_date		 first, *ex = NULL;
	icalcomponent			*ev = NULL;
	char				*rule = NULL;
	size_t				 i, nex;
	long				 nfirst;
	bool				 yes;
	int				 rc = -1;

	memset(&tmp, 0, sizeof(tmp));
	rule = cadence_rrule(c, s->day);
	rt = icalrecurrencetype_from_string(rule);
	if (rt.freq == ICAL_NO_RECURRENCE) {
		*err = xasprintf("community %s: cannot publish the rule %s",
		    c->id, rule);
		goto out;
	}
	if (ical_series_dates(cache, s, &tmp, &dates, err) == -1)
		goto out;
	first = dates->first;
	/* An epoch whose dates all fall outside start..until (as written
	 * now) shows nothing: DTSTART must itself be a meeting. */
	if ((nfirst = cadence_dates(c, s->day, s->at, first, first, &ex,
	    err)) < 0)
		goto out;
	free(ex);
	ex = NULL;
	if (nfirst == 0) {
		rc = 0;
		goto out;
	}
	/* Skipped and cancelled dates, in order, each once. */
	ex = xreallocarray(NULL, dates->nex + c->ncancels + 1, sizeof(*ex));
	if (dates->nex > 0)
		memcpy(ex, dates->ex, dates->nex * sizeof(*ex));
	nex = dates->nex;
	for (i = 0; i < c->ncancels; i++) {
		if (cadence_is_meeting(c, s->day, s->at, c->cancels[i], &yes,
		    err) == -1)
			goto out;
		if (yes)
			ex[nex++] = c->cancels[i];
	}
	qsort(ex, nex, sizeof(*ex), ical_date_cmp);
	ev = ical_series_event(in, s);
	/* A fixed notes link is the whole series'; one per meeting goes on
	 * the overrides below. */
	if (c->notes_url != NULL && !plan_notes_per_meeting(c))
		ical_set_notes(ev, c->notes_url);
	ical_add_local(ev, ICAL_DTSTART_PROPERTY, tz, first, s->at);
	icalcomponent_add_property(ev, icalproperty_new_rrule(rt));
	/* A meeting moved out of a skipped week is no EXDATE: its override
	 * below must name an occurrence of the rule.  A cancelled one is. */
	for (i = 0; i < nex; i++)
		if ((i == 0 || civil_date_cmp(ex[i - 1], ex[i]) != 0) &&
		    (cadence_move_of(c, ex[i]) == NULL ||
		    cadence_cancelled(c, ex[i])))
			ical_add_local(ev, ICAL_EXDATE_PROPERTY, tz, ex[i],
			    s->at);
	icalcomponent_add_component(cal, ev);
	ev = NULL;
	ical_zone_use(z, tz);
	ical_year_use(z, first.y);
	if (c->has_until)
		ical_year_use(z, c->until.y);
	else
		z->open = true;

	for (i = 0; i < c->nmoves; i++) {
		const struct config_move *m = &c->moves[i];

		if (cadence_cancelled(c, m->from))
			continue;	/* an EXDATE above */
		/* Skipped or not: the move wins (cadence_expand). */
		if (cadence_is_date(c, s->day, s->at, m->from, &yes,
		    err) == -1)
			goto out;
		if (yes)
			ical_add_override(cal, in, s, m->from, m->to,
			    m->has_time ? m->at : s->at, z);
	}
	if (ical_add_notes(cal, in, s, z, err) == -1)
		goto out;
	rc = 0;
out:
	if (ev != NULL)
		icalcomponent_free(ev);
	free(ex);
	free(tmp.ex);
	free(rule);
	return rc;
}

/* An open action item: an all-day event on its due date. */
static void
ical_add_item(icalcomponent *cal, const struct feed_input *in,
    const char *host, const struct feed_item *it, struct ical_zones *z)
{
	const struct config_member	*o = it->owner;
	icalcomponent			*ev;
	char				*uid, *summary, *desc;
	const char			*who = o->name != NULL ? o->name : o->id;
	const char			*cname = it->community->name != NULL ?
					    it->community->name :
					    it->community->id;

	ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	uid = feed_item_uid_at(host, it->id);
	ical_add_identity(ev, uid, it->created, it->changed, it->sequence);
	free(uid);
	icalcomponent_add_property(ev, icalproperty_new_dtstart(
	    ical_date(it->due)));
	icalcomponent_add_property(ev, icalproperty_new_dtend(
	    ical_date(civil_date_add(it->due, 1))));
	summary = xasprintf("Due: %s \xe2\x80\x94 %s", it->title, who);
	icalcomponent_add_property(ev, icalproperty_new_summary(summary));
	desc = xasprintf("%s, action item %lld, owner %s.%s%s%s%s", cname,
	    (long long)it->id, who, it->notes != NULL ? "\n\n" : "",
	    it->notes != NULL ? it->notes : "",
	    it->link != NULL ? "\n\nMark done: " : "",
	    it->link != NULL ? it->link : "");
	icalcomponent_add_property(ev, icalproperty_new_description(desc));
	if (it->link != NULL)
		icalcomponent_add_property(ev, icalproperty_new_url(it->link));
	icalcomponent_add_property(ev,
	    icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	ical_add_organizer(ev, in->cfg, it->community);
	icalcomponent_add_component(cal, ev);
	ical_year_use(z, it->due.y);
	free(summary);
	free(desc);
}

/*
 * libical writes a truncated zone's later onsets as RDATEs, in UTC.  RFC
 * 5545 wants them local, and some parsers (ical.js) then miss the onset at
 * DTSTART.  One observance per onset, DTSTART only, reads the same
 * everywhere.
 */
static void
ical_split_rdates(icalcomponent *vtz)
{
	icalcomponent		*obs, *copy, **todo = NULL;
	icalproperty		*p, *off;
	struct icaldatetimeperiodtype	 rd;
	struct icaltimetype	 t;
	size_t			 n = 0, i;

	for (obs = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	    obs != NULL;
	    obs = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		todo = xreallocarray(todo, n + 1, sizeof(*todo));
		todo[n++] = obs;
	}
	for (i = 0; i < n; i++) {
		obs = todo[i];
		off = icalcomponent_get_first_property(obs,
		    ICAL_TZOFFSETFROM_PROPERTY);
		while ((p = icalcomponent_get_first_property(obs,
		    ICAL_RDATE_PROPERTY)) != NULL) {
			rd = icalproperty_get_rdate(p);
			icalcomponent_remove_property(obs, p);
			icalproperty_free(p);
			t = rd.time;
			if (icaltime_is_null_time(t) || off == NULL)
				continue;
			if (icaltime_is_utc(t))
				icaltime_adjust(&t, 0, 0, 0,
				    icalproperty_get_tzoffsetfrom(off));
			t.zone = NULL;
			copy = icalcomponent_new_clone(obs);
			icalcomponent_set_dtstart(copy, t);
			icalcomponent_add_component(vtz, copy);
		}
	}
	free(todo);
}

/* Whether the local onset t is one that rule r (a yearly zone rule as
 * libical writes them: BYMONTH with BYDAY=nSU, or BYDAY=SU with BYMONTHDAY)
 * gives at the wall time at.  Any other shape never matches. */
static bool
ical_rule_gives(const struct icalrecurrencetype *r, struct icaltimetype at,
    struct icaltimetype t)
{
	int	dow, pos, i, dim;
	bool	mday;

	if (r->freq != ICAL_YEARLY_RECURRENCE || r->interval > 1 ||
	    r->by_month[0] != t.month ||
	    r->by_month[1] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_day[0] == ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_day[1] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    t.hour != at.hour || t.minute != at.minute ||
	    t.second != at.second)
		return false;
	dow = icalrecurrencetype_day_day_of_week(r->by_day[0]);
	pos = icalrecurrencetype_day_position(r->by_day[0]);
	if (icaltime_day_of_week(t) != dow)
		return false;
	dim = icaltime_days_in_month(t.month, t.year);
	if (pos > 0)
		return r->by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
		    (t.day - 1) / 7 + 1 == pos;
	if (pos < 0)
		return r->by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
		    pos == -1 && t.day + 7 > dim;
	mday = false;
	for (i = 0; i < ICAL_BY_MONTHDAY_SIZE &&
	    r->by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		if (r->by_month_day[i] == t.day)
			mday = true;
	return mday;
}

static int
ical_onset_cmp(const void *a, const void *b)
{
	icalcomponent * const	*x = a, * const *y = b;

	/* Latest first. */
	return icaltime_compare(icalcomponent_get_dtstart(*y),
	    icalcomponent_get_dtstart(*x));
}

/*
 * Outlook (MS-OXCICAL) keeps only the STANDARD and DAYLIGHT with the latest
 * DTSTART and makes a yearly rule of a bare onset by its weekday of the
 * month: the last Sunday of March 2027 is its 4th, and Outlook would put
 * London's 2026 change a week early.  So the run of latest onsets that the
 * rule still in force (rule: the source's RRULE without UNTIL) gives becomes
 * one observance with that RRULE, from the first of them, as Google and
 * Outlook write zones; onsets of older rules stay as they are.
 */
static void
ical_rule_onsets(icalcomponent *vtz, icalcomponent *rule)
{
	icalcomponent_kind	 kind = icalcomponent_isa(rule);
	icalcomponent		*obs, **on = NULL, *copy;
	icalproperty		*rp, *p;
	struct icalrecurrencetype r;
	struct icaltimetype	 at, first = icaltime_null_time();
	int			 from, to;
	size_t			 n = 0, i, k;

	rp = icalcomponent_get_first_property(rule, ICAL_RRULE_PROPERTY);
	if (rp == NULL || (p = icalcomponent_get_first_property(rule,
	    ICAL_TZOFFSETFROM_PROPERTY)) == NULL)
		return;
	from = icalproperty_get_tzoffsetfrom(p);
	if ((p = icalcomponent_get_first_property(rule,
	    ICAL_TZOFFSETTO_PROPERTY)) == NULL)
		return;
	to = icalproperty_get_tzoffsetto(p);
	r = icalproperty_get_rrule(rp);
	if (!icaltime_is_null_time(r.until) || r.count != 0)
		return;
	at = icalcomponent_get_dtstart(rule);
	for (obs = icalcomponent_get_first_component(vtz, kind); obs != NULL;
	    obs = icalcomponent_get_next_component(vtz, kind)) {
		if (icalcomponent_get_first_property(obs,
		    ICAL_RRULE_PROPERTY) != NULL ||
		    icalcomponent_get_first_property(obs,
		    ICAL_RDATE_PROPERTY) != NULL)
			continue;
		on = xreallocarray(on, n + 1, sizeof(*on));
		on[n++] = obs;
	}
	if (n > 0)
		qsort(on, n, sizeof(*on), ical_onset_cmp);
	for (k = 0; k < n; k++) {
		p = icalcomponent_get_first_property(on[k],
		    ICAL_TZOFFSETFROM_PROPERTY);
		if (p == NULL || icalproperty_get_tzoffsetfrom(p) != from)
			break;
		p = icalcomponent_get_first_property(on[k],
		    ICAL_TZOFFSETTO_PROPERTY);
		if (p == NULL || icalproperty_get_tzoffsetto(p) != to)
			break;
		if (!ical_rule_gives(&r, at,
		    icalcomponent_get_dtstart(on[k])))
			break;
		first = icalcomponent_get_dtstart(on[k]);
	}
	if (k == 0)
		goto out;
	for (i = 0; i < k; i++) {
		icalcomponent_remove_component(vtz, on[i]);
		icalcomponent_free(on[i]);
	}
	copy = icalcomponent_new_clone(rule);
	first.zone = NULL;
	icalcomponent_set_dtstart(copy, first);
	icalcomponent_add_component(vtz, copy);
out:
	free(on);
}

/* A zone's VTIMEZONE: plain IANA TZID, only the years the feed uses. */
static icalcomponent *
ical_vtimezone(const struct tz *tz, const struct ical_zones *z)
{
	icalcomponent		*src, *vtz, *obs;
	icalproperty		*p;
	struct icaltimetype	 lo, hi = icaltime_null_time();

	src = icaltimezone_get_component(tz_icaltimezone(tz));
	if (src == NULL)
		return NULL;
	vtz = icalcomponent_new_clone(src);
	lo = icaltime_from_timet_with_zone(0, 0,
	    icaltimezone_get_utc_timezone());
	lo.year = z->ylo > 0 ? z->ylo : 1970;
	lo.month = lo.day = 1;
	if (!z->open && z->yhi > 0) {
		hi = lo;
		hi.year = z->yhi + 1;
	}
	icaltimezone_truncate_vtimezone(vtz, lo, hi, 0);
	ical_split_rdates(vtz);
	for (obs = icalcomponent_get_first_component(src, ICAL_ANY_COMPONENT);
	    obs != NULL;
	    obs = icalcomponent_get_next_component(src, ICAL_ANY_COMPONENT))
		ical_rule_onsets(vtz, obs);
	/* TZUNTIL is RFC 7808's; clients need nothing past the feed anyway. */
	while ((p = icalcomponent_get_first_property(vtz,
	    ICAL_TZUNTIL_PROPERTY)) != NULL) {
		icalcomponent_remove_property(vtz, p);
		icalproperty_free(p);
	}
	p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	if (p != NULL)
		icalproperty_set_tzid(p, tz_name(tz));
	return vtz;
}

int
ical_render_vtimezone(const struct tz *tz, int ylo, int yhi, char **out,
    char **err)
{
	struct ical_zones	 z;
	icalcomponent		*vtz;

	*out = NULL;
	*err = NULL;
	memset(&z, 0, sizeof(z));
	z.ylo = ylo;
	z.yhi = yhi;
	z.open = yhi == 0;
	if (ical_is_utc(tz) || (vtz = ical_vtimezone(tz, &z)) == NULL) {
		*err = xasprintf("no time zone data for %s",
		    tz != NULL ? tz_name(tz) : "UTC");
		return -1;
	}
	*out = icalcomponent_as_ical_string_r(vtz);
	icalcomponent_free(vtz);
	if (*out == NULL) {
		*err = xstrdup("libical could not write the zone");
		return -1;
	}
	return 0;
}

/* The zone's VTIMEZONE for the feed's years, truncated once per cache;
 * the caller owns the component returned (NULL: no zone data). */
static icalcomponent *
ical_vtimezone_cached(struct ical_cache *cache, const struct tz *tz,
    const struct ical_zones *z)
{
	struct ical_cached_zone	*e;
	int			 yhi = z->open ? 0 : z->yhi;
	size_t			 i;

	if (cache == NULL)
		return ical_vtimezone(tz, z);
	for (i = 0; i < cache->nzones; i++) {
		e = &cache->zones[i];
		if (e->tz == tz && e->ylo == z->ylo && e->yhi == yhi &&
		    e->open == z->open)
			return icalcomponent_new_clone(e->vtz);
	}
	e = NULL;
	if (cache->nzones < ICAL_MAX_ZONES) {
		icalcomponent *vtz = ical_vtimezone(tz, z);

		if (vtz == NULL)
			return NULL;
		cache->zones = xreallocarray(cache->zones, cache->nzones + 1,
		    sizeof(*cache->zones));
		e = &cache->zones[cache->nzones++];
		e->tz = tz;
		e->ylo = z->ylo;
		e->yhi = yhi;
		e->open = z->open;
		e->vtz = vtz;
		return icalcomponent_new_clone(vtz);
	}
	return ical_vtimezone(tz, z);
}

struct ical_cache *
ical_cache_new(struct rcache *blocks)
{
	struct ical_cache	*cache = xcalloc(1, sizeof(*cache));

	cache->series = xcalloc(64, sizeof(*cache->series));
	cache->mask = 63;
	cache->memo = xcalloc(64, sizeof(*cache->memo));
	cache->memo_mask = 63;
	cache->own_blocks = blocks == NULL;
	cache->blocks = blocks != NULL ? blocks : rcache_new();
	return cache;
}

void
ical_cache_free(struct ical_cache *cache)
{
	size_t	i;

	if (cache == NULL)
		return;
	for (i = 0; i <= cache->mask; i++)
		free(cache->series[i].ex);
	for (i = 0; i < cache->nzones; i++)
		icalcomponent_free(cache->zones[i].vtz);
	free(cache->series);
	free(cache->zones);
	free(cache->memo);
	if (cache->own_blocks)
		rcache_free(cache->blocks);
	free(cache->key.s);
	free(cache->text.s);
	for (i = 0; i < ICAL_PM_N; i++)
		free(cache->pm[i].t.s);
	for (i = 0; i < ICAL_ORG_MEMO; i++)
		free(cache->org[i].t.s);
	free(cache->summary.s);
	free(cache->desc.s);
	free(cache->vevent);
	free(cache);
}

static int
ical_series_cmp(const void *a, const void *b)
{
	const struct feed_series	*x = a, *y = b;
	int				 c = strcmp(x->community->id,
					    y->community->id);

	if (c != 0)
		return c;
	return x->epoch < y->epoch ? -1 : x->epoch > y->epoch;
}

static int
ical_item_cmp(const void *a, const void *b)
{
	const struct feed_item	*x = a, *y = b;
	int			 c = civil_date_cmp(x->due, y->due);

	if (c != 0)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The feed's zone: the member's or the community's, else the worker's. */
static const struct tz *
ical_feed_zone(const struct feed_input *in)
{
	const struct tz	*tz;

	tz = in->kind == FEED_MEMBER ? in->member->tz : in->community->tz;
	return tz != NULL ? tz : in->cfg->worker.tz;
}

static void
ical_add_calprops(icalcomponent *cal, const struct feed_input *in)
{
	const struct tz	*tz = ical_feed_zone(in);
	icalproperty	*p;
	char		*name;
	struct icaldurationtype	 hour = icaldurationtype_from_int(3600);

	if (in->kind == FEED_MEMBER)
		name = xasprintf("PLC \xe2\x80\x94 %s", in->member->name != NULL ?
		    in->member->name : in->member->id);
	else
		name = xstrdup(in->community->name != NULL ?
		    in->community->name : in->community->id);
	icalcomponent_add_property(cal, icalproperty_new_prodid(ICAL_PRODID));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal,
	    icalproperty_new_method(ICAL_METHOD_PUBLISH));
	icalcomponent_add_property(cal, icalproperty_new_name(name));
	p = icalproperty_new_x(name);
	icalproperty_set_x_name(p, "X-WR-CALNAME");
	icalcomponent_add_property(cal, p);
	p = icalproperty_new_x(tz != NULL ? tz_name(tz) : "UTC");
	icalproperty_set_x_name(p, "X-WR-TIMEZONE");
	icalcomponent_add_property(cal, p);
	p = icalproperty_new_refreshinterval(hour);
	icalproperty_add_parameter(p,
	    icalparameter_new_value(ICAL_VALUE_DURATION));
	icalcomponent_add_property(cal, p);
	p = icalproperty_new_x("PT1H");
	icalproperty_set_x_name(p, "X-PUBLISHED-TTL");
	icalcomponent_add_property(cal, p);
	free(name);
}

int
ical_render_feed(const struct feed_input *in, char **out, size_t *len,
    char **err)
{
	return ical_render_whole(in, NULL, out, len, err);
}

/*
 * Write out and free the events waiting in the holder.  libical writes a
 * component the same way alone as inside its calendar, so the feed is
 * written event by event: no tree of thousands of events, no string of
 * megabytes grown and copied inside libical.
 */
static int
ical_drain(icalcomponent *holder, struct xbuf *b, char **err)
{
	icalcomponent	*c;
	char		*s;

	while ((c = icalcomponent_get_first_component(holder,
	    ICAL_ANY_COMPONENT)) != NULL) {
		icalcomponent_remove_component(holder, c);
		s = icalcomponent_as_ical_string_r(c);
		icalcomponent_free(c);
		if (s == NULL) {
			*err = xstrdup("libical could not write an event");
			return -1;
		}
		xbuf_add(b, s, strlen(s));
		free(s);
	}
	return 0;
}

#define ICAL_END_CALENDAR	"END:VCALENDAR\r\n"

/* The whole feed through libical, the reference that the blocks of
 * ical_render_blocks must match byte for byte. */
static int
ical_render_whole(const struct feed_input *in, struct ical_cache *cache,
    char **out, size_t *len, char **err)
{
	struct ical_zones	 z;
	struct feed_series	*series = NULL;
	struct feed_item	*items = NULL;
	struct xbuf		 events = { NULL, 0, 0 };
	icalcomponent		*cal, *body, *vtz;
	char			*s = NULL, *host = NULL;
	size_t			 i, n;
	int			 rc = -1;

	*out = NULL;
	*err = NULL;
	memset(&z, 0, sizeof(z));
	cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	/* Events first, through a holder, so the zones they use are known. */
	body = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	ical_add_calprops(cal, in);

	/* Room for the events at once (an item takes some 560 bytes, a
	 * series more with its EXDATEs): growing a buffer of megabytes step
	 * by step costs more than writing into it. */
	events.cap = 640 * (in->nitems + 2 * in->nseries) + 1;
	events.s = xmalloc(events.cap);
	/* Sorted by ID, so config order does not change the bytes. */
	if (in->nseries > 0) {
		series = xreallocarray(NULL, in->nseries, sizeof(*series));
		memcpy(series, in->series, in->nseries * sizeof(*series));
		qsort(series, in->nseries, sizeof(*series), ical_series_cmp);
	}
	for (i = 0; i < in->nseries; i++)
		if (ical_add_series(body, in, cache, &series[i], &z,
		    err) == -1 || ical_drain(body, &events, err) == -1)
			goto out;
	if (in->nitems > 0) {
		items = xreallocarray(NULL, in->nitems, sizeof(*items));
		memcpy(items, in->items, in->nitems * sizeof(*items));
		qsort(items, in->nitems, sizeof(*items), ical_item_cmp);
	}
	host = feed_uid_host(in->cfg);
	for (i = 0; i < in->nitems; i++) {
		ical_add_item(body, in, host, &items[i], &z);
		if (ical_drain(body, &events, err) == -1)
			goto out;
	}

	/* RFC 5545 wants a component, and Outlook asks whether to add an
	 * empty calendar: the feed's own zone is always there, from the
	 * first start of its communities on when there are no events. */
	ical_zone_use(&z, ical_feed_zone(in));
	if (z.ylo == 0) {
		for (i = 0; i < in->cfg->ncommunities; i++)
			if (in->kind == FEED_MEMBER ||
			    &in->cfg->communities[i] == in->community)
				ical_year_use(&z,
				    in->cfg->communities[i].start.y);
		z.open = true;
	}
	for (i = 0; i < z.n; i++) {
		vtz = ical_vtimezone_cached(cache, z.tz[i], &z);
		if (vtz == NULL) {
			*err = xasprintf("no time zone data for %s",
			    tz_name(z.tz[i]));
			goto out;
		}
		icalcomponent_add_component(cal, vtz);
	}
	/* A feed in UTC writes its times in UTC, with no zone: an empty one
	 * still needs a component. */
	if (z.n == 0 && events.len == 0)
		icalcomponent_add_component(cal, icalparser_parse_string(
		    "BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\n"
		    "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\n"
		    "TZOFFSETTO:+0000\r\nTZNAME:UTC\r\nEND:STANDARD\r\n"
		    "END:VTIMEZONE\r\n"));
	/* The calendar without its events, then the events before its end. */
	s = icalcomponent_as_ical_string_r(cal);
	n = s != NULL ? strlen(s) : 0;
	if (n < strlen(ICAL_END_CALENDAR) || strcmp(s + n -
	    strlen(ICAL_END_CALENDAR), ICAL_END_CALENDAR) != 0) {
		*err = xstrdup("libical could not write the calendar");
		goto out;
	}
	n -= strlen(ICAL_END_CALENDAR);
	/* The head goes in front of the events, in their own buffer. */
	xbuf_reserve(&events, n + strlen(ICAL_END_CALENDAR));
	memmove(events.s + n, events.s, events.len);
	memcpy(events.s, s, n);
	events.len += n;
	xbuf_add(&events, ICAL_END_CALENDAR, strlen(ICAL_END_CALENDAR));
	*out = events.s;
	*len = events.len;
	events.s = NULL;
	rc = 0;
out:
	free(host);
	free(s);
	free(events.s);
	free(items);
	free(series);
	icalcomponent_free(body);
	icalcomponent_free(cal);
	return rc;
}

/*
 * Blocks: each event's text (a series epoch with its overrides, an item),
 * the calendar's head and each VTIMEZONE, rendered through libical once
 * and kept in the cache's rcache under a key that serialises every input
 * its renderer reads.  Whatever ical_add_series, ical_series_event,
 * ical_add_override, ical_add_item, ical_add_calprops or ical_vtimezone
 * come to read must be added to the key builder beside them here: a field
 * left out would serve a stale block.  The version leads every key, so a
 * persisted cache never serves another build's text.
 */
#define ICAL_KEY_VERSION	"plc-cadence " PLC_VERSION " libical " \
				ICAL_VERSION " blocks 3\n"

static void
ical_key_start(struct xbuf *k, const char *kind)
{
	k->len = 0;
	xbuf_add(k, ICAL_KEY_VERSION, strlen(ICAL_KEY_VERSION));
	rcache_key_str(k, kind);
}

static void
ical_key_date(struct xbuf *k, struct civil_date d)
{
	rcache_key_int(k, d.y);
	rcache_key_int(k, d.m);
	rcache_key_int(k, d.d);
}

/* ical_add_organizer's inputs. */
static void
ical_key_organizer(struct xbuf *k, const struct config *cfg,
    const struct config_community *c)
{
	const struct config_member	*f = c->facilitator;

	if (f != NULL && f->email != NULL) {
		rcache_key_str(k, "facilitator");
		rcache_key_str(k, f->name);
		rcache_key_str(k, f->id);
		rcache_key_str(k, f->email);
	} else {
		rcache_key_str(k, "sender");
		rcache_key_str(k, cfg->smtp.from_name);
		rcache_key_str(k, cfg->smtp.from_addr);
	}
}

/*
 * A series epoch's inputs: its stored identity (UID, SEQUENCE, the change
 * times DTSTAMP and friends come from), the shape feed_series_fingerprint
 * names (rule, day, time, duration, zone, start, until, every skip, move
 * and cancellation: its inputs, not its text, which is dear to write with
 * a holiday calendar's hundreds of dates), what ical_series_event shows
 * besides, and the rule's own fields (cadence_rrule's inputs).
 */
/* Dates and spans go into keys as their memory: ints, no padding. */
_Static_assert(sizeof(struct config_span) == 6 * sizeof(int),
    "config_span has padding");
_Static_assert(sizeof(struct civil_time) == 3 * sizeof(int),
    "civil_time has padding");

static void
ical_series_key(struct xbuf *k, const struct feed_input *in,
    const struct feed_series *s)
{
	const struct config_community	*c = s->community;
	const struct config_calendar	*cal;
	size_t				 i;

	ical_key_start(k, "series");
	rcache_key_str(k, s->uid);
	rcache_key_int(k, s->sequence);
	rcache_key_int(k, (long long)s->created);
	rcache_key_int(k, (long long)s->changed);
	rcache_key_int(k, s->day);
	rcache_key_int(k, s->at.h * 3600 + s->at.min * 60 + s->at.s);
	rcache_key_str(k, c->id);
	rcache_key_str(k, c->name);
	rcache_key_str(k, c->description);
	rcache_key_str(k, c->url);
	rcache_key_str(k, c->location);
	rcache_key_str(k, c->tz != NULL ? tz_name(c->tz) : NULL);
	rcache_key_int(k, c->cadence);
	rcache_key_int(k, c->week);
	rcache_key_str(k, c->rrule);
	rcache_key_int(k, (long long)c->duration);
	ical_key_date(k, c->start);
	rcache_key_int(k, c->has_until);
	if (c->has_until)
		ical_key_date(k, c->until);
	rcache_key_raw(k, c->skip, c->nskip * sizeof(*c->skip));
	rcache_key_int(k, (long long)c->nskip_calendars);
	for (i = 0; i < c->nskip_calendars; i++) {
		cal = c->skip_calendars[i];
		rcache_key_raw(k, cal->skip, cal->nskip * sizeof(*cal->skip));
	}
	rcache_key_int(k, (long long)c->nmoves);
	for (i = 0; i < c->nmoves; i++) {
		rcache_key_raw(k, &c->moves[i].from, sizeof(c->moves[i].from));
		rcache_key_raw(k, &c->moves[i].to, sizeof(c->moves[i].to));
		rcache_key_int(k, c->moves[i].has_time);
		if (c->moves[i].has_time)
			rcache_key_raw(k, &c->moves[i].at,
			    sizeof(c->moves[i].at));
	}
	rcache_key_raw(k, c->cancels, c->ncancels * sizeof(*c->cancels));
	/* ical_add_notes: the link, and for a per-meeting one the range of
	 * meetings it overrides (publish keeps that to whole days). */
	rcache_key_str(k, c->notes_url);
	if (plan_notes_per_meeting(c)) {
		rcache_key_int(k, (long long)in->notes_from);
		rcache_key_int(k, (long long)in->notes_to);
	}
	ical_key_organizer(k, in->cfg, c);
}

/* An item's inputs: all of ical_add_item's. */
static void
ical_item_key(struct xbuf *k, const struct feed_input *in, const char *host,
    const struct feed_item *it)
{
	ical_key_start(k, "item");
	rcache_key_str(k, host);
	rcache_key_int(k, (long long)it->id);
	rcache_key_int(k, it->sequence);
	rcache_key_int(k, (long long)it->created);
	rcache_key_int(k, (long long)it->changed);
	ical_key_date(k, it->due);
	rcache_key_str(k, it->title);
	rcache_key_str(k, it->notes);
	rcache_key_str(k, it->link);
	rcache_key_str(k, it->owner->name);
	rcache_key_str(k, it->owner->id);
	rcache_key_str(k, it->community->name);
	rcache_key_str(k, it->community->id);
	ical_key_organizer(k, in->cfg, it->community);
}

/* The zones and years a block uses, as kept in its meta. */
enum { ICAL_META_USED, ICAL_META_YLO, ICAL_META_YHI, ICAL_META_OPEN };

static void
ical_meta_apply(struct ical_zones *z, const struct tz *tz, const int *meta)
{
	if (!meta[ICAL_META_USED])
		return;
	ical_zone_use(z, tz);
	ical_year_use(z, meta[ICAL_META_YLO]);
	ical_year_use(z, meta[ICAL_META_YHI]);
	if (meta[ICAL_META_OPEN])
		z->open = true;
}

/* Within one run the config and the stored series do not change: the same
 * community view, UID, slot and stored state give the same block. */
static bool
ical_memo_same(const struct feed_series *a, const struct feed_series *b)
{
	return a->community == b->community && a->uid == b->uid &&
	    a->day == b->day && a->at.h == b->at.h && a->at.min == b->at.min &&
	    a->at.s == b->at.s && a->sequence == b->sequence &&
	    a->created == b->created && a->changed == b->changed;
}

static struct ical_memo *
ical_memo_slot(struct ical_cache *cache, const struct feed_series *s)
{
	struct ical_memo	*m;
	size_t			 i;

	i = ical_series_hash(s->community, s->day, s->at) ^
	    (size_t)(uintptr_t)s->uid ^ (size_t)s->sequence;
	for (i &= cache->memo_mask; (m = &cache->memo[i])->key != NULL;
	    i = (i + 1) & cache->memo_mask)
		if (ical_memo_same(&m->s, s))
			return m;
	return m;
}

static void
ical_memo_put(struct ical_cache *cache, const struct feed_series *s,
    const struct rcache_entry *e)
{
	struct ical_memo	*old = cache->memo, *m;
	size_t			 n = cache->memo_mask + 1, i;

	if (2 * (cache->nmemo + 1) > n) {
		cache->memo = xcalloc(2 * n, sizeof(*cache->memo));
		cache->memo_mask = 2 * n - 1;
		for (i = 0; i < n; i++)
			if (old[i].key != NULL)
				*ical_memo_slot(cache, &old[i].s) = old[i];
		free(old);
	}
	m = ical_memo_slot(cache, s);
	if (m->key == NULL)
		cache->nmemo++;
	m->key = &m->s;
	m->s = *s;
	m->e = e;
}

/* Append p's text as libical writes it to b, and free p. */
static int
ical_prop_text(icalproperty *p, struct xbuf *b, char **err)
{
	char	*t = icalproperty_as_ical_string_r(p);

	icalproperty_free(p);
	if (t == NULL) {
		*err = xstrdup("libical could not write a property");
		return -1;
	}
	xbuf_add(b, t, strlen(t));
	free(t);
	return 0;
}

/* The memo's text when it was written for k (and c), else NULL: then the
 * caller writes the property into it with ical_prop_keep. */
static bool
ical_prop_hit(struct ical_prop_memo *m, long long k,
    const struct config_community *c, struct xbuf *b)
{
	if (!m->set || m->k != k || m->c != c)
		return false;
	xbuf_add(b, m->t.s, m->t.len);
	return true;
}

static int
ical_prop_keep(struct ical_prop_memo *m, long long k,
    const struct config_community *c, icalproperty *p, struct xbuf *b,
    char **err)
{
	m->set = false;
	m->t.len = 0;
	if (ical_prop_text(p, &m->t, err) == -1)
		return -1;
	m->set = true;
	m->k = k;
	m->c = c;
	xbuf_add(b, m->t.s, m->t.len);
	return 0;
}

/* ORGANIZER alone, as ical_add_organizer adds it. */
static icalproperty *
ical_organizer_prop(const struct config *cfg, const struct config_community *c)
{
	icalcomponent	*ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	icalproperty	*p;

	ical_add_organizer(ev, cfg, c);
	p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
	icalcomponent_remove_property(ev, p);
	icalcomponent_free(ev);
	return p;
}

/* libical's empty VEVENT, kept to be cut into its BEGIN and END lines. */
static int
ical_vevent_init(struct ical_cache *cache, char **err)
{
	icalcomponent	*ev;
	char		*s;

	if (cache->vevent != NULL)
		return 0;
	ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	s = icalcomponent_as_ical_string_r(ev);
	icalcomponent_free(ev);
	if (s == NULL || strncmp(s, "BEGIN:", 6) != 0 ||
	    strstr(s, "END:") == NULL) {
		free(s);
		*err = xstrdup("libical could not write an event");
		return -1;
	}
	cache->vevent_end = (size_t)(strstr(s, "END:") - s);
	cache->vevent = s;
	return 0;
}

/* A date-time as one number of every field its writing reads, or -1 for
 * one out of the ranges that make the number exact (then no memo). */
static long long
ical_time_key(struct icaltimetype t)
{
	if (t.year < 0 || t.year > 9999 || t.month < 0 || t.month > 12 ||
	    t.day < 0 || t.day > 31 || t.hour < 0 || t.hour > 23 ||
	    t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 60)
		return -1;
	return ((((((long long)t.year * 13 + t.month) * 32 + t.day) * 24 +
	    t.hour) * 60 + t.minute) * 61 + t.second) * 4 +
	    (t.is_date ? 2 : 0) + (icaltime_is_utc(t) ? 1 : 0);
}

/* A duration the same way (icaldurationtype_from_int's ranges). */
static long long
ical_duration_key(struct icaldurationtype d)
{
	if (d.weeks > 100000 || d.days > 6 || d.hours > 23 ||
	    d.minutes > 59 || d.seconds > 59)
		return -1;
	return ((((long long)d.weeks * 7 + d.days) * 24 + d.hours) * 60 +
	    d.minutes) * 120 + d.seconds * 2 + (d.is_neg ? 1 : 0);
}

/* The memo of a series event's property p and its key *k (*mc: the
 * community, for ORGANIZER), or NULL when p is written each time. */
static struct ical_prop_memo *
ical_series_memo(struct ical_cache *cache, icalproperty *p,
    const struct config_community *c, long long *k,
    const struct config_community **mc)
{
	icalproperty_kind	 kind = icalproperty_isa(p);
	struct ical_prop_memo	*m = NULL;

	*k = -1;
	*mc = NULL;
	/* ical_add_organizer's, the community's: its CN is its own. */
	if (kind == ICAL_ORGANIZER_PROPERTY) {
		*k = 0;
		*mc = c;
		return &cache->org[((uintptr_t)c / sizeof(void *)) %
		    ICAL_ORG_MEMO];
	}
	if (icalproperty_count_parameters(p) != 0)
		return NULL;
	switch (kind) {
	case ICAL_DTSTAMP_PROPERTY:
		m = &cache->pm[ICAL_PM_S_DTSTAMP];
		*k = ical_time_key(icalproperty_get_dtstamp(p));
		break;
	case ICAL_CREATED_PROPERTY:
		m = &cache->pm[ICAL_PM_S_CREATED];
		*k = ical_time_key(icalproperty_get_created(p));
		break;
	case ICAL_LASTMODIFIED_PROPERTY:
		m = &cache->pm[ICAL_PM_S_LASTMOD];
		*k = ical_time_key(icalproperty_get_lastmodified(p));
		break;
	case ICAL_SEQUENCE_PROPERTY:
		m = &cache->pm[ICAL_PM_S_SEQUENCE];
		*k = icalproperty_get_sequence(p);
		break;
	case ICAL_DURATION_PROPERTY:
		m = &cache->pm[ICAL_PM_S_DURATION];
		*k = ical_duration_key(icalproperty_get_duration(p));
		break;
	default:
		break;
	}
	return *k < 0 ? NULL : m;
}

/*
 * A series block's events, as ical_drain writes them: each VEVENT is its
 * BEGIN line, each property's own text from libical, its END line.  The
 * properties the series of a feed share (change times, SEQUENCE, DURATION,
 * the community's ORGANIZER) are written once a cache, by what their text
 * shows; a component of another kind, or with components inside, goes
 * through libical whole.
 */
static int
ical_series_text(struct ical_cache *cache, icalcomponent *holder,
    const struct config_community *c, struct xbuf *b, char **err)
{
	const struct config_community	*mc;
	icalcomponent			*ev = NULL;
	icalproperty			*p;
	struct ical_prop_memo		*m;
	long long			 k;
	char				*t;
	int				 rc = -1;

	if (ical_vevent_init(cache, err) == -1)
		return -1;
	while ((ev = icalcomponent_get_first_component(holder,
	    ICAL_ANY_COMPONENT)) != NULL) {
		icalcomponent_remove_component(holder, ev);
		if (icalcomponent_isa(ev) != ICAL_VEVENT_COMPONENT ||
		    icalcomponent_count_components(ev, ICAL_ANY_COMPONENT) !=
		    0) {
			if ((t = icalcomponent_as_ical_string_r(ev)) == NULL) {
				*err = xstrdup("libical could not write an "
				    "event");
				goto out;
			}
			xbuf_add(b, t, strlen(t));
			free(t);
			icalcomponent_free(ev);
			ev = NULL;
			continue;
		}
		xbuf_add(b, cache->vevent, cache->vevent_end);
		for (p = icalcomponent_get_first_property(ev,
		    ICAL_ANY_PROPERTY); p != NULL;
		    p = icalcomponent_get_next_property(ev,
		    ICAL_ANY_PROPERTY)) {
			m = ical_series_memo(cache, p, c, &k, &mc);
			if (m != NULL && ical_prop_hit(m, k, mc, b))
				continue;
			if ((t = icalproperty_as_ical_string_r(p)) == NULL) {
				*err = xstrdup("libical could not write a "
				    "property");
				goto out;
			}
			xbuf_add(b, t, strlen(t));
			if (m != NULL) {
				m->t.len = 0;
				xbuf_add(&m->t, t, strlen(t));
				m->set = true;
				m->k = k;
				m->c = mc;
			}
			free(t);
		}
		xbuf_add(b, cache->vevent + cache->vevent_end,
		    strlen(cache->vevent + cache->vevent_end));
		icalcomponent_free(ev);
		ev = NULL;
	}
	rc = 0;
out:
	if (ev != NULL)
		icalcomponent_free(ev);
	return rc;
}

/* A series epoch's block (its master and overrides; empty when it shows
 * no meeting), from the cache or rendered into it, appended to b. */
static int
ical_series_block(const struct feed_input *in, struct ical_cache *cache,
    const struct feed_series *s, struct ical_zones *z,
    const struct rcache_entry **out, char **err)
{
	const struct rcache_entry	*e;
	struct ical_memo		*mm;
	struct ical_zones		 zb;
	icalcomponent			*body = NULL;
	int				 meta[4], rc = -1;

	if ((mm = ical_memo_slot(cache, s))->key != NULL) {
		e = mm->e;
		goto found;
	}
	ical_series_key(&cache->key, in, s);
	e = rcache_get(cache->blocks, cache->key.s, cache->key.len);
	if (e == NULL) {
		memset(&zb, 0, sizeof(zb));
		cache->text.len = 0;
		xbuf_add(&cache->text, "", 0);
		body = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
		if (ical_add_series(body, in, cache, s, &zb, err) == -1 ||
		    ical_series_text(cache, body, s->community, &cache->text,
		    err) == -1)
			goto out;
		meta[ICAL_META_USED] = zb.ylo != 0;
		meta[ICAL_META_YLO] = zb.ylo;
		meta[ICAL_META_YHI] = zb.yhi;
		meta[ICAL_META_OPEN] = zb.open;
		e = rcache_put(cache->blocks, cache->key.s, cache->key.len,
		    cache->text.s, cache->text.len, meta);
	}
	ical_memo_put(cache, s, e);
found:
	ical_meta_apply(z, s->community->tz, e->meta);
	*out = e;
	rc = 0;
out:
	if (body != NULL)
		icalcomponent_free(body);
	return rc;
}

/*
 * An item's event as ical_add_item builds it and ical_drain writes it:
 * libical writes a component as its BEGIN line, each property's own text
 * in the order added, and its END line, so the event is those texts, each
 * from libical; the ones many items share are written once a cache.
 */
static int
ical_item_text(const struct feed_input *in, struct ical_cache *cache,
    const char *host, const struct feed_item *it, struct xbuf *b, char **err)
{
	const struct config_member	*o = it->owner;
	struct ical_prop_memo		*m;
	char				*uid, *own = NULL, num[24];
	const char			*summary, *desc;
	const char			*who = o->name != NULL ? o->name : o->id;
	const char			*cname = it->community->name != NULL ?
					    it->community->name :
					    it->community->id;
	long long			 due = civil_date_to_days(it->due);
	int				 rc = -1;

	if (ical_vevent_init(cache, err) == -1)
		return -1;
	xbuf_add(b, cache->vevent, cache->vevent_end);
	uid = feed_item_uid_at(host, it->id);
	rc = ical_prop_text(icalproperty_new_uid(uid), b, err);
	free(uid);
	if (rc == -1)
		return -1;
	rc = -1;
	/* ical_add_item's texts, appended piece by piece (vasprintf's pass
	 * over the format shows in a profile); without a title, name or
	 * community name, as it writes them. */
	if (it->title == NULL || who == NULL || cname == NULL) {
		own = xasprintf("Due: %s \xe2\x80\x94 %s", it->title, who);
		cache->summary.len = 0;
		xbuf_add(&cache->summary, own, strlen(own));
		free(own);
		own = xasprintf("%s, action item %lld, owner %s.", cname,
		    (long long)it->id, who);
		cache->desc.len = 0;
		xbuf_add(&cache->desc, own, strlen(own));
		free(own);
	} else {
		cache->summary.len = 0;
		xbuf_add(&cache->summary, "Due: ", 5);
		xbuf_add(&cache->summary, it->title, strlen(it->title));
		xbuf_add(&cache->summary, " \xe2\x80\x94 ", 5);
		xbuf_add(&cache->summary, who, strlen(who));
		cache->desc.len = 0;
		xbuf_add(&cache->desc, cname, strlen(cname));
		xbuf_add(&cache->desc, ", action item ", 14);
		snprintf(num, sizeof(num), "%lld", (long long)it->id);
		xbuf_add(&cache->desc, num, strlen(num));
		xbuf_add(&cache->desc, ", owner ", 8);
		xbuf_add(&cache->desc, who, strlen(who));
		xbuf_add(&cache->desc, ".", 1);
	}
	if (it->notes != NULL) {
		xbuf_add(&cache->desc, "\n\n", 2);
		xbuf_add(&cache->desc, it->notes, strlen(it->notes));
	}
	if (it->link != NULL) {
		xbuf_add(&cache->desc, "\n\nMark done: ", 13);
		xbuf_add(&cache->desc, it->link, strlen(it->link));
	}
	summary = cache->summary.s;
	desc = cache->desc.s;
	m = &cache->pm[ICAL_PM_DTSTAMP];
	if (!ical_prop_hit(m, (long long)it->changed, NULL, b) &&
	    ical_prop_keep(m, (long long)it->changed, NULL,
	    icalproperty_new_dtstamp(ical_utc(it->changed)), b, err) == -1)
		goto out;
	m = &cache->pm[ICAL_PM_CREATED];
	if (!ical_prop_hit(m, (long long)it->created, NULL, b) &&
	    ical_prop_keep(m, (long long)it->created, NULL,
	    icalproperty_new_created(ical_utc(it->created)), b, err) == -1)
		goto out;
	m = &cache->pm[ICAL_PM_LASTMOD];
	if (!ical_prop_hit(m, (long long)it->changed, NULL, b) &&
	    ical_prop_keep(m, (long long)it->changed, NULL,
	    icalproperty_new_lastmodified(ical_utc(it->changed)), b,
	    err) == -1)
		goto out;
	m = &cache->pm[ICAL_PM_SEQUENCE];
	if (!ical_prop_hit(m, it->sequence, NULL, b) &&
	    ical_prop_keep(m, it->sequence, NULL,
	    icalproperty_new_sequence(it->sequence), b, err) == -1)
		goto out;
	m = &cache->pm[ICAL_PM_DTSTART];
	if (!ical_prop_hit(m, due, NULL, b) &&
	    ical_prop_keep(m, due, NULL,
	    icalproperty_new_dtstart(ical_date(it->due)), b, err) == -1)
		goto out;
	m = &cache->pm[ICAL_PM_DTEND];
	if (!ical_prop_hit(m, due, NULL, b) &&
	    ical_prop_keep(m, due, NULL, icalproperty_new_dtend(
	    ical_date(civil_date_add(it->due, 1))), b, err) == -1)
		goto out;
	if (ical_prop_text(icalproperty_new_summary(summary), b, err) == -1 ||
	    ical_prop_text(icalproperty_new_description(desc), b, err) == -1)
		goto out;
	if (it->link != NULL &&
	    ical_prop_text(icalproperty_new_url(it->link), b, err) == -1)
		goto out;
	m = &cache->pm[ICAL_PM_TRANSP];
	if (!ical_prop_hit(m, 0, NULL, b) &&
	    ical_prop_keep(m, 0, NULL,
	    icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT), b, err) == -1)
		goto out;
	m = &cache->org[((uintptr_t)it->community / sizeof(void *)) %
	    ICAL_ORG_MEMO];
	if (!ical_prop_hit(m, 0, it->community, b) &&
	    ical_prop_keep(m, 0, it->community,
	    ical_organizer_prop(in->cfg, it->community), b, err) == -1)
		goto out;
	xbuf_add(b, cache->vevent + cache->vevent_end,
	    strlen(cache->vevent + cache->vevent_end));
	rc = 0;
out:
	return rc;
}

static int
ical_item_block(const struct feed_input *in, struct ical_cache *cache,
    const char *host, const struct feed_item *it, struct ical_zones *z,
    const struct rcache_entry **out, char **err)
{
	const struct rcache_entry	*e;

	ical_item_key(&cache->key, in, host, it);
	ical_year_use(z, it->due.y);
	if ((e = rcache_get(cache->blocks, cache->key.s,
	    cache->key.len)) == NULL) {
		cache->text.len = 0;
		if (ical_item_text(in, cache, host, it, &cache->text,
		    err) == -1)
			return -1;
		e = rcache_put(cache->blocks, cache->key.s, cache->key.len,
		    cache->text.s, cache->text.len, NULL);
	}
	*out = e;
	return 0;
}

/* "BEGIN:VCALENDAR" and the calendar's properties (ical_add_calprops). */
static const struct rcache_entry *
ical_head_block(const struct feed_input *in, struct ical_cache *cache,
    char **err)
{
	const struct rcache_entry	*e;
	const struct tz			*tz = ical_feed_zone(in);
	icalcomponent			*cal;
	char				*s;
	size_t				 n, endlen = strlen(ICAL_END_CALENDAR);

	ical_key_start(&cache->key, "head");
	rcache_key_int(&cache->key, in->kind);
	if (in->kind == FEED_MEMBER) {
		rcache_key_str(&cache->key, in->member->name);
		rcache_key_str(&cache->key, in->member->id);
	} else {
		rcache_key_str(&cache->key, in->community->name);
		rcache_key_str(&cache->key, in->community->id);
	}
	rcache_key_str(&cache->key, tz != NULL ? tz_name(tz) : NULL);
	e = rcache_get(cache->blocks, cache->key.s, cache->key.len);
	if (e != NULL)
		return e;
	cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	ical_add_calprops(cal, in);
	s = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	n = s != NULL ? strlen(s) : 0;
	if (n < endlen || strcmp(s + n - endlen, ICAL_END_CALENDAR) != 0) {
		free(s);
		*err = xstrdup("libical could not write the calendar");
		return NULL;
	}
	e = rcache_put(cache->blocks, cache->key.s, cache->key.len, s,
	    n - endlen, NULL);
	free(s);
	return e;
}

/* A zone's VTIMEZONE over the feed's years (ical_vtimezone), as text;
 * NULL: no zone data. */
static const struct rcache_entry *
ical_vtimezone_block(struct ical_cache *cache, const struct tz *tz,
    const struct ical_zones *z)
{
	const struct rcache_entry	*e;
	icalcomponent			*vtz;
	char				*s;

	ical_key_start(&cache->key, "vtimezone");
	rcache_key_str(&cache->key, tz_name(tz));
	rcache_key_int(&cache->key, z->ylo);
	rcache_key_int(&cache->key, z->open ? 0 : z->yhi);
	rcache_key_int(&cache->key, z->open);
	e = rcache_get(cache->blocks, cache->key.s, cache->key.len);
	if (e != NULL)
		return e;
	if ((vtz = ical_vtimezone_cached(cache, tz, z)) == NULL)
		return NULL;
	s = icalcomponent_as_ical_string_r(vtz);
	icalcomponent_free(vtz);
	if (s == NULL)
		return NULL;
	e = rcache_put(cache->blocks, cache->key.s, cache->key.len, s,
	    strlen(s), NULL);
	free(s);
	return e;
}

#define ICAL_UTC_VTIMEZONE \
	"BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\n" \
	"DTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\n" \
	"TZOFFSETTO:+0000\r\nTZNAME:UTC\r\nEND:STANDARD\r\n" \
	"END:VTIMEZONE\r\n"

/* An item's place in the feed, as ical_item_cmp orders items: sorting
 * these small records, not the items, moves a few bytes, and compares
 * without a call (a feed's thousands of items are sorted every pass). */
struct ical_item_order {
	int64_t			 due, id;
	const struct feed_item	*it;
};

static int
ical_item_order_cmp(const void *a, const void *b)
{
	const struct ical_item_order	*x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The feed assembled from blocks: the same bytes as ical_render_whole. */
static int
ical_render_blocks(const struct feed_input *in, struct ical_cache *cache,
    char **out, size_t *len, char **err)
{
	const struct rcache_entry	*head, **vtz = NULL, **ev = NULL;
	struct ical_zones		 z;
	struct feed_series		*series = NULL;
	struct ical_item_order		*items = NULL;
	icalcomponent			*utc = NULL;
	char				*host = NULL, *utcs = NULL, *buf = NULL;
	char				*p;
	size_t				 i, total, nev;
	int				 rc = -1;

	*out = NULL;
	*err = NULL;
	memset(&z, 0, sizeof(z));
	/* First the blocks, found or rendered: then the zones and years are
	 * known, and the size of the feed, which is copied once. */
	nev = in->nseries + in->nitems;
	ev = xcalloc(nev + 1, sizeof(*ev));
	if (in->nseries > 0) {
		series = xreallocarray(NULL, in->nseries, sizeof(*series));
		memcpy(series, in->series, in->nseries * sizeof(*series));
		qsort(series, in->nseries, sizeof(*series), ical_series_cmp);
	}
	for (i = 0; i < in->nseries; i++)
		if (ical_series_block(in, cache, &series[i], &z, &ev[i],
		    err) == -1)
			goto out;
	if (in->nitems > 0) {
		items = xreallocarray(NULL, in->nitems, sizeof(*items));
		for (i = 0; i < in->nitems; i++) {
			const struct civil_date *d = &in->items[i].due;

			/* Months and days in 5 bits each: the order of dates. */
			items[i].due = (int64_t)d->y * 1024 + d->m * 32 +
			    d->d;
			items[i].id = in->items[i].id;
			items[i].it = &in->items[i];
		}
		qsort(items, in->nitems, sizeof(*items), ical_item_order_cmp);
	}
	host = feed_uid_host(in->cfg);
	for (i = 0; i < in->nitems; i++)
		if (ical_item_block(in, cache, host, items[i].it, &z,
		    &ev[in->nseries + i], err) == -1)
			goto out;
	/* As ical_render_whole: the feed's own zone is always there. */
	ical_zone_use(&z, ical_feed_zone(in));
	if (z.ylo == 0) {
		for (i = 0; i < in->cfg->ncommunities; i++)
			if (in->kind == FEED_MEMBER ||
			    &in->cfg->communities[i] == in->community)
				ical_year_use(&z,
				    in->cfg->communities[i].start.y);
		z.open = true;
	}
	if ((head = ical_head_block(in, cache, err)) == NULL)
		goto out;
	total = head->len + strlen(ICAL_END_CALENDAR);
	for (i = 0; i < nev; i++)
		total += ev[i]->len;
	vtz = xcalloc(z.n + 1, sizeof(*vtz));
	for (i = 0; i < z.n; i++) {
		if ((vtz[i] = ical_vtimezone_block(cache, z.tz[i], &z)) ==
		    NULL) {
			*err = xasprintf("no time zone data for %s",
			    tz_name(z.tz[i]));
			goto out;
		}
		total += vtz[i]->len;
	}
	/* libical's own writing of the UTC stand-in, as the whole feed has:
	 * a feed in UTC with no event still needs a component. */
	if (z.n == 0 && total == head->len + strlen(ICAL_END_CALENDAR)) {
		utc = icalparser_parse_string(ICAL_UTC_VTIMEZONE);
		if (utc == NULL ||
		    (utcs = icalcomponent_as_ical_string_r(utc)) == NULL) {
			*err = xstrdup("libical could not write the calendar");
			goto out;
		}
		total += strlen(utcs);
	}
	p = buf = xmalloc(total + 1);
	memcpy(p, head->text, head->len);
	p += head->len;
	/* libical puts each VTIMEZONE added to a calendar in front of the
	 * others (for Mozilla): the whole calendar lists them last first. */
	for (i = z.n; i-- > 0;) {
		memcpy(p, vtz[i]->text, vtz[i]->len);
		p += vtz[i]->len;
	}
	if (utcs != NULL) {
		memcpy(p, utcs, strlen(utcs));
		p += strlen(utcs);
	}
	for (i = 0; i < nev; i++) {
		memcpy(p, ev[i]->text, ev[i]->len);
		p += ev[i]->len;
	}
	memcpy(p, ICAL_END_CALENDAR, strlen(ICAL_END_CALENDAR));
	p += strlen(ICAL_END_CALENDAR);
	*p = '\0';
	*out = buf;
	*len = total;
	buf = NULL;
	rc = 0;
out:
	if (utc != NULL)
		icalcomponent_free(utc);
	free(utcs);
	free(vtz);
	free(ev);
	free(buf);
	free(host);
	free(items);
	free(series);
	return rc;
}

int
ical_render_feed_cached(const struct feed_input *in, struct ical_cache *cache,
    char **out, size_t *len, char **err)
{
	if (cache == NULL)
		return ical_render_whole(in, NULL, out, len, err);
	return ical_render_blocks(in, cache, out, len, err);
}
