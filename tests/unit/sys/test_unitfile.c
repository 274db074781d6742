// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the stop timeout systemd gives a service (userspace/sys/unitfile.c): systemd's
 * time span syntax (the expected values are `systemd-analyze timespan`'s), and TimeoutStopSec= /
 * TimeoutSec= from the unit files and drop-ins under tests/fixtures/manager/root. Restart= from
 * the same files is tested in test_manager.c.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unitfile.h"

#ifndef OW_FIXTURES
#error "build with -DOW_FIXTURES='\"/abs/path/tests/fixtures\"'"
#endif

#define ROOT OW_FIXTURES "/manager/root"

static void assert_span(const char *s, double want)
{
	double got = -1;

	if (ow_unit_parse_timespan(s, &got))
		fail_msg("\"%s\" did not parse", s);
	if (fabs(got - want) > 1e-9)
		fail_msg("\"%s\": %.9f s, not %.9f", s, got, want);
}

static void test_timespan(void **state)
{
	assert_span("90", 90);
	assert_span("90s", 90);
	assert_span("1min 30s", 90);
	assert_span("1min30s", 90);
	assert_span("500ms", 0.5);
	assert_span("2m", 120);
	assert_span("1.5h", 5400);
	assert_span(" 5 sec ", 5);
	assert_span("1 h 1 m", 3660);
	assert_span("3.5min", 210);
	assert_span("2 weeks", 1209600);
	assert_span("1d", 86400);
	assert_span("1M", 2629800);
	assert_span("1y", 31557600);
	assert_span("100us", 0.0001);
	assert_span("1\xc2\xb5s", 0.000001);
	assert_span("5 min", 300);
	assert_span("0", 0);
	assert_span("0.0000001", 0); /* below a microsecond */
}

/* The corners systemd's parser has, as systemd-analyze shows them. */
static void test_timespan_corners(void **state)
{
	assert_span("+5", 5);
	assert_span(".5", 0.5);
	assert_span("5 .5", 5.5);
	assert_span("12.34 .56", 12.9);
	assert_span("5s5", 10);	 /* a bare number after a unit is seconds again */
	assert_span("1 30", 31); /* and so is one after a space */
	assert_span("5min 5", 305);
}

static void test_timespan_infinity(void **state)
{
	double s = 0;

	assert_int_equal(ow_unit_parse_timespan("infinity", &s), 0);
	assert_true(isinf(s));
	s = 0;
	assert_int_equal(ow_unit_parse_timespan(" infinity ", &s), 0);
	assert_true(isinf(s));
	assert_int_equal(ow_unit_parse_timespan("infinityx", &s), -EINVAL);
}

static void test_timespan_invalid(void **state)
{
	static const char *const bad[] = {"",	    "  ", "5x", "5 parsecs", "3.", "1.2.3",
					  "1.2.3s", "+",  "s",	"5secs",     "ms"};
	double s = 7;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ow_unit_parse_timespan(bad[i], &s) != -EINVAL)
			fail_msg("\"%s\" is not -EINVAL", bad[i]);
	}
	/* a minus anywhere is out of range to systemd */
	assert_int_equal(ow_unit_parse_timespan("-5", &s), -ERANGE);
	assert_int_equal(ow_unit_parse_timespan("--5", &s), -ERANGE);
	assert_int_equal(ow_unit_parse_timespan("5 -3", &s), -ERANGE);
	assert_int_equal(ow_unit_parse_timespan("99999999999999999999", &s), -ERANGE);
	assert_int_equal(ow_unit_parse_timespan("600000y", &s), -ERANGE);
	assert_int_equal(ow_unit_parse_timespan("18446744073709551615us", &s), -ERANGE);
	assert_true(s == 7); /* untouched */
}

static struct ow_unit_restart read_unit(const char *unit, bool user, const char *home)
{
	struct ow_unit_restart u;

	assert_int_equal(ow_unit_restart_read(ROOT, unit, user, home, &u), 0);
	return u;
}

