// SPDX-License-Identifier: GPL-2.0
/*
 * A pod's names for its cgroups: namespace, pod and container from the kubelet's log
 * directories (sys/kube_logs.h), looked up when the cgroup is first seen, and again at later
 * rescans and before its first warning while they are not known: the kubelet makes a pod's
 * cgroup before its log directory, and a container's cgroup before its link. A docker or
 * podman container's cgroup gets its name and image the same way (sys/container_state.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "container_state.h"
#include "daemon_ctx.h"
#include "kube_logs.h"

/* Lookups of one cgroup before giving up, 1 s apart and then twice as long each time (about
 * 4 min in all; rescans come as often as every 200 ms): a pod that never gets its directory or
 * link (a static pod with its logs elsewhere, a sandbox) costs a few listings, not one at
 * every rescan. The lookup before a first warning does not wait. */
#define KUBE_TRIES	   8
#define KUBE_FIRST_WAIT_NS 1000000000ULL

/* A docker or podman container's cgroup (not a pod's), named where root made it: its name and
 * image from the runtime's state on disk (sys/container_state.h). 1: named; 0: not a
 * container's; -errno: not known yet (the runtime writes its state around the cgroup). */
static int container_names(struct ow_cgroup *cg, const struct ow_cg_path *p)
{
	struct ow_ctr_names n;
	int err;

	if (p->kube || !p->container.depth || p->container.depth > cg->trusted_depth)
		return 0;
	if (p->runtime == OW_CGP_RT_PODMAN)
		err = ow_podman_names(OW_PODMAN_STORAGE, p->id, &n);
	else if (p->runtime == OW_CGP_RT_DOCKER)
		err = ow_docker_names(OW_DOCKER_ROOT, p->id, &n);
	else
		return 0;
	if (err)
		return err;
	if (!cg->ctr && !(cg->ctr = malloc(sizeof(*cg->ctr))))
		return -ENOMEM;
	snprintf(cg->ctr->name, sizeof(cg->ctr->name), "%s", n.name);
	snprintf(cg->ctr->image, sizeof(cg->ctr->image), "%s", n.image);
	return 1;
}

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

static void next_try(struct ow_cgroup *cg, uint64_t t)
{
	cg->kube_next_ns = t + (KUBE_FIRST_WAIT_NS << cg->kube_tries);
	if (++cg->kube_tries >= KUBE_TRIES)
		cg->kube_tries = OW_KUBE_SETTLED;
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
		err = container_names(cg, &p);
		next_try(cg, t);
		if (err >= 0)
			cg->kube_tries = OW_KUBE_SETTLED;
		if (err > 0)
			ow_log(OW_LOG_DEBUG, "container_names",
			       "a container's cgroup: its name and image from the runtime's state",
			       OW_STR("cgroup", cg->name), OW_STR("path", cg->path),
			       KUBE_FIELDS(cg));
		return;
	}
	err = ow_kube_read_names(d->opts->kube_logs, p.pod_uid, id, &n);
	next_try(cg, t);
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
