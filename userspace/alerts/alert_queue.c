// SPDX-License-Identifier: GPL-2.0
/*
 * The alert sender child's work (see alert_sender.h): a bounded queue per target, a
 * token-bucket rate limit per target, what the limit held back coalesced into one message,
 * retries with exponential backoff and jitter (Retry-After honoured on 429), all requests in
 * one curl multi handle, and the counters the daemon reads. Started by alert_sender.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "curl_dl.h"

#include "alert.h"
#include "alert_sender.h"
#include "alert_sender_int.h"
#include "log.h"

/* How long the child still delivers when the daemon vanished without a stop message. */
#define DEFAULT_FLUSH_MS 2000

struct target_state {
	const struct ow_webhook_target *t;
	struct ow_alert *q; /* ring of cap alerts; the head batch is what is in flight */
	unsigned int head, count;
	struct ow_http_request req;
	bool busy;
	unsigned int batch; /* alerts in the request in flight */
	unsigned int tries; /* failed attempts of the head batch */
	int64_t next_ms;    /* no attempt before (backoff, Retry-After) */
	double tokens, burst, per_s;
	int64_t refill_ms;
	bool dropping; /* logged the queue-full episode already */
	uint64_t delivered, failed, dropped, messages, retries;
};

struct child {
	struct ow_alerter_cfg cfg;
	struct target_state *ts;
	unsigned int n;
	CURLM *multi;
	int sock;
	bool eof;
	int64_t deadline_ms;
	uint64_t rnd;
	struct curl_blob ca_store;
	const struct curl_blob *ca; /* &ca_store, or NULL: the system store */
	struct curl_blob kube_ca_store;
	const struct curl_blob *kube_ca; /* the API server's CA for the kubernetes target */
	bool no_events;			 /* that CA cannot be used: nothing for that target */
	struct ow_sender_counts *counts; /* the daemon's view of the totals, or NULL */
	struct ow_pod_deleter pd;	 /* pod deletions the daemon asked for */
};

/* Per-target rate limits: a token bucket of `burst` messages refilled at `per_s`. */
static void rate_limit(const struct ow_alerter_cfg *cfg, struct target_state *s)
{
	static const struct {
		double burst, per_s;
	} rates[OW_FMT_COUNT] = {
		[OW_FMT_JSON] = {5, 1},		[OW_FMT_SLACK] = {1, 1}, /* Slack: ~1/s */
		[OW_FMT_DISCORD] = {5, 2.5},	[OW_FMT_NTFY] = {5, 1},	 /* Discord: 5 per 2 s */
		[OW_FMT_TEAMS] = {4, 1},	[OW_FMT_GOTIFY] = {5, 1},
		[OW_FMT_PAGERDUTY] = {10, 2},	[OW_FMT_ALERTMANAGER] = {5, 1},
		[OW_FMT_KUBE_EVENTS] = {10, 1}, /* client-go's event broadcaster: burst 25 */
	};

	s->burst = cfg->interval_ms ? 1 : rates[s->t->fmt].burst;
	s->per_s = cfg->interval_ms ? 1000.0 / cfg->interval_ms : rates[s->t->fmt].per_s;
	s->tokens = s->burst;
}

static void refill(struct target_state *s, int64_t now)
{
	s->tokens += (double)(now - s->refill_ms) * s->per_s / 1000.0;
	if (s->tokens > s->burst)
		s->tokens = s->burst;
	s->refill_ms = now;
}

static uint64_t next_rand(struct child *c)
{
	c->rnd ^= c->rnd << 13; /* xorshift64: jitter needs no more */
	c->rnd ^= c->rnd >> 7;
	c->rnd ^= c->rnd << 17;
	return c->rnd;
}

/* Exponential backoff with "equal jitter": half fixed, half random, so that retries of many
 * alerters do not arrive in lockstep. */
static int64_t backoff_ms(struct child *c, unsigned int tries)
{
	uint64_t d = (uint64_t)c->cfg.backoff_ms << (tries - 1 < 20 ? tries - 1 : 20);

	if (d > c->cfg.max_backoff_ms)
		d = c->cfg.max_backoff_ms;
	return (int64_t)(d / 2 + next_rand(c) % (d / 2 + 1));
}

static struct ow_alert *at(struct child *c, struct target_state *s, unsigned int i)
{
	return &s->q[(s->head + i) % c->cfg.queue_len];
}

static bool same_owner(const struct ow_alert *a, const struct ow_alert *b)
{
	return a->owner_len == b->owner_len && !strncmp(a->path, b->path, a->owner_len);
}

