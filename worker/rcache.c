/* rcache: rendered blocks by the exact bytes of their inputs (rcache.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rcache.h"
#include "xmalloc.h"

/* One allocation: the node, then its text and key, each NUL-ended. */
struct rcache_node {
	struct rcache_entry	 e;
	uint64_t		 hash;
	const char		*key;
	size_t			 klen;
	uint64_t		 used;	/* the sweep round of the last use */
};

struct rcache {
	struct rcache_node	**slot;		/* open addressing */
	size_t			  mask, n, bytes;
	uint64_t		  round;
};

/* FNV-1a over 8 bytes at a time: keys are a few hundred bytes, and equal
 * hashes are checked by comparing whole keys anyway. */
static uint64_t
rcache_hash(const char *key, size_t klen)
{
	uint64_t	h = 0xcbf29ce484222325ULL, w;
	size_t		i = 0;

	for (; i + 8 <= klen; i += 8) {
		memcpy(&w, key + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < klen; i++)
		h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
	h ^= h >> 32;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

struct rcache *
rcache_new(void)
{
	struct rcache	*rc = xcalloc(1, sizeof(*rc));

	rc->slot = xcalloc(256, sizeof(*rc->slot));
	rc->mask = 255;
	return rc;
}

static void
rcache_node_free(struct rcache_node *nd)
{
	free(nd);
}

void
rcache_free(struct rcache *rc)
{
	size_t	i;

	if (rc == NULL)
		return;
	for (i = 0; i <= rc->mask; i++)
		if (rc->slot[i] != NULL)
			rcache_node_free(rc->slot[i]);
	free(rc->slot);
	free(rc);
}

/* The slot holding key, or the empty one where it would go. */
static size_t
rcache_find(const struct rcache *rc, uint64_t h, const char *key,
    size_t klen)
{
	struct rcache_node	*nd;
	size_t			 i;

	for (i = (size_t)h & rc->mask; (nd = rc->slot[i]) != NULL;
	    i = (i + 1) & rc->mask)
		if (nd->hash == h && nd->klen == klen &&
		    memcmp(nd->key, key, klen) == 0)
			break;
	return i;
}

/* Rebuild the table at size (a power of two) from the nodes kept. */
static void
rcache_rehash(struct rcache *rc, size_t size)
{
	struct rcache_node	**old = rc->slot;
	size_t			  n = rc->mask + 1, i, j;

	rc->slot = xcalloc(size, sizeof(*rc->slot));
	rc->mask = size - 1;
	for (i = 0; i < n; i++) {
		if (old[i] == NULL)
			continue;
		for (j = (size_t)old[i]->hash & rc->mask; rc->slot[j] != NULL;
		    j = (j + 1) & rc->mask)
			;
		rc->slot[j] = old[i];
	}
	free(old);
}

const struct rcache_entry *
rcache_get(struct rcache *rc, const char *key, size_t klen)
{
	struct rcache_node	*nd;

	nd = rc->slot[rcache_find(rc, rcache_hash(key, klen), key, klen)];
	if (nd == NULL)
		return NULL;
	nd->used = rc->round;
	return &nd->e;
}

const struct rcache_entry *
rcache_put(struct rcache *rc, const char *key, size_t klen, const char *text,
    size_t len, const int *meta)
{
	struct rcache_node	*nd;
	uint64_t		 h = rcache_hash(key, klen);
	size_t			 i;
	char			*t;

	/* At most half full, so that probes stay short. */
	if (2 * (rc->n + 1) > rc->mask + 1)
		rcache_rehash(rc, 2 * (rc->mask + 1));
	i = rcache_find(rc, h, key, klen);
	if ((nd = rc->slot[i]) != NULL) {
		rc->bytes -= nd->klen + nd->e.len;
		rcache_node_free(nd);
		rc->n--;
	}
	nd = xmalloc(sizeof(*nd) + len + 1 + klen + 1);
	t = (char *)(nd + 1);
	memcpy(t, text, len);
	t[len] = '\0';
	memcpy(t + len + 1, key, klen);
	t[len + 1 + klen] = '\0';
	nd->e.text = t;
	nd->e.len = len;
	memset(nd->e.meta, 0, sizeof(nd->e.meta));
	if (meta != NULL)
		memcpy(nd->e.meta, meta, sizeof(nd->e.meta));
	nd->hash = h;
	nd->key = t + len + 1;
	nd->klen = klen;
	nd->used = rc->round;
	rc->slot[i] = nd;
	rc->n++;
	rc->bytes += klen + len;
	return &nd->e;
}

size_t
rcache_sweep(struct rcache *rc)
{
	struct rcache_node	*nd;
	size_t			 i, dropped = 0, size;

	for (i = 0; i <= rc->mask; i++) {
		if ((nd = rc->slot[i]) == NULL || nd->used == rc->round)
			continue;
		rc->bytes -= nd->klen + nd->e.len;
		rcache_node_free(nd);
		rc->slot[i] = NULL;
		rc->n--;
		dropped++;
	}
	rc->round++;
	/* Holes break the probe chains: rebuild, smaller when most went. */
	if (dropped > 0) {
		for (size = 256; size < 2 * rc->n + 2; size *= 2)
			;
		rcache_rehash(rc, size > rc->mask + 1 ? rc->mask + 1 : size);
	}
	return dropped;
}

size_t
rcache_count(const struct rcache *rc)
{
	return rc->n;
}

size_t
rcache_bytes(const struct rcache *rc)
{
	return rc->bytes;
}

/* Decimal digits of v after tag, backwards into a small buffer: keys are
 * built for every event of every feed, where snprintf shows in a profile. */
static void
rcache_key_num(struct xbuf *b, char tag, unsigned long long v, bool neg,
    char end)
{
	char	num[24], *p = num + sizeof(num);

	*--p = end;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (neg)
		*--p = '-';
	*--p = tag;
	xbuf_add(b, p, (size_t)(num + sizeof(num) - p));
}

void
rcache_key_str(struct xbuf *b, const char *s)
{
	size_t	n;

	if (s == NULL) {
		xbuf_add(b, "-;", 2);
		return;
	}
	n = strlen(s);
	rcache_key_num(b, 's', n, false, ':');
	xbuf_add(b, s, n);
	xbuf_add(b, ";", 1);
}

void
rcache_key_int(struct xbuf *b, long long v)
{
	rcache_key_num(b, 'i', v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v, v < 0, ';');
}
