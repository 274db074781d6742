// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon loop. It sleeps in epoll_wait until the kernel reports growth (ring buffer), a
 * victim exits (its pidfd), a deadline passes (timerfd: SIGKILL after grace, re-sampling of
 * cgroups that are growing) or a signal arrives (signalfd), and hands each to its file
 * (daemon_ctx.h). Decisions are the pure functions of policy.c and lifecycle.c; the daemon's
 * files only gather their inputs and carry out their outputs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "daemon_ctx.h"
#include "proc.h"

#define SAMPLE_NS NS_PER_S /* re-sampling period of active cgroups */

/* A victim exited (its pidfd): victim.c lets it go, and the loop evaluates its cgroup again. */
static void on_victim_exit(struct ow_daemon *d, uint64_t id)
{
	struct ow_cgroup *cg = ow_model_cgroup(&d->model, id);

	if (!cg || cg->victim.fd < 0)
		return;
	daemon_victim_exited(d, cg, ow_mono_ns());
	daemon_evaluate(d, cg, 0);
}

static int on_event(const struct ow_event *e, void *arg)
{
	struct ow_daemon *d = arg;
	struct ow_cgroup *cg = NULL;

	d->counters.events++;
	if (e->kind == OW_EV_PROC_STEP || e->kind == OW_EV_PROC_EXIT ||
	    e->kind == OW_EV_MEMCG_STEP || e->kind == OW_EV_RECLAIM_BEGIN)
		cg = ow_model_cgroup(&d->model, e->memcg_id);
	switch (e->kind) {
	case OW_EV_PROC_STEP:
		daemon_remember_cmdline(ow_model_proc_sample(
			&d->model, (pid_t)e->tgid, e->memcg_id, e->comm,
			e->rss[OW_MEM_ANON] + e->rss[OW_MEM_SHMEM] + e->rss[OW_MEM_SWAP],
			ow_mono_ns()));
		/* The kernel charges no page counter for the root cgroup's own processes, so no
		 * memcg step ever comes for them: their steps stand in (a leak with no cgroup at
		 * all, which only the machine's RAM limits). */
		if (cg && ow_lc_limit_point_due(ow_cgroup_is_root(cg), cg->reading.last_sample_ns,
						ow_mono_ns()))
			daemon_evaluate(d, cg, e->ts_ns);
		break;
	case OW_EV_PROC_EXIT:
		ow_model_proc_remove(&d->model, (pid_t)e->tgid);
		break;
	case OW_EV_MEMCG_STEP:
	case OW_EV_RECLAIM_BEGIN:
		if (!cg) {
			daemon_on_unknown_memcg(d, e->memcg_id);
			break;
		}
		if (!cg->set_up) /* a directory the memory controller came to */
			daemon_set_up_cgroup(d, cg);
		daemon_evaluate(d, cg, e->ts_ns);
		daemon_evaluate_limit_points(d, cg, e->ts_ns);
		break;
	case OW_EV_OOM_VICTIM:
		daemon_on_oom_victim(d, e);
		break;
	case OW_EV_SIGHT_MOVE:
		daemon_sight_watch_moved(d, e->memcg_id, e->memcg_usage);
		break;
	case OW_EV_MEMCG_GONE:
		daemon_on_memcg_gone(d, e->memcg_id);
		break;
	}
	return 0;
}

/* Hand the waiting events over; say when the BPF side had to drop some (a full ring buffer:
 * steps lost until the next one, so a prediction may come late). */
static void consume_events(struct ow_daemon *d)
{
	uint64_t drops, full;

	ow_tracer_consume(d->tracer);
	full = ow_tracer_map_full(d->tracer);
	if (full != d->map_full_logged) {
		ow_log(OW_LOG_WARN, "bpf_map_full",
		       "a BPF map was full: processes or memcgs go unwatched until room frees up",
		       OW_INT("refused", full - d->map_full_logged), OW_INT("total", full));
		daemon_report_unwatched(d, full - d->map_full_logged);
		d->map_full_logged = full;
	}
	drops = ow_tracer_drops(d->tracer);
	if (drops == d->drops_logged)
		return;
	ow_log(OW_LOG_WARN, "ringbuf_full", "the BPF side dropped events (ring buffer full)",
	       OW_INT("dropped", drops - d->drops_logged), OW_INT("total", drops));
	d->drops_logged = drops;
	/* A dropped event may have been a memcg's first sight, its only one: look again. */
	d->reconcile_pending = true;
	daemon_request_rescan(d);
}

