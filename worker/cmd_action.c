/* cmd_action: action add, list, done, reopen, edit, show.
 *
 * The facilitator's side of action items.  Everything a command is given is
 * checked against the config before the store is touched, so that a refused
 * command (exit 65, or 64 for a malformed command line) leaves the database
 * as it was.  A change is recorded with the command line's user as its
 * actor, then every feed is written again so that the owner's and the
 * community's calendars show it without waiting for the worker's next cycle.
 */
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "civil.h"
#include "cmd.h"
#include "ledger.h"
#include "publish.h"
#include "store.h"
#include "text.h"
#include "tz.h"
#include "xmalloc.h"

/* Long enough for any real title or note, short enough for a subject line
 * and a calendar's summary. */
#define ACTION_TITLE_MAX	500
#define ACTION_NOTES_MAX	4000

/* Which options a subcommand takes. */
enum {
	OPT_OWNER = 1 << 0, OPT_DUE = 1 << 1, OPT_TITLE = 1 << 2,
	OPT_NOTES = 1 << 3, OPT_NOTE = 1 << 4, OPT_COMMUNITY = 1 << 5,
	OPT_FILTER = 1 << 6, OPT_JSON = 1 << 7, OPT_NOW = 1 << 8,
	OPT_MEETING = 1 << 9,
};

/* The state filter of `action list`. */
enum action_show { SHOW_ALL, SHOW_OPEN, SHOW_DONE, SHOW_OVERDUE };

struct action_args {
	const char	*owner, *due, *title, *notes, *note, *community;
	const char	*meeting;	/* add --meeting DATE (branch report) */
	enum action_show show;
	time_t		 now;
	unsigned	 given;		/* OPT_* seen */
	int		 nfilter;
};

struct action_sub {
	const char	*name;
	unsigned	 allowed;
	int		 nargs;		/* positional arguments after the name */
	const char	*usage;
};

static const struct action_sub action_subs[] = {
	{ "add", OPT_OWNER | OPT_DUE | OPT_TITLE | OPT_NOTES | OPT_NOW |
	    OPT_MEETING, 1,
	    "action add COMMUNITY --owner MEMBER --due DATE --title TEXT "
	    "[--notes TEXT] [--meeting DATE] [--now TIME]" },
	{ "list", OPT_COMMUNITY | OPT_OWNER | OPT_FILTER | OPT_JSON | OPT_NOW,
	    0, "action list [--community ID] [--owner MEMBER] "
	    "[--open | --done | --overdue] [--json] [--now TIME]" },
	{ "done", OPT_NOTE | OPT_NOW, 1,
	    "action done N [--note TEXT] [--now TIME]" },
	{ "reopen", OPT_NOTE | OPT_NOW, 1,
	    "action reopen N [--note TEXT] [--now TIME]" },
	{ "edit", OPT_DUE | OPT_OWNER | OPT_TITLE | OPT_NOW, 1,
	    "action edit N [--due DATE] [--owner MEMBER] [--title TEXT] "
	    "[--now TIME]" },
	{ "show", OPT_JSON | OPT_NOW, 1, "action show N [--json] [--now TIME]" },
};
#define ACTION_NSUBS	(sizeof(action_subs) / sizeof(action_subs[0]))

/* The name of the lowest option among bits. */
static const char *
action_option_name(unsigned bits)
{
	static const char *const names[] = { "--owner", "--due", "--title",
	    "--notes", "--note", "--community", "--open/--done/--overdue",
	    "--json", "--now", "--meeting" };
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bits & 1u << i)
			return names[i];
	return "that option";
}

static void
action_usage(FILE *f)
{
	size_t	i;

	for (i = 0; i < ACTION_NSUBS; i++)
		fprintf(f, "%s plc-cadence [-c FILE] %s\n",
		    i == 0 ? "usage:" : "      ", action_subs[i].usage);
}

/*
 * Check item text from the command line (untrusted: it reaches feeds,
 * e-mail subjects, chat posts and terminals): text_check's rule (valid
 * UTF-8; no control character, line separator or bidi override), at most
 * max bytes; with required, something other than spaces.  *out is a copy
 * without leading and trailing spaces (NULL for an empty optional text).
 * Returns 0, or -1 after saying why.
 */
