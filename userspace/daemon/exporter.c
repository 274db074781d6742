// SPDX-License-Identifier: GPL-2.0
/* Metrics glue between the daemon and metrics.c: see userspace/daemon/exporter.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "exporter.h"
#include "log.h"
#include "metrics.h"
#include "metrics_file.h"
#include "metrics_http.h"
#include "proc.h"

#define NS_PER_S 1000000000ULL
#define SUB_TICK 0
#define SUB_HTTP 16 /* + the server's own sub-tags */

struct ow_exporter {
	struct ow_exporter_src src;
	char *path; /* --metrics-file, our own copy: the writer thread keeps it */
	int epfd, tfd;
	struct ow_metrics_writer *writer;
	struct ow_http *http;
	struct ow_strbuf text;
	struct ow_metrics_cgroup *cgs;
	unsigned int cgcap;
	double start_time_s;
	int reported_err; /* the file error last logged: log each change once */
};

static double realtime_s(void)
{
	return (double)ow_realtime_ns() / 1e9;
}

static void self_usage(struct ow_metrics_daemon *d)
{
	struct rusage ru;

	if (!getrusage(RUSAGE_SELF, &ru))
		d->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
				 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	if (ow_proc_rss_bytes("/proc", getpid(), &d->resident_bytes))
		d->resident_bytes = 0;
}

static void collect_daemon(struct ow_exporter *ex, struct ow_metrics_daemon *d)
{
	struct ow_alerter *al = *ex->src.alerter;
	struct ow_alerter_stats st;

	memset(d, 0, sizeof(*d));
	d->version = OW_VERSION;
	d->mode = ex->src.mode;
	d->degraded = ex->src.degraded;
	d->start_time_s = ex->start_time_s;
	self_usage(d);
	d->events = ex->src.counters->events;
	d->oom_kills = ex->src.counters->oom_kills;
	d->bpf_map_full = ex->src.counters->bpf_map_full;
	d->sight_passes = ex->src.counters->sight_passes;
	d->sight_pass_seconds = (double)ex->src.counters->sight_pass_ns / 1e9;
	d->sight_members = ex->src.counters->sight_members;
	d->sight_watch_ticks = ex->src.counters->sight_watch_ticks;
	d->sight_watch_seconds = (double)ex->src.counters->sight_watch_ns / 1e9;
	ow_alerter_poll(al);
	st = ow_alerter_stats(al);
	ow_alerter_stats_add(&st, &ex->src.counters->alerts_retired);
	d->alerts_sent = st.delivered;
	d->alerts_failed = st.failed;
	d->alerts_dropped = st.dropped + st.child_dropped;
	d->processes = ex->src.model->nprocs;
}

/*
 * A grace is granted (at least OW_GRACE_MIN_S) only when a SIGTERM is sent or a restart asked;
 * a dry run grants none but records its lead. Before either, neither has a sample.
 */
static void last_action(const struct ow_cgroup *cg, struct ow_metrics_cgroup *m)
{
	bool granted = cg->victim.grace_s > 0;

	m->grace_s = granted ? cg->victim.grace_s : NAN;
	m->lead_s = granted || cg->counters.actions[OW_ACTED_DRY_RUN] ? cg->victim.lead_s : NAN;
}

/*
 * Growth as of now, not as of the cgroup's last event: its history is piecewise constant, so
 * the trend evaluated now shows a leak that stopped as stopped. The ETA is the one the daemon
 * acted on (cg->verdict, with the cgroup's own [cgroup] settings): a second assessment here
 * with the global policy could differ from it. A cgroup never assessed has no prediction.
 */
static void collect_cgroup(const struct ow_cgroup *cg, uint64_t now, struct ow_metrics_cgroup *m)
{
	struct ow_cg_view view;

	ow_cgroup_view(cg, now, &view);
	memset(m, 0, sizeof(*m));
	m->name = cg->name;
	m->path = cg->path;
	if (cg->kube) {
		m->ns = cg->kube->ns;
		m->pod = cg->kube->pod;
		m->container = cg->kube->container;
	} else if (cg->ctr) {
		m->container = cg->ctr->name;
		m->image = cg->ctr->image;
	}
	m->usage_bytes = cg->reading.st.usage;
	m->nonreclaimable_bytes = cg->reading.nonrecl;
	m->limit_bytes = cg->reading.eff_limit;
	m->growth_bytes_per_s = view.fine.recent_rate;
	m->eta_s = cg->eval.verdict.reason ? cg->eval.verdict.eta_s : INFINITY;
	m->level = (int)cg->eval.level;
	memcpy(m->actions, cg->counters.actions, sizeof(m->actions));
	m->oom_kills = cg->counters.oom_kills_seen;
	m->brake_active = cg->brake.dir != NULL;
	m->brake_lifted = cg->brake.lifted_burst;
	m->crash_loops = cg->victim.loop.loops;
	m->brake_drained = cg->brake.drained;
	last_action(cg, m);
}

