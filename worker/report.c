/* report: the accountability report's figures and renderings. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "page.h"
#include "plan.h"
#include "report.h"
#include "tz.h"
#include "xmalloc.h"

/* The end of date d in zone tz: midnight that begins the next day. */
static time_t
report_day_end(const struct tz *tz, struct civil_date d)
{
	struct civil_time	midnight = { 0, 0, 0 };

	return tz_to_utc(plan_zone(tz), civil_date_add(d, 1), midnight);
}

static bool
report_in(const struct report_input *in, struct civil_date d)
{
	return civil_date_cmp(d, in->from) >= 0 &&
	    civil_date_cmp(d, in->to) <= 0;
}

static struct report_member *
report_member(struct report *r, const char *id)
{
	size_t	i;

	for (i = 0; id != NULL && i < r->nmembers; i++)
		if (strcmp(r->members[i].id, id) == 0)
			return &r->members[i];
	return NULL;
}

static int
report_dbl_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report_items(const struct report_input *in, struct report *r)
{
	struct report_member	*m;
	const struct report_item *it;
	double			*days;
	size_t			 i, nd = 0;

	days = xcalloc(in->nitems + 1, sizeof(*days));
	for (i = 0; i < in->nitems; i++) {
		it = &in->items[i];
		if (!report_in(in, it->due))
			continue;
		r->items_total++;
		m = report_member(r, it->owner);
		if (m != NULL)
			m->owned++;
		if (it->done) {
			r->done_total++;
			if (m != NULL && it->done_at < report_day_end(in->tz,
			    it->due))
				m->on_time++;
			else if (m != NULL)
				m->late++;
			days[nd++] = (double)(it->done_at - it->created) /
			    (double)CIVIL_DAY;
		} else if (m != NULL && report_day_end(in->tz, it->due) <=
		    in->now)
			m->overdue++;
		else if (m != NULL)
			m->open++;
	}
	if (nd > 0) {
		qsort(days, nd, sizeof(*days), report_dbl_cmp);
		r->has_median = true;
		r->median_days = nd % 2 ? days[nd / 2] :
		    (days[nd / 2 - 1] + days[nd / 2]) / 2;
	}
	free(days);
}

static void
report_meetings(const struct report_input *in, struct report *r)
{
	const struct report_meeting	*mt;
	const struct report_mark	*mk;
	struct report_held		*h;
	struct report_member		*m;
	size_t				 i, j, k;
	long				 present = 0, expected = 0;

	r->helds = xcalloc(in->nmeetings + 1, sizeof(*r->helds));
	for (i = 0; i < in->nmeetings; i++) {
		mt = &in->meetings[i];
		if (!report_in(in, mt->orig))
			continue;
		r->planned++;
		if (mt->cancelled) {
			r->cancelled++;
			continue;
		}
		if (mt->moved)
			r->moved++;
		if (mt->start > in->now)
			continue;
		r->held++;
		h = &r->helds[r->nheld++];
		h->orig = mt->orig;
		h->present = xcalloc(in->npeople + 1, sizeof(*h->present));
		for (j = 0; j < in->npeople; j++) {
			h->present[j] = -1;
			if (in->people[j].required)
				r->members[j].expected++;
		}
		for (k = 0; k < in->nmarks; k++) {
			mk = &in->marks[k];
			if (civil_date_cmp(mk->meeting, mt->orig) != 0)
				continue;
			for (j = 0; j < in->npeople; j++)
				if (strcmp(in->people[j].id, mk->member) == 0)
					break;
			if (j == in->npeople)
				continue;	/* no longer a member */
			h->recorded = true;
			h->present[j] = mk->present ? 1 : 0;
			if (mk->present)
				r->members[j].attended++;
		}
		if (!h->recorded)
			continue;
		for (j = 0; j < in->npeople; j++)
			if (in->people[j].required) {
				expected++;
				present += h->present[j] == 1;
			}
	}
	if (expected > 0) {
		r->has_rate = true;
		r->rate = (double)present / (double)expected;
	}
	for (k = 0; k < in->nrsvps; k++)
		if (report_in(in, in->rsvps[k].meeting) &&
		    (m = report_member(r, in->rsvps[k].member)) != NULL)
			m->rsvps++;
}

