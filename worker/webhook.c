/* webhook: HTTP POSTs to chat services, JSON-lines files, and pacing. */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "webhook.h"
#include "xmalloc.h"

#define WEBHOOK_ANSWER_MAX	512	/* bytes of the body kept */
#define WEBHOOK_CONNECT_S	10
#define WEBHOOK_TOTAL_S		30
#define WEBHOOK_RETRY_MAX	86400

enum webhook_status
webhook_classify(long code)
{
	if (code >= 200 && code < 300)
		return WEBHOOK_OK;
	if (code == 408 || code == 429 || code >= 500 || code == 0)
		return WEBHOOK_TEMPFAIL;
	return WEBHOOK_PERMFAIL;
}

long
webhook_retry_after(const char *value, time_t now)
{
	char	*end;
	long	 v;
	time_t	 when;

	if (value == NULL)
		return -1;
	while (isspace((unsigned char)*value))
		value++;
	if (isdigit((unsigned char)*value)) {
		errno = 0;
		v = strtol(value, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (errno != 0 || *end != '\0' || v < 0)
			return -1;
		return v > WEBHOOK_RETRY_MAX ? WEBHOOK_RETRY_MAX : v;
	}
	/* An HTTP-date; curl reads all three of RFC 9110's forms. */
	when = curl_getdate(value, NULL);
	if (when == -1)
		return -1;
	if (when <= now)
		return 0;
	return when - now > WEBHOOK_RETRY_MAX ? WEBHOOK_RETRY_MAX :
	    (long)(when - now);
}

/* Where errors may point: "https://hooks.slack.com", never the path. */
static char *
webhook_where(const char *url)
{
	const char	*p = strstr(url, "://");
	size_t		 n;

	if (p == NULL)
		return xstrdup("(webhook)");
	n = strcspn(p + 3, "/?#@");
	if (p[3 + n] == '@')	/* user:password@ never shows */
		return xstrdup("(webhook)");
	return xstrndup(url, (size_t)(p + 3 - url) + n);
}

/* One line appended with one write, so concurrent writers never mix. */
static int
webhook_file(const char *path, const char *payload,
    struct webhook_result *res)
{
	char	*line = xasprintf("%s\n", payload);
	size_t	 n = strlen(line);
	int	 fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 || write(fd, line, n) != (ssize_t)n || fsync(fd) == -1) {
		res->status = WEBHOOK_TEMPFAIL;
		res->answer = xasprintf("%s: %s", path, strerror(errno));
	} else {
		res->status = WEBHOOK_OK;
		res->answer = xasprintf("appended to %s", path);
	}
	if (fd != -1)
		close(fd);
	free(line);
	return 0;
}

/* The answer's first bytes, kept for `outbox` and the log. */
struct webhook_body {
	char	buf[WEBHOOK_ANSWER_MAX + 1];
	size_t	len;
};

static size_t
webhook_write(char *data, size_t size, size_t n, void *arg)
{
	struct webhook_body	*b = arg;
	size_t			 k = size * n, room = WEBHOOK_ANSWER_MAX - b->len;

	if (room > 0) {
		memcpy(b->buf + b->len, data, k < room ? k : room);
		b->len += k < room ? k : room;
	}
	return size * n;
}

struct webhook_headers {
	char	retry_after[64];
};

static size_t
webhook_header(char *data, size_t size, size_t n, void *arg)
{
	struct webhook_headers	*h = arg;
	size_t			 k = size * n, len;
	const char		*name = "retry-after:";

	if (k > strlen(name) && strncasecmp(data, name, strlen(name)) == 0) {
		len = k - strlen(name);
		if (len >= sizeof(h->retry_after))
			len = sizeof(h->retry_after) - 1;
		memcpy(h->retry_after, data + strlen(name), len);
		h->retry_after[len] = '\0';
		h->retry_after[strcspn(h->retry_after, "\r\n")] = '\0';
	}
	return k;
}

/* Printable text only: a server's answer goes into logs and terminals. */
static void
webhook_clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

