/* message: RFC 5322 / MIME e-mail from plain values (see message.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "hex.h"
#include "message.h"
#include "xmalloc.h"

/* RFC 5322 wants header lines under 78 characters; we fold before 76. */
#define MSG_LINE	76
/* Raw bytes per encoded-word: 52 base64 characters, 64 with "=?UTF-8?B?"
 * and "?=", so "Subject: " plus one word still fits in MSG_LINE. */
#define MSG_EW_BYTES	39
/* A plain word longer than this cannot be folded and gets encoded. */
#define MSG_WORD_MAX	66
/* Quoted-printable: 75 characters and a soft-break '='. */
#define MSG_QP_LINE	75

struct msg_hdr {
	struct xbuf	*b;
	size_t		 col;
	int		 words;	/* on the current line */
};

static void
buf_str(struct xbuf *b, const char *s)
{
	xbuf_add(b, s, strlen(s));
}

static void buf_fmt(struct xbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
buf_fmt(struct xbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		abort();
	va_end(ap);
	buf_str(b, s);
	free(s);
}

static bool
msg_atext(int c)
{
	return c > 0 && c < 0x80 && (isalnum(c) ||
	    strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

bool
message_address_valid(const char *addr)
{
	const char	*at, *p, *label;

	if (addr == NULL || (at = strchr(addr, '@')) == NULL ||
	    at != strrchr(addr, '@'))
		return false;
	if (at == addr || at - addr > 64 || addr[0] == '.' || at[-1] == '.')
		return false;
	for (p = addr; p < at; p++)
		if (*p == '.' ? p[1] == '.' : !msg_atext(*p))
			return false;
	if (at[1] == '\0' || strlen(at + 1) > 253)
		return false;
	for (label = p = at + 1;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' ||
			    p[-1] == '-')
				return false;
			if (*p == '\0')
				return true;
			label = p + 1;
		} else if (!isascii((unsigned char)*p) ||
		    (!isalnum((unsigned char)*p) && *p != '-'))
			return false;
	}
}

static void
msg_sha256_hex(const char *s, char hex[65])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;

	if (EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		abort();	/* a broken libcrypto: no sane way on */
	hex_encode(md, mdlen, hex);
}

char *
message_id(const char *dedup_key, const char *from_addr)
{
	char	hex[65];

	/* 128 bits of the hash: unique enough, and it fits on one line. */
	msg_sha256_hex(dedup_key, hex);
	return xasprintf("<%.32s@%s>", hex, strrchr(from_addr, '@') + 1);
}

/* --------------------------------------------------------------- headers */

static void
hdr_start(struct msg_hdr *h, struct xbuf *b, const char *name)
{
	h->b = b;
	buf_str(b, name);
	buf_str(b, ":");
	h->col = strlen(name) + 1;
	h->words = 0;
}

/* One unbreakable word, preceded by a space or a fold. */
static void
hdr_word(struct msg_hdr *h, const char *w, size_t n)
{
	if (h->words > 0 && h->col + 1 + n > MSG_LINE) {
		buf_str(h->b, "\r\n");
		h->col = 0;
		h->words = 0;
	}
	xbuf_add(h->b, " ", 1);
	xbuf_add(h->b, w, n);
	h->col += 1 + n;
	h->words++;
}

static void
hdr_end(struct msg_hdr *h)
{
	buf_str(h->b, "\r\n");
}

static void
msg_base64(struct xbuf *b, const unsigned char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char		 q[4];
	unsigned long	 v;
	size_t		 i;

	for (i = 0; i < n; i += 3) {
		v = (unsigned long)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		xbuf_add(b, q, 4);
	}
}

/* RFC 2047 B encoded-words, each cut on a UTF-8 character boundary. */
static void
hdr_encoded(struct msg_hdr *h, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct xbuf		 w = { 0 };
	size_t			 left = strlen(s), n, k;

	while (left > 0) {
		n = left < MSG_EW_BYTES ? left : MSG_EW_BYTES;
		/* Back off while the next byte continues a character. */
		for (k = n; k < left && k > n - 3 && (p[k] & 0xc0) == 0x80; k--)
			;
		if (k < left && (p[k] & 0xc0) != 0x80)
			n = k;
		w.len = 0;
		buf_str(&w, "=?UTF-8?B?");
		msg_base64(&w, p, n);
		buf_str(&w, "?=");
		hdr_word(h, w.s, w.len);
		p += n;
		left -= n;
	}
	free(w.s);
}

/* Plain ASCII that folds at spaces, or else encoded-words. */
static bool
hdr_needs_encoding(const char *s)
{
	size_t	run = 0;

	if (strstr(s, "=?") != NULL)
		return true;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return true;
		run = *s == ' ' ? 0 : run + 1;
		if (run > MSG_WORD_MAX)
			return true;
	}
	return false;
}

