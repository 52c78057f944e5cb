/* fuzz_http: method, path, headers, body -> the server's response.
 *
 * No sockets and no threads: this program provides the few libmicrohttpd
 * calls that deal with connections and the daemon (MHD_start_daemon,
 * MHD_stop_daemon, MHD_lookup_connection_value, MHD_get_connection_info,
 * MHD_queue_response); the
 * worker's http.o links against these instead of the library's, and the
 * library's own response calls do the rest.  http_start runs once, as the
 * worker runs it (it binds a loopback port that nothing ever connects
 * to); MHD_start_daemon hands this program the request handler, which it
 * then calls as libmicrohttpd would: once with the headers, once per body
 * chunk, once more to answer.  The server has a feed, an action item and
 * a link key, so seeds can reach every path.
 *
 * An input is text: "METHOD PATH\n", then "Name: value\n" lines, a blank
 * line, and the body.  Each request must be answered exactly once, with a
 * status the server documents and the headers that status needs.
 */
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "store.h"
#include "tz.h"
#include "xmalloc.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAXHDR	32
#define FZ_TOKEN	"0123456789abcdef0123456789abcdef"
#define FZ_KEY		"fedcba9876543210fedcba9876543210"

struct fz_request {
	char		*method, *path;
	char		*name[FZ_MAXHDR], *value[FZ_MAXHDR];
	size_t		 nhdr;
	const char	*body;
	size_t		 bodylen;
	int		 answers;
	unsigned int	 code;
};

static MHD_AccessHandlerCallback	 fz_handler;
static void				*fz_handler_cls;
static struct http_server		*fz_srv;
static struct store			*fz_st;
static char				 fz_dir[] = "/tmp/plc-fuzz-http.XXXXXX";
static char				 fz_db[sizeof(fz_dir) + 16];
static int				 fz_daemon;	/* its address */

/* ------------------------------------------- libmicrohttpd, connections */

struct MHD_Daemon *
MHD_start_daemon(unsigned int flags, uint16_t port,
    MHD_AcceptPolicyCallback apc, void *apc_cls,
    MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	(void)flags;
	(void)port;
	(void)apc;
	(void)apc_cls;
	fz_handler = dh;
	fz_handler_cls = dh_cls;
	return (struct MHD_Daemon *)&fz_daemon;
}

void
MHD_stop_daemon(struct MHD_Daemon *daemon)
{
	(void)daemon;
}

const char *
MHD_lookup_connection_value(struct MHD_Connection *connection,
    enum MHD_ValueKind kind, const char *key)
{
	struct fz_request	*rq = (struct fz_request *)connection;
	size_t			 i;

	if (!(kind & MHD_HEADER_KIND) || key == NULL)
		return NULL;
	for (i = 0; i < rq->nhdr; i++)
		if (strcasecmp(rq->name[i], key) == 0)
			return rq->value[i];
	return NULL;
}

/* The fake connection has no socket, so none of the request deadline's
 * bookkeeping (socket context, the status sent): the handler alone is
 * what is fuzzed. */
const union MHD_ConnectionInfo *
MHD_get_connection_info(struct MHD_Connection *connection,
    enum MHD_ConnectionInfoType info_type, ...)
{
	(void)connection;
	(void)info_type;
	return NULL;
}

static void
fz_fail(const struct fz_request *rq, const char *what)
{
	fprintf(stderr, "fuzz_http: %s %s: %s (status %u)\n", rq->method,
	    rq->path, what, rq->code);
	abort();
}

