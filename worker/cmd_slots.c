/* cmd_slots: `slots ID [--weeks N] [--json] [--now TIME]`: who is free when. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd.h"
#include "place.h"
#include "series.h"
#include "slots.h"
#include "store.h"
#include "tz.h"
#include "xmalloc.h"

#define SLOTS_BEST	5
#define SLOTS_MAX_WEEKS	104

static const char *const slots_day3[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	"Sat", "Sun" };

/* "Tue 15:30", or "15:30" for an rrule cadence. */
static char *
slots_label(const struct slots_candidate *s)
{
	char	tb[CIVIL_TIME_LEN];

	civil_time_format(s->at, tb);
	if (s->day < 0)
		return xstrdup(tb);
	return xasprintf("%s %s", slots_day3[s->day], tb);
}

static json_t *
slots_json_cand(const struct place_input *pi, const struct slots_candidate *s)
{
	json_t	*o, *miss;
	char	 tb[CIVIL_TIME_LEN];
	size_t	 j;

	miss = json_array();
	for (j = 0; j < pi->in.nmembers; j++)
		if (s->missed[j] > 0)
			json_array_append_new(miss, json_pack("{s:s, s:b, s:i}",
			    "member", pi->members[j].member->id, "required",
			    pi->members[j].required, "meetings",
			    (json_int_t)s->missed[j]));
	o = json_pack("{s:s?, s:s, s:f, s:I, s:I, s:I, s:b, s:o}",
	    "day", s->day >= 0 ? civil_weekday_abbr(s->day) : NULL,
	    "time", civil_time_format(s->at, tb),
	    "attendance", s->attendance,
	    "meetings", (json_int_t)s->meetings,
	    "required_free", (json_int_t)s->required_free,
	    "optional_free", (json_int_t)s->optional_free,
	    "current", s->current, "cannot_come", miss);
	return o;
}

static int
slots_json(const struct place_input *pi, const struct slots_ranking *r,
    const struct slots_heatmap *h, int weeks)
{
	const struct config_community	*c = pi->in.community;
	const struct slots_candidate	*s;
	json_t				*o, *members, *days, *rows, *best, *row;
	json_t				*cells, *choice;
	char				 tb[CIVIL_TIME_LEN];
	size_t				 i, j;
	bool				 kept = false;
	int				 rc = EX_OK;

	members = json_array();
	for (j = 0; j < pi->in.nmembers; j++)
		json_array_append_new(members, json_pack("{s:s, s:b}", "id",
		    pi->members[j].member->id, "required",
		    pi->members[j].required));
	days = json_array();
	for (j = 0; j < h->ndays; j++)
		json_array_append_new(days,
		    json_string(civil_weekday_abbr(h->days[j])));
	rows = json_array();
	for (i = 0; i < h->nrows; i++) {
		cells = json_array();
		for (j = 0; j < h->ndays; j++) {
			double v = h->cells[i * h->ndays + j];

			json_array_append_new(cells, v < 0 ? json_null() :
			    json_real(v));
		}
		row = json_pack("{s:s, s:o}", "time", civil_time_format(
		    civil_time_from_secs(h->first + (int)i * SLOTS_GRID), tb),
		    "free", cells);
		json_array_append_new(rows, row);
	}
	best = json_array();
	for (i = 0; i < slots_count(r) && i < SLOTS_BEST; i++)
		json_array_append_new(best, slots_json_cand(pi, slots_get(r,
		    i)));
	/* A fixed slot is the config's: the worker makes no choice. */
	s = series_is_auto(c) ? slots_choice(r, &kept) : NULL;
	choice = s == NULL ? json_null() : slots_json_cand(pi, s);
	if (s != NULL)
		json_object_set_new(choice, "kept", json_boolean(kept));
	o = json_pack("{s:s, s:s, s:b, s:i, s:I, s:f, s:o, s:{s:o, s:o}, s:o, "
	    "s:o, s:o, s:I}",
	    "community", c->id, "timezone", tz_name(c->tz),
	    "auto", series_is_auto(c),
	    "weeks", weeks, "duration_minutes", (json_int_t)(c->duration / 60),
	    "min_attendance", c->min_attendance,
	    "members", members,
	    "heatmap", "days", days, "rows", rows,
	    "best", best,
	    "current", slots_current(r) != NULL ?
	    slots_json_cand(pi, slots_current(r)) : json_null(),
	    "choice", choice,
	    "busy_failures", (json_int_t)pi->failed);
	if (json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == -1)
		rc = EX_IOERR;
	printf("\n");
	json_decref(o);
	return rc;
}

