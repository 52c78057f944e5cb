/* cmd_run: the worker, in the foreground. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "cmd.h"
#include "log.h"
#include "worker.h"

/* --stop-grace, --retry and --lock-wait: whole seconds, 1 to an hour, in ms. */
static int
cmd_run_seconds(const char *opt, const char *arg, int64_t *ms)
{
	char	*end;
	long	 v;

	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || v < 1 || v > 3600) {
		fprintf(stderr, "plc-cadence: %s takes a number of seconds "
		    "from 1 to 3600\n", opt);
		return -1;
	}
	*ms = (int64_t)v * 1000;
	return 0;
}

int
cmd_run(struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "now", required_argument, NULL, 'n' },
		{ "stop-grace", required_argument, NULL, 'g' },
		{ "retry", required_argument, NULL, 'r' },
		{ "lock-wait", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct worker_opts	 wo = { .cfg = ctx->cfg,
				     .log_forced = ctx->log_forced };
	char			*err = NULL;
	int			 ch, rc = EX_OK;

	optind = 1;
	while ((ch = getopt_long(ctx->argc, ctx->argv, "h", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'o':
			wo.once = true;
			break;
		case 'n':
			if (cmd_opt_now(optarg, ctx->cfg->worker.tz,
			    &wo.now) == -1)
				return EX_USAGE;
			wo.has_now = true;
			break;
		case 'g':
			if (cmd_run_seconds("--stop-grace", optarg,
			    &wo.stop_grace_ms) == -1)
				return EX_USAGE;
			break;
		case 'r':
			if (cmd_run_seconds("--retry", optarg,
			    &wo.retry_ms) == -1)
				return EX_USAGE;
			break;
		case 'l':
			if (cmd_run_seconds("--lock-wait", optarg,
			    &wo.lock_wait_ms) == -1)
				return EX_USAGE;
			break;
		case 'h':
			printf("usage: plc-cadence [-c FILE] run [--once] "
			    "[--now TIME] [--stop-grace S] [--retry S]\n"
			    "    [--lock-wait S]\n");
			return EX_OK;
		default:
			return EX_USAGE;
		}
	}
	if (optind != ctx->argc) {
		fprintf(stderr, "plc-cadence: run takes no arguments\n");
		return EX_USAGE;
	}
	if (cmd_secrets_available(ctx->cfg) == -1)
		return EX_CONFIG;
	switch (worker_run(&wo, &err)) {
	case WORKER_OK:
		break;
	case WORKER_LOCKED:
		rc = EX_TEMPFAIL;
		break;
	case WORKER_UNAVAILABLE:
		rc = EX_UNAVAILABLE;
		break;
	case WORKER_FAILED:
		rc = EX_TEMPFAIL;
		break;
	case WORKER_LOST:
		/* The worker's input file is gone: not "unavailable" (69,
		 * which a start refused for a missing state.db exits with)
		 * nor "try again" (75): the unit does not restart on it. */
		rc = EX_NOINPUT;
		break;
	}
	/* Through the log: under systemd this line is the journal's. */
	if (err != NULL)
		log_err("%s", err);
	free(err);
	return rc;
}
