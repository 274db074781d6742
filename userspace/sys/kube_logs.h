/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reader of the kubelet's log directories (core/kube_names.h parses their entries): the
 * namespace, pod and container names of a pod UID and a container id, from LOGDIR/pods and
 * LOGDIR/containers (LOGDIR is /var/log on a node, the host's /var/log mounted at the same
 * place in the DaemonSet, a fixture tree in tests).
 *
 * Only directories are listed, no file is opened: nothing a user can put there can block the
 * daemon. A directory is believed only when root (or the daemon's own user) owns it and
 * nobody else may write it, so a user cannot make a pod directory that names another pod.
 */
#ifndef OW_KUBE_LOGS_H
#define OW_KUBE_LOGS_H

#include "kube_names.h"

/* The names of pod `uid` and, when `id` is a container id (64 hex; "" for none), of its
 * container, from its link in LOGDIR/containers. 0 with out filled (container "" when it has
 * no link: not yet, or the pod's sandbox), -ENOENT when the pod has no directory, -EPERM
 * when a directory is not root's alone, another -errno when one cannot be listed. */
int ow_kube_read_names(const char *logdir, const char *uid, const char *id,
		       struct ow_kube_names *out);

#endif /* OW_KUBE_LOGS_H */