int
webhook_post(const struct config_channel *ch, const char *payload,
    time_t now, struct webhook_result *res, char **err)
{
	struct webhook_body	 body;
	struct webhook_headers	 hdr;
	struct curl_slist	*hl = NULL;
	char			 cerr[CURL_ERROR_SIZE] = "";
	const char		*url = ch->url.value;
	char			*where;
	CURL			*c;
	CURLcode		 r;

	memset(res, 0, sizeof(*res));
	res->retry_after = -1;
	if (url == NULL || *url == '\0') {
		*err = xasprintf("channel %s has no URL", ch->id);
		return -1;
	}
	if (strncmp(url, "file:", 5) == 0)
		return webhook_file(url + 5, payload, res);

	memset(&body, 0, sizeof(body));
	memset(&hdr, 0, sizeof(hdr));
	where = webhook_where(url);
	if ((c = curl_easy_init()) == NULL) {
		res->status = WEBHOOK_TEMPFAIL;
		res->answer = xstrdup("libcurl could not start");
		free(where);
		return 0;
	}
	hl = curl_slist_append(hl, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(payload));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)WEBHOOK_CONNECT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)WEBHOOK_TOTAL_S);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "plc-cadence/" PLC_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, webhook_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, webhook_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hdr);
	r = curl_easy_perform(c);
	if (r != CURLE_OK) {
		/* Never curl's message alone: it may quote the URL. */
		res->status = WEBHOOK_TEMPFAIL;
		res->answer = xasprintf("%s: %s", where,
		    curl_easy_strerror(r));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->code);
	res->status = webhook_classify(res->code);
	if (res->status == WEBHOOK_TEMPFAIL)
		res->retry_after = webhook_retry_after(hdr.retry_after[0] ?
		    hdr.retry_after : NULL, now);
	body.buf[body.len] = '\0';
	webhook_clean(body.buf);
	res->answer = xasprintf("%ld from %s%s%s", res->code, where,
	    body.len > 0 ? ": " : "", body.buf);
out:
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	free(where);
	return 0;
}

/* ------------------------------------------------------------- pacing */

#define WEBHOOK_PACE_SLOTS	8

struct webhook_pace {
	char	*id;
	int64_t	 sent[WEBHOOK_PACE_SLOTS];	/* ring of recent posts, ms */
	size_t	 next;
};

struct webhook_pacer {
	struct webhook_pace	*v;
	size_t			 n;
};

/* At most `burst` posts in any `window_ms`. */
static void
webhook_rate(enum config_channel_type t, size_t *burst, int64_t *window_ms)
{
	switch (t) {
	case CONFIG_CHAN_DISCORD:
		*burst = 5;
		*window_ms = 2000;
		return;
	case CONFIG_CHAN_TEAMS:
		*burst = 4;
		*window_ms = 1000;
		return;
	default:
		*burst = 1;
		*window_ms = 1000;
		return;
	}
}

struct webhook_pacer *
webhook_pacer_new(void)
{
	return xcalloc(1, sizeof(struct webhook_pacer));
}

void
webhook_pacer_free(struct webhook_pacer *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		free(p->v[i].id);
	free(p->v);
	free(p);
}

static struct webhook_pace *
webhook_pace_of(struct webhook_pacer *p, const char *id)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].id, id) == 0)
			return &p->v[i];
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	memset(&p->v[p->n], 0, sizeof(p->v[p->n]));
	p->v[p->n].id = xstrdup(id);
	return &p->v[p->n++];
}

double
webhook_pacer_wait(struct webhook_pacer *p, const struct config_channel *ch,
    int64_t now_ms)
{
	struct webhook_pace	*w = webhook_pace_of(p, ch->id);
	size_t			 burst;
	int64_t			 window, oldest;

	webhook_rate(ch->type, &burst, &window);
	/* The post `burst` back must be a window old. */
	oldest = w->sent[(w->next + WEBHOOK_PACE_SLOTS - burst) %
	    WEBHOOK_PACE_SLOTS];
	if (oldest == 0 || now_ms - oldest >= window)
		return 0;
	return (double)(window - (now_ms - oldest)) / 1000.0;
}

void
webhook_pacer_sent(struct webhook_pacer *p, const struct config_channel *ch,
    int64_t now_ms)
{
	struct webhook_pace	*w = webhook_pace_of(p, ch->id);

	w->sent[w->next] = now_ms > 0 ? now_ms : 1;
	w->next = (w->next + 1) % WEBHOOK_PACE_SLOTS;
}

int
webhook_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
webhook_global_cleanup(void)
{
	curl_global_cleanup();
}
