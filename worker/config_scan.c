/* config_scan: the config file read line by line with iniparser's own
 * rules (see config.c), to know the line of every section and key, and the
 * notes that collect every error and warning by line.  The file's text is
 * untrusted: lines are bounded and checked before anything else sees them.
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

char *
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

void
notes_add(struct notes *ns, int line, char *text)
{
	ns->v = xreallocarray(ns->v, ns->n + 1, sizeof *ns->v);
	ns->v[ns->n].line = line;
	ns->v[ns->n].seq = ns->n;
	ns->v[ns->n].text = text;
	ns->n++;
}

void
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
char *
notes_join(struct notes *ns, const char *path)
{
	struct xbuf	 out = { NULL, 0, 0 };
	size_t		 i;

	if (ns->n == 0)
		return NULL;
	qsort(ns->v, ns->n, sizeof *ns->v, note_cmp);
	for (i = 0; i < ns->n; i++) {
		if (ns->v[i].line > 0)
			xbuf_printf(&out, "%s%s:%d: %s", i ? "\n" : "", path,
			    ns->v[i].line, ns->v[i].text);
		else
			xbuf_printf(&out, "%s%s: %s", i ? "\n" : "", path,
			    ns->v[i].text);
	}
	return out.s;
}

void
fail_at(struct loader *L, int line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	notes_add(&L->errors, line, vformat(fmt, ap));
	va_end(ap);
}

void
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
void
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

char *
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

void
lowercase(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

void
uppercase(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

char *
xstrdup_trim(const char *s)
{
	char	*copy, *t, *out;

	copy = xstrdup(s);
	t = trim(copy);
	out = xstrdup(t);
	free(copy);
	return out;
}

bool
has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

bool
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* IDs name sections and appear in URLs and dedup keys: keep them plain. */
bool
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

int
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

void
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
