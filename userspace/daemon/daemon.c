// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon loop. It sleeps in epoll_wait until the kernel reports growth (ring buffer), a
 * victim exits (its pidfd), a deadline passes (timerfd: SIGKILL after grace, re-sampling of
 * cgroups that are growing) or a signal arrives (signalfd). Decisions are the pure functions of
 * policy.c; this file only gathers their inputs and carries out their outputs.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "action_plan.h"
#include "candidates.h"
#include "cgroup_id.h"
#include "config.h"
#include "daemon.h"
#include "exporter.h"
#include "log.h"
#include "manager.h"
#include "alerting.h"
#include "reload.h"
#include "sd_notify.h"
#include "runner.h"
#include "tracer.h"
#include "unitfile.h"
#include "watch.h"

#define NS_PER_MS		 1000000ULL
#define NS_PER_S		 1000000000ULL
#define TAG_RINGBUF		 1
#define TAG_SIGNAL		 2
#define TAG_TIMER		 3
#define TAG_PSI			 4
#define TAG_WATCHDOG		 5
#define TAG_VICTIM		 (1ULL << 63) /* | memcg id */
#define TAG_JOB_EXIT		 (1ULL << 62) /* | job slot */
#define TAG_JOB_OUT		 (1ULL << 61) /* | job slot */
#define MAX_JOBS		 8
#define TAG_EXPORTER		 (1ULL << 60) /* + the exporter's sub-tag */
#define RESCAN_MIN_NS		 (200 * NS_PER_MS)
#define UNWATCHED_ALERT_EVERY_NS (3600 * NS_PER_S)
#define SAMPLE_NS		 NS_PER_S	/* re-sampling period of active cgroups */
#define KILL_WAIT_NS		 (5 * NS_PER_S) /* after SIGKILL, give up waiting for the exit */
#define MIB			 (1024.0 * 1024.0)
#define LIMIT_POINT_MIN_NS	 (50 * NS_PER_MS) /* re-read an ancestor at most this often */
#define RELOAD_FLUSH_MS		 300 /* a reload lets the old alert sender deliver this long */
/* After an attempt that did nothing (no victim, the signal failed), the next one waits this
 * long, not the next event. */
#define RETRY_S 1.0
/* Forget the BPF entries of memcgs outside the watched subtrees that are gone, after this many
 * new ones were seen (the map holds 16384). */
#define PRUNE_EVERY 256

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

