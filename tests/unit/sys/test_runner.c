// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/sys/runner.c: real child processes, waited for through their pidfds. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "runner.h"

static char *envp[] = {"PATH=/nonexistent:/usr/bin:/bin", "LC_ALL=C", NULL};

/* Wait as the daemon does: poll the pidfd and the output pipe, drain, reap. */
static int wait_job(struct ow_job *j, int timeout_ms, int *status)
{
	struct pollfd p[2];
	int ret;

	for (;;) {
		p[0] = (struct pollfd){.fd = j->pidfd, .events = POLLIN};
		p[1] = (struct pollfd){.fd = j->outfd, .events = POLLIN};
		if (poll(p, j->outfd >= 0 ? 2 : 1, timeout_ms) == 0)
			return -ETIMEDOUT;
		if (j->outfd >= 0 && p[1].revents)
			ow_job_drain(j);
		if (p[0].revents) {
			ret = ow_job_reap(j, status);
			if (ret)
				break;
		}
	}
	ow_job_drain(j);
	return ret;
}

static void test_exit_status_and_output(void **state)
{
	char *argv[] = {"sh", "-c", "echo out; echo err >&2; echo \"$LC_ALL\"; exit 3", NULL};
	char line[256], st[32];
	struct ow_job j;
	int status;

	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0, NULL), 0);
	assert_int_equal(wait_job(&j, 5000, &status), 1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_string_equal(j.out, "out\nerr\nC\n");
	ow_job_output_line(&j, line, sizeof(line));
	assert_string_equal(line, "out | err | C");
	ow_job_status_str(status, st, sizeof(st));
	assert_string_equal(st, "exit 3");
	ow_job_close(&j);
	assert_int_equal(j.pidfd, -1);
}

static void test_signals_unblocked_in_child(void **state)
{
	char *argv[] = {"sh", "-c", "kill -TERM $$; sleep 5", NULL};
	struct ow_job j;
	sigset_t mask, old;
	int status;

	/* The daemon blocks SIGTERM for its signalfd; the command must not inherit that. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0, NULL), 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	assert_int_equal(wait_job(&j, 4000, &status), 1);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	ow_job_close(&j);
}

static void test_kill_on_timeout(void **state)
{
	char *argv[] = {"sh", "-c", "sleep 30 & sleep 30", NULL};
	struct ow_job j;
	char st[32];
	int status;

	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0, NULL), 0);
	assert_int_equal(wait_job(&j, 200, &status), -ETIMEDOUT);
	ow_job_kill(&j);
	assert_int_equal(wait_job(&j, 5000, &status), 1);
	ow_job_status_str(status, st, sizeof(st));
	assert_string_equal(st, "killed by SIGKILL");
	/* The background sleep was in the job's process group: killed too, so the pipe ends
	 * (it may close a moment after the shell is reaped). */
	if (j.outfd >= 0) {
		struct pollfd p = {.fd = j.outfd, .events = POLLIN};

		assert_int_equal(poll(&p, 1, 2000), 1);
		assert_int_equal(ow_job_drain(&j), 1);
	}
	assert_int_equal(j.outfd, -1);
	ow_job_close(&j);
}

static void test_exec_failure(void **state)
{
	char *argv[] = {"no-such-command-owh", NULL};
	struct ow_job j;
	int status;

	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0, NULL), 0);
	assert_int_equal(wait_job(&j, 5000, &status), 1);
	assert_int_equal(WEXITSTATUS(status), 127);
	ow_job_close(&j);
}

static void test_output_truncated(void **state)
{
	char *argv[] = {"sh", "-c",
			"i=0; while [ $i -lt 400 ]; do echo 0123456789; i=$((i+1)); done", NULL};
	struct ow_job j;
	int status;

	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0, NULL), 0);
	assert_int_equal(wait_job(&j, 5000, &status), 1);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(j.outlen, OW_JOB_OUT_LEN - 1);
	assert_true(j.truncated);
	ow_job_close(&j);
}

static void test_close_kills_running(void **state)
{
	char *argv[] = {"sleep", "30", NULL};
	struct timespec a, b;
	struct ow_job j;

	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ow_job_close(&j); /* kills and reaps: no zombie, no wait for the sleep */
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 5);
	assert_int_equal(j.pid, 0);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* nothing left to reap */
}

