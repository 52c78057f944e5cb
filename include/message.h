/* message: RFC 5322 / MIME e-mail built from plain values.
 *
 * Pure core: no I/O, no clock; the caller gives the date and the dedup key.
 * Every header is built from validated or encoded pieces, so no input can
 * add a header or end the header block: addresses must pass
 * message_address_valid, display names and the subject must not hold CR, LF
 * or NUL, and anything that is not plain ASCII is RFC 2047-encoded.  Bodies
 * are quoted-printable, so they may hold any bytes.  Lines end in CRLF.
 */
#ifndef PLC_MESSAGE_H
#define PLC_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * What a message says.  All strings are borrowed from the caller and
 * untrusted (config values, item text); names and subject are UTF-8.
 */
struct message {
	const char		*from_name;	/* NULL: address only */
	const char		*from_addr;
	const char		*to_name;	/* NULL: address only */
	const char		*to_addr;
	/* Who a reply reaches (a community's facilitator) and who reads
	 * along (an item's owner when its escalation goes to the
	 * facilitator); NULL addresses: no such header. */
	const char		*reply_to_name;	/* NULL: address only */
	const char		*reply_to_addr;
	const char		*cc_name;	/* NULL: address only */
	const char		*cc_addr;
	const char		*subject;
	time_t			 date;
	const char		*dedup_key;	/* same key, same Message-ID */
	const char		*text;		/* the text/plain body */
	/* A text/html alternative to text (multipart/alternative), or
	 * NULL. */
	const char		*html;
};

/*
 * A conservative addr-spec check: one '@', a dot-atom local part of at most
 * 64 octets, a domain of LDH labels; no CR, LF, NUL, space, angle brackets,
 * commas, quotes or non-ASCII.  addr is untrusted; NULL is invalid.
 */
bool	message_address_valid(const char *addr);

/*
 * The Message-ID for a dedup key: "<HEX@domain>", HEX the first 32 hex
 * digits of SHA-256(key), the domain that of from_addr.  from_addr must be valid.  Returns an
 * allocated string the caller frees.
 */
char	*message_id(const char *dedup_key, const char *from_addr);

/*
 * Build the whole message.  On success returns 0 and *out (allocated, NUL
 * terminated, caller frees) with its length in *outlen.  On bad input
 * returns -1 and *err, allocated, names the field ("to address 'x' is not
 * an e-mail address", "subject holds a line break"); *out is NULL.
 */
int	message_build(const struct message *m, char **out, size_t *outlen,
	    char **err);

#endif
