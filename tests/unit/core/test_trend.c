// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/core/trend.c. The series are synthetic and piecewise constant, the way
 * the daemon produces them: a sample whenever the value has moved by a step (1 MiB, i.e. 1/256
 * of a 256 MiB limit) in either direction, plus one every second from the timer. The trend is
 * configured like the daemon's fine trend (250 ms buckets over 20 s, no verdict before 3 s) and
 * judged with the noise the daemon uses for a 256 MiB limit (limit / 512). All times are
 * synthetic. Page cache is not the trend's concern: the caller feeds it non-reclaimable bytes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "trend.h"

#define NS	 1000000000ULL
#define MS	 1000000ULL
#define MiB	 (1024ULL * 1024)
#define MiB_D	 ((double)MiB)
#define STEP	 MiB
#define NOISE	 (256 * MiB / 512)
#define WIDTH	 (NS / 4)
#define WINDOW	 (20 * NS)
#define MIN_SPAN (3 * NS)
#define TICK	 MS	     /* simulation resolution */
#define T0	 (1000 * NS) /* a monotonic clock does not start at 0 */

/* ---- a synthetic series and the sampler that feeds it to the trend ---- */

enum shape {
	LINEAR,	  /* base + rate * t */
	SAWTOOTH, /* base + rate * t + amp * frac(t / period): a GC heap */
	BURST,	  /* base until t0, a ramp of amp over dur, then flat */
	PLATEAU,  /* base + rate * min(t, stop) */
};

struct series {
	enum shape shape;
	double base, rate, amp; /* bytes, bytes/s, bytes */
	double period, t0, dur; /* seconds */
};

static uint64_t value_at(const struct series *s, double t)
{
	double v = s->base;

	switch (s->shape) {
	case LINEAR:
		v += s->rate * t;
		break;
	case SAWTOOTH:
		v += s->rate * t + s->amp * (t / s->period - floor(t / s->period));
		break;
	case BURST:
		if (t >= s->t0 + s->dur)
			v += s->amp;
		else if (t > s->t0)
			v += s->amp * (t - s->t0) / s->dur;
		break;
	case PLATEAU:
		v += s->rate * (t < s->t0 ? t : s->t0);
		break;
	}
	return (uint64_t)v;
}

struct sim {
	struct ow_trend tr;
	const struct series *s;
	bool every_tick; /* evaluate at every tick, not only after a sample */
	/* called after each evaluation; t is seconds since the series started */
	void (*check)(struct sim *sim, double t, const struct ow_trend_result *r);
	void *ctx;
	unsigned long samples, evals;
};

static void sim_init(struct sim *sim, const struct series *s)
{
	memset(sim, 0, sizeof(*sim));
	ow_trend_init(&sim->tr, WIDTH, WINDOW, MIN_SPAN);
	sim->s = s;
}

/* Feed the series from `from` to `to` seconds. */
static void sim_run(struct sim *sim, double from, double to)
{
	uint64_t t_ns, end = T0 + (uint64_t)(to * NS), next_timer;
	uint64_t last = 0;
	bool started = false;

	t_ns = T0 + (uint64_t)(from * NS);
	next_timer = t_ns;
	for (; t_ns <= end; t_ns += TICK) {
		double t = (double)(t_ns - T0) / NS;
		uint64_t v = value_at(sim->s, t);
		bool moved = v > last ? v - last >= STEP : last - v >= STEP;
		struct ow_trend_result r;

		if (!started || moved || t_ns >= next_timer) {
			ow_trend_add(&sim->tr, t_ns, v);
			sim->samples++;
			last = v;
			started = true;
			if (t_ns >= next_timer)
				next_timer = t_ns + NS;
		} else if (!sim->every_tick) {
			continue;
		}
		ow_trend_eval(&sim->tr, t_ns, NOISE, &r);
		sim->evals++;
		sim->check(sim, t, &r);
	}
}

