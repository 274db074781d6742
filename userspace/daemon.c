// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon loop. It sleeps in epoll_wait until the kernel reports growth (ring buffer), a
 * victim exits (its pidfd), a deadline passes (timerfd: SIGKILL after grace, re-sampling of
 * cgroups that are growing) or a signal arrives (signalfd). Decisions are the pure functions of
 * policy.c; this file only gathers their inputs and carries out their outputs.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "actuator.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "tracer.h"
#include "watch.h"

#define NS_PER_MS	   1000000ULL
#define NS_PER_S	   1000000000ULL
#define TAG_RINGBUF	   1
#define TAG_SIGNAL	   2
#define TAG_TIMER	   3
#define TAG_PSI		   4
#define TAG_VICTIM	   (1ULL << 63) /* | memcg id */
#define RESCAN_MIN_NS	   (200 * NS_PER_MS)
#define SAMPLE_NS	   NS_PER_S	  /* re-sampling period of active cgroups */
#define KILL_WAIT_NS	   (5 * NS_PER_S) /* after SIGKILL, give up waiting for the exit */
#define MIB		   (1024.0 * 1024.0)
#define LIMIT_POINT_MIN_NS (50 * NS_PER_MS) /* re-read an ancestor at most this often */

struct ow_daemon {
	struct ow_options *opts;
	struct ow_watch watch;
	struct ow_model model;
	struct ow_tracer *tracer;   /* NULL: degraded mode */
	struct ow_alerter *alerter; /* NULL: no webhooks */
	struct ow_candidates *cands;
	int epfd, sigfd, timerfd, psifd;
	bool stop;
	bool rescan_pending;
	uint64_t last_scan_ns;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static double mib(uint64_t bytes)
{
	return bytes == OW_NO_LIMIT ? INFINITY : (double)bytes / MIB;
}

/* Thresholds for the BPF side: report every 1/256 of the limit, 256 KiB to 16 MiB. */
static uint64_t step_for(uint64_t limit)
{
	uint64_t step = limit == OW_NO_LIMIT ? 16ULL << 20 : limit / 256;

	if (step < 256ULL << 10)
		step = 256ULL << 10;
	return step > 16ULL << 20 ? 16ULL << 20 : step;
}

static void configure_bpf(struct ow_daemon *d, struct ow_cgroup *cg)
{
	struct ow_memcg_cfg cfg = {.watched = 1};

	if (!d->tracer)
		return;
	cfg.memcg_step = cfg.proc_step = step_for(cg->eff_limit);
	ow_tracer_seed_memcg_usage(d->tracer, cg->id, cg->st.usage);
	if (ow_tracer_set_memcg(d->tracer, cg->id, &cfg))
		ow_log(OW_LOG_WARN, "bpf", "could not configure a memcg",
		       OW_STR("cgroup", cg->name));
}

static void on_found(struct ow_cgroup *cg, bool added, void *arg)
{
	struct ow_daemon *d = arg;

	if (!added)
		return;
	if (ow_watch_refresh(&d->watch, cg, mono_ns()))
		return; /* vanished already; the next scan drops it */
	configure_bpf(d, cg);
	ow_cgroup_sample(cg, mono_ns(), cg->nonrecl);
	ow_log(OW_LOG_DEBUG, "watch", "watching cgroup", OW_STR("cgroup", cg->name),
	       OW_STR("path", cg->path), OW_NUM("limit_mib", mib(cg->eff_limit)));
}

static void drop_victim(struct ow_cgroup *cg)
{
	if (cg->victim_fd >= 0)
		close(cg->victim_fd); /* also leaves the epoll set */
	cg->victim_fd = -1;
}

static void rescan(struct ow_daemon *d)
{
	unsigned int i = 0;

	d->last_scan_ns = mono_ns();
	d->rescan_pending = false;
	if (ow_watch_scan(&d->watch, &d->model, on_found, d))
		ow_log(OW_LOG_WARN, "scan", "could not scan the cgroup hierarchy");
	while (i < d->model.ncgs) {
		struct ow_cgroup *cg = d->model.cgs[i];

		if (cg->seen) {
			i++;
			continue;
		}
		ow_log(OW_LOG_DEBUG, "watch", "cgroup removed", OW_STR("cgroup", cg->name));
		drop_victim(cg);
		if (d->tracer)
			ow_tracer_forget_memcg(d->tracer, cg->id);
		ow_model_remove_cgroup(&d->model, i);
	}
}

static void request_rescan(struct ow_daemon *d)
{
	if (mono_ns() - d->last_scan_ns >= RESCAN_MIN_NS)
		rescan(d);
	else
		d->rescan_pending = true;
}

/* The fields every decision line carries. */
#define CG_FIELDS(cg)                                                                              \
	OW_STR("cgroup", (cg)->name), OW_STR("path", (cg)->path),                                  \
		OW_NUM("usage_mib", mib((cg)->nonrecl)),                                           \
		OW_NUM("limit_mib", mib((cg)->eff_limit)),                                         \
		OW_NUM("rate_mib_s", (cg)->verdict.rate / MIB),                                    \
		OW_NUM("eta_s", (cg)->verdict.eta_s)

static void set_level(struct ow_daemon *d, struct ow_cgroup *cg, enum ow_level level)
{
	enum ow_level from = cg->level;
	enum ow_log_level lvl = level >= OW_LEVEL_WARN ? OW_LOG_WARN : OW_LOG_INFO;

	/* A new reason at the same level is logged too (a leak that reached memory.high and is
	 * throttled now), but only a new level is alerted. */
	if (level == from && (level == OW_LEVEL_OK || cg->verdict.reason == cg->level_reason))
		return;
	ow_log(lvl, "level", cg->verdict.reason, CG_FIELDS(cg),
	       OW_STR("from", ow_level_name(cg->level)), OW_STR("to", ow_level_name(level)));
	cg->level = level;
	cg->level_reason = cg->verdict.reason;
	if (level != from)
		ow_notify_level(d->alerter, cg, from, level);
}

static void notify_escalate(struct ow_daemon *d, struct ow_cgroup *cg)
{
	struct ow_proc_info victim = {.pid = cg->victim_pid};

	snprintf(victim.comm, sizeof(victim.comm), "%s", cg->victim_comm);
	ow_notify_action(d->alerter, cg, OW_ALERT_ESCALATE, &victim, NULL, false);
}

static void escalate(struct ow_daemon *d, struct ow_cgroup *cg, const char *why)
{
	int err = ow_pidfd_signal(cg->victim_fd, SIGKILL);

	if (err && err != -ESRCH) {
		ow_log(OW_LOG_ERROR, "escalate", "SIGKILL failed", CG_FIELDS(cg),
		       OW_INT("pid", cg->victim_pid), OW_STR("error", strerror(-err)));
		return;
	}
	cg->killed = true;
	cg->deadline_ns = mono_ns() + KILL_WAIT_NS;
	cg->level = OW_LEVEL_ESCALATE;
	ow_log(OW_LOG_WARN, "escalate", why, CG_FIELDS(cg), OW_INT("pid", cg->victim_pid),
	       OW_STR("comm", cg->victim_comm), OW_STR("signal", "SIGKILL"),
	       OW_NUM("since_sigterm_ms", (double)(mono_ns() - cg->term_ns) / NS_PER_MS));
	notify_escalate(d, cg);
}

static void cool_down(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	cg->cooldown_until_ns = now + (uint64_t)(d->opts->policy.cooldown_s * NS_PER_S);
}

static int pick(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	int n = ow_collect_candidates("/proc", cg->path, d->opts, &d->model, now, d->cands);
	int idx = n > 0 ? ow_policy_pick_victim(d->cands->c, (unsigned int)n) : -1;

	if (idx < 0) {
		ow_log(OW_LOG_WARN, "no_victim",
		       n > 0 ? "every process of the cgroup is protected"
			     : "the cgroup has no process",
		       CG_FIELDS(cg), OW_INT("processes", n > 0 ? n : 0));
		cool_down(d, cg, now);
	}
	return idx;
}

static void act(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now, uint64_t event_ns)
{
	const struct ow_proc_info *info;
	struct epoll_event ev = {.events = EPOLLIN};
	double grace, proc_rate;
	int idx = pick(d, cg, now), fd, err;

	if (idx < 0)
		return;
	info = &d->cands->info[idx];
	proc_rate = d->cands->c[idx].rate;
	grace = ow_policy_grace(&d->opts->policy, cg->verdict.eta_s);
	set_level(d, cg, OW_LEVEL_ACT);
	if (d->opts->dry_run) {
		ow_log(OW_LOG_WARN, "act", "dry run: would send SIGTERM", CG_FIELDS(cg),
		       OW_INT("pid", info->pid), OW_STR("comm", info->comm),
		       OW_STR("cmdline", info->cmdline), OW_NUM("proc_rate_mib_s", proc_rate / MIB),
		       OW_STR("signal", "SIGTERM"), OW_INT("dry_run", 1),
		       OW_STR("reason", cg->verdict.reason));
		ow_notify_action(d->alerter, cg, OW_ALERT_ACT, info, d->cands, true);
		cool_down(d, cg, now);
		return;
	}
	fd = ow_pidfd_open_checked("/proc", info);
	err = fd < 0 ? fd : ow_pidfd_signal(fd, SIGTERM);
	if (err) {
		ow_log(OW_LOG_WARN, "act_failed",
		       "could not signal the victim (it may have exited)", CG_FIELDS(cg),
		       OW_INT("pid", info->pid), OW_STR("error", strerror(-err)));
		if (fd >= 0)
			close(fd);
		return;
	}
	cg->term_ns = mono_ns();
	ow_log(OW_LOG_WARN, "act", "SIGTERM sent to the fastest-growing process", CG_FIELDS(cg),
	       OW_INT("pid", info->pid), OW_STR("comm", info->comm),
	       OW_STR("cmdline", info->cmdline), OW_NUM("proc_rate_mib_s", proc_rate / MIB),
	       OW_STR("signal", "SIGTERM"), OW_NUM("grace_s", grace),
	       OW_STR("reason", cg->verdict.reason),
	       OW_NUM("latency_ms", event_ns ? (double)(cg->term_ns - event_ns) / NS_PER_MS : 0));
	ow_notify_action(d->alerter, cg, OW_ALERT_ACT, info, d->cands, false);
	cg->victim_fd = fd;
	cg->victim_pid = info->pid;
	snprintf(cg->victim_comm, sizeof(cg->victim_comm), "%s", info->comm);
	cg->killed = false;
	cg->deadline_ns = cg->term_ns + (uint64_t)(grace * NS_PER_S);
	ev.data.u64 = TAG_VICTIM | cg->id;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev))
		ow_log(OW_LOG_ERROR, "epoll", "cannot watch the victim",
		       OW_STR("error", strerror(errno)));
}

