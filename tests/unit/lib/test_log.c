// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ow_log_format_line (userspace/lib/log.c): text and JSON lines for a fixed time,
 * asserted as exact strings (JSON validity by construction: escapes, null for infinity).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "utf8.h"

/* 2023-11-14T22:13:20.123456789Z */
#define T_FIXED 1700000000123456789LL
#define TS	"2023-11-14T22:13:20.123Z"

static char buf[4096];

static const char *line(enum ow_log_format fmt, long long ns, enum ow_log_level lvl,
			const char *event, const char *msg, const struct ow_field *f,
			unsigned int n)
{
	size_t len;

	memset(buf, 'X', sizeof(buf));
	len = ow_log_format_line(buf, sizeof(buf), fmt, ns, lvl, event, msg, f, n);
	assert_int_equal(len, strlen(buf));
	assert_true(len > 0 && buf[len - 1] == '\n');
	return buf;
}

static const struct ow_field act_fields[] = {
	OW_STR("cgroup", "api.service"), OW_INT("pid", 4242), OW_NUM("rate_mib_s", 12.5),
	OW_NUM("eta_s", INFINITY),	 OW_INT("usage", -3), OW_STR("comm", "node"),
};

#define NFIELDS(a) ((unsigned int)(sizeof(a) / sizeof((a)[0])))

/* ---- time ---- */

static void test_time_is_iso8601_utc_with_milliseconds(void **state)
{
	assert_string_equal(line(OW_LOG_TEXT, T_FIXED, OW_LOG_INFO, "e", "m", NULL, 0),
			    TS " info    e: m\n");
	assert_string_equal(line(OW_LOG_TEXT, 0, OW_LOG_INFO, "e", "m", NULL, 0),
			    "1970-01-01T00:00:00.000Z info    e: m\n");
	/* a leap day, and milliseconds truncated, never rounded into the next second */
	assert_string_equal(line(OW_LOG_TEXT, 951782400999999999LL, OW_LOG_INFO, "e", "m", NULL, 0),
			    "2000-02-29T00:00:00.999Z info    e: m\n");
	assert_string_equal(
		line(OW_LOG_JSON, 1700000000005000000LL, OW_LOG_INFO, "e", "m", NULL, 0),
		"{\"time\":\"2023-11-14T22:13:20.005Z\",\"level\":\"info\",\"event\":"
		"\"e\",\"msg\":\"m\"}\n");
}

/* ---- text ---- */

static void test_text_line(void **state)
{
	assert_string_equal(line(OW_LOG_TEXT, T_FIXED, OW_LOG_WARN, "act",
				 "stopping the leaking process", act_fields, NFIELDS(act_fields)),
			    TS " warning act: stopping the leaking process cgroup=api.service "
			       "pid=4242 rate_mib_s=12.5 eta_s=inf usage=-3 comm=node\n");
}

/* An optional field is there with a value, and not at all without one. */
static void test_optional_field(void **state)
{
	const struct ow_field f[] = {OW_STR("cgroup", "pod:1"), OW_OPT("pod", "web"),
				     OW_OPT("container", NULL), OW_INT("pid", 7)};

	assert_string_equal(line(OW_LOG_TEXT, T_FIXED, OW_LOG_INFO, "e", "m", f, NFIELDS(f)),
			    TS " info    e: m cgroup=pod:1 pod=web pid=7\n");
	assert_string_equal(line(OW_LOG_JSON, T_FIXED, OW_LOG_INFO, "e", "m", f, NFIELDS(f)),
			    "{\"time\":\"" TS "\",\"level\":\"info\",\"event\":\"e\",\"msg\":\"m\","
			    "\"cgroup\":\"pod:1\",\"pod\":\"web\",\"pid\":7}\n");
}

static void test_text_level_names(void **state)
{
	assert_string_equal(line(OW_LOG_TEXT, T_FIXED, OW_LOG_DEBUG, "e", "m", NULL, 0),
			    TS " debug   e: m\n");
	assert_string_equal(line(OW_LOG_TEXT, T_FIXED, OW_LOG_ERROR, "e", "m", NULL, 0),
			    TS " error   e: m\n");
	/* an unknown level logs as info rather than crash */
	assert_string_equal(line(OW_LOG_TEXT, T_FIXED, (enum ow_log_level)9, "e", "m", NULL, 0),
			    TS " info    e: m\n");
}

