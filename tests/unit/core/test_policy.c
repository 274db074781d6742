// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/core/policy.c: levels on constructed views, victim choice, grace, and
 * the e2e matrix replayed through the model's trends (ow_cgroup_sample / ow_cgroup_view) with
 * synthetic series, so a regression shows here before it shows on a real kernel. All times are
 * synthetic.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "policy.h"

#define NS    1000000000ULL
#define MS    1000000ULL
#define MiB   (1024ULL * 1024)
#define MiB_D ((double)MiB)
#define LIMIT (256 * MiB)
#define T0    (5000 * NS)

static struct ow_policy_cfg cfg;

static int setup(void **state)
{
	ow_policy_defaults(&cfg);
	return 0;
}

/* A view of a 256 MiB cgroup at `mib`, with a fine trend that has judged `span` seconds. */
static struct ow_cg_view view_at(double mib, double span)
{
	struct ow_cg_view v;

	memset(&v, 0, sizeof(v));
	v.nonrecl = (uint64_t)(mib * MiB_D);
	v.limit = LIMIT;
	v.high = OW_NO_LIMIT;
	v.fine.valid = span >= 3;
	v.fine.span_s = span;
	v.fine.last = v.nonrecl;
	v.fine.peak = v.nonrecl;
	v.warn_age_s = INFINITY; /* never warned */
	v.stop_age_s = INFINITY; /* never killed in */
	return v;
}

static void rising(struct ow_trend_result *r, double floor_mib_s)
{
	r->valid = true;
	r->rising = true;
	r->floor_rate = floor_mib_s * MiB_D;
	r->recent_rate = floor_mib_s * MiB_D;
}

/* ---- defaults and names ---- */

static void test_defaults(void **state)
{
	struct ow_policy_cfg c;

	memset(&c, 0xff, sizeof(c));
	ow_policy_defaults(&c);
	assert_true(c.warn_horizon_s == 120);
	assert_true(c.act_horizon_s == 10);
	assert_true(c.grace_s == 10);
	assert_true(c.cooldown_s == 15);
	assert_true(c.high_water == 0.90);
	assert_true(c.kill_water == 0.97);
	assert_true(c.act_min_span_s == 20);
}

static void test_level_names(void **state)
{
	assert_string_equal(ow_level_name(OW_LEVEL_OK), "ok");
	assert_string_equal(ow_level_name(OW_LEVEL_WARN), "warn");
	assert_string_equal(ow_level_name(OW_LEVEL_ACT), "act");
	assert_string_equal(ow_level_name(OW_LEVEL_ESCALATE), "escalate");
	assert_string_equal(ow_level_name((enum ow_level)4), "?");
	assert_string_equal(ow_level_name((enum ow_level)1000), "?");
}

/* ---- ow_policy_assess ---- */

static void test_assess_ok_without_growth(void **state)
{
	struct ow_cg_view v = view_at(100, 20);
	struct ow_verdict out;

	memset(&out, 0xff, sizeof(out));
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
	assert_true(isinf(out.eta_s) && out.eta_s > 0);
	assert_true(out.rate == 0);
	assert_non_null(out.reason);

	/* an empty view (no trend yet) is ok too */
	memset(&v, 0, sizeof(v));
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
	assert_true(isinf(out.eta_s));
}

static void test_assess_ok_when_oom_beyond_warn_horizon(void **state)
{
	/* 1 MiB/s with 156 MiB to go: 156 s > 120 s */
	struct ow_cg_view v = view_at(100, 20);
	struct ow_verdict out;

	rising(&v.fine, 1);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
	assert_true(fabs(out.eta_s - 156) < 1e-6);
	assert_true(out.rate == 1 * MiB_D);
}

static void test_assess_warn_within_warn_horizon(void **state)
{
	/* 1 MiB/s with 100 MiB to go */
	struct ow_cg_view v = view_at(156, 20);
	struct ow_verdict out;

	rising(&v.fine, 1);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	assert_true(fabs(out.eta_s - 100) < 1e-6);
	assert_true(out.rate == 1 * MiB_D);
	assert_non_null(strstr(out.reason, "warn"));
}

/* A young trend is not extrapolated far: 6 s of a rise do not predict an OOM 105 s away (the
 * 6.12 guest's machine floor held 20 MiB more while a file was written), 14 s do. */
static void test_assess_warn_reaches_eight_times_its_history(void **state)
{
	struct ow_cg_view v = view_at(151, 6);
	struct ow_verdict out;

	rising(&v.fine, 1); /* 105 MiB to go at 1 MiB/s */
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
	assert_true(fabs(out.eta_s - 105) < 1e-6);
	v.fine.span_s = 14; /* 112 s of reach */
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	/* near the limit, 3 s of history are enough: 20 MiB at 1 MiB/s */
	v = view_at(236, 3);
	rising(&v.fine, 1);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	/* a warned cgroup keeps its warning whatever its history (a trend started again) */
	v = view_at(151, 6);
	rising(&v.fine, 1);
	v.level = OW_LEVEL_WARN;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
}

