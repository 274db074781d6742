/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every oomwarden BPF program shares: local CO-RE flavours of the few kernel types the
 * programs read, the maps (defined once in maps.bpf.c, linked by `bpftool gen object`), and
 * small helpers. The kernel types are declared here rather than taken from vmlinux.h because
 * vendored vmlinux.h headers lack struct mem_cgroup, and a local flavour relocates by field
 * name on every kernel that has the field.
 */
#ifndef OW_CORE_BPF_H
#define OW_CORE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "ow_events.h"

struct kernfs_node___ow {
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup_subsys_state___ow;

struct cgroup___ow {
	struct kernfs_node___ow *kn;
	struct cgroup_subsys_state___ow *subsys[16];
} __attribute__((preserve_access_index));

struct cgroup_subsys_state___ow {
	struct cgroup___ow *cgroup;
	unsigned int flags; /* CSS_ONLINE (1 << 1) since 3.x, include/linux/cgroup-defs.h */
} __attribute__((preserve_access_index));

struct css_set___ow {
	struct cgroup_subsys_state___ow *subsys[16];
} __attribute__((preserve_access_index));

struct atomic_long___ow {
	__s64 counter;
} __attribute__((preserve_access_index));

struct page_counter___ow {
	struct atomic_long___ow usage;
	unsigned long max;
} __attribute__((preserve_access_index));

/* css is the first member of struct mem_cgroup, so a memory css pointer is the memcg. */
struct mem_cgroup___ow {
	struct page_counter___ow memory;
} __attribute__((preserve_access_index));

struct atomic___ow {
	int counter;
} __attribute__((preserve_access_index));

/* live: the group's threads not yet in do_exit() (decremented before sched_process_exit) */
struct signal_struct___ow {
	struct atomic___ow live;
} __attribute__((preserve_access_index));

struct task_struct___ow {
	int pid;
	int tgid;
	unsigned int flags;
	struct css_set___ow *cgroups;
	struct signal_struct___ow *signal;
	char comm[16];
} __attribute__((preserve_access_index));

/* Since 6.2 the RSS counters are percpu_counters (mm: convert mm's rss stats into
 * percpu_counter); before, atomic_long_t in struct mm_rss_stat. */
struct percpu_counter___ow {
	__s64 count;
} __attribute__((preserve_access_index));

struct mm_struct___ow {
	struct task_struct___ow *owner;
	struct percpu_counter___ow rss_stat[4];
} __attribute__((preserve_access_index));

struct mm_rss_stat___ow {
	struct atomic_long___ow count[4];
} __attribute__((preserve_access_index));

struct mm_struct___old {
	struct mm_rss_stat___ow rss_stat;
} __attribute__((preserve_access_index));

enum cgroup_subsys_id___ow {
	memory_cgrp_id___ow = 4,
};

#define OW_PF_KTHREAD 0x00200000
#define OW_PAGE_SHIFT 12

/*
 * Maps, defined in maps.bpf.c. Plain hashes, not LRU: an LRU evicts without a trace (a
 * configured memcg would fall back to silence, a process's exit would go unreported), and its
 * per-CPU free lists evict before the map is full. A full map is counted instead (map_full):
 * the daemon alerts, exports it and sizes nothing it does not need (it configures only memcgs
 * whose processes the BPF side saw; outside memcgs are pruned).
 */
#define OW_MEMCG_MAX 32768 /* 20,000 busy memcgs and their neighbours outside */

struct ow_procs_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OW_BPF_MAX_PROCESSES_DEFAULT);
	__type(key, __u32);
	__type(value, struct ow_proc_state);
};

struct ow_memcg_cfg_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OW_MEMCG_MAX);
	__type(key, __u64);
	__type(value, struct ow_memcg_cfg);
};

struct ow_memcg_state_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OW_MEMCG_MAX);
	__type(key, __u64);
	__type(value, struct ow_memcg_state);
};

struct ow_events_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
};

extern struct ow_procs_map procs SEC(".maps");
extern struct ow_memcg_cfg_map memcg_cfg SEC(".maps");
extern struct ow_memcg_state_map memcg_state SEC(".maps");
extern struct ow_events_map events SEC(".maps");

/* Minimum time between two reclaim reports of one memcg; set by the daemon before load. */
extern const volatile __u64 reclaim_report_ns;
/* Bumped by the daemon after every change to memcg_cfg (bss, written through the skeleton). */
extern volatile __u32 cfg_gen;
/* Events lost because the ring buffer was full: the daemon says so (it never sees them). */
extern volatile __u64 ringbuf_drops;
/* Entries a full map refused (procs, memcg_cfg, memcg_state): what they stood for is unwatched
 * until room frees up, and the daemon says so. */
