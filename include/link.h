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
 * Links of every kind (issue 16: done, RSVP, move-here, attendance, report)
 * share that key and that expiry scheme in a third format,
 * "K.SUBJECT.EXPIRES.MAC": K one letter naming the kind (d, v, m, a, r),
 * SUBJECT what the link is about, EXPIRES the Unix time it stops working,
 * and MAC an HMAC-SHA256 (unpadded base64url, always LINK_B64_LEN
 * characters) of "SUBJECT.EXPIRES" under a context string of its own per
 * kind: a link of one kind never verifies as another, nor as a done link
 * of the older formats.  The URL path names the page (/a/ done, /v/ RSVP,
 * /m/ move here, /t/ attendance, /r/ report); the kind inside the token is
 * what is trusted, so a token pasted under another path is refused.
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

/* The kinds of signed link; the letters in the token are d, v, m, a, r. */
enum link_kind { LINK_DONE, LINK_RSVP, LINK_MOVE, LINK_ATTEND, LINK_REPORT };

/*
 * A subject is 1..LINK_SUBJECT_MAX characters of [A-Za-z0-9._-]: config
 * IDs ([a-z][a-z0-9_-]*) and ISO dates joined with '.', which IDs and
 * dates never hold, e.g. "math7.2026-12-08.bob" (community, meeting date,
 * member).  The subjects this project uses, one per kind:
 *   LINK_DONE    "ITEM.OPENED" (decimal), "ITEM" for the first format
 *   LINK_RSVP    "COMMUNITY.DATE.MEMBER"   (DATE: the meeting's own date)
 *   LINK_MOVE    "COMMUNITY.DATE.NEWDATE.HHMM"
 *   LINK_ATTEND  "COMMUNITY.DATE"
 *   LINK_REPORT  "COMMUNITY"
 * Whatever the subject says is only as trusted as the MAC makes it: the
 * page that serves a link still checks the names exist.
 */
#define LINK_SUBJECT_MAX	160
/* The longest token of any format: longer strings are not looked at. */
#define LINK_TOKEN_MAX		(2 + LINK_SUBJECT_MAX + 1 + 20 + 1 + 43)

/* Whether s is a valid subject (a NULL s is not). */
int	link_subject_valid(const char *s);

/*
 * The token of a link of kind about subject (link_subject_valid: a caller
 * bug otherwise, which aborts), valid until expires; allocated.
 */
char	*link_make_kind(const unsigned char *key, size_t len,
	    enum link_kind kind, const char *subject, time_t expires);

/*
 * Check token (untrusted: any bytes from a URL) at now.  On LINK_OK, *kind
 * is the link's kind and *subject its subject (allocated, caller frees);
 * else *subject is NULL.  Done links of the two older formats are accepted
 * as LINK_DONE with the subject above (whether they are still current is
 * link_current's to say).  Never LINK_STALE.
 */
enum link_verdict link_check_kind(const unsigned char *key, size_t len,
	    const char *token, time_t now, enum link_kind *kind,
	    char **subject);

#endif
