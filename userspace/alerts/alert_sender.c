// SPDX-License-Identifier: GPL-2.0
/*
 * Alert delivery: see userspace/alerts/alert_sender.h. The daemon forks one child at start; the
 * child drops to an unprivileged user with no capabilities, then owns every network connection.
 * Alerts cross a SOCK_SEQPACKET socketpair as fixed-size records: a send either queues the
 * whole record or fails with EAGAIN at once, so the daemon's kill path never waits, and
 * MSG_NOSIGNAL means a dead child costs an error code, not a SIGPIPE.
 */
#include <errno.h>
#include <stddef.h>
#include <grp.h>
#include <linux/capability.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "curl_dl.h"

#include "alert.h"
#include "alert_sender.h"
#include "log.h"

#ifndef OW_VERSION
#define OW_VERSION "dev"
#endif

#define CHILD_SOCK_FD	 3
#define DEFAULT_FLUSH_MS 2000
#define SNDBUF_BYTES	 (1 << 20)

enum { MSG_ALERT = 1, MSG_STOP = 2 };

struct msg {
	uint32_t type;
	uint32_t arg; /* MSG_STOP: flush time, ms */
	struct ow_alert alert;
};

/* Child to daemon: the child's totals so far, summed over targets, in a shared anonymous page
 * mapped before the fork. A page, not messages on the socket: messages the daemon reads only
 * when it writes metrics filled the socket's queue and held up the child's deliveries (seen in
 * tests/alert's hung-receiver test). Each field is written and read atomically. */
struct shared_counts {
	uint64_t delivered, failed, dropped;
};

struct ow_alerter {
	pid_t pid;
	int pidfd; /* -1 if pidfd_open is missing: then waitpid polling */
	int sock;
	struct shared_counts *counts; /* shared with the child; NULL if mmap failed */
	struct ow_alerter_stats st;
};

struct creds {
	bool change; /* we are root: switch to uid/gid */
	uid_t uid;
	gid_t gid;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ow_alert_init(struct ow_alert *a, enum ow_alert_kind kind)
{
	struct timespec ts;

	memset(a, 0, sizeof(*a));
	a->kind = kind;
	if (gethostname(a->host, sizeof(a->host) - 1))
		snprintf(a->host, sizeof(a->host), "?");
	clock_gettime(CLOCK_REALTIME, &ts);
	a->time_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	a->started_ns = a->time_ns;
	a->eta_s = INFINITY;
}

static void cfg_defaults(const struct ow_alerter_cfg *in, struct ow_alerter_cfg *c)
{
	*c = in ? *in : (struct ow_alerter_cfg){0};
	c->user = c->user ? c->user : "nobody";
	c->queue_len = c->queue_len ? c->queue_len : 64;
	c->max_tries = c->max_tries ? c->max_tries : 6;
	c->backoff_ms = c->backoff_ms ? c->backoff_ms : 1000;
	c->max_backoff_ms = c->max_backoff_ms ? c->max_backoff_ms : 60000;
	c->max_retry_after = c->max_retry_after ? c->max_retry_after : 600;
	c->timeout_ms = c->timeout_ms ? c->timeout_ms : 10000;
}

/* ---- privileges ---- */

/* Look the user up in the parent: NSS after fork() is best avoided, and a typo is reported
 * to the caller instead of killing the child. */
static int resolve_creds(const char *user, struct creds *cr)
{
	struct passwd *pw;
	struct group *gr;

	cr->change = geteuid() == 0;
	if (!cr->change)
		return 0;
	pw = getpwnam(user);
	if (!pw)
		return -ENOENT;
	cr->uid = pw->pw_uid;
	cr->gid = pw->pw_gid;
	gr = !strcmp(user, "nobody") ? getgrnam("nogroup") : NULL;
	if (gr)
		cr->gid = gr->gr_gid;
	return cr->uid == 0 ? -EPERM : 0;
}

static bool caps_empty(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &hdr, d))
		return false;
	return !(d[0].effective | d[0].permitted | d[0].inheritable | d[1].effective |
		 d[1].permitted | d[1].inheritable);
}

