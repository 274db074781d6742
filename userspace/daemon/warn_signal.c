// SPDX-License-Identifier: GPL-2.0
/*
 * The warn signal (--warn-signal, issue 18): as a cgroup leaves ok for warn, its fastest-growing
 * process that may be signalled gets the configured signal, so an application that can shed
 * memory (drop caches, trim pools) gets its chance before anyone is stopped. Chosen as a victim
 * is (never protected, PID 1, a kernel thread or ourselves), signalled through a pidfd, and only
 * when it catches the signal: SIGUSR1 and the like end a process that has no handler, and a
 * warning must never kill. Once per warning: a cgroup back at ok and warned again is told again.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "daemon_ctx.h"

static void told(struct ow_cgroup *cg, const struct ow_proc_info *info, int sig, const char *msg,
		 int err)
{
	ow_log(err ? OW_LOG_INFO : OW_LOG_WARN, "warn_signal", msg, CG_FIELDS(cg),
	       OW_INT("pid", info ? info->pid : 0), OW_STR("comm", info ? info->comm : ""),
	       OW_STR("signal", ow_signal_name(sig)), OW_STR("error", err ? strerror(-err) : ""));
}

void daemon_warn_signal(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	int sig = ow_rule_warn_signal(d->opts->warn_signal, rule_of(d, cg));
	const struct ow_proc_info *info;
	int n, idx, fd, err;

	if (!sig)
		return;
	idx = daemon_fastest(d, cg, now, &n);
	if (idx < 0) {
		told(cg, NULL, sig,
		     "nobody to tell: no process of the cgroup that may be signalled "
		     "was seen growing",
		     -ESRCH);
		return;
	}
	info = &d->cands->info[idx];
	err = ow_proc_catches("/proc", info->pid, sig);
	if (err <= 0) {
		told(cg, info, sig,
		     "not sent: the process does not catch it (its default action "
		     "would end it)",
		     err ? err : -ENOTSUP);
		return;
	}
	if (d->opts->dry_run) {
		told(cg, info, sig, "dry run: the signal would go to the fastest-growing process",
		     -ECANCELED);
		return;
	}
	fd = ow_pidfd_open_checked("/proc", info);
	err = fd < 0 ? fd : ow_pidfd_signal(fd, sig);
	if (fd >= 0)
		close(fd);
	told(cg, info, sig,
	     err ? "could not signal the fastest-growing process"
		 : "sent to the fastest-growing process: memory runs short, it may shed what it "
		   "can",
	     err);
}
