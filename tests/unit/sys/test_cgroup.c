// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/sys/cgroup.c against the fixture trees in tests/fixtures. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup.h"
#include "usage_watch.h"

#ifndef OW_FIXTURES
#error "build with -DOW_FIXTURES='\"/abs/path/tests/fixtures\"'"
#endif

#define FX	 OW_FIXTURES
#define V1	 FX "/v1/sys/fs/cgroup/memory"
#define V2	 FX "/v2/sys/fs/cgroup"
#define BAD	 FX "/malformed/cg"
#define HEX64	 "3f2a9c1e7b4d5a6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7"
#define POD_UID	 "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
#define POD_PATH V2 "/kubepods/burstable/pod" POD_UID
#define MiB	 (1024ULL * 1024)
#define GiB	 (1024 * MiB)

/* ---- ow_cg_find_memory_mount ---- */

static void find_mount(const char *mountinfo, const char *prefix, int want_err,
		       enum ow_cg_version want_ver, const char *want_path)
{
	struct ow_cg_mount m = {.version = 0, .path = "untouched"};

	assert_int_equal(ow_cg_find_memory_mount(mountinfo, prefix, &m), want_err);
	if (want_err) {
		assert_string_equal(m.path, "untouched");
		return;
	}
	assert_int_equal(m.version, want_ver);
	assert_string_equal(m.path, want_path);
}

static void test_mount_v1(void **state)
{
	find_mount(FX "/mountinfo/v1", FX "/v1", 0, OW_CG_V1, V1);
}

static void test_mount_hybrid(void **state)
{
	/* cgroup2 (without memory) is listed first: the v1 memory hierarchy must be chosen. */
	find_mount(FX "/mountinfo/hybrid", FX "/v1", 0, OW_CG_V1, V1);
}

static void test_mount_v2(void **state)
{
	find_mount(FX "/mountinfo/v2", FX "/v2", 0, OW_CG_V2, V2);
}

static void test_mount_v1_wins_over_v2(void **state)
{
	/* Both mounts usable and v2 listed first: v1 still wins. */
	find_mount(FX "/mountinfo/both", FX, 0, OW_CG_V1, V1);
}

static void test_mount_escaped_and_garbage(void **state)
{
	find_mount(FX "/mountinfo/escaped", FX "/v1", 0, OW_CG_V1, V1);
}

static void test_mount_not_found(void **state)
{
	find_mount(FX "/mountinfo/none", FX "/v1", -ENOENT, 0, NULL);
	/* cgroup2 whose cgroup.controllers lacks memory */
	find_mount(FX "/mountinfo/v2-nomem", FX "/v1", -ENOENT, 0, NULL);
	/* "memory" only in the per-mount options, not the super options */
	find_mount(FX "/mountinfo/v1-mountopt-only", FX "/v1", -ENOENT, 0, NULL);
	/* the mount point does not exist below the prefix */
	find_mount(FX "/mountinfo/v1", FX "/nonexistent", -ENOENT, 0, NULL);
	find_mount(FX "/mountinfo/v2", FX "/v1", -ENOENT, 0, NULL);
	/* no mountinfo at all */
	find_mount(FX "/mountinfo/missing", FX "/v1", -ENOENT, 0, NULL);
}

/* ---- ow_cg_subtree_has_memory ---- */

static void test_subtree_has_memory(void **state)
{
	assert_true(ow_cg_subtree_has_memory(V2));			  /* "cpu io memory pids" */
	assert_false(ow_cg_subtree_has_memory(V2 "/system.slice"));	  /* "cpu pids" */
	assert_false(ow_cg_subtree_has_memory(V2 "/kubepods"));		  /* no such file */
	assert_false(ow_cg_subtree_has_memory(FX "/nonexistent/cgroup")); /* no directory */
}

/* ---- ow_cg_read_stat ---- */

static void test_stat_v1_root(void **state)
{
	struct ow_cg_stat st;

	assert_int_equal(ow_cg_read_stat(OW_CG_V1, V1, &st), 0);
	assert_int_equal(st.usage, 2 * GiB);
	assert_true(st.limit == OW_NO_LIMIT); /* 9223372036854771712 */
	assert_true(st.high == OW_NO_LIMIT);
	assert_int_equal(st.anon, 768 * MiB); /* total_rss, not rss */
	assert_int_equal(st.file, 1 * GiB);
	assert_int_equal(st.active_file, 512 * MiB);
	assert_int_equal(st.inactive_file, 384 * MiB);
	assert_int_equal(st.shmem, 64 * MiB);
	assert_int_equal(st.swap, 64 * MiB); /* memsw - usage */
	assert_int_equal(st.oom_kills, 2);
}

