/* cmd_feeds: feeds, urls and token rotate — the feed commands. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "publish.h"
#include "store.h"
#include "xmalloc.h"


/* A failed query is most often a database busy beyond the timeout: worth a
 * retry (75); a feed that cannot be rendered or written is not (69). */
static int
feeds_publish(const struct config *cfg, struct store *st, time_t now,
    struct publish_result *res)
{
	char	*err = NULL;
	bool	 store_failed;

	if (publish_run(cfg, cfg->worker.state_dir, st, now, false, res,
	    &store_failed, &err) == 0)
		return EX_OK;
	fprintf(stderr, "plc-cadence: writing feeds: %s\n", err);
	free(err);
	return store_failed ? EX_TEMPFAIL : EX_UNAVAILABLE;
}

/*
 * The options of these commands: --now (when now is not NULL), --json (when
 * json is not NULL) and --help.  Returns EX_OK, EX_USAGE, or -1 after
 * printing the help.
 */
static int
feeds_options(struct cmd_ctx *ctx, const char *usage, bool *json,
    time_t **now, time_t *buf)
{
	static const struct option opts[] = {
		{ "now", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int	 ch;

	if (now != NULL)
		*now = NULL;
	optind = 1;
	while ((ch = getopt_long(ctx->argc, ctx->argv, "h", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (now == NULL)
				goto usage;
			if (cmd_opt_now(optarg, ctx->cfg->worker.tz, buf) == -1)
				return EX_USAGE;
			*now = buf;
			break;
		case 'j':
			if (json == NULL)
				goto usage;
			*json = true;
			break;
		case 'h':
			printf("usage: plc-cadence [-c FILE] %s\n", usage);
			return -1;
		default:
			goto usage;
		}
	}
	return EX_OK;
usage:
	fprintf(stderr, "usage: plc-cadence [-c FILE] %s\n", usage);
	return EX_USAGE;
}

int
cmd_feeds(struct cmd_ctx *ctx)
{
	struct publish_result	 res;
	struct store		*st = NULL;
	time_t			 buf, *now;
	int			 rc;

	memset(&res, 0, sizeof(res));
	if ((rc = feeds_options(ctx, "feeds [--now TIME]", NULL, &now,
	    &buf)) != EX_OK)
		return rc == -1 ? EX_OK : rc;
	if (optind != ctx->argc) {
		fprintf(stderr, "plc-cadence: feeds takes no arguments\n");
		return EX_USAGE;
	}
	if ((rc = cmd_open_store(ctx->cfg, &st)) != EX_OK)
		goto out;
	if ((rc = feeds_publish(ctx->cfg, st, cmd_now(now), &res)) != EX_OK)
		goto out;
	printf("%zu feed%s in %s/feeds: %zu written, %zu unchanged",
	    res.nfeeds, res.nfeeds == 1 ? "" : "s", ctx->cfg->worker.state_dir,
	    res.written, res.unchanged);
	if (res.removed > 0)
		printf(", %zu stale removed", res.removed);
	printf("\n");
out:
	publish_result_free(&res);
	store_close(st);
	return rc;
}

struct feeds_owner {
	enum store_token_kind	 kind;
	const char		*id;
	const char		*name;
};

static void
urls_print(const struct config *cfg, const struct feeds_owner *o,
    const char *token, json_t *list)
{
	char	*url = publish_feed_url(cfg, token);
	char	*webcal = publish_webcal_url(url);
	char	*file;

	if (list != NULL) {
		file = xasprintf("%s/feeds/%s.ics", cfg->worker.state_dir,
		    token);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:s, s:s}", "kind", store_token_kind_name(o->kind),
		    "id", o->id, "name", o->name != NULL ? o->name : o->id,
		    "url", url, "webcal", webcal, "file", file));
		free(file);
	} else {
		printf("%-9s %s", store_token_kind_name(o->kind), o->id);
		if (o->name != NULL && strcmp(o->name, o->id) != 0)
			printf(" (%s)", o->name);
		printf("\n  %s\n  %s\n", url, webcal);
	}
	free(webcal);
	free(url);
}

