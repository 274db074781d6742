// SPDX-License-Identifier: GPL-2.0
/*
 * `oomwarden diagnose`: see userspace/diagnose/diagnose.h. The target's processes are followed
 * through the daemon's own BPF tracker (userspace/sys/tracer.c) with small steps (64 KiB), so
 * growth comes from rss_stat events and /proc is read only at the two ends; a timer samples the
 * latest values into series for the fit. --stacks adds the uprobe allocation tracker.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "alloc_tracer.h"
#include "diag_report.h"
#include "diag_target.h"
#include "diagnose.h"
#include "proc.h"
#include "smaps.h"
#include "symbolize.h"
#include "tracer.h"
#include "units.h"

#define PROC_STEP	(64ULL << 10) /* the BPF side skips smaller moves anyway */
#define MEMCG_STEP	(1ULL << 20)
#define MIN_TICK_S	0.25
#define MAX_SAMPLES	2048 /* longer runs sample less often */
#define MAX_SMAPS_PROCS 16   /* smaps of a big process is large: the first ones only */
#define NS_PER_S	1000000000ULL

struct diag_proc {
	pid_t pid;
	char comm[16];
	uint64_t cur[OW_MEM_NR];
	bool ended;
	double ended_t;
	struct ow_smaps smaps0;
	bool have_smaps0;
	struct ow_symbolizer *sym0; /* maps at the start, for a process gone at the end */
	struct ow_diag_sample *series[OW_MEM_NR];
	size_t n;
};

struct diag {
	const struct ow_diag_options *opts;
	struct ow_diag_roots roots;
	struct ow_diag_target target;
	struct ow_tracer *tracer;
	struct ow_alloc_tracer *alloc;
	struct ow_symcache *symcache;
	struct diag_proc procs[OW_DIAG_MAX_PIDS];
	unsigned int nprocs;
	struct ow_diag_sample *total;
	size_t ntotal, cap;
	double tick_s;
	uint64_t t0_ns;
	uint64_t end_ns; /* when watching stopped */
	bool interrupted;
	char oom_note[256];
	char stacks_note[256];
	struct ow_cg_stat cg0;
	bool have_cg0;
};

static double elapsed_s(const struct diag *d)
{
	return (double)(ow_mono_ns() - d->t0_ns) / 1e9;
}

static uint64_t nonrecl(const uint64_t *rss)
{
	return rss[OW_MEM_ANON] + rss[OW_MEM_SHMEM] + rss[OW_MEM_SWAP];
}

static struct diag_proc *find_proc(struct diag *d, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < d->nprocs; i++)
		if (d->procs[i].pid == pid)
			return &d->procs[i];
	return NULL;
}

static bool memcg_in_target(const struct diag *d, uint64_t id)
{
	unsigned int i;

	for (i = 0; i < d->target.nmemcgs; i++)
		if (d->target.memcgs[i] == id)
			return true;
	return false;
}

static struct diag_proc *add_proc(struct diag *d, pid_t pid)
{
	struct diag_proc *p;
	struct ow_proc_info pi;
	int t;

	if (d->nprocs == OW_DIAG_MAX_PIDS || ow_proc_read(d->roots.proc, pid, &pi) || pi.kthread)
		return NULL;
	p = &d->procs[d->nprocs];
	memset(p, 0, sizeof(*p));
	for (t = 0; t < OW_MEM_NR; t++) {
		p->series[t] = calloc(d->cap, sizeof(*p->series[t]));
		if (!p->series[t])
			return NULL;
	}
	d->nprocs++;
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%s", pi.comm);
	p->cur[OW_MEM_ANON] = pi.rss_anon;
	p->cur[OW_MEM_FILE] = pi.rss_file;
	p->cur[OW_MEM_SHMEM] = pi.rss_shmem;
	p->cur[OW_MEM_SWAP] = pi.vm_swap;
	if (d->nprocs <= MAX_SMAPS_PROCS)
		p->have_smaps0 = !ow_smaps_read(d->roots.proc, pid, &p->smaps0);
	if (d->opts->stacks)
		ow_symbolizer_open_cached(d->roots.proc, pid, NULL, d->symcache, &p->sym0);
	return p;
}

static void note_oom(struct diag *d, const struct ow_event *e)
{
	char b[OW_FMT_LEN];

	snprintf(d->oom_note, sizeof(d->oom_note),
		 "the kernel OOM killer killed pid %u (%.16s) at %.1f s, anon %s", e->tgid, e->comm,
		 elapsed_s(d), ow_fmt_bytes(e->rss[OW_MEM_ANON], b, sizeof(b)));
}