struct ow_daemon {
	struct ow_options *opts;       /* in effect: the caller's, or owned_opts after a reload */
	struct ow_options *owned_opts; /* allocated by a reload */
	struct ow_watch watch;
	struct ow_model model;
	struct ow_tracer *tracer;     /* NULL: degraded mode */
	struct ow_alerter *alerter;   /* NULL: no webhooks */
	struct ow_exporter *exporter; /* NULL: no metrics */
	struct ow_daemon_counters counters;
	struct ow_candidates *cands;
	struct ow_candidates *alert_cands; /* the top processes of warn/resolved alerts: apart from
					    * cands, which holds the victim being acted on */
	int epfd, sigfd, timerfd, psifd;
	struct ow_sd sd; /* systemd notifications; sd.fd -1 outside systemd */
	int wdfd;	 /* timerfd for WATCHDOG=1, -1 when systemd wants none */
	bool sd_failed;	 /* a notification failed (logged once) */
	bool stop;
	bool rescan_pending;
	uint64_t last_scan_ns;
	unsigned int outside_seen;    /* memcgs seen outside the watched subtrees */
	uint64_t drops_logged;	      /* ring-buffer drops already reported */
	uint64_t map_full_logged;     /* BPF map refusals already reported */
	uint64_t unwatched_alert_ns;  /* the last "unwatched" alert (monotonic), 0: none yet */
	uint64_t unwatched_unalerted; /* refusals since that alert */
	int64_t unwatched_since_ns;   /* CLOCK_REALTIME: the first refusal, the incident's start */
	bool reconcile_pending;	      /* events were dropped: configure the memcgs they named */
	struct restart_job jobs[MAX_JOBS];
	struct victim_plan vp;
	/* Re-sampling runs on a fixed cadence: a deadline counted from each loop pass would be
	 * pushed back forever by events from elsewhere (or the metrics tick). */
	uint64_t next_sample_ns;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static double mib(uint64_t bytes)
{
	return bytes == OW_NO_LIMIT ? INFINITY : (double)bytes / MIB;
}

/* Thresholds for the BPF side: report every 1/256 of the limit, 256 KiB to 16 MiB. */
static uint64_t step_for(uint64_t limit)
{
	uint64_t step = limit == OW_NO_LIMIT ? 16ULL << 20 : limit / 256;

	if (step < 256ULL << 10)
		step = 256ULL << 10;
	return step > 16ULL << 20 ? 16ULL << 20 : step;
}

/*
 * A full BPF map is a blind spot, not a detail for the log: an alert at the first refusal, then
 * at most one an hour while the maps keep refusing (a busy machine would otherwise page on
 * every process it starts).
 */
static void report_unwatched(struct ow_daemon *d, uint64_t refused)
{
	uint64_t now = mono_ns();

	d->counters.bpf_map_full += refused;
	d->unwatched_unalerted += refused;
	if (d->unwatched_alert_ns && now - d->unwatched_alert_ns < UNWATCHED_ALERT_EVERY_NS)
		return;
	d->unwatched_since_ns =
		ow_notify_unwatched(d->alerter, d->unwatched_unalerted, d->counters.bpf_map_full,
				    d->unwatched_since_ns);
	d->unwatched_alert_ns = now;
	d->unwatched_unalerted = 0;
}

static void configure_bpf(struct ow_daemon *d, struct ow_cgroup *cg)
{
	struct ow_memcg_cfg cfg = {.watched = 1};

	if (!d->tracer)
		return;
	cfg.memcg_step = cfg.proc_step = step_for(cg->eff_limit);
	ow_tracer_seed_memcg_usage(d->tracer, cg->id, cg->st.usage);
	cg->bpf_configured = !ow_tracer_set_memcg(d->tracer, cg->id, &cfg);
	if (cg->bpf_configured)
		return;
	ow_log(OW_LOG_WARN, "bpf_map_full", "could not configure a memcg: its leaks go unseen",
	       OW_STR("cgroup", cg->name));
	report_unwatched(d, 1);
}

/* The [cgroup] section that applies to cg, or NULL. */
static const struct ow_cgroup_rule *rule_of(const struct ow_daemon *d, const struct ow_cgroup *cg)
{
	return cg->rule >= 0 && (unsigned int)cg->rule < d->opts->nrules ? &d->opts->rules[cg->rule]
									 : NULL;
}

static void policy_of(const struct ow_daemon *d, const struct ow_cgroup *cg,
		      struct ow_policy_cfg *out)
{
	ow_rule_policy(&d->opts->policy, rule_of(d, cg), out);
}

static void find_rule(struct ow_daemon *d, struct ow_cgroup *cg)
{
	const struct ow_cgroup_rule *r;

	cg->rule = ow_rules_find(d->opts->rules, d->opts->nrules, cg->rel, cg->trusted_depth);
	r = rule_of(d, cg);
	if (r)
		ow_log(OW_LOG_DEBUG, "config", "cgroup settings from its section",
		       OW_STR("cgroup", cg->name), OW_STR("section", r->pattern),
		       OW_INT("line", r->line));
}

static void on_found(struct ow_cgroup *cg, bool added, void *arg)
{
	struct ow_daemon *d = arg;
	bool active;
	int err;

	if (!added)
		return;
	/* Only memcgs the BPF side has seen a process of are read whole, configured and sampled
	 * now; the others at their first sight (at 20,000 idle memcgs the start took seconds and
	 * the map filled). Without BPF every cgroup is sampled each second anyway. */
	active = !d->tracer || ow_tracer_memcg_seen(d->tracer, cg->id);
	if (active)
		err = ow_watch_refresh(&d->watch, cg, mono_ns());
	else
		err = ow_watch_glance(&d->watch, cg, ow_model_cgroup(&d->model, cg->parent_id),
				      mono_ns());
	if (err)
		return; /* vanished already; the next scan drops it */
	cg->trusted_depth = ow_cg_trusted_depth(d->watch.mount.path, cg->rel);
	find_rule(d, cg);
	if (active) {
		configure_bpf(d, cg);
		ow_cgroup_sample(cg, mono_ns(), cg->nonrecl);
	}
	ow_log(OW_LOG_DEBUG, "watch", "watching cgroup", OW_STR("cgroup", cg->name),
	       OW_STR("path", cg->path), OW_NUM("limit_mib", mib(cg->eff_limit)));
}

static void drop_victim(struct ow_cgroup *cg)
{
	if (cg->victim_fd >= 0)
		close(cg->victim_fd); /* also leaves the epoll set */
	cg->victim_fd = -1;
}

static void configure_unwatched(uint64_t id, void *arg)
{
	struct ow_daemon *d = arg;
	struct ow_cgroup *cg = ow_model_cgroup(&d->model, id);

	if (cg)
		configure_bpf(d, cg);
}

/* A first sight lost to a full ring buffer left its memcg silent: configure every watched memcg
 * the BPF side saw and holds unconfigured (after the scan, which adds new ones). */
static void reconcile_bpf(struct ow_daemon *d)
{
	d->reconcile_pending = false;
	if (d->tracer && ow_tracer_each_unwatched(d->tracer, configure_unwatched, d) < 0)
		ow_log(OW_LOG_WARN, "bpf", "could not read the memcg map");
}

/*
 * A scan runs from deep inside the handling of an event (evaluate, a first sight, an OOM kill)
 * whose callers still hold cgroup pointers: a vanished cgroup is only marked gone here, and
 * freed by the loop after the events of its pass (ow_model_reap).
 */
static void rescan(struct ow_daemon *d)
{
	uint64_t t0 = mono_ns();
	unsigned int i, n = 0;

	d->last_scan_ns = t0;
	d->rescan_pending = false;
	if (ow_watch_scan(&d->watch, &d->model, on_found, d))
		ow_log(OW_LOG_WARN, "scan", "could not scan the cgroup hierarchy");
	for (i = 0; i < d->model.ncgs; i++) {
		struct ow_cgroup *cg = d->model.cgs[i];

		if (cg->gone)
			continue;
		if (cg->seen) {
			n++;
			continue;
		}
		ow_log(OW_LOG_DEBUG, "watch", "cgroup removed", OW_STR("cgroup", cg->name));
		drop_victim(cg);
		if (d->tracer)
			ow_tracer_forget_memcg(d->tracer, cg->id);
		cg->gone = true;
	}
	if (d->reconcile_pending)
		reconcile_bpf(d);
	ow_log(OW_LOG_DEBUG, "scan", "scanned the watched cgroups", OW_INT("cgroups", n),
	       OW_NUM("duration_ms", (double)(mono_ns() - t0) / NS_PER_MS));
}

static void request_rescan(struct ow_daemon *d)
{
	if (mono_ns() - d->last_scan_ns >= RESCAN_MIN_NS)
		rescan(d);
	else
		d->rescan_pending = true;
}

static int memcg_gone(uint64_t id, void *arg)
{
	struct ow_daemon *d = arg;

	return ow_cg_id_gone(ow_watch_locate(&d->watch, id));
}

static void prune_outside(struct ow_daemon *d)
{
	int n = ow_tracer_prune_memcgs(d->tracer, memcg_gone, d);

	if (n < 0)
		ow_log(OW_LOG_WARN, "bpf", "could not prune the memcg map",
		       OW_STR("error", strerror(-n)));
	else
		ow_log(OW_LOG_DEBUG, "prune", "forgot memcgs gone from outside the watched cgroups",
		       OW_INT("memcgs", n));
}

/*
 * A memcg the model does not know: created since the last scan, or outside the watched
 * subtrees (the BPF side reports every memcg once). Only the first kind needs a scan: walking
 * a tree of a thousand watched cgroups for each systemd scope or container started elsewhere
 * was most of the daemon's CPU on a busy machine.
 */
static void on_unknown_memcg(struct ow_daemon *d, uint64_t id)
{
	uint64_t t0 = mono_ns();
	int where = ow_watch_place(&d->watch, &d->model, id, on_found, d);

	if (where == 1) { /* inside: added with its missing parents, no walk of the rest */
		ow_log(OW_LOG_DEBUG, "placed", "a new memcg placed without a scan",
		       OW_INT("memcg_id", id),
		       OW_NUM("duration_ms", (double)(mono_ns() - t0) / NS_PER_MS));
		return;
	}
	if (where != 0) {
		request_rescan(d); /* it cannot be told (or is past PATH_MAX) */
		return;
	}
	ow_log(OW_LOG_DEBUG, "outside", "a memcg outside the watched cgroups",
	       OW_INT("memcg_id", id));
	if (++d->outside_seen % PRUNE_EVERY == 0)
		prune_outside(d);
}

/* The fields every decision line carries. */
#define CG_FIELDS(cg)                                                                              \
	OW_STR("cgroup", (cg)->name), OW_STR("path", (cg)->path),                                  \
		OW_NUM("usage_mib", mib((cg)->nonrecl)),                                           \
		OW_NUM("limit_mib", mib((cg)->eff_limit)),                                         \
		OW_NUM("rate_mib_s", (cg)->verdict.rate / MIB),                                    \
		OW_NUM("eta_s", (cg)->verdict.eta_s)

/* For a warn or resolved alert, the cgroup's processes now (read only when an alert goes out:
 * a level change is rare). NULL when there is no alert or nothing could be read. */
static const struct ow_candidates *top_processes(struct ow_daemon *d, struct ow_cgroup *cg,
						 enum ow_level from, enum ow_level to)
{
	if (!d->alerter || !d->alert_cands || (from != OW_LEVEL_OK && to != OW_LEVEL_OK))
		return NULL;
	if (ow_list_processes("/proc", cg->path, &d->model, mono_ns(), d->alert_cands) <= 0)
		return NULL;
	return d->alert_cands;
}

static void set_level(struct ow_daemon *d, struct ow_cgroup *cg, enum ow_level level)
{
	enum ow_level from = cg->level;
	enum ow_log_level lvl = level >= OW_LEVEL_WARN ? OW_LOG_WARN : OW_LOG_INFO;

	/* A new reason at the same level is logged too (a leak that reached memory.high and is
	 * throttled now), but only a new level is alerted; a warning held through a pause is the
	 * same warning (two lines a sawtooth cycle otherwise). */
	if (level == from &&
	    (level == OW_LEVEL_OK || cg->verdict.reason == cg->level_reason || cg->verdict.held))
		return;
	ow_log(lvl, "level", cg->verdict.reason, CG_FIELDS(cg),
	       OW_STR("from", ow_level_name(cg->level)), OW_STR("to", ow_level_name(level)));
	cg->level = level;
	cg->level_reason = cg->verdict.reason;
	if (level != from)
		ow_notify_level(d->alerter, cg, from, level, top_processes(d, cg, from, level));
}

static void notify_escalate(struct ow_daemon *d, struct ow_cgroup *cg)
{
	struct ow_proc_info victim = {.pid = cg->victim_pid};
	struct ow_action_desc what = {"SIGKILL", "", cg->victim_manager, ""};

	snprintf(victim.comm, sizeof(victim.comm), "%s", cg->victim_comm);
	ow_notify_action(d->alerter, cg, OW_ALERT_ESCALATE, &victim, NULL, &what, false);
}

static void escalate(struct ow_daemon *d, struct ow_cgroup *cg, const char *why)
{
	int err = ow_pidfd_signal(cg->victim_fd, SIGKILL);

	if (err && err != -ESRCH) {
		ow_log(OW_LOG_ERROR, "escalate", "SIGKILL failed", CG_FIELDS(cg),
		       OW_INT("pid", cg->victim_pid), OW_STR("error", strerror(-err)));
		return;
	}
	if (!err)
		cg->actions[OW_ACTED_SIGKILL]++;
	cg->killed = true;
	cg->restarting = false; /* a restart still running only logs its result */
	cg->deadline_ns = mono_ns() + KILL_WAIT_NS;
	cg->level = OW_LEVEL_ESCALATE;
	ow_log(OW_LOG_WARN, "escalate", why, CG_FIELDS(cg), OW_INT("pid", cg->victim_pid),
	       OW_STR("comm", cg->victim_comm), OW_STR("manager", cg->victim_manager),
	       OW_STR("signal", "SIGKILL"),
	       OW_NUM("since_sigterm_ms", (double)(mono_ns() - cg->term_ns) / NS_PER_MS));
	notify_escalate(d, cg);
}

static void cool_down(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	cg->cooldown_until_ns = now + (uint64_t)(d->opts->policy.cooldown_s * NS_PER_S);
}

/* An attempt that changed nothing (no victim, the signal failed, a dry run): the high-water
 * bypass of the cooldown would repeat it on every event. Wait `s` seconds whatever the level. */
static void hold_off(struct ow_cgroup *cg, uint64_t now, double s)
{
	cg->retry_after_ns = now + (uint64_t)(s * NS_PER_S);
}

static int pick(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	struct ow_victim_scope scope = {
		.procroot = "/proc",
		.mount = d->watch.mount.path,
		.version = d->watch.mount.version,
		.cg_id = cg->id,
		.rel = cg->rel,
		.opts = d->opts,
		.model = &d->model,
		.now_ns = now,
	};
	int n = ow_collect_victims(&scope, d->cands);
	int idx = n > 0 ? ow_policy_pick_victim(d->cands->c, (unsigned int)n) : -1;

	if (idx < 0) {
		ow_log(OW_LOG_WARN, "no_victim",
		       n > 0 ? "every process of the cgroup that grew is protected"
			     : "no process of the cgroup was seen growing: nobody is signalled",
		       CG_FIELDS(cg), OW_INT("growing", n > 0 ? n : 0));
		cool_down(d, cg, now);
		hold_off(cg, now, RETRY_S);
	}
	return idx;
}

/* The action asked for this victim. One place, so per-cgroup settings can decide it. */
static enum ow_action victim_action(const struct ow_daemon *d, const struct ow_cgroup *cg)
{
	return ow_rule_action(d->opts->action, rule_of(d, cg));
}

/* Where the names a manager claim rests on are checked: the hierarchies /proc/PID/cgroup shows
 * (v1 name=systemd; the v2 one, at the mount on a v2 machine, else the hybrid "unified"). */
static void manager_roots(const struct ow_daemon *d, struct ow_mgr_roots *r)
{
	bool v2 = d->watch.mount.version == OW_CG_V2;

	r->hier[OW_MGR_HIER_SYSTEMD] = v2 ? NULL : "/sys/fs/cgroup/systemd";
	r->hier[OW_MGR_HIER_UNIFIED] = v2 ? d->watch.mount.path : "/sys/fs/cgroup/unified";
	r->hier[OW_MGR_HIER_MEMORY] = d->watch.mount.path;
	r->fs = "";
}

/* Once per victim, when it is chosen: who manages it, and whether to signal or restart. */
static void plan_victim(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
			double grace)
{
	struct victim_plan *vp = &d->vp;
	struct ow_mgr_roots roots;

	ow_manager_detect("/proc", info->pid, &vp->mgr);
	manager_roots(d, &roots);
	ow_manager_verify(&roots, "/proc", info->pid, &vp->mgr);
	ow_manager_label(&vp->mgr, vp->label, sizeof(vp->label));
	ow_plan_action(victim_action(d, cg), &vp->mgr, grace, &vp->plan);
	snprintf(cg->victim_manager, sizeof(cg->victim_manager), "%s", vp->label);
}

/* What the victim's unit does after a SIGTERM, for the log: read from files a user may own,
 * so only once the signal is out (or the restart command started). */
static void note_victim(struct ow_daemon *d, struct ow_cgroup *cg)
{
	struct victim_plan *vp = &d->vp;
	const struct ow_manager *m = &vp->mgr;
	struct ow_unit_restart ur;

	vp->note[0] = '\0';
	/* Only the main process's death stops a service; a .scope is never restarted. */
	if (m->kind == OW_MGR_SYSTEMD && m->unit_main && !m->scope &&
	    !ow_unit_restart_read("/", m->unit, m->user_unit, m->home, &ur))
		ow_unit_restart_note(m->unit, &ur, vp->note, sizeof(vp->note));
	snprintf(cg->victim_note, sizeof(cg->victim_note), "%s", vp->note);
}

static void act_dry_run(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
			double proc_rate, uint64_t now)
{
	const struct victim_plan *vp = &d->vp;
	bool restart = vp->plan.action == OW_ACTION_RESTART;
	struct ow_action_desc what = {restart ? "restart" : "SIGTERM", vp->plan.command, vp->label,
				      restart ? "" : vp->note};

	ow_log(OW_LOG_WARN, "act",
	       restart ? "dry run: would ask its manager to restart it"
		       : "dry run: would send SIGTERM",
	       CG_FIELDS(cg), OW_INT("pid", info->pid), OW_STR("comm", info->comm),
	       OW_STR("cmdline", info->cmdline), OW_NUM("proc_rate_mib_s", proc_rate / MIB),
	       OW_STR("manager", vp->label), OW_STR("action", what.action),
	       OW_STR("command", vp->plan.command), OW_STR("why", vp->plan.why),
	       OW_STR("note", what.note), OW_INT("dry_run", 1),
	       OW_STR("reason", cg->verdict.reason));
	ow_notify_action(d->alerter, cg, OW_ALERT_ACT, info, d->cands, &what, true);
	cg->actions[OW_ACTED_DRY_RUN]++;
	cool_down(d, cg, now);
	/* Nothing was done, so nothing will change: the whole cooldown, past high water too. */
	hold_off(cg, now, d->opts->policy.cooldown_s);
}

static int watch_victim(struct ow_daemon *d, struct ow_cgroup *cg, int fd,
			const struct ow_proc_info *info)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_VICTIM | cg->id};

	cg->victim_fd = fd;
	cg->victim_pid = info->pid;
	snprintf(cg->victim_comm, sizeof(cg->victim_comm), "%s", info->comm);
	cg->killed = false;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		ow_log(OW_LOG_ERROR, "epoll", "cannot watch the victim",
		       OW_STR("error", strerror(errno)));
		return -errno;
	}
	return 0;
}

