/* config_value: one config value each, from the untrusted text of a key:
 * times, dates, durations, weekdays, lists, paths and URLs, addresses,
 * zones, secrets and recurrence rules.  A bad value is an error naming the
 * key's line (ifail); nothing here knows which section it is in.
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
#include "recur.h"
#include "text.h"
#include "xmalloc.h"

/* -------------------------------------------------------------- values */

/* "HH:MM", 00:00 to 23:59. */
bool
parse_hhmm(const char *s, struct civil_time *out)
{
	int	 h = 0, m, i = 0;

	while (isdigit((unsigned char)s[i]) && i < 2)
		h = h * 10 + (s[i++] - '0');
	if (i == 0 || s[i] != ':' || !isdigit((unsigned char)s[i + 1]) ||
	    !isdigit((unsigned char)s[i + 2]) || s[i + 3] != '\0')
		return false;
	m = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
	if (h > 23 || m > 59)
		return false;
	out->h = h;
	out->min = m;
	out->s = 0;
	return true;
}

int
parse_time(struct loader *L, const struct item *it, const char *s,
    struct civil_time *out)
{
	if (parse_hhmm(s, out))
		return 0;
	ifail(L, it, "'%s' is not a time of day (expected HH:MM, "
	    "00:00 to 23:59)", s);
	return -1;
}

int
parse_date(struct loader *L, const struct item *it, const char *s,
    struct civil_date *out)
{
	if (civil_date_parse(s, out) == -1 || !civil_date_valid(*out)) {
		ifail(L, it, "'%s' is not a date (expected YYYY-MM-DD)", s);
		return -1;
	}
	/* Past 2582 libical has no occurrences: every cycle would fail. */
	if (!civil_date_usable(*out)) {
		ifail(L, it, "'%s' is out of range: dates are of the years "
		    "%d to %d", s, CIVIL_USE_YEAR_MIN, CIVIL_USE_YEAR_MAX);
		return -1;
	}
	return 0;
}

/* "2026-11-26" or "2026-12-21..2027-01-01". */
int
parse_span(struct loader *L, const struct item *it, const char *s,
    struct config_span *out)
{
	char		*a, *dots;
	int		 rc = -1;

	if (strstr(s, "..") == NULL) {
		if (parse_date(L, it, s, &out->from) == -1)
			return -1;
		out->to = out->from;
		return 0;
	}
	a = xstrdup(s);
	dots = strstr(a, "..");
	*dots = '\0';
	if (parse_date(L, it, trim(a), &out->from) == -1 ||
	    parse_date(L, it, trim(dots + 2), &out->to) == -1)
		goto out;
	if (civil_date_cmp(out->from, out->to) > 0) {
		ifail(L, it, "date range '%s' ends before it starts", s);
		goto out;
	}
	rc = 0;
out:
	free(a);
	return rc;
}

int
parse_weekday(struct loader *L, const struct item *it, const char *s, int *out)
{
	if (civil_weekday_parse(s, out) == 0)
		return 0;
	ifail(L, it, "'%s' is not a weekday (expected MO..SU, Mon or Monday)",
	    s);
	return -1;
}

int
parse_duration(struct loader *L, const struct item *it, const char *s,
    int64_t *out)
{
	if (civil_duration_parse(s, out) == 0 && *out >= 0)
		return 0;
	ifail(L, it, "'%s' is not a duration (expected e.g. 45m, 1h30m, "
	    "2d or 0d)", s);
	return -1;
}

/*
 * "MO", "MO-FR": a bit per day.  A range never wraps past Sunday: "FR-MO"
 * is far more often a slip for "MO-FR" than a wish for a long weekend.
 */
