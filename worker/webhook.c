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

#include "civil.h"
#include "webhook.h"
#include "xmalloc.h"

#define WEBHOOK_ANSWER_MAX	512	/* bytes of the body kept */
#define WEBHOOK_CONNECT_S	10
#define WEBHOOK_TOTAL_S		30
#define WEBHOOK_BODY_MS		5000	/* for the body after 2xx headers */
#define WEBHOOK_RETRY_MAX	CIVIL_DAY	/* seconds */
#define WEBHOOK_IN_FLIGHT	64	/* transfers at once, in all */
#define WEBHOOK_PER_CHANNEL	64	/* and to one channel */

/* A token bucket per channel: `posts` tokens, refilled over `window`. */
struct webhook_pace {
	char	*id;
	double	 tokens;
	int64_t	 last_ms;
};

struct webhook_pacer {
	struct webhook_pace	*v;
	size_t			 n;
	CURLM			*multi;	/* its connection cache outlives a round */
};

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

static int64_t
webhook_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct webhook_headers {
	char	 retry_after[64];
	CURL	*c;
	int64_t	 ok_ms;		/* when a 2xx status's headers ended; 0: not */
};

static size_t
webhook_header(char *data, size_t size, size_t n, void *arg)
{
	struct webhook_headers	*h = arg;
	size_t			 k = size * n, len;
	const char		*name = "retry-after:";
	long			 code = 0;

	/* The blank line: the service has answered (a 1xx is no answer). */
	if ((k == 2 && data[0] == '\r') || (k == 1 && data[0] == '\n')) {
		curl_easy_getinfo(h->c, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200 && code < 300 && h->ok_ms == 0)
			h->ok_ms = webhook_mono_ms();
		return k;
	}

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

/* A transfer in flight: its job, its buffers. */
struct webhook_xfer {
	struct webhook_job	*job;
	struct webhook_body	 body;
	struct webhook_headers	 hdr;
	char			 cerr[CURL_ERROR_SIZE];
	char			*where;
	CURL			*c;
};

/*
 * The easy handles of a batch's finished transfers, reused (reset) by the
 * next ones instead of one made and freed per post: at most
 * WEBHOOK_IN_FLIGHT, freed at the end of the batch.
 */
struct webhook_spare {
	CURL	*v[WEBHOOK_IN_FLIGHT];
	size_t	 n;
};

/* x's handle out of the multi: kept for the next transfer, or freed. */
static void
webhook_done(CURLM *multi, struct webhook_spare *sp, struct webhook_xfer *x)
{
	curl_multi_remove_handle(multi, x->c);
	if (sp != NULL && sp->n < WEBHOOK_IN_FLIGHT)
		sp->v[sp->n++] = x->c;
	else
		curl_easy_cleanup(x->c);
	x->c = NULL;
}

static bool
webhook_start(CURLM *multi, struct webhook_spare *sp,
    const struct curl_slist *hl, struct webhook_xfer *x)
{
	const char	*url = x->job->ch->url.value;

	x->where = webhook_where(url);
	if (sp->n > 0) {
		x->c = sp->v[--sp->n];
		curl_easy_reset(x->c);
	} else if ((x->c = curl_easy_init()) == NULL)
		return false;
	curl_easy_setopt(x->c, CURLOPT_URL, url);
	curl_easy_setopt(x->c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(x->c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(x->c, CURLOPT_POSTFIELDS, x->job->payload);
	curl_easy_setopt(x->c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(x->job->payload));
	curl_easy_setopt(x->c, CURLOPT_CONNECTTIMEOUT, (long)WEBHOOK_CONNECT_S);
	curl_easy_setopt(x->c, CURLOPT_TIMEOUT, (long)WEBHOOK_TOTAL_S);
	curl_easy_setopt(x->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->c, CURLOPT_USERAGENT, "plc-cadence/" PLC_VERSION);
	curl_easy_setopt(x->c, CURLOPT_ERRORBUFFER, x->cerr);
	curl_easy_setopt(x->c, CURLOPT_WRITEFUNCTION, webhook_write);
	curl_easy_setopt(x->c, CURLOPT_WRITEDATA, &x->body);
	x->hdr.c = x->c;
	curl_easy_setopt(x->c, CURLOPT_HEADERFUNCTION, webhook_header);
	curl_easy_setopt(x->c, CURLOPT_HEADERDATA, &x->hdr);
	curl_easy_setopt(x->c, CURLOPT_PRIVATE, x);
	return curl_multi_add_handle(multi, x->c) == CURLM_OK;
}

static void
webhook_finish(struct webhook_xfer *x, CURLcode r, time_t now)
{
	struct webhook_result	*res = &x->job->res;

	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &res->code);
	if (r != CURLE_OK && webhook_classify(res->code) == WEBHOOK_OK) {
		/* The post was taken; only the rest of the answer failed. */
		res->status = WEBHOOK_OK;
		res->cut = true;
		res->answer = xasprintf("%ld from %s, then %s", res->code,
		    x->where, curl_easy_strerror(r));
		return;
	}
	if (r != CURLE_OK) {
		/* Never curl's message alone: it may quote the URL. */
		res->status = WEBHOOK_TEMPFAIL;
		res->code = 0;
		res->answer = xasprintf("%s: %s", x->where,
		    curl_easy_strerror(r));
		return;
	}
	res->status = webhook_classify(res->code);
	if (res->status == WEBHOOK_TEMPFAIL)
		res->retry_after = webhook_retry_after(x->hdr.retry_after[0] ?
		    x->hdr.retry_after : NULL, now);
	x->body.buf[x->body.len] = '\0';
	webhook_clean(x->body.buf);
	res->answer = xasprintf("%ld from %s%s%s", res->code, x->where,
	    x->body.len > 0 ? ": " : "", x->body.buf);
}

/* Transfers in flight per channel; a batch names few channels. */
struct webhook_live {
	const struct config_channel	*ch;
	size_t				 n;
};

static size_t *
webhook_live_of(struct webhook_live **v, size_t *nv,
    const struct config_channel *ch)
{
	size_t	i;

	for (i = 0; i < *nv; i++)
		if ((*v)[i].ch == ch)
			return &(*v)[i].n;
	*v = xreallocarray(*v, *nv + 1, sizeof(**v));
	(*v)[*nv].ch = ch;
	(*v)[*nv].n = 0;
	return &(*v)[(*nv)++].n;
}

/* The pacer's multi handle, made on first use; NULL if libcurl fails. */
static CURLM *
webhook_multi(struct webhook_pacer *p)
{
	CURLM	*multi;

	if (p != NULL && p->multi != NULL)
		return p->multi;
	if ((multi = curl_multi_init()) == NULL)
		return NULL;
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)WEBHOOK_IN_FLIGHT);
	if (p != NULL)
		p->multi = multi;
	return multi;
}