/* A cell's colour on a terminal: how much of the community is free. */
static const char *
slots_colour(double v, size_t n)
{
	if (n == 0 || v < (double)n * 0.5)
		return "\033[41;97m";		/* red: under half */
	if (v < (double)n - 0.05)
		return "\033[43;30m";		/* yellow: most */
	return "\033[42;30m";			/* green: all */
}

static void
slots_text(const struct place_input *pi, const struct slots_ranking *r,
    const struct slots_heatmap *h, int weeks, time_t from)
{
	const struct config_community	*c = pi->in.community;
	const struct slots_candidate	*s;
	char				 ib[CMD_INSTANT_LEN], *label;
	size_t				 i, j, k, nreq = 0;
	bool				 tty = isatty(STDOUT_FILENO), kept;
	double				 v;

	for (j = 0; j < pi->in.nmembers; j++)
		nreq += pi->members[j].required;
	printf("community %s: %s (%s), %lld minute%s, %d week%s from %s\n",
	    c->id, c->name != NULL ? c->name : c->id, tz_name(c->tz),
	    (long long)c->duration / 60, c->duration / 60 == 1 ? "" : "s",
	    weeks, weeks == 1 ? "" : "s",
	    cmd_format_instant(from, c->tz, ib));
	printf("free members per quarter hour, of %zu (%zu required), "
	    "averaged over the weeks; . = outside the window\n\n",
	    pi->in.nmembers, nreq);
	printf("%5s", "");
	for (j = 0; j < h->ndays; j++)
		printf("  %s", slots_day3[h->days[j]]);
	printf("\n");
	for (i = 0; i < h->nrows; i++) {
		k = (size_t)(h->first + (int)i * SLOTS_GRID);
		printf("%02zu:%02zu", k / 3600, k / 60 % 60);
		for (j = 0; j < h->ndays; j++) {
			v = h->cells[i * h->ndays + j];
			if (v < 0)
				printf("%5s", ".");
			else if (tty)
				printf(" %s%3.0f\033[0m", slots_colour(v,
				    pi->in.nmembers), v);
			else
				printf("%5.0f", v);
		}
		printf("\n");
	}
	printf("\nbest slots\n");
	if (slots_count(r) == 0)
		printf("  (none: no %lld-minute slot fits the window)\n",
		    (long long)c->duration / 60);
	for (i = 0; i < slots_count(r) && i < SLOTS_BEST; i++) {
		s = slots_get(r, i);
		label = slots_label(s);
		printf("  %zu. %-10s %3.0f%% of required, %ld meetings%s\n",
		    i + 1, label, s->attendance * 100, s->meetings,
		    s->current ? "  (current)" : "");
		free(label);
		k = 0;
		for (j = 0; j < pi->in.nmembers; j++) {
			if (s->missed[j] == 0)
				continue;
			printf("%s%s%s (%ld of %ld)", k++ ? ", " :
			    "     cannot come: ", pi->members[j].member->id,
			    pi->members[j].required ? "" : " [optional]",
			    s->missed[j], s->meetings);
		}
		if (k > 0)
			printf("\n");
	}
	if (!series_is_auto(c)) {
		if ((s = slots_current(r)) != NULL) {
			label = slots_label(s);
			printf("\nfixed at %s by the config (%.0f%% can come); "
			    "day = auto or time = auto lets the worker choose\n",
			    label, s->attendance * 100);
			free(label);
		}
	} else if ((s = slots_choice(r, &kept)) != NULL) {
		label = slots_label(s);
		if (kept)
			printf("\nholding %s: %.0f%% can come, at least the "
			    "min_attendance of %.0f%%\n", label,
			    s->attendance * 100, c->min_attendance * 100);
		else if (slots_current(r) != NULL || pi->in.has_current)
			printf("\nmoving to %s: the current slot is below the "
			    "min_attendance of %.0f%%\n", label,
			    c->min_attendance * 100);
		else
			printf("\nplacing at %s\n", label);
		free(label);
	}
	if (pi->failed > 0)
		printf("\n%zu busy calendars could not be read (see check); "
		    "their last good copies are used\n", pi->failed);
}

