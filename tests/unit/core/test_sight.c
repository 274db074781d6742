// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/core/sight.c: where the v1 thresholds go, the v2 read pace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "memcg.h"
#include "sight.h"

#define MiB   (1024ULL * 1024)
#define LIMIT (256 * MiB)
#define STEP  (LIMIT / 256)
#define MS    1000000ULL

static void test_step(void **state)
{
	assert_int_equal(ow_sight_step(LIMIT), MiB);
	assert_int_equal(ow_sight_step(OW_NO_LIMIT), 0);
	assert_int_equal(ow_sight_step(0), 0);
	assert_int_equal(ow_sight_step(100), 1);
}

static void test_thresholds_around_usage(void **state)
{
	uint64_t low, high;

	ow_sight_thresholds(100 * MiB, LIMIT, &low, &high);
	assert_int_equal(high, 101 * MiB);
	assert_int_equal(low, 98 * MiB);
	/* Near empty: no threshold below. */
	ow_sight_thresholds(STEP, LIMIT, &low, &high);
	assert_int_equal(low, 0);
	assert_int_equal(high, 2 * STEP);
	/* Within a step of the limit: none above (the usage cannot pass the limit). */
	ow_sight_thresholds(LIMIT - STEP / 2, LIMIT, &low, &high);
	assert_int_equal(high, 0);
	assert_int_equal(low, LIMIT - STEP / 2 - 2 * STEP);
	ow_sight_thresholds(LIMIT, LIMIT, &low, &high);
	assert_int_equal(high, 0);
	/* No limit: nothing to watch. */
	ow_sight_thresholds(100 * MiB, OW_NO_LIMIT, &low, &high);
	assert_int_equal(low, 0);
	assert_int_equal(high, 0);
}

static void test_delay_follows_headroom(void **state)
{
	assert_int_equal(ow_sight_delay_ns(0, LIMIT), OW_SIGHT_MAX_DELAY_NS);
	assert_int_equal(ow_sight_delay_ns(LIMIT / 2, LIMIT), OW_SIGHT_MAX_DELAY_NS);
	assert_int_equal(ow_sight_delay_ns(LIMIT * 3 / 4, LIMIT), 500 * MS);
	assert_int_equal(ow_sight_delay_ns(LIMIT * 15 / 16, LIMIT), OW_SIGHT_MIN_DELAY_NS);
	assert_int_equal(ow_sight_delay_ns(LIMIT + MiB, LIMIT), OW_SIGHT_MIN_DELAY_NS);
	assert_int_equal(ow_sight_delay_ns(MiB, OW_NO_LIMIT), OW_SIGHT_MAX_DELAY_NS);
}

/* Reads fall on a common quarter-second grid, whatever the cgroup. */
static void test_due_on_a_grid(void **state)
{
	uint64_t q = OW_SIGHT_MIN_DELAY_NS, now = 1000 * q + 123;

	/* A read a little after a grid point (as the timer runs them): the next one the delay
	 * later, not a grid step more. */
	assert_int_equal(ow_sight_due_ns(now, 0, LIMIT, 1), 1004 * q);
	assert_int_equal(ow_sight_due_ns(now + 1, 0, LIMIT, 1), 1004 * q);
	assert_int_equal(ow_sight_due_ns(1000 * q, 0, LIMIT, 1), 1004 * q);
	assert_int_equal(ow_sight_due_ns(now, LIMIT, LIMIT, 1), 1001 * q);
	assert_true(ow_sight_due_ns(now, LIMIT, LIMIT, 1) > now);
	assert_int_equal(ow_sight_due_ns(now, LIMIT, LIMIT, 1) % q, 0);
	/* v1: slower, on the same grid. */
	assert_int_equal(ow_sight_due_ns(1000 * q, 0, LIMIT, 2), 1008 * q);
	assert_int_equal(ow_sight_due_ns(1000 * q, 0, LIMIT, 0), 1004 * q);
}

static void test_moved_a_step(void **state)
{
	assert_false(ow_sight_moved(100 * MiB, 100 * MiB + STEP - 1, LIMIT));
	assert_true(ow_sight_moved(100 * MiB, 100 * MiB + STEP, LIMIT));
	assert_true(ow_sight_moved(100 * MiB, 100 * MiB - STEP, LIMIT));
	assert_false(ow_sight_moved(0, 100 * MiB, OW_NO_LIMIT));
}

/* v2 reads at its pace; v1 at it after a move, twice as slow while it moved within the
 * quiet spell, five times past it. */
