// SPDX-License-Identifier: GPL-2.0
/*
 * Pod deletions in the sender child (core/pod_delete.h): for each the daemon asks, a GET of
 * the pod (kube_pod.h judges it), then a DELETE with its UID as precondition, in the child's
 * curl multi handle beside the alerts, within the daemon's budget; then one answer back on
 * the socket. Every way it can end answers: the daemon falls back to its own SIGTERM on
 * anything but "accepted" (and on silence, at its own deadline).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "curl_dl.h"

#include "alert.h"
#include "alert_sender.h"
#include "alert_sender_int.h"
#include "kube_pod.h"
#include "log.h"

struct ow_pod_delete_req {
	bool busy, deleting; /* deleting: the GET is done, the DELETE in flight */
	uint32_t id;
	int64_t deadline_ms;
	char url[OW_WEBHOOK_URL_LEN + 384];
	char uid[65];
	char body_out[256]; /* the DELETE's: libcurl sends it from here (POSTFIELDS: no copy) */
	struct ow_http_request http;
	struct ow_http_body body;
	struct ow_kube_pod_facts facts;
	char ns[64], pod[254];
};

void ow_pod_deleter_init(struct ow_pod_deleter *pd, const struct ow_webhook_target *t,
			 unsigned int n, const struct curl_blob *ca, CURLM *multi, int sock)
{
	unsigned int i;

	*pd = (struct ow_pod_deleter){.ca = ca, .multi = multi, .sock = sock};
	for (i = 0; i < n && !pd->t; i++)
		if (t[i].fmt == OW_FMT_KUBE_EVENTS)
			pd->t = &t[i];
	pd->req = calloc(OW_POD_DELETES_MAX, sizeof(*pd->req));
}

