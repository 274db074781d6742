/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What to watch: the memory hierarchy and the --cgroup subtrees, resolved once at start-up,
 * and the scan that maps memcg ids (directory inodes) to cgroups. Shared by `run` and
 * `status`.
 */
#ifndef OW_WATCH_H
#define OW_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "model.h"

#define OW_WATCH_MAX_ROOTS 64

/* What the watch reads of the settings: the --cgroup subtrees as given (none: the whole
 * hierarchy). Read once by ow_watch_init; nothing of it is kept. */
struct ow_watch_cfg {
	const char *const *cgroups;
	unsigned int ncgroups; /* at most OW_WATCH_MAX_ROOTS */
};

struct ow_watch {
	struct ow_cg_mount mount;
	uint64_t machine_limit;
	unsigned int nroots;
	/* Absolute, resolved; the mount if none given. Last, and only the strings written: 256
	 * KiB zeroed made the daemon's whole copy resident (and locked). */
	char roots[OW_WATCH_MAX_ROOTS][PATH_MAX];
};

/* *dst = *src, the roots' strings alone (a reload's new watch). */
void ow_watch_copy(struct ow_watch *dst, const struct ow_watch *src);

/* Resolve the mount and the --cgroup roots. On a bad root writes one line into err and
 * returns -EINVAL; -ENOENT when no memory controller is mounted. */
int ow_watch_init(struct ow_watch *w, const struct ow_watch_cfg *cfg, char *err, size_t errlen);

/* Is this absolute cgroup path inside a watched subtree? */
bool ow_watch_covers(const struct ow_watch *w, const char *path);

/* Where memcg `id` is, without a scan: 1 inside a watched subtree, 0 outside, -errno when it
 * cannot be told (gone, or no open_by_handle_at: the caller scans). */
int ow_watch_locate(const struct ow_watch *w, uint64_t id);

/* Called for each watched cgroup found by ow_watch_scan. */
typedef void (*ow_watch_fn)(struct ow_cgroup *cg, bool added, void *arg);

/* Walk the watched subtrees: add new cgroups to the model, mark the ones still there, and
 * call `fn` for each. Cgroups no longer found are left with `seen == false`. */
int ow_watch_scan(const struct ow_watch *w, struct ow_model *m, ow_watch_fn fn, void *arg);
/* A watched directory and its children only, as a scan finds them (nothing is marked unseen):
 * what enabling a controller in its subtree_control changes. */
int ow_watch_scan_children(const struct ow_watch *w, struct ow_model *m, const char *path,
			   ow_watch_fn fn, void *arg);

/* Add the cgroup at `path` (inside a watched subtree) and any of its ancestors the model lacks,
 * parents first, calling `fn` for each level as a scan would: a new cgroup costs its depth,
 * not a walk of every watched cgroup (70 ms at 20,000). -EINVAL outside, -ENOENT gone. */
int ow_watch_add(const struct ow_watch *w, struct ow_model *m, const char *path, ow_watch_fn fn,
		 void *arg);

/* ow_watch_locate, and a memcg found inside is added (ow_watch_add): 1 inside (added), 0
 * outside, -errno when it cannot be told (the caller scans). */
int ow_watch_place(const struct ow_watch *w, struct ow_model *m, uint64_t id, ow_watch_fn fn,
		   void *arg);

/* Re-read a cgroup's files, and its effective limit when its own limit changed or the last
 * reading is over a second old (`now_ns`: CLOCK_MONOTONIC). -ENOENT when it vanished. */
int ow_watch_refresh(const struct ow_watch *w, struct ow_cgroup *cg, uint64_t now_ns);

/* What a scan reads of a cgroup found with no sign of activity: usage and own limit, the
 * effective limit from its watched parent's (found before it: the walk is pre-order); the rest
 * (memory.stat, most of the cost: 20,000 cgroups took seconds) at its first refresh. With no
 * parent (a watched root) or for the root, a full refresh. -ENOENT when it vanished. */
int ow_watch_glance(const struct ow_watch *w, struct ow_cgroup *cg, const struct ow_cgroup *parent,
		    uint64_t now_ns);

#endif /* OW_WATCH_H */
