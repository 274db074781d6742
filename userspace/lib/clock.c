// SPDX-License-Identifier: GPL-2.0
/* The daemon's clocks: see clock.h. */
#include <time.h>

#include "clock.h"

uint64_t ow_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * OW_NS_PER_S + (uint64_t)ts.tv_nsec;
}

int64_t ow_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * (int64_t)OW_NS_PER_S + ts.tv_nsec;
}
