/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The alert sender's parts, private to them: alert_sender.c (the daemon's side, the
 * child's start and privileges, alert-test), alert_queue.c (the sender child: queues, rate
 * limits, retries) and alert_http.c (one HTTP request through libcurl, TLS).
 */
#ifndef OW_ALERT_SENDER_INT_H
#define OW_ALERT_SENDER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "curl_dl.h"

#include "alert.h"
#include "alert_sender.h"

/* ---- the socket between the daemon and the child ---- */

/* Daemon to child: ALERT, STOP, DELETE_POD (the pod of alert.ns, .pod, .pod_uid; arg: the
 * request's id, deadline_ms: when its answer must be out, CLOCK_MONOTONIC ms as
 * ow_sender_now_ms: both processes read the same clock). Child to daemon:
 * POD_DELETED, a struct ow_pod_delete_answer. */
enum { OW_MSG_ALERT = 1, OW_MSG_STOP = 2, OW_MSG_DELETE_POD = 3, OW_MSG_POD_DELETED = 4 };

struct ow_sender_msg {
	uint32_t type;
	uint32_t arg; /* OW_MSG_STOP: flush time, ms; OW_MSG_DELETE_POD: the request's id */
	int64_t deadline_ms;
	struct ow_alert alert;
};

struct ow_sender_reply {
	uint32_t type; /* OW_MSG_POD_DELETED */
	struct ow_pod_delete_answer answer;
};

/* Child to daemon: the child's totals so far, summed over targets, in a shared anonymous page
 * mapped before the fork. A page, not messages on the socket: messages the daemon reads only
 * when it writes metrics filled the socket's queue and held up the child's deliveries (seen in
 * tests/alert's hung-receiver test). Each field is written and read atomically. */
struct ow_sender_counts {
	uint64_t delivered, failed, dropped;
};

/* Who the child becomes, looked up in the daemon before the fork. */
struct ow_sender_creds {
	bool change; /* we are root: switch to uid/gid */
	uid_t uid;
	gid_t gid;
};

/* CLOCK_MONOTONIC, ms. */
int64_t ow_sender_now_ms(void);

/* The start of every child: a clean signal state, no inherited descriptor but stdio and
 * `keep`, no privileges. Returns the kept descriptor's new number or -errno. */
int ow_sender_child_setup(int keep, const struct ow_sender_creds *cr, const char *name);

/* The sender child (alert_queue.c): deliver what arrives on sock until the daemon stops it.
 * Returns the exit status: 0 if everything went out, 1 if not, 2 if it could not start. */
int ow_sender_child_main(int sock, const struct ow_sender_creds *cr,
			 const struct ow_webhook_target *t, unsigned int n,
			 const struct ow_alerter_cfg *cfg, struct ow_sender_counts *counts);

/* ---- one HTTP request (alert_http.c) ---- */

/* An answer's body, kept (the Kubernetes API's); NUL-terminated. */
struct ow_http_body {
	char *buf;
	size_t len;
	bool truncated; /* longer than the most kept: the transfer was cut */
};
void ow_http_body_free(struct ow_http_body *b);

struct ow_http_request {
	CURL *easy;
	struct curl_slist *hdrs;
	struct ow_payload pl;
	char errbuf[CURL_ERROR_SIZE];
};

/* The payload of n alerts for t as a POST ready to perform. 0 or -errno; free either way. */
int ow_http_request_init(struct ow_http_request *r, const struct ow_webhook_target *t,
			 const struct ow_alert *a, unsigned int n, unsigned int timeout_ms,
			 const struct curl_blob *ca);
void ow_http_request_free(struct ow_http_request *r);

/* A GET of url (body NULL) or a DELETE with body, as JSON, to the Kubernetes API with the
 * bearer token of token_file; the answer's body into *out. body is not copied: it must live
 * until the request is freed. 0 or -errno; free either way. */
int ow_http_api_init(struct ow_http_request *r, const char *url, const char *body,
		     const char *token_file, unsigned int timeout_ms, const struct curl_blob *ca,
		     struct ow_http_body *out);

/* What a finished request means for a retry. */
enum ow_http_outcome { OW_HTTP_DELIVERED, OW_HTTP_RETRY, OW_HTTP_GIVE_UP };

enum ow_http_outcome ow_http_classify(CURLcode rc, long status);

/* The CA bundle of cfg as libcurl takes it, in *b; NULL without one: the system store. */
const struct curl_blob *ow_http_ca_blob(const struct ow_alerter_cfg *cfg, struct curl_blob *b);
/* Whether this libcurl can verify with ca: 0, or -ENOTSUP with the reason in why. */
int ow_http_check_tls(const struct curl_blob *ca, char *why, size_t len);

/* alert-test: one test alert to t, one attempt, synchronously. */
void ow_http_test_one(const struct ow_webhook_target *t, unsigned int timeout_ms,
		      const struct curl_blob *ca, struct ow_alert_test_result *res);

/* ---- pod deletions in the child (pod_delete.c) ---- */

#define OW_POD_DELETES_MAX 4 /* in flight at once; more are answered "unavailable" */

struct ow_pod_delete_req;

struct ow_pod_deleter {
	const struct ow_webhook_target *t; /* the Kubernetes API target, NULL: none */
	const struct curl_blob *ca;
	CURLM *multi;
	int sock;
	struct ow_pod_delete_req *req; /* OW_POD_DELETES_MAX of them */
};

void ow_pod_deleter_init(struct ow_pod_deleter *pd, const struct ow_webhook_target *t,
			 unsigned int n, const struct curl_blob *ca, CURLM *multi, int sock);
/* A DELETE_POD message: start its GET, or answer at once why not. */
void ow_pod_deleter_start(struct ow_pod_deleter *pd, const struct ow_sender_msg *m, int64_t now);
/* A transfer of the multi handle finished: true if it was one of the deleter's. */
bool ow_pod_deleter_done(struct ow_pod_deleter *pd, CURL *easy, CURLcode rc, int64_t now);
bool ow_pod_deleter_idle(const struct ow_pod_deleter *pd);
void ow_pod_deleter_free(struct ow_pod_deleter *pd);

#endif /* OW_ALERT_SENDER_INT_H */
