// SPDX-License-Identifier: GPL-2.0
/*
 * Alert delivery: see userspace/alerts/alert_sender.h. The daemon forks one child at start; the
 * child drops to an unprivileged user with no capabilities, then owns every network connection.
 * Alerts cross a SOCK_SEQPACKET socketpair as fixed-size records: a send either queues the
 * whole record or fails with EAGAIN at once, so the daemon's kill path never waits, and
 * MSG_NOSIGNAL means a dead child costs an error code, not a SIGPIPE. This file is the
 * daemon's side, the child's start and privileges, and alert-test; the child's work is in
 * alert_queue.c, its HTTP requests in alert_http.c.
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

#include "clock.h"
#include "curl_dl.h"

#include "alert.h"
#include "alert_sender.h"
#include "alert_sender_int.h"
#include "log.h"

#define CHILD_SOCK_FD 3
#define SNDBUF_BYTES  (1 << 20)

struct ow_alerter {
	pid_t pid;
	int pidfd; /* -1 if pidfd_open is missing: then waitpid polling */
	int sock;
	struct ow_sender_counts *counts; /* shared with the child; NULL if mmap failed */
	struct ow_alerter_stats st;
};

int64_t ow_sender_now_ms(void)
{
	return (int64_t)(ow_mono_ns() / OW_NS_PER_MS);
}

void ow_alert_init(struct ow_alert *a, enum ow_alert_kind kind)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	if (gethostname(a->host, sizeof(a->host) - 1))
		snprintf(a->host, sizeof(a->host), "?");
	a->time_ns = ow_realtime_ns();
	a->started_ns = a->time_ns;
	a->eta_s = INFINITY;
	a->lead_s = INFINITY;
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
static int resolve_creds(const char *user, struct ow_sender_creds *cr)
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

static int drop_privileges(const struct ow_sender_creds *cr)
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

int ow_sender_child_setup(int keep, const struct ow_sender_creds *cr, const char *name)
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
	struct ow_sender_creds cr;
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
		_exit(ow_sender_child_main(sv[1], &cr, t, n, &cfg, al->counts));
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
	struct ow_sender_msg m = {.type = OW_MSG_ALERT, .alert = *a};

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

int ow_alerter_delete_pod(struct ow_alerter *al, const struct ow_alert *a, uint32_t id,
			  unsigned int budget_ms)
{
	struct ow_sender_msg m = {.type = OW_MSG_DELETE_POD,
				  .arg = id,
				  .deadline_ms = ow_sender_now_ms() + budget_ms};

	if (!al)
		return -ENODEV;
	m.alert = *a;
	if (send(al->sock, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(m))
		return 0;
	return errno == EAGAIN ? -EAGAIN : -EPIPE;
}

int ow_alerter_fd(const struct ow_alerter *al)
{
	return al ? al->sock : -1;
}

int ow_alerter_answer(struct ow_alerter *al, struct ow_pod_delete_answer *out)
{
	struct ow_sender_reply r;
	ssize_t n;

	if (!al)
		return 0;
	for (;;) {
		n = recv(al->sock, &r, sizeof(r), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -EPIPE;
		if (n == 0)
			return -EPIPE; /* the child is gone */
		if (n == (ssize_t)sizeof(r) && r.type == OW_MSG_POD_DELETED) {
			*out = r.answer;
			/* the child faces the network: its strings end where they must */
			out->owner[sizeof(out->owner) - 1] = '\0';
			out->error[sizeof(out->error) - 1] = '\0';
			return 1;
		}
	}
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
	int64_t end = ow_sender_now_ms() + timeout_ms;
	int status = 0;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (ow_sender_now_ms() >= end) {
			kill(pid, SIGKILL); /* pid is ours and unreaped: it cannot be reused */
			waitpid(pid, &status, 0);
			break;
		}
		if (pidfd >= 0)
			poll(&p, 1, (int)(end - ow_sender_now_ms()));
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
	struct ow_sender_msg m = {.type = OW_MSG_STOP, .arg = flush_ms};
	int rc;

	if (last)
		*last = (struct ow_alerter_stats){0};
	if (!al)
		return 0;
	send(al->sock, &m, offsetof(struct ow_sender_msg, alert), MSG_DONTWAIT | MSG_NOSIGNAL);
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
static int test_child(int fd, const struct ow_sender_creds *cr, const struct ow_webhook_target *t,
		      unsigned int n, const struct ow_alerter_cfg *cfg)
{
	struct ow_alert_test_result res;
	const struct curl_blob *ca;
	struct curl_blob ca_store;
	char why[sizeof(res.error)];
	unsigned int i;
	int bad;

	fd = ow_sender_child_setup(fd, cr, "ow-alert-test");
	if (fd < 0 || ow_curl_load() || curl_global_init(CURL_GLOBAL_DEFAULT))
		return 2;
	ca = ow_http_ca_blob(cfg, &ca_store);
	bad = ow_http_check_tls(ca, why, sizeof(why));
	for (i = 0; i < n; i++) {
		if (bad) { /* every target gets the reason, none a request */
			res = (struct ow_alert_test_result){0};
			snprintf(res.error, sizeof(res.error), "%s", why);
		} else {
			ow_http_test_one(&t[i], cfg->timeout_ms, ca, &res);
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
	struct ow_sender_creds cr;
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
