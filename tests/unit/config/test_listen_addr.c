// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/config/listen_addr.c: --metrics-listen, loopback only. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "listen_addr.h"

static char err[256];

static int addr(const char *s, struct ow_listen_addr *a)
{
	err[0] = '\0';
	return ow_listen_addr_parse(s, a, err, sizeof(err));
}

static void test_listen_addr(void **state)
{
	struct ow_listen_addr a;
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a.ss;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&a.ss;

	assert_int_equal(addr("127.0.0.1:9633", &a), 0);
	assert_int_equal(v4->sin_family, AF_INET);
	assert_int_equal(ntohs(v4->sin_port), 9633);
	assert_int_equal(a.len, sizeof(struct sockaddr_in));
	assert_int_equal(addr("127.1.2.3:1", &a), 0);
	assert_int_equal(ntohl(v4->sin_addr.s_addr), 0x7f010203);
	assert_int_equal(addr("localhost:65535", &a), 0);
	assert_int_equal(ntohl(v4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(addr("[::1]:9633", &a), 0);
	assert_int_equal(v6->sin6_family, AF_INET6);
	assert_true(IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr));
	assert_int_equal(ntohs(v6->sin6_port), 9633);
}

static void test_listen_addr_refused(void **state)
{
	static const char *const bad[] = {
		"0.0.0.0:9633",	    "10.0.0.1:9633", "[::]:9633",
		"[2001:db8::1]:80", /* not loopback */
		"127.0.0.1",	    "127.0.0.1:",    ":9633",
		"127.0.0.1:0", /* port */
		"127.0.0.1:65536",  "127.0.0.1:+80", "127.0.0.1:80x",
		"::1:9633", /* syntax */
		"example.com:80",   "[::1:80",	     "",
	};
	struct ow_listen_addr a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (addr(bad[i], &a) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(strstr(err, "--metrics-listen"));
	}
	assert_int_equal(addr("0.0.0.0:9633", &a), -EINVAL);
	assert_non_null(strstr(err, "loopback"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_addr),
		cmocka_unit_test(test_listen_addr_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