static int clear_caps(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (caps_empty())
		return 0;
	/* Not root but started with capabilities (file caps, ambient): give them up. */
	if (syscall(SYS_capset, &hdr, d))
		return -errno;
	return caps_empty() ? 0 : -EPERM;
}

static int drop_privileges(const struct creds *cr)
{
	int cap;

	if (cr->change) {
		/* With CAP_SETPCAP still held: no capability may come back through exec. */
		for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
		if (setgroups(0, NULL) || setresgid(cr->gid, cr->gid, cr->gid) ||
		    setresuid(cr->uid, cr->uid, cr->uid))
			return -errno;
		if (setuid(0) == 0) /* must be impossible now */
			return -EPERM;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return clear_caps();
}

/* ---- TLS ---- */

/*
 * Verification is always on, set explicitly so that no default can turn it off. With a bundle
 * it is the only trust: libcurl reads CURLOPT_CAINFO_BLOB from memory (the file was read before
 * the drop to nobody; a CURLOPT_CAINFO path is opened when libcurl connects, after the drop, and
 * fails on a file only root may read: "error setting certificate file"), and the built-in CA
 * file and directory are cleared: a blob replaces only the file, and Debian's libcurl (built
 * --with-ca-path=/etc/ssl/certs) would still trust that directory beside it.
 */
static CURLcode set_tls(CURL *easy, const struct curl_blob *ca)
{
	CURLcode rc = curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);

	if (rc == CURLE_OK)
		rc = curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (rc == CURLE_OK && ca)
		rc = curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, ca);
	if (rc == CURLE_OK && ca)
		rc = curl_easy_setopt(easy, CURLOPT_CAINFO, (char *)NULL);
	if (rc == CURLE_OK && ca)
		rc = curl_easy_setopt(easy, CURLOPT_CAPATH, (char *)NULL);
	return rc;
}

/* A libcurl older than 7.77, or one whose TLS library takes no CA blob (GnuTLS), refuses the
 * bundle: found once at start with the reason, rather than at every alert. 0 or -ENOTSUP. */
static int check_tls(const struct curl_blob *ca, char *why, size_t len)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	CURL *easy = curl_easy_init();
	CURLcode rc;

	if (!easy)
		return -ENOMEM;
	rc = set_tls(easy, ca);
	curl_easy_cleanup(easy);
	if (rc == CURLE_OK)
		return 0;
	snprintf(why, len,
		 "libcurl %s (%s) cannot verify with webhook_ca: %s (needs libcurl 7.77 or later "
		 "with OpenSSL)",
		 v->version, v->ssl_version ? v->ssl_version : "no TLS", curl_easy_strerror(rc));
	return -ENOTSUP;
}

/* The bundle as libcurl takes it; NULL without one. NOCOPY: the bytes live as long as we do. */
static const struct curl_blob *ca_blob(const struct ow_alerter_cfg *cfg, struct curl_blob *b)
{
	if (!cfg->ca_pem)
		return NULL;
	*b = (struct curl_blob){(void *)cfg->ca_pem, cfg->ca_len, CURL_BLOB_NOCOPY};
	return b;
}

/* ---- one HTTP request ---- */

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	return size * n; /* receivers' answers are not ours to print */
}

struct request {
	CURL *easy;
	struct curl_slist *hdrs;
	struct ow_payload pl;
	char errbuf[CURL_ERROR_SIZE];
};

static void request_free(struct request *r)
{
	if (r->easy)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	ow_payload_free(&r->pl);
	r->easy = NULL;
	r->hdrs = NULL;
}

