/* chat: the JSON each chat service's incoming webhook documents.
 *
 * Pure: a message in, a payload out (built with jansson).  Text is cut to
 * the service's limit on a UTF-8 boundary, with a link to the rest; markup
 * that would let item text ping everyone or fake a mention is neutralised.
 */
#ifndef PLC_CHAT_H
#define PLC_CHAT_H

#include <stddef.h>

#include "config.h"

struct chat_message {
	const char		*title;		/* one line; may be NULL */
	const char		*text;		/* untrusted item text inside */
	const char		*link;		/* "the rest" URL; may be NULL */
	const char *const	*mentions;	/* handles from `chat`; trusted */
	size_t			 nmentions;
	/* A shared channel's: lines of text holding this (the worker's
	 * public_url, the base of every personal link and feed URL) are
	 * left out.  NULL: the text as it is. */
	const char		*withhold;
};

/* How many bytes of text a service takes in one message. */
size_t	chat_limit(enum config_channel_type type);

/* The payload for a channel of this type; allocated, the caller frees. */
char	*chat_payload(enum config_channel_type type,
	    const struct chat_message *m);

/*
 * s cut to at most max bytes without splitting a UTF-8 character or an
 * HTML entity ("&amp;"); when it had to be cut, suffix (which counts in
 * max) is appended.  Allocated.  chat_payload cuts the text so that the
 * service takes it: Discord's 2,000 characters, a Slack section's 3,000,
 * and a Teams card of at most 28 KB once JSON-escaped.
 */
char	*chat_cut(const char *s, size_t max, const char *suffix);

#endif
