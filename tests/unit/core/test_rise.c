// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/core/rise.c: the current rise of a cgroup's memory, the peaks before
 * it, and the kernel's edge count around it. Times are synthetic.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rise.h"

#define NS  1000000000ULL
#define MS  1000000ULL
#define MiB (1024ULL * 1024)
#define T0  (1000 * NS)

/* Readings every `step_ms` from `from_s` to `to_s` (seconds after T0), `mib` MiB growing at
 * `rate` MiB/s from `from_s`, the edge count `kernel`. */
static void feed(struct ow_rise *r, double from_s, double to_s, unsigned int step_ms, double mib,
		 double rate, uint64_t kernel)
{
	uint64_t t;

	for (t = T0 + (uint64_t)(from_s * NS); t <= T0 + (uint64_t)(to_s * NS); t += step_ms * MS) {
		double s = (double)(t - T0) / NS - from_s;

		ow_rise_add(r, t, (uint64_t)((mib + rate * s) * MiB), kernel, false, MiB / 2);
	}
}

static struct ow_rise_view view_at(const struct ow_rise *r, double s)
{
	struct ow_rise_view v;

	ow_rise_view(r, T0 + (uint64_t)(s * NS), &v);
	return v;
}

static void test_no_reading_no_rise(void **state)
{
	struct ow_rise r;
	struct ow_rise_view v;

	ow_rise_reset(&r);
	v = view_at(&r, 5);
	assert_true(v.span_s == 0 && v.rate == 0 && v.prior_peak == 0 && !v.edge_reached);
}

/* Flat 30 s at 40 MiB, then 64 MiB/s for 2 s: a rise of 2 s at 64 MiB/s, 30 s of history
 * before it, the peak before it the plateau. */
static void test_rise_after_a_plateau(void **state)
{
	struct ow_rise r;
	struct ow_rise_view v;

	ow_rise_reset(&r);
	feed(&r, 0, 30, 1000, 40, 0, 0);
	feed(&r, 30.05, 32, 50, 40 + 3.2, 64, 0);
	v = view_at(&r, 32);
	assert_true(fabs(v.span_s - 2.0) < 0.01); /* from the last level reading */
	assert_true(fabs(v.rate / MiB - 64) < 0.5);
	assert_true(v.before_s > 29.9 && v.before_s < 30.1);
	assert_int_equal(v.prior_peak, 40 * MiB);
	assert_false(v.edge_reached);
}

/* Level for longer than the gap ends the rise, even with no new reading. */
static void test_level_ends_the_rise(void **state)
{
	struct ow_rise r;

	ow_rise_reset(&r);
	feed(&r, 0, 3, 50, 10, 16, 0);
	assert_true(view_at(&r, 3).span_s > 2.9);
	assert_true(view_at(&r, 3.9).span_s > 2.9); /* within the gap */
	assert_true(view_at(&r, 4.1).span_s == 0);
	/* Readings level with the top for over a gap end it too, and the top is a peak. */
	feed(&r, 3.05, 5, 50, 10 + 48, 0, 0);
	feed(&r, 5.05, 6, 50, 10 + 48 + 0.8, 16, 0);
	assert_true(view_at(&r, 6).span_s < 1.01); /* from the last level reading, at 5 s */
	assert_int_equal(view_at(&r, 6).prior_peak, 58 * MiB);
}

/* Two readings a millisecond apart see the same value: that does not end the rise. A fall
 * within the noise does not either; one past it does. */
static void test_repeats_and_small_falls_keep_the_rise(void **state)
{
	struct ow_rise r;

	ow_rise_reset(&r);
	ow_rise_add(&r, T0, 10 * MiB, 0, false, MiB / 2);
	ow_rise_add(&r, T0 + 100 * MS, 12 * MiB, 0, false, MiB / 2);
	ow_rise_add(&r, T0 + 101 * MS, 12 * MiB, 0, false, MiB / 2);
	ow_rise_add(&r, T0 + 200 * MS, 12 * MiB - MiB / 4, 0, false, MiB / 2);
	ow_rise_add(&r, T0 + 300 * MS, 14 * MiB, 0, false, MiB / 2);
	assert_true(fabs(view_at(&r, 0.3).span_s - 0.3) < 1e-6);
	ow_rise_add(&r, T0 + 400 * MS, 12 * MiB, 0, false, MiB / 2);
	assert_true(view_at(&r, 0.4).span_s == 0);
	assert_int_equal(view_at(&r, 0.4).prior_peak, 14 * MiB);
}

/* A sawtooth: each tooth's top is a peak before the next; the next tooth climbing to the same
 * top is not past it. */
