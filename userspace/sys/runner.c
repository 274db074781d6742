// SPDX-License-Identifier: GPL-2.0
/* Commands in child processes: see userspace/sys/runner.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "runner.h"

#ifndef P_PIDFD
#define P_PIDFD 3 /* linux/wait.h; glibc before 2.36 lacks it */
#endif

static const char *env_path(char *const envp[])
{
	unsigned int i;

	for (i = 0; envp[i]; i++) {
		if (!strncmp(envp[i], "PATH=", 5))
			return envp[i] + 5;
	}
	return "/usr/bin:/bin";
}

/* execvpe(3) searches the caller's PATH, not envp's: search envp's. */
static void exec_in_path(char *const argv[], char *const envp[])
{
	const char *dir = env_path(envp), *end;
	char path[PATH_MAX];
	size_t n;

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, envp);
		return;
	}
	for (; *dir; dir = *end ? end + 1 : end) {
		end = strchrnul(dir, ':');
		n = (size_t)(end - dir);
		if (n && n + strlen(argv[0]) + 2 < sizeof(path)) {
			memcpy(path, dir, n);
			path[n] = '/';
			strcpy(path + n + 1, argv[0]);
			execve(path, argv, envp);
		}
	}
}

#define KILL_PASSES 16 /* reads of cgroup.procs: a fork between two is caught by the next */

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The daemon's -1000 would make the command unkillable by the OOM killer; then into its own
 * cgroup (cgroup.procs takes "0" for the writer). */
static int child_confine(const char *cg)
{
	char path[PATH_MAX + 16];

	if (write_str("/proc/self/oom_score_adj", "0"))
		return -1;
	if (!cg[0])
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	return write_str(path, "0") ? -1 : 0;
}

/* In the child: nothing of the daemon's state must leak into the command. */
static void child(int outfd, char *const argv[], char *const envp[], bool as_user, uid_t uid,
		  gid_t gid, const char *cg)
{
	sigset_t none;
	int null = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the daemon blocks SIGTERM for its signalfd */
	signal(SIGPIPE, SIG_DFL);	       /* an ignored signal stays ignored across exec */
	if (null < 0 || dup2(null, 0) < 0 || dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0)
		_exit(127);
	syscall(SYS_close_range, 3, ~0U, 0);
	if (child_confine(cg))
		_exit(125);
	if (chdir("/"))
		_exit(127);
	if (as_user && (setgroups(1, &gid) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)))
		_exit(126);
	exec_in_path(argv, envp);
	_exit(127);
}

/* A new cgroup below the victim's: its processes are charged there, and it holds only the
 * command's. An existing directory (made by someone else) is never used. */
static int make_job_cgroup(struct ow_job *j, const char *parent)
{
	static unsigned int seq;

	if (!parent)
		return 0;
	if ((size_t)snprintf(j->cg, sizeof(j->cg), "%s/oomwarden-restart-%d-%u", parent,
			     (int)getpid(), seq++) >= sizeof(j->cg)) {
		j->cg[0] = '\0';
		return -ENAMETOOLONG;
	}
	if (mkdir(j->cg, 0755)) {
		j->cg[0] = '\0';
		return -errno;
	}
	return 0;
}

int ow_job_start(struct ow_job *j, char *const argv[], char *const envp[], bool as_user, uid_t uid,
		 gid_t gid, const char *cgroup)
{
	int fds[2], err;
	pid_t pid;

	memset(j, 0, sizeof(*j));
	j->pidfd = j->outfd = -1;
	if (!argv[0])
		return -EINVAL;
	err = make_job_cgroup(j, cgroup);
	if (err)
		return err;
	if (pipe2(fds, O_CLOEXEC)) {
		err = -errno;
		ow_job_close(j);
		return err;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(fds[0]);
		close(fds[1]);
		ow_job_close(j);
		return err;
	}
	if (pid == 0)
		child(fds[1], argv, envp, as_user, uid, gid, j->cg);
	close(fds[1]);
	/* Our own child cannot be reaped by anyone else, so its pid is not reused before the
	 * pidfd is open. */
	j->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	j->pid = pid;
	j->outfd = fds[0];
	if (j->pidfd < 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK)) {
		err = -errno;
		ow_job_close(j);
		return err;
	}
	return 0;
}

