// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/core/brake.c: when to brake, at what value, leak or burst under the
 * brake, the drain's raise. Times and sizes synthetic; the scenarios are issue 16's rows.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "brake.h"
#include "memcg.h"

#define NS    1000000000ULL
#define MS    1000000ULL
#define MiB   (1024ULL * 1024)
#define LIMIT (512 * MiB)
#define T0    (1000 * NS)

static struct ow_brake_want want_at(double mib, double eta_s)
{
	struct ow_brake_want in = {
		.enabled = true,
		.climbing = true,
		.eta_s = eta_s,
		.grace_s = 10,
		.nonrecl = (uint64_t)(mib * MiB),
		.limit = LIMIT,
		.high_water = 0.9,
		.kill_water = 0.97,
	};

	return in;
}

static void test_wanted_at_high_water_while_climbing(void **state)
{
	struct ow_brake_want in = want_at(470, INFINITY); /* 91.8 %, no trend yet */

	(void)state;
	assert_true(ow_brake_wanted(&in));
	in.climbing = false; /* flat at 92 %: a burst that ended, nothing to brake */
	assert_false(ow_brake_wanted(&in));
	in = want_at(400, INFINITY); /* 78 %, no prediction: a start-up burst is left alone */
	assert_false(ow_brake_wanted(&in));
	/* first seen at 98.8 % (1 s samples): no room to crawl, stopped unbraked (a braked
	 * process sleeps in the kernel and cannot run its SIGTERM handler) */
	in = want_at(506, 0.05);
	assert_false(ow_brake_wanted(&in));
	in = want_at(496, 0.05); /* 96.9 % */
	assert_true(ow_brake_wanted(&in));
}

static void test_wanted_when_the_limit_comes_before_the_grace(void **state)
{
	struct ow_brake_want in = want_at(300, 8); /* the trend: 8 s, the grace needs 10 */

	(void)state;
	assert_true(ow_brake_wanted(&in));
	in.eta_s = 12;
	assert_false(ow_brake_wanted(&in));
	in.grace_s = 30; /* a manager's TimeoutStopSec=30 needs more */
	assert_true(ow_brake_wanted(&in));
}

static void test_not_wanted_when_off_on_or_unlimited(void **state)
{
	struct ow_brake_want in = want_at(500, 1);

	(void)state;
	in.enabled = false; /* --brake off, or cgroup v1 */
	assert_false(ow_brake_wanted(&in));
	in = want_at(500, 1);
	in.on = true; /* already braked */
	assert_false(ow_brake_wanted(&in));
	in = want_at(500, 1);
	in.limit = OW_NO_LIMIT;
	assert_false(ow_brake_wanted(&in));
}

static struct ow_brake_files files(double current_mib)
{
	struct ow_brake_files f = {
		.high = OW_NO_LIMIT,
		.low = 0,
		.min = 0,
		.current = (uint64_t)(current_mib * MiB),
		.max = OW_NO_LIMIT,
	};

	return f;
}

static void test_value_just_above_the_usage(void **state)
{
	struct ow_brake_files f = files(461);
	uint64_t v = 0;

	(void)state;
	/* 1 % of 512 MiB (5.12 MiB) above 461 MiB (a cap at 99 % of the limit) */
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.99, &v), OW_BRAKE_OK);
	assert_int_equal(v, 461 * MiB + LIMIT / 100);
	/* a small limit: the 2 MiB floor of the margin */
	f = files(60);
	assert_int_equal(ow_brake_value(&f, 64 * MiB, 0.99, &v), OW_BRAKE_OK);
	assert_int_equal(v, 62 * MiB);
}

static void test_value_never_below_low_or_min(void **state)
{
	struct ow_brake_files f = files(300);
	uint64_t v = 0;

	(void)state;
	f.low = 400 * MiB;
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_OK);
	assert_int_equal(v, 400 * MiB);
	f.min = 420 * MiB;
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_OK);
	assert_int_equal(v, 420 * MiB);
}

