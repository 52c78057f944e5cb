/* cmd_outbox: what was planned, sent and failed, and why; retry a failure. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "civil.h"
#include "statedir.h"
#include "store.h"
#include "tz.h"
#include "xmalloc.h"

/* When row r's destination (its channel, or "smtp" for e-mail) lets it go
 * again after a Retry-After or backoff (deliver.h), if r waits for it;
 * else 0. */
static time_t
outbox_waiting(const struct store_outbox_row *r, const struct store_dest *d,
    size_t nd, time_t now)
{
	const char	*name = strcmp(r->channel, "email") == 0 ? "smtp" :
			    r->channel;
	size_t		 i;

	if (r->status != STORE_OUTBOX_PENDING)
		return 0;
	for (i = 0; i < nd; i++)
		if (strcmp(d[i].name, name) == 0)
			/* A row whose own retry comes later waits for that. */
			return d[i].hold_until > now &&
			    d[i].hold_until >= r->next_try ? d[i].hold_until : 0;
	return 0;
}

static int
outbox_print_json(const struct store_outbox_row *rows, size_t n,
    const struct store_dest *d, size_t nd, time_t now)
{
	json_t	*a = json_array(), *o;
	size_t	 i;
	int	 rc = EX_OK;

	for (i = 0; i < n; i++) {
		o = json_object();
		json_object_set_new(o, "id", json_integer(rows[i].id));
		json_object_set_new(o, "status", json_string(
		    store_outbox_status_name(rows[i].status)));
		json_object_set_new(o, "dedup", cmd_json_str(rows[i].dedup));
		json_object_set_new(o, "kind", cmd_json_str(rows[i].kind));
		json_object_set_new(o, "channel",
		    cmd_json_str(rows[i].channel));
		json_object_set_new(o, "recipient",
		    cmd_json_str(rows[i].recipient));
		json_object_set_new(o, "subject",
		    cmd_json_str(rows[i].subject));
		json_object_set_new(o, "body", cmd_json_str(rows[i].body));
		/* A community's post: the members it stands for. */
		json_object_set_new(o, "members",
		    cmd_json_str(rows[i].members));
		json_object_set_new(o, "due", cmd_json_time(rows[i].due));
		json_object_set_new(o, "expires",
		    cmd_json_time(rows[i].expires));
		json_object_set_new(o, "next_try",
		    cmd_json_time(rows[i].next_try));
		json_object_set_new(o, "sent_at",
		    cmd_json_time(rows[i].sent_at));
		json_object_set_new(o, "attempts",
		    json_integer(rows[i].attempts));
		json_object_set_new(o, "last_answer",
		    cmd_json_str(rows[i].last_answer));
		json_object_set_new(o, "waiting_until", cmd_json_time(
		    outbox_waiting(&rows[i], d, nd, now)));
		json_array_append_new(a, o);
	}
	if (json_dumpf(a, stdout, JSON_INDENT(2)) == -1)
		rc = EX_IOERR;
	putchar('\n');
	json_decref(a);
	return rc;
}

static void
outbox_print_text(const struct config *cfg,
    const struct store_outbox_row *rows, size_t n,
    const struct store_dest *d, size_t nd, time_t now)
{
	char	ib[CMD_INSTANT_LEN];
	size_t	i;
	time_t	wait;

	if (n == 0)
		printf("(no messages)\n");
	for (i = 0; i < n; i++) {
		printf("%lld  %-9s  %s  ", (long long)rows[i].id,
		    store_outbox_status_name(rows[i].status),
		    cmd_format_instant(rows[i].due, cfg->worker.tz, ib));
		cmd_print_clean(stdout, rows[i].channel);
		putchar(' ');
		cmd_print_clean(stdout, rows[i].recipient);
		printf("  ");
		cmd_print_clean(stdout, rows[i].subject != NULL ?
		    rows[i].subject : rows[i].kind);
		printf("\n    ");
		if (rows[i].members != NULL) {
			printf("for ");
			cmd_print_clean(stdout, rows[i].members);
			printf("; ");
		}
		printf("attempts %d", rows[i].attempts);
		if (rows[i].status == STORE_OUTBOX_SENT)
			printf(", sent %s", cmd_format_instant(rows[i].sent_at,
			    cfg->worker.tz, ib));
		else if (rows[i].status == STORE_OUTBOX_PENDING &&
		    rows[i].attempts > 0)
			printf(", next try %s", cmd_format_instant(
			    rows[i].next_try, cfg->worker.tz, ib));
		if ((wait = outbox_waiting(&rows[i], d, nd, now)) != 0)
			printf(", waiting until %s (its destination asked for "
			    "a pause)", cmd_format_instant(wait,
			    cfg->worker.tz, ib));
		if (rows[i].last_answer != NULL) {
			printf(", last answer: ");
			cmd_print_clean(stdout, rows[i].last_answer);
		}
		putchar('\n');
	}
}

