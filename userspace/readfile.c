// SPDX-License-Identifier: GPL-2.0
/* Bounded file reads: see include/readfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "readfile.h"

ssize_t ow_read_fd(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size) {
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

ssize_t ow_read_file(const char *path, char *buf, size_t size, bool whole)
{
	ssize_t len;
	char extra;
	int fd;

	if (size < 1)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = ow_read_fd(fd, buf, size - 1);
	if (whole && len == (ssize_t)size - 1 && ow_read_fd(fd, &extra, 1) > 0)
		len = -EFBIG;
	close(fd);
	if (len < 0)
		return len;
	buf[len] = '\0';
	return len;
}
