/* mail: SMTP through libcurl, or a maildir (see mail.h). */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "mail.h"
#include "message.h"
#include "stop.h"
#include "xmalloc.h"

#define MAIL_CONNECT_TIMEOUT	15L	/* seconds */
#define MAIL_TIMEOUT		120L	/* seconds, one whole message */
#define MAIL_ANSWER_MAX		512
/*
 * Connections at once to the relay, each reused for its share of a batch:
 * enough to hide the server's per-message round trips, few enough for any
 * relay's per-client limit (Postfix allows 50).
 */
#define MAIL_LANES		4

/* One connection and the message it is sending. */
struct mail_lane {
	CURL			*curl;
	char			 errbuf[CURL_ERROR_SIZE];
	char			 last[MAIL_ANSWER_MAX];	/* last reply line */
	char			 fail[MAIL_ANSWER_MAX];	/* first 4xx/5xx */
	struct mail_item	*cur;			/* NULL: idle */
	bool			 data;			/* 354 seen: data goes */
	bool			 taken;			/* 2xx after it: sent */
	size_t			 off;
	struct curl_slist	*rcpt;
	char			*from;
};

struct mail {
	const struct config_smtp *smtp;
	char			*maildir;	/* maildir delivery, else NULL */
	unsigned		 counter;	/* unique maildir names */
	CURLM			*multi;		/* its cache holds the connections */
	struct mail_lane	 lanes[MAIL_LANES];
	struct stop		*stop;		/* mail_send's, for the batch */
	struct mail_notify	 notify;	/* fn NULL: none */
	struct mail_item	*items;		/* mail_send's, for notify */
	int64_t			 wait;		/* ms until notify wants a tick;
						   -1: none */
	curl_socket_t		*socks;		/* libcurl's open sockets */
	size_t			 nsocks;
};

const char *
mail_status_name(enum mail_status s)
{
	switch (s) {
	case MAIL_SENT:
		return "sent";
	case MAIL_TEMPFAIL:
		return "temporary failure";
	default:
		return "permanent failure";
	}
}

void
mail_set_notify(struct mail *m, const struct mail_notify *notify)
{
	memset(&m->notify, 0, sizeof(m->notify));
	if (notify != NULL)
		m->notify = *notify;
}

/* it is decided: tell the caller now, not at the end of the batch. */
static void
mail_decided(struct mail *m, struct mail_item *it)
{
	if (m->notify.fn != NULL)
		m->wait = m->notify.fn(m->notify.arg, (size_t)(it - m->items));
}

/* The longest poll: a second, or less when the caller wants a tick. */
static int
mail_poll_ms(struct mail *m)
{
	return m->wait >= 0 && m->wait < 1000 ? (int)m->wait : 1000;
}

/*
 * libcurl hands each SMTP reply line to the header callback.  A refusal is
 * kept apart: libcurl's QUIT after it would otherwise hide it behind "221".
 */
static size_t
mail_reply_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct mail_lane	*l = arg;
	char			*dst;
	size_t			 len = n;

	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len >= MAIL_ANSWER_MAX)
		len = MAIL_ANSWER_MAX - 1;
	/* The answer to the data's final ".": the message is the server's,
	 * whatever libcurl says after it. */
	if (len > 0 && buf[0] == '2' && l->data)
		l->taken = true;
	if (len >= 3 && strncmp(buf, "354", 3) == 0)
		l->data = true;
	dst = (len > 0 && (buf[0] == '4' || buf[0] == '5') &&
	    l->fail[0] == '\0') ? l->fail : l->last;
	memcpy(dst, buf, len);
	dst[len] = '\0';
	return size * n;
}

static size_t
mail_read_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct mail_lane	*l = arg;
	size_t			 left = l->cur->len - l->off;

	if (left > size * n)
		left = size * n;
	memcpy(buf, l->cur->data + l->off, left);
	l->off += left;
	return left;
}

/* A message still going when the stop's grace is over is cut off: it is
 * retried with the same Message-ID at the next start. */
static int
mail_progress_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct mail	*m = arg;

	return stop_overdue(m->stop) ? 1 : 0;
}

/* Keep count of the connections' sockets, for mail_free. */
static int
mail_sockopt_cb(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	struct mail	*m = arg;

	m->socks = xreallocarray(m->socks, m->nsocks + 1, sizeof(*m->socks));
	m->socks[m->nsocks++] = fd;
	return CURL_SOCKOPT_OK;
}

