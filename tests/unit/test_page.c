/* Unit tests of the one-click link pages: escaping, structure, wording. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "page.h"

static void
test_escape(void **state)
{
	char	*s;

	(void)state;
	s = page_escape("<b a=\"x\" c='y'>&amp;</b>");
	assert_string_equal(s, "&lt;b a=&#34;x&#34; c=&#39;y&#39;&gt;"
	    "&amp;amp;&lt;/b&gt;");
	free(s);
	s = page_escape(NULL);
	assert_string_equal(s, "");
	free(s);
	s = page_escape("Ünïcode — ok");
	assert_string_equal(s, "Ünïcode — ok");
	free(s);
}

static const struct page_item evil = {
	.title = "<script>alert(1)</script> & \"quotes\"",
	.owner = "Bob <b>Jones</b>",
	.community = "Grade 7 'Math'",
	.due = "2026-12-01 (America/New_York)",
	.done = false,
};

static void
test_item_page(void **state)
{
	struct page_item	 done = evil;
	char			*p;

	(void)state;
	p = page_item(&evil);
	assert_non_null(strstr(p, "<!DOCTYPE html>"));
	assert_non_null(strstr(p, "<html lang=\"en\">"));
	assert_non_null(strstr(p, "<title>Mark done — PLC Cadence</title>"));
	assert_non_null(strstr(p, "<h1>&lt;script&gt;alert(1)&lt;/script&gt; "
	    "&amp; &#34;quotes&#34;</h1>"));
	assert_null(strstr(p, "<script>"));
	assert_null(strstr(p, "<b>"));
	assert_non_null(strstr(p, "<dd>Bob &lt;b&gt;Jones&lt;/b&gt;</dd>"));
	assert_non_null(strstr(p, "<dd>Grade 7 &#39;Math&#39;</dd>"));
	assert_non_null(strstr(p, "<dd>2026-12-01 (America/New_York)</dd>"));
	assert_non_null(strstr(p, "<form method=\"post\">"));
	assert_non_null(strstr(p, "<button type=\"submit\">Mark done</button>"));
	assert_non_null(strstr(p, "<dd>open</dd>"));
	free(p);
	/* Done already: no form to press. */
	done.done = true;
	p = page_item(&done);
	assert_null(strstr(p, "<form"));
	assert_non_null(strstr(p, "already done"));
	free(p);
}

static void
test_done_and_refused(void **state)
{
	struct page_item	 it = evil;
	char			*p;

	(void)state;
	it.done = true;
	p = page_done(&it, false);
	assert_non_null(strstr(p, "<title>Marked done — PLC Cadence</title>"));
	assert_non_null(strstr(p, "role=\"status\">Marked done."));
	assert_non_null(strstr(p, "<dd>done</dd>"));
	assert_null(strstr(p, "<form"));
	free(p);
	p = page_done(&it, true);
	assert_non_null(strstr(p, "was already done; nothing changed"));
	free(p);
	p = page_refused();
	assert_non_null(strstr(p, "<html lang=\"en\">"));
	assert_non_null(strstr(p, "<h1>This link is not valid</h1>"));
	assert_non_null(strstr(p, "Nothing was changed."));
	free(p);
	p = page_busy();
	assert_non_null(strstr(p, "<title>Try again — PLC Cadence</title>"));
	assert_non_null(strstr(p, "Nothing was changed."));
	free(p);
}

/* Forms post only from public_url's own origin, when a header says. */
static void
test_origin(void **state)
{
	const char	*pub = "https://plc.example.edu/plc";

	(void)state;
	assert_true(page_origin_ok(pub, NULL, NULL));
	assert_true(page_origin_ok(pub, "https://plc.example.edu", NULL));
	assert_true(page_origin_ok(pub, "https://PLC.example.edu:443", NULL));
	assert_true(page_origin_ok(pub, NULL,
	    "https://plc.example.edu/v/x.y"));
	assert_false(page_origin_ok(pub, "https://evil.example", NULL));
	assert_false(page_origin_ok(pub, "http://plc.example.edu", NULL));
	assert_false(page_origin_ok(pub, "https://plc.example.edu:8443",
	    NULL));
	assert_false(page_origin_ok(pub, "https://plc.example.edu.evil.example",
	    NULL));
	assert_false(page_origin_ok(pub, "null", NULL));
	/* Origin wins over a matching Referer. */
	assert_false(page_origin_ok(pub, "https://evil.example",
	    "https://plc.example.edu/v/x"));
	assert_false(page_origin_ok(pub, NULL,
	    "https://plc.example.edu@evil.example/v/x"));
	assert_false(page_origin_ok(pub, NULL, "garbage"));
	assert_false(page_origin_ok(NULL, "https://plc.example.edu", NULL));
	assert_true(page_origin_ok("http://127.0.0.1:8080",
	    "http://127.0.0.1:8080", NULL));
	assert_false(page_origin_ok("http://127.0.0.1:8080",
	    "http://127.0.0.1:8081", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_item_page),
		cmocka_unit_test(test_done_and_refused),
		cmocka_unit_test(test_origin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
