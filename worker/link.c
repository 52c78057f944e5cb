/* link: HMAC-signed item links, and the key that signs them. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hex.h"
#include "link.h"
#include "xmalloc.h"

#define LINK_MAC_LEN	32
#define LINK_B64_LEN	43	/* 32 bytes, unpadded base64url */
#define LINK_MAX_LEN	(20 + 1 + 20 + 1 + 20 + 1 + LINK_B64_LEN)
/* The context strings of the two formats: a MAC of one is never a MAC of
 * the other, nor of any other use of the same key. */
#define LINK_CONTEXT_V1	"plc-cadence link v1:"
#define LINK_CONTEXT_V2	"plc-cadence link v2:"

/* The third format's kinds: the token's letter and the MAC's context. */
static const struct {
	char		 letter;
	const char	*context;
} link_kinds[] = {
	[LINK_DONE] = { 'd', "plc-cadence link v3 done:" },
	[LINK_RSVP] = { 'v', "plc-cadence link v3 rsvp:" },
	[LINK_MOVE] = { 'm', "plc-cadence link v3 move:" },
	[LINK_ATTEND] = { 'a', "plc-cadence link v3 attend:" },
	[LINK_REPORT] = { 'r', "plc-cadence link v3 report:" },
};
#define LINK_NKINDS	(sizeof(link_kinds) / sizeof(link_kinds[0]))

static const char link_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
link_b64url(const unsigned char *in, size_t n, char *out)
{
	uint32_t	v;
	size_t		i, k = 0;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[k++] = link_b64[v >> 18 & 63];
		out[k++] = link_b64[v >> 12 & 63];
		out[k++] = link_b64[v >> 6 & 63];
		out[k++] = link_b64[v & 63];
	}
	if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[k++] = link_b64[v >> 18 & 63];
		out[k++] = link_b64[v >> 12 & 63];
		out[k++] = link_b64[v >> 6 & 63];
	} else if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[k++] = link_b64[v >> 18 & 63];
		out[k++] = link_b64[v >> 12 & 63];
	}
	out[k] = '\0';
}

/* The MAC of context + what, in base64url, into out[LINK_B64_LEN + 1]. */
static void
link_mac(const unsigned char *key, size_t len, const char *context,
    const char *what, char out[LINK_B64_LEN + 1])
{
	unsigned char	mac[LINK_MAC_LEN];
	unsigned int	n = 0;
	char		*msg = xasprintf("%s%s", context, what);

	HMAC(EVP_sha256(), key, (int)len, (const unsigned char *)msg,
	    strlen(msg), mac, &n);
	free(msg);
	link_b64url(mac, sizeof(mac), out);
}

char *
link_make(const unsigned char *key, size_t len, int64_t id, time_t opened,
    time_t expires)
{
	char	mac[LINK_B64_LEN + 1], *what, *tok;

	what = xasprintf("%lld-%lld-%lld", (long long)id, (long long)opened,
	    (long long)expires);
	link_mac(key, len, LINK_CONTEXT_V2, what, mac);
	tok = xasprintf("%s-%s", what, mac);
	free(what);
	return tok;
}

