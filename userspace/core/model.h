/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's picture of the machine: the watched memory cgroups (by memcg id, the inode of
 * the cgroup directory) with their trends and action state, and the processes the kernel
 * reported growing. Plain data, indexed by id (memcg id, tgid) in open-addressing hash tables:
 * a rescan looks up every watched cgroup, and a linear lookup made it quadratic (3.9 s at
 * 32,000 cgroups).
 */
#ifndef OW_MODEL_H
#define OW_MODEL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "brake.h"
#include "composition.h"
#include "crash_loop.h"
#include "due_heap.h"
#include "pre_stop.h"
#include "grace.h"
#include "kube_names.h"
#include "lifecycle.h"
#include "memcg.h"
#include "policy.h"
#include "rise.h"
#include "rss_gate.h"
#include "tmpfs_growth.h"
#include "trend.h"

#define OW_PROC_SAMPLES 8

/* What the daemon did to a cgroup's process, counted for the metrics. */
enum ow_acted {
	OW_ACTED_SIGTERM = 0,
	OW_ACTED_SIGKILL,
	OW_ACTED_DRY_RUN,    /* --dry-run: a SIGTERM decided and not sent */
	OW_ACTED_POD_DELETE, /* its pod's deletion asked of the Kubernetes API */
	OW_ACTED_COUNT,
};

struct ow_proc_rec {
	pid_t tgid;
	uint64_t memcg_id;
	char comm[16];
	uint64_t nonrecl;
	uint64_t t_ns[OW_PROC_SAMPLES]; /* oldest first */
	uint64_t v[OW_PROC_SAMPLES];
	unsigned int n;
	/* Read when the process is first seen growing, and again when its name changes (exec):
	 * by the time the kernel OOM-kills it, /proc may no longer have it, and the post-mortem
	 * should still say what it was. */
	char cmdline[256];
	bool cmdline_read;
	/* The tmpfs/shmem files it holds open for writing (sys/shm_writers.h), when its cgroup's
	 * growth is shmem: what it writes moves no RSS, so this is its measured growth. */
	uint64_t shm_bytes, shm_ns;
	double shm_rate; /* bytes/s between the last two samples */
	bool shm_first;	 /* the last sample was its first: no rate yet */
};

/* What was last read of a cgroup (watch.c refreshes it; rescan.c configures the BPF side). */
struct ow_cg_reading {
	uint64_t own_limit;
	uint64_t limits_ns; /* when eff_limit was computed (0: never) */
	uint64_t eff_limit;
	struct ow_cg_stat st;
	uint64_t nonrecl;
	uint64_t last_sample_ns;
	bool bpf_configured; /* its memcg_cfg entry was written */
};

/* Its history (model.c). The trends (~6 KiB) are allocated when the value first moves: most
 * cgroups of a large machine never grow, and the daemon's memory is locked. Until then the
 * first sample stands for the whole (flat) history. */
struct ow_cg_history {
	struct ow_trend *fine;
	struct ow_trend *coarse;
	uint64_t base_ns, base_value; /* the first sample while fine is NULL (base_ns 0: none) */
	struct ow_rise rise;	      /* the current rise and the peaks before it */
};

/* What was judged of it (evaluate.c). */
struct ow_cg_eval {
	struct ow_verdict verdict;
	enum ow_level level;
	const char *level_reason; /* the verdict's reason when the level was last logged */
	uint64_t warned_ns;	  /* when a verdict last warned of its own (not held); 0: never */
	uint64_t stopped_ns; /* when a kill stopped its growth (OOM kill, victim exit); 0: never */
	struct ow_composition_window comp; /* what its charge was made of, 10-20 s ago */
	int grows;			   /* the kind that grew since (composition.h), -1: none */
	uint64_t grew;			   /* by this many bytes */
	uint64_t writers_ns;		   /* its tmpfs writers were last sampled */
	unsigned int writers_next;	   /* where that scan stopped (budget spent) */
};