static struct restart_job *free_job(struct ow_daemon *d)
{
	unsigned int i;

	for (i = 0; i < MAX_JOBS; i++) {
		if (!d->jobs[i].job.pid)
			return &d->jobs[i];
	}
	return NULL;
}

static int watch_job(struct ow_daemon *d, struct restart_job *rj)
{
	uint64_t slot = (uint64_t)(rj - d->jobs);
	struct epoll_event exit_ev = {.events = EPOLLIN, .data.u64 = TAG_JOB_EXIT | slot};
	struct epoll_event out_ev = {.events = EPOLLIN, .data.u64 = TAG_JOB_OUT | slot};

	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, rj->job.pidfd, &exit_ev) ||
	    epoll_ctl(d->epfd, EPOLL_CTL_ADD, rj->job.outfd, &out_ev))
		return -errno;
	return 0;
}

/* The victim's own memory cgroup: the restart command runs below it, bound by its limits. */
static int victim_cgroup(const struct ow_daemon *d, pid_t pid, char *dir, size_t len)
{
	const struct ow_cg_mount *mnt = &d->watch.mount;
	char rel[PATH_MAX];
	int err = ow_proc_memcg_path("/proc", pid, mnt->version == OW_CG_V2, rel, sizeof(rel));

	if (err)
		return err;
	if ((size_t)snprintf(dir, len, "%s%s", mnt->path, strcmp(rel, "/") ? rel : "") >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Run the manager's restart command in a child; the victim stays watched through its pidfd.
 * Returns 0, or -errno when the command could not be started. */
static int start_restart(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info)
{
	const struct ow_action_plan *p = &d->vp.plan;
	struct restart_job *rj = free_job(d);
	uint64_t now = mono_ns();
	char dir[PATH_MAX];
	int err;

	if (!rj)
		return -EBUSY;
	err = victim_cgroup(d, info->pid, dir, sizeof(dir));
	if (!err)
		err = ow_job_start(&rj->job, p->argv, p->envp, p->as_user, p->uid, p->gid, dir);
	if (!err && watch_job(d, rj)) {
		err = -errno;
		ow_job_close(&rj->job);
	}
	if (err)
		return err;
	rj->cg_id = cg->id;
	rj->victim_pid = info->pid;
	rj->deadline_ns = now + (uint64_t)(p->timeout_s * NS_PER_S);
	snprintf(rj->command, sizeof(rj->command), "%s", p->command);
	snprintf(rj->manager, sizeof(rj->manager), "%s", d->vp.label);
	cg->restarting = true;
	cg->term_ns = now;
	cg->deadline_ns = rj->deadline_ns;
	return 0;
}

/* SIGTERM through the victim's pidfd: the first action, or the fallback of a restart. */
static int send_sigterm(struct ow_daemon *d, struct ow_cgroup *cg, int fd)
{
	int err = ow_pidfd_signal(fd, SIGTERM);
	struct ow_policy_cfg pc;

	if (err)
		return err;
	cg->actions[OW_ACTED_SIGTERM]++;
	cg->restarting = false;
	cg->term_ns = mono_ns();
	policy_of(d, cg, &pc);
	cg->deadline_ns =
		cg->term_ns + (uint64_t)(ow_policy_grace(&pc, cg->verdict.eta_s) * NS_PER_S);
	return 0;
}

static void log_sigterm(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
			const struct ow_candidates *cands, double proc_rate, const char *why,
			uint64_t event_ns)
{
	struct ow_action_desc what = {"SIGTERM", "", cg->victim_manager, cg->victim_note};

	ow_log(OW_LOG_WARN, "act", "SIGTERM sent to the fastest-growing process", CG_FIELDS(cg),
	       OW_INT("pid", info->pid), OW_STR("comm", info->comm),
	       OW_STR("cmdline", info->cmdline), OW_NUM("proc_rate_mib_s", proc_rate / MIB),
	       OW_STR("signal", "SIGTERM"), OW_STR("manager", cg->victim_manager),
	       OW_STR("action", "signal"), OW_STR("why", why), OW_STR("note", cg->victim_note),
	       OW_NUM("grace_s", (double)(cg->deadline_ns - cg->term_ns) / NS_PER_S),
	       OW_STR("reason", cg->verdict.reason),
	       OW_NUM("latency_ms", event_ns ? (double)(cg->term_ns - event_ns) / NS_PER_MS : 0));
	ow_notify_action(d->alerter, cg, OW_ALERT_ACT, info, cands, &what, false);
}

static void log_restart(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
			double proc_rate, uint64_t event_ns)
{
	const struct ow_action_plan *p = &d->vp.plan;
	struct ow_action_desc what = {"restart", p->command, cg->victim_manager, ""};

	ow_log(OW_LOG_WARN, "act", "asked the manager to restart the fastest-growing process",
	       CG_FIELDS(cg), OW_INT("pid", info->pid), OW_STR("comm", info->comm),
	       OW_STR("cmdline", info->cmdline), OW_NUM("proc_rate_mib_s", proc_rate / MIB),
	       OW_STR("manager", cg->victim_manager), OW_STR("action", "restart"),
	       OW_STR("command", p->command), OW_STR("why", p->why),
	       OW_NUM("timeout_s", p->timeout_s), OW_STR("reason", cg->verdict.reason),
	       OW_NUM("latency_ms", event_ns ? (double)(cg->term_ns - event_ns) / NS_PER_MS : 0));
	ow_notify_action(d->alerter, cg, OW_ALERT_ACT, info, d->cands, &what, false);
}

static void act(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_policy_cfg *pc,
		uint64_t now, uint64_t event_ns)
{
	enum ow_action wanted = victim_action(d, cg);
	const struct ow_proc_info *info;
	const char *why = "the action is signal";
	double grace, proc_rate;
	int idx = pick(d, cg, now), fd, err;
	char buf[160];

	if (idx < 0)
		return;
	info = &d->cands->info[idx];
	proc_rate = d->cands->c[idx].rate;
	grace = ow_policy_grace(pc, cg->verdict.eta_s);
	set_level(d, cg, OW_LEVEL_ACT);
	/* A restart needs to know the manager first; a SIGTERM goes out before the lookup. */
	if (wanted == OW_ACTION_RESTART || d->opts->dry_run)
		plan_victim(d, cg, info, grace);
	if (d->opts->dry_run) {
		note_victim(d, cg);
		act_dry_run(d, cg, info, proc_rate, now);
		return;
	}
	fd = ow_pidfd_open_checked("/proc", info);
	if (fd >= 0 && wanted == OW_ACTION_RESTART) {
		why = d->vp.plan.why;
		if (d->vp.plan.action == OW_ACTION_RESTART) {
			err = start_restart(d, cg, info);
			if (!err) {
				note_victim(d, cg);
				log_restart(d, cg, info, proc_rate, event_ns);
				watch_victim(d, cg, fd, info);
				return;
			}
			snprintf(buf, sizeof(buf), "the restart command could not start: %s",
				 strerror(-err));
			why = buf;
		}
	}
	err = fd < 0 ? fd : send_sigterm(d, cg, fd);
	if (err) {
		ow_log(OW_LOG_WARN, "act_failed",
		       "could not signal the victim (it may have exited)", CG_FIELDS(cg),
		       OW_INT("pid", info->pid), OW_STR("error", strerror(-err)));
		if (fd >= 0)
			close(fd);
		hold_off(cg, now, RETRY_S);
		return;
	}
	if (wanted != OW_ACTION_RESTART)
		plan_victim(d, cg, info, grace);
	note_victim(d, cg);
	log_sigterm(d, cg, info, d->cands, proc_rate, why, event_ns);
	watch_victim(d, cg, fd, info);
}

/* The restart did not happen (failed, timed out, or left the victim running): SIGTERM. */
static void restart_fallback(struct ow_daemon *d, struct ow_cgroup *cg, const char *why)
{
	struct ow_proc_info info = {.pid = cg->victim_pid};
	int err = send_sigterm(d, cg, cg->victim_fd);

	if (err) {
		ow_log(OW_LOG_WARN, "act_failed", "could not signal the victim after its restart",
		       CG_FIELDS(cg), OW_INT("pid", cg->victim_pid),
		       OW_STR("error", strerror(-err)));
		cg->restarting = false;
		return;
	}
	snprintf(info.comm, sizeof(info.comm), "%s", cg->victim_comm);
	log_sigterm(d, cg, &info, NULL, 0, why, 0);
}

static struct restart_job *job_of(struct ow_daemon *d, const struct ow_cgroup *cg)
{
	unsigned int i;

	for (i = 0; i < MAX_JOBS; i++) {
		if (d->jobs[i].job.pid && d->jobs[i].cg_id == cg->id &&
		    d->jobs[i].victim_pid == cg->victim_pid)
			return &d->jobs[i];
	}
	return NULL;
}

static bool pidfd_exited(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) > 0;
}

static void on_job_output(struct ow_daemon *d, unsigned int slot)
{
	if (slot < MAX_JOBS && d->jobs[slot].job.pid)
		ow_job_drain(&d->jobs[slot].job);
}

static void on_job_exit(struct ow_daemon *d, unsigned int slot)
{
	struct restart_job *rj = slot < MAX_JOBS ? &d->jobs[slot] : NULL;
	char status[48], out[OW_JOB_OUT_LEN + 256], why[160];
	struct ow_cgroup *cg;
	int st, ret;

	if (!rj || !rj->job.pid)
		return;
	ret = ow_job_reap(&rj->job, &st);
	if (ret == 0)
		return;
	ow_job_drain(&rj->job);
	ow_job_status_str(ret > 0 ? st : -1, status, sizeof(status));
	ow_job_output_line(&rj->job, out, sizeof(out));
	ow_log(ret > 0 && WIFEXITED(st) && !WEXITSTATUS(st) ? OW_LOG_INFO : OW_LOG_WARN,
	       "restart_done", "the manager's restart command finished",
	       OW_STR("manager", rj->manager), OW_INT("pid", rj->victim_pid),
	       OW_STR("command", rj->command), OW_STR("status", status), OW_STR("output", out));
	cg = ow_model_cgroup(&d->model, rj->cg_id);
	if (cg && cg->restarting && cg->victim_fd >= 0 && cg->victim_pid == rj->victim_pid) {
		snprintf(why, sizeof(why), "the restart command failed (%s)", status);
		if (!(ret > 0 && WIFEXITED(st) && !WEXITSTATUS(st)))
			restart_fallback(d, cg, why);
		else if (!pidfd_exited(cg->victim_fd))
			restart_fallback(d, cg,
					 "the manager restarted, but the process still runs");
		/* else the victim's own pidfd event follows */
	}
	ow_job_close(&rj->job);
}

/* Past its deadline: kill the command (its exit is logged by on_job_exit), SIGTERM. */
static void restart_timed_out(struct ow_daemon *d, struct ow_cgroup *cg)
{
	struct restart_job *rj = job_of(d, cg);

	ow_log(OW_LOG_WARN, "restart_timeout", "the manager's restart command timed out",
	       CG_FIELDS(cg), OW_INT("pid", cg->victim_pid), OW_STR("manager", cg->victim_manager),
	       OW_STR("command", rj ? rj->command : "?"));
	if (rj)
		ow_job_kill(&rj->job);
	restart_fallback(d, cg, "the restart command timed out");
}

/* Degraded mode has no per-process events: sample the processes of a cgroup at risk so the
 * victim can still be the fastest-growing one. */
static void sample_processes(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	int i, n = ow_list_processes("/proc", cg->path, &d->model, now, d->cands);

	for (i = 0; i < n; i++)
		ow_model_proc_sample(&d->model, d->cands->info[i].pid, cg->id,
				     d->cands->info[i].comm, d->cands->c[i].rss, now);
}

static void evaluate(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t event_ns)
{
	uint64_t now = mono_ns(), old_limit = cg->eff_limit;
	struct ow_policy_cfg policy, *pc = &policy;
	struct ow_cg_view view;
	int err = ow_watch_refresh(&d->watch, cg, now);

	if (err) {
		if (err == -ENOENT)
			request_rescan(d);
		return;
	}
	if (cg->eff_limit != old_limit || !cg->bpf_configured)
		configure_bpf(d, cg);
	ow_cgroup_sample(cg, now, cg->nonrecl);
	ow_cgroup_view(cg, now, &view);
	policy_of(d, cg, pc);
	ow_policy_assess(pc, &view, &cg->verdict);
	ow_cgroup_note_verdict(cg, now, &cg->verdict);
	if (!d->tracer && cg->verdict.level >= OW_LEVEL_WARN)
		sample_processes(d, cg, now);
	if (cg->victim_fd >= 0) {
		if (!cg->killed && ow_policy_kill_now(pc, &view))
			escalate(d, cg, "still growing past the kill-water mark after SIGTERM");
		return;
	}
	if (cg->verdict.level != OW_LEVEL_ACT) {
		set_level(d, cg, cg->verdict.level);
		return;
	}
	/* After acting, the trend still holds the growth that was just stopped: wait, unless
	 * the headroom is nearly gone again. */
	if (now < cg->retry_after_ns)
		return;
	if (now >= cg->cooldown_until_ns || (double)cg->nonrecl >= pc->high_water * cg->eff_limit)
		act(d, cg, pc, now, event_ns);
}

/*
 * An event names the memcg of the growing task, but the limit that will be hit may be an
 * ancestor's (a slice or pod limit over unlimited leaves, or the machine itself at the root):
 * evaluate the watched ancestors that have a limit of their own, and the root.
 */
static void evaluate_limit_points(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t event_ns)
{
	uint64_t now = mono_ns();
	struct ow_cgroup *p;

	for (p = ow_model_cgroup(&d->model, cg->parent_id); p;
	     p = ow_model_cgroup(&d->model, p->parent_id)) {
		bool limit_point = p->own_limit != OW_NO_LIMIT || ow_cgroup_is_root(p);

		if (p->parent_id == p->id)
			break;
		if (limit_point && now - p->last_sample_ns >= LIMIT_POINT_MIN_NS)
			evaluate(d, p, event_ns);
	}
}

static void on_victim_exit(struct ow_daemon *d, uint64_t id)
{
	struct ow_cgroup *cg = ow_model_cgroup(&d->model, id);
	uint64_t now = mono_ns();

	if (!cg || cg->victim_fd < 0)
		return;
	ow_log(OW_LOG_INFO, "victim_exit",
	       cg->killed	? "the victim exited after SIGKILL"
	       : cg->restarting ? "the victim exited: its manager restarts it"
				: "the victim exited after SIGTERM",
	       CG_FIELDS(cg), OW_INT("pid", cg->victim_pid), OW_STR("comm", cg->victim_comm),
	       OW_STR("manager", cg->victim_manager),
	       OW_STR("signal", cg->killed	 ? "SIGKILL"
				: cg->restarting ? "restart"
						 : "SIGTERM"),
	       OW_NUM("after_ms", (double)(now - cg->term_ns) / NS_PER_MS));
	cg->restarting = false;
	drop_victim(cg);
	ow_model_proc_remove(&d->model, cg->victim_pid);
	cool_down(d, cg, now);
	evaluate(d, cg, 0);
}

static void remember_cmdline(struct ow_proc_rec *rec)
{
	struct ow_proc_info info;

	if (!rec || rec->cmdline_read)
		return;
	rec->cmdline_read = true;
	if (!ow_proc_read("/proc", rec->tgid, &info))
		snprintf(rec->cmdline, sizeof(rec->cmdline), "%s", info.cmdline);
}

/* The kernel reports OOM kills in every memcg. One outside the watched subtrees (another
 * service's, with --cgroup) is not this daemon's to alert on; one in a memcg created since the
 * last scan is, under its name. Returns the cgroup, or NULL when it cannot be told. */
static struct ow_cgroup *oom_cgroup(struct ow_daemon *d, const struct ow_event *e, bool *outside)
{
	struct ow_cgroup *cg = ow_model_cgroup(&d->model, e->memcg_id);
	int where;

	*outside = false;
	if (cg)
		return cg;
	where = ow_watch_locate(&d->watch, e->memcg_id);
	*outside = where == 0;
	if (where != 1)
		return NULL;
	rescan(d);
	return ow_model_cgroup(&d->model, e->memcg_id);
}

static void on_oom_victim(struct ow_daemon *d, const struct ow_event *e)
{
	bool outside;
	struct ow_cgroup *cg = oom_cgroup(d, e, &outside);
	const struct ow_proc_rec *rec = ow_model_proc(&d->model, (pid_t)e->tgid);
	const char *cmdline = rec ? rec->cmdline : "";

	/* A process with SIGKILL pending is only marked and reaped by the OOM path
	 * (task_will_free_mem() in mm/oom_kill.c), never killed again or counted in oom_kill:
	 * our own escalation racing the limit, not a kernel OOM kill. */
	if (cg && cg->killed && (pid_t)e->tgid == cg->victim_pid) { /* kept after its exit */
		ow_log(OW_LOG_INFO, "victim_reaped",
		       "the victim already SIGKILLed was reaped by the kernel's OOM path (no "
		       "OOM kill)",
		       CG_FIELDS(cg), OW_INT("pid", e->tgid), OW_STR("comm", e->comm));
		return;
	}
	d->counters.oom_kills++; /* oomwarden_oom_kills_total: watched or not */
	if (outside) {
		ow_log(OW_LOG_INFO, "oom_kill_elsewhere",
		       "the kernel OOM killer killed a process outside the watched cgroups",
		       OW_INT("pid", e->tgid), OW_STR("comm", e->comm),
		       OW_INT("memcg_id", e->memcg_id));
		return;
	}
	if (cg)
		cg->oom_kills_seen++;
	ow_log(OW_LOG_ERROR, "oom_kill", "the kernel OOM killer killed a process",
	       OW_INT("pid", e->tgid), OW_STR("comm", e->comm), OW_STR("cmdline", cmdline),
	       OW_STR("cgroup", cg ? cg->name : "?"), OW_INT("memcg_id", e->memcg_id),
	       OW_NUM("anon_mib", mib(e->rss[OW_MEM_ANON])),
	       OW_NUM("file_mib", mib(e->rss[OW_MEM_FILE])),
	       OW_NUM("shmem_mib", mib(e->rss[OW_MEM_SHMEM])),
	       OW_NUM("predicted_eta_s", cg ? cg->verdict.eta_s : INFINITY));
	ow_notify_oom_kill(d->alerter, cg, e, cmdline);
}

static int on_event(const struct ow_event *e, void *arg)
{
	struct ow_daemon *d = arg;
	struct ow_cgroup *cg = NULL;

	d->counters.events++;
	if (e->kind == OW_EV_PROC_STEP || e->kind == OW_EV_PROC_EXIT ||
	    e->kind == OW_EV_MEMCG_STEP || e->kind == OW_EV_RECLAIM_BEGIN)
		cg = ow_model_cgroup(&d->model, e->memcg_id);
	switch (e->kind) {
	case OW_EV_PROC_STEP:
		remember_cmdline(ow_model_proc_sample(
			&d->model, (pid_t)e->tgid, e->memcg_id, e->comm,
			e->rss[OW_MEM_ANON] + e->rss[OW_MEM_SHMEM] + e->rss[OW_MEM_SWAP],
			mono_ns()));
		/* The kernel charges no page counter for the root cgroup's own processes, so no
		 * memcg step ever comes for them: their steps stand in (a leak with no cgroup at
		 * all, which only the machine's RAM limits). */
		if (cg && ow_cgroup_is_root(cg) &&
		    mono_ns() - cg->last_sample_ns >= LIMIT_POINT_MIN_NS)
			evaluate(d, cg, e->ts_ns);
		break;
	case OW_EV_PROC_EXIT:
		ow_model_proc_remove(&d->model, (pid_t)e->tgid);
		break;
	case OW_EV_MEMCG_STEP:
	case OW_EV_RECLAIM_BEGIN:
		if (!cg) {
			on_unknown_memcg(d, e->memcg_id);
			break;
		}
		evaluate(d, cg, e->ts_ns);
		evaluate_limit_points(d, cg, e->ts_ns);
		break;
	case OW_EV_OOM_VICTIM:
		on_oom_victim(d, e);
		break;
	}
	return 0;
}

/* Hand the waiting events over; say when the BPF side had to drop some (a full ring buffer:
 * steps lost until the next one, so a prediction may come late). */
static void consume_events(struct ow_daemon *d)
{
	uint64_t drops, full;

	ow_tracer_consume(d->tracer);
	full = ow_tracer_map_full(d->tracer);
	if (full != d->map_full_logged) {
		ow_log(OW_LOG_WARN, "bpf_map_full",
		       "a BPF map was full: processes or memcgs go unwatched until room frees up",
		       OW_INT("refused", full - d->map_full_logged), OW_INT("total", full));
		report_unwatched(d, full - d->map_full_logged);
		d->map_full_logged = full;
	}
	drops = ow_tracer_drops(d->tracer);
	if (drops == d->drops_logged)
		return;
	ow_log(OW_LOG_WARN, "ringbuf_full", "the BPF side dropped events (ring buffer full)",
	       OW_INT("dropped", drops - d->drops_logged), OW_INT("total", drops));
	d->drops_logged = drops;
	/* A dropped event may have been a memcg's first sight, its only one: look again. */
	d->reconcile_pending = true;
	request_rescan(d);
}

static void on_timer(struct ow_daemon *d)
{
	uint64_t now = mono_ns(), junk;
	unsigned int i;

	if (read(d->timerfd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
		return;
	/* A restart command whose victim is gone (or never ends) still has its deadline. */
	for (i = 0; i < MAX_JOBS; i++) {
		if (d->jobs[i].job.pid && now >= d->jobs[i].deadline_ns) {
			ow_job_kill(&d->jobs[i].job);
			d->jobs[i].deadline_ns = now + KILL_WAIT_NS; /* its exit event follows */
		}
	}
	if (d->rescan_pending && now - d->last_scan_ns >= RESCAN_MIN_NS)
		rescan(d);
	for (i = 0; i < d->model.ncgs; i++) {
		struct ow_cgroup *cg = d->model.cgs[i];

		if (cg->gone)
			continue;
		if (cg->victim_fd >= 0 && now >= cg->deadline_ns) {
			if (cg->restarting) {
				restart_timed_out(d, cg);
				continue;
			}
			if (!cg->killed) {
				escalate(d, cg, "the victim did not exit within the grace period");
				continue;
			}
			ow_log(OW_LOG_ERROR, "victim_stuck", "the victim survived SIGKILL",
			       CG_FIELDS(cg), OW_INT("pid", cg->victim_pid));
			drop_victim(cg);
			cool_down(d, cg, now);
		} else if (!d->tracer || cg->level != OW_LEVEL_OK) {
			evaluate(d, cg, 0);
		}
	}
	d->next_sample_ns = now + SAMPLE_NS;
}

static uint64_t next_wakeup(const struct ow_daemon *d, uint64_t now)
{
	uint64_t next = d->tracer ? UINT64_MAX : d->next_sample_ns;
	unsigned int i;

	if (d->rescan_pending)
		next = d->last_scan_ns + RESCAN_MIN_NS;
	if (d->sd.status_due_ns && d->sd.status_due_ns < next)
		next = d->sd.status_due_ns;
	for (i = 0; i < MAX_JOBS; i++) {
		if (d->jobs[i].job.pid && d->jobs[i].deadline_ns < next)
			next = d->jobs[i].deadline_ns;
	}
	for (i = 0; i < d->model.ncgs; i++) {
		const struct ow_cgroup *cg = d->model.cgs[i];

		if (cg->victim_fd >= 0 && cg->deadline_ns < next)
			next = cg->deadline_ns;
		if (cg->level != OW_LEVEL_OK && d->next_sample_ns < next)
			next = d->next_sample_ns;
	}
	return next;
}

/* Sleep until the next deadline, or indefinitely when nothing is growing. */
static void arm_timer(struct ow_daemon *d)
{
	uint64_t now = mono_ns(), next = next_wakeup(d, now);
	struct itimerspec its = {0};

	if (next != UINT64_MAX) {
		if (next <= now)
			next = now + 1;
		its.it_value.tv_sec = (time_t)(next / NS_PER_S);
		its.it_value.tv_nsec = (long)(next % NS_PER_S);
	}
	timerfd_settime(d->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void reload(struct ow_daemon *d);

/* A manager that stopped listening is worth one line, not one per message. */
static void sd_result(struct ow_daemon *d, int ret)
{
	if (ret >= 0 || d->sd_failed)
		return;
	d->sd_failed = true;
	ow_log(OW_LOG_WARN, "sd_notify", "could not notify systemd",
	       OW_STR("error", strerror(-ret)));
}

/* The line `systemctl status` shows, e.g. "watching 12 cgroups, 0 at risk, BPF tp_btf". */
static void status_summary(const struct ow_daemon *d, char *buf, size_t len)
{
	unsigned int i, at_risk = 0, n = 0;

	for (i = 0; i < d->model.ncgs; i++) {
		n += !d->model.cgs[i]->gone;
		at_risk += !d->model.cgs[i]->gone && d->model.cgs[i]->level != OW_LEVEL_OK;
	}
	snprintf(buf, len, "watching %u cgroup%s, %u at risk, %s%s%s", n, n == 1 ? "" : "s",
		 at_risk, d->tracer ? "BPF " : "degraded (no BPF)",
		 d->tracer ? ow_tracer_mode(d->tracer) : "", d->opts->dry_run ? ", dry run" : "");
}

static void update_status(struct ow_daemon *d)
{
	char status[OW_SD_STATUS_LEN];

	if (d->sd.fd < 0)
		return;
	status_summary(d, status, sizeof(status));
	sd_result(d, ow_sd_notify_status(&d->sd, status, mono_ns()));
}

static void on_watchdog(struct ow_daemon *d)
{
	uint64_t ticks;

	if (read(d->wdfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	sd_result(d, ow_sd_notify_watchdog(&d->sd));
}

static void on_signal(struct ow_daemon *d)
{
	struct signalfd_siginfo si;

	if (read(d->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		char status[OW_SD_STATUS_LEN];

		/* systemctl reload waits for READY=1 after RELOADING=1 (Type=notify-reload). */
		sd_result(d, ow_sd_notify_reloading(&d->sd));
		reload(d);
		status_summary(d, status, sizeof(status));
		sd_result(d, ow_sd_notify_ready(&d->sd, status, mono_ns()));
	}
	if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
		ow_log(OW_LOG_INFO, "stop", "signal received, detaching",
		       OW_STR("signal", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT"),
		       OW_INT("events", d->counters.events),
		       OW_INT("ringbuf_drops", d->tracer ? ow_tracer_drops(d->tracer) : 0),
		       OW_INT("memcg_rebinds", d->tracer ? ow_tracer_rebinds(d->tracer) : 0));
		d->stop = true;
	}
}

static void dispatch(struct ow_daemon *d, uint64_t tag, uint32_t events)
{
	if (tag & TAG_VICTIM)
		on_victim_exit(d, tag & ~TAG_VICTIM);
	else if (tag & TAG_JOB_EXIT)
		on_job_exit(d, (unsigned int)(tag & ~TAG_JOB_EXIT));
	else if (tag & TAG_JOB_OUT)
		on_job_output(d, (unsigned int)(tag & ~TAG_JOB_OUT));
	else if (tag & TAG_EXPORTER)
		ow_exporter_handle(d->exporter, (unsigned int)(tag & ~TAG_EXPORTER), events);
	else if (tag == TAG_RINGBUF)
		consume_events(d);
	else if (tag == TAG_SIGNAL)
		on_signal(d);
	else if (tag == TAG_TIMER)
		on_timer(d);
	else if (tag == TAG_PSI)
		on_timer(d); /* pressure: sample everything now */
	else if (tag == TAG_WATCHDOG)
		on_watchdog(d);
}

static int loop(struct ow_daemon *d)
{
	struct epoll_event evs[16];
	int i, n;

	while (!d->stop) {
		arm_timer(d);
		n = epoll_wait(d->epfd, evs, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ow_log(OW_LOG_ERROR, "epoll", "epoll_wait failed",
			       OW_STR("error", strerror(errno)));
			return 1;
		}
		for (i = 0; i < n && !d->stop; i++)
			dispatch(d, evs[i].data.u64, evs[i].events);
		ow_model_reap(&d->model); /* the one place a cgroup is freed (rescan) */
		update_status(d);
	}
	return 0;
}

static int watch_fd(struct ow_daemon *d, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = {.events = events, .data.u64 = tag};

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Keep our own pages resident and keep the OOM killer away from us: a watchdog that is
 * paged out or killed first protects nothing. MCL_ONFAULT locks only what we touch. */
static void protect_self(void)
{
	int fd;

	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT))
		ow_log(OW_LOG_WARN, "mlockall", "could not lock memory",
		       OW_STR("error", strerror(errno)));
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "-1000", 5) != 5)
		ow_log(OW_LOG_WARN, "oom_score_adj",
		       "could not set oom_score_adj to -1000 (lowering it needs CAP_SYS_RESOURCE)",
		       OW_STR("error", strerror(errno)));
	if (fd >= 0)
		close(fd);
}

/* Degraded mode: memory pressure wakes us early (PSI trigger; its window must be a multiple
 * of 2 s without CAP_SYS_RESOURCE), the 1 s timer does the rest. */
static int open_psi(void)
{
	static const char trigger[] = "some 150000 2000000";
	int fd = open("/proc/pressure/memory", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, trigger, sizeof(trigger)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* WATCHDOG=1 at half the period systemd asked for, from the event loop itself: a loop that
 * hangs stops the pings, and systemd restarts us. */
static int setup_watchdog(struct ow_daemon *d)
{
	uint64_t half_ns = d->sd.watchdog_usec * 1000 / 2;
	struct itimerspec its = {0};

	if (!d->sd.watchdog_usec)
		return 0;
	d->wdfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->wdfd < 0)
		return -errno;
	its.it_value.tv_sec = its.it_interval.tv_sec = (time_t)(half_ns / NS_PER_S);
	its.it_value.tv_nsec = its.it_interval.tv_nsec = (long)(half_ns % NS_PER_S);
	if (!half_ns)
		its.it_value.tv_nsec = its.it_interval.tv_nsec = 1;
	if (timerfd_settime(d->wdfd, 0, &its, NULL))
		return -errno;
	return watch_fd(d, d->wdfd, EPOLLIN, TAG_WATCHDOG);
}

static int setup_fds(struct ow_daemon *d)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epfd < 0 || d->sigfd < 0 || d->timerfd < 0)
		return -errno;
	if (watch_fd(d, d->sigfd, EPOLLIN, TAG_SIGNAL) ||
	    watch_fd(d, d->timerfd, EPOLLIN, TAG_TIMER) || setup_watchdog(d))
		return -errno;
	if (d->tracer)
		return watch_fd(d, ow_tracer_fd(d->tracer), EPOLLIN, TAG_RINGBUF);
	d->psifd = open_psi();
	if (d->psifd >= 0)
		watch_fd(d, d->psifd, EPOLLPRI, TAG_PSI);
	return 0;
}

static int start_tracer(struct ow_daemon *d)
{
	struct ow_tracer_cfg tc = {.mode = d->opts->attach,
				   .max_processes = d->opts->bpf_max_processes};
	char err[256];
	int ret;

	if (d->opts->no_bpf) {
		ow_log(OW_LOG_WARN, "degraded",
		       "BPF disabled by --no-bpf: sampling cgroup files "
		       "every second instead of kernel events");
		return 0;
	}
	ret = ow_tracer_open(&d->tracer, &tc, on_event, d, err, sizeof(err));
	if (!ret)
		return 0;
	/* Only a --dry-run gets here without root: it asked for BPF, so say how to do without.
	 * Root refused (capabilities dropped, a security module, lockdown) is a kernel that
	 * will not let us watch: still protect, by sampling. */
	if ((ret == -EPERM || ret == -EACCES) && geteuid() != 0) {
		fprintf(stderr, "oomwarden: %s\n", err);
		return 1;
	}
	ow_log(OW_LOG_WARN, "degraded",
	       "running degraded: sampling cgroup files every second "
	       "instead of kernel events",
	       OW_STR("why", err));
	return 0;
}

static void start_alerter(struct ow_daemon *d, const struct ow_options *o)
{
	struct ow_alerter_cfg cfg = {.ca_pem = o->webhook_ca_pem.pem,
				     .ca_len = o->webhook_ca_pem.len};
	int err;

	if (!o->ntargets)
		return;
	err = ow_alerter_start(o->targets, o->ntargets, &cfg, &d->alerter);
	if (err) {
		d->alerter = NULL;
		ow_log(OW_LOG_ERROR, "alerts",
		       "cannot start the alert sender: running without alerts",
		       OW_STR("error", strerror(-err)));
	}
}

static void apply_log_settings(const struct ow_options *o)
{
	ow_log_setup(o->log_format, o->verbose >= 2 ? OW_LOG_DEBUG : OW_LOG_INFO, 2);
}

/* A configuration that cannot run is refused before anything changes. `*w`: the new watched
 * subtrees, when they changed. */
static int check_reload(struct ow_daemon *d, struct ow_options *o, struct ow_watch **w, char *err,
			size_t errlen)
{
	int ret;

	if (geteuid() != 0 && !o->dry_run) {
		snprintf(err, errlen, "dry_run = no needs root");
		return -EPERM;
	}
	if (!ow_reload_cgroups_changed(d->opts, o))
		return 0;
	*w = malloc(sizeof(**w)); /* large: not on the locked stack */
	if (!*w)
		return -ENOMEM;
	ret = ow_watch_init(*w, o, err, errlen);
	if (ret) {
		free(*w);
		*w = NULL;
	}
	return ret;
}

static void swap_alerter(struct ow_daemon *d, const struct ow_options *o)
{
	struct ow_alerter_stats last;

	if (!ow_reload_alerter_changed(d->opts, o))
		return;
	/* The exporter reads d->alerter afresh at each tick; the old sender's totals live on. */
	ow_alerter_stop_stats(d->alerter, RELOAD_FLUSH_MS, &last);
	ow_alerter_stats_add(&d->counters.alerts_retired, &last);
	d->alerter = NULL;
	start_alerter(d, o);
	ow_log(OW_LOG_INFO, "alerts", "alert sender restarted for the new webhook settings",
	       OW_INT("targets", o->ntargets));
}

static void swap_options(struct ow_daemon *d, struct ow_options *o)
{
	unsigned int i;

	if (d->owned_opts) {
		ow_options_free(d->owned_opts);
		free(d->owned_opts);
	}
	d->opts = d->owned_opts = o;
	for (i = 0; i < d->model.ncgs; i++)
		find_rule(d, d->model.cgs[i]);
}

static void reload_failed(const char *why)
{
	char msg[1200];

	snprintf(msg, sizeof(msg), "config not reloaded, the previous one stays in effect: %s",
		 why);
	ow_log(OW_LOG_ERROR, "reload_failed", msg);
}

/* SIGHUP: the config file again, the original command line over it. */
static void reload(struct ow_daemon *d)
{
	struct ow_options *o = calloc(1, sizeof(*o));
	struct ow_watch *w = NULL;
	char err[1024], msg[PATH_MAX + 64];
	unsigned int n;
	int ret;

	if (!o) {
		reload_failed("out of memory");
		return;
	}
	ret = ow_options_load(d->opts->argc, d->opts->argv, d->opts->default_config, o, err,
			      sizeof(err));
	if (!ret)
		ret = check_reload(d, o, &w, err, sizeof(err));
	if (ret) {
		reload_failed(err);
		ow_options_free(o);
		free(o);
		return;
	}
	n = ow_reload_prepare(d->opts, o);
	swap_alerter(d, o);
	apply_log_settings(o);
	swap_options(d, o);
	/* New settings (a protect, a horizon) deserve a new look at once, not after a hold. */
	for (unsigned int i = 0; i < d->model.ncgs; i++)
		d->model.cgs[i]->retry_after_ns = 0;
	if (w) {
		d->watch = *w;
		free(w);
		rescan(d);
	}
	snprintf(msg, sizeof(msg), "reloaded config %s: %u changes",
		 o->config_path ? o->config_path : "(no file)", n);
	ow_log(OW_LOG_INFO, "reloaded", msg, OW_STR("config", o->config_path ? o->config_path : ""),
	       OW_INT("changes", n), OW_INT("dry_run", o->dry_run),
	       OW_NUM("warn_horizon_s", o->policy.warn_horizon_s),
	       OW_NUM("act_horizon_s", o->policy.act_horizon_s),
	       OW_NUM("grace_s", o->policy.grace_s), OW_INT("sections", o->nrules));
}

/* After the first scan, so the first metrics file already lists the cgroups. */
static int start_exporter(struct ow_daemon *d)
{
	/* Where d keeps them: a reload replaces both (exporter.h). */
	struct ow_exporter_src src = {
		.opts = (const struct ow_options *const *)&d->opts,
		.model = &d->model,
		.alerter = &d->alerter,
		.counters = &d->counters,
		.mode = d->tracer ? ow_tracer_mode(d->tracer) : "degraded",
		.degraded = !d->tracer,
	};
	char err[PATH_MAX + 128];

	if (ow_exporter_open(&src, d->epfd, TAG_EXPORTER, &d->exporter, err, sizeof(err))) {
		fprintf(stderr, "oomwarden: %s\n", err);
		return 1;
	}
	if (d->exporter)
		ow_log(OW_LOG_INFO, "metrics", "exporting metrics",
		       OW_STR("file", d->opts->metrics_file ? d->opts->metrics_file : ""),
		       OW_NUM("interval_s", d->opts->metrics_interval_s),
		       OW_STR("listen", d->opts->metrics_listen ? d->opts->metrics_listen : ""));
	return 0;
}

static void shutdown_daemon(struct ow_daemon *d)
{
	unsigned int i;

	for (i = 0; i < d->model.ncgs; i++)
		drop_victim(d->model.cgs[i]);
	for (i = 0; i < MAX_JOBS; i++) {
		if (d->jobs[i].job.pid)
			ow_job_close(&d->jobs[i].job);
	}
	ow_exporter_close(d->exporter); /* reads the model and the alerter one last time */
	ow_tracer_close(d->tracer);
	if (d->alerter)
		ow_alerter_stop(d->alerter, 2000);
	ow_model_free(&d->model);
	free(d->cands);
	free(d->alert_cands);
	if (d->psifd >= 0)
		close(d->psifd);
	if (d->wdfd >= 0)
		close(d->wdfd);
	close(d->timerfd);
	close(d->sigfd);
	close(d->epfd);
	if (d->owned_opts) {
		ow_options_free(d->owned_opts);
		free(d->owned_opts);
	}
	ow_sd_close(&d->sd);
}

int ow_daemon_run(struct ow_options *opts)
{
	struct ow_daemon d = {
		.opts = opts, .epfd = -1, .sigfd = -1, .timerfd = -1, .psifd = -1, .wdfd = -1};
	char err[PATH_MAX + 128], status[OW_SD_STATUS_LEN];
	int ret;

	ret = ow_sd_open(&d.sd); /* first: children must not inherit NOTIFY_SOCKET */
	if (ret)
		ow_log(OW_LOG_WARN, "sd_notify", "NOTIFY_SOCKET is unusable: not notifying systemd",
		       OW_STR("error", strerror(-ret)));

	ret = ow_watch_init(&d.watch, opts, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "oomwarden: %s\n", err);
		ow_sd_close(&d.sd);
		return ret == -EINVAL ? 2 : 1;
	}
	if (geteuid() != 0 && !opts->dry_run) {
		fprintf(stderr, "oomwarden: run needs root (to load BPF programs and signal other "
				"users' processes); try sudo, or --dry-run --no-bpf\n");
		ow_sd_close(&d.sd);
		return 1;
	}
	d.cands = calloc(1, sizeof(*d.cands));
	d.alert_cands = calloc(1, sizeof(*d.alert_cands)); /* NULL: alerts without the top list */
	if (!d.cands) {
		ow_sd_close(&d.sd);
		return 1;
	}
	start_alerter(&d, opts); /* first: the sender is forked before BPF and mlockall */
	ret = start_tracer(&d);
	if (!ret)
		ret = setup_fds(&d) ? 1 : 0;
	if (ret) {
		shutdown_daemon(&d);
		return ret;
	}
	protect_self();
	rescan(&d);
	ow_model_reap(&d.model);
	ret = start_exporter(&d);
	if (ret) {
		shutdown_daemon(&d);
		return ret;
	}
	ow_log(OW_LOG_INFO, "ready", "watching memory cgroups", OW_STR("version", OW_VERSION),
	       OW_STR("mode", d.tracer ? ow_tracer_mode(d.tracer) : "degraded"),
	       OW_STR("hierarchy", d.watch.mount.version == OW_CG_V2 ? "v2" : "v1"),
	       OW_STR("mount", d.watch.mount.path), OW_INT("cgroups", d.model.ncgs),
	       OW_STR("config", opts->config_path ? opts->config_path : ""),
	       OW_INT("sections", opts->nrules), OW_INT("dry_run", opts->dry_run),
	       OW_NUM("warn_horizon_s", opts->policy.warn_horizon_s),
	       OW_NUM("act_horizon_s", opts->policy.act_horizon_s),
	       OW_NUM("grace_s", opts->policy.grace_s));
	status_summary(&d, status, sizeof(status));
	sd_result(&d, ow_sd_notify_ready(&d.sd, status, mono_ns()));
	ret = loop(&d);
	sd_result(&d, ow_sd_notify_stopping(&d.sd)); /* before the slow part: detaching BPF */
	shutdown_daemon(&d);
	return ret;
}
