/* cmd_meeting: `meeting show|move|cancel|restore|attend` (issue 16). */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cadence.h"
#include "civil.h"
#include "cmd.h"
#include "meeting.h"
#include "outbox.h"
#include "plan.h"
#include "publish.h"
#include "schedule.h"
#include "series.h"
#include "store.h"
#include "tz.h"
#include "worksum.h"
#include "xmalloc.h"

/*
 * The subcommands.  Each gets the context with argv[0] its own name and
 * parses its own options.  Another branch adds its subcommand here with
 * one line (e.g. { "attend", cmd_meeting_attend, "attend ID DATE …" }).
 */
static int	meeting_show(struct cmd_ctx *);
static int	meeting_move(struct cmd_ctx *);
static int	meeting_cancel(struct cmd_ctx *);
static int	meeting_restore(struct cmd_ctx *);

static const struct {
	const char	*name;
	int		(*fn)(struct cmd_ctx *);
	const char	*usage;
} meeting_subs[] = {
	{ "show", meeting_show, "meeting show ID DATE [--json] [--now T]" },
	{ "move", meeting_move,
	    "meeting move ID DATE --to \"DATE HH:MM\" [--now T]" },
	{ "cancel", meeting_cancel,
	    "meeting cancel ID DATE [--note TEXT] [--now T]" },
	{ "restore", meeting_restore, "meeting restore ID DATE [--now T]" },
	{ "attend", cmd_meeting_attend,
	    "meeting attend ID DATE [--present M,M…] [--absent M,M…]" },
};
#define MEETING_NSUBS	(sizeof(meeting_subs) / sizeof(meeting_subs[0]))

static void
meeting_usage(FILE *f)
{
	size_t	i;

	for (i = 0; i < MEETING_NSUBS; i++)
		fprintf(f, "%s plc-cadence [-c FILE] %s\n", i ? "      " :
		    "usage:", meeting_subs[i].usage);
}

int
cmd_meeting(struct cmd_ctx *ctx)
{
	struct cmd_ctx	 sub = *ctx;
	size_t		 i;

	if (ctx->argc < 2 || strcmp(ctx->argv[1], "--help") == 0 ||
	    strcmp(ctx->argv[1], "-h") == 0) {
		meeting_usage(ctx->argc < 2 ? stderr : stdout);
		return ctx->argc < 2 ? EX_USAGE : EX_OK;
	}
	for (i = 0; i < MEETING_NSUBS; i++)
		if (strcmp(ctx->argv[1], meeting_subs[i].name) == 0)
			break;
	if (i == MEETING_NSUBS) {
		fprintf(stderr, "plc-cadence: meeting: unknown subcommand '");
		cmd_print_clean(stderr, ctx->argv[1]);
		fprintf(stderr, "' (show, move, cancel, restore)\n");
		return EX_USAGE;
	}
	sub.argc = ctx->argc - 1;
	sub.argv = ctx->argv + 1;
	return meeting_subs[i].fn(&sub);
}

/* What every subcommand takes: the options, and ID DATE. */
struct meeting_args {
	const struct config_community	*c;
	struct civil_date		 date;
	time_t				 now;
	bool				 json;
	const char			*to, *note;
};

enum { MA_JSON = 1, MA_TO = 2, MA_NOTE = 4 };

/* Parse sub's options (those in allowed) and ID DATE; -1 to go on, else
 * the exit status. */