static int
action_text(const char *what, const char *s, size_t max, bool required,
    char **out)
{
	struct text_bad	 bad;
	char		 desc[TEXT_DESC_LEN];
	size_t		 len;

	*out = NULL;
	switch (text_check(s, &bad)) {
	case TEXT_BAD_UTF8:
		fprintf(stderr, "plc-cadence: action: %s: not valid UTF-8 "
		    "(at byte %zu)\n", what, bad.offset + 1);
		return -1;
	case TEXT_REFUSED:
		fprintf(stderr, "plc-cadence: action: %s: %s is not allowed\n",
		    what, text_describe(bad.cp, desc));
		return -1;
	case TEXT_OK:
		break;
	}
	while (*s == ' ')
		s++;
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len == 0) {
		if (!required)
			return 0;
		fprintf(stderr, "plc-cadence: action: the %s %s empty\n", what,
		    strcmp(what, "notes") == 0 ? "are" : "is");
		return -1;
	}
	if (len > max) {
		fprintf(stderr, "plc-cadence: action: the %s %s %zu bytes "
		    "long; at most %zu are allowed\n", what,
		    strcmp(what, "notes") == 0 ? "are" : "is", len, max);
		return -1;
	}
	*out = xstrndup(s, len);
	return 0;
}

/* Say why a command is refused: before, then arg (untrusted, shown
 * cleaned of control characters), then after. */
static void
action_refuse(const char *before, const char *arg, const char *after)
{
	fprintf(stderr, "plc-cadence: action: %s", before);
	cmd_print_clean(stderr, arg);
	fprintf(stderr, "%s\n", after);
}

/* The zone of an item's community; the worker's for a community the config
 * no longer has. */
static const struct tz *
action_zone(const struct config *cfg, const char *community)
{
	const struct config_community	*c;

	c = config_community_find(cfg, community);
	return c != NULL ? c->tz : cfg->worker.tz;
}

static struct civil_date
action_today(const struct tz *tz, time_t now)
{
	struct civil_date	d;
	struct civil_time	t;

	tz_from_utc(tz, now, &d, &t);
	return d;
}

/* Open and due before today in its community's zone. */
static bool
action_overdue(const struct config *cfg, const struct store_action *a,
    time_t now)
{
	return a->status == STORE_ACTION_OPEN && civil_date_cmp(a->due,
	    action_today(action_zone(cfg, a->community), now)) < 0;
}

/* A due date: an ISO date, today or later in the community's zone. */
static int
action_due(const struct config_community *c, const char *arg, time_t now,
    struct civil_date *out)
{
	struct civil_date	today;
	char			db[CIVIL_DATE_LEN];

	if (civil_date_parse(arg, out) == -1) {
		action_refuse("due date '", arg,
		    "': expected a date like 2026-12-01");
		return -1;
	}
	if (!civil_date_usable(*out)) {
		fprintf(stderr, "plc-cadence: action: due date %s is out of "
		    "range: the years %d to %d only\n", arg, CIVIL_USE_YEAR_MIN,
		    CIVIL_USE_YEAR_MAX);
		return -1;
	}
	today = action_today(c->tz, now);
	if (civil_date_cmp(*out, today) < 0) {
		fprintf(stderr, "plc-cadence: action: due date %s is in the "
		    "past (today is %s in %s)\n", arg,
		    civil_date_format(today, db), tz_name(c->tz));
		return -1;
	}
	return 0;
}

/* A member of the config; with c, also of community c (required or
 * optional).  NULL after saying why not. */
static const struct config_member *
action_member(const struct config *cfg, const struct config_community *c,
    const char *id)
{
	const struct config_member	*m;

	if ((m = config_member_find(cfg, id)) == NULL) {
		action_refuse("unknown member '", id, "'");
		return NULL;
	}
	if (c != NULL && !config_community_has_member(c, m)) {
		fprintf(stderr, "plc-cadence: action: %s is not a member of "
		    "%s\n", m->id, c->id);
		return NULL;
	}
	return m;
}

