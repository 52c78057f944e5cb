/* hex: the one hex encoder (link keys, feed tokens, ETags, Message-IDs).
 *
 * Pure, no I/O, no allocation.
 */
#ifndef PLC_HEX_H
#define PLC_HEX_H

#include <stddef.h>

/*
 * Writes the n bytes of in as 2n lowercase hex digits and a NUL into out,
 * which must hold 2n + 1 bytes (caller's).  Returns out.
 */
char	*hex_encode(const unsigned char *in, size_t n, char *out);

#endif
