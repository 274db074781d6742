// SPDX-License-Identifier: GPL-2.0
/*
 * Who manages a process: see userspace/sys/manager.h. A process writes its own environment, so
 * nothing read here is trusted: values are bounded, control characters replaced, and the
 * commands built from them (action_plan.c) validate them again. Whether to believe what is
 * found here is manager_verify.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_path.h"
#include "manager.h"
#include "proc.h"
#include "readfile.h"

#define CGROUP_FILE_LEN (16 * 1024)
#define ENVIRON_CAP	(4 * 1024 * 1024) /* the kernel's own bound is near ARG_MAX */
#define CHUNK		4096

/* ---- environ ---- */

static void copy_clean(char *dst, size_t size, const char *src, size_t n)
{
	size_t i;

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[n] = '\0';
}

static bool parse_small_int(const char *s, int *out)
{
	long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > INT_MAX)
		return false;
	*out = (int)v;
	return true;
}

/* One complete NAME=VALUE entry. */
static void env_entry(struct ow_env_info *e, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	const char *val;
	size_t klen, vlen;
	char num[16];

	if (!eq)
		return;
	klen = (size_t)(eq - s);
	val = eq + 1;
	vlen = n - klen - 1;
#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(s, k, klen))
	if (KEY("pm_id") && vlen < sizeof(num)) {
		memcpy(num, val, vlen);
		num[vlen] = '\0';
		e->pm2 = parse_small_int(num, &e->pm2_id);
	} else if (KEY("name")) {
		copy_clean(e->pm2_name, sizeof(e->pm2_name), val, vlen);
	} else if (KEY("PM2_HOME")) {
		copy_clean(e->pm2_home, sizeof(e->pm2_home), val, vlen);
	} else if (KEY("SUPERVISOR_ENABLED")) {
		e->supervisor = true;
	} else if (KEY("SUPERVISOR_PROCESS_NAME")) {
		copy_clean(e->sv_process, sizeof(e->sv_process), val, vlen);
	} else if (KEY("SUPERVISOR_GROUP_NAME")) {
		copy_clean(e->sv_group, sizeof(e->sv_group), val, vlen);
	} else if (KEY("_")) {
		copy_clean(e->cmd_path, sizeof(e->cmd_path), val, vlen);
	}
#undef KEY
}

void ow_env_scan_init(struct ow_env_scan *s)
{
	memset(s, 0, sizeof(*s));
	s->info.pm2_id = -1;
}

void ow_env_scan_feed(struct ow_env_scan *s, const char *buf, size_t len)
{
	const char *end = buf + len, *nul;
	size_t n;

	while (buf < end) {
		nul = memchr(buf, '\0', (size_t)(end - buf));
		n = nul ? (size_t)(nul - buf) : (size_t)(end - buf);
		if (!s->skip && s->len + n < sizeof(s->entry)) {
			memcpy(s->entry + s->len, buf, n);
			s->len += n;
		} else {
			s->skip = true; /* too long for any value we keep: skip to its NUL */
		}
		if (!nul)
			return;
		if (!s->skip)
			env_entry(&s->info, s->entry, s->len);
		s->len = 0;
		s->skip = false;
		buf = nul + 1;
	}
}

static void env_finish(const struct ow_env_scan *s, struct ow_env_info *out)
{
	*out = s->info;
	if (!out->pm2)
		out->pm2_id = -1;
	if (out->sv_process[0])
		out->supervisor = true;
	if (out->supervisor && !out->sv_group[0])
		snprintf(out->sv_group, sizeof(out->sv_group), "%s", out->sv_process);
	if (!out->sv_process[0])
		out->supervisor = false; /* enabled, but no name to ask for */
}

void ow_env_parse(const char *buf, size_t len, struct ow_env_info *out)
{
	struct ow_env_scan *s = malloc(sizeof(*s));

	memset(out, 0, sizeof(*out));
	out->pm2_id = -1;
	if (!s)
		return;
	ow_env_scan_init(s);
	ow_env_scan_feed(s, buf, len);
	env_finish(s, out);
	free(s);
}

/* ---- cgroup paths ---- */

_Static_assert(sizeof(((struct ow_manager *)0)->id) == sizeof(((struct ow_cg_path *)0)->id),
	       "a container id fits");
_Static_assert(sizeof(((struct ow_manager *)0)->pod) == sizeof(((struct ow_cg_path *)0)->pod_uid),
	       "a pod UID fits");

static enum ow_manager_kind runtime_kind(enum ow_cgp_runtime rt)
{
	switch (rt) {
	case OW_CGP_RT_DOCKER:
		return OW_MGR_DOCKER;
	case OW_CGP_RT_PODMAN:
		return OW_MGR_PODMAN;
	case OW_CGP_RT_CONTAINERD:
		return OW_MGR_CONTAINERD;
	case OW_CGP_RT_CRIO:
		return OW_MGR_KUBERNETES; /* CRI-O runs only under a kubelet */
	default:
		return OW_MGR_UNKNOWN;
	}
}

