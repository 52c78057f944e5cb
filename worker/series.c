/* series: the slot in force and the series' epochs, from the config and
 * the store. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "config.h"
#include "feed.h"
#include "series.h"
#include "store.h"
#include "tz.h"
#include "xmalloc.h"

bool
series_is_auto(const struct config_community *c)
{
	return (c->day == -1 && c->cadence != CONFIG_CADENCE_RRULE) ||
	    c->time_auto;
}

int
series_slot(struct store *st, const struct config_community *c, bool *placed,
    int *day, struct civil_time *at, char **err)
{
	bool	found;
	int	sday, ssecs;

	*day = c->day;
	*at = c->time;
	*placed = true;
	if (!series_is_auto(c))
		return 0;
	if (store_series_slot(st, c->id, &found, &sday, &ssecs, err) == -1)
		return -1;
	*placed = found;
	if (!found)
		return 0;
	if (c->day == -1)
		*day = sday;
	if (c->time_auto)
		*at = civil_time_from_secs(ssecs);
	return 0;
}

/* The slot and rule c has in force now, as an epoch's shape. */
static void
series_shape_now(const struct config_community *c, int day,
    struct civil_time at, struct store_epoch *e)
{
	e->has_shape = true;
	e->cadence = (int)c->cadence;
	free(e->rrule);
	e->rrule = c->rrule != NULL ? xstrdup(c->rrule) : NULL;
	e->day = day;
	e->week = c->week;
	e->at = civil_time_to_secs(at);
	e->duration = c->duration;
	free(e->tz);
	e->tz = xstrdup(c->tz != NULL ? tz_name(c->tz) : "UTC");
}

static bool
series_shape_same(const struct store_epoch *a, const struct store_epoch *b)
{
	return a->cadence == b->cadence && a->day == b->day &&
	    a->week == b->week && a->at == b->at &&
	    a->duration == b->duration &&
	    (a->rrule == NULL) == (b->rrule == NULL) &&
	    (a->rrule == NULL || strcmp(a->rrule, b->rrule) == 0) &&
	    strcmp(a->tz != NULL ? a->tz : "", b->tz != NULL ? b->tz : "") == 0;
}

/* c as epoch e renders it.  With dates false, the whole series' dates
 * (start/until as configured: the rule's phase is anchored there). */
static struct config_community
series_view(const struct config_community *c, const struct store_epoch *e,
    bool dates)
{
	struct config_community	v = *c;
	const struct tz		*tz;

	if (e->has_shape) {
		v.cadence = (enum config_cadence)e->cadence;
		v.rrule = e->rrule;
		v.day = e->day;
		v.week = e->week;
		v.time = civil_time_from_secs(e->at);
		v.time_auto = false;
		v.duration = e->duration;
		if (e->tz != NULL && (tz = tz_find(e->tz)) != NULL)
			v.tz = tz;
	}
	if (!dates)
		return v;
	if (e->has_from && civil_date_cmp(e->from, v.start) > 0)
		v.start = e->from;
	if (e->has_until && (!v.has_until ||
	    civil_date_cmp(e->until, v.until) < 0)) {
		v.has_until = true;
		v.until = e->until;
	}
	return v;
}

/* The local date of now in v's zone. */
static struct civil_date
series_today(const struct config_community *v, time_t now)
{
	struct civil_date	d;
	struct civil_time	t;

	tz_from_utc(v->tz, now, &d, &t);
	return d;
}

/*
 * The series date of v nearest now on one side: the last one that started
 * before now (after false) or the first that starts after it (after true).
 * *found false when there is none.  Returns 0, or -1 with *err allocated.
 */
static int
series_near(const struct config_community *v, time_t now, bool after,
    bool *found, struct civil_date *out, char **err)
{
	struct civil_date	*d = NULL, today = series_today(v, now);
	struct civil_date	 lo, hi;
	long			 n, i;

	*found = false;
	/* Two days' slack each side of today for the zone's offset. */
	lo = after ? civil_date_add(today, -2) : v->start;
	hi = after ? civil_date_add(today, 800) : civil_date_add(today, 2);
	if ((n = cadence_dates(v, v->day, v->time, lo, hi, &d, err)) < 0)
		return -1;
	for (i = after ? 0 : n - 1; after ? i < n : i >= 0; i += after ? 1 : -1) {
		time_t t = tz_to_utc(v->tz, d[i], v->time);

		if (after ? t > now : t < now) {
			*found = true;
			*out = d[i];
			break;
		}
	}
	free(d);
	return 0;
}

