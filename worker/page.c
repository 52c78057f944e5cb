/* page: HTML for one-click links, every value escaped. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "page.h"
#include "xmalloc.h"

char *
page_escape(const char *s)
{
	const char	*p;
	char		*r, *q;
	size_t		 n = 1;

	if (s == NULL)
		s = "";
	for (p = s; *p != '\0'; p++)
		n += *p == '&' ? 5 : *p == '<' || *p == '>' ? 4 :
		    *p == '"' || *p == '\'' ? 5 : 1;
	r = q = xmalloc(n);
	for (p = s; *p != '\0'; p++) {
		const char *rep = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" :
		    *p == '>' ? "&gt;" : *p == '"' ? "&#34;" :
		    *p == '\'' ? "&#39;" : NULL;

		if (rep != NULL) {
			memcpy(q, rep, strlen(rep));
			q += strlen(rep);
		} else
			*q++ = *p;
	}
	*q = '\0';
	return r;
}

/* The document around a heading and a body (already HTML). */
char *
page_doc(const char *title, const char *heading, const char *body)
{
	char	*t = page_escape(title), *h = page_escape(heading), *r;

	r = xasprintf("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n"
	    "<title>%s — PLC Cadence</title>\n<style>\n"
	    "body{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;"
	    "margin:2rem auto;padding:0 1rem;color:#111;background:#fff}\n"
	    "dt{font-weight:bold}dd{margin:0 0 .5rem 0}\n"
	    "button{font:inherit;padding:.5rem 1.25rem;border:2px solid #1a4d8f;"
	    "border-radius:.3rem;background:#1a4d8f;color:#fff;cursor:pointer}\n"
	    "button:focus{outline:3px solid #f0a400;outline-offset:2px}\n"
	    "</style>\n</head>\n<body>\n<main>\n<h1>%s</h1>\n%s</main>\n"
	    "</body>\n</html>\n", t, h, body);
	free(t);
	free(h);
	return r;
}

/* The item's facts as a definition list. */
static char *
page_facts(const struct page_item *it)
{
	char	*ti = page_escape(it->title), *o = page_escape(it->owner);
	char	*c = page_escape(it->community), *d = page_escape(it->due);
	char	*r;

	r = xasprintf("<dl>\n<dt>Action item</dt><dd>%s</dd>\n"
	    "<dt>Owner</dt><dd>%s</dd>\n<dt>Due</dt><dd>%s</dd>\n"
	    "<dt>Community</dt><dd>%s</dd>\n<dt>Status</dt><dd>%s</dd>\n"
	    "</dl>\n", ti, o, d, c, it->done ? "done" : "open");
	free(ti);
	free(o);
	free(c);
	free(d);
	return r;
}

char *
page_item(const struct page_item *it)
{
	char	*facts = page_facts(it), *body, *r;

	/* No action attribute: the form posts back to this very URL. */
	body = xasprintf("%s%s", facts, it->done ?
	    "<p>This item is already done.</p>\n" :
	    "<form method=\"post\">\n<button type=\"submit\">Mark done"
	    "</button>\n</form>\n");
	r = page_doc(it->done ? "Already done" : "Mark done", it->title, body);
	free(body);
	free(facts);
	return r;
}

char *
page_done(const struct page_item *it, bool already)
{
	char	*facts = page_facts(it), *body, *r;

	body = xasprintf("<p role=\"status\">%s</p>\n%s", already ?
	    "This item was already done; nothing changed." :
	    "Marked done. Thank you!", facts);
	r = page_doc(already ? "Already done" : "Marked done", it->title, body);
	free(body);
	free(facts);
	return r;
}

char *
page_refused(void)
{
	return page_doc("Link not valid", "This link is not valid",
	    "<p>It may have expired (an answer link lasts until its meeting "
	    "ends, a done link 30 days), been copied incompletely, or what "
	    "it names may no longer exist. Nothing was changed.</p>\n<p>Use the link in a newer reminder, or ask your "
	    "facilitator.</p>\n");
}

char *
page_stale(void)
{
	return page_doc("Link not valid", "This link is older than the "
	    "item's last change",
	    "<p>The item was reopened after this link was sent, so the link "
	    "no longer marks it done. Nothing was changed.</p>\n<p>Use the "
	    "link in a newer reminder, or ask your facilitator.</p>\n");
}

char *
page_busy(void)
{
	return page_doc("Try again", "Try again in a moment",
	    "<p>The server is busy. Nothing was changed.</p>\n");
}

/*
 * The origin of url split into scheme, host and port: false when url is no
 * http(s) URL.  The host is what lies between "//" (after any userinfo)
 * and the first of ":/?#"; a port given is digits only.
 */
