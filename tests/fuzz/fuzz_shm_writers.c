// SPDX-License-Identifier: GPL-2.0
/* The texts the tmpfs writer scan parses (sys/shm_writers.c): a /proc/PID/fdinfo text, and a
 * /proc/PID/mountinfo text, which a user shapes with the mounts of its own namespaces (read
 * for its tmpfs ids there, and for mount points by sys/tmpfs_mounts.c). The input is both:
 * split at its first NUL byte, if any. */
#include "fuzz.h"
#include "shm_writers.h"
#include "tmpfs_mounts.h"

static struct ow_tmpfs_table table;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct ow_fdinfo fi;
	int ids[256];
	size_t cut;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cut = strlen(text);
	ow_fdinfo_parse(text, &fi);
	ow_mountinfo_tmpfs(cut < size ? text + cut + 1 : text, ids, 256);
	ow_tmpfs_points(cut < size ? text + cut + 1 : text, &table);
	free(text);
	return 0;
}
