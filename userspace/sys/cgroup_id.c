// SPDX-License-Identifier: GPL-2.0
/* memcg id -> cgroup directory: see userspace/sys/cgroup_id.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cgroup_id.h"

/* include/linux/exportfs.h: kernfs's handle is its 64-bit node id (kernel 5.5+). */
#define FILEID_KERNFS 0xfe

int ow_cg_path_of_id(const char *mount, uint64_t id, char *out, size_t len)
{
	struct {
		struct file_handle fh;
		/* Read by the kernel, as fh's flexible f_handle[] (open_by_handle_at). */
		// cppcheck-suppress unusedStructMember
		uint64_t id;
	} h = {.fh = {.handle_bytes = sizeof(uint64_t), .handle_type = FILEID_KERNFS}, .id = id};
	char link[64];
	int mfd, fd, err = 0;
	ssize_t n;

	mfd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -errno;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		err = -errno;
	close(mfd);
	if (err)
		return err;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n >= len)
		err = -ENAMETOOLONG;
	else
		out[n] = '\0';
	close(fd);
	return err;
}
