// SPDX-License-Identifier: GPL-2.0
/*
 * The brake, carried out (cgroup v2): memory.high of the victim's own cgroup set just above its
 * usage when a fast leak would reach the limit before the victim's grace (core/brake.h decides
 * when and where), judged each evaluation as leak or burst, raised for the drain after the
 * SIGTERM, and lifted (the original value restored) when the burst stopped, the victim exited,
 * the cgroup went, or the daemon stops. The brakes in force are kept in a state file so that a
 * daemon killed with a brake on restores it at its next start.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alerting.h"
#include "daemon_ctx.h"
#include "memory_high.h"

/* Where the brakes in force are kept; tests running daemons side by side set their own. */
#define BRAKE_STATE_ENV "OOMWARDEN_BRAKE_STATE"
/* After a burst was let go, the same cgroup is not braked again for this long: it acts as on
 * cgroup v1 meanwhile (at the high-water mark). */
#define BRAKE_REHOLD_NS (30 * NS_PER_S)

/* The kernel keeps memory.high in pages (page_counter_memparse() rounds down): written so, a
 * value reads back as written, and "still ours" is an equality. */
static uint64_t page_floor(uint64_t v)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? v - v % (uint64_t)page : v;
}

static bool brake_enabled(const struct ow_daemon *d, const struct ow_cgroup *cg)
{
	return d->brakes_ok && ow_rule_brake(d->opts->brake, rule_of(d, cg));
}

static const char *mount_root(const struct ow_daemon *d)
{
	return d->watch.mount.path;
}

static int save_state(struct ow_daemon *d)
{
	int err = ow_brake_state_save(&d->brakes);

	if (err)
		ow_log(OW_LOG_ERROR, "brake", "cannot save the brakes in force",
		       OW_STR("file", d->brakes.file), OW_STR("error", strerror(-err)));
	return err;
}

void daemon_brake_start(struct ow_daemon *d)
{
	const char *file = getenv(BRAKE_STATE_ENV);
	struct ow_brake_restored r = {0};
	unsigned int bad = 0;
	int n;

	if (d->watch.mount.version != OW_CG_V2) {
		if (d->opts->brake)
			ow_log(OW_LOG_INFO, "brake",
			       "cgroup v1 has no memory.high: fast leaks are stopped at the "
			       "high-water mark, without a brake");
		return;
	}
	if (ow_brake_state_init(&d->brakes, file && *file ? file : OW_BRAKE_STATE_PATH)) {
		ow_log(OW_LOG_ERROR, "brake", "bad brake state path: no brakes",
		       OW_STR("file", file ? file : ""));
		return;
	}
	n = ow_brake_state_load(&d->brakes, &bad);
	if (n < 0 && n != -ENOENT) {
		ow_log(OW_LOG_ERROR, "brake", "cannot read the brakes of an earlier run: no brakes",
		       OW_STR("file", d->brakes.file), OW_STR("error", strerror(-n)));
		return;
	}
	d->brakes_ok = !d->opts->dry_run;
	if (n <= 0 && !bad)
		return;
	ow_brake_restore_all(&d->brakes, mount_root(d), &r);
	ow_log(OW_LOG_WARN, "brake_restore",
	       "memory.high put back where an earlier run left a brake on",
	       OW_STR("file", d->brakes.file), OW_INT("restored", r.restored),
	       OW_INT("changed_since", r.left), OW_INT("gone", r.gone), OW_INT("failed", r.failed),
	       OW_INT("bad_lines", bad), OW_STR("error", r.failed ? strerror(-r.first_err) : ""));
}