/* What a run saw, for the asserts at its end. */
struct tally {
	double after;		      /* only count evaluations at t >= after (seconds) */
	double min_span;	      /* ... and with span_s >= min_span */
	double truth;		      /* expected rate, bytes/s */
	double tol;		      /* relative tolerance on floor_rate */
	double rate_from_span;	      /* check floor_rate from this span on */
	unsigned long n;	      /* evaluations counted */
	unsigned long rising;	      /* ... rising */
	unsigned long not_rising;     /* ... not rising */
	unsigned long rated;	      /* ... rising with a span for floor_rate to be judged */
	unsigned long bad_rate;	      /* ... of which floor_rate is off by more than tol */
	unsigned long invalid_rising; /* rising without a verdict (anywhere) */
	double first_rising, last_rising, first_not_rising, worst_rate;
};

static void tally_init(struct tally *ty, double after, double min_span)
{
	memset(ty, 0, sizeof(*ty));
	ty->after = after;
	ty->min_span = min_span;
	ty->first_rising = -1;
	ty->last_rising = -1;
	ty->first_not_rising = -1;
	ty->rate_from_span = INFINITY;
}

static void tally_check(struct sim *sim, double t, const struct ow_trend_result *r)
{
	struct tally *ty = sim->ctx;

	if (r->rising && !r->valid)
		ty->invalid_rising++;
	if (r->rising && ty->first_rising < 0)
		ty->first_rising = t;
	if (r->rising)
		ty->last_rising = t;
	if (t < ty->after || r->span_s < ty->min_span)
		return;
	ty->n++;
	if (!r->rising) {
		ty->not_rising++;
		if (ty->first_not_rising < 0)
			ty->first_not_rising = t;
		return;
	}
	ty->rising++;
	if (r->span_s < ty->rate_from_span)
		return;
	if (!ty->rated || fabs(r->floor_rate - ty->truth) > fabs(ty->worst_rate - ty->truth))
		ty->worst_rate = r->floor_rate;
	ty->rated++;
	if (fabs(r->floor_rate - ty->truth) > ty->tol * ty->truth)
		ty->bad_rate++;
}

/* ---- linear leaks ---- */

/* floor_rate is judged from `rate_span` seconds of history on. */
static void linear_leak(double rate_mib, double seconds, double rate_span)
{
	struct series s = {.shape = LINEAR, .base = 40 * MiB_D, .rate = rate_mib * MiB_D};
	struct sim sim;
	struct tally ty;

	sim_init(&sim, &s);
	/* Once a second past the minimum span, every evaluation must see the rise. */
	tally_init(&ty, 0, 4.0);
	ty.truth = s.rate;
	ty.tol = 0.15;
	ty.rate_from_span = rate_span;
	sim.ctx = &ty;
	sim.check = tally_check;
	sim_run(&sim, 0, seconds);

	print_message("linear %g MiB/s: %lu samples, first rising at %.3f s, %lu/%lu rising, "
		      "worst floor_rate %.3f MiB/s\n",
		      rate_mib, sim.samples, ty.first_rising, ty.rising, ty.n,
		      ty.worst_rate / MiB_D);
	assert_int_equal(ty.invalid_rising, 0);
	assert_true(ty.n > 0);
	assert_int_equal(ty.not_rising, 0);
	assert_int_equal(ty.bad_rate, 0);
	assert_true(ty.rated > 0);
	/* and not before there is enough history */
	assert_true(ty.first_rising >= 3.0);
}

static void test_linear_leak_2mib_rising_and_rate(void **state)
{
	linear_leak(2, 40, 20);
}

static void test_linear_leak_32mib_rising_and_rate(void **state)
{
	linear_leak(32, 40, 20);
}

static void test_linear_leak_512mib_rising_and_rate(void **state)
{
	linear_leak(512, 8, 4);
}

/* A leak too fast for the floor trend (it OOMs a 256 MiB cgroup in 0.5 s): the last quarter's
 * rate, which the high-water rule uses, must already see it before any verdict exists. */
struct recent_ctx {
	double truth;
	unsigned long n, low;
	double worst;
};

static void recent_check(struct sim *sim, double t, const struct ow_trend_result *r)
{
	struct recent_ctx *c = sim->ctx;

	if (t < 0.1 || t > 0.5)
		return;
	c->n++;
	if (r->valid || r->rising)
		c->low += 1000; /* no verdict this early */
	if (r->recent_rate < 0.5 * c->truth || r->recent_rate > 1.15 * c->truth) {
		c->low++;
		c->worst = r->recent_rate;
	}
}

