// SPDX-License-Identifier: GPL-2.0
/* The brake's decisions: see userspace/core/brake.h. */
#include "brake.h"
#include "memcg.h"

bool ow_brake_wanted(const struct ow_brake_want *in)
{
	if (!in->enabled || in->on || !in->climbing)
		return false;
	if (in->limit == OW_NO_LIMIT || !in->limit ||
	    (double)in->nonrecl >= in->kill_water * (double)in->limit)
		return false;
	return in->eta_s <= in->grace_s ||
	       (double)in->nonrecl >= in->high_water * (double)in->limit;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

enum ow_brake_refusal ow_brake_value(const struct ow_brake_files *f, uint64_t limit, double cap,
				     uint64_t *value)
{
	uint64_t lim = limit < f->max ? limit : f->max;
	uint64_t margin, v, top;

	if (lim == OW_NO_LIMIT)
		return OW_BRAKE_NO_ROOM;
	margin = max_u64((uint64_t)(OW_BRAKE_MARGIN_FRAC * (double)lim), OW_BRAKE_MARGIN_MIN);
	top = (uint64_t)(cap * (double)lim);
	v = f->current + margin < top ? f->current + margin : top;
	v = max_u64(max_u64(v, f->low == OW_NO_LIMIT ? 0 : f->low),
		    f->min == OW_NO_LIMIT ? 0 : f->min);
	if (f->high != OW_NO_LIMIT && f->high <= v)
		return OW_BRAKE_ADMIN_LOWER;
	if (v >= lim)
		return OW_BRAKE_NO_ROOM;
	*value = v;
	return OW_BRAKE_OK;
}

uint64_t ow_brake_raised(uint64_t value, uint64_t current, uint64_t limit, uint64_t original)
{
	uint64_t v = max_u64(value, current) + (uint64_t)(OW_BRAKE_DRAIN_FRAC * (double)limit);
	uint64_t cap = limit == OW_NO_LIMIT ? v : (uint64_t)(OW_BRAKE_DRAIN_CAP * (double)limit);

	if (v > cap)
		v = cap;
	if (original != OW_NO_LIMIT && v > original)
		v = original;
	return v > value ? v : value;
}

const char *ow_brake_refusal_str(enum ow_brake_refusal r)
{
	switch (r) {
	case OW_BRAKE_ADMIN_LOWER:
		return "its memory.high is already at or below where the brake would go";
	case OW_BRAKE_NO_ROOM:
		return "no room for a brake below its limit";
	case OW_BRAKE_OK:
		break;
	}
	return "ok";
}

bool ow_brake_late(uint64_t current, uint64_t value, uint64_t limit)
{
	return limit != OW_NO_LIMIT && current > value &&
	       (double)(current - value) > OW_BRAKE_LATE_FRAC * (double)limit;
}

bool ow_brake_defers(bool high_water_only, bool late, uint64_t nonrecl, uint64_t limit,
		     double kill_water)
{
	return high_water_only && !late && limit != OW_NO_LIMIT &&
	       (double)nonrecl < kill_water * (double)limit;
}

void ow_brake_track_start(struct ow_brake_track *t, uint64_t now_ns, uint64_t current,
			  uint64_t events_high)
{
	t->set_ns = now_ns;
	t->current = current;
	t->events_high = events_high;
	t->streak_ns = t->press_ns = now_ns; /* it was climbing when braked */
}

void ow_brake_track_add(struct ow_brake_track *t, uint64_t now_ns, uint64_t current,
			uint64_t events_high)
{
	bool press = events_high > t->events_high || current > t->current + OW_BRAKE_NOISE;

	if (press) {
		if (now_ns - t->press_ns > OW_BRAKE_GAP_NS)
			t->streak_ns = now_ns; /* a new streak after a pause */
		t->press_ns = now_ns;
	}
	/* A fall is kept as the new base; a rise under the noise is not, so a slow crawl adds
	 * up to a press. */
	if (press || current < t->current)
		t->current = current;
	t->events_high = events_high;
}

enum ow_brake_call ow_brake_judge(const struct ow_brake_track *t, uint64_t now_ns, bool has_victim)
{
	bool pressing = now_ns - t->press_ns <= OW_BRAKE_GAP_NS;

	if (has_victim)
		return OW_BRAKE_HOLD;
	if (now_ns - t->set_ns >= OW_BRAKE_MAX_UNACTED_NS)
		return OW_BRAKE_GIVE_UP;
	if (pressing && t->press_ns - t->streak_ns >= OW_BRAKE_PRESS_NS)
		return OW_BRAKE_LEAK;
	if (now_ns - t->press_ns >= OW_BRAKE_FLAT_NS)
		return OW_BRAKE_LIFT;
	return OW_BRAKE_HOLD;
}
