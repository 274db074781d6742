// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/sys/threshold_worker.c: requests set in order off the caller's
 * thread with their own copies of the directory and the usage descriptor, errors handed back,
 * results taken in parts, and a stop with requests still waiting (ASan's LSan checks nothing
 * leaks), with a stand-in that records what it was asked; then the real registration on a
 * cgroup v1 host: a memcg of its own, 2 MiB of shmem charged to it, the eventfd signalled.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "threshold_worker.h"
#include "usage_watch.h"

#define MAX_CALLS 16

static struct {
	pthread_mutex_t lock;
	unsigned int n;
	char dir[MAX_CALLS][32];
	uint64_t low[MAX_CALLS], high[MAX_CALLS];
	bool fd_open[MAX_CALLS];
	pthread_t thread[MAX_CALLS];
	useconds_t delay_us;
} calls = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* As the kernel's: slow, an eventfd for a good directory, -EACCES for "bad". */
static int fake_arm(const char *dir, int ufd, uint64_t low, uint64_t high)
{
	unsigned int i;

	usleep(calls.delay_us);
	pthread_mutex_lock(&calls.lock);
	i = calls.n++;
	if (i < MAX_CALLS) {
		snprintf(calls.dir[i], sizeof(calls.dir[i]), "%s", dir);
		calls.low[i] = low;
		calls.high[i] = high;
		calls.fd_open[i] = fcntl(ufd, F_GETFD) >= 0;
		calls.thread[i] = pthread_self();
	}
	pthread_mutex_unlock(&calls.lock);
	if (!strcmp(dir, "bad"))
		return -EACCES;
	return eventfd(0, EFD_CLOEXEC);
}

static unsigned int ncalls(void)
{
	unsigned int n;

	pthread_mutex_lock(&calls.lock);
	n = calls.n;
	pthread_mutex_unlock(&calls.lock);
	return n;
}

static int setup(void **state)
{
	(void)state;
	calls.n = 0;
	calls.delay_us = 2000;
	return 0;
}

static void wait_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	assert_int_equal(poll(&p, 1, 5000), 1);
}

/* Take results until n have come. */
static void take_n(struct ow_threshold_worker *w, struct ow_threshold_result *res, unsigned int n)
{
	unsigned int got = 0;

	while (got < n) {
		wait_readable(ow_threshold_worker_fd(w));
		got += ow_threshold_worker_take(w, res + got, n - got);
	}
}

static void test_in_order_with_own_copies(void **state)
{
	struct ow_threshold_worker *w;
	struct ow_threshold_result res[3];
	char dir[16];
	unsigned int i;
	int ufd;

	(void)state;
	assert_int_equal(ow_threshold_worker_start(fake_arm, &w), 0);
	for (i = 0; i < 3; i++) {
		/* The caller's directory string and descriptor go away at once. */
		snprintf(dir, sizeof(dir), "cg%u", i);
		ufd = eventfd(0, EFD_CLOEXEC);
		assert_int_equal(ow_threshold_worker_submit(w, 100 + i, 7 + i, dir, ufd, i, 10 + i),
				 0);
		close(ufd);
		memset(dir, 'x', sizeof(dir) - 1);
	}
	take_n(w, res, 3);
	for (i = 0; i < 3; i++) {
		char want[16];

		snprintf(want, sizeof(want), "cg%u", i);
		assert_int_equal(res[i].id, 100 + i);
		assert_int_equal(res[i].seq, 7 + i);
		assert_true(res[i].efd >= 0);
		close(res[i].efd);
		assert_string_equal(calls.dir[i], want);
		assert_int_equal(calls.low[i], i);
		assert_int_equal(calls.high[i], 10 + i);
		assert_true(calls.fd_open[i]);
		assert_false(pthread_equal(calls.thread[i], pthread_self()));
	}
	/* Nothing more: the eventfd was drained. */
	assert_int_equal(ow_threshold_worker_take(w, res, 3), 0);
	ow_threshold_worker_stop(w);
}

