/* config_key: the keys of each section, one handler per key, and the
 * tables that name them with their defaults (config_int.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <iniparser.h>

#include "config.h"
#include "config_int.h"
#include "log.h"
#include "message.h"
#include "recur.h"
#include "text.h"
#include "xmalloc.h"

/* ------------------------------------------------------------- [worker] */

static void
w_state_dir(struct loader *L, void *obj, const struct item *it)
{
	struct config_worker	*w = obj;

	if (*it->value == '\0') {
		ifail(L, it, "expected a directory");
		return;
	}
	free(w->state_dir);
	w->state_dir = resolve_path(L, it->value);
}

static void
w_timezone(struct loader *L, void *obj, const struct item *it)
{
	struct config_worker	*w = obj;
	const struct tz		*tz;

	if ((tz = parse_zone(L, it, it->value)) != NULL)
		w->tz = tz;
}

static void
w_listen(struct loader *L, void *obj, const struct item *it)
{
	struct config_worker	*w = obj;

	/* Empty turns the built-in HTTP server off. */
	if (*it->value == '\0')
		return;
	if (!hostport_valid(it->value, true)) {
		ifail(L, it, "'%s' is not HOST:PORT (e.g. 127.0.0.1:8080, "
		    "[::1]:8080), or empty for off", it->value);
		return;
	}
	w->listen = xstrdup(it->value);
}

static void
w_public_url(struct loader *L, void *obj, const struct item *it)
{
	struct config_worker	*w = obj;
	const char		*host;
	size_t			 len;

	host = strstr(it->value, "://");
	if (!is_web_url(it->value) || !url_chars_ok(it->value) ||
	    strpbrk(it->value, "?#") != NULL || host[3] == '\0' ||
	    host[3] == '/') {
		ifail(L, it, "'%s' is not an http:// or https:// base URL "
		    "(e.g. https://plc.example.edu)", it->value);
		return;
	}
	/* Links are built as public_url + "/feeds/…". */
	len = strlen(it->value);
	while (it->value[len - 1] == '/')
		len--;
	w->public_url = xstrndup(it->value, len);
	w->public_url_set = true;
}

static void
w_horizon(struct loader *L, void *obj, const struct item *it)
{
	struct config_worker	*w = obj;
	int64_t			 v;

	if (parse_duration(L, it, it->value, &v) == -1)
		return;
	if (v <= 0 || v > 3660 * (int64_t)CIVIL_DAY) {
		ifail(L, it, "must be more than 0d and at most 3660d");
		return;
	}
	w->horizon = v;
}

static void
w_alert_after(struct loader *L, void *obj, const struct item *it)
{
	struct config_worker	*w = obj;
	int64_t			 v;

	if (parse_duration(L, it, it->value, &v) == -1)
		return;
	if (v <= 0 || v > 30 * (int64_t)CIVIL_DAY) {
		ifail(L, it, "must be more than 0s and at most 30d");
		return;
	}
	w->alert_after = v;
}

static void
w_quiet_hours(struct loader *L, void *obj, const struct item *it)
{
	struct config_worker	*w = obj;

	if (parse_time_range(L, it, it->value, true, &w->quiet_from,
	    &w->quiet_to) == 0)
		w->has_quiet = true;
}

/* "12h" or "24h": how a reader's messages write times of day. */
static int
parse_clock(struct loader *L, const struct item *it, int *out)
{
	if (strcasecmp(it->value, "12h") == 0)
		*out = 12;
	else if (strcasecmp(it->value, "24h") == 0)
		*out = 24;
	else {
		ifail(L, it, "'%s' is not 12h or 24h", it->value);
		return -1;
	}
	return 0;
}

static void
w_clock(struct loader *L, void *obj, const struct item *it)
{
	parse_clock(L, it, &((struct config_worker *)obj)->clock);
}

static void
w_secret(struct loader *L, void *obj, const struct item *it)
{
	struct config_worker	*w = obj;

	parse_secret(L, it, &w->secret);
	/* Short keys make the signed action links guessable. */
	if (w->secret.value != NULL &&
	    strlen(w->secret.value) < MIN_LINK_SECRET) {
		ifail(L, it, "the secret from %s is shorter than %d "
		    "characters", w->secret.source, MIN_LINK_SECRET);
		secret_clear(&w->secret);
	}
}

