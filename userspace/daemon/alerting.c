// SPDX-License-Identifier: GPL-2.0
/* Alerts from the daemon's decisions: see userspace/daemon/alerting.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "lifecycle.h"
#include "log.h"
#include "alerting.h"

static void open_incident(struct ow_cgroup *cg, const char *host)
{
	if (cg->alert.incident[0])
		return;
	cg->alert.start_ns = ow_realtime_ns();
	ow_alert_incident_id(cg->alert.incident, sizeof(cg->alert.incident), host, cg->id,
			     cg->alert.start_ns);
}

static void fill(struct ow_alert *a, enum ow_alert_kind kind, struct ow_cgroup *cg)
{
	size_t owner;

	ow_alert_init(a, kind);
	if (!cg)
		return;
	open_incident(cg, a->host);
	snprintf(a->cgroup, sizeof(a->cgroup), "%s", cg->name);
	snprintf(a->path, sizeof(a->path), "%.*s", (int)sizeof(a->path) - 1, cg->path);
	/* The owner: the first component below those root made, whose name root chose (a user's
	 * delegated directory), or the cgroup itself when root made it all. rel points into
	 * path, but for the root ("/"). */
	owner = ow_cgroup_is_root(cg) ? strlen(cg->path)
				      : (size_t)(cg->rel - cg->path) +
						ow_cgp_prefix_len(cg->rel, cg->trusted_depth + 1);
	a->owner_len = (uint16_t)(owner < strlen(a->path) ? owner : strlen(a->path));
	if (cg->kube) {
		snprintf(a->ns, sizeof(a->ns), "%s", cg->kube->ns);
		snprintf(a->pod, sizeof(a->pod), "%s", cg->kube->pod);
		snprintf(a->container, sizeof(a->container), "%s", cg->kube->container);
		snprintf(a->pod_uid, sizeof(a->pod_uid), "%s", cg->kube->uid);
	}
	snprintf(a->reason, sizeof(a->reason), "%s",
		 cg->eval.verdict.reason ? cg->eval.verdict.reason : "");
	snprintf(a->incident, sizeof(a->incident), "%s", cg->alert.incident);
	snprintf(a->grows, sizeof(a->grows), "%s", ow_mem_kind_name(cg->eval.grows));
	a->grew = cg->eval.grows >= 0 ? cg->eval.grew : 0;
	snprintf(a->tmpfs, sizeof(a->tmpfs), "%s", ow_cg_text(cg)->tmpfs);
	snprintf(a->tmpfs_files, sizeof(a->tmpfs_files), "%s", ow_cg_text(cg)->tmpfs_files);
	a->usage = cg->reading.nonrecl;
	a->limit = cg->reading.eff_limit == OW_NO_LIMIT ? 0 : cg->reading.eff_limit;
	a->rate = cg->eval.verdict.rate;
	a->eta_s = cg->eval.verdict.eta_s;
	a->started_ns = cg->alert.start_ns;
}

static void queue_alert(struct ow_alerter *al, const struct ow_alert *a)
{
	int err = ow_alerter_send(al, a);

	if (err)
		ow_log(OW_LOG_WARN, "alert_dropped", "the alert could not be queued",
		       OW_STR("kind", ow_alert_kind_name(a->kind)), OW_STR("cgroup", a->cgroup),
		       OW_INT("error", err));
}

/* The largest processes of the cgroup, largest first. */
static void top_processes(struct ow_alert *a, const struct ow_candidates *c)
{
	bool taken[OW_MAX_CANDIDATES] = {false};
	unsigned int i, k;

	for (k = 0; c && k < OW_ALERT_TOP; k++) {
		int best = -1;

		for (i = 0; i < c->n; i++)
			if (!taken[i] && (best < 0 || c->c[i].rss > c->c[best].rss))
				best = (int)i;
		if (best < 0)
			break;
		taken[best] = true;
		a->top[k].pid = c->info[best].pid;
		snprintf(a->top[k].comm, sizeof(a->top[k].comm), "%s", c->info[best].comm);
		a->top[k].rss = c->c[best].rss;
		a->top[k].rate = c->c[best].rate;
		a->ntop = k + 1;
	}
}

