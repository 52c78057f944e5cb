/* ical: feeds rendered with libical, holiday calendars read with it. */
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
#include "jail.h"
#include "tz.h"
#include "xmalloc.h"

#define ICAL_PRODID	"-//plc-cadence//plc-cadence " PLC_VERSION "//EN"
#define ICAL_MAX_FILE	(16 * 1024 * 1024)	/* a holiday calendar */
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

struct ical_cache {
	struct ical_cached_series	*series;	/* open addressing */
	size_t				 mask, nseries;
	struct ical_cached_zone		*zones;
	size_t				 nzones;
};

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

static char *
ical_series_description(const struct config_community *c, const char *url)
{
	const char	*desc = c->description != NULL ? c->description : "";
	char		*join, *cal, *s;

	join = c->url != NULL ? xasprintf("Join: %s", c->url) : xstrdup("");
	cal = url != NULL ? xasprintf("Calendar: %s", url) : xstrdup("");
	s = xasprintf("%s%s%s%s%s", desc, *desc != '\0' &&
	    (*join != '\0' || *cal != '\0') ? "\n\n" : "", join,
	    *join != '\0' && *cal != '\0' ? "\n" : "", cal);
	free(join);
	free(cal);
	return s;
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
	desc = ical_series_description(c, in->url);
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

static int
ical_date_cmp(const void *a, const void *b)
{
	return civil_date_cmp(*(const struct civil_date *)a,
	    *(const struct civil_date *)b);
}

/* Append the series dates in span to *v (grown as needed). */
static int
ical_span_dates(const struct feed_series *s, const struct config_span *span,
    struct civil_date **v, size_t *n, char **err)
{
	struct civil_date	*d = NULL;
	long			 k, i;

	k = cadence_dates(s->community, s->day, s->at, span->from, span->to,
	    &d, err);
	if (k < 0)
		return -1;
	*v = xreallocarray(*v, *n + (size_t)k + 1, sizeof(**v));
	for (i = 0; i < k; i++)
		(*v)[(*n)++] = d[i];
	free(d);
	return 0;
}

/* Widen [*lo, *hi] to cover the spans. */
static void
ical_spans_bound(const struct config_span *sp, size_t n, bool *any,
    struct civil_date *lo, struct civil_date *hi)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (!*any || civil_date_cmp(sp[i].from, *lo) < 0)
			*lo = sp[i].from;
		if (!*any || civil_date_cmp(sp[i].to, *hi) > 0)
			*hi = sp[i].to;
		*any = true;
	}
}

/*
 * The series dates that a skip list or a skip calendar takes out, in order,
 * each once.  One expansion over the range the skips cover, filtered, rather
 * than one per skip: a district's calendar has a dozen spans, and each
 * expansion walks the rule from the series' start.  Only when that range
 * holds more meetings than an expansion may give (skips centuries apart)
 * is each span expanded alone.
 */
static int
ical_exdates(const struct feed_series *s, struct civil_date **out, size_t *nout,
    char **err)
{
	const struct config_community	*c = s->community;
	const struct config_calendar	*cal;
	struct civil_date		*v = NULL, lo, hi;
	size_t				 n = 0, i, j, k;
	long				 m;
	bool				 any = false;
	int				 rc = -1;

	*out = NULL;
	*nout = 0;
	ical_spans_bound(c->skip, c->nskip, &any, &lo, &hi);
	for (i = 0; i < c->nskip_calendars; i++)
		if ((cal = c->skip_calendars[i]) != NULL)
			ical_spans_bound(cal->skip, cal->nskip, &any, &lo, &hi);
	if (!any)
		return 0;
	if ((m = cadence_dates(c, s->day, s->at, lo, hi, &v, err)) >= 0) {
		for (i = 0, k = 0; i < (size_t)m; i++)
			if (cadence_skipped(c, v[i]))
				v[k++] = v[i];
		*out = v;
		*nout = k;
		return 0;
	}
	free(*err);
	*err = NULL;
	free(v);
	v = NULL;
	for (i = 0; i < c->nskip; i++)
		if (ical_span_dates(s, &c->skip[i], &v, &n, err) == -1)
			goto out;
	for (i = 0; i < c->nskip_calendars; i++) {
		cal = c->skip_calendars[i];
		for (j = 0; cal != NULL && j < cal->nskip; j++)
			if (ical_span_dates(s, &cal->skip[j], &v, &n, err) == -1)
				goto out;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), ical_date_cmp);
	for (i = 0, k = 0; i < n; i++)	/* a date in two lists, once */
		if (k == 0 || civil_date_cmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	*out = v;
	*nout = k;
	v = NULL;
	rc = 0;
out:
	free(v);
	return rc;
}

