/* cmd: the commands of the plc-cadence binary.
 *
 * Each command is one function in its own worker/cmd_NAME.c, declared here
 * grouped by file.  main() loads the config, then calls the command with its
 * own arguments (argv[0] is the command name); the command parses them with
 * getopt_long, prints its results and diagnostics, and returns a sysexits.h
 * code, the CLI's edge.
 */
#ifndef PLC_CMD_H
#define PLC_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "config.h"

struct cmd_ctx {
	const struct config	*cfg;
	int			 argc;
	char			**argv;
	bool			 log_forced;	/* -v or -q: log_level ignored */
};

/* cmd.c: shared helpers. */

/*
 * Parse a --now argument: "2026-11-23T14:00:00Z" (UTC), with an offset
 * ("…+01:00"), or a wall time in the worker's zone ("2026-11-23T09:00",
 * "2026-11-23") of the years CIVIL_USE_YEAR_MIN..MAX.  arg is untrusted.
 * Returns 0, or -1 with *err allocated.
 */
int	cmd_parse_now(const char *arg, const struct tz *tz, time_t *out,
	    char **err);
/*
 * The --now option of every command: cmd_parse_now, and on error the message
 * printed to stderr.  Returns 0, or -1 when the command should exit with
 * EX_USAGE.
 */
int	cmd_opt_now(const char *arg, const struct tz *tz, time_t *out);
/*
 * The options of a command that takes only --now and --help: the help (to
 * stdout, "usage: plc-cadence [-c FILE] " usage) or parse --now into *given
 * and set *have_now.  Returns -1 to go on, else the command's exit status
 * (EX_OK after the help, EX_USAGE).  Leaves optind at the first argument.
 */
int	cmd_now_options(struct cmd_ctx *ctx, const char *usage, time_t *given,
	    bool *have_now);
/* The current time, or the --now value when one was given. */
time_t	cmd_now(const time_t *given);
/* "2026-11-03 15:30 America/New_York" into buf. */
#define CMD_INSTANT_LEN	96
char	*cmd_format_instant(time_t t, const struct tz *tz,
	    char buf[CMD_INSTANT_LEN]);

/*
 * Untrusted text (item text, server answers, arguments) to f with every
 * control character shown as '?', so none reaches the terminal; s may be
 * NULL.  cmd_clean returns the same as an allocated string.
 */
void	cmd_print_clean(FILE *f, const char *s);
char	*cmd_clean(const char *s);
/* JSON values for --json: "2026-11-03T20:30:00Z" or null for time 0; a
 * string, or null for NULL or invalid UTF-8 (jansson refuses it).  New
 * references. */
struct json_t;
struct json_t	*cmd_json_time(time_t t);
struct json_t	*cmd_json_str(const char *s);

/*
 * Open <state_dir>/state.db, creating the state directory when missing, and
 * the database only where no earlier one left traces (statedir.h).  Returns
 * EX_OK with *st set, or EX_UNAVAILABLE after saying why.
 */
struct store;
int	cmd_open_store(const struct config *cfg, struct store **st);

/*
 * For the commands that send: 0 when every secret could be read, else -1
 * after saying which credential: needs the service's $CREDENTIALS_DIRECTORY.
 */
int	cmd_secrets_available(const struct config *cfg);

/* cmd_meeting.c: meeting show, move, cancel, restore, attend (one table of
 * subcommands, each parsing its own options). */
int	cmd_meeting(struct cmd_ctx *ctx);
/* cmd_attend.c: `meeting attend ID DATE --present a,b --absent c`; ctx's
 * argv[0] is "attend".  EX_DATAERR for an unknown community, member or
 * meeting. */
int	cmd_meeting_attend(struct cmd_ctx *ctx);
/* cmd_report.c: `report ID [--from DATE] [--to DATE] [--json]`. */
int	cmd_report(struct cmd_ctx *ctx);

/* cmd_action.c: action add, list, done, reopen, edit, show. */
int	cmd_action(struct cmd_ctx *ctx);

/* cmd_check.c */
int	cmd_check(struct cmd_ctx *ctx);

/* cmd_feeds.c: feeds, urls, token rotate. */
int	cmd_feeds(struct cmd_ctx *ctx);
int	cmd_urls(struct cmd_ctx *ctx);
int	cmd_token(struct cmd_ctx *ctx);

/*
 * cmd_slots.c: "slots ID [--weeks N] [--json] [--now TIME]": the window's
 * heatmap of free members and the best slots, with who cannot come.
 * EX_DATAERR for an unknown community, EX_USAGE for bad options.
 */
int	cmd_slots(struct cmd_ctx *ctx);

/* cmd_run.c */
int	cmd_run(struct cmd_ctx *ctx);
/* cmd_backup.c */
int	cmd_backup(struct cmd_ctx *ctx);
/*
 * cmd_send_test.c: "send-test [--now TIME] CHANNEL|ADDRESS" delivers one test
 * message now through [smtp] (or the channel) and prints the server's answer.
 * EX_OK when sent, EX_UNAVAILABLE when unreachable or refused, EX_DATAERR for
 * a bad address or an unknown channel.
 */
int	cmd_send_test(struct cmd_ctx *ctx);
/* cmd_outbox.c: `outbox [--pending | --failed] [--json]`, `outbox retry N`. */
int	cmd_outbox(struct cmd_ctx *ctx);

#endif
