// SPDX-License-Identifier: GPL-2.0
/*
 * Keeping the watched set current: the scan of the watched subtrees, a new memcg placed by its
 * id without one, the BPF side's per-memcg settings, the memcgs a dropped event left silent.
 * A scan only marks a vanished cgroup gone: the loop frees it after its pass (ow_model_reap).
 */
#include <errno.h>
#include <string.h>

#include "cgroup_id.h"
#include "daemon_ctx.h"
#include "alerting.h"

/* Forget the BPF entries of memcgs outside the watched subtrees that are gone, after this many
 * new ones were seen (the map holds 16384). */
#define PRUNE_EVERY 256

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
void daemon_report_unwatched(struct ow_daemon *d, uint64_t refused)
{
	uint64_t now = ow_mono_ns();

	d->counters.bpf_map_full += refused;
	d->unwatched_unalerted += refused;
	if (!ow_lc_unwatched_due(d->unwatched_alert_ns, now))
		return;
	d->unwatched_since_ns =
		ow_notify_unwatched(d->alerter, d->unwatched_unalerted, d->counters.bpf_map_full,
				    d->unwatched_since_ns);
	d->unwatched_alert_ns = now;
	d->unwatched_unalerted = 0;
}

void daemon_configure_bpf(struct ow_daemon *d, struct ow_cgroup *cg)
{
	struct ow_memcg_cfg cfg = {.watched = 1};

	if (!d->tracer)
		return;
	cfg.memcg_step = cfg.proc_step = step_for(cg->reading.eff_limit);
	ow_tracer_seed_memcg_usage(d->tracer, cg->id, cg->reading.st.usage);
	cg->reading.bpf_configured = !ow_tracer_set_memcg(d->tracer, cg->id, &cfg);
	if (cg->reading.bpf_configured)
		return;
	ow_log(OW_LOG_WARN, "bpf_map_full", "could not configure a memcg: its leaks go unseen",
	       OW_STR("cgroup", cg->name));
	daemon_report_unwatched(d, 1);
}

void daemon_find_rule(struct ow_daemon *d, struct ow_cgroup *cg)
{
	const struct ow_cgroup_rule *r;

	cg->rule = ow_rules_find(d->opts->rules, d->opts->nrules, cg->rel, cg->trusted_depth);
	r = rule_of(d, cg);
	if (r)
		ow_log(OW_LOG_DEBUG, "config", "cgroup settings from its section",
		       OW_STR("cgroup", cg->name), OW_STR("section", r->pattern),
		       OW_INT("line", r->line));
}

/* What a cgroup held as a memcg, let go: it is removed, or no longer a memcg. */
static void let_go(struct ow_daemon *d, struct ow_cgroup *cg, const char *why)
{
	daemon_sight_drop(d, cg);
	daemon_limit_watch_drop(d, cg);
	daemon_brake_lift(d, cg, why);
	if (d->tracer)
		ow_tracer_forget_memcg(d->tracer, cg->id);
}

/*
 * A cgroup found is read, configured and watched. A v2 directory without the memory controller
 * (its parent's subtree_control lacks it) has nothing to read: -ENOENT, and the callers below
 * do not keep it (forget_no_memcg). It is set up when it has one: found again by a scan, by the
 * look at its parent's children that a write to the parent's subtree_control brings
 * (limit_watch.c), or placed by the id of its memcg's first step. It was left half made for
 * good, and once the controller came its tasks' leak went unseen while the page-fault program
 * was detached.
 */