/* Items open (created, not done) at evenly spaced instants. */
static void
report_open_line(const struct report_input *in, struct report *r)
{
	struct civil_time	midnight = { 0, 0, 0 };
	time_t			a, b, t;
	size_t			i, k;

	a = tz_to_utc(plan_zone(in->tz), in->from, midnight);
	b = report_day_end(in->tz, in->to);
	if (b > in->now)
		b = in->now;
	if (b <= a)
		return;
	r->npoints = REPORT_POINTS;
	for (k = 0; k < REPORT_POINTS; k++) {
		t = a + (time_t)((double)(b - a) * (double)k /
		    (double)(REPORT_POINTS - 1));
		r->at[k] = t;
		for (i = 0; i < in->nitems; i++)
			if (in->items[i].created <= t && (!in->items[i].done ||
			    in->items[i].done_at > t))
				r->open_at[k]++;
	}
}

void
report_compute(const struct report_input *in, struct report *r)
{
	size_t	i;

	memset(r, 0, sizeof(*r));
	r->in = in;
	r->members = xcalloc(in->npeople + 1, sizeof(*r->members));
	r->nmembers = in->npeople;
	for (i = 0; i < in->npeople; i++) {
		r->members[i].id = in->people[i].id;
		r->members[i].name = in->people[i].name != NULL ?
		    in->people[i].name : in->people[i].id;
		r->members[i].required = in->people[i].required;
	}
	report_items(in, r);
	report_meetings(in, r);
	report_open_line(in, r);
}

void
report_free(struct report *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; r->helds != NULL && i < r->nheld; i++)
		free(r->helds[i].present);
	free(r->helds);
	free(r->members);
	memset(r, 0, sizeof(*r));
}

char *
report_subject(const struct report *r)
{
	char	f[CIVIL_DATE_LEN], t[CIVIL_DATE_LEN];

	return xasprintf("Report: %s, %s to %s", r->in->name,
	    civil_date_format(r->in->from, f), civil_date_format(r->in->to, t));
}

/* "83%" or "n/a"; "4.5" or "n/a". */
static void
report_rate(const struct report *r, char *buf, size_t len)
{
	if (r->has_rate)
		snprintf(buf, len, "%.0f%%", r->rate * 100.0);
	else
		snprintf(buf, len, "n/a");
}

static void
report_median(const struct report *r, char *buf, size_t len)
{
	if (r->has_median)
		snprintf(buf, len, "%.1f", r->median_days);
	else
		snprintf(buf, len, "n/a");
}

char *
report_text(const struct report *r)
{
	struct xbuf		 b = { NULL, 0, 0 };
	const struct report_member *m;
	char			*name, rate[16], med[16], *subj;
	size_t			 i;

	subj = report_subject(r);
	name = plan_clean(subj);
	report_rate(r, rate, sizeof(rate));
	report_median(r, med, sizeof(med));
	xbuf_printf(&b, "%s\n\n", name);
	xbuf_printf(&b, "Meetings: %d planned, %d held, %d moved, "
	    "%d cancelled\nAttendance rate: %s\nMedian days to done: %s\n\n",
	    r->planned, r->held, r->moved, r->cancelled, rate, med);
	xbuf_printf(&b, "%-20s %5s %7s %4s %4s %7s %8s %8s %5s\n", "member",
	    "items", "on time", "late", "open", "overdue", "expected",
	    "attended", "rsvps");
	for (i = 0; i < r->nmembers; i++) {
		char *mn;

		m = &r->members[i];
		mn = plan_clean(m->name);
		xbuf_printf(&b, "%-20.20s %5d %7d %4d %4d %7d %8d %8d %5d\n",
		    mn != NULL ? mn : m->id, m->owned, m->on_time, m->late,
		    m->open, m->overdue, m->expected, m->attended, m->rsvps);
		free(mn);
	}
	free(name);
	free(subj);
	return b.s;
}

/* ---------------------------------------------------------------- HTML */

static void
report_esc(struct xbuf *b, const char *s)
{
	char	*e = page_escape(s);

	xbuf_add(b, e, strlen(e));
	free(e);
}

/* The colours of a bar's segments, in order, and their names. */
static const char *const report_seg_class[] = { "on-time", "late", "open",
	"overdue" };
static const char *const report_seg_label[] = { "on time", "late", "open",
	"overdue" };
static const char *const report_seg_colour[] = { "#1b7f3b", "#c77c02",
	"#2f6fb5", "#b3261e" };

/* The figures table of the page and the e-mail; style (may be "") goes on
 * every cell, for mail clients that drop <style>. */
