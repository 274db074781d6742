// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/sys/brake_state.c: the table (bounded, an original never replaced by
 * our own value), the line format (paths with spaces, newlines and any byte but NUL; malformed
 * lines), the file (round trip, atomic save, modes, owners, a symbolic link or a FIFO planted at
 * its path) and the lift of every brake over a cgroup tree made in a temporary directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "brake_state.h"
#include "memory_high.h"
#include "tmptree.h"

#define HANG_S 10
#define ODD    "/sys/fs/cgroup/user.slice/my app\n/evil 1 2 3 4\\x41\t\xff"
#define MiB    (1024ULL * 1024)

static const char *root;

static int setup(void **state)
{
	root = ow_tmptree_new("brake");
	return 0;
}

static int teardown(void **state)
{
	return ow_tmptree_remove();
}

static void init(struct ow_brake_state *st, const char *rel)
{
	assert_int_equal(ow_brake_state_init(st, ow_tmptree_at(rel)), 0);
}

static struct ow_brake brake(const char *path, uint64_t orig, uint64_t set)
{
	return (struct ow_brake){.path = (char *)path,
				 .cg_id = 7,
				 .orig_high = orig,
				 .set_high = set,
				 .set_at = 1000};
}

static int put_brake(struct ow_brake_state *st, const char *path, uint64_t orig, uint64_t set)
{
	struct ow_brake b = brake(path, orig, set);

	return ow_brake_put(st, &b);
}

/* ---- the table ---- */

static void test_table(void **state)
{
	struct ow_brake_state st;
	struct ow_brake b = brake("/cg/a", OW_NO_LIMIT, 100 * MiB);
	char longer[PATH_MAX + 2];

	assert_int_equal(ow_brake_state_init(&st, "relative/brakes"), -EINVAL);
	assert_int_equal(ow_brake_state_init(&st, "/run/oomwarden/"), -EINVAL);
	init(&st, "run/brakes");
	assert_int_equal(ow_brake_put(&st, &b), 0);
	/* Braked again lower: the original stays the one found first, not our 100 MiB. */
	b = brake("/cg/a", 100 * MiB, 90 * MiB);
	b.set_at = 2000;
	assert_int_equal(ow_brake_put(&st, &b), 0);
	assert_int_equal(st.n, 1);
	assert_true(ow_brake_find(&st, "/cg/a")->orig_high == OW_NO_LIMIT);
	assert_true(ow_brake_find(&st, "/cg/a")->set_high == 90 * MiB);
	assert_int_equal(ow_brake_find(&st, "/cg/a")->set_at, 2000);
	/* Another cgroup of the same name (another id): replaced whole. */
	b.cg_id = 8;
	assert_int_equal(ow_brake_put(&st, &b), 0);
	assert_true(ow_brake_find(&st, "/cg/a")->orig_high == 100 * MiB);
	assert_int_equal(ow_brake_put(&st, &(struct ow_brake){.path = "/cg/b"}), 0);
	assert_int_equal(ow_brake_remove(&st, "/cg/a"), 0);
	assert_int_equal(ow_brake_remove(&st, "/cg/a"), -ENOENT);
	assert_null(ow_brake_find(&st, "/cg/a"));
	assert_string_equal(st.v[0].path, "/cg/b");
	assert_int_equal(ow_brake_put(&st, &(struct ow_brake){.path = "cg/c"}), -EINVAL);
	assert_int_equal(ow_brake_put(&st, &(struct ow_brake){.path = "/c", .set_at = -1}),
			 -EINVAL);
	memset(longer, 'x', sizeof(longer) - 1);
	longer[0] = '/';
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(ow_brake_put(&st, &(struct ow_brake){.path = longer}), -ENAMETOOLONG);
	assert_int_equal(st.n, 1);
	ow_brake_state_free(&st);
}

static void test_table_full(void **state)
{
	struct ow_brake_state st;
	char path[64];
	int i;

	init(&st, "run/brakes");
	for (i = 0; i < OW_BRAKE_MAX; i++) {
		snprintf(path, sizeof(path), "/cg/c%d", i);
		assert_int_equal(ow_brake_put(&st, &(struct ow_brake){.path = path}), 0);
	}
	assert_int_equal(ow_brake_put(&st, &(struct ow_brake){.path = "/cg/one-more"}), -ENOSPC);
	/* A brake already in the table can still be updated, and a freed place taken. */
	assert_int_equal(ow_brake_put(&st, &(struct ow_brake){.path = "/cg/c9", .set_high = 1}), 0);
	assert_int_equal(ow_brake_remove(&st, "/cg/c0"), 0);
	assert_int_equal(ow_brake_put(&st, &(struct ow_brake){.path = "/cg/one-more"}), 0);
	assert_int_equal(st.n, OW_BRAKE_MAX);
	ow_brake_state_free(&st);
}