static void test_fast_leak_recent_rate_before_verdict(void **state)
{
	struct series s = {.shape = LINEAR, .base = 40 * MiB_D, .rate = 512 * MiB_D};
	struct recent_ctx c = {.truth = s.rate};
	struct sim sim;

	sim_init(&sim, &s);
	sim.ctx = &c;
	sim.check = recent_check;
	sim_run(&sim, 0, 0.5);
	print_message("recent_rate: %lu evaluations, %lu off, worst %.1f MiB/s\n", c.n, c.low,
		      c.worst / MiB_D);
	assert_true(c.n > 100);
	assert_int_equal(c.low, 0);
}

/* ---- GC sawtooth ---- */

/* A flat floor at 100 MiB, peaks at 200 MiB, dropping at once every `period` seconds. Once the
 * window holds two periods, some quarter after the first holds a drop to the floor, so the
 * floor cannot rise in every quarter. */
static void flat_sawtooth(double period)
{
	struct series s = {
		.shape = SAWTOOTH, .base = 100 * MiB_D, .amp = 100 * MiB_D, .period = period};
	struct sim sim;
	struct tally ty;

	sim_init(&sim, &s);
	sim.every_tick = true;
	tally_init(&ty, 0, 2 * period);
	sim.ctx = &ty;
	sim.check = tally_check;
	sim_run(&sim, 0, 60);
	print_message("flat sawtooth %g s: %lu evaluations with span >= 2 periods, %lu rising; "
		      "first rising at %.3f s\n",
		      period, ty.n, ty.rising, ty.first_rising);
	assert_int_equal(ty.invalid_rising, 0);
	assert_true(ty.n > 1000);
	assert_int_equal(ty.rising, 0);
}

static void test_sawtooth_flat_floor_1s_never_rising(void **state)
{
	flat_sawtooth(1);
}

static void test_sawtooth_flat_floor_4s_never_rising(void **state)
{
	flat_sawtooth(4);
}

static void test_sawtooth_flat_floor_10s_never_rising(void **state)
{
	flat_sawtooth(10);
}

/* The peak the policy counts the ETA from is the top of the teeth, not the floor. */
struct peak_ctx {
	unsigned long n, bad;
};

static void peak_check(struct sim *sim, double t, const struct ow_trend_result *r)
{
	struct peak_ctx *c = sim->ctx;

	if (r->span_s < 20)
		return;
	c->n++;
	/* a 5 s quarter holds a full 1 s tooth: its top is within a step of 200 MiB */
	if (r->peak < 199 * MiB || r->peak > 200 * MiB)
		c->bad++;
}

static void test_sawtooth_peak_is_top_of_teeth(void **state)
{
	struct series s = {.shape = SAWTOOTH, .base = 100 * MiB_D, .amp = 100 * MiB_D, .period = 1};
	struct peak_ctx c = {0};
	struct sim sim;

	sim_init(&sim, &s);
	sim.ctx = &c;
	sim.check = peak_check;
	sim_run(&sim, 0, 40);
	assert_true(c.n > 100);
	assert_int_equal(c.bad, 0);
}

/* The same teeth on a floor that rises 2 MiB/s: once every quarter holds a drop (span >= 4
 * periods, plus a bucket), each quarter's floor is higher than the last. */
static void test_sawtooth_rising_floor_is_rising(void **state)
{
	struct series s = {.shape = SAWTOOTH,
			   .base = 100 * MiB_D,
			   .rate = 2 * MiB_D,
			   .amp = 50 * MiB_D,
			   .period = 2};
	struct sim sim;
	struct tally ty;

	sim_init(&sim, &s);
	tally_init(&ty, 0, 4 * s.period + 0.5);
	ty.truth = s.rate;
	ty.tol = 0.15;
	ty.rate_from_span = 20;
	sim.ctx = &ty;
	sim.check = tally_check;
	sim_run(&sim, 0, 60);
	print_message("rising-floor sawtooth: %lu/%lu rising, worst floor_rate %.3f MiB/s\n",
		      ty.rising, ty.n, ty.worst_rate / MiB_D);
	assert_true(ty.n > 50);
	assert_int_equal(ty.not_rising, 0);
	assert_true(ty.rated > 0);
	assert_int_equal(ty.bad_rate, 0);
}