static void
report_tables(struct xbuf *b, const struct report *r, const char *td,
    const char *th, const char *tb)
{
	const struct report_member	*m;
	char				 rate[16], med[16];
	size_t				 i;

	report_rate(r, rate, sizeof(rate));
	report_median(r, med, sizeof(med));
	xbuf_printf(b, "<table class=\"summary\" role=\"table\"%s>"
	    "<caption>The community</caption>"
	    "<tr><th scope=\"row\"%s>Meetings planned</th><td%s>%d</td></tr>"
	    "<tr><th scope=\"row\"%s>Held</th><td%s>%d</td></tr>"
	    "<tr><th scope=\"row\"%s>Moved</th><td%s>%d</td></tr>"
	    "<tr><th scope=\"row\"%s>Cancelled</th><td%s>%d</td></tr>"
	    "<tr><th scope=\"row\"%s>Attendance rate</th><td%s>%s</td></tr>"
	    "<tr><th scope=\"row\"%s>Median days to done</th><td%s>%s</td>"
	    "</tr></table>\n", tb, th, td, r->planned, th, td, r->held, th, td,
	    r->moved, th, td, r->cancelled, th, td, rate, th, td, med);
	xbuf_printf(b, "<table class=\"members\" role=\"table\"%s>"
	    "<caption>Per member</caption><tr>"
	    "<th scope=\"col\"%s>Member</th><th scope=\"col\"%s>Items</th>"
	    "<th scope=\"col\"%s>On time</th><th scope=\"col\"%s>Late</th>"
	    "<th scope=\"col\"%s>Open</th><th scope=\"col\"%s>Overdue</th>"
	    "<th scope=\"col\"%s>Meetings expected</th>"
	    "<th scope=\"col\"%s>Attended</th><th scope=\"col\"%s>RSVPs</th>"
	    "</tr>\n", tb, th, th, th, th, th, th, th, th, th);
	for (i = 0; i < r->nmembers; i++) {
		m = &r->members[i];
		xbuf_printf(b, "<tr><th scope=\"row\"%s>", th);
		report_esc(b, m->name);
		xbuf_printf(b, "</th><td%s>%d</td><td%s>%d</td><td%s>%d</td>"
		    "<td%s>%d</td><td%s>%d</td><td%s>%d</td><td%s>%d</td>"
		    "<td%s>%d</td></tr>\n", td, m->owned, td, m->on_time, td,
		    m->late, td, m->open, td, m->overdue, td, m->expected, td,
		    m->attended, td, m->rsvps);
	}
	xbuf_printf(b, "</table>\n");
}

/* One stacked bar per member: on time, late, open, overdue. */
static void
report_svg_bars(struct xbuf *b, const struct report *r)
{
	const struct report_member	*m;
	int				 max = 1, v[4], k;
	double				 x, w;
	size_t				 i;
	const double			 left = 150, width = 430, row = 28;

	for (i = 0; i < r->nmembers; i++)
		if (r->members[i].owned > max)
			max = r->members[i].owned;
	xbuf_printf(b, "<figure><figcaption>Action items per member"
	    "</figcaption><svg class=\"bars\" viewBox=\"0 0 600 %.0f\" "
	    "role=\"img\" aria-label=\"Action items per member: on time, "
	    "late, open, overdue\" xmlns=\"http://www.w3.org/2000/svg\">\n",
	    row * (double)r->nmembers + 34);
	for (i = 0; i < r->nmembers; i++) {
		m = &r->members[i];
		v[0] = m->on_time;
		v[1] = m->late;
		v[2] = m->open;
		v[3] = m->overdue;
		xbuf_printf(b, "<g class=\"bar\" data-member=\"");
		report_esc(b, m->id);
		xbuf_printf(b, "\" data-on-time=\"%d\" data-late=\"%d\" "
		    "data-open=\"%d\" data-overdue=\"%d\">"
		    "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">",
		    v[0], v[1], v[2], v[3], left - 8,
		    row * (double)i + 18);
		report_esc(b, m->name);
		xbuf_printf(b, "</text>");
		x = left;
		for (k = 0; k < 4; k++) {
			if (v[k] == 0)
				continue;
			w = width * (double)v[k] / (double)max;
			xbuf_printf(b, "<rect class=\"seg %s\" data-count=\"%d\" "
			    "x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" "
			    "height=\"20\" fill=\"%s\"><title>%s: %d</title>"
			    "</rect>", report_seg_class[k], v[k], x,
			    row * (double)i + 4, w, report_seg_colour[k],
			    report_seg_label[k], v[k]);
			x += w;
		}
		xbuf_printf(b, "</g>\n");
	}
	/* The legend. */
	for (k = 0; k < 4; k++)
		xbuf_printf(b, "<rect x=\"%d\" y=\"%.0f\" width=\"12\" "
		    "height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%.0f\">%s"
		    "</text>", (int)left + k * 110, row * (double)r->nmembers +
		    12, report_seg_colour[k], (int)left + k * 110 + 16,
		    row * (double)r->nmembers + 23, report_seg_label[k]);
	xbuf_printf(b, "</svg></figure>\n");
}

