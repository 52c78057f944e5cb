/* text: which characters a name or a title may hold (see text.h). */
#include <stdio.h>

#include "text.h"

size_t
text_utf8_decode(const char *str, uint32_t *cp)
{
	const unsigned char	*s = (const unsigned char *)str;
	uint32_t		 v;
	size_t			 n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, v = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, v = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, v = s[0] & 0x07;
	else
		return 0;
	/* A NUL is not a continuation byte: the scan stops at it. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
	    (n == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	*cp = v;
	return n;
}

bool
text_refused(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

enum text_fault
text_check(const char *s, struct text_bad *bad)
{
	const char	*p;
	uint32_t	 cp = 0;
	size_t		 n;
	enum text_fault	 f = TEXT_OK;

	for (p = s; *p != '\0'; p += n) {
		if ((n = text_utf8_decode(p, &cp)) == 0) {
			f = TEXT_BAD_UTF8;
			break;
		}
		if (text_refused(cp)) {
			f = TEXT_REFUSED;
			break;
		}
	}
	if (bad != NULL && f != TEXT_OK) {
		bad->offset = (size_t)(p - s);
		bad->cp = f == TEXT_REFUSED ? cp : 0;
	}
	return f;
}

static const char *
text_cp_name(uint32_t cp)
{
	static const char *const bidi[] = {
		"left-to-right embedding", "right-to-left embedding",
		"pop directional formatting", "left-to-right override",
		"right-to-left override",
	};
	static const char *const isolates[] = {
		"left-to-right isolate", "right-to-left isolate",
		"first strong isolate", "pop directional isolate",
	};

	switch (cp) {
	case 0x00:	return "NUL";
	case 0x09:	return "tab";
	case 0x0a:	return "line feed";
	case 0x0d:	return "carriage return";
	case 0x1b:	return "escape";
	case 0x7f:	return "delete";
	case 0x85:	return "next line";
	case 0x2028:	return "line separator";
	case 0x2029:	return "paragraph separator";
	default:	break;
	}
	if (cp < 0x20)
		return "control character";
	if (cp >= 0x80 && cp <= 0x9f)
		return "C1 control character";
	if (cp >= 0x202a && cp <= 0x202e)
		return bidi[cp - 0x202a];
	if (cp >= 0x2066 && cp <= 0x2069)
		return isolates[cp - 0x2066];
	return "character";
}

char *
text_describe(uint32_t cp, char buf[TEXT_DESC_LEN])
{
	snprintf(buf, TEXT_DESC_LEN, "U+%04X (%s)", (unsigned)cp,
	    text_cp_name(cp));
	return buf;
}
