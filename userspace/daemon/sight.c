// SPDX-License-Identifier: GPL-2.0
/*
 * Sight of a cgroup's whole charge (core/sight.h): the v1 usage thresholds, and on both versions
 * reads of the usage at a headroom pace, for each watched cgroup with a limit of its own (the limit
 * that will be hit: a leaf's usage counts in its limited ancestors'). A crossing, or a read that
 * moved a step, evaluates the cgroup as a BPF step would.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include "daemon_ctx.h"
#include "sight.h"
#include "usage_watch.h"

static bool v1(const struct ow_daemon *d)
{
	return d->watch.mount.version == OW_CG_V1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void daemon_sight_drop(struct ow_daemon *d, struct ow_cgroup *cg)
{
	if (cg->sight.usage_fd >= 0 && d->sight_armed)
		d->sight_armed--;
	close_fd(&cg->sight.efd);
	close_fd(&cg->sight.usage_fd);
	ow_due_remove(&d->sight_due, &cg->sight.due);
	daemon_sight_pass_leave(d, cg);
	cg->sight.moved_ns = 0;
	/* A request in flight stays the one in flight (arm_seq): its answer is closed when it
	 * comes, or taken if the cgroup was armed again meanwhile. Forgotten here, a limit
	 * written and removed in a loop queued a request (and a descriptor) each time. */
	cg->sight.rearm = false;
}

/* Room for another watched cgroup: its one or two descriptors, leaving a quarter of the
 * limit (and at least 256) to the rest: pidfds of victims, restart jobs, the exporter's
 * clients. A hard limit of 20,000 (this machine's) watches about 7,500 limited cgroups whole;
 * the rest are seen through the BPF side alone, as before. */
static bool room_for_one(const struct ow_daemon *d)
{
	struct rlimit nofile;
	rlim_t spare;

	if (getrlimit(RLIMIT_NOFILE, &nofile) || nofile.rlim_cur == RLIM_INFINITY)
		return true;
	spare = nofile.rlim_cur / 4 > 256 ? nofile.rlim_cur / 4 : 256;
	return nofile.rlim_cur > spare &&
	       (rlim_t)(d->sight_armed + 1) * 2 <= nofile.rlim_cur - spare;
}

/* An evaluation as a BPF step would make it: the cgroup, then its limited ancestors. */
static void evaluate(struct ow_daemon *d, struct ow_cgroup *cg)
{
	daemon_evaluate(d, cg, 0);
	if (!cg->gone)
		daemon_evaluate_limit_points(d, cg, 0);
}

static void stop_worker(struct ow_daemon *d)
{
	ow_threshold_worker_stop(d->thresholds);
	d->thresholds = NULL;
}

static struct ow_threshold_worker *worker(struct ow_daemon *d)
{
	int err;

	if (d->thresholds || d->thresholds_failed)
		return d->thresholds;
	err = ow_threshold_worker_start(ow_usage_thresholds_arm, &d->thresholds);
	if (!err) {
		err = daemon_watch_fd(d, ow_threshold_worker_fd(d->thresholds), EPOLLIN,
				      TAG_THRESHOLDS);
		if (err)
			stop_worker(d);
	}
	if (err) {
		ow_log(OW_LOG_ERROR, "sight",
		       "cannot start the thread that sets usage thresholds: "
		       "usage read at intervals only",
		       OW_STR("error", strerror(-err)));
		d->thresholds_failed = true;
	}
	return d->thresholds;
}

/* v1: thresholds around `usage`, set by the worker (sys/threshold_worker.h); the ones in force
 * stay until the new ones are. One request in flight per cgroup: a later one waits for it. */
static void arm_thresholds(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t usage)
{
	struct ow_cg_sight *s = &cg->sight;
	int err;

	if (s->arm_seq) {
		s->rearm = true;
		s->rearm_usage = usage;
		return;
	}
	ow_sight_thresholds(usage, cg->reading.own_limit, &s->low, &s->high);
	if ((!s->low && !s->high) || !worker(d))
		return;
	err = ow_threshold_worker_submit(d->thresholds, cg->id, ++d->threshold_seq, cg->path,
					 s->usage_fd, s->low, s->high);
	if (err)
		ow_log(OW_LOG_DEBUG, "sight", "cannot ask for the usage thresholds", CG_FIELDS(cg),
		       OW_STR("error", strerror(-err)));
	else
		s->arm_seq = d->threshold_seq;
}

