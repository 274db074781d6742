/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v1 usage thresholds set off the event loop. Each registration through
 * cgroup.event_control waits for an RCU grace period (mem_cgroup_usage_register_event() swaps
 * the cgroup's threshold array, then synchronize_rcu()): 8-43 ms each here, two per setting,
 * measured with strace. Set from the loop, a cgroup's crossing blocked it for 40-80 ms (up to
 * three settings in a row for a fast leak, and one per limited cgroup at start), and every
 * other event waited behind it. A thread of its own does them: the loop hands over a request
 * and goes on; the worker's eventfd says results are ready, each the new thresholds' eventfd
 * (or -errno) for the request's (id, seq).
 */
#ifndef OW_THRESHOLD_WORKER_H
#define OW_THRESHOLD_WORKER_H

#include <stdint.h>

/* What sets the thresholds: ow_usage_thresholds_arm, or a test's stand-in. */
typedef int (*ow_threshold_arm_fn)(const char *dir, int ufd, uint64_t low, uint64_t high);

struct ow_threshold_worker;

struct ow_threshold_result {
	uint64_t id, seq; /* as submitted */
	int efd;	  /* the thresholds' eventfd (now the caller's), or -errno */
};

/* Start the thread. 0 and *out, or -errno. */
int ow_threshold_worker_start(ow_threshold_arm_fn arm, struct ow_threshold_worker **out);

/* Readable (an eventfd) while results wait: watch it, then take them. */
int ow_threshold_worker_fd(const struct ow_threshold_worker *w);

/* Ask for thresholds `low` and `high` on `dir` (copied) whose usage file is `ufd` (dup()ed:
 * the caller may close its own at once). Never waits for a registration. 0 or -errno. */
int ow_threshold_worker_submit(struct ow_threshold_worker *w, uint64_t id, uint64_t seq,
			       const char *dir, int ufd, uint64_t low, uint64_t high);

/* Up to `max` results, oldest first; returns how many. */
unsigned int ow_threshold_worker_take(struct ow_threshold_worker *w,
				      struct ow_threshold_result *out, unsigned int max);

/* End the thread after the registration in hand (waited for 2 s at most; requests not begun
 * are dropped), close the eventfds of results not taken, free w. */
void ow_threshold_worker_stop(struct ow_threshold_worker *w);

#endif /* OW_THRESHOLD_WORKER_H */
