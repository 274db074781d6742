// SPDX-License-Identifier: GPL-2.0
/* The page-fault program attached only while some cgroup is at risk: see core/rss_gate.h. */
#include "memcg.h"
#include "rss_gate.h"

void ow_rss_rise_note(struct ow_rss_rise *r, uint64_t now_ns, uint64_t nonrecl)
{
	if (!r->newer_ns) {
		r->snap[0] = r->snap[1] = nonrecl;
		r->newer_ns = now_ns;
	} else if (now_ns - r->newer_ns >= OW_RSS_RISE_NS) {
		r->snap[0] = r->snap[1];
		r->snap[1] = nonrecl;
		r->newer_ns = now_ns;
	}
}

uint64_t ow_rss_rise(const struct ow_rss_rise *r, uint64_t now_ns, uint64_t nonrecl)
{
	if (!r->newer_ns || now_ns - r->newer_ns >= 2 * OW_RSS_RISE_NS)
		return 0;
	return nonrecl > r->snap[0] ? nonrecl - r->snap[0] : 0;
}

bool ow_rss_at_risk(const struct ow_rss_risk *r)
{
	if (r->warned || r->acting)
		return true;
	if (!r->limit || r->limit == OW_NO_LIMIT)
		return false;
	return r->nonrecl >= r->limit / 2 || r->rise >= r->limit / 16;
}

bool ow_rss_own_seen(bool v1, bool usage_open, bool thresholds, uint64_t limit, uint64_t read_ns)
{
	uint64_t seconds = (read_ns + 999999999ULL) / 1000000000ULL;

	if (!usage_open)
		return false;
	if (v1)
		return thresholds;
	if (limit == OW_NO_LIMIT)
		return false;
	return limit / (seconds ? seconds : 1) >= OW_RSS_READ_MIN;
}

bool ow_rss_sight_proved(const struct ow_rss_sight *s, bool machine)
{
	if (s->limited && !s->own_seen)
		return false;
	if (s->root || s->machine_bound)
		return machine;
	return s->own_bound || s->ancestor_bound;
}

enum ow_rss_do ow_rss_gate_decide(const struct ow_rss_gate *g)
{
	if (!g->provable || g->at_risk)
		return g->attached ? OW_RSS_KEEP : OW_RSS_ATTACH;
	if (g->attached && g->now_ns - g->risk_ns >= OW_RSS_QUIET_NS)
		return OW_RSS_DETACH;
	return OW_RSS_KEEP;
}
