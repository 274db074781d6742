// SPDX-License-Identifier: GPL-2.0
/* Candidates and pidfd signalling: see userspace/daemon/candidates.h. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "candidates.h"
#include "cgroup.h"

/* Processes that stopped growing this long ago are not the leak. */
#define RATE_WINDOW_NS (10ULL * 1000000000ULL)
/* A cgroup's ancestry in the model is never deeper than this (cgroupfs nests far less). */
#define MAX_DEPTH 4096

/* ---- every process of a subtree: display and degraded-mode sampling ---- */

struct collect {
	const char *procroot;
	const struct ow_model *model;
	uint64_t now_ns;
	struct ow_candidates *out;
};

static void add_process(struct collect *c, pid_t pid)
{
	struct ow_candidates *out = c->out;
	struct ow_proc_info *info = &out->info[out->n];
	struct ow_candidate *cand = &out->c[out->n];
	const struct ow_proc_rec *rec;

	/* Vanished or unreadable: nothing to show, and that is no error. */
	if (ow_proc_read(c->procroot, pid, info))
		return;
	memset(cand, 0, sizeof(*cand));
	cand->pid = pid;
	cand->kthread = info->kthread;
	cand->rss = info->rss_anon + info->rss_shmem + info->vm_swap;
	rec = ow_model_proc((struct ow_model *)c->model, pid);
	if (rec)
		cand->rate = ow_proc_rate(rec, c->now_ns, RATE_WINDOW_NS);
	out->n++;
}

static int list_dir(const char *path, uint64_t ino, void *arg)
{
	struct collect *c = arg;
	int pids[1024], n, i;

	n = ow_cg_read_procs(path, pids, 1024);
	if (n < 0)
		return 0; /* vanished mid-walk */
	for (i = 0; i < n && c->out->n < OW_MAX_CANDIDATES; i++)
		add_process(c, pids[i]);
	return 0;
}

int ow_list_processes(const char *procroot, const char *cgdir, const struct ow_model *model,
		      uint64_t now_ns, struct ow_candidates *out)
{
	struct collect c = {procroot, model, now_ns, out};
	int err;

	out->n = 0;
	err = ow_cg_walk(cgdir, list_dir, &c);
	return err < 0 ? err : (int)out->n;
}

struct pid_list {
	pid_t *pids;
	unsigned int n, max;
};

static int list_pids_dir(const char *path, uint64_t ino, void *arg)
{
	struct pid_list *l = arg;
	int pids[1024], n, i;

	(void)ino;
	n = ow_cg_read_procs(path, pids, 1024);
	for (i = 0; i < n && l->n < l->max; i++)
		l->pids[l->n++] = pids[i];
	return 0; /* n < 0: vanished mid-walk */
}

int ow_list_pids(const char *cgdir, pid_t *pids, unsigned int max)
{
	struct pid_list l = {pids, 0, max};
	int err = ow_cg_walk(cgdir, list_pids_dir, &l);

	return err < 0 ? err : (int)l.n;
}

/* ---- victims: the processes the model saw growing in the subtree ---- */

/* Could a process whose memcg is `memcg` be inside the subtree of `target`? A memcg the model
 * has not scanned yet may be: /proc/PID/cgroup decides (inside_rel). */
static bool maybe_inside(struct ow_model *m, uint64_t memcg, uint64_t target)
{
	struct ow_cgroup *c = ow_model_cgroup(m, memcg);
	unsigned int depth;

	if (!c)
		return true;
	for (depth = 0; c && depth < MAX_DEPTH; depth++) {
		if (c->id == target)
			return true;
		if (!c->parent_id || c->parent_id == c->id)
			return false;
		c = ow_model_cgroup(m, c->parent_id);
	}
	return false;
}

/* Is the cgroup path `rel` (below the mount) `top` or below it? */
static bool inside_rel(const char *rel, const char *top)
{
	size_t n = strlen(top);

	if (!strcmp(top, "/"))
		return true;
	return !strncmp(rel, top, n) && (rel[n] == '\0' || rel[n] == '/');
}

