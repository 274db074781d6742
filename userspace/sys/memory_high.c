// SPDX-License-Identifier: GPL-2.0
/*
 * memory.high and its neighbours of one cgroup v2 directory (see memory_high.h). Files are opened
 * relative to the directory, opened once; values are parsed by cgroup.c's parsers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "memory_high.h"
#include "readfile.h"

#define VALUE_LEN  64	/* one number or "max" */
#define EVENTS_LEN 1024 /* memory.events: six short lines on 6.x */

/* `name` in dirfd into buf (NUL-terminated): a regular file only, never blocking; -EFBIG when it
 * does not fit, -EINVAL with an embedded NUL. */
static ssize_t read_in(int dirfd, const char *name, char *buf, size_t size)
{
	int fd = ow_open_untrusted(dirfd, name, OW_OPEN_NOFOLLOW, OW_SIZE_ANY);
	ssize_t len;

	if (fd < 0)
		return fd;
	len = ow_read_fd_text(fd, buf, size, true);
	close(fd);
	if (len < 0)
		return len;
	return memchr(buf, '\0', (size_t)len) ? -EINVAL : len;
}

static int value_in(int dirfd, const char *name, bool max_ok, uint64_t *out)
{
	char buf[VALUE_LEN];
	ssize_t len = read_in(dirfd, name, buf, sizeof(buf));

	return len < 0 ? (int)len : ow_cg_parse_value(buf, max_ok, out);
}

static int events_in(int dirfd, struct ow_high_state *s)
{
	const struct ow_cg_key keys[] = {
		{"high", &s->events_high},
		{"max", &s->events_max},
		{"oom_kill", &s->events_oom_kill},
	};
	char buf[EVENTS_LEN];
	ssize_t len = read_in(dirfd, "memory.events", buf, sizeof(buf));

	return len < 0 ? (int)len : ow_cg_parse_keys(buf, keys, sizeof(keys) / sizeof(keys[0]));
}

/* The files of struct ow_high_state; memory.max, memory.low and memory.min only with `limits`. */
static int read_state(const char *dir, bool limits, struct ow_high_state *out)
{
	struct ow_high_state s = {0};
	int dirfd = ow_open_path(dir, O_PATH | O_DIRECTORY);
	int err;

	if (dirfd < 0)
		return dirfd;
	err = value_in(dirfd, "memory.high", true, &s.high);
	if (!err && limits)
		err = value_in(dirfd, "memory.max", true, &s.max);
	if (!err && limits)
		err = value_in(dirfd, "memory.low", true, &s.low);
	if (!err && limits)
		err = value_in(dirfd, "memory.min", true, &s.min);
	if (!err)
		err = value_in(dirfd, "memory.current", false, &s.current);
	if (!err)
		err = events_in(dirfd, &s);
	close(dirfd);
	if (!err)
		*out = s;
	return err;
}

int ow_high_read(const char *dir, struct ow_high_state *out)
{
	return read_state(dir, true, out);
}

int ow_high_poll(const char *dir, struct ow_high_state *out)
{
	return read_state(dir, false, out);
}

/* The one file `name` of `dir`. */
static int value_of(const char *dir, const char *name, bool max_ok, uint64_t *out)
{
	int dirfd = ow_open_path(dir, O_PATH | O_DIRECTORY);
	int err;

	if (dirfd < 0)
		return dirfd;
	err = value_in(dirfd, name, max_ok, out);
	close(dirfd);
	return err;
}

int ow_high_get(const char *dir, uint64_t *out)
{
	return value_of(dir, "memory.high", true, out);
}

int ow_high_current(const char *dir, uint64_t *out)
{
	return value_of(dir, "memory.current", false, out);
}

int ow_high_below(const char *root, const char *dir)
{
	size_t rl = strlen(root), n;
	const char *p;

	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	if (root[0] != '/' || strncmp(root, dir, rl) || dir[rl] != '/')
		return -EINVAL;
	for (p = dir + rl; *p == '/'; p += 1 + n) {
		n = strcspn(p + 1, "/");
		if (!n || (n == 1 && p[1] == '.') || (n == 2 && p[1] == '.' && p[2] == '.'))
			return -EINVAL;
	}
	return 0;
}

/* `dir` opened O_PATH once it is known to be a directory below root on root's filesystem. */
static int open_below(const char *root, const char *dir)
{
	struct stat rs, ds;
	int dfd, err;

	err = ow_high_below(root, dir);
	if (err)
		return err;
	dfd = ow_open_path(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW);
	if (dfd == -ENOTDIR || dfd == -ELOOP)
		return -EINVAL; /* a file, or a symbolic link as its last component */
	if (dfd < 0)
		return dfd;
	if (stat(root, &rs) || fstat(dfd, &ds))
		err = -errno;
	else if (rs.st_dev != ds.st_dev)
		err = -EINVAL; /* another mount below root: not a cgroup of it */
	if (err) {
		close(dfd);
		return err;
	}
	return dfd;
}

static int write_value(int fd, uint64_t value)
{
	char text[32];
	struct stat st;
	ssize_t n;
	int len;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (value == OW_NO_LIMIT)
		len = snprintf(text, sizeof(text), "max\n");
	else
		len = snprintf(text, sizeof(text), "%" PRIu64 "\n", value);
	/* One write: cgroupfs takes a value from a single write(2). */
	do
		n = write(fd, text, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == len ? 0 : -EIO;
}

int ow_high_set(const char *root, const char *dir, uint64_t value)
{
	int dfd = open_below(root, dir);
	int fd, err;

	if (dfd < 0)
		return dfd;
	/* O_TRUNC as a shell's ">" (cgroupfs ignores it; a fixture's file needs it). */
	fd = openat(dfd, "memory.high",
		    O_WRONLY | O_TRUNC | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	err = fd < 0 ? -errno : 0;
	close(dfd);
	if (err)
		return err;
	err = write_value(fd, value);
	close(fd);
	return err;
}
