/* mail: deliver built messages by SMTP (libcurl) or into a maildir.
 *
 * The only module that uses libcurl's SMTP.  A struct mail holds a few
 * connections (or one maildir) for a batch: mail_send delivers the messages
 * over them at once, each connection reused for message after message and
 * opened again after a failure, and records per message whether it was
 * sent, failed for now (retry) or was refused for good.
 *
 * A timeout or a dropped connection after the final "." may hide a message
 * the server did accept: it is reported as a temporary failure, and the
 * caller retries with the same bytes, hence the same Message-ID, which lets
 * the recipient's client show it once.  Once the server has answered the
 * final "." with 2xx the message is sent, whatever libcurl reports after
 * it; and the QUIT that ends each connection (at mail_free) is sent but its
 * answer is not waited for.
 */
#ifndef PLC_MAIL_H
#define PLC_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "stop.h"

enum mail_status { MAIL_SENT, MAIL_TEMPFAIL, MAIL_PERMFAIL };

/*
 * One message to deliver.  The caller owns from_addr, to_addr and data
 * (a message_build result, CRLF lines); mail_send fills in the rest, and
 * the caller frees answer.
 */
struct mail_item {
	const char		*from_addr;	/* envelope sender */
	const char		*to_addr;	/* the recipient */
	const char		*cc_addr;	/* a second one (the message's
						   Cc:), or NULL */
	const char		*data;
	size_t			 len;

	enum mail_status	 status;
	long			 code;		/* SMTP reply code; 0 if none */
	char			*answer;	/* untrusted server text, or our
						   own error; never NULL after
						   mail_send */
	bool			 untried;	/* MAIL_TEMPFAIL before it was
						   tried: a stop */
};

struct mail;

/*
 * Prepare delivery as smtp says (smtp->url after config_load: smtp://,
 * smtps:// or maildir:/dir).  smtp must outlive the struct mail; the
 * password is used, never logged.  Returns NULL with *err allocated when
 * libcurl cannot be set up.  Free with mail_free.
 */
struct mail	*mail_new(const struct config_smtp *smtp, char **err);
void		 mail_free(struct mail *m);

/*
 * Told of each message as soon as its outcome is known, so that the caller
 * can record it before the rest of the batch is through.  fn(arg, i) runs
 * once items[i] is decided (status, code, answer and untried set; the
 * callback may read them and must leave them as they are), and
 * fn(arg, MAIL_TICK) now and then while the batch goes on.  Each call
 * returns the milliseconds after which the caller wants a tick although
 * nothing was decided, or -1 for none: mail_send never waits longer.
 */
#define MAIL_TICK	((size_t)-1)
struct mail_notify {
	int64_t	(*fn)(void *arg, size_t i);
	void	*arg;
};
/* Tell notify (copied; NULL: nobody) of the outcomes of m's next sends. */
void	 mail_set_notify(struct mail *m, const struct mail_notify *notify);

/*
 * Deliver items[0..n-1], in order on each connection.  Envelope addresses that fail
 * message_address_valid are refused (MAIL_PERMFAIL) without reaching the
 * server: libcurl would pass a CR/LF in them straight into the SMTP
 * dialogue.  Once stop (may be NULL) is asked for, the rest are left
 * untried, and a message still going when its grace is over is cut off
 * (both MAIL_TEMPFAIL).  Each item is told to the notify set with
 * mail_set_notify (if any) as it is decided.  Returns the number of items
 * sent.
 */
size_t		 mail_send(struct mail *m, struct mail_item *items, size_t n,
		    struct stop *stop);

/* "sent", "temporary failure", "permanent failure". */
const char	*mail_status_name(enum mail_status s);

#endif
