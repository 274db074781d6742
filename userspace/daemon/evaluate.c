// SPDX-License-Identifier: GPL-2.0
/*
 * Evaluation: a cgroup's files read again, its trend sampled, the policy's verdict, and what
 * the verdict means now (lifecycle.h): a level to record, a victim to act on (victim.c), a
 * victim to SIGKILL early, or a hold to respect.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon_ctx.h"
#include "alerting.h"
#include "proc.h"
#include "shm_writers.h"
#include "sight.h"

/* For a warn or resolved alert, the cgroup's processes now (read only when an alert goes out:
 * a level change is rare). NULL when there is no alert or nothing could be read. */
static const struct ow_candidates *top_processes(struct ow_daemon *d, struct ow_cgroup *cg,
						 enum ow_level from, enum ow_level to)
{
	if (!d->alerter || !d->alert_cands || ow_lc_level_alert(from, to) == OW_LC_ALERT_NONE)
		return NULL;
	if (ow_list_processes("/proc", cg->path, &d->model, ow_mono_ns(), d->alert_cands) <= 0)
		return NULL;
	return d->alert_cands;
}

static void set_level(struct ow_daemon *d, struct ow_cgroup *cg, enum ow_level level)
{
	enum ow_level from = cg->eval.level;
	enum ow_log_level lvl = level >= OW_LEVEL_WARN ? OW_LOG_WARN : OW_LOG_INFO;
	struct ow_lc_level change = {
		.from = from,
		.to = level,
		.same_reason = cg->eval.verdict.reason == cg->eval.level_reason,
		.held = cg->eval.verdict.held,
	};
	enum ow_lc_level_change what = ow_lc_level_change(&change);

	if (what == OW_LC_LEVEL_QUIET)
		return;
	if (from == OW_LEVEL_OK)
		daemon_kube_names(d, cg, true); /* the alert names the pod if it can */
	ow_log(lvl, "level", cg->eval.verdict.reason, CG_FIELDS(cg),
	       OW_STR("from", ow_level_name(cg->eval.level)), OW_STR("to", ow_level_name(level)),
	       OW_STR("grows", ow_mem_kind_name(cg->eval.grows)),
	       OW_NUM("grew_mib", cg->eval.grows >= 0 ? mib(cg->eval.grew) : 0),
	       OW_STR("note", cg->eval.grows >= 0 && level >= OW_LEVEL_WARN
				      ? ow_alert_grows_note(ow_mem_kind_name(cg->eval.grows))
				      : ""),
	       OW_STR("tmpfs", ow_cg_text(cg)->tmpfs),
	       OW_STR("tmpfs_files", ow_cg_text(cg)->tmpfs_files));
	cg->eval.level = level;
	cg->eval.level_reason = cg->eval.verdict.reason;
	if (level != OW_LEVEL_OK)
		ow_model_note_busy(&d->model, cg); /* its re-samples come at ticks */
	if (what == OW_LC_LEVEL_NEW)
		ow_notify_level(d->alerter, cg, from, level, top_processes(d, cg, from, level));
	if (from == OW_LEVEL_OK && level == OW_LEVEL_WARN) {
		daemon_warn_signal(d, cg, ow_mono_ns());
		daemon_maps_baseline(d, cg, ow_mono_ns());
	}
}

/* The daemon's tmpfs mounts, once a second while some cgroup's shmem grows. */
static void sample_tmpfs(struct ow_daemon *d, uint64_t now)
{
	if (d->tmpfs_ns && now - d->tmpfs_ns < NS_PER_S)
		return;
	if (!d->tmpfs_table)
		d->tmpfs_table = calloc(1, sizeof(*d->tmpfs_table));
	if (!d->tmpfs_table ||
	    ow_tmpfs_sample("/proc/self/mountinfo", d->tmpfs_table, &d->tmpfs_now))
		return;
	d->tmpfs_ns = now;
	ow_tmpfs_note(&d->tmpfs_win, now, &d->tmpfs_now);
}

/* "/dev/shm +48.0 MiB, /tmp +3.0 MiB": the mounts that grew by a step or more, most first;
 * the largest files of the first, once walked. */
static void tmpfs_text(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t step, uint64_t now)
{
	struct ow_cg_text *t = daemon_text(d, cg);
	char *buf = t->tmpfs;
	size_t len = sizeof(t->tmpfs), off = 0;
	struct ow_tmpfs_grew g[3];
	unsigned int i, n = ow_tmpfs_grown(&d->tmpfs_win, &d->tmpfs_now, step, g, 3);

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s +%.1f MiB", i ? ", " : "",
					ow_tmpfs_point(d->tmpfs_table, g[i].id), mib(g[i].bytes));
	if (n)
		daemon_tmpfs_files(d, g[0].id, now, t->tmpfs_files, sizeof(t->tmpfs_files));
}