static int
meeting_parse(struct cmd_ctx *ctx, int allowed, const char *usage,
    struct meeting_args *a)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "to", required_argument, NULL, 't' },
		{ "note", required_argument, NULL, 'm' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct config	*cfg = ctx->cfg;
	bool			 have_now = false;
	int			 ch, given = 0;

	memset(a, 0, sizeof(*a));
	optind = 0;
	while ((ch = getopt_long(ctx->argc, ctx->argv, "h", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'j': a->json = true; given |= MA_JSON; break;
		case 't': a->to = optarg; given |= MA_TO; break;
		case 'm': a->note = optarg; given |= MA_NOTE; break;
		case 'n':
			if (cmd_opt_now(optarg, cfg->worker.tz, &a->now) == -1)
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
	if ((given & ~allowed) != 0 || ctx->argc - optind != 2) {
		fprintf(stderr, "usage: plc-cadence [-c FILE] %s\n", usage);
		return EX_USAGE;
	}
	if (!have_now)
		a->now = cmd_now(NULL);
	if ((a->c = config_community_find(cfg, ctx->argv[optind])) ==
	    NULL) {
		fprintf(stderr, "plc-cadence: meeting: no community '");
		cmd_print_clean(stderr, ctx->argv[optind]);
		fprintf(stderr, "' in %s\n", cfg->path);
		return EX_DATAERR;
	}
	if (civil_date_parse(ctx->argv[optind + 1], &a->date) == -1) {
		fprintf(stderr, "plc-cadence: meeting: '");
		cmd_print_clean(stderr, ctx->argv[optind + 1]);
		fprintf(stderr, "' is not a date (YYYY-MM-DD)\n");
		return EX_DATAERR;
	}
	return -1;
}

/*
 * The slot of c's series (auto parts from the store), and whether date is
 * one of its meetings: EX_OK, or the exit status after saying why.
 */
static int
meeting_of_series(struct store *st, const struct config_community *c,
    struct civil_date date, int *day, struct civil_time *at)
{
	char	 a[CIVIL_DATE_LEN], *err = NULL;
	bool	 placed, yes;

	if (series_slot(st, c, &placed, day, at, &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		free(err);
		return EX_TEMPFAIL;
	}
	if (!placed) {
		fprintf(stderr, "plc-cadence: meeting: community %s has no "
		    "slot yet (its day or time is auto and not placed)\n",
		    c->id);
		return EX_DATAERR;
	}
	if (cadence_is_date(c, *day, *at, date, &yes, &err) == -1) {
		fprintf(stderr, "plc-cadence: community %s: %s\n", c->id, err);
		free(err);
		return EX_DATAERR;
	}
	/* A skipped date holds a meeting only when a move takes it out. */
	if (!yes || (cadence_skipped(c, date) &&
	    cadence_move_of(c, date) == NULL)) {
		fprintf(stderr, "plc-cadence: meeting: %s is not a meeting of "
		    "community %s%s\n", civil_date_format(date, a), c->id,
		    yes ? " (the date is skipped)" : "");
		return EX_DATAERR;
	}
	return EX_OK;
}

static bool
meeting_away(const struct config_member *m, struct civil_date d)
{
	size_t	i;

	for (i = 0; i < m->naway; i++)
		if (civil_date_cmp(m->away[i].from, d) <= 0 &&
		    civil_date_cmp(d, m->away[i].to) <= 0)
			return true;
	return false;
}

static const struct store_rsvp *
meeting_answer_of(const struct store_rsvp *v, size_t n, const char *member)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].member, member) == 0)
			return &v[i];
	return NULL;
}

static const char *
meeting_answer_word(const struct store_rsvp *r)
{
	return r == NULL ? "none" : r->answer == STORE_RSVP_YES ? "yes" : "no";
}

/* The attendance recorded of member at a meeting: "present", "absent" or
 * NULL (none recorded). */
static const char *
meeting_attended(const struct store_attend *v, size_t n, const char *member)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].member, member) == 0)
			return v[i].present ? "present" : "absent";
	return NULL;
}

/*
 * The meeting's work section as a community post would carry it
 * (worksum_render through outbox_work_items, as every reminder does): the
 * last meeting before it and it as the next, read at now or, for a meeting
 * that has started, at its start.  Allocated; NULL with *err on a failed
 * read.
 */
static char *
meeting_work(const struct config *cfg, const struct config_community *c,
    struct store *st, int day, struct civil_time at,
    const struct cadence_occ *occ, time_t now, char **err)
{
	struct store_action_filter	 f = { c->id, NULL, -1 };
	struct store_action		*acts = NULL;
	struct worksum_item		*items = NULL;
	struct worksum_view		 v;
	struct cadence_occ		*occs = NULL;
	time_t				*starts = NULL;
	size_t				 na = 0, n = 0, ns = 0;
	long				 k, i;
	char				*s = NULL;

	memset(&v, 0, sizeof(v));
	v.ctz = c->tz;
	v.at = now < occ->start ? now : occ->start;
	v.community = c->id;
	if (store_action_list(st, &f, &acts, &na, err) == -1)
		goto out;
	if ((k = cadence_expand(c, day, at, occ->start - PLAN_WORK_LOOKBACK,
	    occ->start + 1, &occs, err)) < 0)
		goto out;
	starts = xcalloc((size_t)k + 1, sizeof(*starts));
	for (i = 0; i < k; i++)
		if (!occs[i].cancelled)
			starts[ns++] = occs[i].start;
	/* The last before it, and this one as the next. */
	worksum_around(starts, ns, occ->start, &v.last, &v.next);
	items = outbox_work_items(cfg, acts, na, v.at, &n);
	s = worksum_render(items, n, &v);
out:
	free(items);
	free(starts);
	free(occs);
	store_action_list_free(acts, na);
	return s;
}