/* The level of a cgroup at `mib`, rising 1 MiB/s over 20 s, whose level is `now`. */
static enum ow_level level_rising_1mib(double mib, enum ow_level now)
{
	struct ow_cg_view v = view_at(mib, 20);
	struct ow_verdict out;

	rising(&v.fine, 1);
	v.level = now;
	ow_policy_assess(&cfg, &v, &out);
	return out.level;
}

static void test_assess_warn_is_left_only_well_beyond_the_horizon(void **state)
{
	/* 130 MiB to go: past the 120 s horizon, within 1.25 x of it */
	assert_int_equal(level_rising_1mib(126, OW_LEVEL_OK), OW_LEVEL_OK);
	assert_int_equal(level_rising_1mib(126, OW_LEVEL_WARN), OW_LEVEL_WARN);
	/* 156 MiB to go: 156 s > 150 s, back to ok */
	assert_int_equal(level_rising_1mib(100, OW_LEVEL_WARN), OW_LEVEL_OK);
}

/* A warned cgroup whose floor stopped rising (a sawtooth's fall) stays warned for 30 s after
 * the last verdict that warned of its own; an acted-on one does not (its victim is gone). */
static void test_assess_warning_holds_through_a_pause(void **state)
{
	struct ow_cg_view v = view_at(100, 20);
	struct ow_verdict out;

	v.level = OW_LEVEL_WARN;
	v.warn_age_s = 5;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	assert_true(out.held);
	assert_non_null(strstr(out.reason, "paused"));

	v.warn_age_s = 30;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
	assert_false(out.held);

	/* a kill 2 s ago stopped the growth: the warning taken while it freed does not hold */
	v.warn_age_s = 1;
	v.stop_age_s = 2;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
	assert_false(out.held);
	v.warn_age_s = 4; /* nor one from before the kill */
	ow_policy_assess(&cfg, &v, &out);
	assert_false(out.held);
	/* a warning of new growth 15 s after the kill (a restarted leaker) holds */
	v.warn_age_s = 5;
	v.stop_age_s = 20;
	ow_policy_assess(&cfg, &v, &out);
	assert_true(out.held);
	v.stop_age_s = 30; /* long before this warning: it holds */
	v.warn_age_s = 1;
	ow_policy_assess(&cfg, &v, &out);
	assert_true(out.held);
	v.stop_age_s = INFINITY;

	v.warn_age_s = 5;
	v.level = OW_LEVEL_ACT;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);

	v.level = OW_LEVEL_OK;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
}

static void test_assess_act_by_floor_trend_only_after_act_min_span(void **state)
{
	/* 10 MiB/s with 56 MiB to go: 5.6 s, within the act horizon */
	struct ow_cg_view v = view_at(200, 9.9);
	struct ow_verdict out;

	rising(&v.fine, 10);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	assert_true(fabs(out.eta_s - 5.6) < 1e-6);

	v.fine.span_s = 19.9;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);

	v.fine.span_s = 20;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_ACT);
	assert_true(fabs(out.eta_s - 5.6) < 1e-6);
	assert_true(out.rate == 10 * MiB_D);
	assert_non_null(strstr(out.reason, "floor"));

	/* a configured act_min_span_s is honoured */
	{
		struct ow_policy_cfg c = cfg;

		c.act_min_span_s = 25;
		ow_policy_assess(&c, &v, &out);
		assert_int_equal(out.level, OW_LEVEL_WARN);
	}
}

static void test_assess_act_horizon_boundary(void **state)
{
	/* exactly 10 s to go acts; a little more only warns */
	struct ow_cg_view v = view_at(216, 20);
	struct ow_verdict out;

	rising(&v.fine, 4);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_ACT);
	v.fine.floor_rate = 3.9 * MiB_D;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
}

static void test_assess_counts_eta_from_recent_peak(void **state)
{
	/* the floor is at 150 MiB but the teeth reach 236 MiB: 20 MiB to go at 2 MiB/s */
	struct ow_cg_view v = view_at(150, 20);
	struct ow_verdict out;

	rising(&v.fine, 2);
	v.fine.peak = 236 * MiB;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_ACT);
	assert_true(fabs(out.eta_s - 10) < 1e-6);
}

static void test_assess_uses_coarse_trend_when_fine_sees_no_rise(void **state)
{
	/* a slow leak: 0.5 MiB/s with 56 MiB to go (112 s) */
	struct ow_cg_view v = view_at(200, 20);
	struct ow_verdict out;

	v.coarse.valid = true;
	v.coarse.rising = true;
	v.coarse.floor_rate = 0.5 * MiB_D;
	v.coarse.peak = v.nonrecl;
	v.coarse.span_s = 300;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	assert_true(fabs(out.eta_s - 112) < 1e-6);
	assert_true(out.rate == 0.5 * MiB_D);

	/* when both see a rise, the fine one (the recent rate) decides */
	rising(&v.fine, 8);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_ACT);
	assert_true(out.rate == 8 * MiB_D);
}

