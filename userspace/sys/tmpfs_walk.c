// SPDX-License-Identifier: GPL-2.0
/* The largest files of a tmpfs mount: see userspace/sys/tmpfs_walk.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "clock.h"
#include "tmpfs_walk.h"

#define CLOCK_EVERY 256 /* entries between looks at the deadline */

struct walk {
	const struct ow_tmpfs_walk_limits *lim;
	struct ow_tmpfs_files *out;
	unsigned int major, minor;
	char path[PATH_MAX]; /* the directory being read, from the mount point */
	size_t len;
};

static int open_beneath(int dfd, const char *name)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH,
	};
	long fd = syscall(SYS_openat2, dfd, name, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/* Out of entries or time: the walk ends with what it saw. */
static bool spent(struct walk *w)
{
	const struct ow_tmpfs_walk_limits *lim = w->lim;

	if (w->out->entries >= lim->max_entries ||
	    (lim->deadline_ns && w->out->entries % CLOCK_EVERY == 0 &&
	     ow_mono_ns() >= lim->deadline_ns))
		w->out->cut = true;
	return w->out->cut;
}

/* Keep the file among the largest (once per inode: hard links). */
static void note_file(struct walk *w, const char *name, uint64_t bytes, uint64_t ino)
{
	struct ow_tmpfs_files *o = w->out;
	unsigned int i, at;

	for (i = 0; i < o->n; i++)
		if (o->f[i].ino == ino)
			return;
	for (at = 0; at < o->n && o->f[at].bytes >= bytes; at++)
		;
	if (at >= OW_TMPFS_FILES)
		return;
	if (o->n < OW_TMPFS_FILES)
		o->n++;
	memmove(&o->f[at + 1], &o->f[at], (o->n - 1 - at) * sizeof(o->f[0]));
	/* A path too long keeps its head, and says it was cut. */
	if (snprintf(o->f[at].path, sizeof(o->f[at].path), "%.*s/%s", (int)w->len, w->path, name) >=
	    (int)sizeof(o->f[at].path))
		memcpy(o->f[at].path + sizeof(o->f[at].path) - 4, "...", 4);
	o->f[at].bytes = bytes;
	o->f[at].ino = ino;
}

static void look_at_file(struct walk *w, int dfd, const char *name)
{
	struct statx sx;

	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_DONT_SYNC,
		  STATX_TYPE | STATX_BLOCKS | STATX_INO, &sx))
		return; /* gone since */
	if (!S_ISREG(sx.stx_mode) || sx.stx_dev_major != w->major || sx.stx_dev_minor != w->minor)
		return;
	if (sx.stx_blocks) /* an empty file holds nothing */
		note_file(w, name, sx.stx_blocks * 512, sx.stx_ino);
}

static void walk_dir(struct walk *w, int dfd, unsigned int depth);

static void enter_dir(struct walk *w, int dfd, const char *name, unsigned int depth)
{
	size_t len = w->len, n = strlen(name);
	int fd;

	if (depth >= w->lim->max_depth || len + 1 + n >= sizeof(w->path))
		return;
	fd = open_beneath(dfd, name);
	if (fd < 0)
		return; /* another mount, a link swapped in, gone: not walked */
	w->path[len] = '/';
	memcpy(w->path + len + 1, name, n + 1);
	w->len = len + 1 + n;
	walk_dir(w, fd, depth + 1); /* closes fd */
	w->len = len;
	w->path[len] = '\0';
}

/* Read one directory (dfd, closed here), entering its subdirectories depth first. */
static void walk_dir(struct walk *w, int dfd, unsigned int depth)
{
	DIR *dir = fdopendir(dfd);
	struct dirent *e;

	if (!dir) {
		close(dfd);
		return;
	}
	while (!spent(w) && (e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		w->out->entries++;
		if (e->d_type == DT_DIR)
			enter_dir(w, dirfd(dir), e->d_name, depth);
		else if (e->d_type == DT_REG || e->d_type == DT_UNKNOWN)
			look_at_file(w, dirfd(dir), e->d_name);
	}
	closedir(dir);
}

int ow_tmpfs_walk(const char *point, unsigned int major, unsigned int minor,
		  const struct ow_tmpfs_walk_limits *lim, struct ow_tmpfs_files *out)
{
	struct walk *w = calloc(1, sizeof(*w));
	int pfd, fd, err = 0;
	struct statx sx;

	memset(out, 0, sizeof(*out));
	if (!w)
		return -ENOMEM;
	/* The point itself may be covered (a user's FUSE over /run/user/UID): looked at by its
	 * device first, without asking what is mounted there. */
	pfd = open(point, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		err = -errno;
	else if (statx(pfd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE, &sx))
		err = -errno;
	else if (sx.stx_dev_major != major || sx.stx_dev_minor != minor)
		err = -EXDEV;
	if (!err) {
		fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			err = -errno;
		} else {
			*w = (struct walk){.lim = lim, .out = out, .major = major, .minor = minor};
			w->len = (size_t)snprintf(w->path, sizeof(w->path), "%s",
						  strcmp(point, "/") ? point : "");
			walk_dir(w, fd, 0);
		}
	}
	if (pfd >= 0)
		close(pfd);
	free(w);
	return err;
}
