/* cmd_attend: `meeting attend ID DATE --present a,b --absent c` (issue 16,
 * branch report): who came to a meeting, recorded from the shell. */
#include <getopt.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "civil.h"
#include "cmd.h"
#include "config.h"
#include "ledger.h"
#include "store.h"
#include "xmalloc.h"

#define ATTEND_USAGE	"meeting attend ID DATE [--present M,M…] " \
			"[--absent M,M…] [--now TIME]"

/* Who runs the command, for the record: the login name, or "uid N". */
static char *
attend_actor(void)
{
	struct passwd	*pw;
	const char	*u = NULL;

	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name[0] != '\0')
		u = pw->pw_name;
	if (u != NULL && strlen(u) <= 64 && strspn(u,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-@$") == strlen(u))
		return xstrdup(u);
	return xasprintf("uid %lu", (unsigned long)getuid());
}

/*
 * Add the members of list (untrusted, "a,b") to ids/present with the
 * value present; each must be a member of c, and named once over both
 * lists.  Returns 0, or -1 after saying why.
 */
static int
attend_add(const struct config_community *c, const char *list, bool value,
    const char ***ids, bool **present, size_t *n)
{
	const struct config_member	*m = NULL;
	char				*copy, *p, *tok, *save = NULL;
	size_t				 i, j, nm = c->nmembers + c->noptional;
	int				 rc = -1;

	copy = xstrdup(list);
	for (p = copy; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
		while (*tok == ' ')
			tok++;
		for (i = strlen(tok); i > 0 && tok[i - 1] == ' '; i--)
			tok[i - 1] = '\0';
		for (i = 0; i < nm; i++) {
			m = i < c->nmembers ? c->members[i] :
			    c->optional[i - c->nmembers];
			if (strcmp(m->id, tok) == 0)
				break;
		}
		if (i == nm) {
			fprintf(stderr, "plc-cadence: meeting attend: '");
			cmd_print_clean(stderr, tok);
			fprintf(stderr, "' is not a member of %s\n", c->id);
			goto out;
		}
		for (j = 0; j < *n; j++)
			if (strcmp((*ids)[j], m->id) == 0) {
				fprintf(stderr, "plc-cadence: meeting attend: "
				    "%s is named twice\n", m->id);
				goto out;
			}
		*ids = xreallocarray(*ids, *n + 1, sizeof(**ids));
		*present = xreallocarray(*present, *n + 1, sizeof(**present));
		(*ids)[*n] = m->id;
		(*present)[(*n)++] = value;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

int
cmd_meeting_attend(struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "present", required_argument, NULL, 'p' },
		{ "absent", required_argument, NULL, 'a' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct config_community	*c;
	struct civil_date		 d, orig;
	struct store			*st = NULL;
	const char			*pres = NULL, *abs = NULL, **ids = NULL;
	bool				*present = NULL, found = false;
	char				*err = NULL, *actor = NULL, ds[CIVIL_DATE_LEN];
	time_t				 now = 0;
	bool				 have_now = false;
	size_t				 n = 0;
	int				 ch, rc = EX_USAGE;

	optind = 0;
	while ((ch = getopt_long(ctx->argc, ctx->argv, "h", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'p': pres = optarg; break;
		case 'a': abs = optarg; break;
		case 'n':
			if (cmd_opt_now(optarg, ctx->cfg->worker.tz, &now) == -1)
				return EX_USAGE;
			have_now = true;
			break;
		case 'h':
			printf("usage: plc-cadence [-c FILE] %s\n",
			    ATTEND_USAGE);
			return EX_OK;
		default:
			fprintf(stderr, "usage: plc-cadence %s\n",
			    ATTEND_USAGE);
			return EX_USAGE;
		}
	}
	if (ctx->argc - optind != 2 || (pres == NULL && abs == NULL)) {
		fprintf(stderr, "usage: plc-cadence %s\n(--present or --absent "
		    "is needed)\n", ATTEND_USAGE);
		return EX_USAGE;
	}
	if (!have_now)
		now = cmd_now(NULL);
	rc = EX_DATAERR;
	if ((c = config_community_find(ctx->cfg, ctx->argv[optind])) ==
	    NULL) {
		fprintf(stderr, "plc-cadence: meeting attend: no community '");
		cmd_print_clean(stderr, ctx->argv[optind]);
		fprintf(stderr, "' in %s\n", ctx->cfg->path);
		goto out;
	}
	if (civil_date_parse(ctx->argv[optind + 1], &d) == -1) {
		fprintf(stderr, "plc-cadence: meeting attend: '");
		cmd_print_clean(stderr, ctx->argv[optind + 1]);
		fprintf(stderr, "' is not a date (YYYY-MM-DD)\n");
		goto out;
	}
	if ((pres != NULL && attend_add(c, pres, true, &ids, &present,
	    &n) == -1) || (abs != NULL && attend_add(c, abs, false, &ids,
	    &present, &n) == -1))
		goto out;
	if ((rc = cmd_open_store(ctx->cfg, &st)) != EX_OK)
		goto out;
	rc = EX_DATAERR;
	if (ledger_meeting_date(st, c, d, &orig, &found, &err) == -1) {
		fprintf(stderr, "plc-cadence: meeting attend: %s\n", err);
		rc = EX_TEMPFAIL;
		goto out;
	}
	if (!found) {
		fprintf(stderr, "plc-cadence: meeting attend: %s is not a "
		    "meeting of %s\n", civil_date_format(d, ds), c->id);
		goto out;
	}
	actor = attend_actor();
	if (store_attend_set(st, c->id, orig, ids, present, n, now, actor,
	    &err) == -1) {
		fprintf(stderr, "plc-cadence: meeting attend: %s\n", err);
		rc = EX_TEMPFAIL;
		goto out;
	}
	printf("%s %s: %zu recorded\n", c->id, civil_date_format(orig, ds),
	    n);
	rc = EX_OK;
out:
	store_close(st);
	free(err);
	free(actor);
	free(ids);
	free(present);
	return rc;
}
