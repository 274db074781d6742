// SPDX-License-Identifier: GPL-2.0
/* Watched cgroups: see userspace/daemon/watch.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_id.h"
#include "readfile.h"
#include "watch.h"

static bool below(const char *root, const char *path)
{
	size_t n = strlen(root);

	return !strncmp(root, path, n) &&
	       (path[n] == '/' || path[n] == '\0' || (n && root[n - 1] == '/'));
}

static int add_root(struct ow_watch *w, const char *arg, char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(arg, real) || stat(real, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "invalid --cgroup '%s': %s", arg,
			 errno ? strerror(errno) : "not a directory");
		return -EINVAL;
	}
	if (!below(w->mount.path, real)) {
		snprintf(err, errlen, "invalid --cgroup '%s': not a memory cgroup (not under %s)",
			 arg, w->mount.path);
		return -EINVAL;
	}
	snprintf(w->roots[w->nroots++], PATH_MAX, "%s", real);
	return 0;
}

int ow_watch_init(struct ow_watch *w, const struct ow_watch_cfg *cfg, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	memset(w, 0, offsetof(struct ow_watch, roots)); /* roots: see watch.h */
	if (cfg->ncgroups > OW_WATCH_MAX_ROOTS) {
		snprintf(err, errlen, "too many --cgroup (at most %d)", OW_WATCH_MAX_ROOTS);
		return -EINVAL;
	}
	ret = ow_cg_find_memory_mount("/proc/self/mountinfo", "", &w->mount);
	if (ret) {
		snprintf(err, errlen, "no memory cgroup controller is mounted (%s)",
			 strerror(-ret));
		return ret;
	}
	if (ow_meminfo_machine_limit("/proc/meminfo", &w->machine_limit))
		w->machine_limit = OW_NO_LIMIT;
	for (i = 0; i < cfg->ncgroups; i++)
		if (add_root(w, cfg->cgroups[i], err, errlen))
			return -EINVAL;
	if (!w->nroots)
		snprintf(w->roots[w->nroots++], PATH_MAX, "%s", w->mount.path);
	return 0;
}

void ow_watch_copy(struct ow_watch *dst, const struct ow_watch *src)
{
	unsigned int i;

	memcpy(dst, src, offsetof(struct ow_watch, roots));
	for (i = 0; i < src->nroots; i++)
		memcpy(dst->roots[i], src->roots[i], strlen(src->roots[i]) + 1);
}

bool ow_watch_covers(const struct ow_watch *w, const char *path)
{
	unsigned int i;

	for (i = 0; i < w->nroots; i++)
		if (below(w->roots[i], path))
			return true;
	return false;
}

int ow_watch_locate(const struct ow_watch *w, uint64_t id)
{
	char path[PATH_MAX];
	int err = ow_cg_path_of_id(w->mount.path, id, path, sizeof(path));

	return err ? err : ow_watch_covers(w, path);
}

/* Ancestors' limits rarely change; their files are re-read at most this often, or at once when
 * the cgroup's own limit changed. An event may arrive hundreds of times a second. */
#define LIMITS_TTL_NS 1000000000ULL

int ow_watch_refresh(const struct ow_watch *w, struct ow_cgroup *cg, uint64_t now_ns)
{
	struct ow_cg_stat st;
	uint64_t eff;
	int err;

	/* The v2 root has no memory files: it stands for the whole machine. */
	if (w->mount.version == OW_CG_V2 && !strcmp(cg->rel, "/"))
		err = ow_meminfo_stat("/proc/meminfo", &st);
	else
		err = ow_cg_read_stat(w->mount.version, cg->path, &st);
	if (err)
		return err;
	if (!cg->reading.limits_ns || st.limit != cg->reading.own_limit ||
	    now_ns - cg->reading.limits_ns >= LIMITS_TTL_NS) {
		if (ow_cg_effective_limit(&w->mount, cg->path, w->machine_limit, &eff))
			eff = w->machine_limit;
		cg->reading.eff_limit = eff;
		cg->reading.limits_ns = now_ns ? now_ns : 1;
	}
	cg->reading.st = st;
	cg->reading.own_limit = st.limit;
	cg->reading.nonrecl = ow_cg_nonreclaimable(&st);
	return 0;
}

int ow_watch_glance(const struct ow_watch *w, struct ow_cgroup *cg, const struct ow_cgroup *parent,
		    uint64_t now_ns)
{
	struct ow_cg_stat st;
	int err;

	if (!parent || ow_cgroup_is_root(cg))
		return ow_watch_refresh(w, cg, now_ns);
	err = ow_cg_read_usage_limit(w->mount.version, cg->path, &st);
	if (err)
		return err;
	cg->reading.st = st;
	cg->reading.own_limit = st.limit;
	cg->reading.eff_limit =
		st.limit < parent->reading.eff_limit ? st.limit : parent->reading.eff_limit;
	cg->reading.limits_ns = 0; /* the first refresh reads the whole chain */
	cg->reading.nonrecl = 0;
	return 0;
}

