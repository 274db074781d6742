// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for manager detection (userspace/sys/manager.c) against the fake procfs in
 * tests/fixtures/manager/proc, Restart= from unit files (userspace/sys/unitfile.c) against
 * tests/fixtures/manager/root, and the signal-or-restart decision (userspace/core/action_plan.c).
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
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

#include "action_plan.h"
#include "manager.h"
#include "runner.h"
#include "unitfile.h"

#ifndef OW_FIXTURES
#error "build with -DOW_FIXTURES='\"/abs/path/tests/fixtures\"'"
#endif

#define PROC OW_FIXTURES "/manager/proc"
#define ROOT OW_FIXTURES "/manager/root"
#define H1   "3f2a1b4c5d6eaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define H2   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H3   "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static struct ow_manager m;
static char label[256];

/* The home the password database gives uid ("" if none): HOME never comes from environ. */
static const char *passwd_home(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	return pw && pw->pw_dir ? pw->pw_dir : "";
}

static const char *detect(pid_t pid)
{
	ow_manager_detect(PROC, pid, &m);
	ow_manager_label(&m, label, sizeof(label));
	return label;
}

/* ---- detection ---- */

static void test_systemd_v2(void **state)
{
	assert_string_equal(detect(1001), "systemd:api.service");
	assert_int_equal(m.kind, OW_MGR_SYSTEMD);
	assert_string_equal(m.unit, "api.service");
	assert_false(m.scope);
	assert_false(m.user_unit);
	assert_true(m.unit_main); /* its parent is PID 1 */
	assert_int_equal(m.pm2_id, -1);
}

static void test_systemd_v1_name_systemd(void **state)
{
	assert_string_equal(detect(1002), "systemd:queue.service");
	assert_string_equal(m.unit, "queue.service");
}

static void test_systemd_v1_memory_line_only(void **state)
{
	assert_string_equal(detect(1003), "systemd:mem.service");
}

static void test_user_unit(void **state)
{
	assert_string_equal(detect(1004), "systemd:user@1000:app.service");
	assert_true(m.user_unit);
	assert_int_equal(m.user_uid, 1000);
	assert_true(m.unit_main); /* its parent is the user's systemd */
	/* its environ says HOME=/home/deploy: the password database decides */
	assert_string_equal(m.home, passwd_home(1000));
	assert_true(m.ids_known);
	assert_int_equal(m.uid, 1000);
}

static void test_user_manager_itself(void **state)
{
	/* systemd --user lives in init.scope of user@1000.service. */
	assert_string_equal(detect(1100), "systemd:user@1000:init.scope");
	assert_true(m.scope);
}

static void test_scope(void **state)
{
	assert_string_equal(detect(1005), "systemd:session-3.scope");
	assert_true(m.scope);
	assert_false(m.user_unit);
	assert_false(m.unit_main);
}

static void test_supervisor(void **state)
{
	assert_string_equal(detect(1006), "supervisor:queue:worker_01");
	assert_int_equal(m.kind, OW_MGR_SUPERVISOR);
	assert_string_equal(m.sv_group, "queue");
	assert_string_equal(m.sv_process, "worker_01");
	assert_string_equal(m.unit, "supervisor.service"); /* kept: where supervisord runs */
}

static void test_pm2(void **state)
{
	assert_string_equal(detect(1007), "pm2:worker(id 3)");
	assert_int_equal(m.kind, OW_MGR_PM2);
	assert_int_equal(m.pm2_id, 3);
	/* PM2_HOME, HOME and PATH of its environ are not taken: see test_plan_pm2 */
	assert_string_equal(m.pm2_home, "");
	assert_string_equal(m.home, passwd_home(1000));
	assert_non_null(m.distrust); /* not checked yet */
	assert_true(m.ids_known);
	assert_int_equal(m.uid, 1000);
	assert_int_equal(m.gid, 1001);
	assert_string_equal(m.unit, "pm2-deploy.service");
}

static void test_docker_systemd_driver(void **state)
{
	assert_string_equal(detect(1008), "docker:3f2a1b4c5d6e");
	assert_int_equal(m.kind, OW_MGR_DOCKER);
	assert_string_equal(m.id, H1);
}

static void test_docker_cgroupfs_v1(void **state)
{
	assert_string_equal(detect(1009), "docker:0123456789ab");
	assert_string_equal(m.id, H2);
}

static void test_kubepods_systemd_driver(void **state)
{
	assert_string_equal(detect(1010), "kubernetes:fedcba987654(pod 0b6e-11aa-22bb)");
	assert_int_equal(m.kind, OW_MGR_KUBERNETES);
	assert_string_equal(m.id, H3);
}

static void test_kubepods_cgroupfs(void **state)
{
	assert_string_equal(detect(1011), "kubernetes:0123456789ab(pod 0b6e-11aa-22bb)");
}

