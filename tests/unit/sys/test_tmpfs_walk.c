// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/sys/tmpfs_walk.c, on a real tmpfs in a mount namespace of its own
 * (root): the largest files, largest first; a hard link counted once; what a user could point
 * the walk at never walked or counted: a symbolic link, a FIFO, a tmpfs mounted inside, a file
 * of another file system bind-mounted over one of its files, anything mounted over the mount
 * point; the limits (depth, entries) and a path too long.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpfs_walk.h"

#define MiB (1024ULL * 1024)

static char top[] = "/tmp/ow-walk-XXXXXX", inner[64], other[64];
static unsigned int maj, mnr;

static void file_of(const char *rel, uint64_t bytes)
{
	static char buf[65536];
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	memset(buf, 1, sizeof(buf));
	for (; bytes >= sizeof(buf); bytes -= sizeof(buf))
		assert_int_equal(write(fd, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(write(fd, buf, bytes), (ssize_t)bytes);
	close(fd);
}

static void dir_of(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* The tree: a/big 6 MiB (and its hard link b/link), a/mid 3 MiB, b/c/small 1 MiB (and
 * b/c/empty), tiny 4 KiB;
 * a symbolic link to a 20 MiB file of another tmpfs, a FIFO, a tmpfs mounted at inner with a
 * 30 MiB file, that same 20 MiB file bind-mounted over b/cover, and 8 MiB ten directories
 * deep. */
static int setup(void **state)
{
	struct stat st;
	char path[512], deep[512] = "";
	int i;

	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) || !mkdtemp(top) ||
	    mount("owtest", top, "tmpfs", 0, "size=128m"))
		return 0; /* the tests skip */
	stat(top, &st);
	maj = major(st.st_dev);
	mnr = minor(st.st_dev);
	snprintf(other, sizeof(other), "/tmp/ow-walk-other-%d", (int)getpid());
	if (mkdir(other, 0755) || mount("owother", other, "tmpfs", 0, "size=64m"))
		return -1;
	snprintf(path, sizeof(path), "%s/huge", other);
	dir_of("a");
	dir_of("b");
	dir_of("b/c");
	file_of("a/big", 6 * MiB);
	file_of("a/mid", 3 * MiB);
	file_of("b/c/small", 1 * MiB);
	file_of("tiny", 4096);
	file_of("b/c/empty", 0);
	file_of("b/cover", 4096);
	snprintf(path, sizeof(path), "%s/a/big", top);
	snprintf(deep, sizeof(deep), "%s/b/link", top);
	if (link(path, deep))
		return -1;
	snprintf(path, sizeof(path), "%s/huge", other);
	{
		int fd = open(path, O_WRONLY | O_CREAT, 0600);
		static char buf[65536];

		for (i = 0; i < 320; i++)
			(void)!write(fd, buf, sizeof(buf)); /* 20 MiB */
		close(fd);
	}
	snprintf(deep, sizeof(deep), "%s/to-huge", top);
	if (symlink(path, deep))
		return -1;
	snprintf(deep, sizeof(deep), "%s/fifo", top);
	if (mkfifo(deep, 0600))
		return -1;
	snprintf(deep, sizeof(deep), "%s/b/cover", top);
	if (mount(path, deep, NULL, MS_BIND, NULL))
		return -1;
	snprintf(inner, sizeof(inner), "%s/inner", top);
	if (mkdir(inner, 0755) || mount("owinner", inner, "tmpfs", 0, "size=64m"))
		return -1;
	snprintf(path, sizeof(path), "%s/x", inner);
	{
		int fd = open(path, O_WRONLY | O_CREAT, 0600);
		static char buf[65536];

		for (i = 0; i < 480; i++)
			(void)!write(fd, buf, sizeof(buf)); /* 30 MiB */
		close(fd);
	}
	deep[0] = '\0';
	for (i = 0; i < 10; i++) {
		strcat(deep, i ? "/d" : "d");
		dir_of(deep);
	}
	strcat(deep, "/deep");
	file_of(deep, 8 * MiB);
	return 0;
}

static void need_tree(void)
{
	if (!maj && !mnr)
		skip(); /* needs root for a mount namespace */
}

static void test_largest(void **state)
{
	struct ow_tmpfs_walk_limits lim = {.max_entries = 1000, .max_depth = 32};
	struct ow_tmpfs_files f;
	char want[512];

	(void)state;
	need_tree();
	assert_int_equal(ow_tmpfs_walk(top, maj, mnr, &lim, &f), 0);
	assert_false(f.cut);
	assert_int_equal(f.n, 3);
	snprintf(want, sizeof(want), "%s/d/d/d/d/d/d/d/d/d/d/deep", top);
	assert_string_equal(f.f[0].path, want);
	assert_int_equal(f.f[0].bytes, 8 * MiB);
	/* a/big or its link b/link: one of them, once */
	assert_int_equal(f.f[1].bytes, 6 * MiB);
	assert_true(strstr(f.f[1].path, "/a/big") || strstr(f.f[1].path, "/b/link"));
	assert_int_equal(f.f[2].bytes, 3 * MiB);
	assert_non_null(strstr(f.f[2].path, "/a/mid"));
}

/* Ten directories deep is past a depth of 5: the deep file is not seen, the rest is. */
static void test_depth(void **state)
{
	struct ow_tmpfs_walk_limits lim = {.max_entries = 1000, .max_depth = 5};
	struct ow_tmpfs_files f;

	(void)state;
	need_tree();
	assert_int_equal(ow_tmpfs_walk(top, maj, mnr, &lim, &f), 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.f[0].bytes, 6 * MiB);
	assert_int_equal(f.f[1].bytes, 3 * MiB);
	assert_int_equal(f.f[2].bytes, 1 * MiB);
}

static void test_entries_cut(void **state)
{
	struct ow_tmpfs_walk_limits lim = {.max_entries = 3, .max_depth = 32};
	struct ow_tmpfs_files f;

	(void)state;
	need_tree();
	assert_int_equal(ow_tmpfs_walk(top, maj, mnr, &lim, &f), 0);
	assert_true(f.cut);
	assert_int_equal(f.entries, 3);
}

/* An empty file holds nothing: b/c has 1 MiB and an empty file, one is named. */
static void test_empty_not_named(void **state)
{
	struct ow_tmpfs_walk_limits lim = {.max_entries = 1000, .max_depth = 32};
	struct ow_tmpfs_files f;
	char dir[128];

	(void)state;
	need_tree();
	snprintf(dir, sizeof(dir), "%s/b/c", top);
	assert_int_equal(ow_tmpfs_walk(dir, maj, mnr, &lim, &f), 0);
	assert_int_equal(f.entries, 2);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.f[0].bytes, 1 * MiB);
}