static int request_init(struct request *r, const struct ow_webhook_target *t,
			const struct ow_alert *a, unsigned int n, unsigned int timeout_ms,
			const struct curl_blob *ca)
{
	char ctype[128];
	unsigned int i;
	int err = ow_alert_coalesce(t, a, n, &r->pl);

	if (err)
		return err;
	r->easy = curl_easy_init();
	if (!r->easy)
		return -ENOMEM;
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", r->pl.content_type);
	r->hdrs = curl_slist_append(r->hdrs, ctype);
	for (i = 0; i < r->pl.nheaders; i++)
		r->hdrs = curl_slist_append(r->hdrs, r->pl.headers[i]);
	/* No "100 continue" round trip: it costs a second against receivers that skip it. */
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	r->errbuf[0] = '\0';
	curl_easy_setopt(r->easy, CURLOPT_URL, t->url);
	curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->pl.body);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, (long)r->pl.len);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(r->easy, CURLOPT_USERAGENT, "oomwarden/" OW_VERSION);
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, discard);
	if (set_tls(r->easy, ca) != CURLE_OK)
		return -ENOTSUP; /* check_tls said so at start already */
	return r->hdrs ? 0 : -ENOMEM;
}

/* What a finished request means for a retry. */
enum outcome { DELIVERED, RETRY, GIVE_UP };

static enum outcome classify(CURLcode rc, long status)
{
	if (rc != CURLE_OK)
		return RETRY; /* connection refused, timeout, TLS: the receiver may come back */
	if (status >= 200 && status < 300)
		return DELIVERED;
	if (status == 429 || status == 408 || status >= 500)
		return RETRY;
	return GIVE_UP; /* 4xx: a wrong URL or token stays wrong */
}

/* ---- the child: queues, rate limits, retries ---- */

struct target_state {
	const struct ow_webhook_target *t;
	struct ow_alert *q; /* ring of cap alerts; the head batch is what is in flight */
	unsigned int head, count;
	struct request req;
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
	const struct curl_blob *ca;   /* &ca_store, or NULL: the system store */
	struct shared_counts *counts; /* the daemon's view of the totals, or NULL */
};