static void test_admin_high_lower_is_left_alone(void **state)
{
	struct ow_brake_files f = files(290);
	uint64_t v = 7;

	(void)state;
	f.high = 300 * MiB; /* the administrator's 300 MiB is above 290 + 5.12 MiB: braked */
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_OK);
	assert_int_equal(v, 290 * MiB + LIMIT / 100);
	f.current = 296 * MiB; /* now the brake would sit above 300 MiB: theirs stands */
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_ADMIN_LOWER);
	f.high = 301 * MiB + LIMIT / 100;
	f.current = 301 * MiB;
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_ADMIN_LOWER); /* equal */
	assert_non_null(strstr(ow_brake_refusal_str(OW_BRAKE_ADMIN_LOWER), "memory.high"));
}

static void test_no_room_below_the_limit(void **state)
{
	struct ow_brake_files f = files(300);
	uint64_t v = 0;

	(void)state;
	/* memory.min (or low) at the limit: no brake can go between it and the limit */
	f.min = LIMIT;
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_NO_ROOM);
	/* the leaf's own memory.max counts when it is lower than the effective limit */
	f = files(250);
	f.max = 252 * MiB;
	f.low = 252 * MiB;
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_NO_ROOM);
	f.low = 0; /* then the cap is its 90 % */
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_OK);
	assert_int_equal(v, (uint64_t)(0.9 * 252 * MiB));
	f = files(250);
	assert_int_equal(ow_brake_value(&f, OW_NO_LIMIT, 0.9, &v), OW_BRAKE_NO_ROOM);
	assert_string_equal(ow_brake_refusal_str(OW_BRAKE_OK), "ok");
}

static void test_value_capped_at_high_water(void **state)
{
	/* a restarted daemon finds the leak at 493 MiB of 512: the brake goes below it, at the
	 * high-water mark (460.8 MiB), where one above would leave the crawl 14 MiB */
	struct ow_brake_files f = files(493);
	uint64_t v = 0;

	(void)state;
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_OK);
	assert_int_equal(v, (uint64_t)(0.9 * LIMIT));
	/* but not below memory.low */
	f.low = 480 * MiB;
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_OK);
	assert_int_equal(v, 480 * MiB);
	/* and an administrator's memory.high at 470 MiB stands */
	f = files(493);
	f.high = 470 * MiB;
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_OK);
	f.high = 460 * MiB;
	assert_int_equal(ow_brake_value(&f, LIMIT, 0.9, &v), OW_BRAKE_ADMIN_LOWER);
}

static void test_raised_for_the_drain(void **state)
{
	uint64_t v = 466 * MiB;

	(void)state;
	/* 2 % of the limit above the brake */
	assert_int_equal(ow_brake_raised(v, 460 * MiB, LIMIT, OW_NO_LIMIT), v + 2 * LIMIT / 100);
	/* above the usage when the throttled cgroup sits over its brake */
	assert_int_equal(ow_brake_raised(v, 472 * MiB, LIMIT, OW_NO_LIMIT),
			 472 * MiB + 2 * LIMIT / 100);
	/* never past 95 % of the limit (kill water is 97 %) */
	assert_int_equal(ow_brake_raised(v, 485 * MiB, LIMIT, OW_NO_LIMIT),
			 (uint64_t)(0.95 * LIMIT));
	/* never above the original memory.high */
	assert_int_equal(ow_brake_raised(v, 0, LIMIT, 470 * MiB), 470 * MiB);
	/* never lower than it is */
	assert_int_equal(ow_brake_raised(500 * MiB, 0, LIMIT, OW_NO_LIMIT), 500 * MiB);
}

/* Readings every `step_ms` for `secs`; the cgroup presses (events and usage rise) for
 * `press_s`, then stays flat. Returns the first call that is not HOLD, and when. */
static enum ow_brake_call follow(double press_s, double secs, unsigned int step_ms, bool victim,
				 double *when)
{
	struct ow_brake_track t;
	uint64_t now, cur = 466 * MiB, ev = 10;

	ow_brake_track_start(&t, T0, cur, ev);
	for (now = T0 + step_ms * MS; now <= T0 + (uint64_t)(secs * NS); now += step_ms * MS) {
		enum ow_brake_call c;

		if ((double)(now - T0) / NS <= press_s) {
			cur += MiB;
			ev += 3;
		}
		ow_brake_track_add(&t, now, cur, ev);
		c = ow_brake_judge(&t, now, victim);
		if (c != OW_BRAKE_HOLD) {
			*when = (double)(now - T0) / NS;
			return c;
		}
	}
	*when = secs;
	return OW_BRAKE_HOLD;
}

