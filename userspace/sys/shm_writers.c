// SPDX-License-Identifier: GPL-2.0
/* The tmpfs files a process writes: see userspace/sys/shm_writers.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "readfile.h"
#include "shm_writers.h"

#define MOUNTINFO_LEN (256 * 1024) /* a container host's mountinfo; the rest is not read */
#define MAX_FILES     64	   /* distinct files counted per process */

int ow_fdinfo_parse(const char *text, struct ow_fdinfo *out)
{
	const char *f = strstr(text, "flags:"), *m = strstr(text, "mnt_id:");
	const char *i = strstr(text, "\nino:");
	char *end;
	long flags, id;

	if (!f || !m)
		return -EINVAL;
	flags = strtol(f + 6, &end, 8);
	if (end == f + 6)
		return -EINVAL;
	id = strtol(m + 7, &end, 10);
	if (end == m + 7 || id < 0)
		return -EINVAL;
	out->writable = (flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR;
	out->mnt_id = (int)id;
	out->ino = i ? strtoull(i + 5, NULL, 10) : 0;
	return 0;
}

/* "ID PARENT MAJ:MIN ROOT POINT OPTS [TAGS...] - FSTYPE SOURCE SUPER" (proc(5)). */
unsigned int ow_mountinfo_tmpfs(const char *text, int *ids, unsigned int max)
{
	unsigned int n = 0;
	const char *line = text;

	while (line && *line && n < max) {
		const char *nl = strchr(line, '\n'), *dash = strstr(line, " - ");
		int id;

		if (dash && (!nl || dash < nl) && !strncmp(dash + 3, "tmpfs ", 6) &&
		    sscanf(line, "%d", &id) == 1)
			ids[n++] = id;
		line = nl ? nl + 1 : NULL;
	}
	return n;
}

static bool in(const int *ids, unsigned int n, int id)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Is fd `name` of the process a writable file on tmpfs or the internal shmem mount (a memfd)?
 * What its fdinfo says in *fi. */
static bool tmpfs_writable(const char *pdir, const char *name, const struct ow_shm_scan *s,
			   struct ow_fdinfo *fi)
{
	char path[PATH_MAX], text[512];

	snprintf(path, sizeof(path), "%s/fdinfo/%s", pdir, name);
	if (ow_read_file(path, text, sizeof(text), false) < 0 || ow_fdinfo_parse(text, fi) ||
	    !fi->writable)
		return false;
	return (s->shm_mnt_id >= 0 && fi->mnt_id == s->shm_mnt_id) ||
	       in(s->mounts.ids, s->mounts.n, fi->mnt_id);
}

/* A file is known by (mount id, inode) where fdinfo shows the inode, without a stat() for
 * each of its descriptors; else by (device, inode) from the stat(). */
static bool counted(const uint64_t (*seen)[2], int n, uint64_t a, uint64_t b)
{
	int i;

	for (i = 0; i < n; i++)
		if (seen[i][0] == a && seen[i][1] == b)
			return true;
	return false;
}

void ow_shm_scan_start(struct ow_shm_scan *s, int shm_mnt_id)
{
	memset(s, 0, sizeof(*s));
	s->fds_left = OW_SHM_PASS_FDS;
	s->mountinfo_left = OW_SHM_PASS_MOUNTINFO;
	s->shm_mnt_id = shm_mnt_id;
}

int ow_shm_internal_mnt_id(const char *procroot)
{
	char path[PATH_MAX], text[512];
	int fd = memfd_create("oomwarden-probe", MFD_CLOEXEC), err = 0;
	struct ow_fdinfo fi;

	if (fd < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/self/fdinfo/%d", procroot, fd);
	if (ow_read_file(path, text, sizeof(text), false) < 0 || ow_fdinfo_parse(text, &fi))
		err = -EINVAL;
	close(fd);
	return err ? err : fi.mnt_id;
}

/* The process's tmpfs mounts, read again only when its mount namespace differs and the pass
 * may still read one. */
static int tmpfs_mounts(const char *pdir, struct ow_shm_scan *s)
{
	struct ow_tmpfs_mounts *m = &s->mounts;
	char path[PATH_MAX], *mi;
	struct stat st = {0};

	snprintf(path, sizeof(path), "%s/ns/mnt", pdir);
	if (!stat(path, &st) && m->mntns && st.st_ino == m->mntns)
		return 0;
	if (!s->mountinfo_left)
		return -EAGAIN;
	s->mountinfo_left--;
	m->mntns = 0;
	m->n = 0;
	mi = malloc(MOUNTINFO_LEN);
	snprintf(path, sizeof(path), "%s/mountinfo", pdir);
	if (mi && ow_read_file(path, mi, MOUNTINFO_LEN, false) >= 0) {
		m->n = ow_mountinfo_tmpfs(mi, m->ids, sizeof(m->ids) / sizeof(m->ids[0]));
		m->mntns = st.st_ino;
	}
	free(mi);
	return 0;
}

/* Size of the file behind fd `name`, when it is one of ours to count and not counted yet. */
static void count_file(const char *pdir, const char *name, const struct ow_fdinfo *fi,
		       uint64_t (*seen)[2], int *files, uint64_t *bytes)
{
	uint64_t key = fi->ino ? ((uint64_t)1 << 63) | (uint64_t)fi->mnt_id : 0;
	char path[PATH_MAX];
	struct stat st;

	if (fi->ino && counted(seen, *files, key, fi->ino))
		return;
	snprintf(path, sizeof(path), "%s/fd/%s", pdir, name);
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return;
	if (!fi->ino) {
		key = st.st_dev;
		if (counted(seen, *files, key, st.st_ino))
			return;
	}
	seen[*files][0] = key;
	seen[(*files)++][1] = fi->ino ? fi->ino : st.st_ino;
	*bytes += (uint64_t)st.st_blocks * 512;
}

int ow_proc_shm_written(const char *procroot, pid_t pid, struct ow_shm_scan *scan, uint64_t *bytes)
{
	char pdir[64], path[PATH_MAX];
	uint64_t seen[MAX_FILES][2]; /* a file open twice counts once (counted()) */
	struct ow_fdinfo fi;
	unsigned int nfds = 0;
	int files = 0, err;
	struct dirent *e;
	DIR *dir;

	*bytes = 0;
	snprintf(pdir, sizeof(pdir), "%s/%d", procroot, (int)pid);
	err = tmpfs_mounts(pdir, scan);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/fd", pdir);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((e = readdir(dir)) && nfds < OW_SHM_MAX_FDS && files < MAX_FILES) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		if (!scan->fds_left) {
			err = -EAGAIN;
			break;
		}
		scan->fds_left--;
		nfds++;
		if (tmpfs_writable(pdir, e->d_name, scan, &fi))
			count_file(pdir, e->d_name, &fi, seen, &files, bytes);
	}
	closedir(dir);
	return err ? err : files;
}
