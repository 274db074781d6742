// SPDX-License-Identifier: GPL-2.0
/*
 * The sight's pass and watch (core/sight.h, bpf/sight.bpf.c): the cgroups whose reads were the
 * many quiet ones (v1 idle, v2 far from the limit) are checked in the kernel. A BPF timer, the
 * watch, checks the memcgs a pass of the kernel's cgroup iterator found, and sends an event for
 * each that moved a step, so the daemon sleeps while none does; a pass runs when cgroups join.
 * Without the timer, a pass every period does the checking itself. Each cgroup that moved is then
 * checked as a read that saw the move would be (daemon/sight.c). The others are read one by one,
 * at their pace. Where the kernel has no iterator, or it fails, all are read one by one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon_ctx.h"
#include "sight.h"

/* A pass writes at most a kernel buffer of records (8 pages: tracer.h). */
static size_t moved_max(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return (size_t)(page > 0 ? page : 4096) * 8 / sizeof(struct ow_sight_record);
}

static bool v1(const struct ow_daemon *d)
{
	return d->watch.mount.version == OW_CG_V1;
}

/* The watch's pace follows the members' count (core/sight.h). */
static void pace(struct ow_daemon *d)
{
	unsigned int n = d->sight_pass.members;

	if (!d->sight_pass.watch || !d->tracer)
		return;
	d->sight_pass.period_ns = ow_sight_pass_period_ns(v1(d), n);
	ow_tracer_sight_watch_pace(d->tracer, n, OW_SIGHT_WATCH_CHUNK,
				   ow_sight_watch_every_ns(d->sight_pass.period_ns, n));
}

static void start_watch(struct ow_daemon *d)
{
	int err;

	d->sight_pass.watch = true;
	pace(d);
	err = ow_tracer_sight_watch_start(d->tracer);
	if (!err)
		return;
	d->sight_pass.watch = false;
	ow_log(OW_LOG_INFO, "sight", "no BPF timer: the far cgroups' pass runs every period",
	       OW_STR("error", strerror(-err)));
}

void daemon_sight_pass_start(struct ow_daemon *d)
{
	int err = ow_tracer_sight_start(d->tracer, d->watch.mount.path);

	d->sight_pass.moved_max = moved_max();
	d->sight_pass.moved =
		err ? NULL : calloc(d->sight_pass.moved_max, sizeof(*d->sight_pass.moved));
	if (!err && !d->sight_pass.moved)
		err = -ENOMEM;
	if (err) {
		ow_log(OW_LOG_INFO, "sight",
		       "no cgroup iterator: the usage of far cgroups is read one by one",
		       OW_STR("error", strerror(-err)));
		return;
	}
	d->sight_pass.on = true;
	d->sight_pass.period_ns = ow_sight_pass_period_ns(v1(d), 0);
	start_watch(d);
}

/* The watch's numbers, for the metrics (copied at each wakeup and at the end). */
void daemon_sight_pass_count(struct ow_daemon *d)
{
	if (!d->sight_pass.watch || !d->tracer)
		return;
	d->counters.sight_members = d->sight_pass.members;
	ow_tracer_sight_watch_stats(d->tracer, &d->counters.sight_watch_ticks,
				    &d->counters.sight_watch_ns);
}

void daemon_sight_pass_stop(struct ow_daemon *d)
{
	unsigned int i;

	daemon_sight_pass_count(d);
	for (i = 0; i < d->sight_pass.members; i++)
		d->sight_pass.slots[i]->sight.in_pass = false;
	d->sight_pass.members = 0;
	free(d->sight_pass.moved);
	d->sight_pass.moved = NULL;
	free(d->sight_pass.slots);
	d->sight_pass.slots = NULL;
	d->sight_pass.cap = 0;
	d->sight_pass.on = d->sight_pass.watch = false;
}

/* A pass at the next whole second: with the watch, for the cgroups that joined (it checks a
 * memcg a walk found); without, the first of every period. */
static void want_walk(struct ow_daemon *d, uint64_t now)
{
	uint64_t next = now - now % OW_SIGHT_SPREAD_NS + OW_SIGHT_SPREAD_NS;

	if (d->sight_pass.watch) {
		if (!d->sight_pass.walk_due)
			d->sight_pass.due_ns = next;
		d->sight_pass.walk_due = true;
	} else if (!d->sight_pass.members || !d->sight_pass.due_ns) {
		d->sight_pass.due_ns = next - OW_SIGHT_SPREAD_NS + d->sight_pass.period_ns;
	}
}

static bool room(struct ow_daemon *d)
{
	unsigned int cap = d->sight_pass.cap ? d->sight_pass.cap * 2 : 64;
	struct ow_cgroup **slots;

	if (d->sight_pass.members < d->sight_pass.cap)
		return true;
	if (d->sight_pass.members >= OW_SIGHT_SLOTS)
		return false;
	slots = realloc(d->sight_pass.slots, cap * sizeof(*slots));
	if (!slots)
		return false;
	d->sight_pass.slots = slots;
	d->sight_pass.cap = cap;
	return true;
}

bool daemon_sight_pass_join(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t usage,
			    unsigned int slower, uint64_t now)
{
	uint64_t limit = cg->reading.own_limit, step = ow_sight_step(limit);
	uint32_t slot = cg->sight.in_pass ? cg->sight.pass_slot : d->sight_pass.members;

	if (!d->sight_pass.on || !ow_sight_in_pass(v1(d), usage, limit, slower) ||
	    (!cg->sight.in_pass && !room(d))) {
		daemon_sight_pass_leave(d, cg);
		return false; /* read one by one */
	}
	/* A member whose limit changed is told its new step. */
	if (cg->sight.in_pass && cg->sight.pass_step == step)
		return true;
	if (ow_tracer_sight_join(d->tracer, slot, cg->id, step, usage)) {
		daemon_sight_pass_leave(d, cg);
		return false; /* the map full: read one by one */
	}
	cg->sight.pass_step = step;
	want_walk(d, now);
	if (cg->sight.in_pass)
		return true;
	cg->sight.in_pass = true;
	cg->sight.pass_slot = slot;
	d->sight_pass.slots[slot] = cg;
	d->sight_pass.members++;
	pace(d);
	return true;
}

