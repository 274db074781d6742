// SPDX-License-Identifier: GPL-2.0
/* A test's fixture tree in a temporary directory: see tmptree.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmptree.h"

#define PATH_LEN 512

static char root[64];

const char *ow_tmptree_new(const char *name)
{
	snprintf(root, sizeof(root), "/tmp/ow-test-%s.XXXXXX", name);
	if (!mkdtemp(root))
		abort();
	return root;
}

const char *ow_tmptree_at(const char *rel)
{
	static char bufs[4][PATH_LEN];
	static unsigned int next;
	char *p = bufs[next++ % 4];

	if (snprintf(p, PATH_LEN, "%s/%s", root, rel) >= PATH_LEN)
		abort();
	return p;
}

void ow_tmptree_put(const char *rel, const void *data, size_t len)
{
	int fd = open(ow_tmptree_at(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd))
		abort();
}

void ow_tmptree_puts(const char *rel, const char *text)
{
	ow_tmptree_put(rel, text, strlen(text));
}

const char *ow_tmptree_text(const char *rel)
{
	static char buf[4096];
	int fd = open(ow_tmptree_at(rel), O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

int ow_tmptree_remove(void)
{
	char cmd[128];

	if (!root[0])
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) ? -1 : 0;
}
