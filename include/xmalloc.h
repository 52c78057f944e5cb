/* xmalloc: allocation that never returns NULL.
 *
 * Out of memory is not a condition this worker can recover from in any useful
 * way, so every allocation goes through these wrappers, which print a message
 * and abort.  Callers therefore never check for NULL.
 */
#ifndef PLC_XMALLOC_H
#define PLC_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
/* Grows an array of nmemb elements of size bytes, checking for overflow. */
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
/* Returns a newly allocated, formatted string; the caller frees it. */
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growing string, NUL-terminated once anything is added: start from
 * { NULL, 0, 0 }; s is allocated and the owner frees it. */
struct xbuf {
	char	*s;
	size_t	 len, cap;
};
/* Room for n more bytes and the NUL after them, without changing len. */
void	xbuf_reserve(struct xbuf *b, size_t n);
/* Append n bytes of s. */
void	xbuf_add(struct xbuf *b, const char *s, size_t n);
/* Append printf-formatted text. */
void	xbuf_printf(struct xbuf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
