/* Unit tests of config: the INI file into struct config, every error with
 * its line.  Each test writes its config into a fresh directory under /tmp. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "civil.h"
#include "config.h"
#include "tz.h"
#include "xmalloc.h"

/* A scratch directory with the config file "conf/plc.ini" inside. */
struct fx {
	char	 dir[64];
	char	 conf[96];
	char	 path[128];
	struct config	*cfg;
	char	*errors, *warnings;
};

static int
setup(void **state)
{
	struct fx	*fx = xcalloc(1, sizeof *fx);

	strcpy(fx->dir, "/tmp/plc-test-config.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->conf, sizeof fx->conf, "%s/conf", fx->dir);
	assert_int_equal(mkdir(fx->conf, 0700), 0);
	snprintf(fx->path, sizeof fx->path, "%s/plc.ini", fx->conf);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	char		*cmd;

	config_free(fx->cfg);
	free(fx->errors);
	free(fx->warnings);
	cmd = xasprintf("rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", fx->dir);
	free(cmd);
	free(fx);
	unsetenv("CREDENTIALS_DIRECTORY");
	unsetenv("PLC_TEST_SECRET");
	return 0;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f;

	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* Write text as the config and load it; returns config_load's result. */
static int
load(struct fx *fx, const char *text)
{
	config_free(fx->cfg);
	free(fx->errors);
	free(fx->warnings);
	fx->cfg = NULL;
	fx->errors = fx->warnings = NULL;
	write_file(fx->path, text, 0644);
	return config_load(fx->path, &fx->cfg, &fx->errors, &fx->warnings);
}

static int
count_lines(const char *s)
{
	int	 n = 0;

	if (s == NULL)
		return 0;
	for (n = 1; *s; s++)
		n += *s == '\n';
	return n;
}

/* True when some line of msgs is "PATH:LINE: …" and holds want. */
static bool
has_line(const struct fx *fx, const char *msgs, int line, const char *want)
{
	char		 prefix[160];
	const char	*p, *end;

	if (msgs == NULL)
		return false;
	snprintf(prefix, sizeof prefix, "%s:%d: ", fx->path, line);
	for (p = msgs; *p; p = *end ? end + 1 : end) {
		end = strchr(p, '\n');
		if (end == NULL)
			end = p + strlen(p);
		if (strncmp(p, prefix, strlen(prefix)) == 0 &&
		    memmem(p, (size_t)(end - p), want, strlen(want)) != NULL)
			return true;
	}
	return false;
}

static void
expect_error(struct fx *fx, const char *text, int line, const char *want)
{
	assert_int_equal(load(fx, text), -1);
	assert_null(fx->cfg);
	if (!has_line(fx, fx->errors, line, want))
		fail_msg("no error at line %d with '%s' in:\n%s", line, want,
		    fx->errors ? fx->errors : "(none)");
}

static bool
date_is(struct civil_date d, int y, int m, int day)
{
	return d.y == y && d.m == m && d.d == day;
}

/* Valid up to here; tests append lines 14 and on. */
#define BASE \
	"[worker]\n" \
	"timezone = America/New_York\n" \
	"[member alice]\n" \
	"email = alice@example.edu\n" \
	"[member bob]\n" \
	"email = bob@example.edu\n" \
	"[community math7]\n" \
	"facilitator = alice\n" \
	"members = alice, bob\n" \
	"cadence = weekly\n" \
	"day = TU\n" \
	"time = 15:30\n" \
	"start = 2026-09-01\n"

static const char full_ini[] =
	"; every key\n"
	"[worker]\n"
	"state_dir   = /srv/plc\n"
	"timezone    = America/New_York\n"
	"listen      = 127.0.0.1:8080\n"
	"public_url  = https://plc.example.edu/\n"
	"horizon     = 90d\n"
	"quiet_hours = 20:00-07:00  ; wraps midnight\n"
	"secret      = env:PLC_TEST_SECRET\n"
	"log_level   = debug\n"
	"\n"
	"[smtp]\n"
	"url      = smtp://mail.example.edu:587\n"
	"starttls = optional\n"
	"from     = PLC Cadence <plc@example.edu>\n"
	"username = plc\n"
	"password = credential:smtp-password\n"
	"\n"
	"[channel math-team]\n"
	"type = slack\n"
	"url  = file:/srv/plc/chat.jsonl\n"
	"[channel ops]\n"
	"type = Teams\n"
	"url  = env:PLC_TEST_SECRET_URL\n"
	"\n"
	"[calendar district]\n"
	"skip   = 2026-11-26, 2026-12-21..2027-01-01\n"
	"source = https://cal.example.edu/holidays.ics\n"
	"\n"
	"[community math7]\n"
	"name          = Grade 7 Math PLC\n"
	"facilitator   = alice\n"
	"members       = alice, bob, carol\n"
	"optional      = erin\n"
	"cadence       = monthly\n"
	"day           = Tuesday\n"
	"week          = last\n"
	"time          = 15:30\n"
	"duration      = 1h30m\n"
	"window        = MO-FR 07:30-16:30, SA 09:00-12:00\n"
	"min_attendance = 0.5\n"
	"start         = 2026-09-01\n"
	"until         = 2027-06-15\n"
	"skip          = district, 2026-10-13, 2027-02-15..2027-02-19\n"
	"move          = 2026-11-24 -> 2026-11-25 16:00, 2027-01-26 -> 2027-01-27\n"
	"cancel        = 2026-12-08, 2027-03-30\n"
	"location      = Room 204\n"
	"url           = https://meet.example.edu/math7\n"
	"description   = \"Norms; data review; next steps\"\n"
	"remind        = 1d, 1h\n"
	"action_remind = 2d, 0d\n"
	"escalate      = 1d\n"
	"digest        = FR 14:00\n"
	"notify        = math-team, ops\n"
	"timezone      = America/Chicago\n"
	"\n"
	"[community ela8]\n"
	"facilitator = bob\n"
	"members     = bob\n"
	"optional    = alice\n"
	"cadence     = \"rrule:FREQ=MONTHLY;BYDAY=1TU;COUNT=10\"  ; quoted\n"
	"time        = auto\n"
	"start       = 2026-09-01\n"
	"\n"
	"[member alice]\n"
	"name      = Alice Smith\n"
	"email     = alice@example.edu\n"
	"[member bob]\n"
	"name      = Bob Jones\n"
	"email     = bob@example.edu\n"
	"timezone  = America/Chicago\n"
	"available = MO 15:00-17:00, TU-TH 15:00-16:30\n"
	"busy      = /srv/cal/bob.ics, https://calendar.example.edu/bob.ics\n"
	"away      = 2026-12-01..2026-12-05, 2027-01-04\n"
	"chat      = math-team:U024BE7LH, ops:bob@example.edu\n"
	"notify    = email, math-team\n"
	"[member carol]\n"
	"notify    = ops\n"
	"[member erin]\n"
	"email     = o'neil@example.edu\n";

static void
test_full(void **state)
{
	struct fx			*fx = *state;
	const struct config		*c;
	const struct config_community	*m7, *e8;
	const struct config_member	*bob, *carol;
	const struct config_channel	*ops;
	char				*credir;

	setenv("PLC_TEST_SECRET", "0123456789abcdef-link-key", 1);
	setenv("PLC_TEST_SECRET_URL", "https://hooks.example.com/T0/B0", 1);
	credir = xasprintf("%s/creds", fx->dir);
	assert_int_equal(mkdir(credir, 0700), 0);
	{
		char *p = xasprintf("%s/smtp-password", credir);
		write_file(p, "s3cret\n", 0400);
		free(p);
	}
	setenv("CREDENTIALS_DIRECTORY", credir, 1);
	free(credir);

	if (load(fx, full_ini) != 0)
		fail_msg("load failed:\n%s", fx->errors);
	/* A holiday calendar URL is fetched (busy_holidays): no warning. */
	assert_null(fx->warnings);
	c = fx->cfg;

	assert_string_equal(c->path, fx->path);
	assert_string_equal(c->worker.state_dir, "/srv/plc");
	assert_string_equal(tz_name(c->worker.tz), "America/New_York");
	assert_string_equal(c->worker.listen, "127.0.0.1:8080");
	assert_string_equal(c->worker.public_url, "https://plc.example.edu");
	assert_int_equal(c->worker.horizon, 90 * CIVIL_DAY);
	assert_true(c->worker.has_quiet);
	assert_int_equal(c->worker.quiet_from, 20 * 3600);
	assert_int_equal(c->worker.quiet_to, 7 * 3600);
	assert_string_equal(c->worker.secret.value, "0123456789abcdef-link-key");
	assert_string_equal(c->worker.secret.source, "env:PLC_TEST_SECRET");
	assert_int_equal(c->worker.log_level, LOG_DEBUG);
	assert_int_equal(c->worker.line, 2);

	assert_string_equal(c->smtp.url, "smtp://mail.example.edu:587");
	assert_int_equal(c->smtp.starttls, CONFIG_STARTTLS_OPTIONAL);
	assert_string_equal(c->smtp.from, "PLC Cadence <plc@example.edu>");
	assert_string_equal(c->smtp.from_name, "PLC Cadence");
	assert_string_equal(c->smtp.from_addr, "plc@example.edu");
	assert_string_equal(c->smtp.username, "plc");
	assert_string_equal(c->smtp.password.value, "s3cret");
	assert_string_equal(c->smtp.password.source,
	    "credential:smtp-password");

	assert_int_equal(c->nchannels, 2);
	assert_string_equal(c->channels[0].id, "math-team");
	assert_int_equal(c->channels[0].type, CONFIG_CHAN_SLACK);
	assert_string_equal(c->channels[0].url.value, "file:/srv/plc/chat.jsonl");
	assert_string_equal(c->channels[0].url.source, "file");
	ops = config_channel_find(c, "ops");
	assert_ptr_equal(ops, &c->channels[1]);
	assert_int_equal(ops->type, CONFIG_CHAN_TEAMS);
	assert_string_equal(ops->url.value, "https://hooks.example.com/T0/B0");
	assert_string_equal(ops->url.source, "env:PLC_TEST_SECRET_URL");
	assert_int_equal(ops->line, 22);

	assert_int_equal(c->ncalendars, 1);
	assert_int_equal(c->calendars[0].nskip, 2);
	assert_true(date_is(c->calendars[0].skip[0].from, 2026, 11, 26));
	assert_true(date_is(c->calendars[0].skip[0].to, 2026, 11, 26));
	assert_true(date_is(c->calendars[0].skip[1].from, 2026, 12, 21));
	assert_true(date_is(c->calendars[0].skip[1].to, 2027, 1, 1));
	assert_string_equal(c->calendars[0].source,
	    "https://cal.example.edu/holidays.ics");

	assert_int_equal(c->ncommunities, 2);
	m7 = config_community_find(c, "math7");
	assert_non_null(m7);
	assert_string_equal(m7->name, "Grade 7 Math PLC");
	assert_ptr_equal(m7->facilitator, config_member_find(c, "alice"));
	assert_int_equal(m7->nmembers, 3);
	assert_string_equal(m7->members[2]->id, "carol");
	assert_int_equal(m7->noptional, 1);
	assert_string_equal(m7->optional[0]->id, "erin");
	assert_int_equal(m7->cadence, CONFIG_CADENCE_MONTHLY);
	assert_null(m7->rrule);
	assert_int_equal(m7->day, CIVIL_TU);
	assert_int_equal(m7->week, -1);
	assert_false(m7->time_auto);
	assert_int_equal(m7->time.h, 15);
	assert_int_equal(m7->time.min, 30);
	assert_int_equal(m7->duration, 5400);
	assert_int_equal(m7->nwindow, 2);
	assert_int_equal(m7->window[0].days, 0x1f);
	assert_int_equal(m7->window[0].from, 7 * 3600 + 1800);
	assert_int_equal(m7->window[0].to, 16 * 3600 + 1800);
	assert_int_equal(m7->window[1].days, 1 << CIVIL_SA);
	assert_true(m7->min_attendance > 0.49 && m7->min_attendance < 0.51);
	/* Written: the quorum's default follows it; quorum_check 48h. */
	assert_true(m7->has_min_attendance && !m7->has_quorum);
	assert_int_equal(m7->quorum_check, 48 * 3600);
	assert_true(date_is(m7->start, 2026, 9, 1));
	assert_true(m7->has_until);
	assert_true(date_is(m7->until, 2027, 6, 15));
	assert_int_equal(m7->nskip_calendars, 1);
	assert_ptr_equal(m7->skip_calendars[0], &c->calendars[0]);
	assert_int_equal(m7->nskip, 2);
	assert_true(date_is(m7->skip[0].from, 2026, 10, 13));
	assert_true(date_is(m7->skip[1].to, 2027, 2, 19));
	assert_int_equal(m7->nmoves, 2);
	assert_true(date_is(m7->moves[0].from, 2026, 11, 24));
	assert_true(date_is(m7->moves[0].to, 2026, 11, 25));
	assert_true(m7->moves[0].has_time);
	assert_int_equal(m7->moves[0].at.h, 16);
	assert_false(m7->moves[1].has_time);
	assert_true(date_is(m7->moves[1].to, 2027, 1, 27));
	assert_int_equal(m7->ncancels, 2);
	assert_true(date_is(m7->cancels[1], 2027, 3, 30));
	assert_string_equal(m7->location, "Room 204");
	assert_string_equal(m7->url, "https://meet.example.edu/math7");
	assert_string_equal(m7->description, "Norms; data review; next steps");
	assert_int_equal(m7->nremind, 2);
	assert_int_equal(m7->remind[0], CIVIL_DAY);
	assert_int_equal(m7->remind[1], 3600);
	assert_int_equal(m7->naction_remind, 2);
	assert_int_equal(m7->action_remind[1], 0);
	assert_true(m7->has_escalate);
	assert_int_equal(m7->escalate, CIVIL_DAY);
	assert_true(m7->has_digest);
	assert_int_equal(m7->digest_day, CIVIL_FR);
	assert_int_equal(m7->digest_time.h, 14);
	assert_int_equal(m7->nnotify, 2);
	assert_ptr_equal(m7->notify[1], ops);
	assert_string_equal(tz_name(m7->tz), "America/Chicago");
	assert_int_equal(m7->line, 30);

	e8 = config_community_find(c, "ela8");
	assert_non_null(e8);
	assert_string_equal(e8->name, "ela8");
	assert_int_equal(e8->cadence, CONFIG_CADENCE_RRULE);
	assert_string_equal(e8->rrule, "FREQ=MONTHLY;BYDAY=1TU;COUNT=10");
	assert_int_equal(e8->day, -1);
	assert_true(e8->time_auto);
	assert_int_equal(e8->duration, 45 * 60);
	assert_int_equal(e8->nwindow, 1);
	assert_int_equal(e8->window[0].days, 0x1f);
	assert_int_equal(e8->window[0].from, 7 * 3600);
	assert_int_equal(e8->window[0].to, 18 * 3600);
	assert_true(e8->min_attendance > 0.74 && e8->min_attendance < 0.76);
	assert_false(e8->has_min_attendance);	/* the default */
	assert_false(e8->has_until);
	assert_false(e8->has_escalate);
	assert_false(e8->has_digest);
	assert_string_equal(tz_name(e8->tz), "America/New_York");
	assert_true(config_community_has_member(e8,
	    config_member_find(c, "alice")));
	assert_false(config_community_has_member(e8,
	    config_member_find(c, "carol")));

	assert_int_equal(c->nmembers, 4);
	bob = config_member_find(c, "bob");
	assert_non_null(bob);
	assert_string_equal(bob->name, "Bob Jones");
	assert_string_equal(bob->email, "bob@example.edu");
	assert_string_equal(tz_name(bob->tz), "America/Chicago");
	assert_int_equal(bob->navailable, 2);
	assert_int_equal(bob->available[1].days,
	    (1 << CIVIL_TU) | (1 << CIVIL_WE) | (1 << CIVIL_TH));
	assert_int_equal(bob->available[1].to, 16 * 3600 + 1800);
	assert_int_equal(bob->nbusy, 2);
	assert_string_equal(bob->busy[0], "/srv/cal/bob.ics");
	assert_string_equal(bob->busy[1], "https://calendar.example.edu/bob.ics");
	assert_int_equal(bob->naway, 2);
	assert_true(date_is(bob->away[1].from, 2027, 1, 4));
	assert_int_equal(bob->nchat, 2);
	assert_ptr_equal(bob->chat[0].channel, &c->channels[0]);
	assert_string_equal(bob->chat[0].handle, "U024BE7LH");
	assert_string_equal(bob->chat[1].handle, "bob@example.edu");
	assert_int_equal(bob->nnotify, 2);
	assert_true(bob->notify[0].email);
	assert_false(bob->notify[1].email);
	assert_ptr_equal(bob->notify[1].channel, &c->channels[0]);
	carol = config_member_find(c, "carol");
	assert_string_equal(carol->name, "carol");
	assert_null(carol->email);
	assert_int_equal(carol->nnotify, 1);
	assert_ptr_equal(carol->notify[0].channel, ops);
	assert_string_equal(tz_name(carol->tz), "America/New_York");
	assert_string_equal(config_member_find(c, "erin")->email,
	    "o'neil@example.edu");
	/* Default notify is e-mail. */
	assert_int_equal(config_member_find(c, "alice")->nnotify, 1);
	assert_true(config_member_find(c, "alice")->notify[0].email);

	assert_null(config_member_find(c, "zed"));
	assert_null(config_community_find(c, "alice"));
	assert_null(config_channel_find(c, "email"));
	unsetenv("PLC_TEST_SECRET_URL");
}

static void
test_defaults(void **state)
{
	struct fx		*fx = *state;
	const struct config	*c;

	if (load(fx, BASE) != 0)
		fail_msg("load failed:\n%s", fx->errors);
	c = fx->cfg;
	assert_string_equal(c->worker.state_dir, "/var/lib/plc-cadence");
	assert_null(c->worker.listen);
	assert_null(c->worker.public_url);
	assert_int_equal(c->worker.horizon, 180 * CIVIL_DAY);
	assert_false(c->worker.has_quiet);
	assert_null(c->worker.secret.value);
	assert_null(c->worker.secret.source);
	assert_int_equal(c->worker.log_level, LOG_INFO);
	assert_string_equal(c->smtp.url, "maildir:/var/lib/plc-cadence/mail");
	assert_int_equal(c->smtp.starttls, CONFIG_STARTTLS_REQUIRED);
	assert_string_equal(c->smtp.from_addr, "plc-cadence@localhost");
	assert_null(c->smtp.password.value);
	assert_int_equal(c->communities[0].week, 0);
	assert_int_equal(c->communities[0].nremind, 0);
	assert_ptr_equal(c->communities[0].tz, c->worker.tz);
	/* clock: 24h unless said; a member inherits the worker's. */
	assert_int_equal(c->worker.clock, 24);
	assert_int_equal(config_member_find(c, "bob")->clock, 24);
	assert_int_equal(c->communities[0].clock, 24);
	if (load(fx, "[worker]\nclock = 12H\n[member alice]\nemail = "
	    "a@example.edu\n[member bob]\nemail = b@example.edu\nclock = "
	    "24h\n") != 0)
		fail_msg("load failed:\n%s", fx->errors);
	assert_int_equal(fx->cfg->worker.clock, 12);
	assert_int_equal(config_member_find(fx->cfg, "alice")->clock, 12);
	assert_int_equal(config_member_find(fx->cfg, "bob")->clock, 24);

	/* No [worker] at all: UTC; listen alone gives public_url. */
	if (load(fx, "[worker]\nlisten = [::1]:8080\n") != 0)
		fail_msg("load failed:\n%s", fx->errors);
	assert_string_equal(fx->cfg->worker.public_url, "http://[::1]:8080");
	assert_string_equal(tz_name(fx->cfg->worker.tz), "UTC");
	assert_int_equal(load(fx, "; nothing\n"), 0);
	assert_string_equal(tz_name(fx->cfg->worker.tz), "UTC");
	assert_int_equal(fx->cfg->nmembers, 0);
}

static void
test_relative_paths(void **state)
{
	struct fx	*fx = *state;
	const struct config *c;
	char		*want, *sec;

	sec = xasprintf("%s/conf/link.key", fx->dir);
	write_file(sec, "0123456789abcdefXYZ\n", 0600);
	free(sec);
	if (load(fx,
	    "[worker]\n"
	    "state_dir = ../var\n"
	    "secret = file:link.key\n"
	    "[smtp]\n"
	    "url = maildir:./../spool/mail\n"
	    "[channel demo]\n"
	    "type = generic\n"
	    "url = file:../var/chat.jsonl\n"
	    "[calendar district]\n"
	    "source = holidays.ics\n"
	    "[member bob]\n"
	    "email = bob@example.edu\n"
	    "busy = cal/bob.ics, /abs/bob.ics, ../../x.ics\n") != 0)
		fail_msg("load failed:\n%s", fx->errors);
	c = fx->cfg;
	/* The scratch dir may itself sit behind a symlink. */
	{
		char *real = realpath(fx->dir, NULL);

		assert_non_null(real);
		want = xasprintf("%s/var", real);
		assert_string_equal(c->worker.state_dir, want);
		free(want);
		assert_string_equal(c->worker.secret.value, "0123456789abcdefXYZ");
		want = xasprintf("file:%s/conf/link.key", real);
		assert_string_equal(c->worker.secret.source, want);
		free(want);
		want = xasprintf("maildir:%s/spool/mail", real);
		assert_string_equal(c->smtp.url, want);
		free(want);
		want = xasprintf("file:%s/var/chat.jsonl", real);
		assert_string_equal(c->channels[0].url.value, want);
		free(want);
		want = xasprintf("%s/conf/holidays.ics", real);
		assert_string_equal(c->calendars[0].source, want);
		free(want);
		want = xasprintf("%s/conf/cal/bob.ics", real);
		assert_string_equal(c->members[0].busy[0], want);
		free(want);
		assert_string_equal(c->members[0].busy[1], "/abs/bob.ics");
		free(real);
	}
	/* "../../x.ics" from /tmp/plc-test-config.X/conf is /tmp/x.ics. */
	assert_string_equal(c->members[0].busy[2], "/tmp/x.ics");
	/* A member in no community is worth a warning, not an error. */
	assert_true(has_line(fx, fx->warnings, 11, "in no community"));

	/* Relative to the file, whatever the working directory. */
	{
		char	 cwd[PATH_MAX];
		char	*rel;

		assert_non_null(getcwd(cwd, sizeof cwd));
		assert_int_equal(chdir(fx->dir), 0);
		config_free(fx->cfg);
		fx->cfg = NULL;
		free(fx->warnings);
		fx->warnings = NULL;
		rel = xstrdup("conf/plc.ini");
		assert_int_equal(config_load(rel, &fx->cfg, &fx->errors,
		    &fx->warnings), 0);
		assert_int_equal(chdir(cwd), 0);
		assert_string_equal(fx->cfg->path, "conf/plc.ini");
		assert_non_null(strstr(fx->cfg->worker.state_dir, "/var"));
		assert_int_equal(fx->cfg->worker.state_dir[0], '/');
		assert_null(strstr(fx->cfg->worker.state_dir, ".."));
		free(rel);
	}
}

static void
test_error_unknown_key(void **state)
{
	expect_error(*state, BASE "colour = blue\n", 14,
	    "[community math7] unknown key 'colour'");
}

static void
test_error_unknown_section(void **state)
{
	expect_error(*state, BASE "[team x]\nname = y\n", 14,
	    "unknown section [team x]");
	expect_error(*state, BASE "[member Zed]\n", 14,
	    "'Zed' is not a valid ID");
	expect_error(*state, BASE "[worker extra]\n", 14, "takes no name");
}

static void
test_error_undefined_member(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx, BASE "optional = zed\n", 14,
	    "[community math7] optional: member 'zed' is not defined");
	expect_error(fx,
	    "[member alice]\nemail = a@example.edu\n"
	    "[community math7]\nfacilitator = zed\nmembers = alice\n"
	    "cadence = weekly\nday = TU\ntime = 15:30\nstart = 2026-09-01\n",
	    4, "member 'zed' is not defined");
}

static void
test_error_bad_time(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx, BASE "digest = FR 25:00\n", 14,
	    "'25:00' is not a time of day");
	expect_error(fx, BASE "window = MO-FR 07:00-06:00\n", 14,
	    "ends before it starts");
	/* Line 12 holds time = 15:30; replace it. */
	expect_error(fx,
	    "[member alice]\nemail = a@example.edu\n"
	    "[community math7]\nfacilitator = alice\nmembers = alice\n"
	    "cadence = weekly\nday = TU\ntime = 25:00\nstart = 2026-09-01\n",
	    8, "[community math7] time: '25:00' is not a time of day");
}

