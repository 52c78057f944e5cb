/* fuzz_mime: any text as a Subject and as a display name -> message_build.
 *
 * The header encoder (message.c) must never let a value break out of its
 * header: every header line ends in CRLF, a CR or LF appears nowhere else,
 * continuation lines start with a space, and lines keep within RFC 5322's
 * limits.  And the header must say what it was given: unfolded and
 * decoded here (RFC 2047 B encoded-words, quoted-strings, atoms; a decoder
 * for this check only) it gives back the input, with runs of spaces as one
 * where the value was written as plain words.  Input with CR or LF must be
 * refused.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_FROM	"plc@example.edu"
#define FZ_TO	"bob@example.edu"

static void
fz_fail(const char *what, const char *in, const char *hdr)
{
	fprintf(stderr, "fuzz_mime: %s\ninput: [%s]\nheader: [%s]\n", what,
	    in, hdr != NULL ? hdr : "(none)");
	abort();
}

static int
fz_b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* "=?UTF-8?B?...?=" (n bytes at w) decoded onto out; false if it is not
 * one well-formed encoded-word. */
static bool
fz_encoded_word(const char *w, size_t n, struct xbuf *out)
{
	const char	*p, *e;
	unsigned long	 v;
	int		 i, d, pad;
	char		 c[3];

	if (n < 12 || strncmp(w, "=?UTF-8?B?", 10) != 0 ||
	    strncmp(w + n - 2, "?=", 2) != 0 || (n - 12) % 4 != 0)
		return false;
	e = w + n - 2;
	for (p = w + 10; p < e; p += 4) {
		v = 0;
		pad = 0;
		for (i = 0; i < 4; i++) {
			if (p[i] == '=' && p + 4 == e && i >= 2) {
				pad++;
				v <<= 6;
				continue;
			}
			if (pad > 0 || (d = fz_b64val(p[i])) < 0)
				return false;
			v = v << 6 | (unsigned long)d;
		}
		c[0] = (char)(v >> 16);
		c[1] = (char)(v >> 8);
		c[2] = (char)v;
		xbuf_add(out, c, (size_t)(3 - pad));
	}
	return true;
}

/*
 * The header "Name:" in msg, checked line by line and unfolded (each CRLF
 * that a space follows removed).  Allocated.
 */
static char *
fz_header(const char *msg, const char *name, const char *in)
{
	const char	*p, *eol;
	struct xbuf	 b = { 0 };
	size_t		 nl = strlen(name);

	for (p = msg; strncmp(p, name, nl) != 0 || p[nl] != ':';) {
		if ((p = strstr(p, "\r\n")) == NULL || p[2] == '\r')
			fz_fail("header missing", in, msg);
		p += 2;
	}
	p += nl + 1;
	xbuf_add(&b, "", 0);
	for (;;) {
		if ((eol = strstr(p, "\r\n")) == NULL)
			fz_fail("header not ended by CRLF", in, msg);
		if (memchr(p, '\r', (size_t)(eol - p)) != NULL ||
		    memchr(p, '\n', (size_t)(eol - p)) != NULL)
			fz_fail("a bare CR or LF in a header", in, msg);
		xbuf_add(&b, p, (size_t)(eol - p));
		p = eol + 2;
		if (*p != ' ' && *p != '\t')
			break;
	}
	return b.s;
}

/* Every line of the header block: at most 78 characters, but for an
 * address that cannot be folded (at most 998, RFC 5322 2.1.1). */
static void
fz_lines(const char *msg, const char *in)
{
	const char	*p = msg, *eol;

	while ((eol = strstr(p, "\r\n")) != NULL && eol != p) {
		if (eol - p > 78 && (memchr(p, '@', (size_t)(eol - p)) ==
		    NULL || eol - p > 998))
			fz_fail("a header line over 78 characters", in, msg);
		p = eol + 2;
	}
	if (eol == NULL)
		fz_fail("no end to the header block", in, msg);
}

/* Runs of spaces as one, none at either end. */
static char *
fz_squeeze(const char *s)
{
	char	*out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s != '\0'; s++)
		if (*s != ' ' || (o > out && s[1] != '\0' && s[1] != ' '))
			*o++ = *s;
	*o = '\0';
	return out;
}

/*
 * A header value as written by hdr_text or (phrase) hdr_phrase:
 * encoded-words (the spaces between them not part of the text), one
 * quoted-string (a phrase only), or plain words.  *plain says which.
 * Allocated.
 */
static char *
fz_decode(const char *v, bool phrase, bool *plain, const char *in)
{
	struct xbuf	 b = { 0 };
	const char	*p = v, *e;
	bool		 encoded = false, words = false;

	xbuf_add(&b, "", 0);
	*plain = false;
	while (*p == ' ')
		p++;
	if (phrase && *p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				fz_fail("an unterminated quoted-string", in, v);
			if (*p == '\\')
				p++;
			xbuf_add(&b, p, 1);
		}
		if (p[1] != '\0')
			fz_fail("text after a quoted-string", in, v);
		return b.s;
	}
	for (; *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		e = p + strcspn(p, " ");
		if (fz_encoded_word(p, (size_t)(e - p), &b))
			encoded = true;
		else {
			if (b.len > 0)
				xbuf_add(&b, " ", 1);
			xbuf_add(&b, p, (size_t)(e - p));
			words = true;
		}
	}
	if (encoded && words)
		fz_fail("encoded-words mixed with plain words", in, v);
	*plain = !encoded;
	return b.s;
}

static void
fz_compare(const char *field, const char *got, bool plain, const char *in)
{
	char	*want = plain ? fz_squeeze(in) : xstrdup(in);

	if (strcmp(got, want) != 0) {
		fprintf(stderr, "fuzz_mime: %s decodes to [%s]\n", field, got);
		fz_fail("the header does not decode to its input", in, NULL);
	}
	free(want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct message	 m;
	char		*in, *out = NULL, *err = NULL, *v, *got, *lt;
	size_t		 len = 0;
	bool		 plain;
	int		 rc;

	if (size > 4096)
		return 0;
	in = xstrndup((const char *)data, size);
	memset(&m, 0, sizeof(m));
	m.from_addr = FZ_FROM;
	m.to_name = in;
	m.to_addr = FZ_TO;
	m.subject = in;
	m.date = 1790000000;
	m.dedup_key = "fuzz";
	m.text = "body";
	rc = message_build(&m, &out, &len, &err);
	if (strpbrk(in, "\r\n") != NULL) {
		if (rc != -1 || err == NULL || out != NULL)
			fz_fail("a line break was not refused", in, out);
		goto done;
	}
	if (rc != 0 || out == NULL || strlen(out) != len)
		fz_fail(err != NULL ? err : "message_build failed", in, NULL);
	fz_lines(out, in);

	v = fz_header(out, "Subject", in);
	got = fz_decode(v, false, &plain, in);
	fz_compare("Subject", got, plain, in);
	free(got);
	free(v);

	v = fz_header(out, "To", in);
	if (*in == '\0') {
		if (strcmp(v, " " FZ_TO) != 0)
			fz_fail("To without a name is not the address", in, v);
	} else {
		if ((lt = strrchr(v, ' ')) == NULL ||
		    strcmp(lt, " <" FZ_TO ">") != 0)
			fz_fail("To does not end with the address", in, v);
		*lt = '\0';
		got = fz_decode(v, true, &plain, in);
		fz_compare("To", got, plain, in);
		free(got);
	}
	free(v);
done:
	free(out);
	free(err);
	free(in);
	return 0;
}
