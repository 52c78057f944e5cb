/* Unit tests of message: headers, RFC 2047, folding, Message-ID, MIME parts
 * and refusal of anything that could inject a header. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

/* 2026-11-23 14:00:00 UTC, a Monday. */
#define T0	((time_t)1795442400)

static struct message
base_msg(void)
{
	struct message	m = { 0 };

	m.from_name = "PLC Cadence";
	m.from_addr = "plc@example.edu";
	m.to_name = "Bob Jones";
	m.to_addr = "bob@example.edu";
	m.subject = "Hello";
	m.date = T0;
	m.dedup_key = "math7:2026-11-24:bob:1d";
	m.text = "Hi Bob,\nsee you tomorrow.\n";
	return m;
}

static char *
build_ok(const struct message *m)
{
	char	*out = NULL, *err = NULL;
	size_t	 len = 0;

	if (message_build(m, &out, &len, &err) != 0)
		fail_msg("message_build: %s", err);
	assert_null(err);
	assert_int_equal(strlen(out), len);
	return out;
}

static char *
build_err(const struct message *m)
{
	char	*out = NULL, *err = NULL;
	size_t	 len = 0;

	assert_int_equal(message_build(m, &out, &len, &err), -1);
	assert_null(out);
	assert_non_null(err);
	return err;
}

/* Every line ends in CRLF; header lines stay under 77, body ones 998. */
static void
assert_lines(const char *s)
{
	const char	*p, *nl;
	int		 in_headers = 1;

	for (p = s; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(nl > p && nl[-1] == '\r');
		if (nl - p == 1)
			in_headers = 0;
		assert_true(nl - 1 - p <= (in_headers ? 76 : 998));
	}
}

/* The unfolded value of header name (the first one), allocated. */
static char *
header(const char *msg, const char *name)
{
	char		 key[64];
	const char	*p, *e;
	char		*v, *d;

	snprintf(key, sizeof(key), "\n%s:", name);
	if (strncmp(msg, key + 1, strlen(key + 1)) == 0)
		p = msg + strlen(key + 1);
	else {
		assert_non_null(p = strstr(msg, key));
		p += strlen(key);
	}
	for (e = p; !(e[0] == '\r' && e[1] == '\n' && e[2] != ' '); e++)
		;
	v = d = calloc(1, (size_t)(e - p) + 1);
	for (; p < e; p++)
		if (*p != '\r' && *p != '\n')
			*d++ = *p;
	return v;
}

static int
b64val(int c)
{
	const char	*tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char	*p = strchr(tab, c);

	return c && p ? (int)(p - tab) : -1;
}

/* Decode " =?UTF-8?B?…?=" words; check each is whole UTF-8. */
static char *
decode_words(const char *v)
{
	char		*out = calloc(1, strlen(v) + 1), *o = out;
	const char	*p = v, *e;
	unsigned	 acc = 0;
	int		 bits, x;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		p += 10;
		e = strstr(p, "?=");
		assert_non_null(e);
		/* A word never starts inside a character. */
		acc = 0;
		bits = 0;
		for (; p < e; p++) {
			if (*p == '=')
				continue;
			assert_true((x = b64val(*p)) >= 0);
			acc = (acc << 6) | (unsigned)x;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				*o++ = (char)((acc >> bits) & 0xff);
			}
		}
		p = e + 2;
	}
	return out;
}

static void
test_headers(void **state)
{
	struct message	 m = base_msg();
	char		*s = build_ok(&m), *v;

	(void)state;
	assert_lines(s);
	assert_true(strncmp(s, "Date: Mon, 23 Nov 2026 14:00:00 +0000\r\n",
	    39) == 0);
	assert_non_null(strstr(s, "\r\nFrom: PLC Cadence <plc@example.edu>\r\n"));
	assert_non_null(strstr(s, "\r\nTo: Bob Jones <bob@example.edu>\r\n"));
	assert_non_null(strstr(s, "\r\nSubject: Hello\r\n"));
	assert_non_null(strstr(s, "\r\nMIME-Version: 1.0\r\n"));
	assert_non_null(strstr(s, "\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
	    "\r\nHi Bob,\r\nsee you tomorrow.\r\n"));
	assert_null(strstr(s, "multipart"));
	v = header(s, "Message-ID");
	assert_int_equal(strlen(v), 1 + 1 + 32 + 1 + 11 + 1);
	assert_true(v[1] == '<' && strcmp(v + 34, "@example.edu>") == 0);
	free(v);
	free(s);
	/* No display name: the bare address. */
	m.to_name = NULL;
	s = build_ok(&m);
	assert_non_null(strstr(s, "\r\nTo: bob@example.edu\r\n"));
	free(s);
}

