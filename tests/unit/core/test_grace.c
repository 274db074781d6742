// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/core/grace.c: the grace after SIGTERM judged by the growth since.
 * Replays of what issue 16 measured on main before: a worker at 8 MiB/s that stopped growing at
 * 176.8 MiB of 256 was SIGKILLed 4.9 s after SIGTERM; one at 64 MiB/s stopped at 231 MiB and
 * was SIGKILLed 0.19 s later. Times are synthetic.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "grace.h"
#include "memcg.h"

#define NS    1000000000ULL
#define MS    1000000ULL
#define MiB   (1024ULL * 1024)
#define LIMIT (256 * MiB)
#define T0    (1000 * NS)

/* The judge of a victim SIGTERMed at T0 with `grace` seconds, `mib` MiB in the cgroup now. */
static struct ow_term_view view(const struct ow_live_growth *g, uint64_t now, double mib,
				double grace)
{
	uint64_t value = (uint64_t)(mib * MiB);
	struct ow_term_view v = {
		.now_ns = now,
		.deadline_ns = T0 + (uint64_t)(grace * NS),
		.value = value,
		.limit = LIMIT,
		.kill_water = 0.97,
		.live_rate = ow_live_rate(g, now, value),
		.rose = value > g->term_value + OW_GRACE_ROSE_BYTES,
	};

	return v;
}

/* Feed readings every `step_ms` from T0 to `until_s`, growing at `rate` MiB/s from `from` MiB
 * for `grow_s` seconds, then flat. Returns the judge's verdict at each step, the first that
 * kills (or WAIT), and when. */
static enum ow_term_verdict run(double from, double rate, double grow_s, double until_s,
				unsigned int step_ms, double grace, double *when_s)
{
	struct ow_live_growth g;
	uint64_t t;
	double eta;

	ow_live_start(&g, T0, (uint64_t)(from * MiB));
	for (t = T0; t <= T0 + (uint64_t)(until_s * NS); t += step_ms * MS) {
		double s = (double)(t - T0) / NS;
		double mib = from + rate * (s < grow_s ? s : grow_s);
		struct ow_term_view v;
		enum ow_term_verdict r;

		ow_live_add(&g, t, (uint64_t)(mib * MiB));
		v = view(&g, t, mib, grace);
		r = ow_grace_judge(&v, &eta);
		if (r != OW_TERM_WAIT) {
			*when_s = s;
			return r;
		}
	}
	*when_s = until_s;
	return OW_TERM_WAIT;
}

static void test_live_rate_skips_the_first_window(void **state)
{
	struct ow_live_growth g;

	(void)state;
	ow_live_start(&g, T0, 100 * MiB);
	assert_true(isnan(ow_live_rate(&g, T0 + 500 * MS, 104 * MiB)));
	/* a second on: the tail of the allocation in hand is not counted, no rate yet */
	ow_live_add(&g, T0 + 1000 * MS, 108 * MiB);
	assert_true(isnan(ow_live_rate(&g, T0 + 1000 * MS, 108 * MiB)));
	assert_true(isnan(ow_live_rate(&g, T0 + 1900 * MS, 116 * MiB)));
	/* a window after that checkpoint: 8 MiB in the second that followed it */
	ow_live_add(&g, T0 + 2000 * MS, 116 * MiB);
	assert_true(fabs(ow_live_rate(&g, T0 + 2000 * MS, 116 * MiB) - 8.0 * MiB) < 1);
	/* then the newer checkpoint takes its place: flat since means 0 */
	ow_live_add(&g, T0 + 3000 * MS, 116 * MiB);
	assert_true(ow_live_rate(&g, T0 + 4000 * MS, 116 * MiB) == 0);
	/* a fall is no growth */
	assert_true(ow_live_rate(&g, T0 + 4000 * MS, 90 * MiB) == 0);
	/* a clock that went back says nothing */
	assert_true(isnan(ow_live_rate(&g, T0, 116 * MiB)));
}

