/* fuzz_link: signed-link parsing and verification (link.h).
 *
 * Any bytes as a token must be refused unless they are exactly the link
 * link_make gives for the item, opening and expiry they name (a link of the
 * first format, which names no opening, cannot be made any more: it must
 * at least name the item it was accepted for); and a link made from any
 * item, opening and expiry must check out, to the same item and opening,
 * before it expires and not after.  Only the public API is used, so a field added to the
 * link later changes nothing here.
 *
 * The same for the links of every kind (link_check_kind): any bytes are
 * refused unless they are the very token link_make_kind gives for the kind,
 * subject and expiry they name; a token made from the input's kind,
 * subject and expiry checks out as that kind only, and one character
 * changed is never accepted.
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

/* Any bytes as a token of any kind. */
static void
fz_check_kind(const uint8_t *data, size_t size)
{
	char			*tok = malloc(size + 1), *subject = NULL, *again;
	enum link_verdict	 v;
	enum link_kind		 kind;
	long long		 expires;

	memcpy(tok, data, size);
	tok[size] = '\0';
	v = link_check_kind(fz_key, FZ_KEYLEN, tok, FZ_NOW, &kind, &subject);
	if (v != LINK_OK && v != LINK_MALFORMED && v != LINK_FORGED &&
	    v != LINK_EXPIRED)
		abort();
	if (v != LINK_OK && subject != NULL)
		abort();
	if (v == LINK_OK && tok[0] >= 'a') {
		if (!link_subject_valid(subject) ||
		    strncmp(tok + 2, subject, strlen(subject)) != 0 ||
		    sscanf(tok + 2 + strlen(subject), ".%lld.", &expires) != 1 ||
		    expires <= (long long)FZ_NOW)
			abort();
		again = link_make_kind(fz_key, FZ_KEYLEN, kind, subject,
		    (time_t)expires);
		if (strcmp(again, tok) != 0)
			abort();
		free(again);
	} else if (v == LINK_OK && kind != LINK_DONE)
		abort();
	free(subject);
	free(tok);
}

/* A link of the input's kind, subject and expiry, then altered. */
static void
fz_roundtrip_kind(const uint8_t *data, size_t size)
{
	static const char	 cs[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
				    "NOPQRSTUVWXYZ0123456789._-";
	char			 subj[LINK_SUBJECT_MAX + 1], *tok, *s = NULL;
	enum link_kind		 kind, got, k;
	time_t			 expires;
	uint32_t		 e = 0;
	size_t			 i, n, at;

	if (size < 7)
		return;
	kind = (enum link_kind)(data[0] % 5);
	for (i = 1; i < 5; i++)
		e = e << 8 | data[i];
	expires = (time_t)e + 1;
	n = (size - 6) % LINK_SUBJECT_MAX + 1;
	for (i = 0; i < n; i++)
		subj[i] = cs[data[5 + i % (size - 6)] % (sizeof(cs) - 1)];
	subj[n] = '\0';
	tok = link_make_kind(fz_key, FZ_KEYLEN, kind, subj, expires);
	if (link_check_kind(fz_key, FZ_KEYLEN, tok, expires - 1, &got, &s) !=
	    LINK_OK || got != kind || strcmp(s, subj) != 0)
		abort();
	free(s);
	s = NULL;
	if (link_check_kind(fz_key, FZ_KEYLEN, tok, expires, &got, &s) !=
	    LINK_EXPIRED)
		abort();
	/* Under any other kind's letter: another context, never valid. */
	for (k = LINK_DONE; k <= LINK_REPORT; k++) {
		if (k == kind)
			continue;
		tok[0] = "dvmar"[k];
		if (link_check_kind(fz_key, FZ_KEYLEN, tok, expires - 1, &got,
		    &s) == LINK_OK)
			abort();
	}
	tok[0] = "dvmar"[kind];
	at = data[size - 2] % strlen(tok);
	if (tok[at] != (char)(data[size - 1] | 1) && data[size - 1] != 0) {
		tok[at] = (char)(data[size - 1] | 1);
		if (link_check_kind(fz_key, FZ_KEYLEN, tok, expires - 1, &got,
		    &s) == LINK_OK)
			abort();
	}
	free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_check_token(data, size);
	fz_roundtrip(data, size);
	fz_check_kind(data, size);
	fz_roundtrip_kind(data, size);
	return 0;
}