/* ---- start-up burst ---- */

/* 64 MiB in `dur` seconds at `at`, then flat: the floor rises once, in one quarter. */
static void burst(double at, double dur, bool coarse)
{
	struct series s = {
		.shape = BURST, .base = 20 * MiB_D, .amp = 64 * MiB_D, .t0 = at, .dur = dur};
	struct sim sim;
	struct tally ty;

	sim_init(&sim, &s);
	if (coarse)
		ow_trend_init(&sim.tr, 5 * NS, 300 * NS, 60 * NS);
	sim.every_tick = true;
	tally_init(&ty, 0, 0);
	sim.ctx = &ty;
	sim.check = tally_check;
	sim_run(&sim, 0, at + (coarse ? 400 : 60));
	print_message("burst of 64 MiB in %g s at %g s: %lu evaluations, %lu rising (first at "
		      "%.3f s)\n",
		      dur, at, ty.n, ty.rising, ty.first_rising);
	assert_true(ty.n > 10000);
	assert_int_equal(ty.rising, 0);
}

static void test_startup_burst_at_start_never_rising(void **state)
{
	burst(0, 0.5, false);
}

static void test_startup_burst_after_flat_history_never_rising(void **state)
{
	burst(30, 0.5, false);
	burst(30.1, 0.5, false);
	burst(30.9, 0.5, false);
}

static void test_startup_burst_under_a_second_never_rising(void **state)
{
	burst(0, 0.9, false);
	burst(30, 0.9, false);
	burst(30.6, 0.9, false);
}

static void test_startup_burst_coarse_trend_never_rising(void **state)
{
	burst(0, 0.5, true);
	burst(120, 0.5, true);
}

/* ---- plateau ---- */

/* 4 MiB/s for 40 s, then flat: rising while it grows, not rising a window after it stops, and
 * once it has turned false it stays false. */
static void test_plateau_stops_rising_within_a_window(void **state)
{
	struct series s = {.shape = PLATEAU, .base = 20 * MiB_D, .rate = 4 * MiB_D, .t0 = 40};
	struct sim sim;
	struct tally grow, flat;

	sim_init(&sim, &s);
	sim.check = tally_check;
	tally_init(&grow, 0, 4);
	grow.truth = s.rate;
	grow.tol = 0.15;
	grow.rate_from_span = 20;
	sim.ctx = &grow;
	sim_run(&sim, 0, 40);
	assert_true(grow.n > 0);
	assert_int_equal(grow.not_rising, 0);
	assert_true(grow.rated > 0);
	assert_int_equal(grow.bad_rate, 0);

	tally_init(&flat, 0, 0);
	sim.ctx = &flat;
	sim_run(&sim, 40.001, 100);
	print_message("plateau: stop at 40 s, first not rising at %.3f s, last rising at %.3f s\n",
		      flat.first_not_rising, flat.last_rising);
	assert_true(flat.first_not_rising >= 40 && flat.first_not_rising <= 40 + WINDOW / NS);
	/* no rising evaluation after the first one that was not */
	assert_true(flat.last_rising < flat.first_not_rising);
	{
		struct ow_trend_result r;

		ow_trend_eval(&sim.tr, T0 + 60 * NS, NOISE, &r);
		assert_true(r.valid);
		assert_false(r.rising);
		assert_true(r.floor_rate == 0);
		assert_true(r.recent_rate == 0);
		assert_int_equal(r.last, 180 * MiB);
	}
}

/* ---- the result fields and edge cases ---- */

static void test_eval_empty_trend_has_no_verdict(void **state)
{
	struct ow_trend tr;
	struct ow_trend_result r;

	ow_trend_init(&tr, WIDTH, WINDOW, MIN_SPAN);
	memset(&r, 0xff, sizeof(r));
	ow_trend_eval(&tr, T0, NOISE, &r);
	assert_false(r.valid);
	assert_false(r.rising);
	assert_int_equal(r.last, 0);
	assert_int_equal(r.peak, 0);
	assert_true(r.floor_rate == 0 && r.recent_rate == 0 && r.span_s == 0);
}

