/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decisions of a cgroup's lifecycle, apart from the loop that carries them out: when to
 * act, what a passed deadline means, what a restart command's end means, which level change
 * is alerted, what a kernel OOM mark is. Pure functions over plain structs: no I/O, no clock
 * (times are parameters), so each can be tested on literal values.
 */
#ifndef OW_LIFECYCLE_H
#define OW_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

#define OW_LC_NS_PER_S 1000000000ULL
/* After an attempt that did nothing (no victim, the signal failed), the next one waits this
 * long, not the next event. */
#define OW_LC_RETRY_S 1.0
/* After SIGKILL, give up waiting for the exit this long after. */
#define OW_LC_KILL_WAIT_NS (5 * OW_LC_NS_PER_S)
/* A limit point above a leaf (a cgroup with a limit of its own, or the root) is re-read at
 * most this often on its descendants' events. */
#define OW_LC_LIMIT_POINT_MIN_NS (50 * 1000000ULL)
/* A full BPF map is alerted at most this often. */
#define OW_LC_UNWATCHED_EVERY_NS (3600 * OW_LC_NS_PER_S)
/* A cgroup's kernel OOM kills are told (logged at error, alerted) at most this often. */
#define OW_LC_OOM_TELL_NS (60 * OW_LC_NS_PER_S)

/* What evaluate does with a fresh verdict. */
enum ow_lc_step {
	OW_LC_WAIT,	    /* nothing: a victim is on its way out, or a hold is in force */
	OW_LC_ESCALATE,	    /* SIGKILL the victim now */
	OW_LC_SET_LEVEL,    /* below act: record the verdict's level */
	OW_LC_ACT,	    /* pick a victim and act */
	OW_LC_PRE_STOP_END, /* the pre-stop wait is over early (pre_stop.h): act on the victim */
};

struct ow_lc_eval {
	uint64_t now_ns;
	enum ow_level level; /* the verdict's */
	bool has_victim;     /* a victim is being watched (pidfd open) */
	bool killed;	     /* it was SIGKILLed */
	bool kill_now;	     /* ow_grace_judge() cut the grace short (or ow_pre_stop_judge()
			      * the pre-stop wait) */
	bool pre_stop;	     /* the victim got the pre-stop signal, no SIGTERM yet */
	bool pre_stop_done;  /* the evidence was seen written (ow_dump_watch) */
	uint64_t retry_after_ns;
	uint64_t cooldown_until_ns;
	uint64_t nonrecl, eff_limit;
	double high_water; /* fraction of the limit that bypasses the cooldown */
	bool brake_leak;   /* a leak pressing against the brake: bypasses it too */
};

enum ow_lc_step ow_lc_next_step(const struct ow_lc_eval *in);

/* An attempt that ended without a victim on its way out. */
enum ow_lc_attempt {
	OW_LC_NO_VICTIM,     /* nobody to signal */
	OW_LC_SIGNAL_FAILED, /* the signal (or pidfd) failed */
	OW_LC_DRY_RUN,	     /* --dry-run: only logged */
};

/* The holds an attempt leaves; a field is written only when the attempt sets it. */
struct ow_lc_holds {
	uint64_t cooldown_until_ns;
	uint64_t retry_after_ns;
};

void ow_lc_after_attempt(enum ow_lc_attempt what, uint64_t now_ns, double cooldown_s,
			 struct ow_lc_holds *h);
/* The end of the cooldown that starts at now_ns. */
uint64_t ow_lc_cooldown_end(uint64_t now_ns, double cooldown_s);

/* What the timer does for one cgroup. */
enum ow_lc_tick {
	OW_LC_TICK_NONE,
	OW_LC_TICK_EVALUATE,	    /* re-sample: degraded mode, or not ok */
	OW_LC_TICK_RESTART_TIMEOUT, /* the restart command (or the API's answer to a pod deletion)
				     * ran out its time: SIGTERM instead */
	OW_LC_TICK_ESCALATE,	    /* the grace after SIGTERM is over: SIGKILL */
	OW_LC_TICK_GIVE_UP,	    /* it survived SIGKILL: stop waiting, cool down */
	OW_LC_TICK_PRE_STOP_END,    /* the pre-stop wait is over: SIGTERM (or restart) */
	OW_LC_TICK_PRE_STOP_POLL,   /* look at the victim's open files, then evaluate */
};

struct ow_lc_timer {
	uint64_t now_ns;
	bool degraded; /* no BPF: every cgroup is sampled each tick */
	bool braked;   /* a brake is on: judged each tick, even at ok */
	enum ow_level level;
	bool has_victim, restarting, killed;
	uint64_t deadline_ns;
	bool pre_stop;	  /* in the pre-stop wait: deadline_ns is its end */
	uint64_t poll_ns; /* its next look at the victim's open files */
};

enum ow_lc_tick ow_lc_on_tick(const struct ow_lc_timer *in);

/* What the end of a manager's restart command means for its victim. */
enum ow_lc_restart {
	OW_LC_RESTART_STALE,	  /* the cgroup moved on (another victim, escalated): only logged */
	OW_LC_RESTART_FALLBACK,	  /* failed: SIGTERM instead */
	OW_LC_RESTART_STILL_RUNS, /* succeeded, yet the victim runs: SIGTERM */
	OW_LC_RESTART_DONE,	  /* succeeded and the victim exited: its pidfd event follows */
};