static void
test_message_id_stable(void **state)
{
	struct message	 m = base_msg();
	char		*a, *b, *c, *ia, *ib, *ic;

	(void)state;
	a = build_ok(&m);
	m.date += 3600;		/* a retry an hour later */
	m.subject = "Hello again";
	b = build_ok(&m);
	m.dedup_key = "math7:2026-11-24:bob:1h";
	c = build_ok(&m);
	ia = header(a, "Message-ID");
	ib = header(b, "Message-ID");
	ic = header(c, "Message-ID");
	assert_string_equal(ia, ib);
	assert_string_not_equal(ia, ic);
	free(ia);
	ia = message_id("math7:2026-11-24:bob:1d", "plc@example.edu");
	assert_string_equal(ia, ib + 1);
	free(ia); free(ib); free(ic);
	free(a); free(b); free(c);
}

static void
test_subject_encoded(void **state)
{
	struct message	 m = base_msg();
	char		*s, *v, *d;

	(void)state;
	m.subject = "Caf\xc3\xa9";
	s = build_ok(&m);
	assert_non_null(strstr(s, "\r\nSubject: =?UTF-8?B?Q2Fmw6k=?=\r\n"));
	free(s);
	/* "=?" in plain ASCII would be read as an encoded-word: encode it. */
	m.subject = "=?UTF-8?B?ZXZpbA==?=";
	s = build_ok(&m);
	v = header(s, "Subject");
	d = decode_words(v);
	assert_string_equal(d, "=?UTF-8?B?ZXZpbA==?=");
	free(d); free(v); free(s);
}

/* A long subject of 2- and 3-byte characters folds into whole-character
 * encoded-words that decode to the original. */
static void
test_subject_folding_utf8(void **state)
{
	struct message	 m = base_msg();
	char		 subj[600], *s, *v, *d, *w;
	size_t		 i;

	(void)state;
	subj[0] = '\0';
	for (i = 0; i < 40; i++)
		strcat(subj, i % 3 ? "\xc3\xa9" : "a\xe2\x82\xac");
	m.subject = subj;
	s = build_ok(&m);
	assert_lines(s);
	v = header(s, "Subject");
	assert_non_null(strstr(v, "?= =?UTF-8?B?"));	/* several words */
	d = decode_words(v);
	assert_string_equal(d, subj);
	/* Each word alone is whole UTF-8: it never starts mid-character. */
	for (w = strstr(v, "=?UTF-8?B?"); w; w = strstr(w + 1, "=?UTF-8?B?")) {
		char one[80], *dw;

		snprintf(one, sizeof(one), "%.*s", (int)(strstr(w, "?=") + 2 - w),
		    w);
		dw = decode_words(one);
		assert_true(((unsigned char)dw[0] & 0xc0) != 0x80);
		free(dw);
	}
	free(d); free(v); free(s);
}

static void
test_subject_folding_ascii(void **state)
{
	struct message	 m = base_msg();
	char		 subj[400], *s, *v;
	size_t		 i;

	(void)state;
	subj[0] = '\0';
	for (i = 0; i < 30; i++)
		strcat(subj, i ? " meeting" : "meeting");
	m.subject = subj;
	s = build_ok(&m);
	assert_lines(s);
	assert_non_null(strstr(s, "\r\n meeting"));	/* folded */
	v = header(s, "Subject");
	assert_string_equal(v + 1, subj);
	free(v); free(s);
}

