/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kubernetes names from the node's own files, without asking the API server: the kubelet
 * keeps one directory per pod in /var/log/pods, named NAMESPACE_POD_UID, with one directory
 * per container name in it, and one symlink per container in /var/log/containers, named
 * POD_NAMESPACE_CONTAINER-ID.log (kubelet's pkg/kubelet/kuberuntime/kuberuntime_manager.go
 * BuildPodLogsDirectory and BuildContainerLogsDirectory, legacy symlinks in
 * kuberuntime_container.go). Pure parsers of one directory entry's name; the reader that
 * lists the directories is sys/kube_logs.h.
 *
 * Kubernetes allows no '_' in namespace, pod or container names (DNS-1123), so the
 * underscores split these names unambiguously. Every name is checked character by
 * character: these are labels and log fields, never a decision.
 */
#ifndef OW_KUBE_NAMES_H
#define OW_KUBE_NAMES_H

#include <stdbool.h>

#define OW_KUBE_LABEL_MAX     63  /* DNS-1123 label: namespace, container */
#define OW_KUBE_SUBDOMAIN_MAX 253 /* DNS-1123 subdomain: pod */

struct ow_kube_names {
	char ns[OW_KUBE_LABEL_MAX + 1];
	char pod[OW_KUBE_SUBDOMAIN_MAX + 1];
	char container[OW_KUBE_LABEL_MAX + 1]; /* "" for the pod's own cgroup */
	char uid[65];			       /* the pod's UID (its cgroup path's) */
};

/* A DNS-1123 label: 1-63 of [a-z0-9-], alphanumeric at both ends. */
bool ow_kube_label_ok(const char *s, unsigned long n);

/* A DNS-1123 subdomain: 1-253 of [a-z0-9.-], labels between the dots. */
bool ow_kube_subdomain_ok(const char *s, unsigned long n);

/* Is `name` the /var/log/pods entry of the pod with this `uid` ("NS_POD_UID")? Then its
 * namespace and pod name are copied into out (container untouched). */
bool ow_kube_pod_dir(const char *name, const char *uid, struct ow_kube_names *out);

/* Is `name` the /var/log/containers entry of the container with this 64-hex `id`, in the pod
 * and namespace of `pod` ("POD_NS_CONTAINER-ID.log")? Then its container name is copied into
 * pod->container. */
bool ow_kube_container_link(const char *name, const char *id, struct ow_kube_names *pod);

#endif /* OW_KUBE_NAMES_H */
