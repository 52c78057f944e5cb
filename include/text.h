/* text: the one rule for the text people read — names, titles, notes.
 *
 * Pure functions with no I/O.  Every config value (names, location,
 * description, the sender's name …) and every item text given on the
 * command line (action --title, --notes, --note) passes text_check before it
 * can reach a feed, an e-mail, a chat post, a web page or a terminal.
 *
 * Refused:
 * - bytes that are not well-formed UTF-8 (overlong forms, surrogates and
 *   code points past U+10FFFF included);
 * - C0 controls U+0000–001F, tab and line breaks too (every one of these
 *   fields is one line), DEL and the C1 controls U+0080–009F (U+0085 NEXT
 *   LINE is a line break to some readers; U+009B starts terminal escapes);
 * - U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR, line breaks to
 *   JavaScript, chat clients and iCalendar readers alike;
 * - the bidi embeddings, overrides and isolates U+202A–202E and
 *   U+2066–2069: each opens a state that reorders everything after it up
 *   to the end of the paragraph, so a title could make the date or the
 *   "Mark done" text next to it read backwards ("Trojan Source").
 * Accepted: the bidi marks U+200E, U+200F and U+061C.  Hebrew and Arabic
 * names need them to display right, and a mark has no state: it only sets
 * the direction of the neutral characters beside it.
 */
#ifndef PLC_TEXT_H
#define PLC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum text_fault {
	TEXT_OK = 0,
	TEXT_BAD_UTF8,		/* not well-formed UTF-8 */
	TEXT_REFUSED,		/* a code point text_refused says no to */
};

/* Where text_check stopped: byte offset, and the code point when
 * TEXT_REFUSED. */
struct text_bad {
	size_t		offset;
	uint32_t	cp;
};

/*
 * Length (1..4) of the UTF-8 sequence at s and its code point in *cp; 0
 * when s does not start with a well-formed one.  s is untrusted and ends
 * with a NUL: no byte past a NUL is read.  A NUL itself decodes as U+0000,
 * length 1.
 */
size_t		text_utf8_decode(const char *s, uint32_t *cp);

/* True when cp may not appear in a name or a title (the list above). */
bool		text_refused(uint32_t cp);

/*
 * Check the untrusted NUL-terminated string s.  Returns TEXT_OK, or the
 * first fault with where it is in *bad (bad may be NULL).
 */
enum text_fault	text_check(const char *s, struct text_bad *bad);

/*
 * "U+202E (right-to-left override)", "U+0009 (tab)", "U+0085 (next line)":
 * how an error names a code point.  Writes into buf and returns it.
 */
#define TEXT_DESC_LEN	64
char		*text_describe(uint32_t cp, char buf[TEXT_DESC_LEN]);

#endif