/* True when d is a meeting of the series that no skip takes out. */
static int
ical_is_meeting(const struct feed_series *s, struct civil_date d, bool *yes,
    char **err)
{
	struct civil_date	*v = NULL;
	long			 k;

	k = cadence_dates(s->community, s->day, s->at, d, d, &v, err);
	free(v);
	if (k < 0)
		return -1;
	*yes = k == 1 && !cadence_skipped(s->community, d);
	return 0;
}

static bool
ical_cancelled(const struct config_community *c, struct civil_date d)
{
	size_t	i;

	for (i = 0; i < c->ncancels; i++)
		if (civil_date_cmp(c->cancels[i], d) == 0)
			return true;
	return false;
}

/* A RECURRENCE-ID override: a moved meeting, a cancelled one, or both. */
static void
ical_add_override(icalcomponent *cal, const struct feed_input *in,
    const struct feed_series *s, struct civil_date orig,
    struct civil_date date, struct civil_time at, bool cancelled,
    struct ical_zones *z)
{
	const struct tz	*tz = s->community->tz;
	icalcomponent	*ev = ical_series_event(in, s);

	ical_add_local(ev, ICAL_RECURRENCEID_PROPERTY, tz, orig, s->at);
	ical_add_local(ev, ICAL_DTSTART_PROPERTY, tz, date, at);
	if (cancelled)
		icalcomponent_add_property(ev,
		    icalproperty_new_status(ICAL_STATUS_CANCELLED));
	ical_year_use(z, date.y);
	icalcomponent_add_component(cal, ev);
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
	if (ical_exdates(s, &tmp->ex, &tmp->nex, err) == -1)
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
	struct civil_date		 first;
	icalcomponent			*ev = NULL;
	char				*rule = NULL;
	size_t				 i;
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
	ev = ical_series_event(in, s);
	ical_add_local(ev, ICAL_DTSTART_PROPERTY, tz, first, s->at);
	icalcomponent_add_property(ev, icalproperty_new_rrule(rt));
	for (i = 0; i < dates->nex; i++)
		ical_add_local(ev, ICAL_EXDATE_PROPERTY, tz, dates->ex[i],
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

		if (ical_is_meeting(s, m->from, &yes, err) == -1)
			goto out;
		if (yes)
			ical_add_override(cal, in, s, m->from, m->to,
			    m->has_time ? m->at : s->at,
			    ical_cancelled(c, m->from), z);
	}
	for (i = 0; i < c->ncancels; i++) {
		bool moved = false;
		size_t j;

		for (j = 0; j < c->nmoves; j++)
			if (civil_date_cmp(c->moves[j].from, c->cancels[i]) == 0)
				moved = true;
		if (moved)
			continue;
		if (ical_is_meeting(s, c->cancels[i], &yes, err) == -1)
			goto out;
		if (yes)
			ical_add_override(cal, in, s, c->cancels[i],
			    c->cancels[i], s->at, true, z);
	}
	rc = 0;
out:
	if (ev != NULL)
		icalcomponent_free(ev);
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

/* A zone's VTIMEZONE: plain IANA TZID, only the years the feed uses. */
static icalcomponent *
ical_vtimezone(const struct tz *tz, const struct ical_zones *z)
{
	icalcomponent		*src, *vtz;
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
ical_cache_new(void)
{
	struct ical_cache	*cache = xcalloc(1, sizeof(*cache));

	cache->series = xcalloc(64, sizeof(*cache->series));
	cache->mask = 63;
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
	free(cache);
}

static int
ical_series_cmp(const void *a, const void *b)
{
	const struct feed_series	*x = a, *y = b;

	return strcmp(x->community->id, y->community->id);
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

static void
ical_add_calprops(icalcomponent *cal, const struct feed_input *in)
{
	const struct tz	*tz;
	icalproperty	*p;
	char		*name;
	struct icaldurationtype	 hour = icaldurationtype_from_int(3600);

	if (in->kind == FEED_MEMBER) {
		name = xasprintf("PLC \xe2\x80\x94 %s", in->member->name != NULL ?
		    in->member->name : in->member->id);
		tz = in->member->tz;
	} else {
		name = xstrdup(in->community->name != NULL ?
		    in->community->name : in->community->id);
		tz = in->community->tz;
	}
	if (tz == NULL)
		tz = in->cfg->worker.tz;
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
	return ical_render_feed_cached(in, NULL, out, len, err);
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

int
ical_render_feed_cached(const struct feed_input *in, struct ical_cache *cache,
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

	for (i = 0; i < z.n; i++) {
		vtz = ical_vtimezone_cached(cache, z.tz[i], &z);
		if (vtz == NULL) {
			*err = xasprintf("no time zone data for %s",
			    tz_name(z.tz[i]));
			goto out;
		}
		icalcomponent_add_component(cal, vtz);
	}
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
	if (events.len + n + strlen(ICAL_END_CALENDAR) + 1 > events.cap) {
		events.cap = events.len + n + strlen(ICAL_END_CALENDAR) + 1;
		events.s = xreallocarray(events.s, events.cap, 1);
	}
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

int
ical_render_meeting(const struct config *cfg, const struct feed_series *s,
    const struct cadence_occ *occ, enum ical_method method, char **out,
    size_t *len, char **err)
{
	struct feed_input	 in;
	struct ical_zones	 z;
	icalcomponent		*cal, *ev, *vtz;
	icalproperty_method	 m;
	const char		*text;
	int			 rc = -1;

	*out = NULL;
	*err = NULL;
	memset(&in, 0, sizeof(in));
	memset(&z, 0, sizeof(z));
	in.cfg = cfg;
	in.kind = FEED_COMMUNITY;
	in.community = s->community;
	m = method == ICAL_PUBLISH ? ICAL_METHOD_PUBLISH : occ->cancelled ?
	    ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST;
	cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalcomponent_add_property(cal, icalproperty_new_prodid(ICAL_PRODID));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(m));
	ical_zone_use(&z, s->community->tz);
	ical_year_use(&z, occ->date.y);
	ical_year_use(&z, occ->orig.y);
	if (z.n > 0) {
		if ((vtz = ical_vtimezone(z.tz[0], &z)) == NULL) {
			*err = xasprintf("no time zone data for %s",
			    tz_name(z.tz[0]));
			goto out;
		}
		icalcomponent_add_component(cal, vtz);
	}
	ev = ical_series_event(&in, s);
	ical_add_local(ev, ICAL_RECURRENCEID_PROPERTY, s->community->tz,
	    occ->orig, s->at);
	ical_add_local(ev, ICAL_DTSTART_PROPERTY, s->community->tz, occ->date,
	    occ->at);
	if (occ->cancelled)
		icalcomponent_add_property(ev,
		    icalproperty_new_status(ICAL_STATUS_CANCELLED));
	icalcomponent_add_component(cal, ev);
	if ((text = icalcomponent_as_ical_string(cal)) == NULL) {
		*err = xstrdup("libical could not write the calendar");
		goto out;
	}
	*out = xstrdup(text);
	*len = strlen(text);
	rc = 0;
out:
	icalcomponent_free(cal);
	return rc;
}

/* ------------------------------------------------- calendars from outside */

/* What one calendar from outside may hold before it is refused: enough for
 * any real export, far below what makes libical slow. */
#define ICAL_MAX_VTIMEZONES	100
#define ICAL_MAX_COMPONENTS	50000
#define ICAL_MAX_OBSERVANCES	1000
#define ICAL_MAX_PRELOAD	32

static int
ical_month_days(int m, bool leap)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return days[m - 1] + (m == 2 && leap);
}

/* The month of day yd (1-based) of a year. */
static int
ical_yearday_month(int yd, bool leap)
{
	int	m;

	for (m = 1; m < 12 && yd > ical_month_days(m, leap); m++)
		yd -= ical_month_days(m, leap);
	return m;
}

/*
 * Can a rule ever give an instance?  Only the combinations that are cheap
 * to decide: BYMONTHDAY and BYYEARDAY against BYMONTH.  libical looks for
 * a match of BYMONTH=2;BYMONTHDAY=30 inside one call, for ever.
 */
static bool
ical_rule_can_match(const struct icalrecurrencetype *r)
{
	bool	month[13], any_month, ok;
	int	i, m, d, leap, len;

	any_month = r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX;
	for (m = 1; m <= 12; m++)
		month[m] = any_month;
	for (i = 0; i < ICAL_BY_MONTH_SIZE &&
	    r->by_month[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		m = icalrecurrencetype_month_month(r->by_month[i]);
		if (m >= 1 && m <= 12)
			month[m] = true;
	}
	if (r->by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX) {
		ok = false;
		for (i = 0; i < ICAL_BY_MONTHDAY_SIZE &&
		    r->by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
			d = abs(r->by_month_day[i]);
			for (m = 1; m <= 12; m++)
				ok |= month[m] && d >= 1 &&
				    d <= ical_month_days(m, true);
		}
		if (!ok)
			return false;
	}
	if (r->by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX && !any_month) {
		ok = false;
		for (i = 0; i < ICAL_BY_YEARDAY_SIZE &&
		    r->by_year_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
			for (leap = 0; leap <= 1; leap++) {
				len = 365 + leap;
				d = r->by_year_day[i] > 0 ? r->by_year_day[i] :
				    len + 1 + r->by_year_day[i];
				if (d >= 1 && d <= len)
					ok |= month[ical_yearday_month(d,
					    leap)];
			}
		if (!ok)
			return false;
	}
	return true;
}

/*
 * The rules of comp, held to what a calendar from outside may ask for: a
 * zone's observances repeat yearly and nothing else (libical expands a
 * zone from its first observance on: FREQ=SECONDLY from 1601 never
 * ends); a busy event repeats no more often than hourly; no rule that can
 * never match.
 */
static int
ical_guard_rules(icalcomponent *comp, bool zone, char **err)
{
	icalproperty			*p;
	struct icalrecurrencetype	 r;

	for (p = icalcomponent_get_first_property(comp, ICAL_RRULE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(comp, ICAL_RRULE_PROPERTY)) {
		r = icalproperty_get_rrule(p);
		if (zone && r.freq != ICAL_YEARLY_RECURRENCE) {
			*err = xasprintf("parse error: a VTIMEZONE observance "
			    "repeats FREQ=%s; only YEARLY is accepted",
			    icalrecur_freq_to_string(r.freq));
			return -1;
		}
		if (r.freq == ICAL_SECONDLY_RECURRENCE ||
		    r.freq == ICAL_MINUTELY_RECURRENCE) {
			*err = xasprintf("parse error: an event repeats "
			    "FREQ=%s; busy calendars may repeat hourly at "
			    "most", icalrecur_freq_to_string(r.freq));
			return -1;
		}
		if (!ical_rule_can_match(&r)) {
			*err = xasprintf("parse error: an RRULE (FREQ=%s) "
			    "whose BYMONTH, BYMONTHDAY and BYYEARDAY can "
			    "never match", icalrecur_freq_to_string(r.freq));
			return -1;
		}
	}
	return 0;
}

/*
 * The cheap checks made on a parsed calendar before anything in it is
 * expanded or converted: bounded numbers of components and zones, zones
 * that repeat yearly, and (busy, where events are expanded) event rules
 * that are cheap to follow.  Returns 0, or -1 with *err allocated.
 */
static int
ical_guard_calendar(icalcomponent *root, bool busy, char **err)
{
	icalcomponent	*c, *o;
	int		 nall, nzones, nobs;

	nall = icalcomponent_count_components(root, ICAL_ANY_COMPONENT);
	if (nall > ICAL_MAX_COMPONENTS) {
		*err = xasprintf("too many components (%d; at most %d)", nall,
		    ICAL_MAX_COMPONENTS);
		return -1;
	}
	nzones = icalcomponent_count_components(root,
	    ICAL_VTIMEZONE_COMPONENT);
	if (nzones > ICAL_MAX_VTIMEZONES) {
		*err = xasprintf("too many VTIMEZONEs (%d; at most %d)",
		    nzones, ICAL_MAX_VTIMEZONES);
		return -1;
	}
	for (c = icalcomponent_get_first_component(root,
	    ICAL_VTIMEZONE_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(root,
	    ICAL_VTIMEZONE_COMPONENT)) {
		nobs = icalcomponent_count_components(c, ICAL_ANY_COMPONENT);
		if (nobs > ICAL_MAX_OBSERVANCES) {
			*err = xasprintf("too many observances in a VTIMEZONE "
			    "(%d; at most %d)", nobs, ICAL_MAX_OBSERVANCES);
			return -1;
		}
		for (o = icalcomponent_get_first_component(c,
		    ICAL_ANY_COMPONENT); o != NULL;
		    o = icalcomponent_get_next_component(c,
		    ICAL_ANY_COMPONENT))
			if (ical_guard_rules(o, true, err) == -1)
				return -1;
	}
	if (!busy)
		return 0;
	for (c = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
		if (ical_guard_rules(c, false, err) == -1)
			return -1;
	return 0;
}

void
ical_preload_zones(const char *text, size_t len)
{
	const char	*p = text, *end = text + len;
	char		 seen[ICAL_MAX_PRELOAD][65], name[65];
	icaltimezone	*z;
	size_t		 k, nseen = 0, i;
	bool		 dup;

	while (nseen < ICAL_MAX_PRELOAD && p < end &&
	    (p = memmem(p, (size_t)(end - p), "TZID=", 5)) != NULL) {
		p += 5;
		if (p < end && *p == '"')
			p++;
		for (k = 0; p < end && k < sizeof(name) - 1 &&
		    (isalnum((unsigned char)*p) || strchr("/_+-", *p) != NULL);
		    p++)
			name[k++] = *p;
		name[k] = '\0';
		if (k == 0 || name[0] == '/')
			continue;
		for (i = 0, dup = false; i < nseen && !dup; i++)
			dup = strcmp(seen[i], name) == 0;
		if (dup)
			continue;
		memcpy(seen[nseen++], name, k + 1);
		/* Rules loaded now stay in libical's table for the parse. */
		if ((z = icaltimezone_get_builtin_timezone(name)) != NULL)
			(void)icaltimezone_get_component(z);
	}
}

/*
 * The whole of a small regular file, NUL-terminated; path is the config's.
 * Opened without blocking, so that a FIFO or a device named there cannot
 * hold the caller, and refused unless it is a regular file.
 */
static char *
ical_slurp(const char *path, size_t *len, char **err)
{
	struct stat	 sb;
	char		*buf = NULL;
	size_t		 got = 0;
	ssize_t		 r;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > ICAL_MAX_FILE) {
		*err = xasprintf("%s: not a regular file of at most %d MB",
		    path, ICAL_MAX_FILE / (1024 * 1024));
		goto out;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size) {
		r = read(fd, buf + got, (size_t)sb.st_size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != (size_t)sb.st_size) {
		*err = xasprintf("%s: short read: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[got] = '\0';
	*len = got;
out:
	close(fd);
	return buf;
}

/* Parsed in the jail: the text and what the child made of it. */
struct ical_allday_job {
	const char	*text;
	size_t		 len;
};

/* The child's work: all-day spans as packed struct config_span. */
static int
ical_allday_work(void *arg, struct xbuf *out, char **err)
{
	struct ical_allday_job	*job = arg;
	icalcomponent		*root = NULL, *ev;
	struct icaltimetype	 s, e;
	struct config_span	 sp;
	int			 rc = -1;

	if (memchr(job->text, '\0', job->len) != NULL) {
		*err = xstrdup("parse error: not text (it holds a NUL byte)");
		return -1;
	}
	root = icalparser_parse_string(job->text);
	if (root == NULL || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		*err = xstrdup("parse error: not an iCalendar file");
		goto out;
	}
	if (ical_guard_calendar(root, false, err) == -1)
		goto out;
	for (ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	    ev != NULL;
	    ev = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
		s = icalcomponent_get_dtstart(ev);
		if (icaltime_is_null_time(s) || !s.is_date ||
		    icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
			continue;
		e = icalcomponent_get_dtend(ev);
		memset(&sp, 0, sizeof(sp));
		sp.from = (struct civil_date){ s.year, s.month, s.day };
		sp.to = sp.from;
		/* DTEND is exclusive: a one-day event ends the next day. */
		if (!icaltime_is_null_time(e) && e.is_date &&
		    icaltime_compare_date_only(e, s) > 0)
			sp.to = civil_date_add((struct civil_date){ e.year,
			    e.month, e.day }, -1);
		if (!civil_date_valid(sp.from) || !civil_date_valid(sp.to))
			continue;
		xbuf_add(out, (const char *)&sp, sizeof(sp));
	}
	rc = 0;
out:
	if (root != NULL)
		icalcomponent_free(root);
	return rc;
}

int
ical_read_allday(const char *path, struct config_span **out, size_t *n,
    char **err)
{
	struct ical_allday_job	 aj;
	struct jail_job		 job;
	struct config_span	*v = NULL;
	char			*text, *ans = NULL, *why = NULL;
	size_t			 len = 0, alen = 0, k, i;
	int			 rc = -1;

	*out = NULL;
	*n = 0;
	*err = NULL;
	if ((text = ical_slurp(path, &len, err)) == NULL)
		return -1;
	aj.text = text;
	aj.len = len;
	memset(&job, 0, sizeof(job));
	job.work = ical_allday_work;
	job.arg = &aj;
	if (jail_run(&job, NULL, &ans, &alen, &why) != JAIL_OK) {
		*err = xasprintf("%s: %s", path, why);
		goto out;
	}
	/* The child's answer is checked like any input from outside. */
	k = alen / sizeof(*v);
	if (alen % sizeof(*v) != 0) {
		*err = xasprintf("%s: garbled answer from the parser", path);
		goto out;
	}
	v = xreallocarray(NULL, k + 1, sizeof(*v));
	memcpy(v, ans, alen);
	for (i = 0; i < k; i++)
		if (!civil_date_valid(v[i].from) || !civil_date_valid(v[i].to)) {
			*err = xasprintf("%s: garbled answer from the parser",
			    path);
			goto out;
		}
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
out:
	free(v);
	free(ans);
	free(why);
	free(text);
	return rc;
}

/* ------------------------------------------------------------ busy time */

/* A RECURRENCE-ID override: the instance of uid at `at` is replaced. */
struct ical_override {
	const char	*uid;
	int64_t		 at;
};

struct ical_busy_ctx {
	icaltimezone		*floating;	/* the member's zone */
	const struct tz		*zone;
	int64_t			 from, to;
	struct avail		*set;
	size_t			 count;
	size_t			 steps;		/* recurrence steps, all events */
	struct ical_override	*ov;
	size_t			 nov;
};

/* The instant of a date-time: UTC, its own zone, or floating in ours. */
static int64_t
ical_instant(struct icaltimetype t, icaltimezone *floating)
{
	icaltimezone	*z;

	if (icaltime_is_utc(t))
		z = icaltimezone_get_utc_timezone();
	else if (t.zone != NULL)
		z = (icaltimezone *)t.zone;
	else
		z = floating;
	return (int64_t)icaltime_as_timet_with_zone(t, z);
}

static int
ical_busy_add(struct ical_busy_ctx *b, int64_t s, int64_t e, char **err)
{
	if (++b->count > ICAL_BUSY_MAX) {
		*err = xasprintf("too many instances (more than %d busy "
		    "times in the range)", ICAL_BUSY_MAX);
		return -1;
	}
	if (e > b->from && s < b->to)
		avail_add(b->set, s < b->from ? b->from : s,
		    e > b->to ? b->to : e);
	return 0;
}

static bool
ical_overridden(const struct ical_busy_ctx *b, const char *uid, int64_t at)
{
	size_t	i;

	for (i = 0; uid != NULL && i < b->nov; i++)
		if (b->ov[i].at == at && strcmp(b->ov[i].uid, uid) == 0)
			return true;
	return false;
}

/*
 * An event's EXDATEs, sorted for binary search: a rule with thousands of
 * them must cost instances times log(EXDATEs), not their product.  A date
 * EXDATE names a day whatever the time, as does any EXDATE against an
 * all-day instance: so the written dates of all (days), of the date ones
 * (date_days) and the instants of the others.
 */
struct ical_exset {
	int64_t	*days, *date_days, *inst;
	size_t	 ndays, ndate, ninst;
};

static int
ical_i64_cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
ical_exdates_push(int64_t **v, size_t *n, int64_t x)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = x;
}

static void
ical_exdates_load(struct ical_exset *x, icalcomponent *ev,
    icaltimezone *floating)
{
	icalproperty		*p;
	struct icaltimetype	 t;
	struct civil_date	 d;

	memset(x, 0, sizeof(*x));
	for (p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
		t = icalproperty_get_exdate(p);
		d = (struct civil_date){ t.year, t.month, t.day };
		if (icaltime_is_null_time(t) || !civil_date_valid(d))
			continue;
		ical_exdates_push(&x->days, &x->ndays, civil_date_to_days(d));
		if (t.is_date)
			ical_exdates_push(&x->date_days, &x->ndate,
			    civil_date_to_days(d));
		else
			ical_exdates_push(&x->inst, &x->ninst,
			    ical_instant(t, floating));
	}
	if (x->ndays > 1)
		qsort(x->days, x->ndays, sizeof(int64_t), ical_i64_cmp);
	if (x->ndate > 1)
		qsort(x->date_days, x->ndate, sizeof(int64_t), ical_i64_cmp);
	if (x->ninst > 1)
		qsort(x->inst, x->ninst, sizeof(int64_t), ical_i64_cmp);
}

static void
ical_exdates_free(struct ical_exset *x)
{
	free(x->days);
	free(x->date_days);
	free(x->inst);
}

static bool
ical_in(const int64_t *v, size_t n, int64_t key)
{
	return n > 0 && bsearch(&key, v, n, sizeof(*v), ical_i64_cmp) != NULL;
}

static bool
ical_excluded(const struct ical_exset *x, struct icaltimetype t, int64_t at)
{
	struct civil_date	d = { t.year, t.month, t.day };
	int64_t			day;

	if (!civil_date_valid(d))
		return false;
	day = civil_date_to_days(d);
	if (t.is_date)
		return ical_in(x->days, x->ndays, day);
	return ical_in(x->date_days, x->ndate, day) ||
	    ical_in(x->inst, x->ninst, at);
}

/* Busy from one instance starting at t (in the event's zone). */
static int
ical_busy_instance(struct ical_busy_ctx *b, struct icaltimetype t,
    int64_t dur, long days, char **err)
{
	struct civil_date	 d = { t.year, t.month, t.day };
	struct civil_time	 midnight = { 0, 0, 0 };
	int64_t			 s;

	if (t.is_date) {
		if (!civil_date_valid(d))
			return 0;
		return ical_busy_add(b, (int64_t)tz_to_utc(b->zone, d,
		    midnight), (int64_t)tz_to_utc(b->zone, civil_date_add(d,
		    days), midnight), err);
	}
	s = ical_instant(t, b->floating);
	return ical_busy_add(b, s, s + dur, err);
}

/* RDATE instances of a series, with the series' length. */
static int
ical_busy_rdates(struct ical_busy_ctx *b, icalcomponent *ev,
    struct icaltimetype s, int64_t dur, long days, char **err)
{
	struct icaldatetimeperiodtype	 r;
	icalproperty			*p;
	int64_t				 st, en;

	for (p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY)) {
		r = icalproperty_get_rdate(p);
		if (!icaltime_is_null_time(r.period.start)) {
			st = ical_instant(r.period.start, b->floating);
			en = !icaltime_is_null_time(r.period.end) ?
			    ical_instant(r.period.end, b->floating) :
			    st + icaldurationtype_as_int(r.period.duration);
			if (ical_busy_add(b, st, en, err) == -1)
				return -1;
			continue;
		}
		if (icaltime_is_null_time(r.time))
			continue;
		if (!r.time.is_date && r.time.zone == NULL &&
		    !icaltime_is_utc(r.time))
			r.time.zone = s.zone;	/* the series' TZID */
		if (ical_busy_instance(b, r.time, dur, days, err) == -1)
			return -1;
	}
	return 0;
}

static int
ical_busy_event(struct ical_busy_ctx *b, icalcomponent *ev, char **err)
{
	struct icaltimetype	 s, e, t;
	icalproperty		*p, *rr;
	icalrecur_iterator	*it = NULL;
	struct icalrecurrencetype recur;
	struct ical_exset	 ex;
	const char		*uid = icalcomponent_get_uid(ev);
	int64_t			 dur = 0, at;
	long			 days = 1;
	int			 rc = -1;

	s = icalcomponent_get_dtstart(ev);
	if (icaltime_is_null_time(s) || !icaltime_is_valid_time(s) ||
	    icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
		return 0;
	p = icalcomponent_get_first_property(ev, ICAL_TRANSP_PROPERTY);
	if (p != NULL && icalproperty_get_transp(p) == ICAL_TRANSP_TRANSPARENT)
		return 0;
	e = icalcomponent_get_dtend(ev);
	if (s.is_date) {
		if (!icaltime_is_null_time(e) && e.is_date)
			days = (long)(civil_date_to_days((struct civil_date){
			    e.year, e.month, e.day }) - civil_date_to_days(
			    (struct civil_date){ s.year, s.month, s.day }));
		if (days < 1)
			days = 1;
		if (days > 366)
			days = 366;
	} else if (!icaltime_is_null_time(e))
		dur = ical_instant(e, b->floating) - ical_instant(s,
		    b->floating);
	if (dur < 0)
		dur = 0;
	rr = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
	/* An override (RECURRENCE-ID) is one instance, never a series. */
	if (rr == NULL || icalcomponent_get_first_property(ev,
	    ICAL_RECURRENCEID_PROPERTY) != NULL)
		return ical_busy_instance(b, s, dur, days, err);
	if (ical_busy_rdates(b, ev, s, dur, days, err) == -1)
		return -1;
	recur = icalproperty_get_rrule(rr);
	if ((it = icalrecur_iterator_new(recur, s)) == NULL)
		return 0;	/* a rule libical cannot read: ignored */
	ical_exdates_load(&ex, ev, b->floating);
	for (t = icalrecur_iterator_next(it); !icaltime_is_null_time(t);
	    t = icalrecur_iterator_next(it)) {
		/* Steps before the range count too: a FREQ=SECONDLY rule
		 * from 1970 must not hold the worker for hours. */
		if (++b->steps > ICAL_BUSY_MAX_STEPS) {
			*err = xasprintf("too many instances (more than %d "
			    "recurrence steps)", ICAL_BUSY_MAX_STEPS);
			goto out;
		}
		at = t.is_date ? 0 : ical_instant(t, b->floating);
		if (!t.is_date && at >= b->to)
			break;
		if (t.is_date && ical_instant(t, b->floating) >= b->to + 86400)
			break;
		if (!t.is_date && at + dur <= b->from)
			continue;
		if (ical_excluded(&ex, t, at) ||
		    (!t.is_date && ical_overridden(b, uid, at)))
			continue;
		if (ical_busy_instance(b, t, dur, days, err) == -1)
			goto out;
	}
	rc = 0;
out:
	ical_exdates_free(&ex);
	icalrecur_iterator_free(it);
	return rc;
}

static int
ical_busy_freebusy(struct ical_busy_ctx *b, icalcomponent *fb, char **err)
{
	icalproperty		*p;
	icalparameter		*type;
	struct icalperiodtype	 per;
	int64_t			 s, e;

	for (p = icalcomponent_get_first_property(fb, ICAL_FREEBUSY_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(fb, ICAL_FREEBUSY_PROPERTY)) {
		type = icalproperty_get_first_parameter(p,
		    ICAL_FBTYPE_PARAMETER);
		if (type != NULL &&
		    icalparameter_get_fbtype(type) == ICAL_FBTYPE_FREE)
			continue;
		per = icalproperty_get_freebusy(p);
		if (icaltime_is_null_time(per.start))
			continue;
		s = ical_instant(per.start, b->floating);
		if (!icaltime_is_null_time(per.end))
			e = ical_instant(per.end, b->floating);
		else
			e = s + icaldurationtype_as_int(per.duration);
		if (ical_busy_add(b, s, e, err) == -1)
			return -1;
	}
	return 0;
}

int
ical_busy(const char *text, size_t len, const struct tz *zone, int64_t from,
    int64_t to, struct avail *out, char **err)
{
	struct ical_busy_ctx	 b;
	icalcomponent		*root = NULL, *c;
	icalproperty		*rid;
	int			 rc = -1;

	memset(&b, 0, sizeof(b));
	b.zone = zone;
	b.floating = zone != NULL ? tz_icaltimezone(zone) :
	    icaltimezone_get_utc_timezone();
	b.from = from;
	b.to = to;
	b.set = avail_new();
	if (memchr(text, '\0', len) != NULL || text[len] != '\0') {
		*err = xstrdup("parse error: not text (it holds a NUL byte)");
		goto out;
	}
	root = icalparser_parse_string(text);
	if (root == NULL || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		*err = xstrdup("parse error: not an iCalendar file (no "
		    "VCALENDAR)");
		goto out;
	}
	if (ical_guard_calendar(root, true, err) == -1)
		goto out;
	/* Overrides first, so that the series can leave their dates out. */
	for (c = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
		rid = icalcomponent_get_first_property(c,
		    ICAL_RECURRENCEID_PROPERTY);
		if (rid == NULL || icalcomponent_get_uid(c) == NULL)
			continue;
		b.ov = xreallocarray(b.ov, b.nov + 1, sizeof(*b.ov));
		b.ov[b.nov].uid = icalcomponent_get_uid(c);
		b.ov[b.nov].at = ical_instant(icalproperty_get_recurrenceid(
		    rid), b.floating);
		b.nov++;
	}
	for (c = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
		if (ical_busy_event(&b, c, err) == -1)
			goto out;
	for (c = icalcomponent_get_first_component(root,
	    ICAL_VFREEBUSY_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(root,
	    ICAL_VFREEBUSY_COMPONENT))
		if (ical_busy_freebusy(&b, c, err) == -1)
			goto out;
	avail_add_set(out, b.set);
	rc = 0;
out:
	free(b.ov);
	avail_free(b.set);
	if (root != NULL)
		icalcomponent_free(root);
	return rc;
}