extern volatile __u64 map_full;
/* Process entries found naming a memcg the process is no longer in, and re-bound (rss.bpf.c):
 * each one is a cgroup move the attach tracepoint did not settle. */
extern volatile __u64 memcg_rebinds;
/* Members the sight's pass found in its walk (sight.bpf.c), zeroed by the daemon before each:
 * fewer than it has means some were removed (no read of theirs fails any more to say so). */
extern volatile __u64 sight_visited;
/* Cgroups the pass walked, members or not. */
extern volatile __u64 sight_walked;
/* The watch (sight.bpf.c), set by the daemon: slots in use (the highest + 1), how many one tick
 * checks, the time between ticks; its own: the next slot, and its ticks and their time. */
extern volatile __u32 sight_slots_used;
extern volatile __u32 sight_watch_chunk;
extern volatile __u64 sight_watch_every_ns;
extern volatile __u32 sight_watch_next;
extern volatile __u64 sight_watch_ticks;
extern volatile __u64 sight_watch_ns;

/* The id differs between kernel configs; copy it into a plain int before indexing (-1: none). */
static __always_inline int memory_subsys_id(void)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id___ow, memory_cgrp_id___ow);

	return id >= 0 && id < 16 ? id : -1;
}

static __always_inline struct mem_cgroup___ow *task_memcg(struct task_struct___ow *task)
{
	int id = memory_subsys_id();

	if (id < 0)
		return NULL;
	return (struct mem_cgroup___ow *)BPF_CORE_READ(task, cgroups, subsys[id]);
}

static __always_inline __u64 memcg_id_of(struct mem_cgroup___ow *memcg)
{
	struct cgroup_subsys_state___ow *css = (void *)memcg;

	if (!memcg)
		return 0;
	return BPF_CORE_READ(css, cgroup, kn, id);
}

static __always_inline __u64 memcg_usage(struct mem_cgroup___ow *memcg)
{
	if (!memcg)
		return 0;
	return (__u64)BPF_CORE_READ(memcg, memory.usage.counter) << OW_PAGE_SHIFT;
}

static __always_inline __u64 memcg_max(struct mem_cgroup___ow *memcg)
{
	unsigned long max;

	if (!memcg)
		return 0;
	max = BPF_CORE_READ(memcg, memory.max);
	/* PAGE_COUNTER_MAX (LONG_MAX / PAGE_SIZE) means no limit. */
	if (max >= (~0UL >> (OW_PAGE_SHIFT + 1)))
		return ~0ULL;
	return (__u64)max << OW_PAGE_SHIFT;
}

static __always_inline __u64 nonreclaimable(const __u64 *rss)
{
	return rss[OW_MEM_ANON] + rss[OW_MEM_SHMEM] + rss[OW_MEM_SWAP];
}

static __always_inline __u64 abs_diff(__u64 a, __u64 b)
{
	return a > b ? a - b : b - a;
}

static __always_inline struct ow_event *event_reserve(__u32 kind, __u32 tgid, __u64 memcg)
{
	struct ow_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&ringbuf_drops, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->tgid = tgid;
	e->memcg_id = memcg;
	e->ts_ns = bpf_ktime_get_ns();
	return e;
}

/* A memcg seen first: tell the daemon once (it writes the real configuration) and return NULL;
 * a memcg already in the map: its configuration. */
static __always_inline struct ow_memcg_cfg *memcg_sight(__u64 memcg, __u32 tgid)
{
	struct ow_memcg_cfg *cfg = bpf_map_lookup_elem(&memcg_cfg, &memcg);
	struct ow_memcg_cfg unknown = {};
	struct ow_event *e;

	if (cfg)
		return cfg;
	if (bpf_map_update_elem(&memcg_cfg, &memcg, &unknown, BPF_NOEXIST)) {
		if (!bpf_map_lookup_elem(&memcg_cfg, &memcg)) /* not a racing insert: full */
			__sync_fetch_and_add(&map_full, 1);
		return NULL;
	}
	e = event_reserve(OW_EV_MEMCG_STEP, tgid, memcg);
	if (e)
		bpf_ringbuf_submit(e, 0);
	return NULL;
}

#endif /* OW_CORE_BPF_H */
