/* roll: the attendance page and its form. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "roll.h"
#include "xmalloc.h"

char *
roll_page(const char *community, const char *when,
    const struct roll_entry *v, size_t n, enum roll_from from, bool saved)
{
	struct xbuf	 b = { NULL, 0, 0 };
	char		*c = page_escape(community), *w = page_escape(when);
	char		*id, *name, *r;
	size_t		 i;

	xbuf_printf(&b, "<dl>\n<dt>Community</dt><dd>%s</dd>\n"
	    "<dt>Meeting</dt><dd>%s</dd>\n</dl>\n", c, w);
	if (saved)
		xbuf_printf(&b, "<p role=\"status\"><strong>Attendance saved."
		    "</strong></p>\n");
	else if (from == ROLL_FROM_RECORDED)
		xbuf_printf(&b, "<p>Attendance was recorded before; saving "
		    "again replaces it.</p>\n");
	else if (from == ROLL_FROM_RSVP)
		xbuf_printf(&b, "<p>Ticked: those who answered “I'll be "
		    "there”. Change what differs, then save.</p>\n");
	xbuf_printf(&b, "<form method=\"post\">\n<fieldset>\n<legend>Who came"
	    "</legend>\n");
	for (i = 0; i < n; i++) {
		id = page_escape(v[i].id);
		name = page_escape(v[i].name);
		xbuf_printf(&b, "<p><label><input type=\"checkbox\" "
		    "name=\"present\" value=\"%s\"%s> %s</label></p>\n", id,
		    v[i].ticked ? " checked" : "", name);
		free(id);
		free(name);
	}
	xbuf_printf(&b, "</fieldset>\n<p><button type=\"submit\">Save "
	    "attendance</button></p>\n</form>\n");
	r = page_doc("Attendance", "Who came to the meeting", b.s);
	free(b.s);
	free(c);
	free(w);
	return r;
}

int
roll_parse(const char *body, size_t len, struct roll_entry *v, size_t n)
{
	const char	*p = body, *end = body + len, *amp, *eq;
	size_t		 i, klen, vlen;

	for (i = 0; i < n; i++)
		v[i].ticked = false;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			return -1;
		klen = (size_t)(eq - p);
		vlen = (size_t)(amp - eq - 1);
		/* Only "present"; IDs need no decoding, so anything encoded
		 * is no ID of ours. */
		if (klen != 7 || memcmp(p, "present", 7) != 0)
			return -1;
		for (i = 0; i < n; i++)
			if (strlen(v[i].id) == vlen &&
			    memcmp(v[i].id, eq + 1, vlen) == 0)
				break;
		if (i == n)
			return -1;
		v[i].ticked = true;
		p = amp + 1;
	}
	return 0;
}