static int
mail_closesocket_cb(void *arg, curl_socket_t fd)
{
	struct mail	*m = arg;
	size_t		 i;

	for (i = 0; i < m->nsocks; i++)
		if (m->socks[i] == fd) {
			m->socks[i] = m->socks[--m->nsocks];
			break;
		}
	return close(fd);
}

static int
mail_lane_setup(struct mail *m, struct mail_lane *l, char **err)
{
	const struct config_smtp *s = m->smtp;
	CURL		*c;
	long		 ssl;
	CURLcode	 rc = CURLE_OK;

	if ((c = l->curl = curl_easy_init()) == NULL) {
		*err = xstrdup("libcurl cannot be initialised");
		return -1;
	}
	ssl = s->starttls == CONFIG_STARTTLS_REQUIRED ? (long)CURLUSESSL_ALL :
	    s->starttls == CONFIG_STARTTLS_OPTIONAL ? (long)CURLUSESSL_TRY :
	    (long)CURLUSESSL_NONE;
#define SET(opt, val)	do { if (rc == CURLE_OK) \
	rc = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_URL, s->url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_USE_SSL, ssl);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->ca_file != NULL)
		SET(CURLOPT_CAINFO, s->ca_file);
	SET(CURLOPT_CONNECTTIMEOUT, MAIL_CONNECT_TIMEOUT);
	SET(CURLOPT_TIMEOUT, MAIL_TIMEOUT);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, l->errbuf);
	SET(CURLOPT_HEADERFUNCTION, mail_reply_cb);
	SET(CURLOPT_HEADERDATA, l);
	SET(CURLOPT_READFUNCTION, mail_read_cb);
	SET(CURLOPT_READDATA, l);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_PRIVATE, l);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, mail_progress_cb);
	SET(CURLOPT_XFERINFODATA, m);
	SET(CURLOPT_SOCKOPTFUNCTION, mail_sockopt_cb);
	SET(CURLOPT_SOCKOPTDATA, m);
	SET(CURLOPT_CLOSESOCKETFUNCTION, mail_closesocket_cb);
	SET(CURLOPT_CLOSESOCKETDATA, m);
	if (s->username != NULL) {
		SET(CURLOPT_USERNAME, s->username);
		SET(CURLOPT_PASSWORD, s->password.value ?
		    s->password.value : "");
	}
