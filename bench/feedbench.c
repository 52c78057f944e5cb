/* feedbench: time the feed renderer on one large member feed.
 *
 * Usage: feedbench CONFIG MEMBER ITEMS REPS OUT
 *
 * Every community of CONFIG that MEMBER is in becomes one series of the
 * member's feed (as publish.c builds it: UID from feed_series_uid,
 * SEQUENCE 0, fixed change times), and ITEMS action items are added as
 * all-day events (the feed code of this tree publishes no items yet, so
 * they are made here, by the same formula as bench/feeds_icalendar.py:
 * item j belongs to the j-th community round-robin and is due on
 * 2026-09-01 + (7 j mod 280) days).  The feed is rendered REPS times through
 * the ical module's public functions, three ways:
 *   whole  ical_render_feed: every event through libical;
 *   cold   ical_render_feed_cached with an empty block cache (from nothing);
 *   warm   with the blocks of the previous rendering, after one item
 *          changed (its title, SEQUENCE and change time), as a worker's
 *          cycle after an edit: one block through libical, the rest kept.
 * Every cached rendering is checked byte for byte against the whole one of
 * the same input (not timed).  The whole rendering is written to OUT.
 * Prints "bytes events" and then, per way, "median min max" (seconds), on
 * one line.  FEEDBENCH_ONLY=whole, cold or warm in the environment times
 * that way alone, without the checks (for a profile of one way); the
 * others print 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "feed.h"
#include "ical.h"
#include "rcache.h"
#include "xmalloc.h"

#define FEEDBENCH_CHANGED	1788000000	/* 2026-08-29T10:40:00Z */

