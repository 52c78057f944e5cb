/* config: the INI file, parsed once into one read-only tree.
 *
 * The only module that includes iniparser.  config_load reads the whole file,
 * checks every value and every reference, and either returns a complete
 * struct config or every error it found, each as "FILE:LINE: message".
 * Everything in the tree is owned by the struct config and freed with it;
 * IDs in cross references are resolved to pointers into the same tree.
 */
#ifndef PLC_CONFIG_H
#define PLC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civil.h"
#include "tz.h"

#define CONFIG_DEFAULT_PATH	"/etc/plc-cadence/plc-cadence.ini"

/* An inclusive range of dates; a single date has from == to. */
struct config_span {
	struct civil_date	from, to;
};

/* Weekly wall-clock intervals: "MO-FR 07:30-16:30, SA 09:00-12:00". */
struct config_weekly {
	uint8_t		days;		/* bit CIVIL_MO..CIVIL_SU */
	int		from, to;	/* seconds since midnight, from < to */
};

/*
 * A secret resolved from one of its forms.  `source` says where it came from
 * ("credential:smtp-password", "literal") and is safe to log; `value` never is.
 */
struct config_secret {
	char	*value;		/* NULL when the key is absent */
	char	*source;
	/* credential:NAME read without $CREDENTIALS_DIRECTORY (a shell,
	 * cron), or env:NAME unset: value is NULL, and only commands that
	 * send need it.  why says which (static text). */
	bool	 unavailable;
	const char *why;
};

enum config_starttls { CONFIG_STARTTLS_REQUIRED, CONFIG_STARTTLS_OPTIONAL,
	CONFIG_STARTTLS_OFF };

enum config_channel_type { CONFIG_CHAN_SLACK, CONFIG_CHAN_TEAMS,
	CONFIG_CHAN_MATTERMOST, CONFIG_CHAN_DISCORD, CONFIG_CHAN_GOOGLECHAT,
	CONFIG_CHAN_GENERIC };

enum config_cadence { CONFIG_CADENCE_WEEKLY, CONFIG_CADENCE_BIWEEKLY,
	CONFIG_CADENCE_MONTHLY, CONFIG_CADENCE_RRULE };

struct config_worker {
	char			*state_dir;	/* default /var/lib/plc-cadence */
	const struct tz		*tz;		/* default UTC */
	char			*listen;	/* "127.0.0.1:8080"; NULL = off */
	char			*public_url;	/* no trailing slash */
	bool			 public_url_set; /* in the file, not from listen */
	int64_t			 horizon;	/* seconds; default 180d */
	/* A destination failing this long (seconds; default 6h): the
	 * facilitators it serves are told, /healthz says degraded. */
	int64_t			 alert_after;
	bool			 has_quiet;
	int			 quiet_from, quiet_to; /* secs since midnight */
	struct config_secret	 secret;	/* link HMAC key; optional */
	int			 log_level;	/* LOG_ERR..LOG_DEBUG; default info */
	int			 clock;		/* 12 or 24 ("clock = 12h"):
						 * how messages write times;
						 * default 24 */
	int			 line;
};

struct config_smtp {
	char			*url;		/* NULL: maildir:<state_dir>/mail */
	enum config_starttls	 starttls;
	char			*from;		/* "Name <addr>" */
	char			*from_name;	/* display name, or NULL */
	char			*from_addr;	/* validated addr-spec */
	char			*username;
	struct config_secret	 password;
	char			*ca_file;	/* extra CA bundle, or NULL */
	int			 line;
};

struct config_channel {
	char			*id;
	enum config_channel_type type;
	struct config_secret	 url;	/* https://… or file:/path.jsonl */
	/* "rate = 5/2s": at most rate_posts posts in any rate_window_ms.
	 * 0: the service's published rate (see webhook.h). */
	int			 rate_posts;
	int64_t			 rate_window_ms;
	int			 line;
};

struct config_calendar {
	char			*id;
	struct config_span	*skip;
	size_t			 nskip;
	char			*source;	/* path or URL; NULL if none */
	/* The line of source, whose all-day events are skipped too
	 * (ical_read_holidays adds a file's to skip, busy_holidays a URL's);
	 * 0 for none. */
	int			 source_line;
	int			 line;
};

struct config_member;

/* A member's handle on one chat channel. */
struct config_chat {
	struct config_channel	*channel;
	char			*handle;
};

/* Where personal messages go: e-mail, or a chat channel. */
struct config_notify {
	bool			 email;
	struct config_channel	*channel;	/* when !email */
};

struct config_member {
	char			*id;
	char			*name;
	char			*email;		/* validated addr-spec, or NULL */
	const struct tz		*tz;		/* default: worker's */
	struct config_weekly	*available;	/* NULL, 0: the whole window */
	size_t			 navailable;
	char			**busy;		/* paths and URLs */
	size_t			 nbusy;
	struct config_span	*away;
	size_t			 naway;
	struct config_chat	*chat;
	size_t			 nchat;
	struct config_notify	*notify;	/* default: email */
	size_t			 nnotify;
	int			 clock;		/* 12 or 24; default the
						 * worker's */
	int			 line;
};

/* "move = 2026-11-24 -> 2026-11-25 16:00": one meeting moved. */
struct config_move {
	struct civil_date	 from;
	struct civil_date	 to;
	bool			 has_time;
	struct civil_time	 at;		/* when has_time */
};

