/* meeting: quorum arithmetic, the one-off changes overlay, link subjects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avail.h"
#include "meeting.h"
#include "slots.h"
#include "tz.h"
#include "xmalloc.h"

double
meeting_quorum_share(const struct config_community *c)
{
	if (c->has_quorum)
		return c->quorum;
	if (c->has_min_attendance)
		return c->min_attendance;
	return MEETING_QUORUM_DEFAULT;
}

size_t
meeting_quorum_needed(size_t required, double share)
{
	double	need = share * (double)required;
	size_t	n;

	if (required == 0)
		return 0;
	n = need <= 0.0 ? 0 : (size_t)need;
	/* Rounded up, with slack: 0.6 * 5 is 3.0000000000000004 in binary. */
	if ((double)n < need - 1e-9)
		n++;
	if (n < 1)
		n = 1;
	return n > required ? required : n;
}

bool
meeting_quorum_ok(size_t required, size_t unavailable, double share)
{
	size_t	can = unavailable >= required ? 0 : required - unavailable;

	return can >= meeting_quorum_needed(required, share);
}

bool
meeting_config_changes(const struct config_community *c, struct civil_date d)
{
	size_t	i, nm = c->overlaid ? c->nmoves_config : c->nmoves;
	size_t	nc = c->overlaid ? c->ncancels_config : c->ncancels;

	for (i = 0; i < nm; i++)
		if (civil_date_cmp(c->moves[i].from, d) == 0)
			return true;
	for (i = 0; i < nc; i++)
		if (civil_date_cmp(c->cancels[i], d) == 0)
			return true;
	return false;
}

static void
meeting_warn(char **w, char *line)
{
	char	*s = xasprintf("%s%s%s", *w != NULL ? *w : "",
		    *w != NULL ? "\n" : "", line);

	free(*w);
	free(line);
	*w = s;
}

size_t
meeting_apply(struct config *cfg, const struct meeting_change *v, size_t n,
    char **warnings)
{
	struct config_community	*c;
	char			 a[CIVIL_DATE_LEN];
	size_t			 i, j, applied = 0;

	*warnings = NULL;
	for (i = 0; i < cfg->ncommunities; i++) {
		c = &cfg->communities[i];
		if (!c->overlaid) {
			c->nmoves_config = c->nmoves;
			c->ncancels_config = c->ncancels;
			c->overlaid = true;
		}
		c->nmoves = c->nmoves_config;
		c->ncancels = c->ncancels_config;
		for (j = 0; j < n; j++) {
			if (strcmp(v[j].community, c->id) != 0)
				continue;
			if (meeting_config_changes(c, v[j].date)) {
				meeting_warn(warnings, xasprintf("[community "
				    "%s] meeting %s: the config's move or "
				    "cancel of that date wins over the %s "
				    "recorded with `meeting`", c->id,
				    civil_date_format(v[j].date, a),
				    v[j].cancel ? "cancel" : "move"));
				continue;
			}
			if (v[j].cancel) {
				c->cancels = xreallocarray(c->cancels,
				    c->ncancels + 1, sizeof(*c->cancels));
				c->cancels[c->ncancels++] = v[j].date;
			} else {
				c->moves = xreallocarray(c->moves,
				    c->nmoves + 1, sizeof(*c->moves));
				c->moves[c->nmoves].from = v[j].date;
				c->moves[c->nmoves].to = v[j].to;
				c->moves[c->nmoves].has_time = v[j].has_time;
				c->moves[c->nmoves].at = v[j].at;
				c->nmoves++;
			}
			applied++;
		}
	}
	return applied;
}

char *
meeting_rsvp_subject(const char *community, struct civil_date date,
    const char *member)
{
	char	a[CIVIL_DATE_LEN];

	return xasprintf("%s.%s.%s", community, civil_date_format(date, a),
	    member);
}

/* The next '.'-separated field of *p (advanced past it), allocated; NULL
 * when empty. */
static char *
meeting_field(const char **p)
{
	size_t	n = strcspn(*p, ".");
	char	*f;

	if (n == 0)
		return NULL;
	f = xstrndup(*p, n);
	*p += n + ((*p)[n] == '.');
	return f;
}

static int
meeting_date_field(const char **p, struct civil_date *d)
{
	char	*f = meeting_field(p);
	int	 rc = f != NULL && civil_date_parse(f, d) == 0 ? 0 : -1;

	free(f);
	return rc;
}

int
meeting_rsvp_parse(const char *subject, char **community,
    struct civil_date *date, char **member)
{
	const char	*p = subject;