/* Covered by another mount, or not a tmpfs of that device: not walked. */
static void test_covered(void **state)
{
	struct ow_tmpfs_walk_limits lim = {.max_entries = 1000, .max_depth = 32};
	struct ow_tmpfs_files f;

	(void)state;
	need_tree();
	assert_int_equal(ow_tmpfs_walk(inner, maj, mnr, &lim, &f), -EXDEV);
	assert_int_equal(f.n, 0);
	assert_int_equal(ow_tmpfs_walk("/nonexistent", maj, mnr, &lim, &f), -ENOENT);
}

/* A path longer than a file's slot keeps its head and ends in "...". */
static void test_long_path(void **state)
{
	struct ow_tmpfs_walk_limits lim = {.max_entries = 1000, .max_depth = 32};
	struct ow_tmpfs_files f;
	char name[256];

	(void)state;
	need_tree();
	memset(name, 'n', 250);
	name[250] = '\0';
	file_of(name, 16 * MiB);
	assert_int_equal(ow_tmpfs_walk(top, maj, mnr, &lim, &f), 0);
	assert_int_equal(f.f[0].bytes, 16 * MiB);
	assert_int_equal(strlen(f.f[0].path), OW_TMPFS_FILE_LEN - 1);
	assert_string_equal(f.f[0].path + OW_TMPFS_FILE_LEN - 4, "...");
	assert_int_equal(strncmp(f.f[0].path, top, strlen(top)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_largest),	    cmocka_unit_test(test_depth),
		cmocka_unit_test(test_entries_cut), cmocka_unit_test(test_empty_not_named),
		cmocka_unit_test(test_covered),	    cmocka_unit_test(test_long_path),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
