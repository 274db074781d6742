/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which tmpfs mounts grew. A cgroup whose shmem grows (composition.h) holds tmpfs files: the
 * kernel charges their pages to the writer's memcg, and no kill frees them while the files
 * stay. The warning names the mounts that grew over the same 10-20 s, from each mount's used
 * blocks (statfs, sys/tmpfs_mounts.c): the machine's whole use of the mount, not the cgroup's
 * share, so it names where to look (/dev/shm, /tmp, /run/user/1000), whoever wrote there.
 * Pure: no I/O, no clock.
 */
#ifndef OW_TMPFS_GROWTH_H
#define OW_TMPFS_GROWTH_H

#include <stdint.h>

/* The text naming the largest files of a mount that grew (daemon/tmpfs_files.c). */
#define OW_TMPFS_FILES_LEN 512

/* tmpfs mounts followed at most (a container host has one per container). */
#define OW_TMPFS_MAX 256

/* The used bytes of each mount, by mount id. */
struct ow_tmpfs_usage {
	unsigned int n;
	int id[OW_TMPFS_MAX];
	uint64_t used[OW_TMPFS_MAX];
};

/* Two snapshots a slot apart (OW_COMPOSITION_SLOT_NS, as the composition's): the older one is
 * 10-20 s old whenever it is asked. */
struct ow_tmpfs_window {
	struct ow_tmpfs_usage snap[2]; /* older, newer */
	uint64_t newer_ns;	       /* 0: none taken */
};

void ow_tmpfs_note(struct ow_tmpfs_window *w, uint64_t now_ns, const struct ow_tmpfs_usage *u);

struct ow_tmpfs_grew {
	int id;
	uint64_t bytes;
};

/* The mounts of `now` that grew by min_bytes or more since the older snapshot (a mount not in
 * it is new: all it holds grew), most first, at most `max`. Returns the count. */
unsigned int ow_tmpfs_grown(const struct ow_tmpfs_window *w, const struct ow_tmpfs_usage *now,
			    uint64_t min_bytes, struct ow_tmpfs_grew *out, unsigned int max);

#endif /* OW_TMPFS_GROWTH_H */
