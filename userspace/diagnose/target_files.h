/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files of another process, seen as it sees them (its mount namespace, its pid namespace).
 * Every function takes the proc root ("/proc" live, a fixture directory in tests). The target
 * controls what lies under its root, so opens accept regular files only and never block.
 */
#ifndef OW_TARGET_FILES_H
#define OW_TARGET_FILES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Open `path` (absolute, as the target names it) read-only: inside <procroot>/<pid>/root with
 * that directory as "/" (openat2 RESOLVE_IN_ROOT, so its absolute symlinks stay inside), else
 * `path` itself. Returns an fd or -errno (-EINVAL: not a regular file).
 */
int ow_target_open(const char *procroot, int pid, const char *path);

/* The first half of ow_target_open: inside the target's root only. */
int ow_target_open_in_root(const char *procroot, int pid, const char *path);

/* Open a regular file read-only without blocking. Returns an fd or -errno. */
int ow_open_regular(const char *path);

/* Open the file mapped at [start, end) through <procroot>/<pid>/map_files (needs
 * CAP_SYS_ADMIN): exactly the mapped file, even deleted or replaced. Returns an fd or -errno. */
int ow_target_open_mapped(const char *procroot, int pid, uint64_t start, uint64_t end);

struct ow_target_ids {
	int nspid; /* the pid in its own (innermost) namespace: names its /tmp/perf-NSPID.map */
	uid_t uid; /* real uid */
	bool has_uid;
};

/* From <procroot>/<pid>/status; without an NSpid line nspid = pid. Returns 0 or -errno. */
int ow_target_ids(const char *procroot, int pid, struct ow_target_ids *out);

#endif /* OW_TARGET_FILES_H */
