// SPDX-License-Identifier: GPL-2.0
/* Bounded file reads: see userspace/lib/readfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

ssize_t ow_read_fd_text(int fd, char *buf, size_t size, bool whole)
{
	ssize_t len;
	char extra;

	if (size < 1)
		return -EINVAL;
	len = ow_read_fd(fd, buf, size - 1);
	if (whole && len == (ssize_t)size - 1 && ow_read_fd(fd, &extra, 1) > 0)
		return -EFBIG;
	if (len >= 0)
		buf[len] = '\0';
	return len;
}

ssize_t ow_read_file(const char *path, char *buf, size_t size, bool whole)
{
	ssize_t len;
	int fd;

	if (size < 1)
		return -EINVAL;
	fd = ow_open_path(path, O_RDONLY);
	if (fd < 0)
		return fd;
	len = ow_read_fd_text(fd, buf, size, whole);
	close(fd);
	return len;
}

static int kind_error(mode_t mode)
{
	if (S_ISLNK(mode))
		return -ELOOP; /* O_PATH | O_NOFOLLOW opens the link itself */
	if (S_ISDIR(mode))
		return -EISDIR;
	return S_ISREG(mode) ? 0 : -EINVAL;
}

int ow_reopen_untrusted(int pfd, int64_t max_size)
{
	struct stat st;
	char self[32];
	int fd;

	if (fstat(pfd, &st))
		return -errno;
	if (kind_error(st.st_mode))
		return kind_error(st.st_mode);
	if (st.st_size > max_size)
		return -EFBIG;
	/* The inode just checked, even if the path was swapped for a FIFO since. */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

int ow_open_untrusted(int dirfd, const char *path, unsigned int flags, int64_t max_size)
{
	int pfd = openat(dirfd, path,
			 O_PATH | O_CLOEXEC | (flags & OW_OPEN_NOFOLLOW ? O_NOFOLLOW : 0));
	int fd;

	if (pfd < 0)
		return -errno;
	fd = ow_reopen_untrusted(pfd, max_size);
	close(pfd);
	return fd;
}

bool ow_readable_by(const struct stat *st, uid_t uid, int mode)
{
	bool owner = st->st_uid == uid;
	mode_t want = 0;

	if (uid == 0)
		return true;
	if (mode & R_OK)
		want |= owner ? S_IRUSR : S_IROTH;
	if (mode & X_OK)
		want |= owner ? S_IXUSR : S_IXOTH;
	return (st->st_mode & want) == want;
}

ssize_t ow_read_untrusted_as(int dirfd, const char *path, unsigned int flags, size_t max_size,
			     uid_t uid, char **out)
{
	int fd = ow_open_untrusted(dirfd, path, flags, (int64_t)max_size);
	struct stat st;
	ssize_t n;
	char *buf;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		n = -errno;
		close(fd);
		return n;
	}
	if (!ow_readable_by(&st, uid, R_OK)) {
		close(fd);
		return -EACCES;
	}
	if ((flags & OW_OPEN_ROOT_ONLY) && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		close(fd);
		return -EPERM;
	}
	buf = malloc((size_t)st.st_size + 1);
	n = buf ? ow_read_fd(fd, buf, (size_t)st.st_size) : -ENOMEM;
	close(fd);
	if (n < 0) {
		free(buf);
		return n;
	}
	buf[n] = '\0';
	*out = buf;
	return n;
}

ssize_t ow_read_untrusted(int dirfd, const char *path, unsigned int flags, size_t max_size,
			  char **out)
{
	return ow_read_untrusted_as(dirfd, path, flags, max_size, 0, out);
}

const char *ow_untrusted_strerror(int err)
{
	switch (err) {
	case -ELOOP:
		return "is a symbolic link";
	case -EISDIR:
		return "is a directory";
	case -EINVAL:
		return "is not a regular file";
	case -EFBIG:
		return "is larger than the limit";
	default:
		return strerror(-err);
	}
}

ssize_t ow_read_line(FILE *f, char *buf, size_t size)
{
	size_t len = 0;
	bool dropped = false;
	int c;

	while ((c = getc_unlocked(f)) != EOF) { /* the caller owns f */
		if (len + 1 < size)
			buf[len++] = (char)c;
		else
			dropped = true;
		if (c == '\n')
			break;
	}
	buf[len] = '\0';
	if (ferror(f))
		return -EIO;
	return dropped ? -E2BIG : (ssize_t)len;
}
