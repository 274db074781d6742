// SPDX-License-Identifier: GPL-2.0
/*
 * systemd: the STATUS= line `systemctl status` shows, and WATCHDOG=1 from the event loop
 * itself (a loop that hangs stops the pings).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon_ctx.h"

/* A manager that stopped listening is worth one line, not one per message. */
void daemon_sd_result(struct ow_daemon *d, int ret)
{
	if (ret >= 0 || d->sd_failed)
		return;
	d->sd_failed = true;
	ow_log(OW_LOG_WARN, "sd_notify", "could not notify systemd",
	       OW_STR("error", strerror(-ret)));
}

/* The line `systemctl status` shows, e.g. "watching 12 cgroups, 0 at risk, BPF tp_btf". */
void daemon_status_summary(const struct ow_daemon *d, char *buf, size_t len)
{
	unsigned int i, at_risk = 0, n = 0;

	for (i = 0; i < d->model.ncgs; i++) {
		n += !d->model.cgs[i]->gone;
		at_risk += !d->model.cgs[i]->gone && d->model.cgs[i]->eval.level != OW_LEVEL_OK;
	}
	snprintf(buf, len, "watching %u cgroup%s, %u at risk, %s%s%s", n, n == 1 ? "" : "s",
		 at_risk, d->tracer ? "BPF " : "degraded (no BPF)",
		 d->tracer ? ow_tracer_mode(d->tracer) : "", d->opts->dry_run ? ", dry run" : "");
}

void daemon_update_status(struct ow_daemon *d)
{
	char status[OW_SD_STATUS_LEN];

	if (d->sd.fd < 0)
		return;
	daemon_status_summary(d, status, sizeof(status));
	daemon_sd_result(d, ow_sd_notify_status(&d->sd, status, ow_mono_ns()));
}

void daemon_on_watchdog(struct ow_daemon *d)
{
	uint64_t ticks;

	if (read(d->wdfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	daemon_sd_result(d, ow_sd_notify_watchdog(&d->sd));
}

/* WATCHDOG=1 at half the period systemd asked for, from the event loop itself: a loop that
 * hangs stops the pings, and systemd restarts us. */
int daemon_setup_watchdog(struct ow_daemon *d)
{
	uint64_t half_ns = d->sd.watchdog_usec * 1000 / 2;
	struct itimerspec its = {0};

	if (!d->sd.watchdog_usec)
		return 0;
	d->wdfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->wdfd < 0)
		return -errno;
	its.it_value.tv_sec = its.it_interval.tv_sec = (time_t)(half_ns / NS_PER_S);
	its.it_value.tv_nsec = its.it_interval.tv_nsec = (long)(half_ns % NS_PER_S);
	if (!half_ns)
		its.it_value.tv_nsec = its.it_interval.tv_nsec = 1;
	if (timerfd_settime(d->wdfd, 0, &its, NULL))
		return -errno;
	return daemon_watch_fd(d, d->wdfd, EPOLLIN, TAG_WATCHDOG);
}
