/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tmpfs and shmem files a process holds open for writing, and their size: the growth a
 * tmpfs writer makes, which moves no RSS (core/sight.h). Read from procfs alone until the file
 * is known to be on tmpfs: /proc/PID/fdinfo/N says how it was opened and on which mount
 * (mnt_id), /proc/PID/mountinfo which mounts are tmpfs; only then is the file itself stat()ed
 * (tmpfs answers from memory). A file on a user's FUSE mount is never touched, so it cannot
 * hold the loop up. Takes the proc root, like every reader.
 */
#ifndef OW_SHM_WRITERS_H
#define OW_SHM_WRITERS_H

#include <stdint.h>
#include <sys/types.h>

/* Open files looked at per process, at most. */
#define OW_SHM_MAX_FDS 1024

/* The tmpfs mounts of a mount namespace, kept between the processes of one pass: most share
 * their namespace, and a container host's mountinfo is long. Zero it before the first use. */
struct ow_tmpfs_mounts {
	uint64_t mntns; /* the namespace's inode (0: none read yet) */
	unsigned int n;
	int ids[256];
};

/* Bytes allocated to the tmpfs/shmem files (memfd included) `pid` holds open for writing, each
 * file once. Returns the number of such files, or -errno (-ESRCH: gone). */
int ow_proc_shm_written(const char *procroot, pid_t pid, struct ow_tmpfs_mounts *mounts,
			uint64_t *bytes);

/* Parse one /proc/PID/fdinfo text: writable (O_WRONLY or O_RDWR) and its mnt_id. Returns 0,
 * or -EINVAL when a line is missing or malformed. */
int ow_fdinfo_parse(const char *text, int *writable, int *mnt_id);

/* The mount ids of tmpfs mounts in a /proc/PID/mountinfo text, at most `max`. Returns the
 * count. */
unsigned int ow_mountinfo_tmpfs(const char *text, int *ids, unsigned int max);

#endif /* OW_SHM_WRITERS_H */