int daemon_set_up_cgroup(struct ow_daemon *d, struct ow_cgroup *cg)
{
	bool active;
	int err;

	/* Only memcgs the BPF side has seen a process of are read whole, configured and sampled
	 * now; the others at their first sight (at 20,000 idle memcgs the start took seconds and
	 * the map filled). Without BPF every cgroup is sampled each second anyway. */
	active = !d->tracer || ow_tracer_memcg_seen(d->tracer, cg->id);
	if (active)
		err = ow_watch_refresh(&d->watch, cg, ow_mono_ns());
	else
		err = ow_watch_glance(&d->watch, cg, ow_model_cgroup(&d->model, cg->parent_id),
				      ow_mono_ns());
	if (err)
		return err; /* vanished (the next scan drops it), or no memcg yet */
	cg->trusted_depth = ow_cg_trusted_depth(d->watch.mount.path, cg->rel);
	daemon_find_rule(d, cg);
	daemon_kube_names(d, cg, true);
	if (active) {
		daemon_configure_bpf(d, cg);
		ow_cgroup_sample(cg, ow_mono_ns(), cg->reading.nonrecl);
	}
	/* Its whole charge is watched even before the BPF side sees a task of it fault: a tmpfs
	 * writer already running when the daemon starts never faults again. */
	daemon_sight_seen(d, cg, ow_mono_ns());
	/* Its memcg gone since its files were read (a v2 controller disabled above it, as a
	 * user's loop of subtree_control writes does): left not set up, for the look that the
	 * controller's return brings. Set up without a watch, a look had nothing to compare its
	 * files with and kept it blind to its limit for good (the guests' delegated flood). */
	if (daemon_limit_watch_add(d, cg) == -ENOENT) {
		let_go(d, cg, "the cgroup's memory controller was disabled");
		return -ENOENT;
	}
	daemon_rss_gate_new(d, cg, ow_mono_ns());
	cg->set_up = true;
	ow_log(OW_LOG_DEBUG, "watch", "watching cgroup", OW_STR("cgroup", cg->name),
	       OW_STR("path", cg->path), OW_NUM("limit_mib", mib(cg->reading.eff_limit)));
	return 0;
}

/*
 * A directory below a watched one that is no memcg (v2: its parent's subtree_control lacks the
 * memory controller, or it just took it away) is not kept: the look at its parent's children
 * that enabling the controller brings finds it again, and nothing would report its removal
 * (the rmdir program knows memcgs alone). Kept, a user's loop of directories made and removed
 * in its delegated subtree, with a write to its subtree_control each time, grew the model (and
 * the daemon's locked memory) for good. The watched roots stay.
 */
static void forget_no_memcg(struct ow_daemon *d, struct ow_cgroup *cg, int err)
{
	if (err != -ENOENT || cg->set_up || !cg->parent_id || cg->gone)
		return;
	/* A victim still in its grace is seen to its end (its deadline's SIGKILL): a user's
	 * `-memory` above it must not let it off. The next look or scan after forgets it. */
	if (cg->victim.fd >= 0 || cg->victim.restarting || cg->victim.deleting)
		return;
	ow_log(OW_LOG_DEBUG, "watch", "a directory with no memcg: not kept", CG_FIELDS(cg));
	ow_model_mark_gone(&d->model, cg);
}

static void on_found(struct ow_cgroup *cg, bool added, void *arg)
{
	struct ow_daemon *d = arg;

	/* Renamed: its rule, trusted depth and files are its new path's. */
	if (cg->moved && cg->set_up) {
		ow_log(OW_LOG_INFO, "watch", "a cgroup was renamed: watched under its new path",
		       CG_FIELDS(cg));
		let_go(d, cg, "the cgroup was renamed");
		cg->set_up = false;
	}
	cg->moved = false;
	if (added || !cg->set_up)
		forget_no_memcg(d, cg, daemon_set_up_cgroup(d, cg));
	else
		daemon_kube_names(d, cg, false); /* its container's link may have come since */
}

/* A cgroup removed: marked gone, freed by the loop after its pass (ow_model_reap). */
static void removed(struct ow_daemon *d, struct ow_cgroup *cg, const char *seen_by)
{
	ow_log(OW_LOG_DEBUG, "watch", "cgroup removed", OW_STR("cgroup", cg->name),
	       OW_STR("seen_by", seen_by));
	daemon_drop_victim(cg);
	let_go(d, cg, "the cgroup is gone");
	ow_model_mark_gone(&d->model, cg);
}