static void test_eval_before_min_span_has_no_verdict(void **state)
{
	struct ow_trend tr;
	struct ow_trend_result r;
	uint64_t t;

	ow_trend_init(&tr, WIDTH, WINDOW, MIN_SPAN);
	/* a steep rise, but only 2.5 s of it */
	for (t = 0; t <= 2500 * MS; t += 100 * MS)
		ow_trend_add(&tr, T0 + t, 10 * MiB + t / MS * MiB / 10);
	ow_trend_eval(&tr, T0 + 2500 * MS, NOISE, &r);
	assert_false(r.valid);
	assert_false(r.rising);
	assert_true(r.floor_rate == 0);
	assert_int_equal(r.last, 260 * MiB);
	assert_true(fabs(r.span_s - 2.5) < 1e-9);
	/* the last quarter's rate is there without a verdict: 100 MiB/s */
	assert_true(r.recent_rate > 80 * MiB_D && r.recent_rate < 115 * MiB_D);
}

static void test_span_is_capped_at_window(void **state)
{
	struct ow_trend tr;
	struct ow_trend_result r;
	uint64_t t;

	ow_trend_init(&tr, WIDTH, WINDOW, MIN_SPAN);
	for (t = 0; t <= 30 * NS; t += NS)
		ow_trend_add(&tr, T0 + t, 50 * MiB);
	ow_trend_eval(&tr, T0 + 30 * NS, NOISE, &r);
	assert_true(r.valid);
	assert_false(r.rising);
	assert_true(r.span_s == 20.0);
}

static void test_rise_below_noise_is_not_rising(void **state)
{
	struct ow_trend tr;
	struct ow_trend_result r;
	uint64_t t;

	/* 64 KiB/s: 320 KiB per 5 s quarter, under the 512 KiB noise */
	ow_trend_init(&tr, WIDTH, WINDOW, MIN_SPAN);
	for (t = 0; t <= 20 * NS; t += NS / 2)
		ow_trend_add(&tr, T0 + t, 50 * MiB + t / MS * 64);
	ow_trend_eval(&tr, T0 + 20 * NS, NOISE, &r);
	assert_true(r.valid);
	assert_false(r.rising);
	assert_true(r.floor_rate == 0);
	/* the same series is a rise when no noise is allowed */
	ow_trend_eval(&tr, T0 + 20 * NS, 0, &r);
	assert_true(r.rising);
	assert_true(fabs(r.floor_rate - 64000) < 0.15 * 64000);
}

static void test_falling_series_is_not_rising(void **state)
{
	struct ow_trend tr;
	struct ow_trend_result r;
	uint64_t t;

	ow_trend_init(&tr, WIDTH, WINDOW, MIN_SPAN);
	for (t = 0; t <= 20 * NS; t += NS / 4)
		ow_trend_add(&tr, T0 + t, 200 * MiB - t / MS * MiB / 200);
	ow_trend_eval(&tr, T0 + 20 * NS, NOISE, &r);
	assert_true(r.valid);
	assert_false(r.rising);
	assert_true(r.recent_rate == 0);
	assert_int_equal(r.last, 100 * MiB);
}

/* Thousands of samples in one bucket fold into its min, max and last. */
static void test_samples_fold_into_one_bucket(void **state)
{
	struct ow_trend tr;
	unsigned int i;

	ow_trend_init(&tr, WIDTH, WINDOW, MIN_SPAN);
	for (i = 0; i < 5000; i++)
		ow_trend_add(&tr, T0 + i * 40000ULL, (i * 7919ULL) % 1000 + 100);
	ow_trend_add(&tr, T0 + 249 * MS, 555);
	assert_int_equal(tr.count, 1);
	assert_int_equal(tr.b[tr.head].min, 100);
	assert_int_equal(tr.b[tr.head].max, 1099);
	assert_int_equal(tr.b[tr.head].last, 555);
	assert_int_equal(tr.b[tr.head].start_ns, T0);
}