static int on_event(const struct ow_event *e, void *arg)
{
	struct diag *d = arg;
	struct diag_proc *p = find_proc(d, (pid_t)e->tgid);

	switch (e->kind) {
	case OW_EV_PROC_STEP:
		if (!p && d->target.by_cgroup && memcg_in_target(d, e->memcg_id))
			p = add_proc(d, (pid_t)e->tgid);
		if (p && !p->ended)
			memcpy(p->cur, e->rss, sizeof(p->cur));
		break;
	case OW_EV_PROC_EXIT:
		if (p && !p->ended) {
			p->ended = true;
			p->ended_t = elapsed_s(d);
		}
		break;
	case OW_EV_OOM_VICTIM:
		if (p || memcg_in_target(d, e->memcg_id))
			note_oom(d, e);
		break;
	}
	return 0;
}

/* One point of every series: the latest values, piecewise constant between events. */
static void sample(struct diag *d, double t)
{
	uint64_t total = 0;
	unsigned int i;
	int k;

	if (d->ntotal == d->cap)
		return;
	for (i = 0; i < d->nprocs; i++) {
		struct diag_proc *p = &d->procs[i];

		if (p->ended)
			continue;
		for (k = 0; k < OW_MEM_NR; k++)
			p->series[k][p->n] = (struct ow_diag_sample){t, (double)p->cur[k]};
		p->n++;
		total += nonrecl(p->cur);
	}
	d->total[d->ntotal++] = (struct ow_diag_sample){t, (double)total};
}

static void progress(const struct diag *d, double t, bool last)
{
	struct ow_diag_judgement j;
	char r[OW_FMT_LEN];

	if (!isatty(STDERR_FILENO))
		return;
	if (last) {
		fputs("\r\033[K", stderr);
		return;
	}
	ow_diag_judge(d->total, d->ntotal, &j);
	fprintf(stderr, "\r\033[Kwatching %s: %3.0f/%.0f s, %u process%s, %s", d->target.label, t,
		d->opts->duration_s, d->nprocs, d->nprocs == 1 ? "" : "es",
		d->ntotal > 1 ? ow_fmt_rate(j.rate, r, sizeof(r)) : "...");
}

static bool all_ended(const struct diag *d)
{
	unsigned int i;

	if (d->target.by_cgroup)
		return false;
	for (i = 0; i < d->nprocs; i++)
		if (!d->procs[i].ended)
			return false;
	return true;
}

static int make_fds(int *tfd, int *sfd, double tick_s)
{
	struct itimerspec it = {0};
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	*sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	*tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (*sfd < 0 || *tfd < 0)
		return -errno;
	it.it_interval.tv_sec = (time_t)tick_s;
	it.it_interval.tv_nsec = (long)((tick_s - (double)(time_t)tick_s) * 1e9);
	it.it_value = it.it_interval;
	return timerfd_settime(*tfd, 0, &it, NULL) ? -errno : 0;
}

static int epoll_add(int ep, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Sleep until an event, a tick or a signal; stop at the duration, or when every watched
 * process of a --pid target has ended. */
static int watch_loop(struct diag *d)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), tfd = -1, sfd = -1, rb = ow_tracer_fd(d->tracer);
	struct epoll_event evs[4];
	unsigned int ticks = 0;
	uint64_t exp;
	int ret, n, i;

	ret = ep < 0 ? -errno : make_fds(&tfd, &sfd, d->tick_s);
	if (!ret)
		ret = epoll_add(ep, tfd) ?: epoll_add(ep, sfd) ?: epoll_add(ep, rb);
	sample(d, 0);
	while (!ret && !d->interrupted && elapsed_s(d) < d->opts->duration_s && !all_ended(d)) {
		n = epoll_wait(ep, evs, 4, -1);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == rb) {
				ow_tracer_consume(d->tracer);
			} else if (evs[i].data.fd == tfd && read(tfd, &exp, sizeof(exp)) > 0) {
				sample(d, elapsed_s(d));
				if (++ticks % (unsigned int)(1 / d->tick_s + 0.999) == 0)
					progress(d, elapsed_s(d), false);
			} else if (evs[i].data.fd == sfd) {
				d->interrupted = true;
			}
		}
		if (n < 0 && errno != EINTR)
			ret = -errno;
	}
	ow_tracer_consume(d->tracer);
	if (d->alloc)
		ow_alloc_tracer_stop(d->alloc);
	d->end_ns = ow_mono_ns();
	progress(d, 0, true);
	if (ep >= 0)
		close(ep);
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	return ret;
}

