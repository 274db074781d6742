// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the manager's own stop timeout (userspace/sys/manager_stop.c): PM2's dump.pm2
 * parser over buffers, then ow_manager_stop_timeout for processes of the fake procfs in
 * tests/fixtures/manager/proc, detected and verified as the daemon does, over the files of
 * tests/fixtures/manager/root (systemd units, supervisord's configurations, a PM2_HOME), and
 * over a PM2_HOME made at test time holding a FIFO, a symlink, a file too large and one its
 * user may not read.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "manager.h"

#ifndef OW_FIXTURES
#error "build with -DOW_FIXTURES='\"/abs/path/tests/fixtures\"'"
#endif

#define PROC   OW_FIXTURES "/manager/proc"
#define ROOT   OW_FIXTURES "/manager/root"
#define HANG_S 10

static double dump(const char *json, const char *name, int pm_id)
{
	return ow_pm2_dump_kill_timeout(json, strlen(json), name, pm_id);
}

/* ---- dump.pm2 ---- */

static void test_pm2_dump(void **state)
{
	/* every instance of a cluster agrees; pm_id (an older PM2's dump) picks one */
	assert_true(dump("[{\"name\":\"a\",\"kill_timeout\":5000},{\"name\":\"a\","
			 "\"kill_timeout\":5000},{\"name\":\"b\",\"kill_timeout\":1}]",
			 "a", 3) == 5);
	assert_true(dump("[{\"name\":\"a\",\"kill_timeout\":5000},{\"name\":\"a\","
			 "\"kill_timeout\":7000}]",
			 "a", 3) == -1);
	assert_true(dump("[{\"name\":\"a\",\"pm_id\":2,\"kill_timeout\":5000},{\"name\":\"a\","
			 "\"pm_id\":3,\"kill_timeout\":7000}]",
			 "a", 3) == 7);
	/* a name not there, a name of another case */
	assert_true(dump("[{\"name\":\"a\",\"kill_timeout\":5000}]", "b", 0) == -1);
	assert_true(dump("[{\"name\":\"A\",\"kill_timeout\":5000}]", "a", 0) == -1);
}

/* kill_timeout as PM2 takes it: "pm2_env.kill_timeout ? it : 1600", then setTimeout. */
static void test_pm2_dump_values(void **state)
{
	static const struct {
		const char *v;
		double want;
	} cases[] = {
		{"2500", 2.5},	    {"\"12000\"", 12}, {"\" 750 \"", 0.75},  {"0", -1},
		{"null", -1},	    {"false", -1},     {"\"\"", -1},	     {"-5", 0.001},
		{"0.5", 0.001},	    {"3e9", 0.001},    {"\"0\"", 0.001},     {"true", -1},
		{"\"5s\"", -1},	    {"\"0x10\"", -1},  {"\"Infinity\"", -1}, {"[1]", -1},
		{"{\"ms\":1}", -1},
	};
	char json[128];
	unsigned int i;
	double got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(json, sizeof(json), "[{\"name\":\"a\",\"kill_timeout\":%s}]", cases[i].v);
		got = dump(json, "a", 0);
		if (fabs(got - cases[i].want) > 1e-9)
			fail_msg("kill_timeout %s: %f, not %f", cases[i].v, got, cases[i].want);
	}
	assert_true(dump("[{\"name\":\"a\"}]", "a", 0) == -1); /* not set: 1.6 s */
}

