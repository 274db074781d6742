/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cgroup v2 leaf's memory.high, read and written: the I/O of a brake (writing memory.high just
 * above a leaking cgroup's usage makes the kernel throttle its allocations instead of
 * OOM-killing) and of its lift. What to write and when is decided elsewhere; the record of the
 * brakes in force is brake_state.h. Directories are absolute paths (any length), so tests point
 * them at a temporary tree. Errors are returned as -errno; nothing is printed.
 */
#ifndef OW_MEMORY_HIGH_H
#define OW_MEMORY_HIGH_H

#include <stdint.h>

#include "memcg.h" /* OW_NO_LIMIT: "max" */

/* One cgroup's protection and limit files and its throttling events, in bytes and counts; a
 * "max" reads OW_NO_LIMIT. Plain data. */
struct ow_high_state {
	uint64_t high;		  /* memory.high */
	uint64_t max;		  /* memory.max */
	uint64_t low;		  /* memory.low */
	uint64_t min;		  /* memory.min */
	uint64_t current;	  /* memory.current */
	uint64_t events_high;	  /* memory.events high: times allocations were throttled */
	uint64_t events_max;	  /* memory.events max: times usage reached memory.max */
	uint64_t events_oom_kill; /* memory.events oom_kill */
};

/*
 * Read the files of struct ow_high_state in the cgroup directory `dir`. Each file is opened
 * without following a symbolic link and read only when it is a regular file, without blocking
 * (a FIFO or a device planted in a user's delegated subtree is -EINVAL at once, a file too large
 * for the value -EFBIG). All are needed (kernels since 4.18 have them): a missing one or a
 * vanished directory is -ENOENT, a malformed value -EINVAL; `out` is written only on success.
 */
int ow_high_read(const char *dir, struct ow_high_state *out);

/* What a brake in force is judged by, as ow_high_read reads it: memory.high, memory.current and
 * memory.events alone (max, low and min are not read: 0 in `out`). */
int ow_high_poll(const char *dir, struct ow_high_state *out);

/* memory.high of `dir` alone, as ow_high_read reads it. */
int ow_high_get(const char *dir, uint64_t *out);

/* memory.current of `dir` alone, as ow_high_read reads it. */
int ow_high_current(const char *dir, uint64_t *out);

/* 0 when `dir` is an absolute path strictly below `root` whose every component is a name (not
 * empty, "." or ".."), else -EINVAL: the check of ow_high_set on the text alone. Pure. */
int ow_high_below(const char *root, const char *dir);

/*
 * Write `value` to memory.high of `dir` (decimal bytes, "max" for OW_NO_LIMIT). `dir` must be a
 * directory strictly below `root` (the cgroup2 mount): absolute, without empty, "." or ".."
 * components, not a symbolic link, on root's filesystem; else -EINVAL (-ENOENT when it does not
 * exist). memory.high is opened O_WRONLY | O_NONBLOCK | O_NOFOLLOW and written only when it is a
 * regular file. The kernel reclaims in the writer's context while usage is above the new value,
 * so a value below memory.current makes this call slow. Returns 0 or -errno.
 */
int ow_high_set(const char *root, const char *dir, uint64_t value);

#endif /* OW_MEMORY_HIGH_H */