static void test_assess_unlimited_cgroup_is_ok(void **state)
{
	struct ow_cg_view v = view_at(4096, 20);
	struct ow_verdict out;

	v.limit = OW_NO_LIMIT;
	rising(&v.fine, 512);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
}

static void test_assess_act_by_high_water_and_climbing(void **state)
{
	/* 240 MiB of 256 and climbing 50 MiB/s, no floor trend (too fast, too young) */
	struct ow_cg_view v = view_at(240, 0.4);
	struct ow_verdict out;

	v.fine.recent_rate = 50 * MiB_D;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_ACT);
	assert_true(fabs(out.eta_s - 16.0 / 50) < 1e-6);
	assert_true(out.rate == 50 * MiB_D);
	assert_non_null(strstr(out.reason, "high-water"));
	assert_true(out.high_water); /* no trend would act: the brake may judge it first */

	/* exactly at the high-water mark counts */
	v.nonrecl = (uint64_t)ceil(0.9 * (double)LIMIT);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_ACT);

	/* and the sooner of the two predictions wins */
	v = view_at(240, 20);
	rising(&v.fine, 2); /* floor: 8 s */
	v.fine.recent_rate = 64 * MiB_D;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_ACT);
	assert_true(fabs(out.eta_s - 0.25) < 1e-6);
	assert_false(out.high_water); /* the floor trend acts on its own */
	assert_true(out.trend_may_act);
}

static void test_assess_high_water_not_climbing_is_ok(void **state)
{
	struct ow_cg_view v = view_at(250, 20);
	struct ow_verdict out;

	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);

	/* just under the mark, climbing fast */
	v = view_at(230, 0.4);
	v.fine.recent_rate = 100 * MiB_D;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);

	/* past the mark, climbing too slowly to fill it within the act horizon */
	v = view_at(240, 0.4);
	v.fine.recent_rate = 1 * MiB_D;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
}

static void test_assess_flat_sawtooth_peak_at_80_percent_does_not_act(void **state)
{
	/* on the way up to an 80 % peak, climbing 32 MiB/s, floor flat */
	struct ow_cg_view v = view_at(0.8 * 256, 20);
	struct ow_verdict out;

	v.fine.recent_rate = 32 * MiB_D;
	v.fine.peak = v.nonrecl;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
}

static void test_assess_first_sawtooth_rise_before_min_span_does_not_act(void **state)
{
	/* The first rise of a sawtooth looks like a leak: 0 -> 205 MiB at 32 MiB/s, seen for
	 * 6 s. Its ETA is within the act horizon, but the trend is too young to act on. */
	struct ow_cg_view v = view_at(192, 6);
	struct ow_verdict out;

	rising(&v.fine, 32);
	ow_policy_assess(&cfg, &v, &out);
	assert_true(out.eta_s <= cfg.act_horizon_s);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	assert_false(out.trend_may_act); /* nor may the brake take its ETA */
}

static void test_assess_plateau_at_75_percent_stays_below_act(void **state)
{
	/* 4 MiB/s to 192 MiB of 256: 16 s to go at the top, even with a floor_rate 15 % high */
	struct ow_cg_view v = view_at(192, 20);
	struct ow_verdict out;

	rising(&v.fine, 4 * 1.15);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);

	/* and flat afterwards */
	v = view_at(192, 20);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
}

/* ---- memory.high: throttled by the kernel, warned about, acted on only for the limit ---- */

static void test_assess_past_memory_high_warns_without_growth(void **state)
{
	struct ow_cg_view v = view_at(130, 20);
	struct ow_verdict out;

	v.high = 128 * MiB;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	assert_non_null(strstr(out.reason, "memory.high"));
	assert_true(isinf(out.eta_s));

	/* exactly at memory.high counts; below it, or with no memory.high, it is ok */
	v.nonrecl = 128 * MiB;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	v.nonrecl = 128 * MiB - 1;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
	v = view_at(130, 20);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
}

static void test_assess_memory_high_at_or_above_the_limit_is_no_throttle(void **state)
{
	/* memory.high 300 MiB over an effective limit of 256 (a parent's): the limit comes first */
	struct ow_cg_view v = view_at(200, 20);
	struct ow_verdict out;

	v.high = 300 * MiB;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
	v.high = LIMIT;
	v.nonrecl = LIMIT - MiB;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_OK);
}

