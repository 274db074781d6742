// SPDX-License-Identifier: GPL-2.0
/*
 * The pre-stop signal (--pre-stop-signal, issue 18), carried out: core/pre_stop.h decides. The
 * victim gets the signal (Node writes a heap snapshot on it), its pidfd is watched as a SIGTERMed
 * victim's is, its open files are looked at every 200 ms for the dump, and the act goes on
 * (victim.c) when the dump is written, the wait is over, or the growth leaves no time to wait.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "alerting.h"
#include "daemon_ctx.h"
#include "proc_files.h"

/* Is pid already the victim of another cgroup? */
static bool victim_elsewhere(const struct ow_daemon *d, const struct ow_cgroup *cg, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < d->model.ncgs; i++) {
		const struct ow_cgroup *o = d->model.cgs[i];

		if (o != cg && !o->gone && o->victim.fd >= 0 && o->victim.pid == pid)
			return true;
	}
	return false;
}

static void told(struct ow_cgroup *cg, const struct ow_proc_info *info, int sig, const char *msg,
		 double wait_s, int err)
{
	ow_log(err ? OW_LOG_WARN : OW_LOG_INFO, "pre_stop", msg, CG_FIELDS(cg),
	       OW_INT("pid", info->pid), OW_STR("comm", info->comm),
	       OW_STR("signal", ow_signal_name(sig)), OW_NUM("wait_s", wait_s),
	       OW_STR("cwd", ow_cg_text(cg)->cwd), OW_STR("error", err ? strerror(-err) : ""));
}

/* The victim waits for its SIGTERM, watched as a SIGTERMed one (its exit, its growth). */
static void start_wait(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
		       int fd, int sig, const struct ow_pre_stop_wait *w, uint64_t now)
{
	struct ow_cg_victim *v = &cg->victim;
	struct ow_cg_text *t = daemon_text(d, cg);

	daemon_watch_victim(d, cg, fd, info);
	v->pre_stop = true;
	v->pre_stop_sig = sig;
	v->pre_stop_ns = now;
	v->starttime = info->starttime;
	v->term_ns = now; /* the stop began: the exit line's after_ms counts from here */
	v->deadline_ns = now + (uint64_t)(w->wait_s * NS_PER_S);
	v->poll_ns = now + OW_PRE_STOP_POLL_NS;
	v->keep_s = w->keep_s;
	v->lead_s = cg->eval.verdict.eta_s;
	/* its manager is looked up with the act, after the wait */
	snprintf(t->manager, sizeof(t->manager), "unknown");
	t->note[0] = '\0';
	t->loop_text[0] = '\0';
	v->grace_s = 0;
	t->grace_from[0] = '\0';
	memset(&t->dump, 0, sizeof(t->dump));
	ow_live_start(&v->live, now, cg->reading.nonrecl);
}

bool daemon_pre_stop(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_policy_cfg *pc,
		     const struct ow_proc_info *info, int fd, uint64_t now)
{
	struct ow_pre_stop_view v = {
		.dry_run = d->opts->dry_run,
		.braked = cg->brake.dir != NULL,
		.eta_s = cg->eval.verdict.eta_s,
		.grace_s = pc->grace_s,
	};
	enum ow_pre_stop_plan plan;
	struct ow_pre_stop_wait w;
	struct ow_cg_text *t;
	int err = 0;

	cg->victim.evidence.signal = 0;
	ow_rule_pre_stop(d->opts->pre_stop_signal, d->opts->pre_stop_wait_s, rule_of(d, cg),
			 &v.signal, &v.wait_s);
	/* Nested limits (a pod and its container) may both act on one process: one snapshot. */
	if (!v.signal || victim_elsewhere(d, cg, info->pid))
		return false;
	v.catches = ow_proc_catches("/proc", info->pid, v.signal);
	plan = ow_pre_stop_plan(&v, &w);
	t = daemon_text(d, cg);
	if (ow_proc_cwd("/proc", info->pid, t->cwd, sizeof(t->cwd)))
		t->cwd[0] = '\0';
	if (plan == OW_PRE_STOP_SEND)
		err = ow_pidfd_signal(fd, v.signal);
	told(cg, info, v.signal,
	     err ? "could not send it: the SIGTERM goes out now" : ow_pre_stop_text(plan), w.wait_s,
	     err);
	if (plan != OW_PRE_STOP_SEND || err)
		return false;
	start_wait(d, cg, info, fd, v.signal, &w, now);
	return true;
}

/* Gone (its pidfd says so, or its pid names another process now, reaped and reused): the
 * exit path lets it go. Checked before anything is read by its pid. */
static bool gone(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	if (!daemon_pidfd_exited(cg->victim.fd))
		return false;
	daemon_victim_exited(d, cg, now);
	return true;
}

