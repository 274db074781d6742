// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/sys/memory_high.c over a cgroup v2 tree made at test time in a
 * temporary directory (git keeps no FIFO): every file read, "max", malformed values, a FIFO,
 * a symbolic link and a huge file where a value is expected (a blocking open would hang: alarm()
 * turns a hang into a failure), writes, and the paths a write refuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "memory_high.h"
#include "tmptree.h"

#define HANG_S 10
#define GIB    (1LL << 30)
#define CG     "app.slice/leak.service"
#define ODD    "user.slice/my app\nrm -rf x"

static const char *root;

/* The files of a cgroup, fresh (a FIFO or link a test left is removed first, not opened). */
static void fill(const char *dir)
{
	static const char *const files[][2] = {
		{"memory.high", "max\n"},
		{"memory.max", "1073741824\n"},
		{"memory.low", "0\n"},
		{"memory.min", "max\n"},
		{"memory.current", "123456789\n"},
		{"memory.events", "low 0\nhigh 17\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n"},
	};
	char rel[256];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/%s", dir, files[i][0]);
		unlink(ow_tmptree_at(rel));
		rmdir(ow_tmptree_at(rel));
		ow_tmptree_puts(rel, files[i][1]);
	}
}

#define BAD "app.slice/bad.service"

static int setup(void **state)
{
	static const char *const dirs[] = {"app.slice", "user.slice", CG, ODD, BAD};
	size_t i;

	root = ow_tmptree_new("memhigh");
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (mkdir(ow_tmptree_at(dirs[i]), 0755))
			return -1;
	}
	fill(CG);
	fill(ODD);
	fill(BAD);
	return 0;
}

static int teardown(void **state)
{
	return ow_tmptree_remove();
}

static void test_read_all(void **state)
{
	struct ow_high_state s;

	assert_int_equal(ow_high_read(ow_tmptree_at(CG), &s), 0);
	assert_true(s.high == OW_NO_LIMIT);
	assert_true(s.max == 1073741824ULL);
	assert_true(s.low == 0);
	assert_true(s.min == OW_NO_LIMIT);
	assert_true(s.current == 123456789ULL);
	assert_true(s.events_high == 17);
	assert_true(s.events_max == 3);
	assert_true(s.events_oom_kill == 1);
}

/* A brake in force is judged by memory.high, memory.current and memory.events: the rest is not
 * read. */
static void test_poll(void **state)
{
	struct ow_high_state s;
	uint64_t v = 0;

	assert_int_equal(ow_high_poll(ow_tmptree_at(CG), &s), 0);
	assert_true(s.high == OW_NO_LIMIT);
	assert_true(s.current == 123456789ULL);
	assert_true(s.events_high == 17);
	assert_true(s.events_max == 3);
	assert_true(s.events_oom_kill == 1);
	assert_true(s.max == 0 && s.low == 0 && s.min == 0);
	assert_int_equal(ow_high_current(ow_tmptree_at(CG), &v), 0);
	assert_true(v == 123456789ULL);
}

static void test_read_odd_name(void **state)
{
	struct ow_high_state s;
	uint64_t high = 0;

	assert_int_equal(ow_high_read(ow_tmptree_at(ODD), &s), 0);
	assert_true(s.current == 123456789ULL);
	assert_int_equal(ow_high_get(ow_tmptree_at(ODD), &high), 0);
	assert_true(high == OW_NO_LIMIT);
}

/* One file of the bad cgroup holds `text`: the read is `want`, and `out` is left untouched; so
 * is ow_high_poll's when it reads that file, else it succeeds. */
static void read_bad(const char *file, const char *text, int want)
{
	struct ow_high_state s = {.high = 42};
	bool polled = !strcmp(file, "memory.high") || !strcmp(file, "memory.current") ||
		      !strcmp(file, "memory.events");
	char rel[128];

	snprintf(rel, sizeof(rel), BAD "/%s", file);
	ow_tmptree_puts(rel, text);
	assert_int_equal(ow_high_read(ow_tmptree_at(BAD), &s), want);
	assert_true(s.high == 42);
	assert_int_equal(ow_high_poll(ow_tmptree_at(BAD), &s), polled ? want : 0);
	assert_true(s.high == (polled ? 42 : OW_NO_LIMIT));
	fill(BAD);
}