static void test_live_checkpoints_move_only_after_a_window(void **state)
{
	struct ow_live_growth g;

	(void)state;
	ow_live_start(&g, T0, 10 * MiB);
	ow_live_add(&g, T0 + 300 * MS, 20 * MiB); /* too soon: ignored */
	assert_int_equal(g.t1_ns, T0);
	ow_live_add(&g, T0 + 1200 * MS, 30 * MiB); /* the first: both checkpoints */
	assert_int_equal(g.t0_ns, T0 + 1200 * MS);
	assert_int_equal(g.t1_ns, T0 + 1200 * MS);
	assert_int_equal(g.v0, 30 * MiB);
	ow_live_add(&g, T0 + 2400 * MS, 40 * MiB);
	assert_int_equal(g.t0_ns, T0 + 1200 * MS);
	assert_int_equal(g.t1_ns, T0 + 2400 * MS);
	assert_int_equal(g.v1, 40 * MiB);
	ow_live_add(&g, T0 + 3600 * MS, 50 * MiB);
	assert_int_equal(g.t0_ns, T0 + 2400 * MS);
	assert_int_equal(g.v0, 40 * MiB);
}

/* Issue 16: 8 MiB/s, SIGTERMed at 176.8 MiB with the OOM 9.9 s away; it stops growing at once.
 * Before: SIGKILL after 4.9 s. Now: the whole 10 s. */
static void test_stopped_at_8mib_s_keeps_its_whole_grace(void **state)
{
	double when;

	(void)state;
	assert_int_equal(run(176.8, 8, 0.05, 9.99, 100, 10, &when), OW_TERM_WAIT);
}

/* Issue 16: 64 MiB/s, SIGTERMed at 231 MiB (high water), stops with 25 MiB to spare. Before:
 * SIGKILL after 0.19 s. Now it keeps its grace, even though it grew a little before noticing. */
static void test_stopped_at_64mib_s_past_high_water_keeps_its_grace(void **state)
{
	double when;

	(void)state;
	assert_int_equal(run(231, 64, 0.01, 9.99, 10, 10, &when), OW_TERM_WAIT);
}

/* One that ignores SIGTERM at 8 MiB/s: once a window of growth is seen (after the first, which
 * is skipped), the limit comes before the 10 s grace ends: SIGKILL after 2 s, not after 10. */
static void test_still_growing_is_cut_short_by_the_live_eta(void **state)
{
	double when;

	(void)state;
	assert_int_equal(run(176.8, 8, 100, 10, 100, 10, &when), OW_TERM_LIVE_ETA);
	assert_true(when >= 2.0 && when < 2.5);
}

/* One that ignores SIGTERM at 64 MiB/s from 231 MiB: it reaches 97 % (248.3 MiB) in 0.27 s,
 * before any window: the rise alone says it climbs. */
static void test_fast_climb_past_kill_water_is_killed_at_once(void **state)
{
	double when;

	(void)state;
	assert_int_equal(run(231, 64, 100, 10, 10, 10, &when), OW_TERM_KILL_WATER);
	assert_true(when > 0.25 && when < 0.3);
}

/* Slow growth during the drain (logs, a last response) that leaves the limit beyond the grace
 * is the drain's own: it keeps its grace. */
static void test_slow_drain_growth_beyond_the_grace_waits(void **state)
{
	double when;

	(void)state;
	/* 2 MiB/s from 200 MiB: 28 s to the limit, grace 10 s */
	assert_int_equal(run(200, 2, 100, 9.99, 100, 10, &when), OW_TERM_WAIT);
	/* the same with a 30 s grace (a manager's TimeoutStopSec): the limit comes first */
	assert_int_equal(run(200, 2, 100, 29, 100, 30, &when), OW_TERM_LIVE_ETA);
	assert_true(when >= 2.0 && when < 2.5);
}

/* A worker throttled under a brake finishes the allocation in hand for a second after the
 * SIGTERM (4 MiB), then stops: the tail is not counted against it. */
static void test_tail_after_the_sigterm_then_flat_waits(void **state)
{
	double when;

	(void)state;
	assert_int_equal(run(240, 4, 1.0, 9.99, 100, 10, &when), OW_TERM_WAIT);
}

/* Past kill water but flat since the SIGTERM: it stopped, it keeps its grace. */
static void test_flat_past_kill_water_waits(void **state)
{
	double when;

	(void)state;
	assert_int_equal(run(250, 0, 0, 9.99, 100, 10, &when), OW_TERM_WAIT);
	/* page-sized bookkeeping past kill water is no climb either */
	assert_int_equal(run(250, 0.1, 100, 9.99, 100, 10, &when), OW_TERM_WAIT);
}