/*
 * A transfer cut off (why: by a stop, or a body that does not come): to be
 * retried, unless its 2xx status is in, which makes it sent.
 */
static void
webhook_cut(CURLM *multi, struct webhook_xfer *x, const char *why)
{
	struct webhook_result	*res = &x->job->res;

	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &res->code);
	if (x->hdr.ok_ms > 0 && webhook_classify(res->code) == WEBHOOK_OK) {
		res->status = WEBHOOK_OK;
		res->cut = true;
		res->answer = xasprintf("%ld from %s, then cut off: %s",
		    res->code, x->where, why);
	} else {
		res->status = WEBHOOK_TEMPFAIL;
		res->code = 0;
		res->answer = xasprintf("%s: cut off: %s", x->where, why);
	}
	webhook_done(multi, NULL, x);
}

/* jobs[i] is decided: tell the caller now, not at the end of the batch. */
static void
webhook_decided(const struct webhook_notify *nt, size_t i, int64_t *wait)
{
	if (nt != NULL && nt->fn != NULL)
		*wait = nt->fn(nt->arg, i);
}

/*
 * Cut off every body that had its WEBHOOK_BODY_MS after a 2xx status; the
 * milliseconds until the next such deadline (at most cap).
 */
static int64_t
webhook_cut_stalled(CURLM *multi, struct webhook_xfer *x, size_t n,
    struct webhook_live **per, size_t *nper, size_t *live, size_t *fin,
    const struct webhook_notify *nt, int64_t *wait, int64_t cap)
{
	int64_t	now = 0, left;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (x[i].c == NULL || x[i].hdr.ok_ms == 0)
			continue;
		if (now == 0)
			now = webhook_mono_ms();
		if ((left = x[i].hdr.ok_ms + WEBHOOK_BODY_MS - now) > 0) {
			if (left < cap)
				cap = left;
			continue;
		}
		webhook_cut(multi, &x[i], "the rest of the answer did not "
		    "come within 5 s");
		(*webhook_live_of(per, nper, x[i].job->ch))--;
		(*live)--;
		(*fin)++;
		webhook_decided(nt, i, wait);
	}
	return cap;
}

