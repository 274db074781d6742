// SPDX-License-Identifier: GPL-2.0
/* The kubelet's log directories: see userspace/sys/kube_logs.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube_logs.h"

/* A node runs at most a few hundred pods (kubelet's maxPods defaults to 110): a directory
 * with more entries than this is not the kubelet's, and is not listed to its end. */
#define MAX_ENTRIES 65536

/* Open the directory `name` below dirfd (AT_FDCWD: a path) to list it: a directory only
 * (O_DIRECTORY: a FIFO or device fails instead of blocking), not through a symlink, and only
 * when root or we own it and nobody else may write it. */
static DIR *open_trusted_dir(int dirfd, const char *name, int *err)
{
	struct stat st;
	DIR *d;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		*err = errno == ELOOP || errno == ENOTDIR ? -ENOENT : -errno;
		return NULL;
	}
	if (fstat(fd, &st) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		*err = -EPERM;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		*err = -errno;
		close(fd);
	}
	return d;
}

/* The pod's directory in LOGDIR/pods: the names its own name gives. */
static int find_pod(const char *logdir, const char *uid, struct ow_kube_names *out)
{
	char path[4096];
	struct dirent *e;
	unsigned int n = 0;
	int err = 0;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/pods", logdir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	d = open_trusted_dir(AT_FDCWD, path, &err);
	if (!d)
		return err;
	err = -ENOENT;
	while ((e = readdir(d)) && n++ < MAX_ENTRIES) {
		if (ow_kube_pod_dir(e->d_name, uid, out)) {
			err = 0;
			break;
		}
	}
	closedir(d);
	return err;
}

/* The container's link in LOGDIR/containers. */
static bool find_link(const char *logdir, const char *id, struct ow_kube_names *out)
{
	char path[4096];
	struct dirent *e;
	unsigned int n = 0;
	bool found = false;
	int err;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/containers", logdir) >= (int)sizeof(path))
		return false;
	d = open_trusted_dir(AT_FDCWD, path, &err);
	if (!d)
		return false;
	while (!found && (e = readdir(d)) && n++ < MAX_ENTRIES)
		found = ow_kube_container_link(e->d_name, id, out);
	closedir(d);
	return found;
}

int ow_kube_read_names(const char *logdir, const char *uid, const char *id,
		       struct ow_kube_names *out)
{
	struct ow_kube_names got = {0};
	int err = find_pod(logdir, uid, &got);

	if (err)
		return err;
	/* No link, no name: the pod's sandbox (pause) container has a cgroup and no link, and
	 * must not take the name of the pod's only container. */
	if (id && *id)
		find_link(logdir, id, &got);
	*out = got;
	return 0;
}
