// SPDX-License-Identifier: GPL-2.0
/* The current rise and the peaks before it: see userspace/core/rise.h. */
#include <string.h>

#include "rise.h"

#define NS_PER_S 1e9

void ow_rise_reset(struct ow_rise *r)
{
	memset(r, 0, sizeof(*r));
}

/* The peaks still remembered at `now`: a slot ages out whole. */
static uint64_t prior_peak(const struct ow_rise *r, uint64_t now_ns)
{
	uint64_t age = now_ns > r->slot_ns ? now_ns - r->slot_ns : 0;

	if (age >= 2 * OW_RISE_SLOT_NS)
		return 0;
	if (age >= OW_RISE_SLOT_NS)
		return r->peak[1];
	return r->peak[0] > r->peak[1] ? r->peak[0] : r->peak[1];
}

static void rotate(struct ow_rise *r, uint64_t now_ns)
{
	uint64_t age = now_ns - r->slot_ns;

	if (age < OW_RISE_SLOT_NS)
		return;
	r->peak[0] = age >= 2 * OW_RISE_SLOT_NS ? 0 : r->peak[1];
	r->peak[1] = 0;
	r->slot_ns = now_ns;
}

/* The rise ended at its top: a peak before whatever comes next. */
static void end_rise(struct ow_rise *r)
{
	if (r->top > r->peak[1])
		r->peak[1] = r->top;
}

/* A rise begins at this reading; the quiet before it is counted up to the last reading. */
static void start_rise(struct ow_rise *r, uint64_t now_ns, uint64_t value)
{
	r->start_ns = r->top_ns = now_ns;
	r->base = r->top = value;
	r->edge_in_rise = false;
	r->quiet_ns = now_ns - (r->edge_ns ? r->edge_ns : r->first_ns);
}

static void note_edge(struct ow_rise *r, uint64_t now_ns, uint64_t kernel, bool at_edge)
{
	if (kernel != r->kernel || at_edge) {
		r->edge_ns = now_ns;
		r->edge_in_rise = true;
	}
	r->kernel = kernel;
}

void ow_rise_add(struct ow_rise *r, uint64_t now_ns, uint64_t value, uint64_t kernel, bool at_edge,
		 uint64_t noise)
{
	if (!r->first_ns) {
		r->first_ns = r->slot_ns = now_ns ? now_ns : 1;
		r->kernel = kernel;
		start_rise(r, r->first_ns, value);
		if (at_edge)
			r->edge_ns = r->first_ns;
		return;
	}
	if (now_ns < r->top_ns)
		return; /* out of order: the clock is monotonic, a caller is not */
	rotate(r, now_ns);
	if (now_ns - r->top_ns > OW_RISE_GAP_NS || value + noise < r->top) {
		/* Level (or no reading) for too long, or lower: what comes now starts afresh. */
		end_rise(r);
		start_rise(r, now_ns, value);
	} else if (value > r->top) {
		r->top = value;
		r->top_ns = now_ns;
	} else if (r->top == r->base) {
		/* Level and not risen yet: the level is a peak before whatever begins later. */
		end_rise(r);
		start_rise(r, now_ns, value);
	}
	note_edge(r, now_ns, kernel, at_edge);
}

void ow_rise_view(const struct ow_rise *r, uint64_t now_ns, struct ow_rise_view *out)
{
	memset(out, 0, sizeof(*out));
	if (!r->first_ns || now_ns < r->top_ns)
		return;
	out->prior_peak = prior_peak(r, now_ns);
	out->before_s = (double)(r->start_ns - r->first_ns) / NS_PER_S;
	/* Level for longer than a gap: the rise is over, whatever the next reading says. */
	if (now_ns - r->top_ns > OW_RISE_GAP_NS || r->top_ns == r->start_ns)
		return;
	out->span_s = (double)(r->top_ns - r->start_ns) / NS_PER_S;
	out->rate = (double)(r->top - r->base) / out->span_s;
	out->edge_reached = r->edge_in_rise;
	out->edge_quiet_s = (double)r->quiet_ns / NS_PER_S;
}