/* Forget the brake of cg; restore its original value when the brake is still ours. */
void daemon_brake_lift(struct ow_daemon *d, struct ow_cgroup *cg, const char *why)
{
	struct ow_cg_brake *b = &cg->brake;
	const struct ow_brake *rec;
	enum ow_brake_outcome out = OW_BRAKE_GONE;
	static const char *const outcome[] = {
		[OW_BRAKE_RESTORED] = "restored",
		[OW_BRAKE_LEFT] = "changed by someone else: left",
		[OW_BRAKE_GONE] = "the cgroup is gone",
		[OW_BRAKE_FAILED] = "failed",
	};
	int err = 0;

	/* Looked up only for a braked cgroup: one let go while another's brake was on crashed the
	 * daemon here (a v2 guest's delegated flood, a removed cgroup beside a braked leak). */
	if (!b->dir)
		return;
	rec = ow_brake_find(&d->brakes, b->dir);
	if (rec) {
		out = ow_brake_restore(rec, mount_root(d), &err);
		ow_brake_remove(&d->brakes, b->dir);
		save_state(d);
	}
	ow_log(out == OW_BRAKE_FAILED ? OW_LOG_ERROR : OW_LOG_INFO, "brake_lift", why,
	       CG_FIELDS(cg), OW_STR("braked", b->dir), OW_NUM("original_mib", mib(b->original)),
	       OW_STR("memory_high", outcome[out]), OW_STR("error", err ? strerror(-err) : ""));
	free(b->dir);
	b->dir = NULL;
	b->raised = false;
}

void daemon_brake_stop(struct ow_daemon *d)
{
	unsigned int i;

	for (i = 0; i < d->model.ncgs; i++)
		daemon_brake_lift(d, d->model.cgs[i], "oomwarden is stopping");
	ow_brake_state_free(&d->brakes);
}

/* Record, then write: a brake the state file does not hold could outlive a crash. */
static int write_brake(struct ow_daemon *d, const char *dir, uint64_t id, uint64_t original,
		       uint64_t value)
{
	struct ow_brake rec = {
		.path = (char *)dir,
		.cg_id = id,
		.orig_high = original,
		.set_high = value,
		.set_at = ow_realtime_ns() / (int64_t)NS_PER_S,
	};
	int err = ow_brake_put(&d->brakes, &rec);

	if (!err)
		err = save_state(d);
	if (!err)
		err = ow_high_set(mount_root(d), dir, value);
	return err;
}

static void log_refusal(struct ow_cgroup *cg, const char *dir, const char *why)
{
	if (cg->brake.refused)
		return;
	cg->brake.refused = true;
	ow_log(OW_LOG_INFO, "brake_refused", why, CG_FIELDS(cg), OW_STR("braked", dir));
}

/* The cgroup to brake: the process's own (its leaf), or cg itself for pid 0. */
static int braked_dir(const struct ow_daemon *d, const struct ow_cgroup *cg, pid_t pid, char *dir,
		      size_t len)
{
	if (pid)
		return daemon_victim_cgroup(d, pid, dir, len);
	return snprintf(dir, len, "%s", cg->path) >= (int)len ? -ENAMETOOLONG : 0;
}