/*
 * The BPF side saw a memcg it reported removed (cgroup.bpf.c): its entry goes now, not at the
 * next full scan, which nothing may ask for while a user's loop removes a delegated cgroup and
 * makes it again under the same name (a new cgroup, placed by its id). The event is the
 * kernel's word, checked by the id: a cgroup still reachable by it stays.
 */
void daemon_on_memcg_gone(struct ow_daemon *d, uint64_t id)
{
	struct ow_cgroup *cg = ow_model_cgroup(&d->model, id);

	if (!cg) {
		if (d->tracer)
			ow_tracer_forget_memcg(d->tracer, id); /* outside: no prune needed */
		return;
	}
	if (!ow_cg_id_gone(ow_watch_locate(&d->watch, id)))
		return;
	removed(d, cg, "rmdir");
}

/* A child looked at for its parent's subtree_control write: the only write that takes a v2
 * cgroup's memcg away or makes it anew while its directory stays. One whose memcg changed is
 * set up again from its files (its memcg gone: left as a directory with nothing to read);
 * a user's loop of such writes gets one look a second (limit_watch.c). */
static void on_looked_at(struct ow_cgroup *cg, bool added, void *arg)
{
	struct ow_daemon *d = arg;

	if (!added && cg->set_up && !daemon_limit_watch_same_memcg(d, cg)) {
		ow_log(OW_LOG_DEBUG, "watch", "a cgroup's memcg is gone or new", CG_FIELDS(cg));
		let_go(d, cg, "the cgroup's memory controller was disabled");
		cg->set_up = false;
	}
	on_found(cg, added, arg);
}

static void configure_unwatched(uint64_t id, void *arg)
{
	struct ow_daemon *d = arg;
	struct ow_cgroup *cg = ow_model_cgroup(&d->model, id);

	if (cg)
		daemon_configure_bpf(d, cg);
}

/* A first sight lost to a full ring buffer left its memcg silent: configure every watched memcg
 * the BPF side saw and holds unconfigured (after the scan, which adds new ones). */
static void reconcile_bpf(struct ow_daemon *d)
{
	d->reconcile_pending = false;
	if (d->tracer && ow_tracer_each_unwatched(d->tracer, configure_unwatched, d) < 0)
		ow_log(OW_LOG_WARN, "bpf", "could not read the memcg map");
}

/* The memory controller enabled or disabled in cg's subtree_control (limit_watch.c) gives its
 * children memcgs or takes them: they are looked at, not the whole tree (55 ms at 20,000
 * cgroups, and a user may write its delegated subtree_control in a loop). */
void daemon_scan_children(struct ow_daemon *d, const struct ow_cgroup *cg)
{
	int err = ow_watch_scan_children(&d->watch, &d->model, cg->path, on_looked_at, d);

	if (err)
		ow_log(OW_LOG_DEBUG, "scan", "could not scan a cgroup's children", CG_FIELDS(cg),
		       OW_STR("error", strerror(-err)));
}

/*
 * A scan runs from deep inside the handling of an event (evaluate, a first sight, an OOM kill)
 * whose callers still hold cgroup pointers: a vanished cgroup is only marked gone here, and
 * freed by the loop after the events of its pass (ow_model_reap).
 */
void daemon_rescan(struct ow_daemon *d)
{
	uint64_t t0 = ow_mono_ns();
	unsigned int i, n = 0;

	d->last_scan_ns = t0;
	d->rescan_pending = false;
	d->placed_unscanned = 0;
	d->scanning = true;
	if (ow_watch_scan(&d->watch, &d->model, on_found, d)) {
		/* A walk cut short (out of memory) did not see the rest: none of them is gone. */
		d->scanning = false;
		ow_log(OW_LOG_WARN, "scan", "could not scan the cgroup hierarchy");
		return;
	}
	d->scanning = false;
	for (i = 0; i < d->model.ncgs; i++) {
		struct ow_cgroup *cg = d->model.cgs[i];

		if (cg->gone)
			continue;
		if (cg->seen) {
			n++;
			continue;
		}
		removed(d, cg, "scan");
	}
	if (d->reconcile_pending)
		reconcile_bpf(d);
	ow_log(OW_LOG_DEBUG, "scan", "scanned the watched cgroups", OW_INT("cgroups", n),
	       OW_NUM("duration_ms", (double)(ow_mono_ns() - t0) / NS_PER_MS));
}