/* Action state, one victim at a time (victim.c). */
struct ow_cg_victim {
	int fd; /* pidfd, -1 when none */
	pid_t pid;
	char comm[16];
	bool restarting;      /* its manager was asked to restart it; no SIGTERM yet */
	bool deleting;	      /* its pod's deletion was asked (restarting too): no answer yet */
	bool pod_deleted;     /* the API server took it: the kubelet sends the SIGTERM */
	uint32_t delete_id;   /* the deletion's request, to match its answer */
	uint64_t term_ns;     /* when SIGTERM was sent */
	uint64_t deadline_ns; /* SIGKILL (or give up) at this time */
	bool killed;	      /* SIGKILL sent */
	double grace_s;	      /* granted after the SIGTERM */
	double lead_s;	      /* the ETA when it was acted on: the lead the action gave */
	struct ow_live_growth live; /* the cgroup's growth since the SIGTERM */
	uint64_t cooldown_until_ns;
	uint64_t retry_after_ns;   /* no new attempt before this, even past the high-water mark */
	struct ow_crash_loop loop; /* its recent victims (crash_loop.h) */
	/* The pre-stop signal (pre_stop.h): sent, and the SIGTERM waits until deadline_ns. */
	bool pre_stop;
	int pre_stop_sig;
	uint64_t pre_stop_ns;	  /* when it was sent */
	uint64_t starttime;	  /* the victim's (ow_proc_info): its pid read again is still it */
	uint64_t poll_ns;	  /* the next look at the victim's open files */
	double keep_s;		  /* the lead the plan keeps for the SIGTERM */
	struct ow_pre_stop_done { /* the last wait, for the act line and alert; signal 0: none */
		int signal;
		double waited_s;
		const char *ended; /* ow_pre_stop_cut_name(), or "written" */
	} evidence;
};

/* The brake on the victim's leaf cgroup (core/brake.h), carried out by daemon/brake.c. */
struct ow_cg_brake {
	char *dir;		/* the braked cgroup's directory (malloc'd); NULL: no brake on */
	uint64_t leaf_id;	/* its memcg id */
	uint64_t original;	/* its memory.high before the brake (OW_NO_LIMIT: "max") */
	uint64_t value;		/* the brake's, as written */
	bool raised;		/* raised for the victim's drain */
	bool late;		/* set well below the usage (ow_brake_late): no waiting */
	bool refused;		/* a brake was refused (logged) in this climb */
	uint64_t hold_until_ns; /* no new brake before: a burst was just let go */
	struct ow_brake_track track;
	uint64_t lifted_burst; /* bursts that stopped under the brake: lifted, nobody signalled */
	uint64_t drained;      /* victims that exited under the brake */
};

/* Sight of its whole charge (core/sight.h), carried out by daemon/sight.c; for cgroups with a
 * limit of their own. */
struct ow_cg_sight {
	int usage_fd;	/* memory.current / memory.usage_in_bytes, -1: not watched */
	int efd;	/* v1: the thresholds' eventfd, -1: none */
	int limit_wd;	/* inotify watch of its limit file (daemon/limit_watch.c), -1: none */
	int subtree_wd; /* v2: of its cgroup.subtree_control, -1: none */
	uint64_t limit_logged_ns; /* its limit's last change logged at info */
	uint64_t children_tat;	  /* v2: the looks at its children's budget (limit_watch.c) */
	bool children_due;	  /* another write came since: looked at again when due */
	bool limit_written;	  /* its limit file written: noted (limit_watch.c) */
	bool subtree_written;	  /* its subtree_control written: noted */
	uint64_t seen;		  /* the usage at the last evaluation */
	struct ow_due due;	  /* the next read (daemon/sight.c's heap) */
	bool in_pass;		  /* read by the pass instead (daemon/sight_pass.c) */
	uint64_t pass_step;	  /* the step the pass was given */
	uint32_t pass_slot;	  /* its slot in the pass's map (daemon/sight_pass.c) */
	uint64_t moved_ns;	  /* its usage last moved a step (or it was armed) */
	/* v1: thresholds being set off the loop (daemon/sight.c, sys/threshold_worker.h) */
	uint64_t arm_seq;   /* of the request in flight, 0: none */
	uint64_t low, high; /* what that request sets */
	bool rearm;	    /* set them again around rearm_usage once it is done */
	uint64_t rearm_usage;
};

/* Counters for the metrics; they go with the cgroup when it is removed. */
struct ow_cg_counters {
	uint64_t actions[OW_ACTED_COUNT];
	uint64_t oom_kills_seen;	/* kernel OOM kills of its processes (oom:mark_victim) */
	struct ow_lc_oom_told oom_told; /* of those, told in the log and alerts */
};

/* Alerts: one incident from leaving ok until back at ok (alerting.c). */
struct ow_cg_alert {
	char incident[48];
	int64_t start_ns; /* CLOCK_REALTIME */
};

/*
 * What is said of a cgroup in text, written at its acts and its shmem warnings only: out of
 * line (struct ow_cgroup.text), allocated at the first write (ow_cg_text_mut) and read through
 * ow_cg_text(), an empty set until then. Inline, these were 2 KiB of every cgroup, of the
 * daemon's locked memory (mlockall): 40 MiB at 20,000 idle memcgs that never say a word.
 */