/* Where a new epoch of shape e starts: the first meeting after now. */
static int
series_from(const struct config_community *c, struct store_epoch *e,
    time_t now, char **err)
{
	struct config_community	v = series_view(c, e, false);
	bool			found;

	if (series_near(&v, now, true, &found, &e->from, err) == -1)
		return -1;
	if (!found)
		e->from = civil_date_add(series_today(&v, now), 1);
	e->has_from = true;
	return 0;
}

static void
series_epoch_new(const struct config_community *c, const char *host,
    const char *install, int n, time_t now, struct store_epoch *e)
{
	memset(e, 0, sizeof(*e));
	e->n = n;
	e->uid = feed_epoch_uid(host, c, install, n);
	e->created = e->changed = now;
	e->fingerprint = xstrdup("");
	e->detail = xstrdup("");
}

/*
 * Apply a change of slot seen at now to the epochs: replace the last one
 * when none of its meetings has started, else end it and start another.
 * *dirty set when anything changed, *slot when an epoch did (only the
 * worker's cycle records that).
 */
static int
series_advance(const struct config *cfg, const struct config_community *c,
    int day, struct civil_time at, const char *install, time_t now,
    struct series_history *h, bool *dirty, bool *slot, char **err)
{
	struct store_epoch	 cur, *last;
	struct config_community	 v;
	struct civil_date	 past;
	char			*host = feed_uid_host(cfg);
	bool			 found;
	int			 rc = -1;

	memset(&cur, 0, sizeof(cur));
	series_shape_now(c, day, at, &cur);
	if (h->n == 0) {
		h->epochs = xcalloc(1, sizeof(*h->epochs));
		series_epoch_new(c, host, install, 0, now, &h->epochs[0]);
		series_shape_now(c, day, at, &h->epochs[0]);
		h->n = 1;
		*dirty = true;
		/* The first sight of a fixed series is no change of slot. */
		*slot = series_is_auto(c);
		/* A first placement starts at the first meeting after it:
		 * there were no meetings at a slot not yet chosen. */
		if (series_is_auto(c) &&
		    series_from(c, &h->epochs[0], now, err) == -1)
			goto out;
		rc = 0;
		goto out;
	}
	last = &h->epochs[h->n - 1];
	if (!last->has_shape) {
		/* Stored before epochs: its shape is the config's, taken
		 * as it is (its UID and SEQUENCE stay what was published). */
		series_shape_now(c, day, at, last);
		free(last->fingerprint);
		last->fingerprint = xstrdup("");
		*dirty = true;
		*slot = true;
		rc = 0;
		goto out;
	}
	if (series_shape_same(last, &cur)) {
		rc = 0;
		goto out;
	}
	*dirty = *slot = true;
	v = series_view(c, last, true);
	if (series_near(&v, now, false, &found, &past, err) == -1)
		goto out;
	if (!found) {
		series_shape_now(c, day, at, last);
		if (last->has_from && series_from(c, last, now, err) == -1)
			goto out;
		rc = 0;
		goto out;
	}
	/* The old epoch keeps its UID and SEQUENCE; its rule gains UNTIL,
	 * which DTSTAMP and LAST-MODIFIED show. */
	last->has_until = true;
	last->until = past;
	last->changed = now;
	v = series_view(c, last, true);
	free(last->fingerprint);
	last->fingerprint = feed_series_fingerprint(&v, v.day, v.time);
	h->epochs = xreallocarray(h->epochs, h->n + 1, sizeof(*h->epochs));
	last = &h->epochs[h->n - 1];
	series_epoch_new(c, host, install, last->n + 1, now,
	    &h->epochs[h->n]);
	series_shape_now(c, day, at, &h->epochs[h->n]);
	h->n++;
	if (series_from(c, &h->epochs[h->n - 1], now, err) == -1)
		goto out;
	rc = 0;
out:
	free(cur.rrule);
	free(cur.tz);
	free(host);
	return rc;
}

int
series_history(const struct config *cfg, struct store *st,
    const struct config_community *c, time_t now, enum series_mode mode,
    struct series_history *h, char **err)
{
	struct civil_time	 at;
	char			*install = NULL, *fp, *detail;
	size_t			 i;
	bool			 placed, dirty = false, slot = false;
	int			 day, rc = -1;