#undef SET
	if (rc != CURLE_OK) {
		*err = xasprintf("libcurl: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

struct mail *
mail_new(const struct config_smtp *smtp, char **err)
{
	struct mail	*m = xcalloc(1, sizeof(*m));
	size_t		 i;

	m->smtp = smtp;
	if (strncmp(smtp->url, "maildir:", 8) == 0) {
		m->maildir = xstrdup(smtp->url + 8);
		return m;
	}
	if ((m->multi = curl_multi_init()) == NULL) {
		*err = xstrdup("libcurl cannot be initialised");
		goto fail;
	}
	curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, (long)MAIL_LANES);
	for (i = 0; i < MAIL_LANES; i++)
		if (mail_lane_setup(m, &m->lanes[i], err) == -1)
			goto fail;
	return m;
fail:
	mail_free(m);
	return NULL;
}

void
mail_free(struct mail *m)
{
	size_t	i;

	if (m == NULL)
		return;
	/*
	 * Every message is decided by now, and the QUIT that libcurl sends on
	 * each cached connection changes nothing; but libcurl waits up to
	 * 120 s for its answer, per connection, and a server may never give
	 * it.  Our side is shut for reading first: QUIT still goes, and the
	 * wait ends at once.
	 */
	for (i = 0; i < m->nsocks; i++)
		shutdown(m->socks[i], SHUT_RD);
	/* libcurl's order: the multi (which sends QUIT on its cached
	 * connections) before the easy handles; no lane is in it now. */
	if (m->multi != NULL)
		curl_multi_cleanup(m->multi);
	for (i = 0; i < MAIL_LANES; i++)
		if (m->lanes[i].curl != NULL)
			curl_easy_cleanup(m->lanes[i].curl);
	free(m->socks);
	free(m->maildir);
	free(m);
}

/* The list and sender die here: unhook them from the handle. */
static void
mail_lane_idle(struct mail_lane *l)
{
	curl_easy_setopt(l->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(l->curl, CURLOPT_MAIL_FROM, NULL);
	curl_slist_free_all(l->rcpt);
	free(l->from);
	l->rcpt = NULL;
	l->from = NULL;
	l->cur = NULL;
}

/* Put it on lane l's connection; false (it is decided) if it cannot go. */
static bool
mail_lane_start(struct mail *m, struct mail_lane *l, struct mail_item *it)
{
	l->from = xasprintf("<%s>", it->from_addr);
	l->rcpt = curl_slist_append(NULL, it->to_addr);
	/* The Cc: header only shows who else reads; RCPT TO delivers. */
	if (l->rcpt != NULL && it->cc_addr != NULL &&
	    strcmp(it->cc_addr, it->to_addr) != 0 &&
	    curl_slist_append(l->rcpt, it->cc_addr) == NULL) {
		curl_slist_free_all(l->rcpt);
		l->rcpt = NULL;
	}
	l->cur = it;
	l->off = 0;
	l->last[0] = l->fail[0] = l->errbuf[0] = '\0';
	l->data = l->taken = false;
	if (l->rcpt != NULL) {
		curl_easy_setopt(l->curl, CURLOPT_MAIL_FROM, l->from);
		curl_easy_setopt(l->curl, CURLOPT_MAIL_RCPT, l->rcpt);
		curl_easy_setopt(l->curl, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)it->len);
		if (curl_multi_add_handle(m->multi, l->curl) == CURLM_OK)
			return true;
	}
	it->status = MAIL_TEMPFAIL;
	it->answer = xstrdup("libcurl could not start the message");
	mail_lane_idle(l);
	mail_decided(m, it);
	return false;
}

/* Lane l's message is through: what the server said decides its status. */
static void
mail_lane_finish(struct mail *m, struct mail_lane *l, CURLcode rc)
{
	struct mail_item	*it = l->cur;
	long			 code = 0;

	curl_easy_getinfo(l->curl, CURLINFO_RESPONSE_CODE, &code);
	it->code = code;
	if (rc == CURLE_OK || l->taken)
		it->status = MAIL_SENT;
	else if (code >= 500 && code <= 599)
		it->status = MAIL_PERMFAIL;
	else	/* 4xx, refused, unreachable, timed out: try again later */
		it->status = MAIL_TEMPFAIL;
	if (rc != CURLE_OK && l->taken)
		it->answer = xasprintf("%s, then %s", l->last,
		    curl_easy_strerror(rc));
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		it->answer = xstrdup("cut off: the worker is stopping");
	else if (rc == CURLE_OK && l->last[0] != '\0')
		it->answer = xstrdup(l->last);
	else if (rc != CURLE_OK && l->fail[0] != '\0')
		it->answer = xstrdup(l->fail);
	else
		it->answer = xstrdup(l->errbuf[0] ? l->errbuf :
		    curl_easy_strerror(rc));
	curl_multi_remove_handle(m->multi, l->curl);
	mail_lane_idle(l);
	mail_decided(m, it);
}

/* The items still undecided (answer NULL), over the lanes at once. */
static void
mail_smtp_all(struct mail *m, struct mail_item *items, size_t n)
{
	struct mail_lane	*l;
	CURLMsg			*msg;
	size_t			 i, next = 0, live = 0;
	int			 running, left;

	for (;;) {
		for (i = 0; i < MAIL_LANES; i++) {
			l = &m->lanes[i];
			while (l->cur == NULL && next < n) {
				struct mail_item *it = &items[next++];

				if (it->answer != NULL)
					continue;
				if (stop_asked(m->stop)) {
					it->status = MAIL_TEMPFAIL;
					it->untried = true;
					it->answer = xstrdup("not sent: the worker "
					    "is stopping");
					mail_decided(m, it);
				} else if (mail_lane_start(m, l, it))
					live++;
			}
		}
		if (live == 0)
			break;
		curl_multi_perform(m->multi, &running);
		while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&l);
			mail_lane_finish(m, l, msg->data.result);
			live--;
		}
		if (running > 0)
			curl_multi_poll(m->multi, NULL, 0, mail_poll_ms(m),
			    NULL);
		if (m->notify.fn != NULL)
			m->wait = m->notify.fn(m->notify.arg, MAIL_TICK);
	}
}

