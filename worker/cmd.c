/* cmd: helpers shared by the commands. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "civil.h"
#include "cmd.h"
#include "log.h"
#include "publish.h"
#include "statedir.h"
#include "store.h"
#include "tz.h"
#include "xmalloc.h"

int
cmd_open_store(const struct config *cfg, struct store **st)
{
	char	*err = NULL;
	int	 rc = EX_UNAVAILABLE;

	*st = NULL;
	if (publish_prepare(cfg->worker.state_dir, &err) == -1)
		goto out;
	if (statedir_open_store(cfg->worker.state_dir, st, &err) == -1)
		goto out;
	rc = EX_OK;
out:
	if (err != NULL)
		fprintf(stderr, "plc-cadence: %s\n", err);
	free(err);
	return rc;
}

int
cmd_secrets_available(const struct config *cfg)
{
	const char	*src = config_secret_unavailable(cfg);

	if (src == NULL)
		return 0;
	if (strncmp(src, "credential:", 11) == 0)
		log_err("%s: %s can only be read by the service: "
		    "$CREDENTIALS_DIRECTORY is not set (run it through systemd, "
		    "or give the secret as file: or env:)", cfg->path, src);
	else
		log_err("%s: %s cannot be read: %s; this command sends, so it "
		    "needs it", cfg->path, src, config_secret_why(cfg));
	return -1;
}

/* Parses "HH:MM" or "HH:MM:SS" exactly. */
static int
cmd_parse_clock(const char *s, struct civil_time *t)
{
	char	hm[6];

	if (strlen(s) != 5 && strlen(s) != 8)
		return -1;
	memcpy(hm, s, 5);
	hm[5] = '\0';
	if (civil_time_parse(hm, t) == -1)
		return -1;
	t->s = 0;
	if (s[5] == ':') {
		if (s[6] < '0' || s[6] > '5' || s[7] < '0' || s[7] > '9')
			return -1;
		t->s = (s[6] - '0') * 10 + (s[7] - '0');
	}
	return 0;
}

int
cmd_parse_now(const char *arg, const struct tz *tz, time_t *out, char **err)
{
	struct civil_date	 d;
	struct civil_time	 t = { 0, 0, 0 };
	char			 date[11], clock[9];
	const char		*rest, *zone;
	size_t			 n;
	long			 off = 0;
	int			 utc = 0;

	if (strlen(arg) < 10)
		goto bad;
	memcpy(date, arg, 10);
	date[10] = '\0';
	if (civil_date_parse(date, &d) == -1)
		goto bad;
	if (!civil_date_usable(d)) {
		*err = xasprintf("--now '%s': out of range: the years %d to %d "
		    "only", arg, CIVIL_USE_YEAR_MIN, CIVIL_USE_YEAR_MAX);
		return -1;
	}
	rest = arg + 10;
	if (*rest == '\0')
		goto local;
	if (*rest != 'T' && *rest != ' ')
		goto bad;
	rest++;
	n = strcspn(rest, "Z+-");
	if (n >= sizeof(clock))
		goto bad;
	memcpy(clock, rest, n);
	clock[n] = '\0';
	if (cmd_parse_clock(clock, &t) == -1)
		goto bad;
	zone = rest + n;
	if (*zone == '\0')
		goto local;
	if (strcmp(zone, "Z") == 0) {
		utc = 1;
	} else {
		struct civil_time o;

		if (strlen(zone) != 6 || cmd_parse_clock(zone + 1, &o) == -1)
			goto bad;
		off = (o.h * 3600L + o.min * 60L) * (zone[0] == '-' ? -1 : 1);
		utc = 1;
	}
	if (utc) {
		*out = (time_t)(civil_date_to_days(d) * CIVIL_DAY +
		    t.h * 3600L + t.min * 60L + t.s - off);
		return 0;
	}
local:
	*out = tz_to_utc(tz, d, t);
	return 0;
bad:
	*err = xasprintf("--now '%s': expected a time like 2026-11-23T14:00:00Z"
	    " or a local 2026-11-23T09:00", arg);
	return -1;
}

int
cmd_opt_now(const char *arg, const struct tz *tz, time_t *out)
{
	char	*err = NULL;

	if (cmd_parse_now(arg, tz, out, &err) == -1) {
		fprintf(stderr, "plc-cadence: %s\n", err);
		free(err);
		return -1;
	}
	return 0;
}

int
cmd_now_options(struct cmd_ctx *ctx, const char *usage, time_t *given,
    bool *have_now)
{
	static const struct option opts[] = {
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int	 ch;

	*have_now = false;
	optind = 1;
	while ((ch = getopt_long(ctx->argc, ctx->argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (cmd_opt_now(optarg, ctx->cfg->worker.tz,
			    given) == -1)
				return EX_USAGE;
			*have_now = true;
			break;
		case 'h':
			printf("usage: plc-cadence [-c FILE] %s\n", usage);
			return EX_OK;
		default:
			return EX_USAGE;
		}
	}
	return -1;
}

time_t
cmd_now(const time_t *given)
{
	return given != NULL ? *given : time(NULL);
}

char *
cmd_format_instant(time_t t, const struct tz *tz, char buf[CMD_INSTANT_LEN])
{
	struct civil_date	d;
	struct civil_time	tm;
	char			db[CIVIL_DATE_LEN], tb[CIVIL_TIME_LEN];

	tz_from_utc(tz, t, &d, &tm);
	snprintf(buf, CMD_INSTANT_LEN, "%s %s %s", civil_date_format(d, db),
	    civil_time_format(tm, tb), tz_name(tz));
	return buf;
}

void
cmd_print_clean(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

char *
cmd_clean(const char *s)
{
	char	*c = xstrdup(s != NULL ? s : ""), *p;

	for (p = c; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

json_t *
cmd_json_time(time_t t)
{
	struct tm	tm;
	char		buf[32];

	if (t == 0 || gmtime_r(&t, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

json_t *
cmd_json_str(const char *s)
{
	/* json_string refuses invalid UTF-8: keep the row, lose the text. */
	json_t	*j = s != NULL ? json_string(s) : NULL;

	return j != NULL ? j : json_null();
}