/* Brake the leaf cgroup of the process `pid` for cg; pid 0: cg itself. */
static void apply(struct ow_daemon *d, struct ow_cgroup *cg, double cap, pid_t pid,
		  const char *comm, uint64_t now)
{
	struct ow_brake_files f;
	struct ow_high_state hs;
	char dir[PATH_MAX];
	struct stat st;
	uint64_t value;
	int err = braked_dir(d, cg, pid, dir, sizeof(dir));

	if (!err)
		err = ow_high_read(dir, &hs);
	if (!err && stat(dir, &st))
		err = -errno;
	if (err) {
		log_refusal(cg, "", "cannot read the victim's cgroup: no brake");
		return;
	}
	f = (struct ow_brake_files){hs.high, hs.low, hs.min, hs.current, hs.max};
	err = (int)ow_brake_value(&f, cg->reading.eff_limit, cap, &value);
	if (err) {
		log_refusal(cg, dir, ow_brake_refusal_str((enum ow_brake_refusal)err));
		return;
	}
	value = page_floor(value);
	err = write_brake(d, dir, st.st_ino, hs.high, value);
	if (err) {
		ow_brake_remove(&d->brakes, dir);
		save_state(d);
		log_refusal(cg, dir, strerror(-err));
		return;
	}
	cg->brake.dir = strdup(dir);
	if (!cg->brake.dir) { /* cannot follow it: put it back at once */
		ow_high_set(mount_root(d), dir, hs.high);
		ow_brake_remove(&d->brakes, dir);
		save_state(d);
		return;
	}
	ow_model_note_busy(&d->model, cg); /* judged, and lifted, at ticks */
	cg->brake.leaf_id = st.st_ino;
	cg->brake.original = hs.high;
	cg->brake.value = value;
	cg->brake.raised = false;
	cg->brake.late = ow_brake_late(hs.current, value, cg->reading.eff_limit);
	ow_brake_track_start(&cg->brake.track, now, hs.current, hs.events_high);
	ow_log(OW_LOG_WARN, "brake",
	       "memory.high set just above the usage: the kernel throttles the leak instead of an "
	       "OOM kill",
	       CG_FIELDS(cg), OW_STR("braked", dir), OW_NUM("brake_mib", mib(value)),
	       OW_NUM("original_mib", mib(hs.high)), OW_INT("pid", pid), OW_STR("comm", comm),
	       OW_STR("reason", cg->eval.verdict.reason));
	ow_notify_brake(d->alerter, cg, true, cg->eval.verdict.reason);
}

/* Someone else wrote memory.high since (the administrator, systemd): the value is theirs. */
static bool still_ours(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_high_state *hs)
{
	if (hs->high == cg->brake.value)
		return true;
	ow_log(OW_LOG_WARN, "brake_lift", "memory.high was changed by someone else: left as it is",
	       CG_FIELDS(cg), OW_STR("braked", cg->brake.dir),
	       OW_NUM("memory_high_mib", mib(hs->high)));
	ow_brake_remove(&d->brakes, cg->brake.dir);
	save_state(d);
	free(cg->brake.dir);
	cg->brake.dir = NULL;
	return false;
}

/* A brake in force: leak, burst, or wait (ow_brake_judge). Each evaluation: memory.high,
 * memory.current and memory.events alone. */
static enum ow_brake_call judge(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	struct ow_high_state hs;
	enum ow_brake_call call;
	int err = ow_high_poll(cg->brake.dir, &hs);

	if (err) {
		daemon_brake_lift(d, cg, "the braked cgroup cannot be read (gone?)");
		return OW_BRAKE_LIFT;
	}
	if (!still_ours(d, cg, &hs))
		return OW_BRAKE_LIFT;
	ow_brake_track_add(&cg->brake.track, now, hs.current, hs.events_high);
	call = ow_brake_judge(&cg->brake.track, now, cg->victim.fd >= 0);
	if (call == OW_BRAKE_LIFT) {
		cg->brake.lifted_burst++;
		cg->brake.hold_until_ns = now + BRAKE_REHOLD_NS;
		ow_notify_brake(d->alerter, cg, false, "a burst, not a leak: nobody is signalled");
		daemon_brake_lift(d, cg,
				  "it stopped growing under the brake: a burst, not a leak; nobody "
				  "is signalled");
	} else if (call == OW_BRAKE_GIVE_UP) {
		cg->brake.hold_until_ns = now + BRAKE_REHOLD_NS;
		daemon_brake_lift(d, cg, "braked for a minute and nobody could be signalled");
	}
	return call;
}

