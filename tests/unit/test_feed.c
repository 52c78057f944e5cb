/* Unit tests of a series' identity: its fingerprint (SEQUENCE rises when it
 * changes, and only then) and its UID. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "config.h"
#include "feed.h"
#include "ical.h"
#include "rcache.h"
#include "tz.h"

static struct config_span	skip_span = { { 2026, 10, 13 }, { 2026, 10, 13 } };
static struct config_span	cal_span = { { 2026, 11, 26 }, { 2026, 11, 27 } };
static struct config_calendar	district;
static struct config_calendar	*calendars[] = { &district };
static struct config_move	move = { { 2026, 11, 24 }, { 2026, 11, 25 },
				    true, { 16, 0, 0 } };
static struct civil_date	cancel = { 2026, 12, 8 };

/* Grade 7 Math: weekly on TU 15:30 for 45 minutes, with every kind of
 * exception, in New York. */
static struct config_community
base(void)
{
	struct config_community	c;

	memset(&c, 0, sizeof(c));
	memset(&district, 0, sizeof(district));
	district.skip = &cal_span;
	district.nskip = 1;
	c.id = "math7";
	c.name = "Grade 7 Math PLC";
	c.description = "Norms";
	c.url = "https://meet.example.edu/math7";
	c.cadence = CONFIG_CADENCE_WEEKLY;
	c.day = CIVIL_TU;
	c.time = (struct civil_time){ 15, 30, 0 };
	c.duration = 45 * 60;
	c.start = (struct civil_date){ 2026, 9, 1 };
	c.has_until = true;
	c.until = (struct civil_date){ 2027, 6, 15 };
	c.skip = &skip_span;
	c.nskip = 1;
	c.skip_calendars = calendars;
	c.nskip_calendars = 1;
	c.moves = &move;
	c.nmoves = 1;
	c.cancels = &cancel;
	c.ncancels = 1;
	c.location = "Room 204";
	c.tz = tz_find("America/New_York");
	assert_non_null(c.tz);
	return c;
}

static char *
fp(const struct config_community *c)
{
	return feed_series_fingerprint(c, c->day, c->time);
}

/* True when c's fingerprint differs from the base's. */
static bool
differs(const struct config_community *c)
{
	struct config_community	b = base();
	char			*x = fp(&b), *y = fp(c);
	bool			 d = strcmp(x, y) != 0;

	free(x);
	free(y);
	return d;
}

static void
test_same_state_same_fingerprint(void **state)
{
	struct config_community	a = base(), b = base();
	char			*x = fp(&a), *y = fp(&b);

	assert_string_equal(x, y);
	assert_int_equal(strncmp(x, "v2\n", 3), 0);
	free(x);
	free(y);
}

/* Time, day, duration, location, rule, dates, zone and exceptions: what a
 * calendar must be told again. */
static void
test_shape_changes(void **state)
{
	struct config_community	c;
	struct config_span	other = { { 2026, 10, 20 }, { 2026, 10, 20 } };
	struct config_move	later = move;
	struct civil_date	other_cancel = { 2026, 12, 15 };
	char			*x, *y;

	c = base(); c.time.min = 45;
	assert_true(differs(&c));
	c = base(); c.day = CIVIL_WE;
	assert_true(differs(&c));
	c = base(); c.duration = 60 * 60;
	assert_true(differs(&c));
	c = base(); c.location = "Room 205";
	assert_true(differs(&c));
	/* The SUMMARY is what a subscriber reads first. */
	c = base(); c.name = "Grade Seven Mathematics";
	assert_true(differs(&c));
	c = base(); c.location = NULL;
	assert_true(differs(&c));
	c = base(); c.cadence = CONFIG_CADENCE_BIWEEKLY;
	assert_true(differs(&c));
	c = base(); c.start.d = 8;
	assert_true(differs(&c));
	c = base(); c.until.d = 22;
	assert_true(differs(&c));
	c = base(); c.has_until = false;
	assert_true(differs(&c));
	c = base(); c.tz = tz_find("America/Chicago");
	assert_true(differs(&c));
	c = base(); c.skip = &other;
	assert_true(differs(&c));
	c = base(); c.nskip_calendars = 0;
	assert_true(differs(&c));
	c = base(); later.at.h = 17;
	c.moves = &later;
	assert_true(differs(&c));
	c = base(); c.nmoves = 0;
	assert_true(differs(&c));
	c = base(); c.cancels = &other_cancel;
	assert_true(differs(&c));
	/* A date added to the skip calendar reaches every series using it. */
	c = base();
	x = fp(&c);
	district.skip = &other;
	y = fp(&c);
	assert_string_not_equal(x, y);
	free(x);
	free(y);
}