enum MHD_Result
MHD_queue_response(struct MHD_Connection *connection,
    unsigned int status_code, struct MHD_Response *response)
{
	struct fz_request	*rq = (struct fz_request *)connection;
	bool			 page = (strncmp(rq->path, "/a/", 3) == 0 ||
				    strncmp(rq->path, "/v/", 3) == 0 ||
				    strncmp(rq->path, "/m/", 3) == 0) &&
				    status_code != MHD_HTTP_METHOD_NOT_ALLOWED;

	rq->code = status_code;
	if (++rq->answers > 1)
		fz_fail(rq, "answered twice");
	if (response == NULL)
		fz_fail(rq, "no response");
	switch (status_code) {
	case MHD_HTTP_OK:
	case MHD_HTTP_NOT_MODIFIED:
	case MHD_HTTP_FORBIDDEN:
	case MHD_HTTP_NOT_FOUND:
	case MHD_HTTP_SERVICE_UNAVAILABLE:
		break;
	case MHD_HTTP_BAD_REQUEST:	/* an RSVP without an answer */
	case MHD_HTTP_CONFLICT:		/* an answer or move too late */
		if (!page || strncmp(rq->path, "/a/", 3) == 0)
			fz_fail(rq, "400 or 409 outside /v/ and /m/");
		break;
	case MHD_HTTP_METHOD_NOT_ALLOWED:
		if (MHD_get_response_header(response, MHD_HTTP_HEADER_ALLOW) ==
		    NULL)
			fz_fail(rq, "405 without Allow");
		break;
	default:
		fz_fail(rq, "a status the server does not document");
	}
	/* The link pages: never cached, never framed. */
	if (page && (MHD_get_response_header(response,
	    "Content-Security-Policy") == NULL ||
	    MHD_get_response_header(response,
	    MHD_HTTP_HEADER_CACHE_CONTROL) == NULL))
		fz_fail(rq, "a link page without its headers");
	if (strncmp(rq->path, "/feeds/", 7) == 0 &&
	    (status_code == MHD_HTTP_OK ||
	    status_code == MHD_HTTP_NOT_MODIFIED) &&
	    MHD_get_response_header(response, MHD_HTTP_HEADER_ETAG) == NULL)
		fz_fail(rq, "a feed without an ETag");
	return MHD_YES;
}

/* ------------------------------------------------------------ the server */

