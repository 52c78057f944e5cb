/* rcache: rendered blocks by the exact bytes of their inputs (rcache.h). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rcache.h"
#include "xmalloc.h"

/* One piece of a slab: the node, then its text and key, each NUL-ended. */
struct rcache_node {
	struct rcache_entry	 e;
	uint64_t		 hash;
	const char		*key;
	size_t			 klen;
	uint64_t		 used;	/* the sweep round of the last use */
};

/*
 * Nodes are cut from slabs, not malloc'd one by one: a feed's thousands
 * of blocks, each kept between libical's many short-lived allocations,
 * cost malloc more than a few large pieces do.  Dropped and replaced
 * nodes stay until a sweep finds them worth a compaction.
 */
#define RCACHE_SLAB	(64 * 1024)

struct rcache_slab {
	struct rcache_slab	*next;
	size_t			 used, cap;
	max_align_t		 data[];
};

struct rcache {
	struct rcache_node	**slot;		/* open addressing */
	size_t			  mask, n, bytes;
	size_t			  waste;	/* in slabs, of nodes gone */
	uint64_t		  round;
	struct rcache_slab	 *slabs;	/* the current one first */
};

/* Multiply-xorshift over 32 bytes at a time in four independent lanes
 * (one chain of multiplies would wait on itself): keys are a few hundred
 * bytes, hashed on every lookup, and equal hashes are checked by comparing
 * whole keys anyway. */
static uint64_t
rcache_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static uint64_t
rcache_hash(const char *key, size_t klen)
{
	uint64_t	a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
	uint64_t	c = 0x100000001b3ULL, d = klen, w[4];
	size_t		i = 0;

	for (; i + 32 <= klen; i += 32) {
		memcpy(w, key + i, 32);
		a = rcache_mix(a, w[0]);
		b = rcache_mix(b, w[1]);
		c = rcache_mix(c, w[2]);
		d = rcache_mix(d, w[3]);
	}
	for (; i + 8 <= klen; i += 8) {
		memcpy(w, key + i, 8);
		a = rcache_mix(a, w[0]);
	}
	for (; i < klen; i++)
		b = rcache_mix(b, (unsigned char)key[i]);
	a = rcache_mix(a, b);
	c = rcache_mix(c, d);
	a = rcache_mix(a, c);
	a ^= a >> 32;
	a *= 0x9e3779b97f4a7c15ULL;
	return a ^ (a >> 29);
}

struct rcache *
rcache_new(void)
{
	struct rcache	*rc = xcalloc(1, sizeof(*rc));

	rc->slot = xcalloc(256, sizeof(*rc->slot));
	rc->mask = 255;
	return rc;
}

static size_t
rcache_node_size(size_t len, size_t klen)
{
	size_t	n = sizeof(struct rcache_node) + len + 1 + klen + 1;

	return (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) *
	    sizeof(max_align_t);
}

static void *
rcache_alloc(struct rcache_slab **slabs, size_t n)
{
	struct rcache_slab	*sl = *slabs;
	void			*p;
	size_t			 cap;

	if (sl == NULL || sl->cap - sl->used < n) {
		cap = n > RCACHE_SLAB ? n : RCACHE_SLAB;
		sl = xmalloc(sizeof(*sl) + cap);
		sl->next = *slabs;
		sl->used = 0;
		sl->cap = cap;
		*slabs = sl;
	}
	p = (char *)sl->data + sl->used;
	sl->used += n;
	return p;
}

static void
rcache_slabs_free(struct rcache_slab *sl)
{
	struct rcache_slab	*next;

	for (; sl != NULL; sl = next) {
		next = sl->next;
		free(sl);
	}
}

/* A node of len bytes of text and klen of key, in rc's slabs. */
static struct rcache_node *
rcache_node_new(struct rcache_slab **slabs, const char *key, size_t klen,
    const char *text, size_t len)
{
	struct rcache_node	*nd;
	char			*t;

	nd = rcache_alloc(slabs, rcache_node_size(len, klen));
	t = (char *)(nd + 1);
	memcpy(t, text, len);
	t[len] = '\0';
	memcpy(t + len + 1, key, klen);
	t[len + 1 + klen] = '\0';
	nd->e.text = t;
	nd->e.len = len;
	nd->key = t + len + 1;
	nd->klen = klen;
	return nd;
}