struct ow_lc_job_end {
	bool cg_known;	 /* its cgroup is still in the model */
	bool restarting; /* the cgroup still waits on a restart */
	bool has_victim;
	bool same_victim;   /* the cgroup's victim is the job's */
	bool succeeded;	    /* ow_lc_job_succeeded() */
	bool victim_exited; /* the victim's pidfd is readable */
};

enum ow_lc_restart ow_lc_restart_outcome(const struct ow_lc_job_end *in);
/* A command's end from ow_job_reap (ret > 0: reaped, st: wait status): exit status 0. */
bool ow_lc_job_succeeded(int ret, int st);

/* What a level change does. */
enum ow_lc_level_change {
	OW_LC_LEVEL_QUIET, /* nothing new: not even logged */
	OW_LC_LEVEL_LOG,   /* logged (a new reason at the same level), no alert */
	OW_LC_LEVEL_NEW,   /* a new level: logged, and passed to the alerts */
};

struct ow_lc_level {
	enum ow_level from, to;
	bool same_reason; /* the verdict's reason is the one last logged */
	bool held;	  /* the verdict only holds a warning through a pause */
};

enum ow_lc_level_change ow_lc_level_change(const struct ow_lc_level *in);

enum ow_lc_level_alert {
	OW_LC_ALERT_NONE,
	OW_LC_ALERT_WARN,     /* leaving ok */
	OW_LC_ALERT_RESOLVED, /* back at ok */
};

/* Which alert a new level sends: only leaving ok and coming back are alerts. */
enum ow_lc_level_alert ow_lc_level_alert(enum ow_level from, enum ow_level to);

/* What the kernel's OOM mark of a process is. */
enum ow_lc_oom {
	OW_LC_OOM_REAPED,    /* our own SIGKILLed victim, reaped by the OOM path: no OOM kill */
	OW_LC_OOM_ELSEWHERE, /* outside the watched subtrees: counted and logged, not alerted */
	OW_LC_OOM_ALERT,     /* a kernel OOM kill in a watched cgroup (or one not told apart) */
};

struct ow_lc_oom_mark {
	pid_t pid;     /* the marked process */
	bool cg_known; /* its memcg is a watched cgroup of the model */
	bool killed;   /* that cgroup's victim was SIGKILLed */
	pid_t victim_pid;
	bool outside; /* its memcg was located outside the watched subtrees */
};

enum ow_lc_oom ow_lc_oom_mark(const struct ow_lc_oom_mark *in);

/* The kernel OOM kills of one cgroup: the first told, then at most one per OW_LC_OOM_TELL_NS,
 * which names how many came since the last (untold): the kernel OOM-kills as often as a user
 * makes a process outgrow its own memcg, and each told was an error line and an alert, of the
 * 64 an alert target queues, where other cgroups' warnings were dropped. */
struct ow_lc_oom_told {
	uint64_t told_ns; /* the last told; 0: never */
	uint64_t untold;  /* kills since, not told */
};

/* Is the OOM kill at now_ns told? If not, it is counted in t->untold; if so, the caller says
 * t->untold and sets it to 0. */
bool ow_lc_oom_tell(struct ow_lc_oom_told *t, uint64_t now_ns);

/* A full BPF map: alert at the first refusal, then at most once per
 * OW_LC_UNWATCHED_EVERY_NS. last_alert_ns 0: never alerted. */
bool ow_lc_unwatched_due(uint64_t last_alert_ns, uint64_t now_ns);

/* Is the limit point (a cgroup with a limit of its own, or the root, which stands for the
 * machine) due for evaluation on an event below it? The limit that will be hit may be a
 * slice's, a pod's or the machine's above an unlimited leaf; a fast leak's events must not
 * make the daemon re-read it hundreds of times a second. */
bool ow_lc_limit_point_due(bool limit_point, uint64_t last_sample_ns, uint64_t now_ns);

/* How a victim ended, for its log line. */
enum ow_lc_exit {
	OW_LC_EXIT_SIGTERM,    /* it stopped after SIGTERM */
	OW_LC_EXIT_SIGKILL,    /* it was SIGKILLed */
	OW_LC_EXIT_RESTART,    /* its manager restarted it */
	OW_LC_EXIT_PRE_STOP,   /* it exited in the pre-stop wait, before any SIGTERM */
	OW_LC_EXIT_POD_DELETE, /* its pod was deleted through the API (pod_delete.h) */
};

enum ow_lc_exit ow_lc_victim_exit(bool killed, bool restarting, bool pre_stop, bool pod_deleted);
/* "SIGTERM", "SIGKILL", "restart", "pre_stop" or "pod_delete": what ended it (the log's signal
 * field). */
const char *ow_lc_exit_signal(enum ow_lc_exit e);
/* The log line's sentence. */
const char *ow_lc_exit_message(enum ow_lc_exit e);

#endif /* OW_LIFECYCLE_H */