static void test_assess_throttled_crawl_is_not_acted_on(void **state)
{
	/* The floor rose 10 MiB/s over the window (5.6 s to the limit: act, unthrottled), but
	 * past memory.high it now crawls at 128 KiB/s: 440 s to the limit. */
	struct ow_cg_view v = view_at(200, 20);
	struct ow_verdict out;

	rising(&v.fine, 10);
	v.fine.recent_rate = 0.125 * MiB_D;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_ACT); /* no memory.high: the old rule */

	v.high = 128 * MiB;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	assert_non_null(strstr(out.reason, "memory.high"));
	assert_true(out.rate == 0.125 * MiB_D);
	assert_true(fabs(out.eta_s - 56 / 0.125) < 1e-6);

	/* a prediction within the warn horizon does not hide the throttle */
	v.fine.recent_rate = 1 * MiB_D;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	assert_true(fabs(out.eta_s - 56) < 1e-6);
	assert_non_null(strstr(out.reason, "memory.high"));

	/* stalled altogether: still warn, no prediction */
	v.fine.recent_rate = 0;
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_WARN);
	assert_true(isinf(out.eta_s));
}

static void test_assess_throttled_but_about_to_hit_the_limit_acts(void **state)
{
	/* Throttled, yet still 4 MiB/s: 250 MiB of 256, 1.5 s to the OOM the kernel would do */
	struct ow_cg_view v = view_at(250, 20);
	struct ow_verdict out;

	v.high = 128 * MiB;
	rising(&v.fine, 4);
	ow_policy_assess(&cfg, &v, &out);
	assert_int_equal(out.level, OW_LEVEL_ACT);
	assert_true(fabs(out.eta_s - 1.5) < 1e-6);
}

/* ---- ow_policy_pick_victim / ow_policy_unsafe ---- */

static void test_victim_fastest_grower_not_largest(void **state)
{
	const struct ow_candidate c[] = {
		{.pid = 100, .rate = 1 * MiB_D, .rss = 900 * MiB},
		{.pid = 101, .rate = 20 * MiB_D, .rss = 50 * MiB},
		{.pid = 102, .rate = 0, .rss = 2000 * MiB},
	};

	assert_int_equal(ow_policy_pick_victim(c, 3), 1);
}

/* Equal growth: the kernel's oom_score decides, then the size. */
static void test_victim_ties_broken_by_oom_score_then_size(void **state)
{
	const struct ow_candidate c[] = {
		{.pid = 100, .rate = 1 * MiB_D, .rss = 10 * MiB, .oom_score = 300},
		{.pid = 101, .rate = 1 * MiB_D, .rss = 300 * MiB, .oom_score = 200},
		{.pid = 102, .rate = 1 * MiB_D, .rss = 20 * MiB, .oom_score = 300},
	};

	assert_int_equal(ow_policy_pick_victim(c, 3), 2);
	assert_int_equal(ow_policy_pick_victim(c + 1, 1), 0);
}

/* The padding attack: a user fills the cgroup with large sleepers; none grew, so none is the
 * leak, and with the leaker unseen nobody is signalled (the old choice by size was postgres). */
static void test_victim_never_without_growth(void **state)
{
	const struct ow_candidate c[] = {
		{.pid = 100, .rate = 0, .rss = 10 * MiB},
		{.pid = 101, .rate = 0, .rss = 3000 * MiB, .oom_score = 900},
		{.pid = 102, .rate = -5 * MiB_D, .rss = 20 * MiB},
		{.pid = 103, .rate = NAN, .rss = 20 * MiB},
	};

	assert_int_equal(ow_policy_pick_victim(c, 4), -1);
	assert_non_null(strstr(ow_policy_unsafe(&c[1]), "no measured growth"));
	assert_non_null(strstr(ow_policy_unsafe(&c[3]), "no measured growth"));
}

static void test_victim_preferred_first(void **state)
{
	const struct ow_candidate c[] = {
		{.pid = 100, .rate = 50 * MiB_D, .rss = 900 * MiB},
		{.pid = 101, .rate = 0.5 * MiB_D, .rss = 5 * MiB, .preferred = true},
		{.pid = 102, .rate = 1 * MiB_D, .rss = 5 * MiB, .preferred = true},
		{.pid = 103, .rate = 0, .rss = 5 * MiB, .preferred = true},
	};

	assert_int_equal(ow_policy_pick_victim(c, 3), 2);
	assert_int_equal(ow_policy_pick_victim(c, 2), 1);
	/* a preferred process that did not grow is still no victim */
	assert_int_equal(ow_policy_pick_victim(c + 3, 1), -1);
	assert_int_equal(ow_policy_pick_victim((const struct ow_candidate[]){c[0], c[3]}, 2), 0);
}