static void test_slower(void **state)
{
	(void)state;
	assert_int_equal(ow_sight_slower(false, false, OW_SIGHT_QUIET_NS * 10), 1);
	assert_int_equal(ow_sight_slower(true, true, OW_SIGHT_QUIET_NS * 10), 1);
	assert_int_equal(ow_sight_slower(true, false, 0), OW_SIGHT_V1_SLOWER);
	assert_int_equal(ow_sight_slower(true, false, OW_SIGHT_QUIET_NS - 1), OW_SIGHT_V1_SLOWER);
	assert_int_equal(ow_sight_slower(true, false, OW_SIGHT_QUIET_NS), OW_SIGHT_V1_IDLE);
}

/* v1 quiet reads: two or five delays apart, longer past OW_SIGHT_V1_QUIET_READS a second in
 * all; v2 far reads: 1 s, longer past OW_SIGHT_V2_FAR_READS; the others at their delay. */
static void test_period(void **state)
{
	const uint64_t s = 1000000000ULL;

	(void)state;
	assert_int_equal(ow_sight_period_ns(true, 0, LIMIT, OW_SIGHT_V1_IDLE, 1), 5 * s);
	assert_int_equal(ow_sight_period_ns(true, 0, LIMIT, OW_SIGHT_V1_SLOWER, 1), 2 * s);
	assert_int_equal(ow_sight_period_ns(true, 0, LIMIT, OW_SIGHT_V1_IDLE, 2000), 5 * s);
	assert_int_equal(ow_sight_period_ns(true, 0, LIMIT, OW_SIGHT_V1_SLOWER, 2000), 5 * s);
	assert_int_equal(ow_sight_period_ns(true, 0, LIMIT, OW_SIGHT_V1_IDLE, 8000), 20 * s);
	/* v1 after a move: the delay, whatever the count */
	assert_int_equal(ow_sight_period_ns(true, 0, LIMIT, 1, 8000), s);
	assert_false(ow_sight_spread(true, 0, LIMIT, 1));
	assert_true(ow_sight_spread(true, 0, LIMIT, OW_SIGHT_V1_SLOWER));
	/* near the limit the delay is the grid's: quiet v1 reads still within the budget */
	assert_int_equal(ow_sight_period_ns(true, LIMIT, LIMIT, OW_SIGHT_V1_IDLE, 1),
			 5 * OW_SIGHT_MIN_DELAY_NS);
	assert_int_equal(ow_sight_period_ns(true, LIMIT, LIMIT, OW_SIGHT_V1_IDLE, 8000), 20 * s);
	/* v2: far, 1 s up to 2,000 cgroups, then longer */
	assert_true(ow_sight_spread(false, 0, LIMIT, 1));
	assert_int_equal(ow_sight_period_ns(false, 0, LIMIT, 1, 2000), s);
	assert_int_equal(ow_sight_period_ns(false, 0, LIMIT, 1, 8000), 4 * s);
	/* v2 near the limit: the headroom's pace, whatever the count */
	assert_false(ow_sight_spread(false, LIMIT * 3 / 4, LIMIT, 1));
	assert_int_equal(ow_sight_period_ns(false, LIMIT * 3 / 4, LIMIT, 1, 8000), s / 2);
}

/* Spread reads fall on whole seconds: together while few, spread over their period by key
 * when many (OW_SIGHT_BATCH a slot), each key's a period apart. */
static void test_quiet_due_spread(void **state)
{
	const uint64_t q = OW_SIGHT_SPREAD_NS, period = 20 * q;
	unsigned int per_slot[20] = {0}, key, i;
	uint64_t now = 1000 * q + 123, due;

	(void)state;
	for (key = 0; key < 2000; key++) {
		due = ow_sight_quiet_due_ns(now, period, key, 20 * OW_SIGHT_BATCH);
		assert_true(due > now && due <= now + period);
		assert_int_equal(due % q, 0);
		per_slot[(due / q) % 20]++;
		/* read at its time (a little late): the next a period later */
		assert_int_equal(ow_sight_quiet_due_ns(due + 7, period, key, 20 * OW_SIGHT_BATCH),
				 due + period);
	}
	for (i = 0; i < 20; i++)
		assert_int_equal(per_slot[i], 100);
	/* a thousand or fewer: all on one slot, one wakeup a period */
	for (key = 0; key < 100; key++)
		assert_int_equal(ow_sight_quiet_due_ns(now, period, key, OW_SIGHT_BATCH),
				 ow_sight_quiet_due_ns(now, period, 0, 10));
	/* 4,000: four slots of the twenty, five apart */
	for (key = 0; key < 8; key++)
		assert_int_equal(ow_sight_quiet_due_ns(now, period, key, 4 * OW_SIGHT_BATCH) / q %
					 20,
				 key % 4 * 5);
	/* a period under a slot (v1 quiet near the limit): the next slot */
	assert_int_equal(ow_sight_quiet_due_ns(now, q / 2, 5, 1), 1001 * q);
	/* 2.5 s: every 2 s, on the key's when many */
	assert_int_equal(ow_sight_quiet_due_ns(now, 5 * q / 2, 1, 2 * OW_SIGHT_BATCH), 1001 * q);
	assert_int_equal(ow_sight_quiet_due_ns(now, 5 * q / 2, 2, 2 * OW_SIGHT_BATCH), 1002 * q);
}