static void
w_log_level(struct loader *L, void *obj, const struct item *it)
{
	static const struct { const char *name; int level; } levels[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "notice", LOG_NOTICE }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG },
	};
	struct config_worker	*w = obj;
	size_t			 i;

	for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		if (strcasecmp(it->value, levels[i].name) == 0) {
			w->log_level = levels[i].level;
			return;
		}
	}
	ifail(L, it, "'%s' is not a log level (expected error, warning, "
	    "notice, info or debug)", it->value);
}

/* --------------------------------------------------------------- [smtp] */

static void
s_url(struct loader *L, void *obj, const struct item *it)
{
	struct config_smtp	*s = obj;
	const char		*rest;
	char			*hp;
	size_t			 len;

	if (has_prefix(it->value, "maildir:")) {
		if (it->value[8] == '\0') {
			ifail(L, it, "maildir: needs a directory");
			return;
		}
		rest = it->value + 8;
		hp = resolve_path(L, rest);
		s->url = xasprintf("maildir:%s", hp);
		free(hp);
		return;
	}
	if (has_prefix(it->value, "smtp://"))
		rest = it->value + 7;
	else if (has_prefix(it->value, "smtps://"))
		rest = it->value + 8;
	else {
		ifail(L, it, "'%s' is not smtp://HOST[:PORT], "
		    "smtps://HOST[:PORT] or maildir:/path", it->value);
		return;
	}
	len = strlen(rest);
	if (len > 0 && rest[len - 1] == '/')
		len--;
	hp = xstrndup(rest, len);
	if (!hostport_valid(hp, false))
		ifail(L, it, "'%s' is not smtp://HOST[:PORT] or "
		    "smtps://HOST[:PORT] (credentials go in username and "
		    "password)", it->value);
	else
		s->url = xstrndup(it->value, (size_t)(rest - it->value) + len);
	free(hp);
}

static void
s_starttls(struct loader *L, void *obj, const struct item *it)
{
	struct config_smtp	*s = obj;

	if (strcasecmp(it->value, "required") == 0)
		s->starttls = CONFIG_STARTTLS_REQUIRED;
	else if (strcasecmp(it->value, "optional") == 0)
		s->starttls = CONFIG_STARTTLS_OPTIONAL;
	else if (strcasecmp(it->value, "off") == 0)
		s->starttls = CONFIG_STARTTLS_OFF;
	else
		ifail(L, it, "'%s' is not required, optional or off",
		    it->value);
}

/* "Name <addr>" or a bare addr; the name may be in double quotes. */
static void
s_from(struct loader *L, void *obj, const struct item *it)
{
	struct config_smtp	*s = obj;
	char			*copy, *lt, *name = NULL, *addr;
	size_t			 len;

	copy = xstrdup(it->value);
	len = strlen(copy);
	if (len > 0 && copy[len - 1] == '>' && (lt = strrchr(copy, '<'))) {
		copy[len - 1] = '\0';
		*lt = '\0';
		addr = trim(lt + 1);
		name = trim(copy);
		len = strlen(name);
		if (len >= 2 && name[0] == '"' && name[len - 1] == '"') {
			name[len - 1] = '\0';
			name = trim(name + 1);
		}
		if (strpbrk(name, "<>\"\\") != NULL) {
			ifail(L, it, "the display name may not hold < > \" "
			    "or \\");
			goto out;
		}
		if (*name == '\0')
			name = NULL;
	} else
		addr = copy;
	if (!message_address_valid(addr)) {
		ifail(L, it, "'%s' is not an e-mail address (expected "
		    "\"Name <addr@example.edu>\" or addr@example.edu)", addr);
		goto out;
	}
	s->from_name = name ? xstrdup(name) : NULL;
	s->from_addr = xstrdup(addr);
	s->from = name ? xasprintf("%s <%s>", name, addr) : xstrdup(addr);
out:
	free(copy);
}

static void
s_username(struct loader *L, void *obj, const struct item *it)
{
	struct config_smtp	*s = obj;

	if (*it->value == '\0')
		ifail(L, it, "empty user name");
	else
		s->username = xstrdup(it->value);
}

static void
s_password(struct loader *L, void *obj, const struct item *it)
{
	struct config_smtp	*s = obj;

	parse_secret(L, it, &s->password);
}

/* A private CA (a district's own mail server): verification stays on. */
static void
s_ca_file(struct loader *L, void *obj, const struct item *it)
{
	struct config_smtp	*s = obj;
	struct stat		 st;
	char			*path;

	if (*it->value == '\0') {
		ifail(L, it, "expected the path of a PEM file of CA certificates");
		return;
	}
	path = resolve_path(L, it->value);
	/* libcurl reads it at every connection: a FIFO would hang sending. */
	if (access(path, R_OK) == -1 || stat(path, &st) == -1) {
		ifail(L, it, "%s: %s", path, strerror(errno));
		free(path);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		ifail(L, it, "%s is not a regular file", path);
		free(path);
		return;
	}
	s->ca_file = path;
}

