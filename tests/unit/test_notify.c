/* notify: webhook_post_all and mail_send tell each outcome once, as soon as
 * it is decided, so the outbox can record it before the batch is through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "mail.h"
#include "webhook.h"

#define NJOBS	6

/* What the callback saw: per index, how often, and in which order. */
struct seen {
	size_t			 calls[NJOBS], order[NJOBS], n, ticks;
	struct webhook_job	*jobs;
	struct mail_item	*items;
};

static int64_t
seen_webhook(void *arg, size_t i)
{
	struct seen	*s = arg;

	if (i == WEBHOOK_TICK) {
		s->ticks++;
		return -1;
	}
	assert_true(i < NJOBS);
	/* Decided when told: the answer is there already. */
	assert_non_null(s->jobs[i].res.answer);
	s->calls[i]++;
	s->order[s->n++] = i;
	return 5;
}

static int64_t
seen_mail(void *arg, size_t i)
{
	struct seen	*s = arg;

	if (i == MAIL_TICK) {
		s->ticks++;
		return -1;
	}
	assert_true(i < NJOBS);
	assert_non_null(s->items[i].answer);
	s->calls[i]++;
	s->order[s->n++] = i;
	return -1;
}

/* File sinks (decided at once) and a refused port (decided when the
 * connection fails): every job told exactly once. */
static void
test_webhook_each_once(void **state)
{
	struct config_channel	 file, refused;
	struct webhook_job	 jobs[NJOBS];
	struct webhook_notify	 nt;
	struct seen		 s;
	char			 dir[] = "/tmp/plc-notify.XXXXXX", *url;
	size_t			 i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	url = NULL;
	assert_true(asprintf(&url, "file:%s/posts.jsonl", dir) > 0);
	memset(&file, 0, sizeof(file));
	file.id = "file";
	file.type = CONFIG_CHAN_GENERIC;
	file.url.value = url;
	memset(&refused, 0, sizeof(refused));
	refused.id = "refused";
	refused.type = CONFIG_CHAN_GENERIC;
	/* Nothing listens on port 1: refused at once. */
	refused.url.value = "http://127.0.0.1:1/hook";
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < NJOBS; i++) {
		jobs[i].ch = i % 2 == 0 ? &file : &refused;
		jobs[i].payload = "{}";
	}
	memset(&s, 0, sizeof(s));
	s.jobs = jobs;
	nt.fn = seen_webhook;
	nt.arg = &s;
	webhook_post_all(NULL, jobs, NJOBS, time(NULL), NULL, &nt);
	assert_int_equal(s.n, NJOBS);
	for (i = 0; i < NJOBS; i++) {
		assert_int_equal(s.calls[i], 1);
		assert_int_equal(jobs[i].res.status, i % 2 == 0 ? WEBHOOK_OK :
		    WEBHOOK_TEMPFAIL);
		assert_false(jobs[i].res.cut);
		free(jobs[i].res.answer);
	}
	/* The file sinks are decided before any connection has failed. */
	assert_int_equal(s.order[0] % 2, 0);
	assert_int_equal(s.order[1] % 2, 0);
	assert_int_equal(s.order[2] % 2, 0);
	assert_true(snprintf(url, strlen(url) + 1, "%s/posts.jsonl", dir) > 0);
	assert_int_equal(unlink(url), 0);
	assert_int_equal(rmdir(dir), 0);
	free(url);
}

/* A maildir: each message told once, in order, as it is written. */
static void
test_mail_each_once(void **state)
{
	struct config_smtp	 smtp;
	struct mail_item	 items[NJOBS];
	struct mail_notify	 nt;
	struct mail		*m;
	struct seen		 s;
	char			 dir[] = "/tmp/plc-notify.XXXXXX", *url, *err = NULL;
	char			 cmd[128];
	size_t			 i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	url = NULL;
	assert_true(asprintf(&url, "maildir:%s/Maildir", dir) > 0);
	memset(&smtp, 0, sizeof(smtp));
	smtp.url = url;
	assert_non_null(m = mail_new(&smtp, &err));
	memset(items, 0, sizeof(items));
	for (i = 0; i < NJOBS; i++) {
		items[i].from_addr = "plc@example.edu";
		/* One envelope that is no plain address: refused, told too. */
		items[i].to_addr = i == 3 ? "bob@example.edu>\r\nRCPT TO:<x@y" :
		    "bob@example.edu";
		items[i].data = "Subject: x\r\n\r\nhello\r\n";
		items[i].len = strlen(items[i].data);
	}
	memset(&s, 0, sizeof(s));
	s.items = items;
	nt.fn = seen_mail;
	nt.arg = &s;
	mail_set_notify(m, &nt);
	assert_int_equal(mail_send(m, items, NJOBS, NULL), NJOBS - 1);
	assert_int_equal(s.n, NJOBS);
	for (i = 0; i < NJOBS; i++) {
		assert_int_equal(s.calls[i], 1);
		assert_int_equal(s.order[i], i);
		assert_int_equal(items[i].status, i == 3 ? MAIL_PERMFAIL :
		    MAIL_SENT);
		free(items[i].answer);
	}
	mail_free(m);
	assert_true(snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) > 0);
	assert_int_equal(system(cmd), 0);
	free(url);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webhook_each_once),
		cmocka_unit_test(test_mail_each_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
