/* plc-cadence: keeps teacher PLCs on their meeting cadence.
 *
 * main parses the global options, loads the config, runs one command and
 * maps the outcome to a sysexits.h exit status.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sysexits.h>

#include "busy.h"
#include "cadence.h"
#include "cmd.h"
#include "config.h"
#include "ical.h"
#include "log.h"
#include "schedule.h"
#include "store.h"
#include "tz.h"
#include "webhook.h"
#include "xmalloc.h"

static const struct command {
	const char	*name;
	int		(*fn)(struct cmd_ctx *);
	const char	*usage;
} commands[] = {
	{ "check", cmd_check,
	    "check [--now TIME]      validate the config; show the next meetings" },
	{ "run", cmd_run,
	    "run [--once] [--now TIME] [--stop-grace S] [--retry S]\n"
	    "    [--lock-wait S]\n"
	    "                          the worker: publish feeds, serve them, "
	    "repeat on change" },
	{ "feeds", cmd_feeds,
	    "feeds [--now TIME]      write every feed once into <state_dir>/feeds" },
	{ "urls", cmd_urls,
	    "urls [--json]           each member's and community's feed URLs" },
	{ "token", cmd_token,
	    "token rotate ID         a new feed URL for a member or community; "
	    "the old one stops" },
	{ "slots", cmd_slots,
	    "slots ID [--weeks N] [--json]\n"
	    "                          who is free when, and the best slots" },
	{ "backup", cmd_backup,
	    "backup FILE             copy the database, safely while running" },
	{ "send-test", cmd_send_test,
	    "send-test CHANNEL|ADDRESS  send one test message now; show the answer" },
	{ "action", cmd_action,
	    "action add ID --owner M --due DATE --title T [--notes N]\n"
	    "              [--meeting DATE]\n"
	    "                          record an action item; prints its number\n"
	    "  action list [--community ID] [--owner M] [--open | --done | "
	    "--overdue]\n"
	    "              [--json]    the items, oldest due first\n"
	    "  action done N [--note T] | action reopen N\n"
	    "  action edit N [--due DATE] [--owner M] [--title T]\n"
	    "  action show N [--json]  change an item; one item and its history" },
	{ "meeting", cmd_meeting,
	    "meeting show ID DATE [--json]  answers, attendance, away days "
	    "and quorum\n"
	    "  meeting move ID DATE --to \"DATE HH:MM\" | meeting cancel ID "
	    "DATE [--note T]\n"
	    "  meeting restore ID DATE  one-off changes, recorded with who "
	    "and when\n"
	    "  meeting attend ID DATE [--present M,M] [--absent M,M]\n"
	    "                          record who came to a meeting" },
	{ "report", cmd_report,
	    "report ID [--from DATE] [--to DATE] [--json]\n"
	    "                          the accountability report" },
	{ "outbox", cmd_outbox,
	    "outbox [--pending | --failed] [--kind K] [--to M|CHANNEL]\n"
	    "         [--community ID] [--since D] [--until D] [--json]\n"
	    "       | outbox retry N\n"
	    "                          planned, sent and failed messages; "
	    "send a failed one again" },
};

static void
usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: plc-cadence [-c FILE] [-v | -q] COMMAND [ARGS]\n"
	    "       plc-cadence --help | --version\n\n"
	    "options:\n"
	    "  -c, --config FILE  the config (default $PLC_CADENCE_CONFIG or "
	    CONFIG_DEFAULT_PATH ")\n"
	    "  -v, --verbose      log more (debug)\n"
	    "  -q, --quiet        log warnings and errors only\n\n"
	    "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "\nTIME is 2026-11-23T14:00:00Z, or a wall time in the "
	    "worker's zone: 2026-11-23T09:00.\nSee plc-cadence(8) and "
	    "plc-cadence.ini(5).\n");
}

/* busy_holidays with the state's store when there is one; only the
 * worker's cycle (run) fetches, as with busy calendars. */
static void
main_holidays(struct config *cfg, bool fetch)
{
	struct store	*st = NULL;
	char		*path, *err = NULL, *warnings = NULL;
	size_t		 i;
	bool		 any = false;

	for (i = 0; i < cfg->ncalendars; i++)
		any |= cfg->calendars[i].source != NULL &&
		    cfg->calendars[i].source_line != 0 &&
		    busy_is_url(cfg->calendars[i].source);
	if (!any)
		return;
	path = xasprintf("%s/state.db", cfg->worker.state_dir);
	if (store_open_existing(path, &st, &err) == -1) {
		log_warn("%s", err);
		st = NULL;
	}
	busy_holidays(NULL, cfg, st, time(NULL), fetch, &warnings);
	log_lines(LOG_WARNING, NULL, warnings);
	store_close(st);
	free(warnings);
	free(err);
	free(path);
}

