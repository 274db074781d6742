/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's state, private to the files of the daemon: daemon.c (the loop: epoll, dispatch,
 * setup and teardown), rescan.c (the watched set), evaluate.c (verdicts and levels), victim.c
 * (the victim's lifecycle and restart jobs), oom_kills.c (kernel OOM kills), daemon_reload.c
 * (SIGHUP) and daemon_status.c (systemd). Calls run one way: the loop calls evaluate, evaluate
 * calls victim; a victim's exit goes back to the loop, which re-evaluates. The decisions
 * themselves are the pure functions of lifecycle.h and policy.h.
 */
#ifndef OW_DAEMON_CTX_H
#define OW_DAEMON_CTX_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "action_plan.h"
#include "brake_state.h"
#include "candidates.h"
#include "exporter.h"
#include "int_map.h"
#include "lifecycle.h"
#include "log.h"
#include "manager.h"
#include "model.h"
#include "options.h"
#include "pod_delete.h"
#include "rules.h"
#include "runner.h"
#include "sd_notify.h"
#include "settings.h"
#include "shm_writers.h"
#include "smaps.h"
#include "threshold_worker.h"
#include "tmpfs_mounts.h"
#include "tracer.h"
#include "worker.h"
#include "watch.h"

#define NS_PER_MS      OW_NS_PER_MS
#define NS_PER_S       OW_NS_PER_S
#define TAG_RINGBUF    1
#define TAG_SIGNAL     2
#define TAG_TIMER      3
#define TAG_PSI	       4
#define TAG_WATCHDOG   5
#define TAG_VICTIM     (1ULL << 63) /* | memcg id */
#define TAG_JOB_EXIT   (1ULL << 62) /* | job slot */
#define TAG_JOB_OUT    (1ULL << 61) /* | job slot */
#define MAX_JOBS       8
#define TAG_EXPORTER   (1ULL << 60) /* + the exporter's sub-tag */
#define TAG_SIGHT      (1ULL << 59) /* | memcg id: its usage thresholds fired (v1) */
#define TAG_SENDER     6	    /* the alert sender answered (a pod deletion) */
#define TAG_THRESHOLDS 7	    /* v1 thresholds were set (sys/threshold_worker.h) */
#define TAG_TMPFS_WALK 8	    /* a tmpfs mount was walked (tmpfs_files.c) */
#define TAG_LIMITS     9	    /* a watched limit's file was written (limit_watch.c) */
#define RESCAN_MIN_NS  (200 * NS_PER_MS)
#define UNPLACED_MAX   16		/* new memcgs looked up again (rescan.c) */
#define UNPLACED_NS    (20 * NS_PER_MS) /* after this */
#define MIB	       (1024.0 * 1024.0)

/* The largest files of tmpfs mounts that grew (tmpfs_files.c). */
#define DAEMON_TMPFS_WALKED 4
struct daemon_tmpfs_walked {
	int mnt_id;
	uint64_t done_ns; /* 0: an empty slot */
	char text[OW_TMPFS_FILES_LEN];
};
struct daemon_tmpfs_files {
	struct ow_worker *worker; /* started at the first walk */
	bool failed;		  /* it could not start (logged) */
	bool walking;		  /* a walk is in flight */
	struct daemon_tmpfs_walked walked[DAEMON_TMPFS_WALKED];
};

/* A manager's restart command running for a victim. */
struct restart_job {
	struct ow_job job; /* job.pid == 0: free */
	uint64_t cg_id;
	pid_t victim_pid;
	uint64_t deadline_ns;
	char command[512];
	char manager[160];
};

/* Who manages the victim being acted on, and what to do about it. */
struct victim_plan {
	struct ow_manager mgr;
	char label[160];
	char note[256]; /* Restart= of its unit, when SIGTERMed */
	struct ow_action_plan plan;
};

/* A process's mappings at its cgroup's warning (victim_maps.c), for the act's "grown since". */
#define MAPS_SLOTS 16
struct daemon_maps {
	uint64_t cg_id; /* 0: empty */
	pid_t pid;
	uint64_t starttime; /* the pid's, so a recycled pid is not compared */
	uint64_t ns;	    /* when it was read */
	struct ow_smaps maps;
};

struct ow_daemon {
	struct ow_options *opts;       /* in effect: the caller's, or owned_opts after a reload */
	struct ow_options *owned_opts; /* allocated by a reload */
	struct ow_watch watch;
	struct ow_model model;
	struct ow_tracer *tracer;     /* NULL: degraded mode */
	struct ow_alerter *alerter;   /* NULL: no webhooks */
	struct ow_exporter *exporter; /* NULL: no metrics */
	struct ow_daemon_counters counters;
	struct ow_lc_oom_told oom_told; /* OOM kills in watched memcgs not yet in the model */
	struct ow_candidates *cands;
	struct ow_candidates *alert_cands; /* the top processes of warn/resolved alerts: apart from
					    * cands, which holds the victim being acted on */
	int epfd, sigfd, timerfd, psifd;
	struct ow_sd sd;   /* systemd notifications; sd.fd -1 outside systemd */
	int wdfd;	   /* timerfd for WATCHDOG=1, -1 when systemd wants none */
	bool sd_failed;	   /* a notification failed (logged once) */
	bool kube_refused; /* the kubelet's directories were not root's alone (logged once) */
	bool stop;
	bool rescan_pending;
	bool scanning; /* inside a full scan's walk (rescan.c), which lists every child itself */
	uint64_t last_scan_ns;
	unsigned int outside_seen;     /* memcgs seen outside the watched subtrees */
	unsigned int placed_unscanned; /* memcgs placed by id since the last full scan */
	uint64_t drops_logged;	       /* ring-buffer drops already reported */
	uint64_t map_full_logged;      /* BPF map refusals already reported */
	uint64_t unwatched_alert_ns;   /* the last "unwatched" alert (monotonic), 0: none yet */
	uint64_t unwatched_unalerted;  /* refusals since that alert */
	int64_t unwatched_since_ns;    /* CLOCK_REALTIME: the first refusal, the incident's start */
	bool reconcile_pending;	       /* events were dropped: configure the memcgs they named */
	struct restart_job jobs[MAX_JOBS];
	struct ow_brake_state brakes; /* the brakes in force (brake.c) */
	bool brakes_ok;		      /* cgroup v2, the state file usable, not a dry run */
	struct victim_plan vp;
	struct daemon_maps maps[MAPS_SLOTS];
	/* Re-sampling runs on a fixed cadence: a deadline counted from each loop pass would be
	 * pushed back forever by events from elsewhere (or the metrics tick). */
	uint64_t next_sample_ns;
	unsigned int sight_armed; /* cgroups whose usage the sight holds open (daemon/sight.c) */
	struct ow_due_heap sight_due; /* their next reads, the soonest first */
	struct {
		bool on;	      /* the kernel's cgroup iterator reads them (sight_pass.c) */
		bool watch;	      /* and its BPF timer between passes */
		bool walk_due;	      /* with the watch: cgroups joined since the last pass */
		unsigned int members; /* the cgroups it reads (in_pass), in slots 0..members-1 */
		struct ow_cgroup **slots;
		unsigned int cap;
		uint64_t due_ns;	       /* the next pass; 0: none to come */
		uint64_t period_ns;	       /* between two (core/sight.h) */
		uint64_t passes;	       /* since the start */
		struct ow_sight_record *moved; /* the last one's records, handled after its walk */
		unsigned int nmoved;
		size_t moved_max; /* room in moved: the kernel's buffer's records */
	} sight_pass;
	struct ow_threshold_worker *thresholds; /* v1: sets them off the loop, from the first */
	uint64_t threshold_seq;			/* the last request's */
	bool thresholds_failed;			/* the worker could not start (logged) */
	uint64_t rss_risk_ns;	   /* a watched cgroup was last at risk (rss_gate.c); 0: not yet */
	uint64_t limit_glance_ns;  /* detached: the limits' last reads (rss_gate.c); 0: none */
	uint64_t rss_gate_ns;	   /* the gate's last pass over every cgroup (rss_gate.c) */
	unsigned int limit_cursor; /* the next cgroup whose limit is read */
	uint64_t unplaced[UNPLACED_MAX]; /* first sights not found by id yet (rescan.c) */
	unsigned int unplaced_n;
	uint64_t unplaced_due_ns;
	struct {
		int fd;		 /* /proc/meminfo; -1: no machine sight */
		uint64_t seen;	 /* memory in use at the last evaluation it brought */
		uint64_t due_ns; /* the next read */
	} machine;		 /* machine_sight.c */
	struct {
		int fd;			      /* inotify; -1: none */
		unsigned int refused;	      /* watches the kernel refused */
		uint64_t glance_all_until_ns; /* the queue overflowed: every limit glanced */
		uint64_t window_ns;	      /* the events' budget: this window's start */
		unsigned int used;	      /* events read in it */
		size_t read;		      /* bytes of events read in it */
		bool paused;		      /* spent: out of the epoll set until it ends */
		struct ow_int_map by_wd;      /* watch -> cgroup id << 1 | subtree_control's */
		uint64_t *pending;	      /* cgroups whose files were written, each once */
		unsigned int head, npending, pending_cap; /* handled from head on */
		char *buf;				  /* the events read */
		uint64_t pause_logged_ns;		  /* a pause last logged at info */
		uint64_t children_due_ns; /* a cgroup's children wait for a look; 0: none */
	} limits;			  /* limit_watch.c */
	/* The tmpfs writer scans of the current second (evaluate.c), under one budget. */
	struct ow_shm_scan shm_scan;
	uint64_t shm_pass_ns;
	int shm_mnt_id; /* the kernel's internal shmem mount (memfds); -1: unknown */
	/* The daemon's tmpfs mounts, sampled once a second while some cgroup's shmem grows
	 * (evaluate.c): which grew, for the warning. */
	struct ow_tmpfs_table *tmpfs_table;
	struct ow_tmpfs_usage tmpfs_now;
	struct ow_tmpfs_window tmpfs_win;
	uint64_t tmpfs_ns;
	struct daemon_tmpfs_files tmpfs_files;
	uint32_t pod_delete_seq;	     /* the last pod deletion's id (pod_delete.c) */
	struct ow_pod_refusals pod_refusals; /* deletions held off (a refusal, a failure) */
	struct ow_cg_text text_spare;	     /* a cgroup's text when none could be allocated */
};

static inline double mib(uint64_t bytes)
{
	return bytes == OW_NO_LIMIT ? INFINITY : (double)bytes / MIB;
}

/* The [cgroup] section that applies to cg, or NULL. */
static inline const struct ow_cgroup_rule *rule_of(const struct ow_daemon *d,
						   const struct ow_cgroup *cg)
{
	return cg->rule >= 0 && (unsigned int)cg->rule < d->opts->nrules ? &d->opts->rules[cg->rule]
									 : NULL;
}

static inline void policy_of(const struct ow_daemon *d, const struct ow_cgroup *cg,
			     struct ow_policy_cfg *out)
{
	ow_rule_policy(&d->opts->policy, rule_of(d, cg), out);
}

/* What is said of cg, to write (allocated at the first write: model.h). */
static inline struct ow_cg_text *daemon_text(struct ow_daemon *d, struct ow_cgroup *cg)
{
	return ow_cg_text_mut(cg, &d->text_spare);
}

/* Let the victim go: closing its pidfd also leaves the epoll set. */
static inline void daemon_drop_victim(struct ow_cgroup *cg)
{
	if (cg->victim.fd >= 0)
		close(cg->victim.fd);
	cg->victim.fd = -1;
	cg->victim.pre_stop = false;
}

/* The fields every decision line carries. */
#define CG_FIELDS(cg)                                                                              \
	OW_STR("cgroup", (cg)->name), OW_STR("path", (cg)->path),                                  \
		OW_NUM("usage_mib", mib((cg)->reading.nonrecl)),                                   \
		OW_NUM("limit_mib", mib((cg)->reading.eff_limit)),                                 \
		OW_NUM("rate_mib_s", (cg)->eval.verdict.rate / MIB),                               \
		OW_NUM("eta_s", (cg)->eval.verdict.eta_s), KUBE_FIELDS(cg)

/* A pod's names (daemon/kube.c), on the lines of its cgroups only (cg may be NULL). */
#define KUBE_FIELDS(cg)                                                                            \
	OW_OPT("namespace", (cg) && (cg)->kube ? (cg)->kube->ns : NULL),                           \
		OW_OPT("pod", (cg) && (cg)->kube ? (cg)->kube->pod : NULL),                        \
		OW_OPT("container", (cg) && (cg)->kube && (cg)->kube->container[0]                 \
					    ? (cg)->kube->container                                \
				    : (cg) && (cg)->ctr ? (cg)->ctr->name                          \
							: NULL),                                   \
		OW_OPT("image",                                                                    \
		       (cg) && (cg)->ctr && (cg)->ctr->image[0] ? (cg)->ctr->image : NULL)

/* The pre-stop signal the act followed (pre_stop.c) and the victim's mappings that grew
 * (victim_maps.c), on its act line only. */
#define ACT_EVIDENCE_FIELDS(cg)                                                                    \
	OW_OPT("pre_stop", (cg)->victim.evidence.signal                                            \
				   ? ow_signal_name((cg)->victim.evidence.signal)                  \
				   : NULL),                                                        \
		OW_OPT("pre_stop_ended",                                                           \
		       (cg)->victim.evidence.signal ? (cg)->victim.evidence.ended : NULL),         \
		OW_OPT("dump", (cg)->victim.evidence.signal &&ow_cg_text(cg)->dump.path[0]         \
				       ? ow_cg_text(cg)->dump.path                                 \
				       : NULL),                                                    \
		OW_OPT("maps", ow_cg_text(cg)->maps[0] ? ow_cg_text(cg)->maps : NULL),             \
		OW_NUM("maps_since_s", ow_cg_text(cg)->maps_since_s)

/* daemon.c */
int daemon_watch_fd(struct ow_daemon *d, int fd, uint32_t events, uint64_t tag);

/* kube.c: a pod's names, when first seen and again (a few times, further apart) until known;
 * `now`: without waiting for the next try's time (before a first warning). */
void daemon_kube_names(struct ow_daemon *d, struct ow_cgroup *cg, bool now);

/* rescan.c: the watched set */
void daemon_report_unwatched(struct ow_daemon *d, uint64_t refused);
void daemon_configure_bpf(struct ow_daemon *d, struct ow_cgroup *cg);
void daemon_find_rule(struct ow_daemon *d, struct ow_cgroup *cg);
void daemon_rescan(struct ow_daemon *d);
void daemon_on_memcg_gone(struct ow_daemon *d, uint64_t id);
int daemon_set_up_cgroup(struct ow_daemon *d, struct ow_cgroup *cg);
void daemon_request_rescan(struct ow_daemon *d);
void daemon_scan_children(struct ow_daemon *d, const struct ow_cgroup *cg);
void daemon_on_unknown_memcg(struct ow_daemon *d, uint64_t id);
void daemon_retry_unplaced(struct ow_daemon *d, uint64_t now);

/* evaluate.c */
void daemon_evaluate(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t event_ns);

/* sight.c: the whole charge of cgroups with a limit of their own (core/sight.h). */
void daemon_sight_seen(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now);
void daemon_sight_drop(struct ow_daemon *d, struct ow_cgroup *cg);
void daemon_sight_event(struct ow_daemon *d, uint64_t id);
void daemon_sight_thresholds_set(struct ow_daemon *d);
void daemon_sight_check(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now, uint64_t usage,
			const char *seen_by, bool crossed);
void daemon_sight_rearm(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now);
/* sight_pass.c: the far cgroups' reads in one pass of a cgroup iterator (core/sight.h). */
void daemon_sight_pass_start(struct ow_daemon *d);
void daemon_sight_pass_stop(struct ow_daemon *d);
void daemon_sight_pass_count(struct ow_daemon *d);
bool daemon_sight_pass_join(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t usage,
			    unsigned int slower, uint64_t now);
void daemon_sight_pass_leave(struct ow_daemon *d, struct ow_cgroup *cg);
void daemon_sight_pass_tick(struct ow_daemon *d, uint64_t now);
void daemon_sight_watch_moved(struct ow_daemon *d, uint64_t id, uint64_t usage);
uint64_t daemon_sight_pass_next(const struct ow_daemon *d);
uint64_t daemon_sight_far_read_ns(const struct ow_daemon *d, const struct ow_cgroup *cg);
/* rss_gate.c: the page-fault program only while a watched cgroup is at risk. */
void daemon_rss_gate_note(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now);
void daemon_rss_gate_tick(struct ow_daemon *d, uint64_t now);
void daemon_rss_gate_new(struct ow_daemon *d, const struct ow_cgroup *cg, uint64_t now);
/* limit_watch.c: writes to the watched limits' files, seen as they are made. */
void daemon_limit_watch_start(struct ow_daemon *d);
void daemon_limit_watch_stop(struct ow_daemon *d);
int daemon_limit_watch_add(struct ow_daemon *d, struct ow_cgroup *cg);
void daemon_limit_watch_drop(struct ow_daemon *d, struct ow_cgroup *cg);
bool daemon_limit_watch_same_memcg(struct ow_daemon *d, struct ow_cgroup *cg);
void daemon_limit_watch_event(struct ow_daemon *d);
void daemon_limit_watch_tick(struct ow_daemon *d, uint64_t now);
uint64_t daemon_limit_watch_next(const struct ow_daemon *d);
bool daemon_limit_watch_blind(const struct ow_daemon *d, const struct ow_cgroup *cg, uint64_t now);
void daemon_limit_check(struct ow_daemon *d, struct ow_cgroup *cg, const char *why);
/* machine_sight.c: the machine's memory in use, for the cgroups its limit binds. */
void daemon_machine_sight_start(struct ow_daemon *d);
void daemon_machine_sight_stop(struct ow_daemon *d);
bool daemon_machine_sight_on(const struct ow_daemon *d);
void daemon_machine_sight_tick(struct ow_daemon *d, uint64_t now);
uint64_t daemon_machine_sight_next(const struct ow_daemon *d);
/* tmpfs_files.c: the largest files of a tmpfs mount that grew, walked off the loop. */
void daemon_tmpfs_files(struct ow_daemon *d, int mnt_id, uint64_t now, char *buf, size_t len);
void daemon_tmpfs_walked(struct ow_daemon *d);
void daemon_tmpfs_files_stop(struct ow_daemon *d);
void daemon_sight_stop(struct ow_daemon *d);
void daemon_sight_tick(struct ow_daemon *d, uint64_t now);
uint64_t daemon_sight_next(const struct ow_daemon *d);
void daemon_evaluate_limit_points(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t event_ns);

/* brake.c */
void daemon_brake_start(struct ow_daemon *d);
void daemon_brake_stop(struct ow_daemon *d);
/* Judge a brake in force, or apply one; adjusts cg's verdict. True: a leak pressing against
 * it, to be acted on now (past any cooldown). */
bool daemon_brake_step(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_policy_cfg *pc,
		       bool climbing, uint64_t now);
void daemon_brake_after_sigterm(struct ow_daemon *d, struct ow_cgroup *cg);
void daemon_brake_lift(struct ow_daemon *d, struct ow_cgroup *cg, const char *why);

/* victim.c */
int daemon_victim_cgroup(const struct ow_daemon *d, pid_t pid, char *dir, size_t len);
/* The fastest-growing process of cg that may be signalled, an index into d->cands (*n of them
 * grew), or -1; nothing logged. daemon_pick: the same as the victim, a hold when none. */
int daemon_fastest(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now, int *n);
int daemon_pick(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now);
void daemon_act(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_policy_cfg *pc, int idx,
		uint64_t now, uint64_t event_ns);
/* The act proper on a victim whose pidfd is open (fd: taken, watched or closed): its manager's
 * restart, or SIGTERM. */
void daemon_act_on(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
		   double proc_rate, int fd, uint64_t event_ns);
/* Has the process of this pidfd exited? (never blocks) */
bool daemon_pidfd_exited(int fd);
/* Watch the victim's pidfd (fd) for its exit. */
int daemon_watch_victim(struct ow_daemon *d, struct ow_cgroup *cg, int fd,
			const struct ow_proc_info *info);
void daemon_escalate(struct ow_daemon *d, struct ow_cgroup *cg, const char *why, const char *rule);
void daemon_victim_exited(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now);
void daemon_victim_deadline(struct ow_daemon *d, struct ow_cgroup *cg, enum ow_lc_tick tick,
			    uint64_t now);
/* The victim's grace starts: whole (grace.h), from now; the growth since is what counts. */
void daemon_start_grace(struct ow_daemon *d, struct ow_cgroup *cg, double grace_s,
			const char *from);

/* restart_job.c: a manager's restart command for the victim. daemon_start_restart: 0, or
 * -errno when it could not start. */
int daemon_start_restart(struct ow_daemon *d, struct ow_cgroup *cg,
			 const struct ow_proc_info *info);
void daemon_restart_timed_out(struct ow_daemon *d, struct ow_cgroup *cg);
void daemon_on_job_output(struct ow_daemon *d, unsigned int slot);
void daemon_on_job_exit(struct ow_daemon *d, unsigned int slot);

/* pre_stop.c: --pre-stop-signal before the act (core/pre_stop.h). daemon_pre_stop: true when
 * it was sent and the victim (fd, now the cgroup's) waits; false: act now (fd untouched). */
bool daemon_pre_stop(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_policy_cfg *pc,
		     const struct ow_proc_info *info, int fd, uint64_t now);
void daemon_pre_stop_poll(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now);
/* The victim exited in the wait: alerted as an act (its end came of our signal). */
void daemon_pre_stop_exited(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now);
/* ended: "written", "waited" or ow_pre_stop_cut_name() */
void daemon_pre_stop_end(struct ow_daemon *d, struct ow_cgroup *cg, const char *ended,
			 uint64_t now);

/* pod_delete.c: a victim in a pod, by deleting its pod through the API (core/pod_delete.h).
 * daemon_pod_delete_would: the plan; true if it asks (or would, in a dry run).
 * daemon_pod_delete_ask: the request's id when asked (answer within *answer_s), else 0 and
 * why not in why ("" when not a pod's). */
struct ow_pod_delete_answer;
bool daemon_pod_delete_would(const struct ow_daemon *d, const struct ow_cgroup *cg,
			     enum ow_pod_delete_plan *plan);
uint32_t daemon_pod_delete_ask(struct ow_daemon *d, struct ow_cgroup *cg, double *answer_s,
			       char *why, size_t len);
void daemon_watch_sender(struct ow_daemon *d);
void daemon_on_sender(struct ow_daemon *d);
void daemon_pod_delete_timed_out(struct ow_daemon *d, struct ow_cgroup *cg);
/* victim.c: the API server took the deletion: the pod's grace starts. */
void daemon_pod_deleting(struct ow_daemon *d, struct ow_cgroup *cg,
			 const struct ow_pod_delete_answer *a);
/* victim.c: the restart or deletion did not happen: SIGTERM now, `why` on its act line. */
void daemon_fallback_sigterm(struct ow_daemon *d, struct ow_cgroup *cg, const char *why);

/* victim_maps.c: the victim's mappings, at the warning (the fastest grower's) and after the act */
void daemon_maps_baseline(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now);
void daemon_maps_grown(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
		       uint64_t now);
void daemon_maps_free(struct ow_daemon *d);

/* warn_signal.c: --warn-signal to the fastest grower as cg goes to warn */
void daemon_warn_signal(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now);

/* oom_kills.c */
void daemon_remember_cmdline(struct ow_proc_rec *rec);
void daemon_on_oom_victim(struct ow_daemon *d, const struct ow_event *e);

/* daemon_reload.c */
void daemon_start_alerter(struct ow_daemon *d, const struct ow_options *o);
void daemon_reload(struct ow_daemon *d);

/* daemon_status.c */
void daemon_sd_result(struct ow_daemon *d, int ret);
void daemon_status_summary(const struct ow_daemon *d, char *buf, size_t len);
void daemon_update_status(struct ow_daemon *d);
void daemon_on_watchdog(struct ow_daemon *d);
int daemon_setup_watchdog(struct ow_daemon *d);

#endif /* OW_DAEMON_CTX_H */
