// SPDX-License-Identifier: GPL-2.0
/* Policy decisions: see userspace/core/policy.h. */
#include <math.h>
#include <unistd.h>

#include "memcg.h"
#include "policy.h"

/* A warned cgroup stays warned until its ETA is this much beyond the warn horizon: an ETA
 * estimated from step-sized samples hovers around the horizon for a while, and a 1 MiB/s leak
 * sent warn/resolved pairs three times before it was stopped. */
#define WARN_EXIT_FACTOR 1.25
/* A warning taken this soon after a kill in the cgroup was of the memory being freed. */
#define KILL_SETTLE_S 5.0
/* A warning outlives a pause in the climb by this much: each fall of a GC-like sawtooth stops
 * its floor's rise for a moment, and the bench's sawtooth-rising sent warn/resolved three times
 * in its first 8 s (nine alerts for one leak). */
#define WARN_HOLD_S 30.0
/* A warning extrapolates its trend at most this many times the history behind it. The first
 * seconds of a trend may be a step, not a leak: on 6.12 (per-cpu page lists that grow under
 * churn, which MemAvailable does not count as free) writing a 1 GiB file in a 462 MiB guest
 * held 10-30 MiB more for the writes' 15 s, and a 6 s trend over it put the machine's OOM
 * 105 s away (tests/vm/machine.sh root-pagecache). A leak is still warned with eight ninths
 * of its lead time left; one a trend predicts within 24 s, after the fine trend's 3 s. */
#define WARN_REACH 8.0

void ow_policy_defaults(struct ow_policy_cfg *cfg)
{
	cfg->warn_horizon_s = 120;
	cfg->act_horizon_s = 10;
	cfg->grace_s = 10;
	cfg->cooldown_s = 15;
	cfg->high_water = 0.90;
	cfg->kill_water = 0.97;
	cfg->act_min_span_s = 20;
}

static bool climbing(const struct ow_cg_view *v)
{
	return v->fine.recent_rate > 0;
}

/* Past its own memory.high (below the limit that OOM-kills), the kernel throttles it. */
static bool throttled(const struct ow_cg_view *v)
{
	return v->high != OW_NO_LIMIT && v->high < v->limit && v->nonrecl >= v->high;
}

/* The floor trend's prediction, from the fine trend if it sees a rise, else the coarse. */
static const struct ow_trend_result *floor_trend(const struct ow_cg_view *v)
{
	if (v->fine.rising)
		return &v->fine;
	if (v->coarse.rising)
		return &v->coarse;
	return NULL;
}

/* A rise past every peak of its recent past that took the cgroup to its edge for the first time
 * in act_min_span_s: its seconds to the limit, or INFINITY (rise.h says why this is evidence of
 * a leak where the first 20 s of a trend are not). */
static double past_peaks_eta(const struct ow_policy_cfg *cfg, const struct ow_cg_view *v)
{
	const struct ow_rise_view *r = &v->rise;
	uint64_t margin;

	if (v->limit == OW_NO_LIMIT || r->span_s < OW_POLICY_RISE_S || !r->edge_reached)
		return INFINITY;
	if (r->edge_quiet_s < cfg->act_min_span_s || r->before_s < cfg->act_min_span_s)
		return INFINITY;
	margin = (uint64_t)((double)v->limit * OW_POLICY_RISE_MARGIN);
	if (v->nonrecl <= r->prior_peak + margin || !climbing(v))
		return INFINITY;
	return ow_eta_seconds(v->nonrecl, v->limit, r->rate);
}

/* The floor trend's verdict: warn within the warn horizon, act within the act horizon once
 * it has act_min_span_s of history. */
static void assess_floor(const struct ow_policy_cfg *cfg, const struct ow_cg_view *v,
			 const struct ow_trend_result *tr, struct ow_verdict *out)
{
	double warn_horizon =
		cfg->warn_horizon_s * (v->level >= OW_LEVEL_WARN ? WARN_EXIT_FACTOR : 1);
	/* The peaks, not the floor, hit the limit first: count from the highest recent value. */
	uint64_t top = tr->peak > v->nonrecl ? tr->peak : v->nonrecl;

	out->rate = tr->floor_rate;
	if (throttled(v) && v->fine.recent_rate < out->rate)
		out->rate = v->fine.recent_rate;
	out->eta_s = ow_eta_seconds(top, v->limit, out->rate);
	out->trend_may_act = tr->span_s >= cfg->act_min_span_s;
	if (out->eta_s <= warn_horizon &&
	    (v->level >= OW_LEVEL_WARN || out->eta_s <= tr->span_s * WARN_REACH)) {
		out->level = OW_LEVEL_WARN;
		out->reason = "memory floor rising: OOM predicted within the warn horizon";
	}
	if (out->eta_s <= cfg->act_horizon_s && out->trend_may_act) {
		out->level = OW_LEVEL_ACT;
		out->rule = "floor_trend";
		out->reason = "memory floor rising: OOM predicted within the act horizon";
	}
}

