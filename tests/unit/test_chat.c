/* chat: payload shapes, limits, cutting, defusing; webhook's pure parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "chat.h"
#include "civil.h"
#include "webhook.h"
#include "xmalloc.h"

/* The text of a payload as its service reads it. */
static char *
text_of(enum config_channel_type t, const char *payload)
{
	json_error_t	 e;
	json_t		*o = json_loads(payload, 0, &e), *v;
	char		*s;

	assert_non_null(o);
	if (t == CONFIG_CHAN_DISCORD)
		v = json_object_get(o, "content");
	else if (t == CONFIG_CHAN_TEAMS)
		v = json_object_get(json_array_get(json_object_get(
		    json_object_get(json_array_get(json_object_get(o,
		    "attachments"), 0), "content"), "body"), 0), "text");
	else
		v = json_object_get(o, "text");
	assert_true(json_is_string(v));
	s = xstrdup(json_string_value(v));
	json_decref(o);
	return s;
}

static bool
utf8_valid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 n;

	while (*p != '\0') {
		n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 :
		    (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;
		if (n < 0)
			return false;
		for (p++; n > 0; n--, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

static void
test_cut(void **state)
{
	char	*s;

	(void)state;
	s = chat_cut("short", 10, "...");
	assert_string_equal(s, "short");
	free(s);
	/* "é" is two bytes: a cut never splits it. */
	s = chat_cut("ééééé", 6, "~");
	assert_string_equal(s, "éé~");
	free(s);
	s = chat_cut("abcdef", 4, "~");
	assert_string_equal(s, "abc~");
	free(s);
}

/* Every service's text stays within its limit, mentions kept, link added. */
static void
test_limits(void **state)
{
	static const enum config_channel_type types[] = { CONFIG_CHAN_SLACK,
		CONFIG_CHAN_TEAMS, CONFIG_CHAN_MATTERMOST, CONFIG_CHAN_DISCORD,
		CONFIG_CHAN_GOOGLECHAT };
	const char		*who[] = { "U024BE7LH" };
	struct chat_message	 m;
	char			*big, *p, *t;
	size_t			 i, n = 40000;

	(void)state;
	big = xmalloc(n * 3 + 1);
	for (i = 0; i < n; i++)
		memcpy(big + 3 * i, "\xe2\x9c\x94", 3);	/* ✔ */
	big[3 * n] = '\0';
	memset(&m, 0, sizeof(m));
	m.title = "Digest";
	m.text = big;
	m.link = "https://plc.example.edu/x";
	m.mentions = who;
	m.nmentions = 1;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		p = chat_payload(types[i], &m);
		t = text_of(types[i], p);
		assert_true(strlen(t) <= chat_limit(types[i]));
		assert_true(utf8_valid(t));
		assert_non_null(strstr(t, "(more: https://plc.example.edu/x)"));
		assert_non_null(strstr(t, "U024BE7LH"));
		free(t);
		free(p);
	}
	assert_int_equal(chat_limit(CONFIG_CHAN_SLACK), 3000);
	assert_int_equal(chat_limit(CONFIG_CHAN_DISCORD), 2000);
	assert_int_equal(chat_limit(CONFIG_CHAN_MATTERMOST), 16383);
	free(big);
}

/* Item text cannot ping everyone or forge markup. */
static void
test_defuse(void **state)
{
	struct chat_message	 m;
	char			*p, *t;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.title = "<!channel> & <@U999>";
	m.text = "ping @everyone and @here, <users/all>";
	p = chat_payload(CONFIG_CHAN_SLACK, &m);
	t = text_of(CONFIG_CHAN_SLACK, p);
	assert_non_null(strstr(t, "&lt;!channel&gt; &amp; &lt;@U999&gt;"));
	free(t);
	free(p);
	p = chat_payload(CONFIG_CHAN_DISCORD, &m);
	t = text_of(CONFIG_CHAN_DISCORD, p);
	assert_null(strstr(t, "@everyone"));
	assert_null(strstr(t, "@here"));
	assert_non_null(strstr(t, "@\xe2\x80\x8b" "everyone"));
	assert_non_null(strstr(p, "\"allowed_mentions\":{\"parse\":[]"));
	free(t);
	free(p);
	p = chat_payload(CONFIG_CHAN_GOOGLECHAT, &m);
	t = text_of(CONFIG_CHAN_GOOGLECHAT, p);
	assert_null(strstr(t, "<users/all>"));
	free(t);
	free(p);
}

/* Mattermost matches "@ALL" as "@all": every case of every word for
 * everyone is defused, on every service that reads text, while the mentions
 * the worker adds for known handles stay. */
static void
test_defuse_any_case(void **state)
{
	static const enum config_channel_type types[] = { CONFIG_CHAN_SLACK,
		CONFIG_CHAN_TEAMS, CONFIG_CHAN_MATTERMOST, CONFIG_CHAN_DISCORD,
		CONFIG_CHAN_GOOGLECHAT };
	static const char *const loud[] = { "@channel", "@all", "@here",
		"@everyone" };
	const char		*who[] = { "bob.jones" };
	struct chat_message	 m;
	char			*p, *t, *low;
	size_t			 i, j, k;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.title = "Due: @Channel and @ALL, read this";
	m.text = "ping @here @HeRe @Everyone @CHANNEL <USERS/all> <!everyone>";
	m.mentions = who;
	m.nmentions = 1;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		p = chat_payload(types[i], &m);
		t = text_of(types[i], p);
		low = xstrdup(t);
		for (k = 0; low[k] != '\0'; k++)
			if (low[k] >= 'A' && low[k] <= 'Z')
				low[k] = (char)(low[k] - 'A' + 'a');
		for (j = 0; j < sizeof(loud) / sizeof(loud[0]); j++)
			if (strstr(low, loud[j]) != NULL)
				fail_msg("type %d: %s in %s", (int)types[i],
				    loud[j], t);
		/* Slack's and Google Chat's own syntax for everyone. */
		if (types[i] == CONFIG_CHAN_SLACK)
			assert_null(strstr(low, "<!everyone>"));
		if (types[i] == CONFIG_CHAN_GOOGLECHAT)
			assert_null(strstr(low, "<users/all>"));
		/* Still readable: only a zero-width space was added. */
		assert_non_null(strstr(t, "@\xe2\x80\x8b" "Channel"));
		assert_non_null(strstr(t, "@\xe2\x80\x8b" "ALL"));
		/* The owner's own mention is kept. */
		assert_non_null(strstr(t, "bob.jones"));
		free(low);
		free(t);
		free(p);
	}
	p = chat_payload(CONFIG_CHAN_MATTERMOST, &m);
	t = text_of(CONFIG_CHAN_MATTERMOST, p);
	assert_non_null(strstr(t, "\n@bob.jones"));
	free(t);
	free(p);
	p = chat_payload(CONFIG_CHAN_SLACK, &m);
	t = text_of(CONFIG_CHAN_SLACK, p);
	assert_non_null(strstr(t, "&lt;!everyone&gt;"));
	assert_non_null(strstr(t, "<@bob.jones>"));
	free(t);
	free(p);
}

/* A shared channel's post leaves out every line with the worker's links,
 * whatever planned it; the rest of the text stays. */
static void
test_withhold(void **state)
{
	static const enum config_channel_type types[] = { CONFIG_CHAN_SLACK,
		CONFIG_CHAN_TEAMS, CONFIG_CHAN_MATTERMOST, CONFIG_CHAN_DISCORD,
		CONFIG_CHAN_GOOGLECHAT, CONFIG_CHAN_GENERIC };
	struct chat_message	 m;
	char			*p;
	size_t			 i;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.title = "Due today: Book room 204";
	m.text = "Your action item is due:\n  Book room 204\n(item 5)\n"
	    "Done? Mark it done: https://plc.example.edu/a/5-1-2-MAC\n"
	    "Your feed: https://plc.example.edu/feeds/abc.ics";
	m.link = "https://plc.example.edu/a/more";
	m.withhold = "https://plc.example.edu";
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		p = chat_payload(types[i], &m);
		assert_null(strstr(p, "plc.example.edu"));
		assert_non_null(strstr(p, "(item 5)"));
		free(p);
	}
	/* Without it, as it is. */
	m.withhold = NULL;
	p = chat_payload(CONFIG_CHAN_MATTERMOST, &m);
	assert_non_null(strstr(p, "https://plc.example.edu/a/5-1-2-MAC"));
	free(p);
}