static void
test_error_bad_zone(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx, BASE "timezone = Mars/Base\n", 14,
	    "[community math7] timezone: unknown time zone 'Mars/Base'");
	expect_error(fx, "[worker]\ntimezone = ../../etc/passwd\n", 2,
	    "unknown time zone");
}

static void
test_error_bad_duration(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx, BASE "duration = 45 minutes\n", 14,
	    "'45 minutes' is not a duration");
	expect_error(fx, BASE "remind = 1d, soon\n", 14,
	    "'soon' is not a duration");
	expect_error(fx, "[worker]\nhorizon = 0d\n", 2, "more than 0d");
}

static void
test_error_duplicates(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx, BASE "time = 16:00\n", 14,
	    "duplicate key 'time' in [community math7] (first at line 12)");
	expect_error(fx, BASE "[member bob]\nname = Bob\n", 14,
	    "duplicate section [member bob] (first at line 5)");
	/* A key repeated across the two copies of a section, too. */
	assert_true(load(fx, BASE "[member bob]\nemail = b@example.edu\n") == -1);
	assert_true(has_line(fx, fx->errors, 15, "duplicate key 'email'"));
}

static void
test_error_bad_dates(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx, BASE "skip = 2027-01-01..2026-12-21\n", 14,
	    "date range '2027-01-01..2026-12-21' ends before it starts");
	expect_error(fx, BASE "cancel = 2026-02-30\n", 14,
	    "'2026-02-30' is not a date");
	expect_error(fx, BASE "until = 2026-08-31\n", 14,
	    "until: 2026-08-31 is before start");
	expect_error(fx, BASE "until = 2026-12-31\ncancel = 2027-01-05\n", 15,
	    "2027-01-05 is after until");
	expect_error(fx, BASE "move = 2026-11-24 -> 2026-11-25 16:00\n"
	    "cancel = 2026-11-24\n", 15, "also moved");
}

