/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tmpfs and shmem files a process holds open for writing, and their size: the growth a
 * tmpfs writer makes, which moves no RSS (core/sight.h). Read from procfs alone until the file
 * is known to be on tmpfs: /proc/PID/fdinfo/N says how it was opened and on which mount
 * (mnt_id), /proc/PID/mountinfo which mounts are tmpfs; only then is the file itself stat()ed
 * (tmpfs answers from memory). A memfd is known by its mount, the kernel's internal shmem
 * one, never by its name (a file on a user's FUSE mount may be called /memfd:x). A file on a
 * user's FUSE mount is never touched, so it cannot hold the loop up. Takes the proc root, like
 * every reader.
 */
#ifndef OW_SHM_WRITERS_H
#define OW_SHM_WRITERS_H

#include <stdint.h>
#include <sys/types.h>

/* Open files looked at per process, at most. */
#define OW_SHM_MAX_FDS 1024
/* What one second of scans may look at, whatever the processes and cgroups: every open file
 * costs an open, read and close of its fdinfo on the event loop (6-7 us here, a stat() of the
 * first descriptor of each file included), and a hostile user who owns a cgroup whose tmpfs
 * grows chooses how many processes and files it holds (tests/e2e/hostile/shm-scan.sh): 2,048
 * files a second hold the loop ~13 ms. A cgroup holding more is looked at over several. */
#define OW_SHM_PASS_FDS	      2048
#define OW_SHM_PASS_MOUNTINFO 4 /* mount namespaces whose mountinfo is read */

/* The tmpfs mounts of a mount namespace, kept between the processes of one pass: most share
 * their namespace, and a container host's mountinfo is long. */
struct ow_tmpfs_mounts {
	uint64_t mntns; /* the namespace's inode (0: none read yet) */
	unsigned int n;
	int ids[256];
};

/* One second's scans: what is left of the budget, the mounts last read, and the mount of the
 * kernel's internal shmem (memfds; in no mountinfo). Start each second with ow_shm_scan_start. */
struct ow_shm_scan {
	struct ow_tmpfs_mounts mounts;
	unsigned int fds_left, mountinfo_left;
	int shm_mnt_id; /* -1: unknown (no memfd is counted) */
};

/* A fresh pass (the mounts are read again: a namespace's inode may be reused). */
void ow_shm_scan_start(struct ow_shm_scan *s, int shm_mnt_id);

/* The mount id of the kernel's internal shmem mount, from a memfd of our own and its fdinfo
 * under procroot ("self" must be this process). -errno when it cannot be learnt. Kernels
 * since ~6.8 show 0 for every internal mount (pipes and sockets too: never regular files,
 * and answered from memory); no user's mount has it. */
int ow_shm_internal_mnt_id(const char *procroot);

/* Bytes allocated to the tmpfs/shmem files (memfd included) `pid` holds open for writing, each
 * file once. Returns the number of such files, -ESRCH when it is gone, or -EAGAIN when the
 * pass's budget ran out before all of its files were looked at (nothing to record). */
int ow_proc_shm_written(const char *procroot, pid_t pid, struct ow_shm_scan *scan, uint64_t *bytes);

/* What /proc/PID/fdinfo/N says of an open file. */
struct ow_fdinfo {
	int writable; /* O_WRONLY or O_RDWR */
	int mnt_id;
	uint64_t ino; /* 0: not shown (kernels before 5.14) */
};

/* Parse one /proc/PID/fdinfo text. Returns 0, or -EINVAL when the flags or mnt_id line is
 * missing or malformed. */
int ow_fdinfo_parse(const char *text, struct ow_fdinfo *out);

/* The mount ids of tmpfs mounts in a /proc/PID/mountinfo text, at most `max`. Returns the
 * count. */
unsigned int ow_mountinfo_tmpfs(const char *text, int *ids, unsigned int max);

#endif /* OW_SHM_WRITERS_H */
