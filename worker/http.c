/* http: feeds, /healthz and /metrics over libmicrohttpd, from memory. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <unistd.h>
#include <zlib.h>

#include "busy.h"
#include "hex.h"
#include "http.h"
#include "ledger.h"
#include "link.h"
#include "log.h"
#include "meeting.h"
#include "metrics.h"
#include "page.h"
#include "plan.h"
#include "report.h"
#include "roll.h"
#include "store.h"
#include "token.h"
#include "tz.h"
#include "xmalloc.h"

#define HTTP_FEED_PREFIX	"/feeds/"
#define HTTP_FEED_PATH_LEN	(sizeof(HTTP_FEED_PREFIX) - 1 + \
				    TOKEN_LEN + sizeof(".ics") - 1)
/* Longer than any path we answer: such URLs are not even looked at. */
#define HTTP_MAX_PATH		64
#define HTTP_ETAG_LEN		48
#define HTTP_DATE_LEN		40
/* Calendar apps poll every few hours at most; a few minutes of caching
 * spares the server without delaying a change noticeably. */
#define HTTP_CACHE_CONTROL	"max-age=300"
#define HTTP_CONTENT_TYPE	"text/calendar; charset=utf-8"
#define HTTP_MAX_POOL		16
#define HTTP_LINK_PREFIX	"/a/"
#define HTTP_ATTEND_PREFIX	"/t/"	/* branch report */
#define HTTP_REPORT_PREFIX	"/r/"
/* The most bytes of a form we read: a roll of a few dozen members. */
#define HTTP_FORM_MAX		8192
#define HTTP_RSVP_PREFIX	"/v/"
#define HTTP_MOVE_PREFIX	"/m/"
/* The pages need nothing but their own inline style and form. */
#define HTTP_LINK_CSP		"default-src 'none'; style-src 'unsafe-inline'; " \
				"form-action 'self'; frame-ancestors 'none'; " \
				"base-uri 'none'"

/*
 * Slow clients.  A slot is held for as long as a connection is open, and
 * libmicrohttpd's own timeout is an idle one: a client sending a byte every
 * few seconds would hold its slot for ever.  So a request (header and body)
 * must arrive within HTTP_REQUEST_MS of the connection opening or of the
 * previous response ending, or its connection is closed; a response being
 * sent is not cut (a slow reader is bounded by the idle timeout instead).
 * Calendar apps send a request in one packet; 10 s allows for a poor link.
 */
#define HTTP_REQUEST_MS		10000
#define HTTP_IDLE_S		10u
/*
 * Connections from one address.  Calendar apps poll now and then and a
 * request takes milliseconds, so even a school behind one NAT, or a reverse
 * proxy on loopback, rarely has more than a few at once; one address can
 * then hold at most this many of the slots.
 */
#define HTTP_PER_IP		64u
/*
 * Open files the worker keeps for itself, out of RLIMIT_NOFILE, so that no
 * number of connections can make a cycle fail with EMFILE.  At most, at
 * once:
 *     9  always open: stdin, stdout, stderr; the lock; inotify; two
 *        signalfds; the sd_notify and journal sockets
 *    12  SQLite: the worker's and the server's connections, each the
 *        database, -wal and -shm (6); temporary files, the rollback
 *        journal and `backup`'s copy (6)
 *     8  a reload: the config, secret files, zoneinfo, a directory listing
 *     4  a feed write: the feeds directory, the new file, an old one read
 *        to compare, one spare
 *     8  a busy calendar: its file, or a fetch (socket, the resolver
 *        thread's socket pair, the multi handle's wake-up pair), plus the
 *        pipe of a child that parses it (2) and its pidfd
 *    14  mail: MAIL_LANES (4) sockets, each with a resolver pair (12), the
 *        Maildir file and its directory (2)
 *   197  webhooks: WEBHOOK_IN_FLIGHT (64) sockets, each with a resolver
 *        pair (192); the wake-up pair, a file: channel's file, a spare (5)
 *   ---
 *   252, rounded up to 256.  The server's own descriptors come on top:
 *   the listening socket, and per thread of the pool its epoll set, its
 *   wake-up eventfd and the one socket it may accept only to close it
 *   again at the limit (1 + 3 * pool).  Under Debian's default of 1024
 *   open files and 2 cores that leaves 1024 - 256 - 7 = 761 connections;
 *   the unit's LimitNOFILE=8192 leaves 7929 (8 cores: 7911).
 */
#define HTTP_OWN_FILES		256u
/* Fewer slots than this is not a server worth starting. */
#define HTTP_MIN_CONNECTIONS	64u
/* Whatever the limit: libmicrohttpd keeps up to 32 KB per connection, so
 * this bounds the server's memory to 256 MB. */
#define HTTP_MAX_CONNECTIONS	8192u
/* libmicrohttpd messages per minute at most: each closed or refused
 * connection may log one, and an attacker must not fill the journal. */
#define HTTP_LOG_BURST		10u
#define HTTP_LOG_WINDOW_MS	60000

/* A name the pages show for an ID, copied from the config. */
struct http_name {
	char	*id, *name, *zone;	/* zone: communities only */
	/* Communities only: their members (required, then optional), how
	 * many are required, and the facilitator. */
	char	**members;
	size_t	  nmembers, nrequired;
	char	 *facilitator;
};

/* A meeting the signed pages may name (http_set_meetings). */
struct http_meet {
	char			*community;
	struct civil_date	 date;
	time_t			 start, end;
	bool			 cancelled;
};

/*
 * One feed, ready to serve: the responses are built once and queued to any
 * number of connections (libmicrohttpd counts its own references, so a
 * response outlives its entry while a connection still sends it).
 */
struct http_entry {
	char			 token[TOKEN_LEN + 1];
	uint64_t		 hash;
	unsigned char		 digest[32];	/* SHA-256 of the body */
	size_t			 len;
	time_t			 modified;
	char			 etag[HTTP_ETAG_LEN];
	char			 etag_gz[HTTP_ETAG_LEN];
	/* Identity and gzip.  They serve the 304s too: libmicrohttpd sends
	 * no body with a 304 but keeps the Content-Length, which is then the
	 * 200's, as RFC 9110 15.4.5 asks. */
	struct MHD_Response	*full, *full_gz;
	/* Maps holding this entry; only the publishing thread touches it. */
	int			 refs;
};

/*
 * A connection, for its request deadline (HTTP_REQUEST_MS).  Those whose
 * request is still being read are queued by deadline; since every deadline
 * is "now + HTTP_REQUEST_MS", appending keeps the queue sorted.
 */
struct http_conn {
	struct http_conn	*prev, *next;
	int			 fd;
	int64_t			 deadline;	/* CLOCK_MONOTONIC ms */
	bool			 queued;
};

/* An immutable open-addressing table of entries, keyed by a keyed hash of
 * the token; replaced as a whole. */
struct http_map {
	struct http_entry	**slots;
	size_t			  mask;
	struct http_entry	**entries;
	size_t			  n;
};

struct http_server {
	struct MHD_Daemon	*mhd;
	uint64_t		 key[2];	/* SipHash key, random per run */
	pthread_rwlock_t	 lock;		/* guards map (the pointer) */
	struct http_map		*map;
	pthread_mutex_t		 db_lock;	/* the connection is not shared */
	struct store		*st;
	struct MHD_Response	*not_found, *not_allowed;
	bool			 locks_ready;
	pthread_mutex_t		 stats_lock;	/* guards stats */
	struct http_stats	 stats;
	bool			 has_stats;
	time_t			 start_time;
	_Atomic uint64_t	 feed_requests[METRICS_NCODES];
	unsigned char		*link_key;	/* signs the /a/ links */
	size_t			 link_keylen;
	time_t			 now_offset;	/* --now minus the real clock */
	pthread_mutex_t		 names_lock;	/* guards the names */
	struct http_name	*members, *communities;
	size_t			 nmembers, ncommunities;
	/* The config in force (names_lock), for the attendance and report
	 * pages; the worker frees an old one only after replacing it. */
	const struct config	*cfg;
	char			*public_url;	/* for the origin check */
	struct http_meet	*meets;		/* names_lock too */
	size_t			 nmeets;
	struct MHD_Response	*link_not_allowed;
	/* The request deadlines: the queue, and the thread that closes the
	 * connections whose deadline passed. */
	pthread_mutex_t		 conn_lock;	/* guards the queue, stopping */
	pthread_cond_t		 conn_cond;	/* wakes the reaper to stop */
	struct http_conn	*conn_head, *conn_tail;
	bool			 stopping;
	pthread_t		 reaper;
	bool			 reaper_started;
	pthread_mutex_t		 log_lock;	/* guards the log_ fields */
	int64_t			 log_window;	/* end of the current one */
	unsigned int		 log_count, log_dropped;
};

static void
http_count(struct http_server *srv, unsigned int code)
{
	enum metrics_code	c = code == MHD_HTTP_OK ? METRICS_200 :
				    code == MHD_HTTP_NOT_MODIFIED ? METRICS_304 :
				    code == MHD_HTTP_NOT_FOUND ? METRICS_404 :
				    METRICS_OTHER;

	atomic_fetch_add(&srv->feed_requests[c], 1);
}

static int64_t
http_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SipHash-2-4: the table's hash is keyed with a secret, so that how long a
 * lookup takes says nothing an attacker can use about the tokens in it. */