static int
meeting_show(struct cmd_ctx *ctx)
{
	const struct config_community	*c;
	const struct config_member	*m;
	const struct store_rsvp		*r;
	struct meeting_args		 a;
	struct store			*st = NULL;
	struct store_rsvp		*rs = NULL;
	struct store_attend		*att = NULL;
	struct store_meeting_change	*ch = NULL, *mine = NULL;
	struct cadence_occ		 occ;
	struct civil_time		 at;
	json_t				*j = NULL, *list = NULL, *o;
	char				 d[CIVIL_DATE_LEN];
	char				 buf[CMD_INSTANT_LEN], *err = NULL;
	char				*work = NULL, *line, *e;
	const char			*came;
	size_t				 nrs = 0, nch = 0, i, unavailable = 0;
	size_t				 natt = 0;
	size_t				 nreq;
	int				 rc, day;

	if ((rc = meeting_parse(ctx, MA_JSON, meeting_subs[0].usage, &a)) !=
	    -1)
		return rc;
	c = a.c;
	civil_date_format(a.date, d);
	if ((rc = cmd_open_store(ctx->cfg, &st)) != EX_OK)
		return rc;
	if ((rc = meeting_of_series(st, c, a.date, &day, &at)) != EX_OK)
		goto out;
	rc = EX_TEMPFAIL;
	if (store_rsvp_list(st, c->id, d, &rs, &nrs, &err) == -1 ||
	    store_meeting_changes(st, c->id, &ch, &nch, &err) == -1 ||
	    store_attend_list(st, c->id, &a.date, &att, &natt, &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		goto out;
	}
	for (i = 0; i < nch; i++)
		if (strcmp(ch[i].meeting, d) == 0)
			mine = &ch[i];
	occ = cadence_meeting(c, a.date, at);
	if ((work = meeting_work(ctx->cfg, c, st, day, at, &occ, a.now,
	    &err)) == NULL) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		goto out;
	}
	nreq = c->nmembers;
	j = json_object();
	list = json_array();
	if (!a.json) {
		printf("%s %s: %s%s\n", c->id, d, cmd_format_instant(occ.start,
		    c->tz, buf), occ.cancelled ? " (cancelled)" :
		    occ.moved ? " (moved)" : "");
		if (mine != NULL) {
			printf("one-off %s by ", mine->action ==
			    STORE_MEETING_MOVE ? "move" : "cancel");
			cmd_print_clean(stdout, mine->by);
			printf(" at %s", cmd_format_instant(mine->at, c->tz,
			    buf));
			if (mine->note != NULL) {
				printf(": ");
				cmd_print_clean(stdout, mine->note);
			}
			putchar('\n');
		}
	}
	for (i = 0; i < c->nmembers + c->noptional; i++) {
		bool	 required = i < c->nmembers, away;

		m = required ? c->members[i] : c->optional[i - c->nmembers];
		r = meeting_answer_of(rs, nrs, m->id);
		away = meeting_away(m, occ.date);
		if (required && (away || (r != NULL &&
		    r->answer == STORE_RSVP_NO)))
			unavailable++;
		o = json_object();
		json_object_set_new(o, "member", json_string(m->id));
		json_object_set_new(o, "name", cmd_json_str(m->name));
		json_object_set_new(o, "required", json_boolean(required));
		json_object_set_new(o, "answer",
		    json_string(meeting_answer_word(r)));
		json_object_set_new(o, "answered", r != NULL ?
		    cmd_json_time(r->at) : json_null());
		json_object_set_new(o, "answers", json_integer(r != NULL ?
		    r->count : 0));
		json_object_set_new(o, "away", json_boolean(away));
		/* The attendance recorded (meeting attend, the /t/ page). */
		came = meeting_attended(att, natt, m->id);
		json_object_set_new(o, "attended", came != NULL ?
		    json_boolean(strcmp(came, "present") == 0) : json_null());
		json_array_append_new(list, o);
		if (!a.json) {
			printf("  %-12s %-8s %-5s%s", m->id, required ?
			    "required" : "optional", meeting_answer_word(r),
			    away ? " away" : "");
			if (r != NULL)
				printf(" (%s)", cmd_format_instant(r->at,
				    c->tz, buf));
			if (came != NULL)
				printf(" %s", came);
			putchar('\n');
		}
	}
	if (a.json) {
		json_object_set_new(j, "community", json_string(c->id));
		json_object_set_new(j, "meeting", json_string(d));
		json_object_set_new(j, "start", cmd_json_time(occ.start));
		json_object_set_new(j, "end", cmd_json_time(occ.end));
		json_object_set_new(j, "moved", json_boolean(occ.moved));
		json_object_set_new(j, "cancelled",
		    json_boolean(occ.cancelled));
		if (mine != NULL) {
			o = json_object();
			json_object_set_new(o, "action", json_string(
			    mine->action == STORE_MEETING_MOVE ? "move" :
			    "cancel"));
			json_object_set_new(o, "by", cmd_json_str(mine->by));
			json_object_set_new(o, "at", cmd_json_time(mine->at));
			json_object_set_new(o, "note",
			    cmd_json_str(mine->note));
			json_object_set_new(j, "change", o);
		} else
			json_object_set_new(j, "change", json_null());
		json_object_set_new(j, "quorum_needed", json_integer(
		    (json_int_t)meeting_quorum_needed(nreq,
		    meeting_quorum_share(c))));
		json_object_set_new(j, "unavailable",
		    json_integer((json_int_t)unavailable));
		json_object_set_new(j, "quorum", json_boolean(
		    meeting_quorum_ok(nreq, unavailable,
		    meeting_quorum_share(c))));
		json_object_set_new(j, "members", list);
		list = NULL;
		json_object_set_new(j, "work", json_string(work));
		rc = json_dumpf(j, stdout, JSON_INDENT(2)) == -1 ? EX_IOERR :
		    EX_OK;
		putchar('\n');
	} else {
		printf("quorum: %zu of %zu required members needed, %zu can "
		    "come%s\n", meeting_quorum_needed(nreq,
		    meeting_quorum_share(c)), nreq, nreq - unavailable,
		    meeting_quorum_ok(nreq, unavailable,
		    meeting_quorum_share(c)) ? "" : " (below quorum)");
		for (line = work; *line != '\0'; line = e + 1) {
			e = strchr(line, '\n');
			printf("%-6s%.*s\n", line == work ? "work" : "",
			    (int)(e - line), line);
		}
		rc = EX_OK;
	}
out:
	json_decref(list);
	json_decref(j);
	free(err);
	store_rsvp_list_free(rs, nrs);
	store_attend_free(att, natt);
	store_meeting_changes_free(ch, nch);
	free(work);
	store_close(st);
	return rc;
}