static void test_text_values_with_spaces_are_quoted(void **state)
{
	const struct ow_field f[] = {
		OW_STR("name", "my cgroup"), OW_STR("kv", "a=b"),   OW_STR("q", "say \"hi\""),
		OW_STR("bs", "c:\\tmp"),     OW_STR("tab", "a\tb"), OW_STR("nl", "a\nb"),
		OW_STR("empty", ""),	     OW_STR("null", NULL),  OW_STR("plain", "/sys/fs/x"),
	};

	assert_string_equal(line(OW_LOG_TEXT, T_FIXED, OW_LOG_INFO, "e", "m", f, NFIELDS(f)),
			    TS " info    e: m name=\"my cgroup\" kv=\"a=b\" q=\"say \\\"hi\\\"\" "
			       "bs=\"c:\\\\tmp\" tab=\"a\\x09b\" nl=\"a\\x0ab\" empty=\"\" "
			       "null=\"\" plain=/sys/fs/x\n");
}

/* A name a user gave a cgroup (the kernel forbids only '/' and '\n'), or a comm: CR, ESC, DEL,
 * C1 (U+009B, CSI) and a lone 0x9b (a CSI to an 8-bit terminal) never reach the log raw. */
#define HOSTILE                                                                                    \
	"ow-\x1b[31m\rX\x7f\xc2\x9b"                                                               \
	"2J\x9b\xff caf\xc3\xa9"
#define HOSTILE_TEXT "ow-\\x1b[31m\\x0dX\\x7f\\xc2\\x9b2J\\x9b\\xff caf\xc3\xa9"
#define HOSTILE_JSON "ow-\\u001b[31m\\u000dX\\u007f\\u009b2J\\ufffd\\ufffd caf\xc3\xa9"

static void test_text_escapes_terminal_controls(void **state)
{
	const struct ow_field f[] = {OW_STR("cgroup", HOSTILE), OW_STR("comm", "a\x1b]0;t\x07")};

	assert_string_equal(
		line(OW_LOG_TEXT, T_FIXED, OW_LOG_WARN, "act", "msg " HOSTILE, f, NFIELDS(f)),
		TS " warning act: msg " HOSTILE_TEXT " cgroup=\"" HOSTILE_TEXT "\" "
		   "comm=\"a\\x1b]0;t\\x07\"\n");
}

