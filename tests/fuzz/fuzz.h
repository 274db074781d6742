/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the libFuzzer harnesses (tests/fuzz/fuzz_*.c). Readers that take a path or a
 * root directory get the input as a file in a private directory of /dev/shm (tmpfs: no disk
 * I/O per run), removed at exit.
 */
#ifndef OW_FUZZ_H
#define OW_FUZZ_H

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_root[64];

static int fuzz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void fuzz_cleanup(void)
{
	nftw(fuzz_root, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The private directory, made (and the logger silenced) on the first call. */
static inline const char *fuzz_dir(void)
{
	if (!fuzz_root[0]) {
		snprintf(fuzz_root, sizeof(fuzz_root), "/dev/shm/owfuzz-%d", (int)getpid());
		if (mkdir(fuzz_root, 0700))
			abort();
		atexit(fuzz_cleanup);
		/* Every level, so log lines of odd input are formatted too; to nowhere. */
		ow_log_setup(OW_LOG_JSON, OW_LOG_DEBUG, open("/dev/null", O_WRONLY | O_CLOEXEC));
	}
	return fuzz_root;
}

/* Write data to fuzz_dir()/rel (its parent directories made); returns the path (static). */
static inline const char *fuzz_put(const char *rel, const uint8_t *data, size_t size)
{
	static char path[256];
	char *slash;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), rel);
	for (slash = strchr(path + strlen(fuzz_root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd))
		abort();
	return path;
}

/* A NUL-terminated copy of the input, for parsers of C strings; free() it. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif /* OW_FUZZ_H */
