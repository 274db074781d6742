// SPDX-License-Identifier: GPL-2.0
/*
 * The sight's pass (core/sight.h, bpf/sight.bpf.c): the cgroups whose reads were the many quiet
 * ones (v1 idle, v2 far from the limit) are checked together by one read() of the kernel's
 * cgroup iterator, which reports those that moved a step; each is then checked as a read that
 * saw the move would be (daemon/sight.c). The others are read one by one, at their pace. Where
 * the kernel has no iterator, or it fails, all are read one by one, as before.
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
}

void daemon_sight_pass_stop(struct ow_daemon *d)
{
	free(d->sight_pass.moved);
	d->sight_pass.moved = NULL;
	d->sight_pass.on = false;
}

bool daemon_sight_pass_join(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t usage,
			    unsigned int slower, uint64_t now)
{
	uint64_t limit = cg->reading.own_limit, step = ow_sight_step(limit);

	if (!d->sight_pass.on || !ow_sight_in_pass(v1(d), usage, limit, slower)) {
		daemon_sight_pass_leave(d, cg);
		return false;
	}
	/* A member whose limit changed is told its new step. */
	if (cg->sight.in_pass && cg->sight.pass_step == step)
		return true;
	if (ow_tracer_sight_join(d->tracer, cg->id, step, usage)) {
		daemon_sight_pass_leave(d, cg);
		return false; /* the map full: read one by one */
	}
	cg->sight.pass_step = step;
	if (cg->sight.in_pass)
		return true;
	cg->sight.in_pass = true;
	if (!d->sight_pass.members++ || !d->sight_pass.due_ns)
		d->sight_pass.due_ns = now - now % OW_SIGHT_SPREAD_NS + d->sight_pass.period_ns;
	return true;
}

void daemon_sight_pass_leave(struct ow_daemon *d, struct ow_cgroup *cg)
{
	if (!cg->sight.in_pass)
		return;
	cg->sight.in_pass = false;
	if (d->sight_pass.members)
		d->sight_pass.members--;
	if (d->tracer)
		ow_tracer_sight_leave(d->tracer, cg->id);
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
}

/* The walk first, timed alone; then the cgroups it saw move, each evaluated. */
void daemon_sight_pass_tick(struct ow_daemon *d, uint64_t now)
{
	uint64_t start, visited = 0, walked = 0;
	unsigned int i;
	int n;

	if (!d->sight_pass.on || !d->sight_pass.members || now < d->sight_pass.due_ns)
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
	d->sight_pass.period_ns = ow_sight_pass_period_ns(v1(d), walked);
	d->sight_pass.due_ns = now - now % OW_SIGHT_SPREAD_NS + d->sight_pass.period_ns;
	for (i = 0; i < d->sight_pass.nmoved; i++) {
		struct ow_cgroup *cg = ow_model_cgroup(&d->model, d->sight_pass.moved[i].id);

		/* Left since (a move evaluated it), gone, or an id reused: not its record. */
		if (cg && !cg->gone && cg->sight.in_pass && cg->sight.usage_fd >= 0)
			daemon_sight_check(d, cg, now, d->sight_pass.moved[i].usage, "pass", true);
	}
}

uint64_t daemon_sight_pass_next(const struct ow_daemon *d)
{
	return d->sight_pass.on && d->sight_pass.members ? d->sight_pass.due_ns : UINT64_MAX;
}

/* How far apart a far cgroup's reads come (core/rss_gate.h's proof on v2). */
uint64_t daemon_sight_far_read_ns(const struct ow_daemon *d, const struct ow_cgroup *cg)
{
	if (d->sight_pass.on)
		return d->sight_pass.period_ns;
	return ow_sight_period_ns(v1(d), 0, cg->reading.own_limit, 1, d->sight_armed);
}
