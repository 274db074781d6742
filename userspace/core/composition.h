/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a cgroup's charge is made of, and which part grew: anonymous memory, shmem (tmpfs and
 * /dev/shm files, shared anonymous mappings), kernel memory (slab, sockets, pipes, page tables:
 * the charge that is none of the others) and page cache. Killing a process frees its anonymous
 * memory; it frees no tmpfs file, and kernel memory only with the sockets and pipes it holds,
 * so the warning says which grew (issue 17). Pure.
 */
#ifndef OW_COMPOSITION_H
#define OW_COMPOSITION_H

#include <stdint.h>

#include "memcg.h"

enum ow_mem_kind {
	OW_KIND_ANON,
	OW_KIND_SHMEM,
	OW_KIND_KERNEL,
	OW_KIND_FILE, /* page cache that is not shmem: reclaimable, never "the" growth */
	OW_KIND_COUNT,
};

struct ow_composition {
	uint64_t bytes[OW_KIND_COUNT];
};

/* Its parts from a reading: shmem is counted in the cgroup's "file" (v1 total_cache, v2 file),
 * so page cache is file - shmem; kernel is the usage none of the others explains. */
void ow_composition_of(const struct ow_cg_stat *st, struct ow_composition *out);

/* The non-reclaimable kind that grew most from `then` to `now` (its growth in *grew), or -1
 * when none grew by `min_bytes`. */
int ow_growth_kind(const struct ow_composition *then, const struct ow_composition *now,
		   uint64_t min_bytes, uint64_t *grew);

/* Two snapshots a slot apart, so the older one is 10-20 s old whenever it is asked: the
 * growth of a warning covers its window, whenever the snapshots were last taken. */
#define OW_COMPOSITION_SLOT_NS (10 * 1000000000ULL)

struct ow_composition_window {
	struct ow_composition snap[2]; /* older, newer */
	uint64_t newer_ns;	       /* when snap[1] was taken (0: never) */
};

/* What a two-snapshot window (older, newer) does with a reading at now_ns: fill both (its
 * first), shift (the newer becomes the older, the reading the newer: the newer is a slot
 * old), or keep them. Updates *newer_ns. Shared by the composition's and the tmpfs mounts'
 * windows (tmpfs_growth.h). */
enum ow_slot_step { OW_SLOT_KEEP, OW_SLOT_FIRST, OW_SLOT_SHIFT };
enum ow_slot_step ow_slot_step(uint64_t *newer_ns, uint64_t now_ns);

/* A reading of the cgroup: kept when the newer snapshot is a slot old. */
void ow_composition_note(struct ow_composition_window *w, uint64_t now_ns,
			 const struct ow_composition *c);
/* ow_growth_kind since the older snapshot. */
int ow_composition_grows(const struct ow_composition_window *w, const struct ow_composition *now,
			 uint64_t min_bytes, uint64_t *grew);

/* "anon", "shmem", "kernel", "file"; "" for -1. */
const char *ow_mem_kind_name(int kind);

#endif /* OW_COMPOSITION_H */
