/* Unit tests of welcome: percent-encoding, the subscription links, and the
 * message planned once per member and link, by e-mail only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "plan.h"
#include "tz.h"
#include "utc.h"
#include "welcome.h"

#define TOKEN_A	"0123456789abcdef0123456789abcdef"
#define TOKEN_B	"fedcba9876543210fedcba9876543210"
#define URL_A	"https://plc.example.edu/feeds/" TOKEN_A ".ics"
#define URL_B	"https://plc.example.edu/feeds/" TOKEN_B ".ics"

static void
test_pct(void **state)
{
	char	*s;

	(void)state;
	/* Unreserved characters stay, everything else is %XX upper-case. */
	s = welcome_pct("AZaz09-._~");
	assert_string_equal(s, "AZaz09-._~");
	free(s);
	s = welcome_pct("webcal://h:8080/feeds/x.ics?a=b&c=d#e f+g%/");
	assert_string_equal(s, "webcal%3A%2F%2Fh%3A8080%2Ffeeds%2Fx.ics%3Fa%3Db"
	    "%26c%3Dd%23e%20f%2Bg%25%2F");
	free(s);
	/* UTF-8 byte by byte: "PLC — Zoë". */
	s = welcome_pct("PLC \xe2\x80\x94 Zo\xc3\xab");
	assert_string_equal(s, "PLC%20%E2%80%94%20Zo%C3%AB");
	free(s);
	s = welcome_pct("");
	assert_string_equal(s, "");
	free(s);
}

static void
test_links(void **state)
{
	struct welcome_links	l;

	(void)state;
	memset(&l, 0, sizeof(l));
	welcome_links(URL_A, "PLC \xe2\x80\x94 Bob O'Neil & co", &l);
	assert_string_equal(l.https, URL_A);
	assert_string_equal(l.webcal,
	    "webcal://plc.example.edu/feeds/" TOKEN_A ".ics");
	assert_string_equal(l.google,
	    "https://calendar.google.com/calendar/r?cid="
	    "webcal%3A%2F%2Fplc.example.edu%2Ffeeds%2F" TOKEN_A ".ics");
	assert_string_equal(l.outlook,
	    "https://outlook.live.com/calendar/0/addfromweb?url="
	    "https%3A%2F%2Fplc.example.edu%2Ffeeds%2F" TOKEN_A ".ics"
	    "&name=PLC%20%E2%80%94%20Bob%20O%27Neil%20%26%20co");
	welcome_links_free(&l);
	/* An http:// public_url (a test or a LAN) gives webcal:// too. */
	welcome_links("http://127.0.0.1:8080/feeds/x.ics", "n", &l);
	assert_string_equal(l.webcal, "webcal://127.0.0.1:8080/feeds/x.ics");
	welcome_links_free(&l);
	welcome_links_free(&l);		/* a zeroed struct is fine */
	welcome_links_free(NULL);
}

struct fixture {
	struct config			cfg;
	struct config_member		m[2];
	struct config_member		*mp[2];
	struct config_community		c;
};

static void
fixture(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->m[0].id = "bob";
	f->m[0].name = "Bob Jones";
	f->m[0].email = "bob@example.edu";
	f->m[0].tz = tz_find("America/Chicago");
	f->m[1].id = "dan";
	f->m[1].tz = tz_find("America/New_York");	/* no e-mail */
	f->mp[0] = &f->m[0];
	f->mp[1] = &f->m[1];
	f->c.id = "math7";
	f->c.name = "Grade 7 Math PLC";
	f->c.members = f->mp;
	f->c.nmembers = 2;
	f->cfg.members = f->m;
	f->cfg.nmembers = 2;
	f->cfg.communities = &f->c;
	f->cfg.ncommunities = 1;
	f->cfg.worker.tz = tz_find("America/New_York");
	f->cfg.worker.public_url = "https://plc.example.edu";
	f->cfg.worker.public_url_set = true;
}

