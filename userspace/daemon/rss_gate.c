// SPDX-License-Identifier: GPL-2.0
/*
 * The page-fault program attached only while a watched cgroup is at risk (core/rss_gate.h):
 * each evaluation notes the cgroup's rise and attaches at once when it is at risk; the timer
 * decides for the whole (detached after OW_RSS_QUIET_NS with none at risk, where the sight of
 * every watched cgroup is proved: core/rss_gate.h); a new memcg attaches it, and while it is
 * detached the limits no inotify watch covers are read again.
 */
#include <string.h>

#include "daemon_ctx.h"
#include "rss_gate.h"
#include "sight.h"

/* Is a watched ancestor's own limit the one that binds cg? */
static bool ancestor_bound(struct ow_daemon *d, const struct ow_cgroup *cg)
{
	const struct ow_cgroup *p;

	for (p = ow_model_cgroup(&d->model, cg->parent_id); p && p->id != cg->id;
	     p = p->parent_id == p->id ? NULL : ow_model_cgroup(&d->model, p->parent_id))
		if (!p->gone && p->reading.own_limit == cg->reading.eff_limit)
			return true;
	return false;
}

/* Each tick while nothing is at risk, for every watched cgroup: the walk up the model only for
 * those no cheaper answer binds (an unlimited child of a limited slice). */
static bool proved(struct ow_daemon *d, const struct ow_cgroup *cg, bool machine)
{
	bool v1 = d->watch.mount.version == OW_CG_V1;
	struct ow_rss_sight s = {
		.root = ow_cgroup_is_root(cg),
		.limited = cg->reading.own_limit != OW_NO_LIMIT,
		.own_seen = ow_rss_own_seen(v1, cg->sight.usage_fd >= 0, cg->sight.efd >= 0,
					    cg->reading.own_limit, daemon_sight_far_read_ns(d, cg)),
		.own_bound = cg->reading.own_limit == cg->reading.eff_limit,
		.machine_bound = cg->reading.eff_limit >= d->watch.machine_limit,
	};

	s.ancestor_bound = !s.root && !s.own_bound && !s.machine_bound && ancestor_bound(d, cg);
	return ow_rss_sight_proved(&s, machine);
}

/* Is the machine's own charge in sight (the root's, and what no lower limit binds)? */
static bool machine_seen(struct ow_daemon *d)
{
	return daemon_machine_sight_on(d) && d->watch.machine_limit != OW_NO_LIMIT &&
	       d->watch.machine_limit >= OW_RSS_READ_MIN;
}

/* Is the whole charge of every watched cgroup seen without the program (core/rss_gate.h)? */
static bool provable(struct ow_daemon *d)
{
	bool machine = machine_seen(d);
	unsigned int i, watched = 0;

	if (!d->opts->idle_detach || !ow_tracer_sees_moves(d->tracer))
		return false;
	for (i = 0; i < d->model.ncgs; i++) {
		const struct ow_cgroup *cg = d->model.cgs[i];

		if (cg->gone)
			continue;
		if (!proved(d, cg, machine))
			return false;
		watched++;
	}
	return watched > 0;
}

static bool at_risk(const struct ow_cgroup *cg, uint64_t now)
{
	const struct ow_rss_risk r = {
		.nonrecl = cg->reading.nonrecl,
		.limit = cg->reading.eff_limit,
		.rise = ow_rss_rise(&cg->rss_rise, now, cg->reading.nonrecl),
		.warned = cg->eval.level >= OW_LEVEL_WARN,
		.acting = cg->victim.fd >= 0 || cg->brake.dir,
	};

	return ow_rss_at_risk(&r);
}

static void apply(struct ow_daemon *d, enum ow_rss_do what, const struct ow_cgroup *why,
		  const char *msg, uint64_t now)
{
	uint64_t t0 = ow_mono_ns();
	int err;

	if (what == OW_RSS_KEEP)
		return;
	err = what == OW_RSS_ATTACH ? ow_tracer_rss_attach(d->tracer)
				    : ow_tracer_rss_detach(d->tracer);
	if (what == OW_RSS_ATTACH)
		d->rss_risk_ns = now; /* the quiet period starts again */
	ow_log(err ? OW_LOG_ERROR : OW_LOG_INFO, "rss_gate", msg,
	       OW_STR("cgroup", why ? why->name : ""),
	       OW_NUM("usage_mib", why ? (double)why->reading.nonrecl / MIB : 0),
	       OW_NUM("ms", (double)(ow_mono_ns() - t0) / NS_PER_MS),
	       OW_STR("error", err ? strerror(-err) : ""));
}

