// SPDX-License-Identifier: GPL-2.0
/*
 * A victim in a Kubernetes pod, stopped by deleting its pod through the API (--kube-delete-pod,
 * core/pod_delete.h decides): the request goes to the alert sender (the only process with
 * network), its answer comes back on the sender's socket. Accepted: the kubelet sends the
 * SIGTERM, and the victim gets the pod's own grace. Anything else, or no answer in time: the
 * SIGTERM goes out at once (victim.c's fallback), and a refusal of the service account or a
 * failing API server is not asked again for a while.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "alert_sender.h"
#include "daemon_ctx.h"

bool daemon_pod_delete_would(const struct ow_daemon *d, const struct ow_cgroup *cg,
			     enum ow_pod_delete_plan *plan)
{
	struct ow_pod_delete_view v = {
		.enabled = d->opts->kube_delete_pod && d->opts->kube_api,
		.in_pod = cg->kube && cg->kube->uid[0] && cg->kube->ns[0] && cg->kube->pod[0],
		.dry_run = d->opts->dry_run,
		.braked = cg->brake.dir != NULL,
		.eta_s = cg->eval.verdict.eta_s,
		.now_ns = ow_mono_ns(),
	};

	if (v.in_pod)
		v.backoff_until_ns = ow_pod_refusal_until(&d->pod_refusals, cg->kube->ns);
	*plan = ow_pod_delete_plan(&v);
	return *plan == OW_POD_DELETE_ASK || *plan == OW_POD_DELETE_DRY_RUN;
}

uint32_t daemon_pod_delete_ask(struct ow_daemon *d, struct ow_cgroup *cg, double *answer_s,
			       char *why, size_t len)
{
	enum ow_pod_delete_plan plan;
	struct ow_alert a = {0};
	uint32_t id;
	int err;

	daemon_pod_delete_would(d, cg, &plan);
	snprintf(why, len, "%s", ow_pod_delete_plan_why(plan));
	if (plan != OW_POD_DELETE_ASK)
		return 0;
	*answer_s = ow_pod_delete_answer_s(cg->eval.verdict.eta_s, cg->brake.dir != NULL);
	snprintf(a.ns, sizeof(a.ns), "%s", cg->kube->ns);
	snprintf(a.pod, sizeof(a.pod), "%s", cg->kube->pod);
	snprintf(a.pod_uid, sizeof(a.pod_uid), "%s", cg->kube->uid);
	id = ++d->pod_delete_seq ? d->pod_delete_seq : ++d->pod_delete_seq;
	/* The sender's budget ends before the daemon's deadline: its answer, not silence. */
	err = ow_alerter_delete_pod(d->alerter, &a, id, (unsigned int)(*answer_s * 900));
	if (!err)
		return id;
	snprintf(why, len, "the alert sender could not take the pod's deletion: %s",
		 strerror(-err));
	return 0;
}

void daemon_watch_sender(struct ow_daemon *d)
{
	int fd = ow_alerter_fd(d->alerter);

	if (fd >= 0 && d->epfd >= 0 && daemon_watch_fd(d, fd, EPOLLIN, TAG_SENDER))
		ow_log(OW_LOG_ERROR, "epoll", "cannot watch the alert sender's answers",
		       OW_STR("error", strerror(errno)));
}

static struct ow_cgroup *asker(struct ow_daemon *d, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < d->model.ncgs; i++) {
		struct ow_cgroup *cg = d->model.cgs[i];

		if (!cg->gone && cg->victim.fd >= 0 && cg->victim.deleting &&
		    cg->victim.delete_id == id)
			return cg;
	}
	return NULL;
}

static void back_off(struct ow_daemon *d, const struct ow_cgroup *cg, enum ow_pod_del_result r)
{
	ow_pod_refusal_note(&d->pod_refusals, r, cg->kube ? cg->kube->ns : "", ow_mono_ns());
}

static void answered(struct ow_daemon *d, const struct ow_pod_delete_answer *a)
{
	struct ow_cgroup *cg = asker(d, a->id);
	enum ow_pod_del_result r = (enum ow_pod_del_result)a->result;
	char why[256];

	if (!cg) /* the victim exited, was SIGKILLed, or the answer came late: only the log */
		return;
	cg->victim.deleting = false;
	if (ow_pod_del_stops(r)) {
		daemon_pod_deleting(d, cg, a);
		return;
	}
	back_off(d, cg, r);
	snprintf(why, sizeof(why), "the pod was not deleted (%s%s%s)", ow_pod_del_result_name(r),
		 a->error[0] ? ": " : "", a->error);
	ow_log(OW_LOG_WARN, "pod_delete_refused", why, CG_FIELDS(cg), OW_INT("pid", cg->victim.pid),
	       OW_STR("result", ow_pod_del_result_name(r)), OW_INT("status", a->status),
	       OW_STR("error", a->error));
	daemon_fallback_sigterm(d, cg, why);
}

void daemon_on_sender(struct ow_daemon *d)
{
	struct ow_pod_delete_answer a;
	int n;

	while ((n = ow_alerter_answer(d->alerter, &a)) > 0)
		answered(d, &a);
	if (n < 0) { /* the sender is gone: its socket would wake the loop forever */
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, ow_alerter_fd(d->alerter), NULL);
		ow_log(OW_LOG_ERROR, "alerts", "the alert sender is gone: pods are not deleted");
	}
}

void daemon_pod_delete_timed_out(struct ow_daemon *d, struct ow_cgroup *cg)
{
	char why[128];

	snprintf(why, sizeof(why), "the API server did not answer the pod's deletion in %.1f s",
		 cg->victim.grace_s);
	ow_log(OW_LOG_WARN, "pod_delete_timeout", why, CG_FIELDS(cg),
	       OW_INT("pid", cg->victim.pid));
	cg->victim.deleting = false;
	back_off(d, cg, OW_POD_DEL_FAILED);
	daemon_fallback_sigterm(d, cg, why);
}