#define HTTP_ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define HTTP_SIPROUND do {						\
	v0 += v1; v1 = HTTP_ROTL(v1, 13); v1 ^= v0; v0 = HTTP_ROTL(v0, 32); \
	v2 += v3; v3 = HTTP_ROTL(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = HTTP_ROTL(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = HTTP_ROTL(v1, 17); v1 ^= v2; v2 = HTTP_ROTL(v2, 32); \
} while (0)

static uint64_t
http_siphash(const uint64_t key[2], const unsigned char *in, size_t len)
{
	uint64_t	v0 = 0x736f6d6570736575ULL ^ key[0];
	uint64_t	v1 = 0x646f72616e646f6dULL ^ key[1];
	uint64_t	v2 = 0x6c7967656e657261ULL ^ key[0];
	uint64_t	v3 = 0x7465646279746573ULL ^ key[1];
	uint64_t	m, b = (uint64_t)len << 56;
	size_t		i, j;

	for (i = 0; i + 8 <= len; i += 8) {
		for (m = 0, j = 0; j < 8; j++)
			m |= (uint64_t)in[i + j] << (8 * j);
		v3 ^= m;
		HTTP_SIPROUND;
		HTTP_SIPROUND;
		v0 ^= m;
	}
	for (j = 0; i + j < len; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	HTTP_SIPROUND;
	HTTP_SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	HTTP_SIPROUND;
	HTTP_SIPROUND;
	HTTP_SIPROUND;
	HTTP_SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* Called with the map read-locked (or by the map's only writer). */
static struct http_entry *
http_map_find(const struct http_server *srv, const struct http_map *map,
    const char *token)
{
	struct http_entry	*e;
	uint64_t		 h;
	size_t			 i;

	if (map == NULL || map->n == 0)
		return NULL;
	h = http_siphash(srv->key, (const unsigned char *)token,
	    TOKEN_LEN);
	for (i = h & map->mask; (e = map->slots[i]) != NULL;
	    i = (i + 1) & map->mask)
		if (e->hash == h &&
		    CRYPTO_memcmp(e->token, token, TOKEN_LEN) == 0)
			return e;
	return NULL;
}

static void
http_entry_release(struct http_entry *e)
{
	if (e == NULL || --e->refs > 0)
		return;
	/* libmicrohttpd frees each response once its last connection is
	 * done with it. */
	if (e->full != NULL)
		MHD_destroy_response(e->full);
	if (e->full_gz != NULL)
		MHD_destroy_response(e->full_gz);
	free(e);
}

static void
http_map_free(struct http_map *map)
{
	size_t	i;

	if (map == NULL)
		return;
	for (i = 0; i < map->n; i++)
		http_entry_release(map->entries[i]);
	free(map->entries);
	free(map->slots);
	free(map);
}

static void
http_date(time_t t, char buf[HTTP_DATE_LEN])
{
	struct tm	tm;

	/* The C locale is in force (nothing calls setlocale), as HTTP-date's
	 * English names need. */
	gmtime_r(&t, &tm);
	strftime(buf, HTTP_DATE_LEN, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* An HTTP-date in any of the three forms RFC 9110 5.6.7 says to accept. */
static int
http_parse_date(const char *s, time_t *out)
{
	static const char *const forms[] = {
		"%a, %d %b %Y %H:%M:%S GMT",	/* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",	/* RFC 850 */
		"%a %b %e %H:%M:%S %Y",		/* asctime */
	};
	struct tm	 tm;
	const char	*end;
	size_t		 i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, forms[i], &tm);
		if (end != NULL && *end == '\0') {
			*out = timegm(&tm);
			return 0;
		}
	}
	return -1;
}

/* Does an If-None-Match list name this entry (in either encoding)?  The
 * weak comparison RFC 9110 13.1.2 prescribes: W/ prefixes are ignored. */
static bool
http_etag_matches(const char *list, const struct http_entry *e)
{
	const char	*p = list, *q;
	size_t		 n;

	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return false;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"')
			return false;
		if ((q = strchr(p + 1, '"')) == NULL)
			return false;
		n = (size_t)(q - p) + 1;
		if ((n == strlen(e->etag) && memcmp(p, e->etag, n) == 0) ||
		    (n == strlen(e->etag_gz) && memcmp(p, e->etag_gz, n) == 0))
			return true;
		p = q + 1;
	}
}

/* "0", "0.0", "0.000": the only q-values that refuse a coding. */
static bool
http_qzero(const char *q, size_t n)
{
	size_t	i;

	if (n == 0 || q[0] != '0')
		return false;
	for (i = 1; i < n; i++)
		if (q[i] != '.' && q[i] != '0')
			return false;
	return true;
}

/* Does Accept-Encoding allow gzip?  "gzip", "x-gzip" or "*", not with q=0. */
static bool
http_accepts_gzip(const char *ae)
{
	const char	*p = ae, *name, *params, *q;
	size_t		 nlen, plen;
	int		 gzip = -1, star = -1, ok;

	while (*p != '\0') {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		name = p;
		nlen = strcspn(p, " \t;,");
		params = p + nlen;
		plen = strcspn(params, ",");
		p = params + plen;
		ok = 1;
		/* Find q= among the parameters of this element. */
		for (q = params; q < params + plen; q++)
			if ((*q == 'q' || *q == 'Q') && q[1] == '=' &&
			    (q == params || q[-1] == ';' || q[-1] == ' '))
				ok = !http_qzero(q + 2, strcspn(q + 2, " \t;,"));
		if ((nlen == 4 && strncasecmp(name, "gzip", 4) == 0) ||
		    (nlen == 6 && strncasecmp(name, "x-gzip", 6) == 0))
			gzip = ok;
		else if (nlen == 1 && *name == '*')
			star = ok;
	}
	return gzip != -1 ? gzip == 1 : star == 1;
}

static int
http_gzip(const char *in, size_t len, unsigned char **out, size_t *outlen)
{
	z_stream	 z;
	unsigned char	*buf = NULL;
	uLong		 cap;
	int		 rc = -1;

	memset(&z, 0, sizeof(z));
	if (len > UINT32_MAX ||
	    deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	cap = deflateBound(&z, (uLong)len);
	buf = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		goto out;
	*out = buf;
	*outlen = z.total_out;
	buf = NULL;
	rc = 0;
out:
	deflateEnd(&z);
	free(buf);
	return rc;
}

static struct MHD_Response *
http_response(const void *body, size_t len, const struct http_entry *e,
    const char *etag, bool gz)
{
	struct MHD_Response	*r;
	char			 date[HTTP_DATE_LEN];

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return NULL;
	http_date(e->modified, date);
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    HTTP_CONTENT_TYPE) != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag) != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED,
	    date) != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    HTTP_CACHE_CONTROL) != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY,
	    "Accept-Encoding") != MHD_YES ||
	    MHD_add_response_header(r, "X-Content-Type-Options",
	    "nosniff") != MHD_YES ||
	    (gz && MHD_add_response_header(r,
	    MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip") != MHD_YES)) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

/* A ready entry for one feed, or NULL when libmicrohttpd or zlib fail. */
static struct http_entry *
http_entry_new(const struct http_server *srv, const struct http_feed *f,
    const unsigned char digest[32])
{
	struct http_entry	*e = xcalloc(1, sizeof(*e));
	unsigned char		*gz = NULL;
	size_t			 gzlen = 0;
	char			 hex[33];

	memcpy(e->token, f->token, TOKEN_LEN);
	e->hash = http_siphash(srv->key, (const unsigned char *)e->token,
	    TOKEN_LEN);
	memcpy(e->digest, digest, sizeof(e->digest));
	e->len = f->len;
	e->modified = f->modified;
	e->refs = 1;
	/* Strong validators from the bytes: half the SHA-256 is plenty to
	 * tell versions of one feed apart.  The gzip variant is another
	 * representation, so it gets its own tag. */
	hex_encode(digest, 16, hex);
	snprintf(e->etag, sizeof(e->etag), "\"%s\"", hex);
	snprintf(e->etag_gz, sizeof(e->etag_gz), "\"%s-gz\"", hex);
	if (http_gzip(f->body, f->len, &gz, &gzlen) == -1)
		goto fail;
	e->full = http_response(f->body, f->len, e, e->etag, false);
	e->full_gz = http_response(gz, gzlen, e, e->etag_gz, true);
	if (e->full == NULL || e->full_gz == NULL)
		goto fail;
	free(gz);
	return e;
fail:
	free(gz);
	http_entry_release(e);
	return NULL;
}

void
http_set_feeds(struct http_server *srv, const struct http_feed *feeds,
    size_t n)
{
	struct http_map		*map = xcalloc(1, sizeof(*map)), *old;
	struct http_entry	*e;
	unsigned char		 digest[32];
	unsigned int		 dlen;
	size_t			 cap = 8, i, j;

	while (cap < 2 * n)
		cap *= 2;
	map->slots = xcalloc(cap, sizeof(*map->slots));
	map->mask = cap - 1;
	map->entries = xcalloc(n, sizeof(*map->entries));
	/* Only this thread replaces the map, so it may read it unlocked. */
	old = srv->map;
	for (i = 0; i < n; i++) {
		if (!token_valid(feeds[i].token, strlen(feeds[i].token)))
			continue;
		if (EVP_Digest(feeds[i].body, feeds[i].len, digest, &dlen,
		    EVP_sha256(), NULL) != 1) {
			log_err("http: cannot hash a feed; it is not served");
			continue;
		}
		e = http_map_find(srv, old, feeds[i].token);
		if (e != NULL && e->len == feeds[i].len &&
		    e->modified == feeds[i].modified &&
		    memcmp(e->digest, digest, sizeof(digest)) == 0) {
			e->refs++;
		} else if ((e = http_entry_new(srv, &feeds[i],
		    digest)) == NULL) {
			log_err("http: cannot prepare a feed's responses; it "
			    "is not served");
			continue;
		}
		if (http_map_find(srv, map, e->token) != NULL) {
			http_entry_release(e);
			continue;
		}
		for (j = e->hash & map->mask; map->slots[j] != NULL;
		    j = (j + 1) & map->mask)
			;
		map->slots[j] = e;
		map->entries[map->n++] = e;
	}
	pthread_rwlock_wrlock(&srv->lock);
	srv->map = map;
	pthread_rwlock_unlock(&srv->lock);
	/* No request can still be reading the old map: they read it only
	 * while holding the lock. */
	http_map_free(old);
}

static enum MHD_Result
http_healthz(struct http_server *srv, struct MHD_Connection *conn)
{
	struct MHD_Response	*r;
	json_t			*o;
	char			*body, *err = NULL, when[32];
	struct tm		 tm;
	int64_t			 depth = 0;
	time_t			 finished = 0;
	size_t			 nfeeds;
	bool			 found = false, ok = false, dbok;
	struct metrics_health_in hin;
	enum metrics_health	 health;
	enum MHD_Result		 ret;
	struct store_busy	*busy = NULL;
	size_t			 nbusy = 0, i;
	uint64_t		 busy_failures;
	json_t			*failing, *reason;
	char			*shown, failed[sizeof(srv->stats.failed)];
	char			 degraded[sizeof(srv->stats.degraded)];
	char			 reload[sizeof(srv->stats.reload_error)];
	const char		*p, *e;

	pthread_mutex_lock(&srv->db_lock);
	dbok = store_cycle_last(srv->st, &found, &finished, &ok, &err) == 0 &&
	    store_outbox_depth(srv->st, &depth, &err) == 0 &&
	    store_busy_list(srv->st, &busy, &nbusy, &err) == 0;
	pthread_mutex_unlock(&srv->db_lock);
	if (!dbok) {
		log_warn("http: /healthz: %s", err);
		free(err);
	}
	pthread_rwlock_rdlock(&srv->lock);
	nfeeds = srv->map != NULL ? srv->map->n : 0;
	pthread_rwlock_unlock(&srv->lock);
	memset(&hin, 0, sizeof(hin));
	hin.db_ok = dbok;
	hin.last_failed = found && !ok;
	hin.now_ms = http_mono_ms();
	pthread_mutex_lock(&srv->stats_lock);
	if (srv->has_stats && srv->stats.has_cycle) {
		hin.last_failed |= !srv->stats.last_ok;
		hin.last_cycle_ms = srv->stats.last_cycle_mono_ms;
		hin.overdue_ms = srv->stats.overdue_ms;
	}
	busy_failures = srv->stats.busy_failures;
	memcpy(failed, srv->stats.failed, sizeof(failed));
	memcpy(degraded, srv->stats.degraded, sizeof(degraded));
	memcpy(reload, srv->stats.reload_error, sizeof(reload));
	pthread_mutex_unlock(&srv->stats_lock);
	failed[sizeof(failed) - 1] = '\0';
	degraded[sizeof(degraded) - 1] = '\0';
	reload[sizeof(reload) - 1] = '\0';
	hin.failed = failed[0] != '\0';
	hin.degraded = degraded[0] != '\0' || reload[0] != '\0';
	health = metrics_health(&hin);

	o = json_object();
	json_object_set_new(o, "status", json_string(
	    metrics_health_name(health)));
	/* A path that is not UTF-8 cannot be a JSON string. */
	if (hin.failed && (reason = json_string(failed)) == NULL)
		reason = json_string("state.db was lost");
	if (hin.failed)
		json_object_set_new(o, "reason", reason);
	if (found) {
		gmtime_r(&finished, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(o, "last_cycle", json_string(when));
		json_object_set_new(o, "last_cycle_ok", json_boolean(ok));
	} else {
		json_object_set_new(o, "last_cycle", json_null());
		json_object_set_new(o, "last_cycle_ok", json_null());
	}
	json_object_set_new(o, "outbox_depth", dbok ? json_integer(depth) :
	    json_null());
	json_object_set_new(o, "feeds", json_integer((json_int_t)nfeeds));
	/* A failing calendar degrades placement, not the service: it is
	 * reported here without turning the status red.  URLs without their
	 * paths, which may be secrets. */
	json_object_set_new(o, "busy_failures",
	    json_integer((json_int_t)busy_failures));
	failing = json_array();
	for (i = 0; i < nbusy; i++) {
		if (busy[i].error == NULL)
			continue;
		shown = busy_display(busy[i].source);
		json_array_append_new(failing, json_pack("{s:s, s:s, s:b}",
		    "source", shown, "error", busy[i].error, "has_copy",
		    busy[i].has_copy));
		free(shown);
	}
	for (i = 0; i < nbusy; i++)
		store_busy_clear(&busy[i]);
	free(busy);
	json_object_set_new(o, "busy_sources_failing", failing);
	/* Destinations by name (channel ID or "smtp"), never by URL. */
	failing = json_array();
	for (p = degraded; *p != '\0'; p = *e != '\0' ? e + 2 : e) {
		if ((e = strstr(p, ", ")) == NULL)
			e = p + strlen(p);
		json_array_append_new(failing, json_stringn(p,
		    (size_t)(e - p)));
	}
	json_object_set_new(o, "destinations_failing", failing);
	json_object_set_new(o, "reload_error", reload[0] != '\0' ?
	    json_string(reload) : json_null());
	body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (body == NULL)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(body), body,
	    MHD_RESPMEM_MUST_COPY);
	free(body);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, health == METRICS_HEALTH_OK ||
	    health == METRICS_HEALTH_DEGRADED ? MHD_HTTP_OK :
	    MHD_HTTP_SERVICE_UNAVAILABLE, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
http_metrics(struct http_server *srv, struct MHD_Connection *conn)
{
	struct metrics_snapshot		 m;
	struct metrics_outbox		*mo = NULL;
	struct store_outbox_tally	*tally = NULL;
	struct MHD_Response		*r;
	char				*body, *err = NULL;
	char				 degraded[sizeof(srv->stats.degraded)];
	size_t				 n = 0, i;
	enum MHD_Result			 ret;

	memset(&m, 0, sizeof(m));
	pthread_mutex_lock(&srv->db_lock);
	if (store_outbox_tally(srv->st, &tally, &n, &err) == -1) {
		log_warn("http: /metrics: %s", err);
		free(err);
	}
	pthread_mutex_unlock(&srv->db_lock);
	mo = xcalloc(n + 1, sizeof(*mo));
	for (i = 0; i < n; i++) {
		mo[i].channel = tally[i].channel;
		mo[i].status = tally[i].status;
		mo[i].count = tally[i].count;
		mo[i].retried = tally[i].retried;
		mo[i].late = tally[i].late;
	}
	m.outbox = mo;
	m.noutbox = n;
	m.start_time = srv->start_time;
	for (i = 0; i < METRICS_NCODES; i++)
		m.feed_requests[i] = atomic_load(&srv->feed_requests[i]);
	pthread_mutex_lock(&srv->stats_lock);
	if (srv->has_stats) {
		m.has_cycle = srv->stats.has_cycle;
		m.cycle_seconds = srv->stats.cycle_seconds;
		m.last_cycle = srv->stats.last_cycle;
		m.last_cycle_ok = srv->stats.last_ok;
		m.cycles = srv->stats.cycles;
		m.cycle_failures = srv->stats.cycle_failures;
		m.busy_failures = srv->stats.busy_failures;
	}
	memcpy(degraded, srv->stats.degraded, sizeof(degraded));
	degraded[sizeof(degraded) - 1] = '\0';
	m.reload_failed = srv->stats.reload_error[0] != '\0';
	pthread_mutex_unlock(&srv->stats_lock);
	m.degraded = degraded;
	body = metrics_render(&m);
	free(mo);
	store_outbox_tally_free(tally, n);
	r = MHD_create_response_from_buffer(strlen(body), body,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; version=0.0.4; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

void
http_set_stats(struct http_server *srv, const struct http_stats *stats)
{
	if (srv == NULL)
		return;
	pthread_mutex_lock(&srv->stats_lock);
	srv->stats = *stats;
	srv->has_stats = true;
	pthread_mutex_unlock(&srv->stats_lock);
}

static enum MHD_Result
http_feed(struct http_server *srv, struct MHD_Connection *conn,
    const char *token, bool readonly)
{
	struct http_entry	*e;
	struct MHD_Response	*r;
	const char		*inm, *ims, *ae;
	time_t			 since;
	unsigned int		 code = MHD_HTTP_OK;
	bool			 gz, same = false;
	enum MHD_Result		 ret;

	inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	ims = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING);
	gz = ae != NULL && http_accepts_gzip(ae);

	pthread_rwlock_rdlock(&srv->lock);
	e = http_map_find(srv, srv->map, token);
	if (e == NULL) {
		pthread_rwlock_unlock(&srv->lock);
		http_count(srv, MHD_HTTP_NOT_FOUND);
		return MHD_queue_response(conn, MHD_HTTP_NOT_FOUND,
		    srv->not_found);
	}
	if (!readonly) {
		pthread_rwlock_unlock(&srv->lock);
		http_count(srv, MHD_HTTP_METHOD_NOT_ALLOWED);
		return MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    srv->not_allowed);
	}
	/* If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2); a
	 * date in the future is not a valid one and is ignored. */
	if (inm != NULL)
		same = http_etag_matches(inm, e);
	else if (ims != NULL && http_parse_date(ims, &since) == 0 &&
	    since <= time(NULL))
		same = e->modified <= since;
	if (same)
		code = MHD_HTTP_NOT_MODIFIED;
	r = gz ? e->full_gz : e->full;
	/* Queueing takes libmicrohttpd's own reference on r, so r stays
	 * valid after the map is swapped. */
	ret = MHD_queue_response(conn, code, r);
	pthread_rwlock_unlock(&srv->lock);
	http_count(srv, code);
	return ret;
}

/* The entry for id in v (n of them), or NULL. */
static const struct http_name *
http_name_find(const struct http_name *v, size_t n, const char *id)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return &v[i];
	return NULL;
}

/* Queue a page (html is taken over) with the headers every page has. */
static enum MHD_Result
http_page(struct MHD_Connection *conn, unsigned int code, char *html)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;

	r = MHD_create_response_from_buffer(strlen(html), html,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(html);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/html; charset=utf-8");
	/* The URL is the secret: not cached, not sent on as a Referer to
	 * another site.  same-origin, not no-referrer: with no-referrer a
	 * browser sends "Origin: null" with the page's own form, which the
	 * same-origin check (page_origin_ok) must refuse. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", HTTP_LINK_CSP);
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* The page about item a: GET's, or POST's (changed: it was open). */
static char *
http_item_page(struct http_server *srv, const struct store_action *a,
    bool post, bool changed)
{
	const struct http_name	*o, *c;
	struct page_item	 pi;
	char			 db[CIVIL_DATE_LEN], *due, *html;

	pthread_mutex_lock(&srv->names_lock);
	o = http_name_find(srv->members, srv->nmembers, a->owner);
	c = http_name_find(srv->communities, srv->ncommunities, a->community);
	due = xasprintf("%s%s%s%s", civil_date_format(a->due, db),
	    c != NULL ? " (" : "", c != NULL ? c->zone : "",
	    c != NULL ? ")" : "");
	memset(&pi, 0, sizeof(pi));
	pi.title = a->title;
	pi.owner = o != NULL ? o->name : a->owner;
	pi.community = c != NULL ? c->name : a->community;
	pi.due = due;
	pi.done = a->status == STORE_ACTION_DONE || changed;
	html = !post ? page_item(&pi) : page_done(&pi, !changed);
	pthread_mutex_unlock(&srv->names_lock);
	free(due);
	return html;
}

/*
 * Whether a POST to a signed page comes from this site (page_origin_ok on
 * its Origin and Referer, untrusted, against public_url).
 */
static bool
http_same_origin(struct http_server *srv, struct MHD_Connection *conn)
{
	const char	*o, *r;
	bool		 ok;

	o = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	r = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_REFERER);
	pthread_mutex_lock(&srv->names_lock);
	ok = page_origin_ok(srv->public_url, o, r);
	pthread_mutex_unlock(&srv->names_lock);
	if (!ok)
		log_info("http: a form sent from another site was refused");
	return ok;
}

/*
 * GET/HEAD /a/LINK shows the item and changes nothing (mail scanners follow
 * links); POST marks it done, once, as "link".  Anything but a valid link
 * to an existing item is refused with 403 and changes nothing, and so is a
 * link made before the item was last reopened (with a page that says so).
 * token is untrusted.
 */
static enum MHD_Result
http_link(struct http_server *srv, struct MHD_Connection *conn,
    const char *token, bool post)
{
	struct store_action	 a;
	enum link_verdict	 v = LINK_MALFORMED;
	unsigned int		 code = MHD_HTTP_FORBIDDEN;
	char			*err = NULL, *html = NULL;
	time_t			 now = time(NULL) + srv->now_offset;
	time_t			 opened = LINK_OPENED_NONE;
	int64_t			 id = 0;
	bool			 found = false, changed = false, ok;

	memset(&a, 0, sizeof(a));
	if (srv->link_key != NULL)
		v = link_check(srv->link_key, srv->link_keylen, token, now, &id,
		    &opened);
	if (v != LINK_OK) {
		/* The token is a secret, or garbage: neither is logged. */
		log_info("http: a %s link was refused", v == LINK_EXPIRED ?
		    "expired" : v == LINK_FORGED ? "forged" : "malformed");
		goto out;
	}
	if (post && !http_same_origin(srv, conn)) {
		html = page_cross_origin();
		goto out;
	}
	pthread_mutex_lock(&srv->db_lock);
	ok = store_action_get(srv->st, id, &found, &a, &err) == 0;
	/* Read and marked in one go under the lock: a reopening cannot come
	 * between the check and the change. */
	if (ok && found)
		v = link_current(opened, a.created, a.opened);
	if (ok && found && v == LINK_OK && post &&
	    a.status == STORE_ACTION_OPEN)
		ok = store_action_set_status(srv->st, id, STORE_ACTION_DONE,
		    NULL, now, "link", &found, &changed, &err) == 0;
	pthread_mutex_unlock(&srv->db_lock);
	if (!ok) {
		log_warn("http: action item %lld: %s", (long long)id, err);
		code = MHD_HTTP_SERVICE_UNAVAILABLE;
		html = page_busy();
	} else if (!found)
		log_info("http: a link to action item %lld, which no longer "
		    "exists, was refused", (long long)id);
	else if (v == LINK_STALE) {
		log_info("http: a link to action item %lld older than its "
		    "reopening was refused", (long long)id);
		html = page_stale();
	} else {
		if (changed)
			log_notice("http: action item %lld marked done by "
			    "link", (long long)id);
		code = MHD_HTTP_OK;
		html = http_item_page(srv, &a, post, changed);
	}
out:
	free(err);
	store_action_free(&a);
	return http_page(conn, code, html != NULL ? html : page_refused());
}


static const char *
http_verdict_word(enum link_verdict v)
{
	return v == LINK_EXPIRED ? "expired" : v == LINK_FORGED ? "forged" :
	    "malformed";
}

/* The meeting of community on date (series date); names_lock held. */
static struct http_meet *
http_meet_find(const struct http_server *srv, const char *community,
    struct civil_date date)
{
	size_t	i;

	for (i = 0; i < srv->nmeets; i++)
		if (strcmp(srv->meets[i].community, community) == 0 &&
		    civil_date_cmp(srv->meets[i].date, date) == 0)
			return &srv->meets[i];
	return NULL;
}

/* "Tue 8 Dec 2026 15:30–16:15 (America/New_York)", in zone. */
static char *
http_when(const char *zone, time_t start, time_t end)
{
	const struct tz		*tz = tz_find(zone);
	struct civil_date	 d, d2;
	struct civil_time	 t, t2;
	char			 day[PLAN_DAY_LEN];

	tz_from_utc(tz, start, &d, &t);
	tz_from_utc(tz, end, &d2, &t2);
	plan_day(d, day, sizeof(day));
	return xasprintf("%s %d %02d:%02d–%02d:%02d (%s)", day, d.y, t.h,
	    t.min, t2.h, t2.min, zone);
}

static bool
http_is_member(const struct http_name *c, const char *member)
{
	size_t	i;

	for (i = 0; i < c->nmembers; i++)
		if (strcmp(c->members[i], member) == 0)
			return true;
	return false;
}

/*
 * GET/HEAD /v/LINK shows a member's meeting with "I'll be there" and "I
 * can't come" and changes nothing; POST ?answer=yes|no (from this site
 * only) records the answer, until the meeting starts.  The link names the
 * community, the meeting's series date and the member (link.h); a link of
 * another kind, for a member no longer in the community, or for a meeting
 * the worker no longer plans is refused with 403.  token is untrusted.
 */
static enum MHD_Result
http_rsvp(struct http_server *srv, struct MHD_Connection *conn,
    const char *token, bool post)
{
	const struct http_name	*c, *mb;
	const struct http_meet	*mt;
	struct page_rsvp	 pr;
	struct store_rsvp	*rs = NULL;
	enum link_verdict	 v = LINK_MALFORMED;
	enum link_kind		 kind = LINK_DONE;
	enum store_rsvp_answer	 ans = STORE_RSVP_NONE;
	unsigned int		 code = MHD_HTTP_FORBIDDEN;
	char			*subject = NULL, *cid = NULL, *mid = NULL;
	char			*html = NULL, *err = NULL, *when = NULL;
	char			*cname = NULL, *mname = NULL, *zone = NULL;
	char			 d[CIVIL_DATE_LEN];
	const char		*a, *status = NULL;
	struct civil_date	 date;
	time_t			 now = time(NULL) + srv->now_offset;
	time_t			 start = 0, end = 0;
	size_t			 nrs = 0, i;
	bool			 cancelled = false, ok;
	int			 current = 0;

	if (srv->link_key != NULL)
		v = link_check_kind(srv->link_key, srv->link_keylen, token,
		    now, &kind, &subject);
	if (v != LINK_OK || kind != LINK_RSVP ||
	    meeting_rsvp_parse(subject, &cid, &date, &mid) == -1) {
		log_info("http: an RSVP link was refused (%s)", v != LINK_OK ?
		    http_verdict_word(v) : "not an RSVP link");
		goto out;
	}
	pthread_mutex_lock(&srv->names_lock);
	c = http_name_find(srv->communities, srv->ncommunities, cid);
	mb = http_name_find(srv->members, srv->nmembers, mid);
	mt = c != NULL ? http_meet_find(srv, cid, date) : NULL;
	if (c != NULL && mb != NULL && mt != NULL && http_is_member(c, mid)) {
		cname = xstrdup(c->name);
		mname = xstrdup(mb->name);
		zone = xstrdup(c->zone);
		start = mt->start;
		end = mt->end;
		cancelled = mt->cancelled;
	}
	pthread_mutex_unlock(&srv->names_lock);
	if (cname == NULL) {
		log_info("http: an RSVP link to a meeting or member no longer "
		    "planned was refused");
		goto out;
	}
	civil_date_format(date, d);
	if (post) {
		a = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
		    "answer");
		if (!http_same_origin(srv, conn)) {
			html = page_cross_origin();
			goto out;
		}
		if (a != NULL && strcmp(a, "yes") == 0)
			ans = STORE_RSVP_YES;
		else if (a != NULL && strcmp(a, "no") == 0)
			ans = STORE_RSVP_NO;
		else {
			code = MHD_HTTP_BAD_REQUEST;
			html = page_doc("Bad request", "Choose an answer",
			    "<p>Nothing was changed. Press one of the buttons "
			    "on the page.</p>\n");
			goto out;
		}
		if (cancelled || now >= start) {
			code = MHD_HTTP_CONFLICT;
			status = cancelled ? "The meeting is cancelled: "
			    "nothing was recorded." : "The meeting has started: "
			    "your answer can no longer change.";
			ans = STORE_RSVP_NONE;
		}
	}
	pthread_mutex_lock(&srv->db_lock);
	ok = ans == STORE_RSVP_NONE || store_rsvp_add(srv->st, cid, d, mid,
	    ans, now, &err) == 0;
	if (ok)
		ok = store_rsvp_list(srv->st, cid, d, &rs, &nrs, &err) == 0;
	pthread_mutex_unlock(&srv->db_lock);
	if (!ok) {
		log_warn("http: RSVP of %s: %s", cid, err);
		code = MHD_HTTP_SERVICE_UNAVAILABLE;
		html = page_busy();
		goto out;
	}
	if (ans != STORE_RSVP_NONE) {
		log_notice("http: %s answered %s for %s %s by link", mid,
		    ans == STORE_RSVP_YES ? "yes" : "no", cid, d);
		status = ans == STORE_RSVP_YES ? "Thank you: you said you'll "
		    "be there." : "Thank you: you said you can't come. Your "
		    "facilitator will know.";
	}
	for (i = 0; i < nrs; i++)
		if (strcmp(rs[i].member, mid) == 0)
			current = rs[i].answer == STORE_RSVP_YES ? 1 : 2;
	when = http_when(zone, start, end);
	memset(&pr, 0, sizeof(pr));
	pr.community = cname;
	pr.member = mname;
	pr.when = when;
	pr.answer = current;
	pr.open = !cancelled && now < start;
	pr.cancelled = cancelled;
	pr.status = status;
	if (code != MHD_HTTP_CONFLICT)
		code = MHD_HTTP_OK;
	html = page_rsvp(&pr);
out:
	store_rsvp_list_free(rs, nrs);
	free(err);
	free(when);
	free(cname);
	free(mname);
	free(zone);
	free(cid);
	free(mid);
	free(subject);
	return http_page(conn, code, html != NULL ? html : page_refused());
}

/*
 * GET/HEAD /m/LINK shows the facilitator a move offered by the quorum watch
 * and changes nothing; POST (from this site only) records the move as a
 * one-off change by "link:FACILITATOR", which the worker's next cycle
 * publishes and announces.  Refused (403) when the link is not a valid
 * move link or names a meeting no longer planned; once the meeting has
 * started, or the slot offered has passed, the page says so.  token is
 * untrusted.
 */
static enum MHD_Result
http_move(struct http_server *srv, struct MHD_Connection *conn,
    const char *token, bool post)
{
	const struct http_name	*c;
	const struct http_meet	*mt;
	struct http_meet	*mw;
	struct store_meeting_change ch;
	struct page_move	 pm;
	enum link_verdict	 v = LINK_MALFORMED;
	enum link_kind		 kind = LINK_DONE;
	unsigned int		 code = MHD_HTTP_FORBIDDEN;
	char			*subject = NULL, *cid = NULL, *html = NULL;
	char			*err = NULL, *from = NULL, *to = NULL;
	char			*cname = NULL, *zone = NULL, *by = NULL;
	char			 d[CIVIL_DATE_LEN], t[CIVIL_DATE_LEN];
	const char		*status = NULL;
	struct civil_date	 date, tod;
	struct civil_time	 at;
	time_t			 now = time(NULL) + srv->now_offset;
	time_t			 start = 0, end = 0, tstart;
	bool			 open, done;

	if (srv->link_key != NULL)
		v = link_check_kind(srv->link_key, srv->link_keylen, token,
		    now, &kind, &subject);
	if (v != LINK_OK || kind != LINK_MOVE ||
	    meeting_move_parse(subject, &cid, &date, &tod, &at) == -1) {
		log_info("http: a move link was refused (%s)", v != LINK_OK ?
		    http_verdict_word(v) : "not a move link");
		goto out;
	}
	pthread_mutex_lock(&srv->names_lock);
	c = http_name_find(srv->communities, srv->ncommunities, cid);
	mt = c != NULL ? http_meet_find(srv, cid, date) : NULL;
	if (c != NULL && mt != NULL) {
		cname = xstrdup(c->name);
		zone = xstrdup(c->zone);
		by = xasprintf("link:%s", c->facilitator);
		start = mt->start;
		end = mt->end;
	}
	pthread_mutex_unlock(&srv->names_lock);
	if (cname == NULL) {
		log_info("http: a move link to a meeting no longer planned was "
		    "refused");
		goto out;
	}
	tstart = tz_to_utc(tz_find(zone), tod, at);
	done = start == tstart;
	open = !done && now < start && now < tstart;
	if (post) {
		if (!http_same_origin(srv, conn)) {
			html = page_cross_origin();
			goto out;
		}
		if (!open && !done) {
			code = MHD_HTTP_CONFLICT;
			status = "Too late: nothing was changed.";
		} else if (!done) {
			memset(&ch, 0, sizeof(ch));
			ch.community = cid;
			ch.meeting = civil_date_format(date, d);
			ch.action = STORE_MEETING_MOVE;
			ch.to_date = civil_date_format(tod, t);
			ch.to_time = at.h * 60 + at.min;
			ch.by = by;
			ch.at = now;
			pthread_mutex_lock(&srv->db_lock);
			if (store_meeting_change_add(srv->st, &ch, &err) ==
			    -1) {
				pthread_mutex_unlock(&srv->db_lock);
				log_warn("http: move of %s: %s", cid, err);
				code = MHD_HTTP_SERVICE_UNAVAILABLE;
				html = page_busy();
				goto out;
			}
			pthread_mutex_unlock(&srv->db_lock);
			/* Until the next cycle hands over the new schedule,
			 * this page and a second POST see the move too. */
			pthread_mutex_lock(&srv->names_lock);
			if ((mw = http_meet_find(srv, cid, date)) != NULL) {
				mw->end = tstart + (mw->end - mw->start);
				mw->start = tstart;
			}
			pthread_mutex_unlock(&srv->names_lock);
			log_notice("http: %s %s moved to %s %02d:%02d by link",
			    cid, d, t, at.h, at.min);
			status = "Moved. The feeds and a notice to everyone "
			    "follow within a minute.";
			done = true;
			open = false;
		}
	}
	from = http_when(zone, start, end);
	to = http_when(zone, tstart, tstart + (end - start));
	memset(&pm, 0, sizeof(pm));
	pm.community = cname;
	pm.from = from;
	pm.to = to;
	pm.open = open;
	pm.done = done;
	pm.status = status;
	if (code != MHD_HTTP_CONFLICT)
		code = MHD_HTTP_OK;
	html = page_move(&pm);
out:
	free(err);
	free(from);
	free(to);
	free(cname);
	free(zone);
	free(by);
	free(cid);
	free(subject);
	return http_page(conn, code, html != NULL ? html : page_refused());
}

static void
http_names_free(struct http_name *v, size_t n)
{
	size_t	i;

	size_t	j;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].id);
		free(v[i].name);
		free(v[i].zone);
		for (j = 0; j < v[i].nmembers; j++)
			free(v[i].members[j]);
		free(v[i].members);
		free(v[i].facilitator);
	}
	free(v);
}