void daemon_rss_gate_note(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	if (!d->tracer)
		return;
	ow_rss_rise_note(&cg->rss_rise, now, cg->reading.nonrecl);
	if (ow_tracer_rss_attached(d->tracer)) {
		if (at_risk(cg, now))
			d->rss_risk_ns = now;
		return;
	}
	/* Detached, the gate's pass comes once a second: what changed now decides now. */
	if (at_risk(cg, now)) {
		d->rss_risk_ns = now;
		apply(d, OW_RSS_ATTACH, cg,
		      "page-fault program attached: a watched cgroup is at risk", now);
	} else if (!cg->gone && !proved(d, cg, machine_seen(d))) {
		apply(d, OW_RSS_ATTACH, cg,
		      "page-fault program attached: the whole charge is not in sight", now);
	}
}

void daemon_rss_gate_new(struct ow_daemon *d, const struct ow_cgroup *cg, uint64_t now)
{
	if (!d->tracer)
		return;
	d->rss_risk_ns = now;
	if (!ow_tracer_rss_attached(d->tracer))
		apply(d, OW_RSS_ATTACH, cg,
		      "page-fault program attached: a new memcg, whose limit may come later", now);
}

/*
 * Detached, no page fault evaluates a cgroup, and a limit written on a running one (systemctl
 * set-property) is seen by its inotify watch (limit_watch.c). Those the kernel refused a watch
 * (and all, after the event queue overflowed) have their limit read again at least every
 * LIMIT_GLANCE_NS, a share of them at each tick, and one that changed is evaluated. 60 s: every
 * 30 s (34 reads a second at a thousand cgroups, two files each then) took an idle daemon from
 * 0.05 to 0.14 % of a core there (bench-sight; the target is 0.1 %).
 */
#define LIMIT_GLANCE_NS	 (60ULL * NS_PER_S)
#define RSS_GATE_PASS_NS NS_PER_S

static void glance_limits(struct ow_daemon *d, uint64_t now)
{
	uint64_t since = now - d->limit_glance_ns;
	unsigned int n = d->model.ncgs, i, todo;

	if (!n || !d->limit_glance_ns) {
		d->limit_glance_ns = now; /* the first tick detached */
		return;
	}
	if (since > LIMIT_GLANCE_NS)
		since = LIMIT_GLANCE_NS; /* a long sleep: each once */
	todo = (unsigned int)(((uint64_t)n * since + LIMIT_GLANCE_NS - 1) / LIMIT_GLANCE_NS);
	d->limit_glance_ns = now;
	for (i = 0; i < todo && i < n; i++) {
		struct ow_cgroup *cg = d->model.cgs[d->limit_cursor++ % n];

		/* the root's limit is the machine's */
		if (!cg->gone && cg->set_up && !ow_cgroup_is_root(cg) &&
		    daemon_limit_watch_blind(d, cg, now))
			daemon_limit_check(d, cg, "glance");
	}
}

void daemon_rss_gate_tick(struct ow_daemon *d, uint64_t now)
{
	struct ow_rss_gate g = {.now_ns = now};
	const struct ow_cgroup *why = NULL;
	unsigned int i;

	if (!d->tracer)
		return;
	if (!ow_tracer_rss_attached(d->tracer))
		glance_limits(d, now); /* may attach it: a changed limit puts a cgroup at risk */
	else
		d->limit_glance_ns = 0;
	/* A pass over every cgroup, once a second: an evaluation puts its own cgroup's risk and
	 * proof in force at once (daemon_rss_gate_note), so this only detaches, a second late
	 * at most. At every wakeup it was a sixth of an idle daemon's CPU at 8,000 memcgs. */
	if (d->rss_gate_ns && now - d->rss_gate_ns < RSS_GATE_PASS_NS)
		return;
	d->rss_gate_ns = now;
	g.attached = ow_tracer_rss_attached(d->tracer);
	/* Unproved (usually found at the first cgroup that is), it stays attached whatever the
	 * risk: the pass over every cgroup's risk is spared, and the quiet period starts again
	 * (detached only 20 s after the proof holds). At 20,000 memcgs with 12,500 beyond the
	 * descriptors' room that pass was a third of an idle daemon's CPU. */
	g.provable = provable(d);
	for (i = 0; g.provable && i < d->model.ncgs && !why; i++)
		if (!d->model.cgs[i]->gone && at_risk(d->model.cgs[i], now))
			why = d->model.cgs[i];
	g.at_risk = why != NULL;
	if (!g.provable || g.at_risk || !d->rss_risk_ns)
		d->rss_risk_ns = now;
	g.risk_ns = d->rss_risk_ns;
	apply(d, ow_rss_gate_decide(&g), why,
	      g.attached ? "page-fault program detached: no watched cgroup at risk"
	      : why	 ? "page-fault program attached: a watched cgroup is at risk"
			 : "page-fault program attached: the whole charge is not in sight",
	      now);
}