static void answer(struct ow_pod_deleter *pd, uint32_t id, enum ow_pod_del_result res, long status,
		   const struct ow_kube_pod_facts *f, const char *error)
{
	struct ow_sender_reply r = {.type = OW_MSG_POD_DELETED};

	r.answer.id = id;
	r.answer.result = (int32_t)res;
	r.answer.status = (int32_t)status;
	r.answer.grace_s = f ? f->grace_s : -1;
	snprintf(r.answer.owner, sizeof(r.answer.owner), "%s", f ? f->owner : "");
	snprintf(r.answer.error, sizeof(r.answer.error), "%s", error ? error : "");
	/* Never blocks: a daemon that does not read gets its SIGTERM fallback at its deadline. */
	if (send(pd->sock, &r, sizeof(r), MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof(r) &&
	    errno != EPIPE && errno != ECONNRESET) /* the daemon stopped: nobody to tell */
		ow_log(OW_LOG_WARN, "pod_delete", "could not answer the daemon",
		       OW_STR("error", strerror(errno)));
}

static void release(struct ow_pod_deleter *pd, struct ow_pod_delete_req *q)
{
	if (q->http.easy)
		curl_multi_remove_handle(pd->multi, q->http.easy);
	ow_http_request_free(&q->http);
	ow_http_body_free(&q->body);
	q->busy = false;
}

static void finish(struct ow_pod_deleter *pd, struct ow_pod_delete_req *q,
		   enum ow_pod_del_result res, long status, const char *error)
{
	answer(pd, q->id, res, status, &q->facts, error);
	ow_log(ow_pod_del_stops(res) ? OW_LOG_INFO : OW_LOG_WARN, "pod_delete",
	       ow_pod_del_stops(res) ? "the API server is deleting the pod"
				     : "the pod was not deleted",
	       OW_STR("namespace", q->ns), OW_STR("pod", q->pod), OW_STR("pod_uid", q->uid),
	       OW_STR("result", ow_pod_del_result_name(res)), OW_INT("status", status),
	       OW_STR("owner", q->facts.owner), OW_STR("error", error ? error : ""));
	release(pd, q);
}

/* The next request of q: the GET, or the DELETE with its body. */
static int send_request(struct ow_pod_deleter *pd, struct ow_pod_delete_req *q, int64_t now)
{
	int64_t left = q->deadline_ms - now;
	int err = 0;

	if (left < 1)
		return -ETIMEDOUT;
	if (q->deleting)
		err = ow_kube_delete_body(q->uid, q->body_out, sizeof(q->body_out));
	if (!err)
		err = ow_http_api_init(&q->http, q->url, q->deleting ? q->body_out : NULL,
				       pd->t->token_file, (unsigned int)left, pd->ca, &q->body);
	if (!err && curl_multi_add_handle(pd->multi, q->http.easy) != CURLM_OK)
		err = -ENOMEM;
	return err;
}

void ow_pod_deleter_start(struct ow_pod_deleter *pd, const struct ow_sender_msg *m, int64_t now)
{
	struct ow_pod_delete_req *q = NULL;
	unsigned int i;
	int err;

	for (i = 0; pd->t && pd->req && i < OW_POD_DELETES_MAX && !q; i++)
		q = pd->req[i].busy ? NULL : &pd->req[i];
	if (!q) {
		answer(pd, m->arg, pd->t ? OW_POD_DEL_BUSY : OW_POD_DEL_UNAVAILABLE, 0, NULL,
		       pd->t ? "too many deletions in flight" : "no Kubernetes API target");
		return;
	}
	*q = (struct ow_pod_delete_req){.busy = true, .id = m->arg};
	q->deadline_ms = m->deadline_ms; /* the daemon's clock: a busy child has less */
	q->facts.grace_s = -1;
	snprintf(q->ns, sizeof(q->ns), "%s", m->alert.ns);
	snprintf(q->pod, sizeof(q->pod), "%s", m->alert.pod);
	snprintf(q->uid, sizeof(q->uid), "%s", m->alert.pod_uid);
	err = ow_kube_pod_url(pd->t->url, q->ns, q->pod, q->url, sizeof(q->url));
	if (!err)
		err = send_request(pd, q, now);
	if (err)
		finish(pd, q, OW_POD_DEL_FAILED, 0, strerror(-err));
}

/* The GET's 200: judge the pod, then DELETE it or answer why not. */
static void got_pod(struct ow_pod_deleter *pd, struct ow_pod_delete_req *q, int64_t now)
{
	int err;

	ow_kube_pod_judge(q->body.buf ? q->body.buf : "", q->body.len, q->uid, &q->facts);
	if (!q->facts.deletable) {
		finish(pd, q, q->facts.result, 200, NULL);
		return;
	}
	curl_multi_remove_handle(pd->multi, q->http.easy);
	ow_http_request_free(&q->http);
	ow_http_body_free(&q->body);
	q->deleting = true;
	err = send_request(pd, q, now);
	if (err)
		finish(pd, q, OW_POD_DEL_FAILED, 0, strerror(-err));
}

bool ow_pod_deleter_done(struct ow_pod_deleter *pd, CURL *easy, CURLcode rc, int64_t now)
{
	struct ow_pod_delete_req *q = NULL;
	long status = 0;
	unsigned int i;

	for (i = 0; pd->req && i < OW_POD_DELETES_MAX && !q; i++)
		q = pd->req[i].busy && pd->req[i].http.easy == easy ? &pd->req[i] : NULL;
	if (!q)
		return false;
	if (rc != CURLE_OK) {
		finish(pd, q, OW_POD_DEL_FAILED, 0,
		       q->http.errbuf[0] ? q->http.errbuf : curl_easy_strerror(rc));
		return true;
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	if (!q->deleting && status == 200)
		got_pod(pd, q, now);
	else
		finish(pd, q, ow_kube_pod_status(status, !q->deleting), status, NULL);
	return true;
}

bool ow_pod_deleter_idle(const struct ow_pod_deleter *pd)
{
	unsigned int i;

	for (i = 0; pd->req && i < OW_POD_DELETES_MAX; i++)
		if (pd->req[i].busy)
			return false;
	return true;
}

void ow_pod_deleter_free(struct ow_pod_deleter *pd)
{
	unsigned int i;

	for (i = 0; pd->req && i < OW_POD_DELETES_MAX; i++)
		if (pd->req[i].busy)
			release(pd, &pd->req[i]);
	free(pd->req);
	pd->req = NULL;
}
