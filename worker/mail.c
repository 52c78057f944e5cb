/* mail: SMTP through libcurl, or a maildir (see mail.h). */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
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

struct mail {
	const struct config_smtp *smtp;
	char			*maildir;	/* maildir delivery, else NULL */
	unsigned		 counter;	/* unique maildir names */
	CURL			*curl;
	char			 errbuf[CURL_ERROR_SIZE];
	char			 last[MAIL_ANSWER_MAX];	/* last reply line */
	char			 fail[MAIL_ANSWER_MAX];	/* first 4xx/5xx */
	const struct mail_item	*cur;
	size_t			 off;
	struct stop		*stop;		/* mail_send's, for the batch */
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

/*
 * libcurl hands each SMTP reply line to the header callback.  A refusal is
 * kept apart: libcurl's QUIT after it would otherwise hide it behind "221".
 */
static size_t
mail_reply_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct mail	*m = arg;
	char		*dst;
	size_t		 len = n;

	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len >= MAIL_ANSWER_MAX)
		len = MAIL_ANSWER_MAX - 1;
	dst = (len > 0 && (buf[0] == '4' || buf[0] == '5') &&
	    m->fail[0] == '\0') ? m->fail : m->last;
	memcpy(dst, buf, len);
	dst[len] = '\0';
	return size * n;
}

static size_t
mail_read_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct mail	*m = arg;
	size_t		 left = m->cur->len - m->off;

	if (left > size * n)
		left = size * n;
	memcpy(buf, m->cur->data + m->off, left);
	m->off += left;
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

static int
mail_curl_setup(struct mail *m, char **err)
{
	const struct config_smtp *s = m->smtp;
	CURL		*c;
	long		 ssl;
	CURLcode	 rc = CURLE_OK;

	if ((c = m->curl = curl_easy_init()) == NULL) {
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
	SET(CURLOPT_ERRORBUFFER, m->errbuf);
	SET(CURLOPT_HEADERFUNCTION, mail_reply_cb);
	SET(CURLOPT_HEADERDATA, m);
	SET(CURLOPT_READFUNCTION, mail_read_cb);
	SET(CURLOPT_READDATA, m);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, mail_progress_cb);
	SET(CURLOPT_XFERINFODATA, m);
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

	m->smtp = smtp;
	if (strncmp(smtp->url, "maildir:", 8) == 0) {
		m->maildir = xstrdup(smtp->url + 8);
		return m;
	}
	if (mail_curl_setup(m, err) == -1) {
		mail_free(m);
		return NULL;
	}
	return m;
}

void
mail_free(struct mail *m)
{
	if (m == NULL)
		return;
	/* Sends QUIT on a live connection; the callbacks still see m. */
	if (m->curl != NULL)
		curl_easy_cleanup(m->curl);
	free(m->maildir);
	free(m);
}

static void
mail_smtp_one(struct mail *m, struct mail_item *it)
{
	struct curl_slist	*rcpt = NULL;
	char			*from;
	CURLcode		 rc;
	long			 code = 0;

	from = xasprintf("<%s>", it->from_addr);
	rcpt = curl_slist_append(NULL, it->to_addr);
	m->cur = it;
	m->off = 0;
	m->last[0] = m->fail[0] = m->errbuf[0] = '\0';
	if (rcpt == NULL) {
		it->status = MAIL_TEMPFAIL;
		it->answer = xstrdup("out of memory");
		goto out;
	}
	curl_easy_setopt(m->curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(m->curl, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)it->len);
	rc = curl_easy_perform(m->curl);
	curl_easy_getinfo(m->curl, CURLINFO_RESPONSE_CODE, &code);
	it->code = code;
	if (rc == CURLE_OK)
		it->status = MAIL_SENT;
	else if (code >= 500 && code <= 599)
		it->status = MAIL_PERMFAIL;
	else	/* 4xx, refused, unreachable, timed out: try again later */
		it->status = MAIL_TEMPFAIL;
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		it->answer = xstrdup("cut off: the worker is stopping");
	else if (rc == CURLE_OK && m->last[0] != '\0')
		it->answer = xstrdup(m->last);
	else if (rc != CURLE_OK && m->fail[0] != '\0')
		it->answer = xstrdup(m->fail);
	else
		it->answer = xstrdup(m->errbuf[0] ? m->errbuf :
		    curl_easy_strerror(rc));
out:
	/* The list and sender die here: unhook them from the handle. */
	curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(m->curl, CURLOPT_MAIL_FROM, NULL);
	curl_slist_free_all(rcpt);
	free(from);
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
	for (i = 0; i < n; i++) {
		struct mail_item *it = &items[i];

		it->code = 0;
		it->answer = NULL;
		it->untried = false;
		if (stop_asked(stop)) {
			it->status = MAIL_TEMPFAIL;
			it->untried = true;
			it->answer = xstrdup("not sent: the worker is stopping");
			continue;
		}
		if (!message_address_valid(it->from_addr) ||
		    !message_address_valid(it->to_addr)) {
			it->status = MAIL_PERMFAIL;
			it->answer = xstrdup("refused: an envelope address is "
			    "not a plain e-mail address");
			continue;
		}
		if (m->maildir != NULL)
			mail_maildir_one(m, it);
		else
			mail_smtp_one(m, it);
		sent += it->status == MAIL_SENT;
	}
	return sent;
}
