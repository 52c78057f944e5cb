/* cmd_backup: a consistent copy of the database while the worker runs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "cmd.h"
#include "statedir.h"
#include "store.h"
#include "xmalloc.h"

int
cmd_backup(struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store	*st = NULL;
	struct stat	 sb;
	char		*db, *err = NULL;
	int		 ch, r, rc;

	optind = 1;
	while ((ch = getopt_long(ctx->argc, ctx->argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			printf("usage: plc-cadence [-c FILE] backup FILE\n");
			return EX_OK;
		default:
			return EX_USAGE;
		}
	}
	if (ctx->argc - optind != 1) {
		fprintf(stderr, "usage: plc-cadence [-c FILE] backup FILE\n");
		return EX_USAGE;
	}
	db = xasprintf("%s/state.db", ctx->cfg->worker.state_dir);
	/* Opening would create an empty database: a typo in state_dir must
	 * not yield a backup that looks fine and holds nothing. */
	if (stat(db, &sb) == -1) {
		fprintf(stderr, "plc-cadence: backup: no database at %s "
		    "(has the worker run?)\n", db);
		rc = EX_NOINPUT;
		goto out;
	}
	/* An empty state.db is given its schema, unless the directory says
	 * an earlier database was lost. */
	if (statedir_open_store(ctx->cfg->worker.state_dir, &st, &err) ==
	    -1) {
		fprintf(stderr, "plc-cadence: backup: %s\n", err);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if ((r = store_backup(st, ctx->argv[optind], &err)) != 0) {
		fprintf(stderr, "plc-cadence: backup: %s\n", err);
		rc = r == STORE_BACKUP_CANTCREAT ? EX_CANTCREAT : EX_IOERR;
		goto out;
	}
	printf("%s: backup of %s written\n", ctx->argv[optind], db);
	rc = EX_OK;
out:
	store_close(st);
	free(err);
	free(db);
	return rc;
}