void
webhook_post_all(struct webhook_pacer *p, struct webhook_job *jobs, size_t n,
    time_t now, struct stop *stop, const struct webhook_notify *nt)
{
	struct webhook_xfer	*x;
	struct CURLMsg		*msg;
	struct webhook_xfer	*done;
	struct webhook_live	*per = NULL;
	struct webhook_spare	 spare;
	struct curl_slist	*hl;
	CURLM			*multi;
	size_t			 i, next = 0, live = 0, fin = 0, nper = 0, *cn;
	int64_t			 wait = -1, ms;
	int			 running, left;

	x = xcalloc(n + 1, sizeof(*x));
	for (i = 0; i < n; i++) {
		memset(&jobs[i].res, 0, sizeof(jobs[i].res));
		jobs[i].res.retry_after = -1;
		x[i].job = &jobs[i];
	}
	multi = webhook_multi(p);
	spare.n = 0;
	/* Every post's one header: a list each was an allocation each. */
	hl = curl_slist_append(NULL, "Content-Type: application/json");
	while (fin < n) {
		/* Start what the limits allow, in order; nothing once a stop
		 * is asked for. */
		for (i = next; i < n && live < WEBHOOK_IN_FLIGHT; i++) {
			struct webhook_job *j = &jobs[i];

			if (x[i].c != NULL || j->res.answer != NULL)
				continue;
			if (stop_asked(stop)) {
				j->res.status = WEBHOOK_TEMPFAIL;
				j->res.untried = true;
				j->res.answer = xstrdup("not sent: the worker is "
				    "stopping");
				fin++;
				webhook_decided(nt, i, &wait);
				continue;
			}
			if (j->ch->url.value == NULL ||
			    strncmp(j->ch->url.value, "file:", 5) == 0 ||
			    multi == NULL) {
				if (j->ch->url.value == NULL || multi == NULL) {
					j->res.status = WEBHOOK_TEMPFAIL;
					j->res.answer = xstrdup(multi == NULL ?
					    "libcurl could not start" :
					    "the channel has no URL");
				} else
					webhook_file(j->ch->url.value + 5,
					    j->payload, &j->res);
				fin++;
				webhook_decided(nt, i, &wait);
				continue;
			}
			cn = webhook_live_of(&per, &nper, j->ch);
			if (*cn >= WEBHOOK_PER_CHANNEL)
				continue;
			if (hl == NULL || !webhook_start(multi, &spare, hl,
			    &x[i])) {
				j->res.status = WEBHOOK_TEMPFAIL;
				j->res.answer = xstrdup("libcurl could not start "
				    "a transfer");
				if (x[i].c != NULL)
					curl_easy_cleanup(x[i].c);
				x[i].c = NULL;
				fin++;
				webhook_decided(nt, i, &wait);
				continue;
			}
			(*cn)++;
			live++;
		}
		while (next < n && (x[next].c != NULL ||
		    jobs[next].res.answer != NULL))
			next++;
		if (live == 0)
			continue;
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&done);
			webhook_finish(done, msg->data.result, now);
			(*webhook_live_of(&per, &nper, done->job->ch))--;
			/* Finished: neither live nor to start again. */
			webhook_done(multi, &spare, done);
			live--;
			fin++;
			webhook_decided(nt, (size_t)(done - x), &wait);
		}
		if (live > 0 && stop_overdue(stop)) {
			for (i = 0; i < n; i++)
				if (x[i].c != NULL) {
					webhook_cut(multi, &x[i], "the worker is "
					    "stopping");
					live--;
					fin++;
					webhook_decided(nt, i, &wait);
				}
			continue;
		}
		ms = webhook_cut_stalled(multi, x, n, &per, &nper, &live, &fin,
		    nt, &wait, stop_wait_ms(stop, 1000));
		if (wait >= 0 && wait < ms)
			ms = wait;
		if (running > 0 && live > 0)
			curl_multi_poll(multi, NULL, 0, (int)ms, NULL);
		if (nt != NULL && nt->fn != NULL)
			wait = nt->fn(nt->arg, WEBHOOK_TICK);
	}
	for (i = 0; i < n; i++)
		free(x[i].where);
	while (spare.n > 0)
		curl_easy_cleanup(spare.v[--spare.n]);
	curl_slist_free_all(hl);
	if (multi != NULL && p == NULL)
		curl_multi_cleanup(multi);
	free(per);
	free(x);
}