void
rcache_free(struct rcache *rc)
{
	if (rc == NULL)
		return;
	rcache_slabs_free(rc->slabs);
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

	/* At most half full, so that probes stay short. */
	if (2 * (rc->n + 1) > rc->mask + 1)
		rcache_rehash(rc, 2 * (rc->mask + 1));
	i = rcache_find(rc, h, key, klen);
	if ((nd = rc->slot[i]) != NULL) {
		rc->bytes -= nd->klen + nd->e.len;
		rc->waste += rcache_node_size(nd->e.len, nd->klen);
		rc->n--;
	}
	nd = rcache_node_new(&rc->slabs, key, klen, text, len);
	memset(nd->e.meta, 0, sizeof(nd->e.meta));
	if (meta != NULL)
		memcpy(nd->e.meta, meta, sizeof(nd->e.meta));
	nd->hash = h;
	nd->used = rc->round;
	rc->slot[i] = nd;
	rc->n++;
	rc->bytes += klen + len;
	return &nd->e;
}

/* Move the live nodes into new slabs and free the old ones. */
static void
rcache_compact(struct rcache *rc)
{
	struct rcache_slab	*fresh = NULL;
	struct rcache_node	*nd, *copy;
	size_t			 i;

	for (i = 0; i <= rc->mask; i++) {
		if ((nd = rc->slot[i]) == NULL)
			continue;
		copy = rcache_node_new(&fresh, nd->key, nd->klen, nd->e.text,
		    nd->e.len);
		memcpy(copy->e.meta, nd->e.meta, sizeof(copy->e.meta));
		copy->hash = nd->hash;
		copy->used = nd->used;
		rc->slot[i] = copy;
	}
	rcache_slabs_free(rc->slabs);
	rc->slabs = fresh;
	rc->waste = 0;
}

/*
 * Empty slot i of the linear-probing table, moving back into it each
 * later node of the run that may live there (its home slot not in
 * (i, j]), so that no probe chain breaks: no tombstones, no rebuild.
 * Returns whether a node moved into i (which the caller looks at again).
 */
static bool
rcache_unslot(struct rcache *rc, size_t i)
{
	struct rcache_node	*nd;
	size_t			 j = i, home, hole = i;

	rc->slot[i] = NULL;
	for (;;) {
		j = (j + 1) & rc->mask;
		if ((nd = rc->slot[j]) == NULL)
			return rc->slot[hole] != NULL;
		home = (size_t)nd->hash & rc->mask;
		/* Stays when its home is cyclically within (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		rc->slot[i] = nd;
		rc->slot[j] = NULL;
		i = j;
	}
}

size_t
rcache_sweep(struct rcache *rc)
{
	struct rcache_node	*nd;
	size_t			 i, dropped = 0, size, n = rc->mask + 1;

	/*
	 * A node moved into slot i by rcache_unslot is looked at again; the
	 * others it moves land in slots after i, still to come, or (a run
	 * wrapping past the end) come from slots before i, already kept.
	 */
	for (i = 0; i < n; i++) {
		while ((nd = rc->slot[i]) != NULL && nd->used != rc->round) {
			rc->bytes -= nd->klen + nd->e.len;
			rc->waste += rcache_node_size(nd->e.len, nd->klen);
			rc->n--;
			dropped++;
			if (!rcache_unslot(rc, i))
				break;
		}
	}
	rc->round++;
	/* Smaller when most went. */
	if (dropped > 0) {
		for (size = 256; size < 2 * rc->n + 2; size *= 2)
			;
		if (size < n / 2)
			rcache_rehash(rc, size);
	}
	/* The memory of what went back, once it is a good part of it all:
	 * a compaction copies what lives, so not after every small drop. */
	if (rc->waste > 0 && rc->waste >= rc->bytes / 2)
		rcache_compact(rc);
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

/*
 * A tag, v as 8 bytes of memory, then extra (n bytes), in one reservation:
 * fixed-width numbers need no separator, and keys are built for every
 * event of every feed, where decimal digits and many small appends show
 * in a profile.
 */
static void
rcache_key_num(struct xbuf *b, char tag, uint64_t v, const void *extra,
    size_t n)
{
	char	*d;

	xbuf_reserve(b, 1 + sizeof(v) + n);
	d = b->s + b->len;
	d[0] = tag;
	memcpy(d + 1, &v, sizeof(v));
	if (n > 0)
		memcpy(d + 1 + sizeof(v), extra, n);
	b->len += 1 + sizeof(v) + n;
	b->s[b->len] = '\0';
}

void
rcache_key_str(struct xbuf *b, const char *s)
{
	if (s == NULL)
		xbuf_add(b, "-", 1);
	else
		rcache_key_num(b, 's', strlen(s), s, strlen(s));
}

void
rcache_key_int(struct xbuf *b, long long v)
{
	rcache_key_num(b, 'i', (uint64_t)v, NULL, 0);
}

void
rcache_key_raw(struct xbuf *b, const void *v, size_t n)
{
	rcache_key_num(b, 'r', n, v, n);
}
