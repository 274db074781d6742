// SPDX-License-Identifier: GPL-2.0
/*
 * A pod's names for its cgroups: namespace, pod and container from the kubelet's log
 * directories (sys/kube_logs.h), looked up when the cgroup is first seen, and again at later
 * rescans and before its first warning while they are not known: the kubelet makes a pod's
 * cgroup before its log directory, and a container's cgroup before its link.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon_ctx.h"
#include "kube_logs.h"

/* Lookups of one cgroup before giving up, 1 s apart and then twice as long each time (about
 * 4 min in all; rescans come as often as every 200 ms): a pod that never gets its directory or
 * link (a static pod with its logs elsewhere, a sandbox) costs a few listings, not one at
 * every rescan. The lookup before a first warning does not wait. */
#define KUBE_TRIES	   8
#define KUBE_FIRST_WAIT_NS 1000000000ULL

/* The pod UID and container id its path gives, from the part of it root made (cgroup_path.h:
 * below that, a user names the directories). false: not a pod's cgroup. */
static bool pod_ids(const struct ow_cgroup *cg, struct ow_cg_path *p, const char **id)
{
	ow_cg_path_parse(cg->rel, p);
	if (!p->kube || !p->pod.depth || p->pod.depth > cg->trusted_depth)
		return false;
	*id = p->container.depth && p->container.depth <= cg->trusted_depth ? p->id : "";
	return true;
}

static void refused_once(struct ow_daemon *d)
{
	if (d->kube_refused)
		return;
	d->kube_refused = true;
	ow_log(OW_LOG_WARN, "kube_names",
	       "the kubelet's log directories are not root's alone: pods go by their UID",
	       OW_STR("dir", d->opts->kube_logs));
}

void daemon_kube_names(struct ow_daemon *d, struct ow_cgroup *cg, bool now)
{
	uint64_t t = ow_mono_ns();
	struct ow_kube_names n;
	struct ow_cg_path p;
	const char *id;
	int err;

	if (cg->kube_tries == OW_KUBE_SETTLED || (!now && t < cg->kube_next_ns))
		return;
	if (!pod_ids(cg, &p, &id)) {
		cg->kube_tries = OW_KUBE_SETTLED;
		return;
	}
	err = ow_kube_read_names(d->opts->kube_logs, p.pod_uid, id, &n);
	cg->kube_next_ns = t + (KUBE_FIRST_WAIT_NS << cg->kube_tries);
	if (++cg->kube_tries >= KUBE_TRIES)
		cg->kube_tries = OW_KUBE_SETTLED;
	if (err == -EPERM)
		refused_once(d);
	if (err || (!cg->kube && !(cg->kube = malloc(sizeof(*cg->kube)))))
		return;
	*cg->kube = n;
	snprintf(cg->kube->uid, sizeof(cg->kube->uid), "%s", p.pod_uid);
	if (n.container[0] || !*id)
		cg->kube_tries = OW_KUBE_SETTLED;
	ow_log(OW_LOG_DEBUG, "kube_names", "a pod's cgroup: names from the kubelet's directories",
	       OW_STR("cgroup", cg->name), OW_STR("path", cg->path), KUBE_FIELDS(cg));
}