static int start_tracer(struct diag *d, char *err, size_t errlen)
{
	struct ow_memcg_cfg cfg = {.memcg_step = MEMCG_STEP, .proc_step = PROC_STEP, .watched = 1};
	unsigned int i;
	struct ow_tracer_cfg tc = {.mode = d->opts->attach}; /* one target: the default map */
	int ret = ow_tracer_open(&d->tracer, &tc, on_event, d, err, errlen);

	if (ret)
		return ret;
	for (i = 0; i < d->target.nmemcgs; i++) {
		ret = ow_tracer_set_memcg(d->tracer, d->target.memcgs[i], &cfg);
		if (ret) {
			snprintf(err, errlen, "cannot configure the BPF tracker: %s",
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* --stacks: a failure here costs the stacks, not the diagnosis; the report says why. */
static void start_stacks(struct diag *d)
{
	char err[256] = "";
	unsigned int i, traced = 0;

	if (ow_alloc_tracer_open(&d->alloc, err, sizeof(err))) {
		snprintf(d->stacks_note, sizeof(d->stacks_note), "%s", err);
		return;
	}
	for (i = 0; i < d->nprocs; i++) {
		int ret = ow_alloc_tracer_add_pid(d->alloc, d->roots.proc, d->procs[i].pid, err,
						  sizeof(err));

		if (ret == -E2BIG) {
			snprintf(d->stacks_note, sizeof(d->stacks_note),
				 "stacks traced for the first %u processes only", traced);
			break;
		}
		if (ret)
			snprintf(d->stacks_note, sizeof(d->stacks_note), "%s", err);
		else
			traced++;
	}
	if (ow_alloc_tracer_start(d->alloc))
		snprintf(d->stacks_note, sizeof(d->stacks_note), "cannot start the tracer");
	if (d->target.by_cgroup && !d->stacks_note[0])
		snprintf(d->stacks_note, sizeof(d->stacks_note),
			 "processes that joined the cgroup after the start are not traced");
}

static int setup(struct diag *d, char *err, size_t errlen)
{
	const struct ow_diag_options *o = d->opts;
	unsigned int i;
	int ret;

	if (o->pid)
		ret = ow_diag_target_pid(&d->roots, o->pid, &d->target, err, errlen);
	else if (o->cgroup)
		ret = ow_diag_target_cgroup(&d->roots, o->cgroup, &d->target, err, errlen);
	else
		ret = ow_diag_target_unit(&d->roots, o->unit, &d->target, err, errlen);
	if (ret)
		return 2;
	d->tick_s = o->duration_s / (MAX_SAMPLES - 8);
	d->tick_s = d->tick_s < MIN_TICK_S ? MIN_TICK_S : d->tick_s;
	d->cap = (size_t)(o->duration_s / d->tick_s) + 8;
	d->total = calloc(d->cap, sizeof(*d->total));
	d->symcache = o->stacks ? ow_symcache_new() : NULL;
	if (!d->total || (o->stacks && !d->symcache))
		return 1;
	d->have_cg0 = !ow_cg_read_stat(d->roots.mount.version, d->target.dir, &d->cg0);
	for (i = 0; i < d->target.npids; i++)
		add_proc(d, d->target.pids[i]);
	if (!d->nprocs && o->pid) {
		snprintf(err, errlen, "no such process: %d", o->pid);
		return 2;
	}
	if (start_tracer(d, err, errlen))
		return 1;
	if (o->stacks)
		start_stacks(d);
	d->t0_ns = ow_mono_ns();
	return 0;
}

static double slope_of(const struct ow_diag_sample *s, size_t n)
{
	struct ow_line_fit fit;

	return ow_fit_line(s, n, &fit) ? 0 : fit.slope;
}

static double eta(uint64_t limit, uint64_t usage, double rate)
{
	if (limit == OW_NO_LIMIT || rate <= 0)
		return -1;
	return usage >= limit ? 0 : (double)(limit - usage) / rate;
}

/* The growing mappings of p: its smaps at the start against now. */
static void proc_maps(struct diag *d, struct diag_proc *p, struct ow_diag_proc_report *pr)
{
	struct ow_smaps end = {0};
	size_t i;

	pr->smaps_missing =
		p->have_smaps0 && (p->ended || ow_smaps_read(d->roots.proc, p->pid, &end));
	if (!p->have_smaps0 || pr->smaps_missing)
		return;
	if (!ow_smaps_diff(&p->smaps0, &end, &pr->maps, &pr->nmaps)) {
		size_t k = 0;

		/* Sorted by growth: keep the ones that grew, but not the page the kernel maps
		 * for our own uretprobes. */
		for (i = 0; i < pr->nmaps && pr->maps[i].d_rss + pr->maps[i].d_swap > 0; i++)
			if (strcmp(pr->maps[i].name, "[uprobes]"))
				pr->maps[k++] = pr->maps[i];
		pr->nmaps = k;
	}
	ow_smaps_free(&end);
}

static void proc_report(struct diag *d, struct diag_proc *p, const struct ow_diag_report *r,
			struct ow_diag_proc_report *pr)
{
	struct ow_diag_sample *nr = calloc(p->n ? p->n : 1, sizeof(*nr));
	struct ow_proc_info pi;
	size_t i;
	int t;

	if (!p->ended && !ow_proc_read(d->roots.proc, p->pid, &pi)) {
		p->cur[OW_MEM_ANON] = pi.rss_anon;
		p->cur[OW_MEM_FILE] = pi.rss_file;
		p->cur[OW_MEM_SHMEM] = pi.rss_shmem;
		p->cur[OW_MEM_SWAP] = pi.vm_swap;
	}
	pr->pid = p->pid;
	memcpy(pr->comm, p->comm, sizeof(pr->comm));
	memcpy(pr->end, p->cur, sizeof(pr->end));
	for (t = 0; t < OW_MEM_NR; t++)
		pr->rate[t] = slope_of(p->series[t], p->n);
	for (i = 0; nr && i < p->n; i++)
		nr[i] = (struct ow_diag_sample){p->series[0][i].t_s,
						p->series[OW_MEM_ANON][i].bytes +
							p->series[OW_MEM_SHMEM][i].bytes +
							p->series[OW_MEM_SWAP][i].bytes};
	pr->nonrecl_rate = nr ? slope_of(nr, p->n) : 0;
	free(nr);
	pr->eta_s = eta(r->limit, r->usage, pr->nonrecl_rate);
	pr->ended = p->ended;
	pr->ended_after_s = p->ended_t;
	proc_maps(d, p, pr);
}

static struct ow_symbolizer *symbolizer_for(struct diag *d, pid_t pid, struct ow_symbolizer **fresh)
{
	struct diag_proc *p = find_proc(d, pid);

	*fresh = NULL;
	/* Maps now know libraries and JIT code loaded since the start; a process that has ended
	 * has only its start snapshot. */
	if (p && !p->ended &&
	    !ow_symbolizer_open_cached(d->roots.proc, pid, NULL, d->symcache, fresh))
		return *fresh;
	return p ? p->sym0 : NULL;
}

/* Frames are return addresses: the call is the instruction before, hence addr - 1. */
static void symbolize_stack(struct ow_symbolizer *sym, const struct ow_alloc_stack *as,
			    struct ow_diag_stack_report *sr)
{
	struct ow_frame fr;
	unsigned int k;

	sr->frames = calloc(as->nips ? as->nips : 1, sizeof(*sr->frames));
	if (!sr->frames)
		return;
	for (k = 0; k < as->nips; k++) {
		memset(&fr, 0, sizeof(fr));
		fr.addr = as->ips[k];
		if (sym)
			ow_symbolize(sym, as->ips[k] - 1, &fr);
		ow_frame_label(&fr, sr->frames[k], OW_DIAG_FRAME_LEN);
	}
	sr->nframes = as->nips;
}

static void stacks_report(struct diag *d, struct ow_diag_report *r)
{
	struct ow_alloc_stack *as = NULL;
	struct ow_symbolizer *sym, *fresh;
	uint64_t now = d->end_ns;
	size_t n = 0, i;

	r->stacks_on = d->opts->stacks;
	snprintf(r->stacks_note, sizeof(r->stacks_note), "%s", d->stacks_note);
	if (!d->alloc || ow_alloc_tracer_collect(d->alloc, &as, &n, &r->totals))
		return;
	n = n < d->opts->top ? n : d->opts->top;
	r->stacks = calloc(n ? n : 1, sizeof(*r->stacks));
	for (i = 0; r->stacks && i < n; i++) {
		struct ow_diag_stack_report *sr = &r->stacks[i];

		sr->pid = as[i].pid;
		sr->bytes = as[i].bytes;
		sr->count = as[i].count;
		sr->oldest_age_s = (double)(now - as[i].oldest_ns) / 1e9;
		sym = symbolizer_for(d, as[i].pid, &fresh);
		symbolize_stack(sym, &as[i], sr);
		ow_symbolizer_close(fresh);
	}
	r->nstacks = r->stacks ? n : 0;
	free(as);
}

static void cgroup_report(struct diag *d, struct ow_diag_report *r)
{
	const char *rel = d->target.dir + strlen(d->roots.mount.path);
	uint64_t machine = OW_NO_LIMIT;

	ow_cg_display_name(*rel ? rel : "/", r->cg_name, sizeof(r->cg_name));
	r->have_cg =
		d->have_cg0 && !ow_cg_read_stat(d->roots.mount.version, d->target.dir, &r->cg_end);
	r->cg_start = d->cg0;
	if (!r->have_cg && !ow_meminfo_stat("/proc/meminfo", &r->cg_end)) {
		r->cg_start = r->cg_end; /* the v2 root has no memory files: the machine */
	}
	if (ow_meminfo_machine_limit("/proc/meminfo", &machine))
		machine = OW_NO_LIMIT;
	if (ow_cg_effective_limit(&d->roots.mount, d->target.dir, machine, &r->limit))
		r->limit = machine;
	r->usage = r->cg_end.usage;
}

static void build_report(struct diag *d, struct ow_diag_report *r)
{
	unsigned int i;

	r->target = d->target.label;
	r->requested_s = d->opts->duration_s;
	r->duration_s = (double)(d->end_ns - d->t0_ns) / 1e9;
	r->attach = ow_tracer_mode(d->tracer);
	r->top = d->opts->top;
	if (d->interrupted)
		snprintf(r->note, sizeof(r->note), "interrupted");
	else if (all_ended(d))
		snprintf(r->note, sizeof(r->note), "the process ended after %.1f s",
			 d->nprocs ? d->procs[0].ended_t : 0.0);
	snprintf(r->oom_note, sizeof(r->oom_note), "%s", d->oom_note);
	sample(d, r->duration_s);
	ow_diag_judge(d->total, d->ntotal, &r->j);
	cgroup_report(d, r);
	r->eta_s = eta(r->limit, r->usage, r->j.rate);
	stacks_report(d, r);
	r->procs = calloc(d->nprocs ? d->nprocs : 1, sizeof(*r->procs));
	for (i = 0; r->procs && i < d->nprocs; i++)
		proc_report(d, &d->procs[i], r, &r->procs[i]);
	r->nprocs = r->procs ? d->nprocs : 0;
}

static void free_report(struct ow_diag_report *r)
{
	size_t i;

	for (i = 0; i < r->nprocs; i++)
		free(r->procs[i].maps);
	for (i = 0; i < r->nstacks; i++)
		free(r->stacks[i].frames);
	free(r->procs);
	free(r->stacks);
}

static void free_diag(struct diag *d)
{
	unsigned int i;
	int t;

	ow_alloc_tracer_close(d->alloc);
	if (d->tracer)
		ow_tracer_close(d->tracer);
	for (i = 0; i < d->nprocs; i++) {
		ow_smaps_free(&d->procs[i].smaps0);
		ow_symbolizer_close(d->procs[i].sym0);
		for (t = 0; t < OW_MEM_NR; t++)
			free(d->procs[i].series[t]);
	}
	if (d->symcache)
		ow_symcache_free(d->symcache);
	free(d->total);
	free(d);
}

int ow_diagnose_run(const struct ow_diag_options *o)
{
	struct ow_diag_report r = {0};
	struct diag *d;
	char err[512] = "";
	int ret;

	if (geteuid()) {
		fprintf(stderr, "oomwarden: diagnose needs root: it loads BPF programs and reads "
				"other users' /proc files\n");
		return 1;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return 1;
	d->opts = o;
	d->roots.proc = "/proc";
	d->roots.unit_roots[0] = "/sys/fs/cgroup/systemd";
	d->roots.unit_roots[1] = "/sys/fs/cgroup/unified";
	d->roots.unit_roots[2] = "/sys/fs/cgroup";
	if (ow_cg_find_memory_mount("/proc/self/mountinfo", "", &d->roots.mount)) {
		fprintf(stderr, "oomwarden: no memory cgroup controller is mounted\n");
		free_diag(d);
		return 1;
	}
	ret = setup(d, err, sizeof(err));
	if (!ret)
		ret = watch_loop(d) ? 1 : 0;
	if (ret) {
		fprintf(stderr, "oomwarden: %s\n", err[0] ? err : "diagnose failed");
		free_diag(d);
		return ret;
	}
	build_report(d, &r);
	if (o->json)
		ow_diag_report_json(stdout, &r);
	else
		ow_diag_report_text(stdout, &r);
	fflush(stdout);
	free_report(&r);
	free_diag(d);
	return 0;
}