/* Per-target rate limits: a token bucket of `burst` messages refilled at `per_s`. */
static void rate_limit(const struct ow_alerter_cfg *cfg, struct target_state *s)
{
	static const struct {
		double burst, per_s;
	} rates[OW_FMT_COUNT] = {
		[OW_FMT_JSON] = {5, 1},	      [OW_FMT_SLACK] = {1, 1}, /* Slack: ~1/s */
		[OW_FMT_DISCORD] = {5, 2.5},  [OW_FMT_NTFY] = {5, 1},  /* Discord: 5 per 2 s */
		[OW_FMT_TEAMS] = {4, 1},      [OW_FMT_GOTIFY] = {5, 1},
		[OW_FMT_PAGERDUTY] = {10, 2}, [OW_FMT_ALERTMANAGER] = {5, 1},
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

static void enqueue(struct child *c, struct target_state *s, const struct ow_alert *a)
{
	if (s->count == c->cfg.queue_len) {
		s->dropped++;
		if (!s->dropping)
			ow_log(OW_LOG_WARN, "alert_dropped",
			       "alert queue full: dropping new alerts",
			       OW_STR("target", s->t->redacted), OW_INT("queue", s->count));
		s->dropping = true;
		return;
	}
	s->dropping = false;
	s->q[(s->head + s->count++) % c->cfg.queue_len] = *a;
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
	err = request_init(&s->req, s->t, batch, s->batch, c->cfg.timeout_ms, c->ca);
	if (!err && curl_multi_add_handle(c->multi, s->req.easy) != CURLM_OK)
		err = -ENOMEM;
	if (err) {
		ow_log(OW_LOG_ERROR, "alert_failed", "could not build the request",
		       OW_STR("target", s->t->redacted), OW_STR("error", strerror(-err)),
		       OW_INT("alerts", s->batch));
		request_free(&s->req);
		s->failed += s->batch;
		pop(c, s, s->batch);
		return;
	}
	s->tokens -= 1;
	s->busy = true;
	s->messages++;
}

static void retry_or_fail(struct child *c, struct target_state *s, CURLcode rc, long status,
			  enum outcome o, int64_t now)
{
	const char *why = rc != CURLE_OK
				  ? (s->req.errbuf[0] ? s->req.errbuf : curl_easy_strerror(rc))
				  : "HTTP error";
	curl_off_t after = 0;
	int64_t delay;

	s->tries++;
	if (o == GIVE_UP || s->tries >= c->cfg.max_tries) {
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
	enum outcome o;
	unsigned int i;

	for (i = 0; i < c->n && !s; i++)
		if (c->ts[i].busy && c->ts[i].req.easy == easy)
			s = &c->ts[i];
	if (!s)
		return;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	o = classify(rc, status);
	if (o == DELIVERED) {
		ow_log(OW_LOG_DEBUG, "alert_sent", "alert delivered",
		       OW_STR("target", s->t->redacted), OW_INT("status", status),
		       OW_INT("alerts", s->batch));
		s->delivered += s->batch;
		pop(c, s, s->batch);
	} else {
		retry_or_fail(c, s, rc, status, o, now);
	}
	curl_multi_remove_handle(c->multi, easy);
	request_free(&s->req);
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
	static struct msg m;
	unsigned int i;
	ssize_t r;

	while (!c->eof) {
		r = recv(c->sock, &m, sizeof(m), MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r == (ssize_t)sizeof(m) && m.type == MSG_ALERT) {
			for (i = 0; i < c->n; i++)
				enqueue(c, &c->ts[i], &m.alert);
			continue;
		}
		/* STOP, EOF (the daemon is gone) or an error: deliver what we hold, then exit. */
		c->eof = true;
		c->deadline_ms = now + (r > 0 && m.type == MSG_STOP ? m.arg : DEFAULT_FLUSH_MS);
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
	return true;
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
		now = now_ms();
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
			request_free(&s->req);
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
	report_counts(c); /* with the drops counted just now */
	return rc;
}

/* The start of every child: a clean signal state, no inherited descriptor but stdio and
 * `keep`, no privileges. Returns the kept descriptor's new number or -errno. */
static int child_setup(int keep, const struct creds *cr, const char *name)
{
	sigset_t all;
	int err;

	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	/* The daemon's stop (Ctrl-C, systemd's SIGTERM to the whole unit) must not lose the
	 * alerts in flight: the child ends when the daemon closes the socket. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	if (keep != CHILD_SOCK_FD && dup2(keep, CHILD_SOCK_FD) < 0)
		return -errno;
	close_range(CHILD_SOCK_FD + 1, ~0U, 0);
	err = drop_privileges(cr);
	if (err) {
		ow_log(OW_LOG_ERROR, "alerter", "could not drop privileges: not sending alerts",
		       OW_STR("error", strerror(-err)));
		return err;
	}
	return CHILD_SOCK_FD;
}

static int child_main(int sock, const struct creds *cr, const struct ow_webhook_target *t,
		      unsigned int n, const struct ow_alerter_cfg *cfg,
		      struct shared_counts *counts)
{
	struct child c = {.cfg = *cfg, .n = n, .counts = counts};
	char why[512];
	unsigned int i;

	c.sock = child_setup(sock, cr, "ow-alert");
	if (c.sock < 0 || ow_curl_load() || curl_global_init(CURL_GLOBAL_DEFAULT))
		return 2;
	c.ca = ca_blob(cfg, &c.ca_store);
	if (check_tls(c.ca, why, sizeof(why))) {
		ow_log(OW_LOG_ERROR, "alerter",
		       "cannot verify HTTPS as configured: not sending alerts",
		       OW_STR("error", why));
		return 2;
	}
	c.multi = curl_multi_init();
	c.ts = calloc(n, sizeof(*c.ts));
	c.rnd = (uint64_t)now_ms() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	for (i = 0; c.ts && i < n; i++) {
		c.ts[i].t = &t[i];
		c.ts[i].q = calloc(cfg->queue_len, sizeof(struct ow_alert));
		c.ts[i].refill_ms = now_ms();
		rate_limit(cfg, &c.ts[i]);
		/* The child exits with this status: the kernel frees its memory. */
		if (!c.ts[i].q)
			return 2; // cppcheck-suppress memleak
	}
	if (!c.multi || !c.ts)
		return 2;
	ow_log(OW_LOG_DEBUG, "alerter", "alert sender ready", OW_INT("uid", getuid()),
	       OW_INT("targets", n));
	child_loop(&c);
	return child_finish(&c);
}

/* ---- the parent side ---- */

static void grow_sndbuf(int fd)
{
	int sz = SNDBUF_BYTES;

	/* A burst of alerts waits here while the child is busy; root may exceed wmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

int ow_alerter_start(const struct ow_webhook_target *t, unsigned int n,
		     const struct ow_alerter_cfg *cfg_in, struct ow_alerter **out)
{
	struct ow_alerter_cfg cfg;
	struct ow_alerter *al;
	struct creds cr;
	int sv[2], err;

	cfg_defaults(cfg_in, &cfg);
	err = resolve_creds(cfg.user, &cr);
	if (err)
		return err;
	al = calloc(1, sizeof(*al));
	if (!al)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		err = -errno;
		free(al);
		return err;
	}
	grow_sndbuf(sv[0]);
	al->counts = mmap(NULL, sizeof(*al->counts), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (al->counts == MAP_FAILED)
		al->counts = NULL; /* alerts still go out; the metrics lack the counts */
	al->pid = fork();
	if (al->pid == 0) {
		close(sv[0]);
		_exit(child_main(sv[1], &cr, t, n, &cfg, al->counts));
	}
	err = al->pid < 0 ? -errno : 0;
	close(sv[1]);
	if (err) {
		close(sv[0]);
		free(al);
		return err;
	}
	al->sock = sv[0];
	al->pidfd = (int)syscall(SYS_pidfd_open, al->pid, 0);
	*out = al;
	return 0;
}

static bool is_power_of_10(uint64_t n)
{
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	return n == 1;
}

int ow_alerter_send(struct ow_alerter *al, const struct ow_alert *a)
{
	struct msg m = {.type = MSG_ALERT, .alert = *a};

	if (!al)
		return 0;
	if (send(al->sock, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(m)) {
		al->st.queued++;
		return 0;
	}
	/* Log the 1st, 10th, 100th... drop: the kill path may be the caller, keep it quiet. */
	if (is_power_of_10(++al->st.dropped))
		ow_log(OW_LOG_WARN, "alert_dropped",
		       errno == EAGAIN ? "the alert sender is busy: alert dropped"
				       : "the alert sender is gone: alert dropped",
		       OW_INT("dropped", al->st.dropped));
	return errno == EAGAIN ? -EAGAIN : -EPIPE;
}

void ow_alerter_poll(struct ow_alerter *al)
{
	if (!al || !al->counts)
		return;
	al->st.delivered = __atomic_load_n(&al->counts->delivered, __ATOMIC_RELAXED);
	al->st.failed = __atomic_load_n(&al->counts->failed, __ATOMIC_RELAXED);
	al->st.child_dropped = __atomic_load_n(&al->counts->dropped, __ATOMIC_RELAXED);
}

struct ow_alerter_stats ow_alerter_stats(const struct ow_alerter *al)
{
	return al ? al->st : (struct ow_alerter_stats){0};
}

void ow_alerter_stats_add(struct ow_alerter_stats *sum, const struct ow_alerter_stats *s)
{
	sum->queued += s->queued;
	sum->dropped += s->dropped;
	sum->delivered += s->delivered;
	sum->failed += s->failed;
	sum->child_dropped += s->child_dropped;
}

/* Wait for pid up to timeout_ms; SIGKILL it after that. Returns its exit status. */
static int reap_child(pid_t pid, int pidfd, int timeout_ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int64_t end = now_ms() + timeout_ms;
	int status = 0;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() >= end) {
			kill(pid, SIGKILL); /* pid is ours and unreaped: it cannot be reused */
			waitpid(pid, &status, 0);
			break;
		}
		if (pidfd >= 0)
			poll(&p, 1, (int)(end - now_ms()));
		else
			usleep(10000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int ow_alerter_stop(struct ow_alerter *al, unsigned int flush_ms)
{
	return ow_alerter_stop_stats(al, flush_ms, NULL);
}

int ow_alerter_stop_stats(struct ow_alerter *al, unsigned int flush_ms,
			  struct ow_alerter_stats *last)
{
	struct msg m = {.type = MSG_STOP, .arg = flush_ms};
	int rc;

	if (last)
		*last = (struct ow_alerter_stats){0};
	if (!al)
		return 0;
	send(al->sock, &m, offsetof(struct msg, alert), MSG_DONTWAIT | MSG_NOSIGNAL);
	close(al->sock);
	rc = reap_child(al->pid, al->pidfd, (int)flush_ms + 1000);
	ow_alerter_poll(al); /* what it delivered while flushing counts too */
	if (last)
		*last = al->st;
	if (al->pidfd >= 0)
		close(al->pidfd);
	if (al->counts)
		munmap(al->counts, sizeof(*al->counts));
	free(al);
	return rc;
}

/* ---- alert-test ---- */

static void test_one(const struct ow_webhook_target *t, unsigned int timeout_ms,
		     const struct curl_blob *ca, struct ow_alert_test_result *res)
{
	struct request r = {0};
	struct ow_alert a;
	CURLcode rc;
	int err;

	ow_alert_init(&a, OW_ALERT_TEST);
	ow_alert_incident_id(a.incident, sizeof(a.incident), a.host, 0, a.time_ns);
	snprintf(a.reason, sizeof(a.reason), "oomwarden alert-test");
	memset(res, 0, sizeof(*res));
	err = request_init(&r, t, &a, 1, timeout_ms, ca);
	if (err) {
		snprintf(res->error, sizeof(res->error), "%s", strerror(-err));
		request_free(&r);
		return;
	}
	rc = curl_easy_perform(r.easy);
	curl_easy_getinfo(r.easy, CURLINFO_RESPONSE_CODE, &res->http_status);
	if (rc != CURLE_OK)
		snprintf(res->error, sizeof(res->error), "%s",
			 r.errbuf[0] ? r.errbuf : curl_easy_strerror(rc));
	else if (res->http_status < 200 || res->http_status >= 300)
		snprintf(res->error, sizeof(res->error), "HTTP %ld", res->http_status);
	request_free(&r);
}

static int test_child(int fd, const struct creds *cr, const struct ow_webhook_target *t,
		      unsigned int n, const struct ow_alerter_cfg *cfg)
{
	struct ow_alert_test_result res;
	const struct curl_blob *ca;
	struct curl_blob ca_store;
	char why[sizeof(res.error)];
	unsigned int i;
	int bad;

	fd = child_setup(fd, cr, "ow-alert-test");
	if (fd < 0 || ow_curl_load() || curl_global_init(CURL_GLOBAL_DEFAULT))
		return 2;
	ca = ca_blob(cfg, &ca_store);
	bad = check_tls(ca, why, sizeof(why));
	for (i = 0; i < n; i++) {
		if (bad) { /* every target gets the reason, none a request */
			res = (struct ow_alert_test_result){0};
			snprintf(res.error, sizeof(res.error), "%s", why);
		} else {
			test_one(&t[i], cfg->timeout_ms, ca, &res);
		}
		if (send(fd, &res, sizeof(res), MSG_NOSIGNAL) != (ssize_t)sizeof(res))
			return 2;
	}
	return 0;
}

int ow_alert_test(const struct ow_webhook_target *t, unsigned int n,
		  const struct ow_alerter_cfg *cfg_in, struct ow_alert_test_result *res)
{
	struct ow_alerter_cfg cfg;
	unsigned int i, got = 0;
	struct creds cr;
	int sv[2], err, ok = 0;
	pid_t pid;

	cfg_defaults(cfg_in, &cfg);
	err = resolve_creds(cfg.user, &cr);
	if (err)
		return err;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(test_child(sv[1], &cr, t, n, &cfg));
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return -errno;
	}
	/* Results come one per target; a short read means the child died. */
	while (got < n && recv(sv[0], &res[got], sizeof(res[0]), 0) == (ssize_t)sizeof(res[0]))
		got++;
	close(sv[0]);
	reap_child(pid, -1, 1000);
	for (i = got; i < n; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		snprintf(res[i].error, sizeof(res[i].error), "the test sender died");
	}
	for (i = 0; i < n; i++)
		ok += res[i].http_status >= 200 && res[i].http_status < 300;
	return got < n && !got ? -ECHILD : ok == (int)n ? 0 : -EIO;
}