static void
test_error_missing_required(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx,
	    "[member alice]\nemail = a@example.edu\n"
	    "[community math7]\nfacilitator = alice\nmembers = alice\n"
	    "cadence = weekly\nday = TU\ntime = 15:30\n", 3,
	    "[community math7] is missing required key 'start'");
	expect_error(fx,
	    "[member alice]\nemail = a@example.edu\n"
	    "[community math7]\nfacilitator = alice\nmembers = alice\n"
	    "cadence = weekly\ntime = 15:30\nstart = 2026-09-01\n", 3,
	    "missing required key 'day'");
	expect_error(fx, "[channel x]\ntype = slack\n", 1,
	    "[channel x] is missing required key 'url'");
	expect_error(fx, "[member zoe]\nname = Zoe\n", 1,
	    "has neither email nor notify");
}

static void
test_error_syntax(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx, BASE "this is not a key\n", 14, "syntax error");
	expect_error(fx, "[worker]\n[member bob] ; note\n", 2,
	    "alone on its line");
	expect_error(fx, "[worker]\ntimezone = \"America/New_York\n", 2,
	    "missing closing \" quote");
	expect_error(fx, "x = 1\n[worker]\n", 1, "before any [section]");
	expect_error(fx, "\xef\xbb\xbf[worker]\n", 1, "byte-order mark");
	{
		char	*t, pad[1100];

		memset(pad, ' ', sizeof pad - 1);
		pad[sizeof pad - 1] = '\0';
		t = xasprintf("[worker]\n%stimezone = UTC\n", pad);
		expect_error(fx, t, 2, "longer than 1000 characters");
		free(t);
	}
	/* Syntax errors on several lines are all reported. */
	assert_int_equal(load(fx, "[worker]\noops\n\n= 3\n"), -1);
	assert_true(has_line(fx, fx->errors, 2, "syntax error"));
	assert_true(has_line(fx, fx->errors, 4, "no key before '='"));
}

