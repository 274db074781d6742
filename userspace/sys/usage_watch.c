// SPDX-License-Identifier: GPL-2.0
/* A cgroup's usage watched from the kernel's side: see userspace/sys/usage_watch.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "cgroup.h"
#include "readfile.h"
#include "usage_watch.h"

static int open_in(const char *dir, const char *name, int flags)
{
	char *path;
	int fd;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	fd = ow_open_path(path, flags | O_NOFOLLOW);
	free(path);
	return fd;
}

/* "<event_fd> <fd of memory.usage_in_bytes> <threshold>" (Documentation/admin-guide/
 * cgroup-v1/memory.rst, "Memory thresholds"). */
static int register_threshold(int ctl, int efd, int ufd, uint64_t bytes)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%d %d %" PRIu64, efd, ufd, bytes);

	if (write(ctl, line, (size_t)n) != n)
		return -errno;
	return 0;
}

int ow_usage_thresholds_arm(const char *dir, int ufd, uint64_t low, uint64_t high)
{
	int efd, ctl, err = 0;

	if (!low && !high)
		return -EINVAL;
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0)
		return -errno;
	ctl = open_in(dir, "cgroup.event_control", O_WRONLY);
	if (ctl < 0)
		err = ctl;
	if (!err && high)
		err = register_threshold(ctl, efd, ufd, high);
	if (!err && low)
		err = register_threshold(ctl, efd, ufd, low);
	if (ctl >= 0)
		close(ctl);
	if (err) {
		close(efd);
		return err;
	}
	return efd;
}

void ow_usage_drain(int efd)
{
	uint64_t n;

	while (read(efd, &n, sizeof(n)) == sizeof(n))
		;
}

int ow_usage_open(const char *dir, int v1)
{
	return open_in(dir, v1 ? "memory.usage_in_bytes" : "memory.current", O_RDONLY);
}

int ow_usage_read(int fd, uint64_t *out)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return ow_cg_parse_value(buf, false, out);
}

int ow_meminfo_open(void)
{
	return ow_open_path("/proc/meminfo", O_RDONLY);
}

int ow_machine_used_read(int fd, uint64_t *out)
{
	char buf[8192];
	struct ow_cg_stat st;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	int err;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	err = ow_meminfo_parse(buf, &st);
	if (err)
		return err;
	*out = st.usage - st.file + st.swap;
	return 0;
}
