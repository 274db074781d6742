// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/daemon/candidates.c's victim candidates (ow_collect_victims) and the
 * trust reader behind them (ow_proc_read_trust), over a /proc tree written at test time (exe links
 * must point at files whose owner and mode the test chooses). The attacks of issue 14: a
 * cgroup padded with sleepers, a leaker renamed to a protected name, a user's copy of a
 * protected binary, oom_score_adj -1000.
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

#include "candidates.h"
#include "model.h"
#include "options.h"
#include "proc.h"
#include "settings.h"

#define NS  1000000000ULL
#define MiB (1024ULL * 1024)
#define T0  (1000 * NS)

static char root[64];	   /* the fake /proc */
static char trusted[128];  /* a root-style executable: mode 0755 */
static char writable[128]; /* group-writable: anyone in the group could replace it */
static struct ow_model model;
static struct ow_options opts;

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A process of the fake /proc: comm, memcg path (v1), exe target, oom_score_adj. */
static void fake_proc(pid_t pid, const char *comm, const char *memcg, const char *exe, int adj)
{
	char dir[128], buf[1024], link[160];

	snprintf(dir, sizeof(dir), "%s/%d", root, (int)pid);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(buf, sizeof(buf),
		 "%d (%s) S 1 %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %d 1000 100 "
		 "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		 (int)pid, comm, (int)pid, (int)pid, 5000 + (int)pid);
	write_file(dir, "stat", buf);
	snprintf(buf, sizeof(buf),
		 "Name:\t%s\nPid:\t%d\nPPid:\t1\nUid:\t1000\t1000\t1000\t1000\n"
		 "RssAnon:\t  102400 kB\nRssFile:\t  0 kB\nRssShmem:\t  0 kB\nVmSwap:\t 0 kB\n",
		 comm, (int)pid);
	write_file(dir, "status", buf);
	write_file(dir, "cmdline", comm);
	snprintf(buf, sizeof(buf), "4:memory:%s\n0::/\n", memcg);
	write_file(dir, "cgroup", buf);
	snprintf(buf, sizeof(buf), "%d\n", adj);
	write_file(dir, "oom_score_adj", buf);
	write_file(dir, "oom_score", "600\n");
	snprintf(link, sizeof(link), "%s/exe", dir);
	assert_int_equal(symlink(exe, link), 0);
}

/* The model saw `pid` grow at `mib_s` MiB/s in `memcg` over the last 4 s (0: flat). */
static void grew(pid_t pid, uint64_t memcg, double mib_s)
{
	int i;

	for (i = 0; i < 5; i++)
		ow_model_proc_sample(&model, pid, memcg, "x",
				     (uint64_t)(100 * MiB + i * mib_s * MiB),
				     T0 + (uint64_t)i * NS);
}

static int setup(void **state)
{
	int fd;

	snprintf(root, sizeof(root), "/tmp/ow-test-actuator.XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(trusted, sizeof(trusted), "%s/sshd", root);
	snprintf(writable, sizeof(writable), "%s/postgres", root);
	fd = open(trusted, O_CREAT | O_WRONLY, 0755);
	assert_true(fd >= 0);
	close(fd);
	fd = open(writable, O_CREAT | O_WRONLY, 0775);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(writable, 0775), 0);
	memset(&model, 0, sizeof(model));
	memset(&opts, 0, sizeof(opts));
	/* the watched tree: / (1), /app (2), /app/worker (3), /other (4) */
	assert_non_null(ow_model_add_cgroup(&model, 1, "/m", 2));
	assert_non_null(ow_model_add_cgroup(&model, 2, "/m/app", 2));
	assert_non_null(ow_model_add_cgroup(&model, 3, "/m/app/worker", 2));
	assert_non_null(ow_model_add_cgroup(&model, 4, "/m/other", 2));
	model.cgs[0]->parent_id = 1;
	model.cgs[1]->parent_id = 1;
	model.cgs[2]->parent_id = 2;
	model.cgs[3]->parent_id = 1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	ow_model_free(&model);
	ow_options_free(&opts);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static int collect(uint64_t cg_id, const char *rel, struct ow_candidates *out)
{
	struct ow_victim_scope s = {.procroot = root,
				    .mount = "/nonexistent",
				    .version = OW_CG_V1,
				    .cg_id = cg_id,
				    .rel = rel,
				    .model = &model,
				    .now_ns = T0 + 4 * NS};

	ow_victim_cfg_of(&opts, &s.cfg);
	return ow_collect_victims(&s, out);
}

static int index_of(const struct ow_candidates *c, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (c->c[i].pid == pid)
			return (int)i;
	return -1;
}

/* 1,100 sleepers listed before the leaker: the leaker is still the only candidate. */
static void test_padding_does_not_hide_the_leaker(void **state)
{
	static struct ow_candidates c;
	pid_t pid;

	for (pid = 2000; pid < 3100; pid++) {
		fake_proc(pid, "sleep", "/app/worker", trusted, 0);
		grew(pid, 3, 0);
	}
	fake_proc(5000, "node", "/app/worker", trusted, 0);
	grew(5000, 3, 8);
	fake_proc(4000, "postgres", "/app", trusted, 0);
	grew(4000, 2, 0);
	assert_int_equal(collect(2, "/app", &c), 1);
	assert_int_equal(c.c[0].pid, 5000);
	assert_true(c.c[0].rate > 7 * MiB && c.c[0].rate < 9 * MiB);
	assert_int_equal(ow_policy_pick_victim(c.c, c.n), 0);
}

/* Only the subtree at risk, and only what /proc/PID/cgroup confirms is in it. */
static void test_only_the_subtree(void **state)
{
	static struct ow_candidates c;

	fake_proc(100, "a", "/app/worker", trusted, 0);
	grew(100, 3, 2);
	fake_proc(101, "b", "/other", trusted, 0);
	grew(101, 4, 50);
	/* the model still has it in /app, but it moved to /other since */
	fake_proc(102, "c", "/other", trusted, 0);
	grew(102, 3, 30);
	/* a memcg the model has not scanned yet: /proc decides */
	fake_proc(103, "d", "/app/new", trusted, 0);
	grew(103, 99, 1);
	/* a process that exited: no /proc entry */
	grew(104, 3, 60);
	assert_int_equal(collect(2, "/app", &c), 2);
	assert_int_equal(c.c[0].pid, 100);
	assert_int_equal(c.c[1].pid, 103);
	assert_int_equal(collect(1, "/", &c), 4);
	assert_int_equal(c.c[0].pid, 101); /* fastest first */
	/* "/app" is not a prefix of "/application" */
	assert_int_equal(collect(2, "/ap", &c), 0);
}

/* The leaker renamed itself sshd: --protect sees its executable, not its name. */
static void test_protect_by_executable_not_name(void **state)
{
	static struct ow_candidates c;
	static char pattern[160];
	int i;

	snprintf(pattern, sizeof(pattern), "^%s$", trusted);
	opts.protect = pattern;
	assert_int_equal(regcomp(&opts.protect_re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	fake_proc(200, "sshd", "/app", "/bin/sh", 0); /* renamed leaker */
	grew(200, 2, 20);
	fake_proc(201, "real", "/app", trusted, 0); /* the protected binary itself */
	grew(201, 2, 10);
	assert_int_equal(collect(2, "/app", &c), 2);
	i = index_of(&c, 200);
	assert_false(c.c[i].protected_);
	assert_true(c.c[index_of(&c, 201)].protected_);
	assert_int_equal(c.c[ow_policy_pick_victim(c.c, c.n)].pid, 200);
}

/* A copy of a protected binary that someone other than root may write is not protected. */
static void test_protect_needs_a_trusted_file(void **state)
{
	static struct ow_candidates c;
	struct ow_proc_trust t;

	opts.protect = "/postgres$";
	assert_int_equal(regcomp(&opts.protect_re, opts.protect, REG_EXTENDED | REG_NOSUB), 0);
	fake_proc(300, "postgres", "/app", writable, 0);
	grew(300, 2, 5);
	assert_int_equal(collect(2, "/app", &c), 1);
	assert_false(c.c[0].protected_);
	assert_int_equal(ow_proc_read_trust(root, 300, &t), 0);
	assert_string_equal(t.exe, writable);
	assert_false(t.exe_trusted);
	/* the same path, the file made root-only-writable (when the test runs as root) */
	assert_int_equal(chmod(writable, 0755), 0);
	assert_int_equal(ow_proc_read_trust(root, 300, &t), 0);
	assert_int_equal(t.exe_trusted, geteuid() == 0);
}

/* oom_score_adj -1000 is the administrator's "never"; the kernel's oom_score breaks ties. */
static void test_oom_score_adj_and_score(void **state)
{
	static struct ow_candidates c;
	struct ow_proc_trust t;

	fake_proc(400, "a", "/app", trusted, -1000);
	grew(400, 2, 20);
	fake_proc(401, "b", "/app", trusted, 500);
	grew(401, 2, 1);
	assert_int_equal(collect(2, "/app", &c), 2);
	assert_true(c.c[index_of(&c, 400)].never_oom);
	assert_int_equal(c.c[index_of(&c, 401)].oom_score, 600);
	assert_int_equal(c.c[ow_policy_pick_victim(c.c, c.n)].pid, 401);
	assert_int_equal(ow_proc_read_trust(root, 400, &t), 0);
	assert_int_equal(t.oom_score_adj, -1000);
	assert_int_equal(t.uid, 1000);
}

/* Malformed and vanished: no candidate, no crash. */
static void test_trust_malformed(void **state)
{
	struct ow_proc_trust t;
	char dir[PATH_MAX];

	fake_proc(500, "a", "/app", trusted, 0);
	snprintf(dir, sizeof(dir), "%s/500", root);
	write_file(dir, "oom_score_adj", "-1001\n");
	assert_int_equal(ow_proc_read_trust(root, 500, &t), -EINVAL);
	write_file(dir, "oom_score_adj", "12abc\n");
	assert_int_equal(ow_proc_read_trust(root, 500, &t), -EINVAL);
	write_file(dir, "oom_score_adj", "0\n");
	write_file(dir, "status", "Name:\ta\nUid:\t-1\t0\t0\t0\n");
	assert_int_equal(ow_proc_read_trust(root, 500, &t), -EINVAL);
	write_file(dir, "status", "Name:\ta\n");
	assert_int_equal(ow_proc_read_trust(root, 500, &t), -EINVAL);
	assert_int_equal(ow_proc_read_trust(root, 501, &t), -ESRCH);
}

/* The real thing: this test process, through the real /proc. */
static void test_trust_live(void **state)
{
	struct ow_proc_trust t;

	assert_int_equal(ow_proc_read_trust("/proc", getpid(), &t), 0);
	assert_int_equal(t.uid, getuid());
	assert_true(t.exe[0] == '/');
	assert_true(t.oom_score_adj >= -1000 && t.oom_score_adj <= 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_padding_does_not_hide_the_leaker, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_only_the_subtree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_by_executable_not_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_protect_needs_a_trusted_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oom_score_adj_and_score, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trust_malformed, setup, teardown),
		cmocka_unit_test(test_trust_live),
	};

	return cmocka_run_group_tests_name("actuator", tests, NULL, NULL);
}
