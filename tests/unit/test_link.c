/* link: signed item links and the key file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "civil.h"
#include "link.h"
#include "xmalloc.h"

static const unsigned char key[] = "0123456789abcdef-test-key";
#define KLEN	(sizeof(key) - 1)
#define NOW	((time_t)1795000000)
/* Check a token with this file's key, into the caller's id and opened. */
#define CHECK(t, now)	link_check(key, KLEN, (t), (now), &id, &opened)

static void
test_roundtrip(void **state)
{
	char	*tok;
	int64_t	 id = -1;
	time_t	 opened = 0;

	(void)state;
	tok = link_make(key, KLEN, 42, NOW - 60, NOW + LINK_LIFETIME);
	assert_int_equal(CHECK(tok, NOW), LINK_OK);
	assert_int_equal(id, 42);
	assert_int_equal(opened, NOW - 60);
	/* URL-safe: nothing that needs escaping in a path. */
	assert_int_equal(strspn(tok, "0123456789-_abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), strlen(tok));
	/* Expired: at and after the expiry. */
	assert_int_equal(CHECK(tok, NOW + LINK_LIFETIME),
	    LINK_EXPIRED);
	free(tok);
}

static void
test_refused(void **state)
{
	char	*tok, *other, *bad;
	int64_t	 id = -1;
	time_t	 opened = 0;
	size_t	 n;

	(void)state;
	tok = link_make(key, KLEN, 42, NOW - 60, NOW + 3600);
	/* Another item, same MAC: the MAC covers the item. */
	other = xasprintf("43%s", tok + 2);
	assert_int_equal(CHECK(other, NOW), LINK_FORGED);
	free(other);
	/* A later opening, same MAC: the MAC covers when it was opened. */
	bad = xstrdup(tok);
	bad[strchr(bad, '-') - bad + 1] = '9';
	assert_int_equal(CHECK(bad, NOW), LINK_FORGED);
	/* A later expiry, same MAC. */
	strcpy(bad, tok);
	bad[strchr(strchr(bad, '-') + 1, '-') - bad + 1] = '9';
	assert_int_equal(CHECK(bad, NOW), LINK_FORGED);
	/* One flipped MAC character. */
	strcpy(bad, tok);
	n = strlen(bad);
	bad[n - 1] = bad[n - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(CHECK(bad, NOW), LINK_FORGED);
	free(bad);
	/* Another key. */
	assert_int_equal(link_check((const unsigned char *)"another key of "
	    "length", 21, tok, NOW, &id, &opened), LINK_FORGED);
	/* Malformed. */
	assert_int_equal(CHECK("", NOW), LINK_MALFORMED);
	assert_int_equal(CHECK("42", NOW), LINK_MALFORMED);
	assert_int_equal(CHECK("42-1-x", NOW),
	    LINK_MALFORMED);
	assert_int_equal(CHECK("-42-1795003600-"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NOW),
	    LINK_MALFORMED);
	assert_int_equal(CHECK("042-1795003600-"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NOW),
	    LINK_MALFORMED);
	assert_int_equal(id, -1);
	free(tok);
}

/* A link of the first format, "ITEM-EXPIRES-MAC", made as the worker
 * made them before links named when their item was opened. */
static char *
v1_link(int64_t id, time_t expires)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-_";
	unsigned char	 mac[32];
	unsigned int	 n = 0, i, v;
	char		*what, *msg, out[44], *tok;
	size_t		 k = 0;

	what = xasprintf("%lld-%lld", (long long)id, (long long)expires);
	msg = xasprintf("plc-cadence link v1:%s", what);
	HMAC(EVP_sha256(), key, (int)KLEN, (const unsigned char *)msg,
	    strlen(msg), mac, &n);
	assert_int_equal(n, 32);
	for (i = 0; i + 2 < 32; i += 3) {
		v = (unsigned)mac[i] << 16 | (unsigned)mac[i + 1] << 8 |
		    mac[i + 2];
		out[k++] = b64[v >> 18 & 63];
		out[k++] = b64[v >> 12 & 63];
		out[k++] = b64[v >> 6 & 63];
		out[k++] = b64[v & 63];
	}
	v = (unsigned)mac[30] << 16 | (unsigned)mac[31] << 8;
	out[k++] = b64[v >> 18 & 63];
	out[k++] = b64[v >> 12 & 63];
	out[k++] = b64[v >> 6 & 63];
	out[k] = '\0';
	tok = xasprintf("%s-%s", what, out);
	free(what);
	free(msg);
	return tok;
}

/*
 * A link holds for the item as it was when the link was made: made before
 * a reopening, it is stale; made after, it holds.  A link of the first
 * format (sent before links named the moment) counts as made at creation.
 */
static void
test_reopen(void **state)
{
	time_t	 created = NOW - CIVIL_DAY, reopened = NOW - 600, opened = 0;
	int64_t	 id = -1;
	char	*tok;

	(void)state;
	tok = link_make(key, KLEN, 7, created, NOW + 3600);
	assert_int_equal(CHECK(tok, NOW),
	    LINK_OK);
	assert_int_equal(opened, created);
	/* Never reopened: good. */
	assert_int_equal(link_current(opened, created, created), LINK_OK);
	/* Reopened since: stale, however long it has left. */
	assert_int_equal(link_current(opened, created, reopened), LINK_STALE);
	free(tok);
	/* Made after the reopening: good. */
	tok = link_make(key, KLEN, 7, reopened, NOW + 3600);
	assert_int_equal(CHECK(tok, NOW),
	    LINK_OK);
	assert_int_equal(link_current(opened, created, reopened), LINK_OK);
	free(tok);
	/* The first format: checked as before, named no moment. */
	tok = v1_link(7, NOW + 3600);
	assert_int_equal(CHECK(tok, NOW),
	    LINK_OK);
	assert_int_equal(id, 7);
	assert_int_equal(opened, LINK_OPENED_NONE);
	assert_int_equal(link_current(opened, created, created), LINK_OK);
	assert_int_equal(link_current(opened, created, reopened), LINK_STALE);
	assert_int_equal(CHECK(tok, NOW + 3600),
	    LINK_EXPIRED);
	/* Its MAC is no MAC of the second format, nor the other way. */
	free(tok);
	tok = v1_link(7, NOW + 3600);
	{
		char *moved = xasprintf("7-%lld-%s", (long long)created,
		    strchr(tok, '-') + 1);

		assert_int_equal(link_check(key, KLEN, moved, NOW, &id,
		    &opened), LINK_FORGED);
		free(moved);
	}
	free(tok);
}

static void
test_key_file(void **state)
{
	char		 dir[] = "/tmp/plc-link.XXXXXX", *path, *p2;
	unsigned char	*k1 = NULL, *k2 = NULL;
	size_t		 n1 = 0, n2 = 0;
	struct stat	 sb;
	char		*err = NULL;
	FILE		*f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/%s", dir, LINK_FILE);
	/* Made on first use, mode 0600, and the same afterwards. */
	assert_int_equal(link_key_load(dir, NULL, &k1, &n1, &err), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(n1, 64);
	assert_int_equal(link_key_load(dir, NULL, &k2, &n2, &err), 0);
	assert_int_equal(n2, n1);
	assert_memory_equal(k1, k2, n1);
	free(k2);
	/* The config's secret wins. */
	assert_int_equal(link_key_load(dir, "configured-secret-123", &k2, &n2,
	    &err), 0);
	assert_int_equal(n2, 21);
	assert_memory_equal(k2, "configured-secret-123", 21);
	free(k2);
	/* A key others can read is refused, and named. */
	chmod(path, 0644);
	assert_int_equal(link_key_load(dir, NULL, &k2, &n2, &err), -1);
	assert_non_null(strstr(err, path));
	free(err);
	err = NULL;
	/* So is one too short to be a secret. */
	p2 = xasprintf("%s/short", dir);
	mkdir(p2, 0700);
	free(path);
	path = xasprintf("%s/%s", p2, LINK_FILE);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("short\n", f);
	fclose(f);
	chmod(path, 0600);
	assert_int_equal(link_key_load(p2, NULL, &k2, &n2, &err), -1);
	assert_non_null(strstr(err, "at least"));
	free(err);
	unlink(path);
	rmdir(p2);
	free(p2);
	free(path);
	path = xasprintf("%s/%s", dir, LINK_FILE);
	unlink(path);
	rmdir(dir);
	free(path);
	free(k1);
}

/* Every kind round-trips; none verifies as another or as a done link. */
static void
test_kinds(void **state)
{
	static const char *subj[] = { "42.1795000000", "math7.2026-12-08.bob",
	    "math7.2026-12-08.2026-12-09.1600", "math7.2026-12-08", "math7" };
	enum link_kind	 k, j, got;
	char		*tok, *other, *s = NULL;
	int64_t		 id = -1;
	time_t		 opened = 0;

	(void)state;
	for (k = LINK_DONE; k <= LINK_REPORT; k++) {
		tok = link_make_kind(key, KLEN, k, subj[k], NOW + 60);
		assert_int_equal(link_check_kind(key, KLEN, tok, NOW, &got,
		    &s), LINK_OK);
		assert_int_equal(got, k);
		assert_string_equal(s, subj[k]);
		free(s);
		assert_int_equal(strspn(tok, "0123456789-_.abcdefghijklmnopqrs"
		    "tuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), strlen(tok));
		/* The same subject and MAC under every other kind's letter. */
		for (j = LINK_DONE; j <= LINK_REPORT; j++) {
			if (j == k)
				continue;
			other = xstrdup(tok);
			other[0] = "dvmar"[j];
			assert_int_equal(link_check_kind(key, KLEN, other, NOW,
			    &got, &s), LINK_FORGED);
			assert_null(s);
			free(other);
		}
		/* Not a done link of the older formats either. */
		assert_int_not_equal(CHECK(tok, NOW), LINK_OK);
		assert_int_equal(link_check_kind(key, KLEN, tok, NOW + 60,
		    &got, &s), LINK_EXPIRED);
		/* Another member, same MAC. */
		other = xstrdup(tok);
		other[2] = other[2] == 'm' ? 'n' : 'm';
		assert_int_equal(link_check_kind(key, KLEN, other, NOW, &got,
		    &s), LINK_FORGED);
		free(other);
		/* A later expiry, same MAC. */
		other = xstrdup(tok);
		other[strlen(tok) - 44 - 1]++;
		assert_int_equal(link_check_kind(key, KLEN, other, NOW, &got,
		    &s), LINK_FORGED);
		free(other);
		free(tok);
	}
	/* A done link of the second format still reads as one. */
	tok = link_make(key, KLEN, 42, NOW - 60, NOW + 60);
	assert_int_equal(link_check_kind(key, KLEN, tok, NOW, &got, &s),
	    LINK_OK);
	assert_int_equal(got, LINK_DONE);
	assert_string_equal(s, "42.1794999940");
	free(s);
	free(tok);
	/* Garbage. */
	assert_int_equal(link_check_kind(key, KLEN, "", NOW, &got, &s),
	    LINK_MALFORMED);
	assert_int_equal(link_check_kind(key, KLEN, "v.a.1.", NOW, &got, &s),
	    LINK_MALFORMED);
	assert_int_equal(link_check_kind(key, KLEN, "x.math7.2026-12-08.bob."
	    "1795000060.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NOW, &got,
	    &s), LINK_MALFORMED);
	assert_int_equal(link_check_kind(key, KLEN, "v.ma th7.1795000060."
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NOW, &got, &s),
	    LINK_MALFORMED);
	assert_int_equal(link_check_kind(key, KLEN, "v..1795000060."
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NOW, &got, &s),
	    LINK_MALFORMED);
	assert_int_equal(link_check_kind(key, KLEN, "v.math7.1795000060."
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NOW, &got, &s),
	    LINK_FORGED);
	assert_false(link_subject_valid("a b"));
	assert_false(link_subject_valid(""));
	assert_true(link_subject_valid("math7.2026-12-08.bob"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
