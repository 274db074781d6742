/* SPDX-License-Identifier: GPL-2.0 */
/* Bounded reads of small kernel files (cgroupfs and procfs report st_size 0, so the size comes
 * from read(), never from stat()), and of files a user may have planted or pointed us at. */
#ifndef OW_READFILE_H
#define OW_READFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

/* read() until EOF or `size` bytes; retries EINTR. Returns the length or -errno. */
ssize_t ow_read_fd(int fd, char *buf, size_t size);

/* At most size - 1 bytes of fd into buf, NUL-terminated. With `whole`, a file that does not fit
 * is -EFBIG instead of truncated. Returns the length or -errno; fd stays open. */
ssize_t ow_read_fd_text(int fd, char *buf, size_t size, bool whole);

/* open(2) that also takes a path of PATH_MAX bytes or more (a deeply nested cgroup), opened
 * a piece at a time; O_CLOEXEC is added. Returns the fd or -errno. */
int ow_open_path(const char *path, int flags);

/* Read at most size - 1 bytes of `path` (any length) into buf, NUL-terminated. With `whole`, a
 * file that does not fit is -EFBIG instead of truncated. Returns the length or -errno. */
ssize_t ow_read_file(const char *path, char *buf, size_t size, bool whole);

/* Refuse a symbolic link as the last component (-ELOOP): for paths whose last component a
 * user names or creates (a file in a HOME, in /tmp). */
#define OW_OPEN_NOFOLLOW 1u
/* ow_read_untrusted*: the file must be root's, and writable by root alone (-EPERM otherwise):
 * state a user could have written must not name anything (a container's name in an alert). */
#define OW_OPEN_ROOT_ONLY 2u
/* No size cap (the caller bounds what it reads itself). */
#define OW_SIZE_ANY INT64_MAX

/*
 * Open a file whose path a user can influence, read-only, never blocking and without side
 * effects: the path is opened O_PATH and checked with fstat before anything is really opened
 * (a FIFO would block an open, a device node could act on it), then that very inode is
 * reopened through /proc/self/fd. Returns an fd of a regular file of at most max_size bytes,
 * or -errno: -ELOOP a symlink (with OW_OPEN_NOFOLLOW), -EISDIR a directory, -EINVAL another
 * kind that is not a regular file (FIFO, socket, device), -EFBIG larger than max_size.
 */
int ow_open_untrusted(int dirfd, const char *path, unsigned int flags, int64_t max_size);

/* The checks and reopen of ow_open_untrusted for an O_PATH fd the caller opened its own way
 * (openat2 in a process's root, a map_files link); pfd stays open. */
int ow_reopen_untrusted(int pfd, int64_t max_size);

/* ow_open_untrusted, then the whole file into a malloc'd NUL-terminated *out (the size seen at
 * open: a file growing meanwhile is cut there). Returns the length or -errno. */
ssize_t ow_read_untrusted(int dirfd, const char *path, unsigned int flags, size_t max_size,
			  char **out);

/* Could `uid` read (with R_OK; a directory: list, with R_OK | X_OK) what st describes, by its
 * owner or other permission bits? Group bits do not count (the groups of uid are not known
 * here): a file only its group may read is refused. Root (0) reads anything. */
bool ow_readable_by(const struct stat *st, uid_t uid, int mode);

/* ow_read_untrusted on behalf of a manager running as `uid`, which reads its own files: also
 * -EACCES when uid could not read the file itself (ow_readable_by, checked on the open file). */
ssize_t ow_read_untrusted_as(int dirfd, const char *path, unsigned int flags, size_t max_size,
			     uid_t uid, char **out);

/* What the errors above mean, for a message: "is not a regular file", "is larger than the
 * limit"... else strerror(). */
const char *ow_untrusted_strerror(int err);

/*
 * One line of f into buf (NUL-terminated, newline kept), with no allocation: a line longer than
 * size - 1 bytes is read to its end and dropped. Returns its length, 0 at the end of the file,
 * -E2BIG for a dropped line, or -EIO (ferror).
 */
ssize_t ow_read_line(FILE *f, char *buf, size_t size);

#endif /* OW_READFILE_H */
