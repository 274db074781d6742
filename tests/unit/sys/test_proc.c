// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/sys/proc.c against the fake procfs in tests/fixtures/proc. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc.h"

#ifndef OW_FIXTURES
#error "build with -DOW_FIXTURES='\"/abs/path/tests/fixtures\"'"
#endif

#define PROC OW_FIXTURES "/proc"

static void test_read_normal(void **state)
{
	struct ow_proc_info p;

	assert_int_equal(ow_proc_read(PROC, 100, &p), 0);
	assert_int_equal(p.pid, 100);
	assert_int_equal(p.ppid, 42);
	assert_string_equal(p.comm, "node");
	assert_string_equal(p.cmdline, "node /srv/api/server.js --port 8080");
	assert_false(p.kthread);
	assert_int_equal(p.starttime, 987654);
	assert_int_equal(p.rss_anon, 81920ULL * 1024);
	assert_int_equal(p.rss_file, 18432ULL * 1024);
	assert_int_equal(p.rss_shmem, 2048ULL * 1024);
	assert_int_equal(p.vm_swap, 512ULL * 1024);
}

static void test_read_comm_with_parens(void **state)
{
	struct ow_proc_info p;

	/* stat: "200 (a) b (c) R 77 ...": the last ')' closes comm */
	assert_int_equal(ow_proc_read(PROC, 200, &p), 0);
	assert_string_equal(p.comm, "a) b (c");
	assert_int_equal(p.ppid, 77);
	assert_int_equal(p.starttime, 987654);
	assert_false(p.kthread);
	assert_string_equal(p.cmdline, "./weird");
	assert_int_equal(p.rss_anon, 4096);
	assert_int_equal(p.rss_file, 8192);
}

static void test_read_kthread(void **state)
{
	struct ow_proc_info p;

	memset(&p, 0xff, sizeof(p));
	assert_int_equal(ow_proc_read(PROC, 7, &p), 0);
	assert_true(p.kthread);
	assert_int_equal(p.ppid, 2);
	assert_string_equal(p.comm, "kworker/u8:3-ev"); /* truncated to 15 + NUL */
	assert_string_equal(p.cmdline, "");
	assert_int_equal(p.rss_anon, 0);
	assert_int_equal(p.rss_file, 0);
	assert_int_equal(p.rss_shmem, 0);
	assert_int_equal(p.vm_swap, 0);
	assert_int_equal(p.starttime, 15);
}

static void test_read_zombie_is_not_kthread(void **state)
{
	struct ow_proc_info p;

	/* empty cmdline, parent 2, no Rss lines: looks like a kthread, but no PF_KTHREAD */
	assert_int_equal(ow_proc_read(PROC, 101, &p), 0);
	assert_false(p.kthread);
	assert_int_equal(p.ppid, 2);
	assert_string_equal(p.cmdline, "");
	assert_int_equal(p.rss_anon, 0);

	/* empty status: nothing to read, RSS stays 0 */
	assert_int_equal(ow_proc_read(PROC, 309, &p), 0);
	assert_int_equal(p.rss_anon + p.rss_file + p.rss_shmem + p.vm_swap, 0);
	assert_string_equal(p.cmdline, "x");
}

static void test_read_cmdline_truncated_and_sanitized(void **state)
{
	struct ow_proc_info p;
	size_t i;

	assert_int_equal(ow_proc_read(PROC, 102, &p), 0);
	assert_int_equal(strlen(p.cmdline), OW_CMDLINE_LEN - 1);
	/* ESC and newline become '?', argument NULs become spaces */
	assert_memory_equal(p.cmdline, "python3 -c ?[31mred?line xxx", 28);
	for (i = 25; i < OW_CMDLINE_LEN - 1; i++)
		assert_int_equal(p.cmdline[i], 'x');
	assert_int_equal(p.rss_anon, 1024);
}

