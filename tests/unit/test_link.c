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

#include "link.h"
#include "xmalloc.h"

static const unsigned char key[] = "0123456789abcdef-test-key";
#define KLEN	(sizeof(key) - 1)
#define NOW	((time_t)1795000000)

static void
test_roundtrip(void **state)
{
	char	*tok;
	int64_t	 id = -1;

	(void)state;
	tok = link_make(key, KLEN, 42, NOW + LINK_LIFETIME);
	assert_int_equal(link_check(key, KLEN, tok, NOW, &id), LINK_OK);
	assert_int_equal(id, 42);
	/* URL-safe: nothing that needs escaping in a path. */
	assert_int_equal(strspn(tok, "0123456789-_abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), strlen(tok));
	/* Expired: at and after the expiry. */
	assert_int_equal(link_check(key, KLEN, tok, NOW + LINK_LIFETIME, &id),
	    LINK_EXPIRED);
	free(tok);
}

static void
test_refused(void **state)
{
	char	*tok, *other, *bad;
	int64_t	 id = -1;
	size_t	 n;

	(void)state;
	tok = link_make(key, KLEN, 42, NOW + 3600);
	/* Another item, same MAC: the MAC covers the item. */
	other = xasprintf("43%s", tok + 2);
	assert_int_equal(link_check(key, KLEN, other, NOW, &id), LINK_FORGED);
	free(other);
	/* A later expiry, same MAC. */
	bad = xstrdup(tok);
	bad[strchr(bad, '-') - bad + 1] = '9';
	assert_int_equal(link_check(key, KLEN, bad, NOW, &id), LINK_FORGED);
	/* One flipped MAC character. */
	strcpy(bad, tok);
	n = strlen(bad);
	bad[n - 1] = bad[n - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(link_check(key, KLEN, bad, NOW, &id), LINK_FORGED);
	free(bad);
	/* Another key. */
	assert_int_equal(link_check((const unsigned char *)"another key of "
	    "length", 21, tok, NOW, &id), LINK_FORGED);
	/* Malformed. */
	assert_int_equal(link_check(key, KLEN, "", NOW, &id), LINK_MALFORMED);
	assert_int_equal(link_check(key, KLEN, "42", NOW, &id), LINK_MALFORMED);
	assert_int_equal(link_check(key, KLEN, "42-1-x", NOW, &id),
	    LINK_MALFORMED);
	assert_int_equal(link_check(key, KLEN, "-42-1795003600-"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NOW, &id),
	    LINK_MALFORMED);
	assert_int_equal(link_check(key, KLEN, "042-1795003600-"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NOW, &id),
	    LINK_MALFORMED);
	assert_int_equal(id, -1);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_key_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
