/* fuzz_chat: any text -> every service's chat payload (chat.h).
 *
 * The input is an item's title and text (split at the first NUL byte).
 * For each service the payload must be JSON that jansson reads back; its
 * text must keep within the service's limit (chat_limit: Discord's 2,000,
 * Slack's 3,000, ...), be cut on a UTF-8 boundary, keep the mentions, and
 * never carry "@everyone", "@here", "@channel" or "@all" as typed.  The
 * generic receiver gets the text as it is.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fz_mentions[] = { "U024BE7LH", "bob" };
#define FZ_LINK	"https://plc.example.edu/a/12-1790000000-abc"
#define FZ_STANDIN	"(message could not be encoded)"

static void
fz_fail(const char *what, enum config_channel_type t, const char *payload)
{
	fprintf(stderr, "fuzz_chat: %s: %s\npayload: %.2000s\n",
	    config_channel_type_name(t), what, payload);
	abort();
}

/* Valid UTF-8, as jansson (and the services) want it. */
static bool
fz_utf8(const char *s)
{
	json_t	*j = json_string(s);

	json_decref(j);
	return j != NULL;
}

/* The text field of each service's payload. */
static const char *
fz_text(enum config_channel_type t, json_t *o)
{
	json_t	*v = NULL;

	switch (t) {
	case CONFIG_CHAN_SLACK:
		v = json_object_get(o, "text");
		if (!json_equal(v, json_object_get(json_object_get(
		    json_array_get(json_object_get(o, "blocks"), 0), "text"),
		    "text")))
			return NULL;
		break;
	case CONFIG_CHAN_TEAMS:
		v = json_object_get(json_array_get(json_object_get(
		    json_object_get(json_array_get(json_object_get(o,
		    "attachments"), 0), "content"), "body"), 0), "text");
		break;
	case CONFIG_CHAN_DISCORD:
		v = json_object_get(o, "content");
		break;
	case CONFIG_CHAN_MATTERMOST:
	case CONFIG_CHAN_GOOGLECHAT:
	case CONFIG_CHAN_GENERIC:
		v = json_object_get(o, "text");
		break;
	}
	return json_string_value(v);
}

static void
fz_one(enum config_channel_type t, const struct chat_message *m, bool valid)
{
	static const char *const loud[] = { "@everyone", "@here",
	    "@channel", "@all" };
	char		*payload = chat_payload(t, m);
	json_t		*o;
	json_error_t	 je;
	const char	*text;
	size_t		 i;

	if ((o = json_loads(payload, 0, &je)) == NULL)
		fz_fail(je.text, t, payload);
	/* jansson refuses invalid UTF-8 (where the cut left some): then a
	 * stand-in is sent, and only then. */
	text = json_string_value(json_object_get(o, "text"));
	if (json_object_size(o) == 1 && text != NULL &&
	    strcmp(text, FZ_STANDIN) == 0) {
		if (valid)
			fz_fail("a stand-in for valid text", t, payload);
		goto out;
	}
	if ((text = fz_text(t, o)) == NULL)
		fz_fail("no text field", t, payload);
	if (t == CONFIG_CHAN_GENERIC) {
		if (strcmp(text, m->text) != 0)
			fz_fail("generic text changed", t, payload);
		goto out;
	}
	if (strlen(text) > chat_limit(t))
		fz_fail("text over the service's limit", t, payload);
	if (!fz_utf8(text))
		fz_fail("text cut inside a character", t, payload);
	for (i = 0; i < sizeof(loud) / sizeof(*loud); i++)
		if (strstr(text, loud[i]) != NULL)
			fz_fail("a loud mention got through", t, payload);
	for (i = 0; i < m->nmentions; i++)
		if (strstr(text, m->mentions[i]) == NULL)
			fz_fail("a mention was lost", t, payload);
out:
	json_decref(o);
	free(payload);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chat_message	 m;
	char			*buf = xmalloc(size + 1);
	const char		*nul;
	enum config_channel_type t;
	bool			 valid;

	memcpy(buf, data, size);
	buf[size] = '\0';
	memset(&m, 0, sizeof(m));
	nul = memchr(data, '\0', size);
	m.title = nul != NULL ? buf : NULL;
	m.text = nul != NULL ? buf + (nul - (const char *)data) + 1 : buf;
	m.link = size % 2 == 0 ? FZ_LINK : NULL;
	m.mentions = fz_mentions;
	m.nmentions = sizeof(fz_mentions) / sizeof(*fz_mentions);
	valid = fz_utf8(m.text) && (m.title == NULL || fz_utf8(m.title));
	for (t = CONFIG_CHAN_SLACK; t <= CONFIG_CHAN_GENERIC; t++)
		fz_one(t, &m, valid);
	free(buf);
	return 0;
}
