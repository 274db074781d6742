// SPDX-License-Identifier: GPL-2.0
/*
 * A manager's restart command, run for a victim (--action restart): started in a child below
 * the victim's own memory cgroup, its output and exit watched, its outcome judged
 * (lifecycle.h: ow_lc_restart_outcome), and a SIGTERM when it failed, timed out or left the
 * victim running. Split from victim.c, which decides when to restart.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "daemon_ctx.h"

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

/* Run the manager's restart command in a child; the victim stays watched through its pidfd.
 * Returns 0, or -errno when the command could not be started. */
int daemon_start_restart(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info)
{
	const struct ow_action_plan *p = &d->vp.plan;
	struct restart_job *rj = free_job(d);
	uint64_t now = ow_mono_ns();
	char dir[PATH_MAX];
	int err;

	if (!rj)
		return -EBUSY;
	err = daemon_victim_cgroup(d, info->pid, dir, sizeof(dir));
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
	cg->victim.restarting = true;
	daemon_start_grace(d, cg, p->timeout_s, "restart_timeout");
	cg->victim.deadline_ns = rj->deadline_ns;
	return 0;
}

static struct restart_job *job_of(struct ow_daemon *d, const struct ow_cgroup *cg)
{
	unsigned int i;

	for (i = 0; i < MAX_JOBS; i++) {
		if (d->jobs[i].job.pid && d->jobs[i].cg_id == cg->id &&
		    d->jobs[i].victim_pid == cg->victim.pid)
			return &d->jobs[i];
	}
	return NULL;
}

void daemon_on_job_output(struct ow_daemon *d, unsigned int slot)
{
	if (slot < MAX_JOBS && d->jobs[slot].job.pid)
		ow_job_drain(&d->jobs[slot].job);
}

void daemon_on_job_exit(struct ow_daemon *d, unsigned int slot)
{
	struct restart_job *rj = slot < MAX_JOBS ? &d->jobs[slot] : NULL;
	char status[48], out[OW_JOB_OUT_LEN + 256], why[160];
	struct ow_lc_job_end end = {0};
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
	end.succeeded = ow_lc_job_succeeded(ret, st);
	ow_log(end.succeeded ? OW_LOG_INFO : OW_LOG_WARN, "restart_done",
	       "the manager's restart command finished", OW_STR("manager", rj->manager),
	       OW_INT("pid", rj->victim_pid), OW_STR("command", rj->command),
	       OW_STR("status", status), OW_STR("output", out));
	cg = ow_model_cgroup(&d->model, rj->cg_id);
	if (cg) {
		end.cg_known = true;
		end.restarting = cg->victim.restarting;
		end.has_victim = cg->victim.fd >= 0;
		end.same_victim = cg->victim.pid == rj->victim_pid;
	}
	/* Only read for a success: the other outcomes do not ask. */
	if (end.succeeded && end.cg_known && end.restarting && end.has_victim && end.same_victim)
		end.victim_exited = daemon_pidfd_exited(cg->victim.fd);
	switch (ow_lc_restart_outcome(&end)) {
	case OW_LC_RESTART_FALLBACK:
		snprintf(why, sizeof(why), "the restart command failed (%s)", status);
		daemon_fallback_sigterm(d, cg, why);
		break;
	case OW_LC_RESTART_STILL_RUNS:
		daemon_fallback_sigterm(d, cg, "the manager restarted, but the process still runs");
		break;
	case OW_LC_RESTART_DONE:  /* the victim's own pidfd event follows */
	case OW_LC_RESTART_STALE: /* the cgroup moved on: only logged */
		break;
	}
	ow_job_close(&rj->job);
}

/* Past its deadline: kill the command (its exit is logged by on_job_exit), SIGTERM. */
void daemon_restart_timed_out(struct ow_daemon *d, struct ow_cgroup *cg)
{
	struct restart_job *rj = job_of(d, cg);

	if (cg->victim.deleting) {
		daemon_pod_delete_timed_out(d, cg);
		return;
	}
	ow_log(OW_LOG_WARN, "restart_timeout", "the manager's restart command timed out",
	       CG_FIELDS(cg), OW_INT("pid", cg->victim.pid),
	       OW_STR("manager", ow_cg_text(cg)->manager),
	       OW_STR("command", rj ? rj->command : "?"));
	if (rj)
		ow_job_kill(&rj->job);
	daemon_fallback_sigterm(d, cg, "the restart command timed out");
}
