/* cmd_check: validate the config and show what it means. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "busy.h"
#include "cadence.h"
#include "civil.h"
#include "cmd.h"
#include "outbox.h"
#include "plan.h"
#include "publish.h"
#include "series.h"
#include "store.h"
#include "worksum.h"
#include "xmalloc.h"

#define CHECK_NEXT	3

static void
check_print_ids(const char *label, struct config_member *const *m, size_t n)
{
	size_t	i;

	printf("  %-12s", label);
	for (i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", m[i]->id);
	printf("%s\n", n ? "" : "(none)");
}

static void
check_print_cadence(const struct config_community *c)
{
	static const char *const kinds[] = { "weekly", "biweekly", "monthly" };
	char	tb[CIVIL_TIME_LEN], db[CIVIL_DUR_LEN], sb[CIVIL_DATE_LEN];
	char	ub[CIVIL_DATE_LEN];

	printf("  %-12s", "cadence");
	if (c->cadence == CONFIG_CADENCE_RRULE)
		printf("rrule %s", c->rrule);
	else if (c->cadence == CONFIG_CADENCE_MONTHLY)
		printf("monthly, %s %s", c->week == -1 ? "last" :
		    (const char *[]){ "", "1st", "2nd", "3rd", "4th" }[c->week],
		    c->day == -1 ? "auto" : civil_weekday_abbr(c->day));
	else
		printf("%s, %s", kinds[c->cadence],
		    c->day == -1 ? "auto" : civil_weekday_abbr(c->day));
	printf(" at %s for %s, from %s",
	    c->time_auto ? "auto" : civil_time_format(c->time, tb),
	    civil_duration_format(c->duration, db),
	    civil_date_format(c->start, sb));
	if (c->has_until)
		printf(" until %s", civil_date_format(c->until, ub));
	printf("\n");
}

/*
 * The work section of the next meeting as a community post would carry it
 * now (worksum_render, the one renderer), indented under "work".
 */
static void
check_print_work(const struct config *cfg, const struct config_community *c,
    struct store *st, time_t now, const time_t *starts, size_t nstarts)
{
	struct store_action_filter	 f = { c->id, NULL, -1 };
	struct store_action		*acts = NULL;
	struct worksum_item		*items;
	struct worksum_view		 v;
	char				*err = NULL, *s, *line, *e;
	size_t				 na = 0, n;

	if (store_action_list(st, &f, &acts, &na, &err) == -1) {
		printf("  %-12s%s\n", "work", err);
		free(err);
		return;
	}
	items = outbox_work_items(cfg, acts, na, now, &n);
	memset(&v, 0, sizeof(v));
	v.ctz = c->tz;
	v.at = now;
	worksum_around(starts, nstarts, now, &v.last, &v.next);
	v.community = c->id;
	s = worksum_render(items, n, &v);
	for (line = s; *line != '\0'; line = e + 1) {
		e = strchr(line, '\n');
		printf("  %-12s%.*s\n", line == s ? "work" : "",
		    (int)(e - line), line);
	}
	free(s);
	free(items);
	store_action_list_free(acts, na);
}

/* The next meetings after now, skipping those called off; an auto
 * community's at the slot the worker placed it (st may be NULL: none). */
static int
check_print_next(const struct config *cfg, const struct config_community *c,
    struct store *st, time_t now, int64_t horizon)
{
	struct cadence_occ	*occ = NULL;
	time_t			*starts = NULL;
	size_t			 nstarts = 0;
	struct civil_time	 at = c->time;
	char			*err = NULL, ib[CMD_INSTANT_LEN];
	char			 ob[CIVIL_DATE_LEN], tb[CIVIL_TIME_LEN];
	long			 n, i, shown = 0;
	bool			 placed = false;
	int			 rc = -1, day = c->day;

	if (st != NULL && series_is_auto(c) &&
	    series_slot(st, c, &placed, &day, &at, &err) == -1) {
		fprintf(stderr, "plc-cadence: community %s: %s\n", c->id, err);
		goto out;
	}
	if (placed && series_is_auto(c))
		printf("  %-12s%s%s%s (auto: placed by the worker from members' "
		    "availability; `slots %s` shows why)\n", "slot",
		    day >= 0 ? civil_weekday_abbr(day) : "",
		    day >= 0 ? " " : "", civil_time_format(at, tb), c->id);
	else if (c->day == -1 && c->cadence != CONFIG_CADENCE_RRULE) {
		printf("  %-12s%s\n", "next", "day = auto: placed by the worker "
		    "from members' availability");
		rc = 0;
		goto out;
	}
	else if (c->time_auto) {
		printf("  %-12s%s\n", "next", "time = auto: placed by the "
		    "worker from members' availability");
		rc = 0;
		goto out;
	}
	/* From further back: the work section names the last meeting. */
	n = cadence_expand(c, day, at, now - PLAN_WORK_LOOKBACK,
	    now + (time_t)horizon, &occ, &err);
	if (n < 0) {
		fprintf(stderr, "plc-cadence: community %s: %s\n", c->id, err);
		goto out;
	}
	starts = xcalloc((size_t)n + 1, sizeof(*starts));
	for (i = 0; i < n; i++)
		if (!occ[i].cancelled)
			starts[nstarts++] = occ[i].start;
	for (i = 0; i < n && shown < CHECK_NEXT; i++) {
		if (occ[i].cancelled || occ[i].start < now)
			continue;
		printf("  %-12s%s", shown ? "" : "next",
		    cmd_format_instant(occ[i].start, c->tz, ib));
		if (occ[i].moved)
			printf("  (moved from %s%s)",
			    civil_date_format(occ[i].orig, ob),
			    cadence_skipped(c, occ[i].orig) ?
			    ": moved out of a skipped date" : "");
		printf("\n");
		shown++;
	}
	if (shown == 0)
		printf("  %-12s(none within the horizon)\n", "next");
	else if (st != NULL)
		check_print_work(cfg, c, st, now, starts, nstarts);
	rc = 0;
out:
	free(occ);
	free(starts);
	free(err);
	return rc;
}

