// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/sys/shm_writers.c: fdinfo and mountinfo texts (well-formed, odd and
 * malformed), then this very process through the real /proc: a memfd and a file on a tmpfs of
 * the machine's (/dev/shm) written are counted once each, read-only ones and a written file on
 * disk are not. A FIFO held open for writing is never opened or stat()ed (it is no tmpfs file).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cmocka.h>

#include "shm_writers.h"

#define MiB	    (1024ULL * 1024)
#define TMPFS_MAGIC 0x01021994

static void test_fdinfo(void **state)
{
	struct ow_fdinfo fi;

	assert_int_equal(ow_fdinfo_parse("pos:\t0\nflags:\t0100002\nmnt_id:\t31\nino:\t5\n", &fi),
			 0);
	assert_int_equal(fi.writable, 1);
	assert_int_equal(fi.mnt_id, 31);
	assert_int_equal(fi.ino, 5);
	assert_int_equal(ow_fdinfo_parse("pos:\t0\nflags:\t02000001\nmnt_id:\t7\n", &fi), 0);
	assert_int_equal(fi.writable, 1); /* O_WRONLY | O_CLOEXEC */
	assert_int_equal(fi.ino, 0);	  /* before 5.14: no inode shown */
	assert_int_equal(ow_fdinfo_parse("pos:\t0\nflags:\t0100000\nmnt_id:\t7\n", &fi), 0);
	assert_int_equal(fi.writable, 0); /* read-only */
	assert_int_equal(ow_fdinfo_parse("pos:\t0\nflags:\t0100002\n", &fi), -EINVAL);
	assert_int_equal(ow_fdinfo_parse("flags:\tzz\nmnt_id:\t7\n", &fi), -EINVAL);
	assert_int_equal(ow_fdinfo_parse("flags:\t02\nmnt_id:\t-3\n", &fi), -EINVAL);
	assert_int_equal(ow_fdinfo_parse("", &fi), -EINVAL);
}

static void test_mountinfo(void **state)
{
	static const char text[] =
		"22 1 0:21 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
		"24 1 0:22 / /dev/shm rw shared:4 - tmpfs tmpfs rw,inode64\n"
		"25 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
		"26 1 0:23 / /mnt/x rw - fuse.tmpfs tmpfs rw\n" /* a FUSE fs named like it */
		"27 1 0:24 / /run/user/1000 rw shared:9 master:1 - tmpfs tmpfs rw\n"
		"28 1 0:25 / /weird\\040- tmpfs rw - ext4 x rw\n" /* " - tmpfs" in a path */
		"garbage line\n"
		"29 1 0:26 / /tmp rw - tmpfs tmpfs rw"; /* no final newline */
	int ids[8];
	unsigned int n = ow_mountinfo_tmpfs(text, ids, 8);

	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 24);
	assert_int_equal(ids[1], 27);
	assert_int_equal(ids[2], 29);
	assert_int_equal(ow_mountinfo_tmpfs(text, ids, 1), 1);
	assert_int_equal(ow_mountinfo_tmpfs("", ids, 8), 0);
}

static int write_mib(int fd, unsigned int mib)
{
	static char buf[MiB];
	unsigned int i;

	memset(buf, 0x5a, sizeof(buf));
	for (i = 0; i < mib; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return -1;
	return 0;
}

/* This process: a 2 MiB memfd (open twice), 3 MiB in /dev/shm; the same /dev/shm file also
 * open read-only; a read-only memfd; a written file on disk; a FIFO open for writing. */
static void test_this_process(void **state)
{
	struct ow_shm_scan scan;
	char shm[] = "/dev/shm/ow-test-XXXXXX", disk[] = "/var/tmp/ow-test-XXXXXX";
	char fifo[64];
	struct statfs sf;
	uint64_t bytes;
	int memfd, dupfd, shmfd, rofd, rmemfd, diskfd, fifo_r, fifo_w, n;

	if (statfs("/dev/shm", &sf) || sf.f_type != TMPFS_MAGIC)
		skip(); /* no tmpfs at /dev/shm here: nothing to count */
	memfd = memfd_create("ow-test", MFD_CLOEXEC);
	assert_true(memfd >= 0);
	assert_int_equal(write_mib(memfd, 2), 0);
	dupfd = dup(memfd);
	shmfd = mkstemp(shm);
	assert_true(shmfd >= 0);
	assert_int_equal(write_mib(shmfd, 3), 0);
	rofd = open(shm, O_RDONLY);
	rmemfd = memfd_create("ow-test-ro", MFD_CLOEXEC);
	assert_int_equal(write_mib(rmemfd, 1), 0);
	snprintf(fifo, sizeof(fifo), "/proc/self/fd/%d", rmemfd);
	n = open(fifo, O_RDONLY); /* the same memfd, read-only: counted once, via rmemfd */
	close(rmemfd);		  /* ...now only read-only: not counted */
	rmemfd = n;
	diskfd = mkstemp(disk);
	assert_int_equal(write_mib(diskfd, 1), 0);
	snprintf(fifo, sizeof(fifo), "/var/tmp/ow-test-fifo-%d", (int)getpid());
	assert_int_equal(mkfifo(fifo, 0600), 0);
	fifo_r = open(fifo, O_RDONLY | O_NONBLOCK);
	fifo_w = open(fifo, O_WRONLY | O_NONBLOCK);
	assert_true(fifo_r >= 0 && fifo_w >= 0);

	ow_shm_scan_start(&scan, ow_shm_internal_mnt_id("/proc"));
	assert_true(scan.shm_mnt_id >= 0); /* 0 on kernels that number internal mounts so */
	n = ow_proc_shm_written("/proc", getpid(), &scan, &bytes);
	assert_int_equal(n, 2);
	assert_true(bytes >= 5 * MiB && bytes < 6 * MiB);
	assert_true(scan.mounts.mntns != 0 && scan.mounts.n > 0);
	/* Again with the namespace's mounts kept (no mountinfo left to read): the same answer. */
	scan.mountinfo_left = 0;
	assert_int_equal(ow_proc_shm_written("/proc", getpid(), &scan, &bytes), 2);
	/* The internal shmem mount unknown: the memfd is not counted (never by its name). */
	ow_shm_scan_start(&scan, -1);
	assert_int_equal(ow_proc_shm_written("/proc", getpid(), &scan, &bytes), 1);
	assert_true(bytes >= 3 * MiB && bytes < 4 * MiB);
	/* The budget: a mountinfo to read and none left, then too few files left. */
	ow_shm_scan_start(&scan, -1);
	scan.mountinfo_left = 0;
	assert_int_equal(ow_proc_shm_written("/proc", getpid(), &scan, &bytes), -EAGAIN);
	ow_shm_scan_start(&scan, -1);
	scan.fds_left = 3; /* stdin, stdout, stderr */
	assert_int_equal(ow_proc_shm_written("/proc", getpid(), &scan, &bytes), -EAGAIN);
	assert_int_equal(scan.fds_left, 0);

	unlink(shm);
	unlink(disk);
	unlink(fifo);
	close(memfd);
	close(dupfd);
	close(shmfd);
	close(rofd);
	close(rmemfd);
	close(diskfd);
	close(fifo_r);
	close(fifo_w);
}

static void test_gone_process(void **state)
{
	struct ow_shm_scan scan;
	uint64_t bytes = 1;

	ow_shm_scan_start(&scan, -1);
	assert_int_equal(ow_proc_shm_written("/proc", 0x7ffffff0, &scan, &bytes), -ESRCH);
	assert_int_equal(bytes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fdinfo),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_this_process),
		cmocka_unit_test(test_gone_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
