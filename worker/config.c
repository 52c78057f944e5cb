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
#include <stdint.h>
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

static size_t	loader_hash(const char *s);

static void
classify(struct loader *L)
{
	struct config	*cfg = L->cfg;
	size_t		 i, j, k, count[SEC_NONE + 1] = { 0 }, cap = 16;
	size_t		*seen;	/* named sections kept so far: index + 1 */

	/* A set, not a walk over every section before: a district has
	 * thousands of them. */
	while (cap < 2 * L->nsecs + 2)
		cap *= 2;
	seen = xcalloc(cap, sizeof(*seen));
	for (i = 0; i < L->nsecs; i++) {
		struct scan_sec	*sec = &L->secs[i];

		classify_one(L, sec);
		/* "[member  bob]" and "[member bob]" differ only in spaces. */
		if (sec->kind != SEC_NONE && sec_kinds[sec->kind].named) {
			for (k = (loader_hash(sec->id) + (size_t)sec->kind) &
			    (cap - 1); (j = seen[k]) != 0; k = (k + 1) &
			    (cap - 1))
				if (L->secs[j - 1].kind == sec->kind &&
				    strcmp(L->secs[j - 1].id, sec->id) == 0)
					break;
			if (j != 0) {
				fail_at(L, sec->line, "duplicate section %s "
				    "(first at line %d)", sec->label,
				    L->secs[j - 1].line);
				sec->kind = SEC_NONE;
			} else
				seen[k] = i + 1;
		}
		sec->obj = count[sec->kind]++;
	}
	free(seen);
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

/* FNV-1a: the indexes below are filled from the file, not chosen keys'
 * owners' guesses of a hash; a bad spread only costs time. */
static size_t
loader_hash(const char *s)
{
	uint64_t	h = UINT64_C(0xcbf29ce484222325);

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return (size_t)h;
}

/* iniparser keys are at most this long once lowercased (strlwc). */
#define INI_KEY_MAX	1024

/* The index of every key iniparser loaded (keys are unique there). */
static void
ini_index(struct loader *L)
{
	const dictionary	*d = L->ini;
	size_t			 cap = 16, i, k;

	while (cap < 2 * (size_t)d->n + 2)
		cap *= 2;
	L->ikey = xcalloc(cap, sizeof(*L->ikey));
	L->ival = xcalloc(cap, sizeof(*L->ival));
	L->ini_cap = cap;
	for (i = 0; i < (size_t)d->size; i++) {
		if (d->key[i] == NULL)
			continue;
		for (k = loader_hash(d->key[i]) & (cap - 1); L->ikey[k] != NULL;
		    k = (k + 1) & (cap - 1))
			;
		L->ikey[k] = d->key[i];
		L->ival[k] = d->val[i];
	}
}

/* iniparser_getstring(L->ini, key, NULL), through the index. */
static const char *
ini_get(struct loader *L, const char *key)
{
	char	lc[INI_KEY_MAX + 1];
	size_t	i, k;

	for (i = 0; key[i] != '\0' && i < INI_KEY_MAX; i++)
		lc[i] = (char)tolower((unsigned char)key[i]);
	if (key[i] != '\0')
		return iniparser_getstring(L->ini, key, NULL);
	lc[i] = '\0';
	if (L->ikey == NULL)
		ini_index(L);
	for (k = loader_hash(lc) & (L->ini_cap - 1); L->ikey[k] != NULL;
	    k = (k + 1) & (L->ini_cap - 1))
		if (strcmp(L->ikey[k], lc) == 0)
			return L->ival[k];
	return NULL;
}

struct config_member *
loader_member(struct loader *L, const char *id)
{
	const struct config	*cfg = L->cfg;
	size_t			 cap = 16, i, k;

	if (L->midx == NULL) {
		while (cap < 2 * cfg->nmembers + 2)
			cap *= 2;
		L->midx = xcalloc(cap, sizeof(*L->midx));
		L->mcap = cap;
		for (i = 0; i < cfg->nmembers; i++) {
			if (cfg->members[i].id == NULL)
				continue;
			for (k = loader_hash(cfg->members[i].id) & (cap - 1);
			    L->midx[k] != 0 && strcmp(cfg->members[L->midx[k] -
			    1].id, cfg->members[i].id) != 0;
			    k = (k + 1) & (cap - 1))
				;
			if (L->midx[k] == 0)	/* the first of a twice-used id */
				L->midx[k] = i + 1;
		}
	}
	for (k = loader_hash(id) & (L->mcap - 1); L->midx[k] != 0;
	    k = (k + 1) & (L->mcap - 1))
		if (strcmp(cfg->members[L->midx[k] - 1].id, id) == 0)
			return &cfg->members[L->midx[k] - 1];
	return NULL;
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
		raw = ini_get(L, lookup);
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

/* The defaults of a section's keys (config_int.h), before its keys. */
static void
apply_defaults(struct loader *L, enum sec_kind kind, const char *label,
    int line, void *obj)
{
	const struct key_def	*d;
	struct item		 it;

	for (d = sec_kinds[kind].keys; d->name; d++) {
		if (d->dflt == NULL)
			continue;
		it.label = label;
		it.key = d->name;
		it.value = d->dflt;
		it.line = line;
		d->fn(L, obj, &it);
	}
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

	sec = find_kind(L, SEC_WORKER);
	apply_defaults(L, SEC_WORKER, "[worker]", sec ? sec->line : 0, w);
	if (sec != NULL) {
		w->line = sec->line;
		parse_section(L, sec, w);
	}
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

	sec = find_kind(L, SEC_SMTP);
	apply_defaults(L, SEC_SMTP, label, sec ? sec->line : 0, s);
	if (sec != NULL) {
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
	if (m->clock == 0)
		m->clock = L->cfg->worker.clock;
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
	c->clock = L->cfg->worker.clock;
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
	if (c->recorder != NULL && scan_key_line(sec, "members") != 0 &&
	    !config_community_has_member(c, c->recorder))
		fail_at(L, scan_key_line(sec, "recorder"), "%s recorder: "
		    "'%s' is in neither members nor optional", sec->label,
		    c->recorder->id);
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
				apply_defaults(L, SEC_COMMUNITY, sec->label,
				    sec->line, &x);
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

	free(L->ikey);
	free(L->ival);
	free(L->midx);
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

static const struct config_secret *
config_secret_missing(const struct config *cfg)
{
	size_t	i;

	if (cfg->worker.secret.unavailable)
		return &cfg->worker.secret;
	if (cfg->smtp.password.unavailable)
		return &cfg->smtp.password;
	for (i = 0; i < cfg->nchannels; i++)
		if (cfg->channels[i].url.unavailable)
			return &cfg->channels[i].url;
	return NULL;
}

const char *
config_secret_unavailable(const struct config *cfg)
{
	const struct config_secret	*s = config_secret_missing(cfg);

	return s != NULL ? s->source : NULL;
}

const char *
config_secret_why(const struct config *cfg)
{
	const struct config_secret	*s = config_secret_missing(cfg);

	return s != NULL ? s->why : NULL;
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
	free(c->notes_url);
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