/* An unstructured value (Subject): runs of spaces fold as one. */
static void
hdr_text(struct msg_hdr *h, const char *s)
{
	const char	*e;

	if (hdr_needs_encoding(s)) {
		hdr_encoded(h, s);
		return;
	}
	while (*s != '\0') {
		while (*s == ' ')
			s++;
		for (e = s; *e != '\0' && *e != ' '; e++)
			;
		if (e > s)
			hdr_word(h, s, (size_t)(e - s));
		s = e;
	}
}

/* A display name: atoms, one quoted-string, or encoded-words. */
static void
hdr_phrase(struct msg_hdr *h, const char *s)
{
	struct xbuf	 q = { 0 };
	const char	*p;
	bool		 atoms = true;

	if (hdr_needs_encoding(s)) {
		hdr_encoded(h, s);
		return;
	}
	for (p = s; *p != '\0'; p++)
		if (*p != ' ' && !msg_atext(*p))
			atoms = false;
	if (atoms) {
		hdr_text(h, s);
		return;
	}
	buf_str(&q, "\"");
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			xbuf_add(&q, "\\", 1);
		xbuf_add(&q, p, 1);
	}
	buf_str(&q, "\"");
	if (q.len > MSG_WORD_MAX)
		hdr_encoded(h, s);
	else
		hdr_word(h, q.s, q.len);
	free(q.s);
}

static void
hdr_mailbox(struct xbuf *b, const char *field, const char *name,
    const char *addr)
{
	struct msg_hdr	 h;
	char		*a;

	hdr_start(&h, b, field);
	if (name != NULL && *name != '\0') {
		hdr_phrase(&h, name);
		a = xasprintf("<%s>", addr);
		hdr_word(&h, a, strlen(a));
		free(a);
	} else
		hdr_word(&h, addr, strlen(addr));
	hdr_end(&h);
}

