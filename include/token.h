/* token: the shape of a feed token, the one check every user shares.
 *
 * A feed token is 128 random bits written as 32 lowercase hex digits; it
 * names a feed in URLs (/feeds/TOKEN.ics) and files (feeds/TOKEN.ics).  The
 * store makes them; the HTTP server, the publisher and the store itself
 * check the shape of every one they read before it can become a path or a
 * file name.  Pure, no I/O, so any module may include it.
 */
#ifndef PLC_TOKEN_H
#define PLC_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_LEN	32	/* hex characters, without the NUL */

/*
 * True when the len bytes at s are exactly TOKEN_LEN lowercase hex digits.
 * s is untrusted and need not be NUL-terminated; no byte past s[len - 1]
 * (nor past s[TOKEN_LEN - 1]) is read.
 */
bool	token_valid(const char *s, size_t len);

#endif
