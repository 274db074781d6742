/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup model readers: find the memory hierarchy (v1 or v2) and read one cgroup's memory
 * files. Every function takes the directories it reads as arguments, so tests point them at
 * fixture trees under tests/fixtures/. Errors are returned as -errno; nothing is printed.
 */
#ifndef OW_CGROUP_H
#define OW_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup_path.h" /* ow_cg_display_name, ow_cg_depth: what a path says */
#include "memcg.h"	 /* struct ow_cg_stat, OW_NO_LIMIT */

enum ow_cg_version {
	OW_CG_V1 = 1,
	OW_CG_V2 = 2,
};

/* Where the memory controller is mounted. */
struct ow_cg_mount {
	enum ow_cg_version version;
	char path[PATH_MAX]; /* e.g. /sys/fs/cgroup/memory (v1) or /sys/fs/cgroup (v2) */
};

/*
 * Find the memory controller by parsing `mountinfo` (normally /proc/self/mountinfo). A v1
 * mount whose super options include "memory" wins; otherwise a cgroup2 mount whose
 * cgroup.controllers lists "memory". `prefix` is prepended to the mount point read from
 * mountinfo before checking it exists ("" on a live system, a fixture root in tests).
 * Returns 0, -ENOENT when no memory controller is mounted, or another -errno.
 */
int ow_cg_find_memory_mount(const char *mountinfo, const char *prefix, struct ow_cg_mount *out);

/* Does the v2 cgroup directory `dir` enable the memory controller for its children (its
 * cgroup.subtree_control names memory)? False when it cannot be read. */
bool ow_cg_subtree_has_memory(const char *dir);

/* Read the memory files of the cgroup directory `dir`. A missing optional file (memory.high,
 * swap, events) leaves its field at the default; a missing usage file or a malformed value
 * returns -ENOENT / -EINVAL. A vanished directory returns -ENOENT. */
int ow_cg_read_stat(enum ow_cg_version version, const char *dir, struct ow_cg_stat *out);

/* A single-value file's text ("123", "123\n"; "max" when `max_ok`, read as OW_NO_LIMIT):
 * digits only, no sign or blanks before them, no overflow. 0 or -EINVAL. */
int ow_cg_parse_value(const char *text, bool max_ok, uint64_t *out);

/* One key of a "key value" file (memory.stat, memory.events) and where its value goes. */
struct ow_cg_key {
	const char *key;
	uint64_t *val;
};

/* The keys of `want` in the "key value" lines of `text` (cut into lines in place): unknown keys
 * are skipped (kernels add keys), a known key with a malformed value is -EINVAL. */
int ow_cg_parse_keys(char *text, const struct ow_cg_key *want, size_t n);

/* Only the usage and the own limit of `dir` (two small files; the rest of `out` as if absent):
 * what a scan of thousands of cgroups can afford for each. */
int ow_cg_read_usage_limit(enum ow_cg_version version, const char *dir, struct ow_cg_stat *out);
/* The cgroup's own limit alone (memory.limit_in_bytes, memory.max): OW_NO_LIMIT for none. */
int ow_cg_read_limit(enum ow_cg_version version, const char *dir, uint64_t *out);

/* Memory the kernel cannot reclaim without swap or killing: usage minus the file LRU
 * (active_file + inactive_file), never below anon + shmem. Pure. */
uint64_t ow_cg_nonreclaimable(const struct ow_cg_stat *st);

/*
 * Effective limit of `dir` (a directory below mount->path): the smallest limit of it and its
 * ancestors up to the mount root, and `machine_limit` (MemTotal + SwapTotal) if smaller.
 */
int ow_cg_effective_limit(const struct ow_cg_mount *mount, const char *dir, uint64_t machine_limit,
			  uint64_t *out);

/* The whole machine as a cgroup, from a meminfo file: for the v2 root, which has no memory
 * files. usage = MemTotal - MemAvailable + file LRU; limit OW_NO_LIMIT. */
int ow_meminfo_stat(const char *meminfo, struct ow_cg_stat *out);
/* The same from meminfo's text (changed: split into lines). */
int ow_meminfo_parse(char *text, struct ow_cg_stat *out);

/* MemTotal + SwapTotal in bytes from a meminfo file (normally /proc/meminfo). */
int ow_meminfo_machine_limit(const char *meminfo, uint64_t *out);

/*
 * How many leading components of `relpath` (below the mount at `root`) name directories that
 * root made: a cgroup directory is named by whoever may write its parent, and delegation
 * (Delegate=yes, user@UID.service) chowns a directory to its user, who may then create any
 * name below it. Returns k when `root` and the first k components are all owned by uid 0 (0
 * when `root` itself is not, or cannot be read). Names within the first k components can be
 * believed; names below come from a user.
 */
unsigned int ow_cg_trusted_depth(const char *root, const char *relpath);

/* Call `fn` for `dir` and every cgroup directory below it (pre-order). `fn` returning non-zero
 * stops the walk and that value is returned. A directory that vanishes mid-walk is skipped. */
typedef int (*ow_cg_walk_fn)(const char *path, uint64_t ino, void *arg);
int ow_cg_walk(const char *dir, ow_cg_walk_fn fn, void *arg);
/* The same, `max_depth` levels below `dir` at most (1: dir and its children). */
int ow_cg_walk_depth(const char *dir, unsigned int max_depth, ow_cg_walk_fn fn, void *arg);

/* Read the pids of a cgroup (cgroup.procs) into `pids` (at most `max`); returns the count or
 * -errno. */
int ow_cg_read_procs(const char *dir, int *pids, int max);

#endif /* OW_CGROUP_H */