static int
outbox_retry(struct store *st, const char *arg, time_t now)
{
	char		*end, *err = NULL;
	long long	 id;
	bool		 found;

	id = strtoll(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || id <= 0) {
		fprintf(stderr, "plc-cadence: outbox retry: '%s' is not a "
		    "message number\n", arg);
		return EX_DATAERR;
	}
	if (store_outbox_retry(st, (int64_t)id, now, &found, &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		free(err);
		return EX_IOERR;
	}
	if (!found) {
		fprintf(stderr, "plc-cadence: outbox retry: no failed message "
		    "%lld\n", id);
		return EX_DATAERR;
	}
	printf("message %lld will be sent again\n", id);
	return EX_OK;
}

/* The kinds --kind takes, and the stored kinds each stands for. */
static const struct outbox_kind {
	const char	*name;
	const char	*kinds[STORE_OUTBOX_QUERY_KINDS];
} outbox_kinds[] = {
	{ "reminder", { "reminder" } },
	/* Every schedule change told: a notice, a cancellation, a new slot. */
	{ "change", { "change", "cancellation", "slot" } },
	{ "nudge", { "nudge" } },
	{ "escalation", { "escalation" } },
	{ "digest", { "digest" } },
	{ "welcome", { "welcome" } },
	{ "alert", { "alert" } },
	/* The meeting cycle's: the facilitator's quorum warning, the agenda
	 * and minutes prompts, the monthly report. */
	{ "quorum", { "quorum" } },
	{ "agenda", { "agenda" } },
	{ "minutes", { "minutes" } },
	{ "report", { "report" } },
};
#define OUTBOX_KINDS_LIST \
	"reminder, change, nudge, escalation, digest, welcome, alert, " \
	"quorum, agenda, minutes or report"

static int
outbox_opt_kind(const char *arg, struct store_outbox_query *q)
{
	size_t	i, k;

	for (i = 0; i < sizeof(outbox_kinds) / sizeof(outbox_kinds[0]); i++)
		if (strcmp(arg, outbox_kinds[i].name) == 0) {
			for (k = 0; k < STORE_OUTBOX_QUERY_KINDS &&
			    outbox_kinds[i].kinds[k] != NULL; k++)
				q->kinds[k] = outbox_kinds[i].kinds[k];
			q->nkinds = k;
			return 0;
		}
	fprintf(stderr, "plc-cadence: outbox: --kind '");
	cmd_print_clean(stderr, arg);
	fprintf(stderr, "' is not a kind of message: say " OUTBOX_KINDS_LIST
	    "\n");
	return -1;
}

/* --since and --until: a date (a whole day in the worker's zone: --until
 * includes it) or an instant as --now takes it. */
static int
outbox_opt_day(const char *opt, const char *arg, const struct config *cfg,
    bool until, time_t *out)
{
	struct civil_date	 d;
	char			*err = NULL;

	if (civil_date_parse(arg, &d) == 0 && civil_date_usable(d)) {
		*out = tz_to_utc(cfg->worker.tz, until ? civil_date_add(d, 1) :
		    d, civil_time_from_secs(0));
		return 0;
	}
	if (cmd_parse_now(arg, cfg->worker.tz, out, &err) == 0)
		return 0;
	fprintf(stderr, "plc-cadence: outbox: %s '", opt);
	cmd_print_clean(stderr, arg);
	fprintf(stderr, "' is not a date (2026-11-23) or a time "
	    "(2026-11-23T14:00)\n");
	free(err);
	return -1;
}

/* --to: a member, a channel, or "email", as the config names them. */
static bool
outbox_known_to(const struct config *cfg, const char *to)
{
	return strcmp(to, "email") == 0 ||
	    config_member_find(cfg, to) != NULL ||
	    config_channel_find(cfg, to) != NULL;
}

int
cmd_outbox(struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "pending", no_argument, NULL, 'p' },
		{ "failed", no_argument, NULL, 'f' },
		{ "kind", required_argument, NULL, 'k' },
		{ "to", required_argument, NULL, 't' },
		{ "community", required_argument, NULL, 'c' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct config		*cfg = ctx->cfg;
	struct store_outbox_query	 q;
	struct store_outbox_row		*rows = NULL;
	struct store_dest		*dests = NULL;
	struct store			*st = NULL;
	char				*err = NULL;
	time_t				 given;
	size_t				 n = 0, nd = 0;
	int				 ch, json = 0, have_now = 0, nfilter = 0;
	int				 narrow = 0, rc = EX_USAGE;

	memset(&q, 0, sizeof(q));
	q.filter = STORE_OUTBOX_LIST_ALL;

	/* 0, not 1: glibc then starts afresh and permutes, so options may
	 * follow "retry N" (main scanned in order, with '+'). */
	optind = 0;
	while ((ch = getopt_long(ctx->argc, ctx->argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
		case 'f':
			q.filter = ch == 'p' ? STORE_OUTBOX_LIST_PENDING :
			    STORE_OUTBOX_LIST_FAILED;
			nfilter++;
			break;
		case 'k':
			if (outbox_opt_kind(optarg, &q) == -1)
				goto out;
			narrow++;
			break;
		case 't':
			if (!outbox_known_to(cfg, optarg)) {
				fprintf(stderr, "plc-cadence: outbox: --to '");
				cmd_print_clean(stderr, optarg);
				fprintf(stderr, "' is no member or channel in "
				    "%s (or email)\n", cfg->path);
				goto out;
			}
			q.to = optarg;
			narrow++;
			break;
		case 'c':
			if (config_community_find(cfg, optarg) == NULL) {
				fprintf(stderr, "plc-cadence: outbox: "
				    "--community '");
				cmd_print_clean(stderr, optarg);
				fprintf(stderr, "' is no community in %s\n",
				    cfg->path);
				goto out;
			}
			q.community = optarg;
			narrow++;
			break;
		case 's':
		case 'u':
			if (outbox_opt_day(ch == 's' ? "--since" : "--until",
			    optarg, cfg, ch == 'u', ch == 's' ? &q.since :
			    &q.until) == -1)
				goto out;
			*(ch == 's' ? &q.has_since : &q.has_until) = true;
			narrow++;
			break;
		case 'j':
			json = 1;
			break;
		case 'n':
			if (cmd_opt_now(optarg, cfg->worker.tz, &given) == -1)
				goto out;
			have_now = 1;
			break;
		case 'h':
			printf("usage: plc-cadence [-c FILE] outbox "
			    "[--pending | --failed] [--kind KIND]\n"
			    "           [--to MEMBER|CHANNEL] [--community ID] "
			    "[--since DATE] [--until DATE] [--json]\n"
			    "       KIND: " OUTBOX_KINDS_LIST "\n"
			    "       plc-cadence [-c FILE] outbox retry N "
			    "[--now TIME]\n");
			rc = EX_OK;
			goto out;
		default:
			goto out;
		}
	}
	if (nfilter > 1) {
		fprintf(stderr, "plc-cadence: outbox: --pending and --failed "
		    "exclude each other\n");
		goto out;
	}
	if (q.has_since && q.has_until && q.since >= q.until) {
		fprintf(stderr, "plc-cadence: outbox: --since must come before "
		    "--until\n");
		goto out;
	}
	if (optind < ctx->argc && strcmp(ctx->argv[optind], "retry") == 0) {
		if (ctx->argc - optind != 2 || nfilter || narrow || json) {
			fprintf(stderr, "usage: plc-cadence outbox retry N\n");
			goto out;
		}
	} else if (optind != ctx->argc) {
		fprintf(stderr, "plc-cadence: outbox: unknown argument '%s'\n",
		    ctx->argv[optind]);
		goto out;
	}

	if (statedir_open_store(cfg->worker.state_dir, &st, &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if (optind < ctx->argc) {
		rc = outbox_retry(st, ctx->argv[optind + 1],
		    cmd_now(have_now ? &given : NULL));
		goto out;
	}
	if (store_outbox_query(st, &q, &rows, &n, &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		rc = EX_IOERR;
		goto out;
	}
	if (store_dest_list(st, &dests, &nd, &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		rc = EX_IOERR;
		goto out;
	}
	rc = EX_OK;
	if (json)
		rc = outbox_print_json(rows, n, dests, nd,
		    cmd_now(have_now ? &given : NULL));
	else
		outbox_print_text(cfg, rows, n, dests, nd,
		    cmd_now(have_now ? &given : NULL));
out:
	store_outbox_rows_free(rows, n);
	store_dest_list_free(dests, nd);
	store_close(st);
	free(err);
	return rc;
}
