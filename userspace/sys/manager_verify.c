// SPDX-License-Identifier: GPL-2.0
/*
 * Whether to believe what manager.c found (see ow_manager_verify in manager.h): a
 * separate concern from finding it, since a cgroup name and an environment are the
 * process's (or its user's) to write. Each claim is checked against what the process cannot
 * forge: who made the cgroup directories, who its parent is and what runs as whom.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "manager.h"
#include "svconf.h"
#include "proc.h"
#include "readfile.h"

#define ANCESTORS_MAX 16 /* how far up a PM2 God daemon is looked for */
#define ARGV_LEN      4096

const char *ow_manager_cgroup_distrust(const struct ow_manager *m, unsigned int trusted_depth,
				       uid_t user_dir_owner)
{
	if (!m->claim_depth || m->claim_depth == UINT_MAX)
		return "the cgroup that names its manager cannot be checked";
	if (m->kind != OW_MGR_SYSTEMD || !m->user_unit)
		return trusted_depth >= m->claim_depth
			       ? NULL
			       : "a user may have named its cgroup (a delegated subtree)";
	if (!m->user_depth || trusted_depth + 1 < m->user_depth)
		return "a user may have named its user@UID.service cgroup (a delegated subtree)";
	if (user_dir_owner != 0 && user_dir_owner != m->user_uid)
		return "its user@UID.service cgroup belongs to another user";
	if (!m->ids_known || m->uid != m->user_uid)
		return "it does not run as the user whose unit it claims";
	return NULL;
}

/* The i-th NUL-separated argument, or NULL. */
static const char *nth_arg(const char *argv, size_t len, unsigned int i, size_t *n)
{
	const char *p = argv, *end = argv + len;

	for (; p < end; i--) {
		*n = strnlen(p, (size_t)(end - p));
		if (!i)
			return p;
		p += *n + 1;
	}
	return NULL;
}

static bool arg_base_is(const char *argv, size_t len, unsigned int i, const char *name)
{
	size_t n, nl = strlen(name);
	const char *a = nth_arg(argv, len, i, &n);

	return a && n >= nl && !memcmp(a + n - nl, name, nl) && (n == nl || a[n - nl - 1] == '/');
}

bool ow_manager_is_supervisord(const char *argv, size_t len)
{
	return arg_base_is(argv, len, 0, "supervisord") || arg_base_is(argv, len, 1, "supervisord");
}

bool ow_manager_is_pm2_god(const char *argv, size_t len)
{
	size_t n;
	const char *a = nth_arg(argv, len, 0, &n);

	return a && n > 5 && !strncmp(a, "PM2 v", 5) && memmem(a, n, ": God Daemon (", 14);
}

/* The raw argv of pid (NUL-separated), its length, or -errno. */
static ssize_t read_argv(const char *procroot, pid_t pid, char *buf, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%d/cmdline", procroot, (int)pid);
	return ow_read_file(path, buf, size, false);
}

/* The uid of root/rel's first `depth` components' directory, or -1. */
static uid_t dir_owner(const char *root, const char *rel, unsigned int depth)
{
	char path[PATH_MAX];
	const char *c = rel;
	struct stat st;
	size_t n = 0;

	while (depth--) {
		c = ow_cgp_next(c + n, &n);
		if (!c)
			return (uid_t)-1;
	}
	snprintf(path, sizeof(path), "%s%.*s", root, (int)(c + n - rel), rel);
	return lstat(path, &st) || !S_ISDIR(st.st_mode) ? (uid_t)-1 : st.st_uid;
}

static void verify_cgroup(const struct ow_mgr_roots *r, struct ow_manager *m)
{
	const char *root = r->hier[m->cg_hier];
	unsigned int depth;

	if (!root) {
		m->distrust = "the cgroup hierarchy that names its manager is not mounted";
		return;
	}
	depth = ow_cg_trusted_depth(root, m->cg_path);
	m->distrust = ow_manager_cgroup_distrust(
		m, depth, m->user_depth ? dir_owner(root, m->cg_path, m->user_depth) : 0);
}

/* supervisord starts its programs itself: it is their parent. */
static void verify_supervisor(const char *procroot, pid_t pid, struct ow_manager *m)
{
	char *argv = malloc(ARGV_LEN);
	struct ow_proc_info self;
	ssize_t len;
	uid_t uid;
	gid_t gid;

	m->distrust = "its parent is not supervisord";
	if (argv && !ow_proc_read(procroot, pid, &self) &&
	    (len = read_argv(procroot, self.ppid, argv, ARGV_LEN)) > 0 &&
	    ow_manager_is_supervisord(argv, (size_t)len) &&
	    !ow_proc_ids(procroot, self.ppid, &uid, &gid)) {
		m->sv_as_user = uid != 0;
		m->distrust = uid == 0 || (m->ids_known && uid == m->uid)
				      ? NULL
				      : "its supervisord runs as another user";
		if (ow_svconf_conf_arg(procroot, self.ppid, argv, (size_t)len, m->sv_conf,
				       sizeof(m->sv_conf)))
			m->sv_conf[0] = '\0';
	}
	free(argv);
}