static void test_leak_keeps_pressing(void **state)
{
	double when;

	(void)state;
	assert_int_equal(follow(100, 10, 250, false, &when), OW_BRAKE_LEAK);
	assert_true(fabs(when - 2.0) < 1e-9);
	/* with one reading a second too */
	assert_int_equal(follow(100, 10, 1000, false, &when), OW_BRAKE_LEAK);
	assert_true(fabs(when - 2.0) < 1e-9);
}

static void test_burst_stops_under_the_brake(void **state)
{
	double when;

	(void)state;
	/* a throttled tail of 0.75 s, then flat: lifted 5 s after its last press */
	assert_int_equal(follow(0.75, 20, 250, false, &when), OW_BRAKE_LIFT);
	assert_true(fabs(when - 5.75) < 1e-9);
}

static void test_victim_draining_holds_the_brake(void **state)
{
	double when;

	(void)state;
	assert_int_equal(follow(100, 30, 250, true, &when), OW_BRAKE_HOLD);
	assert_int_equal(follow(0, 30, 250, true, &when), OW_BRAKE_HOLD);
}

static void test_slow_crawl_adds_up_to_a_press(void **state)
{
	struct ow_brake_track t;
	uint64_t cur = 466 * MiB;
	unsigned int i;

	(void)state;
	/* 100 KiB a reading, no new high events: each step is under the noise, the sum is not */
	ow_brake_track_start(&t, T0, cur, 5);
	ow_brake_track_add(&t, T0 + 250 * MS, cur + 100 * 1024, 5);
	ow_brake_track_add(&t, T0 + 500 * MS, cur + 200 * 1024, 5);
	assert_int_equal(t.press_ns, T0);
	ow_brake_track_add(&t, T0 + 750 * MS, cur + 300 * 1024, 5);
	assert_int_equal(t.press_ns, T0 + 750 * MS);
	/* the same crawl for 3 s is a leak */
	for (i = 4; i <= 12; i++)
		ow_brake_track_add(&t, T0 + i * 250 * MS, cur + i * 100 * 1024, 5);
	assert_int_equal(ow_brake_judge(&t, T0 + 3 * NS, false), OW_BRAKE_LEAK);
}

/* Readings a millisecond apart (an event and a tick) see nothing new: no pause for that. */
static void test_readings_close_together_do_not_break_a_streak(void **state)
{
	struct ow_brake_track t;
	uint64_t now, cur = 466 * MiB, ev = 10;

	(void)state;
	ow_brake_track_start(&t, T0, cur, ev);
	for (now = T0 + 500 * MS; now <= T0 + 2 * NS; now += 500 * MS) {
		ow_brake_track_add(&t, now, cur += MiB, ev += 1);
		ow_brake_track_add(&t, now + MS, cur, ev); /* nothing new */
		assert_int_equal(t.streak_ns, T0);
	}
	assert_int_equal(ow_brake_judge(&t, T0 + 2 * NS + MS, false), OW_BRAKE_LEAK);
	/* a pause over 1.5 s starts a new streak */
	ow_brake_track_add(&t, T0 + 3600 * MS, cur += MiB, ev += 1);
	assert_int_equal(t.streak_ns, T0 + 3600 * MS);
	assert_int_equal(ow_brake_judge(&t, T0 + 3600 * MS, false), OW_BRAKE_HOLD);
}

/* Braked, the high-water rule waits for the judgement; past kill water nothing waits (the
 * lockdown guests' 32 MiB/s leak, sampled once a second, was first seen at 98.8 %, braked
 * below its usage, and OOM-killed while the brake judged it). */
