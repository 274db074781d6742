// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The maps and settings every program shares; the other objects declare them extern. */
#include "core.bpf.h"

struct ow_procs_map procs SEC(".maps");
struct ow_memcg_cfg_map memcg_cfg SEC(".maps");
struct ow_memcg_state_map memcg_state SEC(".maps");
struct ow_events_map events SEC(".maps");

const volatile __u64 reclaim_report_ns = 100000000ULL;
volatile __u32 cfg_gen = 1;
volatile __u64 ringbuf_drops = 0;
volatile __u64 map_full = 0;
volatile __u64 memcg_rebinds = 0;
volatile __u64 sight_visited = 0;
volatile __u64 sight_walked = 0;
volatile __u32 sight_slots_used = 0;
volatile __u32 sight_watch_chunk = 0;
volatile __u64 sight_watch_every_ns = 0;
volatile __u32 sight_watch_next = 0;
volatile __u64 sight_watch_ticks = 0;
volatile __u64 sight_watch_ns = 0;

char LICENSE[] SEC("license") = "Dual BSD/GPL";
