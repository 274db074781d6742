// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/runner.c: real child processes, waited for through their pidfds. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
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

	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0), 0);
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
	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0), 0);
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

	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0), 0);
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

	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0), 0);
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

	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0), 0);
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

	assert_int_equal(ow_job_start(&j, argv, envp, false, 0, 0), 0);
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
		assert_int_equal(ow_job_start(&j, argv, envp, true, 65534, 65534), 0);
		assert_int_equal(wait_job(&j, 5000, &status), 1);
		assert_int_equal(WEXITSTATUS(status), 126);
		ow_job_close(&j);
		return;
	}
	assert_int_equal(ow_job_start(&j, argv, envp, true, 65534, 65533), 0);
	assert_int_equal(wait_job(&j, 5000, &status), 1);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(j.out, "65534\n65533\n");
	ow_job_close(&j);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