static void test_defers_the_high_water_act_below_kill_water(void **state)
{
	(void)state;
	assert_true(ow_brake_defers(true, false, 480 * MiB, LIMIT, 0.97));
	assert_false(ow_brake_defers(true, false, 500 * MiB, LIMIT, 0.97));  /* 97.7 % */
	assert_false(ow_brake_defers(false, false, 480 * MiB, LIMIT, 0.97)); /* a trend's act */
	assert_false(ow_brake_defers(true, false, 480 * MiB, OW_NO_LIMIT, 0.97));
	assert_false(ow_brake_defers(true, true, 480 * MiB, LIMIT, 0.97)); /* set late */
}

/* Set as the usage crossed the high-water mark (a brake at the mark, the usage a little past
 * it) is not late; found 2 % of the limit past the brake is (degraded mode's 1 s samples: the
 * lockdown guests' 32 MiB/s leak, braked at 230 MiB with 244 MiB of 256 in use). */
static void test_late_brake(void **state)
{
	(void)state;
	assert_false(ow_brake_late(462 * MiB, 460 * MiB, LIMIT));
	assert_false(ow_brake_late(470 * MiB, 460 * MiB, LIMIT)); /* 1.95 % of 512 MiB */
	assert_true(ow_brake_late(471 * MiB, 460 * MiB, LIMIT));
	assert_true(ow_brake_late(244 * MiB, 230 * MiB, 256 * MiB));
	assert_false(ow_brake_late(400 * MiB, 460 * MiB, LIMIT)); /* below the brake */
	assert_false(ow_brake_late(600 * MiB, 460 * MiB, OW_NO_LIMIT));
}

/* Degraded mode reads once a second: a reading 1.2 s after the last press still continues
 * the streak. */
static void test_one_second_samples_make_a_streak(void **state)
{
	struct ow_brake_track t;

	(void)state;
	ow_brake_track_start(&t, T0, 466 * MiB, 0);
	ow_brake_track_add(&t, T0 + 1010 * MS, 468 * MiB, 3);
	ow_brake_track_add(&t, T0 + 2020 * MS, 470 * MiB, 6);
	assert_int_equal(t.streak_ns, T0);
	assert_int_equal(ow_brake_judge(&t, T0 + 2020 * MS, false), OW_BRAKE_LEAK);
}

static void test_nobody_signalled_gives_up(void **state)
{
	struct ow_brake_track t;

	(void)state;
	/* braked a minute ago, pressing now (a new streak), nobody signalled: the brake goes */
	ow_brake_track_start(&t, T0, 466 * MiB, 0);
	ow_brake_track_add(&t, T0 + 59 * NS, 500 * MiB, 40);
	assert_int_equal(ow_brake_judge(&t, T0 + 59 * NS, false), OW_BRAKE_HOLD);
	assert_int_equal(ow_brake_judge(&t, T0 + 60 * NS, false), OW_BRAKE_GIVE_UP);
	/* with a victim on its way out, it stays */
	assert_int_equal(ow_brake_judge(&t, T0 + 60 * NS, true), OW_BRAKE_HOLD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wanted_at_high_water_while_climbing),
		cmocka_unit_test(test_wanted_when_the_limit_comes_before_the_grace),
		cmocka_unit_test(test_not_wanted_when_off_on_or_unlimited),
		cmocka_unit_test(test_value_just_above_the_usage),
		cmocka_unit_test(test_value_never_below_low_or_min),
		cmocka_unit_test(test_admin_high_lower_is_left_alone),
		cmocka_unit_test(test_no_room_below_the_limit),
		cmocka_unit_test(test_value_capped_at_high_water),
		cmocka_unit_test(test_raised_for_the_drain),
		cmocka_unit_test(test_leak_keeps_pressing),
		cmocka_unit_test(test_burst_stops_under_the_brake),
		cmocka_unit_test(test_victim_draining_holds_the_brake),
		cmocka_unit_test(test_slow_crawl_adds_up_to_a_press),
		cmocka_unit_test(test_readings_close_together_do_not_break_a_streak),
		cmocka_unit_test(test_defers_the_high_water_act_below_kill_water),
		cmocka_unit_test(test_late_brake),
		cmocka_unit_test(test_one_second_samples_make_a_streak),
		cmocka_unit_test(test_nobody_signalled_gives_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