/* The unit the path names, unless its name is too long to keep (then an earlier line's stays). */
static void claim_unit(const char *path, const struct ow_cg_path *p, struct ow_manager *m)
{
	if (!p->unit.depth || p->unit.len >= sizeof(m->unit))
		return;
	copy_clean(m->unit, sizeof(m->unit), path + p->unit.off, p->unit.len);
	m->scope = p->scope;
	m->user_unit = p->user_unit;
	m->claim_depth = p->unit.depth;
	m->user_depth = p->user_unit ? p->user.depth : 0;
}

void ow_manager_from_path(const char *path, struct ow_manager *m)
{
	enum ow_manager_kind kind;
	struct ow_cg_path p;

	ow_cg_path_parse(path, &p);
	if (p.pod.depth)
		memcpy(m->pod, p.pod_uid, sizeof(m->pod));
	if (p.user.depth)
		m->user_uid = p.user_uid;
	claim_unit(path, &p, m);
	/* A pod's containers are the kubelet's to restart, whichever runtime runs them. */
	kind = p.kube ? OW_MGR_KUBERNETES : runtime_kind(p.runtime);
	if (kind != OW_MGR_UNKNOWN) {
		m->claim_depth = p.container.depth ? p.container.depth : p.depth;
		m->user_depth = 0;
		m->kind = kind;
		if (p.runtime != OW_CGP_RT_NONE) {
			memcpy(m->id, p.id, sizeof(m->id));
			snprintf(m->name, sizeof(m->name), "%.12s", p.id);
		} else {
			snprintf(m->name, sizeof(m->name), "pod-%.8s", m->pod);
		}
	} else if (m->unit[0]) {
		m->kind = OW_MGR_SYSTEMD;
		snprintf(m->name, sizeof(m->name), "%s", m->unit);
	}
}

/* ---- /proc/PID/cgroup ---- */

/* "ID:CONTROLLERS:PATH" (PATH may hold ':'); the line is not NUL-terminated. */
static bool split_line(const char *line, size_t n, const char **ctrl, size_t *ctrln,
		       const char **path, size_t *pathn)
{
	const char *c1 = memchr(line, ':', n), *c2;

	if (!c1 || c1 == line)
		return false;
	c2 = memchr(c1 + 1, ':', (size_t)(line + n - c1 - 1));
	if (!c2 || c2 + 1 >= line + n || c2[1] != '/')
		return false;
	*ctrl = c1 + 1;
	*ctrln = (size_t)(c2 - c1 - 1);
	*path = c2 + 1;
	*pathn = (size_t)(line + n - *path);
	return true;
}

static bool list_has(const char *list, size_t n, const char *word)
{
	size_t wl = strlen(word), k;

	while (n) {
		k = strcspn(list, ",");
		if (k > n)
			k = n;
		if (k == wl && !strncmp(list, word, wl))
			return true;
		if (k == n)
			break;
		list += k + 1;
		n -= k + 1;
	}
	return false;
}

/* Parse one line's path; when it names a unit or container, that line is where the claim
 * must be checked (a later line overrides an earlier one's unit). */
static void note_claim(struct ow_manager *m, int hier, const char *path)
{
	unsigned int saved = m->claim_depth, saved_user = m->user_depth;

	m->claim_depth = 0;
	ow_manager_from_path(path, m);
	if (!m->claim_depth) {
		m->claim_depth = saved;
		m->user_depth = saved_user;
		return;
	}
	m->cg_hier = hier;
	/* A path too long to keep cannot be checked: it stays distrusted. */
	if (strlen(path) >= sizeof(m->cg_path)) {
		m->claim_depth = UINT_MAX;
		m->cg_path[0] = '\0';
		return;
	}
	strcpy(m->cg_path, path);
}