/* A request done: its eventfd replaces the one in force. A usage that passed a new threshold
 * while it was set would fire only on its way back: it is evaluated now, and they are set
 * again around it. */
static void thresholds_set(struct ow_daemon *d, struct ow_cgroup *cg, int efd)
{
	struct ow_cg_sight *s = &cg->sight;
	uint64_t usage;

	s->arm_seq = 0;
	if (efd < 0) {
		if (efd != -EINVAL && efd != -ENOENT)
			ow_log(OW_LOG_DEBUG, "sight", "cannot set the usage thresholds",
			       CG_FIELDS(cg), OW_STR("error", strerror(-efd)));
	} else if (daemon_watch_fd(d, efd, EPOLLIN, TAG_SIGHT | cg->id)) {
		close(efd);
	} else {
		close_fd(&s->efd);
		s->efd = efd;
	}
	if (s->rearm) {
		s->rearm = false;
		arm_thresholds(d, cg, s->rearm_usage);
		return;
	}
	if (s->efd != efd || ow_usage_read(s->usage_fd, &usage) ||
	    !((s->high && usage >= s->high) || (s->low && usage <= s->low)))
		return;
	ow_log(OW_LOG_DEBUG, "sight", "the cgroup's charge passed a threshold as it was set",
	       CG_FIELDS(cg), OW_NUM("charge_mib", mib(usage)), OW_NUM("seen_mib", mib(s->seen)));
	evaluate(d, cg);
	if (!cg->gone && s->usage_fd >= 0)
		arm_thresholds(d, cg, s->seen);
}

void daemon_sight_thresholds_set(struct ow_daemon *d)
{
	struct ow_threshold_result res[64];
	unsigned int i, n;

	if (!d->thresholds)
		return;
	n = ow_threshold_worker_take(d->thresholds, res, 64);
	for (i = 0; i < n; i++) {
		struct ow_cgroup *cg = ow_model_cgroup(&d->model, res[i].id);

		/* A cgroup gone (ids are reused) or dropped since: not its answer. */
		if (!cg || cg->gone || cg->sight.arm_seq != res[i].seq || cg->sight.usage_fd < 0) {
			if (cg && !cg->gone && cg->sight.arm_seq == res[i].seq)
				cg->sight.arm_seq = 0;
			if (res[i].efd >= 0)
				close(res[i].efd);
			continue;
		}
		thresholds_set(d, cg, res[i].efd);
	}
}

/* At the daemon's end, every cgroup's sight dropped. */
void daemon_sight_stop(struct ow_daemon *d)
{
	stop_worker(d);
	daemon_sight_pass_stop(d);
	ow_due_heap_free(&d->sight_due);
}

/* Watch again around `usage`: the next read, and on v1 the thresholds (`thresholds`: set them
 * again, after a crossing or a move). Not from inside an evaluation of the cgroup
 * (daemon_sight_seen): that one is reading it now. */
static void rearm(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t usage, uint64_t now,
		  bool thresholds, bool moving)
{
	struct ow_cg_sight *s = &cg->sight;
	unsigned int slower;
	uint64_t due;

	if (moving || !s->moved_ns)
		s->moved_ns = now;
	slower = ow_sight_slower(v1(d), moving, now - s->moved_ns);
	if (daemon_sight_pass_join(d, cg, usage, slower, now)) {
		ow_due_remove(&d->sight_due, &s->due);
		goto thresholds;
	}
	if (ow_sight_spread(v1(d), usage, cg->reading.own_limit, slower))
		due = ow_sight_quiet_due_ns(now,
					    ow_sight_period_ns(v1(d), usage, cg->reading.own_limit,
							       slower, d->sight_armed),
					    cg->id, d->sight_armed);
	else
		due = ow_sight_due_ns(now, usage, cg->reading.own_limit, slower);
	if (ow_due_set(&d->sight_due, &s->due, due)) {
		/* No read to come: unwatched, and so unproved for the page-fault gate. */
		daemon_sight_drop(d, cg);
		return;
	}
thresholds:
	if (thresholds && v1(d))
		arm_thresholds(d, cg, usage);
}

