/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The edge that touches processes: list the processes of a cgroup subtree as victim
 * candidates, and signal one through a pidfd, so a PID reused since we looked is never hit.
 */
#ifndef OW_ACTUATOR_H
#define OW_ACTUATOR_H

#include <stdint.h>
#include <sys/types.h>

#include "model.h"
#include "options.h"
#include "policy.h"
#include "proc.h"

#define OW_MAX_CANDIDATES 1024

struct ow_candidates {
	unsigned int n;
	struct ow_candidate c[OW_MAX_CANDIDATES];
	struct ow_proc_info info[OW_MAX_CANDIDATES];
};

/* Every process in `cgdir` and below, with its growth rate from the model and the safety
 * and preference marks from the options: the global protect/prefer with those of the [cgroup]
 * section of the process's own cgroup (`mount_len`: the length of the memory mount's path, so
 * a directory's path below it can be matched). Returns the count or -errno. */
int ow_collect_candidates(const char *procroot, const char *cgdir, size_t mount_len,
			  const struct ow_options *opts, const struct ow_model *model,
			  uint64_t now_ns, struct ow_candidates *out);

/* Open a pidfd for `info->pid` and check it is still the process that was read (same start
 * time), so the signal cannot reach a reused PID. Returns the fd or -errno (-ESRCH: gone). */
int ow_pidfd_open_checked(const char *procroot, const struct ow_proc_info *info);
int ow_pidfd_signal(int pidfd, int sig);

#endif /* OW_ACTUATOR_H */