/* Description, URL and who comes are text around the meeting: new bytes in
 * the feed (feed_series_detail, for DTSTAMP), but no new SEQUENCE. */
static void
test_text_changes_keep_fingerprint(void **state)
{
	struct config_community	c;

	c = base(); c.description = "Norms only";
	assert_false(differs(&c));
	c = base(); c.description = NULL;
	assert_false(differs(&c));
	c = base(); c.url = "https://meet.example.edu/other";
	assert_false(differs(&c));
	c = base(); c.id = "renamed";
	assert_false(differs(&c));
}

/* Free text cannot pose as another field. */
static void
test_location_cannot_forge_fields(void **state)
{
	struct config_community	a = base(), b = base();
	char			*x, *y;

	a.location = "Room 204\nuntil=";
	a.has_until = false;
	b.location = "Room 204";
	x = fp(&a);
	y = fp(&b);
	assert_string_not_equal(x, y);
	free(x);
	free(y);
}

static void
test_uids(void **state)
{
	struct config		cfg;
	struct config_community	c = base();
	char			*u;

	memset(&cfg, 0, sizeof(cfg));
	cfg.worker.public_url = "https://User@Plc.Example.edu:8443/x/y";
	u = feed_series_uid(&cfg, &c);
	assert_string_equal(u, "math7.series@plc.example.edu");
	free(u);
	u = feed_item_uid(&cfg, 42);
	assert_string_equal(u, "42.item@plc.example.edu");
	free(u);
	cfg.worker.public_url = NULL;
	u = feed_series_uid(&cfg, &c);
	assert_string_equal(u, "math7.series@plc-cadence.invalid");
	free(u);
	cfg.worker.public_url = "http://[::1]:8080";
	u = feed_series_uid(&cfg, &c);
	assert_string_equal(u, "math7.series@[::1]");
	free(u);
}

/* A cache shared by the feeds of a run changes no byte of them, whether
 * it has the series and zone already or not. */