static void
http_meets_free(struct http_meet *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].community);
	free(v);
}

void
http_set_meetings(struct http_server *srv, const struct http_meeting *v,
    size_t n)
{
	struct http_meet	*m, *old;
	size_t			 i, oldn;

	if (srv == NULL)
		return;
	m = xcalloc(n + 1, sizeof(*m));
	for (i = 0; i < n; i++) {
		m[i].community = xstrdup(v[i].community);
		m[i].date = v[i].date;
		m[i].start = v[i].start;
		m[i].end = v[i].end;
		m[i].cancelled = v[i].cancelled;
	}
	pthread_mutex_lock(&srv->names_lock);
	old = srv->meets;
	oldn = srv->nmeets;
	srv->meets = m;
	srv->nmeets = n;
	pthread_mutex_unlock(&srv->names_lock);
	http_meets_free(old, oldn);
}

void
http_set_config(struct http_server *srv, const struct config *cfg)
{
	struct http_name	*m, *c, *om, *oc;
	char			*pub, *opub;
	size_t			 i, j, onm, onc;

	if (srv == NULL)
		return;
	m = xcalloc(cfg->nmembers + 1, sizeof(*m));
	for (i = 0; i < cfg->nmembers; i++) {
		m[i].id = xstrdup(cfg->members[i].id);
		m[i].name = xstrdup(cfg->members[i].name != NULL ?
		    cfg->members[i].name : cfg->members[i].id);
	}
	c = xcalloc(cfg->ncommunities + 1, sizeof(*c));
	for (i = 0; i < cfg->ncommunities; i++) {
		const struct config_community *cc = &cfg->communities[i];

		c[i].id = xstrdup(cc->id);
		c[i].name = xstrdup(cc->name != NULL ? cc->name : cc->id);
		c[i].zone = xstrdup(cc->tz != NULL ? tz_name(cc->tz) : "UTC");
		c[i].members = xcalloc(cc->nmembers + cc->noptional + 1,
		    sizeof(*c[i].members));
		for (j = 0; j < cc->nmembers + cc->noptional; j++)
			c[i].members[j] = xstrdup(j < cc->nmembers ?
			    cc->members[j]->id :
			    cc->optional[j - cc->nmembers]->id);
		c[i].nmembers = cc->nmembers + cc->noptional;
		c[i].nrequired = cc->nmembers;
		c[i].facilitator = xstrdup(cc->facilitator != NULL ?
		    cc->facilitator->id : "");
	}
	pub = cfg->worker.public_url != NULL ?
	    xstrdup(cfg->worker.public_url) : NULL;
	pthread_mutex_lock(&srv->names_lock);
	om = srv->members;
	oc = srv->communities;
	onm = srv->nmembers;
	onc = srv->ncommunities;
	srv->members = m;
	srv->nmembers = cfg->nmembers;
	srv->communities = c;
	srv->ncommunities = cfg->ncommunities;
	srv->cfg = cfg;
	opub = srv->public_url;
	srv->public_url = pub;
	pthread_mutex_unlock(&srv->names_lock);
	free(opub);
	http_names_free(om, onm);
	http_names_free(oc, onc);
}