static double
feedbench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
feedbench_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct config		*cfg = NULL;
	struct config_member	*m;
	struct feed_series	*series;
	struct feed_item	*items;
	struct feed_input	 in;
	char			*errors = NULL, *warnings = NULL, *out = NULL;
	char			*cached = NULL, *whole = NULL;
	struct rcache		*blocks;
	size_t			 clen = 0, wlen = 0;
	char			*err = NULL, **titles, **links, **uids;
	double			*t;
	size_t			 n = 0, len = 0, i, nitems, reps, events = 0;
	FILE			*f;
	const char		*p, *only = getenv("FEEDBENCH_ONLY");
	int			 check = only == NULL;

	if (argc != 6) {
		fprintf(stderr, "usage: feedbench CONFIG MEMBER ITEMS REPS "
		    "OUT\n");
		return 64;
	}
	if (config_load(argv[1], &cfg, &errors, &warnings) == -1) {
		fprintf(stderr, "%s\n", errors);
		return 78;
	}
	free(warnings);
	ical_read_holidays(cfg, &warnings);	/* as the worker does */
	if ((m = config_member_find(cfg, argv[2])) == NULL) {
		fprintf(stderr, "feedbench: no member %s\n", argv[2]);
		return 64;
	}
	nitems = strtoul(argv[3], NULL, 10);
	reps = strtoul(argv[4], NULL, 10);
	if (reps < 1)
		reps = 1;
	series = xcalloc(cfg->ncommunities, sizeof(*series));
	uids = xcalloc(cfg->ncommunities, sizeof(*uids));
	for (i = 0; i < cfg->ncommunities; i++) {
		struct config_community *c = &cfg->communities[i];

		if (!config_community_has_member(c, m) && c->facilitator != m)
			continue;
		uids[n] = feed_series_uid(cfg, c);
		series[n].community = c;
		series[n].uid = uids[n];
		series[n].sequence = 0;
		series[n].created = FEEDBENCH_CHANGED;
		series[n].changed = FEEDBENCH_CHANGED;
		series[n].day = c->day;
		series[n].at = c->time;
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "feedbench: %s is in no community\n", argv[2]);
		return 64;
	}
	items = xcalloc(nitems + 1, sizeof(*items));
	titles = xcalloc(nitems + 1, sizeof(*titles));
	links = xcalloc(nitems + 1, sizeof(*links));
	for (i = 0; i < nitems; i++) {
		titles[i] = xasprintf("Action item %zu: bring the unit %zu "
		    "assessment data", i + 1, i % 12 + 1);
		links[i] = xasprintf("%s/a/item%zu", cfg->worker.public_url,
		    i + 1);
		items[i].id = (int64_t)i + 1;
		items[i].community = series[i % n].community;
		items[i].owner = m;
		items[i].title = titles[i];
		items[i].due = civil_date_add((struct civil_date){ 2026, 9, 1 },
		    (int64_t)(7 * i % 280));
		items[i].created = FEEDBENCH_CHANGED;
		items[i].changed = FEEDBENCH_CHANGED;
		items[i].link = links[i];
	}
	memset(&in, 0, sizeof(in));
	in.cfg = cfg;
	in.kind = FEED_MEMBER;
	in.member = m;
	in.url = "https://plc.example.edu/feeds/0123456789abcdef0123456789abcdef.ics";
	in.series = series;
	in.nseries = n;
	in.items = items;
	in.nitems = nitems;
	t = xcalloc(3 * reps, sizeof(*t));
	for (i = 0; i < reps && (check || strcmp(only, "whole") == 0 ||
	    i == 0); i++) {
		double t0 = feedbench_now();

		free(out);
		if (ical_render_feed(&in, &out, &len, &err) == -1) {
			fprintf(stderr, "feedbench: %s\n", err);
			return 70;
		}
		t[i] = feedbench_now() - t0;
	}
	for (i = 0; i < reps && (check || strcmp(only, "cold") == 0); i++) {
		struct ical_cache *cache = ical_cache_new(NULL);
		double t0 = feedbench_now();

		free(cached);
		if (ical_render_feed_cached(&in, cache, &cached, &clen,
		    &err) == -1) {
			fprintf(stderr, "feedbench: %s\n", err);
			return 70;
		}
		t[reps + i] = feedbench_now() - t0;
		ical_cache_free(cache);
		if (check && (clen != len || memcmp(cached, out, len) != 0)) {
			fprintf(stderr, "feedbench: cold blocks differ\n");
			return 70;
		}
	}
	blocks = rcache_new();
	for (i = 0; i <= reps && (check || strcmp(only, "warm") == 0); i++) {
		struct ical_cache *cache = ical_cache_new(blocks);
		struct feed_item *it = &items[(i * 7919) % (nitems > 0 ?
		    nitems : 1)];
		double t0;

		if (nitems > 0 && i > 0) {	/* round 0 fills the cache */
			free(titles[it - items]);
			titles[it - items] = xasprintf("Action item changed "
			    "in round %zu", i);
			it->title = titles[it - items];
			it->sequence++;
			it->changed += 60;
		}
		t0 = feedbench_now();
		free(cached);
		if (ical_render_feed_cached(&in, cache, &cached, &clen,
		    &err) == -1) {
			fprintf(stderr, "feedbench: %s\n", err);
			return 70;
		}
		if (i > 0)
			t[2 * reps + i - 1] = feedbench_now() - t0;
		ical_cache_free(cache);
		rcache_sweep(blocks);	/* as publish_run_blocks does */
		if (!check)
			continue;
		free(whole);
		if (ical_render_feed(&in, &whole, &wlen, &err) == -1 ||
		    clen != wlen || memcmp(cached, whole, wlen) != 0) {
			fprintf(stderr, "feedbench: warm blocks differ\n");
			return 70;
		}
	}
	if ((f = fopen(argv[5], "w")) == NULL ||
	    fwrite(out, 1, len, f) != len || fclose(f) != 0) {
		perror(argv[5]);
		return 73;
	}
	for (p = out; (p = strstr(p, "BEGIN:VEVENT")) != NULL; p++)
		events++;
	printf("%zu %zu", len, events);
	for (i = 0; i < 3; i++) {
		qsort(t + i * reps, reps, sizeof(*t), feedbench_cmp);
		printf(" %.5f %.5f %.5f", t[i * reps + reps / 2], t[i * reps],
		    t[i * reps + reps - 1]);
	}
	printf("\n");
	/* The process ends here: what it allocated goes with it. */
	return 0;
}