/* A new bucket starts from the value that held into it, so the floor sees it. */
static void test_new_bucket_carries_previous_value(void **state)
{
	struct ow_trend tr;

	ow_trend_init(&tr, WIDTH, WINDOW, MIN_SPAN);
	ow_trend_add(&tr, T0, 10 * MiB);
	ow_trend_add(&tr, T0 + 2 * NS + 100 * MS, 30 * MiB);
	assert_int_equal(tr.count, 2);
	assert_int_equal(tr.b[tr.head].start_ns, T0 + 2 * NS);
	assert_int_equal(tr.b[tr.head].min, 10 * MiB);
	assert_int_equal(tr.b[tr.head].max, 30 * MiB);
	assert_int_equal(tr.b[tr.head].last, 30 * MiB);
}

/* More buckets than the ring holds: the oldest are overwritten and a leak is still judged on
 * the last window, with the right rate. */
static void test_ring_wraps_and_keeps_judging(void **state)
{
	struct ow_trend tr;
	struct ow_trend_result r;
	uint64_t t, end = 200 * NS;

	ow_trend_init(&tr, WIDTH, WINDOW, MIN_SPAN);
	for (t = 0; t <= end; t += 50 * MS) /* 4000 samples, 800 buckets */
		ow_trend_add(&tr, T0 + t, 10 * MiB + t / MS * MiB / 1000 * 3);
	assert_int_equal(tr.count, OW_TREND_BUCKETS);
	assert_int_equal(tr.b[(tr.head + 1) % OW_TREND_BUCKETS].start_ns,
			 T0 + end - (OW_TREND_BUCKETS - 1) * WIDTH);
	ow_trend_eval(&tr, T0 + end, NOISE, &r);
	assert_true(r.valid);
	assert_true(r.rising);
	assert_true(r.span_s == 20.0);
	assert_true(fabs(r.floor_rate - 3 * MiB_D) < 0.05 * 3 * MiB_D);
	assert_true(fabs(r.recent_rate - 3 * MiB_D) < 0.05 * 3 * MiB_D);
	assert_int_equal(r.last, 10 * MiB + 600 * MiB);
	assert_int_equal(r.peak, r.last);
}

static void test_reset_forgets_history_keeps_config(void **state)
{
	struct ow_trend tr;
	struct ow_trend_result r;
	uint64_t t;

	ow_trend_init(&tr, WIDTH, WINDOW, MIN_SPAN);
	for (t = 0; t <= 20 * NS; t += NS / 4)
		ow_trend_add(&tr, T0 + t, 10 * MiB + t / MS * MiB / 100);
	ow_trend_reset(&tr);
	assert_int_equal(tr.count, 0);
	assert_int_equal(tr.width_ns, WIDTH);
	assert_int_equal(tr.window_ns, WINDOW);
	assert_int_equal(tr.min_span_ns, MIN_SPAN);
	ow_trend_eval(&tr, T0 + 20 * NS, NOISE, &r);
	assert_false(r.valid);
	assert_false(r.rising);
}

static void test_zero_width_does_not_divide_by_zero(void **state)
{
	struct ow_trend tr;
	struct ow_trend_result r;

	ow_trend_init(&tr, 0, 0, 0);
	assert_int_equal(tr.width_ns, 1);
	ow_trend_add(&tr, 12345, 1);
	ow_trend_add(&tr, 12346, 2);
	ow_trend_eval(&tr, 12346, 0, &r);
	assert_int_equal(r.last, 2);
}

/* A clock that goes back: the sample folds into the newest bucket (no new bucket, no
 * reordering), an evaluation at an earlier time judges nothing, and the trend goes on. */