int ow_job_drain(struct ow_job *j)
{
	char junk[512];
	ssize_t n;

	while (j->outfd >= 0) {
		size_t room = sizeof(j->out) - 1 - j->outlen;

		if (room)
			n = read(j->outfd, j->out + j->outlen, room);
		else
			n = read(j->outfd, junk, sizeof(junk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			close(j->outfd);
			j->outfd = -1;
			break;
		}
		if (room)
			j->outlen += (size_t)n;
		else
			j->truncated = true;
		j->out[j->outlen] = '\0';
	}
	return 1;
}

int ow_job_reap(struct ow_job *j, int *status)
{
	siginfo_t si = {0};

	if (!j->pid)
		return -ECHILD;
	if (waitid((idtype_t)P_PIDFD, (id_t)j->pidfd, &si, WEXITED | WNOHANG))
		return -errno;
	if (!si.si_pid)
		return 0;
	*status = si.si_code == CLD_EXITED ? W_EXITCODE(si.si_status, 0) : si.si_status & 0x7f;
	j->pid = 0;
	return 1;
}

/* SIGKILL every process in the job's cgroup: cgroup.kill (v2, 5.14+), else one by one.
 * Returns how many were signalled. */
static int kill_cgroup(const struct ow_job *j)
{
	char path[PATH_MAX + 16];
	int pids[256], n, i, pass, total = 0;

	if (!j->cg[0])
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.kill", j->cg);
	if (!write_str(path, "1"))
		return 1;
	for (pass = 0; pass < KILL_PASSES; pass++) {
		n = ow_cg_read_procs(j->cg, pids, 256);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		total += n;
	}
	return total;
}

void ow_job_kill(struct ow_job *j)
{
	if (j->pid > 0)
		kill(-j->pid, SIGKILL); /* its process group: pm2 and systemctl may fork helpers */
	if (j->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, j->pidfd, SIGKILL, NULL, 0); /* if setpgid lost */
	kill_cgroup(j); /* what left the group (setsid) */
}

/* Killed processes leave the cgroup as they exit: wait a little for rmdir. */
static void remove_cgroup(struct ow_job *j)
{
	int tries;

	if (!j->cg[0])
		return;
	for (tries = 0; tries < 50 && rmdir(j->cg) && errno == EBUSY; tries++) {
		kill_cgroup(j);
		usleep(2000);
	}
	j->cg[0] = '\0';
}

void ow_job_close(struct ow_job *j)
{
	siginfo_t si;

	if (j->pid > 0) {
		ow_job_kill(j);
		waitid((idtype_t)P_PIDFD, (id_t)j->pidfd, &si, WEXITED);
	}
	if (j->pidfd >= 0)
		close(j->pidfd);
	if (j->outfd >= 0)
		close(j->outfd);
	kill_cgroup(j); /* a daemon it left behind */
	remove_cgroup(j);
	j->pid = 0;
	j->pidfd = j->outfd = -1;
}

void ow_job_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(buf, len, "status %d", status);
}

void ow_job_output_line(const struct ow_job *j, char *buf, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < j->outlen && o + 4 < len; i++) {
		if (j->out[i] == '\n') {
			if (i + 1 < j->outlen)
				o += (size_t)snprintf(buf + o, len - o, " | ");
		} else {
			buf[o++] = (unsigned char)j->out[i] < 0x20 ? ' ' : j->out[i];
		}
	}
	while (o && buf[o - 1] == ' ')
		o--;
	if (len)
		buf[o < len ? o : len - 1] = '\0';
}