static const struct config_community *
action_community(const struct config *cfg, const char *id)
{
	const struct config_community	*c;

	if ((c = config_community_find(cfg, id)) == NULL)
		action_refuse("unknown community '", id, "'");
	return c;
}

/*
 * Who runs the command, for the history: the login name of the real user
 * id, as the password database has it; $USER when it has none (a container
 * with an unnamed uid); "uid N" otherwise.  Not a security boundary: anyone
 * who can run this can write the database.  "link" is what a web click
 * records instead.
 */
static char *
action_actor(void)
{
	struct passwd	*pw;
	const char	*u;
	char		*copy = NULL;

	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name[0] != '\0')
		u = pw->pw_name;
	else
		u = getenv("USER");
	if (u != NULL && *u != '\0' && strlen(u) <= 64 &&
	    strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-@$") == strlen(u))
		copy = xstrdup(u);
	return copy != NULL ? copy :
	    xasprintf("uid %lu", (unsigned long)getuid());
}

/* An item number: decimal digits only, 1 or more. */
static int
action_number(const char *arg, int64_t *id)
{
	char		*end;
	long long	 v;

	v = strtoll(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || v <= 0) {
		action_refuse("'", arg, "' is not an item number");
		return -1;
	}
	*id = (int64_t)v;
	return 0;
}

static int
action_store_error(char *err)
{
	fprintf(stderr, "plc-cadence: %s\n", err);
	free(err);
	/* Most often a database busy beyond the timeout: worth a retry. */
	return EX_TEMPFAIL;
}

static int
action_no_item(int64_t id)
{
	fprintf(stderr, "plc-cadence: action: no item %lld\n", (long long)id);
	return EX_DATAERR;
}

/* Item id, or EX_DATAERR after saying there is none. */
static int
action_get(struct store *st, int64_t id, struct store_action *a)
{
	char	*err = NULL;
	bool	 found;

	if (store_action_get(st, id, &found, a, &err) == -1)
		return action_store_error(err);
	return found ? EX_OK : action_no_item(id);
}

/*
 * After a change: write every feed again, so the calendars show it now
 * rather than at the worker's next cycle (which notices the change too).
 * The change itself is done, so a failure here is a warning, not an error.
 */
static void
action_publish(const struct config *cfg, struct store *st, time_t now)
{
	struct publish_result	 res;
	char			*err = NULL;
	bool			 store_failed;

	/* What the command says comes before any warning from here. */
	fflush(stdout);
	if (publish_run(cfg, cfg->worker.state_dir, st, now, false, &res,
	    &store_failed, &err) == -1) {
		fprintf(stderr, "plc-cadence: warning: the feeds were not "
		    "written (%s); the worker writes them on its next cycle\n",
		    err);
		free(err);
		return;
	}
	publish_result_free(&res);
}

/* ---------------------------------------------------------------- output */

static const char *
action_state(const struct config *cfg, const struct store_action *a,
    time_t now)
{
	if (a->status == STORE_ACTION_DONE)
		return "done";
	return action_overdue(cfg, a, now) ? "overdue" : "open";
}

static json_t *
action_json(const struct config *cfg, const struct store_action *a,
    time_t now)
{
	const struct config_member	*m = config_member_find(cfg, a->owner);
	const struct config_community	*c;
	json_t				*o = json_object();
	char				 db[CIVIL_DATE_LEN];

	c = config_community_find(cfg, a->community);
	json_object_set_new(o, "id", json_integer(a->id));
	json_object_set_new(o, "community", cmd_json_str(a->community));
	json_object_set_new(o, "community_name",
	    cmd_json_str(c != NULL ? c->name : NULL));
	json_object_set_new(o, "owner", cmd_json_str(a->owner));
	json_object_set_new(o, "owner_name",
	    cmd_json_str(m != NULL ? m->name : NULL));
	json_object_set_new(o, "title", cmd_json_str(a->title));
	json_object_set_new(o, "notes", cmd_json_str(a->notes));
	json_object_set_new(o, "due",
	    json_string(civil_date_format(a->due, db)));
	json_object_set_new(o, "status", json_string(
	    a->status == STORE_ACTION_DONE ? "done" : "open"));
	json_object_set_new(o, "overdue",
	    json_boolean(action_overdue(cfg, a, now)));
	json_object_set_new(o, "meeting", a->has_meeting ?
	    json_string(civil_date_format(a->meeting, db)) : json_null());
	json_object_set_new(o, "sequence", json_integer(a->sequence));
	json_object_set_new(o, "created", cmd_json_time(a->created));
	json_object_set_new(o, "changed", cmd_json_time(a->changed));
	return o;
}