/* The lead the action gave and the grace granted; a dry run grants none. */
static void action_figures(struct ow_alert *a, const struct ow_cgroup *cg, const char *rule)
{
	a->lead_s = cg->victim.lead_s;
	if (!a->dry_run) {
		a->grace_s = cg->victim.grace_s;
		snprintf(a->grace_from, sizeof(a->grace_from), "%s", ow_cg_text(cg)->grace_from);
	}
	snprintf(a->rule, sizeof(a->rule), "%s", rule ? rule : "");
}

void ow_notify_level(struct ow_alerter *al, struct ow_cgroup *cg, enum ow_level from,
		     enum ow_level to, const struct ow_candidates *cands)
{
	enum ow_lc_level_alert alert;
	struct ow_alert a;

	if (!al)
		return;
	alert = ow_lc_level_alert(from, to);
	if (alert == OW_LC_ALERT_WARN) {
		fill(&a, OW_ALERT_WARN, cg);
		top_processes(&a, cands);
		queue_alert(al, &a);
	} else if (alert == OW_LC_ALERT_RESOLVED) {
		fill(&a, OW_ALERT_RESOLVED, cg);
		top_processes(&a, cands);
		queue_alert(al, &a);
		cg->alert.incident[0] = '\0';
	}
}

static void pre_stop_of(struct ow_alert_pre_stop *p, const struct ow_cgroup *cg)
{
	const struct ow_cg_victim *v = &cg->victim;

	snprintf(p->signal, sizeof(p->signal), "%s", ow_signal_name(v->evidence.signal));
	p->waited_s = v->evidence.waited_s;
	snprintf(p->ended, sizeof(p->ended), "%s", v->evidence.ended);
	snprintf(p->dump, sizeof(p->dump), "%s", ow_cg_text(cg)->dump.path);
	snprintf(p->cwd, sizeof(p->cwd), "%s", ow_cg_text(cg)->cwd);
}

static void describe_action(struct ow_alert *a, enum ow_alert_kind kind, struct ow_cgroup *cg,
			    const struct ow_proc_info *victim, const struct ow_action_desc *what,
			    bool dry_run)
{
	fill(a, kind, cg);
	a->pid = victim->pid;
	snprintf(a->comm, sizeof(a->comm), "%s", victim->comm);
	snprintf(a->cmdline, sizeof(a->cmdline), "%s", victim->cmdline);
	snprintf(a->action, sizeof(a->action), "%s", what->action);
	snprintf(a->command, sizeof(a->command), "%s", what->command);
	snprintf(a->manager, sizeof(a->manager), "%s", what->manager);
	snprintf(a->note, sizeof(a->note), "%s", what->note);
	if (kind == OW_ALERT_ACT)
		snprintf(a->crash_loop, sizeof(a->crash_loop), "%s", ow_cg_text(cg)->loop_text);
	if (kind == OW_ALERT_ACT && cg->victim.evidence.signal)
		pre_stop_of(&a->pre_stop, cg);
	if (kind == OW_ALERT_ACT) {
		snprintf(a->maps, sizeof(a->maps), "%s", ow_cg_text(cg)->maps);
		a->maps_since_s = ow_cg_text(cg)->maps_since_s;
	}
	a->dry_run = dry_run;
}

void ow_notify_action(struct ow_alerter *al, struct ow_cgroup *cg, enum ow_alert_kind kind,
		      const struct ow_proc_info *victim, const struct ow_candidates *cands,
		      const struct ow_action_desc *what, bool dry_run)
{
	struct ow_alert a;

	if (!al)
		return;
	describe_action(&a, kind, cg, victim, what, dry_run);
	action_figures(&a, cg, cg->eval.verdict.rule);
	top_processes(&a, cands);
	queue_alert(al, &a);
}

