/* fuzz_link: signed-link parsing and verification (link.h).
 *
 * Any bytes as a token must be refused unless they are exactly the link
 * link_make gives for the item, opening and expiry they name (a link of the
 * first format, which names no opening, cannot be made any more: it must
 * at least name the item it was accepted for); and a link made from any
 * item, opening and expiry must check out, to the same item and opening,
 * before it expires and not after.  Only the public API is used, so a field added to the
 * link later changes nothing here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char fz_key[] = "0123456789abcdef0123456789abcdef";
#define FZ_KEYLEN	(sizeof(fz_key) - 1)
#define FZ_NOW		((time_t)1790000000)

/* Any bytes as a token (cut at a NUL, as a URL path would be). */
static void
fz_check_token(const uint8_t *data, size_t size)
{
	char			*tok = malloc(size + 1), *again;
	enum link_verdict	 v;
	int64_t			 id = -1;
	time_t			 opened = 0;
	long long		 item, at, expires;

	memcpy(tok, data, size);
	tok[size] = '\0';
	v = link_check(fz_key, FZ_KEYLEN, tok, FZ_NOW, &id, &opened);
	if (v != LINK_OK && v != LINK_MALFORMED && v != LINK_FORGED &&
	    v != LINK_EXPIRED)
		abort();
	if (v == LINK_OK && opened == LINK_OPENED_NONE) {
		if (sscanf(tok, "%lld-", &item) != 1 || item != id)
			abort();
	} else if (v == LINK_OK) {
		/* Accepted: it must be the very link that was signed. */
		if (sscanf(tok, "%lld-%lld-%lld-", &item, &at, &expires) != 3 ||
		    item != id || at != (long long)opened ||
		    expires <= (long long)FZ_NOW)
			abort();
		again = link_make(fz_key, FZ_KEYLEN, id, opened,
		    (time_t)expires);
		if (strcmp(again, tok) != 0)
			abort();
		free(again);
	}
	free(tok);
}

/* A link made from the input's item and expiry, then altered. */
static void
fz_roundtrip(const uint8_t *data, size_t size)
{
	uint64_t	 a = 0, b = 0;
	int64_t		 item, id = -1;
	time_t		 expires, opened, got = 0;
	char		*tok;
	size_t		 i, at;

	if (size < 17)
		return;
	for (i = 0; i < 8; i++) {
		a = a << 8 | data[i];
		b = b << 8 | data[8 + i];
	}
	/* Item numbers are SQLite rowids: positive.  Expiry: any time a
	 * time_t of the worker's could hold. */
	item = (int64_t)(a & 0x7fffffffffffffffULL) % 1000000000000000000LL;
	if (item == 0)
		item = 1;
	expires = (time_t)(b % 100000000000ULL);
	opened = (time_t)(a % 100000000000ULL);
	tok = link_make(fz_key, FZ_KEYLEN, item, opened, expires);
	if (link_check(fz_key, FZ_KEYLEN, tok, expires - 1, &id, &got) !=
	    LINK_OK || id != item || got != opened ||
	    link_check(fz_key, FZ_KEYLEN, tok, expires, &id, &got) !=
	    LINK_EXPIRED)
		abort();
	/* One character changed (to another one) is never accepted. */
	at = data[16] % strlen(tok);
	if (tok[at] != (char)(data[size - 1] | 1) && data[size - 1] != 0) {
		tok[at] = (char)(data[size - 1] | 1);
		if (link_check(fz_key, FZ_KEYLEN, tok, expires - 1, &id,
		    &got) == LINK_OK)
			abort();
	}
	free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_check_token(data, size);
	fz_roundtrip(data, size);
	return 0;
}
