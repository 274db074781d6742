// SPDX-License-Identifier: GPL-2.0
/*
 * The victim's lifecycle: chosen, planned (who manages it: signal or restart), SIGTERMed or
 * restarted through its manager, SIGKILLed past its grace, let go when it exits; and the
 * restart commands running for it. The decisions are lifecycle.h's; this file carries them out.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon_ctx.h"
#include "alerting.h"
#include "container_state.h"
#include "unitfile.h"

/* SIGKILL; `rule` names what cut the grace: "kill_water", "live_eta" or "deadline". */
void daemon_escalate(struct ow_daemon *d, struct ow_cgroup *cg, const char *why, const char *rule)
{
	int err = ow_pidfd_signal(cg->victim.fd, SIGKILL);

	if (err && err != -ESRCH) {
		ow_log(OW_LOG_ERROR, "escalate", "SIGKILL failed", CG_FIELDS(cg),
		       OW_INT("pid", cg->victim.pid), OW_STR("error", strerror(-err)));
		return;
	}
	if (!err)
		cg->counters.actions[OW_ACTED_SIGKILL]++;
	cg->victim.killed = true;
	cg->victim.restarting = false; /* a restart still running only logs its result */
	cg->victim.deleting = false;   /* and a pod deletion's answer too */
	cg->victim.deadline_ns = ow_mono_ns() + OW_LC_KILL_WAIT_NS;
	cg->eval.level = OW_LEVEL_ESCALATE;
	ow_model_note_busy(&d->model, cg);
	ow_log(OW_LOG_WARN, "escalate", why, CG_FIELDS(cg), OW_INT("pid", cg->victim.pid),
	       OW_STR("comm", cg->victim.comm), OW_STR("manager", ow_cg_text(cg)->manager),
	       OW_STR("signal", "SIGKILL"), OW_STR("rule", rule),
	       OW_NUM("grace_s", cg->victim.grace_s),
	       OW_NUM("since_sigterm_ms", (double)(ow_mono_ns() - cg->victim.term_ns) / NS_PER_MS));
	ow_notify_escalate(d->alerter, cg, why, rule);
}

static void cool_down(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	cg->victim.cooldown_until_ns = ow_lc_cooldown_end(now, d->opts->policy.cooldown_s);
}

/* An attempt that changed nothing (no victim, the signal failed, a dry run): the high-water
 * bypass of the cooldown would repeat it on every event, so it holds the next one. */
static void hold_off(struct ow_daemon *d, struct ow_cgroup *cg, enum ow_lc_attempt what,
		     uint64_t now)
{
	struct ow_lc_holds h = {cg->victim.cooldown_until_ns, cg->victim.retry_after_ns};

	ow_lc_after_attempt(what, now, d->opts->policy.cooldown_s, &h);
	cg->victim.cooldown_until_ns = h.cooldown_until_ns;
	cg->victim.retry_after_ns = h.retry_after_ns;
}

int daemon_fastest(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now, int *n)
{
	struct ow_victim_scope scope = {
		.procroot = "/proc",
		.mount = d->watch.mount.path,
		.version = d->watch.mount.version,
		.cg_id = cg->id,
		.rel = cg->rel,
		.model = &d->model,
		.now_ns = now,
	};

	ow_victim_cfg_of(d->opts, &scope.cfg); /* the options in effect now: a reload swaps them */
	*n = ow_collect_victims(&scope, d->cands);
	return *n > 0 ? ow_policy_pick_victim(d->cands->c, (unsigned int)*n) : -1;
}

