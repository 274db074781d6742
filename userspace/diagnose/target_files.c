// SPDX-License-Identifier: GPL-2.0
/* Files of another process: see userspace/diagnose/target_files.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "readfile.h"
#include "target_files.h"

#define STATUS_BUF_LEN 8192
/* O_PATH first: a FIFO or device planted at the path is never really opened (it could block
 * or act); ow_reopen_untrusted opens only a regular file. A symlink as the last component is
 * refused: the target names the file, not what it points to (a root-owned file, say). */
#define PATH_FLAGS (O_PATH | O_CLOEXEC | O_NOFOLLOW)

/* The regular file behind an O_PATH fd (closed here), or -errno. */
static int reopen(long pfd)
{
	int fd;

	if (pfd < 0)
		return -errno;
	fd = ow_reopen_untrusted((int)pfd, OW_SIZE_ANY);
	close((int)pfd);
	return fd;
}

static int open_in_root(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = PATH_FLAGS,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	/* Before 5.6: plain openat, where an absolute symlink escapes to our root. */
	if (fd < 0 && errno == ENOSYS)
		fd = openat(rootfd, path + strspn(path, "/"), PATH_FLAGS);
	return reopen(fd);
}

int ow_target_open_in_root(const char *procroot, int pid, const char *path)
{
	char root[PATH_MAX];
	int rootfd, fd;

	if (path[0] != '/')
		return -EINVAL;
	if (snprintf(root, sizeof(root), "%s/%d/root", procroot, pid) >= (int)sizeof(root))
		return -ENAMETOOLONG;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	fd = open_in_root(rootfd, path);
	close(rootfd);
	return fd;
}

int ow_open_regular(const char *path)
{
	return ow_open_untrusted(AT_FDCWD, path, OW_OPEN_NOFOLLOW, OW_SIZE_ANY);
}

int ow_target_open(const char *procroot, int pid, const char *path)
{
	int fd = ow_target_open_in_root(procroot, pid, path);

	return fd >= 0 ? fd : ow_open_regular(path);
}

int ow_target_open_mapped(const char *procroot, int pid, uint64_t start, uint64_t end)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%d/map_files/%llx-%llx", procroot, pid,
		     (unsigned long long)start, (unsigned long long)end) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	/* The magic link is followed: it is the kernel's, naming exactly the mapped file. */
	return reopen(open(path, O_PATH | O_CLOEXEC));
}

/* The text after `key` at the start of a line, or NULL. */
static const char *find_key(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	const char *p = buf;

	while (strncmp(p, key, klen)) {
		p = strchr(p, '\n');
		if (!p)
			return NULL;
		p++;
	}
	return p + klen;
}

/* "Key:\t12\t34...": the first number after the key, or with `last` the last one. */
static int status_number(const char *buf, const char *key, bool last, long *out)
{
	const char *p = find_key(buf, key), *end;
	char *num_end;
	long v = -1;

	if (!p)
		return -ENOENT;
	end = strchrnul(p, '\n');
	for (p += strspn(p, " \t"); p < end; p += strspn(p, " \t")) {
		errno = 0;
		v = strtol(p, &num_end, 10);
		if (num_end == p || errno || v < 0 || !strchr(" \t\n", *num_end))
			return -EINVAL;
		p = num_end;
		if (!last)
			break;
	}
	if (v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int ow_target_ids(const char *procroot, int pid, struct ow_target_ids *out)
{
	char path[PATH_MAX], buf[STATUS_BUF_LEN];
	ssize_t len;
	long v;

	if (snprintf(path, sizeof(path), "%s/%d/status", procroot, pid) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	len = ow_read_file(path, buf, sizeof(buf), false);
	if (len < 0)
		return len == -ENOENT ? -ESRCH : (int)len;
	out->nspid = status_number(buf, "NSpid:", true, &v) || v > INT_MAX ? pid : (int)v;
	out->has_uid = !status_number(buf, "Uid:", false, &v) && v <= (long)UINT32_MAX - 1;
	out->uid = out->has_uid ? (uid_t)v : (uid_t)-1;
	return 0;
}