/*
 * The queue full, the position of the alert a newcomer takes the place of: the oldest waiting
 * one of the owner with the most waiting (not the head batch, in flight or to be retried),
 * unless that owner is the newcomer's own (-1: the newcomer is dropped). A user whose own
 * cgroups make alerts in a loop (processes OOM-killed or acted on, over and over) otherwise
 * filled every target's queue, and the alerts of others were dropped while it went on (a
 * PagerDuty target sends one alert a request, two a second).
 */
static int evicted(struct child *c, struct target_state *s, const struct ow_alert *a)
{
	unsigned int i, j, n, most = 0, first = s->busy || s->tries ? s->batch : 0;
	int pos = -1;

	for (i = first; i < s->count; i++) {
		for (n = 0, j = first; j < s->count; j++)
			n += same_owner(at(c, s, i), at(c, s, j));
		if (n > most) {
			most = n;
			pos = (int)i;
		}
	}
	return pos >= 0 && !same_owner(at(c, s, (unsigned int)pos), a) ? pos : -1;
}

/* Takes the alert at position pos out of the queue, those behind it moved up. */
static void take_out(struct child *c, struct target_state *s, unsigned int pos)
{
	for (; pos + 1 < s->count; pos++)
		*at(c, s, pos) = *at(c, s, pos + 1);
	s->count--;
}

/* The queue full: the alert's place taken from the owner with the most waiting, or it is
 * dropped; logged once an episode. */
static bool full_queue(struct child *c, struct target_state *s, const struct ow_alert *a)
{
	int pos = evicted(c, s, a);

	s->dropped++;
	if (!s->dropping)
		ow_log(OW_LOG_WARN, "alert_dropped",
		       "alert queue full: dropping new alerts, or the oldest of the cgroup owner "
		       "with the most waiting",
		       OW_STR("target", s->t->redacted), OW_INT("queue", s->count));
	s->dropping = true;
	if (pos < 0)
		return false;
	take_out(c, s, (unsigned int)pos);
	return true;
}

static void enqueue(struct child *c, struct target_state *s, const struct ow_alert *a)
{
	if (s->count == c->cfg.queue_len && !full_queue(c, s, a))
		return;
	if (s->count < c->cfg.queue_len - 1)
		s->dropping = false;
	*at(c, s, s->count++) = *a;
}

static void pop(struct child *c, struct target_state *s, unsigned int n)
{
	s->head = (s->head + n) % c->cfg.queue_len;
	s->count -= n;
	s->tries = 0;
}

/* The head batch as one contiguous array (the ring may wrap). */
static unsigned int head_batch(struct child *c, struct target_state *s, struct ow_alert *out)
{
	unsigned int i, n = s->count, max = ow_alert_fmt_max_batch(s->t->fmt);

	n = n < max ? n : max;
	for (i = 0; i < n; i++)
		out[i] = s->q[(s->head + i) % c->cfg.queue_len];
	return n;
}

static void start(struct child *c, struct target_state *s, int64_t now)
{
	struct ow_alert batch[32];
	int err;

	s->batch = head_batch(c, s, batch);
	err = ow_http_request_init(&s->req, s->t, batch, s->batch, c->cfg.timeout_ms,
				   s->t->fmt == OW_FMT_KUBE_EVENTS ? c->kube_ca : c->ca);
	if (!err && curl_multi_add_handle(c->multi, s->req.easy) != CURLM_OK)
		err = -ENOMEM;
	if (err) {
		ow_log(OW_LOG_ERROR, "alert_failed", "could not build the request",
		       OW_STR("target", s->t->redacted), OW_STR("error", strerror(-err)),
		       OW_INT("alerts", s->batch));
		ow_http_request_free(&s->req);
		s->failed += s->batch;
		pop(c, s, s->batch);
		return;
	}
	s->tokens -= 1;
	s->busy = true;
	s->messages++;
}

static void retry_or_fail(struct child *c, struct target_state *s, CURLcode rc, long status,
			  enum ow_http_outcome o, int64_t now)
{
	const char *why = rc != CURLE_OK
				  ? (s->req.errbuf[0] ? s->req.errbuf : curl_easy_strerror(rc))
				  : "HTTP error";
	curl_off_t after = 0;
	int64_t delay;