int
webhook_post(const struct config_channel *ch, const char *payload,
    time_t now, struct webhook_result *res, char **err)
{
	struct webhook_job	j;

	if (ch->url.value == NULL || *ch->url.value == '\0') {
		*err = xasprintf("channel %s has no URL", ch->id);
		return -1;
	}
	memset(&j, 0, sizeof(j));
	j.ch = ch;
	j.payload = payload;
	webhook_post_all(NULL, &j, 1, now, NULL, NULL);
	*res = j.res;
	return 0;
}

/* ------------------------------------------------------------- pacing */


void
webhook_rate(const struct config_channel *ch, int *posts, int64_t *window_ms)
{
	if (ch->rate_posts > 0) {
		*posts = ch->rate_posts;
		*window_ms = ch->rate_window_ms;
		return;
	}
	switch (ch->type) {
	case CONFIG_CHAN_DISCORD:
		*posts = 5;
		*window_ms = 2000;
		return;
	case CONFIG_CHAN_TEAMS:
		*posts = 4;
		*window_ms = 1000;
		return;
	default:
		*posts = 1;
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
	if (p->multi != NULL)
		curl_multi_cleanup(p->multi);
	free(p);
}

/* ch's bucket, brought up to now_ms; a new channel starts full. */
static struct webhook_pace *
webhook_pace_of(struct webhook_pacer *p, const struct config_channel *ch,
    int64_t now_ms)
{
	struct webhook_pace	*w = NULL;
	int64_t			 window;
	int			 posts;
	size_t			 i;

	webhook_rate(ch, &posts, &window);
	for (i = 0; i < p->n && w == NULL; i++)
		if (strcmp(p->v[i].id, ch->id) == 0)
			w = &p->v[i];
	if (w == NULL) {
		p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
		w = &p->v[p->n++];
		w->id = xstrdup(ch->id);
		w->tokens = posts;
		w->last_ms = now_ms;
	}
	if (now_ms > w->last_ms) {
		w->tokens += (double)(now_ms - w->last_ms) * posts /
		    (double)window;
		if (w->tokens > posts)
			w->tokens = posts;
		w->last_ms = now_ms;
	}
	return w;
}

double
webhook_pacer_wait(struct webhook_pacer *p, const struct config_channel *ch,
    int64_t now_ms)
{
	struct webhook_pace	*w = webhook_pace_of(p, ch, now_ms);
	int64_t			 window;
	int			 posts;

	if (w->tokens >= 1)
		return 0;
	webhook_rate(ch, &posts, &window);
	return (1 - w->tokens) * (double)window / posts / 1000.0;
}

void
webhook_pacer_sent(struct webhook_pacer *p, const struct config_channel *ch,
    int64_t now_ms)
{
	struct webhook_pace	*w = webhook_pace_of(p, ch, now_ms);

	w->tokens -= 1;
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
