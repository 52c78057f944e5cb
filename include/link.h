/* link: signed one-click links ("mark done") for action items.
 *
 * A link names one item, the moment that item was last opened (created, or
 * reopened), and when the link expires, and carries an HMAC-SHA256 of all
 * three under the worker's secret: "ITEM-OPENED-EXPIRES-MAC", MAC in
 * unpadded base64url.  It is checked by recomputing the MAC (compared in
 * constant time), so a forged, tampered or expired link, or one copied onto
 * another item, is refused; nothing about a link is stored.  A link made
 * before the item was last reopened is refused too (link_current): it was
 * meant for the item as it was then.
 *
 * Links of the first format, "ITEM-EXPIRES-MAC" (no OPENED, MAC under
 * another context string), were sent before this one and live at most
 * LINK_LIFETIME; they are still accepted, as if made when their item was
 * created: good while the item has never been reopened, refused once it
 * has (a link that may predate a reopen fails closed).
 *
 * The only module that uses OpenSSL's HMAC.
 */
#ifndef PLC_LINK_H
#define PLC_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "civil.h"

/* Links stay valid this long after they are made. */
#define LINK_LIFETIME		(30 * CIVIL_DAY)
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

/*
 * The link token for item id, last opened at opened (>= 0), valid until
 * expires; allocated.
 */
char	*link_make(const unsigned char *key, size_t len, int64_t id,
	    time_t opened, time_t expires);

/* LINK_STALE: made before the item was last reopened (link_current). */
enum link_verdict { LINK_OK, LINK_MALFORMED, LINK_FORGED, LINK_EXPIRED,
	LINK_STALE };

/* link_check's *opened for a link of the first format, which names none. */
#define LINK_OPENED_NONE	((time_t)-1)

/*
 * Check token (untrusted: any bytes from a URL) at now; on LINK_OK, *id is
 * the item it names and *opened the moment it says the item was last
 * opened (LINK_OPENED_NONE for the first format).  Whether that moment is
 * still the item's is link_current's to say.
 */
enum link_verdict link_check(const unsigned char *key, size_t len,
	    const char *token, time_t now, int64_t *id, time_t *opened);

/*
 * LINK_OK when a link naming opened (link_check's) still holds for an item
 * created at created and last opened at item_opened (its creation or its
 * last reopening), else LINK_STALE.
 */
enum link_verdict link_current(time_t opened, time_t created,
	    time_t item_opened);

#endif