/* out->c[0..n) as a min-heap on rate: the K fastest growers of any number, without a copy. */
static void sift_down(struct ow_candidate *h, unsigned int n, unsigned int i)
{
	for (;;) {
		unsigned int l = 2 * i + 1, r = l + 1, m = i;
		struct ow_candidate t;

		if (l < n && h[l].rate < h[m].rate)
			m = l;
		if (r < n && h[r].rate < h[m].rate)
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_offer(struct ow_candidates *out, pid_t pid, double rate)
{
	struct ow_candidate *h = out->c;
	unsigned int i;

	if (out->n == OW_MAX_CANDIDATES) {
		if (rate <= h[0].rate)
			return;
		h[0] = (struct ow_candidate){.pid = pid, .rate = rate};
		sift_down(h, out->n, 0);
		return;
	}
	h[out->n++] = (struct ow_candidate){.pid = pid, .rate = rate};
	if (out->n == OW_MAX_CANDIDATES) {
		for (i = out->n / 2; i-- > 0;)
			sift_down(h, out->n, i);
	}
}

static int by_rate_desc(const void *a, const void *b)
{
	double x = ((const struct ow_candidate *)a)->rate,
	       y = ((const struct ow_candidate *)b)->rate;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Fill in what /proc says of a grower; false when it is gone or no longer in the subtree. */
static bool read_victim(const struct ow_victim_scope *s, struct ow_candidate *cand,
			struct ow_proc_info *info)
{
	const struct ow_victim_cfg *o = &s->cfg;
	const struct ow_cgroup_rule *rule;
	struct ow_proc_trust trust;
	char rel[PATH_MAX];
	int r;

	if (ow_proc_read(s->procroot, cand->pid, info) ||
	    ow_proc_memcg_path(s->procroot, cand->pid, s->version == OW_CG_V2, rel, sizeof(rel)) ||
	    !inside_rel(rel, s->rel) || ow_proc_read_trust(s->procroot, cand->pid, &trust))
		return false;
	r = ow_rules_find(o->rules, o->nrules, rel, ow_cg_trusted_depth(s->mount, rel));
	rule = r >= 0 ? &o->rules[r] : NULL;
	cand->kthread = info->kthread;
	cand->is_self = cand->pid == getpid();
	cand->rss = info->rss_anon + info->rss_shmem + info->vm_swap;
	cand->oom_score = trust.oom_score;
	cand->never_oom = trust.oom_score_adj == -1000;
	cand->protected_ = ow_rule_protects(o->protect, o->protect_re, rule,
					    trust.exe_trusted ? trust.exe : NULL);
	cand->preferred = ow_rule_prefers(o->prefer, o->prefer_re, rule, info->comm, info->cmdline);
	return true;
}

/* A writer's tmpfs files are sampled once a second while its cgroup's shmem grows. */
#define SHM_WINDOW_NS (3 * 1000000000ULL)

int ow_collect_victims(const struct ow_victim_scope *s, struct ow_candidates *out)
{
	struct ow_model *m = s->model;
	unsigned int i, kept = 0;

	out->n = 0;
	for (i = 0; i < m->nprocs; i++) {
		const struct ow_proc_rec *rec = &m->procs[i];
		double rate = ow_proc_rate(rec, s->now_ns, RATE_WINDOW_NS);
		double written = ow_proc_shm_rate(rec, s->now_ns, SHM_WINDOW_NS);

		/* What it writes to tmpfs is growth too, where its RSS shows none. */
		if (written > rate)
			rate = written;

		if (rate > 0 && maybe_inside(m, rec->memcg_id, s->cg_id))
			heap_offer(out, rec->tgid, rate);
	}
	qsort(out->c, out->n, sizeof(out->c[0]), by_rate_desc);
	for (i = 0; i < out->n; i++) {
		struct ow_candidate cand = out->c[i];

		if (!read_victim(s, &cand, &out->info[kept]))
			continue;
		out->c[kept++] = cand;
	}
	out->n = kept;
	return (int)kept;
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