	memset(h, 0, sizeof(*h));
	if (series_slot(st, c, &placed, &day, &at, err) == -1)
		return -1;
	if (!placed)
		return 0;
	if (store_epoch_list(st, c->id, &h->epochs, &h->n, err) == -1 ||
	    store_meta_get(st, "install_id", &install, err) == -1)
		goto out;
	if (series_advance(cfg, c, day, at, install, now, h, &dirty, &slot,
	    err) == -1)
		goto out;
	h->views = xcalloc(h->n, sizeof(*h->views));
	h->series = xcalloc(h->n, sizeof(*h->series));
	for (i = 0; i < h->n; i++) {
		struct store_epoch	*e = &h->epochs[i];
		struct config_community	*v = &h->views[i];

		*v = series_view(c, e, true);
		fp = feed_series_fingerprint(v, v->day, v->time);
		detail = feed_series_detail(cfg, v);
		/* A new epoch starts at SEQUENCE 0; a change a subscriber
		 * should see raises it; any other change of what the event
		 * shows moves DTSTAMP and LAST-MODIFIED only. */
		if (*e->fingerprint != '\0' && strcmp(fp, e->fingerprint) != 0)
			e->sequence++;
		if (strcmp(fp, e->fingerprint) != 0 ||
		    strcmp(detail, e->detail) != 0) {
			if (*e->fingerprint != '\0' || *e->detail != '\0')
				e->changed = now;
			dirty = true;
		}
		free(e->fingerprint);
		free(e->detail);
		e->fingerprint = fp;
		e->detail = detail;
		h->series[i].community = v;
		h->series[i].origin = c;
		h->series[i].epoch = e->n;
		h->series[i].uid = e->uid;
		h->series[i].sequence = e->sequence;
		h->series[i].created = e->created;
		h->series[i].changed = e->changed;
		h->series[i].day = v->day;
		h->series[i].at = v->time;
	}
	/* Without record, what is not a change of slot is still stored (the
	 * first sight of a series, a new SEQUENCE), so that the same state
	 * renders the same bytes whoever renders it. */
	if (dirty && (mode == SERIES_RECORD ||
	    (mode == SERIES_PUBLISH && !slot))) {
		if (store_epoch_save(st, c->id, h->epochs, h->n, err) == -1)
			goto out;
		h->recorded = true;
	}
	rc = 0;
out:
	free(install);
	if (rc == -1)
		series_history_free(h);
	return rc;
}

void
series_history_free(struct series_history *h)
{
	if (h == NULL)
		return;
	store_epoch_list_free(h->epochs, h->n);
	free(h->views);
	free(h->series);
	memset(h, 0, sizeof(*h));
}

char *
series_history_line(const struct series_history *h)
{
	struct xbuf	 b = { NULL, 0, 0 };
	char		 db[CIVIL_DATE_LEN], tb[CIVIL_TIME_LEN], *s;
	size_t		 i;

	for (i = 0; i < h->n; i++) {
		const struct config_community *v = &h->views[i];
		const struct store_epoch *e = &h->epochs[i];

		if (i > 0)
			xbuf_add(&b, "; ", 2);
		if (h->n > 1 && i == 0 && e->has_until)
			s = xasprintf("until %s: ", civil_date_format(e->until,
			    db));
		else if (h->n > 1 && e->has_from && i + 1 < h->n &&
		    e->has_until) {
			char ub[CIVIL_DATE_LEN];

			s = xasprintf("%s..%s: ", civil_date_format(e->from,
			    db), civil_date_format(e->until, ub));
		} else if (e->has_from)
			s = xasprintf("from %s: ", civil_date_format(e->from,
			    db));
		else
			s = xstrdup("");
		xbuf_add(&b, s, strlen(s));
		free(s);
		s = xasprintf("%s%s%s", v->cadence != CONFIG_CADENCE_RRULE ?
		    civil_weekday_abbr(v->day) : "", v->cadence !=
		    CONFIG_CADENCE_RRULE ? " " : "",
		    civil_time_format(v->time, tb));
		xbuf_add(&b, s, strlen(s));
		free(s);
	}
	if (b.s == NULL)
		return xstrdup("");
	return b.s;
}