/* Brake now? (ow_brake_wanted) On whose cgroup: the victim's, or the one that would be. */
static void maybe_apply(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_policy_cfg *pc,
			bool climbing, uint64_t now)
{
	struct ow_brake_want w = {
		.enabled = brake_enabled(d, cg) && now >= cg->brake.hold_until_ns,
		.climbing = climbing,
		.eta_s = cg->eval.verdict.trend_may_act ? cg->eval.verdict.eta_s : INFINITY,
		.grace_s = pc->grace_s,
		.nonrecl = cg->reading.nonrecl,
		.limit = cg->reading.eff_limit,
		.high_water = pc->high_water,
		.kill_water = pc->kill_water,
	};
	int idx;

	if (!climbing)
		cg->brake.refused = false; /* a new climb may be braked (and logged) again */
	/* Refused once in this climb, or nobody to signal a moment ago: not on every event. */
	if (!ow_brake_wanted(&w) || cg->brake.refused || now < cg->victim.retry_after_ns)
		return;
	if (cg->victim.fd >= 0) {
		apply(d, cg, pc->high_water, cg->victim.pid, cg->victim.comm, now);
		return;
	}
	idx = daemon_pick(d, cg, now);
	if (idx >= 0)
		apply(d, cg, pc->high_water, d->cands->info[idx].pid, d->cands->info[idx].comm,
		      now);
	else if (cg->eval.grows == OW_KIND_KERNEL)
		/* Kernel memory grows (inodes, sockets, pipes): no process holds it as a growth
		 * of its own, nobody will be signalled, and a brake would only stall the whole
		 * cgroup for a minute (OW_BRAKE_MAX_UNACTED_NS) before the same OOM kill. */
		log_refusal(cg, cg->path, "kernel memory grows: no process to stop, no brake");
	else if (!ow_cgroup_is_root(cg))
		/* Nobody seen growing yet (a daemon just restarted has no history): brake the
		 * cgroup at risk itself, or it reaches the limit before anyone is known. */
		apply(d, cg, pc->high_water, 0, "", now);
}

bool daemon_brake_step(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_policy_cfg *pc,
		       bool climbing, uint64_t now)
{
	struct ow_verdict *v = &cg->eval.verdict;
	enum ow_brake_call call = OW_BRAKE_HOLD;

	if (cg->brake.dir)
		call = judge(d, cg, now);
	else
		maybe_apply(d, cg, pc, climbing, now);
	if (!cg->brake.dir || cg->victim.fd >= 0)
		return false;
	if (call == OW_BRAKE_LEAK) {
		v->level = OW_LEVEL_ACT;
		v->high_water = false;
		v->rule = "brake_press";
		v->reason = "still pressing against the brake: a leak, not a burst";
		return true;
	}
	/* Braked, the high-water mark is no emergency: the next seconds tell leak from burst.
	 * One reason while it lasts (the throttle's own would alternate with it). */
	if (v->level < OW_LEVEL_ACT ||
	    ow_brake_defers(v->high_water, cg->brake.late, cg->reading.nonrecl,
			    cg->reading.eff_limit, pc->kill_water)) {
		v->level = OW_LEVEL_WARN;
		v->high_water = false;
		v->rule = "";
		v->reason = "braked: a leak keeps pressing against it, a burst stops";
	}
	return false;
}

/* The SIGTERM is out: raise the brake a little, so the drain's own allocations go through. */
void daemon_brake_after_sigterm(struct ow_daemon *d, struct ow_cgroup *cg)
{
	struct ow_cg_brake *b = &cg->brake;
	uint64_t v, current;
	int err;

	if (!b->dir || b->raised)
		return;
	b->raised = true;
	if (ow_high_current(b->dir, &current))
		current = 0; /* unread: raised from the brake alone */
	v = page_floor(ow_brake_raised(b->value, current, cg->reading.eff_limit, b->original));
	if (v == b->value)
		return;
	err = write_brake(d, b->dir, b->leaf_id, b->original, v);
	if (err) {
		ow_log(OW_LOG_WARN, "brake", "cannot raise the brake for the drain", CG_FIELDS(cg),
		       OW_STR("braked", b->dir), OW_STR("error", strerror(-err)));
		return;
	}
	b->value = v;
	ow_log(OW_LOG_INFO, "brake", "brake raised for the victim's drain", CG_FIELDS(cg),
	       OW_STR("braked", b->dir), OW_NUM("brake_mib", mib(v)));
}