static int render(void *arg, struct ow_strbuf *out)
{
	struct ow_exporter *ex = arg;
	const struct ow_model *model = ex->src.model;
	struct ow_metrics_daemon d;
	uint64_t now = ow_mono_ns();
	unsigned int i, n = 0;

	if (model->ncgs > ex->cgcap) {
		struct ow_metrics_cgroup *p = realloc(ex->cgs, model->ncgs * sizeof(*p) * 2);

		if (!p)
			return -ENOMEM;
		ex->cgs = p;
		ex->cgcap = model->ncgs * 2;
	}
	collect_daemon(ex, &d);
	for (i = 0; i < model->ncgs; i++)
		if (!model->cgs[i]->gone)
			collect_cgroup(model->cgs[i], now, &ex->cgs[n++]);
	return ow_metrics_format(&d, ex->cgs, n, out);
}

/* Log a write error when it starts or changes, and the recovery: not every few seconds. */
static void report_file_status(struct ow_exporter *ex)
{
	struct ow_metrics_writer_status st = ow_metrics_writer_status(ex->writer);

	if (st.last_err == ex->reported_err)
		return;
	if (st.last_err)
		ow_log(OW_LOG_ERROR, "metrics", "cannot write the metrics file",
		       OW_STR("path", ex->path), OW_STR("error", strerror(-st.last_err)));
	else
		ow_log(OW_LOG_INFO, "metrics", "writing the metrics file again",
		       OW_STR("path", ex->path));
	ex->reported_err = st.last_err;
}

static void tick(struct ow_exporter *ex)
{
	uint64_t junk;

	if (read(ex->tfd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
		return;
	if (!ex->writer)
		return;
	report_file_status(ex);
	ow_strbuf_reset(&ex->text);
	if (render(ex, &ex->text))
		return;
	ow_metrics_writer_submit(ex->writer, &ex->text);
}

void ow_exporter_handle(struct ow_exporter *ex, unsigned int sub, uint32_t events)
{
	if (sub == SUB_TICK)
		tick(ex);
	else if (sub >= SUB_HTTP && sub - SUB_HTTP < OW_HTTP_TAGS && ex->http)
		ow_http_handle(ex->http, sub - SUB_HTTP, events);
}

static int start_timer(struct ow_exporter *ex, double interval_s, uint64_t tag_base)
{
	uint64_t ns = (uint64_t)(interval_s * NS_PER_S);
	struct itimerspec its = {
		.it_interval = {.tv_sec = (time_t)(ns / NS_PER_S),
				.tv_nsec = (long)(ns % NS_PER_S)},
	};
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag_base + SUB_TICK};

	its.it_value = its.it_interval;
	ex->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ex->tfd < 0 || timerfd_settime(ex->tfd, 0, &its, NULL) ||
	    epoll_ctl(ex->epfd, EPOLL_CTL_ADD, ex->tfd, &ev))
		return -errno;
	return 0;
}

/* The first version, synchronously: a directory that does not exist fails the start. */
static int start_file(struct ow_exporter *ex, char *err, size_t errlen)
{
	const char *path = ex->path;
	int ret = path ? render(ex, &ex->text) : -ENOMEM;

	if (!ret)
		ret = ow_metrics_file_write(path, ex->text.buf, ex->text.len);
	if (!ret)
		ret = ow_metrics_writer_start(path, &ex->writer);
	if (ret)
		snprintf(err, errlen, "cannot write the metrics file %s: %s", path, strerror(-ret));
	return ret;
}

static int start_http(struct ow_exporter *ex, const struct ow_exporter_cfg *cfg, uint64_t tag_base,
		      char *err, size_t errlen)
{
	int ret = ow_http_open(&cfg->addr, ex->epfd, tag_base + SUB_HTTP, render, ex, &ex->http);

	if (ret)
		snprintf(err, errlen, "cannot listen on %s for metrics: %s", cfg->listen,
			 strerror(-ret));
	return ret;
}

int ow_exporter_open(const struct ow_exporter_cfg *cfg, const struct ow_exporter_src *src, int epfd,
		     uint64_t tag_base, struct ow_exporter **out, char *err, size_t errlen)
{
	struct ow_exporter *ex;
	int ret = 0;

	*out = NULL;
	err[0] = '\0';
	if (!cfg->file && !cfg->listen)
		return 0;
	ex = calloc(1, sizeof(*ex));
	if (!ex)
		return -ENOMEM;
	ex->src = *src;
	ex->epfd = epfd;
	ex->tfd = -1;
	ex->start_time_s = realtime_s();
	if (cfg->file) {
		ex->path = strdup(cfg->file);
		ret = start_file(ex, err, errlen);
		if (!ret)
			ret = start_timer(ex, cfg->interval_s, tag_base);
		if (ret && !err[0])
			snprintf(err, errlen, "cannot start the metrics timer: %s", strerror(-ret));
	}
	if (!ret && cfg->listen)
		ret = start_http(ex, cfg, tag_base, err, errlen);
	if (ret) {
		ow_exporter_close(ex);
		return ret;
	}
	*out = ex;
	return 0;
}

void ow_exporter_close(struct ow_exporter *ex)
{
	if (!ex)
		return;
	if (ex->writer) {
		ow_strbuf_reset(&ex->text);
		if (!render(ex, &ex->text))
			ow_metrics_writer_submit(ex->writer, &ex->text);
		ow_metrics_writer_stop(ex->writer);
	}
	ow_http_close(ex->http);
	if (ex->tfd >= 0)
		close(ex->tfd);
	ow_strbuf_free(&ex->text);
	free(ex->cgs);
	free(ex->path);
	free(ex);
}