/* Sooner than the floor trend may: a rise past every earlier peak to the cgroup's edge. */
static void assess_edge_rise(const struct ow_policy_cfg *cfg, const struct ow_cg_view *v,
			     struct ow_verdict *out)
{
	double eta = past_peaks_eta(cfg, v);

	if (out->level >= OW_LEVEL_ACT || eta > cfg->act_horizon_s)
		return;
	out->level = OW_LEVEL_ACT;
	out->eta_s = eta;
	out->rate = v->rise.rate;
	out->past_peaks = out->trend_may_act = true;
	out->rule = "edge_rise";
	out->reason = "rising past every earlier peak to the cgroup's edge: OOM predicted within "
		      "the act horizon";
}

/* Growth too fast for any trend: little headroom left and still climbing. */
static void assess_high_water(const struct ow_policy_cfg *cfg, const struct ow_cg_view *v,
			      struct ow_verdict *out)
{
	double water = v->limit ? (double)v->nonrecl / (double)v->limit : 0;
	double eta = ow_eta_seconds(v->nonrecl, v->limit, v->fine.recent_rate);

	if (water < cfg->high_water || !climbing(v) || eta > cfg->act_horizon_s)
		return;
	out->high_water = out->level < OW_LEVEL_ACT;
	if (out->high_water)
		out->rule = "high_water";
	out->level = OW_LEVEL_ACT;
	out->eta_s = eta < out->eta_s ? eta : out->eta_s;
	out->rate = v->fine.recent_rate;
	out->reason = "non-reclaimable memory past the high-water mark and climbing";
}

void ow_policy_assess(const struct ow_policy_cfg *cfg, const struct ow_cg_view *v,
		      struct ow_verdict *out)
{
	const struct ow_trend_result *tr = floor_trend(v);

	out->level = OW_LEVEL_OK;
	out->eta_s = INFINITY;
	out->rate = 0;
	out->reason = "no sustained growth";
	out->rule = "";
	out->held = false;
	out->high_water = false;
	out->trend_may_act = false;
	out->past_peaks = false;
	if (tr)
		assess_floor(cfg, v, tr, out);
	assess_edge_rise(cfg, v, out);
	/* Said even when the floor trend warns too: the throttle is what the cgroup lives with. */
	if (throttled(v) && out->level <= OW_LEVEL_WARN) {
		out->level = OW_LEVEL_WARN;
		out->reason = "past memory.high: the kernel is throttling it (not an OOM)";
	}
	/* Only a warning holds, and not one from before a kill or just after it: after an action
	 * or an OOM kill the grower is gone, and a verdict taken while its memory was freed (the
	 * floor still above the window's start) warned of a rise that had ended (metrics.sh under
	 * ASan: held 30 s). A warning of new growth later on (a restarted leaker) holds. */
	if (out->level == OW_LEVEL_OK && v->level == OW_LEVEL_WARN && v->warn_age_s < WARN_HOLD_S &&
	    !(v->stop_age_s - v->warn_age_s < KILL_SETTLE_S)) {
		out->level = OW_LEVEL_WARN;
		out->held = true;
		out->reason = "growth paused: the warning holds until it has not resumed for 30 s";
	}
	assess_high_water(cfg, v, out);
}

const char *ow_policy_unsafe(const struct ow_candidate *c)
{
	if (c->pid <= 1)
		return "PID 1 is never signalled";
	if (c->kthread)
		return "kernel thread";
	if (c->is_self)
		return "oomwarden itself";
	if (c->never_oom)
		return "oom_score_adj -1000: the kernel never OOM-kills it";
	if (c->protected_)
		return "its executable matches --protect";
	if (!(c->rate > 0))
		return "no measured growth";
	return NULL;
}

/* Is a a better victim than b? */
static bool better(const struct ow_candidate *a, const struct ow_candidate *b)
{
	if (a->preferred != b->preferred)
		return a->preferred;
	if (a->rate != b->rate)
		return a->rate > b->rate;
	if (a->oom_score != b->oom_score)
		return a->oom_score > b->oom_score;
	return a->rss > b->rss;
}

int ow_policy_pick_victim(const struct ow_candidate *c, unsigned int n)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (ow_policy_unsafe(&c[i]))
			continue;
		if (best < 0 || better(&c[i], &c[best]))
			best = (int)i;
	}
	return best;
}

const char *ow_level_name(enum ow_level level)
{
	static const char *const names[] = {"ok", "warn", "act", "escalate"};

	return level <= OW_LEVEL_ESCALATE ? names[level] : "?";
}