static bool
page_origin_parts(const char *url, bool *https, const char **host,
    size_t *hostlen, long *port)
{
	const char	*p, *h, *at, *end;

	if (strncasecmp(url, "https://", 8) == 0) {
		*https = true;
		h = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		*https = false;
		h = url + 7;
	} else
		return false;
	end = h + strcspn(h, "/?#");
	for (at = h; at < end && *at != '@'; at++)
		;
	if (at < end)
		h = at + 1;
	for (p = h; p < end && *p != ':'; p++)
		;
	*host = h;
	*hostlen = (size_t)(p - h);
	*port = *https ? 443 : 80;
	if (*hostlen == 0)
		return false;
	if (p < end) {
		long	v = 0;

		if (p + 1 == end)
			return true;	/* "host:" is the default port */
		for (p++; p < end; p++) {
			if (!isdigit((unsigned char)*p) || v > 65535)
				return false;
			v = v * 10 + (*p - '0');
		}
		*port = v;
	}
	return true;
}

static bool
page_same_origin(const char *public_url, const char *url)
{
	const char	*h1, *h2;
	size_t		 n1, n2;
	long		 p1, p2;
	bool		 s1, s2;

	if (!page_origin_parts(public_url, &s1, &h1, &n1, &p1) ||
	    !page_origin_parts(url, &s2, &h2, &n2, &p2))
		return false;
	return s1 == s2 && p1 == p2 && n1 == n2 &&
	    strncasecmp(h1, h2, n1) == 0;
}

bool
page_origin_ok(const char *public_url, const char *origin,
    const char *referer)
{
	if (origin != NULL)
		return public_url != NULL && page_same_origin(public_url,
		    origin);
	if (referer != NULL)
		return public_url != NULL && page_same_origin(public_url,
		    referer);
	return true;
}

char *
page_cross_origin(void)
{
	return page_doc("Not sent from this site", "This form was sent from "
	    "another site", "<p>For your safety, answers are taken only from "
	    "the page this link opens. Nothing was changed.</p>\n<p>Open the "
	    "link from your reminder again and press the button there.</p>\n");
}

char *
page_rsvp(const struct page_rsvp *r)
{
	char	*c = page_escape(r->community), *m = page_escape(r->member);
	char	*w = page_escape(r->when), *st = NULL, *body, *html;
	const char *ans = r->answer == 1 ? "I'll be there" :
	    r->answer == 2 ? "I can't come" : "no answer yet";

	if (r->status != NULL) {
		char *e = page_escape(r->status);

		st = xasprintf("<p role=\"status\">%s</p>\n", e);
		free(e);
	}
	body = xasprintf("%s<dl>\n<dt>Meeting</dt><dd>%s</dd>\n"
	    "<dt>When</dt><dd>%s%s</dd>\n<dt>Member</dt><dd>%s</dd>\n"
	    "<dt>Your answer</dt><dd id=\"answer\">%s</dd>\n</dl>\n%s",
	    st != NULL ? st : "", c, w, r->cancelled ? " (cancelled)" : "",
	    m, ans, r->cancelled ? "<p>This meeting is cancelled: there is "
	    "nothing to answer.</p>\n" : !r->open ? "<p>The meeting has "
	    "started: answers can no longer change.</p>\n" :
	    "<div style=\"display:flex;gap:1rem;flex-wrap:wrap\">\n"
	    "<form method=\"post\" action=\"?answer=yes\">\n<button "
	    "type=\"submit\" name=\"answer\" value=\"yes\">I'll be there"
	    "</button>\n</form>\n<form method=\"post\" action=\"?answer=no"
	    "\">\n<button type=\"submit\" name=\"answer\" value=\"no\">I "
	    "can't come</button>\n</form>\n</div>\n<p>You can change your "
	    "answer until the meeting starts.</p>\n");
	html = page_doc("Will you come?", "Will you come?", body);
	free(body);
	free(st);
	free(c);
	free(m);
	free(w);
	return html;
}

char *
page_move(const struct page_move *mv)
{
	char	*c = page_escape(mv->community), *f = page_escape(mv->from);
	char	*t = page_escape(mv->to), *st = NULL, *body, *html;

	if (mv->status != NULL) {
		char *e = page_escape(mv->status);

		st = xasprintf("<p role=\"status\">%s</p>\n", e);
		free(e);
	}
	body = xasprintf("%s<dl>\n<dt>Meeting</dt><dd>%s</dd>\n"
	    "<dt>Now</dt><dd>%s</dd>\n<dt>Move to</dt><dd>%s</dd>\n</dl>\n%s",
	    st != NULL ? st : "", c, f, t, mv->done ? "<p>The meeting is at "
	    "this slot.</p>\n" : !mv->open ? "<p>This meeting can no longer "
	    "be moved here.</p>\n" : "<form method=\"post\">\n<button "
	    "type=\"submit\">Move it here</button>\n</form>\n<p>Everyone "
	    "gets the change with the feeds and a notice.</p>\n");
	html = page_doc("Move the meeting", "Move the meeting?", body);
	free(body);
	free(st);
	free(c);
	free(f);
	free(t);
	return html;
}
