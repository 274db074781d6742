/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `diagnose` watches: a pid, a memory cgroup (with its descendants) or a systemd unit,
 * resolved to the memory cgroups to configure in BPF and the processes in them at the start.
 * Reads only below the roots it is given, so tests point it at fixture trees.
 */
#ifndef OW_DIAG_TARGET_H
#define OW_DIAG_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"

#define OW_DIAG_MAX_MEMCGS 256
#define OW_DIAG_MAX_PIDS   256

struct ow_diag_target {
	char label[PATH_MAX + 32];	     /* "pid 42 (node)", "cgroup /x", "unit api.service" */
	char dir[PATH_MAX];		     /* the memory cgroup whose limit applies */
	uint64_t memcgs[OW_DIAG_MAX_MEMCGS]; /* ids (directory inodes) to watch */
	unsigned int nmemcgs;
	pid_t pids[OW_DIAG_MAX_PIDS]; /* processes at the start */
	unsigned int npids;
	bool by_cgroup; /* new processes of the memcgs join the target */
};

/* Roots: the memory mount, procfs, and the cgroup mounts where systemd keeps units (v1 name=
 * systemd and v2 trees: a v1 machine may keep a unit's processes in the root memcg). */
struct ow_diag_roots {
	struct ow_cg_mount mount;
	const char *proc;
	const char *unit_roots[4];
};

/* Fill `t` for a pid, a cgroup path or a unit. -ESRCH: no such process, -ENOENT: no such
 * cgroup or no cgroup for the unit; err gets one line for the user. */
int ow_diag_target_pid(const struct ow_diag_roots *r, pid_t pid, struct ow_diag_target *t,
		       char *err, size_t errlen);
int ow_diag_target_cgroup(const struct ow_diag_roots *r, const char *path, struct ow_diag_target *t,
			  char *err, size_t errlen);
int ow_diag_target_unit(const struct ow_diag_roots *r, const char *unit, struct ow_diag_target *t,
			char *err, size_t errlen);

#endif /* OW_DIAG_TARGET_H */
