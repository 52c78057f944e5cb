/*
 * slots_bench: time availability and slot ranking.
 *
 *   slots_bench parse DIR      12 members' generated .ics files (DIR/m*.ics,
 *                              200 recurring events each) read with
 *                              ical_busy over 40 weeks, then ranked
 *   slots_bench district N     N communities of 12 members, each member with
 *                              the busy time of 200 recurring events over 40
 *                              weeks (generated as intervals), ranked
 *   slots_bench gen DIR        write the .ics files that `parse` reads
 *
 * Prints one "key value" per line; timings on CLOCK_MONOTONIC.  Every run
 * uses the same pseudo-random calendars (a fixed seed), so runs compare.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avail.h"
#include "civil.h"
#include "config.h"
#include "ical.h"
#include "slots.h"
#include "tz.h"

#define MEMBERS		12
#define EVENTS		200
#define WEEKS		40
#define FROM_Y		2026
#define FROM_M		9
#define FROM_D		7		/* a Monday */

/* xorshift64: the same calendars on every run. */
static unsigned
rnd(uint64_t *seed, unsigned n)
{
	*seed ^= *seed << 13;
	*seed ^= *seed >> 7;
	*seed ^= *seed << 17;
	return (unsigned)(*seed % n);
}

#define SEED	88172645463325252ULL

static double
mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One recurring event: weekday 0..4, start 07:00..16:45, 30..90 minutes,
 * every 1..4 weeks. */
struct ev {
	int	day, start, len, every;
};

static void
gen_events(uint64_t *seed, struct ev *e)
{
	for (int i = 0; i < EVENTS; i++) {
		e[i].day = (int)rnd(seed, 5);
		e[i].start = 7 * 3600 + (int)rnd(seed, 40) * 900;
		e[i].len = 1800 + (int)rnd(seed, 5) * 900;
		e[i].every = 1 + (int)rnd(seed, 4);
	}
}

static const struct config_weekly	window = { 0x1f, 7 * 3600 + 1800,
					    16 * 3600 + 1800 };
static const struct config_weekly	avail_tmpl = { 0x1f, 7 * 3600,
					    17 * 3600 };

static void
community_init(struct config_community *c, struct config_member *m,
    struct config_member **mp, const struct tz *tz)
{
	memset(c, 0, sizeof(*c));
	c->id = "bench";
	c->cadence = CONFIG_CADENCE_WEEKLY;
	c->day = -1;
	c->time_auto = true;
	c->duration = 45 * 60;
	c->window = (struct config_weekly *)&window;
	c->nwindow = 1;
	c->min_attendance = 0.75;
	c->start = (struct civil_date){ FROM_Y, FROM_M, FROM_D };
	c->tz = tz;
	for (int i = 0; i < MEMBERS; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].id = "m";
		m[i].tz = tz;
		m[i].available = (struct config_weekly *)&avail_tmpl;
		m[i].navailable = 1;
		mp[i] = &m[i];
	}
	c->members = mp;
	c->nmembers = MEMBERS;
}

/* Rank one community; its members' busy sets are given. */
static int
rank(const struct config_community *c, struct config_member *m,
    struct avail **busy, int64_t from, int64_t to, double *attendance)
{
	struct slots_member	 sm[MEMBERS];
	struct slots_input	 in;
	struct slots_ranking	*r = NULL;
	char			*err = NULL;
	int			 rc;

	memset(&in, 0, sizeof(in));
	for (int i = 0; i < MEMBERS; i++) {
		sm[i].member = &m[i];
		sm[i].required = true;
		sm[i].free = avail_member(&m[i], c, busy[i], from, to);
	}
	in.community = c;
	in.members = sm;
	in.nmembers = MEMBERS;
	in.from = from;
	in.to = to;
	rc = slots_rank(&in, &r, &err);
	if (rc == 0 && slots_count(r) > 0)
		*attendance = slots_get(r, 0)->attendance;
	if (rc != 0) {
		fprintf(stderr, "slots_bench: %s\n", err);
		free(err);
	}
	slots_ranking_free(r);
	for (int i = 0; i < MEMBERS; i++)
		avail_free(sm[i].free);
	return rc;
}

static const char *const bd[] = { "MO", "TU", "WE", "TH", "FR" };

static int
gen(const char *dir)
{
	struct ev	e[EVENTS];
	char		path[4096];
	FILE		*f;
	uint64_t	seed = SEED;

	for (int k = 0; k < MEMBERS; k++) {
		gen_events(&seed, e);
		snprintf(path, sizeof(path), "%s/m%d.ics", dir, k);
		if ((f = fopen(path, "w")) == NULL)
			return 1;
		fprintf(f, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		    "PRODID:-//bench//EN\r\n");
		for (int i = 0; i < EVENTS; i++) {
			int d = FROM_D + e[i].day, s = e[i].start,
			    t = e[i].start + e[i].len;

			fprintf(f, "BEGIN:VEVENT\r\nUID:%d.%d@bench\r\n"
			    "DTSTAMP:20260101T000000Z\r\n"
			    "DTSTART;TZID=America/New_York:%04d%02d%02dT%02d%02d00\r\n"
			    "DTEND;TZID=America/New_York:%04d%02d%02dT%02d%02d00\r\n"
			    "RRULE:FREQ=WEEKLY;INTERVAL=%d;BYDAY=%s\r\n"
			    "END:VEVENT\r\n", k, i, FROM_Y, FROM_M, d,
			    s / 3600, s / 60 % 60, FROM_Y, FROM_M, d,
			    t / 3600, t / 60 % 60, e[i].every, bd[e[i].day]);
		}
		fprintf(f, "END:VCALENDAR\r\n");
		fclose(f);
	}
	return 0;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "r");
	char	*b;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	*len = fread(b, 1, (size_t)n, f);
	b[*len] = '\0';
	fclose(f);
	return b;
}