/* ------------------------------------------------------------ [channel] */

static const char *const channel_types[] = {
	[CONFIG_CHAN_SLACK] = "slack",
	[CONFIG_CHAN_TEAMS] = "teams",
	[CONFIG_CHAN_MATTERMOST] = "mattermost",
	[CONFIG_CHAN_DISCORD] = "discord",
	[CONFIG_CHAN_GOOGLECHAT] = "googlechat",
	[CONFIG_CHAN_GENERIC] = "generic",
};

static void
ch_type(struct loader *L, void *obj, const struct item *it)
{
	struct config_channel	*ch = obj;
	size_t			 i;

	for (i = 0; i < sizeof channel_types / sizeof channel_types[0]; i++) {
		if (strcasecmp(it->value, channel_types[i]) == 0) {
			ch->type = (enum config_channel_type)i;
			return;
		}
	}
	ifail(L, it, "'%s' is not slack, teams, mattermost, discord, "
	    "googlechat or generic", it->value);
}

/*
 * A webhook URL is itself a password: whoever has it can post.  Here file:
 * names the dry-run sink that payloads are appended to, not a secret file.
 */
static void
ch_url(struct loader *L, void *obj, const struct item *it)
{
	struct config_channel	*ch = obj;
	const char		*why;
	char			*path;

	if (has_prefix(it->value, "file:")) {
		if (it->value[5] == '\0') {
			ifail(L, it, "file: needs a path");
			return;
		}
		/* file://host/path is URL syntax, with a host: a path
		 * ("file:/x", "file:x.jsonl") says exactly which file. */
		if (strncmp(it->value + 5, "//", 2) == 0) {
			ifail(L, it, "file: takes a path (file:/path.jsonl or "
			    "file:relative.jsonl), not file:// URL syntax");
			return;
		}
		path = resolve_path(L, it->value + 5);
		ch->url.value = xasprintf("file:%s", path);
		ch->url.source = xstrdup("file");
		free(path);
		return;
	}
	if (resolve_secret(L, it, it->value, &ch->url)) {
		if (ch->url.value != NULL &&
		    (why = webhook_url_problem(ch->url.value)) != NULL) {
			ifail(L, it, "the value from %s %s", ch->url.source,
			    why);
			secret_clear(&ch->url);
		}
		return;
	}
	if (!is_web_url(it->value) || !url_chars_ok(it->value)) {
		ifail(L, it, "expected an https:// webhook URL, env:NAME, "
		    "credential:NAME, or file:/path.jsonl for a dry run");
		return;
	}
	if ((why = webhook_url_problem(it->value)) != NULL) {
		ifail(L, it, "the webhook URL %s", why);
		return;
	}
	ch->url.value = xstrdup(it->value);
	ch->url.source = xstrdup("literal");
	warn_at(L, it->line, "%s url is a literal secret (anyone who reads "
	    "the config can post); use env: or credential:", it->label);
}

/* "rate = 5/2s" or "1/s": posts per period, to stay under a service's. */
static void
ch_rate(struct loader *L, void *obj, const struct item *it)
{
	struct config_channel	*ch = obj;
	const char		*slash = strchr(it->value, '/');
	char			*num, *end, *per;
	long			 n;
	int64_t			 secs = 0;

	if (slash == NULL)
		goto bad;
	num = xstrndup(it->value, (size_t)(slash - it->value));
	n = strtol(num, &end, 10);
	if (end == num || *end != '\0' || n < 1 || n > 100000) {
		free(num);
		goto bad;
	}
	free(num);
	/* "1/s" means one a second; "5/2s" five per two seconds. */
	per = isdigit((unsigned char)slash[1]) ? xstrdup(slash + 1) :
	    xasprintf("1%s", slash + 1);
	if (civil_duration_parse(per, &secs) == -1 || secs < 1 ||
	    secs > 3600) {
		free(per);
		goto bad;
	}
	free(per);
	ch->rate_posts = (int)n;
	ch->rate_window_ms = secs * 1000;
	return;
bad:
	ifail(L, it, "'%s' is not a rate like 1/s or 5/2s (1 to 100000 "
	    "posts per 1s to 1h)", it->value);
}

/* ----------------------------------------------------------- [calendar] */