struct ow_cg_text {
	/* its victim's (struct ow_cg_victim) */
	char manager[160];   /* who manages the victim (managed.h label) */
	char note[256];	     /* what its manager will do after SIGTERM, or "" */
	char grace_from[32]; /* "grace" or the manager's setting that gave it */
	char loop_text[160]; /* this victim made a crash loop: what to say; else "" */
	char cwd[256];	     /* the victim's working directory when it was sent */
	/* Its mappings that grew (daemon/victim_maps.c), read once the act is out: "[heap] +120.0
	 * MiB, ..."; since its cgroup's warning maps_since_s ago, or its largest (< 0). */
	char maps[256];
	double maps_since_s;
	struct ow_dump_watch dump; /* the heap dump seen written in the pre-stop wait */
	/* its evaluation's (struct ow_cg_eval): shmem grows, the tmpfs mounts that grew
	 * ("/dev/shm +48.0 MiB"), and the largest files of the first ("/dev/shm/seg 40.0 MiB,
	 * ..."), once walked; "" */
	char tmpfs[160];
	char tmpfs_files[OW_TMPFS_FILES_LEN];
};

#define OW_KUBE_SETTLED UINT8_MAX /* kube_tries: named, not a pod, or given up on */

/* A watched cgroup: who it is, then one part per concern, each written by one file. */
struct ow_cgroup {
	uint64_t id;
	uint64_t parent_id; /* the parent, if watched; else 0 */
	char *path;	    /* absolute directory (may be longer than PATH_MAX) */
	const char *rel;    /* path relative to the mount, points into path */
	char name[128];	    /* as users know it: unit, container or path */
	bool seen;	    /* found by the latest scan */
	bool moved;	    /* found by a scan under a new path (a v1 rename): set up again */
	bool set_up;	    /* read, configured, watched (daemon/rescan.c); a v2 directory without
			     * the memory controller is not until it gets it */
	/* Not found by a scan: lookups skip it, ow_model_reap frees it. A scan can run deep in
	 * the handling of an event that holds this cgroup (or its parent): freeing it there
	 * left the caller reading freed memory. */
	bool gone;
	bool in_busy; /* in the model's busy list */
	int rule;     /* index of its [cgroup] section in the options (rules.h), -1: none */
	/* A pod's names from the kubelet's directories (daemon/kube.c); NULL: none known. */
	struct ow_kube_names *kube;
	/* A docker or podman container's name and image from its runtime's state (daemon/kube.c
	 * looks both up, a cgroup is one or the other); NULL: none known. */
	struct ow_cg_ctr {
		char name[128];
		char image[256];
	} * ctr;
	uint8_t kube_tries;	    /* lookups so far; OW_KUBE_SETTLED: no more */
	uint64_t kube_next_ns;	    /* not looked up again before (doubling waits: daemon/kube.c) */
	unsigned int trusted_depth; /* leading components of rel root named (cgroup_path.h) */
	struct ow_cg_reading reading;
	struct ow_cg_history history;
	struct ow_cg_eval eval;
	struct ow_cg_victim victim;
	struct ow_cg_brake brake;
	struct ow_cg_sight sight;
	struct ow_rss_rise rss_rise; /* its non-reclaimable charge, for the page-fault gate */
	struct ow_cg_counters counters;
	struct ow_cg_alert alert;
	struct ow_cg_text *text; /* NULL: nothing said yet (ow_cg_text) */
	bool text_spare;	 /* text is the caller's spare (ow_cg_text_mut): not freed */
};

/* What is said of cg: an empty set until something is. */
const struct ow_cg_text *ow_cg_text(const struct ow_cgroup *cg);
/* Its text to write, allocated at the first call; out of memory, the caller's spare (shared by
 * every cgroup that needed it then: its words may be another's, the act goes on). */
struct ow_cg_text *ow_cg_text_mut(struct ow_cgroup *cg, struct ow_cg_text *spare);

/* Position + 1 of each entry in an array, by key hash (0: empty slot); linear probing with
 * backward-shift deletion, so no tombstones pile up as cgroups and processes come and go. */
struct ow_index {
	unsigned int *slot;
	unsigned int mask; /* capacity - 1 (a power of two); 0: not allocated */
};

struct ow_model {
	struct ow_cgroup **cgs;
	unsigned int ncgs, cgcap;
	unsigned int ngone; /* marked gone, not yet reaped: the loop's reap scans only then */
	/* The cgroups a timer tick has work for (ow_cgroup_busy), and maybe some no longer:
	 * the loop's ticks and its next wakeup look at these alone, not at every cgroup (at
	 * 8,000 memcgs those passes were a third of an idle daemon's CPU). busy_all: the list
	 * could not grow, every cgroup is looked at. */
	struct ow_cgroup **busy;
	unsigned int nbusy, busycap;
	bool busy_all;
	struct ow_proc_rec *procs;
	unsigned int nprocs, proccap;
	unsigned int procs_sweep_at; /* ow_model_procs_sweep_due at this many (0: the minimum) */
	struct ow_index cg_index, proc_index;
};

