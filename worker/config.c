/* config: read the INI file into one validated, read-only struct config.
 *
 * iniparser reads the values, but it gives no line numbers, silently keeps
 * the last of two duplicate keys and gives up at the first line it cannot
 * read.  So the file is first scanned here, line by line, with iniparser's
 * own rules: the scan records where every section and key is, reports syntax
 * errors and duplicates with their line, and iniparser is then asked only for
 * the values of the keys the scan found.  Every error is collected and
 * reported at once, sorted by line, as "FILE:LINE: message".
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
#include "log.h"
#include "recur.h"
#include "text.h"
#include "xmalloc.h"

/* iniparser reads lines into a 1024-byte buffer and refuses longer ones. */
#define MAX_LINE		1000
#define MAX_FILE		(1024 * 1024)
#define MAX_ID			64
#define MAX_SECRET		65536
#define MIN_LINK_SECRET		16
#define DAY			86400
#define DEFAULT_STATE_DIR	"/var/lib/plc-cadence"
#define DEFAULT_FROM_NAME	"PLC Cadence"
#define DEFAULT_FROM_ADDR	"plc-cadence@localhost"

/* ---------------------------------------------------------------- notes */

/* One error or warning, kept until every line has been looked at. */
struct note {
	int	 line;		/* 0: the file as a whole */
	size_t	 seq;		/* keeps the notes of one line in order */
	char	*text;
};

struct notes {
	struct note	*v;
	size_t		 n;
};

struct scan_key {
	char	*name;		/* lowercased, as iniparser files it */
	int	 line;
};

enum sec_kind { SEC_WORKER, SEC_SMTP, SEC_CHANNEL, SEC_CALENDAR,
	SEC_MEMBER, SEC_COMMUNITY, SEC_NONE };

struct scan_sec {
	char		*name;	/* trimmed and lowercased, as iniparser files it */
	char		*raw;	/* as written, to insist on lowercase IDs */
	int		 line;
	enum sec_kind	 kind;	/* SEC_NONE: unknown or invalid, skipped */
	char		*id;
	char		*label;	/* "[member bob]", for messages */
	size_t		 obj;	/* index into the config's array of its kind */
	struct scan_key	*keys;
	size_t		 nkeys;
};

struct loader {
	const char	*path;	/* as given; named in every message */
	char		*dir;	/* real directory of the file */
	dictionary	*ini;
	struct scan_sec	*secs;
	size_t		 nsecs;
	bool		 fatal;	/* a line whose meaning is lost */
	struct notes	 errors, warnings;
	struct config	*cfg;
};

/* A key's value, ready for its parser. */
struct item {
	const char	*label;
	const char	*key;
	const char	*value;	/* trimmed, one line of valid UTF-8 */
	int		 line;
};

static char	*vformat(const char *fmt, va_list ap)
		    __attribute__((format(printf, 1, 0)));