/* Degraded mode has no per-process events: sample the processes of a cgroup at risk so the
 * victim can still be the fastest-growing one. */
static void sample_processes(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	int i, n = ow_collect_candidates("/proc", cg->path, d->opts, &d->model, now, d->cands);

	for (i = 0; i < n; i++)
		ow_model_proc_sample(&d->model, d->cands->info[i].pid, cg->id,
				     d->cands->info[i].comm, d->cands->c[i].rss, now);
}

static void evaluate(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t event_ns)
{
	const struct ow_policy_cfg *pc = &d->opts->policy;
	uint64_t now = mono_ns(), old_limit = cg->eff_limit;
	struct ow_cg_view view;
	int err = ow_watch_refresh(&d->watch, cg, now);

	if (err) {
		if (err == -ENOENT)
			request_rescan(d);
		return;
	}
	if (cg->eff_limit != old_limit)
		configure_bpf(d, cg);
	ow_cgroup_sample(cg, now, cg->nonrecl);
	ow_cgroup_view(cg, now, &view);
	ow_policy_assess(pc, &view, &cg->verdict);
	if (!d->tracer && cg->verdict.level >= OW_LEVEL_WARN)
		sample_processes(d, cg, now);
	if (cg->victim_fd >= 0) {
		if (!cg->killed && ow_policy_kill_now(pc, &view))
			escalate(d, cg, "still growing past the kill-water mark after SIGTERM");
		return;
	}
	if (cg->verdict.level != OW_LEVEL_ACT) {
		set_level(d, cg, cg->verdict.level);
		return;
	}
	/* After acting, the trend still holds the growth that was just stopped: wait, unless
	 * the headroom is nearly gone again. */
	if (now >= cg->cooldown_until_ns || (double)cg->nonrecl >= pc->high_water * cg->eff_limit)
		act(d, cg, now, event_ns);
}