/* $SUDO_USER, else $USER, else "unknown": who made a change. */
static const char *
meeting_who(void)
{
	const char	*s = getenv("SUDO_USER");

	if (s == NULL || *s == '\0')
		s = getenv("USER");
	return s != NULL && *s != '\0' ? s : "unknown";
}

/* The meeting's series date must be today or later in c's zone. */
static int
meeting_not_past(const struct config_community *c, struct civil_date date,
    time_t now)
{
	struct civil_date	today;
	struct civil_time	t;
	char			a[CIVIL_DATE_LEN], b[CIVIL_DATE_LEN];

	tz_from_utc(c->tz, now, &today, &t);
	if (civil_date_cmp(date, today) >= 0)
		return EX_OK;
	fprintf(stderr, "plc-cadence: meeting: %s is in the past (today is %s "
	    "in %s)\n", civil_date_format(date, a), civil_date_format(today,
	    b), tz_name(c->tz));
	return EX_DATAERR;
}

/*
 * The checks cadence_lint makes of a config move, for this one: c's moves
 * with the new one last, run through the same code; its messages without
 * their file:line.
 */
static int
meeting_lint_move(const struct config *cfg, const struct config_community *c,
    const struct config_move *mv, time_t now)
{
	struct config		 tmp = *cfg;
	struct config_community	 cc = *c;
	char			*errors = NULL, *p, *line;
	int			 rc = EX_OK;
	size_t			 i, k = 0;

	cc.moves = xcalloc(c->nmoves + 1, sizeof(*cc.moves));
	for (i = 0; i < c->nmoves; i++)
		if (civil_date_cmp(c->moves[i].from, mv->from) != 0)
			cc.moves[k++] = c->moves[i];
	cc.moves[k++] = *mv;
	cc.nmoves = k;
	tmp.communities = &cc;
	tmp.ncommunities = 1;
	tmp.path = "meeting";
	if (cadence_lint(&tmp, now, &errors) == -1) {
		rc = EX_DATAERR;
		for (p = errors; p != NULL && *p != '\0'; ) {
			size_t	n = strcspn(p, "\n");
			char	*msg;

			line = xstrndup(p, n);
			/* "meeting:LINE: [community ID] move: …" */
			msg = strstr(line, ": ");
			fprintf(stderr, "plc-cadence: meeting move: %s\n",
			    msg != NULL ? msg + 2 : line);
			free(line);
			p += n + (p[n] == '\n');
		}
	}
	free(errors);
	free(cc.moves);
	return rc;
}

