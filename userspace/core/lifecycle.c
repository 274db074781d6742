// SPDX-License-Identifier: GPL-2.0
/*
 * The lifecycle decisions of lifecycle.h. Each was inline in the daemon loop; here each reads
 * only its arguments, so test_lifecycle replays the defects once fixed in them.
 */
#include <sys/wait.h>

#include "lifecycle.h"

enum ow_lc_step ow_lc_next_step(const struct ow_lc_eval *in)
{
	/* In the pre-stop wait: the evidence written, or a growth that leaves no time to wait,
	 * ends it now. */
	if (in->has_victim && in->pre_stop)
		return in->kill_now || in->pre_stop_done ? OW_LC_PRE_STOP_END : OW_LC_WAIT;
	/* A victim on its way out: only its growth past kill-water cuts the grace short. */
	if (in->has_victim)
		return !in->killed && in->kill_now ? OW_LC_ESCALATE : OW_LC_WAIT;
	if (in->level != OW_LEVEL_ACT)
		return OW_LC_SET_LEVEL;
	/* An attempt that changed nothing holds past high water too: the bypass would repeat it
	 * on every event (a dry run did, on each one). */
	if (in->now_ns < in->retry_after_ns)
		return OW_LC_WAIT;
	/* After acting, the trend still holds the growth that was just stopped: wait, unless
	 * the headroom is nearly gone again. */
	if (in->now_ns >= in->cooldown_until_ns || in->brake_leak ||
	    (double)in->nonrecl >= in->high_water * in->eff_limit)
		return OW_LC_ACT;
	return OW_LC_WAIT;
}

uint64_t ow_lc_cooldown_end(uint64_t now_ns, double cooldown_s)
{
	return now_ns + (uint64_t)(cooldown_s * OW_LC_NS_PER_S);
}

void ow_lc_after_attempt(enum ow_lc_attempt what, uint64_t now_ns, double cooldown_s,
			 struct ow_lc_holds *h)
{
	switch (what) {
	case OW_LC_NO_VICTIM:
		h->cooldown_until_ns = ow_lc_cooldown_end(now_ns, cooldown_s);
		h->retry_after_ns = ow_lc_cooldown_end(now_ns, OW_LC_RETRY_S);
		break;
	case OW_LC_SIGNAL_FAILED:
		h->retry_after_ns = ow_lc_cooldown_end(now_ns, OW_LC_RETRY_S);
		break;
	case OW_LC_DRY_RUN:
		/* Nothing was done, so nothing will change: the whole cooldown, past high water
		 * too. */
		h->cooldown_until_ns = ow_lc_cooldown_end(now_ns, cooldown_s);
		h->retry_after_ns = ow_lc_cooldown_end(now_ns, cooldown_s);
		break;
	}
}

enum ow_lc_tick ow_lc_on_tick(const struct ow_lc_timer *in)
{
	if (in->has_victim && in->pre_stop) {
		if (in->now_ns >= in->deadline_ns)
			return OW_LC_TICK_PRE_STOP_END;
		if (in->now_ns >= in->poll_ns)
			return OW_LC_TICK_PRE_STOP_POLL;
	} else if (in->has_victim && in->now_ns >= in->deadline_ns) {
		if (in->restarting)
			return OW_LC_TICK_RESTART_TIMEOUT;
		return in->killed ? OW_LC_TICK_GIVE_UP : OW_LC_TICK_ESCALATE;
	}
	return in->degraded || in->braked || in->level != OW_LEVEL_OK ? OW_LC_TICK_EVALUATE
								      : OW_LC_TICK_NONE;
}

bool ow_lc_job_succeeded(int ret, int st)
{
	return ret > 0 && WIFEXITED(st) && !WEXITSTATUS(st);
}

enum ow_lc_restart ow_lc_restart_outcome(const struct ow_lc_job_end *in)
{
	if (!in->cg_known || !in->restarting || !in->has_victim || !in->same_victim)
		return OW_LC_RESTART_STALE;
	if (!in->succeeded)
		return OW_LC_RESTART_FALLBACK;
	return in->victim_exited ? OW_LC_RESTART_DONE : OW_LC_RESTART_STILL_RUNS;
}

