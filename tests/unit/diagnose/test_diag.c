// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for diagnose's pure parts: the growth fit and its finding
 * (userspace/diagnose/diag_judge.c), target resolution over the fixture trees
 * (userspace/diagnose/diag_target.c) and the report's escaping (userspace/diagnose/diag_report.c).
 * Series are sampled every 250 ms, as diagnose samples them.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "diag_report.h"
#include "diag_target.h"
#include "diag_judge.h"
#include "diagnose.h"
#include "options.h"

#define MiB   1048576.0
#define TICK  0.25
#define NMAX  1024
#define V2    OW_FIXTURES "/v2/sys/fs/cgroup"
#define PROCS OW_FIXTURES "/proc"

static struct ow_diag_sample series[NMAX];

/* shape(t) sampled every TICK for `secs`; returns the count. */
static size_t sample(double secs, double (*shape)(double))
{
	size_t n = 0;
	double t;

	for (t = 0; t <= secs + 1e-9 && n < NMAX; t += TICK)
		series[n++] = (struct ow_diag_sample){t, 100 * MiB + shape(t)};
	return n;
}

/* t mod period, without libm (the tests link what the daemon links). */
static double phase(double t, double period)
{
	return t - period * (double)(long)(t / period);
}

static double linear_1mib(double t)
{
	return t * MiB;
}

static double flat(double t)
{
	(void)t;
	return 0;
}

/* Start-up: 40 MiB in the first 2 s, then a plateau. */
static double burst(double t)
{
	return t < 2 ? 20 * MiB * t : 40 * MiB;
}

/* A GC heap: 8 MiB of garbage collected every 2 s over a floor rising 512 KiB/s. */
static double gc_rising(double t)
{
	return 0.5 * MiB * t + 8 * MiB * phase(t, 2.0) / 2.0;
}

static double gc_flat(double t)
{
	return 8 * MiB * phase(t, 2.0) / 2.0;
}

static double slow(double t)
{
	return 10 * 1024 * t; /* 10 KiB/s: 100 KiB in 10 s */
}

static void test_fit_exact(void **state)
{
	struct ow_line_fit fit;
	size_t n = sample(10, linear_1mib);

	(void)state;
	assert_int_equal(ow_fit_line(series, n, &fit), 0);
	assert_true(fabs(fit.slope - MiB) < 1e-6 * MiB);
	assert_true(fabs(fit.intercept - 100 * MiB) < 1);
	assert_true(fit.r2 > 0.999999);
	assert_int_equal(ow_fit_line(series, 1, &fit), -EINVAL);
	series[1].t_s = series[0].t_s;
	assert_int_equal(ow_fit_line(series, 2, &fit), -EINVAL); /* no time span */
}

static void judge(double secs, double (*shape)(double), struct ow_diag_judgement *j)
{
	ow_diag_judge(series, sample(secs, shape), j);
}

static void test_linear_leak(void **state)
{
	struct ow_diag_judgement j;

	(void)state;
	judge(10, linear_1mib, &j);
	assert_int_equal(j.finding, OW_DIAG_LEAK);
	assert_true(fabs(j.rate - MiB) < 0.01 * MiB);
	assert_int_equal(j.floor_rises, 3);
	assert_true(j.confidence > 0.7 && j.confidence <= 1.0);
	judge(30, linear_1mib, &j);
	assert_true(j.confidence > 0.99); /* a full 30 s look at a perfect line */
	assert_string_equal(ow_diag_finding_name(j.finding), "leak");
}

static void test_benign_shapes(void **state)
{
	struct ow_diag_judgement j;

	(void)state;
	judge(10, flat, &j);
	assert_int_equal(j.finding, OW_DIAG_NO_LEAK);
	assert_true(fabs(j.rate) < 1);
	judge(10, burst, &j);
	assert_int_equal(j.finding, OW_DIAG_NO_LEAK);
	assert_true(j.rate > 0); /* the slope is positive: the floor test is what says no */
	judge(12, gc_flat, &j);
	assert_int_equal(j.finding, OW_DIAG_NO_LEAK);
	assert_string_equal(ow_diag_finding_name(j.finding), "no-leak");
}

