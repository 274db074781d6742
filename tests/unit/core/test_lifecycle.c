// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/core/lifecycle.c: every decision of a cgroup's lifecycle on literal
 * structs, and replays of the defects once fixed in those lines of the daemon: the dry-run act
 * flood (cd97733), the OOM kill outside the watched subtrees (3259e1c) and our own reaped
 * victim (713d833). All times are synthetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "lifecycle.h"

#define NS	   1000000000ULL
#define MS	   1000000ULL
#define MiB	   (1024ULL * 1024)
#define LIMIT	   (256 * MiB)
#define T0	   (5000 * NS)
#define COOL	   30.0 /* cooldown_s */
#define SIGKILL_ST 9	/* a wait status: killed by signal 9 */

/* A cgroup at act, no victim, no hold, at `mib` of a 256 MiB limit, high water at 0.9. */
static struct ow_lc_eval at_act(uint64_t now, uint64_t mib)
{
	struct ow_lc_eval in = {
		.now_ns = now,
		.level = OW_LEVEL_ACT,
		.nonrecl = mib * MiB,
		.eff_limit = LIMIT,
		.high_water = 0.9,
	};

	return in;
}

static void test_step_victim_on_its_way_out_waits(void **state)
{
	struct ow_lc_eval in = at_act(T0, 250);

	in.has_victim = true;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
	in.level = OW_LEVEL_OK; /* not even a level change while it goes */
	assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
}

static void test_step_kill_now_escalates_once(void **state)
{
	struct ow_lc_eval in = at_act(T0, 250);

	in.has_victim = true;
	in.kill_now = true;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_ESCALATE);
	in.killed = true; /* SIGKILL already sent: never again */
	assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
}

static void test_step_below_act_sets_the_level(void **state)
{
	struct ow_lc_eval in = at_act(T0, 250);

	in.level = OW_LEVEL_WARN;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_SET_LEVEL);
	in.level = OW_LEVEL_OK;
	in.retry_after_ns = T0 + NS; /* holds only the act, never the level */
	in.cooldown_until_ns = T0 + NS;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_SET_LEVEL);
}

static void test_step_acts_when_the_cooldown_is_over(void **state)
{
	struct ow_lc_eval in = at_act(T0, 100);

	assert_int_equal(ow_lc_next_step(&in), OW_LC_ACT);
	in.cooldown_until_ns = T0 + 1;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
	in.cooldown_until_ns = T0; /* the moment it ends */
	assert_int_equal(ow_lc_next_step(&in), OW_LC_ACT);
}

static void test_step_high_water_bypasses_the_cooldown(void **state)
{
	struct ow_lc_eval in = at_act(T0, 231); /* 0.9 * 256 = 230.4 MiB */

	in.cooldown_until_ns = T0 + 10 * NS;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_ACT);
	in.nonrecl = 230 * MiB;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
}

/* A leak pressing against the brake (brake.h) is acted on past the cooldown, even below high
 * water (a brake set early, when the limit came before the grace). */
static void test_step_brake_leak_bypasses_the_cooldown(void **state)
{
	struct ow_lc_eval in = at_act(T0, 200);

	in.cooldown_until_ns = T0 + 10 * NS;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
	in.brake_leak = true;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_ACT);
	in.retry_after_ns = T0 + 1; /* but not past a retry hold */
	assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
}

static void test_step_retry_hold_beats_high_water(void **state)
{
	struct ow_lc_eval in = at_act(T0, 255);

	in.retry_after_ns = T0 + 1;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
	in.retry_after_ns = T0;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_ACT);
}

static void test_cooldown_end(void **state)
{
	assert_int_equal(ow_lc_cooldown_end(T0, 2.5), T0 + 2500 * MS);
	assert_int_equal(ow_lc_cooldown_end(T0, 0), T0);
}

/*
 * Replay of cd97733: a --dry-run acted on every event past high water (nothing was done, so
 * the cgroup stayed past it and the bypass fired again). It holds the whole cooldown, as a
 * real action's cooldown would, past high water too.
 */