static void test_stat_v1_children(void **state)
{
	struct ow_cg_stat st;

	/* no memsw file (swap accounting off), no oom_kill line (kernel < 4.13) */
	assert_int_equal(ow_cg_read_stat(OW_CG_V1, V1 "/system.slice/api.service", &st), 0);
	assert_int_equal(st.usage, 500 * MiB);
	assert_int_equal(st.limit, 2 * GiB);
	assert_int_equal(st.anon, 480 * MiB);
	assert_int_equal(st.shmem, 1 * MiB);
	assert_int_equal(st.swap, 0);
	assert_int_equal(st.oom_kills, 0);

	/* memsw below usage (read at different moments): swap clamps to 0 */
	assert_int_equal(ow_cg_read_stat(OW_CG_V1, V1 "/system.slice/worker.service", &st), 0);
	assert_int_equal(st.usage, 200 * MiB);
	assert_int_equal(st.swap, 0);
	assert_true(st.limit == OW_NO_LIMIT);

	/* "unlimited" as printed by a 64 KiB-page kernel */
	assert_int_equal(ow_cg_read_stat(OW_CG_V1, V1 "/user.slice", &st), 0);
	assert_true(st.limit == OW_NO_LIMIT);
	assert_int_equal(st.usage, 1 * MiB);
}

static void test_stat_v2(void **state)
{
	struct ow_cg_stat st;

	assert_int_equal(ow_cg_read_stat(OW_CG_V2, V2 "/system.slice/api.service", &st), 0);
	assert_int_equal(st.usage, 480 * MiB);
	assert_int_equal(st.limit, 512 * MiB);
	assert_int_equal(st.high, 384 * MiB);
	assert_int_equal(st.anon, 400 * MiB);
	assert_int_equal(st.file, 64 * MiB);
	assert_int_equal(st.active_file, 32 * MiB);
	assert_int_equal(st.inactive_file, 30 * MiB);
	assert_int_equal(st.shmem, 2 * MiB);
	assert_int_equal(st.swap, 1 * MiB);
	assert_int_equal(st.oom_kills, 3); /* oom_kill, not oom or oom_group_kill */
}

static void test_stat_v2_max_and_defaults(void **state)
{
	struct ow_cg_stat st;

	assert_int_equal(ow_cg_read_stat(OW_CG_V2, V2 "/system.slice", &st), 0);
	assert_true(st.limit == OW_NO_LIMIT); /* "max" */
	assert_true(st.high == OW_NO_LIMIT);
	assert_int_equal(st.usage, 768 * MiB);

	/* memory.high, memory.swap.current and memory.events absent: defaults */
	assert_int_equal(ow_cg_read_stat(OW_CG_V2, V2 "/system.slice/docker-" HEX64 ".scope", &st),
			 0);
	assert_int_equal(st.usage, 100 * MiB);
	assert_int_equal(st.limit, 256 * MiB);
	assert_true(st.high == OW_NO_LIMIT);
	assert_int_equal(st.swap, 0);
	assert_int_equal(st.oom_kills, 0);
}

/* A scan's glance: usage and own limit only, the rest as if absent. */
static void test_usage_limit_only(void **state)
{
	struct ow_cg_stat st;

	assert_int_equal(ow_cg_read_usage_limit(OW_CG_V1, V1 "/system.slice/api.service", &st), 0);
	assert_int_equal(st.usage, 500 * MiB);
	assert_int_equal(st.limit, 2 * GiB);
	assert_int_equal(st.anon, 0);
	assert_true(st.high == OW_NO_LIMIT);
	assert_int_equal(ow_cg_read_usage_limit(OW_CG_V1, V1, &st), 0);
	assert_true(st.limit == OW_NO_LIMIT); /* v1 "unlimited" */
	assert_int_equal(ow_cg_read_usage_limit(OW_CG_V2, V2 "/system.slice/api.service", &st), 0);
	assert_int_equal(st.usage, 480 * MiB);
	assert_int_equal(st.limit, 512 * MiB);
	assert_true(st.high == OW_NO_LIMIT); /* not read */
	assert_int_equal(ow_cg_read_usage_limit(OW_CG_V2, V2 "/system.slice", &st), 0);
	assert_true(st.limit == OW_NO_LIMIT); /* "max" */
	assert_int_equal(ow_cg_read_usage_limit(OW_CG_V1, V1 "/vanished", &st), -ENOENT);
}

static void test_stat_missing(void **state)
{
	struct ow_cg_stat st = {.usage = 12345};

	/* The kernel gives the v2 root no memory.current. */
	assert_int_equal(ow_cg_read_stat(OW_CG_V2, V2, &st), -ENOENT);
	assert_int_equal(ow_cg_read_stat(OW_CG_V2, V2 "/vanished.service", &st), -ENOENT);
	assert_int_equal(ow_cg_read_stat(OW_CG_V1, V1 "/vanished", &st), -ENOENT);
	assert_int_equal(ow_cg_read_stat(OW_CG_V2, BAD "/no-current", &st), -ENOENT);
	assert_int_equal(ow_cg_read_stat(OW_CG_V2, BAD "/no-stat", &st), -ENOENT);
	/* wrong version for the tree: the v2 files are not there */
	assert_int_equal(ow_cg_read_stat(OW_CG_V2, V1, &st), -ENOENT);
	assert_int_equal(ow_cg_read_stat(3, V2 "/system.slice", &st), -EINVAL);
	assert_int_equal(st.usage, 12345); /* untouched on error */
}

