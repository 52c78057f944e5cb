/* fetch: conditional, bounded http(s) GETs with libcurl. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "fetch.h"
#include "xmalloc.h"

/* A validator we keep and send back: short, printable, no CR/LF. */
#define FETCH_MAX_VALIDATOR	256

struct fetch_buf {
	char	*p;
	size_t	 len, cap, max;
	bool	 too_big;
	char	*etag, *last_modified;
	/* This hop may connect to an internal address: it goes to the
	 * configured URL's own host. */
	bool	 internal_ok;
	bool	 refused;	/* an internal address was refused */
	char	 refused_addr[INET6_ADDRSTRLEN];
	const struct stop_watch *watch;
	bool	 stopped;
};

static size_t
fetch_write(char *data, size_t size, size_t n, void *arg)
{
	struct fetch_buf	*b = arg;
	size_t			 k = size * n;

	if (b->len + k > b->max) {
		b->too_big = true;
		return 0;	/* libcurl stops with CURLE_WRITE_ERROR */
	}
	if (b->len + k + 1 > b->cap) {
		b->cap = (b->len + k + 1) * 2;
		if (b->cap > b->max + 1)
			b->cap = b->max + 1;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, data, k);
	b->len += k;
	b->p[b->len] = '\0';
	return k;
}

/* The value of header `name` in line, trimmed, if printable; else NULL. */
static char *
fetch_header_value(const char *line, size_t len, const char *name)
{
	size_t	nl = strlen(name), i, j;

	if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 ||
	    line[nl] != ':')
		return NULL;
	for (i = nl + 1; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	for (j = len; j > i && isspace((unsigned char)line[j - 1]); j--)
		;
	if (j == i || j - i > FETCH_MAX_VALIDATOR)
		return NULL;
	for (size_t k = i; k < j; k++)
		if (line[k] < 0x20 || line[k] > 0x7e)
			return NULL;
	return xstrndup(line + i, j - i);
}

static size_t
fetch_header(char *data, size_t size, size_t n, void *arg)
{
	struct fetch_buf	*b = arg;
	size_t			 k = size * n;
	char			*v;

	/* A redirect's headers come first: the last response's win. */
	if ((v = fetch_header_value(data, k, "ETag")) != NULL) {
		free(b->etag);
		b->etag = v;
	} else if ((v = fetch_header_value(data, k, "Last-Modified")) !=
	    NULL) {
		free(b->last_modified);
		b->last_modified = v;
	}
	return k;
}


bool
fetch_addr_internal(const struct sockaddr *sa)
{
	const struct sockaddr_in	*s4;
	const struct sockaddr_in6	*s6;
	const uint8_t			*b;
	uint32_t			 a;

	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		a = ntohl(s4->sin_addr.s_addr);
		return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
		    (a >> 16) == 0xa9fe || (a >> 20) == 0xac1 ||
		    (a >> 16) == 0xc0a8 || (a >> 22) == (100u << 2 | 1) ||
		    (a >> 28) >= 0xe;
	}
	if (sa->sa_family != AF_INET6)
		return true;
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	b = s6->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) ||
	    IN6_IS_ADDR_V4COMPAT(&s6->sin6_addr)) {
		struct sockaddr_in	v4;

		memset(&v4, 0, sizeof(v4));
		v4.sin_family = AF_INET;
		memcpy(&v4.sin_addr, b + 12, 4);
		return fetch_addr_internal((const struct sockaddr *)&v4);
	}
	return IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr) ||
	    IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
	    (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||	/* link-local */
	    (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) ||	/* site-local */
	    (b[0] & 0xfe) == 0xfc ||			/* unique local */
	    b[0] == 0xff;				/* multicast */
}