static void test_pm2_dump_malformed(void **state)
{
	static const char j[] = "[{\"name\":\"a\",\"kill_timeout\":5000}]\n}x";
	static const char *const bad[] = {
		"",
		"{}",
		"{\"name\":\"a\",\"kill_timeout\":5000}",
		"[{\"name\":\"a\",\"kill_timeout\":5000}",
		"[{\"name\":\"a\",\"kill_timeout\":5000}]]",
		"[1, \"a\", null, [], {\"name\":5,\"kill_timeout\":5000}]",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(dump(bad[i], "a", 0) == -1);
	/* the length is the buffer's: what follows is not read */
	assert_true(ow_pm2_dump_kill_timeout(j, sizeof(j) - 3, "a", 0) == 5);
	assert_true(ow_pm2_dump_kill_timeout(j, sizeof(j) - 2, "a", 0) == -1);
}

/* ---- ow_manager_stop_timeout over the fixtures ---- */

static struct ow_mgr_roots roots;
static char fsroot[PATH_MAX];
static struct ow_manager m;

static int setup(void **state)
{
	if (!realpath(ROOT, fsroot))
		return -1;
	roots.fs = fsroot; /* supervisor and PM2 claims need no cgroup tree */
	return 0;
}

/* As the daemon will: detect, verify, then the stop timeout. */
static void stop_timeout_of(pid_t pid)
{
	ow_manager_detect(PROC, pid, &m);
	assert_true(m.stop_timeout_s == -1);
	ow_manager_verify(&roots, PROC, pid, &m);
	ow_manager_stop_timeout(&roots, PROC, pid, &m);
}

static void assert_timeout(pid_t pid, double want, const char *src)
{
	stop_timeout_of(pid);
	if (m.distrust)
		fail_msg("pid %d: %s", (int)pid, m.distrust);
	if (fabs(m.stop_timeout_s - want) > 1e-9)
		fail_msg("pid %d: %f s, not %f", (int)pid, m.stop_timeout_s, want);
	assert_string_equal(m.stop_timeout_src, src);
}

static void test_supervisor(void **state)
{
	assert_timeout(1006, 45, "stopwaitsecs"); /* queue:worker_01 under supervisord 500 */
	assert_timeout(1040, 30, "stopwaitsecs"); /* web, set again in conf.d */
	/* jobs:jobs-2 under a supervisord of its own user (502), which reads that user's files */
	assert_timeout(1041, 120, "stopwaitsecs");
	assert_true(m.sv_as_user);
	assert_timeout(1042, 15, "stopwaitsecs"); /* supervisord 503 found its file in its cwd */
}

static void test_pm2(void **state)
{
	assert_timeout(1007, 8, "kill_timeout");  /* worker: both instances say 8000 */
	assert_timeout(1031, 12, "kill_timeout"); /* wrapped, pm_id 4 */
	stop_timeout_of(1032);			  /* nocli: none set */
	assert_null(m.distrust);
	assert_true(m.stop_timeout_s == -1);
	assert_string_equal(m.stop_timeout_src, "");
}

/* Claims not believed: nothing is read on their say-so. */
static void test_not_believed(void **state)
{
	stop_timeout_of(1025); /* SUPERVISOR_* in its environ, its parent a shell */
	assert_non_null(m.distrust);
	assert_true(m.stop_timeout_s == -1);
	stop_timeout_of(1028); /* pm_id and PM2_HOME=/tmp/evil, no God daemon */
	assert_non_null(m.distrust);
	assert_true(m.stop_timeout_s == -1);
	ow_manager_detect(PROC, 1001, &m); /* detected, never verified */
	ow_manager_stop_timeout(&roots, PROC, 1001, &m);
	assert_true(m.stop_timeout_s == -1);
}

static void systemd_unit(const char *unit, bool user, bool scope)
{
	memset(&m, 0, sizeof(m));
	m.kind = OW_MGR_SYSTEMD;
	m.pid = 4242;
	snprintf(m.unit, sizeof(m.unit), "%s", unit);
	snprintf(m.name, sizeof(m.name), "%s", unit);
	m.user_unit = user;
	m.scope = scope;
	if (user)
		snprintf(m.home, sizeof(m.home), "/home/deploy");
	ow_manager_stop_timeout(&roots, PROC, m.pid, &m);
}

/* A believed unit (the cgroup checks are test_manager.c's, and need root). */
static void test_systemd(void **state)
{
	systemd_unit("timeout.service", false, false);
	assert_true(m.stop_timeout_s == 90);
	assert_string_equal(m.stop_timeout_src, "TimeoutStopSec");
	systemd_unit("timeout-infinity.service", false, false);
	assert_true(isinf(m.stop_timeout_s));
	assert_string_equal(m.stop_timeout_src, "TimeoutSec");
	systemd_unit("app.service", true, false); /* the user's drop-in in ~/.config */
	assert_true(m.stop_timeout_s == 15);
	systemd_unit("plain.service", false, false);
	assert_true(m.stop_timeout_s == -1);
	systemd_unit("timeout.service", false, true); /* a .scope: its stop is not a service's */
	assert_true(m.stop_timeout_s == -1);
	m.kind = OW_MGR_DOCKER; /* containers: not read */
	ow_manager_stop_timeout(&roots, PROC, m.pid, &m);
	assert_true(m.stop_timeout_s == -1);
	/* read with the container's names at the act (victim.c): kept, not read again (there is
	 * no docker state under the fixture root: a read would say -1) */
	m.kind = OW_MGR_PODMAN;
	m.stop_timeout_s = 15;
	snprintf(m.stop_timeout_src, sizeof(m.stop_timeout_src), "stopTimeout");
	ow_manager_stop_timeout(&roots, PROC, m.pid, &m);
	assert_true(m.stop_timeout_s == 15);
	assert_string_equal(m.stop_timeout_src, "stopTimeout");
}

/* ---- a PM2_HOME its user planted things in ---- */

static char home[64];

static void planted_path(char *buf, size_t len, const char *rel)
{
	assert_true((size_t)snprintf(buf, len, "%s/pm2/%s", home, rel) < len);
}

/* kill_timeout of app "a" (pm_id 0) of uid 1000 whose PM2_HOME is <home>/pm2. */
static double planted(void)
{
	struct ow_mgr_roots r = {.fs = home};

	memset(&m, 0, sizeof(m));
	m.kind = OW_MGR_PM2;
	m.pid = 4242;
	m.pm2_id = 0;
	m.uid = 1000;
	m.ids_known = true;
	snprintf(m.name, sizeof(m.name), "a");
	snprintf(m.pm2_home, sizeof(m.pm2_home), "/pm2");
	alarm(HANG_S);
	ow_manager_stop_timeout(&r, PROC, m.pid, &m);
	alarm(0);
	return m.stop_timeout_s;
}

static void put_dump(const char *text, off_t size, mode_t mode)
{
	char p[256];
	int fd;

	planted_path(p, sizeof(p), "dump.pm2");
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	if (size)
		assert_int_equal(ftruncate(fd, size), 0);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_pm2_planted(void **state)
{
	static const char ok[] = "[{\"name\":\"a\",\"kill_timeout\":3000}]";
	char p[256], target[256];

	snprintf(home, sizeof(home), "/tmp/ow-test-pm2.XXXXXX");
	assert_non_null(mkdtemp(home));
	planted_path(p, sizeof(p), "");
	assert_int_equal(mkdir(p, 0755), 0);
	put_dump(ok, 0, 0644);
	assert_true(planted() == 3);
	assert_string_equal(m.stop_timeout_src, "kill_timeout");
	/* larger than the cap (sparse), a FIFO, a symlink to a file the daemon could read */
	put_dump(ok, 64 << 20, 0644);
	assert_true(planted() == -1);
	planted_path(p, sizeof(p), "dump.pm2");
	unlink(p);
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_true(planted() == -1);
	unlink(p);
	planted_path(target, sizeof(target), "real.json");
	put_dump(ok, 0, 0644);
	assert_int_equal(rename(p, target), 0);
	assert_int_equal(symlink(target, p), 0);
	assert_true(planted() == -1);
	unlink(p);
	/* a file its user (1000) may not read */
	put_dump(ok, 0, 0600);
	assert_true(planted() == (geteuid() == 1000 ? 3 : -1));
	snprintf(p, sizeof(p), "rm -rf '%s'", home);
	assert_int_equal(system(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pm2_dump),
		cmocka_unit_test(test_pm2_dump_values),
		cmocka_unit_test(test_pm2_dump_malformed),
		cmocka_unit_test(test_supervisor),
		cmocka_unit_test(test_pm2),
		cmocka_unit_test(test_not_believed),
		cmocka_unit_test(test_systemd),
		cmocka_unit_test(test_pm2_planted),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
