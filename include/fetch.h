/* fetch: one http(s) GET with libcurl, for busy calendars.
 *
 * An adapter (the only module besides mail and webhook that includes
 * curl.h): conditional requests (If-None-Match / If-Modified-Since from the
 * last good copy), connect and total timeouts, a size limit enforced while
 * reading (and from Content-Length before), TLS verification always on,
 * http and https only (redirects too, at most FETCH_MAX_REDIRS).
 */
#ifndef PLC_FETCH_H
#define PLC_FETCH_H

#include <stddef.h>

#define FETCH_MAX_BYTES		(5 * 1024 * 1024)
#define FETCH_CONNECT_MS	10000
#define FETCH_TIMEOUT_MS	30000
#define FETCH_MAX_REDIRS	5

struct fetch_opts {
	const char	*etag;		/* of the copy we hold, or NULL */
	const char	*last_modified;	/* likewise */
	size_t		 max_bytes;	/* 0: FETCH_MAX_BYTES */
	long		 connect_ms, timeout_ms;	/* 0: the defaults */
};

enum fetch_status { FETCH_OK, FETCH_NOT_MODIFIED };

/* Everything here is untrusted server data; owned by the result. */
struct fetch_result {
	enum fetch_status	 status;
	long			 code;		/* HTTP status */
	char			*body;		/* FETCH_OK: NUL-terminated */
	size_t			 len;
	char			*etag;		/* printable ASCII, or NULL */
	char			*last_modified;	/* likewise */
};

/*
 * GET url (from the config; may hold a secret token, so *err never
 * quotes it: the caller names the source, with fetch_redact).  Returns 0 with *res filled (free it with
 * fetch_result_free) for a 200 or a 304, or -1 with *err allocated: a
 * network error or timeout, another status, or a body over the limit.
 */
int	fetch_url(const char *url, const struct fetch_opts *opts,
	    struct fetch_result *res, char **err);
void	fetch_result_free(struct fetch_result *res);

/* "https://host/…": the URL without its path, query or user, to log. */
char	*fetch_redact(const char *url);

#endif
