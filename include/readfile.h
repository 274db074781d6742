/* SPDX-License-Identifier: GPL-2.0 */
/* Bounded reads of small kernel files (cgroupfs and procfs report st_size 0, so the size comes
 * from read(), never from stat()). */
#ifndef OW_READFILE_H
#define OW_READFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* read() until EOF or `size` bytes; retries EINTR. Returns the length or -errno. */
ssize_t ow_read_fd(int fd, char *buf, size_t size);

/* open(2) that also takes a path of PATH_MAX bytes or more (a deeply nested cgroup), opened
 * a piece at a time; O_CLOEXEC is added. Returns the fd or -errno. */
int ow_open_path(const char *path, int flags);

/* Read at most size - 1 bytes of `path` (any length) into buf, NUL-terminated. With `whole`, a
 * file that does not fit is -EFBIG instead of truncated. Returns the length or -errno. */
ssize_t ow_read_file(const char *path, char *buf, size_t size, bool whole);

#endif /* OW_READFILE_H */