static void test_read_malformed(void **state)
{
	static const struct {
		pid_t pid;
		const char *why;
	} bad[] = {
		{300, "truncated stat"},	  {301, "empty stat"},
		{302, "non-numeric RssAnon"},	  {303, "stat of another pid"},
		{305, "non-numeric ppid"},	  {306, "RssAnon without kB"},
		{307, "RssAnon overflows bytes"}, {308, "no ')' after comm"},
	};
	struct ow_proc_info p = {.pid = 12345};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("  malformed: %d %s\n", (int)bad[i].pid, bad[i].why);
		assert_int_equal(ow_proc_read(PROC, bad[i].pid, &p), -EINVAL);
	}
	assert_int_equal(p.pid, 12345); /* untouched on error */
}

static void test_read_vanished(void **state)
{
	struct ow_proc_info p;

	assert_int_equal(ow_proc_read(PROC, 999, &p), -ESRCH);
	/* exited between reading stat and status */
	assert_int_equal(ow_proc_read(PROC, 304, &p), -ESRCH);
	assert_int_equal(ow_proc_read(OW_FIXTURES "/no-such-proc", 100, &p), -ESRCH);
	assert_int_equal(ow_proc_read(PROC, 0, &p), -EINVAL);
	assert_int_equal(ow_proc_read(PROC, -1, &p), -EINVAL);
}