	s->tries++;
	if (o == OW_HTTP_GIVE_UP || s->tries >= c->cfg.max_tries) {
		ow_log(OW_LOG_ERROR, "alert_failed", "giving up on an alert message",
		       OW_STR("target", s->t->redacted),
		       OW_STR("format", ow_alert_fmt_name(s->t->fmt)), OW_INT("status", status),
		       OW_STR("error", why), OW_INT("tries", s->tries), OW_INT("alerts", s->batch));
		s->failed += s->batch;
		pop(c, s, s->batch);
		return;
	}
	delay = backoff_ms(c, s->tries);
	if (status == 429 &&
	    curl_easy_getinfo(s->req.easy, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
		delay = 1000 * (after < c->cfg.max_retry_after ? after : c->cfg.max_retry_after);
	s->next_ms = now + delay;
	s->retries++;
	ow_log(OW_LOG_WARN, "alert_retry", "alert delivery failed, will retry",
	       OW_STR("target", s->t->redacted), OW_INT("status", status), OW_STR("error", why),
	       OW_INT("try", s->tries), OW_INT("delay_ms", delay), OW_INT("alerts", s->batch));
}

static void finished(struct child *c, CURL *easy, CURLcode rc, int64_t now)
{
	struct target_state *s = NULL;
	long status = 0;
	enum ow_http_outcome o;
	unsigned int i;

	if (ow_pod_deleter_done(&c->pd, easy, rc, now))
		return;
	for (i = 0; i < c->n && !s; i++)
		if (c->ts[i].busy && c->ts[i].req.easy == easy)
			s = &c->ts[i];
	if (!s)
		return;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	o = ow_http_classify(rc, status);
	if (o == OW_HTTP_DELIVERED) {
		ow_log(OW_LOG_DEBUG, "alert_sent", "alert delivered",
		       OW_STR("target", s->t->redacted), OW_INT("status", status),
		       OW_INT("alerts", s->batch));
		s->delivered += s->batch;
		pop(c, s, s->batch);
	} else {
		retry_or_fail(c, s, rc, status, o, now);
	}
	curl_multi_remove_handle(c->multi, easy);
	ow_http_request_free(&s->req);
	s->busy = false;
}

static void reap(struct child *c, int64_t now)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left)))
		if (m->msg == CURLMSG_DONE)
			finished(c, m->easy_handle, m->data.result, now);
}

static void drain_socket(struct child *c, int64_t now)
{
	static struct ow_sender_msg m;
	unsigned int i;
	ssize_t r;

	while (!c->eof) {
		r = recv(c->sock, &m, sizeof(m), MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r == (ssize_t)sizeof(m) && m.type == OW_MSG_ALERT) {
			for (i = 0; i < c->n; i++) {
				if (c->ts[i].t->fmt != OW_FMT_KUBE_EVENTS ||
				    (!c->no_events && ow_alert_kube_wanted(&m.alert)))
					enqueue(c, &c->ts[i], &m.alert);
			}
			continue;
		}
		if (r == (ssize_t)sizeof(m) && m.type == OW_MSG_DELETE_POD) {
			ow_pod_deleter_start(&c->pd, &m, now);
			continue;
		}
		/* STOP, EOF (the daemon is gone) or an error: deliver what we hold, then exit. */
		c->eof = true;
		c->deadline_ms = now + (r > 0 && m.type == OW_MSG_STOP ? m.arg : DEFAULT_FLUSH_MS);
	}
}

/* Start what may start; return how long until the next target could (ms, -1 = nothing). */
static int64_t schedule(struct child *c, int64_t now)
{
	int64_t wait = -1, w;
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		struct target_state *s = &c->ts[i];

		refill(s, now);
		if (s->busy || !s->count)
			continue;
		if (now >= s->next_ms && s->tokens >= 1) {
			start(c, s, now);
			if (s->busy)
				continue;
			w = 0; /* a batch failed to build: look at the rest at once */
		} else {
			w = s->next_ms - now;
			if (s->tokens < 1 && (int64_t)((1 - s->tokens) * 1000 / s->per_s) + 1 > w)
				w = (int64_t)((1 - s->tokens) * 1000 / s->per_s) + 1;
		}
		if (wait < 0 || w < wait)
			wait = w;
	}
	return wait;
}

static bool idle(const struct child *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (c->ts[i].busy || c->ts[i].count)
			return false;
	return ow_pod_deleter_idle(&c->pd);
}

/* Publish the totals to the daemon: three stores into the shared page, no system call. */
static void report_counts(struct child *c)
{
	uint64_t delivered = 0, failed = 0, dropped = 0;
	unsigned int i;

	if (!c->counts)
		return;
	for (i = 0; i < c->n; i++) {
		delivered += c->ts[i].delivered;
		failed += c->ts[i].failed;
		dropped += c->ts[i].dropped;
	}
	__atomic_store_n(&c->counts->delivered, delivered, __ATOMIC_RELAXED);
	__atomic_store_n(&c->counts->failed, failed, __ATOMIC_RELAXED);
	__atomic_store_n(&c->counts->dropped, dropped, __ATOMIC_RELAXED);
}