/* The victim: the fastest-growing process that is not protected. -1, and a hold, when none. */
int daemon_pick(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	int n, idx = daemon_fastest(d, cg, now, &n);

	if (idx < 0) {
		ow_log(OW_LOG_WARN, "no_victim",
		       n > 0 ? "every process of the cgroup that grew is protected"
			     : "no process of the cgroup was seen growing: nobody is signalled",
		       CG_FIELDS(cg), OW_INT("growing", n > 0 ? n : 0));
		hold_off(d, cg, OW_LC_NO_VICTIM, now);
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

/* A believed container's name and image, for its label: from the runtime's state, root's. */
static void container_names(struct ow_manager *m)
{
	struct ow_ctr_names n;
	int err = -ENOENT;

	if (m->kind == OW_MGR_PODMAN && !m->distrust) {
		err = ow_podman_names(OW_PODMAN_STORAGE, m->id, &n);
		if (!err && ow_podman_stop_timeout(OW_PODMAN_STORAGE, m->id, &n.stop_timeout_s))
			n.stop_timeout_s = -1; /* podman 5 (SQLite): not known */
	} else if (m->kind == OW_MGR_DOCKER && !m->distrust)
		err = ow_docker_names(OW_DOCKER_ROOT, m->id, &n);
	if (err)
		return;
	snprintf(m->ctr_name, sizeof(m->ctr_name), "%s", n.name);
	snprintf(m->ctr_image, sizeof(m->ctr_image), "%s", n.image);
	if (n.stop_timeout_s >= 0) { /* the restart command's -t (action_plan.c) */
		m->stop_timeout_s = n.stop_timeout_s;
		snprintf(m->stop_timeout_src, sizeof(m->stop_timeout_src), "%s",
			 m->kind == OW_MGR_PODMAN ? "stopTimeout" : "StopTimeout");
	}
}

/* Once per victim, when it is chosen: who manages it, and whether to signal or restart. */
static void plan_victim(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
			double grace)
{
	struct victim_plan *vp = &d->vp;
	struct ow_cg_text *t = daemon_text(d, cg);
	struct ow_mgr_roots roots;

	ow_manager_detect("/proc", info->pid, &vp->mgr);
	manager_roots(d, &roots);
	ow_manager_verify(&roots, "/proc", info->pid, &vp->mgr);
	container_names(&vp->mgr);
	ow_manager_label(&vp->mgr, vp->label, sizeof(vp->label));
	ow_plan_action(victim_action(d, cg), &vp->mgr, grace, &vp->plan);
	snprintf(t->manager, sizeof(t->manager), "%s", vp->label);
}

/* What the victim's unit does after a SIGTERM, for the log: read from files a user may own,
 * so only once the signal is out (or the restart command started). */
static void note_victim(struct ow_daemon *d, struct ow_cgroup *cg)
{
	struct victim_plan *vp = &d->vp;
	const struct ow_manager *m = &vp->mgr;
	struct ow_cg_text *t = daemon_text(d, cg);
	struct ow_unit_restart ur;

	vp->note[0] = '\0';
	/* Only the main process's death stops a service; a .scope is never restarted. */
	if (m->kind == OW_MGR_SYSTEMD && m->unit_main && !m->scope &&
	    !ow_unit_restart_read("/", m->unit, m->user_unit, m->home, &ur))
		ow_unit_restart_note(m->unit, &ur, vp->note, sizeof(vp->note));
	/* supervisord starts its programs itself: the victim is one (ow_manager_verify) */
	if (m->kind == OW_MGR_SUPERVISOR && !m->distrust)
		ow_sv_restart_note(m->name, m->sv_restart, vp->note, sizeof(vp->note));
	snprintf(t->note, sizeof(t->note), "%s", vp->note);
}

static void act_dry_run(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
			double proc_rate, uint64_t now)
{
	const struct victim_plan *vp = &d->vp;
	enum ow_pod_delete_plan pod;
	bool del = daemon_pod_delete_would(d, cg, &pod);
	bool restart = !del && vp->plan.action == OW_ACTION_RESTART;
	struct ow_action_desc what = {del	? "delete_pod"
				      : restart ? "restart"
						: "SIGTERM",
				      restart ? vp->plan.command : "", vp->label,
				      restart || del ? "" : vp->note};

	ow_log(OW_LOG_WARN, "act",
	       del	 ? "dry run: would delete its pod through the Kubernetes API"
	       : restart ? "dry run: would ask its manager to restart it"
			 : "dry run: would send SIGTERM",
	       CG_FIELDS(cg), OW_INT("pid", info->pid), OW_STR("comm", info->comm),
	       OW_STR("cmdline", info->cmdline), OW_NUM("proc_rate_mib_s", proc_rate / MIB),
	       OW_STR("manager", vp->label), OW_STR("action", what.action),
	       OW_STR("command", vp->plan.command), OW_STR("why", vp->plan.why),
	       OW_STR("note", what.note), OW_INT("dry_run", 1),
	       OW_STR("reason", cg->eval.verdict.reason));
	ow_notify_action(d->alerter, cg, OW_ALERT_ACT, info, d->cands, &what, true);
	cg->counters.actions[OW_ACTED_DRY_RUN]++;
	hold_off(d, cg, OW_LC_DRY_RUN, now);
}

int daemon_watch_victim(struct ow_daemon *d, struct ow_cgroup *cg, int fd,
			const struct ow_proc_info *info)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_VICTIM | cg->id};

	cg->victim.fd = fd;
	ow_model_note_busy(&d->model, cg); /* its deadlines come at ticks */
	cg->victim.pid = info->pid;
	snprintf(cg->victim.comm, sizeof(cg->victim.comm), "%s", info->comm);
	cg->victim.killed = false;
	cg->victim.deleting = false;
	cg->victim.pod_deleted = false;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		ow_log(OW_LOG_ERROR, "epoll", "cannot watch the victim",
		       OW_STR("error", strerror(errno)));
		return -errno;
	}
	return 0;
}