static void
test_error_cadence(void **state)
{
	struct fx	*fx = *state;
	const char	*head =
	    "[member alice]\nemail = a@example.edu\n"
	    "[community math7]\nfacilitator = alice\nmembers = alice\n"
	    "time = 15:30\nstart = 2026-09-01\n";
	char		*t;

	/* Unquoted, iniparser would cut the rule at ';'. */
	t = xasprintf("%scadence = rrule:FREQ=MONTHLY;BYDAY=1TU\n", head);
	expect_error(fx, t, 8, "write a value that holds ';' in double quotes");
	free(t);
	t = xasprintf("%scadence = \"rrule:FREQ=WEEKLY;UNTIL=20270101\"\n",
	    head);
	expect_error(fx, t, 8, "use the until key");
	free(t);
	t = xasprintf("%scadence = rrule:FREQ=HOURLY\n", head);
	expect_error(fx, t, 8, "at most daily");
	free(t);
	t = xasprintf("%scadence = rrule:FREQ=WEEKLY\nday = TU\n", head);
	expect_error(fx, t, 9, "put BYDAY in the rule");
	free(t);
	t = xasprintf("%scadence = weekly\nday = TU\nweek = 2\n", head);
	expect_error(fx, t, 10, "only for a monthly cadence");
	free(t);
	t = xasprintf("%scadence = fortnightly\nday = TU\n", head);
	expect_error(fx, t, 8, "'fortnightly' is not weekly, biweekly");
	free(t);
	expect_error(fx, BASE "window = FR-MO 09:00-12:00\n", 14,
	    "day range 'FR-MO' runs backwards");
}

