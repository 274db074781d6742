/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's clocks, once. Monotonic for every deadline and rate (the BPF side stamps events
 * with bpf_ktime_get_ns(), the same clock); real time only for what people read (alerts, logs).
 */
#ifndef OW_CLOCK_H
#define OW_CLOCK_H

#include <stdint.h>

#define OW_NS_PER_MS 1000000ULL
#define OW_NS_PER_S  1000000000ULL

/* CLOCK_MONOTONIC, nanoseconds. */
uint64_t ow_mono_ns(void);
/* CLOCK_REALTIME, nanoseconds since the epoch. */
int64_t ow_realtime_ns(void);

#endif /* OW_CLOCK_H */