static void test_no_limit_never_cuts_the_grace(void **state)
{
	struct ow_live_growth g;
	struct ow_term_view v;
	double eta;

	(void)state;
	ow_live_start(&g, T0, 100 * MiB);
	ow_live_add(&g, T0 + 2 * NS, 900 * MiB);
	v = view(&g, T0 + 2 * NS, 900, 10);
	v.limit = OW_NO_LIMIT;
	assert_int_equal(ow_grace_judge(&v, &eta), OW_TERM_WAIT);
	v.limit = 0;
	assert_int_equal(ow_grace_judge(&v, &eta), OW_TERM_WAIT);
}

static void test_eta_is_reported(void **state)
{
	struct ow_live_growth g;
	struct ow_term_view v;
	double eta;

	(void)state;
	ow_live_start(&g, T0, 196 * MiB);
	ow_live_add(&g, T0 + NS, 200 * MiB);
	ow_live_add(&g, T0 + 2 * NS, 204 * MiB);
	v = view(&g, T0 + 2 * NS, 204, 10); /* 4 MiB/s, 52 MiB to go: 13 s */
	assert_int_equal(ow_grace_judge(&v, &eta), OW_TERM_WAIT);
	assert_true(fabs(eta - 13) < 1e-6);
	v.value = LIMIT + MiB; /* over the limit (v1 usage can overshoot by a batch) */
	v.live_rate = 4.0 * MiB;
	assert_int_equal(ow_grace_judge(&v, &eta), OW_TERM_KILL_WATER);
	assert_true(eta == 0);
}

static void test_grace_granted(void **state)
{
	const char *from;

	(void)state;
	assert_true(ow_grace_granted(10, -1, NULL, &from) == 10);
	assert_string_equal(from, "grace");
	/* a longer stop timeout of the manager's wins, and is named */
	assert_true(ow_grace_granted(10, 30, "TimeoutStopSec", &from) == 30);
	assert_string_equal(from, "TimeoutStopSec");
	/* a shorter one does not shorten --grace */
	assert_true(ow_grace_granted(10, 5, "stopwaitsecs", &from) == 10);
	assert_string_equal(from, "grace");
	/* "infinity" in a user's unit file is capped */
	assert_true(ow_grace_granted(10, INFINITY, "TimeoutStopSec", &from) ==
		    OW_GRACE_MANAGER_MAX_S);
	assert_true(ow_grace_granted(10, 1e9, "", &from) == OW_GRACE_MANAGER_MAX_S);
	assert_string_equal(from, "manager");
	/* NAN is no value; --grace 0 keeps the floor */
	assert_true(ow_grace_granted(10, NAN, "x", &from) == 10);
	assert_true(ow_grace_granted(0, -1, NULL, &from) == OW_GRACE_MIN_S);
}

static void test_reasons_and_rules(void **state)
{
	(void)state;
	assert_string_equal(ow_term_rule(OW_TERM_KILL_WATER), "kill_water");
	assert_string_equal(ow_term_rule(OW_TERM_LIVE_ETA), "live_eta");
	assert_string_equal(ow_term_rule(OW_TERM_WAIT), "none");
	assert_non_null(strstr(ow_term_reason(OW_TERM_LIVE_ETA), "before the grace ends"));
	assert_non_null(strstr(ow_term_reason(OW_TERM_KILL_WATER), "kill-water"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_rate_skips_the_first_window),
		cmocka_unit_test(test_live_checkpoints_move_only_after_a_window),
		cmocka_unit_test(test_stopped_at_8mib_s_keeps_its_whole_grace),
		cmocka_unit_test(test_stopped_at_64mib_s_past_high_water_keeps_its_grace),
		cmocka_unit_test(test_still_growing_is_cut_short_by_the_live_eta),
		cmocka_unit_test(test_fast_climb_past_kill_water_is_killed_at_once),
		cmocka_unit_test(test_slow_drain_growth_beyond_the_grace_waits),
		cmocka_unit_test(test_tail_after_the_sigterm_then_flat_waits),
		cmocka_unit_test(test_flat_past_kill_water_waits),
		cmocka_unit_test(test_no_limit_never_cuts_the_grace),
		cmocka_unit_test(test_eta_is_reported),
		cmocka_unit_test(test_grace_granted),
		cmocka_unit_test(test_reasons_and_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