static void
test_error_references(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx, BASE "skip = winter\n", 14,
	    "calendar 'winter' is not defined");
	expect_error(fx, BASE "notify = staff\n", 14,
	    "channel 'staff' is not defined");
	expect_error(fx, BASE "[member carol]\nchat = staff:U1\n", 15,
	    "[member carol] chat: channel 'staff' is not defined");
	expect_error(fx, BASE "[member carol]\nnotify = email\n", 15,
	    "the member has no email");
	expect_error(fx, BASE "optional = bob\n", 14, "already in members");
	expect_error(fx,
	    "[member alice]\nemail = a@example.edu\n"
	    "[member bob]\nemail = b@example.edu\n"
	    "[community math7]\nfacilitator = alice\nmembers = bob\n"
	    "cadence = weekly\nday = TU\ntime = 15:30\nstart = 2026-09-01\n",
	    6, "'alice' is in neither members nor optional");
}

static void
test_error_values(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx, "[member bob]\nemail = Bob <bob@example.edu>\n", 2,
	    "is not an e-mail address");
	expect_error(fx, "[member bob]\nemail = bob@exa mple.edu\n", 2,
	    "is not an e-mail address");
	expect_error(fx, "[worker]\nlisten = ::1:8080\n", 2, "HOST:PORT");
	expect_error(fx, "[worker]\nlisten = 127.0.0.1:99999\n", 2,
	    "HOST:PORT");
	expect_error(fx, "[worker]\npublic_url = ftp://x.example.edu\n", 2,
	    "is not an http:// or https:// base URL");
	expect_error(fx, "[smtp]\nurl = imap://mail.example.edu\n", 2,
	    "smtps://HOST[:PORT]");
	expect_error(fx, "[smtp]\nurl = smtp://mail.example.edu:587\n", 1,
	    "missing required key 'from'");
	expect_error(fx, "[smtp]\nstarttls = maybe\n", 2,
	    "not required, optional or off");
	expect_error(fx, "[worker]\nlog_level = loud\n", 2,
	    "is not a log level");
	expect_error(fx, "[worker]\nclock = 12\n", 2, "'12' is not 12h or 24h");
	expect_error(fx, "[member bob]\nclock = am/pm\n", 2,
	    "[member bob] clock: 'am/pm' is not 12h or 24h");
	expect_error(fx, "[channel x]\ntype = irc\nurl = file:/tmp/x\n", 2,
	    "'irc' is not slack");
	expect_error(fx, "[channel x]\ntype = slack\nurl = hooks.example\n", 3,
	    "expected an https:// webhook URL");
	expect_error(fx, "[channel email]\ntype = slack\nurl = file:/x\n", 1,
	    "reserved");
	expect_error(fx, BASE "min_attendance = 1.5\n", 14,
	    "is not a share between 0 and 1");
	expect_error(fx, BASE "quorum = 0\n", 14,
	    "'0' is not a share above 0 and at most 1 (e.g. 0.6)");
	expect_error(fx, BASE "quorum = 60%\n", 14,
	    "'60%' is not a share above 0 and at most 1");
	expect_error(fx, BASE "quorum_check = 8d\n", 14,
	    "the quorum check is more than 0m and at most 7d before the "
	    "meeting");
	expect_error(fx, BASE "quorum_check = soon\n", 14, "soon");
	expect_error(fx, BASE "remind = 1d,,1h\n", 14, "empty item in list");
	expect_error(fx, BASE "move = 2026-11-24 => 2026-11-25\n", 14,
	    "is not DATE -> DATE [HH:MM]");
	expect_error(fx, BASE "name = caf\xc3\n", 14, "not valid UTF-8");
}