static void
test_mentions(void **state)
{
	const char		*who[] = { "bob.jones" };
	struct chat_message	 m;
	char			*p, *t;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.text = "Due Friday";
	m.mentions = who;
	m.nmentions = 1;
	p = chat_payload(CONFIG_CHAN_MATTERMOST, &m);
	t = text_of(CONFIG_CHAN_MATTERMOST, p);
	assert_string_equal(t, "Due Friday\n@bob.jones");
	free(t);
	free(p);
	p = chat_payload(CONFIG_CHAN_TEAMS, &m);
	assert_non_null(strstr(p, "\"msteams\":{\"entities\":[{\"type\":"
	    "\"mention\",\"text\":\"<at>bob.jones</at>\""));
	free(p);
	p = chat_payload(CONFIG_CHAN_GENERIC, &m);
	assert_string_equal(p, "{\"text\":\"Due Friday\",\"mentions\":"
	    "[\"bob.jones\"]}");
	free(p);
}

static void
test_classify(void **state)
{
	(void)state;
	assert_int_equal(webhook_classify(200), WEBHOOK_OK);
	assert_int_equal(webhook_classify(202), WEBHOOK_OK);
	assert_int_equal(webhook_classify(204), WEBHOOK_OK);
	assert_int_equal(webhook_classify(408), WEBHOOK_TEMPFAIL);
	assert_int_equal(webhook_classify(429), WEBHOOK_TEMPFAIL);
	assert_int_equal(webhook_classify(500), WEBHOOK_TEMPFAIL);
	assert_int_equal(webhook_classify(503), WEBHOOK_TEMPFAIL);
	assert_int_equal(webhook_classify(400), WEBHOOK_PERMFAIL);
	assert_int_equal(webhook_classify(404), WEBHOOK_PERMFAIL);
	assert_int_equal(webhook_classify(410), WEBHOOK_PERMFAIL);
	assert_int_equal(webhook_classify(301), WEBHOOK_PERMFAIL);
}

