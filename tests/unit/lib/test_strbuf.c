// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/lib/strbuf.c: growth, appends, reset, the sticky failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"

static void test_empty_reads_as_empty_string(void **state)
{
	struct ow_strbuf sb = {0};

	assert_null(sb.buf);
	assert_string_equal(ow_strbuf_str(&sb), "");
	ow_strbuf_free(&sb);
}

/* Past the first 256 bytes: printf measures, grows and prints again. */
static void test_printf_grows(void **state)
{
	struct ow_strbuf sb = {0};
	char big[1000];
	int i;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ow_strbuf_printf(&sb, "%d:", 42);
	ow_strbuf_printf(&sb, "%s", big);
	for (i = 0; i < 100; i++)
		ow_strbuf_append(&sb, "ab", 2);
	assert_false(sb.failed);
	assert_int_equal(sb.len, 3 + 999 + 200);
	assert_int_equal(strlen(ow_strbuf_str(&sb)), sb.len);
	assert_memory_equal(sb.buf, "42:xxx", 6);
	assert_string_equal(sb.buf + sb.len - 4, "abab");
	ow_strbuf_free(&sb);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
}

static void test_reset_keeps_memory(void **state)
{
	struct ow_strbuf sb = {0};
	char *mem;

	ow_strbuf_printf(&sb, "hello");
	mem = sb.buf;
	ow_strbuf_reset(&sb);
	assert_ptr_equal(sb.buf, mem);
	assert_string_equal(ow_strbuf_str(&sb), "");
	ow_strbuf_printf(&sb, "again");
	assert_string_equal(ow_strbuf_str(&sb), "again");
	ow_strbuf_free(&sb);
}

/* After a failure nothing more is appended: the caller checks once, at the end. */
static void test_failure_is_sticky(void **state)
{
	struct ow_strbuf sb = {0};

	ow_strbuf_printf(&sb, "kept");
	sb.failed = true;
	ow_strbuf_printf(&sb, " lost");
	ow_strbuf_append(&sb, " lost", 5);
	assert_string_equal(ow_strbuf_str(&sb), "kept");
	assert_true(sb.failed);
	ow_strbuf_reset(&sb);
	assert_false(sb.failed);
	ow_strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_reads_as_empty_string),
		cmocka_unit_test(test_printf_grows),
		cmocka_unit_test(test_reset_keeps_memory),
		cmocka_unit_test(test_failure_is_sticky),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
