// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup tree as directories (cgroup.h): walking it (ow_cg_walk) and who made the
 * directories on a path (ow_cg_trusted_depth). Apart from cgroup.c's readers of one cgroup's
 * files because these read directories and their owners, never file contents.
 */
#include <dirent.h>
#include <linux/magic.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "readfile.h"

/* ---- ow_cg_trusted_depth ---- */

static bool root_dir(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISDIR(st.st_mode) && st.st_uid == 0;
}

unsigned int ow_cg_trusted_depth(const char *root, const char *relpath)
{
	char path[PATH_MAX];
	size_t len = strlen(root), n;
	unsigned int k = 0;
	const char *c;

	if (len >= sizeof(path) || !root_dir(root))
		return 0;
	memcpy(path, root, len + 1);
	for (c = relpath ? ow_cgp_next(relpath, &n) : NULL; c; c = ow_cgp_next(c + n, &n)) {
		if (len + 1 + n >= sizeof(path))
			break;
		path[len++] = '/';
		memcpy(path + len, c, n);
		len += n;
		path[len] = '\0';
		if (!root_dir(path))
			break;
		k++;
	}
	return k;
}

/* ---- ow_cg_walk ---- */

/*
 * Directory fds, not paths: a tree nested past PATH_MAX (anyone with a delegated subtree can
 * nest that deep) is walked whole, each level opened relative to its parent. Levels below
 * WALK_HELD_FDS give their fd back while a child is walked and reopen it by path afterwards,
 * so no depth runs the daemon out of descriptors.
 */
#define WALK_HELD_FDS 64
#define WALK_OPEN     (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct walk {
	char *path; /* the current directory; grows past PATH_MAX if the tree does */
	size_t cap;
	ow_cg_walk_fn fn;
	void *arg;
	bool sort;		/* the filesystem lists in an order of its own choosing */
	unsigned int max_depth; /* levels below dir listed */
};

struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *l)
{
	while (l->n)
		free(l->v[--l->n]);
	free(l->v);
}

static int names_add(struct names *l, const char *name)
{
	char **v;

	if (l->n == l->cap) {
		v = realloc(l->v, (l->cap ? l->cap * 2 : 16) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = l->cap ? l->cap * 2 : 16;
	}
	l->v[l->n] = strdup(name);
	return l->v[l->n] ? (l->n++, 0) : -ENOMEM;
}

/* Byte order, not the locale's: the walk order must not depend on LC_COLLATE. */
static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The subdirectory names of dirfd (its fd stays open), sorted. */
static int list_children(int dirfd, struct names *out, bool sort)
{
	int fd = dup(dirfd), err = 0;
	struct dirent *d;
	DIR *dir;

	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	errno = 0;
	while (!err && (d = readdir(dir))) {
		if ((d->d_type == DT_DIR || d->d_type == DT_UNKNOWN) && strcmp(d->d_name, ".") &&
		    strcmp(d->d_name, ".."))
			err = names_add(out, d->d_name);
	}
	if (!err && errno)
		err = errno == ENOENT ? 0 : -errno; /* removed while read */
	closedir(dir);
	/* A leaf has no names and no array: qsort's base must not be NULL even for 0 (UBSan). */
	if (!err && out->n && sort)
		qsort(out->v, out->n, sizeof(*out->v), name_cmp);
	return err;
}

static int set_child(struct walk *w, size_t len, const char *name, size_t *child_len)
{
	size_t nl = strlen(name), need = len + 1 + nl + 1;
	char *p;

	if (need > w->cap) {
		p = realloc(w->path, need * 2);
		if (!p)
			return -ENOMEM;
		w->path = p;
		w->cap = need * 2;
	}
	w->path[len] = '/';
	memcpy(w->path + len + 1, name, nl + 1);
	*child_len = len + 1 + nl;
	return 0;
}

static int visit(struct walk *w, int fd, size_t len, unsigned int depth, uint64_t ino);

/* Walk child `name` of the directory at *dirfd (w->path[0..len)). Deep levels close *dirfd
 * meanwhile and reopen it (-1 when it vanished: its other children went with it). */
static int visit_child(struct walk *w, int *dirfd, size_t len, unsigned int depth, const char *name)
{
	struct stat st;
	size_t clen;
	int fd, ret;

	if (fstatat(*dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode)) /* a symlink is not followed */
		return 0;
	ret = set_child(w, len, name, &clen);
	/* A directory's link count is 2 + its subdirectories (cgroupfs keeps it so): a leaf
	 * needs no open, which is most of the walk on a machine of many cgroups. */
	if (!ret && st.st_nlink == 2) {
		ret = w->fn(w->path, st.st_ino, w->arg);
		w->path[len] = '\0';
		return ret;
	}
	if (ret)
		return ret;
	fd = openat(*dirfd, name, WALK_OPEN);
	if (fd < 0) /* gone, not a directory, or a symlink */
		ret = errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? 0 : -errno;
	if (fd >= 0 && depth >= WALK_HELD_FDS) {
		close(*dirfd);
		*dirfd = -1;
	}
	if (fd >= 0)
		ret = visit(w, fd, clen, depth + 1, st.st_ino);
	w->path[len] = '\0';
	if (*dirfd < 0)
		*dirfd = ow_open_path(w->path, WALK_OPEN);
	return ret;
}

/* Pre-order; takes fd (the directory w->path[0..len), inode ino) and closes it. */
static int visit(struct walk *w, int fd, size_t len, unsigned int depth, uint64_t ino)
{
	struct names kids = {0};
	size_t i;
	int ret;

	ret = w->fn(w->path, ino, w->arg);
	if (!ret && depth < w->max_depth)
		ret = list_children(fd, &kids, w->sort);
	for (i = 0; !ret && i < kids.n && fd >= 0; i++)
		ret = visit_child(w, &fd, len, depth, kids.v[i]);
	names_free(&kids);
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * cgroupfs (kernfs) lists a directory in an order of its own that depends only on the names
 * (its rbtree sorts by name hash, then name: fs/kernfs/dir.c kernfs_sd_compare), so the walk's
 * order is already stable there; sorting 20,000 names cost a millisecond or two of a rescan. Other
 * filesystems (the fixture trees of the tests) list in creation or hash order: sort those.
 */
static bool kernfs_ordered(int fd)
{
	struct statfs sf;

	return !fstatfs(fd, &sf) &&
	       (sf.f_type == CGROUP_SUPER_MAGIC || sf.f_type == CGROUP2_SUPER_MAGIC);
}

int ow_cg_walk_depth(const char *dir, unsigned int max_depth, ow_cg_walk_fn fn, void *arg)
{
	struct walk w = {.fn = fn, .arg = arg, .max_depth = max_depth};
	size_t len = strlen(dir);
	struct stat st;
	int fd, ret;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	w.cap = len + PATH_MAX;
	w.path = malloc(w.cap);
	if (!w.path)
		return -ENOMEM;
	memcpy(w.path, dir, len);
	w.path[len] = '\0';
	fd = ow_open_path(w.path, O_RDONLY | O_DIRECTORY);
	if (fd >= 0 && fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		fd = ret;
	}
	w.sort = fd >= 0 && !kernfs_ordered(fd);
	ret = fd < 0 ? fd : visit(&w, fd, len, 0, st.st_ino);
	free(w.path);
	return ret;
}

int ow_cg_walk(const char *dir, ow_cg_walk_fn fn, void *arg)
{
	return ow_cg_walk_depth(dir, UINT_MAX, fn, arg);
}