int
cmd_slots(struct cmd_ctx *ctx)
{
	static const char	 usage[] = "slots ID [--weeks N] [--json] "
				    "[--now TIME]";
	static const struct option opts[] = {
		{ "weeks", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct config		*cfg = ctx->cfg;
	const struct config_community	*c;
	struct place_input		 pi;
	struct slots_ranking		*r = NULL;
	struct slots_heatmap		 h;
	struct store			*st = NULL;
	struct civil_date		 today;
	struct civil_time		 tnow;
	time_t				 given, now, from, to;
	char				*err = NULL, *end;
	bool				 json = false, have_now = false;
	long				 weeks = -1;
	int				 ch, rc;

	memset(&pi, 0, sizeof(pi));
	memset(&h, 0, sizeof(h));
	/* 0: a fresh scan that permutes, so the ID may come anywhere
	 * (main's '+' scan left getopt in order-keeping mode). */
	optind = 0;
	while ((ch = getopt_long(ctx->argc, ctx->argv, "h", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'w':
			weeks = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || weeks < 1 ||
			    weeks > SLOTS_MAX_WEEKS) {
				fprintf(stderr, "plc-cadence: --weeks takes "
				    "a number of weeks from 1 to %d\n",
				    SLOTS_MAX_WEEKS);
				return EX_USAGE;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'n':
			if (cmd_opt_now(optarg, cfg->worker.tz, &given) == -1)
				return EX_USAGE;
			have_now = true;
			break;
		case 'h':
			printf("usage: plc-cadence [-c FILE] %s\n", usage);
			return EX_OK;
		default:
			fprintf(stderr, "usage: plc-cadence [-c FILE] %s\n",
			    usage);
			return EX_USAGE;
		}
	}
	if (ctx->argc - optind != 1) {
		fprintf(stderr, "usage: plc-cadence [-c FILE] %s\n", usage);
		return EX_USAGE;
	}
	if ((c = config_community_find(cfg, ctx->argv[optind])) == NULL) {
		fprintf(stderr, "plc-cadence: no community '%s' in %s\n",
		    ctx->argv[optind], cfg->path);
		return EX_DATAERR;
	}
	/* The worker ranks over its horizon; so does this by default. */
	if (weeks < 0)
		weeks = (long)((cfg->worker.horizon + 7 * CIVIL_DAY - 1) /
		    (7 * CIVIL_DAY));
	now = cmd_now(have_now ? &given : NULL);
	/* Whole days in the community's zone, from the start of today: the
	 * answer must not change with the minute it is asked (a meeting cut
	 * by the range's ends would count as missed by everyone). */
	tz_from_utc(c->tz, now, &today, &tnow);
	from = tz_to_utc(c->tz, today, civil_time_from_secs(0));
	to = tz_to_utc(c->tz, civil_date_add(today, weeks * 7),
	    civil_time_from_secs(0));
	if ((rc = cmd_open_store(cfg, &st)) != EX_OK)
		goto out;
	rc = EX_TEMPFAIL;
	if (place_input(cfg, c, st, now, from, to, true, NULL, &pi,
	    &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		goto out;
	}
	if (!series_is_auto(c)) {
		/* A fixed slot: rank the whole window beside it, as advice. */
		pi.in.explore = true;
		pi.in.has_current = c->cadence != CONFIG_CADENCE_RRULE;
		pi.in.current_day = c->day;
		pi.in.current_at = c->time;
	}
	if (slots_rank(&pi.in, &r, &err) == -1) {
		fprintf(stderr, "plc-cadence: community %s: %s\n", c->id, err);
		rc = EX_DATAERR;
		goto out;
	}
	slots_heatmap(&pi.in, &h);
	if (json)
		rc = slots_json(&pi, r, &h, (int)weeks);
	else {
		slots_text(&pi, r, &h, (int)weeks, from);
		rc = EX_OK;
	}
out:
	slots_heatmap_free(&h);
	slots_ranking_free(r);
	place_input_free(&pi);
	store_close(st);
	free(err);
	return rc;
}
