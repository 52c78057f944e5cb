/* link: signed one-click links ("mark done") for action items.
 *
 * A link names one item and when it expires, and carries an HMAC-SHA256
 * of both under the worker's secret: "ITEM-EXPIRES-MAC", MAC in unpadded
 * base64url.  It is checked by recomputing the MAC (compared in constant
 * time), so a forged, tampered or expired link, or one copied onto another
 * item, is refused; nothing about a link is stored.  The only module that
 * uses OpenSSL's HMAC.
 */
#ifndef PLC_LINK_H
#define PLC_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Links stay valid this long after they are made. */
#define LINK_LIFETIME		(30 * 86400)
#define LINK_KEY_MIN		16	/* bytes of secret, at the least */
#define LINK_FILE		"link.key"

/*
 * The secret: the config's `secret` when set (config_value, trusted), else
 * <state_dir>/link.key, created on first use with 32 random bytes (hex) and
 * mode 0600.  *key is allocated (caller frees), *len its length.
 * Returns 0, or -1 with *err allocated.
 */
int	link_key_load(const char *state_dir, const char *config_value,
	    unsigned char **key, size_t *len, char **err);

/* The link token for item id, valid until expires; allocated. */
char	*link_make(const unsigned char *key, size_t len, int64_t id,
	    time_t expires);

enum link_verdict { LINK_OK, LINK_MALFORMED, LINK_FORGED, LINK_EXPIRED };

/*
 * Check token (untrusted: any bytes from a URL) at now; on LINK_OK, *id is
 * the item it names.
 */
enum link_verdict link_check(const unsigned char *key, size_t len,
	    const char *token, time_t now, int64_t *id);

#endif
