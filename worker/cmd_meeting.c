/* cmd_meeting: the `meeting` subcommands.
 *
 * Branch report carries only this minimal dispatch for `meeting attend`
 * (cmd_attend.c).  Branch meeting has the full one (show, move, cancel,
 * restore): at merge, take that file and add the line
 * { "attend", cmd_meeting_attend, "meeting attend ID DATE …" } to its
 * table.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"

int
cmd_meeting(struct cmd_ctx *ctx)
{
	struct cmd_ctx	 sub = *ctx;

	if (ctx->argc < 2 || strcmp(ctx->argv[1], "attend") != 0) {
		fprintf(stderr, "usage: plc-cadence [-c FILE] meeting attend "
		    "ID DATE [--present M,M…] [--absent M,M…]\n");
		return ctx->argc >= 2 && (strcmp(ctx->argv[1], "-h") == 0 ||
		    strcmp(ctx->argv[1], "--help") == 0) ? EX_OK : EX_USAGE;
	}
	sub.argc = ctx->argc - 1;
	sub.argv = ctx->argv + 1;
	return cmd_meeting_attend(&sub);
}