struct config_community {
	char			*id;
	char			*name;
	struct config_member	*facilitator;
	struct config_member	**members;
	size_t			 nmembers;
	struct config_member	**optional;
	size_t			 noptional;
	enum config_cadence	 cadence;
	char			*rrule;		/* CONFIG_CADENCE_RRULE only */
	int			 day;		/* CIVIL_MO..SU, -1 = auto */
	int			 week;		/* monthly: 1..4, -1 = last */
	bool			 time_auto;
	struct civil_time	 time;
	int64_t			 duration;	/* seconds; default 45m */
	struct config_weekly	*window;	/* default MO-FR 07:00-18:00 */
	size_t			 nwindow;
	double			 min_attendance; /* default 0.75 */
	bool			 has_min_attendance; /* written in the file */
	/* The quorum watch (issue 16): share of the required members that
	 * must be able to come (meeting_quorum_share gives the default),
	 * checked quorum_check seconds before each meeting. */
	bool			 has_quorum;
	double			 quorum;
	int64_t			 quorum_check;	/* default 48h */
	struct civil_date	 start;
	bool			 has_until;
	struct civil_date	 until;		/* inclusive */
	struct config_calendar	**skip_calendars;
	size_t			 nskip_calendars;
	struct config_span	*skip;
	size_t			 nskip;
	struct config_move	*moves;
	size_t			 nmoves;
	struct civil_date	*cancels;
	size_t			 ncancels;
	/* The lines of the move and cancel keys (0: none), for the checks
	 * against the series that config_load cannot make (cadence_lint). */
	int			 move_line, cancel_line;
	/* The config's own moves and cancels are the first nmoves_config
	 * and ncancels_config; the database's one-off changes follow them
	 * once schedule_apply has run (overlaid true). */
	bool			 overlaid;
	size_t			 nmoves_config, ncancels_config;
	char			*location, *url, *description;
	int64_t			*remind;	/* lead times, seconds */
	size_t			 nremind;
	int64_t			*action_remind;
	size_t			 naction_remind;
	bool			 has_escalate;
	int64_t			 escalate;
	bool			 has_digest;
	int			 digest_day;
	struct civil_time	 digest_time;
	struct config_channel	**notify;
	size_t			 nnotify;
	const struct tz		*tz;		/* "timezone" key, default worker's */
	int			 clock;		/* 12 or 24: the worker's, for
						 * the community's posts */
	/* The meeting cycle's prompts and report (branch report). */
	bool			 has_agenda_due, has_minutes_due;
	int64_t			 agenda_due;	/* before a meeting, seconds */
	int64_t			 minutes_due;	/* after a meeting, seconds */
	struct config_member	*recorder;	/* NULL: the facilitator */
	char			*notes_url;	/* "https://…/{date}", or NULL */
	bool			 has_report;
	int			 report_mday;	/* 1..28 */
	struct civil_time	 report_time;
	int			 line;
};

/* NOTES_URL_DATE in notes_url is replaced by a meeting's ISO date. */
#define CONFIG_NOTES_DATE	"{date}"

struct config {
	char			*path;
	struct config_worker	 worker;
	struct config_smtp	 smtp;
	struct config_channel	*channels;
	size_t			 nchannels;
	struct config_calendar	*calendars;
	size_t			 ncalendars;
	struct config_member	*members;
	size_t			 nmembers;
	struct config_community	*communities;
	size_t			 ncommunities;
};

/*
 * Read and validate the file at path.  Secrets are resolved (file:, env:,
 * credential: from $CREDENTIALS_DIRECTORY) while loading.
 *
 * On success returns 0 and *out (caller frees with config_free); *warnings is
 * NULL or an allocated string of "FILE:LINE: warning: …" lines (e.g. for a
 * literal secret) that the caller prints and frees.  On failure returns -1,
 * *out is NULL and *errors is an allocated string of every error, one
 * "FILE:LINE: …" per line, that the caller prints and frees.
 * Both strings separate lines with '\n' and have no final newline; lines
 * are sorted by line number ("FILE: …" for the file as a whole comes first),
 * and on failure the warnings are among the errors.  warnings may be NULL.
 * After a successful load smtp.url is never NULL (the maildir default is
 * filled in), nor smtp.from, and every relative path is made absolute
 * against the directory of the config file.
 */
int	config_load(const char *path, struct config **out, char **errors,
	    char **warnings);
void	config_free(struct config *cfg);

/*
 * The source ("credential:NAME") of the first secret that could not be
 * read because $CREDENTIALS_DIRECTORY is not set or its environment
 * variable is not (with a warning from config_load), or NULL.  Commands that
 * send (run, send-test) refuse such a config; the others never use the
 * secrets and work from a shell.
 */
const char	*config_secret_unavailable(const struct config *cfg);
/* Why that secret could not be read ("$CREDENTIALS_DIRECTORY is not set",
 * "the environment variable is not set"), or NULL. */
const char	*config_secret_why(const struct config *cfg);

/* Lookups by ID; NULL when there is none.  The result belongs to cfg. */
struct config_member	*config_member_find(const struct config *cfg,
			    const char *id);
struct config_community	*config_community_find(const struct config *cfg,
			    const char *id);
struct config_channel	*config_channel_find(const struct config *cfg,
			    const char *id);
struct config_calendar	*config_calendar_find(const struct config *cfg,
			    const char *id);

/* "slack", "teams", … */
const char	*config_channel_type_name(enum config_channel_type t);

/* True when m is a member (required or optional) of c. */
bool	config_community_has_member(const struct config_community *c,
	    const struct config_member *m);

#endif