static void test_replay_dry_run_holds_like_a_real_action(void **state)
{
	struct ow_lc_holds h = {0, 0};
	struct ow_lc_eval in;

	ow_lc_after_attempt(OW_LC_DRY_RUN, T0, COOL, &h);
	assert_int_equal(h.cooldown_until_ns, T0 + 30 * NS);
	assert_int_equal(h.retry_after_ns, T0 + 30 * NS);
	for (uint64_t dt = MS; dt < 30 * NS; dt = dt * 3 + 7 * MS) {
		in = at_act(T0 + dt, 255); /* past high water at every event */
		in.cooldown_until_ns = h.cooldown_until_ns;
		in.retry_after_ns = h.retry_after_ns;
		assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
	}
	in = at_act(T0 + 30 * NS, 255);
	in.cooldown_until_ns = h.cooldown_until_ns;
	in.retry_after_ns = h.retry_after_ns;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_ACT);
}

/* No victim: the cooldown, and a short hold past high water (a victim may start growing). */
static void test_after_no_victim(void **state)
{
	struct ow_lc_holds h = {0, 0};
	struct ow_lc_eval in;

	ow_lc_after_attempt(OW_LC_NO_VICTIM, T0, COOL, &h);
	assert_int_equal(h.cooldown_until_ns, T0 + 30 * NS);
	assert_int_equal(h.retry_after_ns, T0 + NS);
	in = at_act(T0 + 500 * MS, 255);
	in.cooldown_until_ns = h.cooldown_until_ns;
	in.retry_after_ns = h.retry_after_ns;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
	in.now_ns = T0 + NS; /* past high water: the bypass again */
	assert_int_equal(ow_lc_next_step(&in), OW_LC_ACT);
	in.nonrecl = 200 * MiB; /* below it: the cooldown */
	assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
}

/* A failed signal: retried after a second; the cooldown is left as it was. */
static void test_after_signal_failed(void **state)
{
	struct ow_lc_holds h = {.cooldown_until_ns = 42, .retry_after_ns = 0};

	ow_lc_after_attempt(OW_LC_SIGNAL_FAILED, T0, COOL, &h);
	assert_int_equal(h.cooldown_until_ns, 42);
	assert_int_equal(h.retry_after_ns, T0 + NS);
}

static struct ow_lc_timer tick_at(uint64_t now, uint64_t deadline)
{
	struct ow_lc_timer in = {
		.now_ns = now,
		.level = OW_LEVEL_ACT,
		.has_victim = true,
		.deadline_ns = deadline,
	};

	return in;
}

static void test_tick_samples_what_is_not_ok(void **state)
{
	struct ow_lc_timer in = {.now_ns = T0, .level = OW_LEVEL_OK};

	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_NONE);
	in.degraded = true; /* no events: every cgroup each tick */
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_EVALUATE);
	in.degraded = false;
	in.level = OW_LEVEL_WARN;
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_EVALUATE);
	in = tick_at(T0, T0 + 1); /* a victim within its grace: still sampled */
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_EVALUATE);
	in.level = OW_LEVEL_OK;
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_NONE);
	/* a brake on: judged each tick, at ok too (a parent's level may drop while its leaf is
	 * braked, and a burst's brake must still be lifted) */
	in = (struct ow_lc_timer){.now_ns = T0, .level = OW_LEVEL_OK, .braked = true};
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_EVALUATE);
}

/* The pre-stop wait: polled every OW_PRE_STOP_POLL_NS, over at its deadline, and never an
 * escalation (no SIGTERM has gone out: a SIGKILL then would be a stop with no grace). */
static void test_tick_pre_stop(void **state)
{
	struct ow_lc_timer in = tick_at(T0, T0 + 5 * NS);

	in.pre_stop = true;
	in.poll_ns = T0 + 200 * MS;
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_EVALUATE);
	in.now_ns = T0 + 200 * MS;
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_PRE_STOP_POLL);
	in.now_ns = T0 + 5 * NS;
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_PRE_STOP_END);
	in.now_ns = T0 + 60 * NS; /* long past: still the end of the wait, not a SIGKILL */
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_PRE_STOP_END);
}

/* In the wait, a growth that leaves no time, or the dump written, ends it; nothing else acts. */
static void test_step_pre_stop(void **state)
{
	struct ow_lc_eval in = at_act(T0, 250);

	in.has_victim = true;
	in.pre_stop = true;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_WAIT);
	in.pre_stop_done = true;
	assert_int_equal(ow_lc_next_step(&in), OW_LC_PRE_STOP_END);
	in.pre_stop_done = false;
	in.kill_now = true; /* past kill water: the SIGTERM now, never a SIGKILL */
	assert_int_equal(ow_lc_next_step(&in), OW_LC_PRE_STOP_END);
}

static void test_tick_grace_over_escalates(void **state)
{
	struct ow_lc_timer in = tick_at(T0, T0);

	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_ESCALATE);
	in.now_ns = T0 + NS;
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_ESCALATE);
}

