/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy: pure decisions over plain structs (no I/O), in the manner of systemd-oomd.
 * What level a cgroup is at, which process to stop, how long to wait before SIGKILL.
 */
#ifndef OW_POLICY_H
#define OW_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "rise.h"
#include "trend.h"

enum ow_level {
	OW_LEVEL_OK = 0,
	OW_LEVEL_WARN = 1,     /* OOM predicted within the warn horizon */
	OW_LEVEL_ACT = 2,      /* OOM predicted within the act horizon, or no headroom left */
	OW_LEVEL_ESCALATE = 3, /* the victim did not stop after SIGTERM: SIGKILL */
};

/* A rise that took the cgroup to its edge (rise.h) acts once it has gone on this long... */
#define OW_POLICY_RISE_S 1.5
/* ...and climbed this far past every earlier peak, as a fraction of the limit (a sawtooth's
 * teeth differ a little). */
#define OW_POLICY_RISE_MARGIN 0.02

struct ow_policy_cfg {
	double warn_horizon_s; /* default 120 */
	double act_horizon_s;  /* default 10 */
	double grace_s;	       /* default 10 */
	double cooldown_s;     /* after acting on a cgroup; default 15 */
	double high_water;     /* fraction of the limit past which climbing is an emergency: 0.90 */
	double kill_water; /* fraction past which a SIGTERMed victim still climbing is SIGKILLed at
			    * once: 0.97 (grace.h) */
	double act_min_span_s; /* history the floor trend needs before it may act: 20 (a full
				* window, so a sawtooth's first rises are not taken for a leak) */
};

/* What the policy sees of one cgroup. */
struct ow_cg_view {
	uint64_t nonrecl;	       /* non-reclaimable bytes now */
	uint64_t limit;		       /* effective limit, bytes */
	uint64_t high;		       /* its own memory.high (v2), bytes; OW_NO_LIMIT when none */
	struct ow_trend_result fine;   /* seconds-scale trend */
	struct ow_trend_result coarse; /* minutes-scale trend (slow leaks) */
	struct ow_rise_view rise;      /* the current rise and the peaks before it */
	enum ow_level level;	       /* the cgroup's level now (leaving warn takes more) */
	double warn_age_s;	       /* since a verdict last warned of its own; INFINITY: never */
	double stop_age_s; /* since a kill in it stopped growth (the kernel's OOM kill, our
			    * victim's exit); INFINITY: never. A warning from before it, or
			    * from the 5 s after it, does not hold through a pause. */
};

struct ow_verdict {
	enum ow_level level;
	double eta_s;	    /* predicted seconds to OOM; INFINITY when none */
	double rate;	    /* bytes/s used for the prediction */
	const char *reason; /* static string: why this level */
	const char *rule;   /* static string: the rule that set an act level ("floor_trend",
			     * "edge_rise", "high_water"; daemon/brake.c: "brake_press"), else "" */
	bool held;	    /* warn only because a warning holds through a pause */
	bool high_water;    /* act only by the high-water rule (no trend predicts it yet) */
	bool trend_may_act; /* the floor trend has the history to act on (act_min_span_s), or
			     * the rise is past every earlier peak (past_peaks) */
	bool past_peaks;    /* act by the rise past every earlier peak, before the trend may */
};

void ow_policy_defaults(struct ow_policy_cfg *cfg);

/*
 * The level of a cgroup: warn when the OOM (the effective limit) is predicted within the warn
 * horizon, act within the act horizon (floor trend with act_min_span_s of history, or past
 * high_water and climbing). Sooner than the floor trend may, a rise acts that has climbed
 * without a pause for OW_POLICY_RISE_S past every earlier peak and took the cgroup to its edge,
 * where the kernel had counted no reclaim or throttling for act_min_span_s before it (rise.h),
 * when it reaches the limit within the act horizon.
 *
 * memory.high: past it (non-reclaimable memory >= high < limit) the kernel throttles the
 * cgroup's allocations (reclaim, then sleeps of up to 2 s) instead of killing anything. That
 * is the administrator's choice, not an OOM: such a cgroup is at warn at least (it crawls;
 * someone should know), and it is acted on only as any other, when the limit itself is
 * predicted within the act horizon, at the rate it grows now that it is throttled (the rise
 * before the throttle predicts an OOM the kernel is already preventing).
 */
void ow_policy_assess(const struct ow_policy_cfg *cfg, const struct ow_cg_view *view,
		      struct ow_verdict *out);

/* A process that could be stopped. */
struct ow_candidate {
	pid_t pid;
	double rate;   /* bytes/s of its non-reclaimable memory, measured; 0 if none */
	uint64_t rss;  /* non-reclaimable bytes */
	int oom_score; /* the kernel's badness (/proc/PID/oom_score): a tie-breaker only */
	bool kthread;
	bool is_self;
	bool protected_; /* its trusted executable matched --protect */
	bool never_oom;	 /* oom_score_adj -1000: the kernel never OOM-kills it; nor do we */
	bool preferred;	 /* matched --prefer */
};

/* Why a candidate may never be signalled, or NULL if it may be. A process with no measured
 * growth is never the leak: a victim taken by size alone let a user who padded the cgroup
 * with sleepers get an innocent process (postgres) SIGTERMed. */
const char *ow_policy_unsafe(const struct ow_candidate *c);

/*
 * The victim: among safe candidates (which all grew), preferred ones first; then the
 * fastest-growing, ties broken by the kernel's oom_score, then by the largest. Returns the
 * index, or -1 if none is safe.
 */
int ow_policy_pick_victim(const struct ow_candidate *c, unsigned int n);

const char *ow_level_name(enum ow_level level);

#endif /* OW_POLICY_H */