/* The meeting cycle's keys (branch report): parsed, defaults, errors. */
static void
test_cycle_keys(void **state)
{
	struct fx			*fx = *state;
	const struct config_community	*c;

	assert_int_equal(load(fx, BASE "agenda_due = 2d\nminutes_due = 1d\n"
	    "recorder = bob\nnotes_url = https://docs.example.edu/plc/"
	    "{date}/notes\nreport = 1st 07:00\n"), 0);
	c = &fx->cfg->communities[0];
	assert_true(c->has_agenda_due);
	assert_int_equal(c->agenda_due, 2 * 86400);
	assert_true(c->has_minutes_due);
	assert_int_equal(c->minutes_due, 86400);
	assert_string_equal(c->recorder->id, "bob");
	assert_string_equal(c->notes_url,
	    "https://docs.example.edu/plc/{date}/notes");
	assert_true(c->has_report);
	assert_int_equal(c->report_mday, 1);
	assert_int_equal(c->report_time.h, 7);
	/* Off when absent; the recorder defaults to the facilitator. */
	assert_int_equal(load(fx, BASE), 0);
	c = &fx->cfg->communities[0];
	assert_false(c->has_agenda_due);
	assert_false(c->has_minutes_due);
	assert_false(c->has_report);
	assert_null(c->recorder);
	assert_null(c->notes_url);
	assert_int_equal(load(fx, BASE "report = 28 18:30\n"), 0);
	assert_int_equal(fx->cfg->communities[0].report_mday, 28);
	expect_error(fx, BASE "agenda_due = soon\n", 14, "is not a duration");
	expect_error(fx, BASE "minutes_due = -1d\n", 14, "is not a duration");
	expect_error(fx, BASE "recorder = zed\n", 14,
	    "member 'zed' is not defined");
	expect_error(fx, "[member carol]\nemail = c@example.edu\n" BASE
	    "recorder = carol\n", 16,
	    "recorder: 'carol' is in neither members nor optional");
	expect_error(fx, BASE "notes_url = docs.example.edu/{date}\n", 14,
	    "is not an http(s) URL");
	expect_error(fx, BASE "notes_url = https://d.example.edu/{when}\n", 14,
	    "only {date} may be filled in");
	expect_error(fx, BASE "notes_url = https://d.example.edu/a b\n", 14,
	    "is not an http(s) URL");
	expect_error(fx, BASE "report = 31st 07:00\n", 14,
	    "day of the month 1-28");
	expect_error(fx, BASE "report = first 07:00\n", 14, "DAY HH:MM");
	expect_error(fx, BASE "report = 1st\n", 14, "DAY HH:MM");
	expect_error(fx, BASE "report = 1st 25:00\n", 14, "25:00");
}

static void
test_multiple_errors(void **state)
{
	struct fx	*fx = *state;

	assert_int_equal(load(fx,
	    "[worker]\n"			/* 1 */
	    "timezone = Mars/Base\n"		/* 2 */
	    "colour = blue\n"			/* 3 */
	    "[member alice]\n"			/* 4 */
	    "email = alice@example.edu\n"	/* 5 */
	    "[community math7]\n"		/* 6 */
	    "facilitator = alice\n"		/* 7 */
	    "members = alice, zed\n"		/* 8 */
	    "cadence = weekly\n"		/* 9 */
	    "day = TU\n"			/* 10 */
	    "time = 25:00\n"			/* 11 */
	    "duration = forever\n"		/* 12 */
	    "start = 2026-09-01\n"		/* 13 */
	    "[bogus]\n"),			/* 14 */
	    -1);
	assert_true(has_line(fx, fx->errors, 2, "unknown time zone 'Mars/Base'"));
	assert_true(has_line(fx, fx->errors, 3, "[worker] unknown key 'colour'"));
	assert_true(has_line(fx, fx->errors, 8, "member 'zed' is not defined"));
	assert_true(has_line(fx, fx->errors, 11, "'25:00'"));
	assert_true(has_line(fx, fx->errors, 12, "'forever' is not a duration"));
	assert_true(has_line(fx, fx->errors, 14, "unknown section [bogus]"));
	assert_int_equal(count_lines(fx->errors), 6);
	/* Sorted by line. */
	assert_true(strstr(fx->errors, ":2: ") < strstr(fx->errors, ":14: "));
	assert_int_equal(fx->errors[strlen(fx->errors) - 1] != '\n', 1);
}

static void
test_secret_forms(void **state)
{
	struct fx	*fx = *state;
	char		*key, *text, *credir;

	key = xasprintf("%s/smtp.pw", fx->dir);
	text = xasprintf("[smtp]\nurl = maildir:/tmp/m\nusername = plc\n"
	    "password = file:%s\n", key);

	/* 0600: read, the trailing newline dropped. */
	write_file(key, "pa ss\n", 0600);
	if (load(fx, text) != 0)
		fail_msg("load failed:\n%s", fx->errors);
	assert_string_equal(fx->cfg->smtp.password.value, "pa ss");
	assert_null(fx->warnings);

	/* 0644: refused, and the message tells how to fix it. */
	assert_int_equal(chmod(key, 0644), 0);
	expect_error(fx, text, 4, "is readable by others (chmod 600)");
	assert_null(strstr(fx->errors, "pa ss"));
	free(text);

	/* env: */
	setenv("PLC_TEST_SECRET", "from-env", 1);
	assert_int_equal(load(fx, "[smtp]\nusername = u\n"
	    "password = env:PLC_TEST_SECRET\n"), 0);
	assert_string_equal(fx->cfg->smtp.password.value, "from-env");
	assert_string_equal(fx->cfg->smtp.password.source,
	    "env:PLC_TEST_SECRET");
	/* Unset: loads with a warning, marked unavailable, for the
	 * commands that send to refuse (the others work from a shell). */
	unsetenv("PLC_TEST_SECRET");
	assert_int_equal(load(fx, "[smtp]\nusername = u\n"
	    "password = env:PLC_TEST_SECRET\n"), 0);
	assert_null(fx->cfg->smtp.password.value);
	assert_true(fx->cfg->smtp.password.unavailable);
	assert_string_equal(config_secret_unavailable(fx->cfg),
	    "env:PLC_TEST_SECRET");
	assert_string_equal(config_secret_why(fx->cfg),
	    "the environment variable is not set");
	assert_non_null(fx->warnings);
	assert_non_null(strstr(fx->warnings, ":3: warning: [smtp] password: "
	    "environment variable PLC_TEST_SECRET is not set"));
	expect_error(fx, "[smtp]\nusername = u\npassword = env:1BAD\n",
	    3, "is not an environment variable name");

	/* credential: outside the service loads, marked unavailable, for the
	 * commands that send to refuse. */
	assert_int_equal(load(fx, "[smtp]\nusername = u\n"
	    "password = credential:pw\n[channel team]\ntype = slack\n"
	    "url = credential:hook\n"), 0);
	assert_null(fx->cfg->smtp.password.value);
	assert_true(fx->cfg->smtp.password.unavailable);
	assert_true(fx->cfg->channels[0].url.unavailable);
	assert_string_equal(config_secret_unavailable(fx->cfg),
	    "credential:pw");
	assert_int_equal(load(fx, "[channel team]\ntype = slack\n"
	    "url = credential:hook\n"), 0);
	assert_string_equal(config_secret_unavailable(fx->cfg),
	    "credential:hook");
	expect_error(fx, "[smtp]\nusername = u\npassword = credential:../pw\n",
	    3, "is not a credential name");
	credir = xasprintf("%s/creds", fx->dir);
	assert_int_equal(mkdir(credir, 0700), 0);
	setenv("CREDENTIALS_DIRECTORY", credir, 1);
	expect_error(fx, "[smtp]\nusername = u\npassword = credential:pw\n", 3,
	    "cannot open secret file");
	expect_error(fx, "[smtp]\nusername = u\npassword = credential:../pw\n",
	    3, "is not a credential name");
	free(key);
	key = xasprintf("%s/pw", credir);
	write_file(key, "cred-value\n", 0400);
	assert_int_equal(load(fx, "[smtp]\nusername = u\n"
	    "password = credential:pw\n"), 0);
	assert_string_equal(fx->cfg->smtp.password.value, "cred-value");
	assert_string_equal(fx->cfg->smtp.password.source, "credential:pw");
	assert_null(config_secret_unavailable(fx->cfg));

	/* A literal is accepted, with a warning naming its line. */
	assert_int_equal(load(fx, "[smtp]\nusername = u\npassword = hunter2\n"),
	    0);
	assert_string_equal(fx->cfg->smtp.password.value, "hunter2");
	assert_string_equal(fx->cfg->smtp.password.source, "literal");
	assert_true(has_line(fx, fx->warnings, 3, "warning: [smtp] password "
	    "is a literal secret; use file:, env: or credential:"));
	/* … and so is a literal webhook URL; a file: sink is not a secret. */
	assert_int_equal(load(fx, "[channel a]\ntype = slack\n"
	    "url = https://hooks.example.com/x\n[channel b]\ntype = discord\n"
	    "url = file:/tmp/b.jsonl\n"), 0);
	assert_true(has_line(fx, fx->warnings, 3, "literal secret"));
	assert_int_equal(count_lines(fx->warnings), 1);
	/* The link key must be long enough to sign with. */
	expect_error(fx, "[worker]\nsecret = short\n", 2, "shorter than 16");
	free(key);
	free(credir);
}

