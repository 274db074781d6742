// SPDX-License-Identifier: GPL-2.0
/* Resolve diagnose's target: see userspace/diagnose/diag_target.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "diag_target.h"
#include "proc.h"

static int dir_ino(const char *dir, uint64_t *ino)
{
	struct stat st;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return -ENOENT;
	*ino = (uint64_t)st.st_ino;
	return 0;
}

static void add_pid(struct ow_diag_target *t, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < t->npids; i++)
		if (t->pids[i] == pid)
			return;
	if (t->npids < OW_DIAG_MAX_PIDS)
		t->pids[t->npids++] = pid;
}

static void add_memcg(struct ow_diag_target *t, uint64_t id)
{
	unsigned int i;

	for (i = 0; i < t->nmemcgs; i++)
		if (t->memcgs[i] == id)
			return;
	if (t->nmemcgs < OW_DIAG_MAX_MEMCGS)
		t->memcgs[t->nmemcgs++] = id;
}

/* The memory cgroup directory of pid, and its id. */
static int pid_memcg(const struct ow_diag_roots *r, pid_t pid, char *dir, size_t len, uint64_t *id)
{
	char rel[PATH_MAX];
	int ret = ow_proc_memcg_path(r->proc, pid, r->mount.version == OW_CG_V2, rel, sizeof(rel));

	if (ret)
		return ret;
	if ((size_t)snprintf(dir, len, "%s%s", r->mount.path, strcmp(rel, "/") ? rel : "") >= len)
		return -ENAMETOOLONG;
	return dir_ino(dir, id);
}

int ow_diag_target_pid(const struct ow_diag_roots *r, pid_t pid, struct ow_diag_target *t,
		       char *err, size_t errlen)
{
	struct ow_proc_info pi;
	uint64_t id;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = ow_proc_read(r->proc, pid, &pi);
	if (ret || pi.kthread) {
		snprintf(err, errlen, ret ? "no such process: %d" : "pid %d is a kernel thread",
			 pid);
		return ret ? -ESRCH : -EINVAL;
	}
	ret = pid_memcg(r, pid, t->dir, sizeof(t->dir), &id);
	if (ret) {
		snprintf(err, errlen, "cannot find the memory cgroup of pid %d: %s", pid,
			 strerror(-ret));
		return ret;
	}
	add_memcg(t, id);
	add_pid(t, pid);
	snprintf(t->label, sizeof(t->label), "pid %d (%s)", pid, pi.comm);
	return 0;
}

struct walk_ctx {
	struct ow_diag_target *t;
	const struct ow_diag_roots *r;
	bool memcgs; /* the walked tree is the memory hierarchy */
};

static int walk_add(const char *path, uint64_t ino, void *arg)
{
	struct walk_ctx *c = arg;
	int pids[OW_DIAG_MAX_PIDS], n, i;
	char dir[PATH_MAX];
	uint64_t id;

	if (c->memcgs)
		add_memcg(c->t, ino);
	n = ow_cg_read_procs(path, pids, OW_DIAG_MAX_PIDS);
	for (i = 0; i < n; i++) {
		add_pid(c->t, pids[i]);
		/* A unit found outside the memory hierarchy: watch its processes' memcgs. */
		if (!c->memcgs && !pid_memcg(c->r, pids[i], dir, sizeof(dir), &id)) {
			add_memcg(c->t, id);
			if (!c->t->dir[0])
				snprintf(c->t->dir, sizeof(c->t->dir), "%s", dir);
		}
	}
	return 0;
}

/* `path` as given: a directory under the mount, or a path relative to the mount. */
static int cgroup_dir(const struct ow_diag_roots *r, const char *path, char *dir, size_t len)
{
	size_t m = strlen(r->mount.path);
	uint64_t ino;

	if (!strncmp(path, r->mount.path, m) && (path[m] == '/' || !path[m])) {
		snprintf(dir, len, "%s", path);
		return dir_ino(dir, &ino);
	}
	if ((size_t)snprintf(dir, len, "%s%s%s", r->mount.path, path[0] == '/' ? "" : "/", path) >=
	    len)
		return -ENAMETOOLONG;
	return dir_ino(dir, &ino);
}

int ow_diag_target_cgroup(const struct ow_diag_roots *r, const char *path, struct ow_diag_target *t,
			  char *err, size_t errlen)
{
	struct walk_ctx c = {.t = t, .r = r, .memcgs = true};

	memset(t, 0, sizeof(*t));
	if (cgroup_dir(r, path, t->dir, sizeof(t->dir))) {
		snprintf(err, errlen, "no such memory cgroup: %s (looked in %s)", path,
			 r->mount.path);
		return -ENOENT;
	}
	ow_cg_walk(t->dir, walk_add, &c);
	t->by_cgroup = true;
	snprintf(t->label, sizeof(t->label), "cgroup %s", t->dir + strlen(r->mount.path));
	if (!t->label[7])
		snprintf(t->label, sizeof(t->label), "cgroup /");
	return 0;
}

struct find_ctx {
	const char *name;
	const char *root; /* of the walked hierarchy */
	char found[PATH_MAX];
};

/* Did root make every directory down to path? A user's own "api.service" in a delegated
 * subtree is not the unit. */
static bool root_made(const char *root, const char *path)
{
	const char *rel = path + strlen(root);

	return ow_cg_trusted_depth(root, rel) >= ow_cg_depth(rel);
}

/* The first directory (pre-order, so the shallowest on its branch) named like the unit. */
static int find_named(const char *path, uint64_t ino, void *arg)
{
	struct find_ctx *f = arg;
	const char *base = strrchr(path, '/');

	(void)ino;
	if (base && !strcmp(base + 1, f->name) && root_made(f->root, path)) {
		snprintf(f->found, sizeof(f->found), "%s", path);
		return 1;
	}
	return 0;
}

int ow_diag_target_unit(const struct ow_diag_roots *r, const char *unit, struct ow_diag_target *t,
			char *err, size_t errlen)
{
	struct find_ctx f = {.name = unit};
	struct walk_ctx c = {.t = t, .r = r, .memcgs = true};
	unsigned int i;

	memset(t, 0, sizeof(*t));
	f.root = r->mount.path;
	if (ow_cg_walk(r->mount.path, find_named, &f) == 1) {
		snprintf(t->dir, sizeof(t->dir), "%s", f.found);
	} else {
		/* cgroup v1 with no per-unit memcg: the unit lives in the systemd hierarchy. */
		for (i = 0; i < 4 && r->unit_roots[i] && !f.found[0]; i++) {
			f.root = r->unit_roots[i];
			ow_cg_walk(r->unit_roots[i], find_named, &f);
		}
		c.memcgs = false;
	}
	if (!f.found[0]) {
		snprintf(err, errlen, "no cgroup for unit %s (is it running?)", unit);
		return -ENOENT;
	}
	ow_cg_walk(f.found, walk_add, &c);
	if (!t->dir[0]) {
		snprintf(err, errlen, "unit %s has no processes", unit);
		return -ENOENT;
	}
	t->by_cgroup = c.memcgs;
	snprintf(t->label, sizeof(t->label), "unit %s", unit);
	return 0;
}