static void
test_cached_render_same_bytes(void **state)
{
	struct config		cfg;
	struct config_member	m;
	struct config_community	c[2];
	struct feed_series	s[2];
	struct feed_input	in;
	struct ical_cache	*cache = ical_cache_new(NULL);
	char			*plain = NULL, *miss = NULL, *hit = NULL;
	char			*open = NULL, *open_plain = NULL, *err = NULL;
	size_t			 lp, lm, lh, lo, lop, i;

	memset(&cfg, 0, sizeof(cfg));
	memset(&m, 0, sizeof(m));
	cfg.worker.public_url = "https://plc.example.edu";
	m.id = "alice";
	m.name = "Alice Martin";
	m.email = "alice@example.edu";
	c[0] = base();
	c[1] = base();
	c[1].id = "ela8";
	c[1].day = CIVIL_TH;
	c[1].has_until = false;		/* open-ended: another VTIMEZONE */
	memset(s, 0, sizeof(s));
	for (i = 0; i < 2; i++) {
		c[i].facilitator = &m;
		s[i].community = &c[i];
		s[i].uid = i == 0 ? "math7.series@x" : "ela8.series@x";
		s[i].created = s[i].changed = 1788000000;
		s[i].day = c[i].day;
		s[i].at = c[i].time;
	}
	memset(&in, 0, sizeof(in));
	in.cfg = &cfg;
	in.kind = FEED_COMMUNITY;
	in.community = &c[0];
	in.url = "https://plc.example.edu/feeds/x.ics";
	in.series = s;
	in.nseries = 1;
	assert_int_equal(ical_render_feed(&in, &plain, &lp, &err), 0);
	assert_int_equal(ical_render_feed_cached(&in, cache, &miss, &lm,
	    &err), 0);
	assert_int_equal(ical_render_feed_cached(&in, cache, &hit, &lh, &err),
	    0);
	assert_int_equal(lp, lm);
	assert_int_equal(lp, lh);
	assert_memory_equal(plain, miss, lp);
	assert_memory_equal(plain, hit, lp);
	assert_non_null(strstr(plain, "EXDATE;TZID=America/New_York:"
	    "20261013T153000"));
	/* Both series, one open-ended: its zone covers other years. */
	in.nseries = 2;
	assert_int_equal(ical_render_feed_cached(&in, cache, &open, &lo, &err),
	    0);
	assert_int_equal(ical_render_feed(&in, &open_plain, &lop, &err), 0);
	assert_int_equal(lo, lop);
	assert_memory_equal(open, open_plain, lo);
	assert_null(err);
	free(plain);
	free(miss);
	free(hit);
	free(open);
	free(open_plain);
	ical_cache_free(cache);
}

/* One pass as publish_run_blocks makes it: a run's cache over the kept
 * blocks, the feed assembled, the unused blocks swept; the bytes must be
 * those of the whole rendering. */
static void
blocks_pass(const struct feed_input *in, struct rcache *blocks,
    const char *what)
{
	struct ical_cache	*cache = ical_cache_new(blocks);
	char			*whole = NULL, *cached = NULL, *err = NULL;
	size_t			 lw, lc;

	assert_int_equal(ical_render_feed(in, &whole, &lw, &err), 0);
	assert_int_equal(ical_render_feed_cached(in, cache, &cached, &lc,
	    &err), 0);
	ical_cache_free(cache);
	rcache_sweep(blocks);
	if (lw != lc || memcmp(whole, cached, lw) != 0)
		fail_msg("after %s the blocks give other bytes:\n%s\n---\n%s",
		    what, whole, cached);
	free(whole);
	free(cached);
}

/*
 * Within one rendering, the property texts many events share (change
 * times, SEQUENCE, DURATION, due dates, ORGANIZER) are written once and
 * reused: events next to each other that differ in any of them, or share
 * some, give the bytes of a whole rendering, from nothing.
 */