/* A timer tick for one cgroup: a victim's deadline passed, or a re-sample (ow_lc_on_tick). */
static void tick_cgroup(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	struct ow_lc_timer in = {
		.now_ns = now,
		.degraded = !d->tracer,
		.level = cg->eval.level,
		.has_victim = cg->victim.fd >= 0,
		.restarting = cg->victim.restarting,
		.killed = cg->victim.killed,
		.deadline_ns = cg->victim.deadline_ns,
		.braked = cg->brake.dir != NULL,
		.pre_stop = cg->victim.pre_stop,
		.poll_ns = cg->victim.poll_ns,
	};
	enum ow_lc_tick tick = ow_lc_on_tick(&in);

	if (tick == OW_LC_TICK_EVALUATE)
		daemon_evaluate(d, cg, 0);
	else if (tick != OW_LC_TICK_NONE)
		daemon_victim_deadline(d, cg, tick, now);
}

/* Degraded (no BPF side), every cgroup is sampled at each tick; otherwise only those a tick has
 * work for (the model's busy list; a tick may add to it, so it is read by index). */
static void tick_cgroups(struct ow_daemon *d, uint64_t now)
{
	struct ow_model *m = &d->model;
	unsigned int i;

	if (!d->tracer || m->busy_all) {
		for (i = 0; i < m->ncgs; i++)
			if (!m->cgs[i]->gone)
				tick_cgroup(d, m->cgs[i], now);
		return;
	}
	for (i = 0; i < m->nbusy; i++)
		if (!m->busy[i]->gone)
			tick_cgroup(d, m->busy[i], now);
	ow_model_prune_busy(m);
}