/* The epochs of c's series when it has had more than one slot, as they
 * stand with the config as it is now (nothing is recorded). */
static int
check_print_epochs(const struct config *cfg,
    const struct config_community *c, struct store *st, time_t now)
{
	struct series_history	 h;
	char			*err = NULL, *line;

	if (st == NULL)
		return 0;
	if (series_history(cfg, st, c, now, SERIES_LOOK, &h, &err) == -1) {
		fprintf(stderr, "plc-cadence: community %s: %s\n", c->id, err);
		free(err);
		return -1;
	}
	if (h.n > 1) {
		line = series_history_line(&h);
		printf("  %-12s%s\n", "epochs", line);
		free(line);
	}
	series_history_free(&h);
	return 0;
}

/* How one fetched or read calendar was last read, from the store. */
static void
check_print_source(const struct config *cfg, struct store *st,
    const char *who, const char *source)
{
	struct store_busy	 b;
	char			*shown, *err = NULL, ib[CMD_INSTANT_LEN];
	bool			 found = false;

	shown = busy_display(source);
	if (st != NULL && store_busy_get(st, source, &found, &b, &err) == -1) {
		printf("  %s %s: %s\n", who, shown, err);
		free(err);
	} else if (!found)
		printf("  %s %s: not read yet\n", who, shown);
	else {
		if (b.error != NULL)
			printf("  %s %s: FAILING: %s\n", who, shown, b.error);
		else
			printf("  %s %s: ok\n", who, shown);
		if (b.has_copy)
			printf("    last good copy from %s\n",
			    cmd_format_instant(b.fetched, cfg->worker.tz, ib));
		store_busy_clear(&b);
	}
	free(shown);
}

/* How each member's busy calendars and each holiday calendar URL were
 * last read, from the store. */
static void
check_print_busy(const struct config *cfg, struct store *st)
{
	const struct config_member	*m;
	const struct config_calendar	*cal;
	size_t				 i, j, header = 0;

	for (i = 0; i < cfg->nmembers; i++) {
		m = &cfg->members[i];
		for (j = 0; j < m->nbusy; j++) {
			if (header++ == 0)
				printf("\nbusy calendars\n");
			check_print_source(cfg, st, m->id, m->busy[j]);
		}
	}
	header = 0;
	for (i = 0; i < cfg->ncalendars; i++) {
		cal = &cfg->calendars[i];
		if (cal->source == NULL || !busy_is_url(cal->source))
			continue;
		if (header++ == 0)
			printf("\nholiday calendars\n");
		check_print_source(cfg, st, cal->id, cal->source);
	}
}

/* The store, only when there is one: check creates nothing. */
static struct store *
check_store(const struct config *cfg)
{
	struct store	*st = NULL;
	char		*path = publish_db_path(cfg->worker.state_dir), *err = NULL;

	if (store_open_existing(path, &st, &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		free(err);
		st = NULL;
	}
	free(path);
	return st;
}

int
cmd_check(struct cmd_ctx *ctx)
{
	const struct config	*cfg = ctx->cfg;
	time_t			 given, now;
	struct store		*st;
	bool			 have_now;
	int			 rc;
	size_t			 i;

	if ((rc = cmd_now_options(ctx, "check [--now TIME]", &given,
	    &have_now)) != -1)
		return rc;
	rc = EX_OK;
	if (optind != ctx->argc) {
		fprintf(stderr, "plc-cadence: check takes no arguments\n");
		return EX_USAGE;
	}
	now = cmd_now(have_now ? &given : NULL);
	st = check_store(cfg);

	printf("%s: ok: %zu communit%s, %zu member%s, %zu channel%s, "
	    "%zu calendar%s\n", cfg->path, cfg->ncommunities,
	    cfg->ncommunities == 1 ? "y" : "ies", cfg->nmembers,
	    cfg->nmembers == 1 ? "" : "s", cfg->nchannels,
	    cfg->nchannels == 1 ? "" : "s", cfg->ncalendars,
	    cfg->ncalendars == 1 ? "" : "s");
	/* From a shell the credentials are the service's: say what was not
	 * checked rather than fail (run refuses to start without them). */
	if (config_secret_unavailable(cfg) != NULL)
		fprintf(stderr, "plc-cadence: note: credential: secrets (%s "
		    "first) are not checked: $CREDENTIALS_DIRECTORY is not "
		    "set outside the service\n",
		    config_secret_unavailable(cfg));
	for (i = 0; i < cfg->ncommunities; i++) {
		const struct config_community *c = &cfg->communities[i];

		printf("\ncommunity %s: %s (%s)\n", c->id, c->name,
		    tz_name(c->tz));
		printf("  %-12s%s\n", "facilitator", c->facilitator->id);
		check_print_ids("members", c->members, c->nmembers);
		if (c->noptional)
			check_print_ids("optional", c->optional, c->noptional);
		check_print_cadence(c);
		if (check_print_epochs(cfg, c, st, now) == -1)
			rc = EX_DATAERR;
		if (check_print_next(cfg, c, st, now, cfg->worker.horizon) == -1)
			rc = EX_DATAERR;
	}
	check_print_busy(cfg, st);
	store_close(st);
	return rc;
}