void daemon_request_rescan(struct ow_daemon *d)
{
	if (ow_mono_ns() - d->last_scan_ns >= RESCAN_MIN_NS)
		daemon_rescan(d);
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
/* The memcgs not found by their id at their first sight, looked up again; one still missing is
 * forgotten by the BPF side too, so a later sight of it (a task moved in, a fault) reports it
 * again. */
void daemon_retry_unplaced(struct ow_daemon *d, uint64_t now)
{
	unsigned int i, n = d->unplaced_n;

	if (!n || now < d->unplaced_due_ns)
		return;
	d->unplaced_n = 0;
	for (i = 0; i < n; i++) {
		int where = ow_watch_place(&d->watch, &d->model, d->unplaced[i], on_found, d);

		if (where < 0 && !ow_cg_id_gone(where))
			daemon_request_rescan(d);
		else if (where < 0 && d->tracer)
			ow_tracer_forget_memcg(d->tracer, d->unplaced[i]);
		ow_log(OW_LOG_DEBUG, "gone_memcg", "a memcg looked up again by its id",
		       OW_INT("memcg_id", d->unplaced[i]), OW_INT("found", where >= 0));
	}
}

/* Without the rmdir program (the classic tracepoint flavour) a removed memcg is let go only
 * at a full scan: one follows every PLACED_PER_SCAN memcgs placed by id, which bounds the
 * removed ones the model holds (a user's loop of mkdir, a process, rmdir). */
#define PLACED_PER_SCAN 256
static void scan_for_removals(struct ow_daemon *d)
{
	if (ow_tracer_sees_removals(d->tracer) || ++d->placed_unscanned < PLACED_PER_SCAN)
		return;
	ow_log(OW_LOG_DEBUG, "scan", "memcgs placed since the last scan: a scan for the removed",
	       OW_INT("placed", d->placed_unscanned));
	daemon_request_rescan(d);
}

void daemon_on_unknown_memcg(struct ow_daemon *d, uint64_t id)
{
	uint64_t t0 = ow_mono_ns();
	int where = ow_watch_place(&d->watch, &d->model, id, on_found, d);

	if (where == 1) { /* inside: added with its missing parents, no walk of the rest */
		ow_log(OW_LOG_DEBUG, "placed", "a new memcg placed without a scan",
		       OW_INT("memcg_id", id),
		       OW_NUM("duration_ms", (double)(ow_mono_ns() - t0) / NS_PER_MS));
		scan_for_removals(d);
		return;
	}
	if (ow_cg_id_gone(where)) {
		/* Removed before its event was read (a short-lived scope), or not yet there: the
		 * cgroup_mkdir tracepoint fires before the directory is made visible
		 * (kernfs_activate() follows it), and a daemon quick to read the event found it by
		 * id nowhere (a 5 GiB v2 guest: the new memcg's leak filled it unwatched). Looked
		 * up again once, shortly; no scan, which would only find a removed one missing. */
		ow_log(OW_LOG_DEBUG, "gone_memcg", "a memcg not found by its id (yet)",
		       OW_INT("memcg_id", id));
		if (d->unplaced_n < UNPLACED_MAX) {
			d->unplaced[d->unplaced_n++] = id;
			d->unplaced_due_ns = ow_mono_ns() + UNPLACED_NS;
		} else if (d->tracer) {
			ow_tracer_forget_memcg(d->tracer, id); /* a later sight reports it again */
		}
		return;
	}
	if (where != 0) {
		daemon_request_rescan(d); /* it cannot be told (or is past PATH_MAX) */
		return;
	}
	ow_log(OW_LOG_DEBUG, "outside", "a memcg outside the watched cgroups",
	       OW_INT("memcg_id", id));
	if (++d->outside_seen % PRUNE_EVERY == 0)
		prune_outside(d);
}