/* The victim's grace starts: whole (grace.h), from now; the growth since is what counts. */
void daemon_start_grace(struct ow_daemon *d, struct ow_cgroup *cg, double grace_s, const char *from)
{
	struct ow_cg_text *t = daemon_text(d, cg);

	cg->victim.term_ns = ow_mono_ns();
	cg->victim.grace_s = grace_s;
	snprintf(t->grace_from, sizeof(t->grace_from), "%s", from);
	cg->victim.deadline_ns = cg->victim.term_ns + (uint64_t)(grace_s * NS_PER_S);
	ow_live_start(&cg->victim.live, cg->victim.term_ns, cg->reading.nonrecl);
}

/* The victim's own memory cgroup: the restart command runs below it, bound by its limits. */
int daemon_victim_cgroup(const struct ow_daemon *d, pid_t pid, char *dir, size_t len)
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

/* Once the manager is known: its own stop timeout, when the user set one and it is longer. It is
 * read from files the victim's user may own (a user unit, a supervisord.conf, ~/.pm2), so only
 * once the SIGTERM is out. */
static void extend_grace(struct ow_daemon *d, struct ow_cgroup *cg)
{
	struct ow_manager *m = &d->vp.mgr;
	struct ow_cg_text *t = daemon_text(d, cg);
	struct ow_mgr_roots roots;
	struct ow_policy_cfg pc;
	const char *from;
	double g;

	manager_roots(d, &roots);
	ow_manager_stop_timeout(&roots, "/proc", m->pid, m);
	policy_of(d, cg, &pc);
	g = ow_grace_granted(pc.grace_s, m->distrust ? -1 : m->stop_timeout_s, m->stop_timeout_src,
			     &from);
	cg->victim.grace_s = g;
	snprintf(t->grace_from, sizeof(t->grace_from), "%s", from);
	cg->victim.deadline_ns = cg->victim.term_ns + (uint64_t)(g * NS_PER_S);
}

/* SIGTERM through the victim's pidfd: the first action, or the fallback of a restart. */
static int send_sigterm(struct ow_daemon *d, struct ow_cgroup *cg, int fd)
{
	int err = ow_pidfd_signal(fd, SIGTERM);
	struct ow_policy_cfg pc;
	const char *from;
	double grace;

	if (err)
		return err;
	cg->counters.actions[OW_ACTED_SIGTERM]++;
	cg->victim.restarting = false;
	policy_of(d, cg, &pc);
	/* two statements: the order a call's arguments are evaluated in is unspecified, and
	 * `from` is set by the call (-O1 read it first: ASan's SEGV in start_grace) */
	grace = ow_grace_granted(pc.grace_s, -1, NULL, &from);
	daemon_start_grace(d, cg, grace, from);
	return 0;
}