static void test_victim_never_unsafe(void **state)
{
	/* each unsafe one is the fastest and largest; the safe one is last */
	const struct ow_candidate c[] = {
		{.pid = 1, .rate = 90 * MiB_D, .rss = 900 * MiB, .preferred = true},
		{.pid = 200, .rate = 80 * MiB_D, .rss = 900 * MiB, .kthread = true},
		{.pid = 300, .rate = 70 * MiB_D, .rss = 900 * MiB, .is_self = true},
		{.pid = 400, .rate = 60 * MiB_D, .rss = 900 * MiB, .protected_ = true},
		{.pid = 500,
		 .rate = 50 * MiB_D,
		 .rss = 900 * MiB,
		 .protected_ = true,
		 .preferred = true},
		{.pid = 0, .rate = 40 * MiB_D, .rss = 900 * MiB},
		{.pid = 700, .rate = 30 * MiB_D, .rss = 900 * MiB, .never_oom = true},
		{.pid = 600, .rate = 1, .rss = 1 * MiB},
	};
	unsigned int i;

	assert_int_equal(ow_policy_pick_victim(c, 8), 7);
	for (i = 0; i < 7; i++)
		assert_non_null(ow_policy_unsafe(&c[i]));
	assert_null(ow_policy_unsafe(&c[7]));
	assert_non_null(strstr(ow_policy_unsafe(&c[6]), "oom_score_adj -1000"));
	assert_non_null(strstr(ow_policy_unsafe(&c[0]), "PID 1"));
	assert_non_null(strstr(ow_policy_unsafe(&c[1]), "kernel"));
	assert_non_null(strstr(ow_policy_unsafe(&c[2]), "itself"));
	assert_non_null(strstr(ow_policy_unsafe(&c[3]), "protect"));
	/* all unsafe, or none at all */
	assert_int_equal(ow_policy_pick_victim(c, 6), -1);
	assert_int_equal(ow_policy_pick_victim(c, 0), -1);
}

/* ---- the e2e matrix through the model's trends ---- */

enum scen_shape {
	S_LINEAR,   /* base + rate * t (flat at base for `hold` s first), held at stop_mib if set */
	S_SAWTOOTH, /* owload's sawtooth: 0 -> high, then low -> high, floor rising `rise` a cycle
		     */
	S_BURST,    /* base, then +amp over dur seconds, then flat */
};

struct scen {
	enum scen_shape shape;
	double base, rate, stop, low, high, rise, amp, dur, hold; /* MiB, MiB/s, seconds */
	double mem_high, crawl; /* linear: memory.high (MiB), the rate past it (MiB/s) */
	double cache; /* page cache beside it (MiB): the kernel counts an edge event at each
		       * sample where the two together reach the limit (memory.failcnt) */
};

static double scen_mib(const struct scen *s, double t)
{
	double v, c, k, u;

	switch (s->shape) {
	case S_LINEAR:
		t = t > s->hold ? t - s->hold : 0;
		v = s->base + s->rate * t;
		if (s->mem_high > 0 && v > s->mem_high)
			v = s->mem_high + s->crawl * (t - (s->mem_high - s->base) / s->rate);
		return s->stop > 0 && v > s->base + s->stop ? s->base + s->stop : v;
	case S_SAWTOOTH:
		if (s->hold > 0 && t < s->hold)
			return s->low;
		if (s->hold > 0)
			t = t - s->hold + s->high / s->rate;
		if (t < s->high / s->rate)
			return s->rate * t;
		c = (s->high - s->low) / s->rate;
		t -= s->high / s->rate;
		k = floor(t / c);
		u = t - k * c;
		return s->low + k * s->rise + s->rate * u;
	case S_BURST:
		if (t < s->dur)
			return s->base + s->amp * t / s->dur;
		return s->base + s->amp;
	}
	return 0;
}

struct outcome {
	enum ow_level max_level, last_level;
	double act_t, act_mib, oom_t;
	bool past_peaks;    /* the first act was by the rise past every earlier peak */
	unsigned int warns; /* times it went from ok to warn: each one is a warn alert */
};

/* Feed a 256 MiB cgroup as the daemon does (a sample every 1 MiB moved and every second,
 * evaluated on each) until `seconds` or the limit. */
static struct outcome replay(const struct scen *s, double seconds)
{
	struct ow_model m = {0};
	struct ow_cgroup *cg = ow_model_add_cgroup(&m, 42, "/sys/fs/cgroup/memory/t", 21);
	struct outcome o = {.act_t = -1, .oom_t = -1};
	uint64_t t_ns, last = 0, next_timer = T0, end = T0 + (uint64_t)(seconds * NS);
	bool started = false;

