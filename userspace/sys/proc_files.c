// SPDX-License-Identifier: GPL-2.0
/*
 * A process's working directory and open files (proc_files.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc_files.h"

/* readlinkat() into buf, NUL-terminated, truncated to fit. */
static int read_link(int dirfd, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, path, sizeof(path) - 1);

	if (n < 0)
		return -errno;
	path[n] = '\0';
	snprintf(buf, len, "%s", path);
	return 0;
}

int ow_proc_cwd(const char *procroot, pid_t pid, char *buf, size_t len)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%d/cwd", procroot, (int)pid), err;

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	err = read_link(AT_FDCWD, path, buf, len);
	return err == -ENOENT ? -ESRCH : err;
}

int ow_proc_find_open(const char *procroot, pid_t pid, bool (*match)(const char *path),
		      unsigned int max, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	unsigned int seen = 0;
	struct dirent *e;
	int n = snprintf(path, sizeof(path), "%s/%d/fd", procroot, (int)pid), fd, found = 0;
	DIR *dir;

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	/* O_DIRECTORY | O_NOFOLLOW: in a test tree, a FIFO or a link there fails at once */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while (!found && seen < max && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		seen++;
		/* a descriptor closed since the listing is no longer open: skip it */
		if (!read_link(dirfd(dir), e->d_name, target, sizeof(target)) && match(target)) {
			snprintf(buf, len, "%s", target);
			found = 1;
		}
	}
	closedir(dir);
	return found;
}