static void
hdr_date(struct xbuf *b, time_t t)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	tm;

	gmtime_r(&t, &tm);
	buf_fmt(b, "Date: %s, %d %s %04d %02d:%02d:%02d +0000\r\n",
	    wd[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ------------------------------------------------------------------ body */

/* Quoted-printable (RFC 2045 6.7); "\n" and "\r\n" are line breaks. */
static void
qp_body(struct xbuf *b, const char *s, size_t n)
{
	char		 esc[4];
	size_t		 i, col = 0, need;
	unsigned char	 c;
	bool		 lit, eol;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n')) {
			i += c == '\r';
			buf_str(b, "\r\n");
			col = 0;
			continue;
		}
		eol = i + 1 == n || s[i + 1] == '\n' ||
		    (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n');
		lit = (c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && !eol);
		need = lit ? 1 : 3;
		if (col + need > MSG_QP_LINE) {
			buf_str(b, "=\r\n");
			col = 0;
		}
		/* A leading dot means something to SMTP; keep it encoded. */
		if (col == 0 && c == '.')
			lit = false, need = 3;
		if (lit)
			xbuf_add(b, (const char *)&c, 1);
		else {
			snprintf(esc, sizeof(esc), "=%02X", c);
			xbuf_add(b, esc, 3);
		}
		col += need;
	}
	if (col > 0 || n == 0)
		buf_str(b, "\r\n");
}

static int
msg_check(const struct message *m, char **err)
{
	static const char *const names[] = { "from name", "to name",
	    "subject", "reply-to name", "cc name" };
	const char	*vals[5] = { m->from_name, m->to_name, m->subject,
	    m->reply_to_name, m->cc_name };
	size_t		 i;

	if (!message_address_valid(m->from_addr)) {
		*err = xasprintf("from address '%s' is not an e-mail address",
		    m->from_addr ? m->from_addr : "");
		return -1;
	}
	if (!message_address_valid(m->to_addr)) {
		*err = xasprintf("to address '%s' is not an e-mail address",
		    m->to_addr ? m->to_addr : "");
		return -1;
	}
	if (m->reply_to_addr != NULL &&
	    !message_address_valid(m->reply_to_addr)) {
		*err = xasprintf("reply-to address '%s' is not an e-mail "
		    "address", m->reply_to_addr);
		return -1;
	}
	if (m->cc_addr != NULL && !message_address_valid(m->cc_addr)) {
		*err = xasprintf("cc address '%s' is not an e-mail address",
		    m->cc_addr);
		return -1;
	}
	for (i = 0; i < 5; i++)
		if (vals[i] != NULL && strpbrk(vals[i], "\r\n") != NULL) {
			*err = xasprintf("%s holds a line break", names[i]);
			return -1;
		}
	if (m->dedup_key == NULL || *m->dedup_key == '\0') {
		*err = xstrdup("the dedup key is empty");
		return -1;
	}
	return 0;
}

int
message_build(const struct message *m, char **out, size_t *outlen,
    char **err)
{
	struct xbuf	 b = { 0 };
	struct msg_hdr	 h;
	const char	*text = m->text ? m->text : "";
	char		*mid = NULL, hex[65], bound[32];

	*out = NULL;
	if (msg_check(m, err) == -1)
		return -1;
	mid = message_id(m->dedup_key, m->from_addr);

	hdr_date(&b, m->date);
	hdr_mailbox(&b, "From", m->from_name, m->from_addr);
	hdr_mailbox(&b, "To", m->to_name, m->to_addr);
	if (m->cc_addr != NULL)
		hdr_mailbox(&b, "Cc", m->cc_name, m->cc_addr);
	if (m->reply_to_addr != NULL)
		hdr_mailbox(&b, "Reply-To", m->reply_to_name,
		    m->reply_to_addr);
	hdr_start(&h, &b, "Subject");
	hdr_text(&h, m->subject ? m->subject : "");
	hdr_end(&h);
	/* A msg-id cannot fold inside; a long domain moves it down a line. */
	buf_fmt(&b, "Message-ID:%s%s\r\n", strlen(mid) + 12 > MSG_LINE ?
	    "\r\n " : " ", mid);
	buf_str(&b, "MIME-Version: 1.0\r\n");
	/* RFC 3834: vacation responders must not answer a reminder. */
	buf_str(&b, "Auto-Submitted: auto-generated\r\n");
	/* Reminders carry no calendar (an imported copy would never follow
	 * a change; welcome.h gives the feed).  One text/plain part, or
	 * text and HTML as alternatives (the monthly report). */
	if (m->html == NULL) {
		buf_str(&b, "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		qp_body(&b, text, strlen(text));
		goto done;
	}
	/* "=_" never occurs in quoted-printable, so no body holds this. */
	msg_sha256_hex(mid, hex);
	snprintf(bound, sizeof(bound), "=_plc_%.24s", hex);
	/* Text first, HTML last: the richest alternative is last. */
	buf_fmt(&b, "Content-Type: multipart/alternative;\r\n "
	    "boundary=\"%s\"\r\n\r\n", bound);
	buf_fmt(&b, "--%s\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n\r\n", bound);
	qp_body(&b, text, strlen(text));
	buf_fmt(&b, "--%s\r\nContent-Type: text/html; charset=utf-8"
	    "\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
	    bound);
	qp_body(&b, m->html, strlen(m->html));
	buf_fmt(&b, "--%s--\r\n", bound);
done:
	free(mid);
	*out = b.s;
	*outlen = b.len;
	return 0;
}