static void
test_retry_after(void **state)
{
	time_t	now = 1794000000;	/* 2026-11-07T... UTC */

	(void)state;
	assert_int_equal(webhook_retry_after("120", now), 120);
	assert_int_equal(webhook_retry_after(" 7 ", now), 7);
	assert_int_equal(webhook_retry_after("9999999", now), CIVIL_DAY);
	assert_int_equal(webhook_retry_after(NULL, now), -1);
	assert_int_equal(webhook_retry_after("soon", now), -1);
	assert_int_equal(webhook_retry_after("-5", now), -1);
	assert_int_equal(webhook_retry_after("12abc", now), -1);
	/* An HTTP-date 5 minutes ahead, and one in the past. */
	assert_int_equal(webhook_retry_after("Sat, 07 Nov 2026 19:45:00 GMT",
	    1794080400), 300);
	assert_int_equal(webhook_retry_after("Sat, 07 Nov 2026 19:35:00 GMT",
	    1794080400), 0);
}

static void
test_pacer(void **state)
{
	struct config_channel	 slack, discord, fast;
	struct webhook_pacer	*p = webhook_pacer_new();
	int			 i;

	(void)state;
	memset(&slack, 0, sizeof(slack));
	slack.id = "s";
	slack.type = CONFIG_CHAN_SLACK;
	discord = slack;
	discord.id = "d";
	discord.type = CONFIG_CHAN_DISCORD;
	fast = slack;
	fast.id = "f";
	fast.rate_posts = 100;
	fast.rate_window_ms = 1000;
	/* Slack: one now, the next a second later. */
	assert_true(webhook_pacer_wait(p, &slack, 1000) == 0);
	webhook_pacer_sent(p, &slack, 1000);
	assert_true(webhook_pacer_wait(p, &slack, 1000) > 0.99);
	assert_true(webhook_pacer_wait(p, &slack, 1500) > 0.49);
	assert_true(webhook_pacer_wait(p, &slack, 2000) == 0);
	/* Discord: five at once, then one per 400 ms. */
	for (i = 0; i < 5; i++) {
		assert_true(webhook_pacer_wait(p, &discord, 1000) == 0);
		webhook_pacer_sent(p, &discord, 1000);
	}
	assert_true(webhook_pacer_wait(p, &discord, 1000) > 0.39);
	assert_true(webhook_pacer_wait(p, &discord, 1400) == 0);
	/* A configured rate: a hundred at once. */
	for (i = 0; i < 100; i++) {
		assert_true(webhook_pacer_wait(p, &fast, 1000) == 0);
		webhook_pacer_sent(p, &fast, 1000);
	}
	assert_true(webhook_pacer_wait(p, &fast, 1000) > 0);
	webhook_pacer_free(p);
}

/* A Teams card stays within 28 KB once escaped, however the text is made
 * (line breaks and quotes take two bytes in JSON), and a cut never leaves
 * half an entity behind in Slack. */
static void
test_escaped_limits(void **state)
{
	struct chat_message	 m;
	char			*text, *p, *cut;
	size_t			 i, n = 27 * 1024;

	(void)state;
	text = xmalloc(n + 1);
	for (i = 0; i < n; i++)
		text[i] = i % 2 ? '\n' : '"';
	text[n] = '\0';
	memset(&m, 0, sizeof(m));
	m.title = "Reminder";
	m.text = text;
	p = chat_payload(CONFIG_CHAN_TEAMS, &m);
	assert_true(strlen(p) <= 28 * 1024);
	assert_non_null(strstr(p, "AdaptiveCard"));
	free(p);
	free(text);
	cut = chat_cut("ab &amp; cd", 7, "…");
	assert_string_equal(cut, "ab …");
	free(cut);
	cut = chat_cut("ab &amp; cd ef", 12, "…");
	assert_string_equal(cut, "ab &amp; …");
	free(cut);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_escaped_limits),
		cmocka_unit_test(test_defuse),
		cmocka_unit_test(test_defuse_any_case),
		cmocka_unit_test(test_withhold),
		cmocka_unit_test(test_mentions),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_pacer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