static int
parse_days(struct loader *L, const struct item *it, char *s, uint8_t *out)
{
	char	*dash;
	int	 a, b, d;

	if ((dash = strchr(s, '-')) == NULL) {
		if (parse_weekday(L, it, s, &a) == -1)
			return -1;
		*out = (uint8_t)(1u << a);
		return 0;
	}
	*dash = '\0';
	if (parse_weekday(L, it, trim(s), &a) == -1 ||
	    parse_weekday(L, it, trim(dash + 1), &b) == -1)
		return -1;
	if (a > b) {
		ifail(L, it, "day range '%s-%s' runs backwards; weeks run MO to "
		    "SU, so write MO-FR, or split it, e.g. 'FR-SU …, MO …'",
		    civil_weekday_abbr(a), civil_weekday_abbr(b));
		return -1;
	}
	*out = 0;
	for (d = a; d <= b; d++)
		*out |= (uint8_t)(1u << d);
	return 0;
}

/* "HH:MM-HH:MM" into seconds; wrap says whether it may cross midnight. */
int
parse_time_range(struct loader *L, const struct item *it, const char *s,
    bool wrap, int *from, int *to)
{
	struct civil_time	 a, b;
	char			*x, *dash;
	int			 rc = -1;

	x = xstrdup(s);
	if ((dash = strchr(x, '-')) == NULL) {
		ifail(L, it, "'%s' is not a time range (expected HH:MM-HH:MM)",
		    s);
		goto out;
	}
	*dash = '\0';
	if (parse_time(L, it, trim(x), &a) == -1 ||
	    parse_time(L, it, trim(dash + 1), &b) == -1)
		goto out;
	*from = civil_time_to_secs(a);
	*to = civil_time_to_secs(b);
	if (*from == *to || (!wrap && *from > *to)) {
		ifail(L, it, "time range '%s' %s", s, *from == *to ?
		    "is empty" : "ends before it starts (a range cannot cross "
		    "midnight)");
		goto out;
	}
	rc = 0;
out:
	free(x);
	return rc;
}

/* "MO-FR 07:30-16:30". */
static int
parse_weekly(struct loader *L, const struct item *it, const char *s,
    struct config_weekly *out)
{
	char	*copy, *sp;
	int	 rc = -1;

	copy = xstrdup(s);
	sp = copy + strcspn(copy, " \t");
	if (*sp == '\0') {
		ifail(L, it, "'%s' is not a weekly interval (expected DAYS "
		    "HH:MM-HH:MM, e.g. MO-FR 07:30-16:30)", s);
		goto out;
	}
	*sp++ = '\0';
	if (parse_days(L, it, copy, &out->days) == -1 ||
	    parse_time_range(L, it, trim(sp), false, &out->from, &out->to) == -1)
		goto out;
	rc = 0;
out:
	free(copy);
	return rc;
}

/*
 * Split a comma-separated value into trimmed items.  Empty items (",,", a
 * trailing comma) are reported and dropped.  An empty value is an empty list.
 */
char **
split_list(struct loader *L, const struct item *it, size_t *n)
{
	char	**v = NULL, *copy, *p, *comma, *t;
	bool	  empty = false;

	*n = 0;
	if (*it->value == '\0')
		return NULL;
	copy = xstrdup(it->value);
	for (p = copy; p != NULL; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		t = trim(p);
		if (*t == '\0') {
			empty = true;
			continue;
		}
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = xstrdup(t);
	}
	if (empty)
		ifail(L, it, "empty item in list (two commas, or a comma at "
		    "an end?)");
	free(copy);
	return v;
}

void
free_list(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * A relative path is read from the directory of the config file.  Leading
 * "." and ".." are applied to that (real, symlink-free) directory, so the
 * result is the same as the kernel's reading but stays short in logs.
 */
char *
resolve_path(const struct loader *L, const char *p)
{
	char	*base, *slash, *out;

	if (p[0] == '/')
		return xstrdup(p);
	base = xstrdup(L->dir);
	for (;;) {
		if (p[0] == '.' && (p[1] == '/' || p[1] == '\0'))
			p += 1;
		else if (p[0] == '.' && p[1] == '.' &&
		    (p[2] == '/' || p[2] == '\0')) {
			p += 2;
			slash = strrchr(base, '/');
			slash[slash == base ? 1 : 0] = '\0';
		} else
			break;
		while (*p == '/')
			p++;
	}
	if (*p == '\0')
		return base;
	out = xasprintf("%s%s%s", base, strcmp(base, "/") ? "/" : "", p);
	free(base);
	return out;
}

bool
is_web_url(const char *s)
{
	return has_prefix(s, "https://") || has_prefix(s, "http://");
}

/* URLs are printable ASCII without spaces or quoting characters. */
bool
url_chars_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    strchr("\"<>\\^`{|}", *s) != NULL)
			return false;
	return true;
}