static void
test_plan(void **state)
{
	struct fixture	 f;
	struct plan_vec	 pv = { NULL, 0 };
	time_t		 now = (time_t)utc(2026, 11, 2, 18, 0);
	const char	*b;

	(void)state;
	fixture(&f);
	welcome_plan(&f.cfg, &f.m[0], URL_A, now, &pv);
	assert_int_equal(pv.n, 1);
	assert_string_equal(pv.v[0].kind, "welcome");
	assert_string_equal(pv.v[0].channel, "email");
	assert_string_equal(pv.v[0].recipient, "bob");
	assert_string_equal(pv.v[0].member, "bob");
	assert_string_equal(pv.v[0].audience, PLAN_AUDIENCE_MEMBER);
	assert_null(pv.v[0].community);
	assert_null(pv.v[0].meeting);
	assert_int_equal(pv.v[0].due, now);
	assert_true(pv.v[0].expires > now);
	/* The key names the member and a hash of the URL, not the token. */
	assert_int_equal(strncmp(pv.v[0].dedup, "welcome:bob:", 12), 0);
	assert_int_equal(strlen(pv.v[0].dedup), 12 + WELCOME_HASH_LEN);
	assert_null(strstr(pv.v[0].dedup, TOKEN_A));
	assert_null(strstr(pv.v[0].dedup, "0123456789ab"));
	b = pv.v[0].body;
	assert_non_null(strstr(b, "Hello Bob Jones,"));
	assert_non_null(strstr(b, "\nIt holds the meetings of Grade 7 Math PLC.\n"));
	assert_non_null(strstr(b, "\nhttps://calendar.google.com/calendar/r?cid="
	    "webcal%3A%2F%2Fplc.example.edu%2Ffeeds%2F" TOKEN_A ".ics\n"));
	assert_non_null(strstr(b, "\nhttps://outlook.live.com/calendar/0/"
	    "addfromweb?url=https%3A%2F%2Fplc.example.edu%2Ffeeds%2F" TOKEN_A
	    ".ics&name=PLC%20%E2%80%94%20Bob%20Jones\n"));
	assert_non_null(strstr(b, "File > New Calendar Subscription"));
	assert_non_null(strstr(b, "\nwebcal://plc.example.edu/feeds/" TOKEN_A
	    ".ics\n"));
	assert_non_null(strstr(b, "\n" URL_A "\n"));

	/* The same member and link: the same key; a new token: a new one. */
	welcome_plan(&f.cfg, &f.m[0], URL_A, now + 600, &pv);
	welcome_plan(&f.cfg, &f.m[0], URL_B, now, &pv);
	assert_int_equal(pv.n, 3);
	assert_string_equal(pv.v[0].dedup, pv.v[1].dedup);
	assert_string_equal(pv.v[0].body, pv.v[1].body);
	assert_int_equal(pv.v[0].expires, pv.v[1].expires);
	assert_string_not_equal(pv.v[0].dedup, pv.v[2].dedup);
	/* A new public_url, the same token: a new link, a new welcome. */
	welcome_plan(&f.cfg, &f.m[0], "https://calendar.example.edu/feeds/"
	    TOKEN_A ".ics", now, &pv);
	assert_int_equal(pv.n, 4);
	assert_string_not_equal(pv.v[0].dedup, pv.v[3].dedup);
	plan_free(pv.v, pv.n);
}

static void
test_none(void **state)
{
	struct fixture	 f;
	struct plan_vec	 pv = { NULL, 0 };
	time_t		 now = (time_t)utc(2026, 11, 2, 18, 0);

	(void)state;
	fixture(&f);
	/* No e-mail address: no welcome (never to a chat channel). */
	welcome_plan(&f.cfg, &f.m[1], URL_A, now, &pv);
	assert_int_equal(pv.n, 0);
	/* No URL. */
	welcome_plan(&f.cfg, &f.m[0], NULL, now, &pv);
	assert_int_equal(pv.n, 0);
	/* A public_url derived from listen is not set by the operator. */
	f.cfg.worker.public_url_set = false;
	welcome_plan(&f.cfg, &f.m[0], URL_A, now, &pv);
	assert_int_equal(pv.n, 0);
	free(pv.v);
}

/* Quiet hours in the member's zone: due when they end. */
static void
test_quiet(void **state)
{
	struct fixture	 f;
	struct plan_vec	 pv = { NULL, 0 };

	(void)state;
	fixture(&f);
	f.cfg.worker.has_quiet = true;
	f.cfg.worker.quiet_from = 20 * 3600;
	f.cfg.worker.quiet_to = 7 * 3600;
	/* 03:00 UTC is 21:00 in Chicago: due 07:00 Chicago (13:00 UTC). */
	welcome_plan(&f.cfg, &f.m[0], URL_A, (time_t)utc(2026, 11, 3, 3, 0),
	    &pv);
	assert_int_equal(pv.n, 1);
	assert_int_equal(pv.v[0].due, (time_t)utc(2026, 11, 3, 13, 0));
	plan_free(pv.v, pv.n);
}

static void
test_calendar_name(void **state)
{
	struct fixture	 f;
	char		*s;

	(void)state;
	fixture(&f);
	s = welcome_calendar_name(&f.m[0]);
	assert_string_equal(s, "PLC \xe2\x80\x94 Bob Jones");
	free(s);
	s = welcome_calendar_name(&f.m[1]);
	assert_string_equal(s, "PLC \xe2\x80\x94 dan");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pct),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_calendar_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
