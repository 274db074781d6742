/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Alert delivery (alert_sender.c, alert_queue.c, alert_http.c). The network code
 * runs in a child process forked at start that drops to an unprivileged user with no
 * capabilities before it touches the network; the daemon hands it alerts through a
 * non-blocking socket and never waits on it.
 *
 * The child keeps a bounded queue per target, sends with libcurl, retries with exponential
 * backoff and jitter, honours 429 + Retry-After, keeps per-target rate limits and coalesces
 * what the rate limit held back into one message. It logs failures (URLs redacted) and its
 * counters (delivered, failed, dropped) on exit.
 */
#ifndef OW_ALERT_SENDER_H
#define OW_ALERT_SENDER_H

#include <stdint.h>

#include "alert.h"

/* Zero means the default for every field. */
struct ow_alerter_cfg {
	const char *user;	      /* drop to this user; default "nobody" (group "nogroup") */
	unsigned int queue_len;	      /* alerts waiting per target; default 64 */
	unsigned int max_tries;	      /* attempts per message; default 6 */
	unsigned int backoff_ms;      /* first retry delay; default 1000, doubled each time */
	unsigned int max_backoff_ms;  /* default 60000 */
	unsigned int max_retry_after; /* cap on a Retry-After, seconds; default 600 */
	unsigned int timeout_ms;      /* one request; default 10000 */
	unsigned int interval_ms;     /* override the per-format rate limit: one per interval */
	/* A PEM CA bundle in memory (ca_bundle.h), read by the caller while it still may: the
	 * child takes its own copy at the fork, then drops privileges. It alone verifies HTTPS
	 * targets, instead of the system store; NULL: the system store. Verification is always
	 * on. */
	const char *ca_pem;
	size_t ca_len;
	/* The Kubernetes API server's CA (--kube-api's ca.crt), for its target alone. */
	const char *kube_ca_pem;
	size_t kube_ca_len;
};

struct ow_alerter;

/* Counters, per alert and target: the parent's own, and the child's totals as of the last
 * ow_alerter_poll (the child also logs them on exit). */
struct ow_alerter_stats {
	uint64_t queued;	/* handed to the child */
	uint64_t dropped;	/* the socket was full or the child gone */
	uint64_t delivered;	/* child: 2xx */
	uint64_t failed;	/* child: given up on after retries, or unbuildable */
	uint64_t child_dropped; /* child: a target's queue was full, or left at exit */
};

/*
 * Fork the sender. Call early, before BPF objects and other descriptors are opened (the child
 * closes every descriptor but stderr anyway). 0 and *out, or -errno.
 */
int ow_alerter_start(const struct ow_webhook_target *t, unsigned int n,
		     const struct ow_alerter_cfg *cfg, struct ow_alerter **out);

/*
 * Hand one alert to the sender. Never blocks: 0 if queued, -EAGAIN if the socket is full
 * (counted as dropped), -EPIPE if the sender is gone. A NULL alerter is a no-op (returns 0).
 */
int ow_alerter_send(struct ow_alerter *al, const struct ow_alert *a);

/*
 * Ask the sender to delete the pod of a->ns, a->pod, a->pod_uid through the Kubernetes API
 * (core/pod_delete.h), its answer out within budget_ms of now. Never blocks: 0 if asked, -EAGAIN,
 * -EPIPE, -ENODEV without a sender. Its answer comes as a struct ow_pod_delete_answer
 * (ow_alerter_answer).
 */
int ow_alerter_delete_pod(struct ow_alerter *al, const struct ow_alert *a, uint32_t id,
			  unsigned int budget_ms);

struct ow_pod_delete_answer {
	uint32_t id;
	int32_t result;	 /* enum ow_pod_del_result */
	int32_t status;	 /* the last HTTP status, 0: none */
	double grace_s;	 /* the pod's terminationGracePeriodSeconds, -1: unknown */
	char owner[96];	 /* its controller, "ReplicaSet/web-5d9c", or "" */
	char error[160]; /* what went wrong, or "" */
};

/* The socket the answers arrive on (for epoll), -1 without a sender. */
int ow_alerter_fd(const struct ow_alerter *al);
/* One answer waiting on the socket: 1 and *out, 0 when none is, -EPIPE when the sender is gone. */
int ow_alerter_answer(struct ow_alerter *al, struct ow_pod_delete_answer *out);

/* Read the child's counter reports waiting on the socket (never blocks). The child sends its
 * totals after they change; the daemon reads them when it writes metrics. */
void ow_alerter_poll(struct ow_alerter *al);
struct ow_alerter_stats ow_alerter_stats(const struct ow_alerter *al);
/* sum += s, field by field. */
void ow_alerter_stats_add(struct ow_alerter_stats *sum, const struct ow_alerter_stats *s);

/*
 * Let the sender deliver what it holds for up to flush_ms, then reap it (SIGKILL if it does
 * not exit in time) and free al. Returns the child's exit status (0 when it delivered all).
 */
int ow_alerter_stop(struct ow_alerter *al, unsigned int flush_ms);
/* The same, and the sender's final totals into *last (zero for a NULL al). */
int ow_alerter_stop_stats(struct ow_alerter *al, unsigned int flush_ms,
			  struct ow_alerter_stats *last);

/* Fill the fields every alert has: kind, host, time, eta and lead INFINITY; zero the rest. */
void ow_alert_init(struct ow_alert *a, enum ow_alert_kind kind);

struct ow_alert_test_result {
	long http_status; /* 0: no HTTP response */
	char error[256];  /* "" on 2xx */
};

/*
 * `oomwarden alert-test`: one test alert to each target, one attempt each, sequentially, in
 * a forked child that drops privileges like the sender. Fills res[i] for each target; 0 if
 * every target answered 2xx, -EIO if one did not, -errno if the child could not run.
 */
int ow_alert_test(const struct ow_webhook_target *t, unsigned int n,
		  const struct ow_alerter_cfg *cfg, struct ow_alert_test_result *res);

#endif /* OW_ALERT_SENDER_H */