/* Busy calendars and holiday sources: an http(s) URL or a local path. */
char *
parse_path_or_url(struct loader *L, const struct item *it, const char *s)
{
	if (is_web_url(s)) {
		if (!url_chars_ok(s) || strlen(s) <= strlen("https://")) {
			ifail(L, it, "'%s' is not a valid URL", s);
			return NULL;
		}
		return xstrdup(s);
	}
	if (strstr(s, "://") != NULL) {
		ifail(L, it, "'%s': only http:// and https:// URLs, or file "
		    "paths, are supported", s);
		return NULL;
	}
	return resolve_path(L, s);
}

static bool
port_valid(const char *s)
{
	long	 v = 0;
	int	 i;

	for (i = 0; isdigit((unsigned char)s[i]) && i < 5; i++)
		v = v * 10 + (s[i] - '0');
	return i > 0 && s[i] == '\0' && v >= 1 && v <= 65535;
}

/* "host:port" or "[v6]:port"; the port is optional unless need_port. */
bool
hostport_valid(const char *s, bool need_port)
{
	const char	*p, *close;

	if (*s == '[') {
		if ((close = strchr(s, ']')) == NULL || close == s + 1)
			return false;
		for (p = s + 1; p < close; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' &&
			    *p != '.')
				return false;
		if (memchr(s, ':', (size_t)(close - s)) == NULL)
			return false;
		p = close + 1;
	} else {
		for (p = s; *p && *p != ':'; p++)
			if (!isalnum((unsigned char)*p) && *p != '.' &&
			    *p != '-')
				return false;
		if (p == s)
			return false;
	}
	if (*p == '\0')
		return !need_port;
	return *p == ':' && port_valid(p + 1);
}

const struct tz *
parse_zone(struct loader *L, const struct item *it, const char *s)
{
	const struct tz	*tz = NULL;
	const char	*p;

	if (*s == '\0') {
		ifail(L, it, "expected an IANA time zone, e.g. "
		    "America/New_York");
		return NULL;
	}
	/* Zone names become file names under /usr/share/zoneinfo. */
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			break;
	if (*p == '\0' && s[0] != '/' && strstr(s, "..") == NULL)
		tz = tz_find(s);
	if (tz == NULL)
		ifail(L, it, "unknown time zone '%s'", s);
	return tz;
}

char *
dup_or_null(const char *s)
{
	return *s ? xstrdup(s) : NULL;
}

/* ------------------------------------------------------------- secrets */

void
secret_clear(struct config_secret *s)
{
	if (s->value != NULL)
		explicit_bzero(s->value, strlen(s->value));
	free(s->value);
	free(s->source);
	s->value = s->source = NULL;
	s->unavailable = false;
	s->why = NULL;
}

/*
 * Read a secret file.  Secrets from file: must be private to the worker's
 * user; systemd's credentials directory already is, so check_mode is off for
 * those.  One trailing newline (as editors write it) is not part of the
 * secret.
 *
 * Opened with O_NONBLOCK, so that a FIFO (or a device) cannot block check,
 * a command or a reload: it is refused below, like anything else that is
 * not a regular file.  Every check is on the opened descriptor.  Symlinks
 * are followed, on purpose: Kubernetes and Docker mount secrets as links
 * into a timestamped directory, /etc/alternatives-style links are common,
 * and systemd itself follows links when it reads a credential; the target
 * is what is checked, and whoever can replace a link in the secret's
 * directory could replace the secret as well.
 *
 * A file this user may not open (the service's own, read by a person's
 * shell) is no error: *denied is set, for commands that only look to go
 * on with a warning and for those that send to refuse.
 */