/* The victim just stopped (SIGTERM or restart): is it a crash loop? Said once a loop, in its
 * own log line, and carried by the act line and alert (loop_text). Known by its name within
 * the cgroup: the manager's label is looked up after a SIGTERM, and a worker that exits at
 * once is often gone by then ("unknown" every other time, in e2e manager.sh's loop). */
static void note_crash_loop(struct ow_daemon *d, struct ow_cgroup *cg,
			    const struct ow_proc_info *info, uint64_t now)
{
	struct ow_cg_text *t = daemon_text(d, cg);
	const char *m = t->manager;
	struct ow_crash_loop *l = &cg->victim.loop;

	t->loop_text[0] = '\0';
	if (!ow_crash_loop_note(l, info->comm, ow_proc_age_s(info), now))
		return;
	ow_crash_loop_text(l, t->loop_text, sizeof(t->loop_text));
	ow_log(OW_LOG_WARN, "crash_loop", t->loop_text, CG_FIELDS(cg), OW_INT("pid", info->pid),
	       OW_STR("comm", info->comm), OW_STR("manager", m), OW_INT("loops", l->loops));
}

static void log_sigterm(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
			const struct ow_candidates *cands, double proc_rate, const char *why,
			uint64_t event_ns)
{
	const struct ow_cg_text *t = ow_cg_text(cg);
	struct ow_action_desc what = {"SIGTERM", "", t->manager, t->note};

	ow_log(OW_LOG_WARN, "act", "SIGTERM sent to the fastest-growing process", CG_FIELDS(cg),
	       OW_INT("pid", info->pid), OW_STR("comm", info->comm),
	       OW_STR("cmdline", info->cmdline), OW_NUM("proc_rate_mib_s", proc_rate / MIB),
	       OW_STR("signal", "SIGTERM"), OW_STR("manager", t->manager),
	       OW_STR("action", "signal"), OW_STR("why", why), OW_STR("note", t->note),
	       OW_NUM("grace_s", cg->victim.grace_s), OW_STR("grace_from", t->grace_from),
	       OW_NUM("lead_s", cg->victim.lead_s), OW_STR("reason", cg->eval.verdict.reason),
	       OW_STR("rule", cg->eval.verdict.rule), OW_STR("crash_loop", t->loop_text),
	       ACT_EVIDENCE_FIELDS(cg),
	       OW_NUM("latency_ms",
		      event_ns ? (double)(cg->victim.term_ns - event_ns) / NS_PER_MS : 0));
	ow_notify_action(d->alerter, cg, OW_ALERT_ACT, info, cands, &what, false);
}

static void log_restart(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
			double proc_rate, uint64_t event_ns)
{
	const struct ow_action_plan *p = &d->vp.plan;
	const struct ow_cg_text *t = ow_cg_text(cg);
	struct ow_action_desc what = {"restart", p->command, t->manager, ""};

	ow_log(OW_LOG_WARN, "act", "asked the manager to restart the fastest-growing process",
	       CG_FIELDS(cg), OW_INT("pid", info->pid), OW_STR("comm", info->comm),
	       OW_STR("cmdline", info->cmdline), OW_NUM("proc_rate_mib_s", proc_rate / MIB),
	       OW_STR("manager", t->manager), OW_STR("action", "restart"),
	       OW_STR("command", p->command), OW_STR("why", p->why),
	       OW_NUM("timeout_s", p->timeout_s), OW_STR("reason", cg->eval.verdict.reason),
	       OW_STR("rule", cg->eval.verdict.rule), OW_STR("crash_loop", t->loop_text),
	       ACT_EVIDENCE_FIELDS(cg),
	       OW_NUM("latency_ms",
		      event_ns ? (double)(cg->victim.term_ns - event_ns) / NS_PER_MS : 0));
	ow_notify_action(d->alerter, cg, OW_ALERT_ACT, info, d->cands, &what, false);
}