static void test_read_malformed(void **state)
{
	read_bad("memory.high", "-1\n", -EINVAL);
	read_bad("memory.high", "12abc\n", -EINVAL);
	read_bad("memory.high", "", -EINVAL);
	read_bad("memory.high", "maxx\n", -EINVAL);
	read_bad("memory.high", "18446744073709551616\n", -EINVAL); /* 2^64 */
	read_bad("memory.max", " 12\n", -EINVAL);
	read_bad("memory.low", "1 2\n", -EINVAL);
	read_bad("memory.current", "max\n", -EINVAL); /* a usage is never "max" */
	read_bad("memory.events", "high many\n", -EINVAL);
	read_bad("memory.events", "max -3\n", -EINVAL);
	read_bad("memory.min", "0123456789012345678901234567890123456789012345678901234567890123\n",
		 -EFBIG);
}

static void test_read_nul(void **state)
{
	struct ow_high_state s;

	ow_tmptree_put(BAD "/memory.high", "12\n\0garbage", 12);
	assert_int_equal(ow_high_read(ow_tmptree_at(BAD), &s), -EINVAL);
	fill(BAD);
}

/* Where memory.high or memory.current should be: a FIFO (no writer: a blocking open would
 * hang), a symbolic link, a directory, a 1 GiB sparse file, nothing. */
static void test_read_hostile(void **state)
{
	struct ow_high_state s;
	uint64_t v;
	int fd;

	alarm(HANG_S);
	unlink(ow_tmptree_at(BAD "/memory.high"));
	assert_int_equal(mkfifo(ow_tmptree_at(BAD "/memory.high"), 0644), 0);
	assert_int_equal(ow_high_read(ow_tmptree_at(BAD), &s), -EINVAL);
	assert_int_equal(ow_high_get(ow_tmptree_at(BAD), &v), -EINVAL);
	assert_int_equal(ow_high_set(root, ow_tmptree_at(BAD), 1 << 20),
			 -ENXIO); /* no reader: no block */
	unlink(ow_tmptree_at(BAD "/memory.high"));
	assert_int_equal(symlink("../leak.service/memory.high", ow_tmptree_at(BAD "/memory.high")),
			 0);
	assert_int_equal(ow_high_read(ow_tmptree_at(BAD), &s), -ELOOP);
	assert_int_equal(ow_high_set(root, ow_tmptree_at(BAD), 1 << 20), -ELOOP);
	assert_string_equal(ow_tmptree_text(CG "/memory.high"), "max\n"); /* the link's target */
	unlink(ow_tmptree_at(BAD "/memory.high"));
	assert_int_equal(mkdir(ow_tmptree_at(BAD "/memory.high"), 0755), 0);
	assert_int_equal(ow_high_read(ow_tmptree_at(BAD), &s), -EISDIR);
	assert_int_equal(ow_high_set(root, ow_tmptree_at(BAD), 1 << 20), -EISDIR);
	fill(BAD);
	fd = open(ow_tmptree_at(BAD "/memory.current"), O_WRONLY | O_CLOEXEC);
	assert_int_equal(ftruncate(fd, GIB), 0); /* sparse: costs no disk */
	close(fd);
	assert_int_equal(ow_high_read(ow_tmptree_at(BAD), &s), -EFBIG);
	assert_int_equal(ow_high_current(ow_tmptree_at(BAD), &v), -EFBIG);
	unlink(ow_tmptree_at(BAD "/memory.current"));
	assert_int_equal(ow_high_read(ow_tmptree_at(BAD), &s), -ENOENT);
	assert_int_equal(ow_high_poll(ow_tmptree_at(BAD), &s), -ENOENT);
	assert_int_equal(ow_high_current(ow_tmptree_at(BAD), &v), -ENOENT);
	assert_int_equal(mkfifo(ow_tmptree_at(BAD "/memory.current"), 0644), 0);
	assert_int_equal(ow_high_current(ow_tmptree_at(BAD), &v), -EINVAL);
	assert_int_equal(ow_high_read(ow_tmptree_at("app.slice/gone.service"), &s), -ENOENT);
	assert_int_equal(ow_high_poll(ow_tmptree_at("app.slice/gone.service"), &s), -ENOENT);
	assert_int_equal(ow_high_get(ow_tmptree_at("app.slice/gone.service"), &v), -ENOENT);
	assert_int_equal(ow_high_current(ow_tmptree_at("app.slice/gone.service"), &v), -ENOENT);
	alarm(0);
	fill(BAD);
}