static int
parse(const char *dir, const struct tz *tz, int64_t from, int64_t to)
{
	struct config_community	 c;
	struct config_member	 m[MEMBERS], *mp[MEMBERS];
	struct avail		*busy[MEMBERS];
	char			 path[4096], *text, *err = NULL;
	size_t			 len, nint = 0;
	double			 t0, t1, t2, att = 0;

	community_init(&c, m, mp, tz);
	t0 = mono();
	for (int k = 0; k < MEMBERS; k++) {
		snprintf(path, sizeof(path), "%s/m%d.ics", dir, k);
		if ((text = slurp(path, &len)) == NULL)
			return 1;
		busy[k] = avail_new();
		if (ical_busy(text, len, tz, from, to, busy[k], &err) == -1) {
			fprintf(stderr, "slots_bench: %s: %s\n", path, err);
			return 1;
		}
		nint += avail_count(busy[k]);
		free(text);
	}
	t1 = mono();
	if (rank(&c, m, busy, from, to, &att) != 0)
		return 1;
	t2 = mono();
	printf("busy_intervals %zu\n", nint);
	printf("parse_ms %.1f\n", (t1 - t0) * 1000);
	printf("rank_ms %.2f\n", (t2 - t1) * 1000);
	printf("best_attendance %.3f\n", att);
	for (int k = 0; k < MEMBERS; k++)
		avail_free(busy[k]);
	return 0;
}

static int
district(long n, const struct tz *tz, int64_t from, int64_t to)
{
	struct config_community	 c;
	struct config_member	 m[MEMBERS], *mp[MEMBERS];
	struct avail		*busy[MEMBERS];
	struct ev		 e[EVENTS];
	struct civil_date	 d0 = { FROM_Y, FROM_M, FROM_D };
	struct avail_day	*days = calloc(WEEKS * 7, sizeof(*days));
	double			 gen_s = 0, rank_s = 0, t0, att = 0, sum = 0;
	size_t			 nint = 0;
	uint64_t		 seed = SEED;

	community_init(&c, m, mp, tz);
	/* The calendars are made of plain intervals, outside the timing. */
	for (int i = 0; i < WEEKS * 7; i++)
		avail_day_init(&days[i], tz, civil_date_add(d0, i));
	for (long i = 0; i < n; i++) {
		t0 = mono();
		for (int k = 0; k < MEMBERS; k++) {
			gen_events(&seed, e);
			busy[k] = avail_new();
			for (int w = 0; w < WEEKS; w++)
				for (int j = 0; j < EVENTS; j++) {
					if (w % e[j].every != 0)
						continue;
					int64_t s = avail_day_at(&days[7 * w +
					    e[j].day], e[j].start);
					avail_add(busy[k], s, s + e[j].len);
				}
			nint += avail_count(busy[k]);
		}
		gen_s += mono() - t0;
		t0 = mono();
		if (rank(&c, m, busy, from, to, &att) != 0)
			return 1;
		rank_s += mono() - t0;
		sum += att;
		for (int k = 0; k < MEMBERS; k++)
			avail_free(busy[k]);
	}
	printf("communities %ld\n", n);
	printf("busy_intervals %zu\n", nint);
	printf("generate_s %.2f\n", gen_s);
	printf("rank_s %.3f\n", rank_s);
	printf("rank_ms_per_community %.2f\n", rank_s * 1000 / (double)n);
	printf("mean_best_attendance %.3f\n", sum / (double)n);
	free(days);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct tz	*tz = tz_find("America/New_York");
	struct civil_time midnight = { 0, 0, 0 };
	int64_t		 from, to;
	int		 rc = 64;

	from = (int64_t)tz_to_utc(tz, (struct civil_date){ FROM_Y, FROM_M,
	    FROM_D }, midnight);
	to = from + (int64_t)WEEKS * 7 * 86400;
	if (argc == 3 && strcmp(argv[1], "gen") == 0)
		rc = gen(argv[2]);
	else if (argc == 3 && strcmp(argv[1], "parse") == 0)
		rc = parse(argv[2], tz, from, to);
	else if (argc == 3 && strcmp(argv[1], "district") == 0)
		rc = district(atol(argv[2]), tz, from, to);
	else
		fprintf(stderr, "usage: slots_bench gen|parse DIR | "
		    "district N\n");
	tz_shutdown();
	return rc;
}
