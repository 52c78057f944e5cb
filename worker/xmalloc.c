/* xmalloc: allocation wrappers that abort on out-of-memory. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void
xmalloc_die(size_t size)
{
	fprintf(stderr, "plc-cadence: out of memory allocating %zu bytes\n",
	    size);
	abort();
}

void *
xmalloc(size_t size)
{
	void	*p = malloc(size ? size : 1);

	if (p == NULL)
		xmalloc_die(size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		xmalloc_die(nmemb * size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		xmalloc_die(SIZE_MAX);
	p = realloc(ptr, nmemb * size != 0 ? nmemb * size : 1);
	if (p == NULL)
		xmalloc_die(nmemb * size);
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p = strdup(s);

	if (p == NULL)
		xmalloc_die(strlen(s) + 1);
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = strndup(s, n);

	if (p == NULL)
		xmalloc_die(n + 1);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		xmalloc_die(strlen(fmt));
	return s;
}

void
xbuf_reserve(struct xbuf *b, size_t n)
{
	size_t	need;

	if (n > SIZE_MAX / 2 - b->len - 1)
		xmalloc_die(n);
	need = b->len + n + 1;
	if (need > b->cap) {
		b->cap = need * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
}

void
xbuf_add(struct xbuf *b, const char *s, size_t n)
{
	xbuf_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
xbuf_printf(struct xbuf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	/* Once into the room there is; a second time when it was short. */
	va_start(ap, fmt);
	n = b->cap > b->len ? vsnprintf(b->s + b->len, b->cap - b->len, fmt,
	    ap) : vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		xmalloc_die(strlen(fmt));
	if ((size_t)n >= b->cap - b->len) {
		xbuf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			xmalloc_die(strlen(fmt));
	}
	b->len += (size_t)n;
}