static void test_podman(void **state)
{
	assert_string_equal(detect(1012), "podman:3f2a1b4c5d6e");
	assert_string_equal(detect(1013), "podman:0123456789ab"); /* rootless, nested cgroup */
	/* with its name and image from podman's state (sys/container_state.h) */
	snprintf(m.ctr_name, sizeof(m.ctr_name), "queue");
	snprintf(m.ctr_image, sizeof(m.ctr_image), "localhost/app:1");
	ow_manager_label(&m, label, sizeof(label));
	assert_string_equal(label, "podman:queue(image localhost/app:1)");
	m.ctr_image[0] = '\0';
	ow_manager_label(&m, label, sizeof(label));
	assert_string_equal(label, "podman:queue(image ?)");
	assert_string_equal(m.id, H2);
}

static void test_containerd(void **state)
{
	assert_string_equal(detect(1020), "containerd:3f2a1b4c5d6e");
}

static void test_container_beats_pm2(void **state)
{
	/* pm2-runtime inside a container: the host can only restart the container. */
	assert_string_equal(detect(1018), "docker:fedcba987654");
}

static void test_delegated_subcgroup(void **state)
{
	assert_string_equal(detect(1021), "systemd:worker@3.service");
}

static void test_malformed(void **state)
{
	assert_string_equal(detect(1014), "unknown");
	assert_int_equal(m.kind, OW_MGR_UNKNOWN);
	assert_int_equal(m.pm2_id, -1); /* pm_id=abc is not an id */
}

static void test_unreadable_and_missing(void **state)
{
	assert_string_equal(detect(1015), "unknown"); /* cgroup and environ are directories */
	assert_string_equal(detect(9999), "unknown"); /* no such pid */
	assert_false(m.ids_known);
	assert_string_equal(detect(0), "unknown");
}

static void test_empty_files(void **state)
{
	assert_string_equal(detect(1016), "unknown");
	assert_string_equal(m.home, passwd_home(0));
}

static void test_huge_environ(void **state)
{
	/* 150 KB of filler, then a PATH too long to keep, then the PM2 variables. */
	assert_string_equal(detect(1017), "pm2:big(id 7)");
}

static void test_truncated_environ(void **state)
{
	/* "pm_id=5" without its NUL: cut off, so not believed. */
	assert_string_equal(detect(1019), "systemd:api.service");
}

static void test_env_scan_across_chunks(void **state)
{
	static const char env[] = "A=1\0pm_id=12\0name=api\0SUPERVISOR_PROCESS_NAME=x\0";
	struct ow_env_scan s;
	size_t i;

	ow_env_scan_init(&s);
	for (i = 0; i < sizeof(env) - 1; i++)
		ow_env_scan_feed(&s, env + i, 1); /* one byte at a time */
	assert_true(s.info.pm2);
	assert_int_equal(s.info.pm2_id, 12);
	assert_string_equal(s.info.pm2_name, "api");
	assert_string_equal(s.info.sv_process, "x");
}

static void test_env_parse_supervisor_defaults(void **state)
{
	static const char env[] = "SUPERVISOR_PROCESS_NAME=api\0";
	static const char enabled_only[] = "SUPERVISOR_ENABLED=1\0";
	struct ow_env_info e;

	ow_env_parse(env, sizeof(env) - 1, &e);
	assert_true(e.supervisor);
	assert_string_equal(e.sv_group, "api"); /* a lone program is its own group */
	ow_env_parse(enabled_only, sizeof(enabled_only) - 1, &e);
	assert_false(e.supervisor); /* no name to restart */
}

static void test_env_control_chars(void **state)
{
	static const char env[] = "pm_id=1\0name=a\nb\033[31m\0";
	struct ow_env_info e;

	ow_env_parse(env, sizeof(env) - 1, &e);
	assert_string_equal(e.pm2_name, "a?b?[31m");
}

static void test_parse_cgroup_buffer(void **state)
{
	struct ow_manager x;

	memset(&x, 0, sizeof(x));
	assert_int_equal(ow_manager_parse_cgroup("garbage\n", &x), -EINVAL);
	assert_int_equal(x.kind, OW_MGR_UNKNOWN);
	memset(&x, 0, sizeof(x));
	assert_int_equal(ow_manager_parse_cgroup("0::/\n", &x), 0);
	assert_int_equal(x.kind, OW_MGR_UNKNOWN); /* the root: no unit */
	memset(&x, 0, sizeof(x));
	/* Hybrid: name=systemd wins over the memory line. */
	assert_int_equal(ow_manager_parse_cgroup("4:memory:/x.slice\n1:name=systemd:/a.service\n"
						 "0::/a.service\n",
						 &x),
			 0);
	assert_string_equal(x.unit, "a.service");
	memset(&x, 0, sizeof(x));
	ow_manager_from_path("/system.slice/docker-" H1 ".scope/extra/" H2, &x);
	assert_string_equal(x.name, "3f2a1b4c5d6e"); /* a hex dir below is not docker's */
	memset(&x, 0, sizeof(x));
	ow_manager_from_path("/system.slice/libpod-conmon-" H1 ".scope", &x);
	assert_int_equal(x.kind, OW_MGR_SYSTEMD); /* conmon is not the container */
}