static void test_clock_going_back(void **state)
{
	struct ow_trend tr;
	struct ow_trend_result r;
	uint64_t t;
	unsigned int count;

	ow_trend_init(&tr, WIDTH, WINDOW, MIN_SPAN);
	for (t = 0; t <= 10 * NS; t += NS / 2)
		ow_trend_add(&tr, T0 + t, 50 * MiB);
	count = tr.count;
	ow_trend_add(&tr, T0 + 5 * NS, 40 * MiB);
	assert_int_equal(tr.count, count);
	assert_int_equal(tr.b[tr.head].start_ns, T0 + 10 * NS);
	assert_int_equal(tr.b[tr.head].last, 40 * MiB);
	assert_int_equal(tr.b[tr.head].min, 40 * MiB);
	assert_int_equal(tr.b[tr.head].max, 50 * MiB);

	/* evaluated at a time before all history */
	ow_trend_eval(&tr, T0 - NS, NOISE, &r);
	assert_false(r.valid);
	assert_false(r.rising);
	assert_true(r.span_s == 0);
	assert_int_equal(r.last, 40 * MiB);
	/* evaluated back in the middle of the history */
	ow_trend_eval(&tr, T0 + 5 * NS, NOISE, &r);
	assert_false(r.rising);
	assert_int_equal(r.last, 40 * MiB);

	/* time moves forward again: a leak after the jump is still seen */
	for (t = 10 * NS + NS / 4; t <= 40 * NS; t += NS / 4)
		ow_trend_add(&tr, T0 + t, 40 * MiB + (t - 10 * NS) / MS * MiB / 500);
	ow_trend_eval(&tr, T0 + 40 * NS, NOISE, &r);
	assert_true(r.valid);
	assert_true(r.rising);
	assert_true(fabs(r.floor_rate - 2 * MiB_D) < 0.15 * 2 * MiB_D);
}

/* ---- ow_eta_seconds ---- */

static void test_eta_seconds(void **state)
{
	assert_true(ow_eta_seconds(100, 100, 5) == 0);
	assert_true(ow_eta_seconds(200, 100, 5) == 0);
	assert_true(ow_eta_seconds(200, 100, 0) == 0);
	assert_true(ow_eta_seconds(100, 100, -5) == 0);
	assert_true(isinf(ow_eta_seconds(0, 100, 0)) && ow_eta_seconds(0, 100, 0) > 0);
	assert_true(isinf(ow_eta_seconds(50, 100, -1)) && ow_eta_seconds(50, 100, -1) > 0);
	assert_true(ow_eta_seconds(50, 100, 10) == 5);
	assert_true(fabs(ow_eta_seconds(192 * MiB, 256 * MiB, 4 * MiB_D) - 16) < 1e-9);
	assert_true(fabs(ow_eta_seconds(0, UINT64_MAX, 1e18) - 18.446744073709551615) < 1e-6);
}

/* ---- ow_slope ---- */

static void test_slope_needs_two_samples_and_time(void **state)
{
	uint64_t t[3] = {T0, T0, T0}, v[3] = {1, 2, 3};

	assert_true(ow_slope(t, v, 0) == 0);
	assert_true(ow_slope(t, v, 1) == 0);
	assert_true(ow_slope(t, v, 3) == 0); /* no time between them */
}

static void test_slope_of_a_line_is_exact(void **state)
{
	uint64_t t[8], v[8];
	unsigned int i;

	/* a huge clock value must not cost precision: times are taken relative to the first */
	for (i = 0; i < 8; i++) {
		t[i] = 0x7000000000000000ULL + i * 100 * MS;
		v[i] = 4096 * MiB + i * MiB;
	}
	assert_true(fabs(ow_slope(t, v, 8) - 10 * MiB_D) < 1e-3);
}

static void test_slope_least_squares(void **state)
{
	/* 0, 2, 1, 3 at 0..3 s: least squares slope 0.8 */
	uint64_t t[4] = {T0, T0 + NS, T0 + 2 * NS, T0 + 3 * NS}, v[4] = {0, 2, 1, 3};
	/* falling */
	uint64_t w[4] = {400, 300, 200, 100};

	assert_true(fabs(ow_slope(t, v, 4) - 0.8) < 1e-9);
	assert_true(fabs(ow_slope(t, w, 4) + 100) < 1e-9);
	/* uneven spacing: two points decide */
	assert_true(fabs(ow_slope(t, w, 2) + 100) < 1e-9);
}

/* ---- ow_floor_rises: the floor test shared with diagnose ---- */