static void
test_shared_properties_follow_events(void **state)
{
	struct config		cfg;
	struct config_member	m, f[2];
	struct config_community	c[4];
	struct feed_series	s[4];
	struct feed_item	it[12];
	struct feed_input	in;
	struct ical_cache	*cache = ical_cache_new(NULL);
	char			*whole = NULL, *cached = NULL, *err = NULL;
	char			 ids[4][8], uids[4][24];
	size_t			 lw, lc, i;

	memset(&cfg, 0, sizeof(cfg));
	memset(&m, 0, sizeof(m));
	memset(f, 0, sizeof(f));
	cfg.worker.public_url = "https://plc.example.edu";
	cfg.smtp.from_name = "PLC";
	cfg.smtp.from_addr = "plc@example.edu";
	m.id = "alice";
	m.name = "Alice Martin";
	f[0].id = "fran";
	f[0].name = "Fran Ochoa";
	f[0].email = "fran@example.edu";
	f[1].id = "gus";
	f[1].email = "gus@example.edu";
	memset(s, 0, sizeof(s));
	memset(it, 0, sizeof(it));
	for (i = 0; i < 4; i++) {
		c[i] = base();
		snprintf(ids[i], sizeof(ids[i]), "c%zu", i);
		snprintf(uids[i], sizeof(uids[i]), "c%zu.series@x", i);
		c[i].id = ids[i];
		/* Two facilitators, one none (the sender), one without CN. */
		c[i].facilitator = i == 3 ? NULL : &f[i % 2];
		c[i].duration = i % 2 == 0 ? 45 * 60 : 90 * 60 + 30;
		s[i].community = s[i].origin = &c[i];
		s[i].uid = uids[i];
		s[i].sequence = (int)(i / 2);
		s[i].created = 1788000000 - (time_t)(i % 2) * 86400;
		s[i].changed = 1788000000 + (time_t)(i / 3) * 60;
		s[i].day = c[i].day;
		s[i].at = c[i].time;
	}
	for (i = 0; i < 12; i++) {
		it[i].id = 100 + (int64_t)i;
		it[i].community = &c[i % 4];
		it[i].owner = &m;
		it[i].title = "Bring the data";
		/* Pairs on one day, the next day apart. */
		it[i].due = (struct civil_date){ 2026, 10, 1 + (int)(i / 2) };
		it[i].sequence = (int)(i % 3);
		it[i].created = 1788000000 - (time_t)(i % 2) * 3600;
		it[i].changed = 1788000000 + (time_t)(i % 4) * 60;
		it[i].link = i % 5 == 0 ? NULL : "https://plc.example.edu/a/x";
	}
	cfg.members = &m;
	cfg.nmembers = 1;
	cfg.communities = c;
	cfg.ncommunities = 4;
	memset(&in, 0, sizeof(in));
	in.cfg = &cfg;
	in.kind = FEED_MEMBER;
	in.member = &m;
	in.series = s;
	in.nseries = 4;
	in.items = it;
	in.nitems = 12;
	assert_int_equal(ical_render_feed(&in, &whole, &lw, &err), 0);
	assert_int_equal(ical_render_feed_cached(&in, cache, &cached, &lc,
	    &err), 0);
	if (lw != lc || memcmp(whole, cached, lw) != 0)
		fail_msg("shared properties differ:\n%s\n---\n%s", whole,
		    cached);
	assert_non_null(strstr(whole, "DURATION:PT1H30M30S"));
	assert_non_null(strstr(whole, "ORGANIZER;CN=PLC:mailto:plc@example"));
	assert_non_null(strstr(whole, "SEQUENCE:2"));
	free(whole);
	free(cached);
	ical_cache_free(cache);
}

/* More communities than the cache keeps ORGANIZER texts for: two of them
 * share a place there, and each item still shows its own facilitator. */
static void
test_organizers_beyond_the_memo(void **state)
{
	enum { N = 300 };
	struct config		cfg;
	struct config_member	m, *f = calloc(N, sizeof(*f));
	struct config_community	*c = calloc(N, sizeof(*c));
	struct feed_item	*it = calloc(N, sizeof(*it));
	struct feed_input	in;
	struct ical_cache	*cache = ical_cache_new(NULL);
	char			*whole = NULL, *cached = NULL, *err = NULL;
	char			(*names)[16] = calloc(N, sizeof(*names));
	size_t			 lw, lc, i;

	assert_non_null(f);
	assert_non_null(c);
	assert_non_null(it);
	assert_non_null(names);
	memset(&cfg, 0, sizeof(cfg));
	memset(&m, 0, sizeof(m));
	cfg.worker.public_url = "https://plc.example.edu";
	m.id = "alice";
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "f%zu", i);
		f[i].id = names[i];
		f[i].email = names[i];
		c[i] = base();
		c[i].id = names[i];
		c[i].facilitator = &f[i];
		it[i].id = (int64_t)i + 1;
		it[i].community = &c[i];
		it[i].owner = &m;
		it[i].title = "Bring the data";
		it[i].due = (struct civil_date){ 2026, 10, 1 };
		it[i].created = it[i].changed = 1788000000;
	}
	cfg.members = &m;
	cfg.nmembers = 1;
	cfg.communities = c;
	cfg.ncommunities = N;
	memset(&in, 0, sizeof(in));
	in.cfg = &cfg;
	in.kind = FEED_MEMBER;
	in.member = &m;
	in.items = it;
	in.nitems = N;
	assert_int_equal(ical_render_feed(&in, &whole, &lw, &err), 0);
	assert_int_equal(ical_render_feed_cached(&in, cache, &cached, &lc,
	    &err), 0);
	assert_int_equal(lw, lc);
	assert_memory_equal(whole, cached, lw);
	free(whole);
	free(cached);
	ical_cache_free(cache);
	free(names);
	free(it);
	free(c);
	free(f);
}

