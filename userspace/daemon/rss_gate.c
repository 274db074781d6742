// SPDX-License-Identifier: GPL-2.0
/*
 * The page-fault program attached only while a watched cgroup is at risk (core/rss_gate.h):
 * each evaluation notes the cgroup's rise and attaches at once when it is at risk; the timer
 * decides for the whole (detached after OW_RSS_QUIET_NS with none at risk, where the sight of
 * every watched cgroup is proved: limited leaves on cgroup v1).
 */
#include <string.h>

#include "cgroup.h"
#include "daemon_ctx.h"
#include "rss_gate.h"

/*
 * Is the whole charge of every watched cgroup seen without the program? Only leaves are
 * proved: a child made while detached is found by nobody (the program's first sight is what
 * finds new memcgs), and a child with a smaller limit of its own (a pod under kubepods) could
 * fill it while its parent's thresholds show nothing alarming. So every watched cgroup is a
 * top with no child cgroup, now (one getdents each, at each decision) or in the model.
 */
static bool provable(const struct ow_daemon *d)
{
	unsigned int i, tops = 0;

	if (!d->opts->idle_detach || d->watch.mount.version != OW_CG_V1)
		return false;
	for (i = 0; i < d->model.ncgs; i++) {
		const struct ow_cgroup *cg = d->model.cgs[i];

		if (cg->gone)
			continue;
		/* The root has no page counter of its own; a top with no limit of its own, or
		 * whose thresholds are not in force, has no sight. */
		if (cg->parent_id || ow_cgroup_is_root(cg) || cg->sight.usage_fd < 0 ||
		    cg->sight.efd < 0 || ow_cg_has_children(cg->path))
			return false;
		tops++;
	}
	return tops > 0;
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
		  uint64_t now)
{
	uint64_t t0 = ow_mono_ns();
	int err;

	if (what == OW_RSS_KEEP)
		return;
	err = what == OW_RSS_ATTACH ? ow_tracer_rss_attach(d->tracer)
				    : ow_tracer_rss_detach(d->tracer);
	if (what == OW_RSS_ATTACH)
		d->rss_risk_ns = now; /* the quiet period starts again */
	ow_log(err ? OW_LOG_ERROR : OW_LOG_INFO, "rss_gate",
	       what == OW_RSS_DETACH ? "page-fault program detached: no watched cgroup at risk"
	       : why		     ? "page-fault program attached: a watched cgroup is at risk"
		     : "page-fault program attached: the whole charge is not in sight",
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
	if (!at_risk(cg, now))
		return;
	d->rss_risk_ns = now;
	if (!ow_tracer_rss_attached(d->tracer))
		apply(d, OW_RSS_ATTACH, cg, now);
}

void daemon_rss_gate_tick(struct ow_daemon *d, uint64_t now)
{
	struct ow_rss_gate g = {.now_ns = now};
	const struct ow_cgroup *why = NULL;
	unsigned int i;

	if (!d->tracer)
		return;
	g.attached = ow_tracer_rss_attached(d->tracer);
	for (i = 0; i < d->model.ncgs && !why; i++)
		if (!d->model.cgs[i]->gone && at_risk(d->model.cgs[i], now))
			why = d->model.cgs[i];
	g.at_risk = why != NULL;
	/* At risk, it is attached whatever the proof: its getdents are spared. */
	g.provable = !g.at_risk && provable(d);
	if (g.at_risk || !d->rss_risk_ns)
		d->rss_risk_ns = now;
	g.risk_ns = d->rss_risk_ns;
	apply(d, ow_rss_gate_decide(&g), why, now);
}
