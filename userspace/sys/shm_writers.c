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
#include <sys/stat.h>

#include "readfile.h"
#include "shm_writers.h"

#define MOUNTINFO_LEN (256 * 1024) /* a container host's mountinfo; the rest is not read */
#define MAX_FILES     64	   /* distinct files counted per process */

int ow_fdinfo_parse(const char *text, int *writable, int *mnt_id)
{
	const char *f = strstr(text, "flags:"), *m = strstr(text, "mnt_id:");
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
	*writable = (flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR;
	*mnt_id = (int)id;
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

/* Is fd `name` of the process a writable file on tmpfs (or a memfd)? */
static bool tmpfs_writable(const char *pdir, const char *name, const int *tmpfs, unsigned int n)
{
	char path[PATH_MAX], text[512], link[64];
	int writable, mnt_id;
	ssize_t len;

	snprintf(path, sizeof(path), "%s/fdinfo/%s", pdir, name);
	if (ow_read_file(path, text, sizeof(text), false) < 0 ||
	    ow_fdinfo_parse(text, &writable, &mnt_id) || !writable)
		return false;
	if (in(tmpfs, n, mnt_id))
		return true;
	/* A memfd lives on the kernel's internal shmem mount, in no mountinfo. */
	snprintf(path, sizeof(path), "%s/fd/%s", pdir, name);
	len = readlink(path, link, sizeof(link) - 1);
	return len > 7 && !strncmp(link, "/memfd:", 7);
}

static bool counted(const uint64_t (*seen)[2], int n, const struct stat *st)
{
	int i;

	for (i = 0; i < n; i++)
		if (seen[i][0] == st->st_dev && seen[i][1] == st->st_ino)
			return true;
	return false;
}

/* The process's tmpfs mounts, read again only when its mount namespace differs. */
static void tmpfs_mounts(const char *pdir, struct ow_tmpfs_mounts *m)
{
	char path[PATH_MAX], *mi;
	struct stat st = {0};

	snprintf(path, sizeof(path), "%s/ns/mnt", pdir);
	if (!stat(path, &st) && m->mntns && st.st_ino == m->mntns)
		return;
	m->mntns = 0;
	m->n = 0;
	mi = malloc(MOUNTINFO_LEN);
	snprintf(path, sizeof(path), "%s/mountinfo", pdir);
	if (mi && ow_read_file(path, mi, MOUNTINFO_LEN, false) >= 0) {
		m->n = ow_mountinfo_tmpfs(mi, m->ids, sizeof(m->ids) / sizeof(m->ids[0]));
		m->mntns = st.st_ino;
	}
	free(mi);
}

int ow_proc_shm_written(const char *procroot, pid_t pid, struct ow_tmpfs_mounts *mounts,
			uint64_t *bytes)
{
	char pdir[64], path[PATH_MAX];
	uint64_t seen[MAX_FILES][2]; /* dev, inode: a file open twice counts once */
	unsigned int nfds = 0;
	int files = 0;
	struct dirent *e;
	DIR *dir;

	*bytes = 0;
	snprintf(pdir, sizeof(pdir), "%s/%d", procroot, (int)pid);
	tmpfs_mounts(pdir, mounts);
	snprintf(path, sizeof(path), "%s/fd", pdir);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((e = readdir(dir)) && nfds++ < OW_SHM_MAX_FDS && files < MAX_FILES) {
		struct stat st;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' ||
		    !tmpfs_writable(pdir, e->d_name, mounts->ids, mounts->n))
			continue;
		snprintf(path, sizeof(path), "%s/fd/%s", pdir, e->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (counted(seen, files, &st))
			continue;
		seen[files][0] = st.st_dev;
		seen[files++][1] = st.st_ino;
		*bytes += (uint64_t)st.st_blocks * 512;
	}
	closedir(dir);
	return files;
}