static void
fz_cleanup(void)
{
	char	path[sizeof(fz_dir) + 32];

	http_stop(fz_srv);
	store_close(fz_st);
	unlink(fz_db);
	snprintf(path, sizeof(path), "%s-wal", fz_db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", fz_db);
	unlink(path);
	rmdir(fz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char feed[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//fuzz//EN\r\nEND:VCALENDAR\r\n";
	struct config_member	 member, *mp;
	struct config_community	 community;
	struct config		 cfg;
	struct http_feed	 f;
	struct http_meeting	 meet;
	struct civil_date	 due = { 2026, 12, 1 };
	char			*err = NULL;
	int64_t			 id;

	(void)argc;
	(void)argv;
	if (mkdtemp(fz_dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(fz_db, sizeof(fz_db), "%s/state.db", fz_dir);
	atexit(fz_cleanup);
	if (store_open(fz_db, &fz_st, &err) == -1 ||
	    store_action_add(fz_st, "math7", "bob", "Bring <b>graphs</b> & data",
	    NULL, due, 1790000000, "alice", &id, &err) == -1 ||
	    http_start("127.0.0.1:0", fz_db, (const unsigned char *)FZ_KEY,
	    strlen(FZ_KEY), 0, &fz_srv, &err) == -1) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
	if (fz_handler == NULL)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	memset(&member, 0, sizeof(member));
	memset(&community, 0, sizeof(community));
	member.id = "bob";
	member.name = "Bob \"B\" <Jones>";
	community.id = "math7";
	community.name = "Grade 7 Math & <Friends>";
	community.tz = tz_find("America/New_York");
	cfg.members = &member;
	cfg.nmembers = 1;
	cfg.communities = &community;
	cfg.ncommunities = 1;
	/* bob, facilitator and member, and one meeting for the /v/ and /m/
	 * links to name (seeds: v.math7.2026-12-15.bob.…, m.math7.…). */
	community.facilitator = &member;
	community.members = &mp;
	community.nmembers = 1;
	mp = &member;
	http_set_config(fz_srv, &cfg);
	meet.community = "math7";
	meet.date = (struct civil_date){ 2026, 12, 15 };
	meet.start = 1797366600;
	meet.end = 1797369300;
	http_set_meetings(fz_srv, &meet, 1);
	f.token = FZ_TOKEN;
	f.body = feed;
	f.len = sizeof(feed) - 1;
	f.modified = 1790000000;
	http_set_feeds(fz_srv, &f, 1);
	return 0;
}

/* Split the input into the request; false when it has no request line. */
static bool
fz_parse(char *s, size_t size, struct fz_request *rq)
{
	char	*end = s + size, *nl, *colon, *sp;

	if ((nl = memchr(s, '\n', size)) == NULL)
		nl = end;
	*nl = '\0';
	if ((sp = strchr(s, ' ')) == NULL)
		return false;
	*sp = '\0';
	rq->method = s;
	rq->path = sp + 1;
	s = nl < end ? nl + 1 : end;
	while (s < end && *s != '\n') {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		*nl = '\0';
		if ((colon = strchr(s, ':')) != NULL && rq->nhdr < FZ_MAXHDR) {
			*colon = '\0';
			for (colon++; *colon == ' '; colon++)
				;
			rq->name[rq->nhdr] = s;
			rq->value[rq->nhdr++] = colon;
		}
		s = nl < end ? nl + 1 : end;
	}
	if (s < end)
		s++;
	rq->body = s;
	rq->bodylen = (size_t)(end - s);
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_request	 rq;
	char			*buf = xmalloc(size + 1), *err = NULL;
	void			*con_cls = NULL;
	size_t			 n, chunk;
	bool			 found, changed;

	memcpy(buf, data, size);
	buf[size] = '\0';
	memset(&rq, 0, sizeof(rq));
	if (size > 8192 || !fz_parse(buf, size, &rq))
		goto out;
	/* As libmicrohttpd calls it: the headers, the body, the end. */
	n = 0;
	if (fz_handler(fz_handler_cls, (struct MHD_Connection *)&rq, rq.path,
	    rq.method, MHD_HTTP_VERSION_1_1, NULL, &n, &con_cls) != MHD_YES ||
	    rq.answers > 0)
		goto out;
	for (; rq.bodylen > 0; rq.body += chunk, rq.bodylen -= chunk) {
		chunk = n = rq.bodylen < 512 ? rq.bodylen : 512;
		if (fz_handler(fz_handler_cls, (struct MHD_Connection *)&rq,
		    rq.path, rq.method, MHD_HTTP_VERSION_1_1, rq.body, &n,
		    &con_cls) != MHD_YES || rq.answers > 0)
			goto out;
		if (n != 0)
			fz_fail(&rq, "a body chunk was not taken");
	}
	n = 0;
	if (fz_handler(fz_handler_cls, (struct MHD_Connection *)&rq,
	    rq.path, rq.method, MHD_HTTP_VERSION_1_1, NULL, &n, &con_cls) ==
	    MHD_YES && rq.answers == 0)
		fz_fail(&rq, "the request was never answered");
out:
	/* What libmicrohttpd's completion callback does (http.c's
	 * http_notify_completed): a form page's POST left its body there. */
	if (con_cls != NULL && con_cls != fz_handler_cls)
		free(con_cls);
	/* A POST of a good link marks the item done: open it again, so
	 * every input starts from the same state. */
	if (rq.answers > 0 && rq.code == MHD_HTTP_OK &&
	    strcmp(rq.method, "POST") == 0 &&
	    store_action_set_status(fz_st, 1, STORE_ACTION_OPEN, NULL,
	    1790000000, "fuzz", &found, &changed, &err) == -1) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
	free(err);
	free(buf);
	return 0;
}
