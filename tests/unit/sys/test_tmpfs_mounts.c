// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/sys/tmpfs_mounts.c: the tmpfs lines of a mountinfo, and the used
 * bytes of the daemon's own tmpfs mounts, never of what a user mounted over one.
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
#include <unistd.h>

#include <cmocka.h>

#include "tmpfs_mounts.h"

#define MiB (1024ULL * 1024)

static void test_points(void **state)
{
	static const char text[] =
		"21 1 0:20 / /dev/shm rw,nosuid,nodev shared:3 - tmpfs tmpfs rw\n"
		"22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
		"23 21 0:41 / /run/user/1000 rw master:9 - tmpfs tmpfs rw,size=100k\n"
		"24 1 0:42 / /srv/a\\040b rw - tmpfs none rw\n"
		"25 1 0:43 / /x rw - fuse.tmpfs tmpfs rw\n"
		"26 1 0:44 / relative rw - tmpfs t rw\n"
		"garbage - tmpfs \n"
		"27 1 0:45 / /tmp rw - tmpfs";
	struct ow_tmpfs_table *t = calloc(1, sizeof(*t));

	(void)state;
	assert_int_equal(ow_tmpfs_points(text, t), 3);
	assert_int_equal(t->id[0], 21);
	assert_string_equal(t->point[0], "/dev/shm");
	assert_int_equal(t->major[0], 0);
	assert_int_equal(t->minor[0], 20);
	assert_string_equal(t->point[1], "/run/user/1000");
	assert_string_equal(t->point[2], "/srv/a b"); /* \040 */
	assert_string_equal(ow_tmpfs_point(t, 23), "/run/user/1000");
	assert_null(ow_tmpfs_point(t, 22));
	free(t);
}

static uint64_t used_of(const struct ow_tmpfs_table *t, const struct ow_tmpfs_usage *u,
			const char *point)
{
	unsigned int i;

	for (i = 0; i < u->n; i++)
		if (!strcmp(ow_tmpfs_point(t, u->id[i]), point))
			return u->used[i];
	return UINT64_MAX;
}

/* In a mount namespace of its own: a 64 MiB tmpfs with 3 MiB written is measured; once another
 * file system is mounted over it, it is left out (never asked through what covers it). */
static void test_sample_and_over_mount(void **state)
{
	struct ow_tmpfs_table *t = calloc(1, sizeof(*t));
	struct ow_tmpfs_usage u;
	char dir[] = "/tmp/ow-tmpfs-XXXXXX", file[64], buf[4096];
	int fd, i;

	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		free(t);
		skip(); /* needs root for a mount namespace */
	}
	assert_non_null(mkdtemp(dir));
	assert_int_equal(mount("owtest", dir, "tmpfs", 0, "size=64m"), 0);
	snprintf(file, sizeof(file), "%s/f", dir);
	fd = open(file, O_WRONLY | O_CREAT, 0600);
	memset(buf, 1, sizeof(buf));
	for (i = 0; i < 768; i++)
		assert_int_equal(write(fd, buf, sizeof(buf)), sizeof(buf));
	close(fd);
	assert_int_equal(ow_tmpfs_sample("/proc/self/mountinfo", t, &u), 0);
	assert_true(used_of(t, &u, dir) >= 3 * MiB && used_of(t, &u, dir) < 4 * MiB);
	assert_int_equal(mount("/var/tmp", dir, NULL, MS_BIND, NULL), 0);
	assert_int_equal(ow_tmpfs_sample("/proc/self/mountinfo", t, &u), 0);
	assert_true(used_of(t, &u, dir) == UINT64_MAX);
	umount(dir);
	umount(dir);
	rmdir(dir);
	free(t);
}

static void test_missing_mountinfo(void **state)
{
	struct ow_tmpfs_table *t = calloc(1, sizeof(*t));
	struct ow_tmpfs_usage u;

	(void)state;
	assert_int_equal(ow_tmpfs_sample("/nonexistent/mountinfo", t, &u), -ENOENT);
	assert_int_equal(u.n, 0);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_points),
		cmocka_unit_test(test_missing_mountinfo),
		cmocka_unit_test(test_sample_and_over_mount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