	assert_non_null(cg);
	cg->reading.eff_limit = LIMIT;
	if (s->mem_high > 0)
		cg->reading.st.high = (uint64_t)(s->mem_high * MiB_D);
	for (t_ns = T0; t_ns <= end; t_ns += MS) {
		double t = (double)(t_ns - T0) / NS;
		uint64_t v = (uint64_t)(scen_mib(s, t) * MiB_D);
		bool moved = v > last ? v - last >= MiB : last - v >= MiB;
		struct ow_cg_view view;
		struct ow_verdict out;

		if (v >= LIMIT) {
			o.oom_t = t;
			break;
		}
		if (started && !moved && t_ns < next_timer)
			continue;
		started = true;
		last = v;
		if (t_ns >= next_timer)
			next_timer = t_ns + NS;
		/* At the limit with its page cache: the usage says so, and v1's failcnt counts. */
		cg->reading.st.limit = LIMIT;
		cg->reading.st.usage = v + (uint64_t)(s->cache * MiB_D);
		if (cg->reading.st.usage >= LIMIT) {
			cg->reading.st.usage = LIMIT;
			cg->reading.st.edge_events++;
		}
		assert_int_equal(ow_cgroup_sample(cg, t_ns, v), 0);
		ow_cgroup_view(cg, t_ns, &view);
		ow_policy_assess(&cfg, &view, &out);
		ow_cgroup_note_verdict(cg, t_ns, &out);
		if (out.level > o.max_level)
			o.max_level = out.level;
		if (out.level == OW_LEVEL_WARN && cg->eval.level == OW_LEVEL_OK)
			o.warns++;
		cg->eval.level = out.level; /* as the daemon's set_level */
		o.last_level = out.level;
		if (out.level == OW_LEVEL_ACT && o.act_t < 0) {
			o.act_t = t;
			o.act_mib = (double)v / MiB_D;
			o.past_peaks = out.past_peaks;
		}
	}
	ow_model_free(&m);
	return o;
}

static void leak_acts_before_oom(double rate)
{
	struct scen s = {.shape = S_LINEAR, .base = 2, .rate = rate};
	struct outcome o = replay(&s, 300);

	print_message("linear %g MiB/s: act at %.3f s (%.1f MiB), OOM at %.3f s\n", rate, o.act_t,
		      o.act_mib, o.oom_t);
	assert_true(o.act_t >= 0);
	assert_true(o.act_mib < 0.95 * 256);
	assert_true(o.act_t < o.oom_t);
}

static void test_replay_linear_leak_2mib_acts_before_oom(void **state)
{
	leak_acts_before_oom(2);
}

/* A slow leak enters the warn horizon once: its ETA, estimated from step-sized samples, hovers
 * around the horizon for a while and must not flap ok/warn (each flap is two alerts). */
static void test_replay_slow_leak_warns_once(void **state)
{
	static const double rates[] = {0.5, 1, 2};
	unsigned int i;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct scen s = {.shape = S_LINEAR, .rate = rates[i]};
		struct outcome o = replay(&s, 256 / rates[i] + 10);

		assert_true(o.act_t > 0);
		assert_int_equal(o.warns, 1);
	}
}

static void test_replay_linear_leak_32mib_acts_before_oom(void **state)
{
	leak_acts_before_oom(32);
}

static void test_replay_linear_leak_512mib_acts_before_oom(void **state)
{
	leak_acts_before_oom(512);
}

static void test_replay_rising_floor_sawtooth_acts_before_oom(void **state)
{
	/* e2e sawtooth-rising: 40 -> 120 MiB at 64 MiB/s, floor +16 MiB a cycle */
	struct scen s = {.shape = S_SAWTOOTH, .low = 40, .high = 120, .rate = 64, .rise = 16};
	struct outcome o = replay(&s, 60);

	print_message("rising sawtooth: act at %.3f s (%.1f MiB), OOM at %.3f s, %u warn(s)\n",
		      o.act_t, o.act_mib, o.oom_t, o.warns);
	assert_true(o.act_t >= 0);
	assert_true(o.act_t < o.oom_t);
	/* Each fall of the sawtooth stops the floor's rise for a moment: one warning, not a
	 * warn/resolved pair per cycle. */
	assert_int_equal(o.warns, 1);
}

/* The bench's sawtooth-rising (15 -> 45 % of the limit, floor +6 % a cycle, 2.4 s rises) sent
 * warn/resolved three times in its first 8 s, nine alerts for one leak. */
static void test_replay_bench_sawtooth_warns_once(void **state)
{
	struct scen s = {.shape = S_SAWTOOTH, .low = 38.4, .high = 115.2, .rate = 32, .rise = 15.4};
	struct outcome o = replay(&s, 60);

	print_message("bench sawtooth: act at %.3f s (%.1f MiB), OOM at %.3f s, %u warn(s)\n",
		      o.act_t, o.act_mib, o.oom_t, o.warns);
	assert_true(o.act_t >= 0);
	assert_true(o.act_t < o.oom_t);
	assert_int_equal(o.warns, 1);
}

static void no_act(const struct scen *s, double seconds, const char *what)
{
	struct outcome o = replay(s, seconds);

	print_message("%s: highest level %s\n", what, ow_level_name(o.max_level));
	assert_true(o.oom_t < 0);
	assert_true(o.max_level < OW_LEVEL_ACT);
}

