/* Unit tests of the block cache: exact keys, the sweep that bounds it, and
 * key building that no value can make look like another. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rcache.h"
#include "xmalloc.h"

static const struct rcache_entry *
get(struct rcache *rc, const char *key)
{
	return rcache_get(rc, key, strlen(key));
}

static void
put(struct rcache *rc, const char *key, const char *text)
{
	int	meta[4] = { 1, 2026, 2027, 0 };

	rcache_put(rc, key, strlen(key), text, strlen(text), meta);
}

/* What is put is found by the same bytes only, with its text and meta. */
static void
test_exact_keys(void **state)
{
	struct rcache			*rc = rcache_new();
	const struct rcache_entry	*e;

	put(rc, "series a", "BEGIN:VEVENT\r\nEND:VEVENT\r\n");
	assert_null(get(rc, "series b"));
	assert_null(get(rc, "series a "));
	assert_null(rcache_get(rc, "series a", 7));
	assert_non_null(e = get(rc, "series a"));
	assert_string_equal(e->text, "BEGIN:VEVENT\r\nEND:VEVENT\r\n");
	assert_int_equal(e->len, 26);
	assert_int_equal(e->meta[1], 2026);
	/* The same key again replaces the text. */
	put(rc, "series a", "other");
	assert_string_equal(get(rc, "series a")->text, "other");
	assert_int_equal(rcache_count(rc), 1);
	rcache_free(rc);
	rcache_free(NULL);
}

/* A sweep drops what was not used since the last one, and only that; the
 * table keeps working (probing past the holes) after thousands go. */
static void
test_sweep_bounds(void **state)
{
	struct rcache	*rc = rcache_new();
	char		 key[32];
	int		 i;

	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		put(rc, key, key);
	}
	assert_int_equal(rcache_count(rc), 5000);
	assert_int_equal(rcache_sweep(rc), 0);	/* all used in this pass */
	for (i = 0; i < 5000; i += 10) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_non_null(get(rc, key));
	}
	assert_int_equal(rcache_sweep(rc), 4500);
	assert_int_equal(rcache_count(rc), 500);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if (i % 10 == 0)
			assert_string_equal(get(rc, key)->text, key);
		else
			assert_null(get(rc, key));
	}
	/* The checks above used them: kept once more, then, unused since,
	 * dropped. */
	assert_int_equal(rcache_sweep(rc), 0);
	assert_int_equal(rcache_sweep(rc), 500);
	assert_int_equal(rcache_sweep(rc), 0);
	assert_int_equal(rcache_count(rc), 0);
	assert_int_equal(rcache_bytes(rc), 0);
	put(rc, "again", "x");
	assert_non_null(get(rc, "again"));
	rcache_free(rc);
}

static struct xbuf
key2(const char *a, const char *b)
{
	struct xbuf	k = { NULL, 0, 0 };

	rcache_key_str(&k, a);
	rcache_key_str(&k, b);
	return k;
}

/* Keys hold raw bytes (NULs too): equal when their lengths and bytes are. */
static bool
key_same(const struct xbuf *x, const struct xbuf *y)
{
	return x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
}

/* Fields are tagged and length-prefixed: shifting bytes from one to the
 * next, or a NULL for an empty string, gives another key. */
static void
test_keys_cannot_collide(void **state)
{
	struct xbuf	 k = { NULL, 0, 0 }, l = { NULL, 0, 0 };
	struct xbuf	 a = key2("ab", "c"), b = key2("a", "bc");
	struct xbuf	 c = key2(NULL, "x"), d = key2("", "x");
	struct xbuf	 e = key2("1:a;", NULL), f = key2("1", "a");
	struct xbuf	 g = key2("ab", "c");
	struct xbuf	 r = { NULL, 0, 0 }, s = { NULL, 0, 0 };
	int		 v[2] = { 1, 2 };

	(void)state;
	assert_false(key_same(&a, &b));
	assert_false(key_same(&c, &d));
	assert_false(key_same(&e, &f));
	assert_true(key_same(&a, &g));
	rcache_key_int(&k, -12);
	rcache_key_int(&l, 12);
	assert_false(key_same(&k, &l));
	free(k.s);
	k.s = NULL;
	k.len = k.cap = 0;
	/* Every integer takes the same room: the tag and 8 bytes. */
	rcache_key_int(&k, (long long)-9223372036854775807LL - 1);
	assert_int_equal(k.len, 9);
	/* Raw bytes are length-prefixed: one array of two differs from two
	 * arrays of one. */
	rcache_key_raw(&r, v, sizeof(v));
	rcache_key_raw(&s, v, sizeof(v[0]));
	rcache_key_raw(&s, v + 1, sizeof(v[1]));
	assert_false(key_same(&r, &s));
	free(a.s);
	free(b.s);
	free(c.s);
	free(d.s);
	free(e.s);
	free(f.s);
	free(g.s);
	free(k.s);
	free(l.s);
	free(r.s);
	free(s.s);
}

/*
 * A sweep takes out what went unused without breaking the probe chains of
 * what stays: over many rounds of a small, half-full table (runs of
 * neighbours, some wrapping past its end), each a random half of the keys
 * used and some new ones added, every kept key is found, every dropped one
 * is not, and the count follows.  The rounds are bounded.
 */
static void
test_sweep_keeps_chains(void **state)
{
	struct rcache	*rc = rcache_new();
	char		 key[32];
	bool		 live[400];
	unsigned	 seed = 12345;
	size_t		 nlive = 0, i, round;
	const struct rcache_entry	*e;

	memset(live, 0, sizeof(live));
	for (round = 0; round < 300; round++) {
		/* Use about half of what lives, add a few, leave the rest. */
		for (i = 0; i < 400; i++) {
			seed = seed * 1103515245 + 12345;
			snprintf(key, sizeof(key), "key %zu", i);
			if (live[i] && (seed >> 16) % 2 == 0) {
				assert_non_null(get(rc, key));
			} else if (live[i]) {
				live[i] = false;
				nlive--;
			} else if (nlive < 120 && (seed >> 16) % 5 == 0) {
				put(rc, key, key);
				live[i] = true;
				nlive++;
			}
		}
		rcache_sweep(rc);
		assert_int_equal(rcache_count(rc), nlive);
		for (i = 0; i < 400; i++) {
			snprintf(key, sizeof(key), "key %zu", i);
			if (live[i]) {
				assert_non_null(e = get(rc, key));
				assert_string_equal(e->text, key);
			} else
				assert_null(get(rc, key));
		}
		/* The checks used every key kept: a pass of its own. */
		assert_int_equal(rcache_sweep(rc), 0);
	}
	rcache_free(rc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_keys),
		cmocka_unit_test(test_sweep_bounds),
		cmocka_unit_test(test_keys_cannot_collide),
		cmocka_unit_test(test_sweep_keeps_chains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
