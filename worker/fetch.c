/* fetch: conditional, bounded http(s) GETs with libcurl. */
#include <ctype.h>
#include <stdbool.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

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
	long			 code = 0;
	int			 rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&b, 0, sizeof(b));
	ebuf[0] = '\0';
	b.max = opts->max_bytes > 0 ? opts->max_bytes : FETCH_MAX_BYTES;
	where = fetch_redact(url);
	if ((c = curl_easy_init()) == NULL) {
		*err = xstrdup("cannot start libcurl");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS);
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
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
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