int ow_manager_parse_cgroup(const char *buf, struct ow_manager *m)
{
	const char *picked[3] = {NULL}; /* name=systemd, 0::, memory */
	size_t pickedn[3] = {0};
	const char *line, *ctrl, *path;
	size_t n, ctrln, pathn;
	char tmp[PATH_MAX];
	int i;

	for (line = buf; *line; line += n + (line[n] == '\n')) {
		n = strcspn(line, "\n");
		if (!split_line(line, n, &ctrl, &ctrln, &path, &pathn))
			continue;
		i = list_has(ctrl, ctrln, "name=systemd") ? 0
		    : ctrln == 0 && line[0] == '0'	  ? 1
		    : list_has(ctrl, ctrln, "memory")	  ? 2
							  : -1;
		if (i >= 0 && !picked[i]) {
			picked[i] = path;
			pickedn[i] = pathn;
		}
	}
	for (i = 0; i < 3; i++) {
		if (!picked[i] || pickedn[i] >= sizeof(tmp))
			continue;
		memcpy(tmp, picked[i], pickedn[i]);
		tmp[pickedn[i]] = '\0';
		note_claim(m, i, tmp);
		/* systemd's hierarchy names the unit; on v1 with a cgroupfs-driven engine only the
		 * controllers' paths may show the container: look further until a container is
		 * found. */
		if (m->kind != OW_MGR_UNKNOWN && m->kind != OW_MGR_SYSTEMD)
			return 0;
	}
	return picked[0] || picked[1] || picked[2] ? 0 : -EINVAL;
}

/* ---- detection ---- */

void ow_manager_apply_env(struct ow_manager *m, const struct ow_env_info *env)
{
	if (m->kind >= OW_MGR_DOCKER)
		return;
	/* PM2_HOME is taken from the God daemon (ow_manager_verify), not from here. */
	if (env->pm2) {
		m->kind = OW_MGR_PM2;
		m->pm2_id = env->pm2_id;
		snprintf(m->name, sizeof(m->name), "%s", env->pm2_name);
	} else if (env->supervisor) {
		m->kind = OW_MGR_SUPERVISOR;
		snprintf(m->sv_group, sizeof(m->sv_group), "%s", env->sv_group);
		snprintf(m->sv_process, sizeof(m->sv_process), "%s", env->sv_process);
		snprintf(m->name, sizeof(m->name), "%s:%s", env->sv_group, env->sv_process);
	}
}

static void read_cgroup(const char *procroot, pid_t pid, struct ow_manager *m)
{
	char path[PATH_MAX], *buf = malloc(CGROUP_FILE_LEN);

	snprintf(path, sizeof(path), "%s/%d/cgroup", procroot, (int)pid);
	if (buf && ow_read_file(path, buf, CGROUP_FILE_LEN, false) >= 0)
		ow_manager_parse_cgroup(buf, m);
	free(buf);
}

void ow_env_read(const char *procroot, pid_t pid, struct ow_env_info *env)
{
	struct ow_env_scan *s = malloc(sizeof(*s));
	char path[PATH_MAX], chunk[CHUNK];
	size_t total = 0;
	ssize_t n;
	int fd;

	memset(env, 0, sizeof(*env));
	env->pm2_id = -1;
	snprintf(path, sizeof(path), "%s/%d/environ", procroot, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!s || fd < 0)
		goto out;
	ow_env_scan_init(s);
	while (total < ENVIRON_CAP && (n = ow_read_fd(fd, chunk, sizeof(chunk))) > 0) {
		ow_env_scan_feed(s, chunk, (size_t)n);
		total += (size_t)n;
		if ((size_t)n < sizeof(chunk))
			break;
	}
	env_finish(s, env);
out:
	if (fd >= 0)
		close(fd);
	free(s);
}

static void read_ids(const char *procroot, pid_t pid, struct ow_manager *m)
{
	m->ids_known = !ow_proc_ids(procroot, pid, &m->uid, &m->gid);
}

/* HOME from the password database: the environment is the process's to write. */
static void passwd_home(struct ow_manager *m)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (m->ids_known && !getpwuid_r(m->uid, &pw, buf, sizeof(buf), &res) && res && res->pw_dir)
		snprintf(m->home, sizeof(m->home), "%s", res->pw_dir);
}

/* A unit's main process is a child of its manager: PID 1, or the user's systemd. */
static void read_main(const char *procroot, pid_t pid, struct ow_manager *m)
{
	struct ow_proc_info self, parent;

	if (ow_proc_read(procroot, pid, &self))
		return;
	if (self.ppid == 1)
		m->unit_main = !m->user_unit;
	else if (m->user_unit && !ow_proc_read(procroot, self.ppid, &parent))
		m->unit_main = !strcmp(parent.comm, "systemd");
}

void ow_manager_detect(const char *procroot, pid_t pid, struct ow_manager *m)
{
	struct ow_env_info env;

	memset(m, 0, sizeof(*m));
	m->pm2_id = -1;
	m->stop_timeout_s = -1;
	m->sv_restart = OW_SV_RESTART_UNKNOWN;
	if (pid <= 0)
		return;
	m->distrust = "the claim was not checked";
	m->pid = pid;
	read_cgroup(procroot, pid, m);
	ow_env_read(procroot, pid, &env);
	ow_manager_apply_env(m, &env);
	read_ids(procroot, pid, m);
	passwd_home(m);
	if (m->unit[0])
		read_main(procroot, pid, m);
}