static void
test_control_characters(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx, BASE "location = Room\r204\n", 14,
	    "control character 0x0d");
	expect_error(fx, BASE "location = Room\x1b[31m204\n", 14,
	    "control character 0x1b");
	expect_error(fx, BASE "location = \"Room\t204\"\n", 14,
	    "location: U+0009 (tab) is not allowed");
	/* A secret's control characters are refused without echoing it. */
	setenv("PLC_TEST_SECRET", "abc\r\nBcc: x@example.com", 1);
	expect_error(fx, "[smtp]\nusername = u\npassword = env:PLC_TEST_SECRET\n",
	    3, "holds a control character");
	assert_null(strstr(fx->errors, "Bcc"));
	/* CRLF line ends are fine. */
	assert_int_equal(load(fx, "[worker]\r\ntimezone = UTC\r\n"), 0);
}

/* Issue 15, finding 15: C1 controls, line separators and bidi overrides
 * in names reached messages and feeds; each is refused with its line. */
static void
test_text_refused(void **state)
{
	struct fx	*fx = *state;

	/* U+0085 NEXT LINE (C1) in a member's name. */
	expect_error(fx, BASE "[member carol]\nname = Carol\xc2\x85Smith\n", 15,
	    "[member carol] name: U+0085 (next line) is not allowed");
	/* U+2028 LINE SEPARATOR in a community's name. */
	expect_error(fx, BASE "name = Math\xe2\x80\xa8PLC\n", 14,
	    "[community math7] name: U+2028 (line separator) is not allowed");
	/* U+202E RIGHT-TO-LEFT OVERRIDE in a location and a description. */
	expect_error(fx, BASE "location = Room \xe2\x80\xae" "402\n", 14,
	    "location: U+202E (right-to-left override) is not allowed");
	expect_error(fx, BASE "description = a\xe2\x81\xa6" "b\n", 14,
	    "description: U+2066 (left-to-right isolate) is not allowed");
	/* The sender's display name goes into every From: header. */
	expect_error(fx, "[smtp]\nfrom = PLC\xe2\x80\xa9 <p@example.edu>\n", 2,
	    "U+2029 (paragraph separator) is not allowed");
	/* Every refused value is reported, not only the first. */
	assert_int_equal(load(fx, BASE "name = a\xc2\x9b" "b\n"
	    "location = \xe2\x80\xab" "x\n"), -1);
	assert_true(has_line(fx, fx->errors, 14, "U+009B"));
	assert_true(has_line(fx, fx->errors, 15, "U+202B"));
	/* Bidi marks, accents, emoji with joiners: a real name in Hebrew
	 * with a Latin part needs U+200F. */
	if (load(fx, BASE "name = \xd7\xa6\xd7\x95\xd7\x95\xd7\xaa "
	    "\xe2\x80\x8f" "7 \xc3\xa9\xc3\xa9 \xf0\x9f\x91\xa9\xe2\x80\x8d"
	    "\xf0\x9f\x8f\xab\n") != 0)
		fail_msg("load failed:\n%s", fx->errors);
	assert_string_equal(fx->cfg->communities[0].name, "\xd7\xa6\xd7\x95"
	    "\xd7\x95\xd7\xaa \xe2\x80\x8f" "7 \xc3\xa9\xc3\xa9 \xf0\x9f\x91"
	    "\xa9\xe2\x80\x8d\xf0\x9f\x8f\xab");
}

/* Issue 15, finding 10: "start = 9999-12-31" passed check, then every cycle
 * failed (libical has no occurrence past 2582).  Every date the config
 * takes is of the years 1970 to 2199. */
static void
test_date_range(void **state)
{
	struct fx	*fx = *state;

	expect_error(fx, "[worker]\ntimezone = UTC\n[member a]\n"
	    "email = a@example.edu\n[community c]\nfacilitator = a\n"
	    "members = a\ncadence = weekly\nday = TU\ntime = 15:30\n"
	    "start = 9999-12-31\n", 11,
	    "start: '9999-12-31' is out of range: dates are of the years "
	    "1970 to 2199");
	expect_error(fx, BASE "until = 2583-01-01\n", 14,
	    "until: '2583-01-01' is out of range");
	expect_error(fx, BASE "skip = 2026-12-21..2200-01-01\n", 14,
	    "skip: '2200-01-01' is out of range");
	expect_error(fx, BASE "cancel = 1969-12-30\n", 14,
	    "cancel: '1969-12-30' is out of range");
	expect_error(fx, BASE "move = 2026-11-24 -> 3000-01-01\n", 14,
	    "move: '3000-01-01' is out of range");
	expect_error(fx, "[calendar d]\nskip = 9999-01-01\n", 2,
	    "[calendar d] skip: '9999-01-01' is out of range");
	expect_error(fx, "[member a]\naway = 2026-12-01..9999-12-31\n", 2,
	    "[member a] away: '9999-12-31' is out of range");
	/* The edges themselves are fine. */
	if (load(fx, BASE "until = 2199-12-31\nskip = 1970-01-01\n") != 0)
		fail_msg("load failed:\n%s", fx->errors);
}