struct scan {
	const struct ow_watch *w;
	struct ow_model *m;
	ow_watch_fn fn;
	void *arg;
};

/* The inode of the parent directory, if the parent is watched too (else 0). The path may be
 * longer than PATH_MAX (a deep tree). */
static uint64_t parent_id(const struct ow_watch *w, const char *path)
{
	char *parent = strdup(path), *slash = parent ? strrchr(parent, '/') : NULL;
	struct stat st = {0};
	bool covered = false;
	int fd = -1;

	if (slash && slash != parent) {
		*slash = '\0';
		covered = ow_watch_covers(w, parent);
	}
	if (covered && slash - parent < PATH_MAX)
		stat(parent, &st); /* every scan, every cgroup: the cheap way when it can */
	else if (covered)
		fd = ow_open_path(parent, O_PATH | O_DIRECTORY);
	if (fd >= 0 && fstat(fd, &st))
		st.st_ino = 0;
	if (fd >= 0)
		close(fd);
	free(parent);
	return st.st_ino;
}

static int scan_one(const char *path, uint64_t ino, void *arg)
{
	struct scan *s = arg;
	struct ow_cgroup *cg = ow_model_cgroup(s->m, ino);
	bool added = false;

	if (!cg) {
		cg = ow_model_add_cgroup(s->m, ino, path, strlen(s->w->mount.path));
		if (!cg)
			return -ENOMEM;
		added = true;
	}
	cg->seen = true;
	/* Renamed (v1; its parent owner may): its reads by the old path failed, and asked for
	 * this scan. Out of memory, the old path stays, for the next scan. */
	if (!added && strcmp(cg->path, path))
		(void)ow_model_move_cgroup(cg, path, strlen(s->w->mount.path));
	/* A cgroup never changes parent; one found without a watched parent may get one when a
	 * reload widens the watched subtrees. */
	if (added || !cg->parent_id)
		cg->parent_id = parent_id(s->w, path);
	if (s->fn)
		s->fn(cg, added, s->arg);
	return 0;
}

static const char *covering_root(const struct ow_watch *w, const char *path)
{
	unsigned int i;

	for (i = 0; i < w->nroots; i++)
		if (below(w->roots[i], path))
			return w->roots[i];
	return NULL;
}

static int ino_of(const char *path, uint64_t *ino)
{
	int fd = ow_open_path(path, O_PATH | O_DIRECTORY), err = 0;
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st))
		err = -errno;
	else
		*ino = st.st_ino;
	close(fd);
	return err;
}

int ow_watch_add(const struct ow_watch *w, struct ow_model *m, const char *path, ow_watch_fn fn,
		 void *arg)
{
	struct scan s = {w, m, fn, arg};
	const char *root = covering_root(w, path);
	size_t i, len = strlen(path);
	char *p = strdup(path);
	uint64_t ino = 0;
	int err = 0;

	if (!root || !p) {
		free(p);
		return root ? -ENOMEM : -EINVAL;
	}
	/* Each level from the watched root down, parents first, as a walk finds them. */
	for (i = strlen(root); !err && i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		err = ino_of(p, &ino);
		if (!err)
			err = scan_one(p, ino, &s);
		p[i] = path[i];
	}
	free(p);
	return err;
}

int ow_watch_place(const struct ow_watch *w, struct ow_model *m, uint64_t id, ow_watch_fn fn,
		   void *arg)
{
	char path[PATH_MAX];
	int err = ow_cg_path_of_id(w->mount.path, id, path, sizeof(path));

	if (err)
		return err;
	if (!ow_watch_covers(w, path))
		return 0;
	err = ow_watch_add(w, m, path, fn, arg);
	return err ? err : 1;
}

int ow_watch_scan_children(const struct ow_watch *w, struct ow_model *m, const char *path,
			   ow_watch_fn fn, void *arg)
{
	struct scan s = {w, m, fn, arg};
	int err;

	if (!ow_watch_covers(w, path))
		return -EINVAL;
	err = ow_cg_walk_depth(path, 1, scan_one, &s);
	return err == -ENOENT ? 0 : err;
}

int ow_watch_scan(const struct ow_watch *w, struct ow_model *m, ow_watch_fn fn, void *arg)
{
	struct scan s = {w, m, fn, arg};
	unsigned int i;
	int err;

	for (i = 0; i < m->ncgs; i++)
		m->cgs[i]->seen = false;
	for (i = 0; i < w->nroots; i++) {
		err = ow_cg_walk(w->roots[i], scan_one, &s);
		if (err < 0 && err != -ENOENT)
			return err;
	}
	return 0;
}