int
cmd_urls(struct cmd_ctx *ctx)
{
	const struct config	*cfg = ctx->cfg;
	struct feeds_owner	 o;
	struct store		*st = NULL;
	json_t			*list = NULL;
	char			 token[STORE_TOKEN_LEN + 1], *err = NULL;
	time_t			 buf;
	bool			 json = false;
	size_t			 i, n;
	int			 rc;

	if ((rc = feeds_options(ctx, "urls [--json]", &json, NULL,
	    &buf)) != EX_OK)
		return rc == -1 ? EX_OK : rc;
	if (optind != ctx->argc) {
		fprintf(stderr, "plc-cadence: urls takes no arguments\n");
		return EX_USAGE;
	}
	if (cfg->worker.public_url == NULL) {
		fprintf(stderr, "plc-cadence: %s: the feeds have no URL: set "
		    "public_url (or listen) in [worker]\n", cfg->path);
		return EX_CONFIG;
	}
	if ((rc = cmd_open_store(cfg, &st)) != EX_OK)
		goto out;
	if (json)
		list = json_array();
	n = cfg->nmembers + cfg->ncommunities;
	for (i = 0; i < n; i++) {
		if (i < cfg->nmembers) {
			o.kind = STORE_TOKEN_MEMBER;
			o.id = cfg->members[i].id;
			o.name = cfg->members[i].name;
		} else {
			o.kind = STORE_TOKEN_COMMUNITY;
			o.id = cfg->communities[i - cfg->nmembers].id;
			o.name = cfg->communities[i - cfg->nmembers].name;
		}
		if (store_token_get_or_create(st, o.kind, o.id, cmd_now(NULL),
		    token, &err) == -1) {
			fprintf(stderr, "plc-cadence: %s\n", err);
			rc = EX_TEMPFAIL;
			goto out;
		}
		urls_print(cfg, &o, token, list);
	}
	if (list != NULL) {
		if (json_dumpf(list, stdout, JSON_INDENT(2) |
		    JSON_PRESERVE_ORDER) == -1) {
			fprintf(stderr, "plc-cadence: cannot write JSON\n");
			rc = EX_IOERR;
			goto out;
		}
		printf("\n");
	}
out:
	json_decref(list);
	free(err);
	store_close(st);
	return rc;
}

/*
 * A member's or community's ID, or "member:ID" / "community:ID" when the
 * same ID names both.  id is untrusted command-line text.
 */
static int
token_owner(const struct config *cfg, const char *id, struct feeds_owner *o)
{
	const struct config_member	*m = NULL;
	const struct config_community	*c = NULL;

	if (strncmp(id, "member:", 7) == 0)
		m = config_member_find(cfg, id + 7);
	else if (strncmp(id, "community:", 10) == 0)
		c = config_community_find(cfg, id + 10);
	else {
		m = config_member_find(cfg, id);
		c = config_community_find(cfg, id);
		if (m != NULL && c != NULL) {
			fprintf(stderr, "plc-cadence: '%s' is both a member "
			    "and a community: say member:%s or community:%s\n",
			    id, id, id);
			return EX_DATAERR;
		}
	}
	if (m != NULL) {
		o->kind = STORE_TOKEN_MEMBER;
		o->id = m->id;
		o->name = m->name;
	} else if (c != NULL) {
		o->kind = STORE_TOKEN_COMMUNITY;
		o->id = c->id;
		o->name = c->name;
	} else {
		fprintf(stderr, "plc-cadence: no member or community '%s' in "
		    "%s\n", id, cfg->path);
		return EX_DATAERR;
	}
	return EX_OK;
}

int
cmd_token(struct cmd_ctx *ctx)
{
	static const char	 usage[] = "token rotate MEMBER|COMMUNITY "
				    "[--now TIME]";
	const struct config	*cfg = ctx->cfg;
	struct publish_result	 res;
	struct feeds_owner	 o;
	struct store		*st = NULL;
	char			 token[STORE_TOKEN_LEN + 1], *err = NULL;
	char			*url = NULL, *webcal = NULL;
	time_t			 buf, *now;
	int			 rc;

	memset(&res, 0, sizeof(res));
	if ((rc = feeds_options(ctx, usage, NULL, &now, &buf)) != EX_OK)
		return rc == -1 ? EX_OK : rc;
	if (ctx->argc - optind != 2 || strcmp(ctx->argv[optind],
	    "rotate") != 0) {
		fprintf(stderr, "usage: plc-cadence [-c FILE] %s\n", usage);
		return EX_USAGE;
	}
	if ((rc = token_owner(cfg, ctx->argv[optind + 1], &o)) != EX_OK)
		return rc;
	if ((rc = cmd_open_store(cfg, &st)) != EX_OK)
		goto out;
	if (store_token_rotate(st, o.kind, o.id, cmd_now(now), token,
	    &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		rc = EX_TEMPFAIL;
		goto out;
	}
	url = publish_feed_url(cfg, token);
	webcal = publish_webcal_url(url);
	if (url != NULL)
		printf("%s\n%s\n", url, webcal);
	else
		fprintf(stderr, "plc-cadence: no public_url (nor listen) in "
		    "[worker]: the feed is published as %s/feeds/%s.ics\n",
		    cfg->worker.state_dir, token);
	fflush(stdout);
	fprintf(stderr, "plc-cadence: %s %s has a new feed URL; the old one "
	    "no longer works\n", store_token_kind_name(o.kind), o.id);
	if (o.kind == STORE_TOKEN_MEMBER && cfg->worker.public_url_set &&
	    config_member_find(cfg, o.id)->email != NULL)
		fprintf(stderr, "plc-cadence: the worker's next cycle mails "
		    "%s the new links\n", o.id);
	/* Write the new file and delete the old one now, for a web server
	 * serving the folder; a running worker notices the change itself. */
	if ((rc = feeds_publish(cfg, st, cmd_now(now), &res)) != EX_OK)
		fprintf(stderr, "plc-cadence: the token is rotated, but the "
		    "feeds are not written yet: run plc-cadence feeds\n");
out:
	publish_result_free(&res);
	free(webcal);
	free(url);
	free(err);
	store_close(st);
	return rc;
}
