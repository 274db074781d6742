// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the reads of files a user may plant or point us at (userspace/lib/readfile.c:
 * ow_open_untrusted, ow_read_untrusted, ow_read_untrusted_as, ow_readable_by, ow_read_line,
 * ow_read_fd_text), and for userspace/sys/unitfile.c over a HOME holding a FIFO, a symlink and
 * a huge sparse drop-in, made at test time in a temporary tree (git keeps no FIFO). A blocking
 * open would hang: alarm() turns a hang into a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "readfile.h"
#include "unitfile.h"

#define HANG_S 10 /* far above any honest read of these files */
#define GIB    (1LL << 30)

static char root[64];

static void path_of(char *buf, size_t len, const char *rel)
{
	assert_true(snprintf(buf, len, "%s/%s", root, rel) < (int)len);
}

static void write_file(const char *rel, const char *text, off_t size)
{
	char p[512];
	int fd;

	path_of(p, sizeof(p), rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	if (size)
		assert_int_equal(ftruncate(fd, size), 0); /* sparse: costs no disk */
	close(fd);
}

static void make_dir(const char *rel)
{
	char p[512];

	path_of(p, sizeof(p), rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void make_fifo(const char *rel)
{
	char p[512];

	path_of(p, sizeof(p), rel);
	assert_int_equal(mkfifo(p, 0644), 0);
}

static void make_link(const char *target, const char *rel)
{
	char p[512];

	path_of(p, sizeof(p), rel);
	assert_int_equal(symlink(target, p), 0);
}

#define USER_DIR "home/evil/.config/systemd/user"

static int setup(void **state)
{
	static const char *const dirs[] = {
		"home",
		"home/evil",
		"home/evil/.config",
		"home/evil/.config/systemd",
		USER_DIR,
		USER_DIR "/x.service.d",
		"etc",
		"etc/systemd",
		"etc/systemd/user",
		"usr",
		"usr/lib",
		"usr/lib/systemd",
		"usr/lib/systemd/user",
		"dir",
		NULL,
	};
	unsigned int i;

	snprintf(root, sizeof(root), "/tmp/ow-test-readfile.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	for (i = 0; dirs[i]; i++)
		make_dir(dirs[i]);
	write_file("plain", "hello\n", 0);
	write_file("sparse", "1 2 x\n", GIB);
	make_fifo("fifo");
	make_link("plain", "link");
	write_file("always.conf", "[Service]\nRestart=always\n", 0);
	/* The user's unit and its drop-ins: only 40-ok.conf is a file we should read. */
	write_file(USER_DIR "/x.service", "[Service]\nRestart=on-failure\n", 0);
	make_fifo(USER_DIR "/x.service.d/10-fifo.conf");
	make_link("../../../../../../always.conf", USER_DIR "/x.service.d/20-link.conf");
	write_file(USER_DIR "/x.service.d/30-big.conf", "[Service]\nRestart=always\n", GIB);
	write_file(USER_DIR "/x.service.d/40-ok.conf", "[Service]\nRestartPreventExitStatus=TERM\n",
		   0);
	make_fifo(USER_DIR "/fifo.service");
	/* In a system dir (root's), a symlink is how units are linked and aliased: followed. */
	write_file("usr/lib/systemd/user/real.service", "[Service]\nRestart=always\n", 0);
	make_link("../../../usr/lib/systemd/user/real.service", "etc/systemd/user/alias.service");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) ? -1 : 0;
}

static int open_rel(const char *rel, unsigned int flags, int64_t max)
{
	int dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	assert_true(dirfd >= 0);
	fd = ow_open_untrusted(dirfd, rel, flags, max);
	close(dirfd);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : fd;
}

static void test_open_kinds(void **state)
{
	alarm(HANG_S);
	assert_int_equal(open_rel("plain", OW_OPEN_NOFOLLOW, 64), 0);
	assert_int_equal(open_rel("fifo", 0, 64), -EINVAL); /* at once, no writer needed */
	assert_int_equal(open_rel("dir", 0, 64), -EISDIR);
	assert_int_equal(open_rel("link", OW_OPEN_NOFOLLOW, 64), -ELOOP);
	assert_int_equal(open_rel("link", 0, 64), 0);
	assert_int_equal(open_rel("nosuch", 0, 64), -ENOENT);
	assert_int_equal(ow_open_untrusted(AT_FDCWD, "/dev/zero", 0, OW_SIZE_ANY), -EINVAL);
	assert_int_equal(ow_open_untrusted(AT_FDCWD, "/dev/null", 0, OW_SIZE_ANY), -EINVAL);
	alarm(0);
}

static void test_size_cap(void **state)
{
	char p[512], *buf = NULL;

	assert_int_equal(open_rel("sparse", 0, GIB - 1), -EFBIG);
	assert_int_equal(open_rel("sparse", 0, GIB), 0);
	assert_int_equal(open_rel("plain", 0, 6), 0);
	assert_int_equal(open_rel("plain", 0, 5), -EFBIG);
	path_of(p, sizeof(p), "sparse");
	assert_int_equal(ow_read_untrusted(AT_FDCWD, p, 0, 1 << 20, &buf), -EFBIG);
	assert_null(buf);
	path_of(p, sizeof(p), "plain");
	assert_int_equal(ow_read_untrusted(AT_FDCWD, p, OW_OPEN_NOFOLLOW, 64, &buf), 6);
	assert_string_equal(buf, "hello\n");
	free(buf);
}

/* "hello\n" (6 bytes) into buffers of 7, 6 and 0 bytes: whole, cut or -EFBIG, -EINVAL. */
static void test_read_fd_text(void **state)
{
	char p[512], buf[8];
	int fd;

	path_of(p, sizeof(p), "plain");
	fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ow_read_fd_text(fd, buf, 7, true), 6);
	assert_string_equal(buf, "hello\n");
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(ow_read_fd_text(fd, buf, 6, true), -EFBIG);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(ow_read_fd_text(fd, buf, 6, false), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(ow_read_fd_text(fd, buf, 0, false), -EINVAL);
	close(fd);
	assert_int_equal(ow_read_file(p, buf, 6, true), -EFBIG);
	assert_int_equal(ow_read_file(p, buf, sizeof(buf), true), 6);
	assert_string_equal(buf, "hello\n");
}

static void test_strerror(void **state)
{
	assert_string_equal(ow_untrusted_strerror(-EINVAL), "is not a regular file");
	assert_string_equal(ow_untrusted_strerror(-EISDIR), "is a directory");
	assert_string_equal(ow_untrusted_strerror(-ELOOP), "is a symbolic link");
	assert_string_equal(ow_untrusted_strerror(-EFBIG), "is larger than the limit");
	assert_string_equal(ow_untrusted_strerror(-ENOENT), strerror(ENOENT));
}

static void test_read_line_bounded(void **state)
{
	static const char text[] = "short\n0123456789abcdef\nlast";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	char buf[8];

	assert_non_null(f);
	assert_int_equal(ow_read_line(f, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "short\n");
	assert_int_equal(ow_read_line(f, buf, sizeof(buf)), -E2BIG); /* dropped whole */
	assert_int_equal(ow_read_line(f, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "last"); /* no newline: the caller sees it */
	assert_int_equal(ow_read_line(f, buf, sizeof(buf)), 0);
	fclose(f);
}

/* A user's drop-ins: the FIFO does not block, the symlink and the 1 GiB file are skipped, the
 * regular file is read. */
static void test_unit_hostile_home(void **state)
{
	struct ow_unit_restart u;

	alarm(HANG_S);
	assert_int_equal(ow_unit_restart_read(root, "x.service", true, "/home/evil", &u), 0);
	alarm(0);
	assert_true(u.found);
	assert_string_equal(u.restart, "on-failure"); /* not "always" from 20-link or 30-big */
	assert_true(u.prevent_term);		      /* 40-ok.conf */
	alarm(HANG_S);
	ow_unit_restart_read(root, "fifo.service", true, "/home/evil", &u);
	alarm(0);
	assert_string_equal(u.restart, "no");
}

static void test_unit_system_symlink_followed(void **state)
{
	struct ow_unit_restart u;

	assert_int_equal(ow_unit_restart_read(root, "alias.service", true, NULL, &u), 0);
	assert_true(u.found);
	assert_string_equal(u.restart, "always");
}

/* Reading on behalf of a user: by the owner's bits for its owner, else by the others' bits. */
static void test_readable_by(void **state)
{
	struct stat st = {.st_uid = 1000, .st_mode = S_IFREG | 0640};
	char *buf = NULL, p[512];

	assert_true(ow_readable_by(&st, 1000, R_OK));
	assert_false(ow_readable_by(&st, 1001, R_OK)); /* the group's bits do not count */
	assert_true(ow_readable_by(&st, 0, R_OK));
	st.st_mode = S_IFREG | 0004;
	assert_false(ow_readable_by(&st, 1000, R_OK)); /* the owner's bits say no */
	assert_true(ow_readable_by(&st, 1001, R_OK));
	st.st_mode = S_IFDIR | 0755;
	assert_true(ow_readable_by(&st, 1001, R_OK | X_OK));
	st.st_mode = S_IFDIR | 0744;
	assert_false(ow_readable_by(&st, 1001, R_OK | X_OK));
	/* "plain" is 0644: anyone's; made 0600, only its owner's (root's here) */
	path_of(p, sizeof(p), "plain");
	assert_int_equal(ow_read_untrusted_as(AT_FDCWD, p, 0, 64, 65534, &buf), 6);
	free(buf);
	buf = NULL;
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(ow_read_untrusted_as(AT_FDCWD, p, 0, 64, geteuid() ? 0 : 65534, &buf),
			 geteuid() ? 6 : -EACCES);
	free(buf);
	assert_int_equal(chmod(p, 0644), 0);
	alarm(HANG_S);
	path_of(p, sizeof(p), "fifo");
	assert_int_equal(ow_read_untrusted_as(AT_FDCWD, p, 0, 64, 65534, &buf), -EINVAL);
	alarm(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_kinds),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_read_fd_text),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_read_line_bounded),
		cmocka_unit_test(test_unit_hostile_home),
		cmocka_unit_test(test_unit_system_symlink_followed),
		cmocka_unit_test(test_readable_by),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