static void test_gc_rising_floor_is_a_leak(void **state)
{
	struct ow_diag_judgement j;

	(void)state;
	judge(16, gc_rising, &j);
	assert_int_equal(j.finding, OW_DIAG_LEAK);
	assert_true(fabs(j.rate - 0.5 * MiB) < 0.2 * MiB);
}

static void test_insufficient(void **state)
{
	struct ow_diag_judgement j;

	(void)state;
	judge(3, linear_1mib, &j); /* under OW_DIAG_MIN_SPAN_S */
	assert_int_equal(j.finding, OW_DIAG_INSUFFICIENT);
	judge(10, slow, &j); /* rising, but under 1 MiB in the window */
	assert_int_equal(j.finding, OW_DIAG_INSUFFICIENT);
	assert_int_equal(j.floor_rises, 3);
	ow_diag_judge(series, 0, &j);
	assert_int_equal(j.finding, OW_DIAG_INSUFFICIENT);
	assert_string_equal(ow_diag_finding_name(j.finding), "insufficient-data");
}

static void roots(struct ow_diag_roots *r)
{
	memset(r, 0, sizeof(*r));
	r->mount.version = OW_CG_V2;
	snprintf(r->mount.path, sizeof(r->mount.path), "%s", V2);
	r->proc = PROCS;
}

static bool has_pid(const struct ow_diag_target *t, pid_t pid)
{
	for (unsigned int i = 0; i < t->npids; i++)
		if (t->pids[i] == pid)
			return true;
	return false;
}

static void test_target_pid(void **state)
{
	struct ow_diag_target t;
	struct ow_diag_roots r;
	char err[256];

	(void)state;
	roots(&r);
	assert_int_equal(ow_diag_target_pid(&r, 100, &t, err, sizeof(err)), 0);
	assert_string_equal(t.dir, V2 "/system.slice/api.service");
	assert_string_equal(t.label, "pid 100 (node)");
	assert_int_equal(t.npids, 1);
	assert_int_equal(t.nmemcgs, 1);
	assert_false(t.by_cgroup);
	assert_int_equal(ow_diag_target_pid(&r, 99999, &t, err, sizeof(err)), -ESRCH);
	assert_string_equal(err, "no such process: 99999");
}

