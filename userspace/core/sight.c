// SPDX-License-Identifier: GPL-2.0
/* Sight of a cgroup's whole charge: see userspace/core/sight.h. */
#include "memcg.h"
#include "sight.h"

uint64_t ow_sight_step(uint64_t limit)
{
	if (!limit || limit == OW_NO_LIMIT)
		return 0;
	return limit / OW_SIGHT_STEPS ? limit / OW_SIGHT_STEPS : 1;
}

void ow_sight_thresholds(uint64_t usage, uint64_t limit, uint64_t *low, uint64_t *high)
{
	uint64_t step = ow_sight_step(limit);

	*low = *high = 0;
	if (!step)
		return;
	if (usage < limit && limit - usage > step)
		*high = usage + step;
	if (usage > 2 * step)
		*low = usage - 2 * step;
}

uint64_t ow_sight_delay_ns(uint64_t usage, uint64_t limit)
{
	double room, delay;

	if (!ow_sight_step(limit))
		return OW_SIGHT_MAX_DELAY_NS;
	room = usage >= limit ? 0 : (double)(limit - usage) / (double)limit;
	delay = room * 2.0 * (double)OW_SIGHT_MAX_DELAY_NS;
	if (delay < (double)OW_SIGHT_MIN_DELAY_NS)
		return OW_SIGHT_MIN_DELAY_NS;
	if (delay > (double)OW_SIGHT_MAX_DELAY_NS)
		return OW_SIGHT_MAX_DELAY_NS;
	return (uint64_t)delay;
}

uint64_t ow_sight_due_ns(uint64_t now_ns, uint64_t usage, uint64_t limit, unsigned int slower)
{
	uint64_t due = now_ns + ow_sight_delay_ns(usage, limit) * (slower ? slower : 1);

	return due / OW_SIGHT_MIN_DELAY_NS * OW_SIGHT_MIN_DELAY_NS;
}

unsigned int ow_sight_slower(bool v1, bool moved, uint64_t quiet_ns)
{
	if (!v1 || moved)
		return 1;
	return quiet_ns < OW_SIGHT_QUIET_NS ? OW_SIGHT_V1_SLOWER : OW_SIGHT_V1_IDLE;
}

bool ow_sight_spread(bool v1, uint64_t usage, uint64_t limit, unsigned int slower)
{
	return v1 ? slower > 1 : ow_sight_delay_ns(usage, limit) >= OW_SIGHT_MAX_DELAY_NS;
}

uint64_t ow_sight_period_ns(bool v1, uint64_t usage, uint64_t limit, unsigned int slower,
			    unsigned int sighted)
{
	uint64_t period = ow_sight_delay_ns(usage, limit) * (slower ? slower : 1);
	uint64_t spread;

	if (!ow_sight_spread(v1, usage, limit, slower))
		return period;
	spread = (uint64_t)sighted * 1000000000ULL /
		 (v1 ? OW_SIGHT_V1_QUIET_READS : OW_SIGHT_V2_FAR_READS);
	return spread > period ? spread : period;
}

uint64_t ow_sight_quiet_due_ns(uint64_t now_ns, uint64_t period_ns, uint64_t key,
			       unsigned int sighted)
{
	uint64_t slots = period_ns / OW_SIGHT_SPREAD_NS, next = now_ns / OW_SIGHT_SPREAD_NS + 1;
	uint64_t phases = ((uint64_t)sighted + OW_SIGHT_BATCH - 1) / OW_SIGHT_BATCH, slot;

	if (slots < 1)
		slots = 1;
	if (phases < 1)
		phases = 1;
	if (phases > slots)
		phases = slots;
	/* the key's phase, spaced evenly over the period; the first slot after now that is it */
	slot = key % phases * slots / phases;
	next += (slot + slots - next % slots) % slots;
	return next * OW_SIGHT_SPREAD_NS;
}

bool ow_sight_in_pass(bool v1, uint64_t usage, uint64_t limit, unsigned int slower)
{
	if (v1)
		return slower >= OW_SIGHT_V1_IDLE;
	return ow_sight_delay_ns(usage, limit) >= OW_SIGHT_MAX_DELAY_NS;
}

uint64_t ow_sight_pass_period_ns(bool v1, uint64_t walked)
{
	const uint64_t per = (uint64_t)OW_SIGHT_WALK_NS * OW_SIGHT_PASS_SHARE;
	uint64_t period = OW_SIGHT_MAX_DELAY_NS * (v1 ? OW_SIGHT_PASS_V1_DELAYS : 1);
	uint64_t share = walked > UINT64_MAX / per ? UINT64_MAX : walked * per;

	if (share > period)
		period = share;
	if (period > UINT64_MAX - OW_SIGHT_SPREAD_NS)
		return UINT64_MAX / OW_SIGHT_SPREAD_NS * OW_SIGHT_SPREAD_NS;
	return (period + OW_SIGHT_SPREAD_NS - 1) / OW_SIGHT_SPREAD_NS * OW_SIGHT_SPREAD_NS;
}

uint64_t ow_sight_watch_every_ns(uint64_t period_ns, unsigned int used)
{
	uint64_t ticks = ((uint64_t)used + OW_SIGHT_WATCH_CHUNK - 1) / OW_SIGHT_WATCH_CHUNK;

	return ticks > 1 ? period_ns / ticks : period_ns;
}

unsigned int ow_sight_machine_slower(uint64_t used, uint64_t limit)
{
	uint64_t n = limit / (4ULL << 30); /* 512 MiB/s for 1 s is an eighth of 4 GiB */

	if (!limit || limit == OW_NO_LIMIT || used >= limit / 2 || n < 1)
		return 1;
	return n > OW_SIGHT_MACHINE_SLOWER ? OW_SIGHT_MACHINE_SLOWER : (unsigned int)n;
}

bool ow_sight_moved(uint64_t seen, uint64_t usage, uint64_t limit)
{
	uint64_t step = ow_sight_step(limit);

	if (!step)
		return false;
	return usage > seen ? usage - seen >= step : seen - usage >= step;
}
