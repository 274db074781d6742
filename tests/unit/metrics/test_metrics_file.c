// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/metrics/metrics_file.c: the atomic write (content, mode, no temporary file
 * left, errors), and the writer thread (the last version submitted wins; a reader looping over
 * the file while it is replaced never sees anything but a whole version).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics_file.h"
#include "readfile.h"

static char dir[64], path[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/ow-test-metrics.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/oomwarden.prom", dir);
	return 0;
}

static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
	if (d)
		closedir(d);
	return n;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(dir);
	return 0;
}

static void test_write(void **state)
{
	static const char text[] = "# TYPE oomwarden_x gauge\noomwarden_x 1\n";
	char buf[256];
	struct stat st;

	assert_int_equal(ow_metrics_file_write(path, text, strlen(text)), 0);
	assert_int_equal(ow_read_file(path, buf, sizeof(buf), true), (ssize_t)strlen(text));
	assert_string_equal(buf, text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* Replaced, not appended; and no temporary file is left over. */
	assert_int_equal(ow_metrics_file_write(path, "x\n", 2), 0);
	assert_int_equal(ow_read_file(path, buf, sizeof(buf), true), 2);
	assert_int_equal(entries(), 1);
}

static void test_write_errors(void **state)
{
	char bad[160];

	snprintf(bad, sizeof(bad), "%s/missing/oomwarden.prom", dir);
	assert_int_equal(ow_metrics_file_write(bad, "x\n", 2), -ENOENT);
	/* path is a directory: the rename fails, the temporary file is removed */
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(ow_metrics_file_write(path, "x\n", 2), -EISDIR);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(entries(), 0);
}

static void test_writer_last_wins(void **state)
{
	struct ow_metrics_writer *w = NULL;
	struct ow_metrics_writer_status st;
	struct ow_strbuf sb = {0};
	char buf[64];
	int i;

	assert_int_equal(ow_metrics_writer_start(path, &w), 0);
	for (i = 1; i <= 50; i++) {
		ow_strbuf_reset(&sb);
		ow_strbuf_printf(&sb, "v %d\n", i);
		ow_metrics_writer_submit(w, &sb);
	}
	st = ow_metrics_writer_status(w);
	assert_true(st.writes <= 50);
	ow_metrics_writer_stop(w); /* writes what is pending */
	ow_strbuf_free(&sb);
	assert_true(ow_read_file(path, buf, sizeof(buf), true) > 0);
	assert_string_equal(buf, "v 50\n");
	assert_int_equal(entries(), 1);
}

static void test_writer_reports_errors(void **state)
{
	struct ow_metrics_writer *w = NULL;
	struct ow_metrics_writer_status st;
	struct ow_strbuf sb = {0};
	char bad[160];
	int i;

	snprintf(bad, sizeof(bad), "%s/missing/oomwarden.prom", dir);
	assert_int_equal(ow_metrics_writer_start(bad, &w), 0);
	ow_strbuf_printf(&sb, "x\n");
	ow_metrics_writer_submit(w, &sb);
	for (i = 0; i < 200; i++) {
		st = ow_metrics_writer_status(w);
		if (st.writes)
			break;
		usleep(10000);
	}
	assert_int_equal(st.writes, 1);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.last_err, -ENOENT);
	ow_metrics_writer_stop(w);
	ow_strbuf_free(&sb);
}

/* A reader process loops over the file while the writer replaces it 300 times with versions
 * of different sizes: each read is one whole version (its first line says its size). */
static void test_readers_never_see_half(void **state)
{
	struct ow_metrics_writer *w = NULL;
	struct ow_strbuf sb = {0};
	int i, status;
	pid_t pid;

	assert_int_equal(ow_metrics_file_write(path, "2\n", 2), 0);
	pid = fork();
	if (pid == 0) {
		static char buf[1 << 20];
		ssize_t n;
		int reads = 0;

		for (;;) {
			n = ow_read_file(path, buf, sizeof(buf), true);
			if (n < 0)
				_exit(2);
			if (strtol(buf, NULL, 10) != n)
				_exit(1);	     /* half a file */
			if (++reads > 100 && n == 7) /* the final version, "7\nabcd\n" */
				break;
		}
		_exit(0);
	}
	assert_int_equal(ow_metrics_writer_start(path, &w), 0);
	for (i = 0; i < 300; i++) {
		size_t size = 1000 + (size_t)(i % 7) * 50000;

		ow_strbuf_reset(&sb);
		ow_strbuf_printf(&sb, "%zu\n", size);
		while (sb.len < size - 1)
			ow_strbuf_append(&sb, "x", 1);
		ow_strbuf_append(&sb, "\n", 1);
		ow_metrics_writer_submit(w, &sb);
		usleep(1000);
	}
	ow_metrics_writer_stop(w);
	assert_int_equal(ow_metrics_file_write(path, "7\nabcd\n", 7), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	ow_strbuf_free(&sb);
	assert_int_equal(entries(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_last_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_reports_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readers_never_see_half, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
