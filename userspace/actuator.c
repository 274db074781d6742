// SPDX-License-Identifier: GPL-2.0
/* Candidates and pidfd signalling: see include/actuator.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "actuator.h"
#include "cgroup.h"

/* Processes that stopped growing this long ago are not the leak. */
#define RATE_WINDOW_NS (10ULL * 1000000000ULL)

struct collect {
	const char *procroot;
	size_t mount_len;
	const struct ow_options *opts;
	const struct ow_model *model;
	uint64_t now_ns;
	struct ow_candidates *out;
};

static void add_candidate(struct collect *c, const struct ow_cgroup_rule *rule, pid_t pid)
{
	const struct ow_options *o = c->opts;
	struct ow_candidates *out = c->out;
	struct ow_proc_info *info = &out->info[out->n];
	struct ow_candidate *cand = &out->c[out->n];
	const struct ow_proc_rec *rec;

	/* Vanished or unreadable: it cannot be the victim, and that is no error. */
	if (ow_proc_read(c->procroot, pid, info))
		return;
	memset(cand, 0, sizeof(*cand));
	cand->pid = pid;
	cand->kthread = info->kthread;
	cand->is_self = pid == getpid();
	cand->rss = info->rss_anon + info->rss_shmem + info->vm_swap;
	cand->protected_ =
		ow_rule_protects(o->protect, &o->protect_re, rule, info->comm, info->cmdline);
	cand->preferred =
		ow_rule_prefers(o->prefer, &o->prefer_re, rule, info->comm, info->cmdline);
	rec = ow_model_proc((struct ow_model *)c->model, pid);
	if (rec)
		cand->rate = ow_proc_rate(rec, c->now_ns, RATE_WINDOW_NS);
	out->n++;
}

static int collect_dir(const char *path, uint64_t ino, void *arg)
{
	struct collect *c = arg;
	const char *rel = strlen(path) > c->mount_len ? path + c->mount_len : "/";
	char mount[PATH_MAX];
	int pids[1024], n, i, r;

	n = ow_cg_read_procs(path, pids, 1024);
	if (n < 0)
		return 0; /* vanished mid-walk */
	snprintf(mount, sizeof(mount), "%.*s", (int)c->mount_len, path);
	r = ow_rules_find(c->opts->rules, c->opts->nrules, rel, ow_cg_trusted_depth(mount, rel));
	for (i = 0; i < n && c->out->n < OW_MAX_CANDIDATES; i++)
		add_candidate(c, r >= 0 ? &c->opts->rules[r] : NULL, pids[i]);
	return 0;
}

int ow_collect_candidates(const char *procroot, const char *cgdir, size_t mount_len,
			  const struct ow_options *opts, const struct ow_model *model,
			  uint64_t now_ns, struct ow_candidates *out)
{
	struct collect c = {procroot, mount_len, opts, model, now_ns, out};
	int err;

	out->n = 0;
	err = ow_cg_walk(cgdir, collect_dir, &c);
	return err < 0 ? err : (int)out->n;
}

int ow_pidfd_open_checked(const char *procroot, const struct ow_proc_info *info)
{
	struct ow_proc_info now;
	int fd = (int)syscall(SYS_pidfd_open, info->pid, 0);

	if (fd < 0)
		return -errno;
	/* The pidfd pins the process we opened; if its start time differs from what we read,
	 * the PID was reused in between. */
	if (ow_proc_read(procroot, info->pid, &now) || now.starttime != info->starttime) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

int ow_pidfd_signal(int pidfd, int sig)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0))
		return -errno;
	return 0;
}