/*
 * An event names the memcg of the growing task, but the limit that will be hit may be an
 * ancestor's (a slice or pod limit over unlimited leaves, or the machine itself at the root):
 * evaluate the watched ancestors that have a limit of their own, and the root.
 */
static void evaluate_limit_points(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t event_ns)
{
	uint64_t now = mono_ns();
	struct ow_cgroup *p;

	for (p = ow_model_cgroup(&d->model, cg->parent_id); p;
	     p = ow_model_cgroup(&d->model, p->parent_id)) {
		bool limit_point = p->own_limit != OW_NO_LIMIT || ow_cgroup_is_root(p);

		if (p->parent_id == p->id)
			break;
		if (limit_point && now - p->last_sample_ns >= LIMIT_POINT_MIN_NS)
			evaluate(d, p, event_ns);
	}
}

static void on_victim_exit(struct ow_daemon *d, uint64_t id)
{
	struct ow_cgroup *cg = ow_model_cgroup(&d->model, id);
	uint64_t now = mono_ns();

	if (!cg || cg->victim_fd < 0)
		return;
	ow_log(OW_LOG_INFO, "victim_exit",
	       cg->killed ? "the victim exited after SIGKILL" : "the victim exited after SIGTERM",
	       CG_FIELDS(cg), OW_INT("pid", cg->victim_pid), OW_STR("comm", cg->victim_comm),
	       OW_STR("signal", cg->killed ? "SIGKILL" : "SIGTERM"),
	       OW_NUM("after_ms", (double)(now - cg->term_ns) / NS_PER_MS));
	drop_victim(cg);
	ow_model_proc_remove(&d->model, cg->victim_pid);
	cool_down(d, cg, now);
	evaluate(d, cg, 0);
}