/* The pm2 CLI of the God daemon's installation: the command its owner's shell ran, when that
 * is a pm2 package's bin/pm2, else a global npm install. Never the victim's PATH. */
static bool find_pm2_cli(const char *fs, const char *cmd_path, char *out, size_t len)
{
	static const char *const global[] = {"/usr/lib/node_modules/pm2/bin/pm2",
					     "/usr/local/lib/node_modules/pm2/bin/pm2"};
	static const char bin[] = "/pm2/bin/pm2";
	const char *cands[3] = {cmd_path, global[0], global[1]};
	char path[PATH_MAX], real[PATH_MAX];
	size_t fl = strlen(fs), i, rl;
	struct stat st;

	for (i = 0; i < 3; i++) {
		if (cands[i][0] != '/' ||
		    (size_t)snprintf(path, sizeof(path), "%s%s", fs, cands[i]) >= sizeof(path) ||
		    !realpath(path, real) || strncmp(real, fs, fl))
			continue;
		rl = strlen(real);
		if (rl >= sizeof(bin) - 1 && !strcmp(real + rl - (sizeof(bin) - 1), bin) &&
		    !stat(real, &st) && S_ISREG(st.st_mode) && rl - fl < len) {
			memcpy(out, real + fl, rl - fl + 1);
			return true;
		}
	}
	return false;
}

/* A God daemon of the victim's owner among its ancestors, or 0. */
static pid_t find_pm2_god(const char *procroot, pid_t pid, const struct ow_manager *m)
{
	char *argv = malloc(ARGV_LEN);
	struct ow_proc_info pi;
	unsigned int i;
	pid_t god = 0;
	ssize_t len;
	uid_t uid;
	gid_t gid;

	for (i = 0; argv && i < ANCESTORS_MAX && !ow_proc_read(procroot, pid, &pi); i++) {
		pid = pi.ppid;
		if (pid <= 1)
			break;
		len = read_argv(procroot, pid, argv, ARGV_LEN);
		if (len > 0 && ow_manager_is_pm2_god(argv, (size_t)len)) {
			if (!ow_proc_ids(procroot, pid, &uid, &gid) && uid == m->uid)
				god = pid;
			break;
		}
	}
	free(argv);
	return god;
}

static void verify_pm2(const struct ow_mgr_roots *r, const char *procroot, pid_t pid,
		       struct ow_manager *m)
{
	char path[PATH_MAX];
	struct ow_env_info env;
	ssize_t n;
	pid_t god;

	m->distrust = "no PM2 God daemon of its owner is among its ancestors";
	if (!m->ids_known || !(god = find_pm2_god(procroot, pid, m)))
		return;
	snprintf(path, sizeof(path), "%s/%d/exe", procroot, (int)god);
	n = readlink(path, m->pm2_node, sizeof(m->pm2_node) - 1);
	m->pm2_node[n > 0 ? n : 0] = '\0';
	ow_env_read(procroot, god, &env);
	m->distrust = "the pm2 of its God daemon's installation cannot be found";
	if (m->pm2_node[0] != '/' || strstr(m->pm2_node, " (deleted)") ||
	    !find_pm2_cli(r->fs, env.cmd_path, m->pm2_cli, sizeof(m->pm2_cli)))
		return;
	/* Written by the God daemon's owner, whom the command runs as. */
	if (env.pm2_home[0])
		snprintf(m->pm2_home, sizeof(m->pm2_home), "%s", env.pm2_home);
	else if (m->home[0] && strlen(m->home) + 5 < sizeof(m->pm2_home))
		strcat(strcpy(m->pm2_home, m->home), "/.pm2");
	m->distrust = m->pm2_home[0] ? NULL : "the PM2 home is unknown";
}

void ow_manager_verify(const struct ow_mgr_roots *roots, const char *procroot, pid_t pid,
		       struct ow_manager *m)
{
	m->distrust = NULL;
	switch (m->kind) {
	case OW_MGR_SYSTEMD:
	case OW_MGR_DOCKER:
	case OW_MGR_PODMAN:
		verify_cgroup(roots, m);
		break;
	case OW_MGR_SUPERVISOR:
		verify_supervisor(procroot, pid, m);
		break;
	case OW_MGR_PM2:
		verify_pm2(roots, procroot, pid, m);
		break;
	default:
		break; /* nothing is restarted on its say-so */
	}
}
