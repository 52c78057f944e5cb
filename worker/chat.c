/* chat: webhook payloads for Slack, Teams, Mattermost, Discord, Google Chat
 * and a generic JSON receiver. */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "xmalloc.h"

/* Append s. */
static void
chat_add(struct xbuf *b, const char *s)
{
	xbuf_add(b, s, strlen(s));
}

/* What Teams takes for a whole card (28 KB). */
#define CHAT_TEAMS_CARD_MAX	(28 * 1024)

size_t
chat_limit(enum config_channel_type type)
{
	switch (type) {
	case CONFIG_CHAN_SLACK:
		return 3000;		/* a section block's text */
	case CONFIG_CHAN_DISCORD:
		return 2000;		/* content */
	case CONFIG_CHAN_MATTERMOST:
		return 16383;
	case CONFIG_CHAN_TEAMS:
		return 27 * 1024;	/* 28 KB for the whole card */
	case CONFIG_CHAN_GOOGLECHAT:
		return 4096;
	case CONFIG_CHAN_GENERIC:
		break;
	}
	return 65536;
}

char *
chat_cut(const char *s, size_t max, const char *suffix)
{
	struct xbuf	 b = { NULL, 0, 0 };
	size_t		 n = strlen(s), sl = strlen(suffix), i;

	if (n <= max)
		return xstrdup(s);
	n = max > sl ? max - sl : 0;
	/* Back up over continuation bytes to a character's first byte. */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	/* Nor through an entity ("&amp;", "&lt;") the defusing wrote: a
	 * half one would show as text. */
	for (i = n; i > 0 && n - i < 6; i--)
		if (s[i - 1] == ';')
			break;
		else if (s[i - 1] == '&') {
			n = i - 1;
			break;
		}
	xbuf_add(&b, s, n);
	chat_add(&b, suffix);
	return b.s;
}

/* A bit per service, for the table below. */
#define CHAT_BIT(t)	(1u << (t))
#define CHAT_TEXT	(CHAT_BIT(CONFIG_CHAN_SLACK) | \
			    CHAT_BIT(CONFIG_CHAN_TEAMS) | \
			    CHAT_BIT(CONFIG_CHAN_MATTERMOST) | \
			    CHAT_BIT(CONFIG_CHAN_DISCORD) | \
			    CHAT_BIT(CONFIG_CHAN_GOOGLECHAT))
#define CHAT_ZWSP	"\xe2\x80\x8b"

/*
 * What item text may not say, per service: where `match` begins
 * (ASCII case-insensitively, since Mattermost matches "@ALL" as "@all"),
 * its first byte is replaced by `out`.  Slack's &, < and > become entities,
 * so "<!channel>", "<!here>", "<!everyone>" and "<@U…>" cannot be typed;
 * Google Chat's "<users/all>" and "<users/…>" lose their meaning the same
 * way; and "@everyone", "@here", "@channel" and "@all" (Mattermost's,
 * Discord's and Slack's words for everyone) get a zero-width space after
 * the "@" on every service that reads text.  The generic receiver gets the
 * text as it is: it says nothing about markup.
 */
static const struct chat_rule {
	unsigned	 types;
	const char	*match;
	const char	*out;
} chat_rules[] = {
	{ CHAT_BIT(CONFIG_CHAN_SLACK), "&", "&amp;" },
	{ CHAT_BIT(CONFIG_CHAN_SLACK), "<", "&lt;" },
	{ CHAT_BIT(CONFIG_CHAN_SLACK), ">", "&gt;" },
	{ CHAT_BIT(CONFIG_CHAN_GOOGLECHAT), "<users/", "<" CHAT_ZWSP },
	{ CHAT_TEXT, "@everyone", "@" CHAT_ZWSP },
	{ CHAT_TEXT, "@here", "@" CHAT_ZWSP },
	{ CHAT_TEXT, "@channel", "@" CHAT_ZWSP },
	{ CHAT_TEXT, "@all", "@" CHAT_ZWSP },
};