static void
test_display_names(void **state)
{
	struct message	 m = base_msg();
	char		*s, *v, *d;

	(void)state;
	m.to_name = "Jones, Bob";
	s = build_ok(&m);
	assert_non_null(strstr(s, "\r\nTo: \"Jones, Bob\" <bob@example.edu>\r\n"));
	free(s);
	/* A quote cannot end the quoted-string and add an address. */
	m.to_name = "Bob\" <evil@x.edu>, \"x";
	s = build_ok(&m);
	assert_non_null(strstr(s, "\r\nTo: \"Bob\\\" <evil@x.edu>, \\\"x\" "
	    "<bob@example.edu>\r\n"));
	free(s);
	m.to_name = "Zo\xc3\xab Ng";
	s = build_ok(&m);
	v = header(s, "To");
	assert_non_null(strstr(v, "=?UTF-8?B?"));
	assert_non_null(strstr(v, "?= <bob@example.edu>"));
	d = decode_words(v);
	assert_string_equal(d, "Zo\xc3\xab Ng");
	free(d); free(v); free(s);
}

static void
test_injection_refused(void **state)
{
	struct message	 m;
	char		*err;

	(void)state;
	m = base_msg();
	m.subject = "Hi\r\nBcc: evil@x.edu";
	err = build_err(&m);
	assert_non_null(strstr(err, "subject"));
	free(err);
	m = base_msg();
	m.subject = "Hi\nBcc: evil@x.edu";
	free(build_err(&m));
	m = base_msg();
	m.to_name = "Bob\r\nBcc: evil@x.edu";
	err = build_err(&m);
	assert_non_null(strstr(err, "to name"));
	free(err);
	m = base_msg();
	m.from_name = "PLC\rX";
	err = build_err(&m);
	assert_non_null(strstr(err, "from name"));
	free(err);
	m = base_msg();
	m.to_addr = "bob@x.edu\r\nRCPT TO:<evil@x.edu>";
	err = build_err(&m);
	assert_non_null(strstr(err, "to address"));
	free(err);
	m = base_msg();
	m.from_addr = "plc@example.edu>\r\nBcc: <evil@x.edu";
	err = build_err(&m);
	assert_non_null(strstr(err, "from address"));
	free(err);
	m = base_msg();
	m.dedup_key = "";
	free(build_err(&m));
}

/* Reply-To and Cc go through the same checked, encoded path as To. */
static void
test_reply_to_cc(void **state)
{
	struct message	 m = base_msg();
	char		*s, *err, *v;

	(void)state;
	s = build_ok(&m);
	assert_null(strstr(s, "\r\nReply-To:"));
	assert_null(strstr(s, "\r\nCc:"));
	free(s);
	m.reply_to_name = "Alice Smith";
	m.reply_to_addr = "alice@example.edu";
	m.cc_name = "Zoë Ärger";
	m.cc_addr = "zoe@example.edu";
	s = build_ok(&m);
	assert_lines(s);
	assert_non_null(strstr(s, "\r\nReply-To: Alice Smith "
	    "<alice@example.edu>\r\n"));
	err = header(s, "Cc");
	assert_non_null(strstr(err, "<zoe@example.edu>"));
	v = decode_words(err);
	assert_string_equal(v, "Zoë Ärger");
	free(v);
	free(err);
	free(s);
	m = base_msg();
	m.reply_to_addr = "alice@x.edu\r\nBcc: evil@x.edu";
	err = build_err(&m);
	assert_non_null(strstr(err, "reply-to address"));
	free(err);
	m = base_msg();
	m.reply_to_addr = "alice@x.edu";
	m.reply_to_name = "Alice\nBcc: evil@x.edu";
	err = build_err(&m);
	assert_non_null(strstr(err, "reply-to name"));
	free(err);
	m = base_msg();
	m.cc_addr = "bob@x.edu>, <evil@x.edu";
	err = build_err(&m);
	assert_non_null(strstr(err, "cc address"));
	free(err);
	m = base_msg();
	m.cc_addr = "bob@x.edu";
	m.cc_name = "Bob\rX";
	err = build_err(&m);
	assert_non_null(strstr(err, "cc name"));
	free(err);
}

