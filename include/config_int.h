/* config_int: what config.c, config_key.c, config_scan.c and config_value.c
 * share.  Private to those four files: nothing else includes it, and
 * config.h stays the one public header.  The names are the module's own
 * internals, kept short as they were before the split.
 *
 *   config_scan.c   the line scanner (file:line for iniparser's values),
 *                   the notes (errors and warnings by line), string helpers
 *   config_value.c  one value each: times, dates, durations, weekdays,
 *                   lists, paths and URLs, addresses, zones, secrets, rules
 *   config_key.c    the key tables (with their defaults) and one handler
 *                   per key of each section
 *   config.c        sections, cross-checks, load, free and lookups
 */
#ifndef PLC_CONFIG_INT_H
#define PLC_CONFIG_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <iniparser.h>

#include "config.h"

/* iniparser reads lines into a 1024-byte buffer and refuses longer ones. */
#define MAX_LINE		1000
#define MAX_FILE		(1024 * 1024)
#define MAX_ID			64
#define MAX_SECRET		65536
#define MIN_LINK_SECRET		16
#define DEFAULT_FROM_NAME	"PLC Cadence"
#define DEFAULT_FROM_ADDR	"plc-cadence@localhost"

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
	/* iniparser finds a key, and config_member_find a member, by walking
	 * every entry: in a district's config (tens of thousands of keys,
	 * thousands of members) that was most of a load.  Open-addressing
	 * indexes instead, built on first use (config.c). */
	const char	**ikey, **ival;	/* ini_cap slots, NULL: empty */
	size_t		  ini_cap;
	size_t		 *midx;		/* member index + 1; 0: empty */
	size_t		  mcap;
};

/* The member with this id (the first, as config_member_find), or NULL. */
struct config_member *loader_member(struct loader *L, const char *id);

/* A key's value, ready for its parser. */
struct item {
	const char	*label;
	const char	*key;
	const char	*value;	/* trimmed, one line of valid UTF-8 */
	int		 line;
};

/* ------------------------------------------------------ config_scan.c */

char	*vformat(const char *fmt, va_list ap)
		    __attribute__((format(printf, 1, 0)));
void	 fail_at(struct loader *L, int line, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void	 warn_at(struct loader *L, int line, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void	 ifail(struct loader *L, const struct item *it,
		    const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void	notes_add(struct notes *ns, int line, char *text);
void	notes_free(struct notes *ns);
char	*notes_join(struct notes *ns, const char *path);
char	*trim(char *s);
void	lowercase(char *s);
void	uppercase(char *s);
char	*xstrdup_trim(const char *s);
bool	has_prefix(const char *s, const char *prefix);
bool	is_ctl(unsigned char c);
bool	id_valid(const char *s);
int	scan_key_line(const struct scan_sec *sec, const char *key);
void	scan_file(struct loader *L, FILE *f);

/* ----------------------------------------------------- config_value.c */

bool	parse_hhmm(const char *s, struct civil_time *out);
int	parse_time(struct loader *L, const struct item *it, const char *s,
	    struct civil_time *out);
int	parse_date(struct loader *L, const struct item *it, const char *s,
	    struct civil_date *out);
int	parse_span(struct loader *L, const struct item *it, const char *s,
	    struct config_span *out);
int	parse_weekday(struct loader *L, const struct item *it, const char *s,
	    int *out);
int	parse_duration(struct loader *L, const struct item *it, const char *s,
	    int64_t *out);
int	parse_time_range(struct loader *L, const struct item *it, const char *s,
	    bool wrap, int *from, int *to);
char	**split_list(struct loader *L, const struct item *it, size_t *n);
void	free_list(char **v, size_t n);
char	*resolve_path(const struct loader *L, const char *p);
bool	is_web_url(const char *s);
bool	url_chars_ok(const char *s);
char	*parse_path_or_url(struct loader *L, const struct item *it, const char *s);
bool	hostport_valid(const char *s, bool need_port);
const struct tz	*parse_zone(struct loader *L, const struct item *it,
	    const char *s);
char	*dup_or_null(const char *s);
void	secret_clear(struct config_secret *s);
int	resolve_secret(struct loader *L, const struct item *it, const char *v,
	    struct config_secret *out);
void	parse_secret(struct loader *L, const struct item *it,
	    struct config_secret *out);
const char	*webhook_url_problem(const char *u);
void	parse_spans(struct loader *L, const struct item *it,
	    struct config_span **v, size_t *n);
void	parse_weekly_list(struct loader *L, const struct item *it,
	    struct config_weekly **v, size_t *n);
char	*parse_rrule(struct loader *L, const struct item *it, const char *text);
int	parse_move(struct loader *L, const struct item *it, char *s,
	    struct config_move *mv);
void	parse_durations(struct loader *L, const struct item *it, int64_t **v,
	    size_t *n);

/* ------------------------------------------------------- config_key.c */

typedef void	key_fn(struct loader *, void *, const struct item *);

/*
 * One key: its handler, and its default, given as text and parsed by the
 * handler before the section's keys are (a written key replaces it), so a
 * default reads exactly like the same value written in the file.  Keys
 * whose default depends on other keys (public_url, smtp's url and from) or
 * that add to a list (window) get theirs in the section's cross-checks.
 */
struct key_def {
	const char	*name;
	key_fn		*fn;
	bool		 required;
	const char	*dflt;		/* NULL: none */
};

/* A section kind: its word, whether it takes an ID, and its keys. */
struct sec_kind_def {
	const char		*word;
	bool			 named;
	const struct key_def	*keys;
};

extern const struct sec_kind_def sec_kinds[SEC_NONE];

/* Parse state of one community: which required values came out valid. */
struct comm_ctx {
	struct config_community	*c;
	bool			 cadence_ok, start_ok, until_ok;
};

#endif