/* ---- Restart= ---- */

static enum ow_sigterm_fate fate(const char *unit, bool user, const char *home,
				 struct ow_unit_restart *u)
{
	assert_int_equal(ow_unit_restart_read(ROOT, unit, user, home, u), 0);
	return ow_unit_sigterm_fate(u);
}

static void test_restart_on_failure_note(void **state)
{
	struct ow_unit_restart u;
	char note[256];

	assert_int_equal(fate("api.service", false, NULL, &u), OW_FATE_STAYS_STOPPED);
	assert_true(u.found);
	assert_string_equal(u.restart, "on-failure");
	ow_unit_restart_note("api.service", &u, note, sizeof(note));
	assert_non_null(strstr(note, "api.service has Restart=on-failure: it will stay stopped"));
}

static void test_restart_values(void **state)
{
	struct ow_unit_restart u;
	char note[256];

	assert_int_equal(fate("always.service", false, NULL, &u), OW_FATE_RESTARTED);
	assert_string_equal(u.restart, "always");
	ow_unit_restart_note("always.service", &u, note, sizeof(note));
	assert_string_equal(note, "always.service has Restart=always: systemd will restart it");
	assert_int_equal(fate("plain.service", false, NULL, &u), OW_FATE_STAYS_STOPPED);
	ow_unit_restart_note("plain.service", &u, note, sizeof(note));
	assert_string_equal(note, "plain.service has Restart=no: it will stay stopped");
	assert_int_equal(fate("section.service", false, NULL, &u), OW_FATE_STAYS_STOPPED);
	assert_string_equal(u.restart, "no"); /* Restart= outside [Service] is ignored */
}

static void test_restart_dropins(void **state)
{
	struct ow_unit_restart u;

	/* etc's 10-restart.conf masks lib's; run's 20-late.conf comes after it by name. */
	assert_int_equal(fate("override.service", false, NULL, &u), OW_FATE_RESTARTED);
	assert_string_equal(u.restart, "on-success");
	assert_int_equal(fate("reset.service", false, NULL, &u), OW_FATE_STAYS_STOPPED);
	assert_string_equal(u.restart, "no"); /* "Restart=" resets */
	assert_false(u.prevent_term);
}

static void test_restart_template(void **state)
{
	struct ow_unit_restart u;

	assert_int_equal(fate("worker@3.service", false, NULL, &u), OW_FATE_RESTARTED);
	assert_string_equal(u.restart, "always"); /* instance drop-in after the template's */
	assert_int_equal(fate("worker@4.service", false, NULL, &u), OW_FATE_STAYS_STOPPED);
	assert_string_equal(u.restart, "on-failure");
}

static void test_restart_exit_status_lists(void **state)
{
	struct ow_unit_restart u;
	char note[256];

	assert_int_equal(fate("prevent.service", false, NULL, &u), OW_FATE_STAYS_STOPPED);
	ow_unit_restart_note("prevent.service", &u, note, sizeof(note));
	assert_string_equal(note,
			    "prevent.service has RestartPreventExitStatus=SIGTERM: it will stay "
			    "stopped");
	assert_int_equal(fate("force.service", false, NULL, &u), OW_FATE_RESTARTED);
}

static void test_restart_unknown(void **state)
{
	struct ow_unit_restart u;
	char note[64] = "x";

	assert_int_equal(fate("masked.service", false, NULL, &u), OW_FATE_UNKNOWN);
	assert_true(u.masked);
	assert_int_equal(fate("empty.service", false, NULL, &u), OW_FATE_UNKNOWN);
	assert_int_equal(fate("nosuch.service", false, NULL, &u), OW_FATE_UNKNOWN);
	assert_false(u.found);
	ow_unit_restart_note("nosuch.service", &u, note, sizeof(note));
	assert_string_equal(note, "");
	/* Garbage lines are skipped; an unknown Restart= value is not guessed at. */
	assert_int_equal(fate("malformed.service", false, NULL, &u), OW_FATE_UNKNOWN);
	assert_string_equal(u.restart, "sometimes");
	assert_int_equal(ow_unit_restart_read(ROOT, "../etc/passwd", false, NULL, &u), -EINVAL);
}

