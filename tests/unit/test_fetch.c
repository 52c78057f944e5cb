/* Unit tests of fetch's redirect policy: schemes and internal addresses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fetch.h"

static void
redirect(const char *from, const char *to, int want, const char *why)
{
	char	*err = NULL;

	assert_int_equal(fetch_redirect_check(from, to, &err), want);
	if (want == 0)
		assert_null(err);
	else if (strstr(err, why) == NULL)
		fail_msg("%s -> %s: got '%s'", from, to, err);
	free(err);
}

/* Same scheme or up to https; never down to http, never another scheme
 * (tested here because a local TLS server is not within the e2e tests'
 * reach: fetch has no CA knob, TLS verification is always on). */
static void
test_fetch_redirect_schemes(void **state)
{
	redirect("https://cal.example.edu/a.ics", "https://cdn.example.edu/b",
	    0, NULL);
	redirect("http://cal.example.edu/a.ics", "https://cal.example.edu/a",
	    0, NULL);
	redirect("http://cal.example.edu/a.ics", "http://cal.example.edu/b",
	    0, NULL);
	redirect("HTTPS://cal.example.edu/a.ics", "http://cal.example.edu/a",
	    -1, "from https to http");
	redirect("https://cal.example.edu/a.ics", "file:///etc/passwd", -1,
	    "file: URL");
	redirect("https://cal.example.edu/a.ics", "gopher://x/", -1,
	    "gopher: URL");
	redirect("https://cal.example.edu/a.ics", "::not a url", -1,
	    "not a URL");
}

static int
internal4(const char *ip)
{
	struct sockaddr_in	a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return fetch_addr_internal((struct sockaddr *)&a);
}

static int
internal6(const char *ip)
{
	struct sockaddr_in6	a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
	return fetch_addr_internal((struct sockaddr *)&a);
}

static void
test_fetch_internal_addresses(void **state)
{
	const char	*in4[] = { "169.254.169.254", "127.0.0.1", "127.9.9.9",
	    "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
	    "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255" };
	const char	*out4[] = { "8.8.8.8", "172.32.0.1", "172.15.255.255",
	    "192.169.0.1", "100.128.0.1", "93.184.216.34" };
	const char	*in6[] = { "::1", "::", "fe80::1", "fd00::1", "fc00::1",
	    "ff02::1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",
	    "fec0::1" };
	const char	*out6[] = { "2001:db8::1", "2606:4700::1111",
	    "::ffff:8.8.8.8" };
	size_t		 i;

	for (i = 0; i < sizeof(in4) / sizeof(in4[0]); i++)
		if (!internal4(in4[i]))
			fail_msg("%s should be internal", in4[i]);
	for (i = 0; i < sizeof(out4) / sizeof(out4[0]); i++)
		if (internal4(out4[i]))
			fail_msg("%s should not be internal", out4[i]);
	for (i = 0; i < sizeof(in6) / sizeof(in6[0]); i++)
		if (!internal6(in6[i]))
			fail_msg("%s should be internal", in6[i]);
	for (i = 0; i < sizeof(out6) / sizeof(out6[0]); i++)
		if (internal6(out6[i]))
			fail_msg("%s should not be internal", out6[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_redirect_schemes),
		cmocka_unit_test(test_fetch_internal_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
