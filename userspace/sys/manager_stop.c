// SPDX-License-Identifier: GPL-2.0
/*
 * The manager's own stop timeout, as the user set it: see ow_manager_stop_timeout in
 * userspace/sys/manager.h. Read from the manager's files (a unit and its drop-ins, supervisord's
 * configuration, PM2's dump), never by running its commands; only once the claim is believed,
 * so the files are those of the manager that really runs the process.
 */
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container_state.h"
#include "manager.h"
#include "proc.h"
#include "readfile.h"
#include "svconf.h"
#include "unitfile.h"

#define PM2_DUMP_CAP (8 * 1024 * 1024) /* every app's environment is in it */
#define TIMER_MAX_MS 2147483647.0      /* Node's setTimeout takes 1 ms for more */

static void found(struct ow_manager *m, double s, const char *src)
{
	m->stop_timeout_s = s;
	snprintf(m->stop_timeout_src, sizeof(m->stop_timeout_src), "%s", src);
}

static void systemd_timeout(const char *fs, struct ow_manager *m)
{
	struct ow_unit_restart u;

	if (m->scope || !m->unit[0] ||
	    ow_unit_restart_read(fs, m->unit, m->user_unit, m->home, &u) || u.masked ||
	    u.stop_timeout_s < 0)
		return;
	found(m, u.stop_timeout_s, u.stop_timeout_key);
}

/* Its parent is supervisord (checked again: ow_manager_verify saw it a moment ago); a
 * supervisord that runs as the process's user reads that user's files. */
static void supervisor_timeout(const char *fs, const char *procroot, pid_t pid,
			       struct ow_manager *m)
{
	struct ow_proc_info self;
	double s;

	if (ow_proc_read(procroot, pid, &self) || self.ppid <= 1)
		return;
	s = ow_svconf_read(fs, procroot, self.ppid, m->sv_as_user ? m->uid : 0, m->sv_group,
			   m->sv_process, &m->sv_restart);
	if (s >= 0)
		found(m, s, "stopwaitsecs");
}

/* One dump entry's kill_timeout in seconds: -1 not set (PM2's default), -2 not a number. */
static double entry_timeout(const cJSON *e)
{
	const cJSON *kt = cJSON_GetObjectItemCaseSensitive(e, "kill_timeout");
	const char *s;
	double ms;
	char *end;

	if (!kt || cJSON_IsNull(kt) || cJSON_IsFalse(kt))
		return -1;
	if (cJSON_IsNumber(kt)) {
		ms = kt->valuedouble;
		if (ms == 0)
			return -1; /* falsy: PM2's default (a string "0" is not) */
	} else if (cJSON_IsString(kt)) {
		s = kt->valuestring;
		if (!*s)
			return -1;
		/* what Number() takes of a decimal: no hex, no Infinity, no NaN */
		if (strspn(s, " \t\r\n+-.0123456789eE") != strlen(s))
			return -2;
		ms = strtod(s, &end);
		if (end == s || strspn(end, " \t\r\n") != strlen(end))
			return -2;
	} else {
		return -2;
	}
	return ms < 1 || ms > TIMER_MAX_MS ? 0.001 : ms / 1000;
}

double ow_pm2_dump_kill_timeout(const char *json, size_t len, const char *name, int pm_id)
{
	const char *end = json;
	cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
	const cJSON *apps, *e, *n, *id;
	double v = -1, w;
	bool any = false;

	/* JSON.parse, as PM2 reads it, refuses anything after the value */
	while (root && end < json + len && strchr(" \t\r\n", *end) && *end)
		end++;
	apps = cJSON_IsArray(root) && end == json + len ? root : NULL;

	cJSON_ArrayForEach(e, apps)
	{
		n = cJSON_GetObjectItemCaseSensitive(e, "name");
		if (!cJSON_IsString(n) || strcmp(n->valuestring, name))
			continue;
		w = entry_timeout(e);
		id = cJSON_GetObjectItemCaseSensitive(e, "pm_id");
		if (cJSON_IsNumber(id) && id->valuedouble == pm_id) {
			v = w; /* this one is it, whatever the others say */
			break;
		}
		if (any && w != v)
			w = -2;
		v = w;
		any = true;
	}
	cJSON_Delete(root);
	return v < 0 ? -1 : v;
}

/* dump.pm2 in the God daemon's PM2_HOME (ow_manager_verify took it from the God daemon): the
 * God daemon writes it as the app's user, so it is read only if that user may, and never
 * through a symbolic link. */
static void pm2_timeout(const char *fs, struct ow_manager *m)
{
	char path[PATH_MAX], *buf = NULL;
	ssize_t n;
	double s;

	if (m->pm2_home[0] != '/' || !m->name[0] || !m->ids_known ||
	    (size_t)snprintf(path, sizeof(path), "%s%s/dump.pm2", fs, m->pm2_home) >= sizeof(path))
		return;
	n = ow_read_untrusted_as(AT_FDCWD, path, OW_OPEN_NOFOLLOW, PM2_DUMP_CAP, m->uid, &buf);
	if (n >= 0 && (s = ow_pm2_dump_kill_timeout(buf, (size_t)n, m->name, m->pm2_id)) >= 0)
		found(m, s, "kill_timeout");
	free(buf);
}

/* Docker's Config.StopTimeout, as `docker stop` honours it (sys/container_state.h). */
static void docker_timeout(const char *fs, struct ow_manager *m)
{
	struct ow_ctr_names n;
	char root[PATH_MAX];

	if (snprintf(root, sizeof(root), "%s%s", fs, OW_DOCKER_ROOT) < (int)sizeof(root) &&
	    !ow_docker_names(root, m->id, &n) && n.stop_timeout_s >= 0)
		found(m, n.stop_timeout_s, "StopTimeout");
}

/* Podman's stopTimeout, from libpod's database (sys/container_state.h): always set there. */
static void podman_timeout(const char *fs, struct ow_manager *m)
{
	char storage[PATH_MAX];
	double t;

	if (snprintf(storage, sizeof(storage), "%s%s", fs, OW_PODMAN_STORAGE) <
		    (int)sizeof(storage) &&
	    !ow_podman_stop_timeout(storage, m->id, &t))
		found(m, t, "stopTimeout");
}

void ow_manager_stop_timeout(const struct ow_mgr_roots *roots, const char *procroot, pid_t pid,
			     struct ow_manager *m)
{
	const char *fs = roots && roots->fs ? roots->fs : "";
	bool ctr = m->kind == OW_MGR_DOCKER || m->kind == OW_MGR_PODMAN;

	m->sv_restart = OW_SV_RESTART_UNKNOWN;
	/* read with its names already (victim.c): the same root-only state, not read again */
	if (ctr && !m->distrust && m->stop_timeout_src[0] && m->stop_timeout_s >= 0)
		return;
	m->stop_timeout_s = -1;
	m->stop_timeout_src[0] = '\0';
	if (m->distrust || pid <= 0)
		return;
	switch (m->kind) {
	case OW_MGR_SYSTEMD:
		systemd_timeout(fs, m);
		break;
	case OW_MGR_SUPERVISOR:
		supervisor_timeout(fs, procroot, pid, m);
		break;
	case OW_MGR_PM2:
		pm2_timeout(fs, m);
		break;
	case OW_MGR_DOCKER:
		docker_timeout(fs, m);
		break;
	case OW_MGR_PODMAN:
		podman_timeout(fs, m);
		break;
	default:
		break;
	}
}