static void remember_cmdline(struct ow_proc_rec *rec)
{
	struct ow_proc_info info;

	if (!rec || rec->cmdline_read)
		return;
	rec->cmdline_read = true;
	if (!ow_proc_read("/proc", rec->tgid, &info))
		snprintf(rec->cmdline, sizeof(rec->cmdline), "%s", info.cmdline);
}

static void on_oom_victim(struct ow_daemon *d, const struct ow_event *e)
{
	struct ow_cgroup *cg = ow_model_cgroup(&d->model, e->memcg_id);
	const struct ow_proc_rec *rec = ow_model_proc(&d->model, (pid_t)e->tgid);
	const char *cmdline = rec ? rec->cmdline : "";

	ow_log(OW_LOG_ERROR, "oom_kill", "the kernel OOM killer killed a process",
	       OW_INT("pid", e->tgid), OW_STR("comm", e->comm), OW_STR("cmdline", cmdline),
	       OW_STR("cgroup", cg ? cg->name : "?"), OW_INT("memcg_id", e->memcg_id),
	       OW_NUM("anon_mib", mib(e->rss[OW_MEM_ANON])),
	       OW_NUM("file_mib", mib(e->rss[OW_MEM_FILE])),
	       OW_NUM("shmem_mib", mib(e->rss[OW_MEM_SHMEM])),
	       OW_NUM("predicted_eta_s", cg ? cg->verdict.eta_s : INFINITY));
	ow_notify_oom_kill(d->alerter, cg, e, cmdline);
}

static int on_event(const struct ow_event *e, void *arg)
{
	struct ow_daemon *d = arg;
	struct ow_cgroup *cg = NULL;

	if (e->kind == OW_EV_PROC_STEP || e->kind == OW_EV_PROC_EXIT ||
	    e->kind == OW_EV_MEMCG_STEP || e->kind == OW_EV_RECLAIM_BEGIN)
		cg = ow_model_cgroup(&d->model, e->memcg_id);
	switch (e->kind) {
	case OW_EV_PROC_STEP:
		remember_cmdline(ow_model_proc_sample(
			&d->model, (pid_t)e->tgid, e->memcg_id, e->comm,
			e->rss[OW_MEM_ANON] + e->rss[OW_MEM_SHMEM] + e->rss[OW_MEM_SWAP],
			mono_ns()));
		/* The kernel charges no page counter for the root cgroup's own processes, so no
		 * memcg step ever comes for them: their steps stand in (a leak with no cgroup at
		 * all, which only the machine's RAM limits). */
		if (cg && ow_cgroup_is_root(cg) &&
		    mono_ns() - cg->last_sample_ns >= LIMIT_POINT_MIN_NS)
			evaluate(d, cg, e->ts_ns);
		break;
	case OW_EV_PROC_EXIT:
		ow_model_proc_remove(&d->model, (pid_t)e->tgid);
		break;
	case OW_EV_MEMCG_STEP:
	case OW_EV_RECLAIM_BEGIN:
		if (!cg) {
			request_rescan(d); /* a cgroup created since the last scan */
			break;
		}
		evaluate(d, cg, e->ts_ns);
		evaluate_limit_points(d, cg, e->ts_ns);
		break;
	case OW_EV_OOM_VICTIM:
		on_oom_victim(d, e);
		break;
	}
	return 0;
}