static void test_sawtooth_peaks(void **state)
{
	struct ow_rise r;
	struct ow_rise_view v;
	int k;

	ow_rise_reset(&r);
	for (k = 0; k < 5; k++)
		feed(&r, k * 4.0, k * 4.0 + 3.9, 100, 77, 32, 0); /* 77 -> ~202 MiB */
	v = view_at(&r, 19.9);
	assert_true(v.prior_peak >= 200 * MiB);
	assert_true(v.span_s > 3.7);
}

/* Peaks are forgotten after two slots: a level held minutes ago says nothing now. */
static void test_old_peaks_age_out(void **state)
{
	struct ow_rise r;
	double slot = (double)OW_RISE_SLOT_NS / NS;

	ow_rise_reset(&r);
	feed(&r, 0, 2, 100, 200, 0, 0);
	feed(&r, 2.1, 3, 100, 20, 0, 0); /* fell: 200 is a peak */
	assert_int_equal(view_at(&r, 3).prior_peak, 200 * MiB);
	feed(&r, 3, 2 * slot + 5, 1000, 20, 0, 0);
	assert_int_equal(view_at(&r, 2 * slot + 5).prior_peak, 20 * MiB);
}

/* The edge: the kernel's count moved during the rise, after how long a quiet. */
static void test_edge_reached_after_quiet(void **state)
{
	struct ow_rise r;
	struct ow_rise_view v;

	ow_rise_reset(&r);
	feed(&r, 0, 10, 1000, 40, 0, 7);
	feed(&r, 10, 25, 1000, 40, 0, 9); /* moved at 10 s */
	feed(&r, 25.05, 26, 50, 43.2, 64, 9);
	v = view_at(&r, 26);
	assert_false(v.edge_reached);
	assert_true(v.edge_quiet_s > 14.9 && v.edge_quiet_s < 15.2);
	feed(&r, 26.05, 27, 50, 43.2 + 64.05, 64, 12);
	v = view_at(&r, 27);
	assert_true(v.edge_reached);
	assert_true(v.edge_quiet_s > 14.9 && v.edge_quiet_s < 15.2);
}

/* Never moved before the rise: quiet since the first reading. */
static void test_edge_quiet_since_first_reading(void **state)
{
	struct ow_rise r;
	struct ow_rise_view v;

	ow_rise_reset(&r);
	feed(&r, 0, 30, 1000, 40, 0, 0);
	feed(&r, 30.05, 32, 50, 43.2, 64, 0);
	feed(&r, 32.05, 33, 50, 43.2 + 128.05, 64, 1);
	v = view_at(&r, 33);
	assert_true(v.edge_reached);
	assert_true(v.edge_quiet_s > 29.9 && v.edge_quiet_s < 30.1);
}

/* The usage at the limit is the edge too, where the kernel counts nothing (v1 with memsw). */
static void test_edge_by_usage_at_the_limit(void **state)
{
	struct ow_rise r;
	uint64_t t;

	ow_rise_reset(&r);
	feed(&r, 0, 25, 1000, 40, 0, 0);
	for (t = T0 + 25 * NS; t <= T0 + 27 * NS; t += 50 * MS) {
		uint64_t mib = 40 + 64 * (t - T0 - 25 * NS) / NS;

		ow_rise_add(&r, t, mib * MiB, 0, mib >= 136, MiB / 2);
	}
	assert_true(view_at(&r, 27).edge_reached);
	assert_true(view_at(&r, 27).edge_quiet_s >= 24.9);
	/* A later rise, after the edge was reached a second ago: no quiet before it. */
	ow_rise_add(&r, T0 + 27 * NS + 100 * MS, 100 * MiB, 0, false, MiB / 2);
	ow_rise_add(&r, T0 + 27 * NS + 200 * MS, 110 * MiB, 0, true, MiB / 2);
	assert_true(view_at(&r, 27.2).edge_reached);
	assert_true(view_at(&r, 27.2).edge_quiet_s < 0.2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_reading_no_rise),
		cmocka_unit_test(test_rise_after_a_plateau),
		cmocka_unit_test(test_level_ends_the_rise),
		cmocka_unit_test(test_repeats_and_small_falls_keep_the_rise),
		cmocka_unit_test(test_sawtooth_peaks),
		cmocka_unit_test(test_old_peaks_age_out),
		cmocka_unit_test(test_edge_reached_after_quiet),
		cmocka_unit_test(test_edge_quiet_since_first_reading),
		cmocka_unit_test(test_edge_by_usage_at_the_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