void ow_notify_escalate(struct ow_alerter *al, struct ow_cgroup *cg, const char *why,
			const char *rule)
{
	struct ow_proc_info victim = {.pid = cg->victim.pid};
	struct ow_action_desc what = {"SIGKILL", "", ow_cg_text(cg)->manager, why};
	struct ow_alert a;

	if (!al)
		return;
	snprintf(victim.comm, sizeof(victim.comm), "%s", cg->victim.comm);
	describe_action(&a, OW_ALERT_ESCALATE, cg, &victim, &what, false);
	action_figures(&a, cg, rule);
	if (cg->victim.term_ns)
		a.grace_used_s = (double)(ow_mono_ns() - cg->victim.term_ns) / 1e9;
	queue_alert(al, &a);
}

void ow_notify_brake(struct ow_alerter *al, struct ow_cgroup *cg, bool applied, const char *why)
{
	struct ow_alert a;

	/* The incident was resolved under the brake (a warning holds 30 s, a burst is let go
	 * after 5 s flat: rarely): a lift of its own would open an incident nothing closes. */
	if (!al || (!applied && !cg->alert.incident[0]))
		return;
	fill(&a, OW_ALERT_BRAKE, cg);
	snprintf(a.brake, sizeof(a.brake), "%s", applied ? "applied" : "lifted");
	snprintf(a.braked, sizeof(a.braked), "%.*s", (int)sizeof(a.braked) - 1,
		 cg->brake.dir ? cg->brake.dir : "");
	a.brake_high = cg->brake.value;
	a.brake_original = cg->brake.original;
	if (why && *why)
		snprintf(a.reason, sizeof(a.reason), "%s", why);
	if (cg->victim.fd >= 0) { /* braked after the SIGTERM: the victim's own cgroup */
		a.pid = cg->victim.pid;
		snprintf(a.comm, sizeof(a.comm), "%s", cg->victim.comm);
	}
	queue_alert(al, &a);
}

void ow_notify_oom_kill(struct ow_alerter *al, struct ow_cgroup *cg, const struct ow_event *e,
			const char *cmdline, uint64_t untold)
{
	struct ow_alert a;

	if (!al)
		return;
	fill(&a, OW_ALERT_OOM_KILL, cg);
	a.pid = (int32_t)e->tgid;
	snprintf(a.comm, sizeof(a.comm), "%.*s", (int)sizeof(e->comm), e->comm);
	snprintf(a.cmdline, sizeof(a.cmdline), "%s", cmdline);
	snprintf(a.action, sizeof(a.action), "%s", "SIGKILL");
	if (untold)
		snprintf(a.reason, sizeof(a.reason),
			 "the kernel OOM killer killed a process (and %llu more in this cgroup "
			 "since the last such alert)",
			 (unsigned long long)untold);
	else
		snprintf(a.reason, sizeof(a.reason), "%s",
			 "the kernel OOM killer killed a process");
	a.rss_anon = e->rss[OW_MEM_ANON];
	a.rss_file = e->rss[OW_MEM_FILE];
	a.rss_shmem = e->rss[OW_MEM_SHMEM];
	if (!cg)
		snprintf(a.cgroup, sizeof(a.cgroup), "memcg %llu", (unsigned long long)e->memcg_id);
	queue_alert(al, &a);
}

int64_t ow_notify_unwatched(struct ow_alerter *al, uint64_t refused, uint64_t total,
			    int64_t since_ns)
{
	struct ow_alert a;

	if (!since_ns)
		since_ns = ow_realtime_ns();
	if (!al)
		return since_ns;
	ow_alert_init(&a, OW_ALERT_UNWATCHED);
	snprintf(a.reason, sizeof(a.reason),
		 "a BPF map was full: %llu more insertions refused (%llu since start; a process "
		 "retries at its next step); the processes or memcgs they stood for go unwatched "
		 "until room frees up (see bpf_map_full in the log)",
		 (unsigned long long)refused, (unsigned long long)total);
	a.started_ns = since_ns;
	ow_alert_incident_id(a.incident, sizeof(a.incident), a.host, 0, since_ns);
	queue_alert(al, &a);
	return since_ns;
}
