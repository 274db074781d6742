/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A memory cgroup's readings as plain data: what sys/cgroup.c reads from cgroupfs and the
 * decisions of core/ judge. No I/O here.
 */
#ifndef OW_MEMCG_H
#define OW_MEMCG_H

#include <stdint.h>

#define OW_NO_LIMIT UINT64_MAX

/* One cgroup's memory, in bytes. Fields a version lacks are 0 (or OW_NO_LIMIT for limits). */
struct ow_cg_stat {
	uint64_t usage;		/* memory.current | memory.usage_in_bytes */
	uint64_t limit;		/* memory.max | memory.limit_in_bytes; OW_NO_LIMIT when "max" or
				 * at/above the v1 "unlimited" value (>= 2^62) */
	uint64_t high;		/* memory.high (v2 only), else OW_NO_LIMIT */
	uint64_t anon;		/* memory.stat anon | total_rss (v1 has no "anon") */
	uint64_t file;		/* memory.stat file | total_cache */
	uint64_t active_file;	/* memory.stat active_file | total_active_file */
	uint64_t inactive_file; /* memory.stat inactive_file | total_inactive_file */
	uint64_t shmem;		/* memory.stat shmem | total_shmem */
	uint64_t swap; /* memory.swap.current | memory.memsw.usage_in_bytes - usage (0 if absent) */
	uint64_t oom_kills; /* memory.events oom_kill | memory.oom_control oom_kill */
	/* The kernel reclaimed or throttled at the cgroup's edge: memory.events max + high (v2).
	 * Monotonic; 0 where unknown. v1 has memory.failcnt, which counts nothing here once
	 * memory.memsw.limit_in_bytes is set (6.18): its edge is the usage at the limit
	 * (core/rise.h), read anyway. */
	uint64_t edge_events;
};

#endif /* OW_MEMCG_H */