/*
 * Record change ch and say so; then, as `action` does, write every feed
 * with the schedule it makes (the overlay read again), so the calendars
 * show it now rather than at the worker's next cycle, which notices the
 * change too.  The change is made once recorded: a failure to publish is
 * a warning.  cfg is the command's own, loaded by main for it alone.
 */
static int
meeting_record(const struct config *cfg, struct store *st,
    struct store_meeting_change *ch, const char *said, time_t now)
{
	struct publish_result	 res;
	char			*err = NULL, *warnings = NULL;
	bool			 store_failed;

	if (store_meeting_change_add(st, ch, &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		free(err);
		return EX_TEMPFAIL;
	}
	printf("%s (by ", said);
	cmd_print_clean(stdout, ch->by);
	printf(")\n");
	fflush(stdout);
	if (schedule_apply((struct config *)cfg, st, &warnings, &err) == -1 ||
	    publish_run(cfg, cfg->worker.state_dir, st, now, false, &res,
	    &store_failed, &err) == -1) {
		fprintf(stderr, "plc-cadence: warning: the feeds were not "
		    "written (%s); the worker writes them on its next cycle\n",
		    err);
		free(err);
	} else
		publish_result_free(&res);
	free(warnings);
	return EX_OK;
}

static int
meeting_move(struct cmd_ctx *ctx)
{
	const struct config_community	*c;
	struct meeting_args		 a;
	struct store_meeting_change	 ch;
	struct config_move		 mv;
	struct store			*st = NULL;
	struct civil_time		 at;
	char				 d[CIVIL_DATE_LEN], t[CIVIL_DATE_LEN];
	char				 hm[CIVIL_TIME_LEN], *said = NULL;
	char				*copy = NULL, *sp;
	int				 rc, day;

	if ((rc = meeting_parse(ctx, MA_TO, meeting_subs[1].usage, &a)) != -1)
		return rc;
	c = a.c;
	if (a.to == NULL) {
		fprintf(stderr, "usage: plc-cadence [-c FILE] %s\n",
		    meeting_subs[1].usage);
		return EX_USAGE;
	}
	memset(&mv, 0, sizeof(mv));
	mv.from = a.date;
	mv.has_time = true;
	copy = xstrdup(a.to);
	sp = strchr(copy, ' ');
	if (sp != NULL)
		*sp++ = '\0';
	if (sp == NULL || civil_date_parse(copy, &mv.to) == -1 ||
	    civil_time_parse(sp, &mv.at) == -1) {
		fprintf(stderr, "plc-cadence: meeting move: --to '");
		cmd_print_clean(stderr, a.to);
		fprintf(stderr, "' is not \"YYYY-MM-DD HH:MM\"\n");
		rc = EX_USAGE;
		goto out;
	}
	if ((rc = meeting_not_past(c, a.date, a.now)) != EX_OK)
		goto out;
	if (tz_to_utc(c->tz, mv.to, mv.at) <= a.now) {
		fprintf(stderr, "plc-cadence: meeting move: %s %s is in the "
		    "past\n", civil_date_format(mv.to, t),
		    civil_time_format(mv.at, hm));
		rc = EX_DATAERR;
		goto out;
	}
	if ((rc = cmd_open_store(ctx->cfg, &st)) != EX_OK)
		goto out;
	if ((rc = meeting_of_series(st, c, a.date, &day, &at)) != EX_OK ||
	    (rc = meeting_lint_move(ctx->cfg, c, &mv, a.now)) != EX_OK)
		goto out;
	if (meeting_config_changes(c, a.date))
		fprintf(stderr, "plc-cadence: warning: [community %s] the "
		    "config moves or cancels %s: that wins over this move "
		    "while it is there\n", c->id, civil_date_format(a.date, d));
	memset(&ch, 0, sizeof(ch));
	ch.community = c->id;
	ch.meeting = civil_date_format(a.date, d);
	ch.action = STORE_MEETING_MOVE;
	ch.to_date = civil_date_format(mv.to, t);
	ch.to_time = mv.at.h * 60 + mv.at.min;
	ch.by = (char *)meeting_who();
	ch.at = a.now;
	said = xasprintf("%s %s moved to %s %s", c->id, d, t,
	    civil_time_format(mv.at, hm));
	rc = meeting_record(ctx->cfg, st, &ch, said, a.now);
out:
	free(said);
	free(copy);
	store_close(st);
	return rc;
}

static int
meeting_cancel(struct cmd_ctx *ctx)
{
	const struct config_community	*c;
	struct meeting_args		 a;
	struct store_meeting_change	 ch;
	struct store			*st = NULL;
	struct civil_time		 at;
	char				 d[CIVIL_DATE_LEN], *said = NULL;
	int				 rc, day;

	if ((rc = meeting_parse(ctx, MA_NOTE, meeting_subs[2].usage, &a)) !=
	    -1)
		return rc;
	c = a.c;
	if ((rc = meeting_not_past(c, a.date, a.now)) != EX_OK)
		return rc;
	if ((rc = cmd_open_store(ctx->cfg, &st)) != EX_OK)
		return rc;
	if ((rc = meeting_of_series(st, c, a.date, &day, &at)) != EX_OK)
		goto out;
	if (meeting_config_changes(c, a.date))
		fprintf(stderr, "plc-cadence: warning: [community %s] the "
		    "config moves or cancels %s: that wins over this cancel "
		    "while it is there\n", c->id, civil_date_format(a.date,
		    d));
	memset(&ch, 0, sizeof(ch));
	ch.community = c->id;
	ch.meeting = civil_date_format(a.date, d);
	ch.action = STORE_MEETING_CANCEL;
	ch.to_time = -1;
	ch.note = (char *)a.note;
	ch.by = (char *)meeting_who();
	ch.at = a.now;
	said = xasprintf("%s %s cancelled", c->id, d);
	rc = meeting_record(ctx->cfg, st, &ch, said, a.now);
out:
	free(said);
	store_close(st);
	return rc;
}

static int
meeting_restore(struct cmd_ctx *ctx)
{
	const struct config_community	*c;
	struct meeting_args		 a;
	struct store_meeting_change	 ch, *v = NULL;
	struct store			*st = NULL;
	char				 d[CIVIL_DATE_LEN], *said = NULL;
	char				*err = NULL;
	size_t				 n = 0, i;
	bool				 any = false;
	int				 rc;

	if ((rc = meeting_parse(ctx, 0, meeting_subs[3].usage, &a)) != -1)
		return rc;
	c = a.c;
	civil_date_format(a.date, d);
	if ((rc = meeting_not_past(c, a.date, a.now)) != EX_OK)
		return rc;
	if ((rc = cmd_open_store(ctx->cfg, &st)) != EX_OK)
		return rc;
	if (store_meeting_changes(st, c->id, &v, &n, &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		rc = EX_TEMPFAIL;
		goto out;
	}
	for (i = 0; i < n; i++)
		any |= strcmp(v[i].meeting, d) == 0;
	if (!any) {
		printf("%s %s has no one-off move or cancel to undo\n", c->id,
		    d);
		rc = EX_OK;
		goto out;
	}
	memset(&ch, 0, sizeof(ch));
	ch.community = c->id;
	ch.meeting = d;
	ch.action = STORE_MEETING_RESTORE;
	ch.to_time = -1;
	ch.by = (char *)meeting_who();
	ch.at = a.now;
	said = xasprintf("%s %s restored to the series", c->id, d);
	rc = meeting_record(ctx->cfg, st, &ch, said, a.now);
out:
	free(err);
	free(said);
	store_meeting_changes_free(v, n);
	store_close(st);
	return rc;
}