static void test_error_handed_back(void **state)
{
	struct ow_threshold_worker *w;
	struct ow_threshold_result res[2];
	int ufd = eventfd(0, EFD_CLOEXEC);

	(void)state;
	assert_int_equal(ow_threshold_worker_start(fake_arm, &w), 0);
	assert_int_equal(ow_threshold_worker_submit(w, 1, 1, "bad", ufd, 0, 5), 0);
	assert_int_equal(ow_threshold_worker_submit(w, 2, 2, "good", ufd, 0, 5), 0);
	take_n(w, res, 2);
	assert_int_equal(res[0].efd, -EACCES);
	assert_true(res[1].efd >= 0);
	close(res[1].efd);
	assert_int_equal(ow_threshold_worker_submit(w, 3, 3, "x", -1, 0, 5), -EBADF);
	close(ufd);
	ow_threshold_worker_stop(w);
}

/* More results than the caller takes at once: readable again for the rest. */
static void test_taken_in_parts(void **state)
{
	struct ow_threshold_worker *w;
	struct ow_threshold_result res[4];
	int ufd = eventfd(0, EFD_CLOEXEC);
	unsigned int i;

	(void)state;
	calls.delay_us = 0;
	assert_int_equal(ow_threshold_worker_start(fake_arm, &w), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(ow_threshold_worker_submit(w, i, i, "cg", ufd, 0, 5), 0);
	while (ncalls() < 4)
		usleep(1000);
	wait_readable(ow_threshold_worker_fd(w));
	assert_int_equal(ow_threshold_worker_take(w, res, 3), 3);
	wait_readable(ow_threshold_worker_fd(w));
	assert_int_equal(ow_threshold_worker_take(w, res + 3, 3), 1);
	for (i = 0; i < 4; i++) {
		assert_int_equal(res[i].seq, i);
		close(res[i].efd);
	}
	close(ufd);
	ow_threshold_worker_stop(w);
}

/* Stopped with requests waiting and results untaken: it returns after the one in hand. */
static void test_stop_with_work_left(void **state)
{
	struct ow_threshold_worker *w;
	int ufd = eventfd(0, EFD_CLOEXEC);
	unsigned int i;

	(void)state;
	calls.delay_us = 20000;
	assert_int_equal(ow_threshold_worker_start(fake_arm, &w), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(ow_threshold_worker_submit(w, i, i, "cg", ufd, 0, 5), 0);
	usleep(30000);
	ow_threshold_worker_stop(w);
	assert_true(ncalls() >= 1 && ncalls() < 10);
	close(ufd);
}

/* A child in `cg` writes 2 MiB into a memfd (shmem, no RSS) and holds it until killed. */
static pid_t charge_shmem(const char *cg)
{
	static char buf[2 << 20];
	char path[256], pid[16];
	pid_t child = fork();
	int fd;

	if (child)
		return child;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	fd = open(path, O_WRONLY);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
		_exit(1);
	close(fd);
	memset(buf, 'x', sizeof(buf));
	fd = memfd_create("ow-test", 0);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		_exit(1);
	pause();
	_exit(0);
}

static void test_live_v1(void **state)
{
	char cg[128];
	struct ow_threshold_worker *w;
	struct ow_threshold_result res;
	struct pollfd p = {.events = POLLIN};
	uint64_t usage;
	pid_t child;
	int ufd;

	(void)state;
	if (geteuid() != 0 || access("/sys/fs/cgroup/memory/cgroup.event_control", W_OK))
		skip(); /* not root on a cgroup v1 host */
	snprintf(cg, sizeof(cg), "/sys/fs/cgroup/memory/ow-test-thresholds-%d", (int)getpid());
	assert_int_equal(mkdir(cg, 0755), 0);
	ufd = ow_usage_open(cg, 1);
	assert_true(ufd >= 0);
	assert_int_equal(ow_usage_read(ufd, &usage), 0);
	assert_int_equal(ow_threshold_worker_start(ow_usage_thresholds_arm, &w), 0);
	assert_int_equal(ow_threshold_worker_submit(w, 1, 1, cg, ufd, 0, usage + (1 << 20)), 0);
	take_n(w, &res, 1);
	assert_true(res.efd >= 0);
	p.fd = res.efd;
	assert_int_equal(poll(&p, 1, 0), 0); /* nothing crossed yet */
	child = charge_shmem(cg);
	assert_int_equal(poll(&p, 1, 5000), 1);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(res.efd);
	close(ufd);
	ow_threshold_worker_stop(w);
	assert_int_equal(rmdir(cg), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_in_order_with_own_copies, setup),
		cmocka_unit_test_setup(test_error_handed_back, setup),
		cmocka_unit_test_setup(test_taken_in_parts, setup),
		cmocka_unit_test_setup(test_stop_with_work_left, setup),
		cmocka_unit_test(test_live_v1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
