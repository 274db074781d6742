// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/config/diag_options.c: diagnose's own flags (one target, bounded
 * values, one line for each error) and the dispatch of `oomwarden diagnose` to them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag_options.h"
#include "options.h"

/* The parsed options point into argv's words: they must outlive the call (static). */
static int parse(const char *line, struct ow_diag_options *d, char *err)
{
	static char buf[256];
	char *argv[16];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok(buf, " "); w && argc < 16; w = strtok(NULL, " "))
		argv[argc++] = w;
	err[0] = '\0';
	return ow_diag_options_parse(argc, argv, d, err, 256);
}

static void test_options(void **state)
{
	struct ow_diag_options d;
	char err[256];

	(void)state;
	assert_int_equal(parse("diagnose --pid 42", &d, err), 0);
	assert_int_equal(d.pid, 42);
	assert_true(d.duration_s == OW_DIAG_DEFAULT_DURATION);
	assert_int_equal(d.top, OW_DIAG_DEFAULT_TOP);
	assert_false(d.stacks);
	assert_int_equal(d.attach, -1);
	assert_int_equal(parse("diagnose --cgroup /x --duration 5.5 --stacks --top 3 --json "
			       "--attach raw_tp",
			       &d, err),
			 0);
	assert_string_equal(d.cgroup, "/x");
	assert_true(d.duration_s == 5.5 && d.stacks && d.json && d.top == 3 && d.attach == 1);
	assert_int_equal(parse("diagnose --unit api.service", &d, err), 0);
	assert_string_equal(d.unit, "api.service");
	assert_int_equal(parse("diagnose --help", &d, err), 1);
}

static void test_options_errors(void **state)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{"diagnose", "exactly one target"},
		{"diagnose --pid 1 --cgroup /x", "exactly one target"},
		{"diagnose --pid 0", "invalid value for --pid: '0'"},
		{"diagnose --pid 12x", "invalid value for --pid: '12x'"},
		{"diagnose --pid 1 --duration 0", "invalid value for --duration: '0'"},
		{"diagnose --pid 1 --duration 1e9", "invalid value for --duration"},
		{"diagnose --pid 1 --top 0", "invalid value for --top: '0'"},
		{"diagnose --pid 1 --attach kprobe", "invalid value for --attach: 'kprobe'"},
		{"diagnose --unit a/b", "invalid value for --unit: 'a/b'"},
		{"diagnose --pid 1 --bogus", "unknown option or missing value: '--bogus'"},
		{"diagnose --pid 1 extra", "unexpected argument 'extra'"},
	};
	struct ow_diag_options d;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i].line, &d, err), -EINVAL);
		if (!strstr(err, bad[i].msg))
			fail_msg("'%s': got '%s', want '%s'", bad[i].line, err, bad[i].msg);
		assert_null(strchr(err, '\n'));
	}
}

static void test_command_dispatch(void **state)
{
	char *argv[] = {"oomwarden", "diagnose", "--pid", "7", NULL};
	char *help[] = {"oomwarden", "diagnose", "--help", NULL};
	struct ow_options o;
	char err[256];

	(void)state;
	assert_int_equal(ow_options_parse(4, argv, &o, err, sizeof(err)), 0);
	assert_int_equal(o.cmd, OW_CMD_DIAGNOSE);
	assert_int_equal(o.diag.pid, 7);
	ow_options_free(&o);
	assert_int_equal(ow_options_parse(3, help, &o, err, sizeof(err)), 0);
	assert_int_equal(o.cmd, OW_CMD_DIAGNOSE_HELP);
	ow_options_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_options_errors),
		cmocka_unit_test(test_command_dispatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