/* ---------------------------------------------------------------- maildir */

static int
mail_mkdirs(const char *path)
{
	char	*p = xstrdup(path), *s, c;
	int	 rc = -1;

	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			goto out;
		*s = c;
		if (c == '\0')
			break;
	}
	rc = 0;
out:
	free(p);
	return rc;
}

static int
mail_fsync_dir(const char *path)
{
	int	fd, rc;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
mail_write_all(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Maildir lines end in LF alone. */
static int
mail_write_lf(int fd, const char *data, size_t len)
{
	const char	*p = data, *end = data + len, *cr;

	while (p < end) {
		cr = memmem(p, (size_t)(end - p), "\r\n", 2);
		if (mail_write_all(fd, p, cr ? (size_t)(cr - p) :
		    (size_t)(end - p)) == -1)
			return -1;
		if (cr == NULL)
			break;
		if (mail_write_all(fd, "\n", 1) == -1)
			return -1;
		p = cr + 2;
	}
	return 0;
}

static void
mail_maildir_one(struct mail *m, struct mail_item *it)
{
	struct timespec	 ts;
	char		 host[256];
	char		*tmp = NULL, *new = NULL, *name = NULL, *sub, *p;
	const char	*step = "create";
	int		 fd = -1;
	size_t		 i;

	for (i = 0; i < 3; i++) {
		sub = xasprintf("%s/%s", m->maildir,
		    (const char *[]){ "tmp", "new", "cur" }[i]);
		if (mail_mkdirs(sub) == -1) {
			it->answer = xasprintf("%s: %s", sub, strerror(errno));
			free(sub);
			it->status = MAIL_TEMPFAIL;
			return;
		}
		free(sub);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	if (gethostname(host, sizeof(host)) == -1)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	/* '/' and ':' have meanings in maildir names. */
	for (p = host; *p != '\0'; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	name = xasprintf("%lld.M%ldP%dQ%u.%s", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000, (int)getpid(), ++m->counter, host);
	tmp = xasprintf("%s/tmp/%s", m->maildir, name);
	new = xasprintf("%s/new/%s", m->maildir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		goto fail;
	step = "write";
	if (mail_write_lf(fd, it->data, it->len) == -1 || fsync(fd) == -1)
		goto fail;
	step = "close";
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	step = "rename";
	if (rename(tmp, new) == -1)
		goto fail;
	free(tmp);
	tmp = xasprintf("%s/new", m->maildir);
	/* The message is in new/ already: a failed directory sync must not
	 * turn into a retry and a second copy. */
	(void)mail_fsync_dir(tmp);
	it->status = MAIL_SENT;
	it->answer = xasprintf("delivered to %s", new);
	goto out;
fail:
	it->status = MAIL_TEMPFAIL;
	it->answer = xasprintf("%s %s: %s", step, tmp, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
out:
	free(name);
	free(tmp);
	free(new);
}

size_t
mail_send(struct mail *m, struct mail_item *items, size_t n,
    struct stop *stop)
{
	size_t	i, sent = 0;

	m->stop = stop;
	m->items = items;
	m->wait = -1;
	for (i = 0; i < n; i++) {
		struct mail_item *it = &items[i];

		it->code = 0;
		it->answer = NULL;
		it->untried = false;
		if (stop_asked(stop)) {
			it->status = MAIL_TEMPFAIL;
			it->untried = true;
			it->answer = xstrdup("not sent: the worker is stopping");
			mail_decided(m, it);
			continue;
		}
		if (!message_address_valid(it->from_addr) ||
		    !message_address_valid(it->to_addr) ||
		    (it->cc_addr != NULL &&
		    !message_address_valid(it->cc_addr))) {
			it->status = MAIL_PERMFAIL;
			it->answer = xstrdup("refused: an envelope address is "
			    "not a plain e-mail address");
			mail_decided(m, it);
			continue;
		}
		if (m->maildir != NULL) {
			mail_maildir_one(m, it);
			mail_decided(m, it);
		}
	}
	if (m->maildir == NULL)
		mail_smtp_all(m, items, n);
	for (i = 0; i < n; i++)
		sent += items[i].status == MAIL_SENT;
	m->items = NULL;
	return sent;
}