/* Whether s begins with the ASCII word w, in any case. */
static bool
chat_begins(const char *s, const char *w)
{
	for (; *w != '\0'; s++, w++) {
		unsigned char a = (unsigned char)*s, b = (unsigned char)*w;

		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

/* Untrusted text with chat_rules applied for this service; allocated. */
static char *
chat_defuse(enum config_channel_type type, const char *s)
{
	struct xbuf	 b = { NULL, 0, 0 };
	size_t		 i;

	chat_add(&b, "");
	for (; *s != '\0'; s++) {
		for (i = 0; i < sizeof(chat_rules) / sizeof(*chat_rules); i++)
			if ((chat_rules[i].types & CHAT_BIT(type)) != 0 &&
			    chat_begins(s, chat_rules[i].match))
				break;
		if (i < sizeof(chat_rules) / sizeof(*chat_rules))
			chat_add(&b, chat_rules[i].out);
		else
			xbuf_add(&b, s, 1);
	}
	return b.s;
}

/* s without the lines that hold w (not empty); allocated. */
static char *
chat_withhold(const char *s, const char *w)
{
	struct xbuf	 b = { NULL, 0, 0 };
	const char	*e, *hit;
	size_t		 n;

	chat_add(&b, "");
	for (; *s != '\0'; s = e) {
		e = strchr(s, '\n');
		e = e != NULL ? e + 1 : s + strlen(s);
		n = (size_t)(e - s);
		hit = strstr(s, w);
		if (hit == NULL || hit >= e)
			xbuf_add(&b, s, n);
	}
	return b.s;
}

/* A mention in the service's syntax; handles come from the config. */
static void
chat_mention(struct xbuf *b, enum config_channel_type type,
    const char *h)
{
	switch (type) {
	case CONFIG_CHAN_SLACK:
	case CONFIG_CHAN_DISCORD:
		chat_add(b, "<@");
		chat_add(b, h);
		chat_add(b, ">");
		return;
	case CONFIG_CHAN_TEAMS:
		chat_add(b, "<at>");
		chat_add(b, h);
		chat_add(b, "</at>");
		return;
	case CONFIG_CHAN_GOOGLECHAT:
		chat_add(b, "<users/");
		chat_add(b, h);
		chat_add(b, ">");
		return;
	case CONFIG_CHAN_MATTERMOST:
	case CONFIG_CHAN_GENERIC:
		break;
	}
	chat_add(b, "@");
	chat_add(b, h);
}

/*
 * The message as one text in the service's markup: a bold title line, the
 * body, the mentions; cut to the limit with a link to the rest.
 */
static char *
chat_text(enum config_channel_type type, const struct chat_message *m,
    size_t limit)
{
	struct xbuf	 b = { NULL, 0, 0 }, tail = { NULL, 0, 0 };
	const char	*bold = type == CONFIG_CHAN_DISCORD ||
			    type == CONFIG_CHAN_MATTERMOST ||
			    type == CONFIG_CHAN_TEAMS ? "**" : "*";
	char		*t, *suffix, *cut;
	size_t		 i;

	chat_add(&b, "");
	chat_add(&tail, "");
	if (m->title != NULL && *m->title != '\0') {
		t = chat_defuse(type, m->title);
		chat_add(&b, bold);
		chat_add(&b, t);
		chat_add(&b, bold);
		chat_add(&b, "\n");
		free(t);
	}
	if (m->text != NULL) {
		t = chat_defuse(type, m->text);
		chat_add(&b, t);
		free(t);
	}
	/* Mentions go last and are never cut off. */
	for (i = 0; i < m->nmentions; i++) {
		chat_add(&tail, i == 0 ? "\n" : " ");
		chat_mention(&tail, type, m->mentions[i]);
	}
	suffix = m->link != NULL ? xasprintf("\xe2\x80\xa6 (more: %s)", m->link) :
	    xstrdup("\xe2\x80\xa6");
	cut = chat_cut(b.s, limit > tail.len + strlen(suffix) ?
	    limit - tail.len : strlen(suffix), suffix);
	free(b.s);
	free(suffix);
	b.s = cut;
	b.len = strlen(cut);
	b.cap = b.len + 1;
	chat_add(&b, tail.s);
	free(tail.s);
	return b.s;
}

static json_t *
chat_teams(const struct chat_message *m, const char *text)
{
	json_t	*card, *body, *block, *entities, *att;
	size_t	 i;

	/* Text that is not UTF-8 fails here: no card, so that the caller
	 * sends its stand-in rather than a card with an empty body. */
	if ((block = json_pack("{s:s, s:s, s:b}", "type", "TextBlock", "text",
	    text, "wrap", 1)) == NULL)
		return NULL;
	body = json_array();
	json_array_append_new(body, block);
	card = json_pack("{s:s, s:s, s:s, s:o}", "$schema",
	    "http://adaptivecards.io/schemas/adaptive-card.json", "type",
	    "AdaptiveCard", "version", "1.4", "body", body);
	if (m->nmentions > 0) {
		entities = json_array();
		for (i = 0; i < m->nmentions; i++) {
			char *at = xasprintf("<at>%s</at>", m->mentions[i]);

			json_array_append_new(entities, json_pack(
			    "{s:s, s:s, s:{s:s, s:s}}", "type", "mention",
			    "text", at, "mentioned", "id", m->mentions[i],
			    "name", m->mentions[i]));
			free(at);
		}
		json_object_set_new(card, "msteams", json_pack("{s:o}",
		    "entities", entities));
	}
	att = json_pack("{s:s, s:n, s:o}", "contentType",
	    "application/vnd.microsoft.card.adaptive", "contentUrl",
	    "content", card);
	return json_pack("{s:s, s:[o]}", "type", "message", "attachments", att);
}

/* The payload with the text cut to limit bytes; NULL when it cannot be
 * encoded. */
static char *
chat_build(enum config_channel_type type, const struct chat_message *m,
    size_t limit)
{
	json_t	*o = NULL, *users;
	char	*text, *out;
	size_t	 i;

	text = chat_text(type, m, limit);
	switch (type) {
	case CONFIG_CHAN_SLACK:
		o = json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}]}", "text", text,
		    "blocks", "type", "section", "text", "type", "mrkdwn",
		    "text", text);
		break;
	case CONFIG_CHAN_TEAMS:
		o = chat_teams(m, text);
		break;
	case CONFIG_CHAN_DISCORD:
		/* Only the mentioned members may be pinged, whatever the
		 * text says. */
		users = json_array();
		for (i = 0; i < m->nmentions; i++)
			json_array_append_new(users,
			    json_string(m->mentions[i]));
		o = json_pack("{s:s, s:{s:[], s:o}}", "content", text,
		    "allowed_mentions", "parse", "users", users);
		break;
	case CONFIG_CHAN_MATTERMOST:
	case CONFIG_CHAN_GOOGLECHAT:
		o = json_pack("{s:s}", "text", text);
		break;
	case CONFIG_CHAN_GENERIC:
		users = json_array();
		for (i = 0; i < m->nmentions; i++)
			json_array_append_new(users,
			    json_string(m->mentions[i]));
		o = json_pack("{s:s*, s:s, s:s*, s:o}", "title", m->title,
		    "text", m->text != NULL ? m->text : "", "url", m->link,
		    "mentions", users);
		break;
	}
	free(text);
	out = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) :
	    NULL;
	json_decref(o);
	return out;
}