static void on_timer(struct ow_daemon *d)
{
	uint64_t now = ow_mono_ns(), junk;
	unsigned int i;

	if (read(d->timerfd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
		return;
	/* A restart command whose victim is gone (or never ends) still has its deadline. */
	for (i = 0; i < MAX_JOBS; i++) {
		if (d->jobs[i].job.pid && now >= d->jobs[i].deadline_ns) {
			ow_job_kill(&d->jobs[i].job);
			/* its exit event follows */
			d->jobs[i].deadline_ns = now + OW_LC_KILL_WAIT_NS;
		}
	}
	if (d->rescan_pending && now - d->last_scan_ns >= RESCAN_MIN_NS)
		daemon_rescan(d);
	daemon_retry_unplaced(d, now);
	tick_cgroups(d, now);
	daemon_sight_tick(d, now);
	daemon_machine_sight_tick(d, now);
	daemon_limit_watch_tick(d, now);
	daemon_rss_gate_tick(d, now);
	d->next_sample_ns = now + SAMPLE_NS;
}

static uint64_t next_wakeup(const struct ow_daemon *d, uint64_t now)
{
	uint64_t next = d->tracer ? UINT64_MAX : d->next_sample_ns, sight = daemon_sight_next(d);
	unsigned int i;

	if (sight < next)
		next = sight;
	if (daemon_machine_sight_next(d) < next)
		next = daemon_machine_sight_next(d);
	if (daemon_limit_watch_next(d) < next)
		next = daemon_limit_watch_next(d);
	if (d->rescan_pending && d->last_scan_ns + RESCAN_MIN_NS < next)
		next = d->last_scan_ns + RESCAN_MIN_NS;
	if (d->unplaced_n && d->unplaced_due_ns < next)
		next = d->unplaced_due_ns;
	if (d->sd.status_due_ns && d->sd.status_due_ns < next)
		next = d->sd.status_due_ns;
	for (i = 0; i < MAX_JOBS; i++) {
		if (d->jobs[i].job.pid && d->jobs[i].deadline_ns < next)
			next = d->jobs[i].deadline_ns;
	}
	for (i = 0; i < (d->model.busy_all ? d->model.ncgs : d->model.nbusy); i++) {
		const struct ow_cgroup *cg = d->model.busy_all ? d->model.cgs[i] : d->model.busy[i];

		if (cg->victim.fd >= 0 && cg->victim.deadline_ns < next)
			next = cg->victim.deadline_ns;
		if (cg->victim.fd >= 0 && cg->victim.pre_stop && cg->victim.poll_ns < next)
			next = cg->victim.poll_ns;
		if ((cg->eval.level != OW_LEVEL_OK || cg->brake.dir) && d->next_sample_ns < next)
			next = d->next_sample_ns;
	}
	return next;
}

/* Sleep until the next deadline, or indefinitely when nothing is growing. */
static void arm_timer(struct ow_daemon *d)
{
	uint64_t now = ow_mono_ns(), next = next_wakeup(d, now);
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
	if (si.ssi_signo == SIGHUP) {
		char status[OW_SD_STATUS_LEN];

		/* systemctl reload waits for READY=1 after RELOADING=1 (Type=notify-reload). */
		daemon_sd_result(d, ow_sd_notify_reloading(&d->sd));
		daemon_reload(d);
		daemon_status_summary(d, status, sizeof(status));
		daemon_sd_result(d, ow_sd_notify_ready(&d->sd, status, ow_mono_ns()));
	}
	if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
		ow_log(OW_LOG_INFO, "stop", "signal received, detaching",
		       OW_STR("signal", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT"),
		       OW_INT("events", d->counters.events),
		       OW_INT("ringbuf_drops", d->tracer ? ow_tracer_drops(d->tracer) : 0),
		       OW_INT("memcg_rebinds", d->tracer ? ow_tracer_rebinds(d->tracer) : 0));
		d->stop = true;
	}
}

static void dispatch(struct ow_daemon *d, uint64_t tag, uint32_t events)
{
	if (tag & TAG_VICTIM)
		on_victim_exit(d, tag & ~TAG_VICTIM);
	else if (tag & TAG_SIGHT)
		daemon_sight_event(d, tag & ~TAG_SIGHT);
	else if (tag == TAG_THRESHOLDS)
		daemon_sight_thresholds_set(d);
	else if (tag == TAG_LIMITS)
		daemon_limit_watch_event(d);
	else if (tag == TAG_TMPFS_WALK)
		daemon_tmpfs_walked(d);
	else if (tag & TAG_JOB_EXIT)
		daemon_on_job_exit(d, (unsigned int)(tag & ~TAG_JOB_EXIT));
	else if (tag & TAG_JOB_OUT)
		daemon_on_job_output(d, (unsigned int)(tag & ~TAG_JOB_OUT));
	else if (tag & TAG_EXPORTER)
		ow_exporter_handle(d->exporter, (unsigned int)(tag & ~TAG_EXPORTER), events);
	else if (tag == TAG_RINGBUF)
		consume_events(d);
	else if (tag == TAG_SIGNAL)
		on_signal(d);
	else if (tag == TAG_TIMER)
		on_timer(d);
	else if (tag == TAG_PSI)
		on_timer(d); /* pressure: sample everything now */
	else if (tag == TAG_WATCHDOG)
		daemon_on_watchdog(d);
	else if (tag == TAG_SENDER)
		daemon_on_sender(d);
}

static bool proc_alive(pid_t tgid, void *arg)
{
	(void)arg;
	return ow_proc_exists("/proc", tgid);
}

/* The records of exited processes no exit event removed (core/model.h), when they double. */
static void sweep_procs(struct ow_daemon *d)
{
	unsigned int n;

	if (!ow_model_procs_sweep_due(&d->model))
		return;
	n = ow_model_sweep_procs(&d->model, proc_alive, NULL);
	ow_log(OW_LOG_DEBUG, "procs", "swept the records of exited processes", OW_INT("swept", n),
	       OW_INT("left", d->model.nprocs));
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
		daemon_sight_pass_count(d);
		for (i = 0; i < n && !d->stop; i++)
			dispatch(d, evs[i].data.u64, evs[i].events);
		ow_model_reap(&d->model); /* the one place a cgroup is freed (rescan) */
		sweep_procs(d);
		daemon_update_status(d);
	}
	return 0;
}

int daemon_watch_fd(struct ow_daemon *d, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = {.events = events, .data.u64 = tag};

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Keep our own pages resident and keep the OOM killer away from us: a watchdog that is
 * paged out or killed first protects nothing. MCL_ONFAULT locks only what we touch. The soft
 * limit on descriptors goes up to the hard one: the sight keeps one or two per limited cgroup
 * (daemon/sight.c), and a thousand of them pass the usual soft limit of 1024. */
static void protect_self(void)
{
	struct rlimit nofile;
	int fd;

	if (!getrlimit(RLIMIT_NOFILE, &nofile) && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}

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
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epfd < 0 || d->sigfd < 0 || d->timerfd < 0)
		return -errno;
	if (daemon_watch_fd(d, d->sigfd, EPOLLIN, TAG_SIGNAL) ||
	    daemon_watch_fd(d, d->timerfd, EPOLLIN, TAG_TIMER) || daemon_setup_watchdog(d))
		return -errno;
	daemon_watch_sender(d);
	daemon_machine_sight_start(d);
	daemon_limit_watch_start(d);
	if (d->tracer)
		return daemon_watch_fd(d, ow_tracer_fd(d->tracer), EPOLLIN, TAG_RINGBUF);
	d->psifd = open_psi();
	if (d->psifd >= 0)
		daemon_watch_fd(d, d->psifd, EPOLLPRI, TAG_PSI);
	return 0;
}

static int start_tracer(struct ow_daemon *d)
{
	struct ow_tracer_cfg tc = {.mode = d->opts->attach,
				   .max_processes = d->opts->bpf_max_processes};
	char err[256];
	int ret;

	if (d->opts->no_bpf) {
		ow_log(OW_LOG_WARN, "degraded",
		       "BPF disabled by --no-bpf: sampling cgroup files "
		       "every second instead of kernel events");
		return 0;
	}
	ret = ow_tracer_open(&d->tracer, &tc, on_event, d, err, sizeof(err));
	if (!ret) {
		daemon_sight_pass_start(d);
		return 0;
	}
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

/* After the first scan, so the first metrics file already lists the cgroups. */
static int start_exporter(struct ow_daemon *d)
{
	/* Where d keeps the alerter: a reload replaces it (exporter.h). */
	struct ow_exporter_src src = {
		.model = &d->model,
		.alerter = &d->alerter,
		.counters = &d->counters,
		.mode = d->tracer ? ow_tracer_mode(d->tracer) : "degraded",
		.degraded = !d->tracer,
	};
	struct ow_exporter_cfg cfg;
	char err[PATH_MAX + 128];

	ow_exporter_cfg_of(d->opts, &cfg); /* read once: only a restart changes them */
	if (ow_exporter_open(&cfg, &src, d->epfd, TAG_EXPORTER, &d->exporter, err, sizeof(err))) {
		fprintf(stderr, "oomwarden: %s\n", err);
		return 1;
	}
	if (d->exporter)
		ow_log(OW_LOG_INFO, "metrics", "exporting metrics",
		       OW_STR("file", cfg.file ? cfg.file : ""),
		       OW_NUM("interval_s", cfg.interval_s),
		       OW_STR("listen", cfg.listen ? cfg.listen : ""));
	return 0;
}

static void shutdown_daemon(struct ow_daemon *d)
{
	unsigned int i;

	for (i = 0; i < d->model.ncgs; i++) {
		daemon_drop_victim(d->model.cgs[i]);
		daemon_sight_drop(d, d->model.cgs[i]);
	}
	daemon_sight_stop(d);
	daemon_machine_sight_stop(d);
	daemon_limit_watch_stop(d);
	daemon_tmpfs_files_stop(d);
	daemon_brake_stop(d);
	for (i = 0; i < MAX_JOBS; i++) {
		if (d->jobs[i].job.pid)
			ow_job_close(&d->jobs[i].job);
	}
	ow_exporter_close(d->exporter); /* reads the model and the alerter one last time */
	ow_tracer_close(d->tracer);
	if (d->alerter)
		ow_alerter_stop(d->alerter, 2000);
	ow_model_free(&d->model);
	free(d->cands);
	free(d->tmpfs_table);
	daemon_maps_free(d);
	free(d->alert_cands);
	if (d->psifd >= 0)
		close(d->psifd);
	if (d->wdfd >= 0)
		close(d->wdfd);
	close(d->timerfd);
	close(d->sigfd);
	close(d->epfd);
	if (d->owned_opts) {
		ow_options_free(d->owned_opts);
		free(d->owned_opts);
	}
	ow_sd_close(&d->sd);
}

static const char *sight_name(const struct ow_daemon *d)
{
	if (!d->sight_pass.on)
		return "reads";
	return d->sight_pass.watch ? "watch" : "pass";
}

static void log_ready(const struct ow_daemon *d, const struct ow_options *opts)
{
	ow_log(OW_LOG_INFO, "ready", "watching memory cgroups", OW_STR("version", OW_VERSION),
	       OW_STR("mode", d->tracer ? ow_tracer_mode(d->tracer) : "degraded"),
	       OW_STR("hierarchy", d->watch.mount.version == OW_CG_V2 ? "v2" : "v1"),
	       OW_STR("mount", d->watch.mount.path), OW_INT("cgroups", d->model.ncgs),
	       OW_STR("sight", sight_name(d)),
	       OW_STR("config", opts->config_path ? opts->config_path : ""),
	       OW_INT("sections", opts->nrules), OW_INT("dry_run", opts->dry_run),
	       OW_NUM("warn_horizon_s", opts->policy.warn_horizon_s),
	       OW_NUM("act_horizon_s", opts->policy.act_horizon_s),
	       OW_NUM("grace_s", opts->policy.grace_s));
}

/* What comes before the BPF side: systemd's socket, the watched hierarchy, root. 0 or the exit
 * status. */
static int prepare(struct ow_daemon *d, struct ow_options *opts)
{
	char err[PATH_MAX + 128];
	struct ow_watch_cfg wc;
	int ret;

	ret = ow_sd_open(&d->sd); /* first: children must not inherit NOTIFY_SOCKET */
	if (ret)
		ow_log(OW_LOG_WARN, "sd_notify", "NOTIFY_SOCKET is unusable: not notifying systemd",
		       OW_STR("error", strerror(-ret)));
	ow_watch_cfg_of(opts, &wc);
	ret = ow_watch_init(&d->watch, &wc, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "oomwarden: %s\n", err);
		return ret == -EINVAL ? 2 : 1;
	}
	if (geteuid() != 0 && !opts->dry_run) {
		fprintf(stderr, "oomwarden: run needs root (to load BPF programs and signal other "
				"users' processes); try sudo, or --dry-run --no-bpf\n");
		return 1;
	}
	d->cands = calloc(1, sizeof(*d->cands));
	d->alert_cands = calloc(1, sizeof(*d->alert_cands)); /* NULL: alerts without the top list */
	return d->cands ? 0 : 1;
}

static int run(struct ow_daemon *d, struct ow_options *opts)
{
	char status[OW_SD_STATUS_LEN];
	int ret;

	daemon_start_alerter(d, opts); /* first: the sender is forked before BPF and mlockall */
	ret = start_tracer(d);
	if (!ret)
		ret = setup_fds(d) ? 1 : 0;
	if (ret)
		return ret;
	protect_self();
	d->shm_mnt_id = ow_shm_internal_mnt_id("/proc"); /* < 0: memfds are not counted */
	daemon_rescan(d);
	ow_model_reap(&d->model);
	ret = start_exporter(d);
	if (ret)
		return ret;
	daemon_brake_start(d); /* last: an earlier run's brakes are off until the loop runs */
	log_ready(d, opts);
	daemon_status_summary(d, status, sizeof(status));
	daemon_sd_result(d, ow_sd_notify_ready(&d->sd, status, ow_mono_ns()));
	ret = loop(d);
	daemon_sd_result(d, ow_sd_notify_stopping(&d->sd)); /* before the slow part: BPF */
	return ret;
}

/* The context lives on the heap: 350 KiB of it zeroed on the stack made every page of it
 * resident (and locked: mlockall), though a quiet daemon touches little of it (the watch's
 * root paths, watch.h; the victims' maps; the tmpfs tables); calloc's fresh pages stay
 * unbacked until used. */
int ow_daemon_run(struct ow_options *opts)
{
	struct ow_daemon *d = calloc(1, sizeof(*d));
	int ret;

	if (!d) {
		fprintf(stderr, "oomwarden: out of memory\n");
		return 1;
	}
	d->opts = opts;
	d->epfd = d->sigfd = d->timerfd = d->psifd = d->wdfd = d->machine.fd = d->limits.fd = -1;
	ret = prepare(d, opts);
	if (!ret)
		ret = run(d, opts);
	shutdown_daemon(d);
	free(d);
	return ret;
}
