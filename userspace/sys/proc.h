/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procfs readers. Each takes the proc root ("/proc" live, a fixture directory in tests).
 * A pid that vanished returns -ESRCH; a malformed file returns -EINVAL. Nothing is printed.
 */
#ifndef OW_PROC_H
#define OW_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define OW_CMDLINE_LEN 256

struct ow_proc_info {
	pid_t pid;
	pid_t ppid;
	char comm[16];		      /* from stat, between the outermost parentheses */
	char cmdline[OW_CMDLINE_LEN]; /* NULs turned to spaces, truncated; "" for kthreads */
	bool kthread;		      /* PF_KTHREAD (0x00200000) in stat's flags field */
	uint64_t starttime;	      /* stat field 22, clock ticks since boot */
	uint64_t rss_anon;	      /* status RssAnon, bytes */
	uint64_t rss_file;	      /* status RssFile, bytes */
	uint64_t rss_shmem;	      /* status RssShmem, bytes */
	uint64_t vm_swap;	      /* status VmSwap, bytes */
};

/* What a process cannot forge about itself, for protection and victim choice. */
struct ow_proc_trust {
	uid_t uid;	   /* real uid (status Uid:) */
	int oom_score_adj; /* -1000: the kernel never OOM-kills it */
	int oom_score;	   /* the kernel's badness, 0..2000 */
	char exe[256];	   /* <procroot>/<pid>/exe, " (deleted)" cut; "" unreadable or longer */
	/* The executable file is root's and only root can write it: a user's copy of a binary,
	 * whatever its name or path, is never trusted (prctl(PR_SET_NAME), argv and the file's
	 * name are the process's own to choose; the inode's owner is not). */
	bool exe_trusted;
};

/* Read the above. Returns 0, -ESRCH when the process is gone, or -EINVAL when malformed; an
 * unreadable exe (a kernel thread, a gone mount) is only untrusted. */
int ow_proc_read_trust(const char *procroot, pid_t pid, struct ow_proc_trust *out);

/* The real uid and gid of `pid` from <procroot>/<pid>/status ("Uid:\tREAL\tEFFECTIVE..."):
 * 0, -ESRCH when the process is gone, or -EINVAL when malformed. */
int ow_proc_ids(const char *procroot, pid_t pid, uid_t *uid, gid_t *gid);

/* Does the process catch signal `sig` (a handler installed: SigCgt of its status)? 1, 0, or
 * -errno (-ESRCH: gone). A signal it does not catch takes its default action, which for the
 * warn signals is to end it. */
int ow_proc_catches(const char *procroot, pid_t pid, int sig);

/* Read <procroot>/<pid>/stat, status and cmdline. RSS fields are 0 for kernel threads. */
int ow_proc_read(const char *procroot, pid_t pid, struct ow_proc_info *out);
/* Seconds since the process started (its starttime against CLOCK_BOOTTIME, which counts from
 * the same boot); -1 when that cannot be told. */
double ow_proc_age_s(const struct ow_proc_info *info);

/* Does <procroot>/<pid> exist? A zombie's does, until it is reaped. False only when it is
 * gone (ENOENT): a directory that cannot be told of (EACCES, ENOMEM) counts as there. */
bool ow_proc_exists(const char *procroot, pid_t pid);

/* Resident memory of `pid` in bytes, from <procroot>/<pid>/statm (the daemon's own, for its
 * metrics). */
int ow_proc_rss_bytes(const char *procroot, pid_t pid, uint64_t *out);

/*
 * The memory cgroup path of `pid` from <procroot>/<pid>/cgroup, relative to the hierarchy
 * root (e.g. "/system.slice/api.service"): for v1 the line whose controller list contains
 * "memory", for v2 the "0::" line.
 */
int ow_proc_memcg_path(const char *procroot, pid_t pid, bool v2, char *buf, size_t len);

#endif /* OW_PROC_H */
