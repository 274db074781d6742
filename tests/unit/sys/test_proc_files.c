// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/sys/proc_files.c: on the real /proc (this process's own working
 * directory and a heap dump it holds open), and on temp trees of plain symlinks standing in for
 * /proc/PID (a FIFO where the fd directory should be, a vanished pid, more descriptors than the
 * cap).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pre_stop.h"
#include "proc_files.h"

static char root[64];

static int make_root(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ow-proc-files.XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) ? -1 : 0;
}

static void path_of(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", root, rel);
}

static void test_real_proc(void **state)
{
	char dump[PATH_MAX], got[PATH_MAX], cwd[PATH_MAX];
	int fd;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(ow_proc_cwd("/proc", getpid(), got, sizeof(got)), 0);
	assert_string_equal(got, cwd);
	assert_int_equal(
		ow_proc_find_open("/proc", getpid(), ow_pre_stop_is_dump, 4096, got, sizeof(got)),
		0);
	path_of(dump, sizeof(dump), "Heap.20261205.211500.1.0.001.heapsnapshot");
	fd = open(dump, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(
		ow_proc_find_open("/proc", getpid(), ow_pre_stop_is_dump, 4096, got, sizeof(got)),
		1);
	assert_string_equal(got, dump);
	close(fd);
	assert_int_equal(
		ow_proc_find_open("/proc", getpid(), ow_pre_stop_is_dump, 4096, got, sizeof(got)),
		0);
}

static void test_fixture_tree(void **state)
{
	char p[PATH_MAX], got[PATH_MAX];
	int i;

	(void)state;
	path_of(p, sizeof(p), "42");
	assert_int_equal(mkdir(p, 0755), 0);
	path_of(p, sizeof(p), "42/fd");
	assert_int_equal(mkdir(p, 0755), 0);
	path_of(p, sizeof(p), "42/cwd");
	assert_int_equal(symlink("/srv/app", p), 0);
	for (i = 0; i < 8; i++) {
		path_of(p, sizeof(p), "42/fd/");
		snprintf(p + strlen(p), sizeof(p) - strlen(p), "%d", i);
		assert_int_equal(symlink(i == 7 ? "/srv/app/x.hprof" : "socket:[1]", p), 0);
	}
	assert_int_equal(ow_proc_cwd(root, 42, got, sizeof(got)), 0);
	assert_string_equal(got, "/srv/app");
	assert_int_equal(ow_proc_find_open(root, 42, ow_pre_stop_is_dump, 100, got, sizeof(got)),
			 1);
	assert_string_equal(got, "/srv/app/x.hprof");
	/* the cap: no link read at all with 0; found or not with fewer than the descriptors */
	assert_int_equal(ow_proc_find_open(root, 42, ow_pre_stop_is_dump, 0, got, sizeof(got)), 0);
	assert_true(ow_proc_find_open(root, 42, ow_pre_stop_is_dump, 3, got, sizeof(got)) >= 0);
	/* a short buffer: cut, still terminated */
	assert_int_equal(ow_proc_find_open(root, 42, ow_pre_stop_is_dump, 100, got, 5), 1);
	assert_string_equal(got, "/srv");
	/* gone */
	assert_int_equal(ow_proc_cwd(root, 43, got, sizeof(got)), -ESRCH);
	assert_int_equal(ow_proc_find_open(root, 43, ow_pre_stop_is_dump, 100, got, sizeof(got)),
			 -ESRCH);
	/* a FIFO where the directory should be fails at once, never blocks */
	path_of(p, sizeof(p), "44");
	assert_int_equal(mkdir(p, 0755), 0);
	path_of(p, sizeof(p), "44/fd");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(ow_proc_find_open(root, 44, ow_pre_stop_is_dump, 100, got, sizeof(got)),
			 -ENOTDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_proc),
		cmocka_unit_test(test_fixture_tree),
	};

	return cmocka_run_group_tests(tests, make_root, remove_root);
}