void
http_config_lock(struct http_server *srv)
{
	if (srv != NULL)
		pthread_mutex_lock(&srv->names_lock);
}

void
http_config_unlock(struct http_server *srv)
{
	if (srv != NULL)
		pthread_mutex_unlock(&srv->names_lock);
}

/* ---- branch report: the attendance page (/t/) and report page (/r/) -- */

/* The body of a POST to a form page, read as it arrives (the connection's
 * con_cls); too_big once it passed HTTP_FORM_MAX.  One allocation, so
 * that freeing the con_cls frees it all. */
struct http_form {
	size_t		 len;
	bool		 too_big;
	char		 buf[HTTP_FORM_MAX + 1];
};

/* The link of kind in token (untrusted) at now, its subject into *subject
 * (allocated) on success. */
static bool
http_link_of(struct http_server *srv, const char *token, enum link_kind want,
    time_t now, char **subject)
{
	enum link_verdict	v = LINK_MALFORMED;
	enum link_kind		kind = LINK_DONE;

	*subject = NULL;
	if (srv->link_key != NULL)
		v = link_check_kind(srv->link_key, srv->link_keylen, token, now,
		    &kind, subject);
	if (v == LINK_OK && kind == want)
		return true;
	log_info("http: a %s link was refused", v == LINK_EXPIRED ?
	    "expired" : v == LINK_FORGED ? "forged" : v == LINK_OK ?
	    "misplaced" : "malformed");
	free(*subject);
	*subject = NULL;
	return false;
}