/* A member's initials ("Alice Martin" -> "AM"), at most 3, as a column
 * head; escaped by the caller. */
static void
report_initials(const char *name, char out[4])
{
	size_t	k = 0;
	bool	start = true;

	for (; *name != '\0' && k < 3; name++) {
		if (*name == ' ') {
			start = true;
			continue;
		}
		if (start && (unsigned char)*name < 0x80)
			out[k++] = *name;
		start = false;
	}
	out[k] = '\0';
}

/* An attendance strip per held meeting: a square per member, under a row
 * of the members' initials. */
static void
report_svg_strips(struct xbuf *b, const struct report *r)
{
	const struct report_held	*h;
	char				 d[CIVIL_DATE_LEN], ini[4];
	const char			*fill, *what;
	size_t				 i, j;
	const double			 left = 110, cell = 22, top = 22;

	if (r->nheld == 0)
		return;
	/* A fixed width, so that a strip is as big with 3 members as with
	 * 12 and the page scales it. */
	xbuf_printf(b, "<figure><figcaption>Who came to each meeting "
	    "(green: present, red: absent, grey: not recorded)</figcaption>"
	    "<svg class=\"strips\" viewBox=\"0 0 %.0f %.0f\" "
	    "role=\"img\" aria-label=\"Attendance per meeting\" "
	    "xmlns=\"http://www.w3.org/2000/svg\">\n",
	    left + cell * (double)(r->nmembers > 20 ? r->nmembers : 20),
	    top + cell * (double)r->nheld + 8);
	for (j = 0; j < r->nmembers; j++) {
		report_initials(r->members[j].name, ini);
		xbuf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" "
		    "text-anchor=\"middle\" font-size=\"9\">",
		    left + cell * (double)j + (cell - 3) / 2, top - 6);
		report_esc(b, ini);
		xbuf_printf(b, "<title>");
		report_esc(b, r->members[j].name);
		xbuf_printf(b, "</title></text>");
	}
	xbuf_printf(b, "\n");
	for (i = 0; i < r->nheld; i++) {
		h = &r->helds[i];
		civil_date_format(h->orig, d);
		xbuf_printf(b, "<g class=\"strip\" data-meeting=\"%s\">"
		    "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" "
		    "font-size=\"11\">%s</text>", d, left - 6,
		    top + cell * (double)i + 14, d);
		for (j = 0; j < r->nmembers; j++) {
			fill = h->present[j] == 1 ? "#1b7f3b" :
			    h->present[j] == 0 ? "#b3261e" : "#d0d0d0";
			what = h->present[j] == 1 ? "present" :
			    h->present[j] == 0 ? "absent" : "not recorded";
			xbuf_printf(b, "<rect class=\"%s\" x=\"%.0f\" "
			    "y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" "
			    "fill=\"%s\"><title>", h->present[j] == 1 ?
			    "present" : h->present[j] == 0 ? "absent" :
			    "unknown", left + cell * (double)j,
			    top + cell * (double)i, cell - 3, cell - 3, fill);
			report_esc(b, r->members[j].name);
			xbuf_printf(b, ", %s: %s</title></rect>", d, what);
		}
		xbuf_printf(b, "</g>\n");
	}
	xbuf_printf(b, "</svg></figure>\n");
}