static void test_json_escapes_terminal_controls_and_stays_utf8(void **state)
{
	const struct ow_field f[] = {OW_STR("cgroup", HOSTILE)};
	const unsigned char *p;

	assert_string_equal(line(OW_LOG_JSON, T_FIXED, OW_LOG_WARN, "act", HOSTILE, f, NFIELDS(f)),
			    "{\"time\":\"" TS "\",\"level\":\"warning\",\"event\":\"act\","
			    "\"msg\":\"" HOSTILE_JSON "\",\"cgroup\":\"" HOSTILE_JSON "\"}\n");
	/* nothing but printable ASCII and the one valid é */
	for (p = (const unsigned char *)buf; *p != '\n'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			assert_true(p[0] == 0xc3 && p[1] == 0xa9 && p++);
}

/* ow_utf8_escape, for `oomwarden status`: the same escapes, and a cut never splits one. */
static void test_utf8_escape(void **state)
{
	char out[64];
	size_t n;

	n = ow_utf8_escape(out, sizeof(out), HOSTILE);
	assert_string_equal(out, HOSTILE_TEXT);
	assert_int_equal(n, strlen(out));
	assert_int_equal(ow_utf8_escape(out, sizeof(out), NULL), 0);
	assert_string_equal(out, "");
	/* "ab" fits, the \x1b (4 bytes) does not fit in the 3 left */
	assert_int_equal(ow_utf8_escape(out, 6, "ab\x1b"), 2);
	assert_string_equal(out, "ab");
	/* nor the second half of a character */
	assert_int_equal(ow_utf8_escape(out, 4, "ab\xc3\xa9"), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(ow_utf8_escape(out, 7, "ab\x1b"), 6);
	assert_string_equal(out, "ab\\x1b");
	assert_int_equal(ow_utf8_escape(out, 0, "ab"), 0);
}

static void test_text_numbers(void **state)
{
	const struct ow_field f[] = {
		OW_NUM("a", 0.1),
		OW_NUM("b", 1e9),
		OW_NUM("c", 123456789.0),
		OW_NUM("e", 0),
		OW_INT("big", 9007199254740993LL),
	};

	assert_string_equal(line(OW_LOG_TEXT, T_FIXED, OW_LOG_INFO, "e", "m", f, NFIELDS(f)),
			    TS " info    e: m a=0.1 b=1e+09 c=1.23457e+08 e=0 "
			       "big=9007199254740993\n");
}

static void test_text_null_message(void **state)
{
	assert_string_equal(line(OW_LOG_TEXT, T_FIXED, OW_LOG_INFO, "e", NULL, NULL, 0),
			    TS " info    e: \n");
}

/* ---- JSON ---- */

static void test_json_line(void **state)
{
	assert_string_equal(line(OW_LOG_JSON, T_FIXED, OW_LOG_WARN, "act",
				 "stopping the leaking process", act_fields, NFIELDS(act_fields)),
			    "{\"time\":\"" TS "\",\"level\":\"warning\",\"event\":\"act\","
			    "\"msg\":\"stopping the leaking process\",\"cgroup\":\"api.service\","
			    "\"pid\":4242,\"rate_mib_s\":12.5,\"eta_s\":null,\"usage\":-3,"
			    "\"comm\":\"node\"}\n");
}

static void test_json_non_finite_numbers_are_null(void **state)
{
	const struct ow_field f[] = {
		OW_NUM("inf", INFINITY),
		OW_NUM("ninf", -INFINITY),
		OW_NUM("nan", NAN),
		OW_NUM("big", 1e300),
	};

	assert_string_equal(line(OW_LOG_JSON, T_FIXED, OW_LOG_INFO, "e", "m", f, NFIELDS(f)),
			    "{\"time\":\"" TS "\",\"level\":\"info\",\"event\":\"e\",\"msg\":\"m\","
			    "\"inf\":null,\"ninf\":null,\"nan\":null,\"big\":1e+300}\n");
}

static void test_json_escapes_quotes_backslashes_controls(void **state)
{
	const struct ow_field f[] = {
		OW_STR("path", "C:\\dir\\\"x\""),
		OW_STR("we\"ird\\key", "v"),
		OW_STR("null", NULL),
		OW_STR("utf8", "caf\xc3\xa9"),
	};

	assert_string_equal(line(OW_LOG_JSON, T_FIXED, OW_LOG_ERROR, "ev\"ent",
				 "say \"hi\"\n\tback\\slash\x01\x1f", f, NFIELDS(f)),
			    "{\"time\":\"" TS "\",\"level\":\"error\",\"event\":\"ev\\\"ent\","
			    "\"msg\":\"say \\\"hi\\\"\\u000a\\u0009back\\\\slash\\u0001\\u001f\","
			    "\"path\":\"C:\\\\dir\\\\\\\"x\\\"\",\"we\\\"ird\\\\key\":\"v\","
			    "\"null\":\"\",\"utf8\":\"caf\xc3\xa9\"}\n");
}

static void test_json_escapes_every_control_character(void **state)
{
	char msg[32], want[512], *p = want;
	int c;

	for (c = 1; c < 32; c++)
		msg[c - 1] = (char)c;
	msg[31] = '\0';
	p += sprintf(p, "{\"time\":\"" TS "\",\"level\":\"info\",\"event\":\"e\",\"msg\":\"");
	for (c = 1; c < 32; c++)
		p += sprintf(p, "\\u%04x", c);
	sprintf(p, "\"}\n");
	assert_string_equal(line(OW_LOG_JSON, T_FIXED, OW_LOG_INFO, "e", msg, NULL, 0), want);
}

/* ---- truncation ---- */

static void test_truncated_line_still_ends_in_newline(void **state)
{
	char big[3000], small[64];
	const struct ow_field f[] = {OW_STR("k", big)};
	enum ow_log_format fmt;
	size_t len;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (fmt = OW_LOG_TEXT; fmt <= OW_LOG_JSON; fmt++) {
		memset(small, 'X', sizeof(small));
		len = ow_log_format_line(small, sizeof(small), fmt, T_FIXED, OW_LOG_INFO, "e", "m",
					 f, 1);
		assert_int_equal(len, sizeof(small) - 1);
		assert_int_equal(small[len - 1], '\n');
		assert_int_equal(small[len], '\0');
		assert_null(memchr(small, '\n', len - 1));
	}
	/* and into the big buffer: cut in a field value */
	memset(buf, 'X', sizeof(buf));
	len = ow_log_format_line(buf, sizeof(buf), OW_LOG_JSON, T_FIXED, OW_LOG_INFO, "e", big, f,
				 1);
	assert_int_equal(len, sizeof(buf) - 1);
	assert_int_equal(buf[len - 1], '\n');
	assert_int_equal(buf[len], '\0');
}

static void test_line_that_just_fits_is_whole(void **state)
{
	static const char want[] = TS " info    e: m k=v\n";
	const struct ow_field f[] = {OW_STR("k", "v")};
	char exact[sizeof(want)], tight[sizeof(want) - 1];
	size_t len;

	len = ow_log_format_line(exact, sizeof(exact), OW_LOG_TEXT, T_FIXED, OW_LOG_INFO, "e", "m",
				 f, 1);
	assert_int_equal(len, sizeof(want) - 1);
	assert_string_equal(exact, want);
	/* one byte short: the last character gives way to the newline */
	len = ow_log_format_line(tight, sizeof(tight), OW_LOG_TEXT, T_FIXED, OW_LOG_INFO, "e", "m",
				 f, 1);
	assert_int_equal(len, sizeof(tight) - 1);
	assert_string_equal(tight, TS " info    e: m k=\n");
}

/* The smallest buffers: nothing may be written outside them. */
static void test_tiny_buffer_not_overrun(void **state)
{
	char mem[8];
	size_t len;

	memset(mem, 'G', sizeof(mem));
	len = ow_log_format_line(mem + 2, 2, OW_LOG_TEXT, T_FIXED, OW_LOG_INFO, "e", "m", NULL, 0);
	assert_int_equal(len, 1);
	assert_memory_equal(mem, "GG\n\0GGGG", 8);

	memset(mem, 'G', sizeof(mem));
	len = ow_log_format_line(mem + 2, 1, OW_LOG_TEXT, T_FIXED, OW_LOG_INFO, "e", "m", NULL, 0);
	assert_int_equal(len, 0);
	if (memcmp(mem, "GG\0GGGGG", 8))
		fail_msg("len 1: wrote outside the buffer: %02x %02x [%02x] %02x", mem[0], mem[1],
			 mem[2], mem[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_is_iso8601_utc_with_milliseconds),
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_text_level_names),
		cmocka_unit_test(test_text_values_with_spaces_are_quoted),
		cmocka_unit_test(test_text_escapes_terminal_controls),
		cmocka_unit_test(test_json_escapes_terminal_controls_and_stays_utf8),
		cmocka_unit_test(test_utf8_escape),
		cmocka_unit_test(test_text_numbers),
		cmocka_unit_test(test_text_null_message),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_json_non_finite_numbers_are_null),
		cmocka_unit_test(test_json_escapes_quotes_backslashes_controls),
		cmocka_unit_test(test_json_escapes_every_control_character),
		cmocka_unit_test(test_truncated_line_still_ends_in_newline),
		cmocka_unit_test(test_line_that_just_fits_is_whole),
		cmocka_unit_test(test_tiny_buffer_not_overrun),
		cmocka_unit_test(test_optional_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