/* libcurl opens every socket through here: the last word on addresses. */
static curl_socket_t
fetch_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch_buf	*b = arg;
	const void		*ip = NULL;

	if (purpose == CURLSOCKTYPE_IPCXN && !b->internal_ok &&
	    fetch_addr_internal(&a->addr)) {
		if (a->family == AF_INET)
			ip = &((struct sockaddr_in *)(void *)&a->addr)->sin_addr;
		else if (a->family == AF_INET6)
			ip = &((struct sockaddr_in6 *)(void *)&a->addr)->
			    sin6_addr;
		if (ip == NULL || inet_ntop(a->family, ip, b->refused_addr,
		    sizeof(b->refused_addr)) == NULL)
			strcpy(b->refused_addr, "?");
		b->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* About once a second while a transfer runs (or waits): a stop aborts it. */
static int
fetch_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct fetch_buf	*b = arg;

	if (stop_watch_asked(b->watch)) {
		b->stopped = true;
		return 1;
	}
	stop_alive(b->watch);
	return 0;
}

/* A URL's part (scheme, host), lower-cased, allocated; NULL if none. */
static char *
fetch_url_part(const char *url, CURLUPart what)
{
	CURLU	*u = curl_url();
	char	*v = NULL, *r = NULL, *p;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, what, &v, 0) == CURLUE_OK && v != NULL) {
		r = xstrdup(v);
		for (p = r; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	curl_free(v);
	curl_url_cleanup(u);
	return r;
}

int
fetch_redirect_check(const char *from, const char *to, char **err)
{
	char	*fs = fetch_url_part(from, CURLUPART_SCHEME);
	char	*ts = fetch_url_part(to, CURLUPART_SCHEME);
	int	 rc = -1;

	if (fs == NULL || ts == NULL)
		*err = xstrdup("redirected to something that is not a URL");
	else if (strcmp(ts, "http") != 0 && strcmp(ts, "https") != 0)
		*err = xasprintf("redirected to a %s: URL; refused", ts);
	else if (strcmp(fs, "https") == 0 && strcmp(ts, "http") == 0)
		*err = xstrdup("redirected from https to http; refused");
	else
		rc = 0;
	free(fs);
	free(ts);
	return rc;
}

char *
fetch_redact(const char *url)
{
	const char	*p = strstr(url, "://"), *host, *end, *at;

	if (p == NULL)
		return xstrdup("(a URL)");
	host = p + 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (at != NULL)
		host = at + 1;
	return xasprintf("%.*s://%.*s/…", (int)(p - url), url,
	    (int)(end - host), host);
}

/* libcurl's message, with the URL (which may hold a secret) replaced by its
 * shown form should libcurl have quoted it. */
static char *
fetch_scrub(const char *msg, const char *url, const char *shown)
{
	const char	*p = strstr(msg, url);

	if (p == NULL)
		return xstrdup(msg);
	return xasprintf("%.*s%s%s", (int)(p - msg), msg, shown,
	    p + strlen(url));
}

static bool
fetch_validator_ok(const char *v)
{
	return v != NULL && *v != '\0' && strlen(v) <= FETCH_MAX_VALIDATOR &&
	    strpbrk(v, "\r\n") == NULL;
}

/* A hop's buffers start empty: only the last response counts. */
static void
fetch_buf_reset(struct fetch_buf *b)
{
	free(b->p);
	free(b->etag);
	free(b->last_modified);
	b->p = b->etag = b->last_modified = NULL;
	b->len = b->cap = 0;
	b->too_big = false;
}

int
fetch_url(const char *url, const struct fetch_opts *opts,
    struct fetch_result *res, char **err)
{
	struct fetch_buf	 b;
	struct curl_slist	*hdrs = NULL;
	CURL			*c = NULL;
	CURLcode		 cc;
	curl_off_t		 clen = -1;
	char			 ebuf[CURL_ERROR_SIZE], *h, *where;
	char			*home = NULL, *hop = NULL, *next = NULL;
	char			*host = NULL;
	const char		*loc = NULL;
	long			 code = 0;
	int			 rc = -1, redirs;

	memset(res, 0, sizeof(*res));
	memset(&b, 0, sizeof(b));
	ebuf[0] = '\0';
	b.max = opts->max_bytes > 0 ? opts->max_bytes : FETCH_MAX_BYTES;
	b.watch = opts->watch;
	where = fetch_redact(url);
	home = fetch_url_part(url, CURLUPART_HOST);
	if ((c = curl_easy_init()) == NULL) {
		*err = xstrdup("cannot start libcurl");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	/* Redirects are followed here, hop by hop, each one checked. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, opts->connect_ms > 0 ?
	    opts->connect_ms : (long)FETCH_CONNECT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, opts->timeout_ms > 0 ?
	    opts->timeout_ms : (long)FETCH_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)b.max);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "plc-cadence/" PLC_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, fetch_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &b);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, fetch_open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &b);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, fetch_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &b);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	if (fetch_validator_ok(opts->etag)) {
		h = xasprintf("If-None-Match: %s", opts->etag);
		hdrs = curl_slist_append(hdrs, h);
		free(h);
	}
	if (fetch_validator_ok(opts->last_modified)) {
		h = xasprintf("If-Modified-Since: %s", opts->last_modified);
		hdrs = curl_slist_append(hdrs, h);
		free(h);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	hop = xstrdup(url);
	for (redirs = 0;; redirs++) {
		free(host);
		host = fetch_url_part(hop, CURLUPART_HOST);
		b.internal_ok = home != NULL && host != NULL &&
		    strcmp(home, host) == 0;
		fetch_buf_reset(&b);
		ebuf[0] = '\0';
		curl_easy_setopt(c, CURLOPT_URL, hop);
		cc = curl_easy_perform(c);
		code = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (cc != CURLE_OK || code < 300 || code > 399 ||
		    code == 304)
			break;
		loc = NULL;
		if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) !=
		    CURLE_OK || loc == NULL)
			break;	/* a 3xx without a Location: its status */
		if (redirs == FETCH_MAX_REDIRS) {
			*err = xasprintf("more than %d redirects; refused",
			    FETCH_MAX_REDIRS);
			goto out;
		}
		if (fetch_redirect_check(hop, loc, err) == -1)
			goto out;
		next = xstrdup(loc);
		free(hop);
		hop = next;
		next = NULL;
	}
	curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
	if (b.stopped) {
		*err = xstrdup("stopped");
		goto out;
	}
	if (b.refused) {
		*err = xasprintf("redirected to an internal address (%s); "
		    "refused before connecting", b.refused_addr);
		goto out;
	}
	if (b.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		*err = xasprintf("larger than the limit of %zu bytes; refused",
		    b.max);
		goto out;
	}
	if (cc != CURLE_OK) {
		*err = fetch_scrub(ebuf[0] != '\0' ? ebuf :
		    curl_easy_strerror(cc), url, where);
		goto out;
	}
	res->code = code;
	if (code == 304) {
		res->status = FETCH_NOT_MODIFIED;
	} else if (code == 200) {
		res->status = FETCH_OK;
		res->body = b.p != NULL ? b.p : xstrdup("");
		res->len = b.len;
		b.p = NULL;
	} else {
		*err = xasprintf("HTTP status %ld", code);
		goto out;
	}
	res->etag = b.etag;
	res->last_modified = b.last_modified;
	b.etag = b.last_modified = NULL;
	rc = 0;
out:
	free(b.p);
	free(b.etag);
	free(b.last_modified);
	curl_slist_free_all(hdrs);
	if (c != NULL)
		curl_easy_cleanup(c);
	free(where);
	free(home);
	free(host);
	free(hop);
	return rc;
}

void
fetch_result_free(struct fetch_result *res)
{
	if (res == NULL)
		return;
	free(res->body);
	free(res->etag);
	free(res->last_modified);
	memset(res, 0, sizeof(*res));
}