static void test_replay_flat_sawtooth_30_80_percent_never_acts(void **state)
{
	/* e2e sawtooth-flat: 77 <-> 205 MiB at 32 MiB/s (a 4 s period) */
	struct scen s = {.shape = S_SAWTOOTH, .low = 77, .high = 205, .rate = 32};

	no_act(&s, 60, "flat sawtooth 32 MiB/s");
	s.rate = 128; /* 1 s */
	no_act(&s, 60, "flat sawtooth 128 MiB/s");
	s.rate = 12.8; /* 10 s, after the cgroup sat at its floor */
	s.hold = 30;
	no_act(&s, 150, "flat sawtooth 12.8 MiB/s after 30 s at the floor");
}

/* The first rise of a sawtooth looks like a leak: 0 -> 205 MiB at 12.8 MiB/s takes 16 s. The
 * floor trend may act only with a full window (act_min_span_s = 20 s) behind it, by which time
 * the first drop is in the window, so even this slow first rise is not acted on (the e2e
 * sawtooth-flat case failed when act_min_span_s was 10 s). */
static void test_replay_first_slow_sawtooth_rise_is_not_acted_on(void **state)
{
	struct scen s = {.shape = S_SAWTOOTH, .low = 77, .high = 205, .rate = 12.8};

	no_act(&s, 60, "first 16 s rise of a 10 s sawtooth");
	s.rate = 32; /* the e2e sawtooth-flat case */
	no_act(&s, 60, "flat sawtooth at 32 MiB/s from an empty cgroup");
}

static void test_replay_plateau_at_75_percent_never_acts(void **state)
{
	/* e2e plateau-75: 4 MiB/s to 192 MiB, then flat */
	struct scen s = {.shape = S_LINEAR, .base = 0, .rate = 4, .stop = 192};

	no_act(&s, 120, "plateau 75 %");
}

/* tests/vm high-throttle: 8 MiB/s into memory.high at 128 MiB of 256, then the kernel's
 * throttling lets it crawl: warned about to the end, never acted on. */
static void test_replay_leak_throttled_by_memory_high_warns_only(void **state)
{
	struct scen s = {.shape = S_LINEAR, .rate = 8, .mem_high = 128, .crawl = 0.125};
	struct outcome o = replay(&s, 300);

	print_message("throttled at 128 MiB: highest level %s, last %s\n",
		      ow_level_name(o.max_level), ow_level_name(o.last_level));
	assert_true(o.oom_t < 0);
	assert_int_equal(o.max_level, OW_LEVEL_WARN);
	assert_int_equal(o.last_level, OW_LEVEL_WARN);
}

/* A crawl that still reaches memory.max is an OOM to come: acted on as any leak. */
static void test_replay_throttled_leak_that_reaches_the_limit_acts(void **state)
{
	struct scen s = {.shape = S_LINEAR, .rate = 8, .mem_high = 128, .crawl = 2};
	struct outcome o = replay(&s, 300);

	print_message("throttled crawl at 2 MiB/s: act at %.3f s (%.1f MiB), OOM at %.3f s\n",
		      o.act_t, o.act_mib, o.oom_t);
	assert_true(o.act_t >= 0);
	assert_true(o.act_mib < 0.95 * 256);
}

static void test_replay_startup_burst_never_acts(void **state)
{
	struct scen s = {.shape = S_BURST, .base = 2, .amp = 64, .dur = 0.5};
	struct outcome o = replay(&s, 60);

	assert_true(o.max_level == OW_LEVEL_OK);
}

/* ---- the rise past every earlier peak (rise.h) ---- */

/* A worker steady at 40 MiB beside 120 MiB of page cache for 30 s, then leaking 64 MiB/s: at
 * 96 MiB the two reach the limit and the kernel starts reclaiming (the first time in 30 s).
 * It is acted on there, seconds before the high-water mark (the floor trend needs 20 s). */
static void test_replay_fast_leak_to_the_edge_acts_before_high_water(void **state)
{
	struct scen s = {.shape = S_LINEAR, .base = 40, .rate = 64, .hold = 30, .cache = 120};
	struct outcome o = replay(&s, 60);

	print_message("edge leak: act at %.3f s (%.1f MiB), OOM at %.3f s\n", o.act_t, o.act_mib,
		      o.oom_t);
	assert_true(o.past_peaks);
	assert_true(o.act_mib < 0.75 * 256);
	assert_true(o.oom_t - o.act_t > 1.5);
	/* The same leak with no page cache reaches the edge only at the limit: high water. */
	s.cache = 0;
	o = replay(&s, 60);
	assert_false(o.past_peaks);
	assert_true(o.act_mib >= 0.9 * 256);
}

/* The same rise with no 20 s of quiet edge before it: a fresh cgroup, or one whose page cache
 * had it reclaiming all along. */
static void test_replay_fast_rise_without_quiet_edge_waits(void **state)
{
	struct scen s = {.shape = S_LINEAR, .base = 40, .rate = 64, .hold = 5, .cache = 120};
	struct outcome o = replay(&s, 60);

	assert_false(o.past_peaks);
	s.hold = 30;
	s.cache = 220; /* at the edge from the start */
	o = replay(&s, 60);
	assert_false(o.past_peaks);
	assert_true(o.act_mib >= 0.9 * 256);
}

