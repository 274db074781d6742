/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `diagnose --stacks`: uprobes on the target's own libc (malloc, calloc, realloc,
 * posix_memalign, mmap and their frees), attached per pid so no other process pays the
 * ~1.5 us a call, and the outstanding allocations they saw, grouped by user stack.
 */
#ifndef OW_ALLOC_TRACER_H
#define OW_ALLOC_TRACER_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ow_alloc.h"

struct ow_alloc_tracer;

/* Outstanding allocations of one process made at one call stack. */
struct ow_alloc_stack {
	pid_t pid;
	int stack_id; /* < 0: allocations whose stack was lost */
	uint64_t bytes;
	uint64_t count;
	uint64_t oldest_ns; /* CLOCK_MONOTONIC time of the oldest one */
	uint64_t ips[OW_ALLOC_STACK_DEPTH];
	unsigned int nips;
};

struct ow_alloc_totals {
	uint64_t allocs, frees, table_full, stack_lost;
};

int ow_alloc_tracer_open(struct ow_alloc_tracer **out, char *err, size_t errlen);

/* The path of the libc `pid` maps, from <proc_root>/<pid>/maps; -ENOENT when none (static or
 * another allocator). */
int ow_find_libc(const char *proc_root, pid_t pid, char *buf, size_t len);

/* Attach to pid's libc; -ENOENT: no libc, -E2BIG: OW_ALLOC_MAX_TARGETS reached. */
int ow_alloc_tracer_add_pid(struct ow_alloc_tracer *t, const char *proc_root, pid_t pid, char *err,
			    size_t errlen);

/* Start tracing every added pid at once. */
int ow_alloc_tracer_start(struct ow_alloc_tracer *t);

/* Switch every probe off at once: the window is over, the outstanding set no longer changes.
 * The probes stay attached until close: detaching costs ~0.1 s each (uprobe_unregister waits
 * for an RCU grace period), so it is left for after the report. */
void ow_alloc_tracer_stop(struct ow_alloc_tracer *t);

/* Group what is still outstanding by (pid, stack), largest first. The caller frees *out. */
int ow_alloc_tracer_collect(struct ow_alloc_tracer *t, struct ow_alloc_stack **out, size_t *n,
			    struct ow_alloc_totals *totals);

void ow_alloc_tracer_close(struct ow_alloc_tracer *t);

#endif /* OW_ALLOC_TRACER_H */