static int
action_dump(json_t *j)
{
	int	rc = EX_OK;

	if (json_dumpf(j, stdout, JSON_INDENT(2)) == -1)
		rc = EX_IOERR;
	putchar('\n');
	json_decref(j);
	return rc;
}

static void
action_print_row(const struct config *cfg, const struct store_action *a,
    time_t now)
{
	char	db[CIVIL_DATE_LEN];

	printf("%-4lld  %s  %-7s  ", (long long)a->id,
	    civil_date_format(a->due, db), action_state(cfg, a, now));
	cmd_print_clean(stdout, a->community);
	putchar(' ');
	cmd_print_clean(stdout, a->owner);
	printf("  ");
	cmd_print_clean(stdout, a->title);
	putchar('\n');
}

/* ----------------------------------------------------------- subcommands */

static int
action_add(const struct config *cfg, const char *cid,
    const struct action_args *o)
{
	const struct config_community	*c;
	const struct config_member	*m;
	struct civil_date		 due, md;
	struct store			*st = NULL;
	char				*title = NULL, *notes = NULL;
	char				*actor = NULL, *err = NULL;
	int64_t				 id;
	bool				 found = false;
	int				 rc = EX_DATAERR;

	if (o->owner == NULL || o->due == NULL || o->title == NULL) {
		fprintf(stderr, "plc-cadence: action add: --owner, --due and "
		    "--title are required\n");
		return EX_USAGE;
	}
	if ((c = action_community(cfg, cid)) == NULL ||
	    (m = action_member(cfg, c, o->owner)) == NULL ||
	    action_due(c, o->due, o->now, &due) == -1 ||
	    action_text("title", o->title, ACTION_TITLE_MAX, true,
	    &title) == -1 ||
	    (o->notes != NULL && action_text("notes", o->notes,
	    ACTION_NOTES_MAX, false, &notes) == -1))
		goto out;
	if (o->meeting != NULL && civil_date_parse(o->meeting, &md) == -1) {
		action_refuse("--meeting: '", o->meeting, "' is not a date "
		    "(YYYY-MM-DD)");
		goto out;
	}
	if ((rc = cmd_open_store(cfg, &st)) != EX_OK)
		goto out;
	rc = EX_DATAERR;
	/* The item names the meeting by its series date, as the outbox and
	 * the attendance do: a moved meeting is found by either date. */
	if (o->meeting != NULL) {
		if (ledger_meeting_date(st, c, md, &md, &found, &err) == -1) {
			rc = action_store_error(err);
			goto out;
		}
		if (!found) {
			action_refuse("--meeting: ", o->meeting, " is not a "
			    "meeting of the community");
			goto out;
		}
	}
	actor = action_actor();
	if (store_action_add_meeting(st, c->id, m->id, title, notes, due,
	    o->meeting != NULL ? &md : NULL, o->now, actor, &id,
	    &err) == -1) {
		rc = action_store_error(err);
		goto out;
	}
	printf("%lld\n", (long long)id);
	action_publish(cfg, st, o->now);
	rc = EX_OK;
out:
	store_close(st);
	free(title);
	free(notes);
	free(actor);
	return rc;
}