enum ow_lc_level_change ow_lc_level_change(const struct ow_lc_level *in)
{
	/* A new reason at the same level is logged too (a leak that reached memory.high and is
	 * throttled now); a warning held through a pause is the same warning (two lines a
	 * sawtooth cycle otherwise). */
	if (in->to == in->from) {
		if (in->to == OW_LEVEL_OK || in->same_reason || in->held)
			return OW_LC_LEVEL_QUIET;
		return OW_LC_LEVEL_LOG;
	}
	return OW_LC_LEVEL_NEW;
}

enum ow_lc_level_alert ow_lc_level_alert(enum ow_level from, enum ow_level to)
{
	if (from == OW_LEVEL_OK && to != OW_LEVEL_OK)
		return OW_LC_ALERT_WARN;
	if (from != OW_LEVEL_OK && to == OW_LEVEL_OK)
		return OW_LC_ALERT_RESOLVED;
	return OW_LC_ALERT_NONE;
}

enum ow_lc_oom ow_lc_oom_mark(const struct ow_lc_oom_mark *in)
{
	/* A process with SIGKILL pending is only marked and reaped by the OOM path
	 * (task_will_free_mem() in mm/oom_kill.c), never killed again or counted in oom_kill:
	 * our own escalation racing the limit, not a kernel OOM kill. */
	if (in->cg_known && in->killed && in->pid == in->victim_pid)
		return OW_LC_OOM_REAPED;
	/* Another service's (with --cgroup): not this daemon's to alert on. */
	if (in->outside)
		return OW_LC_OOM_ELSEWHERE;
	return OW_LC_OOM_ALERT;
}

bool ow_lc_oom_tell(struct ow_lc_oom_told *t, uint64_t now_ns)
{
	if (t->told_ns && now_ns - t->told_ns < OW_LC_OOM_TELL_NS) {
		t->untold++;
		return false;
	}
	t->told_ns = now_ns ? now_ns : 1;
	return true;
}

bool ow_lc_unwatched_due(uint64_t last_alert_ns, uint64_t now_ns)
{
	return !last_alert_ns || now_ns - last_alert_ns >= OW_LC_UNWATCHED_EVERY_NS;
}

bool ow_lc_limit_point_due(bool limit_point, uint64_t last_sample_ns, uint64_t now_ns)
{
	return limit_point && now_ns - last_sample_ns >= OW_LC_LIMIT_POINT_MIN_NS;
}

/* SIGKILL wins: a victim asked to restart and then SIGKILLed was killed. A pod deletion asked
 * is one whether or not its answer came first: the kubelet may act before it arrives. */
enum ow_lc_exit ow_lc_victim_exit(bool killed, bool restarting, bool pre_stop, bool pod_deleted)
{
	if (killed)
		return OW_LC_EXIT_SIGKILL;
	if (pre_stop)
		return OW_LC_EXIT_PRE_STOP;
	if (pod_deleted)
		return OW_LC_EXIT_POD_DELETE;
	return restarting ? OW_LC_EXIT_RESTART : OW_LC_EXIT_SIGTERM;
}

const char *ow_lc_exit_signal(enum ow_lc_exit e)
{
	return e == OW_LC_EXIT_SIGKILL	    ? "SIGKILL"
	       : e == OW_LC_EXIT_RESTART    ? "restart"
	       : e == OW_LC_EXIT_PRE_STOP   ? "pre_stop"
	       : e == OW_LC_EXIT_POD_DELETE ? "pod_delete"
					    : "SIGTERM";
}

const char *ow_lc_exit_message(enum ow_lc_exit e)
{
	return e == OW_LC_EXIT_SIGKILL	 ? "the victim exited after SIGKILL"
	       : e == OW_LC_EXIT_RESTART ? "the victim exited: its manager restarts it"
	       : e == OW_LC_EXIT_PRE_STOP
		       ? "the victim exited in the pre-stop wait, before the SIGTERM"
	       : e == OW_LC_EXIT_POD_DELETE ? "the victim exited: its pod was deleted through the "
					      "API (the kubelet's SIGTERM)"
					    : "the victim exited after SIGTERM";
}