/* Blocks kept across runs follow every input of their event: each change
 * below, made between two passes, shows in the assembled feed as in a
 * whole rendering (a field missing from a key would serve a stale block). */
static void
test_blocks_follow_every_input(void **state)
{
	struct config		cfg;
	struct config_member	m, f;
	struct config_community	c[2];
	struct config_move	mv = move;
	struct civil_date	cn = cancel;
	struct config_span	sk = skip_span;
	struct feed_series	s[2];
	struct feed_item	it[2];
	struct feed_input	in;
	struct rcache		*blocks = rcache_new();
	size_t			 i;

	memset(&cfg, 0, sizeof(cfg));
	memset(&m, 0, sizeof(m));
	memset(&f, 0, sizeof(f));
	cfg.worker.public_url = "https://plc.example.edu";
	cfg.worker.tz = tz_find("America/New_York");
	cfg.smtp.from_name = "PLC";
	cfg.smtp.from_addr = "plc@example.edu";
	m.id = "alice";
	m.name = "Alice Martin";
	m.email = "alice@example.edu";
	f.id = "fran";
	f.name = "Fran Ochoa";
	f.email = "fran@example.edu";
	c[0] = base();
	c[0].moves = &mv;
	c[0].cancels = &cn;
	c[0].skip = &sk;
	c[1] = base();
	c[1].id = "ela8";
	c[1].name = "ELA 8";
	c[1].day = CIVIL_TH;
	memset(s, 0, sizeof(s));
	memset(it, 0, sizeof(it));
	for (i = 0; i < 2; i++) {
		c[i].facilitator = &f;
		s[i].community = s[i].origin = &c[i];
		s[i].uid = i == 0 ? "math7.series@x" : "ela8.series@x";
		s[i].created = s[i].changed = 1788000000;
		s[i].day = c[i].day;
		s[i].at = c[i].time;
		it[i].id = 7 + (int64_t)i;
		it[i].community = &c[i];
		it[i].owner = &m;
		it[i].title = "Bring the unit 3 data";
		it[i].due = (struct civil_date){ 2026, 10, 2 + (int)i };
		it[i].created = it[i].changed = 1788000000;
		it[i].link = "https://plc.example.edu/a/x";
	}
	cfg.members = &m;
	cfg.nmembers = 1;
	cfg.communities = c;
	cfg.ncommunities = 2;
	memset(&in, 0, sizeof(in));
	in.cfg = &cfg;
	in.kind = FEED_MEMBER;
	in.member = &m;
	in.series = s;
	in.nseries = 2;
	in.items = it;
	in.nitems = 2;

	blocks_pass(&in, blocks, "the first pass");
	blocks_pass(&in, blocks, "nothing");
	assert_true(rcache_count(blocks) > 0);
	s[0].sequence = 1;
	blocks_pass(&in, blocks, "SEQUENCE");
	s[0].changed += 60;
	blocks_pass(&in, blocks, "the change time (DTSTAMP)");
	s[1].created -= 60;
	blocks_pass(&in, blocks, "CREATED");
	s[1].uid = "ela8.series.2@x";
	blocks_pass(&in, blocks, "the UID");
	c[0].description = "Norms and data";
	blocks_pass(&in, blocks, "the description");
	c[0].url = NULL;
	blocks_pass(&in, blocks, "the URL");
	c[0].location = "Library";
	blocks_pass(&in, blocks, "the location");
	c[1].name = "ELA 8 PLC";
	blocks_pass(&in, blocks, "the name");
	c[1].duration = 60 * 60;
	blocks_pass(&in, blocks, "the duration");
	f.email = "ochoa@example.edu";
	blocks_pass(&in, blocks, "the facilitator's address");
	f.email = NULL;
	blocks_pass(&in, blocks, "no facilitator's address");
	cfg.smtp.from_name = "District PLCs";
	blocks_pass(&in, blocks, "the sender");
	mv.to = (struct civil_date){ 2026, 11, 26 };
	blocks_pass(&in, blocks, "a move's date");
	mv.at = (struct civil_time){ 17, 0, 0 };
	blocks_pass(&in, blocks, "a move's time");
	cn = (struct civil_date){ 2026, 12, 15 };
	blocks_pass(&in, blocks, "a cancellation");
	cal_span.to = (struct civil_date){ 2026, 11, 30 };
	blocks_pass(&in, blocks, "a skip calendar's dates");
	sk.from = (struct civil_date){ 2026, 12, 22 };
	blocks_pass(&in, blocks, "a skip's first date");
	c[0].start = (struct civil_date){ 2026, 9, 9 };
	blocks_pass(&in, blocks, "the start");
	c[1].cadence = CONFIG_CADENCE_BIWEEKLY;
	blocks_pass(&in, blocks, "the cadence");
	c[1].cadence = CONFIG_CADENCE_MONTHLY;
	c[1].week = 2;
	blocks_pass(&in, blocks, "the week of the month");
	c[1].has_until = false;
	blocks_pass(&in, blocks, "the end (open-ended)");
	c[0].tz = tz_find("Europe/London");
	assert_non_null(c[0].tz);
	blocks_pass(&in, blocks, "the zone");
	s[1].at = (struct civil_time){ 8, 15, 0 };
	blocks_pass(&in, blocks, "the time");
	it[0].title = "Bring the unit 4 data";
	blocks_pass(&in, blocks, "an item's title");
	it[0].notes = "Both classes";
	blocks_pass(&in, blocks, "an item's notes");
	it[1].due = (struct civil_date){ 2027, 1, 8 };
	blocks_pass(&in, blocks, "an item's due date");
	it[1].sequence = 2;
	blocks_pass(&in, blocks, "an item's SEQUENCE");
	it[1].changed += 3600;
	blocks_pass(&in, blocks, "an item's change time");
	it[1].link = NULL;
	blocks_pass(&in, blocks, "an item's link");
	m.name = "Alice Martin-Ruiz";
	blocks_pass(&in, blocks, "the member's name");
	cfg.worker.public_url = "https://calendar.example.edu";
	blocks_pass(&in, blocks, "the public URL (the items' UIDs)");
	in.nitems = 0;
	in.nseries = 0;
	blocks_pass(&in, blocks, "no event at all");
	/* The sweep keeps only what the last pass used: the head and zone. */
	assert_true(rcache_count(blocks) <= 2);
	cal_span.to = (struct civil_date){ 2026, 11, 27 };	/* as before */
	rcache_free(blocks);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_state_same_fingerprint),
		cmocka_unit_test(test_shape_changes),
		cmocka_unit_test(test_text_changes_keep_fingerprint),
		cmocka_unit_test(test_location_cannot_forge_fields),
		cmocka_unit_test(test_uids),
		cmocka_unit_test(test_cached_render_same_bytes),
		cmocka_unit_test(test_blocks_follow_every_input),
		cmocka_unit_test(test_shared_properties_follow_events),
		cmocka_unit_test(test_organizers_beyond_the_memo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