static void
cal_skip(struct loader *L, void *obj, const struct item *it)
{
	struct config_calendar	*cal = obj;

	parse_spans(L, it, &cal->skip, &cal->nskip);
}

static void
cal_source(struct loader *L, void *obj, const struct item *it)
{
	struct config_calendar	*cal = obj;
	struct stat		 sb;

	if (*it->value == '\0') {
		ifail(L, it, "expected a path or an https:// URL");
		return;
	}
	cal->source = parse_path_or_url(L, it, it->value);
	if (cal->source == NULL)
		return;
	/* Fetched as busy calendars are, by busy_holidays (busy.h). */
	if (is_web_url(cal->source)) {
		cal->source_line = it->line;
		return;
	}
	/* A FIFO or a device would hold every reader (check, a reload):
	 * what is not a regular file is an error, found without opening it. */
	if (stat(cal->source, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		ifail(L, it, "%s: not a regular file", cal->source);
		return;
	}
	/* Its all-day events are skipped dates too, but loading the config
	 * parses no calendar: ical_read_holidays (ical.h) reads the file. */
	cal->source_line = it->line;
}

/* ------------------------------------------------------------- [member] */

static void
m_name(struct loader *L, void *obj, const struct item *it)
{
	struct config_member	*m = obj;

	(void)L;
	m->name = dup_or_null(it->value);
}

static void
m_email(struct loader *L, void *obj, const struct item *it)
{
	struct config_member	*m = obj;

	if (!message_address_valid(it->value))
		ifail(L, it, "'%s' is not an e-mail address (expected "
		    "name@example.edu)", it->value);
	else
		m->email = xstrdup(it->value);
}

static void
m_timezone(struct loader *L, void *obj, const struct item *it)
{
	struct config_member	*m = obj;

	m->tz = parse_zone(L, it, it->value);
}

static void
m_clock(struct loader *L, void *obj, const struct item *it)
{
	parse_clock(L, it, &((struct config_member *)obj)->clock);
}

static void
m_available(struct loader *L, void *obj, const struct item *it)
{
	struct config_member	*m = obj;

	parse_weekly_list(L, it, &m->available, &m->navailable);
}

static void
m_busy(struct loader *L, void *obj, const struct item *it)
{
	struct config_member	*m = obj;
	char			**items, *p;
	size_t			  i, nitems;

	items = split_list(L, it, &nitems);
	for (i = 0; i < nitems; i++) {
		if ((p = parse_path_or_url(L, it, items[i])) == NULL)
			continue;
		m->busy = xreallocarray(m->busy, m->nbusy + 1, sizeof *m->busy);
		m->busy[m->nbusy++] = p;
	}
	free_list(items, nitems);
}

static void
m_away(struct loader *L, void *obj, const struct item *it)
{
	struct config_member	*m = obj;

	parse_spans(L, it, &m->away, &m->naway);
}

static struct config_channel *
find_channel(struct loader *L, const struct item *it, const char *id)
{
	struct config_channel	*ch;

	if ((ch = config_channel_find(L->cfg, id)) == NULL)
		ifail(L, it, "channel '%s' is not defined", id);
	return ch;
}

/* "math-team:U024BE7LH": the member's handle on one channel. */
static void
m_chat(struct loader *L, void *obj, const struct item *it)
{
	struct config_member	*m = obj;
	struct config_channel	*ch;
	char			**items, *colon, *handle;
	size_t			  i, j, nitems;

	items = split_list(L, it, &nitems);
	for (i = 0; i < nitems; i++) {
		if ((colon = strchr(items[i], ':')) == NULL) {
			ifail(L, it, "'%s' is not CHANNEL:HANDLE", items[i]);
			continue;
		}
		*colon = '\0';
		handle = trim(colon + 1);
		if ((ch = find_channel(L, it, trim(items[i]))) == NULL)
			continue;
		if (*handle == '\0') {
			ifail(L, it, "no handle after '%s:'", ch->id);
			continue;
		}
		for (j = 0; j < m->nchat && m->chat[j].channel != ch; j++)
			;
		if (j < m->nchat) {
			ifail(L, it, "channel '%s' is listed twice", ch->id);
			continue;
		}
		m->chat = xreallocarray(m->chat, m->nchat + 1, sizeof *m->chat);
		m->chat[m->nchat].channel = ch;
		m->chat[m->nchat].handle = xstrdup(handle);
		m->nchat++;
	}
	free_list(items, nitems);
}

static void
m_notify(struct loader *L, void *obj, const struct item *it)
{
	struct config_member	*m = obj;
	struct config_notify	 nt;
	char			**items;
	size_t			  i, j, nitems;

	items = split_list(L, it, &nitems);
	for (i = 0; i < nitems; i++) {
		nt.email = strcasecmp(items[i], "email") == 0;
		nt.channel = NULL;
		if (!nt.email &&
		    (nt.channel = find_channel(L, it, items[i])) == NULL)
			continue;
		for (j = 0; j < m->nnotify; j++)
			if (m->notify[j].email == nt.email &&
			    m->notify[j].channel == nt.channel)
				break;
		if (j < m->nnotify) {
			ifail(L, it, "'%s' is listed twice", items[i]);
			continue;
		}
		m->notify = xreallocarray(m->notify, m->nnotify + 1,
		    sizeof *m->notify);
		m->notify[m->nnotify++] = nt;
	}
	if (nitems == 0)
		ifail(L, it, "expected email and/or channel names");
	free_list(items, nitems);
}

/* ---------------------------------------------------------- [community] */


static void
c_name(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;

	(void)L;
	x->c->name = dup_or_null(it->value);
}

static struct config_member *
find_member(struct loader *L, const struct item *it, const char *id)
{
	struct config_member	*m;

	if ((m = loader_member(L, id)) == NULL)
		ifail(L, it, "member '%s' is not defined", id);
	return m;
}

static void
c_facilitator(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;

	x->c->facilitator = find_member(L, it, it->value);
}

static void
parse_member_list(struct loader *L, const struct item *it,
    struct config_member ***v, size_t *n)
{
	struct config_member	 *m;
	char			**items;
	size_t			  i, j, nitems;

	items = split_list(L, it, &nitems);
	for (i = 0; i < nitems; i++) {
		if ((m = find_member(L, it, items[i])) == NULL)
			continue;
		for (j = 0; j < *n && (*v)[j] != m; j++)
			;
		if (j < *n) {
			ifail(L, it, "member '%s' is listed twice", m->id);
			continue;
		}
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[(*n)++] = m;
	}
	free_list(items, nitems);
}

static void
c_members(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;

	parse_member_list(L, it, &x->c->members, &x->c->nmembers);
	if (*it->value == '\0')
		ifail(L, it, "needs at least one member");
}

static void
c_optional(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;

	parse_member_list(L, it, &x->c->optional, &x->c->noptional);
}

static void
c_cadence(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;

	if (strcasecmp(it->value, "weekly") == 0)
		x->c->cadence = CONFIG_CADENCE_WEEKLY;
	else if (strcasecmp(it->value, "biweekly") == 0)
		x->c->cadence = CONFIG_CADENCE_BIWEEKLY;
	else if (strcasecmp(it->value, "monthly") == 0)
		x->c->cadence = CONFIG_CADENCE_MONTHLY;
	else if (has_prefix(it->value, "rrule:")) {
		if ((x->c->rrule = parse_rrule(L, it, it->value + 6)) == NULL)
			return;
		x->c->cadence = CONFIG_CADENCE_RRULE;
	} else {
		ifail(L, it, "'%s' is not weekly, biweekly, monthly or "
		    "rrule:RULE", it->value);
		return;
	}
	x->cadence_ok = true;
}

static void
c_day(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;
	int		 d;

	if (strcasecmp(it->value, "auto") == 0)
		x->c->day = -1;
	else if (parse_weekday(L, it, it->value, &d) == 0)
		x->c->day = d;
}

static void
c_week(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;

	if (strcasecmp(it->value, "last") == 0)
		x->c->week = -1;
	else if (strlen(it->value) == 1 && it->value[0] >= '1' &&
	    it->value[0] <= '4')
		x->c->week = it->value[0] - '0';
	else
		ifail(L, it, "'%s' is not 1, 2, 3, 4 or last", it->value);
}

static void
c_time(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;

	if (strcasecmp(it->value, "auto") == 0) {
		x->c->time_auto = true;
		return;
	}
	if (!parse_hhmm(it->value, &x->c->time))
		ifail(L, it, "'%s' is not a time of day (expected HH:MM, "
		    "00:00 to 23:59, or auto)", it->value);
}

static void
c_duration(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;
	int64_t		 v;

	if (parse_duration(L, it, it->value, &v) == -1)
		return;
	if (v <= 0 || v > CIVIL_DAY)
		ifail(L, it, "a meeting lasts more than 0m and at most 24h");
	else
		x->c->duration = v;
}

static void
c_window(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;

	parse_weekly_list(L, it, &x->c->window, &x->c->nwindow);
	if (*it->value == '\0')
		ifail(L, it, "expected DAYS HH:MM-HH:MM, e.g. MO-FR "
		    "07:30-16:30");
}

/* The default of min_attendance, told apart from a written value by its
 * address: the quorum's default is min_attendance only where written. */
static const char c_min_attendance_default[] = "0.75";

static void
c_min_attendance(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;
	char		*end;
	double		 v;

	errno = 0;
	v = strtod(it->value, &end);
	/* The comparison is false for NaN, too. */
	if (*it->value == '\0' || *end != '\0' || errno != 0 ||
	    !(v >= 0.0 && v <= 1.0)) {
		ifail(L, it, "'%s' is not a share between 0 and 1 (e.g. 0.75)",
		    it->value);
		return;
	}
	x->c->min_attendance = v;
	x->c->has_min_attendance = it->value != c_min_attendance_default;
}

static void
c_quorum(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;
	char		*end;
	double		 v;

	errno = 0;
	v = strtod(it->value, &end);
	if (*it->value == '\0' || *end != '\0' || errno != 0 ||
	    !(v > 0.0 && v <= 1.0)) {
		ifail(L, it, "'%s' is not a share above 0 and at most 1 "
		    "(e.g. 0.6)", it->value);
		return;
	}
	x->c->quorum = v;
	x->c->has_quorum = true;
}

static void
c_quorum_check(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;
	int64_t		 v;

	if (parse_duration(L, it, it->value, &v) == -1)
		return;
	/* Alternatives are offered in the meeting's own week: a check more
	 * than a week ahead could offer none. */
	if (v <= 0 || v > 7 * CIVIL_DAY)
		ifail(L, it, "the quorum check is more than 0m and at most 7d "
		    "before the meeting");
	else
		x->c->quorum_check = v;
}

static void
c_start(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;

	x->start_ok = parse_date(L, it, it->value, &x->c->start) == 0;
}

static void
c_until(struct loader *L, void *obj, const struct item *it)
{
	struct comm_ctx	*x = obj;

	x->until_ok = parse_date(L, it, it->value, &x->c->until) == 0;
	x->c->has_until = x->until_ok;
}

/* Calendar IDs and dates or date ranges, mixed: dates start with a digit. */
static void
c_skip(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;
	struct config_calendar	*cal;
	char			**items;
	size_t			  i, j, nitems;

	items = split_list(L, it, &nitems);
	for (i = 0; i < nitems; i++) {
		if (isdigit((unsigned char)items[i][0])) {
			c->skip = xreallocarray(c->skip, c->nskip + 1,
			    sizeof *c->skip);
			if (parse_span(L, it, items[i], &c->skip[c->nskip]) == 0)
				c->nskip++;
			continue;
		}
		if ((cal = config_calendar_find(L->cfg, items[i])) == NULL) {
			ifail(L, it, "calendar '%s' is not defined (and it is "
			    "not a date)", items[i]);
			continue;
		}
		for (j = 0; j < c->nskip_calendars &&
		    c->skip_calendars[j] != cal; j++)
			;
		if (j < c->nskip_calendars) {
			ifail(L, it, "calendar '%s' is listed twice", cal->id);
			continue;
		}
		c->skip_calendars = xreallocarray(c->skip_calendars,
		    c->nskip_calendars + 1, sizeof *c->skip_calendars);
		c->skip_calendars[c->nskip_calendars++] = cal;
	}
	free_list(items, nitems);
}

static void
c_move(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;
	char			**items;
	size_t			  i, nitems;

	c->move_line = it->line;
	items = split_list(L, it, &nitems);
	for (i = 0; i < nitems; i++) {
		c->moves = xreallocarray(c->moves, c->nmoves + 1,
		    sizeof *c->moves);
		memset(&c->moves[c->nmoves], 0, sizeof *c->moves);
		if (parse_move(L, it, items[i], &c->moves[c->nmoves]) == 0)
			c->nmoves++;
	}
	free_list(items, nitems);
}

static void
c_cancel(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;
	char			**items;
	size_t			  i, nitems;

	c->cancel_line = it->line;
	items = split_list(L, it, &nitems);
	for (i = 0; i < nitems; i++) {
		c->cancels = xreallocarray(c->cancels, c->ncancels + 1,
		    sizeof *c->cancels);
		if (parse_date(L, it, items[i], &c->cancels[c->ncancels]) == 0)
			c->ncancels++;
	}
	free_list(items, nitems);
}

static void
c_location(struct loader *L, void *obj, const struct item *it)
{
	(void)L;
	((struct comm_ctx *)obj)->c->location = dup_or_null(it->value);
}

static void
c_url(struct loader *L, void *obj, const struct item *it)
{
	(void)L;
	((struct comm_ctx *)obj)->c->url = dup_or_null(it->value);
}

static void
c_description(struct loader *L, void *obj, const struct item *it)
{
	(void)L;
	((struct comm_ctx *)obj)->c->description = dup_or_null(it->value);
}

static void
c_remind(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;

	parse_durations(L, it, &c->remind, &c->nremind);
}

static void
c_action_remind(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;

	parse_durations(L, it, &c->action_remind, &c->naction_remind);
}

static void
c_escalate(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;

	c->has_escalate = parse_duration(L, it, it->value, &c->escalate) == 0;
}

/* "FR 14:00". */
static void
c_digest(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;
	char			*copy, *sp;

	copy = xstrdup(it->value);
	sp = copy + strcspn(copy, " \t");
	if (*sp == '\0') {
		ifail(L, it, "'%s' is not DAY HH:MM (e.g. FR 14:00)",
		    it->value);
		goto out;
	}
	*sp++ = '\0';
	if (parse_weekday(L, it, copy, &c->digest_day) == -1 ||
	    parse_time(L, it, trim(sp), &c->digest_time) == -1)
		goto out;
	c->has_digest = true;
out:
	free(copy);
}

static void
c_notify(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;
	struct config_channel	*ch;
	char			**items;
	size_t			  i, j, nitems;

	items = split_list(L, it, &nitems);
	for (i = 0; i < nitems; i++) {
		if ((ch = find_channel(L, it, items[i])) == NULL)
			continue;
		for (j = 0; j < c->nnotify && c->notify[j] != ch; j++)
			;
		if (j < c->nnotify) {
			ifail(L, it, "channel '%s' is listed twice", ch->id);
			continue;
		}
		c->notify = xreallocarray(c->notify, c->nnotify + 1,
		    sizeof *c->notify);
		c->notify[c->nnotify++] = ch;
	}
	free_list(items, nitems);
}

static void
c_timezone(struct loader *L, void *obj, const struct item *it)
{
	((struct comm_ctx *)obj)->c->tz = parse_zone(L, it, it->value);
}

static void
c_agenda_due(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;

	c->has_agenda_due = parse_duration(L, it, it->value,
	    &c->agenda_due) == 0;
}

static void
c_minutes_due(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;

	c->has_minutes_due = parse_duration(L, it, it->value,
	    &c->minutes_due) == 0;
}

static void
c_recorder(struct loader *L, void *obj, const struct item *it)
{
	((struct comm_ctx *)obj)->c->recorder = find_member(L, it, it->value);
}

/*
 * "https://docs.example.edu/plc/math7/{date}": an http(s) URL in which
 * {date} is the only brace; it is checked as filled in.
 */
static void
c_notes_url(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;
	struct xbuf		 b = { NULL, 0, 0 };
	const char		*p, *q;

	for (p = it->value; (q = strstr(p, CONFIG_NOTES_DATE)) != NULL;
	    p = q + strlen(CONFIG_NOTES_DATE)) {
		xbuf_add(&b, p, (size_t)(q - p));
		xbuf_add(&b, "2026-01-01", 10);
	}
	xbuf_add(&b, p, strlen(p));
	if (!is_web_url(it->value) || !url_chars_ok(b.s) ||
	    strlen(b.s) <= strlen("https://"))
		ifail(L, it, "'%s' is not an http(s) URL (only {date} may be "
		    "filled in)", it->value);
	else
		c->notes_url = xstrdup(it->value);
	free(b.s);
}

/* "1st 07:00": a day of the month (1..28, so every month has it) and a
 * community-local time. */
static void
c_report(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;
	const char		*s = it->value;
	char			*end, *t, *copy;
	long			 d;

	d = strtol(s, &end, 10);
	t = end;
	copy = NULL;
	if (end != s && (strncmp(end, "st", 2) == 0 ||
	    strncmp(end, "nd", 2) == 0 || strncmp(end, "rd", 2) == 0 ||
	    strncmp(end, "th", 2) == 0))
		t = end + 2;
	if (end == s || !isdigit((unsigned char)*s) || d < 1 || d > 28 ||
	    (*t != ' ' && *t != '\t')) {
		ifail(L, it, "'%s' is not DAY HH:MM with a day of the month "
		    "1-28 (e.g. 1st 07:00)", s);
		return;
	}
	copy = xstrdup(t);
	if (parse_time(L, it, trim(copy), &c->report_time) == 0) {
		c->report_mday = (int)d;
		c->has_report = true;
	}
	free(copy);
}

/* ---------------------------------------------------------- key tables */


static const struct key_def worker_keys[] = {
	{ "state_dir", w_state_dir, false, "/var/lib/plc-cadence" },
	{ "timezone", w_timezone, false, NULL },
	{ "listen", w_listen, false, NULL },
	{ "public_url", w_public_url, false, NULL },
	{ "horizon", w_horizon, false, "180d" },
	{ "alert_after", w_alert_after, false, "6h" },
	{ "quiet_hours", w_quiet_hours, false, NULL },
	{ "secret", w_secret, false, NULL },
	{ "log_level", w_log_level, false, "info" },
	{ "clock", w_clock, false, "24h" },
	{ NULL, NULL, false, NULL }
};

static const struct key_def smtp_keys[] = {
	{ "url", s_url, false, NULL },
	{ "starttls", s_starttls, false, "required" },
	{ "from", s_from, false, NULL },
	{ "username", s_username, false, NULL },
	{ "password", s_password, false, NULL },
	{ "ca_file", s_ca_file, false, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct key_def channel_keys[] = {
	{ "type", ch_type, true, NULL },
	{ "url", ch_url, true, NULL },
	{ "rate", ch_rate, false, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct key_def calendar_keys[] = {
	{ "skip", cal_skip, false, NULL },
	{ "source", cal_source, false, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct key_def member_keys[] = {
	{ "name", m_name, false, NULL },
	{ "email", m_email, false, NULL },
	{ "timezone", m_timezone, false, NULL },
	{ "available", m_available, false, NULL },
	{ "busy", m_busy, false, NULL },
	{ "away", m_away, false, NULL },
	{ "chat", m_chat, false, NULL },
	{ "notify", m_notify, false, NULL },
	{ "clock", m_clock, false, NULL },
	{ NULL, NULL, false, NULL }
};

static const struct key_def community_keys[] = {
	{ "name", c_name, false, NULL },
	{ "facilitator", c_facilitator, true, NULL },
	{ "members", c_members, true, NULL },
	{ "optional", c_optional, false, NULL },
	{ "cadence", c_cadence, true, NULL },
	{ "day", c_day, false, NULL },	/* required unless rrule: checked after */
	{ "week", c_week, false, NULL },
	{ "time", c_time, true, NULL },
	{ "duration", c_duration, false, "45m" },
	{ "window", c_window, false, NULL },
	{ "min_attendance", c_min_attendance, false, c_min_attendance_default },
	{ "quorum", c_quorum, false, NULL },
	{ "quorum_check", c_quorum_check, false, "48h" },
	{ "start", c_start, true, NULL },
	{ "until", c_until, false, NULL },
	{ "skip", c_skip, false, NULL },
	{ "move", c_move, false, NULL },
	{ "cancel", c_cancel, false, NULL },
	{ "location", c_location, false, NULL },
	{ "url", c_url, false, NULL },
	{ "description", c_description, false, NULL },
	{ "remind", c_remind, false, NULL },
	{ "action_remind", c_action_remind, false, NULL },
	{ "escalate", c_escalate, false, NULL },
	{ "digest", c_digest, false, NULL },
	{ "notify", c_notify, false, NULL },
	{ "timezone", c_timezone, false, NULL },
	{ "agenda_due", c_agenda_due, false, NULL },
	{ "minutes_due", c_minutes_due, false, NULL },
	{ "recorder", c_recorder, false, NULL },
	{ "notes_url", c_notes_url, false, NULL },
	{ "report", c_report, false, NULL },
	{ NULL, NULL, false, NULL }
};

const struct sec_kind_def sec_kinds[SEC_NONE] = {
	[SEC_WORKER] = { "worker", false, worker_keys },
	[SEC_SMTP] = { "smtp", false, smtp_keys },
	[SEC_CHANNEL] = { "channel", true, channel_keys },
	[SEC_CALENDAR] = { "calendar", true, calendar_keys },
	[SEC_MEMBER] = { "member", true, member_keys },
	[SEC_COMMUNITY] = { "community", true, community_keys },
};

/* ------------------------------------------------------------- lookups */

const char *
config_channel_type_name(enum config_channel_type t)
{
	if ((size_t)t >= sizeof channel_types / sizeof channel_types[0])
		return "unknown";
	return channel_types[t];
}