/* Read one by one from now on (the pass stopped). */
void daemon_sight_rearm(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	if (cg->sight.usage_fd >= 0)
		rearm(d, cg, cg->sight.seen, now, false, false);
}

static void sight_arm(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	struct ow_cg_sight *s = &cg->sight;

	if (cg->reading.own_limit == OW_NO_LIMIT || ow_cgroup_is_root(cg)) {
		daemon_sight_drop(d, cg);
		return;
	}
	if (s->usage_fd < 0) {
		if (!room_for_one(d))
			return;
		s->usage_fd = ow_usage_open(cg->path, v1(d));
		if (s->usage_fd < 0)
			return;
		d->sight_armed++;
	}
	rearm(d, cg, s->seen, now, true, false);
}

void daemon_sight_seen(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	bool limited = cg->reading.own_limit != OW_NO_LIMIT;

	cg->sight.seen = cg->reading.st.usage;
	if (limited != (cg->sight.usage_fd >= 0))
		sight_arm(d, cg, now);
}

/* A threshold fired or the pass saw a step (`crossed`), or a read came. A crossing is a step
 * from where the thresholds were set (the pass: from what it last saw), which may be short of
 * a step from the usage last seen: evaluations in between (BPF steps, a warned cgroup's
 * re-samples, reads) move what was seen, not them. */
void daemon_sight_check(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now, uint64_t usage,
			const char *seen_by, bool crossed)
{
	bool moved = crossed || ow_sight_moved(cg->sight.seen, usage, cg->reading.own_limit);

	if (moved) {
		ow_log(OW_LOG_DEBUG, "sight", "the cgroup's charge moved a step", CG_FIELDS(cg),
		       OW_NUM("charge_mib", mib(usage)), OW_NUM("seen_mib", mib(cg->sight.seen)),
		       OW_STR("seen_by", seen_by));
		evaluate(d, cg);
		if (cg->gone || cg->sight.usage_fd < 0)
			return;
		usage = cg->sight.seen;
	}
	rearm(d, cg, usage, now, crossed || moved, moved);
}

static void check_usage(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now, bool crossed)
{
	uint64_t usage;

	if (ow_usage_read(cg->sight.usage_fd, &usage)) {
		/* Removed (kernfs: -ENODEV through the open file): a scan marks it gone, or it
		 * would stay in the model, unproved for the page-fault gate, until some other
		 * scan came. */
		daemon_request_rescan(d);
		return;
	}
	daemon_sight_check(d, cg, now, usage, crossed ? "threshold" : "read", crossed);
}

void daemon_sight_event(struct ow_daemon *d, uint64_t id)
{
	struct ow_cgroup *cg = ow_model_cgroup(&d->model, id);

	if (!cg || cg->gone || cg->sight.efd < 0)
		return;
	ow_usage_drain(cg->sight.efd);
	check_usage(d, cg, ow_mono_ns(), true);
}

/* The reads: v2's only sight, and v1's of kernel memory, whose charges the kernel does not
 * check against the thresholds (memcg_check_events() runs for page charges only: empty files
 * made at 8 MiB/s of inodes reached the limit with no threshold firing). */
void daemon_sight_tick(struct ow_daemon *d, uint64_t now)
{
	struct ow_due *due;

	while ((due = ow_due_first(&d->sight_due)) && due->due_ns <= now) {
		struct ow_cgroup *cg =
			(struct ow_cgroup *)((char *)due - offsetof(struct ow_cgroup, sight.due));

		/* Its next read comes a second on unless this one sets it (a failed read does
		 * not): each cgroup is read at most once a tick. A queued entry only moves: no
		 * allocation, no failure. */
		(void)ow_due_set(&d->sight_due, due, now + OW_SIGHT_MAX_DELAY_NS);
		check_usage(d, cg, now, false);
	}
	daemon_sight_pass_tick(d, now);
}

uint64_t daemon_sight_next(const struct ow_daemon *d)
{
	const struct ow_due *due = ow_due_first(&d->sight_due);
	uint64_t pass = daemon_sight_pass_next(d);

	return due && due->due_ns < pass ? due->due_ns : pass;
}