/*
 * GET/HEAD /t/LINK: the attendance roll of one meeting (LINK_ATTEND,
 * "COMMUNITY.DATE"), ticked as recorded (or, when nothing is, from the
 * "I'll be there" answers); changes nothing.  POST (same origin only)
 * records every member of the roll present or absent, as "link".
 */
static enum MHD_Result
http_attend(struct http_server *srv, struct MHD_Connection *conn,
    const char *token, bool post, const struct http_form *form)
{
	const struct config_community	*c;
	struct roll_entry		*v = NULL;
	struct store_attend		*att = NULL;
	struct store_rsvp		*rs = NULL;
	struct civil_date		 d;
	enum roll_from			 from = ROLL_FROM_NONE;
	const char			**ids = NULL;
	bool				*pres = NULL, recorded = false, ok = true;
	char				*subject = NULL, *dot, *err = NULL;
	char				*html = NULL, when[PLAN_DAY_LEN + 64];
	char				 db[PLAN_DAY_LEN], iso[CIVIL_DATE_LEN];
	unsigned int			 code = MHD_HTTP_FORBIDDEN;
	time_t				 now = time(NULL) + srv->now_offset;
	size_t				 n = 0, na = 0, nrs = 0, i, j, nm;

	if (!http_link_of(srv, token, LINK_ATTEND, now, &subject))
		goto out;
	if ((dot = strchr(subject, '.')) == NULL ||
	    civil_date_parse(dot + 1, &d) == -1)
		goto out;
	*dot = '\0';
	if (post && !http_same_origin(srv, conn)) {
		html = page_cross_origin();
		goto out;
	}
	if (post && (form == NULL || form->too_big)) {
		code = MHD_HTTP_CONTENT_TOO_LARGE;
		html = page_doc("Too much", "The form was too large",
		    "<p>Nothing was changed.</p>\n");
		goto out;
	}
	pthread_mutex_lock(&srv->names_lock);
	if (srv->cfg == NULL ||
	    (c = config_community_find(srv->cfg, subject)) == NULL) {
		pthread_mutex_unlock(&srv->names_lock);
		goto out;
	}
	nm = c->nmembers + c->noptional;
	v = xcalloc(nm + 1, sizeof(*v));
	for (i = 0; i < nm; i++) {
		const struct config_member *m = i < c->nmembers ?
		    c->members[i] : c->optional[i - c->nmembers];

		for (j = 0; j < n && strcmp(v[j].id, m->id) != 0; j++)
			;
		if (j < n)
			continue;
		v[n].id = m->id;
		v[n++].name = m->name != NULL ? m->name : m->id;
	}
	plan_day(d, db, sizeof(db));
	snprintf(when, sizeof(when), "%s (series date %04d-%02d-%02d)", db,
	    d.y % 10000, d.m % 100, d.d % 100);
	pthread_mutex_lock(&srv->db_lock);
	ok = store_attend_list(srv->st, c->id, &d, &att, &na, &err) == 0;
	for (i = 0; ok && i < na; i++)
		for (j = 0; j < n; j++)
			if (strcmp(v[j].id, att[i].member) == 0) {
				v[j].ticked = att[i].present;
				recorded = true;
			}
	/* Nothing recorded yet: pre-tick the "I'll be there" answers (each
	 * member's latest).  A POST reads only the form. */
	if (ok && !recorded && !post) {
		civil_date_format(d, iso);
		ok = store_rsvp_list(srv->st, c->id, iso, &rs, &nrs,
		    &err) == 0;
		for (i = 0; ok && i < nrs; i++)
			for (j = 0; j < n; j++)
				if (rs[i].answer == STORE_RSVP_YES &&
				    strcmp(v[j].id, rs[i].member) == 0) {
					v[j].ticked = true;
					from = ROLL_FROM_RSVP;
				}
	}
	if (ok && post && roll_parse(form->buf, form->len, v, n) == -1) {
		pthread_mutex_unlock(&srv->db_lock);
		pthread_mutex_unlock(&srv->names_lock);
		code = MHD_HTTP_BAD_REQUEST;
		html = page_doc("Not saved", "The form could not be read",
		    "<p>Nothing was changed.</p>\n");
		goto out;
	}
	if (ok && post) {
		ids = xcalloc(n + 1, sizeof(*ids));
		pres = xcalloc(n + 1, sizeof(*pres));
		for (i = 0; i < n; i++) {
			ids[i] = v[i].id;
			pres[i] = v[i].ticked;
		}
		ok = store_attend_set(srv->st, c->id, d, ids, pres, n, now,
		    "link", &err) == 0;
	}
	pthread_mutex_unlock(&srv->db_lock);
	if (!ok) {
		pthread_mutex_unlock(&srv->names_lock);
		log_warn("http: attendance of %s: %s", subject, err);
		code = MHD_HTTP_SERVICE_UNAVAILABLE;
		html = page_busy();
		goto out;
	}
	if (post)
		log_notice("http: attendance of %s %s recorded by link",
		    c->id, dot + 1);
	html = roll_page(c->name != NULL ? c->name : c->id, when, v, n,
	    recorded ? ROLL_FROM_RECORDED : from, post);
	pthread_mutex_unlock(&srv->names_lock);
	code = MHD_HTTP_OK;
out:
	store_attend_free(att, na);
	store_rsvp_list_free(rs, nrs);
	free(ids);
	free(pres);
	free(v);
	free(err);
	free(subject);
	return http_page(conn, code, html != NULL ? html : page_refused());
}

