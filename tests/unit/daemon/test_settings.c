// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/daemon/settings.c: each subsystem's settings struct gets exactly the
 * options it reads, pointing into the options in effect (the regexes are the compiled ones, not
 * copies), and the watch refuses more subtrees than it holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "settings.h"

static struct ow_options o;
static char err[256];

#define PARSE(...)                                                                                 \
	ow_options_parse(sizeof((char *[]){"oomwarden", __VA_ARGS__}) / sizeof(char *),            \
			 (char *[]){"oomwarden", __VA_ARGS__, NULL}, &o, err, sizeof(err))

static int teardown(void **state)
{
	ow_options_free(&o);
	return 0;
}

static void test_watch_and_status(void **state)
{
	struct ow_watch_cfg wc;
	struct ow_status_cfg sc;

	assert_int_equal(PARSE("status", "--cgroup", "/a", "--cgroup", "/b"), 0);
	ow_watch_cfg_of(&o, &wc);
	assert_int_equal(wc.ncgroups, 2);
	assert_string_equal(wc.cgroups[0], "/a");
	assert_string_equal(wc.cgroups[1], "/b");
	ow_status_cfg_of(&o, &sc);
	assert_ptr_equal(sc.watch.cgroups, o.cgroups);
	assert_int_equal(sc.watch.ncgroups, 2);
}

static void test_victim(void **state)
{
	struct ow_victim_cfg vc;

	assert_int_equal(PARSE("run", "--protect", "^sshd$", "--prefer", "worker"), 0);
	ow_victim_cfg_of(&o, &vc);
	assert_string_equal(vc.protect, "^sshd$");
	assert_string_equal(vc.prefer, "worker");
	assert_ptr_equal(vc.protect_re, &o.protect_re);
	assert_ptr_equal(vc.prefer_re, &o.prefer_re);
	assert_ptr_equal(vc.rules, o.rules);
	assert_int_equal(vc.nrules, o.nrules);
}

static void test_exporter(void **state)
{
	struct ow_exporter_cfg ec;

	assert_int_equal(PARSE("run", "--metrics-file", "/tmp/m.prom", "--metrics-interval", "2.5",
			       "--metrics-listen", "127.0.0.1:9101"),
			 0);
	ow_exporter_cfg_of(&o, &ec);
	assert_string_equal(ec.file, "/tmp/m.prom");
	assert_true(ec.interval_s == 2.5);
	assert_string_equal(ec.listen, "127.0.0.1:9101");
	assert_int_equal(ec.addr.len, o.metrics_addr.len);
	assert_memory_equal(&ec.addr.ss, &o.metrics_addr.ss, o.metrics_addr.len);
}

static void test_exporter_none(void **state)
{
	struct ow_exporter_cfg ec;

	assert_int_equal(PARSE("run"), 0);
	ow_exporter_cfg_of(&o, &ec);
	assert_null(ec.file);
	assert_null(ec.listen);
}

/* Checked before the mount is looked for: the answer is the same on any machine. */
static void test_watch_too_many_roots(void **state)
{
	const char *roots[OW_WATCH_MAX_ROOTS + 1];
	struct ow_watch_cfg wc = {roots, OW_WATCH_MAX_ROOTS + 1};
	static struct ow_watch w;
	unsigned int i;

	for (i = 0; i <= OW_WATCH_MAX_ROOTS; i++)
		roots[i] = "/";
	assert_int_equal(ow_watch_init(&w, &wc, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--cgroup"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_watch_and_status, teardown),
		cmocka_unit_test_teardown(test_victim, teardown),
		cmocka_unit_test_teardown(test_exporter, teardown),
		cmocka_unit_test_teardown(test_exporter_none, teardown),
		cmocka_unit_test(test_watch_too_many_roots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