static int
action_list(const struct config *cfg, const struct action_args *o,
    bool json)
{
	struct store_action_filter	 f = { NULL, NULL, -1 };
	struct store_action		*v = NULL;
	struct store			*st = NULL;
	char				*err = NULL;
	json_t				*a;
	size_t				 i, n = 0, shown = 0;
	int				 rc = EX_DATAERR;

	if (o->community != NULL) {
		if (action_community(cfg, o->community) == NULL)
			goto out;
		f.community = o->community;
	}
	if (o->owner != NULL) {
		if (action_member(cfg, NULL, o->owner) == NULL)
			goto out;
		f.owner = o->owner;
	}
	if (o->show == SHOW_DONE)
		f.status = STORE_ACTION_DONE;
	else if (o->show != SHOW_ALL)
		f.status = STORE_ACTION_OPEN;
	if ((rc = cmd_open_store(cfg, &st)) != EX_OK)
		goto out;
	if (store_action_list(st, &f, &v, &n, &err) == -1) {
		rc = action_store_error(err);
		goto out;
	}
	a = json_array();
	for (i = 0; i < n; i++) {
		if (o->show == SHOW_OVERDUE && !action_overdue(cfg, &v[i],
		    o->now))
			continue;
		shown++;
		if (json)
			json_array_append_new(a, action_json(cfg, &v[i],
			    o->now));
		else
			action_print_row(cfg, &v[i], o->now);
	}
	if (json)
		rc = action_dump(a);
	else {
		json_decref(a);
		if (shown == 0)
			printf("(no items)\n");
		rc = EX_OK;
	}
out:
	store_action_list_free(v, n);
	store_close(st);
	return rc;
}

static int
action_status(const struct config *cfg, int64_t id,
    enum store_action_status to, const struct action_args *o)
{
	struct store	*st = NULL;
	char		*note = NULL, *actor = NULL, *err = NULL;
	bool		 found, changed;
	int		 rc = EX_DATAERR;

	if (o->note != NULL && action_text("note", o->note, ACTION_NOTES_MAX,
	    false, &note) == -1)
		goto out;
	if ((rc = cmd_open_store(cfg, &st)) != EX_OK)
		goto out;
	actor = action_actor();
	if (store_action_set_status(st, id, to, note, o->now, actor, &found,
	    &changed, &err) == -1) {
		rc = action_store_error(err);
		goto out;
	}
	if (!found) {
		rc = action_no_item(id);
		goto out;
	}
	if (!changed)
		printf("item %lld is already %s\n", (long long)id,
		    to == STORE_ACTION_DONE ? "done" : "open");
	else {
		printf("item %lld is %s\n", (long long)id,
		    to == STORE_ACTION_DONE ? "done" : "open again");
		action_publish(cfg, st, o->now);
	}
	rc = EX_OK;
out:
	store_close(st);
	free(note);
	free(actor);
	return rc;
}

static int
action_edit(const struct config *cfg, int64_t id, const struct action_args *o)
{
	const struct config_community	*c;
	const struct config_member	*m = NULL;
	struct store_action		 a, after;
	struct civil_date		 due;
	struct store			*st = NULL;
	char				*title = NULL, *actor = NULL;
	char				*err = NULL;
	bool				 found;
	int				 rc;

	memset(&a, 0, sizeof(a));
	memset(&after, 0, sizeof(after));
	if (o->due == NULL && o->owner == NULL && o->title == NULL) {
		fprintf(stderr, "plc-cadence: action edit: give --due, --owner "
		    "or --title\n");
		return EX_USAGE;
	}
	/* The item first: its community decides which owners and dates are
	 * acceptable.  Reading changes nothing. */
	if ((rc = cmd_open_store(cfg, &st)) != EX_OK ||
	    (rc = action_get(st, id, &a)) != EX_OK)
		goto out;
	rc = EX_DATAERR;
	if ((c = config_community_find(cfg, a.community)) == NULL) {
		action_refuse("the item's community '", a.community,
		    "' is no longer in the config");
		goto out;
	}
	if ((o->owner != NULL && (m = action_member(cfg, c, o->owner)) ==
	    NULL) ||
	    (o->due != NULL && action_due(c, o->due, o->now, &due) == -1) ||
	    (o->title != NULL && action_text("title", o->title,
	    ACTION_TITLE_MAX, true, &title) == -1))
		goto out;
	actor = action_actor();
	if (store_action_edit(st, id, o->due != NULL ? &due : NULL,
	    m != NULL ? m->id : NULL, title, o->now, actor, &found,
	    &err) == -1) {
		rc = action_store_error(err);
		goto out;
	}
	if ((rc = action_get(st, id, &after)) != EX_OK)
		goto out;
	if (after.changed == a.changed && after.sequence == a.sequence &&
	    strcmp(after.owner, a.owner) == 0 &&
	    strcmp(after.title, a.title) == 0 &&
	    civil_date_cmp(after.due, a.due) == 0)
		printf("item %lld is unchanged\n", (long long)id);
	else {
		printf("item %lld changed\n", (long long)id);
		action_publish(cfg, st, o->now);
	}
out:
	store_action_free(&a);
	store_action_free(&after);
	store_close(st);
	free(title);
	free(actor);
	return rc;
}