/* A line of the items open over time. */
static void
report_svg_line(struct xbuf *b, const struct report *r)
{
	struct civil_date	 d0, d1;
	struct civil_time	 t;
	char			 a[CIVIL_DATE_LEN], z[CIVIL_DATE_LEN];
	int			 max = 1;
	size_t			 k;
	const double		 left = 40, width = 540, top = 10, height = 150;

	if (r->npoints == 0)
		return;
	for (k = 0; k < r->npoints; k++)
		if (r->open_at[k] > max)
			max = r->open_at[k];
	tz_from_utc(plan_zone(r->in->tz), r->at[0], &d0, &t);
	tz_from_utc(plan_zone(r->in->tz), r->at[r->npoints - 1], &d1, &t);
	xbuf_printf(b, "<figure><figcaption>Items open over time"
	    "</figcaption><svg class=\"line\" viewBox=\"0 0 600 190\" "
	    "role=\"img\" aria-label=\"Items open over time\" "
	    "xmlns=\"http://www.w3.org/2000/svg\">\n"
	    "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
	    "stroke=\"#888\"/><text x=\"%.0f\" y=\"%.0f\" "
	    "text-anchor=\"end\">%d</text><text x=\"%.0f\" y=\"%.0f\" "
	    "text-anchor=\"end\">0</text>\n<polyline class=\"open\" "
	    "fill=\"none\" stroke=\"#2f6fb5\" stroke-width=\"2\" points=\"",
	    left, top + height, left + width, top + height, left - 6,
	    top + 10, max, left - 6, top + height);
	for (k = 0; k < r->npoints; k++)
		xbuf_printf(b, "%s%.1f,%.1f", k ? " " : "", left + width *
		    (double)k / (double)(r->npoints - 1), top + height -
		    height * (double)r->open_at[k] / (double)max);
	xbuf_printf(b, "\"/>\n<text x=\"%.0f\" y=\"185\">%s</text>"
	    "<text x=\"%.0f\" y=\"185\" text-anchor=\"end\">%s</text>"
	    "</svg></figure>\n", left, civil_date_format(d0, a),
	    left + width, civil_date_format(d1, z));
}

char *
report_page_html(const struct report *r)
{
	struct xbuf	 b = { NULL, 0, 0 };
	char		*subj = report_subject(r);

	xbuf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><title>");
	report_esc(&b, subj);
	xbuf_printf(&b, "</title><style>"
	    "body{font-family:system-ui,sans-serif;margin:1rem auto;"
	    "max-width:52rem;padding:0 1rem;color:#111;line-height:1.4}"
	    "table{border-collapse:collapse;margin:1rem 0;width:100%%}"
	    "caption{text-align:left;font-weight:bold;padding:.3rem 0}"
	    "th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:right}"
	    "th[scope=row]{text-align:left}"
	    ".wide{overflow-x:auto}"
	    "figure{margin:1.5rem 0}figcaption{font-weight:bold}"
	    "svg{width:100%%;height:auto;font-size:12px}"
	    "@media (max-width:40rem){body{padding:0 .5rem}"
	    "th,td{padding:.2rem .3rem;font-size:.85rem}}"
	    "@media print{body{max-width:none;margin:0}"
	    "figure,table{break-inside:avoid}"
	    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}"
	    "</style></head><body><main><h1>");
	report_esc(&b, subj);
	xbuf_printf(&b, "</h1>\n<div class=\"wide\">");
	report_tables(&b, r, "", "", "");
	xbuf_printf(&b, "</div>\n");
	report_svg_bars(&b, r);
	report_svg_strips(&b, r);
	report_svg_line(&b, r);
	xbuf_printf(&b, "</main></body></html>\n");
	free(subj);
	return b.s;
}

char *
report_mail_html(const struct report *r)
{
	struct xbuf	 b = { NULL, 0, 0 };
	char		*subj = report_subject(r);
	/* Inline styles: Gmail and Outlook keep them, not <style>. */
	const char	*td = " style=\"border:1px solid #bbbbbb;padding:4px "
			    "8px;text-align:right\"";
	const char	*th = " style=\"border:1px solid #bbbbbb;padding:4px "
			    "8px;text-align:left;background:#f2f2f2\"";

	xbuf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>");
	report_esc(&b, subj);
	xbuf_printf(&b, "</title></head><body style=\"font-family:Arial,"
	    "sans-serif;color:#111111\"><h1 style=\"font-size:20px\">");
	report_esc(&b, subj);
	xbuf_printf(&b, "</h1>\n");
	report_tables(&b, r, td, th, " cellspacing=\"0\" cellpadding=\"0\" "
	    "style=\"border-collapse:collapse;margin:12px 0\"");
	xbuf_printf(&b, "<!--plc:report-link--></body></html>\n");
	free(subj);
	return b.s;
}
