/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Commands run for the daemon (a manager's restart command) without blocking it: fork/exec
 * with stdout and stderr into a pipe, a pidfd for the exit. The daemon puts both fds in its
 * epoll set, drains the output as it comes, reaps on exit, and kills the process group at
 * its deadline.
 */
#ifndef OW_RUNNER_H
#define OW_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#define OW_JOB_OUT_LEN 2048

struct ow_job {
	pid_t pid;	   /* 0: no job */
	char cg[PATH_MAX]; /* the job's own cgroup, removed at close; "" if none */
	int pidfd;	   /* readable when the command exited */
	int outfd;	   /* the read end of its stdout+stderr (non-blocking); -1 after EOF */
	char out[OW_JOB_OUT_LEN]; /* the start of its output, NUL-terminated */
	size_t outlen;
	bool truncated;
};

/*
 * Start argv[0] (looked up in envp's PATH) with exactly envp, stdin from /dev/null, in a
 * process group of its own; as uid/gid (and no supplementary groups) when as_user; with
 * oom_score_adj 0 (not the daemon's -1000). With `cgroup` (the victim's cgroup directory),
 * the command runs in a cgroup of its own made below it, so the victim's limits bind it and
 * the deadline kills everything it started (setsid() does not escape). Returns 0 or -errno;
 * an exec failure shows later as exit status 127 (126: could not switch user, 125: could not
 * join its cgroup or reset oom_score_adj).
 */
int ow_job_start(struct ow_job *j, char *const argv[], char *const envp[], bool as_user, uid_t uid,
		 gid_t gid, const char *cgroup);

/* Read what the command wrote so far. Returns 1 at end of output, else 0. */
int ow_job_drain(struct ow_job *j);

/* 1 and the wait status when the command has exited (reaped), 0 while it runs, or -errno. */
int ow_job_reap(struct ow_job *j, int *status);

/* SIGKILL its process group and every process in its cgroup (a timeout). */
void ow_job_kill(struct ow_job *j);

/* Close the fds; kill and reap a job still running; kill what it left in its cgroup and
 * remove the cgroup. */
void ow_job_close(struct ow_job *j);

/* "exit 0", "exit 3", "killed by SIGKILL". */
void ow_job_status_str(int status, char *buf, size_t len);

/* The output as one line for a log field: newlines become " | ", trailing space dropped. */
void ow_job_output_line(const struct ow_job *j, char *buf, size_t len);

#endif /* OW_RUNNER_H */