static void test_memcg_path(void **state)
{
	char buf[128];

	/* "name=memoryless" is a named hierarchy, not the memory controller */
	assert_int_equal(ow_proc_memcg_path(PROC, 100, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/system.slice/api.service/v1");
	assert_int_equal(ow_proc_memcg_path(PROC, 100, true, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/system.slice/api.service");
	assert_int_equal(ow_proc_memcg_path(PROC, 7, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	/* the path may itself contain ':' */
	assert_int_equal(ow_proc_memcg_path(PROC, 200, true, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/user.slice/weird:name");
}

static void test_memcg_path_errors(void **state)
{
	char buf[128] = "untouched";

	/* no line for the hierarchy asked for */
	assert_int_equal(ow_proc_memcg_path(PROC, 200, false, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(ow_proc_memcg_path(PROC, 102, true, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(ow_proc_memcg_path(PROC, 306, true, buf, sizeof(buf)), -ENOENT);
	/* malformed lines: no colons, relative path */
	assert_int_equal(ow_proc_memcg_path(PROC, 305, true, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ow_proc_memcg_path(PROC, 307, false, buf, sizeof(buf)), -EINVAL);
	/* vanished pid, missing cgroup file */
	assert_int_equal(ow_proc_memcg_path(PROC, 999, true, buf, sizeof(buf)), -ESRCH);
	assert_int_equal(ow_proc_memcg_path(PROC, 300, true, buf, sizeof(buf)), -ESRCH);
	assert_string_equal(buf, "untouched");
	/* the path does not fit */
	assert_int_equal(ow_proc_memcg_path(PROC, 100, true, buf, 10), -ENAMETOOLONG);
	assert_int_equal(ow_proc_memcg_path(PROC, 100, true, buf, 0), -EINVAL);
}

/* ---- statm ---- */

static void test_rss_bytes(void **state)
{
	uint64_t rss = 0;

	assert_int_equal(ow_proc_rss_bytes(PROC, 100, &rss), 0);
	assert_int_equal(rss, 2048ULL * (uint64_t)sysconf(_SC_PAGESIZE));
}

static void test_rss_bytes_malformed(void **state)
{
	uint64_t rss = 42;

	assert_int_equal(ow_proc_rss_bytes(PROC, 302, &rss), -EINVAL); /* "lots" */
	assert_int_equal(ow_proc_rss_bytes(PROC, 300, &rss), -EINVAL); /* one field */
	assert_int_equal(ow_proc_rss_bytes(PROC, 301, &rss), -ESRCH);  /* no statm */
	assert_int_equal(ow_proc_rss_bytes(PROC, 0, &rss), -EINVAL);
	assert_int_equal(rss, 42);
}

static void test_exists(void **state)
{
	assert_true(ow_proc_exists(PROC, 100));
	assert_true(ow_proc_exists(PROC, 301)); /* no statm, but there */
	assert_false(ow_proc_exists(PROC, 999));
	assert_false(ow_proc_exists(PROC, 0));
	assert_true(ow_proc_exists("/proc", getpid()));
}

static void test_rss_bytes_live(void **state)
{
	uint64_t rss = 0;

	assert_int_equal(ow_proc_rss_bytes("/proc", getpid(), &rss), 0);
	assert_true(rss > 0 && rss < (1ULL << 40));
}

/* ---- ow_proc_ids ---- */

static void test_ids(void **state)
{
	uid_t uid = 1;
	gid_t gid = 1;

	assert_int_equal(ow_proc_ids("/proc", getpid(), &uid, &gid), 0);
	assert_int_equal(uid, getuid());
	assert_int_equal(gid, getgid());
	assert_int_equal(ow_proc_ids(OW_FIXTURES "/manager/proc", 1007, &uid, &gid), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(gid, 1001);
	assert_int_equal(ow_proc_ids(PROC, 100, &uid, &gid), -EINVAL); /* no Uid: line */
	assert_int_equal(ow_proc_ids(PROC, 999999, &uid, &gid), -ESRCH);
}

/* ---- live: this test's own process ---- */

static void test_live_self(void **state)
{
	struct ow_proc_info p;
	char buf[PATH_MAX];

	assert_int_equal(ow_proc_read("/proc", getpid(), &p), 0);
	assert_int_equal(p.pid, getpid());
	assert_int_equal(p.ppid, getppid());
	assert_false(p.kthread);
	/* comm is the executable's name cut to TASK_COMM_LEN - 1 */
	assert_int_equal(strncmp(p.comm, program_invocation_short_name, sizeof(p.comm) - 1), 0);
	assert_non_null(strstr(p.cmdline, program_invocation_short_name));
	assert_true(p.rss_anon > 0);
	assert_true(p.rss_file > 0);
	assert_true(p.starttime > 0);
	assert_int_equal(ow_proc_memcg_path("/proc", getpid(), true, buf, sizeof(buf)), 0);
	assert_int_equal(buf[0], '/');
}

static void on_usr2(int sig)
{
	(void)sig;
}

/* SigCgt: a handler installed is caught; the default action, ignored or gone is not. */
static void test_catches(void **state)
{
	(void)state;
	signal(SIGUSR2, on_usr2);
	signal(SIGWINCH, SIG_IGN);
	assert_int_equal(ow_proc_catches("/proc", getpid(), SIGUSR2), 1);
	assert_int_equal(ow_proc_catches("/proc", getpid(), SIGUSR1), 0);
	assert_int_equal(ow_proc_catches("/proc", getpid(), SIGWINCH), 0);
	assert_int_equal(ow_proc_catches("/proc", getpid(), 0), -EINVAL);
	assert_int_equal(ow_proc_catches("/proc", 0x7ffffff0, SIGUSR2), -ESRCH);
	signal(SIGUSR2, SIG_DFL);
	assert_int_equal(ow_proc_catches("/proc", getpid(), SIGUSR2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_normal),
		cmocka_unit_test(test_read_comm_with_parens),
		cmocka_unit_test(test_read_kthread),
		cmocka_unit_test(test_read_zombie_is_not_kthread),
		cmocka_unit_test(test_read_cmdline_truncated_and_sanitized),
		cmocka_unit_test(test_read_malformed),
		cmocka_unit_test(test_read_vanished),
		cmocka_unit_test(test_memcg_path),
		cmocka_unit_test(test_memcg_path_errors),
		cmocka_unit_test(test_rss_bytes),
		cmocka_unit_test(test_rss_bytes_malformed),
		cmocka_unit_test(test_rss_bytes_live),
		cmocka_unit_test(test_exists),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_live_self),
		cmocka_unit_test(test_catches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
