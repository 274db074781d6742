// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/lib/units.c: human byte sizes, rates and times to OOM. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "units.h"

#define KiB 1024ULL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

static const char *b(uint64_t v)
{
	static char buf[OW_FMT_LEN];

	return ow_fmt_bytes(v, buf, sizeof(buf));
}

static const char *sb(int64_t v)
{
	static char buf[OW_FMT_LEN];

	return ow_fmt_bytes_signed(v, buf, sizeof(buf));
}

static const char *r(double v)
{
	static char buf[OW_FMT_LEN];

	return ow_fmt_rate(v, buf, sizeof(buf));
}

static void test_bytes(void **state)
{
	assert_string_equal(b(0), "0 B");
	assert_string_equal(b(1), "1 B");
	assert_string_equal(b(1023), "1023 B");
	assert_string_equal(b(1024), "1 KiB");
	assert_string_equal(b(812 * KiB), "812 KiB");
	assert_string_equal(b(812 * KiB + 511), "812 KiB");
	assert_string_equal(b(812 * KiB + 512), "813 KiB"); /* half up */
	assert_string_equal(b(12 * MiB + MiB / 2), "12.5 MiB");
	assert_string_equal(b(1 * GiB + GiB / 5), "1.20 GiB");
	assert_string_equal(b(3 * 1024 * GiB), "3.00 TiB");
	assert_string_equal(b(UINT64_MAX), "16.00 EiB");
}

/* The unit is picked after rounding: never "1024 KiB" or "1024.0 MiB". */
static void test_bytes_unit_boundaries(void **state)
{
	assert_string_equal(b(MiB - 1), "1.0 MiB");
	assert_string_equal(b(MiB - 600), "1023 KiB");
	assert_string_equal(b(GiB - 1), "1.00 GiB");
	assert_string_equal(b(GiB - 60 * KiB), "1023.9 MiB");
	assert_string_equal(b(GiB - 50 * KiB), "1.00 GiB");
}

static void test_bytes_signed(void **state)
{
	assert_string_equal(sb(0), "0 B");
	assert_string_equal(sb(812 * KiB), "+812 KiB");
	assert_string_equal(sb(-(int64_t)(812 * KiB)), "-812 KiB");
	assert_string_equal(sb(-(int64_t)(12 * MiB + MiB / 2)), "-12.5 MiB");
	assert_string_equal(sb(64 * MiB), "+64.0 MiB");
	assert_string_equal(sb(INT64_MIN), "-8.00 EiB");
	assert_string_equal(sb(INT64_MAX), "+8.00 EiB");
}

static void test_rate(void **state)
{
	assert_string_equal(r(0), "0 B/s");
	assert_string_equal(r(0.4), "0 B/s"); /* rounds to zero: no sign */
	assert_string_equal(r(-0.4), "0 B/s");
	assert_string_equal(r(12.5 * MiB), "+12.5 MiB/s");
	assert_string_equal(r(-3.0 * KiB), "-3 KiB/s");
	assert_string_equal(r(2.0 * GiB), "+2.00 GiB/s");
	assert_string_equal(r(NAN), "n/a");
	assert_string_equal(r(INFINITY), "n/a");
}

static const char *eta(double v)
{
	static char buf[OW_FMT_LEN];

	return ow_fmt_eta(v, buf, sizeof(buf));
}

/* The alerts' wording ("OOM predicted in 2.1 s"): seconds, minutes, hours, days. */
static void test_eta(void **state)
{
	assert_string_equal(eta(0), "0.0 s");
	assert_string_equal(eta(2.1), "2.1 s");
	assert_string_equal(eta(119.9), "119.9 s");
	assert_string_equal(eta(120), "2 min");
	assert_string_equal(eta(42 * 60 + 10), "42 min");
	assert_string_equal(eta(7199), "120 min");
	assert_string_equal(eta(7200), "2.0 h");
	assert_string_equal(eta(6.8 * 3600), "6.8 h");
	assert_string_equal(eta(47.9 * 3600), "47.9 h");
	assert_string_equal(eta(48 * 3600), "2.0 days"); /* diagnose's slow leaks */
	assert_string_equal(eta(3.5 * 86400), "3.5 days");
	assert_string_equal(eta(INFINITY), "none");
	assert_string_equal(eta(NAN), "none");
	assert_string_equal(eta(-1), "none");
}

static void test_short_buffer_truncates(void **state)
{
	char buf[5];

	assert_ptr_equal(ow_fmt_bytes(12 * MiB + MiB / 2, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "12.5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_bytes_unit_boundaries),
		cmocka_unit_test(test_bytes_signed),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_eta),
		cmocka_unit_test(test_short_buffer_truncates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
