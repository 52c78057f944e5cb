/* fetch: one http(s) GET with libcurl, for busy calendars.
 *
 * An adapter (the only module besides mail and webhook that includes
 * curl.h): conditional requests (If-None-Match / If-Modified-Since from the
 * last good copy), connect and total timeouts, a size limit enforced while
 * reading (and from Content-Length before), TLS verification always on,
 * http and https only.  Redirects are followed one hop at a time, at most
 * FETCH_MAX_REDIRS, each checked before it connects: on the same scheme or
 * up from http to https (never down to http), and never to a loopback,
 * link-local, private or otherwise internal address, unless the hop is to
 * the configured URL's own host (a calendar on the school's intranet).
 * A stop (opts->watch) cuts a fetch short within about a second.
 */
#ifndef PLC_FETCH_H
#define PLC_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "stop.h"

#define FETCH_MAX_BYTES		(5 * 1024 * 1024)
#define FETCH_CONNECT_MS	10000
#define FETCH_TIMEOUT_MS	30000
#define FETCH_MAX_REDIRS	3

struct fetch_opts {
	const char	*etag;		/* of the copy we hold, or NULL */
	const char	*last_modified;	/* likewise */
	size_t		 max_bytes;	/* 0: FETCH_MAX_BYTES */
	long		 connect_ms, timeout_ms;	/* 0: the defaults */
	/* A stop aborts the fetch; alive is called while it waits.  NULL:
	 * neither. */
	const struct stop_watch *watch;
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

/*
 * May a fetch of `from` be redirected to `to` (both absolute URLs, `to`
 * from the server: untrusted)?  Same scheme, or http up to https; http and
 * https only.  0, or -1 with *err allocated (the URLs not quoted).
 */
int	fetch_redirect_check(const char *from, const char *to, char **err);

/* Is this an address a fetch must not be sent to after a redirect:
 * loopback, link-local (169.254/16, fe80::/10), private (10/8,
 * 172.16/12, 192.168/16, fc00::/7), unspecified, CGNAT (100.64/10),
 * multicast or broadcast?  sa is an AF_INET or AF_INET6 address. */
struct sockaddr;
bool	fetch_addr_internal(const struct sockaddr *sa);

/* "https://host/…": the URL without its path, query or user, to log. */
char	*fetch_redact(const char *url);

#endif
