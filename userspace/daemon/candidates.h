/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The edge that touches processes: list the processes of a cgroup subtree as victim
 * candidates, and signal one through a pidfd, so a PID reused since we looked is never hit.
 */
#ifndef OW_CANDIDATES_H
#define OW_CANDIDATES_H

#include <regex.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "model.h"
#include "policy.h"
#include "proc.h"
#include "rules.h"

#define OW_MAX_CANDIDATES 1024

struct ow_candidates {
	unsigned int n;
	struct ow_candidate c[OW_MAX_CANDIDATES];
	struct ow_proc_info info[OW_MAX_CANDIDATES];
};

/* Every process in `cgdir` and below (at most OW_MAX_CANDIDATES, in directory order), with
 * its size and its growth rate from the model: for display (the top processes of an alert)
 * and for degraded-mode sampling. Never for choosing a victim: a user can pad a subtree with
 * sleepers. Returns the count or -errno. */
int ow_list_processes(const char *procroot, const char *cgdir, const struct ow_model *model,
		      uint64_t now_ns, struct ow_candidates *out);
/* The pids of `cgdir` and below, at most `max`, nothing read of them. Count or -errno. */
int ow_list_pids(const char *cgdir, pid_t *pids, unsigned int max);

/*
 * What choosing a victim reads of the settings: --protect, --prefer and the [cgroup] sections.
 * The pointers are into the options in effect: fill it for each choice (a reload frees them).
 */
struct ow_victim_cfg {
	const char *protect; /* regex source, or NULL */
	const regex_t *protect_re;
	const char *prefer;
	const regex_t *prefer_re;
	const struct ow_cgroup_rule *rules;
	unsigned int nrules;
};

/* Where to look for a victim. */
struct ow_victim_scope {
	const char *procroot;
	const char *mount; /* the memory hierarchy's mount point */
	enum ow_cg_version version;
	uint64_t cg_id;	 /* the cgroup at risk */
	const char *rel; /* its path below the mount ("/" for the root) */
	struct ow_victim_cfg cfg;
	struct ow_model *model;
	uint64_t now_ns;
};

/*
 * The victim candidates: the processes the model saw growing (rate > 0 over the last 10 s) in
 * the subtree, fastest first, at most OW_MAX_CANDIDATES of them, each confirmed in the subtree
 * by its /proc/PID/cgroup, with the safety marks: --protect against its trusted executable,
 * oom_score_adj -1000, and --prefer, with those of the [cgroup] section of its own cgroup.
 * Processes that did not grow are never candidates, however many there are. Returns the count.
 */
int ow_collect_victims(const struct ow_victim_scope *s, struct ow_candidates *out);

/* Open a pidfd for `info->pid` and check it is still the process that was read (same start
 * time), so the signal cannot reach a reused PID. Returns the fd or -errno (-ESRCH: gone). */
int ow_pidfd_open_checked(const char *procroot, const struct ow_proc_info *info);
int ow_pidfd_signal(int pidfd, int sig);

#endif /* OW_CANDIDATES_H */