char *
chat_payload(enum config_channel_type type, const struct chat_message *in)
{
	struct chat_message	 mm = *in, *m = &mm;
	char			*out, *kept = NULL;
	size_t			 limit = chat_limit(type), len;
	int			 tries;

	/* The last guard: whatever a message says, a shared channel gets
	 * none of the worker's own links. */
	if (in->withhold != NULL && *in->withhold != '\0' &&
	    in->text != NULL) {
		kept = chat_withhold(in->text, in->withhold);
		mm.text = kept;
	}
	if (mm.link != NULL && in->withhold != NULL && *in->withhold != '\0' &&
	    strstr(mm.link, in->withhold) != NULL)
		mm.link = NULL;
	out = chat_build(type, m, limit);
	/*
	 * Teams counts the whole card, after JSON escaping (a quote or a line
	 * break takes two bytes, a control character six): cut the text
	 * shorter by what the card is over, a few times at most.
	 */
	for (tries = 0; type == CONFIG_CHAN_TEAMS && out != NULL &&
	    (len = strlen(out)) > CHAT_TEAMS_CARD_MAX && tries < 8; tries++) {
		free(out);
		limit = limit > len - CHAT_TEAMS_CARD_MAX + 256 ?
		    limit - (len - CHAT_TEAMS_CARD_MAX + 256) : 256;
		out = chat_build(type, m, limit);
	}
	free(kept);
	if (out == NULL)	/* only on invalid UTF-8 or memory */
		out = xstrdup("{\"text\":\"(message could not be encoded)\"}");
	return out;
}