static void
test_address_valid(void **state)
{
	static const char *const good[] = { "bob@example.edu",
	    "b.o+b_1@mail.example-school.k12.us", "x@y" };
	static const char *const bad[] = { "", "bob", "@x.edu", "bob@",
	    "bob@@x.edu", "bob@x@x.edu", "bob @x.edu", "bob@x.edu ",
	    "<bob@x.edu>", "bob@x.edu,evil@x.edu", "bob@x.edu\r\n",
	    "bob@x.edu\nRCPT TO:<e@x>", ".bob@x.edu", "bob.@x.edu",
	    "b..ob@x.edu", "bob@-x.edu", "bob@x..edu", "bob@x.edu.",
	    "\"bob\"@x.edu", "b\xc3\xb6" "b@x.edu", "bob@x_y.edu",
	    "bob@x.edu\tx" };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(message_address_valid(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (message_address_valid(bad[i]))
			fail_msg("'%s' passed", bad[i]);
	assert_false(message_address_valid(NULL));
}

static void
test_body_quoted_printable(void **state)
{
	struct message	 m = base_msg();
	char		 body[400], *s;
	size_t		 i;

	(void)state;
	for (i = 0; i < 200; i++)
		body[i] = 'x';
	strcpy(body + 200, "\n.dot a=b trailing \nZo\xc3\xab\n");
	m.text = body;
	s = build_ok(&m);
	assert_lines(s);
	assert_non_null(strstr(s, "=\r\nxxx"));		/* soft breaks */
	assert_non_null(strstr(s, "\r\n=2Edot a=3Db trailing=20\r\n"));
	assert_non_null(strstr(s, "\r\nZo=C3=AB\r\n"));
	free(s);
}

/* A message is one text/plain part: no multipart, no calendar part. */
static void
test_text_only(void **state)
{
	struct message	 m = base_msg();
	char		*s;

	(void)state;
	s = build_ok(&m);
	assert_lines(s);
	assert_non_null(strstr(s, "\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
	    "\r\n\r\n"));
	assert_null(strstr(s, "multipart"));
	assert_null(strstr(s, "text/calendar"));
	assert_null(strstr(s, "Content-Disposition"));
	free(s);
}

/* Branch report: text and HTML as multipart/alternative, the HTML last
 * (the richest alternative), both quoted-printable. */
static void
test_html_alternative(void **state)
{
	struct message	 m = base_msg();
	char		*s, *b, *t, *h, bound[80];

	(void)state;
	m.text = "Report\n";
	m.html = "<table><tr><td style=\"padding:4px\">3</td></tr></table>\n";
	s = build_ok(&m);
	assert_lines(s);
	assert_non_null(b = strstr(s, "Content-Type: multipart/alternative;"
	    "\r\n boundary=\""));
	b = strchr(b, '"') + 1;
	snprintf(bound, sizeof(bound), "\r\n--%.*s\r\n",
	    (int)(strchr(b, '"') - b), b);
	assert_non_null(t = strstr(s, "Content-Type: text/plain; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"));
	assert_non_null(h = strstr(s, "Content-Type: text/html; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"));
	assert_true(t < h);
	assert_non_null(strstr(h, "<td style=3D\"padding:4px\">3</td>"));
	bound[strlen(bound) - 2] = '\0';
	strcat(bound, "--\r\n");
	assert_string_equal(s + strlen(s) - strlen(bound), bound);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_message_id_stable),
		cmocka_unit_test(test_subject_encoded),
		cmocka_unit_test(test_subject_folding_utf8),
		cmocka_unit_test(test_subject_folding_ascii),
		cmocka_unit_test(test_display_names),
		cmocka_unit_test(test_injection_refused),
		cmocka_unit_test(test_reply_to_cc),
		cmocka_unit_test(test_address_valid),
		cmocka_unit_test(test_body_quoted_printable),
		cmocka_unit_test(test_text_only),
		cmocka_unit_test(test_html_alternative),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