static void child_loop(struct child *c)
{
	struct curl_waitfd wfd = {.fd = c->sock, .events = CURL_WAIT_POLLIN};
	int64_t now, wait;
	int running;

	for (;;) {
		now = ow_sender_now_ms();
		drain_socket(c, now);
		curl_multi_perform(c->multi, &running);
		reap(c, now);
		/* After reap: a request that just failed sets its retry time. A request started
		 * here is due at once in curl's timers, so the poll below returns at once. */
		wait = schedule(c, now);
		report_counts(c);
		if (c->eof && (idle(c) || now >= c->deadline_ms))
			return;
		if (wait < 0 || wait > 1000)
			wait = 1000;
		if (c->eof && c->deadline_ms - now < wait)
			wait = c->deadline_ms - now;
		curl_multi_poll(c->multi, c->eof ? NULL : &wfd, c->eof ? 0 : 1, (int)wait, NULL);
	}
}

/* Count what is still queued at exit as dropped; log the counters. Exit 0 if all went out. */
static int child_finish(struct child *c)
{
	unsigned int i;
	int rc = 0;

	for (i = 0; i < c->n; i++) {
		struct target_state *s = &c->ts[i];

		if (s->busy) {
			curl_multi_remove_handle(c->multi, s->req.easy);
			ow_http_request_free(&s->req);
		}
		s->dropped += s->count;
		if (s->failed || s->dropped)
			rc = 1;
		ow_log(s->failed || s->dropped ? OW_LOG_WARN : OW_LOG_INFO, "alert_stats",
		       "alert delivery counters", OW_STR("target", s->t->redacted),
		       OW_STR("format", ow_alert_fmt_name(s->t->fmt)),
		       OW_INT("delivered", s->delivered), OW_INT("failed", s->failed),
		       OW_INT("dropped", s->dropped), OW_INT("messages", s->messages),
		       OW_INT("retries", s->retries));
	}
	ow_pod_deleter_free(&c->pd);
	report_counts(c); /* with the drops counted just now */
	return rc;
}

int ow_sender_child_main(int sock, const struct ow_sender_creds *cr,
			 const struct ow_webhook_target *t, unsigned int n,
			 const struct ow_alerter_cfg *cfg, struct ow_sender_counts *counts)
{
	struct child c = {.cfg = *cfg, .n = n, .counts = counts};
	char why[512];
	unsigned int i;

	c.sock = ow_sender_child_setup(sock, cr, "ow-alert");
	if (c.sock < 0 || ow_curl_load() || curl_global_init(CURL_GLOBAL_DEFAULT))
		return 2;
	c.ca = ow_http_ca_blob(cfg, &c.ca_store);
	c.kube_ca_store =
		(struct curl_blob){(void *)cfg->kube_ca_pem, cfg->kube_ca_len, CURL_BLOB_NOCOPY};
	c.kube_ca = cfg->kube_ca_pem ? &c.kube_ca_store : c.ca;
	if (ow_http_check_tls(c.kube_ca, why, sizeof(why))) {
		ow_log(OW_LOG_ERROR, "alerter",
		       "cannot verify the Kubernetes API server with --kube-credentials' ca.crt: "
		       "no Events",
		       OW_STR("error", why));
		c.kube_ca = NULL;
		c.no_events = true;
	}
	if (ow_http_check_tls(c.ca, why, sizeof(why))) {
		ow_log(OW_LOG_ERROR, "alerter",
		       "cannot verify HTTPS as configured: not sending alerts",
		       OW_STR("error", why));
		return 2;
	}
	c.multi = curl_multi_init();
	c.ts = calloc(n, sizeof(*c.ts));
	c.rnd = (uint64_t)ow_sender_now_ms() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	for (i = 0; c.ts && i < n; i++) {
		c.ts[i].t = &t[i];
		c.ts[i].q = calloc(cfg->queue_len, sizeof(struct ow_alert));
		c.ts[i].refill_ms = ow_sender_now_ms();
		rate_limit(cfg, &c.ts[i]);
		/* The child exits with this status: the kernel frees its memory. */
		if (!c.ts[i].q)
			return 2; // cppcheck-suppress memleak
	}
	if (!c.multi || !c.ts)
		return 2;
	ow_pod_deleter_init(&c.pd, c.no_events ? NULL : t, c.no_events ? 0 : n, c.kube_ca, c.multi,
			    c.sock);
	ow_log(OW_LOG_DEBUG, "alerter", "alert sender ready", OW_INT("uid", getuid()),
	       OW_INT("targets", n));
	child_loop(&c);
	return child_finish(&c);
}
