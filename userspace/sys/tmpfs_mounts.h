/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's tmpfs mounts and how much each holds (core/tmpfs_growth.h says which grew): the
 * tmpfs lines of a mountinfo, then statfs() of each mount, which tmpfs answers from memory. A
 * user may mount over a tmpfs it owns (FUSE over /run/user/UID): the mount point is opened
 * O_PATH (no file system is asked), its device checked against the mountinfo's without a sync
 * (statx AT_STATX_DONT_SYNC), and only then is it asked, so a FUSE server that never answers
 * cannot hold the loop up. A mount with no size limit (size=0) reports no blocks and is left
 * out, as is a mount point longer than OW_TMPFS_POINT_LEN.
 */
#ifndef OW_TMPFS_MOUNTS_H
#define OW_TMPFS_MOUNTS_H

#include <stdint.h>

#include "tmpfs_growth.h"

#define OW_TMPFS_POINT_LEN 128

struct ow_tmpfs_table {
	unsigned int n;
	int id[OW_TMPFS_MAX];
	unsigned int major[OW_TMPFS_MAX], minor[OW_TMPFS_MAX];
	char point[OW_TMPFS_MAX][OW_TMPFS_POINT_LEN];
};

/* The tmpfs mounts of a mountinfo text (proc(5): "ID PARENT MAJ:MIN ROOT POINT OPTS [TAGS...]
 * - FSTYPE SOURCE SUPER"), their points unescaped (\040 and the like), at most OW_TMPFS_MAX.
 * Pure. Returns the count. */
unsigned int ow_tmpfs_points(const char *text, struct ow_tmpfs_table *t);

/* Read `mountinfo` (the daemon's /proc/self/mountinfo), then the used bytes of each tmpfs
 * mount into u (ids as in t). 0 or -errno. */
int ow_tmpfs_sample(const char *mountinfo, struct ow_tmpfs_table *t, struct ow_tmpfs_usage *u);

/* The mount point of id `id` in t, or NULL. */
const char *ow_tmpfs_point(const struct ow_tmpfs_table *t, int id);

#endif /* OW_TMPFS_MOUNTS_H */
