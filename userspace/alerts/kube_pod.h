/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The requests of a pod's deletion (core/pod_delete.h) and what their answers mean: first a
 * GET of the pod (is it the pod of the cgroup, does a controller own it, is it a static pod's
 * mirror, its terminationGracePeriodSeconds), then a DELETE with the pod's UID as
 * precondition, so that a pod of the same name made since is never the one deleted
 * (DeleteOptions.preconditions, k8s.io/apimachinery meta/v1). Pure: text in, verdicts out;
 * the requests themselves go out from alerts/pod_delete.c.
 */
#ifndef OW_KUBE_POD_H
#define OW_KUBE_POD_H

#include <stdbool.h>
#include <stddef.h>

#include "pod_delete.h"

/* The pod's URL under the API server's base URL. -EINVAL when a name is not a DNS-1123 name
 * (nothing else may reach a URL path), -ENAMETOOLONG. */
int ow_kube_pod_url(const char *base, const char *ns, const char *pod, char *buf, size_t len);
/* The DELETE's body: DeleteOptions with the UID precondition. -EINVAL on a UID that is not
 * one (hex and dashes). */
int ow_kube_delete_body(const char *uid, char *buf, size_t len);

/* What the GET's answer (a v1 Pod) says. */
struct ow_kube_pod_facts {
	bool deletable;		       /* go on with the DELETE */
	enum ow_pod_del_result result; /* if not: why (TERMINATING, BARE, MIRROR, GONE, FAILED) */
	double grace_s;		       /* spec.terminationGracePeriodSeconds; -1: not given */
	char owner[96];		       /* "ReplicaSet/web-5d9c" (the controller), or "" */
};

/* Judge a 200 answer of the GET for the pod whose UID is uid. */
void ow_kube_pod_judge(const char *body, size_t len, const char *uid, struct ow_kube_pod_facts *f);

/* What an HTTP answer to the GET (get true) or the DELETE means; 0: no answer (transport). A
 * GET's 200 is judged by ow_kube_pod_judge: here it is FAILED. A 409 is the UID precondition
 * failing: another pod by that name. */
enum ow_pod_del_result ow_kube_pod_status(long status, bool get);

#endif /* OW_KUBE_POD_H */