/* ---- the line format ---- */

static int parse(const char *line)
{
	char path[PATH_MAX];
	struct ow_brake b;

	return ow_brake_parse_line(line, path, sizeof(path), &b);
}

static void test_parse_line(void **state)
{
	char path[PATH_MAX], *longer;
	struct ow_brake b;

	assert_int_equal(ow_brake_parse_line("/cg/a\\x20b\\x0a 42 max 1048576 1700000000\n", path,
					     sizeof(path), &b),
			 0);
	assert_string_equal(b.path, "/cg/a b\n");
	assert_true(b.path == path);
	assert_true(b.cg_id == 42 && b.orig_high == OW_NO_LIMIT && b.set_high == 1048576);
	assert_int_equal(b.set_at, 1700000000);
	assert_int_equal(parse("/cg/a 1 2 3 4\n"), 0);
	assert_int_equal(parse("/cg/a 1 2 3 4"), -EINVAL);     /* cut short: no newline */
	assert_int_equal(parse("/cg/a 1 2 3\n"), -EINVAL);     /* a field missing */
	assert_int_equal(parse("/cg/a 1 2 3 4 5\n"), -EINVAL); /* one too many */
	assert_int_equal(parse("/cg/a 1  2 3 4\n"), -EINVAL);  /* two spaces */
	assert_int_equal(parse("/cg/a 1 2 3 4 \n"), -EINVAL);  /* trailing space */
	assert_int_equal(parse("/cg/a 1 2x 3 4\n"), -EINVAL);  /* garbage number */
	assert_int_equal(parse("/cg/a 1 -2 3 4\n"), -EINVAL);  /* a sign */
	assert_int_equal(parse("/cg/a 1 2 3 +4\n"), -EINVAL);
	assert_int_equal(parse("/cg/a max 2 3 4\n"), -EINVAL); /* an id is never "max" */
	assert_int_equal(parse("/cg/a 1 2 3 max\n"), -EINVAL); /* nor a time */
	assert_int_equal(parse("/cg/a 1 18446744073709551616 3 4\n"), -EINVAL); /* 2^64 */
	assert_int_equal(parse("/cg/a 1 2 3 9223372036854775808\n"), -EINVAL);	/* > INT64_MAX */
	assert_int_equal(parse("/cg/a 1 2\t3 4\n"), -EINVAL);			/* a tab */
	assert_int_equal(parse("cg/a 1 2 3 4\n"), -EINVAL);			/* not absolute */
	assert_int_equal(parse("\\x2fcg 1 2 3 4\n"), 0);			/* "/cg", escaped */
	assert_int_equal(parse("/cg\\x00a 1 2 3 4\n"), -EINVAL);		/* a NUL */
	assert_int_equal(parse("/cg\\x4 1 2 3 4\n"), -EINVAL);			/* one digit */
	assert_int_equal(parse("/cg\\x4g 1 2 3 4\n"), -EINVAL);
	assert_int_equal(parse("/cg\\n 1 2 3 4\n"), -EINVAL); /* only \xHH */
	assert_int_equal(parse("/cg\\ 1 2 3 4\n"), -EINVAL);
	assert_int_equal(parse("/cg/\xff 1 2 3 4\n"), -EINVAL); /* a raw byte: not ours */
	assert_int_equal(parse("\n"), -EINVAL);
	assert_int_equal(parse(""), -EINVAL);
	/* A path of PATH_MAX bytes does not fit. */
	longer = malloc(PATH_MAX + 32);
	assert_non_null(longer);
	memset(longer, 'x', PATH_MAX);
	longer[0] = '/';
	strcpy(longer + PATH_MAX, " 1 2 3 4\n");
	assert_int_equal(parse(longer), -ENAMETOOLONG);
	free(longer);
}

/* ---- the file ---- */