static int
action_show(const struct config *cfg, int64_t id, const struct action_args *o,
    bool json)
{
	const struct config_community	*c;
	const struct config_member	*m;
	const struct tz			*tz;
	struct store_action_change	*h = NULL;
	struct store_action		 a;
	struct store			*st = NULL;
	char				*err = NULL;
	char				 ib[CMD_INSTANT_LEN], db[CIVIL_DATE_LEN];
	json_t				*j, *ja;
	size_t				 i, nh = 0;
	int				 rc;

	memset(&a, 0, sizeof(a));
	if ((rc = cmd_open_store(cfg, &st)) != EX_OK ||
	    (rc = action_get(st, id, &a)) != EX_OK)
		goto out;
	if (store_action_history(st, id, &h, &nh, &err) == -1) {
		rc = action_store_error(err);
		goto out;
	}
	if (json) {
		j = action_json(cfg, &a, o->now);
		ja = json_array();
		for (i = 0; i < nh; i++) {
			json_t	*e = json_object();

			json_object_set_new(e, "at", cmd_json_time(h[i].at));
			json_object_set_new(e, "actor",
			    cmd_json_str(h[i].actor));
			json_object_set_new(e, "field",
			    cmd_json_str(h[i].field));
			json_object_set_new(e, "old", cmd_json_str(h[i].old));
			json_object_set_new(e, "new", cmd_json_str(h[i].new));
			json_array_append_new(ja, e);
		}
		json_object_set_new(j, "history", ja);
		rc = action_dump(j);
		goto out;
	}
	c = config_community_find(cfg, a.community);
	m = config_member_find(cfg, a.owner);
	tz = action_zone(cfg, a.community);
	printf("item %lld: ", (long long)a.id);
	cmd_print_clean(stdout, a.title);
	printf("\n  community  ");
	cmd_print_clean(stdout, a.community);
	if (c != NULL)
		printf(" (%s)", c->name);
	printf("\n  owner      ");
	cmd_print_clean(stdout, a.owner);
	if (m != NULL && m->name != NULL)
		printf(" (%s)", m->name);
	printf("\n  due        %s\n  status     %s\n",
	    civil_date_format(a.due, db), action_state(cfg, &a, o->now));
	if (a.notes != NULL) {
		printf("  notes      ");
		cmd_print_clean(stdout, a.notes);
		putchar('\n');
	}
	printf("  created    %s\n", cmd_format_instant(a.created, tz, ib));
	printf("  changed    %s\n", cmd_format_instant(a.changed, tz, ib));
	printf("history:\n");
	for (i = 0; i < nh; i++) {
		printf("  %s  ", cmd_format_instant(h[i].at, tz, ib));
		cmd_print_clean(stdout, h[i].actor);
		printf("  ");
		cmd_print_clean(stdout, h[i].field);
		printf("  ");
		cmd_print_clean(stdout, h[i].old != NULL ? h[i].old : "-");
		printf(" -> ");
		cmd_print_clean(stdout, h[i].new != NULL ? h[i].new : "-");
		putchar('\n');
	}
	rc = EX_OK;
out:
	store_action_history_free(h, nh);
	store_action_free(&a);
	store_close(st);
	return rc;
}

/* ----------------------------------------------------------------- entry */