static void on_timer(struct ow_daemon *d)
{
	uint64_t now = mono_ns(), junk;
	unsigned int i;

	if (read(d->timerfd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
		return;
	if (d->rescan_pending && now - d->last_scan_ns >= RESCAN_MIN_NS)
		rescan(d);
	for (i = 0; i < d->model.ncgs; i++) {
		struct ow_cgroup *cg = d->model.cgs[i];

		if (cg->victim_fd >= 0 && now >= cg->deadline_ns) {
			if (!cg->killed) {
				escalate(d, cg, "the victim did not exit within the grace period");
				continue;
			}
			ow_log(OW_LOG_ERROR, "victim_stuck", "the victim survived SIGKILL",
			       CG_FIELDS(cg), OW_INT("pid", cg->victim_pid));
			drop_victim(cg);
			cool_down(d, cg, now);
		} else if (!d->tracer || cg->level != OW_LEVEL_OK) {
			evaluate(d, cg, 0);
		}
	}
}

static uint64_t next_wakeup(const struct ow_daemon *d, uint64_t now)
{
	uint64_t next = d->tracer ? UINT64_MAX : now + SAMPLE_NS;
	unsigned int i;

	if (d->rescan_pending)
		next = d->last_scan_ns + RESCAN_MIN_NS;
	for (i = 0; i < d->model.ncgs; i++) {
		const struct ow_cgroup *cg = d->model.cgs[i];

		if (cg->victim_fd >= 0 && cg->deadline_ns < next)
			next = cg->deadline_ns;
		if (cg->level != OW_LEVEL_OK && now + SAMPLE_NS < next)
			next = now + SAMPLE_NS;
	}
	return next;
}

/* Sleep until the next deadline, or indefinitely when nothing is growing. */
static void arm_timer(struct ow_daemon *d)
{
	uint64_t now = mono_ns(), next = next_wakeup(d, now);
	struct itimerspec its = {0};

	if (next != UINT64_MAX) {
		if (next <= now)
			next = now + 1;
		its.it_value.tv_sec = (time_t)(next / NS_PER_S);
		its.it_value.tv_nsec = (long)(next % NS_PER_S);
	}
	timerfd_settime(d->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void on_signal(struct ow_daemon *d)
{
	struct signalfd_siginfo si;

	if (read(d->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
		ow_log(OW_LOG_INFO, "stop", "signal received, detaching",
		       OW_STR("signal", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT"));
		d->stop = true;
	}
}

static void dispatch(struct ow_daemon *d, uint64_t tag)
{
	if (tag & TAG_VICTIM)
		on_victim_exit(d, tag & ~TAG_VICTIM);
	else if (tag == TAG_RINGBUF)
		ow_tracer_consume(d->tracer);
	else if (tag == TAG_SIGNAL)
		on_signal(d);
	else if (tag == TAG_TIMER)
		on_timer(d);
	else if (tag == TAG_PSI)
		on_timer(d); /* pressure: sample everything now */
}

static int loop(struct ow_daemon *d)
{
	struct epoll_event evs[16];
	int i, n;

	while (!d->stop) {
		arm_timer(d);
		n = epoll_wait(d->epfd, evs, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ow_log(OW_LOG_ERROR, "epoll", "epoll_wait failed",
			       OW_STR("error", strerror(errno)));
			return 1;
		}
		for (i = 0; i < n && !d->stop; i++)
			dispatch(d, evs[i].data.u64);
	}
	return 0;
}

static int watch_fd(struct ow_daemon *d, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = {.events = events, .data.u64 = tag};

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Keep our own pages resident and keep the OOM killer away from us: a watchdog that is
 * paged out or killed first protects nothing. MCL_ONFAULT locks only what we touch. */
static void protect_self(void)
{
	int fd;

	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT))
		ow_log(OW_LOG_WARN, "mlockall", "could not lock memory",
		       OW_STR("error", strerror(errno)));
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "-1000", 5) != 5)
		ow_log(OW_LOG_WARN, "oom_score_adj",
		       "could not set oom_score_adj to -1000 (lowering it needs CAP_SYS_RESOURCE)",
		       OW_STR("error", strerror(errno)));
	if (fd >= 0)
		close(fd);
}

/* Degraded mode: memory pressure wakes us early (PSI trigger; its window must be a multiple
 * of 2 s without CAP_SYS_RESOURCE), the 1 s timer does the rest. */
static int open_psi(void)
{
	static const char trigger[] = "some 150000 2000000";
	int fd = open("/proc/pressure/memory", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, trigger, sizeof(trigger)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int setup_fds(struct ow_daemon *d)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epfd < 0 || d->sigfd < 0 || d->timerfd < 0)
		return -errno;
	if (watch_fd(d, d->sigfd, EPOLLIN, TAG_SIGNAL) ||
	    watch_fd(d, d->timerfd, EPOLLIN, TAG_TIMER))
		return -errno;
	if (d->tracer)
		return watch_fd(d, ow_tracer_fd(d->tracer), EPOLLIN, TAG_RINGBUF);
	d->psifd = open_psi();
	if (d->psifd >= 0)
		watch_fd(d, d->psifd, EPOLLPRI, TAG_PSI);
	return 0;
}

static int start_tracer(struct ow_daemon *d)
{
	char err[256];
	int ret;

	if (d->opts->no_bpf) {
		ow_log(OW_LOG_WARN, "degraded",
		       "BPF disabled by --no-bpf: sampling cgroup files "
		       "every second instead of kernel events");
		return 0;
	}
	ret = ow_tracer_open(&d->tracer, d->opts->attach, on_event, d, err, sizeof(err));
	if (!ret)
		return 0;
	/* Only a --dry-run gets here without root: it asked for BPF, so say how to do without.
	 * Root refused (capabilities dropped, a security module, lockdown) is a kernel that
	 * will not let us watch: still protect, by sampling. */
	if ((ret == -EPERM || ret == -EACCES) && geteuid() != 0) {
		fprintf(stderr, "oomwarden: %s\n", err);
		return 1;
	}
	ow_log(OW_LOG_WARN, "degraded",
	       "running degraded: sampling cgroup files every second "
	       "instead of kernel events",
	       OW_STR("why", err));
	return 0;
}

static void start_alerter(struct ow_daemon *d)
{
	int err;

	if (!d->opts->ntargets)
		return;
	err = ow_alerter_start(d->opts->targets, d->opts->ntargets, NULL, &d->alerter);
	if (err) {
		d->alerter = NULL;
		ow_log(OW_LOG_ERROR, "alerts",
		       "cannot start the alert sender: running without alerts",
		       OW_STR("error", strerror(-err)));
	}
}

static void shutdown_daemon(struct ow_daemon *d)
{
	unsigned int i;

	for (i = 0; i < d->model.ncgs; i++)
		drop_victim(d->model.cgs[i]);
	ow_tracer_close(d->tracer);
	if (d->alerter)
		ow_alerter_stop(d->alerter, 2000);
	ow_model_free(&d->model);
	free(d->cands);
	if (d->psifd >= 0)
		close(d->psifd);
	close(d->timerfd);
	close(d->sigfd);
	close(d->epfd);
}

int ow_daemon_run(struct ow_options *opts)
{
	struct ow_daemon d = {.opts = opts, .epfd = -1, .sigfd = -1, .timerfd = -1, .psifd = -1};
	char err[PATH_MAX + 128];
	int ret;

	ret = ow_watch_init(&d.watch, opts, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "oomwarden: %s\n", err);
		return ret == -EINVAL ? 2 : 1;
	}
	if (geteuid() != 0 && !opts->dry_run) {
		fprintf(stderr, "oomwarden: run needs root (to load BPF programs and signal other "
				"users' processes); try sudo, or --dry-run --no-bpf\n");
		return 1;
	}
	d.cands = calloc(1, sizeof(*d.cands));
	if (!d.cands)
		return 1;
	start_alerter(&d); /* first: the sender is forked before BPF and mlockall */
	ret = start_tracer(&d);
	if (!ret)
		ret = setup_fds(&d) ? 1 : 0;
	if (ret) {
		shutdown_daemon(&d);
		return ret;
	}
	protect_self();
	rescan(&d);
	ow_log(OW_LOG_INFO, "ready", "watching memory cgroups", OW_STR("version", OW_VERSION),
	       OW_STR("mode", d.tracer ? ow_tracer_mode(d.tracer) : "degraded"),
	       OW_STR("hierarchy", d.watch.mount.version == OW_CG_V2 ? "v2" : "v1"),
	       OW_STR("mount", d.watch.mount.path), OW_INT("cgroups", d.model.ncgs),
	       OW_INT("dry_run", opts->dry_run),
	       OW_NUM("warn_horizon_s", opts->policy.warn_horizon_s),
	       OW_NUM("act_horizon_s", opts->policy.act_horizon_s),
	       OW_NUM("grace_s", opts->policy.grace_s));
	ret = loop(&d);
	shutdown_daemon(&d);
	return ret;
}
