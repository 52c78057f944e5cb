/* cmd_report: `report ID [--from DATE] [--to DATE] [--json]` (issue 16,
 * branch report): the accountability report of one community. */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "civil.h"
#include "cmd.h"
#include "config.h"
#include "ledger.h"
#include "report.h"
#include "store.h"
#include "xmalloc.h"

#define REPORT_USAGE	"report ID [--from DATE] [--to DATE] [--json] " \
			"[--now TIME]"

static json_t *
report_json(const struct report *r)
{
	const struct report_member	*m;
	json_t				*o = json_object(), *a, *mo, *c;
	char				 f[CIVIL_DATE_LEN], t[CIVIL_DATE_LEN];
	size_t				 i;

	json_object_set_new(o, "community", cmd_json_str(r->in->community));
	json_object_set_new(o, "name", cmd_json_str(r->in->name));
	json_object_set_new(o, "from",
	    json_string(civil_date_format(r->in->from, f)));
	json_object_set_new(o, "to",
	    json_string(civil_date_format(r->in->to, t)));
	c = json_object();
	json_object_set_new(c, "planned", json_integer(r->planned));
	json_object_set_new(c, "held", json_integer(r->held));
	json_object_set_new(c, "moved", json_integer(r->moved));
	json_object_set_new(c, "cancelled", json_integer(r->cancelled));
	json_object_set_new(c, "attendance_rate", r->has_rate ?
	    json_real(r->rate) : json_null());
	json_object_set_new(c, "median_days_to_done", r->has_median ?
	    json_real(r->median_days) : json_null());
	json_object_set_new(c, "items", json_integer(r->items_total));
	json_object_set_new(c, "done", json_integer(r->done_total));
	json_object_set_new(o, "community_figures", c);
	a = json_array();
	for (i = 0; i < r->nmembers; i++) {
		m = &r->members[i];
		mo = json_object();
		json_object_set_new(mo, "member", cmd_json_str(m->id));
		json_object_set_new(mo, "name", cmd_json_str(m->name));
		json_object_set_new(mo, "required", json_boolean(m->required));
		json_object_set_new(mo, "owned", json_integer(m->owned));
		json_object_set_new(mo, "on_time", json_integer(m->on_time));
		json_object_set_new(mo, "late", json_integer(m->late));
		json_object_set_new(mo, "open", json_integer(m->open));
		json_object_set_new(mo, "overdue", json_integer(m->overdue));
		json_object_set_new(mo, "meetings_expected",
		    json_integer(m->expected));
		json_object_set_new(mo, "meetings_attended",
		    json_integer(m->attended));
		json_object_set_new(mo, "rsvps", json_integer(m->rsvps));
		json_array_append_new(a, mo);
	}
	json_object_set_new(o, "members", a);
	return o;
}

int
cmd_report(struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct config_community	*c;
	struct civil_date		 from, to;
	struct ledger			 l;
	struct report			 r;
	struct store			*st = NULL;
	const char			*fa = NULL, *ta = NULL;
	char				*err = NULL, *text;
	json_t				*j;
	time_t				 now = 0;
	bool				 have_now = false, json = false;
	bool				 loaded = false;
	int				 ch, rc = EX_USAGE;

	memset(&l, 0, sizeof(l));
	optind = 0;
	while ((ch = getopt_long(ctx->argc, ctx->argv, "h", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f': fa = optarg; break;
		case 't': ta = optarg; break;
		case 'j': json = true; break;
		case 'n':
			if (cmd_opt_now(optarg, ctx->cfg->worker.tz, &now) == -1)
				return EX_USAGE;
			have_now = true;
			break;
		case 'h':
			printf("usage: plc-cadence [-c FILE] %s\n",
			    REPORT_USAGE);
			return EX_OK;
		default:
			fprintf(stderr, "usage: plc-cadence %s\n",
			    REPORT_USAGE);
			return EX_USAGE;
		}
	}
	if (ctx->argc - optind != 1) {
		fprintf(stderr, "usage: plc-cadence %s\n", REPORT_USAGE);
		return EX_USAGE;
	}
	if (!have_now)
		now = cmd_now(NULL);
	rc = EX_DATAERR;
	if ((c = config_community_find(ctx->cfg, ctx->argv[optind])) ==
	    NULL) {
		fprintf(stderr, "plc-cadence: report: no community '");
		cmd_print_clean(stderr, ctx->argv[optind]);
		fprintf(stderr, "' in %s\n", ctx->cfg->path);
		return rc;
	}
	ledger_period(c, now, &from, &to);
	if ((fa != NULL && civil_date_parse(fa, &from) == -1) ||
	    (ta != NULL && civil_date_parse(ta, &to) == -1)) {
		fprintf(stderr, "plc-cadence: report: '");
		cmd_print_clean(stderr, fa != NULL &&
		    civil_date_parse(fa, &from) == -1 ? fa : ta);
		fprintf(stderr, "' is not a date (YYYY-MM-DD)\n");
		return rc;
	}
	if (civil_date_cmp(from, to) > 0) {
		fprintf(stderr, "plc-cadence: report: --from is after --to\n");
		return rc;
	}
	if ((rc = cmd_open_store(ctx->cfg, &st)) != EX_OK)
		return rc;
	if (ledger_load(st, c, from, to, now, &l, &err) == -1) {
		fprintf(stderr, "plc-cadence: report: %s\n", err);
		rc = EX_TEMPFAIL;
		goto out;
	}
	report_compute(&l.in, &r);
	loaded = true;
	if (json) {
		j = report_json(&r);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
	} else {
		text = report_text(&r);
		fputs(text, stdout);
		free(text);
	}
	rc = EX_OK;
out:
	if (loaded)
		report_free(&r);
	ledger_free(&l);
	free(err);
	store_close(st);
	return rc;
}
