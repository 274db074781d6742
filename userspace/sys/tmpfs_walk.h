/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The largest files of a tmpfs mount that grew (core/tmpfs_growth.h names the mount): a walk
 * of its tree, bounded in entries, depth and time, run off the loop (daemon/tmpfs_files.c).
 * Users name and shape what is walked (/tmp, /dev/shm), so the walk never leaves the mount:
 * directories are opened with openat2(RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH)
 * (a mount over a subdirectory, a symbolic link, a rename racing the walk: refused), files
 * are only statx()ed, without a sync (AT_STATX_DONT_SYNC: a FUSE file bind-mounted over one
 * of them is not asked) and counted only on the mount's own device. No file is opened.
 */
#ifndef OW_TMPFS_WALK_H
#define OW_TMPFS_WALK_H

#include <stdbool.h>
#include <stdint.h>

#define OW_TMPFS_FILES	  3   /* the largest, named */
#define OW_TMPFS_FILE_LEN 192 /* a path longer is cut */

struct ow_tmpfs_walk_limits {
	unsigned int max_entries; /* directory entries looked at, all directories together */
	unsigned int max_depth;	  /* directories below the mount point */
	uint64_t deadline_ns;	  /* CLOCK_MONOTONIC; 0: none */
};

struct ow_tmpfs_file {
	char path[OW_TMPFS_FILE_LEN];
	uint64_t bytes; /* allocated (st_blocks): what the mount holds for it */
	uint64_t ino;
};

struct ow_tmpfs_files {
	unsigned int n; /* largest first */
	struct ow_tmpfs_file f[OW_TMPFS_FILES];
	unsigned int entries; /* looked at */
	bool cut;	      /* a limit ended the walk: the largest of what was seen */
};

/*
 * Walk the tmpfs mounted at `point`, whose device is major:minor (as its mountinfo line says;
 * anything else mounted over the point is not walked: -EXDEV). 0 and *out, or -errno.
 */
int ow_tmpfs_walk(const char *point, unsigned int major, unsigned int minor,
		  const struct ow_tmpfs_walk_limits *lim, struct ow_tmpfs_files *out);

#endif /* OW_TMPFS_WALK_H */