static void assert_stop(const char *unit, double want, const char *key)
{
	struct ow_unit_restart u = read_unit(unit, false, NULL);

	assert_true(u.found);
	if (fabs(u.stop_timeout_s - want) > 1e-9)
		fail_msg("%s: %f s, not %f", unit, u.stop_timeout_s, want);
	assert_string_equal(u.stop_timeout_key, key);
}

static void test_stop_timeout(void **state)
{
	assert_stop("timeout.service", 90, "TimeoutStopSec"); /* [Unit]'s 7 does not count */
	assert_stop("timeout-sec.service", 120, "TimeoutSec");
	/* the drop-in comes after the unit file */
	assert_stop("timeout-dropin.service", 0.5, "TimeoutStopSec");
	/* what systemd ignores (empty, "5 parsecs", "-1", "3.") leaves the earlier value */
	assert_stop("timeout-bad.service", 45, "TimeoutStopSec");
}

static void test_stop_timeout_infinite(void **state)
{
	struct ow_unit_restart u = read_unit("timeout-zero.service", false, NULL);

	assert_true(isinf(u.stop_timeout_s)); /* 0 is "no timeout" */
	u = read_unit("timeout-infinity.service", false, NULL);
	assert_true(isinf(u.stop_timeout_s));
	assert_string_equal(u.stop_timeout_key, "TimeoutSec");
}

static void test_stop_timeout_not_set(void **state)
{
	struct ow_unit_restart u;

	/* systemd's DefaultTimeoutStopSec= would apply: not a value the user set */
	u = read_unit("plain.service", false, NULL);
	assert_true(u.found);
	assert_true(u.stop_timeout_s == -1);
	assert_string_equal(u.stop_timeout_key, "");
	u = read_unit("nosuch.service", false, NULL);
	assert_true(u.stop_timeout_s == -1);
	u = read_unit("masked.service", false, NULL);
	assert_true(u.masked);
	assert_true(u.stop_timeout_s == -1);
	u = read_unit("malformed.service", false, NULL);
	assert_true(u.stop_timeout_s == -1);
}

static void test_stop_timeout_user_unit(void **state)
{
	/* ~/.config/systemd/user/app.service.d/stop.conf */
	struct ow_unit_restart u = read_unit("app.service", true, "/home/deploy");

	assert_true(u.stop_timeout_s == 15);
	assert_string_equal(u.restart, "on-abnormal"); /* Restart= is read as before */
	u = read_unit("app.service", true, NULL);
	assert_true(u.stop_timeout_s == -1); /* /usr/lib/systemd/user/app.service sets none */
}

static void test_stop_timeout_parse_buffer(void **state)
{
	struct ow_unit_restart u;

	ow_unit_restart_init(&u);
	assert_true(u.stop_timeout_s == -1);
	ow_unit_restart_parse("[Service]\nTimeoutSec=30\nTimeoutStopSec=10\n", &u);
	assert_true(u.stop_timeout_s == 10);
	ow_unit_restart_parse("[Service]\nTimeoutStartSec=99\n", &u);
	assert_true(u.stop_timeout_s == 10); /* the start timeout is not the stop timeout */
	ow_unit_restart_parse("[Socket]\nTimeoutSec=99\n[Service]\n  TimeoutSec = 1h \n", &u);
	assert_true(u.stop_timeout_s == 3600);
	assert_string_equal(u.stop_timeout_key, "TimeoutSec");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timespan),
		cmocka_unit_test(test_timespan_corners),
		cmocka_unit_test(test_timespan_infinity),
		cmocka_unit_test(test_timespan_invalid),
		cmocka_unit_test(test_stop_timeout),
		cmocka_unit_test(test_stop_timeout_infinite),
		cmocka_unit_test(test_stop_timeout_not_set),
		cmocka_unit_test(test_stop_timeout_user_unit),
		cmocka_unit_test(test_stop_timeout_parse_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
