// SPDX-License-Identifier: GPL-2.0
/*
 * The post-mortem of kernel OOM kills (oom:mark_victim): which process, in which cgroup, what
 * was predicted; our own reaped victim and kills outside the watched subtrees told apart
 * (lifecycle.h).
 */
#include <stdio.h>

#include "daemon_ctx.h"
#include "alerting.h"
#include "proc.h"

/* Read once, at a process's first step: by the time it is OOM-killed /proc may not have it. */
void daemon_remember_cmdline(struct ow_proc_rec *rec)
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
	daemon_rescan(d);
	return ow_model_cgroup(&d->model, e->memcg_id);
}

/* oom:mark_victim: our own victim reaped, a kill elsewhere, or an OOM kill to alert on. */
void daemon_on_oom_victim(struct ow_daemon *d, const struct ow_event *e)
{
	bool outside;
	struct ow_cgroup *cg = oom_cgroup(d, e, &outside);
	const struct ow_proc_rec *rec = ow_model_proc(&d->model, (pid_t)e->tgid);
	const char *cmdline = rec ? rec->cmdline : "";
	struct ow_lc_oom_mark mark = {
		.pid = (pid_t)e->tgid,
		.cg_known = cg != NULL,
		.killed = cg && cg->victim.killed,
		.victim_pid = cg ? cg->victim.pid : 0, /* kept after its exit */
		.outside = outside,
	};
	enum ow_lc_oom what = ow_lc_oom_mark(&mark);
	struct ow_lc_oom_told *told;
	uint64_t untold;

	if (what == OW_LC_OOM_REAPED) {
		ow_log(OW_LOG_INFO, "victim_reaped",
		       "the victim already SIGKILLed was reaped by the kernel's OOM path (no "
		       "OOM kill)",
		       CG_FIELDS(cg), OW_INT("pid", e->tgid), OW_STR("comm", e->comm));
		return;
	}
	d->counters.oom_kills++; /* oomwarden_oom_kills_total: watched or not */
	if (what == OW_LC_OOM_ELSEWHERE) {
		ow_log(OW_LOG_INFO, "oom_kill_elsewhere",
		       "the kernel OOM killer killed a process outside the watched cgroups",
		       OW_INT("pid", e->tgid), OW_STR("comm", e->comm),
		       OW_INT("memcg_id", e->memcg_id));
		return;
	}
	if (cg) {
		cg->counters.oom_kills_seen++;
		cg->eval.stopped_ns = ow_mono_ns();
	}
	told = cg ? &cg->counters.oom_told : &d->oom_told;
	untold = told->untold;
	if (!ow_lc_oom_tell(told, ow_mono_ns())) {
		ow_log(OW_LOG_DEBUG, "oom_kill",
		       "the kernel OOM killer killed a process (told once a minute a cgroup)",
		       OW_INT("pid", e->tgid), OW_STR("comm", e->comm),
		       OW_STR("cgroup", cg ? cg->name : "?"), OW_INT("memcg_id", e->memcg_id));
		return;
	}
	told->untold = 0;
	ow_log(OW_LOG_ERROR, "oom_kill", "the kernel OOM killer killed a process",
	       OW_INT("pid", e->tgid), OW_STR("comm", e->comm), OW_STR("cmdline", cmdline),
	       OW_INT("untold_since", untold), OW_STR("cgroup", cg ? cg->name : "?"),
	       KUBE_FIELDS(cg), OW_INT("memcg_id", e->memcg_id),
	       OW_NUM("anon_mib", mib(e->rss[OW_MEM_ANON])),
	       OW_NUM("file_mib", mib(e->rss[OW_MEM_FILE])),
	       OW_NUM("shmem_mib", mib(e->rss[OW_MEM_SHMEM])),
	       OW_NUM("predicted_eta_s", cg ? cg->eval.verdict.eta_s : INFINITY));
	ow_notify_oom_kill(d->alerter, cg, e, cmdline, untold);
}