static void test_floor_rises_counts_steps_of_at_least_min_rise(void **state)
{
	const uint64_t steady[4] = {100, 200, 300, 400}, held[4] = {100, 200, 200, 300};
	const uint64_t fell[4] = {400, 300, 200, 100}, exact[4] = {0, 4096, 8192, 12288};

	assert_int_equal(ow_floor_rises(steady, 1), 3);
	assert_int_equal(ow_floor_rises(steady, 100), 3);
	assert_int_equal(ow_floor_rises(steady, 101), 0);
	assert_int_equal(ow_floor_rises(held, 1), 2); /* a flat quarter is no rise */
	assert_int_equal(ow_floor_rises(held, 0), 3); /* ... unless nothing is asked of it */
	assert_int_equal(ow_floor_rises(fell, 0), 0);
	/* diagnose asks a page, and a page is enough; the trend asks more than its noise */
	assert_int_equal(ow_floor_rises(exact, 4096), 3);
	assert_int_equal(ow_floor_rises(exact, 4096 + 1), 0);
}

static void test_floor_rises_empty_quarters_and_extremes(void **state)
{
	const uint64_t gap[4] = {100, OW_FLOOR_NONE, 300, 400};
	const uint64_t none[4] = {OW_FLOOR_NONE, OW_FLOOR_NONE, OW_FLOOR_NONE, OW_FLOOR_NONE};
	const uint64_t huge[4] = {0, UINT64_MAX - 2, UINT64_MAX - 1, UINT64_MAX - 1};

	assert_int_equal(ow_floor_rises(gap, 1), 1); /* only 300 -> 400 */
	assert_int_equal(ow_floor_rises(none, 0), 0);
	/* no overflow near the top of the range */
	assert_int_equal(ow_floor_rises(huge, UINT64_MAX - 2), 1);
	assert_int_equal(ow_floor_rises(huge, 1), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_leak_2mib_rising_and_rate),
		cmocka_unit_test(test_linear_leak_32mib_rising_and_rate),
		cmocka_unit_test(test_linear_leak_512mib_rising_and_rate),
		cmocka_unit_test(test_fast_leak_recent_rate_before_verdict),
		cmocka_unit_test(test_sawtooth_flat_floor_1s_never_rising),
		cmocka_unit_test(test_sawtooth_flat_floor_4s_never_rising),
		cmocka_unit_test(test_sawtooth_flat_floor_10s_never_rising),
		cmocka_unit_test(test_sawtooth_peak_is_top_of_teeth),
		cmocka_unit_test(test_sawtooth_rising_floor_is_rising),
		cmocka_unit_test(test_startup_burst_at_start_never_rising),
		cmocka_unit_test(test_startup_burst_after_flat_history_never_rising),
		cmocka_unit_test(test_startup_burst_under_a_second_never_rising),
		cmocka_unit_test(test_startup_burst_coarse_trend_never_rising),
		cmocka_unit_test(test_plateau_stops_rising_within_a_window),
		cmocka_unit_test(test_eval_empty_trend_has_no_verdict),
		cmocka_unit_test(test_eval_before_min_span_has_no_verdict),
		cmocka_unit_test(test_span_is_capped_at_window),
		cmocka_unit_test(test_rise_below_noise_is_not_rising),
		cmocka_unit_test(test_falling_series_is_not_rising),
		cmocka_unit_test(test_samples_fold_into_one_bucket),
		cmocka_unit_test(test_new_bucket_carries_previous_value),
		cmocka_unit_test(test_ring_wraps_and_keeps_judging),
		cmocka_unit_test(test_reset_forgets_history_keeps_config),
		cmocka_unit_test(test_zero_width_does_not_divide_by_zero),
		cmocka_unit_test(test_clock_going_back),
		cmocka_unit_test(test_eta_seconds),
		cmocka_unit_test(test_slope_needs_two_samples_and_time),
		cmocka_unit_test(test_slope_of_a_line_is_exact),
		cmocka_unit_test(test_slope_least_squares),
		cmocka_unit_test(test_floor_rises_counts_steps_of_at_least_min_rise),
		cmocka_unit_test(test_floor_rises_empty_quarters_and_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