/* GET/HEAD /r/LINK: the community's report page (LINK_REPORT,
 * "COMMUNITY"), from its start to today. */
static enum MHD_Result
http_report(struct http_server *srv, struct MHD_Connection *conn,
    const char *token)
{
	const struct config_community	*c;
	struct civil_date		 from, to;
	struct ledger			 l;
	struct report			 r;
	unsigned int			 code = MHD_HTTP_FORBIDDEN;
	time_t				 now = time(NULL) + srv->now_offset;
	char				*subject = NULL, *err = NULL;
	char				*html = NULL;
	int				 rc;

	memset(&l, 0, sizeof(l));
	if (!http_link_of(srv, token, LINK_REPORT, now, &subject))
		goto out;
	pthread_mutex_lock(&srv->names_lock);
	if (srv->cfg == NULL ||
	    (c = config_community_find(srv->cfg, subject)) == NULL) {
		pthread_mutex_unlock(&srv->names_lock);
		goto out;
	}
	ledger_period(c, now, &from, &to);
	pthread_mutex_lock(&srv->db_lock);
	rc = ledger_load(srv->st, c, from, to, now, &l, &err);
	pthread_mutex_unlock(&srv->db_lock);
	if (rc == 0) {
		report_compute(&l.in, &r);
		html = report_page_html(&r);
		report_free(&r);
		code = MHD_HTTP_OK;
	} else {
		log_warn("http: report of %s: %s", c->id, err);
		code = MHD_HTTP_SERVICE_UNAVAILABLE;
		html = page_busy();
	}
	pthread_mutex_unlock(&srv->names_lock);
out:
	ledger_free(&l);
	free(err);
	free(subject);
	return http_page(conn, code, html != NULL ? html : page_refused());
}