static void test_run_as_user(void **state)
{
	char *argv[] = {"sh", "-c", "id -u; id -g", NULL};
	struct ow_job j;
	int status;

	if (geteuid() != 0) {
		/* Without root, switching user fails: status 126, never the command as us. */
		assert_int_equal(ow_job_start(&j, argv, envp, true, 65534, 65534, NULL), 0);
		assert_int_equal(wait_job(&j, 5000, &status), 1);
		assert_int_equal(WEXITSTATUS(status), 126);
		ow_job_close(&j);
		return;
	}
	assert_int_equal(ow_job_start(&j, argv, envp, true, 65534, 65533, NULL), 0);
	assert_int_equal(wait_job(&j, 5000, &status), 1);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(j.out, "65534\n65533\n");
	ow_job_close(&j);
}

/* ---- confinement (issue 14, defect 7) ---- */

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -1;
	err = fputs(text, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

/* The daemon runs at oom_score_adj -1000: the command must not inherit it. Lowering it needs
 * CAP_SYS_RESOURCE (absent here), so the daemon's value is stood for by a raised one. */
static void test_oom_score_adj_reset(void **state)
{
	char *argv[] = {"cat", "/proc/self/oom_score_adj", NULL};
	struct ow_job j;
	int status;

	assert_int_equal(write_file("/proc/self/oom_score_adj", "500"), 0);
	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0, NULL), 0);
	assert_int_equal(write_file("/proc/self/oom_score_adj", "0"), 0);
	assert_int_equal(wait_job(&j, 5000, &status), 1);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(j.out, "0\n");
	ow_job_close(&j);
}

/* A state letter of pid from /proc ('?' when gone). */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[1] ? p[2] : '?';
}

/* The command runs in a cgroup of its own below the victim's, and the deadline kills all of
 * it: a process that left the process group with setsid() too. */
static void test_job_cgroup(void **state)
{
	char *argv[] = {"sh", "-c",
			"grep memory /proc/self/cgroup; setsid sleep 1000 & echo $!; "
			"sleep 1000",
			NULL};
	char victim[PATH_MAX], jobcg[PATH_MAX], want[PATH_MAX + 32], *nl;
	struct ow_job j;
	pid_t escaped;
	int status, i;

	if (geteuid() != 0 || access("/sys/fs/cgroup/memory/cgroup.procs", W_OK))
		skip(); /* needs root and the v1 memory hierarchy */
	snprintf(victim, sizeof(victim), "/sys/fs/cgroup/memory/ow-test-runner-%d", (int)getpid());
	assert_int_equal(mkdir(victim, 0755), 0);
	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0, victim), 0);
	snprintf(jobcg, sizeof(jobcg), "%s", j.cg);
	assert_int_equal(strncmp(jobcg, victim, strlen(victim)), 0);
	for (i = 0; i < 500; i++) {
		ow_job_drain(&j);
		nl = strchr(j.out, '\n');
		if (nl && strchr(nl + 1, '\n'))
			break;
		usleep(10000);
	}
	snprintf(want, sizeof(want), "memory:%s\n", jobcg + strlen("/sys/fs/cgroup/memory"));
	assert_non_null(strstr(j.out, want));
	escaped = (pid_t)atoi(strchr(j.out, '\n') + 1);
	assert_true(escaped > 0);
	ow_job_kill(&j); /* the deadline */
	assert_int_equal(wait_job(&j, 5000, &status), 1);
	ow_job_close(&j);
	for (i = 0; i < 500 && proc_state(escaped) != '?' && proc_state(escaped) != 'Z'; i++)
		usleep(10000);
	assert_true(proc_state(escaped) == '?' || proc_state(escaped) == 'Z');
	assert_int_equal(access(jobcg, F_OK), -1); /* removed at close */
	assert_int_equal(rmdir(victim), 0);
}

/* A directory already there (someone else's) is never used: no restart rather than one in a
 * cgroup another user controls. */
static void test_job_cgroup_unusable(void **state)
{
	char *argv[] = {"true", NULL};
	struct ow_job j;

	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0, "/nonexistent/cgroup"), -ENOENT);
	assert_int_equal(j.pid, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status_and_output),
		cmocka_unit_test(test_signals_unblocked_in_child),
		cmocka_unit_test(test_kill_on_timeout),
		cmocka_unit_test(test_exec_failure),
		cmocka_unit_test(test_output_truncated),
		cmocka_unit_test(test_close_kills_running),
		cmocka_unit_test(test_run_as_user),
		cmocka_unit_test(test_oom_score_adj_reset),
		cmocka_unit_test(test_job_cgroup),
		cmocka_unit_test(test_job_cgroup_unusable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
