// SPDX-License-Identifier: GPL-2.0
/*
 * The machine's sight: what core/sight.h does for a cgroup with a limit of its own, done for the
 * cgroups whose limit is the machine's (the root, the VPS default, and a watched top with no
 * limit above it). They have no page counter to set thresholds on: the root's v1 usage is
 * computed from statistics and a threshold on it missed a 256 MiB leak of the root's own
 * processes (session 12). /proc/meminfo is read at the headroom's pace instead (every second
 * far from the limit on a 4 GiB machine, up to 5 s on a large one, four times a second near
 * it, on the sight's 250 ms grid: ow_sight_machine_slower), and a move of a step (1/256 of
 * MemTotal + SwapTotal) evaluates them as a BPF step would. It is what lets the page-fault program
 * detach under the default watch (core/rss_gate.h).
 */
#include <errno.h>
#include <string.h>

#include "daemon_ctx.h"
#include "sight.h"
#include "usage_watch.h"

void daemon_machine_sight_start(struct ow_daemon *d)
{
	d->machine.fd = d->watch.machine_limit == OW_NO_LIMIT ? -ENOENT : ow_meminfo_open();
	if (d->machine.fd < 0)
		ow_log(OW_LOG_WARN, "sight",
		       "cannot read /proc/meminfo: the machine is seen "
		       "through its processes' page faults alone",
		       OW_STR("error", strerror(-d->machine.fd)));
}

void daemon_machine_sight_stop(struct ow_daemon *d)
{
	if (d->machine.fd >= 0)
		close(d->machine.fd);
	d->machine.fd = -1;
}

bool daemon_machine_sight_on(const struct ow_daemon *d)
{
	return d->machine.fd >= 0;
}

/* The machine's limit binds it: no watched ancestor holds a smaller one. Only the highest of
 * a chain is evaluated: the root, or a watched top with no limit up to the mount. */
static bool machine_top(struct ow_daemon *d, const struct ow_cgroup *cg)
{
	const struct ow_cgroup *p = ow_model_cgroup(&d->model, cg->parent_id);

	if (cg->gone || cg->reading.eff_limit < d->watch.machine_limit)
		return false;
	return ow_cgroup_is_root(cg) || !p || p == cg;
}

void daemon_machine_sight_tick(struct ow_daemon *d, uint64_t now)
{
	uint64_t used, limit = d->watch.machine_limit;
	unsigned int i;
	int err;

	if (d->machine.fd < 0 || now < d->machine.due_ns)
		return;
	err = ow_machine_used_read(d->machine.fd, &used);
	if (err) {
		ow_log(OW_LOG_DEBUG, "sight", "cannot read /proc/meminfo",
		       OW_STR("error", strerror(-err)));
		d->machine.due_ns = now + OW_SIGHT_MAX_DELAY_NS;
		return;
	}
	if (ow_sight_moved(d->machine.seen, used, limit)) {
		ow_log(OW_LOG_DEBUG, "sight", "the machine's memory in use moved a step",
		       OW_NUM("used_mib", mib(used)), OW_NUM("seen_mib", mib(d->machine.seen)));
		d->machine.seen = used;
		for (i = 0; i < d->model.ncgs; i++)
			if (machine_top(d, d->model.cgs[i]))
				daemon_evaluate(d, d->model.cgs[i], 0);
	}
	d->machine.due_ns = ow_sight_due_ns(now, used, limit, ow_sight_machine_slower(used, limit));
}

uint64_t daemon_machine_sight_next(const struct ow_daemon *d)
{
	return d->machine.fd >= 0 ? d->machine.due_ns : UINT64_MAX;
}