static void log_pod_delete(struct ow_daemon *d, struct ow_cgroup *cg,
			   const struct ow_proc_info *info, double proc_rate, uint64_t event_ns)
{
	const struct ow_cg_text *t = ow_cg_text(cg);
	struct ow_action_desc what = {"delete_pod", "", t->manager, ""};

	ow_log(OW_LOG_WARN, "act",
	       "asked the Kubernetes API to delete the pod of the fastest-growing process",
	       CG_FIELDS(cg), OW_INT("pid", info->pid), OW_STR("comm", info->comm),
	       OW_STR("cmdline", info->cmdline), OW_NUM("proc_rate_mib_s", proc_rate / MIB),
	       OW_STR("manager", t->manager), OW_STR("action", "delete_pod"),
	       OW_STR("pod_uid", cg->kube->uid), OW_NUM("answer_s", cg->victim.grace_s),
	       OW_NUM("lead_s", cg->victim.lead_s), OW_STR("reason", cg->eval.verdict.reason),
	       OW_STR("rule", cg->eval.verdict.rule), OW_STR("crash_loop", t->loop_text),
	       ACT_EVIDENCE_FIELDS(cg),
	       OW_NUM("latency_ms",
		      event_ns ? (double)(cg->victim.term_ns - event_ns) / NS_PER_MS : 0));
	ow_notify_action(d->alerter, cg, OW_ALERT_ACT, info, d->cands, &what, false);
}

/* The pod's deletion is asked (id): the victim waits for the answer as for a restart command. */
static void start_pod_delete(struct ow_daemon *d, struct ow_cgroup *cg,
			     const struct ow_proc_info *info, double proc_rate, int fd, uint32_t id,
			     double answer_s, uint64_t event_ns)
{
	struct ow_policy_cfg pc;

	policy_of(d, cg, &pc);
	cg->counters.actions[OW_ACTED_POD_DELETE]++;
	plan_victim(d, cg, info, pc.grace_s);
	daemon_watch_victim(d, cg, fd, info);
	cg->victim.restarting = true;
	cg->victim.deleting = true;
	cg->victim.delete_id = id;
	daemon_start_grace(d, cg, answer_s, "pod_delete_answer");
	note_victim(d, cg);
	note_crash_loop(d, cg, info, cg->victim.term_ns);
	daemon_maps_grown(d, cg, info, cg->victim.term_ns);
	log_pod_delete(d, cg, info, proc_rate, event_ns);
	/* no brake raise yet: the process leaks on until the kubelet's SIGTERM */
}

void daemon_pod_deleting(struct ow_daemon *d, struct ow_cgroup *cg,
			 const struct ow_pod_delete_answer *a)
{
	double asked_ms = (double)(ow_mono_ns() - cg->victim.term_ns) / NS_PER_MS;

	cg->victim.restarting = false;
	cg->victim.pod_deleted = true;
	daemon_start_grace(d, cg, ow_pod_delete_grace_s(a->grace_s),
			   a->grace_s >= 0 ? "terminationGracePeriodSeconds" : "pod_grace_default");
	daemon_brake_after_sigterm(d, cg); /* the kubelet's SIGTERM follows: let the drain run */
	ow_log(OW_LOG_INFO, "pod_deleting",
	       "the API server is deleting the pod: the kubelet sends the SIGTERM", CG_FIELDS(cg),
	       OW_INT("pid", cg->victim.pid), OW_STR("result", ow_pod_del_result_name(a->result)),
	       OW_STR("owner", a->owner), OW_NUM("answer_ms", asked_ms),
	       OW_NUM("grace_s", cg->victim.grace_s),
	       OW_STR("grace_from", ow_cg_text(cg)->grace_from));
}

/* Act on the victim daemon_pick chose (idx), the cgroup's level already at act: the pre-stop
 * signal first when one is configured (pre_stop.c), else the act proper. */