void daemon_pre_stop_poll(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	char path[sizeof(d->text_spare.dump.path)];
	int found;

	if (gone(d, cg, now))
		return;
	found = ow_proc_find_open("/proc", cg->victim.pid, ow_pre_stop_is_dump, OW_PRE_STOP_MAX_FDS,
				  path, sizeof(path));
	/* read by pid: a victim that exited meanwhile (a zombie has no open files) must not
	 * look like a dump written */
	if (gone(d, cg, now))
		return;
	cg->victim.poll_ns = now + OW_PRE_STOP_POLL_NS;
	if (found >= 0)
		ow_dump_watch_update(&daemon_text(d, cg)->dump, found ? path : NULL);
	daemon_evaluate(d, cg, 0); /* decide() ends the wait when the dump is written */
}

void daemon_pre_stop_exited(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	struct ow_cg_victim *v = &cg->victim;
	struct ow_proc_info info = {.pid = v->pid};
	struct ow_cg_text *t = daemon_text(d, cg);
	struct ow_action_desc what = {ow_signal_name(v->pre_stop_sig), "", t->manager,
				      "it exited in the pre-stop wait, before any SIGTERM"};

	v->evidence.signal = v->pre_stop_sig;
	v->evidence.waited_s = (double)(now - v->pre_stop_ns) / NS_PER_S;
	v->evidence.ended = "exited";
	t->maps[0] = '\0';
	snprintf(info.comm, sizeof(info.comm), "%s", v->comm);
	ow_notify_action(d->alerter, cg, OW_ALERT_ACT, &info, NULL, &what, false);
}

static const char *end_text(const char *ended)
{
	if (!strcmp(ended, "written"))
		return "the heap dump was written: the stop goes on";
	if (!strcmp(ended, "waited"))
		return "the pre-stop wait is over: the stop goes on";
	return "the growth since the pre-stop signal leaves no time to wait on: the stop goes on";
}

/* The victim as it is now: the candidates collected again (the alert's top growers are fresh),
 * or its own /proc files when it no longer grows. Read by pid: -ESRCH when that pid is another
 * process's now (its start time differs; the caller checks the pidfd again after). */
static int victim_now(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now,
		      struct ow_proc_info *info, double *rate)
{
	int n, i;

	*rate = 0;
	daemon_fastest(d, cg, now, &n);
	for (i = 0; i < n; i++) {
		if (d->cands->info[i].pid == cg->victim.pid) {
			*info = d->cands->info[i];
			*rate = d->cands->c[i].rate;
			break;
		}
	}
	if (i == n && ow_proc_read("/proc", cg->victim.pid, info))
		return -ESRCH;
	return info->starttime == cg->victim.starttime ? 0 : -ESRCH;
}

/* A reload turned --dry-run on during the wait: nothing more is done to the victim. */
static bool now_dry_run(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	struct ow_lc_holds h = {cg->victim.cooldown_until_ns, cg->victim.retry_after_ns};

	if (!d->opts->dry_run)
		return false;
	ow_log(OW_LOG_WARN, "pre_stop_end", "dry run since a reload: the victim is let go",
	       CG_FIELDS(cg), OW_INT("pid", cg->victim.pid), OW_STR("comm", cg->victim.comm));
	daemon_drop_victim(cg);
	ow_lc_after_attempt(OW_LC_DRY_RUN, now, d->opts->policy.cooldown_s, &h);
	cg->victim.cooldown_until_ns = h.cooldown_until_ns;
	cg->victim.retry_after_ns = h.retry_after_ns;
	return true;
}

void daemon_pre_stop_end(struct ow_daemon *d, struct ow_cgroup *cg, const char *ended, uint64_t now)
{
	struct ow_cg_victim *v = &cg->victim;
	int fd = v->fd;
	struct ow_proc_info info;
	double rate;
	int err;

	if (gone(d, cg, now) || now_dry_run(d, cg, now))
		return;
	err = victim_now(d, cg, now, &info, &rate);
	/* Alive after the read, so alive during it: the pid was still its (not reaped, not
	 * reused). Exited meanwhile: what was read may be another process's. */
	if (gone(d, cg, now))
		return;
	if (err) {
		memset(&info, 0, sizeof(info));
		info.pid = v->pid;
		snprintf(info.comm, sizeof(info.comm), "%s", v->comm);
	}
	v->evidence.signal = v->pre_stop_sig;
	v->evidence.waited_s = (double)(now - v->pre_stop_ns) / NS_PER_S;
	v->evidence.ended = ended;
	ow_log(OW_LOG_INFO, "pre_stop_end", end_text(ended), CG_FIELDS(cg), OW_INT("pid", v->pid),
	       OW_STR("comm", v->comm), OW_STR("signal", ow_signal_name(v->pre_stop_sig)),
	       OW_STR("ended", ended), OW_NUM("waited_s", v->evidence.waited_s),
	       OW_STR("dump", ow_cg_text(cg)->dump.path), OW_STR("cwd", ow_cg_text(cg)->cwd));
	/* The act that follows watches the same pidfd anew. */
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
	v->fd = -1;
	v->pre_stop = false;
	daemon_act_on(d, cg, &info, rate, fd, 0);
}