/* Digits only, no sign, no leading zero, at most 18 of them. */
static bool
link_number(const char *s, size_t n, int64_t *out)
{
	int64_t	v = 0;
	size_t	i;

	if (n == 0 || n > 18 || (s[0] == '0' && n > 1))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * The first format is "ITEM-EXPIRES-MAC", the second "ITEM-OPENED-EXPIRES-
 * MAC".  A MAC may hold '-' itself but is always LINK_B64_LEN characters,
 * so what follows the second '-' is a MAC exactly when the link is of the
 * first format.
 */
enum link_verdict
link_check(const unsigned char *key, size_t len, const char *token,
    time_t now, int64_t *id, time_t *opened)
{
	const char	*d1, *d2, *d3, *mac_at, *context;
	char		 mac[LINK_B64_LEN + 1], what[LINK_MAX_LEN + 1];
	int64_t		 item, expires, when = LINK_OPENED_NONE;
	size_t		 n = strnlen(token, LINK_MAX_LEN + 1);

	if (n > LINK_MAX_LEN || (d1 = strchr(token, '-')) == NULL ||
	    (d2 = strchr(d1 + 1, '-')) == NULL ||
	    !link_number(token, (size_t)(d1 - token), &item))
		return LINK_MALFORMED;
	if (strlen(d2 + 1) == LINK_B64_LEN) {
		if (!link_number(d1 + 1, (size_t)(d2 - d1 - 1), &expires))
			return LINK_MALFORMED;
		mac_at = d2 + 1;
		context = LINK_CONTEXT_V1;
	} else {
		if ((d3 = strchr(d2 + 1, '-')) == NULL ||
		    !link_number(d1 + 1, (size_t)(d2 - d1 - 1), &when) ||
		    !link_number(d2 + 1, (size_t)(d3 - d2 - 1), &expires) ||
		    strlen(d3 + 1) != LINK_B64_LEN)
			return LINK_MALFORMED;
		mac_at = d3 + 1;
		context = LINK_CONTEXT_V2;
	}
	memcpy(what, token, (size_t)(mac_at - 1 - token));
	what[mac_at - 1 - token] = '\0';
	link_mac(key, len, context, what, mac);
	if (CRYPTO_memcmp(mac, mac_at, LINK_B64_LEN) != 0)
		return LINK_FORGED;
	if (expires <= (int64_t)now)
		return LINK_EXPIRED;
	*id = item;
	*opened = (time_t)when;
	return LINK_OK;
}

enum link_verdict
link_current(time_t opened, time_t created, time_t item_opened)
{
	/* The first format names no moment: taken as made at creation, it
	 * holds only while the item was never reopened. */
	if (opened == LINK_OPENED_NONE)
		opened = created;
	return opened >= item_opened ? LINK_OK : LINK_STALE;
}

int
link_subject_valid(const char *s)
{
	size_t	n;

	if (s == NULL)
		return 0;
	n = strnlen(s, LINK_SUBJECT_MAX + 1);
	return n > 0 && n <= LINK_SUBJECT_MAX && strspn(s, "ABCDEFGHIJKLMNOP"
	    "QRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

char *
link_make_kind(const unsigned char *key, size_t len, enum link_kind kind,
    const char *subject, time_t expires)
{
	char	mac[LINK_B64_LEN + 1], *what, *tok;

	if ((size_t)kind >= LINK_NKINDS || !link_subject_valid(subject) ||
	    expires < 0)
		abort();
	what = xasprintf("%s.%lld", subject, (long long)expires);
	link_mac(key, len, link_kinds[kind].context, what, mac);
	tok = xasprintf("%c.%s.%s", link_kinds[kind].letter, what, mac);
	free(what);
	return tok;
}

/*
 * "K.SUBJECT.EXPIRES.MAC", read from its end: the MAC is always
 * LINK_B64_LEN characters (and may hold '-', '_' but never '.'), EXPIRES
 * the digits before it, SUBJECT all between the kind and EXPIRES.
 */
enum link_verdict
link_check_kind(const unsigned char *key, size_t len, const char *token,
    time_t now, enum link_kind *kind, char **subject)
{
	const char	*mac_at, *dot;
	char		 mac[LINK_B64_LEN + 1], what[LINK_TOKEN_MAX + 1];
	int64_t		 expires, id;
	time_t		 opened;
	size_t		 n = strnlen(token, LINK_TOKEN_MAX + 1), k;
	enum link_verdict v;

	*subject = NULL;
	if (n > LINK_TOKEN_MAX || n == 0)
		return LINK_MALFORMED;
	if (token[0] >= '0' && token[0] <= '9') {
		/* A done link of the first two formats. */
		v = link_check(key, len, token, now, &id, &opened);
		if (v != LINK_OK)
			return v;
		*kind = LINK_DONE;
		*subject = opened == LINK_OPENED_NONE ?
		    xasprintf("%lld", (long long)id) :
		    xasprintf("%lld.%lld", (long long)id, (long long)opened);
		return LINK_OK;
	}
	for (k = 0; k < LINK_NKINDS; k++)
		if (token[0] == link_kinds[k].letter)
			break;
	if (k == LINK_NKINDS || n < 2 + 1 + 1 + 1 + LINK_B64_LEN ||
	    token[1] != '.')
		return LINK_MALFORMED;
	mac_at = token + n - LINK_B64_LEN;
	if (mac_at[-1] != '.' || memchr(mac_at, '.', LINK_B64_LEN) != NULL)
		return LINK_MALFORMED;
	for (dot = mac_at - 2; dot > token + 1 && *dot != '.'; dot--)
		;
	if (dot <= token + 2 || !link_number(dot + 1,
	    (size_t)(mac_at - 1 - dot - 1), &expires))
		return LINK_MALFORMED;
	/* The subject, then its charset: what the MAC covers. */
	memcpy(what, token + 2, (size_t)(dot - token - 2));
	what[dot - token - 2] = '\0';
	if (!link_subject_valid(what))
		return LINK_MALFORMED;
	memcpy(what, token + 2, (size_t)(mac_at - 1 - token - 2));
	what[mac_at - 1 - token - 2] = '\0';
	link_mac(key, len, link_kinds[k].context, what, mac);
	if (CRYPTO_memcmp(mac, mac_at, LINK_B64_LEN) != 0)
		return LINK_FORGED;
	if (expires <= (int64_t)now)
		return LINK_EXPIRED;
	*kind = (enum link_kind)k;
	*subject = xstrndup(token + 2, (size_t)(dot - token - 2));
	return LINK_OK;
}

/* Read the key file, or create it when there is none. */
static int
link_key_file(const char *path, unsigned char **key, size_t *len, char **err)
{
	unsigned char	 raw[32];
	char		 hex[2 * sizeof(raw) + 2], buf[256];
	struct stat	 sb;
	ssize_t		 n;
	int		 fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1 && errno == ENOENT) {
		if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
			*err = xasprintf("getrandom: %s", strerror(errno));
			return -1;
		}
		hex_encode(raw, sizeof(raw), hex);
		hex[2 * sizeof(raw)] = '\n';
		/* O_EXCL: two first starts cannot both write a key. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd != -1) {
			if (write(fd, hex, 2 * sizeof(raw) + 1) !=
			    (ssize_t)(2 * sizeof(raw) + 1) || fsync(fd) == -1) {
				*err = xasprintf("%s: %s", path,
				    strerror(errno));
				close(fd);
				unlink(path);
				return -1;
			}
			close(fd);
		} else if (errno != EEXIST) {
			*err = xasprintf("%s: %s", path, strerror(errno));
			return -1;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd == -1) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || (sb.st_mode & 077) != 0) {
		*err = xasprintf("%s: must be readable by its owner only "
		    "(chmod 600)", path);
		goto out;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if ((size_t)n < LINK_KEY_MIN) {
		*err = xasprintf("%s: a key of at least %d characters is "
		    "needed", path, LINK_KEY_MIN);
		goto out;
	}
	*key = xmalloc((size_t)n);
	memcpy(*key, buf, (size_t)n);
	*len = (size_t)n;
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return rc;
}

int
link_key_load(const char *state_dir, const char *config_value,
    unsigned char **key, size_t *len, char **err)
{
	char	*path;
	int	 rc;

	*key = NULL;
	*len = 0;
	if (config_value != NULL && *config_value != '\0') {
		*len = strlen(config_value);
		*key = xmalloc(*len);
		memcpy(*key, config_value, *len);
		return 0;
	}
	path = xasprintf("%s/%s", state_dir, LINK_FILE);
	rc = link_key_file(path, key, len, err);
	free(path);
	return rc;
}
