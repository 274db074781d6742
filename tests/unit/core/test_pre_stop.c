// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/core/pre_stop.c: whether the pre-stop signal goes out, how long the
 * SIGTERM waits for it, what ends the wait early, and what counts as a heap dump.
 */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pre_stop.h"

#define NS  1000000000ULL
#define MiB (1024ULL * 1024)
#define T0  (5000 * NS)

static struct ow_pre_stop_view node_worker(double eta_s)
{
	struct ow_pre_stop_view v = {
		.signal = SIGUSR2,
		.catches = 1,
		.eta_s = eta_s,
		.wait_s = 10,
		.grace_s = 10,
	};

	return v;
}

/* The wait takes at most half the ETA: the SIGTERM keeps the other half. */
static void test_plan_halves_the_eta(void **state)
{
	struct ow_pre_stop_view v = node_worker(30);
	struct ow_pre_stop_wait w;

	(void)state;
	assert_int_equal(ow_pre_stop_plan(&v, &w), OW_PRE_STOP_SEND);
	assert_true(w.wait_s == 10 && w.keep_s == 20); /* the whole wait fits */
	v.eta_s = 8;				       /* act horizon 10: the usual act */
	assert_int_equal(ow_pre_stop_plan(&v, &w), OW_PRE_STOP_SEND);
	assert_true(w.wait_s == 4 && w.keep_s == 4);
	v.eta_s = INFINITY; /* acted at high water with no trend: the whole wait */
	assert_int_equal(ow_pre_stop_plan(&v, &w), OW_PRE_STOP_SEND);
	assert_true(w.wait_s == 10);
}

/* Under a second to the limit, no wait is worth it: the SIGTERM at once. */
static void test_plan_no_time(void **state)
{
	struct ow_pre_stop_view v = node_worker(0.9);
	struct ow_pre_stop_wait w;

	(void)state;
	assert_int_equal(ow_pre_stop_plan(&v, &w), OW_PRE_STOP_NO_TIME);
	assert_true(w.wait_s == 0);
	v.eta_s = NAN;
	assert_int_equal(ow_pre_stop_plan(&v, &w), OW_PRE_STOP_NO_TIME);
	/* the brake holds the growth: the ETA before it says little, the whole wait */
	v.braked = true;
	assert_int_equal(ow_pre_stop_plan(&v, &w), OW_PRE_STOP_SEND);
	assert_true(w.wait_s == 10 && w.keep_s == 10);
}

/* SIGUSR2 ends a process that does not catch it: never sent then, nor when that is unknown. */
static void test_plan_not_caught(void **state)
{
	struct ow_pre_stop_view v = node_worker(30);
	struct ow_pre_stop_wait w;

	(void)state;
	v.catches = 0;
	assert_int_equal(ow_pre_stop_plan(&v, &w), OW_PRE_STOP_NOT_CAUGHT);
	v.catches = -3; /* -ESRCH */
	assert_int_equal(ow_pre_stop_plan(&v, &w), OW_PRE_STOP_NOT_CAUGHT);
	v.catches = 1;
	v.dry_run = true;
	assert_int_equal(ow_pre_stop_plan(&v, &w), OW_PRE_STOP_DRY_RUN);
	v.signal = 0;
	assert_int_equal(ow_pre_stop_plan(&v, &w), OW_PRE_STOP_OFF);
	assert_string_equal(ow_pre_stop_text(OW_PRE_STOP_OFF), "");
	assert_non_null(strstr(ow_pre_stop_text(OW_PRE_STOP_NOT_CAUGHT), "does not catch"));
}

/* 8 MiB/s in 256 MiB, acted at 176 MiB (ETA 10 s): wait 5 s, keep 5 s. */
static struct ow_pre_stop_progress waiting(uint64_t now, uint64_t mib, double rate_mib)
{
	struct ow_pre_stop_progress p = {
		.now_ns = now,
		.deadline_ns = T0 + 5 * NS,
		.value = mib * MiB,
		.limit = 256 * MiB,
		.kill_water = 0.97,
		.live_rate = rate_mib * MiB,
		.keep_s = 5,
	};

	return p;
}

static void test_judge(void **state)
{
	struct ow_pre_stop_progress p = waiting(T0 + 2 * NS, 192, 8);

	(void)state;
	/* the pace of the plan: at the wait's end 40 MiB = 5 s are left, as planned */
	assert_int_equal(ow_pre_stop_judge(&p), OW_PRE_STOP_GO_ON);
	/* the rate doubled: 16 s of growth at 16 MiB/s leave 1 s at the end, under half the 5 s */
	p.live_rate = 16.0 * MiB;
	assert_int_equal(ow_pre_stop_judge(&p), OW_PRE_STOP_FASTER);
	/* no live rate yet (the first second): only the kill-water mark */
	p.live_rate = NAN;
	assert_int_equal(ow_pre_stop_judge(&p), OW_PRE_STOP_GO_ON);
	p.value = 249 * MiB;
	assert_int_equal(ow_pre_stop_judge(&p), OW_PRE_STOP_KILL_WATER);
	/* stopped growing (the snapshot's own pause): wait on */
	p = waiting(T0 + 2 * NS, 200, 0);
	assert_int_equal(ow_pre_stop_judge(&p), OW_PRE_STOP_GO_ON);
	p.limit = 0; /* none known */
	assert_int_equal(ow_pre_stop_judge(&p), OW_PRE_STOP_GO_ON);
	assert_string_equal(ow_pre_stop_cut_name(OW_PRE_STOP_FASTER), "faster");
	assert_string_equal(ow_pre_stop_cut_name(OW_PRE_STOP_KILL_WATER), "kill_water");
	assert_string_equal(ow_pre_stop_cut_name(OW_PRE_STOP_GO_ON), "waited");
}

static void test_is_dump(void **state)
{
	(void)state;
	assert_true(ow_pre_stop_is_dump("/srv/app/Heap.20261205.211500.4242.0.001.heapsnapshot"));
	assert_true(ow_pre_stop_is_dump("/var/tmp/java_pid77.hprof"));
	assert_false(ow_pre_stop_is_dump(".heapsnapshot")); /* nothing before the suffix */
	assert_false(ow_pre_stop_is_dump("/srv/app/x.heapsnapshot (deleted)"));
	assert_false(ow_pre_stop_is_dump("/srv/app/worker.log"));
	assert_false(ow_pre_stop_is_dump("socket:[12345]"));
	assert_false(ow_pre_stop_is_dump(""));
}

/* Written = seen open, then closed. A dump never seen open (written between two looks) does not
 * end the wait: the bounded wait does. */
static void test_dump_watch(void **state)
{
	struct ow_dump_watch w = {0};
	char long_path[400];

	(void)state;
	assert_false(ow_dump_watch_update(&w, NULL));
	assert_false(ow_dump_watch_update(&w, "/srv/app/Heap.1.heapsnapshot"));
	assert_false(ow_dump_watch_update(&w, "/srv/app/Heap.1.heapsnapshot"));
	assert_true(ow_dump_watch_update(&w, NULL));
	assert_string_equal(w.path, "/srv/app/Heap.1.heapsnapshot");
	assert_true(ow_dump_watch_update(&w, NULL)); /* stays written */
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	w = (struct ow_dump_watch){0};
	ow_dump_watch_update(&w, long_path);
	assert_int_equal(strlen(w.path), sizeof(w.path) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_halves_the_eta),
		cmocka_unit_test(test_plan_no_time),
		cmocka_unit_test(test_plan_not_caught),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_is_dump),
		cmocka_unit_test(test_dump_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
