// SPDX-License-Identifier: GPL-2.0
/* The grace after SIGTERM: see userspace/core/grace.h. */
#include <math.h>

#include "grace.h"
#include "memcg.h"

void ow_live_start(struct ow_live_growth *g, uint64_t now_ns, uint64_t value)
{
	g->term_ns = g->t0_ns = g->t1_ns = now_ns;
	g->term_value = g->v0 = g->v1 = value;
}

/* The newer checkpoint moves on once it is a window old, the older one takes its place: the
 * older one is then between one and two windows old. */
void ow_live_add(struct ow_live_growth *g, uint64_t now_ns, uint64_t value)
{
	if (now_ns < g->t1_ns || now_ns - g->t1_ns < OW_GRACE_LIVE_WINDOW_NS)
		return;
	if (g->t1_ns == g->term_ns) { /* the first window: its tail is skipped */
		g->t0_ns = g->t1_ns = now_ns;
		g->v0 = g->v1 = value;
		return;
	}
	g->t0_ns = g->t1_ns;
	g->v0 = g->v1;
	g->t1_ns = now_ns;
	g->v1 = value;
}

double ow_live_rate(const struct ow_live_growth *g, uint64_t now_ns, uint64_t value)
{
	double dt;

	if (g->t0_ns == g->term_ns || now_ns < g->t0_ns ||
	    now_ns - g->t0_ns < OW_GRACE_LIVE_WINDOW_NS)
		return NAN;
	dt = (double)(now_ns - g->t0_ns) / 1e9;
	return value > g->v0 ? (double)(value - g->v0) / dt : 0;
}

double ow_grace_granted(double grace_s, double manager_s, const char *manager_src,
			const char **from)
{
	double g = grace_s > OW_GRACE_MIN_S ? grace_s : OW_GRACE_MIN_S;

	*from = "grace";
	if (manager_s > g) {
		g = manager_s < OW_GRACE_MANAGER_MAX_S ? manager_s : OW_GRACE_MANAGER_MAX_S;
		*from = manager_src && *manager_src ? manager_src : "manager";
	}
	return g;
}

static bool climbing(const struct ow_term_view *v)
{
	return isnan(v->live_rate) ? v->rose : v->live_rate > OW_GRACE_CLIMB_BPS;
}

enum ow_term_verdict ow_grace_judge(const struct ow_term_view *v, double *eta_s)
{
	double left_s;

	*eta_s = INFINITY;
	if (v->limit == OW_NO_LIMIT || !v->limit)
		return OW_TERM_WAIT;
	if (!isnan(v->live_rate) && v->live_rate > OW_GRACE_CLIMB_BPS)
		*eta_s = v->value >= v->limit ? 0 : (double)(v->limit - v->value) / v->live_rate;
	if ((double)v->value >= v->kill_water * (double)v->limit && climbing(v))
		return OW_TERM_KILL_WATER;
	left_s = v->deadline_ns > v->now_ns ? (double)(v->deadline_ns - v->now_ns) / 1e9 : 0;
	return *eta_s < left_s ? OW_TERM_LIVE_ETA : OW_TERM_WAIT;
}

const char *ow_term_reason(enum ow_term_verdict t)
{
	switch (t) {
	case OW_TERM_KILL_WATER:
		return "still growing past the kill-water mark after SIGTERM";
	case OW_TERM_LIVE_ETA:
		return "still growing after SIGTERM: the limit comes before the grace ends";
	case OW_TERM_WAIT:
		break;
	}
	return "the victim stopped growing";
}

const char *ow_term_rule(enum ow_term_verdict t)
{
	return t == OW_TERM_KILL_WATER ? "kill_water" : t == OW_TERM_LIVE_ETA ? "live_eta" : "none";
}