static char *
read_secret_file(struct loader *L, const struct item *it, const char *path,
    bool check_mode, bool *denied)
{
	struct stat	 st;
	char		*buf = NULL, *out = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	*denied = false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		if (errno == EACCES || errno == EPERM) {
			warn_at(L, it->line, "%s %s: secret file %s: %s; "
			    "commands that send refuse to run", it->label,
			    it->key, path, strerror(errno));
			*denied = true;
		} else
			ifail(L, it, "cannot open secret file %s: %s", path,
			    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		ifail(L, it, "cannot stat secret file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ifail(L, it, "secret file %s is not a regular file (%s)", path,
		    S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ?
		    "a directory" : S_ISSOCK(st.st_mode) ? "a socket" :
		    S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
		    "not a file");
		goto out;
	}
	if (check_mode && (st.st_mode & (S_IRGRP | S_IROTH))) {
		ifail(L, it, "secret file %s is readable by others (chmod 600)",
		    path);
		goto out;
	}
	if (check_mode && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		ifail(L, it, "secret file %s is writable by others (chmod 600)",
		    path);
		goto out;
	}
	buf = xmalloc(MAX_SECRET + 1);
	while (len <= MAX_SECRET &&
	    (n = read(fd, buf + len, MAX_SECRET + 1 - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			ifail(L, it, "cannot read secret file %s: %s", path,
			    strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len > MAX_SECRET) {
		ifail(L, it, "secret file %s is larger than %d bytes", path,
		    MAX_SECRET);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		ifail(L, it, "secret file %s holds a NUL byte", path);
		goto out;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	out = xstrndup(buf, len);
out:
	if (buf != NULL)
		explicit_bzero(buf, MAX_SECRET + 1);
	free(buf);
	close(fd);
	return out;
}

static bool
env_name_valid(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/*
 * Resolve the secret forms file:, env: and credential:.  Returns 1 when the
 * value was one of them (*out filled, or an error reported and *out left
 * empty), 0 when it is a literal the caller deals with.
 */
int
resolve_secret(struct loader *L, const struct item *it, const char *v,
    struct config_secret *out)
{
	const char	*name, *dir, *e;
	char		*path = NULL, *value = NULL;
	bool		 denied = false;

	if (has_prefix(v, "file:")) {
		if (v[5] == '\0') {
			ifail(L, it, "file: needs a path");
			return 1;
		}
		path = resolve_path(L, v + 5);
		value = read_secret_file(L, it, path, true, &denied);
		out->source = xasprintf("file:%s", path);
	} else if (has_prefix(v, "env:")) {
		name = v + 4;
		if (!env_name_valid(name))
			ifail(L, it, "'%s' is not an environment variable name",
			    name);
		else if ((e = getenv(name)) == NULL) {
			/* A shell without the service's environment: commands
			 * that only look still work; run and send-test refuse
			 * (config_secret_unavailable). */
			warn_at(L, it->line, "%s %s: environment variable %s "
			    "is not set; commands that send refuse to run",
			    it->label, it->key, name);
			out->unavailable = true;
			out->why = "the environment variable is not set";
		} else
			value = xstrdup(e);
		out->source = xasprintf("env:%s", name);
	} else if (has_prefix(v, "credential:")) {
		name = v + 11;
		dir = getenv("CREDENTIALS_DIRECTORY");
		if (*name == '\0' || strchr(name, '/') != NULL ||
		    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			ifail(L, it, "'%s' is not a credential name", name);
		else if (dir == NULL || *dir == '\0') {
			/* Outside the service (backup from cron, action from a
			 * shell): fine until something has to send with it;
			 * config_secret_unavailable says so then. */
			out->unavailable = true;
			out->why = "$CREDENTIALS_DIRECTORY is not set";
		} else {
			path = xasprintf("%s/%s", dir, name);
			value = read_secret_file(L, it, path, false, &denied);
		}
		out->source = xasprintf("credential:%s", name);
	} else
		return 0;
	if (denied) {
		out->unavailable = true;
		out->why = "this user may not read its file";
	}
	if (value != NULL && *value == '\0') {
		ifail(L, it, "the secret from %s is empty", out->source);
		free(value);
		value = NULL;
	}
	if (value != NULL) {
		for (e = value; *e && !is_ctl((unsigned char)*e); e++)
			;
		if (*e != '\0') {
			/* Never echo the secret itself. */
			ifail(L, it, "the secret from %s holds a control "
			    "character", out->source);
			explicit_bzero(value, strlen(value));
			free(value);
			value = NULL;
		}
	}
	out->value = value;
	free(path);
	return 1;
}

/* [smtp] password and [worker] secret. */
void
parse_secret(struct loader *L, const struct item *it, struct config_secret *out)
{
	secret_clear(out);
	if (resolve_secret(L, it, it->value, out))
		return;
	if (*it->value == '\0') {
		ifail(L, it, "empty secret");
		return;
	}
	out->value = xstrdup(it->value);
	out->source = xstrdup("literal");
	warn_at(L, it->line, "%s %s is a literal secret; use file:, env: or "
	    "credential:", it->label, it->key);
}


/* ------------------------------------------------ lists, URLs and rules */

/*
 * True when the http(s) URL u names a loopback host: 127.0.0.0/8 in
 * dotted-quad form, [::1] or localhost (which libcurl resolves to loopback
 * itself).  Any other spelling (127.1, 0x7f.0.0.1, a name) counts as not
 * loopback: a refusal is the safe mistake.
 */
static bool
url_host_loopback(const char *u)
{
	struct in_addr	 v4;
	struct in6_addr	 v6;
	char		*auth, *host, *end;
	bool		 ok;

	u = strstr(u, "://") + 3;
	auth = xstrndup(u, strcspn(u, "/?#"));
	/* user:password@host.  Two '@' are read differently by different
	 * parsers: no telling which host libcurl would reach. */
	host = (end = strrchr(auth, '@')) != NULL ? end + 1 : auth;
	if (end != NULL && strchr(auth, '@') != end)
		ok = false;
	else if (*host == '[') {
		ok = false;
		if ((end = strchr(host, ']')) != NULL &&
		    (end[1] == '\0' || end[1] == ':')) {
			*end = '\0';
			ok = inet_pton(AF_INET6, host + 1, &v6) == 1 &&
			    IN6_IS_ADDR_LOOPBACK(&v6);
		}
	} else {
		if ((end = strchr(host, ':')) != NULL)
			*end = '\0';
		ok = strcasecmp(host, "localhost") == 0 ||
		    (inet_pton(AF_INET, host, &v4) == 1 &&
		    (ntohl(v4.s_addr) >> 24) == 127);
	}
	free(auth);
	return ok;
}

/*
 * Why the webhook URL u cannot be used, or NULL when it can: https://, or
 * http:// to this machine only, since the URL is the secret and plain http
 * would carry it (and every post) in cleartext.  u is never quoted back.
 */
const char *
webhook_url_problem(const char *u)
{
	if (!is_web_url(u) || !url_chars_ok(u) ||
	    strlen(u) <= strlen("https://"))
		return "is not an https:// URL";
	if (has_prefix(u, "http://") && !url_host_loopback(u))
		return "is http:// to a host that is not loopback: the URL "
		    "is a secret and would go in cleartext; use https:// "
		    "(http:// only to 127.0.0.1, ::1 or localhost)";
	return NULL;
}

void
parse_spans(struct loader *L, const struct item *it, struct config_span **v,
    size_t *n)
{
	char	**items;
	size_t	  i, nitems;

	items = split_list(L, it, &nitems);
	for (i = 0; i < nitems; i++) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		if (parse_span(L, it, items[i], &(*v)[*n]) == 0)
			(*n)++;
	}
	free_list(items, nitems);
}

void
parse_weekly_list(struct loader *L, const struct item *it,
    struct config_weekly **v, size_t *n)
{
	char	**items;
	size_t	  i, nitems;

	items = split_list(L, it, &nitems);
	for (i = 0; i < nitems; i++) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		if (parse_weekly(L, it, items[i], &(*v)[*n]) == 0)
			(*n)++;
	}
	free_list(items, nitems);
}

/*
 * The series' bounds have their own keys (start, until), so that a feed's
 * DTSTART and the planner agree; an RRULE that carried them would compete.
 */
static int
check_rrule_parts(struct loader *L, const struct item *it, const char *rule)
{
	char	*copy, *part, *save = NULL, *eq;
	int	 rc = 0;

	copy = xstrdup(rule);
	for (part = strtok_r(copy, ";", &save); part != NULL;
	    part = strtok_r(NULL, ";", &save)) {
		eq = strchr(part, '=');
		if (eq != NULL)
			*eq = '\0';
		if (strcmp(part, "UNTIL") == 0) {
			ifail(L, it, "leave UNTIL out of the rule; use the "
			    "until key");
			rc = -1;
		} else if (strcmp(part, "DTSTART") == 0) {
			ifail(L, it, "leave DTSTART out of the rule; use the "
			    "start key");
			rc = -1;
		} else if (strcmp(part, "FREQ") == 0 && eq != NULL &&
		    (strcmp(eq + 1, "HOURLY") == 0 ||
		    strcmp(eq + 1, "MINUTELY") == 0 ||
		    strcmp(eq + 1, "SECONDLY") == 0)) {
			ifail(L, it, "meetings recur at most daily, not "
			    "FREQ=%s", eq + 1);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

/* The rule after "rrule:", uppercased and checked; NULL when invalid. */
char *
parse_rrule(struct loader *L, const struct item *it, const char *text)
{
	char	*rule, *why = NULL;

	rule = xstrdup_trim(text);
	/* RFC 5545 names and values are case-insensitive. */
	uppercase(rule);
	if (*rule == '\0') {
		ifail(L, it, "rrule: needs a rule, e.g. "
		    "\"rrule:FREQ=MONTHLY;BYDAY=1TU\"");
		goto fail;
	}
	if (check_rrule_parts(L, it, rule) == -1)
		goto fail;
	if (recur_validate(rule, &why) == -1) {
		ifail(L, it, "invalid rule: %s", why);
		goto fail;
	}
	return rule;
fail:
	free(why);
	free(rule);
	return NULL;
}

/* "2026-11-24 -> 2026-11-25 16:00" (the time is optional). */
int
parse_move(struct loader *L, const struct item *it, char *s,
    struct config_move *mv)
{
	char	*arrow, *to, *at;

	if ((arrow = strstr(s, "->")) == NULL) {
		ifail(L, it, "'%s' is not DATE -> DATE [HH:MM]", s);
		return -1;
	}
	*arrow = '\0';
	to = trim(arrow + 2);
	if (parse_date(L, it, trim(s), &mv->from) == -1)
		return -1;
	at = to + strcspn(to, " \t");
	mv->has_time = *at != '\0';
	if (*at != '\0')
		*at++ = '\0';
	if (parse_date(L, it, to, &mv->to) == -1)
		return -1;
	if (mv->has_time && parse_time(L, it, trim(at), &mv->at) == -1)
		return -1;
	return 0;
}

void
parse_durations(struct loader *L, const struct item *it, int64_t **v,
    size_t *n)
{
	char	**items;
	size_t	  i, nitems;

	items = split_list(L, it, &nitems);
	for (i = 0; i < nitems; i++) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		if (parse_duration(L, it, items[i], &(*v)[*n]) == 0)
			(*n)++;
	}
	free_list(items, nitems);
}
