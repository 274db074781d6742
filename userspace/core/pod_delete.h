/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The graceful stop of a process in a Kubernetes pod (issue 19): a SIGTERM straight to the
 * process leaves the pod in its Service's endpoints while it drains (requests still come and
 * fail) and skips its preStop hook. Deleting the pod through the API does it the cluster's
 * way: the endpoints controller takes it out of rotation, the kubelet runs preStop, sends
 * SIGTERM, and waits the pod's terminationGracePeriodSeconds; its controller makes a new pod.
 * The alert sender (the only process with network) asks the API server and answers; the
 * victim's lifecycle waits for that answer a bounded time and falls back to its own SIGTERM on
 * any refusal, error or silence, so a 403, a 429 or a dead API server never delays the stop
 * by more than that bound. Pure: no I/O, no clock.
 */
#ifndef OW_POD_DELETE_H
#define OW_POD_DELETE_H

#include <stdbool.h>
#include <stdint.h>

/* The longest wait for the API server's answer before the SIGTERM goes out anyway. */
#define OW_POD_DELETE_ANSWER_S 1.0
/* The ETA below which the SIGTERM goes straight out: the answer, the kubelet's watch and its
 * preStop hook take time the leak may not leave (the kubelet sees a deletion within about a
 * second of the API server). */
#define OW_POD_DELETE_MIN_ETA_S 3.0
/* After a deletion the API server accepted: the pod's grace plus this, for the kubelet to see
 * it and signal, before oomwarden escalates. */
#define OW_POD_DELETE_KUBELET_S 2.0
/* A pod's own grace is used up to this (its spec allows far more: a leak does not wait). */
#define OW_POD_DELETE_GRACE_MAX_S 300.0

/* What the alert sender found; its answer to the daemon. */
enum ow_pod_del_result {
	OW_POD_DEL_ACCEPTED,	/* the API server took the deletion: the kubelet stops the pod */
	OW_POD_DEL_TERMINATING, /* the pod was being deleted already */
	OW_POD_DEL_BARE,	/* no owner: nothing would make it again */
	OW_POD_DEL_MIRROR,	/* a static pod's mirror: deleting it stops nothing */
	OW_POD_DEL_GONE,	/* no such pod, or another pod by that name (uid precondition) */
	OW_POD_DEL_FORBIDDEN,	/* 401 or 403: the service account may not get or delete pods */
	OW_POD_DEL_FAILED,	/* another HTTP error, a transport error, a malformed answer */
	OW_POD_DEL_UNAVAILABLE, /* the sender cannot ask (no API target, no CA) */
	OW_POD_DEL_BUSY,	/* the sender has as many deletions in flight as it takes */
	OW_POD_DEL_RESULT_COUNT
};

const char *ow_pod_del_result_name(enum ow_pod_del_result r);
/* The pod is on its way out: the kubelet, not oomwarden, sends the SIGTERM. */
bool ow_pod_del_stops(enum ow_pod_del_result r);
/* How long no deletion is asked again after r (ns): a refusal (RBAC) stays one for a while; a
 * transport error may pass sooner; a pod's own answer holds only for that pod. 0: none. */
uint64_t ow_pod_del_backoff_ns(enum ow_pod_del_result r);

/* The refusals and failures that hold off deletions: RBAC may allow pods of some namespaces
 * and not others (a RoleBinding per namespace), so a 403 holds off its namespace; a failing
 * API server holds off all. */
#define OW_POD_REFUSALS 8
struct ow_pod_refusals {
	struct {
		char ns[64];
		uint64_t until_ns;
	} e[OW_POD_REFUSALS];
	uint64_t all_until_ns;
};

/* Note the answer r for a pod of namespace ns (a full table forgets the refusal that ends
 * first). */
void ow_pod_refusal_note(struct ow_pod_refusals *t, enum ow_pod_del_result r, const char *ns,
			 uint64_t now_ns);
/* Until when deletions in ns are held off (0: not). */
uint64_t ow_pod_refusal_until(const struct ow_pod_refusals *t, const char *ns);

/* What act sees before it signals a victim. */
struct ow_pod_delete_view {
	bool enabled; /* --kube-delete-pod on, and a Kubernetes API target */
	bool in_pod;  /* the victim's cgroup names a pod: namespace, name and UID */
	bool dry_run; /* --dry-run */
	bool braked;  /* the brake holds the growth: its ETA before the brake says little */
	double eta_s; /* the verdict's time to the limit (INFINITY: none) */
	uint64_t now_ns, backoff_until_ns;
};

enum ow_pod_delete_plan {
	OW_POD_DELETE_OFF,     /* not asked for, or not a pod: the usual action */
	OW_POD_DELETE_ASK,     /* ask the API server, SIGTERM if it does not take it */
	OW_POD_DELETE_NO_TIME, /* the ETA leaves no time for the API: SIGTERM */
	OW_POD_DELETE_BACKOFF, /* a recent refusal or failure: SIGTERM */
	OW_POD_DELETE_DRY_RUN, /* it would be asked */
};

enum ow_pod_delete_plan ow_pod_delete_plan(const struct ow_pod_delete_view *v);
const char *ow_pod_delete_plan_why(enum ow_pod_delete_plan p);
/* How long the answer is waited for: OW_POD_DELETE_ANSWER_S, at most a third of the ETA. */
double ow_pod_delete_answer_s(double eta_s, bool braked);
/* The grace after an accepted deletion: the pod's own (negative: unknown, the API's default
 * of 30 s), capped, plus the kubelet's reaction. */
double ow_pod_delete_grace_s(double pod_grace_s);

#endif /* OW_POD_DELETE_H */