/* The cgroup with this memcg id, unless it is gone. */
struct ow_cgroup *ow_model_cgroup(struct ow_model *m, uint64_t id);
struct ow_cgroup *ow_model_add_cgroup(struct ow_model *m, uint64_t id, const char *path,
				      size_t mount_len);
/* cg found under a new path (cgroup v1 lets a cgroup be renamed in place): its path, rel and
 * name follow, and cg->moved is set. 0, or -ENOMEM (nothing changed). */
int ow_model_move_cgroup(struct ow_cgroup *cg, const char *path, size_t mount_len);
/* Removes cgs[index] by moving the last cgroup into its place (iterate with `i` and do not
 * advance after a removal). */
void ow_model_remove_cgroup(struct ow_model *m, unsigned int index);
/* Has a timer tick work for cg: a level above ok (re-samples), a victim (its deadlines), a
 * brake? */
bool ow_cgroup_busy(const struct ow_cgroup *cg);
/* Puts cg in the busy list (call it as it becomes busy); a list that cannot grow sets
 * busy_all instead. */
void ow_model_note_busy(struct ow_model *m, struct ow_cgroup *cg);
/* Takes out of the busy list those no longer busy, and the gone. */
void ow_model_prune_busy(struct ow_model *m);
/* Marks cg gone (lookups skip it), to be freed by ow_model_reap. */
void ow_model_mark_gone(struct ow_model *m, struct ow_cgroup *cg);
/* Free the cgroups marked gone; returns how many. Call it where no cgroup pointer is held. */
unsigned int ow_model_reap(struct ow_model *m);

/* The root cgroup stands for the whole machine (and on v2 has no memory files). */
static inline bool ow_cgroup_is_root(const struct ow_cgroup *cg)
{
	return cg->rel[0] == '/' && cg->rel[1] == '\0';
}

struct ow_proc_rec *ow_model_proc(struct ow_model *m, pid_t tgid);
/* Record a process's non-reclaimable memory at time t_ns (creating the record). */
struct ow_proc_rec *ow_model_proc_sample(struct ow_model *m, pid_t tgid, uint64_t memcg_id,
					 const char *comm, uint64_t nonrecl, uint64_t t_ns);
void ow_model_proc_remove(struct ow_model *m, pid_t tgid);
/* Record the tmpfs bytes a process holds open for writing (creating the record). */
struct ow_proc_rec *ow_model_proc_shm(struct ow_model *m, pid_t tgid, uint64_t memcg_id,
				      uint64_t bytes, uint64_t t_ns);
/* Bytes/s of those, when sampled within `window_ns`; else 0. */
double ow_proc_shm_rate(const struct ow_proc_rec *p, uint64_t now_ns, uint64_t window_ns);
/* Is it a writer to sample again at once, ahead of the others: sampled within `window_ns`,
 * and growing, or holding written bytes at its first sample (a rate needs a second)? A
 * process that holds files open for writing and writes nothing to them is not (a hostile
 * user's padding of its cgroup held 48,000 such files, and kept the writer out of sight). */
bool ow_proc_shm_writing(const struct ow_proc_rec *p, uint64_t now_ns, uint64_t window_ns);
/*
 * A process's record goes at its exit event, but no exit is reported for one the daemon
 * sampled itself (degraded, or its cgroup at warn while the page-fault program was detached,
 * or a tmpfs writer: the BPF side never told of it) or whose event a full ring buffer
 * dropped: a cgroup at warn that runs short-lived processes left a record for each, for good.
 * The dead are swept when the records reach twice what the last sweep left (at least
 * OW_PROCS_SWEEP_MIN): no timer, and at most twice the live ones plus that.
 */
#define OW_PROCS_SWEEP_MIN 256
bool ow_model_procs_sweep_due(const struct ow_model *m);
/* Drops the records of the processes `alive` says are gone; returns how many. */
unsigned int ow_model_sweep_procs(struct ow_model *m, bool (*alive)(pid_t tgid, void *arg),
				  void *arg);
/* Bytes/s a process grew at over its recent samples, considering only the last `window_ns`. */
double ow_proc_rate(const struct ow_proc_rec *p, uint64_t now_ns, uint64_t window_ns);

/* Add a sample to a cgroup's trends, allocating them on first use. -ENOMEM on failure. */
int ow_cgroup_sample(struct ow_cgroup *cg, uint64_t now_ns, uint64_t nonrecl);
void ow_cgroup_view(const struct ow_cgroup *cg, uint64_t now_ns, struct ow_cg_view *view);
/* Remember when the verdict warned (or worse) of its own: a warning holds from then on. */
void ow_cgroup_note_verdict(struct ow_cgroup *cg, uint64_t now_ns, const struct ow_verdict *v);
void ow_cgroup_reset_trend(struct ow_cgroup *cg);

void ow_model_free(struct ow_model *m);

#endif /* OW_MODEL_H */