/* Which kind of memory grew over the last 10-20 s (a step of the limit at least); for shmem,
 * on which tmpfs mounts. */
static void note_composition(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	struct ow_composition c;
	uint64_t step = ow_sight_step(cg->reading.eff_limit);

	ow_composition_of(&cg->reading.st, &c);
	cg->eval.grows =
		ow_composition_grows(&cg->eval.comp, &c, step ? step : 1ULL << 20, &cg->eval.grew);
	ow_composition_note(&cg->eval.comp, now, &c);
	if (cg->text)
		cg->text->tmpfs[0] = cg->text->tmpfs_files[0] = '\0';
	if (cg->eval.grows != OW_KIND_SHMEM)
		return;
	sample_tmpfs(d, now);
	if (d->tmpfs_table)
		tmpfs_text(d, cg, step ? step : 1ULL << 20, now);
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

/* A writer sampled this long ago is sampled ahead of the others again (a pass that ran out of
 * budget may have skipped it for a second). */
#define WRITER_WINDOW_NS (3 * NS_PER_S)

/* One process's tmpfs writes, recorded; false when the second's budget ran out. */
static bool sample_writer(struct ow_daemon *d, struct ow_cgroup *cg, pid_t pid, uint64_t now)
{
	uint64_t bytes;
	int n = ow_proc_shm_written("/proc", pid, &d->shm_scan, &bytes);

	if (n > 0)
		ow_model_proc_shm(&d->model, pid, cg->id, bytes, now);
	return n != -EAGAIN;
}

static bool known_writer(struct ow_daemon *d, pid_t pid, uint64_t now)
{
	const struct ow_proc_rec *rec = ow_model_proc(&d->model, pid);

	return rec && ow_proc_shm_writing(rec, now, WRITER_WINDOW_NS);
}

/* The cgroup's shmem grows: what its processes write to tmpfs moves no RSS, so the files each
 * holds open for writing are its measured growth (sys/shm_writers.h), once a second, within
 * one budget a second for all cgroups (OW_SHM_PASS_FDS: a hostile user chooses how many files
 * its processes hold). The known writers first, each second, for their rate; the others in
 * turn from where the last pass stopped, so that every process is looked at in the end. */
static void sample_writers(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	pid_t pids[OW_MAX_CANDIDATES];
	bool known[OW_MAX_CANDIDATES];
	unsigned int i, start;
	int n;

	if (cg->eval.grows != OW_KIND_SHMEM || cg->eval.verdict.level < OW_LEVEL_WARN ||
	    now - cg->eval.writers_ns < NS_PER_S)
		return;
	if (now - d->shm_pass_ns >= NS_PER_S) {
		ow_shm_scan_start(&d->shm_scan, d->shm_mnt_id);
		d->shm_pass_ns = now;
	}
	cg->eval.writers_ns = now;
	n = ow_list_pids(cg->path, pids, OW_MAX_CANDIDATES);
	for (i = 0; (int)i < n; i++) /* before any sample: each process is sampled once a pass */
		known[i] = known_writer(d, pids[i], now);
	for (i = 0; (int)i < n; i++)
		if (known[i] && !sample_writer(d, cg, pids[i], now))
			return;
	start = n > 0 ? cg->eval.writers_next % (unsigned int)n : 0;
	for (i = 0; (int)i < n; i++) {
		unsigned int at = (start + i) % (unsigned int)n;

		if (!known[at] && !sample_writer(d, cg, pids[at], now)) {
			cg->eval.writers_next = at;
			return;
		}
	}
	cg->eval.writers_next = 0;
}

/* A SIGTERMed victim's cgroup, judged by its growth since the signal (grace.h). */
static enum ow_term_verdict judge_term(struct ow_cgroup *cg, const struct ow_policy_cfg *pc,
				       uint64_t now)
{
	struct ow_cg_victim *v = &cg->victim;
	struct ow_term_view tv = {
		.now_ns = now,
		.deadline_ns = v->deadline_ns,
		.value = cg->reading.nonrecl,
		.limit = cg->reading.eff_limit,
		.kill_water = pc->kill_water,
		.rose = cg->reading.nonrecl > v->live.term_value + OW_GRACE_ROSE_BYTES,
	};
	double eta;

	ow_live_add(&v->live, now, cg->reading.nonrecl);
	tv.live_rate = ow_live_rate(&v->live, now, cg->reading.nonrecl);
	return ow_grace_judge(&tv, &eta);
}

/* A victim in its pre-stop wait: does its cgroup's growth since the signal cut it short? */
static enum ow_pre_stop_cut judge_pre_stop(struct ow_cgroup *cg, const struct ow_policy_cfg *pc,
					   uint64_t now)
{
	struct ow_cg_victim *v = &cg->victim;
	struct ow_pre_stop_progress p = {
		.now_ns = now,
		.deadline_ns = v->deadline_ns,
		.value = cg->reading.nonrecl,
		.limit = cg->reading.eff_limit,
		.kill_water = pc->kill_water,
		.keep_s = v->keep_s,
	};

	ow_live_add(&v->live, now, cg->reading.nonrecl);
	p.live_rate = ow_live_rate(&v->live, now, cg->reading.nonrecl);
	return ow_pre_stop_judge(&p);
}

/* Carry out what the verdict means now (ow_lc_next_step). */
static void decide(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_policy_cfg *pc,
		   uint64_t now, uint64_t event_ns, bool brake_leak)
{
	struct ow_lc_eval in = {
		.now_ns = now,
		.level = cg->eval.verdict.level,
		.has_victim = cg->victim.fd >= 0,
		.killed = cg->victim.killed,
		.retry_after_ns = cg->victim.retry_after_ns,
		.cooldown_until_ns = cg->victim.cooldown_until_ns,
		.nonrecl = cg->reading.nonrecl,
		.eff_limit = cg->reading.eff_limit,
		.high_water = pc->high_water,
		.brake_leak = brake_leak,
		.pre_stop = cg->victim.pre_stop,
		.pre_stop_done = ow_cg_text(cg)->dump.written,
	};
	enum ow_pre_stop_cut cut = OW_PRE_STOP_GO_ON;
	enum ow_term_verdict tv = OW_TERM_WAIT;
	int idx;

	if (in.has_victim && in.pre_stop)
		cut = judge_pre_stop(cg, pc, now);
	else if (in.has_victim && !in.killed)
		tv = judge_term(cg, pc, now);
	in.kill_now = tv != OW_TERM_WAIT || cut != OW_PRE_STOP_GO_ON;
	switch (ow_lc_next_step(&in)) {
	case OW_LC_PRE_STOP_END:
		daemon_pre_stop_end(
			d, cg, cut != OW_PRE_STOP_GO_ON ? ow_pre_stop_cut_name(cut) : "written",
			now);
		break;
	case OW_LC_ESCALATE:
		daemon_escalate(d, cg, ow_term_reason(tv), ow_term_rule(tv));
		break;
	case OW_LC_SET_LEVEL:
		set_level(d, cg, cg->eval.verdict.level);
		break;
	case OW_LC_ACT:
		idx = daemon_pick(d, cg, now);
		if (idx < 0)
			break;
		set_level(d, cg, OW_LEVEL_ACT);
		daemon_act(d, cg, pc, idx, now, event_ns);
		break;
	case OW_LC_WAIT:
		break;
	}
}

void daemon_evaluate(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t event_ns)
{
	uint64_t now = ow_mono_ns(), old_limit = cg->reading.eff_limit;
	struct ow_policy_cfg policy, *pc = &policy;
	struct ow_cg_view view;
	bool brake_leak;
	int err = ow_watch_refresh(&d->watch, cg, now);

	if (err) {
		if (err == -ENOENT)
			daemon_request_rescan(d);
		return;
	}
	if (cg->reading.eff_limit != old_limit || !cg->reading.bpf_configured)
		daemon_configure_bpf(d, cg);
	daemon_sight_seen(d, cg, now);
	note_composition(d, cg, now);
	ow_cgroup_sample(cg, now, cg->reading.nonrecl);
	ow_cgroup_view(cg, now, &view);
	policy_of(d, cg, pc);
	ow_policy_assess(pc, &view, &cg->eval.verdict);
	/* Without per-process steps (degraded, or the page-fault program detached until now). */
	if ((!d->tracer || !ow_tracer_rss_attached(d->tracer)) &&
	    (cg->eval.verdict.level >= OW_LEVEL_WARN || cg->brake.dir))
		sample_processes(d, cg, now);
	sample_writers(d, cg, now);
	brake_leak = daemon_brake_step(d, cg, pc, view.fine.recent_rate > 0, now);
	ow_cgroup_note_verdict(cg, now, &cg->eval.verdict);
	daemon_rss_gate_note(d, cg, now);
	decide(d, cg, pc, now, event_ns, brake_leak);
}

/*
 * An event names the memcg of the growing task, but the limit that will be hit may be an
 * ancestor's (a slice or pod limit over unlimited leaves, or the machine itself at the root):
 * evaluate the watched ancestors that have a limit of their own, and the root.
 */
void daemon_evaluate_limit_points(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t event_ns)
{
	uint64_t now = ow_mono_ns();
	struct ow_cgroup *p;

	for (p = ow_model_cgroup(&d->model, cg->parent_id); p;
	     p = ow_model_cgroup(&d->model, p->parent_id)) {
		bool limit_point = p->reading.own_limit != OW_NO_LIMIT || ow_cgroup_is_root(p);

		if (p->parent_id == p->id)
			break;
		if (ow_lc_limit_point_due(limit_point, p->reading.last_sample_ns, now))
			daemon_evaluate(d, p, event_ns);
	}
}