static void test_write(void **state)
{
	uint64_t v = 0;

	assert_int_equal(ow_high_set(root, ow_tmptree_at(CG), 123456789012ULL), 0);
	assert_string_equal(ow_tmptree_text(CG "/memory.high"), "123456789012\n");
	assert_int_equal(ow_high_get(ow_tmptree_at(CG), &v), 0);
	assert_true(v == 123456789012ULL);
	assert_int_equal(ow_high_set(root, ow_tmptree_at(CG), 5),
			 0); /* shorter: nothing of the last left */
	assert_string_equal(ow_tmptree_text(CG "/memory.high"), "5\n");
	assert_int_equal(ow_high_set(root, ow_tmptree_at(CG), OW_NO_LIMIT), 0);
	assert_string_equal(ow_tmptree_text(CG "/memory.high"), "max\n");
	assert_int_equal(ow_high_get(ow_tmptree_at(CG), &v), 0);
	assert_true(v == OW_NO_LIMIT);
	assert_int_equal(ow_high_set(root, ow_tmptree_at(ODD), 4096), 0);
	assert_string_equal(ow_tmptree_text(ODD "/memory.high"), "4096\n");
	fill(ODD);
}

static void test_write_refused(void **state)
{
	char up[600], self[600];

	snprintf(up, sizeof(up), "%s/../%s", root, strrchr(root, '/') + 1);
	snprintf(self, sizeof(self), "%s/", root);
	assert_int_equal(ow_high_below(root, ow_tmptree_at(CG)), 0);
	assert_int_equal(ow_high_below("/", "/a"), 0);
	assert_int_equal(ow_high_below("/sys/fs/cgroup/", "/sys/fs/cgroup/a/b"), 0);
	assert_int_equal(ow_high_below("/sys/fs/cgroup", "/sys/fs/cgroup"), -EINVAL);
	assert_int_equal(ow_high_below("/sys/fs/cgroup", "/sys/fs/cgroupx/a"), -EINVAL);
	assert_int_equal(ow_high_below("/sys/fs/cgroup", "/sys/fs/cgroup/a/../../x"), -EINVAL);
	assert_int_equal(ow_high_below("/sys/fs/cgroup", "/sys/fs/cgroup/..."), 0); /* a name */
	assert_int_equal(ow_high_set(root, "/etc", 1), -EINVAL);
	assert_int_equal(ow_high_set(root, root, 1), -EINVAL); /* the root itself */
	assert_int_equal(ow_high_set(root, self, 1), -EINVAL);
	assert_int_equal(ow_high_set(root, up, 1), -EINVAL);
	assert_int_equal(ow_high_set(root, ow_tmptree_at("app.slice/../" CG), 1), -EINVAL);
	assert_int_equal(ow_high_set(root, ow_tmptree_at("app.slice/./leak.service"), 1), -EINVAL);
	assert_int_equal(ow_high_set(root, ow_tmptree_at("app.slice//leak.service"), 1), -EINVAL);
	assert_int_equal(ow_high_set(root, ow_tmptree_at(CG "/"), 1), -EINVAL);
	assert_int_equal(ow_high_set(root, ow_tmptree_at(CG "/.."), 1), -EINVAL);
	assert_int_equal(ow_high_set("app.slice", "app.slice/leak.service", 1), -EINVAL);
	assert_int_equal(ow_high_set(ow_tmptree_at("app"), ow_tmptree_at(CG), 1),
			 -EINVAL); /* a prefix, not a parent */
	assert_int_equal(ow_high_set(root, ow_tmptree_at(CG "/memory.max"), 1),
			 -EINVAL); /* a file */
	assert_int_equal(symlink("leak.service", ow_tmptree_at("app.slice/link.service")), 0);
	assert_int_equal(ow_high_set(root, ow_tmptree_at("app.slice/link.service"), 1), -EINVAL);
	assert_int_equal(ow_high_set("/", "/proc/1", 1), -EINVAL); /* another filesystem */
	assert_int_equal(ow_high_set(root, ow_tmptree_at("app.slice/gone.service"), 1), -ENOENT);
	assert_int_equal(ow_high_set(root, ow_tmptree_at("app.slice"), 1),
			 -ENOENT);					  /* no memory.high */
	assert_string_equal(ow_tmptree_text(CG "/memory.high"), "max\n"); /* none written */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_all),      cmocka_unit_test(test_poll),
		cmocka_unit_test(test_read_odd_name), cmocka_unit_test(test_read_malformed),
		cmocka_unit_test(test_read_nul),      cmocka_unit_test(test_read_hostile),
		cmocka_unit_test(test_write),	      cmocka_unit_test(test_write_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
