/* rcache: rendered text kept by the exact bytes of what went into it.
 *
 * A feed is assembled from blocks (an event, a VTIMEZONE, the calendar's
 * head); each block is rendered through libical once and then found here
 * by its key, a canonical serialisation of every input its renderer reads
 * (built with rcache_key_*: each field length- or type-prefixed, so that no
 * value can be made to look like another field).  A lookup hashes the key
 * and compares it whole, so two inputs never share a block.  Anything
 * time-dependent in a block (DTSTAMP, SEQUENCE, …) must be in its key.
 *
 * Bounded by use: entries not looked up or added since the previous
 * rcache_sweep are dropped by the next one (a worker sweeps after each
 * publishing pass), and their memory given back once it is half of what
 * lives.  Pure: no I/O.  One thread at a time.
 */
#ifndef PLC_RCACHE_H
#define PLC_RCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "xmalloc.h"

/* A block: its text (NUL-terminated, len bytes) and a few numbers the
 * caller stored with it (what the block adds to its feed beside text). */
struct rcache_entry {
	const char	*text;
	size_t		 len;
	int		 meta[4];
};

struct rcache;

struct rcache	*rcache_new(void);
/* Frees every entry.  rcache_free(NULL) is fine. */
void		 rcache_free(struct rcache *rc);

/*
 * The entry of key (klen bytes), or NULL; a hit counts as a use.  The
 * entry stays valid until the next rcache_sweep or rcache_free.
 */
const struct rcache_entry *rcache_get(struct rcache *rc, const char *key,
	    size_t klen);

/*
 * Keep text (len bytes, copied) and meta (4 ints, copied; NULL: zeros)
 * under key (copied), replacing an entry with the same key (which stays
 * readable until the next sweep).  Returns the entry, valid as
 * rcache_get's.
 */
const struct rcache_entry *rcache_put(struct rcache *rc, const char *key,
	    size_t klen, const char *text, size_t len, const int *meta);

/* Drop the entries not used since the previous sweep; returns how many. */
size_t		 rcache_sweep(struct rcache *rc);

/* Entries and bytes (keys and texts) held. */
size_t		 rcache_count(const struct rcache *rc);
size_t		 rcache_bytes(const struct rcache *rc);

/* Key building: a string (NULL differs from ""), an integer, n raw bytes
 * of v (the memory of plain numbers or arrays of them, without padding;
 * native byte order, so a key is one build's). */
void		 rcache_key_str(struct xbuf *b, const char *s);
void		 rcache_key_int(struct xbuf *b, long long v);
void		 rcache_key_raw(struct xbuf *b, const void *v, size_t n);

#endif
