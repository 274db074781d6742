// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/sys/lockdown.c against tests/fixtures/lockdown/ (securityfs copies). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lockdown.h"

#define DIR OW_FIXTURES "/lockdown/"

static void test_levels(void **state)
{
	enum ow_lockdown l = (enum ow_lockdown) - 1;

	assert_int_equal(ow_lockdown_read(DIR "none", &l), 0);
	assert_int_equal(l, OW_LOCKDOWN_NONE);
	assert_int_equal(ow_lockdown_read(DIR "integrity", &l), 0);
	assert_int_equal(l, OW_LOCKDOWN_INTEGRITY);
	assert_int_equal(ow_lockdown_read(DIR "confidentiality", &l), 0);
	assert_int_equal(l, OW_LOCKDOWN_CONFIDENTIALITY);
}

static void test_malformed_files_are_einval_and_leave_the_level(void **state)
{
	static const char *const bad[] = {
		DIR "malformed-no-brackets", DIR "malformed-two-brackets", DIR "malformed-unknown",
		DIR "malformed-empty",	     DIR "malformed-long",
	};
	enum ow_lockdown l;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l = OW_LOCKDOWN_INTEGRITY;
		assert_int_equal(ow_lockdown_read(bad[i], &l), -EINVAL);
		assert_int_equal(l, OW_LOCKDOWN_INTEGRITY);
	}
}

static void test_no_securityfs_is_enoent(void **state)
{
	enum ow_lockdown l;

	assert_int_equal(ow_lockdown_read(DIR "missing", &l), -ENOENT);
	assert_int_equal(ow_lockdown_read(DIR "no-such-dir", &l), -ENOENT);
}

static void test_names(void **state)
{
	assert_string_equal(ow_lockdown_name(OW_LOCKDOWN_NONE), "none");
	assert_string_equal(ow_lockdown_name(OW_LOCKDOWN_INTEGRITY), "integrity");
	assert_string_equal(ow_lockdown_name(OW_LOCKDOWN_CONFIDENTIALITY), "confidentiality");
	assert_string_equal(ow_lockdown_name((enum ow_lockdown)3), "?");
	assert_string_equal(ow_lockdown_name((enum ow_lockdown) - 1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_malformed_files_are_einval_and_leave_the_level),
		cmocka_unit_test(test_no_securityfs_is_enoent),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