static void	 fail_at(struct loader *L, int line, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 warn_at(struct loader *L, int line, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 ifail(struct loader *L, const struct item *it,
		    const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

static char *
vformat(const char *fmt, va_list ap)
{
	va_list	 ap2;
	char	*s;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return xstrdup("(unprintable message)");
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static void
notes_add(struct notes *ns, int line, char *text)
{
	ns->v = xreallocarray(ns->v, ns->n + 1, sizeof *ns->v);
	ns->v[ns->n].line = line;
	ns->v[ns->n].seq = ns->n;
	ns->v[ns->n].text = text;
	ns->n++;
}

static void
notes_free(struct notes *ns)
{
	size_t	 i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i].text);
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

static int
note_cmp(const void *a, const void *b)
{
	const struct note	*x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* All notes sorted by line, "FILE:LINE: text" each, '\n' between them. */
static char *
notes_join(struct notes *ns, const char *path)
{
	char	*out, *line;
	size_t	 i, len = 0, cap = 0;

	if (ns->n == 0)
		return NULL;
	qsort(ns->v, ns->n, sizeof *ns->v, note_cmp);
	out = NULL;
	for (i = 0; i < ns->n; i++) {
		if (ns->v[i].line > 0)
			line = xasprintf("%s%s:%d: %s", i ? "\n" : "", path,
			    ns->v[i].line, ns->v[i].text);
		else
			line = xasprintf("%s%s: %s", i ? "\n" : "", path,
			    ns->v[i].text);
		if (len + strlen(line) + 1 > cap) {
			cap = 2 * (len + strlen(line) + 1);
			out = xreallocarray(out, cap, 1);
		}
		memcpy(out + len, line, strlen(line) + 1);
		len += strlen(line);
		free(line);
	}
	return out;
}

static void
fail_at(struct loader *L, int line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	notes_add(&L->errors, line, vformat(fmt, ap));
	va_end(ap);
}

static void
warn_at(struct loader *L, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	notes_add(&L->warnings, line, xasprintf("warning: %s", msg));
	free(msg);
}

/* An error about one key: "[community math7] time: …". */
static void
ifail(struct loader *L, const struct item *it, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	fail_at(L, it->line, "%s %s: %s", it->label, it->key, msg);
	free(msg);
}

/* ------------------------------------------------------------- strings */

static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void
lowercase(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static void
uppercase(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

static char *
xstrdup_trim(const char *s)
{
	char	*copy, *t, *out;

	copy = xstrdup(s);
	t = trim(copy);
	out = xstrdup(t);
	free(copy);
	return out;
}

static bool
has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* IDs name sections and appear in URLs and dedup keys: keep them plain. */
static bool
id_valid(const char *s)
{
	size_t	 i;

	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	for (i = 1; s[i]; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !isdigit((unsigned char)s[i]) &&
		    s[i] != '-' && s[i] != '_')
			return false;
	return i <= MAX_ID;
}

/* ---------------------------------------------------------------- scan */

static struct scan_sec *
scan_find(struct loader *L, const char *name)
{
	size_t	 i;

	for (i = 0; i < L->nsecs; i++)
		if (strcmp(L->secs[i].name, name) == 0)
			return &L->secs[i];
	return NULL;
}

static int
scan_key_line(const struct scan_sec *sec, const char *key)
{
	size_t	 i;

	for (i = 0; sec != NULL && i < sec->nkeys; i++)
		if (strcmp(sec->keys[i].name, key) == 0)
			return sec->keys[i].line;
	return 0;
}

static void
scan_section(struct loader *L, char *s, int line, long *cur)
{
	struct scan_sec	*sec;
	char		*close, *raw, *name;

	close = strchr(s, ']');
	if (close[1] != '\0') {
		fail_at(L, line, "unexpected text after ']' in section header");
		L->fatal = true;
		return;
	}
	*close = '\0';
	raw = trim(s + 1);
	if (*raw == '\0') {
		fail_at(L, line, "empty section name");
		L->fatal = true;
		return;
	}
	name = xstrdup(raw);
	lowercase(name);
	if ((sec = scan_find(L, name)) != NULL) {
		/* iniparser merges the two; so do the scan and its checks. */
		fail_at(L, line, "duplicate section [%s] (first at line %d)",
		    raw, sec->line);
		*cur = sec - L->secs;
		free(name);
		return;
	}
	L->secs = xreallocarray(L->secs, L->nsecs + 1, sizeof *L->secs);
	sec = &L->secs[L->nsecs];
	memset(sec, 0, sizeof *sec);
	sec->name = name;
	sec->raw = xstrdup(raw);
	sec->line = line;
	sec->kind = SEC_NONE;
	*cur = (long)L->nsecs++;
}

/*
 * iniparser ends an unquoted value at ';' or '#'.  A comment after a value
 * has a space before it; a ';' glued to text ("FREQ=MONTHLY;BYDAY=1TU") is
 * almost surely part of the value and would be cut off without a word.
 */
static void
scan_value(struct loader *L, const char *v, int line)
{
	const char	*q, *p;

	while (isspace((unsigned char)*v))
		v++;
	if (*v == '"' || *v == '\'') {
		if ((q = strchr(v + 1, *v)) == NULL) {
			fail_at(L, line, "missing closing %c quote", *v);
			return;
		}
		for (p = q + 1; isspace((unsigned char)*p); p++)
			;
		if (*p != '\0' && *p != ';' && *p != '#')
			fail_at(L, line, "unexpected text after the closing "
			    "quote (quote the whole value)");
		return;
	}
	for (p = v; *p; p++) {
		if (*p != ';' && *p != '#')
			continue;
		if (p > v && !isspace((unsigned char)p[-1]))
			fail_at(L, line, "'%c' starts a comment here and cuts "
			    "the value short; write a value that holds '%c' in "
			    "double quotes", *p, *p);
		return;
	}
}

static void
scan_key(struct loader *L, char *key, int line, long cur)
{
	struct scan_sec	*sec;
	int		 first;

	lowercase(key);
	if (cur < 0) {
		fail_at(L, line, "key '%s' comes before any [section]", key);
		return;
	}
	sec = &L->secs[cur];
	if ((first = scan_key_line(sec, key)) != 0) {
		fail_at(L, line, "duplicate key '%s' in [%s] (first at line %d)",
		    key, sec->raw, first);
		return;
	}
	sec->keys = xreallocarray(sec->keys, sec->nkeys + 1, sizeof *sec->keys);
	sec->keys[sec->nkeys].name = xstrdup(key);
	sec->keys[sec->nkeys].line = line;
	sec->nkeys++;
}

/* One logical line (continuations joined), classified as iniparser does. */
static void
scan_line(struct loader *L, char *text, int line, long *cur)
{
	char	*s, *eq, *key, *p;

	/* iniparser's limit counts the indentation too. */
	if (strlen(text) > MAX_LINE) {
		fail_at(L, line, "line is longer than %d characters", MAX_LINE);
		L->fatal = true;
		return;
	}
	s = trim(text);
	for (p = s; *p; p++) {
		if (is_ctl((unsigned char)*p) && *p != '\t') {
			fail_at(L, line, "control character 0x%02x in line",
			    (unsigned char)*p);
			L->fatal = true;
			return;
		}
	}
	if (*s == '\0' || *s == '#' || *s == ';')
		return;
	if (*s == '[') {
		if (s[strlen(s) - 1] != ']') {
			fail_at(L, line, "a section header is '[name]' alone on "
			    "its line");
			L->fatal = true;
			return;
		}
		scan_section(L, s, line, cur);
		return;
	}
	if ((eq = strchr(s, '=')) == NULL) {
		fail_at(L, line, "syntax error: expected 'key = value', "
		    "'[section]' or a comment");
		L->fatal = true;
		return;
	}
	*eq = '\0';
	key = trim(s);
	if (*key == '\0') {
		fail_at(L, line, "syntax error: no key before '='");
		L->fatal = true;
		return;
	}
	scan_value(L, eq + 1, line);
	scan_key(L, key, line, *cur);
}

static void
scan_file(struct loader *L, FILE *f)
{
	char	*buf = NULL, *logical = NULL, *joined;
	size_t	 cap = 0, len;
	ssize_t	 n;
	int	 lineno = 0, first = 0;
	long	 cur = -1;

	while ((n = getline(&buf, &cap, f)) != -1) {
		lineno++;
		if (lineno == 1 && strncmp(buf, "\xef\xbb\xbf", 3) == 0) {
			/* Notepad writes one; iniparser cannot read past it. */
			fail_at(L, lineno, "the file starts with a byte-order "
			    "mark; save it as UTF-8 without BOM");
			L->fatal = true;
			continue;
		}
		if (memchr(buf, '\0', (size_t)n) != NULL) {
			fail_at(L, lineno, "NUL byte in line");
			L->fatal = true;
			continue;
		}
		len = (size_t)n;
		if (len > MAX_LINE + 1) {
			fail_at(L, lineno, "line is longer than %d characters",
			    MAX_LINE);
			L->fatal = true;
			continue;
		}
		while (len > 0 && isspace((unsigned char)buf[len - 1]))
			buf[--len] = '\0';
		if (logical == NULL) {
			logical = xstrdup(buf);
			first = lineno;
		} else {
			/* Like iniparser: the next line replaces the '\'. */
			joined = xasprintf("%s%s", logical, buf);
			free(logical);
			logical = joined;
		}
		len = strlen(logical);
		if (len > 0 && logical[len - 1] == '\\') {
			logical[len - 1] = '\0';
			continue;
		}
		scan_line(L, logical, first, &cur);
		free(logical);
		logical = NULL;
	}
	if (ferror(f)) {
		fail_at(L, 0, "read error: %s", strerror(errno));
		L->fatal = true;
	}
	if (logical != NULL) {
		/* iniparser drops a continued line that never ends. */
		fail_at(L, first, "the last line ends with '\\' (continued "
		    "past the end of the file)");
		L->fatal = true;
	}
	free(logical);
	free(buf);
}

/* -------------------------------------------------------------- values */

/* "HH:MM", 00:00 to 23:59. */
static bool
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

static int
parse_time(struct loader *L, const struct item *it, const char *s,
    struct civil_time *out)
{
	if (parse_hhmm(s, out))
		return 0;
	ifail(L, it, "'%s' is not a time of day (expected HH:MM, "
	    "00:00 to 23:59)", s);
	return -1;
}

static int
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
static int
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

static int
parse_weekday(struct loader *L, const struct item *it, const char *s, int *out)
{
	if (civil_weekday_parse(s, out) == 0)
		return 0;
	ifail(L, it, "'%s' is not a weekday (expected MO..SU, Mon or Monday)",
	    s);
	return -1;
}

static int
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
static int
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
static char **
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

static void
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
static char *
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

static bool
is_web_url(const char *s)
{
	return has_prefix(s, "https://") || has_prefix(s, "http://");
}

/* URLs are printable ASCII without spaces or quoting characters. */
static bool
url_chars_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    strchr("\"<>\\^`{|}", *s) != NULL)
			return false;
	return true;
}

/* Busy calendars and holiday sources: an http(s) URL or a local path. */
static char *
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
static bool
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

static bool
atext(char c)
{
	return c != '\0' && (isalnum((unsigned char)c) ||
	    strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

/*
 * A plausible addr-spec: local@domain, dot-atoms only.  Quoted local parts,
 * comments and non-ASCII are refused: nothing here can reach a mail header
 * except as the plain address it looks like.
 */
static bool
email_valid(const char *s)
{
	const char	*at, *p, *label;

	if ((at = strchr(s, '@')) == NULL || at != strrchr(s, '@'))
		return false;
	if (at == s || at - s > 64 || s[0] == '.' || at[-1] == '.')
		return false;
	for (p = s; p < at; p++)
		if ((*p != '.' && !atext(*p)) || (*p == '.' && p[1] == '.'))
			return false;
	if (at[1] == '\0' || strlen(at + 1) > 253)
		return false;
	for (label = p = at + 1;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' ||
			    p[-1] == '-')
				return false;
			if (*p == '\0')
				return true;
			label = p + 1;
		} else if (!isalnum((unsigned char)*p) && *p != '-')
			return false;
	}
}

static const struct tz *
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

static char *
dup_or_null(const char *s)
{
	return *s ? xstrdup(s) : NULL;
}

/* ------------------------------------------------------------- secrets */

static void
secret_clear(struct config_secret *s)
{
	if (s->value != NULL)
		explicit_bzero(s->value, strlen(s->value));
	free(s->value);
	free(s->source);
	s->value = s->source = NULL;
	s->unavailable = false;
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
 */
static char *
read_secret_file(struct loader *L, const struct item *it, const char *path,
    bool check_mode)
{
	struct stat	 st;
	char		*buf = NULL, *out = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
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
static int
resolve_secret(struct loader *L, const struct item *it, const char *v,
    struct config_secret *out)
{
	const char	*name, *dir, *e;
	char		*path = NULL, *value = NULL;

	if (has_prefix(v, "file:")) {
		if (v[5] == '\0') {
			ifail(L, it, "file: needs a path");
			return 1;
		}
		path = resolve_path(L, v + 5);
		value = read_secret_file(L, it, path, true);
		out->source = xasprintf("file:%s", path);
	} else if (has_prefix(v, "env:")) {
		name = v + 4;
		if (!env_name_valid(name))
			ifail(L, it, "'%s' is not an environment variable name",
			    name);
		else if ((e = getenv(name)) == NULL)
			ifail(L, it, "environment variable %s is not set", name);
		else
			value = xstrdup(e);
		out->source = xasprintf("env:%s", name);
	} else if (has_prefix(v, "credential:")) {
		name = v + 11;
		dir = getenv("CREDENTIALS_DIRECTORY");
		if (*name == '\0' || strchr(name, '/') != NULL ||
		    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			ifail(L, it, "'%s' is not a credential name", name);
		else if (dir == NULL || *dir == '\0')
			/* Outside the service (backup from cron, action from a
			 * shell): fine until something has to send with it;
			 * config_secret_unavailable says so then. */
			out->unavailable = true;
		else {
			path = xasprintf("%s/%s", dir, name);
			value = read_secret_file(L, it, path, false);
		}
		out->source = xasprintf("credential:%s", name);
	} else
		return 0;
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
static void
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
}

static void
w_horizon(struct loader *L, void *obj, const struct item *it)
{
	struct config_worker	*w = obj;
	int64_t			 v;

	if (parse_duration(L, it, it->value, &v) == -1)
		return;
	if (v <= 0 || v > 3660 * (int64_t)DAY) {
		ifail(L, it, "must be more than 0d and at most 3660d");
		return;
	}
	w->horizon = v;
}

static void
w_quiet_hours(struct loader *L, void *obj, const struct item *it)
{
	struct config_worker	*w = obj;

	if (parse_time_range(L, it, it->value, true, &w->quiet_from,
	    &w->quiet_to) == 0)
		w->has_quiet = true;
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
	if (!email_valid(addr)) {
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
static const char *
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
	if (is_web_url(cal->source)) {
		warn_at(L, it->line, "%s %s: calendar URLs are not fetched; "
		    "save the calendar as a file and give its path", it->label,
		    it->key);
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

	if (!email_valid(it->value))
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

/* Parse state of one community: which required values came out valid. */
struct comm_ctx {
	struct config_community	*c;
	bool			 cadence_ok, start_ok, until_ok;
};

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

	if ((m = config_member_find(L->cfg, id)) == NULL)
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
static char *
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
	if (v <= 0 || v > DAY)
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

/* "2026-11-24 -> 2026-11-25 16:00" (the time is optional). */
static int
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

static void
c_move(struct loader *L, void *obj, const struct item *it)
{
	struct config_community	*c = ((struct comm_ctx *)obj)->c;
	char			**items;
	size_t			  i, nitems;

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

/* ---------------------------------------------------------- key tables */

typedef void	key_fn(struct loader *, void *, const struct item *);

struct key_def {
	const char	*name;
	key_fn		*fn;
	bool		 required;
};

static const struct key_def worker_keys[] = {
	{ "state_dir", w_state_dir, false },
	{ "timezone", w_timezone, false },
	{ "listen", w_listen, false },
	{ "public_url", w_public_url, false },
	{ "horizon", w_horizon, false },
	{ "quiet_hours", w_quiet_hours, false },
	{ "secret", w_secret, false },
	{ "log_level", w_log_level, false },
	{ NULL, NULL, false }
};

static const struct key_def smtp_keys[] = {
	{ "url", s_url, false },
	{ "starttls", s_starttls, false },
	{ "from", s_from, false },
	{ "username", s_username, false },
	{ "password", s_password, false },
	{ "ca_file", s_ca_file, false },
	{ NULL, NULL, false }
};

static const struct key_def channel_keys[] = {
	{ "type", ch_type, true },
	{ "url", ch_url, true },
	{ "rate", ch_rate, false },
	{ NULL, NULL, false }
};

static const struct key_def calendar_keys[] = {
	{ "skip", cal_skip, false },
	{ "source", cal_source, false },
	{ NULL, NULL, false }
};

static const struct key_def member_keys[] = {
	{ "name", m_name, false },
	{ "email", m_email, false },
	{ "timezone", m_timezone, false },
	{ "available", m_available, false },
	{ "busy", m_busy, false },
	{ "away", m_away, false },
	{ "chat", m_chat, false },
	{ "notify", m_notify, false },
	{ NULL, NULL, false }
};

static const struct key_def community_keys[] = {
	{ "name", c_name, false },
	{ "facilitator", c_facilitator, true },
	{ "members", c_members, true },
	{ "optional", c_optional, false },
	{ "cadence", c_cadence, true },
	{ "day", c_day, false },	/* required unless rrule: checked after */
	{ "week", c_week, false },
	{ "time", c_time, true },
	{ "duration", c_duration, false },
	{ "window", c_window, false },
	{ "min_attendance", c_min_attendance, false },
	{ "start", c_start, true },
	{ "until", c_until, false },
	{ "skip", c_skip, false },
	{ "move", c_move, false },
	{ "cancel", c_cancel, false },
	{ "location", c_location, false },
	{ "url", c_url, false },
	{ "description", c_description, false },
	{ "remind", c_remind, false },
	{ "action_remind", c_action_remind, false },
	{ "escalate", c_escalate, false },
	{ "digest", c_digest, false },
	{ "notify", c_notify, false },
	{ "timezone", c_timezone, false },
	{ NULL, NULL, false }
};

static const struct {
	const char		*word;
	bool			 named;
	const struct key_def	*keys;
} sec_kinds[] = {
	[SEC_WORKER] = { "worker", false, worker_keys },
	[SEC_SMTP] = { "smtp", false, smtp_keys },
	[SEC_CHANNEL] = { "channel", true, channel_keys },
	[SEC_CALENDAR] = { "calendar", true, calendar_keys },
	[SEC_MEMBER] = { "member", true, member_keys },
	[SEC_COMMUNITY] = { "community", true, community_keys },
};

/* ------------------------------------------------------------- sections */

/* Name each section's kind and ID; refuse unknown kinds and bad IDs. */
static void
classify_one(struct loader *L, struct scan_sec *sec)
{
	char	*word, *raw_id;
	size_t	 i, wlen;

	wlen = strcspn(sec->raw, " \t");
	word = xstrndup(sec->raw, wlen);
	raw_id = sec->raw + wlen;
	while (isspace((unsigned char)*raw_id))
		raw_id++;
	for (i = 0; i < SEC_NONE; i++)
		if (strcasecmp(word, sec_kinds[i].word) == 0)
			break;
	if (i == SEC_NONE)
		fail_at(L, sec->line, "unknown section [%s] (expected [worker], "
		    "[smtp], [channel NAME], [calendar NAME], [community ID] "
		    "or [member ID])", sec->raw);
	else if (!sec_kinds[i].named && *raw_id != '\0')
		fail_at(L, sec->line, "[%s] takes no name", sec_kinds[i].word);
	else if (sec_kinds[i].named && *raw_id == '\0')
		fail_at(L, sec->line, "[%s] needs a name, e.g. [%s %s]",
		    sec_kinds[i].word, sec_kinds[i].word,
		    i == SEC_MEMBER ? "bob" : i == SEC_COMMUNITY ? "math7" :
		    i == SEC_CHANNEL ? "math-team" : "district");
	else if (sec_kinds[i].named && !id_valid(raw_id))
		fail_at(L, sec->line, "[%s]: '%s' is not a valid ID (a lowercase "
		    "letter, then lowercase letters, digits, '-' or '_'; at most "
		    "%d)", sec->raw, raw_id, MAX_ID);
	else if (i == SEC_CHANNEL && strcmp(raw_id, "email") == 0)
		fail_at(L, sec->line, "[channel email]: 'email' is reserved "
		    "(notify = email means e-mail)");
	else {
		sec->kind = (enum sec_kind)i;
		if (sec_kinds[i].named) {
			sec->id = xstrdup(raw_id);
			sec->label = xasprintf("[%s %s]", sec_kinds[i].word,
			    raw_id);
		} else
			sec->label = xasprintf("[%s]", sec_kinds[i].word);
	}
	free(word);
}

static void
classify(struct loader *L)
{
	struct config	*cfg = L->cfg;
	size_t		 i, j, count[SEC_NONE + 1] = { 0 };

	for (i = 0; i < L->nsecs; i++) {
		struct scan_sec	*sec = &L->secs[i];

		classify_one(L, sec);
		/* "[member  bob]" and "[member bob]" differ only in spaces. */
		for (j = 0; j < i && sec->kind != SEC_NONE &&
		    sec_kinds[sec->kind].named; j++) {
			if (L->secs[j].kind == sec->kind &&
			    strcmp(L->secs[j].id, sec->id) == 0) {
				fail_at(L, sec->line, "duplicate section %s "
				    "(first at line %d)", sec->label,
				    L->secs[j].line);
				sec->kind = SEC_NONE;
				break;
			}
		}
		sec->obj = count[sec->kind]++;
	}
	cfg->channels = xcalloc(count[SEC_CHANNEL], sizeof *cfg->channels);
	cfg->calendars = xcalloc(count[SEC_CALENDAR], sizeof *cfg->calendars);
	cfg->members = xcalloc(count[SEC_MEMBER], sizeof *cfg->members);
	cfg->communities = xcalloc(count[SEC_COMMUNITY],
	    sizeof *cfg->communities);
	for (i = 0; i < L->nsecs; i++) {
		struct scan_sec	*sec = &L->secs[i];

		switch (sec->kind) {
		case SEC_CHANNEL:
			cfg->channels[sec->obj].id = xstrdup(sec->id);
			cfg->channels[sec->obj].line = sec->line;
			cfg->nchannels++;
			break;
		case SEC_CALENDAR:
			cfg->calendars[sec->obj].id = xstrdup(sec->id);
			cfg->calendars[sec->obj].line = sec->line;
			cfg->ncalendars++;
			break;
		case SEC_MEMBER:
			cfg->members[sec->obj].id = xstrdup(sec->id);
			cfg->members[sec->obj].line = sec->line;
			cfg->nmembers++;
			break;
		case SEC_COMMUNITY:
			cfg->communities[sec->obj].id = xstrdup(sec->id);
			cfg->communities[sec->obj].line = sec->line;
			cfg->ncommunities++;
			break;
		default:
			break;
		}
	}
}

/*
 * Hand every key of one section to its parser.  Values come from iniparser;
 * they are checked here once for what no value may hold.
 */
static void
parse_section(struct loader *L, const struct scan_sec *sec, void *obj)
{
	const struct key_def	*defs = sec_kinds[sec->kind].keys, *d;
	const struct scan_key	*k;
	struct item		 it;
	struct text_bad		 bad;
	const char		*raw;
	char			*lookup, *copy, desc[TEXT_DESC_LEN];
	size_t			 i;

	for (i = 0; i < sec->nkeys; i++) {
		k = &sec->keys[i];
		for (d = defs; d->name && strcmp(d->name, k->name); d++)
			;
		if (d->name == NULL) {
			fail_at(L, k->line, "%s unknown key '%s'", sec->label,
			    k->name);
			continue;
		}
		lookup = xasprintf("%s:%s", sec->name, k->name);
		raw = iniparser_getstring(L->ini, lookup, NULL);
		free(lookup);
		it.label = sec->label;
		it.key = k->name;
		it.line = k->line;
		if (raw == NULL) {
			fail_at(L, k->line, "%s %s: the file changed while it "
			    "was read", sec->label, k->name);
			continue;
		}
		copy = xstrdup(raw);
		it.value = trim(copy);
		/* Names and titles go into mail headers, chat posts, JSON and
		 * iCalendar; no other value has a use for what text.h refuses,
		 * so the rule holds for every key at once. */
		switch (text_check(it.value, &bad)) {
		case TEXT_BAD_UTF8:
			ifail(L, &it, "value is not valid UTF-8");
			break;
		case TEXT_REFUSED:
			ifail(L, &it, "%s is not allowed",
			    text_describe(bad.cp, desc));
			break;
		case TEXT_OK:
			d->fn(L, obj, &it);
			break;
		}
		free(copy);
	}
	for (d = defs; d->name; d++)
		if (d->required && scan_key_line(sec, d->name) == 0)
			fail_at(L, sec->line, "%s is missing required key '%s'",
			    sec->label, d->name);
}

static struct scan_sec *
find_kind(struct loader *L, enum sec_kind kind)
{
	size_t	 i;

	for (i = 0; i < L->nsecs; i++)
		if (L->secs[i].kind == kind)
			return &L->secs[i];
	return NULL;
}

static void
parse_worker(struct loader *L)
{
	struct config_worker	*w = &L->cfg->worker;
	struct scan_sec		*sec;

	w->horizon = 180 * (int64_t)DAY;
	w->log_level = LOG_INFO;
	if ((sec = find_kind(L, SEC_WORKER)) != NULL) {
		w->line = sec->line;
		parse_section(L, sec, w);
	}
	if (w->state_dir == NULL)
		w->state_dir = xstrdup(DEFAULT_STATE_DIR);
	if (w->tz == NULL && (w->tz = tz_find("UTC")) == NULL)
		fail_at(L, w->line, "the system has no UTC time zone (is "
		    "tzdata installed?)");
	if (w->public_url == NULL && w->listen != NULL)
		w->public_url = xasprintf("http://%s", w->listen);
}

static void
parse_smtp(struct loader *L)
{
	struct config_smtp	*s = &L->cfg->smtp;
	struct scan_sec		*sec;
	const char		*label = "[smtp]";
	bool			 network;

	s->starttls = CONFIG_STARTTLS_REQUIRED;
	if ((sec = find_kind(L, SEC_SMTP)) != NULL) {
		s->line = sec->line;
		parse_section(L, sec, s);
	}
	network = s->url != NULL && !has_prefix(s->url, "maildir:");
	if (s->url == NULL && scan_key_line(sec, "url") == 0)
		s->url = xasprintf("maildir:%s/mail", L->cfg->worker.state_dir);
	if (s->from == NULL && scan_key_line(sec, "from") == 0) {
		/* A real server would refuse mail from a made-up domain. */
		if (network)
			fail_at(L, s->line, "%s is missing required key 'from' "
			    "(needed to send through %s)", label, s->url);
		s->from_name = xstrdup(DEFAULT_FROM_NAME);
		s->from_addr = xstrdup(DEFAULT_FROM_ADDR);
		s->from = xasprintf("%s <%s>", s->from_name, s->from_addr);
	}
	if (scan_key_line(sec, "username") != 0 &&
	    scan_key_line(sec, "password") == 0)
		fail_at(L, scan_key_line(sec, "username"), "%s username is "
		    "set but password is not", label);
	if (scan_key_line(sec, "password") != 0 &&
	    scan_key_line(sec, "username") == 0)
		fail_at(L, scan_key_line(sec, "password"), "%s password is "
		    "set but username is not", label);
	if (s->password.value != NULL && s->url != NULL &&
	    has_prefix(s->url, "smtp://") &&
	    s->starttls == CONFIG_STARTTLS_OFF)
		warn_at(L, scan_key_line(sec, "starttls"), "%s starttls = off: "
		    "the password travels unencrypted", label);
}

static void
member_post(struct loader *L, const struct scan_sec *sec,
    struct config_member *m)
{
	size_t	 i;
	int	 line;

	if (m->name == NULL)
		m->name = xstrdup(m->id);
	if (m->tz == NULL)
		m->tz = L->cfg->worker.tz;
	if ((line = scan_key_line(sec, "notify")) != 0) {
		for (i = 0; i < m->nnotify; i++)
			if (m->notify[i].email && m->email == NULL &&
			    scan_key_line(sec, "email") == 0)
				fail_at(L, line, "%s notify: email, but the "
				    "member has no email", sec->label);
		return;
	}
	if (m->email != NULL) {
		m->notify = xcalloc(1, sizeof *m->notify);
		m->notify[0].email = true;
		m->nnotify = 1;
	} else if (scan_key_line(sec, "email") == 0)
		fail_at(L, sec->line, "%s has neither email nor notify: set "
		    "email, or notify = CHANNEL", sec->label);
}

/* A date named by move or cancel must lie within the series. */
static void
check_in_series(struct loader *L, const struct scan_sec *sec,
    const struct comm_ctx *x, const char *key, struct civil_date d)
{
	char	 a[CIVIL_DATE_LEN], b[CIVIL_DATE_LEN];

	if (!x->start_ok)
		return;
	if (civil_date_cmp(d, x->c->start) < 0)
		fail_at(L, scan_key_line(sec, key), "%s %s: %s is before "
		    "start (%s)", sec->label, key, civil_date_format(d, a),
		    civil_date_format(x->c->start, b));
	else if (x->until_ok && civil_date_cmp(d, x->c->until) > 0)
		fail_at(L, scan_key_line(sec, key), "%s %s: %s is after "
		    "until (%s)", sec->label, key, civil_date_format(d, a),
		    civil_date_format(x->c->until, b));
}

static void
community_dates(struct loader *L, const struct scan_sec *sec,
    const struct comm_ctx *x)
{
	const struct config_community	*c = x->c;
	char				 buf[CIVIL_DATE_LEN];
	size_t				 i, j;

	if (x->start_ok && x->until_ok &&
	    civil_date_cmp(c->until, c->start) < 0)
		fail_at(L, scan_key_line(sec, "until"), "%s until: %s is "
		    "before start", sec->label, civil_date_format(c->until,
		    buf));
	for (i = 0; i < c->nmoves; i++) {
		check_in_series(L, sec, x, "move", c->moves[i].from);
		for (j = 0; j < i; j++)
			if (civil_date_cmp(c->moves[j].from,
			    c->moves[i].from) == 0)
				fail_at(L, scan_key_line(sec, "move"), "%s "
				    "move: the meeting of %s is moved twice",
				    sec->label, civil_date_format(
				    c->moves[i].from, buf));
		for (j = 0; j < c->ncancels; j++)
			if (civil_date_cmp(c->cancels[j],
			    c->moves[i].from) == 0)
				fail_at(L, scan_key_line(sec, "cancel"), "%s "
				    "cancel: the meeting of %s is also moved",
				    sec->label, civil_date_format(
				    c->cancels[j], buf));
	}
	for (i = 0; i < c->ncancels; i++)
		check_in_series(L, sec, x, "cancel", c->cancels[i]);
}

/* Checks that involve more than one key. */
static void
community_post(struct loader *L, const struct scan_sec *sec,
    struct comm_ctx *x)
{
	struct config_community	*c = x->c;
	size_t			 i;
	int			 line;

	if (c->name == NULL)
		c->name = xstrdup(c->id);
	if (c->tz == NULL)
		c->tz = L->cfg->worker.tz;
	if (c->window == NULL && scan_key_line(sec, "window") == 0) {
		c->window = xcalloc(1, sizeof *c->window);
		c->window[0].days = 0x1f;	/* MO-FR */
		c->window[0].from = 7 * 3600;
		c->window[0].to = 18 * 3600;
		c->nwindow = 1;
	}
	if (x->cadence_ok && c->cadence == CONFIG_CADENCE_RRULE) {
		if ((line = scan_key_line(sec, "day")) != 0)
			fail_at(L, line, "%s day: not used with an rrule "
			    "cadence; put BYDAY in the rule", sec->label);
		c->day = -1;
	} else if (x->cadence_ok && scan_key_line(sec, "day") == 0)
		fail_at(L, sec->line, "%s is missing required key 'day' "
		    "(a weekday such as TU, or auto)", sec->label);
	if ((line = scan_key_line(sec, "week")) != 0) {
		if (x->cadence_ok && c->cadence != CONFIG_CADENCE_MONTHLY)
			fail_at(L, line, "%s week: only for a monthly cadence",
			    sec->label);
	} else if (c->cadence == CONFIG_CADENCE_MONTHLY)
		c->week = 1;
	if (c->facilitator != NULL && scan_key_line(sec, "members") != 0 &&
	    !config_community_has_member(c, c->facilitator))
		fail_at(L, scan_key_line(sec, "facilitator"), "%s facilitator: "
		    "'%s' is in neither members nor optional", sec->label,
		    c->facilitator->id);
	for (i = 0; i < c->noptional; i++) {
		size_t	 j;

		for (j = 0; j < c->nmembers; j++)
			if (c->members[j] == c->optional[i])
				fail_at(L, scan_key_line(sec, "optional"),
				    "%s optional: '%s' is already in members",
				    sec->label, c->optional[i]->id);
	}
	community_dates(L, sec, x);
}

static void
parse_sections(struct loader *L)
{
	struct config	*cfg = L->cfg;
	struct comm_ctx	 x;
	size_t		 i, k, j, used;

	/* Referenced kinds before the kinds that refer to them. */
	static const enum sec_kind order[] = { SEC_CHANNEL, SEC_CALENDAR,
	    SEC_MEMBER, SEC_COMMUNITY };

	for (k = 0; k < sizeof order / sizeof order[0]; k++) {
		for (i = 0; i < L->nsecs; i++) {
			const struct scan_sec	*sec = &L->secs[i];

			if (sec->kind != order[k])
				continue;
			switch (sec->kind) {
			case SEC_CHANNEL:
				parse_section(L, sec, &cfg->channels[sec->obj]);
				break;
			case SEC_CALENDAR:
				parse_section(L, sec, &cfg->calendars[sec->obj]);
				break;
			case SEC_MEMBER:
				parse_section(L, sec, &cfg->members[sec->obj]);
				member_post(L, sec, &cfg->members[sec->obj]);
				break;
			case SEC_COMMUNITY:
				memset(&x, 0, sizeof x);
				x.c = &cfg->communities[sec->obj];
				x.c->duration = 45 * 60;
				x.c->min_attendance = 0.75;
				parse_section(L, sec, &x);
				community_post(L, sec, &x);
				break;
			default:
				break;
			}
		}
	}
	/* A member in no community gets no meetings: likely a slip. */
	for (i = 0; i < cfg->nmembers; i++) {
		for (used = 0, j = 0; j < cfg->ncommunities && !used; j++)
			used = config_community_has_member(&cfg->communities[j],
			    &cfg->members[i]);
		if (!used)
			warn_at(L, cfg->members[i].line, "[member %s] is in no "
			    "community", cfg->members[i].id);
	}
}

/* ----------------------------------------------------------------- load */

/* iniparser would print to stderr; every problem is reported here instead. */
static int
ini_quiet(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

static int
config_dir(struct loader *L)
{
	char	*copy, *slash;
	int	 rc = 0;

	copy = xstrdup(L->path);
	if ((slash = strrchr(copy, '/')) == NULL) {
		free(copy);
		copy = xstrdup(".");
	} else
		slash[slash == copy ? 1 : 0] = '\0';
	if ((L->dir = realpath(copy, NULL)) == NULL) {
		fail_at(L, 0, "cannot resolve directory %s: %s", copy,
		    strerror(errno));
		rc = -1;
	}
	free(copy);
	return rc;
}

static void
loader_free(struct loader *L)
{
	size_t	 i, j;

	for (i = 0; i < L->nsecs; i++) {
		for (j = 0; j < L->secs[i].nkeys; j++)
			free(L->secs[i].keys[j].name);
		free(L->secs[i].keys);
		free(L->secs[i].name);
		free(L->secs[i].raw);
		free(L->secs[i].id);
		free(L->secs[i].label);
	}
	free(L->secs);
	free(L->dir);
	if (L->ini != NULL)
		iniparser_freedict(L->ini);
	notes_free(&L->errors);
	notes_free(&L->warnings);
	config_free(L->cfg);
}

const char *
config_secret_unavailable(const struct config *cfg)
{
	size_t	i;

	if (cfg->worker.secret.unavailable)
		return cfg->worker.secret.source;
	if (cfg->smtp.password.unavailable)
		return cfg->smtp.password.source;
	for (i = 0; i < cfg->nchannels; i++)
		if (cfg->channels[i].url.unavailable)
			return cfg->channels[i].url.source;
	return NULL;
}

int
config_load(const char *path, struct config **out, char **errors,
    char **warnings)
{
	struct loader	 L;
	struct stat	 st;
	FILE		*f = NULL;
	size_t		 i;
	int		 rc = -1;

	memset(&L, 0, sizeof L);
	*out = NULL;
	*errors = NULL;
	if (warnings != NULL)
		*warnings = NULL;
	L.path = path;
	L.cfg = xcalloc(1, sizeof *L.cfg);
	L.cfg->path = xstrdup(path);
	if ((f = fopen(path, "re")) == NULL) {
		fail_at(&L, 0, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode)) {
		fail_at(&L, 0, "not a regular file");
		goto out;
	}
	if (st.st_size > MAX_FILE) {
		fail_at(&L, 0, "larger than %d bytes", MAX_FILE);
		goto out;
	}
	if (config_dir(&L) == -1)
		goto out;
	scan_file(&L, f);
	if (L.fatal)
		goto out;
	iniparser_set_error_callback(ini_quiet);
	if ((L.ini = iniparser_load(path)) == NULL) {
		fail_at(&L, 0, "iniparser could not read the file");
		goto out;
	}
	classify(&L);
	parse_worker(&L);
	parse_smtp(&L);
	parse_sections(&L);
out:
	if (f != NULL)
		fclose(f);
	if (L.errors.n == 0) {
		*out = L.cfg;
		L.cfg = NULL;
		if (warnings != NULL)
			*warnings = notes_join(&L.warnings, path);
		rc = 0;
	} else {
		/* Warnings ride along with the errors, in line order. */
		for (i = 0; i < L.warnings.n; i++) {
			notes_add(&L.errors, L.warnings.v[i].line,
			    L.warnings.v[i].text);
			L.warnings.v[i].text = NULL;
		}
		*errors = notes_join(&L.errors, path);
	}
	loader_free(&L);
	return rc;
}

/* ----------------------------------------------------------------- free */

static void
member_free(struct config_member *m)
{
	size_t	 i;

	free(m->id);
	free(m->name);
	free(m->email);
	free(m->available);
	for (i = 0; i < m->nbusy; i++)
		free(m->busy[i]);
	free(m->busy);
	free(m->away);
	for (i = 0; i < m->nchat; i++)
		free(m->chat[i].handle);
	free(m->chat);
	free(m->notify);
}

static void
community_free(struct config_community *c)
{
	free(c->id);
	free(c->name);
	free(c->members);
	free(c->optional);
	free(c->rrule);
	free(c->window);
	free(c->skip_calendars);
	free(c->skip);
	free(c->moves);
	free(c->cancels);
	free(c->location);
	free(c->url);
	free(c->description);
	free(c->remind);
	free(c->action_remind);
	free(c->notify);
}

void
config_free(struct config *cfg)
{
	size_t	 i;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->worker.state_dir);
	free(cfg->worker.listen);
	free(cfg->worker.public_url);
	secret_clear(&cfg->worker.secret);
	free(cfg->smtp.url);
	free(cfg->smtp.from);
	free(cfg->smtp.from_name);
	free(cfg->smtp.from_addr);
	free(cfg->smtp.username);
	free(cfg->smtp.ca_file);
	secret_clear(&cfg->smtp.password);
	/* Arrays are allocated at full length, so free every slot. */
	for (i = 0; cfg->channels != NULL && i < cfg->nchannels; i++) {
		free(cfg->channels[i].id);
		secret_clear(&cfg->channels[i].url);
	}
	free(cfg->channels);
	for (i = 0; cfg->calendars != NULL && i < cfg->ncalendars; i++) {
		free(cfg->calendars[i].id);
		free(cfg->calendars[i].skip);
		free(cfg->calendars[i].source);
	}
	free(cfg->calendars);
	for (i = 0; cfg->members != NULL && i < cfg->nmembers; i++)
		member_free(&cfg->members[i]);
	free(cfg->members);
	for (i = 0; cfg->communities != NULL && i < cfg->ncommunities; i++)
		community_free(&cfg->communities[i]);
	free(cfg->communities);
	free(cfg);
}

/* -------------------------------------------------------------- lookups */

struct config_member *
config_member_find(const struct config *cfg, const char *id)
{
	size_t	 i;

	for (i = 0; i < cfg->nmembers; i++)
		if (cfg->members[i].id && strcmp(cfg->members[i].id, id) == 0)
			return &cfg->members[i];
	return NULL;
}

struct config_community *
config_community_find(const struct config *cfg, const char *id)
{
	size_t	 i;

	for (i = 0; i < cfg->ncommunities; i++)
		if (cfg->communities[i].id &&
		    strcmp(cfg->communities[i].id, id) == 0)
			return &cfg->communities[i];
	return NULL;
}

struct config_channel *
config_channel_find(const struct config *cfg, const char *id)
{
	size_t	 i;

	for (i = 0; i < cfg->nchannels; i++)
		if (cfg->channels[i].id && strcmp(cfg->channels[i].id, id) == 0)
			return &cfg->channels[i];
	return NULL;
}

struct config_calendar *
config_calendar_find(const struct config *cfg, const char *id)
{
	size_t	 i;

	for (i = 0; i < cfg->ncalendars; i++)
		if (cfg->calendars[i].id &&
		    strcmp(cfg->calendars[i].id, id) == 0)
			return &cfg->calendars[i];
	return NULL;
}

const char *
config_channel_type_name(enum config_channel_type t)
{
	if ((size_t)t >= sizeof channel_types / sizeof channel_types[0])
		return "unknown";
	return channel_types[t];
}

bool
config_community_has_member(const struct config_community *c,
    const struct config_member *m)
{
	size_t	 i;

	for (i = 0; i < c->nmembers; i++)
		if (c->members[i] == m)
			return true;
	for (i = 0; i < c->noptional; i++)
		if (c->optional[i] == m)
			return true;
	return false;
}