/* Issue 15, finding 13: an http:// webhook sends its secret in cleartext,
 * and file:// is URL syntax with a host, not a path. */
static void
test_webhook_urls(void **state)
{
	struct fx	*fx = *state;
	static const char *const refused[] = {
		"http://hooks.example.com/T0/B0/xyz",
		"http://10.0.0.5:8080/hook",
		"http://127.0.0.1@hooks.example.com/x",	/* user "127.0.0.1" */
		"http://a@hooks.example.com@127.0.0.1/x",	/* two '@' */
		"http://127.0.0.1.example.com/x",
		"http://[::ffff:10.0.0.1]/x",
		"http://localhost.example.com/x",
		"HTTP://hooks.example.com/x",
	};
	static const char *const loopback[] = {
		"http://127.0.0.1:8080/hook",
		"http://127.8.9.10/x?token=1",
		"http://[::1]:9000/x",
		"http://LocalHost:9000",
		"http://user:pw@127.0.0.1:1/x",
		"https://hooks.example.com/T0/B0/xyz",
	};
	char	*text;
	size_t	 i;

	for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		text = xasprintf("[channel x]\ntype = slack\nurl = %s\n",
		    refused[i]);
		expect_error(fx, text, 3, "is http:// to a host that is not "
		    "loopback");
		/* The URL is a secret: never echoed. */
		assert_null(strstr(fx->errors, refused[i]));
		free(text);
	}
	for (i = 0; i < sizeof loopback / sizeof loopback[0]; i++) {
		text = xasprintf("[channel x]\ntype = slack\nurl = %s\n",
		    loopback[i]);
		if (load(fx, text) != 0)
			fail_msg("%s refused:\n%s", loopback[i], fx->errors);
		assert_string_equal(fx->cfg->channels[0].url.value, loopback[i]);
		free(text);
	}
	/* The same rule for a URL from env: (and credential:). */
	setenv("PLC_TEST_SECRET", "http://hooks.example.com/T0/B0/xyz", 1);
	expect_error(fx, "[channel x]\ntype = slack\nurl = env:PLC_TEST_SECRET\n",
	    3, "the value from env:PLC_TEST_SECRET is http:// to a host that "
	    "is not loopback");
	assert_null(strstr(fx->errors, "hooks.example.com"));
	/* file: takes a path, absolute or relative, not file://host/. */
	expect_error(fx, "[channel x]\ntype = slack\nurl = file:///etc/passwd\n",
	    3, "not file:// URL syntax");
	expect_error(fx, "[channel x]\ntype = slack\nurl = file://host/x\n",
	    3, "not file:// URL syntax");
	assert_int_equal(load(fx, "[channel x]\ntype = slack\n"
	    "url = file:out/chat.jsonl\n"), 0);
	assert_true(strncmp(fx->cfg->channels[0].url.value, "file:/", 6) == 0);
	assert_non_null(strstr(fx->cfg->channels[0].url.value,
	    "/conf/out/chat.jsonl"));
}

/* Issue 15, finding 9: a FIFO as a secret file blocked in open() until
 * something wrote to it; check, the CLI and a reload hung. */
static void
test_secret_not_regular(void **state)
{
	struct fx	*fx = *state;
	char		*fifo, *text, *credir;

	/* A hang fails the test instead of stopping make check. */
	alarm(30);
	fifo = xasprintf("%s/pw.fifo", fx->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	text = xasprintf("[smtp]\nusername = plc\npassword = file:%s\n", fifo);
	expect_error(fx, text, 3, "is not a regular file (a FIFO)");
	free(text);
	/* The same through systemd's credentials directory. */
	credir = xasprintf("%s/creds", fx->dir);
	assert_int_equal(mkdir(credir, 0700), 0);
	free(fifo);
	fifo = xasprintf("%s/hook", credir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	setenv("CREDENTIALS_DIRECTORY", credir, 1);
	expect_error(fx, "[channel team]\ntype = slack\n"
	    "url = credential:hook\n", 3, "is not a regular file (a FIFO)");
	/* A directory, and a device. */
	text = xasprintf("[worker]\nsecret = file:%s\n", credir);
	expect_error(fx, text, 2, "is not a regular file (a directory)");
	free(text);
	expect_error(fx, "[worker]\nsecret = file:/dev/zero\n", 2,
	    "is not a regular file (a device)");
	alarm(0);
	free(fifo);
	free(credir);
}

static void
test_quoted_values(void **state)
{
	struct fx	*fx = *state;

	assert_int_equal(load(fx, BASE
	    "description = \"Data #1; then goals\"   ; a comment\n"
	    "location = Room 204 ; a comment\n"
	    "url = \"https://meet.example.edu/x#y\"\n"), 0);
	assert_string_equal(fx->cfg->communities[0].description,
	    "Data #1; then goals");
	assert_string_equal(fx->cfg->communities[0].location, "Room 204");
	assert_string_equal(fx->cfg->communities[0].url,
	    "https://meet.example.edu/x#y");
	/* Keys and section words in any case, as iniparser reads them. */
	assert_int_equal(load(fx, "[WORKER]\nTimeZone = UTC\n"), 0);
}

static void
test_missing_file(void **state)
{
	struct fx	*fx = *state;
	struct config	*cfg = NULL;
	char		*errors = NULL, *warnings = NULL;

	assert_int_equal(config_load("/nonexistent/plc.ini", &cfg, &errors,
	    &warnings), -1);
	assert_null(cfg);
	assert_string_equal(errors, "/nonexistent/plc.ini: cannot open: "
	    "No such file or directory");
	assert_null(warnings);
	free(errors);
	(void)fx;
}

static void
test_free_and_names(void **state)
{
	struct config	*cfg;

	(void)state;
	config_free(NULL);
	/* A half-built config: arrays allocated, nothing filled in. */
	cfg = xcalloc(1, sizeof *cfg);
	cfg->members = xcalloc(2, sizeof *cfg->members);
	cfg->nmembers = 2;
	cfg->members[0].id = xstrdup("a");
	config_free(cfg);
	assert_string_equal(config_channel_type_name(CONFIG_CHAN_SLACK), "slack");
	assert_string_equal(config_channel_type_name(CONFIG_CHAN_GOOGLECHAT),
	    "googlechat");
	assert_string_equal(config_channel_type_name(CONFIG_CHAN_GENERIC),
	    "generic");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_paths, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_unknown_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_unknown_section,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_undefined_member,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_bad_time, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_bad_zone, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_bad_duration, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_duplicates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_bad_dates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_missing_required,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_syntax, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_cadence, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_references, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_values, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_multiple_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cycle_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_secret_forms, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_control_characters, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_text_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_date_range, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_webhook_urls, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_secret_not_regular, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_quoted_values, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
		    teardown),
		cmocka_unit_test(test_free_and_names),
	};
	int	 rc;

	rc = cmocka_run_group_tests_name("config", tests, NULL, NULL);
	tz_shutdown();
	return rc;
}