/* The last member moves into the slot left, so that the watch's slots stay dense. */
void daemon_sight_pass_leave(struct ow_daemon *d, struct ow_cgroup *cg)
{
	uint32_t slot = cg->sight.pass_slot, last;

	if (!cg->sight.in_pass)
		return;
	cg->sight.in_pass = false;
	last = --d->sight_pass.members;
	if (slot != last) {
		struct ow_cgroup *moved = d->sight_pass.slots[last];

		if (d->tracer)
			ow_tracer_sight_move(d->tracer, last, slot);
		d->sight_pass.slots[slot] = moved;
		moved->sight.pass_slot = slot;
	}
	if (d->tracer)
		ow_tracer_sight_leave(d->tracer, last, cg->id); /* its id; `last` now free */
	d->sight_pass.slots[last] = NULL;
	pace(d);
}

static void note_moved(uint64_t id, uint64_t usage, void *arg)
{
	struct ow_daemon *d = arg;

	if (d->sight_pass.nmoved < d->sight_pass.moved_max)
		d->sight_pass.moved[d->sight_pass.nmoved++] =
			(struct ow_sight_record){.id = id, .usage = usage};
}

/* The pass failed: every member is read one by one from now on. */
static void fall_back(struct ow_daemon *d, uint64_t now, int err)
{
	unsigned int i;

	ow_log(OW_LOG_WARN, "sight",
	       "the cgroup iterator failed: the usage of far cgroups is read one by one",
	       OW_STR("error", strerror(-err)));
	d->sight_pass.on = false;
	d->counters.sight_members = 0;
	for (i = 0; i < d->model.ncgs; i++) {
		struct ow_cgroup *cg = d->model.cgs[i];

		if (cg->sight.in_pass) {
			daemon_sight_pass_leave(d, cg);
			daemon_sight_rearm(d, cg, now);
		}
	}
	d->sight_pass.watch = false; /* its slots are empty */
}

/* The walk first, timed alone; then the cgroups it saw move, each evaluated. */
void daemon_sight_pass_tick(struct ow_daemon *d, uint64_t now)
{
	uint64_t start, visited = 0, walked = 0;
	unsigned int i;
	int n;

	if (daemon_sight_pass_next(d) > now)
		return;
	start = ow_mono_ns();
	d->sight_pass.nmoved = 0;
	n = ow_tracer_sight_pass(d->tracer, note_moved, d, &visited, &walked);
	if (n < 0) {
		fall_back(d, now, n);
		return;
	}
	/* A member removed: a scan marks it gone (its reads would have failed and asked for one;
	 * in the model it stays unproved for the page-fault gate). A walk cut short asks too. */
	if (visited < d->sight_pass.members)
		daemon_request_rescan(d);
	d->counters.sight_passes++;
	d->counters.sight_members = d->sight_pass.members; /* what the last pass read */
	d->counters.sight_pass_ns += ow_mono_ns() - start; /* the walk's time, for the metrics */
	d->sight_pass.walk_due = false;
	if (!d->sight_pass.watch)
		d->sight_pass.period_ns = ow_sight_pass_period_ns(v1(d), walked);
	d->sight_pass.due_ns = now - now % OW_SIGHT_SPREAD_NS + d->sight_pass.period_ns;
	for (i = 0; i < d->sight_pass.nmoved; i++) {
		struct ow_cgroup *cg = ow_model_cgroup(&d->model, d->sight_pass.moved[i].id);

		/* Left since (a move evaluated it), gone, or an id reused: not its record. */
		if (cg && !cg->gone && cg->sight.in_pass && cg->sight.usage_fd >= 0)
			daemon_sight_check(d, cg, now, d->sight_pass.moved[i].usage, "pass", true);
	}
}

/* An OW_EV_SIGHT_MOVE: a member moved a step, or its memcg went offline (a scan finds it
 * removed; a walk notes its memcg again if it was not). */
void daemon_sight_watch_moved(struct ow_daemon *d, uint64_t id, uint64_t usage)
{
	struct ow_cgroup *cg = ow_model_cgroup(&d->model, id);
	uint64_t now = ow_mono_ns();

	if (!cg || cg->gone || !cg->sight.in_pass || cg->sight.usage_fd < 0)
		return;
	if (usage == OW_SIGHT_GONE) {
		daemon_request_rescan(d);
		want_walk(d, now);
		return;
	}
	daemon_sight_check(d, cg, now, usage, "watch", true);
}

uint64_t daemon_sight_pass_next(const struct ow_daemon *d)
{
	if (!d->sight_pass.on || !d->sight_pass.members ||
	    (d->sight_pass.watch && !d->sight_pass.walk_due))
		return UINT64_MAX;
	return d->sight_pass.due_ns;
}

/* How far apart a far cgroup's reads come (core/rss_gate.h's proof on v2). */
uint64_t daemon_sight_far_read_ns(const struct ow_daemon *d, const struct ow_cgroup *cg)
{
	if (d->sight_pass.on)
		return d->sight_pass.period_ns;
	return ow_sight_period_ns(v1(d), 0, cg->reading.own_limit, 1, d->sight_armed);
}
