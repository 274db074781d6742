// SPDX-License-Identifier: GPL-2.0
/* Bounded file reads: see include/readfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
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

/* Open the directory `dirfd`/path[0..n) and close dirfd (unless it is AT_FDCWD). */
static int open_piece(int dirfd, const char *path, size_t n)
{
	char piece[PATH_MAX];
	int fd, err;

	memcpy(piece, path, n);
	piece[n] = '\0';
	fd = openat(dirfd, piece, O_PATH | O_DIRECTORY | O_CLOEXEC);
	err = errno;
	if (dirfd != AT_FDCWD)
		close(dirfd);
	return fd < 0 ? -err : fd;
}

int ow_open_path(const char *path, int flags)
{
	int dirfd = AT_FDCWD, fd, err;
	size_t n;

	/* The kernel refuses a name of PATH_MAX bytes or more whole: open its directories in
	 * pieces below that, each relative to the last. */
	while (strlen(path) >= PATH_MAX) {
		n = PATH_MAX - 1;
		while (n && path[n] != '/')
			n--;
		if (!n) {
			if (dirfd != AT_FDCWD)
				close(dirfd);
			return -ENAMETOOLONG; /* one component longer than PATH_MAX */
		}
		dirfd = open_piece(dirfd, path, n);
		if (dirfd < 0)
			return dirfd;
		path += n + 1;
	}
	fd = openat(dirfd, path, flags | O_CLOEXEC);
	err = errno;
	if (dirfd != AT_FDCWD)
		close(dirfd);
	return fd < 0 ? -err : fd;
}

ssize_t ow_read_file(const char *path, char *buf, size_t size, bool whole)
{
	ssize_t len;
	char extra;
	int fd;

	if (size < 1)
		return -EINVAL;
	fd = ow_open_path(path, O_RDONLY);
	if (fd < 0)
		return fd;
	len = ow_read_fd(fd, buf, size - 1);
	if (whole && len == (ssize_t)size - 1 && ow_read_fd(fd, &extra, 1) > 0)
		len = -EFBIG;
	close(fd);
	if (len < 0)
		return len;
	buf[len] = '\0';
	return len;
}
