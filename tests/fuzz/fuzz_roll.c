/* fuzz_roll: the attendance form's body (roll.h), untrusted bytes from a
 * POST, and the page built around untrusted names.
 *
 * roll_parse must accept exactly the bodies made of "present=ID" pairs
 * joined by '&' (one may end it) whose IDs are on the roll, tick exactly
 * those, and refuse anything else; a page with
 * any bytes as a name has no more markup than with a harmless one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roll.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
fz_count(const char *s, char c)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct roll_entry	 v[3] = { { "alice", "Alice", false },
				    { "bob", "Bob", false },
				    { "c-3_x", "C", false } };
	const char		*p, *end, *amp;
	char			*name, *page, *plain;
	size_t			 i, n;
	int			 rc, want = 0;
	bool			 named[3] = { false, false, false };

	/* The oracle: split as a form is split, independently. */
	p = (const char *)data;
	end = p + size;
	while (size > 0 && p <= end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		n = (size_t)(amp - p);
		for (i = 0; i < 3; i++)
			if (n == 8 + strlen(v[i].id) &&
			    memcmp(p, "present=", 8) == 0 &&
			    memcmp(p + 8, v[i].id, n - 8) == 0)
				break;
		if (i == 3) {
			want = -1;
			break;
		}
		named[i] = true;
		if (amp == end)
			break;
		/* A trailing '&' ends the body: nothing after it. */
		if ((p = amp + 1) == end)
			break;
	}
	rc = roll_parse((const char *)data, size, v, 3);
	if (rc != want)
		abort();
	for (i = 0; rc == 0 && i < 3; i++)
		if (v[i].ticked != named[i])
			abort();
	/* Any bytes as a name: never raw in the page. */
	name = malloc(size + 1);
	memcpy(name, data, size);
	name[size] = '\0';
	v[1].name = name;
	page = roll_page(name, name, v, 3, ROLL_FROM_RSVP, false);
	v[1].name = "x";
	plain = roll_page("x", "x", v, 3, ROLL_FROM_RSVP, false);
	/* As much markup as with a harmless name: no byte of a name opens
	 * a tag or an attribute. */
	if (fz_count(page, '<') != fz_count(plain, '<') ||
	    fz_count(page, '"') != fz_count(plain, '"'))
		abort();
	free(plain);
	free(page);
	free(name);
	return 0;
}