	*community = meeting_field(&p);
	*member = NULL;
	if (*community == NULL || meeting_date_field(&p, date) == -1 ||
	    (*member = meeting_field(&p)) == NULL || *p != '\0' ||
	    strchr(subject + strlen(subject) - 1, '.') != NULL) {
		free(*community);
		free(*member);
		*community = *member = NULL;
		return -1;
	}
	return 0;
}

char *
meeting_move_subject(const char *community, struct civil_date date,
    struct civil_date to, struct civil_time at)
{
	char	a[CIVIL_DATE_LEN], b[CIVIL_DATE_LEN];

	return xasprintf("%s.%s.%s.%02d%02d", community,
	    civil_date_format(date, a), civil_date_format(to, b), at.h,
	    at.min);
}

int
meeting_move_parse(const char *subject, char **community,
    struct civil_date *date, struct civil_date *to, struct civil_time *at)
{
	const char	*p = subject;
	char		*hm = NULL;
	int		 rc = -1;

	*community = meeting_field(&p);
	if (*community == NULL || meeting_date_field(&p, date) == -1 ||
	    meeting_date_field(&p, to) == -1 ||
	    (hm = meeting_field(&p)) == NULL || *p != '\0' ||
	    strlen(hm) != 4 || strspn(hm, "0123456789") != 4)
		goto out;
	at->h = (hm[0] - '0') * 10 + (hm[1] - '0');
	at->min = (hm[2] - '0') * 10 + (hm[3] - '0');
	at->s = 0;
	if (at->h > 23 || at->min > 59)
		goto out;
	rc = 0;
out:
	free(hm);
	if (rc == -1) {
		free(*community);
		*community = NULL;
	}
	return rc;
}

long
meeting_alternatives(const struct config_community *c,
    const struct slots_member *members, size_t nmembers, time_t start,
    time_t end, const char *const *cant, size_t ncant, long base, time_t now,
    struct meeting_alt out[MEETING_NALT], char **err)
{
	struct config_community		 week = *c;
	struct slots_input		 in;
	struct slots_member		*mv;
	struct slots_ranking		*r = NULL;
	const struct slots_candidate	*s;
	struct avail			*busy = NULL, **made;
	struct civil_date		 d, monday, date;
	struct civil_time		 t, midnight = { 0, 0, 0 };
	time_t				 at;
	size_t				 i, k;
	long				 n = 0;

	tz_from_utc(c->tz, start, &d, &t);
	monday = civil_date_add(d, -civil_weekday(d));
	/*
	 * The week alone, as a plain weekly series of auto day and time:
	 * every window slot then holds one meeting there (none on a skipped
	 * day), scored by who is free for it.  The series' own moves and
	 * cancels say nothing about other slots.
	 */
	week.cadence = CONFIG_CADENCE_WEEKLY;
	week.rrule = NULL;
	week.day = -1;
	week.time_auto = true;
	week.start = monday;
	week.has_until = true;
	week.until = civil_date_add(monday, 6);
	week.moves = NULL;
	week.nmoves = 0;
	week.cancels = NULL;
	week.ncancels = 0;
	mv = xcalloc(nmembers + 1, sizeof(*mv));
	made = xcalloc(nmembers + 1, sizeof(*made));
	busy = avail_new();
	avail_add(busy, (int64_t)start, (int64_t)end);
	for (i = 0; i < nmembers; i++) {
		mv[i] = members[i];
		for (k = 0; k < ncant; k++)
			if (strcmp(cant[k], members[i].member->id) == 0)
				break;
		if (k < ncant)
			mv[i].free = made[i] = avail_subtract(members[i].free,
			    busy);
	}
	memset(&in, 0, sizeof(in));
	in.community = &week;
	in.members = mv;
	in.nmembers = nmembers;
	in.from = (int64_t)tz_to_utc(c->tz, monday, midnight);
	in.to = (int64_t)tz_to_utc(c->tz, civil_date_add(monday, 7),
	    midnight);
	in.explore = true;
	if (slots_rank(&in, &r, err) == -1) {
		n = -1;
		goto out;
	}
	for (i = 0; i < slots_count(r) && n < MEETING_NALT; i++) {
		s = slots_get(r, i);
		if (s->meetings < 1 || s->day < 0)
			continue;
		date = civil_date_add(monday, s->day);
		at = tz_to_utc(c->tz, date, s->at);
		if (at <= now || at == start ||
		    s->required_free / s->meetings <= base)
			continue;
		out[n].date = date;
		out[n].at = s->at;
		out[n].start = at;
		out[n].required_free = s->required_free / s->meetings;
		out[n].optional_free = s->optional_free / s->meetings;
		n++;
	}
out:
	slots_ranking_free(r);
	avail_free(busy);
	for (i = 0; i < nmembers; i++)
		avail_free(made[i]);
	free(made);
	free(mv);
	return n;
}