static void test_stat_malformed(void **state)
{
	static const char *const bad[] = {
		"bad-current",	    "empty-current", "negative-current",
		"overflow-current", "two-values",    "stat-badval",
		"stat-novalue",	    "bad-max",	     "bad-events",
	};
	struct ow_cg_stat st = {.usage = 777};
	char dir[4096];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", BAD, bad[i]);
		assert_int_equal(ow_cg_read_stat(OW_CG_V2, dir, &st), -EINVAL);
	}
	assert_int_equal(ow_cg_read_stat(OW_CG_V1, BAD "/v1-bad-oom", &st), -EINVAL);
	assert_int_equal(st.usage, 777);
}

static void test_stat_junk_lines_skipped(void **state)
{
	struct ow_cg_stat st;

	/* blank lines, unknown keys and junk are skipped; the known keys still count */
	assert_int_equal(ow_cg_read_stat(OW_CG_V2, BAD "/stat-junk", &st), 0);
	assert_int_equal(st.usage, 4096);
	assert_int_equal(st.anon, 1024);
	assert_int_equal(st.file, 2048);
	assert_int_equal(st.shmem, 512);
	assert_int_equal(st.active_file + st.inactive_file, 2048);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Child: once the reader opens memory.stat (a FIFO), remove the cgroup, then answer. */
static void vanish_after_open(const char *dir)
{
	static const char *const files[] = {"memory.current", "memory.stat", "memory.max"};
	char path[512];
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/memory.stat", dir);
	fd = open(path, O_WRONLY);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	if (fd >= 0 && write(fd, "anon 1\n", 7) == 7)
		_exit(0);
	_exit(1);
}

static void test_stat_vanishes_mid_read(void **state)
{
	char dir[] = "/tmp/ow-test-cg-XXXXXX";
	char fifo[512];
	struct ow_cg_stat st;
	pid_t child;
	int status;

	assert_non_null(mkdtemp(dir));
	put(dir, "memory.current", "4096\n");
	put(dir, "memory.max", "8192\n");
	snprintf(fifo, sizeof(fifo), "%s/memory.stat", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		vanish_after_open(dir);
	/* memory.max is gone by the time it is read: not "no limit", the cgroup is gone */
	assert_int_equal(ow_cg_read_stat(OW_CG_V2, dir, &st), -ENOENT);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- ow_cg_nonreclaimable ---- */

static void test_nonreclaimable(void **state)
{
	struct ow_cg_stat st = {0};

	assert_int_equal(ow_cg_read_stat(OW_CG_V1, V1, &st), 0);
	/* 2 GiB - (512 + 384) MiB file LRU */
	assert_int_equal(ow_cg_nonreclaimable(&st), 2 * GiB - 896 * MiB);

	/* usage sampled low: anon + shmem is the floor */
	st = (struct ow_cg_stat){.usage = 100, .anon = 80, .shmem = 30, .active_file = 50};
	assert_int_equal(ow_cg_nonreclaimable(&st), 110);

	/* file LRU above usage: no wrap-around */
	st = (struct ow_cg_stat){.usage = 10, .active_file = 20, .inactive_file = 30};
	assert_int_equal(ow_cg_nonreclaimable(&st), 0);

	/* saturating sums */
	st = (struct ow_cg_stat){.usage = 5, .anon = UINT64_MAX, .shmem = 1};
	assert_true(ow_cg_nonreclaimable(&st) == UINT64_MAX);
	st = (struct ow_cg_stat){
		.usage = UINT64_MAX, .active_file = UINT64_MAX, .inactive_file = 1};
	assert_int_equal(ow_cg_nonreclaimable(&st), 0);
}

/* ---- ow_cg_effective_limit / ow_meminfo_machine_limit ---- */

static void test_effective_limit_v1(void **state)
{
	const struct ow_cg_mount m = {.version = OW_CG_V1, .path = V1};
	uint64_t lim = 0;

	/* api.service says 2 GiB, its parent 1 GiB: the parent's limit is the real one */
	assert_int_equal(ow_cg_effective_limit(&m, V1 "/system.slice/api.service", 8 * GiB, &lim),
			 0);
	assert_int_equal(lim, 1 * GiB);
	/* trailing slash */
	assert_int_equal(ow_cg_effective_limit(&m, V1 "/system.slice/api.service/", 8 * GiB, &lim),
			 0);
	assert_int_equal(lim, 1 * GiB);
	/* the machine is smaller than any cgroup limit */
	assert_int_equal(ow_cg_effective_limit(&m, V1 "/system.slice/api.service", 512 * MiB, &lim),
			 0);
	assert_int_equal(lim, 512 * MiB);
	/* no limit anywhere: the machine */
	assert_int_equal(ow_cg_effective_limit(&m, V1 "/user.slice", 5 * GiB, &lim), 0);
	assert_int_equal(lim, 5 * GiB);
	assert_int_equal(ow_cg_effective_limit(&m, V1, 5 * GiB, &lim), 0);
	assert_int_equal(lim, 5 * GiB);
	/* unknown machine size (0) or none given: still no limit */
	assert_int_equal(ow_cg_effective_limit(&m, V1 "/user.slice", 0, &lim), 0);
	assert_true(lim == OW_NO_LIMIT);
	assert_int_equal(ow_cg_effective_limit(&m, V1 "/user.slice", OW_NO_LIMIT, &lim), 0);
	assert_true(lim == OW_NO_LIMIT);
}

static void test_effective_limit_v2(void **state)
{
	const struct ow_cg_mount m = {.version = OW_CG_V2, .path = V2 "/"};
	uint64_t lim = 0;

	/* container "max", burstable "max", pod 1 GiB, kubepods 8 GiB */
	assert_int_equal(ow_cg_effective_limit(&m, POD_PATH "/" HEX64, 16 * GiB, &lim), 0);
	assert_int_equal(lim, 1 * GiB);
	assert_int_equal(ow_cg_effective_limit(&m, V2 "/kubepods/burstable", 16 * GiB, &lim), 0);
	assert_int_equal(lim, 8 * GiB);
	assert_int_equal(ow_cg_effective_limit(&m, V2 "/system.slice/api.service", 16 * GiB, &lim),
			 0);
	assert_int_equal(lim, 512 * MiB);
	/* the v2 root has no memory.max: no limit there */
	assert_int_equal(ow_cg_effective_limit(&m, V2, 3 * GiB, &lim), 0);
	assert_int_equal(lim, 3 * GiB);
}

static void test_effective_limit_errors(void **state)
{
	const struct ow_cg_mount m = {.version = OW_CG_V1, .path = V1};
	const struct ow_cg_mount bad = {.version = OW_CG_V2, .path = BAD};
	uint64_t lim = 42;

	assert_int_equal(ow_cg_effective_limit(&m, V2 "/system.slice", GiB, &lim), -EINVAL);
	assert_int_equal(ow_cg_effective_limit(&m, V1 "x/system.slice", GiB, &lim), -EINVAL);
	assert_int_equal(ow_cg_effective_limit(&m, V1 "/../memory/user.slice", GiB, &lim), -EINVAL);
	assert_int_equal(ow_cg_effective_limit(&m, V1 "/user.slice/..", GiB, &lim), -EINVAL);
	assert_int_equal(ow_cg_effective_limit(&m, V1 "/system.slice/gone.service", GiB, &lim),
			 -ENOENT);
	/* an ancestor's memory.max is "lots" */
	assert_int_equal(ow_cg_effective_limit(&bad, BAD "/bad-max/child", GiB, &lim), -EINVAL);
	assert_int_equal(lim, 42);
}

/* The v2 root stands for the machine: non-reclaimable = MemTotal - MemAvailable. */
static void test_meminfo_stat(void **state)
{
	struct ow_cg_stat st;

	assert_int_equal(ow_meminfo_stat(FX "/meminfo/machine", &st), 0);
	assert_int_equal(st.usage, (4000000ULL - 2500000 + 600000 + 800000) * 1024);
	assert_int_equal(ow_cg_nonreclaimable(&st), (4000000ULL - 2500000) * 1024);
	assert_int_equal(st.limit, OW_NO_LIMIT);
	assert_int_equal(st.anon, 950000ULL * 1024);
	assert_int_equal(st.shmem, 50000ULL * 1024);
	assert_int_equal(st.swap, 250000ULL * 1024);
	/* Malformed, or no MemAvailable: refused, not guessed. */
	assert_int_equal(ow_meminfo_stat(FX "/meminfo/bad-value", &st), -EINVAL);
	assert_int_equal(ow_meminfo_stat(FX "/meminfo/noswap", &st), -EINVAL);
	assert_int_equal(ow_meminfo_stat(FX "/meminfo/missing", &st), -ENOENT);
}

/* The limit alone (the detached gate's reads): v1 and v2 names, "max" and v1's huge value are
 * no limit, a missing file an error. */
static void test_read_limit(void **state)
{
	char dir[] = "/tmp/ow-test-limit.XXXXXX", path[128];
	uint64_t v;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	f = fopen(path, "w");
	fputs("max\n", f);
	fclose(f);
	assert_int_equal(ow_cg_read_limit(OW_CG_V2, dir, &v), 0);
	assert_int_equal(v, OW_NO_LIMIT);
	snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", dir);
	f = fopen(path, "w");
	fputs("268435456\n", f);
	fclose(f);
	assert_int_equal(ow_cg_read_limit(OW_CG_V1, dir, &v), 0);
	assert_int_equal(v, 256ULL << 20);
	f = fopen(path, "w");
	fputs("9223372036854771712\n", f);
	fclose(f);
	assert_int_equal(ow_cg_read_limit(OW_CG_V1, dir, &v), 0);
	assert_int_equal(v, OW_NO_LIMIT);
	unlink(path);
	assert_int_equal(ow_cg_read_limit(OW_CG_V1, dir, &v), -ENOENT);
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	unlink(path);
	rmdir(dir);
}

/* The machine's sight: MemTotal - MemAvailable plus the swap in use, read again through one
 * descriptor; a file changed in between is read anew, a malformed one refused. */
static void test_machine_used(void **state)
{
	char path[] = "/tmp/ow-test-meminfo.XXXXXX", text[4096];
	uint64_t used;
	int fd = mkstemp(path), in = open(FX "/meminfo/machine", O_RDONLY);
	ssize_t n = read(in, text, sizeof(text));

	(void)state;
	assert_true(fd >= 0 && n > 0);
	close(in);
	assert_int_equal(write(fd, text, (size_t)n), n);
	assert_int_equal(ow_machine_used_read(fd, &used), 0);
	assert_int_equal(used, (4000000ULL - 2500000 + 250000) * 1024);
	assert_int_equal(pwrite(fd, "MemTotal: x kB\n", 15, 0), 15);
	assert_int_equal(ow_machine_used_read(fd, &used), -EINVAL);
	close(fd);
	assert_int_equal(ow_machine_used_read(fd, &used), -EBADF);
	unlink(path);
	/* The real one. */
	fd = ow_meminfo_open();
	assert_true(fd >= 0);
	assert_int_equal(ow_machine_used_read(fd, &used), 0);
	assert_true(used > 0);
	close(fd);
}

static void test_meminfo(void **state)
{
	uint64_t v = 7;

	assert_int_equal(ow_meminfo_machine_limit(FX "/meminfo/normal", &v), 0);
	assert_int_equal(v, (4030112ULL + 1048572ULL) * 1024);
	assert_int_equal(ow_meminfo_machine_limit(FX "/meminfo/noswap", &v), 0);
	assert_int_equal(v, 2 * GiB);

	v = 7;
	assert_int_equal(ow_meminfo_machine_limit(FX "/meminfo/no-memtotal", &v), -EINVAL);
	assert_int_equal(ow_meminfo_machine_limit(FX "/meminfo/bad-value", &v), -EINVAL);
	assert_int_equal(ow_meminfo_machine_limit(FX "/meminfo/no-unit", &v), -EINVAL);
	assert_int_equal(ow_meminfo_machine_limit(FX "/meminfo/overflow", &v), -EINVAL);
	assert_int_equal(ow_meminfo_machine_limit(FX "/meminfo/empty", &v), -EINVAL);
	assert_int_equal(ow_meminfo_machine_limit(FX "/meminfo/missing", &v), -ENOENT);
	assert_int_equal(v, 7);
}

/* ---- ow_cg_display_name ---- */

static void test_display_name(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"/", "/"},
		{"", "/"},
		{"//", "/"},
		{"/system.slice/api.service", "api.service"},
		{"/system.slice/api.service/", "api.service"},
		{"/system.slice", "system.slice"},
		{"/user.slice/user-1000.slice/session-3.scope", "session-3.scope"},
		{"/system.slice/docker-" HEX64 ".scope", "docker:3f2a9c1e7b4d"},
		{"/docker/" HEX64, "docker:3f2a9c1e7b4d"},
		{"/kubepods/burstable/pod" POD_UID "/" HEX64, "pod:" POD_UID},
		{"/kubepods/pod" POD_UID, "pod:" POD_UID},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
		 "1b4e28ba_2fa1_11d2_883f_0016d3cca427.slice/cri-containerd-" HEX64 ".scope",
		 "pod:" POD_UID},
		{"/kubepods.slice/kubepods-pod1b4e28ba_2fa1.slice", "pod:1b4e28ba-2fa1"},
		/* near misses fall back to the path itself */
		{"/docker/"
		 "3f2a9c1e7b4d",
		 "/docker/3f2a9c1e7b4d"},
		{"/system.slice/docker-XYZ.scope", "docker-XYZ.scope"},
		{"/pod" POD_UID, "/pod" POD_UID},
		{"/process_api/e7b0d504a02c0e01d1a8fba65f295f27",
		 "/process_api/e7b0d504a02c0e01d1a8fba65f295f27"},
		{"/.service", "/.service"},
		{"/myapp", "/myapp"},
	};
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ow_cg_display_name(cases[i].in, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
	ow_cg_display_name(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "/");
}

static void test_display_name_truncates(void **state)
{
	char buf[8] = "xxxxxxx";

	ow_cg_display_name("/system.slice/api.service", buf, 5);
	assert_string_equal(buf, "api.");
	ow_cg_display_name("/system.slice/docker-" HEX64 ".scope", buf, sizeof(buf));
	assert_string_equal(buf, "docker:");
	ow_cg_display_name("/kubepods/pod" POD_UID, buf, 7);
	assert_string_equal(buf, "pod:1b");
	memcpy(buf, "xxxxxxx", 8);
	ow_cg_display_name("/a", buf, 0);
	assert_string_equal(buf, "xxxxxxx");
}

/* ---- ow_cg_walk ---- */

struct collect {
	size_t root_len;
	int n;
	int stop_at; /* 1-based call that returns 99; 0: never */
	char paths[16][512];
	uint64_t inos[16];
};

static int collect_fn(const char *path, uint64_t ino, void *arg)
{
	struct collect *c = arg;
	const char *rel = path + c->root_len;

	if (c->n < 16) {
		snprintf(c->paths[c->n], sizeof(c->paths[0]), "%s", *rel ? rel : "/");
		c->inos[c->n] = ino;
	}
	c->n++;
	return c->n == c->stop_at ? 99 : 0;
}

static void test_walk_order(void **state)
{
	static const char *const want[] = {
		"/",
		"/kubepods",
		"/kubepods/burstable",
		"/kubepods/burstable/pod" POD_UID,
		"/kubepods/burstable/pod" POD_UID "/" HEX64,
		"/system.slice",
		"/system.slice/api.service",
		"/system.slice/docker-" HEX64 ".scope",
	};
	struct collect c = {.root_len = strlen(V2)};
	struct stat st;
	int i;

	assert_int_equal(ow_cg_walk(V2, collect_fn, &c), 0);
	assert_int_equal(c.n, 8);
	for (i = 0; i < 8; i++)
		assert_string_equal(c.paths[i], want[i]);
	/* ino is the directory's inode (what the BPF side sees as the cgroup id) */
	assert_int_equal(stat(V2 "/system.slice/api.service", &st), 0);
	assert_int_equal(c.inos[6], st.st_ino);
}

static void test_walk_subtree_and_stop(void **state)
{
	struct collect c = {.root_len = strlen(V1)};

	/* pre-order from a subtree; the trailing slash is dropped */
	assert_int_equal(ow_cg_walk(V1 "/system.slice/", collect_fn, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.paths[0], "/system.slice");
	assert_string_equal(c.paths[1], "/system.slice/api.service");
	assert_string_equal(c.paths[2], "/system.slice/worker.service");

	/* a non-zero return stops the walk and is returned */
	memset(&c, 0, sizeof(c));
	c.root_len = strlen(V1);
	c.stop_at = 3;
	assert_int_equal(ow_cg_walk(V1, collect_fn, &c), 99);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.paths[2], "/system.slice/api.service");

	/* stopping at the very first call */
	memset(&c, 0, sizeof(c));
	c.stop_at = 1;
	assert_int_equal(ow_cg_walk(V1, collect_fn, &c), 99);
	assert_int_equal(c.n, 1);
}

/* One level only: the children's own children are not listed (a subtree_control write). */
static void test_walk_depth(void **state)
{
	struct collect c = {.root_len = strlen(V2)};

	(void)state;
	assert_int_equal(ow_cg_walk_depth(V2 "/kubepods", 1, collect_fn, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.paths[0], "/kubepods");
	assert_string_equal(c.paths[1], "/kubepods/burstable");

	memset(&c, 0, sizeof(c));
	c.root_len = strlen(V2);
	assert_int_equal(ow_cg_walk_depth(V2, 0, collect_fn, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.paths[0], "/");
}

static void test_walk_errors(void **state)
{
	struct collect c = {0};

	assert_int_equal(ow_cg_walk(V1 "/vanished", collect_fn, &c), -ENOENT);
	assert_int_equal(ow_cg_walk(V1 "/memory.stat", collect_fn, &c), -ENOTDIR);
	assert_int_equal(c.n, 0);
}

/* ---- a tree nested past PATH_MAX ---- */

#define DEEP_LEVELS 90 /* 200-byte names: ~18,000 bytes deep, past the walk's held fds */

struct deep {
	char root[64];
	char *leaf; /* the deepest directory's path */
	int n;
	size_t longest;
	uint64_t leaf_ino, found_ino;
	bool saw_sibling;
};

static int deep_fn(const char *path, uint64_t ino, void *arg)
{
	struct deep *d = arg;
	size_t n = strlen(path);

	d->n++;
	if (n > d->longest)
		d->longest = n;
	if (!strcmp(path, d->leaf))
		d->found_ino = ino;
	if (strstr(path, "/sibling"))
		d->saw_sibling = true;
	return 0;
}

static void put_at(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* DEEP_LEVELS directories nested with mkdirat (a path that long cannot be made by name); a
 * sibling branch at level 70, after which the walk must reopen level 69; a symlink to / that
 * must not be followed; v1 memory files at the leaf. */
static void make_deep(struct deep *d)
{
	char name[201];
	struct stat st;
	size_t len;
	int fd, next, i;

	snprintf(d->root, sizeof(d->root), "/tmp/ow-test-deep-XXXXXX");
	assert_non_null(mkdtemp(d->root));
	memset(name, 'd', 200);
	name[200] = '\0';
	fd = open(d->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	len = strlen(d->root);
	d->leaf = malloc(len + DEEP_LEVELS * 201 + 1);
	memcpy(d->leaf, d->root, len + 1);
	assert_int_equal(symlinkat("/", fd, "link"), 0);
	for (i = 0; i < DEEP_LEVELS; i++) {
		if (i == 70)
			assert_int_equal(mkdirat(fd, "sibling", 0755), 0);
		assert_int_equal(mkdirat(fd, name, 0755), 0);
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
		len += (size_t)sprintf(d->leaf + len, "/%s", name);
	}
	put_at(fd, "memory.usage_in_bytes", "8192\n");
	put_at(fd, "memory.limit_in_bytes", "65536\n");
	put_at(fd, "memory.stat", "total_rss 4096\ntotal_cache 0\n");
	put_at(fd, "cgroup.procs", "42\n");
	assert_int_equal(fstat(fd, &st), 0);
	d->leaf_ino = st.st_ino;
	close(fd);
}

static void remove_deep(struct deep *d)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->root);
	assert_int_equal(system(cmd), 0);
	free(d->leaf);
}

static void test_walk_past_path_max(void **state)
{
	struct deep d = {0};

	make_deep(&d);
	assert_true(strlen(d.leaf) > 4 * PATH_MAX);
	assert_int_equal(ow_cg_walk(d.root, deep_fn, &d), 0);
	/* the root, every level, the sibling; not the symlink */
	assert_int_equal(d.n, 1 + DEEP_LEVELS + 1);
	assert_true(d.saw_sibling);
	assert_int_equal(d.longest, strlen(d.leaf));
	assert_int_equal(d.found_ino, d.leaf_ino);
	/* and a walk may start there */
	d.n = 0;
	assert_int_equal(ow_cg_walk(d.leaf, deep_fn, &d), 0);
	assert_int_equal(d.n, 1);
	remove_deep(&d);
}

/* The readers take such a directory too: its files, its limit, its processes. */
static void test_read_past_path_max(void **state)
{
	struct deep d = {0};
	struct ow_cg_mount m = {.version = OW_CG_V1};
	struct ow_cg_stat st;
	uint64_t lim = 0;
	int pids[4];

	make_deep(&d);
	snprintf(m.path, sizeof(m.path), "%s", d.root);
	assert_int_equal(ow_cg_read_stat(OW_CG_V1, d.leaf, &st), 0);
	assert_int_equal(st.usage, 8192);
	assert_int_equal(st.limit, 65536);
	assert_int_equal(st.anon, 4096);
	/* the levels between have no limit file (no limit); the root's, tighter, counts */
	assert_int_equal(ow_cg_effective_limit(&m, d.leaf, 0, &lim), 0);
	assert_int_equal(lim, 65536);
	put(d.root, "memory.limit_in_bytes", "32768\n");
	assert_int_equal(ow_cg_effective_limit(&m, d.leaf, 0, &lim), 0);
	assert_int_equal(lim, 32768);
	assert_int_equal(ow_cg_read_procs(d.leaf, pids, 4), 1);
	assert_int_equal(pids[0], 42);
	remove_deep(&d);
}

/* ---- ow_cg_read_procs ---- */

static void test_read_procs(void **state)
{
	int pids[8] = {0};

	assert_int_equal(ow_cg_read_procs(V1, pids, 8), 5);
	assert_int_equal(pids[0], 1);
	assert_int_equal(pids[3], 42);
	assert_int_equal(pids[4], 100);
	/* room for 2: the first 2 */
	memset(pids, 0, sizeof(pids));
	assert_int_equal(ow_cg_read_procs(V1, pids, 2), 2);
	assert_int_equal(pids[1], 2);
	assert_int_equal(pids[2], 0);
	assert_int_equal(ow_cg_read_procs(V1 "/system.slice", pids, 8), 0);
	assert_int_equal(ow_cg_read_procs(V1, NULL, 0), 0);
	/* pid 0 (outside our pid namespace) skipped, no final newline */
	assert_int_equal(ow_cg_read_procs(BAD "/ns-procs", pids, 8), 2);
	assert_int_equal(pids[0], 5);
	assert_int_equal(pids[1], 7);
}

static void test_read_procs_errors(void **state)
{
	int pids[8];

	assert_int_equal(ow_cg_read_procs(BAD "/bad-procs", pids, 8), -EINVAL);
	assert_int_equal(ow_cg_read_procs(BAD "/overflow-procs", pids, 8), -EINVAL);
	assert_int_equal(ow_cg_read_procs(V1 "/vanished", pids, 8), -ENOENT);
	assert_int_equal(ow_cg_read_procs(V1, pids, -1), -EINVAL);
	assert_int_equal(ow_cg_read_procs(V1, NULL, 4), -EINVAL);
}

/* ---- ow_cg_trusted_depth ---- */

static void test_depth(void **state)
{
	assert_int_equal(ow_cg_depth("/"), 0);
	assert_int_equal(ow_cg_depth(""), 0);
	assert_int_equal(ow_cg_depth(NULL), 0);
	assert_int_equal(ow_cg_depth("/a"), 1);
	assert_int_equal(ow_cg_depth("//a//b/"), 2);
}

/* A tree like a delegated subtree: root/sys/deleg (chowned to 1000)/docker-<id>.scope. Git
 * keeps no owners, so the tree is made here (chown needs root). */
static void test_trusted_depth(void **state)
{
	char root[] = "/tmp/ow-test-trust.XXXXXX", path[256];

	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/sys", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sys/deleg", root);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chown(path, 1000, 1000), 0);
	snprintf(path, sizeof(path), "%s/sys/deleg/docker-" HEX64 ".scope", root);
	assert_int_equal(mkdir(path, 0755), 0);

	assert_int_equal(ow_cg_trusted_depth(root, "/"), 0);
	assert_int_equal(ow_cg_trusted_depth(root, "/sys"), 1);
	/* the delegated directory and everything below it are a user's */
	assert_int_equal(ow_cg_trusted_depth(root, "/sys/deleg"), 1);
	assert_int_equal(ow_cg_trusted_depth(root, "/sys/deleg/docker-" HEX64 ".scope"), 1);
	/* a missing directory is not trusted */
	assert_int_equal(ow_cg_trusted_depth(root, "/sys/gone/x"), 1);
	assert_int_equal(ow_cg_trusted_depth(root, "/gone"), 0);
	/* a root that is not root's trusts nothing */
	snprintf(path, sizeof(path), "%s/sys/deleg", root);
	assert_int_equal(ow_cg_trusted_depth(path, "/docker-" HEX64 ".scope"), 0);

	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
}

/* ---- live: this machine ---- */

static void test_live_machine(void **state)
{
	struct ow_cg_mount m;
	struct ow_cg_stat st;
	uint64_t machine, lim;

	if (access("/sys/fs/cgroup/memory/memory.usage_in_bytes", R_OK) ||
	    access("/proc/self/mountinfo", R_OK)) {
		skip(); /* not a cgroup v1 host */
	}
	assert_int_equal(ow_cg_find_memory_mount("/proc/self/mountinfo", "", &m), 0);
	assert_int_equal(m.version, OW_CG_V1);
	assert_string_equal(m.path, "/sys/fs/cgroup/memory");
	assert_int_equal(ow_cg_read_stat(m.version, m.path, &st), 0);
	assert_true(st.usage > 0);
	assert_true(st.limit == OW_NO_LIMIT); /* the v1 root cannot be limited */
	assert_true(st.anon + st.file > 0);
	assert_int_equal(ow_meminfo_machine_limit("/proc/meminfo", &machine), 0);
	assert_true(machine > 0);
	assert_int_equal(ow_cg_effective_limit(&m, m.path, machine, &lim), 0);
	assert_int_equal(lim, machine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_trusted_depth),
		cmocka_unit_test(test_mount_v1),
		cmocka_unit_test(test_mount_hybrid),
		cmocka_unit_test(test_mount_v2),
		cmocka_unit_test(test_mount_v1_wins_over_v2),
		cmocka_unit_test(test_mount_escaped_and_garbage),
		cmocka_unit_test(test_mount_not_found),
		cmocka_unit_test(test_subtree_has_memory),
		cmocka_unit_test(test_stat_v1_root),
		cmocka_unit_test(test_stat_v1_children),
		cmocka_unit_test(test_stat_v2),
		cmocka_unit_test(test_stat_v2_max_and_defaults),
		cmocka_unit_test(test_stat_missing),
		cmocka_unit_test(test_stat_malformed),
		cmocka_unit_test(test_stat_junk_lines_skipped),
		cmocka_unit_test(test_stat_vanishes_mid_read),
		cmocka_unit_test(test_nonreclaimable),
		cmocka_unit_test(test_effective_limit_v1),
		cmocka_unit_test(test_effective_limit_v2),
		cmocka_unit_test(test_effective_limit_errors),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_meminfo_stat),
		cmocka_unit_test(test_machine_used),
		cmocka_unit_test(test_read_limit),
		cmocka_unit_test(test_display_name),
		cmocka_unit_test(test_display_name_truncates),
		cmocka_unit_test(test_walk_order),
		cmocka_unit_test(test_walk_subtree_and_stop),
		cmocka_unit_test(test_walk_depth),
		cmocka_unit_test(test_walk_errors),
		cmocka_unit_test(test_walk_past_path_max),
		cmocka_unit_test(test_usage_limit_only),
		cmocka_unit_test(test_read_past_path_max),
		cmocka_unit_test(test_read_procs),
		cmocka_unit_test(test_read_procs_errors),
		cmocka_unit_test(test_live_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