/*
 * The one-off meeting changes in the state (`meeting move/cancel`, move-here
 * links) overlaid on the config's, for every command: check, feeds, slots
 * and the worker then start from one schedule.  No state, no changes.
 */
static void
main_schedule(struct config *cfg)
{
	struct store	*st = NULL;
	char		*path, *err = NULL, *warnings = NULL;

	path = xasprintf("%s/state.db", cfg->worker.state_dir);
	if (store_open_existing(path, &st, &err) == -1)
		log_warn("%s", err);
	else if (st != NULL && schedule_apply(cfg, st, &warnings, &err) == -1)
		log_warn("one-off meeting changes: %s", err);
	log_lines(LOG_WARNING, NULL, warnings);
	store_close(st);
	free(warnings);
	free(err);
	free(path);
}

/* The command's --now, or the clock: the moment cadence_lint checks from. */
static time_t
main_now(const struct config *cfg, int argc, char **argv)
{
	time_t		 t;
	char		*err = NULL;
	const char	*arg;
	int		 i;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--now=", 6) == 0)
			arg = argv[i] + 6;
		else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc)
			arg = argv[i + 1];
		else
			continue;
		if (cmd_parse_now(arg, cfg->worker.tz, &t, &err) == 0)
			return t;
		free(err);
		break;
	}
	return time(NULL);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command	*cmd = NULL;
	struct config		*cfg = NULL;
	struct cmd_ctx		 ctx;
	const char		*path;
	char			*errors = NULL, *warnings = NULL;
	int			 ch, level = -1, rc;
	size_t			 i;

	path = getenv("PLC_CADENCE_CONFIG");
	if (path == NULL || *path == '\0')
		path = CONFIG_DEFAULT_PATH;
	/* '+': options after the command belong to the command. */
	while ((ch = getopt_long(argc, argv, "+c:vqhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'v':
			level = LOG_DEBUG;
			break;
		case 'q':
			level = LOG_WARNING;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("plc-cadence %s\n", PLC_VERSION);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "plc-cadence: unknown command '%s' "
		    "(see plc-cadence --help)\n", argv[optind]);
		return EX_USAGE;
	}

	log_init(level == -1 ? LOG_INFO : level);
	if (config_load(path, &cfg, &errors, &warnings) == -1) {
		log_lines(LOG_ERR, NULL, errors);
		log_err("%s: the config has errors", path);
		rc = EX_CONFIG;
		goto out;
	}
	log_lines(LOG_WARNING, NULL, warnings);
	/* The holiday calendars, read after the config, not by its loader. */
	free(warnings);
	ical_read_holidays(cfg, &warnings);
	log_lines(LOG_WARNING, NULL, warnings);
	if (level == -1)
		log_set_level(cfg->worker.log_level);

	/* Before any thread exists: libcurl's global set-up is not
	 * thread-safe. */
	if (webhook_global_init() == -1) {
		fprintf(stderr, "plc-cadence: libcurl could not start\n");
		rc = EX_SOFTWARE;
		goto out;
	}
	/* Holiday calendar URLs, with libcurl ready: kept copies live in
	 * an existing state only (a first run keeps them from its reload
	 * or next run on), so no command creates a state for them. */
	main_holidays(cfg, cmd->fn == cmd_run);
	/* move and cancel against the series, every holiday known, from
	 * the command's --now on (a bad one is the command's to report). */
	if (cadence_lint(cfg, main_now(cfg, argc - optind, argv + optind),
	    &errors) == -1) {
		log_lines(LOG_ERR, NULL, errors);
		log_err("%s: the config has errors", path);
		webhook_global_cleanup();
		rc = EX_CONFIG;
		goto out;
	}
	main_schedule(cfg);
	ctx.cfg = cfg;
	ctx.log_forced = level != -1;
	ctx.argc = argc - optind;
	ctx.argv = argv + optind;
	rc = cmd->fn(&ctx);
	webhook_global_cleanup();
out:
	free(errors);
	free(warnings);
	config_free(cfg);
	tz_shutdown();
	return rc;
}
