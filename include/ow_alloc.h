/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Layouts shared by the allocation tracker (bpf/diag/alloc.bpf.c) and `oomwarden diagnose
 * --stacks` (userspace/diagnose/alloc_tracer.c). Include the integer types first.
 */
#ifndef OW_ALLOC_H
#define OW_ALLOC_H

#define OW_ALLOC_STACK_DEPTH 32 /* user frames kept per stack */
#define OW_ALLOC_MAX_STACKS  16384
#define OW_ALLOC_MAX_LIVE    (1U << 20) /* outstanding allocations tracked at once */
#define OW_ALLOC_MAX_TARGETS 64		/* processes traced at once */

/* What an entry probe saw, kept per thread until the matching return probe. */
enum ow_alloc_kind {
	OW_ALLOC_MALLOC = 1,
	OW_ALLOC_CALLOC,
	OW_ALLOC_REALLOC,
	OW_ALLOC_MEMALIGN, /* posix_memalign: the pointer comes back through memory */
	OW_ALLOC_MMAP,
};

struct ow_alloc_inflight {
	__u64 size;
	__u64 arg; /* realloc: the old pointer; posix_memalign: where the pointer goes */
	__u32 kind;
	__u32 depth; /* nested calls inside this one (realloc(NULL, n) calls malloc) */
};

struct ow_alloc_key {
	__u32 tgid;
	__u32 pad;
	__u64 ptr;
};

struct ow_alloc_rec {
	__u64 size;
	__u64 ts_ns;	/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__s32 stack_id; /* < 0: the stack was lost */
	__u32 pad;
};

/* Per-CPU counters, summed by userspace. */
struct ow_alloc_counters {
	__u64 allocs;
	__u64 frees;
	__u64 table_full; /* allocations not tracked: `live` was full */
	__u64 stack_lost; /* allocations tracked without a stack */
};

#endif /* OW_ALLOC_H */