static void
http_form_free(struct http_server *srv, void **con_cls)
{
	struct http_form	*f;

	if (*con_cls == NULL || *con_cls == srv)
		return;
	f = *con_cls;
	free(f);
	*con_cls = NULL;
}

static enum MHD_Result
http_handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_server	*srv = cls;
	size_t			 len = strnlen(url, HTTP_MAX_PATH + 1);
	bool			 readonly, post;

	readonly = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	/*
	 * libmicrohttpd closes the connection after a response queued on the
	 * first call (it cannot know the request is complete), which would
	 * cost every keep-alive client a new connection per request.  So GET
	 * and HEAD are answered on the second call, once any body has been
	 * read (and dropped).  So is POST (a "Mark done" form), whose few
	 * bytes say nothing we need.  Other methods are answered at once, and
	 * their connection closed.
	 */
	if (readonly || post) {
		if (*con_cls == NULL) {
			/* A roll's form is read; every other body dropped. */
			if (post && strncmp(url, HTTP_ATTEND_PREFIX,
			    sizeof(HTTP_ATTEND_PREFIX) - 1) == 0) {
				struct http_form *f = xmalloc(sizeof(*f));

				f->len = 0;
				f->too_big = false;
				*con_cls = f;
			} else
				*con_cls = srv;
			return MHD_YES;
		}
		if (*upload_data_size != 0) {
			if (*con_cls != srv) {
				struct http_form *f = *con_cls;

				if (f->len + *upload_data_size >
				    HTTP_FORM_MAX)
					f->too_big = true;
				else {
					memcpy(f->buf + f->len, upload_data,
					    *upload_data_size);
					f->len += *upload_data_size;
				}
			}
			*upload_data_size = 0;
			return MHD_YES;
		}
	}
	if (strncmp(url, HTTP_ATTEND_PREFIX,
	    sizeof(HTTP_ATTEND_PREFIX) - 1) == 0) {
		if (!readonly && !post)
			return MHD_queue_response(conn,
			    MHD_HTTP_METHOD_NOT_ALLOWED, srv->link_not_allowed);
		return http_attend(srv, conn,
		    url + sizeof(HTTP_ATTEND_PREFIX) - 1, post,
		    *con_cls != srv ? *con_cls : NULL);
	}
	if (strncmp(url, HTTP_REPORT_PREFIX,
	    sizeof(HTTP_REPORT_PREFIX) - 1) == 0) {
		if (!readonly)
			return MHD_queue_response(conn,
			    MHD_HTTP_METHOD_NOT_ALLOWED, srv->not_allowed);
		return http_report(srv, conn,
		    url + sizeof(HTTP_REPORT_PREFIX) - 1);
	}
	/* Exact matches only: no decoding, no normalisation, so "..",
	 * "%2e%2e" (which arrives decoded) and "//" simply do not match. */
	if (len == HTTP_FEED_PATH_LEN &&
	    strncmp(url, HTTP_FEED_PREFIX, sizeof(HTTP_FEED_PREFIX) - 1) == 0 &&
	    strcmp(url + len - 4, ".ics") == 0 &&
	    token_valid(url + sizeof(HTTP_FEED_PREFIX) - 1,
	    TOKEN_LEN)) {
		char token[TOKEN_LEN + 1];

		memcpy(token, url + sizeof(HTTP_FEED_PREFIX) - 1,
		    TOKEN_LEN);
		token[TOKEN_LEN] = '\0';
		return http_feed(srv, conn, token, readonly);
	}
	if (strncmp(url, HTTP_LINK_PREFIX, sizeof(HTTP_LINK_PREFIX) - 1) == 0) {
		if (!readonly && !post)
			return MHD_queue_response(conn,
			    MHD_HTTP_METHOD_NOT_ALLOWED, srv->link_not_allowed);
		return http_link(srv, conn, url + sizeof(HTTP_LINK_PREFIX) - 1,
		    post);
	}
	if (strncmp(url, HTTP_RSVP_PREFIX, sizeof(HTTP_RSVP_PREFIX) - 1) == 0 ||
	    strncmp(url, HTTP_MOVE_PREFIX, sizeof(HTTP_MOVE_PREFIX) - 1) == 0) {
		if (!readonly && !post)
			return MHD_queue_response(conn,
			    MHD_HTTP_METHOD_NOT_ALLOWED, srv->link_not_allowed);
		return url[1] == 'v' ? http_rsvp(srv, conn, url + 3, post) :
		    http_move(srv, conn, url + 3, post);
	}
	if (strcmp(url, "/healthz") == 0) {
		if (!readonly)
			return MHD_queue_response(conn,
			    MHD_HTTP_METHOD_NOT_ALLOWED, srv->not_allowed);
		return http_healthz(srv, conn);
	}
	if (strcmp(url, "/metrics") == 0) {
		if (!readonly)
			return MHD_queue_response(conn,
			    MHD_HTTP_METHOD_NOT_ALLOWED, srv->not_allowed);
		return http_metrics(srv, conn);
	}
	return MHD_queue_response(conn, MHD_HTTP_NOT_FOUND, srv->not_found);
}

/*
 * libmicrohttpd's messages, at most HTTP_LOG_BURST a window: under attack
 * it would log every refused or broken connection.  The number left out is
 * said with the next message that gets through.
 */
__attribute__((format(printf, 2, 0)))
static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server	*srv = cls;
	char			 buf[512];
	size_t			 n;
	int64_t			 now = http_mono_ms();
	unsigned int		 dropped = 0;

	pthread_mutex_lock(&srv->log_lock);
	if (now >= srv->log_window) {
		dropped = srv->log_dropped;
		srv->log_window = now + HTTP_LOG_WINDOW_MS;
		srv->log_count = srv->log_dropped = 0;
	}
	if (srv->log_count >= HTTP_LOG_BURST) {
		srv->log_dropped++;
		pthread_mutex_unlock(&srv->log_lock);
		return;
	}
	srv->log_count++;
	pthread_mutex_unlock(&srv->log_lock);
	if (dropped > 0)
		log_warn("http: %u more messages left out in %d s", dropped,
		    HTTP_LOG_WINDOW_MS / 1000);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_warn("http: %s", buf);
}

/* Take c off the deadline queue; conn_lock held. */
static void
http_conn_unqueue(struct http_server *srv, struct http_conn *c)
{
	if (!c->queued)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conn_head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		srv->conn_tail = c->prev;
	c->prev = c->next = NULL;
	c->queued = false;
}

/* A request starts on c: it must have arrived by HTTP_REQUEST_MS from now. */
static void
http_conn_arm(struct http_server *srv, struct http_conn *c)
{
	pthread_mutex_lock(&srv->conn_lock);
	http_conn_unqueue(srv, c);
	c->deadline = http_mono_ms() + HTTP_REQUEST_MS;
	c->prev = srv->conn_tail;
	if (srv->conn_tail != NULL)
		srv->conn_tail->next = c;
	else
		srv->conn_head = c;
	srv->conn_tail = c;
	c->queued = true;
	pthread_mutex_unlock(&srv->conn_lock);
}

static void
http_conn_disarm(struct http_server *srv, struct http_conn *c)
{
	pthread_mutex_lock(&srv->conn_lock);
	http_conn_unqueue(srv, c);
	pthread_mutex_unlock(&srv->conn_lock);
}

static struct http_conn *
http_conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

/* A connection opens (its first request's deadline starts) or closes. */
static void
http_notify_connection(void *cls, struct MHD_Connection *conn,
    void **socket_context, enum MHD_ConnectionNotificationCode toe)
{
	struct http_server		*srv = cls;
	struct http_conn		*c;
	const union MHD_ConnectionInfo	*ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL)
			return;
		c = xcalloc(1, sizeof(*c));
		c->fd = ci->connect_fd;
		http_conn_arm(srv, c);
		*socket_context = c;
		return;
	}
	/* libmicrohttpd closes the socket only after this returns, so the
	 * reaper, holding conn_lock, never shuts down a reused descriptor. */
	if ((c = *socket_context) != NULL) {
		http_conn_disarm(srv, c);
		free(c);
		*socket_context = NULL;
	}
}

/* A response has been sent: the next request on the connection, if any,
 * gets a deadline of its own. */
static void
http_notify_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_conn	*c = http_conn_of(conn);

	(void)toe;
	http_form_free(cls, con_cls);
	if (c != NULL)
		http_conn_arm(cls, c);
}

/* Every request goes through here: once a response is queued, the request
 * has been read and its deadline no longer applies. */
static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_conn	*c;
	enum MHD_Result		 ret;

	ret = http_handle(cls, conn, url, method, version, upload_data,
	    upload_data_size, con_cls);
	if (MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_HTTP_STATUS) != NULL &&
	    (c = http_conn_of(conn)) != NULL)
		http_conn_disarm(cls, c);
	return ret;
}