/* The pass's members: v1's idle cgroups (not those that moved lately: their reads stay one by
 * one, a delay or two apart), v2's far ones (not those near the limit). */
static void test_in_pass(void **state)
{
	(void)state;
	assert_true(ow_sight_in_pass(true, 0, LIMIT, OW_SIGHT_V1_IDLE));
	assert_true(ow_sight_in_pass(true, LIMIT, LIMIT, OW_SIGHT_V1_IDLE));
	assert_false(ow_sight_in_pass(true, 0, LIMIT, OW_SIGHT_V1_SLOWER));
	assert_false(ow_sight_in_pass(true, 0, LIMIT, 1));
	assert_true(ow_sight_in_pass(false, 0, LIMIT, 1));
	assert_true(ow_sight_in_pass(false, LIMIT / 2, LIMIT, 1));
	assert_false(ow_sight_in_pass(false, LIMIT / 2 + STEP, LIMIT, 1));
	assert_false(ow_sight_in_pass(false, LIMIT, LIMIT, 1));
}

/* Its period: the members' reads', longer past a thousandth of a core at a microsecond a
 * cgroup walked, in whole seconds. */
static void test_pass_period(void **state)
{
	const uint64_t s = 1000000000ULL;

	(void)state;
	assert_int_equal(ow_sight_pass_period_ns(false, 0), s);
	assert_int_equal(ow_sight_pass_period_ns(true, 0), OW_SIGHT_PASS_V1_DELAYS * s);
	assert_int_equal(ow_sight_pass_period_ns(false, 17), s);
	assert_int_equal(ow_sight_pass_period_ns(false, 1000), s);
	assert_int_equal(ow_sight_pass_period_ns(false, 1001), 2 * s);
	assert_int_equal(ow_sight_pass_period_ns(false, 20000), 20 * s);
	assert_int_equal(ow_sight_pass_period_ns(true, 4000), OW_SIGHT_PASS_V1_DELAYS * s);
	assert_int_equal(ow_sight_pass_period_ns(true, 9000), 9 * s);
	assert_int_equal(ow_sight_pass_period_ns(false, UINT64_MAX) % s, 0);
}

/* The watch's ticks: one a period up to a chunk of members, then as many as the chunks, each
 * member still checked once a period. */
static void test_watch_every(void **state)
{
	const uint64_t s = 1000000000ULL;

	(void)state;
	assert_int_equal(ow_sight_watch_every_ns(s, 0), s);
	assert_int_equal(ow_sight_watch_every_ns(s, 1), s);
	assert_int_equal(ow_sight_watch_every_ns(5 * s, OW_SIGHT_WATCH_CHUNK), 5 * s);
	assert_int_equal(ow_sight_watch_every_ns(2 * s, OW_SIGHT_WATCH_CHUNK + 1), s);
	assert_int_equal(ow_sight_watch_every_ns(ow_sight_pass_period_ns(false, 20000), 20000), s);
	assert_int_equal(ow_sight_watch_every_ns(ow_sight_pass_period_ns(true, 20000), 20000), s);
}

/* The machine's reads: one a second per 4 GiB of it far from its limit (at most 5 s), every
 * second or faster once half is used, and for a small machine. */
static void test_machine_slower(void **state)
{
	const uint64_t gib = 1ULL << 30;

	(void)state;
	assert_int_equal(ow_sight_machine_slower(1 * gib, 4 * gib), 1);
	assert_int_equal(ow_sight_machine_slower(1 * gib, 2 * gib), 1);
	assert_int_equal(ow_sight_machine_slower(1 * gib, 8 * gib), 2);
	assert_int_equal(ow_sight_machine_slower(1 * gib, 24 * gib), 5);
	assert_int_equal(ow_sight_machine_slower(1 * gib, 256 * gib), OW_SIGHT_MACHINE_SLOWER);
	assert_int_equal(ow_sight_machine_slower(12 * gib, 24 * gib), 1); /* half used */
	assert_int_equal(ow_sight_machine_slower(0, OW_NO_LIMIT), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slower),
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_quiet_due_spread),
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_thresholds_around_usage),
		cmocka_unit_test(test_delay_follows_headroom),
		cmocka_unit_test(test_due_on_a_grid),
		cmocka_unit_test(test_moved_a_step),
		cmocka_unit_test(test_machine_slower),
		cmocka_unit_test(test_in_pass),
		cmocka_unit_test(test_pass_period),
		cmocka_unit_test(test_watch_every),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