static void test_restart_user_units(void **state)
{
	struct ow_unit_restart u;

	/* ~/.config/systemd/user comes before /usr/lib/systemd/user. */
	assert_int_equal(fate("app.service", true, "/home/deploy", &u), OW_FATE_STAYS_STOPPED);
	assert_string_equal(u.restart, "on-abnormal");
	assert_int_equal(fate("app.service", true, NULL, &u), OW_FATE_RESTARTED);
	assert_int_equal(fate("other.service", true, "/home/deploy", &u), OW_FATE_RESTARTED);
	assert_int_equal(fate("other.service", false, NULL, &u), OW_FATE_UNKNOWN);
}

static void test_restart_parse_buffer(void **state)
{
	struct ow_unit_restart u;

	ow_unit_restart_init(&u);
	ow_unit_restart_parse("[Service]\nRestart=on-watchdog\n", &u);
	assert_int_equal(ow_unit_sigterm_fate(&u), OW_FATE_STAYS_STOPPED);
	ow_unit_restart_parse("[Service]\nRestartForceExitStatus=SIGTERM\n", &u);
	assert_int_equal(ow_unit_sigterm_fate(&u), OW_FATE_RESTARTED);
	ow_unit_restart_parse("[Service]\nRestartPreventExitStatus=TERM\n", &u);
	assert_int_equal(ow_unit_sigterm_fate(&u), OW_FATE_STAYS_STOPPED); /* prevent wins */
}

/* ---- signal or restart ---- */

static struct ow_action_plan p;

/*
 * A cgroup tree like a v2 machine's, made at test time (git keeps no owners): root-made
 * units, user@1000.service delegated to 1000 (with names its user made below it), and a
 * subtree /deleg an admin delegated to 1000.
 */
static char tree[] = "/tmp/ow-test-manager.XXXXXX";
static char fsroot[PATH_MAX];
static struct ow_mgr_roots roots;

static void mk(const char *rel, uid_t uid)
{
	char cmd[PATH_MAX + 32], path[PATH_MAX];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s%s'", tree, rel);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s%s", tree, rel);
	assert_int_equal(chown(path, uid, uid), 0);
}

static int make_tree(void **state)
{
	if (geteuid() != 0)
		return 0; /* the plan tests skip */
	if (!mkdtemp(tree) || !realpath(ROOT, fsroot))
		return -1;
	mk("/system.slice/api.service", 0);
	mk("/system.slice/supervisor.service", 0);
	mk("/system.slice/pm2-deploy.service", 0);
	mk("/system.slice/docker-" H1 ".scope", 0);
	mk("/system.slice/nerdctl-" H1 ".scope", 0);
	mk("/machine.slice/libpod-" H1 ".scope", 0);
	mk("/user.slice/user-1000.slice/session-3.scope", 0);
	mk("/user.slice/user-1000.slice/user@1000.service", 1000);
	mk("/user.slice/user-1000.slice/user@1000.service/app.slice/app.service", 1000);
	mk("/user.slice/user-1000.slice/user@1000.service/user@1001.service/x.service", 1000);
	mk("/user.slice/user-1000.slice/user@1000.service/evil", 1000);
	mk("/user.slice/user-1001.slice/user@1001.service", 1001);
	mk("/user.slice/user-1001.slice/user@1001.service/app.service", 1001);
	mk("/deleg", 1000);
	mk("/deleg/docker-" H2 ".scope", 1000);
	roots.hier[OW_MGR_HIER_UNIFIED] = tree;
	roots.fs = fsroot;
	return 0;
}