void daemon_act(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_policy_cfg *pc, int idx,
		uint64_t now, uint64_t event_ns)
{
	const struct ow_proc_info *info = &d->cands->info[idx];
	double proc_rate = d->cands->c[idx].rate;
	int fd;

	cg->victim.evidence.signal = 0;
	if (d->opts->dry_run) {
		daemon_pre_stop(d, cg, pc, info, -1, now);
		plan_victim(d, cg, info, pc->grace_s);
		note_victim(d, cg);
		act_dry_run(d, cg, info, proc_rate, now);
		return;
	}
	fd = ow_pidfd_open_checked("/proc", info);
	if (fd >= 0 && daemon_pre_stop(d, cg, pc, info, fd, now))
		return;
	daemon_act_on(d, cg, info, proc_rate, fd, event_ns);
}

/* The manager's restart, as planned: true when its command started; else *why says why not. */
static bool try_restart(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
			double proc_rate, int fd, uint64_t event_ns, const char **why, char *buf,
			size_t len)
{
	uint64_t now = ow_mono_ns();
	int err;

	*why = d->vp.plan.why;
	if (d->vp.plan.action != OW_ACTION_RESTART)
		return false;
	err = daemon_start_restart(d, cg, info);
	if (err) {
		snprintf(buf, len, "the restart command could not start: %s", strerror(-err));
		*why = buf;
		return false;
	}
	note_victim(d, cg);
	note_crash_loop(d, cg, info, now);
	daemon_maps_grown(d, cg, info, now);
	log_restart(d, cg, info, proc_rate, event_ns);
	daemon_watch_victim(d, cg, fd, info);
	daemon_brake_after_sigterm(d, cg);
	return true;
}

void daemon_act_on(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
		   double proc_rate, int fd, uint64_t event_ns)
{
	enum ow_action wanted = victim_action(d, cg);
	const char *why = "the action is signal";
	uint64_t now = ow_mono_ns();
	struct ow_policy_cfg pc;
	char buf[160], pod_why[160];
	double answer_s = 0;
	uint32_t id;
	int err;

	policy_of(d, cg, &pc);
	cg->victim.lead_s = cg->eval.verdict.eta_s;
	/* A pod's victim: its pod deleted, the cluster's graceful stop; else say why not. */
	id = fd >= 0 ? daemon_pod_delete_ask(d, cg, &answer_s, pod_why, sizeof(pod_why)) : 0;
	if (id) {
		start_pod_delete(d, cg, info, proc_rate, fd, id, answer_s, event_ns);
		return;
	}
	if (fd >= 0 && pod_why[0]) {
		why = pod_why;
		wanted = OW_ACTION_SIGNAL; /* in a pod, only the API restarts: never a runtime */
	}
	/* A restart needs to know the manager first; a SIGTERM goes out before the lookup. */
	if (wanted == OW_ACTION_RESTART)
		plan_victim(d, cg, info, pc.grace_s);
	if (fd >= 0 && wanted == OW_ACTION_RESTART &&
	    try_restart(d, cg, info, proc_rate, fd, event_ns, &why, buf, sizeof(buf)))
		return;
	err = fd < 0 ? fd : send_sigterm(d, cg, fd);
	if (err) {
		ow_log(OW_LOG_WARN, "act_failed",
		       "could not signal the victim (it may have exited)", CG_FIELDS(cg),
		       OW_INT("pid", info->pid), OW_STR("error", strerror(-err)));
		if (fd >= 0)
			close(fd);
		hold_off(d, cg, OW_LC_SIGNAL_FAILED, now);
		return;
	}
	if (wanted != OW_ACTION_RESTART)
		plan_victim(d, cg, info, pc.grace_s);
	extend_grace(d, cg);
	note_victim(d, cg);
	note_crash_loop(d, cg, info, now);
	daemon_maps_grown(d, cg, info, now);
	log_sigterm(d, cg, info, d->cands, proc_rate, why, event_ns);
	daemon_watch_victim(d, cg, fd, info);
	/* the drain's own allocations must go through: only now, not at a pre-stop signal */
	daemon_brake_after_sigterm(d, cg);
}

