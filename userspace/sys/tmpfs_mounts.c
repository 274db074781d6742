// SPDX-License-Identifier: GPL-2.0
/* The daemon's tmpfs mounts: see userspace/sys/tmpfs_mounts.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "readfile.h"
#include "tmpfs_mounts.h"

#define MOUNTINFO_LEN (256 * 1024)

/* Field `n` (0-based) of a mountinfo line ending at `end`, unescaped into out; false when it
 * is missing or does not fit. */
static bool field(const char *line, const char *end, unsigned int n, char *out, size_t len)
{
	const char *p = line;
	size_t o = 0;

	while (n--) {
		p = memchr(p, ' ', (size_t)(end - p));
		if (!p)
			return false;
		p++;
	}
	while (p < end && *p != ' ') {
		if (o + 1 >= len)
			return false;
		if (*p == '\\' && end - p >= 4 && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' &&
		    p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			out[o++] = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 4;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	return o > 0;
}

unsigned int ow_tmpfs_points(const char *text, struct ow_tmpfs_table *t)
{
	const char *line = text;

	t->n = 0;
	while (line && *line && t->n < OW_TMPFS_MAX) {
		const char *nl = strchr(line, '\n'), *end = nl ? nl : line + strlen(line);
		const char *dash = strstr(line, " - ");
		int id;

		if (dash && dash < end && (size_t)(end - dash) > 9 &&
		    !strncmp(dash + 3, "tmpfs ", 6) &&
		    sscanf(line, "%d %*d %u:%u", &id, &t->major[t->n], &t->minor[t->n]) == 3 &&
		    field(line, dash, 4, t->point[t->n], sizeof(t->point[0])) &&
		    t->point[t->n][0] == '/')
			t->id[t->n++] = id;
		line = nl ? nl + 1 : NULL;
	}
	return t->n;
}

/* The used bytes of mount i of t, asked of the file system only once it is known to be that
 * tmpfs (see the header). */
static int used_bytes(const struct ow_tmpfs_table *t, unsigned int i, uint64_t *used)
{
	int fd = open(t->point[i], O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC), err = 0;
	struct statx sx;
	struct statfs sf;

	if (fd < 0)
		return -errno;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE, &sx))
		err = -errno;
	else if (sx.stx_dev_major != t->major[i] || sx.stx_dev_minor != t->minor[i])
		err = -EXDEV; /* something else is mounted over it */
	else if (fstatfs(fd, &sf))
		err = -errno;
	else if (sf.f_type != TMPFS_MAGIC || !sf.f_blocks || sf.f_blocks < sf.f_bfree)
		err = -ENODATA;
	else
		*used = (uint64_t)(sf.f_blocks - sf.f_bfree) * (uint64_t)sf.f_bsize;
	close(fd);
	return err;
}

int ow_tmpfs_sample(const char *mountinfo, struct ow_tmpfs_table *t, struct ow_tmpfs_usage *u)
{
	char *text = malloc(MOUNTINFO_LEN);
	ssize_t n = text ? ow_read_file(mountinfo, text, MOUNTINFO_LEN, false) : -ENOMEM;
	unsigned int i;

	u->n = 0;
	if (n < 0) {
		free(text);
		return (int)n;
	}
	ow_tmpfs_points(text, t);
	free(text);
	for (i = 0; i < t->n; i++) {
		if (!used_bytes(t, i, &u->used[u->n]))
			u->id[u->n++] = t->id[i];
	}
	return 0;
}

const char *ow_tmpfs_point(const struct ow_tmpfs_table *t, int id)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->id[i] == id)
			return t->point[i];
	return NULL;
}