/*
 * The reaper: shuts down the connections whose request is overdue.  The
 * poll thread then sees the end of the stream and closes them as usual.
 * New deadlines are never earlier than now + HTTP_REQUEST_MS, so sleeping
 * that long on an empty queue misses none.
 */
static void *
http_reap(void *arg)
{
	struct http_server	*srv = arg;
	struct http_conn	*c;
	struct timespec		 ts;
	int64_t			 now, wake;

	pthread_mutex_lock(&srv->conn_lock);
	while (!srv->stopping) {
		now = http_mono_ms();
		while ((c = srv->conn_head) != NULL && c->deadline <= now) {
			http_conn_unqueue(srv, c);
			shutdown(c->fd, SHUT_RDWR);
		}
		wake = c != NULL ? c->deadline : now + HTTP_REQUEST_MS;
		ts.tv_sec = (time_t)(wake / 1000);
		ts.tv_nsec = (long)(wake % 1000) * 1000000;
		pthread_cond_timedwait(&srv->conn_cond, &srv->conn_lock, &ts);
	}
	pthread_mutex_unlock(&srv->conn_lock);
	return NULL;
}

/*
 * How many connections to take at once: what RLIMIT_NOFILE leaves after
 * HTTP_OWN_FILES and the server's own descriptors (see there), at most
 * HTTP_MAX_CONNECTIONS.  -1 with *err allocated if that is too few.
 */
static int
http_connection_limit(unsigned int pool, unsigned int *out, char **err)
{
	struct rlimit	rl;
	rlim_t		own = HTTP_OWN_FILES + 1 + 3 * (rlim_t)pool;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		*err = xasprintf("http: getrlimit: %s", strerror(errno));
		return -1;
	}
	if (rl.rlim_cur < own + HTTP_MIN_CONNECTIONS) {
		*err = xasprintf("http: the open files limit (%llu) is too "
		    "low: the worker keeps %llu for itself and the server "
		    "needs %u more; raise it (LimitNOFILE=, ulimit -n) to at "
		    "least %llu", (unsigned long long)rl.rlim_cur,
		    (unsigned long long)own, HTTP_MIN_CONNECTIONS,
		    (unsigned long long)(own + HTTP_MIN_CONNECTIONS));
		return -1;
	}
	if (rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur - own > HTTP_MAX_CONNECTIONS)
		*out = HTTP_MAX_CONNECTIONS;
	else
		*out = (unsigned int)(rl.rlim_cur - own);
	return 0;
}

/* A listening socket for "host:port", "[v6]:port" or ":port". */
static int
http_listen(const char *addr, int *out, char **err)
{
	struct addrinfo	 hints, *res = NULL;
	const char	*colon = strrchr(addr, ':');
	char		*host = NULL;
	int		 fd = -1, one = 1, r, rc = -1;

	if (colon == NULL || colon[1] == '\0') {
		*err = xasprintf("listen '%s': expected HOST:PORT", addr);
		return -1;
	}
	host = xstrndup(addr, (size_t)(colon - addr));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host) - 2);
		host[strlen(host) - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((r = getaddrinfo(host[0] != '\0' && strcmp(host, "*") != 0 ?
	    host : NULL, colon + 1, &hints, &res)) != 0) {
		*err = xasprintf("listen '%s': %s", addr, gai_strerror(r));
		goto out;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, res->ai_protocol);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, 1024) == -1) {
		*err = xasprintf("listen '%s': %s", addr, strerror(errno));
		goto out;
	}
	*out = fd;
	fd = -1;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	return rc;
}

static struct MHD_Response *
http_text_response(const char *text)
{
	struct MHD_Response	*r;

	r = MHD_create_response_from_buffer(strlen(text),
	    (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
	if (r != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		    "text/plain; charset=utf-8");
	return r;
}

/* A condition variable whose timed waits run on the monotonic clock. */
static int
http_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t	attr;
	int			rc;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(cond, &attr) == 0 ? 0 : -1;
	pthread_condattr_destroy(&attr);
	return rc;
}

int
http_start(const char *addr, const char *db_path, const unsigned char *key,
    size_t keylen, time_t now_offset, struct http_server **out, char **err)
{
	struct http_server	*srv = xcalloc(1, sizeof(*srv));
	unsigned int		 pool, conns;
	int			 fd = -1, rc = -1, r;

	*out = NULL;
	if (pthread_rwlock_init(&srv->lock, NULL) != 0 ||
	    pthread_mutex_init(&srv->db_lock, NULL) != 0 ||
	    pthread_mutex_init(&srv->stats_lock, NULL) != 0 ||
	    pthread_mutex_init(&srv->names_lock, NULL) != 0 ||
	    pthread_mutex_init(&srv->conn_lock, NULL) != 0 ||
	    pthread_mutex_init(&srv->log_lock, NULL) != 0 ||
	    http_cond_init(&srv->conn_cond) == -1) {
		*err = xstrdup("http: cannot create locks");
		free(srv);
		return -1;
	}
	srv->locks_ready = true;
	srv->start_time = time(NULL);
	srv->now_offset = now_offset;
	if (key != NULL && keylen > 0) {
		srv->link_key = xmalloc(keylen);
		memcpy(srv->link_key, key, keylen);
		srv->link_keylen = keylen;
	}
	if (getrandom(srv->key, sizeof(srv->key), 0) != sizeof(srv->key)) {
		*err = xasprintf("http: getrandom: %s", strerror(errno));
		goto out;
	}
	/* The worker has it open: never a new one beside it. */
	if ((r = store_open_existing(db_path, &srv->st, err)) != 0) {
		if (r == 1)
			*err = xasprintf("%s: no database", db_path);
		goto out;
	}
	srv->not_found = http_text_response("not found\n");
	srv->not_allowed = http_text_response("method not allowed\n");
	srv->link_not_allowed = http_text_response("method not allowed\n");
	if (srv->not_found == NULL || srv->not_allowed == NULL ||
	    srv->link_not_allowed == NULL ||
	    MHD_add_response_header(srv->not_allowed, MHD_HTTP_HEADER_ALLOW,
	    "GET, HEAD") != MHD_YES ||
	    MHD_add_response_header(srv->link_not_allowed,
	    MHD_HTTP_HEADER_ALLOW, "GET, HEAD, POST") != MHD_YES) {
		*err = xstrdup("http: cannot create responses");
		goto out;
	}
	srv->map = xcalloc(1, sizeof(*srv->map));
	if (http_listen(addr, &fd, err) == -1)
		goto out;
	/*
	 * One event loop per core, each with its own epoll set on the shared
	 * listening socket; TURBO reads and writes before polling, which is
	 * what keep-alive feed polling benefits from.  A waiting connection
	 * costs a descriptor and its memory, never a thread, so the limits
	 * below are on descriptors and time.
	 */
	pool = (unsigned int)get_nprocs();
	if (pool < 1)
		pool = 1;
	if (pool > HTTP_MAX_POOL)
		pool = HTTP_MAX_POOL;
	if (http_connection_limit(pool, &conns, err) == -1) {
		close(fd);
		goto out;
	}
	if (pthread_create(&srv->reaper, NULL, http_reap, srv) != 0) {
		*err = xstrdup("http: cannot start a thread");
		close(fd);
		goto out;
	}
	srv->reaper_started = true;
	srv->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    http_access, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, srv,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_THREAD_POOL_SIZE, pool,
	    MHD_OPTION_CONNECTION_LIMIT, conns,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    conns < HTTP_PER_IP ? conns : HTTP_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, HTTP_IDLE_S,
	    MHD_OPTION_NOTIFY_CONNECTION, http_notify_connection, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, http_notify_completed, srv,
	    MHD_OPTION_END);
	if (srv->mhd == NULL) {
		*err = xasprintf("http: cannot start the server on %s", addr);
		/* Whether a failed start closed the socket is not documented:
		 * close it only if it is still ours. */
		if (fcntl(fd, F_GETFD) != -1)
			close(fd);
		goto out;
	}
	*out = srv;
	srv = NULL;
	rc = 0;
out:
	http_stop(srv);
	return rc;
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->reaper_started) {
		pthread_mutex_lock(&srv->conn_lock);
		srv->stopping = true;
		pthread_cond_signal(&srv->conn_cond);
		pthread_mutex_unlock(&srv->conn_lock);
		pthread_join(srv->reaper, NULL);
	}
	/* Each connection it closes is taken off the queue and freed. */
	if (srv->mhd != NULL)
		MHD_stop_daemon(srv->mhd);
	http_map_free(srv->map);
	if (srv->not_found != NULL)
		MHD_destroy_response(srv->not_found);
	if (srv->not_allowed != NULL)
		MHD_destroy_response(srv->not_allowed);
	if (srv->link_not_allowed != NULL)
		MHD_destroy_response(srv->link_not_allowed);
	store_close(srv->st);
	http_names_free(srv->members, srv->nmembers);
	http_names_free(srv->communities, srv->ncommunities);
	http_meets_free(srv->meets, srv->nmeets);
	free(srv->public_url);
	if (srv->link_key != NULL) {
		OPENSSL_cleanse(srv->link_key, srv->link_keylen);
		free(srv->link_key);
	}
	if (srv->locks_ready) {
		pthread_rwlock_destroy(&srv->lock);
		pthread_mutex_destroy(&srv->db_lock);
		pthread_mutex_destroy(&srv->stats_lock);
		pthread_mutex_destroy(&srv->names_lock);
		pthread_mutex_destroy(&srv->conn_lock);
		pthread_mutex_destroy(&srv->log_lock);
		pthread_cond_destroy(&srv->conn_cond);
	}
	free(srv);
}