static void test_tick_restart_timeout_falls_back(void **state)
{
	struct ow_lc_timer in = tick_at(T0, T0);

	in.restarting = true;
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_RESTART_TIMEOUT);
}

static void test_tick_survived_sigkill_gives_up(void **state)
{
	struct ow_lc_timer in = tick_at(T0 + 5 * NS, T0 + 5 * NS);

	in.killed = true;
	assert_int_equal(ow_lc_on_tick(&in), OW_LC_TICK_GIVE_UP);
}

static void test_job_succeeded(void **state)
{
	assert_true(ow_lc_job_succeeded(1234, 0));	     /* exit 0 */
	assert_false(ow_lc_job_succeeded(1234, 1 << 8));     /* exit 1 */
	assert_false(ow_lc_job_succeeded(1234, SIGKILL_ST)); /* killed */
	assert_false(ow_lc_job_succeeded(-1, 0));	     /* could not be reaped */
}

/* The restart command ended for the cgroup's current victim, still restarting. */
static struct ow_lc_job_end job_end(bool succeeded, bool victim_exited)
{
	struct ow_lc_job_end in = {
		.cg_known = true,
		.restarting = true,
		.has_victim = true,
		.same_victim = true,
		.succeeded = succeeded,
		.victim_exited = victim_exited,
	};

	return in;
}

static void test_restart_outcome(void **state)
{
	struct ow_lc_job_end in = job_end(false, false);

	assert_int_equal(ow_lc_restart_outcome(&in), OW_LC_RESTART_FALLBACK);
	in = job_end(false, true); /* failed, whatever the victim did */
	assert_int_equal(ow_lc_restart_outcome(&in), OW_LC_RESTART_FALLBACK);
	in = job_end(true, false);
	assert_int_equal(ow_lc_restart_outcome(&in), OW_LC_RESTART_STILL_RUNS);
	in = job_end(true, true);
	assert_int_equal(ow_lc_restart_outcome(&in), OW_LC_RESTART_DONE);
}

/* A command that ends after its cgroup moved on only logs: no SIGTERM to anyone. */
static void test_restart_outcome_stale(void **state)
{
	struct ow_lc_job_end in = job_end(false, false);

	in.cg_known = false;
	assert_int_equal(ow_lc_restart_outcome(&in), OW_LC_RESTART_STALE);
	in = job_end(false, false);
	in.restarting = false; /* escalated, or already SIGTERMed on timeout */
	assert_int_equal(ow_lc_restart_outcome(&in), OW_LC_RESTART_STALE);
	in = job_end(false, false);
	in.has_victim = false;
	assert_int_equal(ow_lc_restart_outcome(&in), OW_LC_RESTART_STALE);
	in = job_end(false, false);
	in.same_victim = false; /* a later victim of the same cgroup */
	assert_int_equal(ow_lc_restart_outcome(&in), OW_LC_RESTART_STALE);
}

static void test_level_change(void **state)
{
	struct ow_lc_level in = {.from = OW_LEVEL_OK, .to = OW_LEVEL_OK};

	assert_int_equal(ow_lc_level_change(&in), OW_LC_LEVEL_QUIET); /* ok is ok, any reason */
	in = (struct ow_lc_level){.from = OW_LEVEL_WARN, .to = OW_LEVEL_WARN, .same_reason = true};
	assert_int_equal(ow_lc_level_change(&in), OW_LC_LEVEL_QUIET);
	in.same_reason = false; /* e.g. reached memory.high: logged, not alerted */
	assert_int_equal(ow_lc_level_change(&in), OW_LC_LEVEL_LOG);
	in.held = true; /* a warning held through a pause is the same warning */
	assert_int_equal(ow_lc_level_change(&in), OW_LC_LEVEL_QUIET);
	in = (struct ow_lc_level){.from = OW_LEVEL_OK, .to = OW_LEVEL_WARN, .same_reason = true};
	assert_int_equal(ow_lc_level_change(&in), OW_LC_LEVEL_NEW);
	in = (struct ow_lc_level){.from = OW_LEVEL_ACT, .to = OW_LEVEL_OK, .held = true};
	assert_int_equal(ow_lc_level_change(&in), OW_LC_LEVEL_NEW);
}

