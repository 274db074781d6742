/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A process's working directory and open files, by their links in /proc/PID (cwd, fd/N). A
 * readlink there is answered by procfs from the kernel's own path of the file: it never reaches
 * the file's filesystem, so a user's FUSE mount cannot stall it. Every reader takes procroot, so
 * a tree of plain symlinks stands in for /proc in the tests.
 */
#ifndef OW_PROC_FILES_H
#define OW_PROC_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The working directory's path into buf (truncated to fit); -errno (-ESRCH: the pid is gone). */
int ow_proc_cwd(const char *procroot, pid_t pid, char *buf, size_t len);

/* The first open file of pid, among at most `max` descriptors, whose path `match` accepts: 1 and
 * its path in buf, 0 when none does, -errno. */
int ow_proc_find_open(const char *procroot, pid_t pid, bool (*match)(const char *path),
		      unsigned int max, char *buf, size_t len);

#endif /* OW_PROC_FILES_H */