/* The restart or the pod's deletion did not happen (failed, timed out, or left the victim
 * running): SIGTERM. */
void daemon_fallback_sigterm(struct ow_daemon *d, struct ow_cgroup *cg, const char *why)
{
	struct ow_proc_info info = {.pid = cg->victim.pid};
	int err = send_sigterm(d, cg, cg->victim.fd);

	if (err) {
		ow_log(OW_LOG_WARN, "act_failed", "could not signal the victim after its restart",
		       CG_FIELDS(cg), OW_INT("pid", cg->victim.pid),
		       OW_STR("error", strerror(-err)));
		cg->victim.restarting = false;
		return;
	}
	snprintf(info.comm, sizeof(info.comm), "%s", cg->victim.comm);
	daemon_text(d, cg)->loop_text[0] = '\0'; /* the restart's act line said it */
	log_sigterm(d, cg, &info, NULL, 0, why, 0);
	daemon_brake_after_sigterm(d, cg); /* a restart's raised it already: a pod's ask did not */
}

bool daemon_pidfd_exited(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) > 0;
}

/* The victim exited (its pidfd): let it go and cool down; the loop evaluates the cgroup again. */
void daemon_victim_exited(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	enum ow_lc_exit how =
		ow_lc_victim_exit(cg->victim.killed, cg->victim.restarting, cg->victim.pre_stop,
				  cg->victim.deleting || cg->victim.pod_deleted);

	ow_log(OW_LOG_INFO, "victim_exit", ow_lc_exit_message(how), CG_FIELDS(cg),
	       OW_INT("pid", cg->victim.pid), OW_STR("comm", cg->victim.comm),
	       OW_STR("manager", ow_cg_text(cg)->manager), OW_STR("signal", ow_lc_exit_signal(how)),
	       OW_NUM("after_ms", (double)(now - cg->victim.term_ns) / NS_PER_MS),
	       OW_NUM("grace_s", cg->victim.grace_s),
	       OW_STR("grace_from", ow_cg_text(cg)->grace_from),
	       OW_NUM("lead_s", cg->victim.lead_s), OW_INT("braked", cg->brake.dir != NULL));
	if (how == OW_LC_EXIT_PRE_STOP)
		daemon_pre_stop_exited(d, cg, now);
	cg->victim.restarting = false;
	cg->victim.deleting = false;
	daemon_drop_victim(cg);
	ow_model_proc_remove(&d->model, cg->victim.pid);
	cool_down(d, cg, now);
	cg->eval.stopped_ns = now;
	if (cg->brake.dir) {
		cg->brake.drained += how != OW_LC_EXIT_SIGKILL;
		daemon_brake_lift(d, cg, "the victim exited: the brake goes with it");
	}
}

/* The victim's deadline passed; `tick` says what that means (ow_lc_on_tick). */
void daemon_victim_deadline(struct ow_daemon *d, struct ow_cgroup *cg, enum ow_lc_tick tick,
			    uint64_t now)
{
	switch (tick) {
	case OW_LC_TICK_RESTART_TIMEOUT:
		daemon_restart_timed_out(d, cg);
		break;
	case OW_LC_TICK_ESCALATE:
		daemon_escalate(d, cg, "the victim did not exit within the grace period",
				"deadline");
		break;
	case OW_LC_TICK_GIVE_UP:
		ow_log(OW_LOG_ERROR, "victim_stuck", "the victim survived SIGKILL", CG_FIELDS(cg),
		       OW_INT("pid", cg->victim.pid));
		daemon_drop_victim(cg);
		cool_down(d, cg, now);
		daemon_brake_lift(d, cg, "the victim survived SIGKILL");
		break;
	case OW_LC_TICK_PRE_STOP_END:
		daemon_pre_stop_end(d, cg, "waited", now);
		break;
	case OW_LC_TICK_PRE_STOP_POLL:
		daemon_pre_stop_poll(d, cg, now);
		break;
	case OW_LC_TICK_NONE:
	case OW_LC_TICK_EVALUATE:
		break;
	}
}
