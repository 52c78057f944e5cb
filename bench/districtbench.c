/* districtbench: a worker's publishing cycle for a district of any size.
 *
 * Usage: districtbench CONFIG SCALE STATE_DIR
 *
 * CONFIG is a district written by bench/feeds_conf.py (N communities of
 * twelve members, 6 N members); it is loaded once and copied SCALE times
 * in memory (community c<i> of copy k becomes c<i + k N>, its members
 * m<j + 6 k N>), so that a district larger than a config file may be
 * (config.c reads at most 1 MiB) is published by the same code.  Then,
 * into STATE_DIR (which must not exist), as a running worker does, with
 * its rendered blocks kept from cycle to cycle (publish_run_blocks):
 *   from_s  the first cycle: tokens, series, every block and file new;
 *   same_s  a cycle with nothing changed;
 *   all_s   a cycle after every community's description changed (every
 *           feed changed: every series block rendered again, every file
 *           rewritten).
 * Prints "communities feeds load_s from_s same_s all_s from_cpu same_cpu
 * all_cpu blocks" on one line: wall seconds on the monotonic clock, then
 * the process's CPU seconds (user and kernel) of the same cycles, which a
 * machine shared with other work inflates less; load_s is reading CONFIG,
 * once, for scale 1; blocks, the rendered blocks kept after the last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "ical.h"
#include "publish.h"
#include "rcache.h"
#include "store.h"
#include "xmalloc.h"

static double
mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct config_member *
remap(struct config *cfg, struct config_member *base, size_t nm,
    struct config_member *p, size_t k)
{
	return p == NULL ? NULL : &cfg->members[(size_t)(p - base) + k * nm];
}

/* The district SCALE times over, sharing what nothing changes. */
static void
grow(struct config *cfg, size_t scale)
{
	struct config_member	*om = cfg->members, *m;
	struct config_community	*oc = cfg->communities, *c;
	size_t			 nm = cfg->nmembers, nc = cfg->ncommunities;
	size_t			 k, i, j;

	if (scale <= 1)
		return;
	cfg->members = xcalloc(nm * scale, sizeof(*cfg->members));
	cfg->communities = xcalloc(nc * scale, sizeof(*cfg->communities));
	for (k = 0; k < scale; k++)
		for (i = 0; i < nm; i++) {
			m = &cfg->members[k * nm + i];
			*m = om[i];
			m->id = xasprintf("m%zu", k * nm + i);
			m->name = xasprintf("Teacher %zu", k * nm + i);
			m->email = xasprintf("m%zu@example.edu", k * nm + i);
		}
	for (k = 0; k < scale; k++)
		for (i = 0; i < nc; i++) {
			c = &cfg->communities[k * nc + i];
			*c = oc[i];
			c->id = xasprintf("c%zu", k * nc + i);
			c->name = xasprintf("PLC %zu", k * nc + i);
			c->url = xasprintf("https://meet.example.edu/c%zu",
			    k * nc + i);
			c->facilitator = remap(cfg, om, nm, oc[i].facilitator,
			    k);
			c->members = xcalloc(c->nmembers + 1,
			    sizeof(*c->members));
			for (j = 0; j < c->nmembers; j++)
				c->members[j] = remap(cfg, om, nm,
				    oc[i].members[j], k);
			c->optional = xcalloc(c->noptional + 1,
			    sizeof(*c->optional));
			for (j = 0; j < c->noptional; j++)
				c->optional[j] = remap(cfg, om, nm,
				    oc[i].optional[j], k);
		}
	cfg->nmembers = nm * scale;
	cfg->ncommunities = nc * scale;
}

static int
cycle(const struct config *cfg, const char *dir, struct store *st,
    time_t now, struct rcache *blocks, double *secs, double *cpus,
    size_t *written)
{
	struct publish_result	 res;
	bool			 store_failed;
	char			*err = NULL;
	double			 t0 = mono(), c0 = cpu();

	if (publish_run_blocks(cfg, dir, st, now, true, blocks, &res,
	    &store_failed, &err) == -1) {
		fprintf(stderr, "districtbench: %s\n", err);
		return -1;
	}
	*secs = mono() - t0;
	*cpus = cpu() - c0;
	*written = res.written;
	publish_result_free(&res);
	return 0;
}

int
main(int argc, char **argv)
{
	struct config	*cfg = NULL;
	struct store	*st = NULL;
	struct rcache	*blocks;
	char		*errors = NULL, *warnings = NULL, *err = NULL, *db;
	double		 t0, load, from, same, all, cfrom, csame, call;
	size_t		 scale, i, w0, w1, w2;
	time_t		 now = 1787227200;	/* 2026-08-20T12:00:00Z */

	if (argc != 4) {
		fprintf(stderr, "usage: districtbench CONFIG SCALE STATE_DIR\n");
		return 64;
	}
	t0 = mono();
	if (config_load(argv[1], &cfg, &errors, &warnings) == -1) {
		fprintf(stderr, "%s\n", errors);
		return 78;
	}
	free(warnings);
	ical_read_holidays(cfg, &warnings);
	load = mono() - t0;
	scale = strtoul(argv[2], NULL, 10);
	grow(cfg, scale);
	if (publish_prepare(argv[3], &err) == -1 ||
	    store_open((db = publish_db_path(argv[3])), &st, &err) == -1) {
		fprintf(stderr, "districtbench: %s\n", err);
		return 73;
	}
	blocks = rcache_new();
	if (cycle(cfg, argv[3], st, now, blocks, &from, &cfrom, &w0) == -1 ||
	    cycle(cfg, argv[3], st, now + 60, blocks, &same, &csame,
	    &w1) == -1)
		return 70;
	for (i = 0; i < cfg->ncommunities; i++)
		cfg->communities[i].description = xasprintf("Norms and data "
		    "for PLC %zu, then next steps", i);
	if (cycle(cfg, argv[3], st, now + 120, blocks, &all, &call,
	    &w2) == -1)
		return 70;
	if (w0 != cfg->nmembers + cfg->ncommunities || w1 != 0 || w2 != w0) {
		fprintf(stderr, "districtbench: %zu, %zu, %zu files written "
		    "(wanted every feed, none, every feed)\n", w0, w1, w2);
		return 70;
	}
	printf("%zu %zu %.3f %.3f %.3f %.3f %.3f %.3f %.3f %zu\n",
	    cfg->ncommunities, cfg->nmembers + cfg->ncommunities, load, from,
	    same, all, cfrom, csame, call, rcache_count(blocks));
	store_close(st);
	rcache_free(blocks);
	free(db);
	/* The process ends here: the config copies go with it. */
	return 0;
}
