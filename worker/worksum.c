/* worksum: the work section of meeting reminders, digests and `check`. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "tz.h"
#include "worksum.h"
#include "xmalloc.h"

static const char *const worksum_wday[] = { "Mon", "Tue", "Wed", "Thu",
	"Fri", "Sat", "Sun" };
static const char *const worksum_month[] = { "Jan", "Feb", "Mar", "Apr",
	"May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

void
worksum_day(struct civil_date d, char *buf, size_t len)
{
	snprintf(buf, len, "%s %d %s", worksum_wday[civil_weekday(d)], d.d,
	    worksum_month[(d.m - 1) % 12]);
}

/* s cleaned of control characters and cut to at most max bytes on a UTF-8
 * boundary ("…" when cut); allocated, "" for NULL. */
static char *
worksum_text(const char *s, size_t max)
{
	size_t	 n;
	char	*r, *p;

	if (s == NULL)
		return xstrdup("");
	n = strlen(s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		r = xasprintf("%.*s\xe2\x80\xa6", (int)n, s);
	} else
		r = xstrdup(s);
	for (p = r; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return r;
}

/* One entry as the view sees it. */
struct worksum_ent {
	const struct worksum_item	*it;
	bool				 mine;
	int64_t				 late;	/* days, overdue only */
};

static int
worksum_open_cmp(const void *a, const void *b)
{
	const struct worksum_ent	*x = a, *y = b;
	int				 d;

	if (x->mine != y->mine)
		return x->mine ? -1 : 1;
	if ((d = civil_date_cmp(x->it->due, y->it->due)) != 0)
		return d;
	return x->it->id < y->it->id ? -1 : x->it->id > y->it->id;
}

static int
worksum_done_cmp(const void *a, const void *b)
{
	const struct worksum_ent	*x = a, *y = b;

	if (x->mine != y->mine)
		return x->mine ? -1 : 1;
	if (x->it->done_at != y->it->done_at)
		return x->it->done_at < y->it->done_at ? -1 : 1;
	return x->it->id < y->it->id ? -1 : x->it->id > y->it->id;
}

static const char *
worksum_owner(const struct worksum_item *it)
{
	if (it->owner_name != NULL && *it->owner_name != '\0')
		return it->owner_name;
	return it->owner != NULL ? it->owner : "(nobody)";
}

/* "- #12 Title — Owner (yours) — due Fri 30 Oct, 3 days late\n" and its
 * notes line; allocated. */
static char *
worksum_line(const struct worksum_view *v, const struct worksum_ent *e)
{
	char	 db[32], *title, *owner, *notes = NULL, *late, *s;

	title = worksum_text(e->it->title, WORKSUM_TITLE_MAX);
	owner = worksum_text(worksum_owner(e->it), WORKSUM_TITLE_MAX);
	worksum_day(e->it->due, db, sizeof(db));
	late = e->late > 0 ? xasprintf(", %lld day%s late",
	    (long long)e->late, e->late == 1 ? "" : "s") : xstrdup("");
	if (e->mine && v->notes && e->it->notes != NULL &&
	    *e->it->notes != '\0')
		notes = worksum_text(e->it->notes, WORKSUM_NOTES_MAX);
	s = xasprintf("- #%lld %s — %s%s — due %s%s\n%s%s%s",
	    (long long)e->it->id, *title ? title : "(untitled)", owner,
	    e->mine ? " (yours)" : "", db, late, notes ? "    Notes: " : "",
	    notes ? notes : "", notes ? "\n" : "");
	free(title);
	free(owner);
	free(notes);
	free(late);
	return s;
}

/* "Carol Diaz — Book room 204 (#9)"; allocated. */
static char *
worksum_done_entry(const struct worksum_ent *e)
{
	char	*title, *owner, *s;

	title = worksum_text(e->it->title, WORKSUM_TITLE_MAX);
	owner = worksum_text(worksum_owner(e->it), WORKSUM_TITLE_MAX);
	s = xasprintf("%s — %s (#%lld)%s", owner, *title ? title :
	    "(untitled)", (long long)e->it->id, e->mine ? " (yours)" : "");
	free(title);
	free(owner);
	return s;
}

/* Whether adding n more bytes keeps the section within the view's budget,
 * leaving room for the "and N more" line. */
static bool
worksum_fits(const struct worksum_view *v, size_t have, size_t n)
{
	return v->max_bytes == 0 || have + n + 96 +
	    (v->community ? strlen(v->community) : 0) <= v->max_bytes;
}

char *
worksum_render(const struct worksum_item *items, size_t n,
    const struct worksum_view *v)
{
	const struct tz		*ctz = v->ctz != NULL ? v->ctz : tz_find("UTC");
	const struct tz		*rtz = v->rtz != NULL ? v->rtz : ctz;
	struct worksum_ent	*over, *soon, *done;
	struct civil_date	 today, limit, d;
	struct civil_time	 tm;
	struct xbuf		 b = { NULL, 0, 0 };
	size_t			 nover = 0, nsoon = 0, ndone = 0, nopen = 0;
	size_t			 max = v->max_lines > 0 ? v->max_lines :
				    WORKSUM_LINES, shown = 0, i;
	char			 db[32], *s;
	bool			 go;

	over = xcalloc(n + 1, sizeof(*over));
	soon = xcalloc(n + 1, sizeof(*soon));
	done = xcalloc(n + 1, sizeof(*done));
	/* Overdue is the reader's question: is the due day over HERE. */
	tz_from_utc(rtz, v->at, &today, &tm);
	if (v->next != 0)
		tz_from_utc(ctz, v->next, &limit, &tm);
	else
		limit = civil_date_add(today, WORKSUM_NO_MEETING_DAYS);
	for (i = 0; i < n; i++) {
		struct worksum_ent e = { &items[i], v->reader != NULL &&
		    items[i].owner != NULL && strcmp(items[i].owner,
		    v->reader) == 0, 0 };

		if (items[i].done) {
			if (v->last != 0 && items[i].done_at >= v->last)
				done[ndone++] = e;
			continue;
		}
		nopen++;
		if (civil_date_cmp(items[i].due, today) < 0) {
			e.late = civil_date_to_days(today) -
			    civil_date_to_days(items[i].due);
			over[nover++] = e;
		} else if (civil_date_cmp(items[i].due, limit) <= 0)
			soon[nsoon++] = e;
	}
	qsort(over, nover, sizeof(*over), worksum_open_cmp);
	qsort(soon, nsoon, sizeof(*soon), worksum_open_cmp);
	qsort(done, ndone, sizeof(*done), worksum_done_cmp);
	xbuf_add(&b, "", 0);
	for (i = 0; i < nover && shown < max; i++) {
		s = worksum_line(v, &over[i]);
		if (!worksum_fits(v, b.len, strlen(s) + 10)) {
			free(s);
			break;
		}
		if (i == 0)
			xbuf_printf(&b, "Overdue:\n");
		xbuf_printf(&b, "%s", s);
		free(s);
		shown++;
	}
	/* A part is shown only when every entry before it was. */
	go = shown == nover;
	for (i = 0; go && i < nsoon && shown < max; i++) {
		s = worksum_line(v, &soon[i]);
		if (!worksum_fits(v, b.len, strlen(s) + 48)) {
			free(s);
			break;
		}
		if (i == 0) {
			if (v->next != 0) {
				worksum_day(limit, db, sizeof(db));
				xbuf_printf(&b, "Due before the next meeting "
				    "(%s):\n", db);
			} else
				xbuf_printf(&b, "Due in the next %d days:\n",
				    WORKSUM_NO_MEETING_DAYS);
		}
		xbuf_printf(&b, "%s", s);
		free(s);
		shown++;
	}
	/* A cut in the open items leaves the done ones out too: the list
	 * says how many more there are, and where to see them. */
	go = shown == nover + nsoon;
	for (i = 0; go && i < ndone && shown < max; i++) {
		s = worksum_done_entry(&done[i]);
		if (!worksum_fits(v, b.len, strlen(s) + 40)) {
			free(s);
			break;
		}
		if (i == 0) {
			tz_from_utc(rtz, v->last, &d, &tm);
			worksum_day(d, db, sizeof(db));
			xbuf_printf(&b, "Done since %s: ", db);
		}
		xbuf_printf(&b, "%s%s", i > 0 ? "; " : "", s);
		free(s);
		shown++;
	}
	if (b.len > 0 && b.s[b.len - 1] != '\n')
		xbuf_add(&b, "\n", 1);
	if (shown < nover + nsoon + ndone)
		xbuf_printf(&b, "and %zu more: plc-cadence action list "
		    "--community %s\n", nover + nsoon + ndone - shown,
		    v->community != NULL ? v->community : "ID");
	if (nopen == 0)
		xbuf_printf(&b, "No open action items.\n");
	else if (nover + nsoon == 0)
		xbuf_printf(&b, "Nothing overdue or due before the next "
		    "meeting; %zu open item%s due later.\n", nopen,
		    nopen == 1 ? "" : "s");
	if (nover + nsoon > 0 && shown > 0)
		xbuf_printf(&b, "Mark one done: plc-cadence action done "
		    "NUMBER\n");
	free(over);
	free(soon);
	free(done);
	return b.s;
}

void
worksum_around(const time_t *starts, size_t n, time_t at, time_t *last,
    time_t *next)
{
	size_t	i;

	*last = *next = 0;
	for (i = 0; i < n; i++) {
		if (starts[i] < at)
			*last = starts[i];
		else if (*next == 0)
			*next = starts[i];
	}
}