/* The shape alone is no evidence: a sawtooth's first tooth after 30 s at its floor climbs past
 * every earlier peak as a leak does. With page cache keeping the cgroup at its edge all along
 * the kernel's count says nothing new either: never acted on. */
static void test_replay_sawtooth_after_hold_with_cache_never_acts(void **state)
{
	struct scen s = {.shape = S_SAWTOOTH, .low = 77, .high = 205, .rate = 12.8, .hold = 30};

	s.cache = 256 - 70;
	no_act(&s, 150, "flat sawtooth after 30 s at the floor, cache at the edge");
	s.cache = 40; /* tooth + cache stay below the limit: no edge */
	no_act(&s, 150, "flat sawtooth after 30 s at the floor, cache below the edge");
}

/* A start-up burst beside page cache: the burst takes the cgroup to its edge, then stops. */
static void test_replay_burst_to_the_edge_never_acts(void **state)
{
	struct scen s = {.shape = S_BURST, .base = 40, .amp = 150, .dur = 0.5, .cache = 100};

	no_act(&s, 60, "burst to the edge");
	s.dur = 3; /* a cache warming up over 3 s from a cold start */
	no_act(&s, 60, "3 s warm-up to the edge");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_level_names),
		cmocka_unit_test(test_assess_ok_without_growth),
		cmocka_unit_test(test_assess_ok_when_oom_beyond_warn_horizon),
		cmocka_unit_test(test_assess_warn_within_warn_horizon),
		cmocka_unit_test(test_assess_warn_reaches_eight_times_its_history),
		cmocka_unit_test(test_assess_warn_is_left_only_well_beyond_the_horizon),
		cmocka_unit_test(test_assess_warning_holds_through_a_pause),
		cmocka_unit_test(test_assess_act_by_floor_trend_only_after_act_min_span),
		cmocka_unit_test(test_assess_act_horizon_boundary),
		cmocka_unit_test(test_assess_counts_eta_from_recent_peak),
		cmocka_unit_test(test_assess_uses_coarse_trend_when_fine_sees_no_rise),
		cmocka_unit_test(test_assess_unlimited_cgroup_is_ok),
		cmocka_unit_test(test_assess_act_by_high_water_and_climbing),
		cmocka_unit_test(test_assess_high_water_not_climbing_is_ok),
		cmocka_unit_test(test_assess_flat_sawtooth_peak_at_80_percent_does_not_act),
		cmocka_unit_test(test_assess_first_sawtooth_rise_before_min_span_does_not_act),
		cmocka_unit_test(test_assess_plateau_at_75_percent_stays_below_act),
		cmocka_unit_test(test_assess_past_memory_high_warns_without_growth),
		cmocka_unit_test(test_assess_memory_high_at_or_above_the_limit_is_no_throttle),
		cmocka_unit_test(test_assess_throttled_crawl_is_not_acted_on),
		cmocka_unit_test(test_assess_throttled_but_about_to_hit_the_limit_acts),
		cmocka_unit_test(test_victim_fastest_grower_not_largest),
		cmocka_unit_test(test_victim_ties_broken_by_oom_score_then_size),
		cmocka_unit_test(test_victim_never_without_growth),
		cmocka_unit_test(test_victim_preferred_first),
		cmocka_unit_test(test_victim_never_unsafe),
		cmocka_unit_test(test_replay_linear_leak_2mib_acts_before_oom),
		cmocka_unit_test(test_replay_slow_leak_warns_once),
		cmocka_unit_test(test_replay_linear_leak_32mib_acts_before_oom),
		cmocka_unit_test(test_replay_linear_leak_512mib_acts_before_oom),
		cmocka_unit_test(test_replay_rising_floor_sawtooth_acts_before_oom),
		cmocka_unit_test(test_replay_bench_sawtooth_warns_once),
		cmocka_unit_test(test_replay_flat_sawtooth_30_80_percent_never_acts),
		cmocka_unit_test(test_replay_first_slow_sawtooth_rise_is_not_acted_on),
		cmocka_unit_test(test_replay_plateau_at_75_percent_never_acts),
		cmocka_unit_test(test_replay_leak_throttled_by_memory_high_warns_only),
		cmocka_unit_test(test_replay_throttled_leak_that_reaches_the_limit_acts),
		cmocka_unit_test(test_replay_startup_burst_never_acts),
		cmocka_unit_test(test_replay_fast_leak_to_the_edge_acts_before_high_water),
		cmocka_unit_test(test_replay_fast_rise_without_quiet_edge_waits),
		cmocka_unit_test(test_replay_sawtooth_after_hold_with_cache_never_acts),
		cmocka_unit_test(test_replay_burst_to_the_edge_never_acts),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
