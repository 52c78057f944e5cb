/* cmd_send_test: deliver one test message now and say what came back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "chat.h"
#include "cmd.h"
#include "log.h"
#include "mail.h"
#include "message.h"
#include "webhook.h"
#include "xmalloc.h"

static int
send_test_email(const struct config *cfg, const char *addr, time_t now)
{
	const struct config_smtp *s = &cfg->smtp;
	struct message		 msg = { 0 };
	struct mail_item	 it = { 0 };
	struct mail		*m = NULL;
	char			*data = NULL, *err = NULL, *key, *text;
	char			 esc[1024];
	size_t			 len;
	int			 rc = EX_UNAVAILABLE;

	key = xasprintf("send-test:%s:%lld:%d", addr, (long long)now,
	    (int)getpid());
	text = xasprintf("This is a test message from plc-cadence.\n\n"
	    "If you can read it, e-mail from %s through %s works.\n"
	    "Config: %s\n", s->from_addr, s->url, cfg->path);
	msg.from_name = s->from_name;
	msg.from_addr = s->from_addr;
	msg.to_addr = addr;
	msg.subject = "plc-cadence test message \xe2\x9c\x94";
	msg.date = now;
	msg.dedup_key = key;
	msg.text = text;
	if (message_build(&msg, &data, &len, &err) == -1) {
		fprintf(stderr, "plc-cadence: send-test: %s\n", err);
		rc = EX_DATAERR;
		goto out;
	}
	if ((m = mail_new(s, &err)) == NULL) {
		fprintf(stderr, "plc-cadence: send-test: %s\n", err);
		rc = EX_SOFTWARE;
		goto out;
	}
	it.from_addr = s->from_addr;
	it.to_addr = addr;
	it.data = data;
	it.len = len;
	mail_send(m, &it, 1, NULL);
	log_escape(it.answer, esc, sizeof(esc));
	if (it.status == MAIL_SENT) {
		printf("send-test: %s: sent via %s: %s\n", addr, s->url, esc);
		rc = EX_OK;
	} else
		fprintf(stderr, "plc-cadence: send-test: %s: %s via %s: %s\n",
		    addr, mail_status_name(it.status), s->url, esc);
out:
	mail_free(m);
	free(it.answer);
	free(data);
	free(err);
	free(key);
	free(text);
	return rc;
}

/* One post to a chat channel; the channel's URL is never printed. */
static int
send_test_chat(const struct config *cfg, const struct config_channel *ch,
    time_t now)
{
	struct chat_message	 cm;
	struct webhook_result	 res;
	char			*payload, *text, *err = NULL, esc[1024];
	int			 rc;

	memset(&cm, 0, sizeof(cm));
	text = xasprintf("If you can read this, plc-cadence can post to %s "
	    "(%s).\nConfig: %s", ch->id, config_channel_type_name(ch->type),
	    cfg->path);
	cm.title = "plc-cadence test message \xe2\x9c\x94";
	cm.text = text;
	payload = chat_payload(ch->type, &cm);
	if (webhook_post(ch, payload, now, &res, &err) == -1) {
		fprintf(stderr, "plc-cadence: send-test: %s\n", err);
		free(err);
		rc = EX_CONFIG;
		goto out;
	}
	log_escape(res.answer, esc, sizeof(esc));
	if (res.status == WEBHOOK_OK) {
		printf("send-test: %s: sent: %s\n", ch->id, esc);
		rc = EX_OK;
	} else {
		fprintf(stderr, "plc-cadence: send-test: %s: %s: %s\n", ch->id,
		    res.status == WEBHOOK_TEMPFAIL ? "temporary failure" :
		    "permanent failure", esc);
		rc = EX_UNAVAILABLE;
	}
	free(res.answer);
out:
	free(payload);
	free(text);
	return rc;
}

int
cmd_send_test(struct cmd_ctx *ctx)
{
	const struct config	*cfg = ctx->cfg;
	const char		*target;
	time_t			 given;
	char			 esc[256];
	bool			 have_now;
	int			 rc;

	if ((rc = cmd_now_options(ctx, "send-test [--now TIME] "
	    "CHANNEL|ADDRESS", &given, &have_now)) != -1)
		return rc;
	if (optind + 1 != ctx->argc) {
		fprintf(stderr, "plc-cadence: send-test takes one CHANNEL or "
		    "ADDRESS\n");
		return EX_USAGE;
	}
	if (cmd_secrets_available(cfg) == -1)
		return EX_CONFIG;
	target = ctx->argv[optind];
	log_escape(target, esc, sizeof(esc));
	if (strchr(target, '@') != NULL) {
		if (!message_address_valid(target)) {
			fprintf(stderr, "plc-cadence: send-test: '%s' is not "
			    "an e-mail address\n", esc);
			return EX_DATAERR;
		}
		return send_test_email(cfg, target,
		    cmd_now(have_now ? &given : NULL));
	}
	if (config_channel_find(cfg, target) == NULL) {
		fprintf(stderr, "plc-cadence: send-test: '%s' is neither an "
		    "e-mail address nor a channel in %s\n", esc, cfg->path);
		return EX_DATAERR;
	}
	return send_test_chat(cfg, config_channel_find(cfg, target),
	    cmd_now(have_now ? &given : NULL));
}