int
cmd_action(struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "owner", required_argument, NULL, 'o' },
		{ "due", required_argument, NULL, 'd' },
		{ "title", required_argument, NULL, 't' },
		{ "notes", required_argument, NULL, 'N' },
		{ "meeting", required_argument, NULL, 'M' },
		{ "note", required_argument, NULL, 'm' },
		{ "community", required_argument, NULL, 'c' },
		{ "open", no_argument, NULL, 'O' },
		{ "done", no_argument, NULL, 'D' },
		{ "overdue", no_argument, NULL, 'X' },
		{ "json", no_argument, NULL, 'j' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct config	*cfg = ctx->cfg;
	const struct action_sub	*sub = NULL;
	struct action_args	 o;
	const char		*name;
	int64_t			 id = 0;
	bool			 have_now = false;
	size_t			 i;
	int			 ch;

	memset(&o, 0, sizeof(o));
	/* 0, not 1: glibc starts afresh and permutes, so options may come
	 * before or after the subcommand and its arguments. */
	optind = 0;
	while ((ch = getopt_long(ctx->argc, ctx->argv, "h", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'o': o.owner = optarg; o.given |= OPT_OWNER; break;
		case 'd': o.due = optarg; o.given |= OPT_DUE; break;
		case 't': o.title = optarg; o.given |= OPT_TITLE; break;
		case 'N': o.notes = optarg; o.given |= OPT_NOTES; break;
		case 'M': o.meeting = optarg; o.given |= OPT_MEETING; break;
		case 'm': o.note = optarg; o.given |= OPT_NOTE; break;
		case 'c': o.community = optarg; o.given |= OPT_COMMUNITY; break;
		case 'j': o.given |= OPT_JSON; break;
		case 'O':
		case 'D':
		case 'X':
			o.show = ch == 'O' ? SHOW_OPEN : ch == 'D' ? SHOW_DONE :
			    SHOW_OVERDUE;
			o.nfilter++;
			o.given |= OPT_FILTER;
			break;
		case 'n':
			if (cmd_opt_now(optarg, cfg->worker.tz, &o.now) == -1)
				return EX_USAGE;
			have_now = true;
			o.given |= OPT_NOW;
			break;
		case 'h':
			action_usage(stdout);
			return EX_OK;
		default:
			action_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= ctx->argc) {
		action_usage(stderr);
		return EX_USAGE;
	}
	name = ctx->argv[optind];
	for (i = 0; i < ACTION_NSUBS; i++)
		if (strcmp(name, action_subs[i].name) == 0)
			sub = &action_subs[i];
	if (sub == NULL) {
		action_refuse("unknown subcommand '", name,
		    "' (add, list, done, reopen, edit, show)");
		return EX_USAGE;
	}
	if (ctx->argc - optind - 1 != sub->nargs) {
		fprintf(stderr, "usage: plc-cadence %s\n", sub->usage);
		return EX_USAGE;
	}
	if ((o.given & ~sub->allowed) != 0) {
		fprintf(stderr, "plc-cadence: action %s does not take %s\n"
		    "usage: plc-cadence %s\n", sub->name,
		    action_option_name(o.given & ~sub->allowed), sub->usage);
		return EX_USAGE;
	}
	if (o.nfilter > 1) {
		fprintf(stderr, "plc-cadence: action list: --open, --done and "
		    "--overdue exclude each other\n");
		return EX_USAGE;
	}
	if (!have_now)
		o.now = cmd_now(NULL);

	if (strcmp(sub->name, "add") == 0)
		return action_add(cfg, ctx->argv[optind + 1], &o);
	if (strcmp(sub->name, "list") == 0)
		return action_list(cfg, &o, (o.given & OPT_JSON) != 0);
	if (action_number(ctx->argv[optind + 1], &id) == -1)
		return EX_DATAERR;
	if (strcmp(sub->name, "done") == 0)
		return action_status(cfg, id, STORE_ACTION_DONE, &o);
	if (strcmp(sub->name, "reopen") == 0)
		return action_status(cfg, id, STORE_ACTION_OPEN, &o);
	if (strcmp(sub->name, "edit") == 0)
		return action_edit(cfg, id, &o);
	return action_show(cfg, id, &o, (o.given & OPT_JSON) != 0);
}