static void test_round_trip(void **state)
{
	static const char odd2[] = "/cg/\\back\\slash\x01\x7f";
	struct ow_brake_state st, back;
	unsigned int bad = 99, nl = 0;
	const char *text, *p;
	struct stat sb;

	init(&st, "run/brakes");
	assert_int_equal(ow_brake_put(&st, &(struct ow_brake){.path = ODD,
							      .cg_id = 123,
							      .orig_high = OW_NO_LIMIT,
							      .set_high = 300 * MiB,
							      .set_at = 1700000001}),
			 0);
	assert_int_equal(ow_brake_put(&st, &(struct ow_brake){.path = (char *)odd2,
							      .orig_high = 512 * MiB,
							      .set_high = OW_NO_LIMIT}),
			 0);
	assert_int_equal(put_brake(&st, "/cg/plain", 1, 2), 0);
	assert_int_equal(ow_brake_state_save(&st), 0); /* the directory is made */
	assert_int_equal(stat(ow_tmptree_at("run"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(lstat(ow_tmptree_at("run/brakes"), &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* A header and one line a brake: the newline of ODD started none. */
	text = ow_tmptree_text("run/brakes");
	for (p = text; *p; p++)
		nl += *p == '\n';
	assert_int_equal(nl, 4);
	assert_non_null(strstr(text, "/cg/\\x5cback\\x5cslash\\x01\\x7f 0 536870912 max 0\n"));
	assert_non_null(strstr(text, "/cg/plain 7 1 2 1000\n"));

	init(&back, "run/brakes");
	assert_int_equal(ow_brake_state_load(&back, &bad), 3);
	assert_int_equal(bad, 0);
	assert_non_null(ow_brake_find(&back, ODD));
	assert_true(ow_brake_find(&back, ODD)->cg_id == 123);
	assert_true(ow_brake_find(&back, ODD)->orig_high == OW_NO_LIMIT);
	assert_true(ow_brake_find(&back, ODD)->set_high == 300 * MiB);
	assert_int_equal(ow_brake_find(&back, ODD)->set_at, 1700000001);
	assert_true(ow_brake_find(&back, odd2)->set_high == OW_NO_LIMIT);
	assert_true(ow_brake_find(&back, "/cg/plain")->orig_high == 1);
	ow_brake_state_free(&back);
	ow_brake_state_free(&st);
}

static void test_load_malformed(void **state)
{
	static const char text[] = "# a comment\n"
				   "/cg/good1 0 max 100 5\n"
				   "/cg/garbage 0 1O0 100 5\n"
				   "/cg/short 0 max\n"
				   "\n"
				   "/cg/nul\0 0 max 100 5\n"
				   "/cg/good2 0 200 100 6\n"
				   "/cg/cut 0 max 100";
	struct ow_brake_state st;
	unsigned int bad = 0;
	char *huge;
	int fd;

	assert_int_equal(mkdir(ow_tmptree_at("mal"), 0700), 0);
	ow_tmptree_put("mal/brakes", text, sizeof(text) - 1);
	init(&st, "mal/brakes");
	assert_int_equal(ow_brake_state_load(&st, &bad), 2);
	assert_int_equal(bad, 5);
	assert_non_null(ow_brake_find(&st, "/cg/good1"));
	assert_non_null(ow_brake_find(&st, "/cg/good2"));
	/* A line longer than any brake's (a path of 64 KiB): skipped, the next one read. */
	huge = malloc(65536);
	assert_non_null(huge);
	memset(huge, 'x', 65535);
	huge[0] = '/';
	huge[65535] = '\0';
	fd = open(ow_tmptree_at("mal/brakes"), O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, huge, 65535), 65535);
	assert_int_equal(write(fd, " 0 1 2 3\n/cg/after 0 1 2 3\n", 27), 27);
	close(fd);
	free(huge);
	assert_int_equal(ow_brake_state_load(&st, &bad), 1);
	assert_int_equal(bad, 1);
	assert_non_null(ow_brake_find(&st, "/cg/after"));
	assert_null(ow_brake_find(&st, "/cg/good1")); /* a load replaces the table */
	ow_brake_state_free(&st);
}

static int dir_entries(const char *rel)
{
	DIR *d = opendir(ow_tmptree_at(rel));
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* The file is replaced, never rewritten in place: a reader of the old one reads it whole; no
 * temporary file is left, and one left by a crash is cleared. */
static void test_atomic_save(void **state)
{
	struct ow_brake_state st;
	struct stat before, after;
	char buf[256];
	ssize_t n;
	int fd;

	init(&st, "atomic/brakes");
	assert_int_equal(put_brake(&st, "/cg/first", 1, 2), 0);
	assert_int_equal(ow_brake_state_save(&st), 0);
	fd = open(ow_tmptree_at("atomic/brakes"), O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &before), 0);
	ow_tmptree_puts("atomic/.brakes.tmp", "left by a crash\n");
	assert_int_equal(ow_brake_remove(&st, "/cg/first"), 0);
	assert_int_equal(put_brake(&st, "/cg/second", 3, 4), 0);
	assert_int_equal(ow_brake_state_save(&st), 0);
	assert_int_equal(stat(ow_tmptree_at("atomic/brakes"), &after), 0);
	assert_true(before.st_ino != after.st_ino);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "/cg/first 7 1 2 1000\n")); /* the old version, whole */
	assert_null(strstr(ow_tmptree_text("atomic/brakes"), "/cg/first"));
	assert_non_null(strstr(ow_tmptree_text("atomic/brakes"), "/cg/second 7 3 4 1000\n"));
	assert_int_equal(dir_entries("atomic"), 1);
	ow_brake_state_free(&st);
}

/* A symbolic link planted at the state path is neither read nor written through. */
static void test_symlink_planted(void **state)
{
	struct ow_brake_state st;
	unsigned int bad = 0;
	struct stat sb;

	assert_int_equal(mkdir(ow_tmptree_at("link"), 0700), 0);
	ow_tmptree_puts("precious", "/cg/evil 0 1 2 3\n");
	assert_int_equal(symlink(ow_tmptree_at("precious"), ow_tmptree_at("link/brakes")), 0);
	assert_int_equal(symlink(ow_tmptree_at("precious"), ow_tmptree_at("link/.brakes.tmp")), 0);
	init(&st, "link/brakes");
	assert_int_equal(ow_brake_state_load(&st, &bad), -ELOOP);
	assert_int_equal(st.n, 0);
	assert_int_equal(put_brake(&st, "/cg/mine", 1, 2), 0);
	assert_int_equal(ow_brake_state_save(&st), 0);
	assert_int_equal(lstat(ow_tmptree_at("link/brakes"), &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_string_equal(ow_tmptree_text("precious"), "/cg/evil 0 1 2 3\n");
	assert_int_equal(ow_brake_state_load(&st, &bad), 1);
	assert_non_null(ow_brake_find(&st, "/cg/mine"));
	ow_brake_state_free(&st);
	/* The directory itself a link: refused too. */
	assert_int_equal(symlink(ow_tmptree_at("link"), ow_tmptree_at("dirlink")), 0);
	init(&st, "dirlink/brakes");
	assert_true(ow_brake_state_load(&st, &bad) < 0);
	assert_true(ow_brake_state_save(&st) < 0);
	ow_brake_state_free(&st);
}

static void test_hostile_file(void **state)
{
	struct ow_brake_state st;
	unsigned int bad = 0;

	assert_int_equal(mkdir(ow_tmptree_at("fifo"), 0700), 0);
	assert_int_equal(mkfifo(ow_tmptree_at("fifo/brakes"), 0600), 0);
	init(&st, "fifo/brakes");
	alarm(HANG_S);
	assert_int_equal(ow_brake_state_load(&st, &bad), -EINVAL); /* at once, no writer */
	alarm(0);
	ow_brake_state_free(&st);
	/* Writable by others: a user could have written brakes of their choosing. */
	assert_int_equal(mkdir(ow_tmptree_at("perm"), 0700), 0);
	ow_tmptree_puts("perm/brakes", "/cg/a 0 1 2 3\n");
	init(&st, "perm/brakes");
	assert_int_equal(ow_brake_state_load(&st, &bad), 1);
	assert_int_equal(chmod(ow_tmptree_at("perm/brakes"), 0666), 0);
	assert_int_equal(ow_brake_state_load(&st, &bad), -EPERM);
	assert_int_equal(chmod(ow_tmptree_at("perm/brakes"), 0600), 0);
	assert_int_equal(chmod(ow_tmptree_at("perm"), 0777), 0);
	assert_int_equal(ow_brake_state_load(&st, &bad), -EPERM);
	assert_int_equal(ow_brake_state_save(&st), -EPERM);
	assert_int_equal(chmod(ow_tmptree_at("perm"), 0700), 0);
	if (geteuid() == 0) { /* another owner: chown needs root */
		assert_int_equal(chown(ow_tmptree_at("perm/brakes"), 1000, 1000), 0);
		assert_int_equal(ow_brake_state_load(&st, &bad), -EPERM);
	}
	ow_brake_state_free(&st);
	init(&st, "none/brakes");
	assert_int_equal(ow_brake_state_load(&st, &bad), -ENOENT); /* nothing to restore */
	ow_brake_state_free(&st);
}

/* ---- lifting ---- */

static void cgroup(const char *rel, const char *high)
{
	char f[256];

	assert_int_equal(mkdir(ow_tmptree_at(rel), 0755), 0);
	snprintf(f, sizeof(f), "%s/memory.high", rel);
	ow_tmptree_puts(f, high);
}

static uint64_t ino_of(const char *rel)
{
	struct stat sb;

	assert_int_equal(stat(ow_tmptree_at(rel), &sb), 0);
	return sb.st_ino;
}

static void test_restore_all(void **state)
{
	struct ow_brake_state st;
	struct ow_brake_restored r;
	char cgroot[512], odd[600];
	unsigned int bad = 9;

	assert_int_equal(mkdir(ow_tmptree_at("cg"), 0755), 0);
	snprintf(cgroot, sizeof(cgroot), "%s", ow_tmptree_at("cg"));
	cgroup("cg/ours", "104857600\n");
	cgroup("cg/my app\nx", "104857600\n");
	cgroup("cg/changed", "50000000\n");  /* the administrator's since */
	cgroup("cg/renewed", "104857600\n"); /* a new cgroup of the same name */
	snprintf(odd, sizeof(odd), "%s", ow_tmptree_at("cg/my app\nx"));
	init(&st, "restore/brakes");
	assert_int_equal(put_brake(&st, ow_tmptree_at("cg/ours"), OW_NO_LIMIT, 100 * MiB), 0);
	assert_int_equal(put_brake(&st, odd, 200 * MiB, 100 * MiB), 0);
	assert_int_equal(put_brake(&st, ow_tmptree_at("cg/changed"), OW_NO_LIMIT, 100 * MiB), 0);
	assert_int_equal(put_brake(&st, ow_tmptree_at("cg/vanished"), OW_NO_LIMIT, 100 * MiB), 0);
	st.v[0].cg_id = ino_of("cg/ours");
	st.v[1].cg_id = 0; /* not checked */
	st.v[2].cg_id = ino_of("cg/changed");
	assert_int_equal(
		ow_brake_put(&st, &(struct ow_brake){.path = (char *)ow_tmptree_at("cg/renewed"),
						     .cg_id = ino_of("cg/renewed") + 1,
						     .orig_high = OW_NO_LIMIT,
						     .set_high = 100 * MiB}),
		0);
	assert_int_equal(put_brake(&st, "/etc", OW_NO_LIMIT, 100 * MiB), 0);
	assert_int_equal(ow_brake_state_save(&st), 0);

	/* As a restarted daemon: the file, then every brake lifted. */
	ow_brake_state_free(&st);
	init(&st, "restore/brakes");
	assert_int_equal(ow_brake_state_load(&st, &bad), 6);
	assert_int_equal(ow_brake_restore_all(&st, cgroot, &r), 0);
	assert_int_equal(r.restored, 2);
	assert_int_equal(r.left, 1);
	assert_int_equal(r.gone, 2);
	assert_int_equal(r.failed, 1); /* /etc: not below the mount */
	assert_int_equal(r.first_err, -EINVAL);
	assert_string_equal(ow_tmptree_text("cg/ours/memory.high"), "max\n");
	assert_string_equal(ow_tmptree_text("cg/my app\nx/memory.high"), "209715200\n");
	assert_string_equal(ow_tmptree_text("cg/changed/memory.high"), "50000000\n");
	assert_string_equal(ow_tmptree_text("cg/renewed/memory.high"), "104857600\n");
	assert_int_equal(st.n, 0);
	assert_int_equal(ow_brake_state_load(&st, &bad), 0); /* the file holds no brake */
	assert_int_equal(bad, 0);
	ow_brake_state_free(&st);
}

static void test_restore_one(void **state)
{
	struct ow_brake b = brake(NULL, 64 * MiB, 32 * MiB);
	char cgroot[512];
	int err = 1;

	assert_int_equal(mkdir(ow_tmptree_at("one"), 0755), 0);
	snprintf(cgroot, sizeof(cgroot), "%s", ow_tmptree_at("one"));
	cgroup("one/a", "33554432\n");
	b.path = (char *)ow_tmptree_at("one/a");
	b.cg_id = 0;
	assert_int_equal(ow_brake_restore(&b, cgroot, &err), OW_BRAKE_RESTORED);
	assert_int_equal(err, 0);
	assert_string_equal(ow_tmptree_text("one/a/memory.high"), "67108864\n");
	/* Lifted twice: the second finds the original, not our value, and leaves it. */
	assert_int_equal(ow_brake_restore(&b, cgroot, &err), OW_BRAKE_LEFT);
	ow_tmptree_puts("one/a/memory.high", "garbage\n");
	assert_int_equal(ow_brake_restore(&b, cgroot, &err), OW_BRAKE_FAILED);
	assert_int_equal(err, -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_parse_line),	cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_load_malformed),	cmocka_unit_test(test_atomic_save),
		cmocka_unit_test(test_symlink_planted), cmocka_unit_test(test_hostile_file),
		cmocka_unit_test(test_restore_all),	cmocka_unit_test(test_restore_one),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