static int remove_tree(void **state)
{
	char cmd[64];

	if (geteuid() != 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
	return system(cmd) ? -1 : 0;
}

static void verify(pid_t pid)
{
	if (geteuid() != 0)
		skip();
	ow_manager_detect(PROC, pid, &m);
	ow_manager_verify(&roots, PROC, pid, &m);
}

static void plan_for(pid_t pid, enum ow_action wanted, double grace)
{
	verify(pid);
	ow_plan_action(wanted, &m, grace, &p);
}

/* A restart asked for, a SIGTERM planned instead, and why. */
static void assert_distrusted(pid_t pid, const char *why)
{
	plan_for(pid, OW_ACTION_RESTART, 10);
	assert_int_equal(p.action, OW_ACTION_SIGNAL);
	assert_null(p.argv[0]);
	assert_string_equal(p.why, why);
}

static void assert_env(const char *entry)
{
	unsigned int i;

	for (i = 0; i < p.envc; i++) {
		if (!strcmp(p.envp[i], entry))
			return;
	}
	fail_msg("no %s in the command's environment", entry);
}

static void test_plan_signal_asked(void **state)
{
	plan_for(1007, OW_ACTION_SIGNAL, 10);
	assert_int_equal(p.action, OW_ACTION_SIGNAL);
	assert_string_equal(p.why, "the action is signal");
	assert_null(p.argv[0]);
	assert_string_equal(p.command, "");
}

static void test_plan_systemd(void **state)
{
	plan_for(1001, OW_ACTION_RESTART, 10);
	assert_int_equal(p.action, OW_ACTION_RESTART);
	assert_string_equal(p.command, "systemctl restart api.service");
	assert_int_equal(p.argc, 3);
	assert_null(p.argv[3]);
	assert_false(p.as_user);
	assert_env("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	assert_true(p.timeout_s == 10);
}

static void test_plan_systemd_user(void **state)
{
	plan_for(1004, OW_ACTION_RESTART, 4);
	assert_string_equal(p.command, "systemctl --user --machine=1000@ restart app.service");
}

static void test_plan_scope_falls_back(void **state)
{
	plan_for(1005, OW_ACTION_RESTART, 10);
	assert_int_equal(p.action, OW_ACTION_SIGNAL);
	assert_string_equal(p.why, "a .scope unit cannot be restarted by systemctl");
	assert_null(p.argv[0]);
}

static void test_plan_supervisor(void **state)
{
	plan_for(1006, OW_ACTION_RESTART, 10);
	assert_string_equal(
		p.command,
		"supervisorctl -c /etc/supervisor/supervisord.conf restart queue:worker_01 "
		"(if supervisord knows pid 1006 by that name)");
	assert_false(p.as_user); /* supervisord (pid 500) runs as root */
	assert_string_equal(p.argv[0], "/bin/sh");
	assert_string_equal(p.argv[4], "queue:worker_01");
	assert_string_equal(p.argv[5], "1006");
	assert_string_equal(p.argv[6], "/etc/supervisor/supervisord.conf");
	/* A panel's supervisord (pid 510), started with -c supervisor.conf in its working
	 * directory: supervisorctl gets that file, made absolute. */
	plan_for(1043, OW_ACTION_RESTART, 10);
	assert_string_equal(p.argv[6], "/www/server/panel/plugin/supervisor/supervisor.conf");
}

/* Run the planned command with the fixture supervisorctl first on PATH. */
static int run_plan(char *out, size_t len)
{
	char *envp[] = {"PATH=" OW_FIXTURES "/manager/bin:/usr/bin:/bin", NULL};
	struct ow_job j;
	siginfo_t si;
	int status;

	assert_int_equal(ow_job_start(&j, p.argv, envp, false, 0, 0, NULL), 0);
	waitid(P_PID, (id_t)j.pid, &si, WEXITED | WNOWAIT);
	while (!ow_job_drain(&j))
		;
	assert_int_equal(ow_job_reap(&j, &status), 1);
	snprintf(out, len, "%.*s", (int)(len - 1), j.out);
	ow_job_close(&j);
	return WEXITSTATUS(status);
}

/* A supervised program that re-exec'd itself with another SUPERVISOR_PROCESS_NAME keeps
 * supervisord as its parent: supervisord must know its pid by the name it claims. */
static void test_plan_supervisor_checks_pid(void **state)
{
	char out[256];

	plan_for(1006, OW_ACTION_RESTART, 10);
	assert_int_equal(run_plan(out, sizeof(out)), 0);
	assert_string_equal(out, "queue:worker_01: stopped\nqueue:worker_01: started\n");
	m.pid = 1234; /* claims worker_01, but is not it */
	ow_plan_action(OW_ACTION_RESTART, &m, 10, &p);
	assert_int_equal(run_plan(out, sizeof(out)), 3);
	assert_string_equal(out, "supervisord knows queue:worker_01 as pid 1006, not 1234\n");
	snprintf(m.name, sizeof(m.name), "db:postgres"); /* a name it does not know */
	snprintf(m.sv_group, sizeof(m.sv_group), "db");
	snprintf(m.sv_process, sizeof(m.sv_process), "postgres");
	ow_plan_action(OW_ACTION_RESTART, &m, 10, &p);
	assert_int_equal(run_plan(out, sizeof(out)), 1);
	/* The panel's: reached through its own file (without it: exit 7, no socket). */
	plan_for(1043, OW_ACTION_RESTART, 10);
	assert_int_equal(run_plan(out, sizeof(out)), 0);
	assert_string_equal(out, "web:app: stopped\nweb:app: started\n");
	m.sv_conf[0] = '\0';
	ow_plan_action(OW_ACTION_RESTART, &m, 10, &p);
	assert_int_equal(run_plan(out, sizeof(out)), 1);
}

static void test_plan_pm2(void **state)
{
	char home[OW_MGR_PATH_LEN + 8];

	/* Its God daemon (pid 600, uid 1000) is its parent: the God daemon's node, the pm2 of
	 * its installation ("_" -> .bin/pm2 -> pm2/bin/pm2), its PM2_HOME; never the app's PATH
	 * or HOME. */
	plan_for(1007, OW_ACTION_RESTART, 10);
	assert_int_equal(p.action, OW_ACTION_RESTART);
	assert_string_equal(p.command, "/usr/bin/node /usr/lib/node_modules/pm2/bin/pm2 reload 3");
	assert_true(p.as_user);
	assert_int_equal(p.uid, 1000);
	assert_int_equal(p.gid, 1001);
	snprintf(home, sizeof(home), "HOME=%s", passwd_home(1000));
	if (passwd_home(1000)[0])
		assert_env(home);
	assert_env("PM2_HOME=/home/deploy/.pm2");
	assert_env("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	/* an ancestor further up counts too */
	plan_for(1031, OW_ACTION_RESTART, 10);
	assert_string_equal(p.command, "/usr/bin/node /usr/lib/node_modules/pm2/bin/pm2 reload 4");
	/* "_" is not a pm2: a global install is used */
	plan_for(1032, OW_ACTION_RESTART, 10);
	assert_string_equal(p.command, "/usr/bin/node /usr/lib/node_modules/pm2/bin/pm2 reload 5");
	/* and with none of either: no pm2 to run */
	roots.fs = PROC;
	assert_distrusted(1032, "the pm2 claim is not believed: the pm2 of its God daemon's "
				"installation cannot be found");
	roots.fs = fsroot;
}

/* ---- claims a user can make (issue 14, defect 6) ---- */

static void test_distrust_container_name(void **state)
{
	/* docker-<another container's id>.scope made in a delegated subtree */
	assert_distrusted(1022, "the docker claim is not believed: a user may have named its "
				"cgroup (a delegated subtree)");
}

static void test_distrust_other_user_unit(void **state)
{
	/* user@1001.service/x.service made inside user@1000.service */
	assert_distrusted(1023, "the systemd claim is not believed: a user may have named its "
				"user@UID.service cgroup (a delegated subtree)");
	/* a real user@1001.service, but the process is uid 1000's */
	assert_distrusted(1024, "the systemd claim is not believed: it does not run as the user "
				"whose unit it claims");
}

static void test_distrust_user_manager_child(void **state)
{
	/* a non-unit cgroup below user@1000.service would restart the whole user manager */
	assert_distrusted(1027, "the systemd claim is not believed: a user may have named its "
				"cgroup (a delegated subtree)");
}

static void test_distrust_supervisor_env(void **state)
{
	/* SUPERVISOR_* in its own environ, its parent a shell */
	assert_distrusted(1025,
			  "the supervisor claim is not believed: its parent is not supervisord");
	/* a supervisord of another user */
	assert_distrusted(1026, "the supervisor claim is not believed: its supervisord runs as "
				"another user");
}

static void test_distrust_pm2_env(void **state)
{
	/* pm_id and PM2_HOME in its own environ, no God daemon above it */
	assert_distrusted(1028, "the pm2 claim is not believed: no PM2 God daemon of its owner "
				"is among its ancestors");
	/* a God daemon of another user */
	assert_distrusted(1029, "the pm2 claim is not believed: no PM2 God daemon of its owner "
				"is among its ancestors");
}

static void test_distrust_unverified(void **state)
{
	/* detection alone never plans a restart */
	ow_manager_detect(PROC, 1001, &m);
	ow_plan_action(OW_ACTION_RESTART, &m, 10, &p);
	assert_int_equal(p.action, OW_ACTION_SIGNAL);
	assert_string_equal(p.why, "the systemd claim is not believed: the claim was not checked");
}

/* The pure decision over the owners along the path. */
static void test_cgroup_distrust_pure(void **state)
{
	struct ow_manager x;

	memset(&x, 0, sizeof(x));
	x.kind = OW_MGR_DOCKER;
	x.claim_depth = 2;
	assert_null(ow_manager_cgroup_distrust(&x, 2, 0));
	assert_null(ow_manager_cgroup_distrust(&x, 5, 0));
	assert_non_null(ow_manager_cgroup_distrust(&x, 1, 0));
	x.claim_depth = 0;
	assert_non_null(ow_manager_cgroup_distrust(&x, 9, 0));
	/* user@1000.service at depth 3 (root-made parent), unit at 5 */
	x.kind = OW_MGR_SYSTEMD;
	x.user_unit = true;
	x.user_uid = 1000;
	x.user_depth = 3;
	x.claim_depth = 5;
	x.ids_known = true;
	x.uid = 1000;
	assert_null(ow_manager_cgroup_distrust(&x, 2, 1000));
	assert_null(ow_manager_cgroup_distrust(&x, 3, 0));
	assert_non_null(ow_manager_cgroup_distrust(&x, 1, 1000)); /* its parent is a user's */
	assert_non_null(ow_manager_cgroup_distrust(&x, 2, 1001)); /* another user's directory */
	x.uid = 1001;
	assert_non_null(ow_manager_cgroup_distrust(&x, 2, 1000)); /* another user's process */
	x.ids_known = false;
	x.uid = 1000;
	assert_non_null(ow_manager_cgroup_distrust(&x, 2, 1000));
}

static void test_argv_checks(void **state)
{
	static const char sv[] = "/usr/bin/python3\0/usr/bin/supervisord\0-n";
	static const char sv0[] = "supervisord";
	static const char fake[] = "/usr/bin/python3\0/tmp/not-supervisord\0";
	static const char god[] = "PM2 v5.4.3: God Daemon (/root/.pm2)\0\0";
	static const char app[] = "node\0PM2 v5: God Daemon (x)";

	assert_true(ow_manager_is_supervisord(sv, sizeof(sv)));
	assert_true(ow_manager_is_supervisord(sv0, sizeof(sv0) - 1));
	assert_false(ow_manager_is_supervisord(fake, sizeof(fake)));
	assert_false(ow_manager_is_supervisord("", 0));
	assert_true(ow_manager_is_pm2_god(god, sizeof(god)));
	assert_false(ow_manager_is_pm2_god(app, sizeof(app)));
	assert_false(ow_manager_is_pm2_god("PM2 v", 5));
}

static void test_plan_containers(void **state)
{
	plan_for(1008, OW_ACTION_RESTART, 10);
	assert_string_equal(p.command, "docker restart -t 5 " H1);
	/* the container's own StopTimeout (config.v2.json): docker gets it, the command that
	 * long and 10 s to start it again */
	m.stop_timeout_s = 20;
	ow_plan_action(OW_ACTION_RESTART, &m, 10, &p);
	assert_string_equal(p.command, "docker restart -t 20 " H1);
	assert_true(p.timeout_s == 30);
	m.stop_timeout_s = 1e6; /* at most 300 s */
	ow_plan_action(OW_ACTION_RESTART, &m, 10, &p);
	assert_string_equal(p.command, "docker restart -t 300 " H1);
	plan_for(1012, OW_ACTION_RESTART, 0.5);
	assert_true(p.timeout_s == 2); /* never below 2 s */
	assert_string_equal(p.command, "podman restart -t 1 " H1);
	plan_for(1010, OW_ACTION_RESTART, 10);
	assert_int_equal(p.action, OW_ACTION_SIGNAL);
	assert_string_equal(p.why, "the kubelet restarts a pod's container when it exits");
	plan_for(1020, OW_ACTION_RESTART, 10);
	assert_int_equal(p.action, OW_ACTION_SIGNAL);
}

static void test_plan_unknown(void **state)
{
	plan_for(1014, OW_ACTION_RESTART, 10);
	assert_int_equal(p.action, OW_ACTION_SIGNAL);
	assert_string_equal(p.why, "no manager is known to restart it");
}

static void test_plan_unsafe_names(void **state)
{
	struct ow_manager x;

	memset(&x, 0, sizeof(x));
	x.kind = OW_MGR_SUPERVISOR;
	snprintf(x.sv_group, sizeof(x.sv_group), "-c");
	snprintf(x.sv_process, sizeof(x.sv_process), "evil");
	snprintf(x.name, sizeof(x.name), "-c:evil");
	ow_plan_action(OW_ACTION_RESTART, &x, 10, &p);
	assert_int_equal(p.action, OW_ACTION_SIGNAL);
	x.kind = OW_MGR_SYSTEMD;
	snprintf(x.unit, sizeof(x.unit), "a b.service");
	ow_plan_action(OW_ACTION_RESTART, &x, 10, &p);
	assert_int_equal(p.action, OW_ACTION_SIGNAL);
	x.kind = OW_MGR_PM2; /* owner unknown: never run pm2 as root for it */
	x.pm2_id = 1;
	x.ids_known = false;
	ow_plan_action(OW_ACTION_RESTART, &x, 10, &p);
	assert_int_equal(p.action, OW_ACTION_SIGNAL);
	assert_true(ow_plan_safe_name("worker@3.service"));
	assert_true(ow_plan_safe_name("queue:worker_01"));
	assert_false(ow_plan_safe_name(""));
	assert_false(ow_plan_safe_name("--help"));
	assert_false(ow_plan_safe_name("a;b"));
}

static void test_action_parse(void **state)
{
	enum ow_action a;

	assert_int_equal(ow_action_parse("restart", &a), 0);
	assert_int_equal(a, OW_ACTION_RESTART);
	assert_int_equal(ow_action_parse("signal", &a), 0);
	assert_int_equal(a, OW_ACTION_SIGNAL);
	assert_int_equal(ow_action_parse("reboot", &a), -EINVAL);
	assert_string_equal(ow_action_name(OW_ACTION_RESTART), "restart");
}

/* Detection rests on the one cgroup path parser (core/cgroup_path.c). */
#define CGP_H1	      "3f2a9c1e7b4d5a6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7"
#define CGP_H2	      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CGP_UID_DASH  "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
#define CGP_UID_UNDER "1b4e28ba_2fa1_11d2_883f_0016d3cca427"
#define CGP_USER_MGR  "/user.slice/user-1000.slice/user@1000.service"

static void test_manager_detection_uses_it(void **state)
{
	struct ow_manager mg;

	memset(&mg, 0, sizeof(mg));
	ow_manager_from_path("/libpod_parent/libpod-" CGP_H1, &mg);
	assert_int_equal(mg.kind, OW_MGR_PODMAN);
	assert_string_equal(mg.id, CGP_H1);
	assert_int_equal(mg.claim_depth, 2);
	memset(&mg, 0, sizeof(mg));
	ow_manager_from_path(
		"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" CGP_UID_UNDER
		".slice/crio-" CGP_H2 ".scope",
		&mg);
	assert_int_equal(mg.kind, OW_MGR_KUBERNETES);
	assert_string_equal(mg.pod, CGP_UID_DASH);
	assert_string_equal(mg.name, "0123456789ab");
	assert_int_equal(mg.claim_depth, 4);
	memset(&mg, 0, sizeof(mg));
	/* Delegate=yes: the unit's user named "api.service" below it */
	ow_manager_from_path("/system.slice/deleg.service/evil/api.service", &mg);
	assert_int_equal(mg.kind, OW_MGR_SYSTEMD);
	assert_string_equal(mg.unit, "api.service");
	assert_int_equal(mg.claim_depth, 4);
	assert_non_null(ow_manager_cgroup_distrust(&mg, 2, 0));
	assert_null(ow_manager_cgroup_distrust(&mg, 4, 0));
	/* below user@UID.service the user names everything: its units are its own */
	memset(&mg, 0, sizeof(mg));
	ow_manager_from_path(CGP_USER_MGR "/app.slice/evil/api.service", &mg);
	assert_true(mg.user_unit);
	assert_int_equal(mg.claim_depth, 6);
	assert_int_equal(mg.user_depth, 3);
	memset(&mg, 0, sizeof(mg));
	ow_manager_from_path("/system.slice/a\nb.service", &mg);
	assert_string_equal(mg.unit, "a?b.service"); /* a label never carries a control character */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_systemd_v2),
		cmocka_unit_test(test_systemd_v1_name_systemd),
		cmocka_unit_test(test_systemd_v1_memory_line_only),
		cmocka_unit_test(test_user_unit),
		cmocka_unit_test(test_user_manager_itself),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_supervisor),
		cmocka_unit_test(test_pm2),
		cmocka_unit_test(test_docker_systemd_driver),
		cmocka_unit_test(test_docker_cgroupfs_v1),
		cmocka_unit_test(test_kubepods_systemd_driver),
		cmocka_unit_test(test_kubepods_cgroupfs),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_containerd),
		cmocka_unit_test(test_container_beats_pm2),
		cmocka_unit_test(test_delegated_subcgroup),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unreadable_and_missing),
		cmocka_unit_test(test_empty_files),
		cmocka_unit_test(test_huge_environ),
		cmocka_unit_test(test_truncated_environ),
		cmocka_unit_test(test_env_scan_across_chunks),
		cmocka_unit_test(test_env_parse_supervisor_defaults),
		cmocka_unit_test(test_env_control_chars),
		cmocka_unit_test(test_parse_cgroup_buffer),
		cmocka_unit_test(test_restart_on_failure_note),
		cmocka_unit_test(test_restart_values),
		cmocka_unit_test(test_restart_dropins),
		cmocka_unit_test(test_restart_template),
		cmocka_unit_test(test_restart_exit_status_lists),
		cmocka_unit_test(test_restart_unknown),
		cmocka_unit_test(test_restart_user_units),
		cmocka_unit_test(test_restart_parse_buffer),
		cmocka_unit_test(test_plan_signal_asked),
		cmocka_unit_test(test_plan_systemd),
		cmocka_unit_test(test_plan_systemd_user),
		cmocka_unit_test(test_plan_scope_falls_back),
		cmocka_unit_test(test_plan_supervisor),
		cmocka_unit_test(test_plan_supervisor_checks_pid),
		cmocka_unit_test(test_plan_pm2),
		cmocka_unit_test(test_plan_containers),
		cmocka_unit_test(test_plan_unknown),
		cmocka_unit_test(test_plan_unsafe_names),
		cmocka_unit_test(test_distrust_container_name),
		cmocka_unit_test(test_distrust_other_user_unit),
		cmocka_unit_test(test_distrust_user_manager_child),
		cmocka_unit_test(test_distrust_supervisor_env),
		cmocka_unit_test(test_distrust_pm2_env),
		cmocka_unit_test(test_distrust_unverified),
		cmocka_unit_test(test_cgroup_distrust_pure),
		cmocka_unit_test(test_argv_checks),
		cmocka_unit_test(test_action_parse),
		cmocka_unit_test(test_manager_detection_uses_it),
	};

	return cmocka_run_group_tests(tests, make_tree, remove_tree);
}