static void test_target_cgroup(void **state)
{
	struct ow_diag_target t;
	struct ow_diag_roots r;
	char err[256];

	(void)state;
	roots(&r);
	/* Relative to the mount, or the full directory: the same target, with descendants. */
	assert_int_equal(ow_diag_target_cgroup(&r, "/system.slice", &t, err, sizeof(err)), 0);
	assert_string_equal(t.dir, V2 "/system.slice");
	assert_string_equal(t.label, "cgroup /system.slice");
	assert_true(t.by_cgroup);
	assert_true(t.nmemcgs >= 3); /* itself, api.service, the docker scope */
	assert_true(has_pid(&t, 100) && has_pid(&t, 101) && has_pid(&t, 300));
	assert_int_equal(ow_diag_target_cgroup(&r, V2 "/system.slice", &t, err, sizeof(err)), 0);
	assert_string_equal(t.dir, V2 "/system.slice");
	assert_int_equal(ow_diag_target_cgroup(&r, "/nope", &t, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no such memory cgroup: /nope"));
}

static void test_target_unit(void **state)
{
	struct ow_diag_target t;
	struct ow_diag_roots r;
	char err[256];

	(void)state;
	roots(&r);
	assert_int_equal(ow_diag_target_unit(&r, "api.service", &t, err, sizeof(err)), 0);
	assert_string_equal(t.dir, V2 "/system.slice/api.service");
	assert_string_equal(t.label, "unit api.service");
	assert_true(has_pid(&t, 100) && has_pid(&t, 101));
	assert_int_equal(ow_diag_target_unit(&r, "gone.service", &t, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "no cgroup for unit gone.service (is it running?)");
}

/* Write `text` to root/rel (directories made as needed, chowned to uid when uid != 0). */
static void put_cg(const char *root, const char *rel, uid_t uid, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "mkdir -p '%s%s'", root, rel);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s%s", root, rel);
	if (uid)
		assert_int_equal(chown(path, uid, uid), 0);
	snprintf(path, sizeof(path), "%s%s/cgroup.procs", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A user's own "api.service" in a delegated subtree (found first: "deleg" sorts before
 * "system.slice") is not the unit. Git keeps no owners: the tree is made here. */
static void test_target_unit_delegated(void **state)
{
	char root[] = "/tmp/ow-test-diag.XXXXXX", cmd[64];
	struct ow_diag_target t;
	struct ow_diag_roots r;
	char err[256];

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(root));
	put_cg(root, "/deleg", 1000, "");
	put_cg(root, "/deleg/api.service", 0, "101\n");
	put_cg(root, "/system.slice/api.service", 0, "100\n");
	roots(&r);
	snprintf(r.mount.path, sizeof(r.mount.path), "%s", root);
	assert_int_equal(ow_diag_target_unit(&r, "api.service", &t, err, sizeof(err)), 0);
	assert_string_equal(t.dir + strlen(root), "/system.slice/api.service");
	assert_true(has_pid(&t, 100) && !has_pid(&t, 101));
	/* only the user's: no unit */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/system.slice'", root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ow_diag_target_unit(&r, "api.service", &t, err, sizeof(err)), -ENOENT);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* No control character a target chose reaches the terminal or breaks the JSON. */
#define EVIL	  "x\x1b[2J\r\x7f\xc2\x9b\xff"
#define EVIL_TEXT "x\\x1b[2J\\x0d\\x7f\\xc2\\x9b\\xff"

static bool clean_text(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) || *p == 0xff)
			return false;
	return true;
}

static char *render(const struct ow_diag_report *r, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		assert_int_equal(ow_diag_report_json(f, r), 0);
	else
		ow_diag_report_text(f, r);
	fclose(f);
	return buf;
}

static void test_report_escapes_target_names(void **state)
{
	char frames[1][OW_DIAG_FRAME_LEN] = {EVIL};
	struct ow_smaps_delta map = {.name = "/tmp/" EVIL, .d_rss = 1 << 20};
	struct ow_diag_proc_report proc = {.pid = 42, .maps = &map, .nmaps = 1};
	struct ow_diag_stack_report stack = {
		.pid = 42, .bytes = 4096, .count = 1, .frames = frames, .nframes = 1};
	struct ow_diag_report r = {.target = "pid 42 (" EVIL ")",
				   .limit = OW_NO_LIMIT,
				   .have_cg = true,
				   .procs = &proc,
				   .nprocs = 1,
				   .stacks_on = true,
				   .stacks = &stack,
				   .nstacks = 1,
				   .top = 5};
	char *text, *json;
	cJSON *root;

	snprintf(proc.comm, sizeof(proc.comm), "%s", EVIL);
	snprintf(r.cg_name, sizeof(r.cg_name), "%s", EVIL);
	snprintf(r.note, sizeof(r.note), "%s", EVIL);
	snprintf(r.j.reason, sizeof(r.j.reason), "%s", "steady growth");
	text = render(&r, false);
	assert_true(clean_text(text));
	assert_non_null(strstr(text, EVIL_TEXT));
	json = render(&r, true);
	assert_true(clean_text(json));
	root = cJSON_Parse(json);
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItem(root, "target")->valuestring,
			    "pid 42 (" EVIL_TEXT ")");
	cJSON_Delete(root);
	free(text);
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_exact),
		cmocka_unit_test(test_linear_leak),
		cmocka_unit_test(test_benign_shapes),
		cmocka_unit_test(test_gc_rising_floor_is_a_leak),
		cmocka_unit_test(test_insufficient),
		cmocka_unit_test(test_target_pid),
		cmocka_unit_test(test_target_cgroup),
		cmocka_unit_test(test_target_unit),
		cmocka_unit_test(test_target_unit_delegated),
		cmocka_unit_test(test_report_escapes_target_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