static void test_level_alert(void **state)
{
	assert_int_equal(ow_lc_level_alert(OW_LEVEL_OK, OW_LEVEL_WARN), OW_LC_ALERT_WARN);
	assert_int_equal(ow_lc_level_alert(OW_LEVEL_OK, OW_LEVEL_ACT), OW_LC_ALERT_WARN);
	assert_int_equal(ow_lc_level_alert(OW_LEVEL_WARN, OW_LEVEL_OK), OW_LC_ALERT_RESOLVED);
	assert_int_equal(ow_lc_level_alert(OW_LEVEL_ESCALATE, OW_LEVEL_OK), OW_LC_ALERT_RESOLVED);
	/* Within an incident the act and escalate alerts say it; a level is no new alert. */
	assert_int_equal(ow_lc_level_alert(OW_LEVEL_WARN, OW_LEVEL_ACT), OW_LC_ALERT_NONE);
	assert_int_equal(ow_lc_level_alert(OW_LEVEL_ACT, OW_LEVEL_WARN), OW_LC_ALERT_NONE);
	assert_int_equal(ow_lc_level_alert(OW_LEVEL_OK, OW_LEVEL_OK), OW_LC_ALERT_NONE);
}

/*
 * Replay of 713d833: oomwarden SIGKILLed its victim as the cgroup hit its limit; the kernel's
 * OOM path marked the dying task (task_will_free_mem) and an oom_kill alert went out though
 * the memcg's oom_kill count never moved.
 */
static void test_replay_reaped_victim_is_no_oom_kill(void **state)
{
	struct ow_lc_oom_mark in = {
		.pid = 4242, .cg_known = true, .killed = true, .victim_pid = 4242};

	assert_int_equal(ow_lc_oom_mark(&in), OW_LC_OOM_REAPED);
	in.killed = false; /* only SIGTERMed: the kernel's kill is a real one */
	assert_int_equal(ow_lc_oom_mark(&in), OW_LC_OOM_ALERT);
	in.killed = true;
	in.pid = 4243; /* another process of the same cgroup */
	assert_int_equal(ow_lc_oom_mark(&in), OW_LC_OOM_ALERT);
}

/* Replay of 3259e1c: an OOM kill in a memcg outside the --cgroup subtrees came as an oom_kill
 * alert for cgroup "?". */
static void test_replay_oom_kill_elsewhere_is_not_alerted(void **state)
{
	struct ow_lc_oom_mark in = {.pid = 4242, .outside = true};

	assert_int_equal(ow_lc_oom_mark(&in), OW_LC_OOM_ELSEWHERE);
	in.outside = false; /* could not be told where: alerted rather than missed */
	assert_int_equal(ow_lc_oom_mark(&in), OW_LC_OOM_ALERT);
	in.cg_known = true; /* a watched cgroup */
	assert_int_equal(ow_lc_oom_mark(&in), OW_LC_OOM_ALERT);
}

static void test_unwatched_alert_hourly(void **state)
{
	assert_true(ow_lc_unwatched_due(0, T0)); /* the first refusal */
	assert_false(ow_lc_unwatched_due(T0, T0));
	assert_false(ow_lc_unwatched_due(T0, T0 + 3600 * NS - 1));
	assert_true(ow_lc_unwatched_due(T0, T0 + 3600 * NS));
}

/* A cgroup's OOM kills: the first told, the next within a minute counted, the one after it told
 * (the caller says how many were not, and clears the count). */
static void test_oom_kills_told_once_a_minute(void **state)
{
	struct ow_lc_oom_told t = {0};
	int i;

	assert_true(ow_lc_oom_tell(&t, T0));
	assert_int_equal(t.untold, 0);
	for (i = 1; i <= 20; i++)
		assert_false(ow_lc_oom_tell(&t, T0 + (uint64_t)i * NS));
	assert_int_equal(t.untold, 20);
	assert_false(ow_lc_oom_tell(&t, T0 + 60 * NS - 1));
	assert_int_equal(t.untold, 21);
	assert_true(ow_lc_oom_tell(&t, T0 + 60 * NS));
	assert_int_equal(t.untold, 21); /* for the caller to say */
	t.untold = 0;
	assert_false(ow_lc_oom_tell(&t, T0 + 61 * NS));
	/* told at time 0 of the clock still counts as told */
	t = (struct ow_lc_oom_told){0};
	assert_true(ow_lc_oom_tell(&t, 0));
	assert_false(ow_lc_oom_tell(&t, 1));
}

/* A limit point is re-read at most every 50 ms on the events below it; a plain directory never. */
static void test_limit_point_due(void **state)
{
	assert_true(ow_lc_limit_point_due(true, T0, T0 + 50 * 1000000ULL));
	assert_false(ow_lc_limit_point_due(true, T0, T0 + 50 * 1000000ULL - 1));
	assert_false(ow_lc_limit_point_due(false, T0, T0 + 3600 * NS));
	assert_true(ow_lc_limit_point_due(true, 0, T0)); /* never sampled */
}

/* SIGKILL wins over a restart asked before it; the log's words follow the outcome. */
static void test_victim_exit(void **state)
{
	assert_int_equal(ow_lc_victim_exit(false, false, false, false), OW_LC_EXIT_SIGTERM);
	assert_int_equal(ow_lc_victim_exit(false, true, false, false), OW_LC_EXIT_RESTART);
	assert_int_equal(ow_lc_victim_exit(true, true, false, false), OW_LC_EXIT_SIGKILL);
	assert_int_equal(ow_lc_victim_exit(true, false, false, false), OW_LC_EXIT_SIGKILL);
	/* gone in the pre-stop wait: no SIGTERM was sent, and the line must not say one was */
	assert_int_equal(ow_lc_victim_exit(false, false, true, false), OW_LC_EXIT_PRE_STOP);
	/* a pod deletion: before its answer (restarting) or after; SIGKILL still wins */
	assert_int_equal(ow_lc_victim_exit(false, true, false, true), OW_LC_EXIT_POD_DELETE);
	assert_int_equal(ow_lc_victim_exit(false, false, false, true), OW_LC_EXIT_POD_DELETE);
	assert_int_equal(ow_lc_victim_exit(true, false, false, true), OW_LC_EXIT_SIGKILL);
	assert_string_equal(ow_lc_exit_signal(OW_LC_EXIT_POD_DELETE), "pod_delete");
	assert_string_equal(ow_lc_exit_signal(OW_LC_EXIT_PRE_STOP), "pre_stop");
	assert_string_equal(ow_lc_exit_signal(OW_LC_EXIT_SIGTERM), "SIGTERM");
	assert_string_equal(ow_lc_exit_signal(OW_LC_EXIT_SIGKILL), "SIGKILL");
	assert_string_equal(ow_lc_exit_signal(OW_LC_EXIT_RESTART), "restart");
	assert_string_equal(ow_lc_exit_message(OW_LC_EXIT_RESTART),
			    "the victim exited: its manager restarts it");
	assert_string_equal(ow_lc_exit_message(OW_LC_EXIT_SIGKILL),
			    "the victim exited after SIGKILL");
	assert_string_equal(ow_lc_exit_message(OW_LC_EXIT_SIGTERM),
			    "the victim exited after SIGTERM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_victim_on_its_way_out_waits),
		cmocka_unit_test(test_step_kill_now_escalates_once),
		cmocka_unit_test(test_step_below_act_sets_the_level),
		cmocka_unit_test(test_step_acts_when_the_cooldown_is_over),
		cmocka_unit_test(test_step_high_water_bypasses_the_cooldown),
		cmocka_unit_test(test_step_brake_leak_bypasses_the_cooldown),
		cmocka_unit_test(test_step_retry_hold_beats_high_water),
		cmocka_unit_test(test_cooldown_end),
		cmocka_unit_test(test_replay_dry_run_holds_like_a_real_action),
		cmocka_unit_test(test_after_no_victim),
		cmocka_unit_test(test_after_signal_failed),
		cmocka_unit_test(test_tick_samples_what_is_not_ok),
		cmocka_unit_test(test_tick_grace_over_escalates),
		cmocka_unit_test(test_tick_pre_stop),
		cmocka_unit_test(test_step_pre_stop),
		cmocka_unit_test(test_tick_restart_timeout_falls_back),
		cmocka_unit_test(test_tick_survived_sigkill_gives_up),
		cmocka_unit_test(test_job_succeeded),
		cmocka_unit_test(test_restart_outcome),
		cmocka_unit_test(test_restart_outcome_stale),
		cmocka_unit_test(test_level_change),
		cmocka_unit_test(test_level_alert),
		cmocka_unit_test(test_replay_reaped_victim_is_no_oom_kill),
		cmocka_unit_test(test_replay_oom_kill_elsewhere_is_not_alerted),
		cmocka_unit_test(test_unwatched_alert_hourly),
		cmocka_unit_test(test_oom_kills_told_once_a_minute),
		cmocka_unit_test(test_limit_point_due),
		cmocka_unit_test(test_victim_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
