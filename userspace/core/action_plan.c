// SPDX-License-Identifier: GPL-2.0
/* Signal or restart, and the restart command: see userspace/core/action_plan.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "action_plan.h"

#define DEFAULT_PATH  "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MIN_TIMEOUT_S 2.0
/* A container's own stop timeout is honoured up to this (as a manager's: grace.h), and its
 * restart is given this long on top to start it again. */
#define MAX_STOP_S	  300.0
#define CONTAINER_START_S 10.0

const char *ow_action_name(enum ow_action action)
{
	return action == OW_ACTION_RESTART ? "restart" : "signal";
}

int ow_action_parse(const char *s, enum ow_action *out)
{
	if (!strcmp(s, "signal"))
		*out = OW_ACTION_SIGNAL;
	else if (!strcmp(s, "restart"))
		*out = OW_ACTION_RESTART;
	else
		return -EINVAL;
	return 0;
}

bool ow_plan_safe_name(const char *s)
{
	if (!*s || *s == '-')
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && !strchr("_.:@-\\", *s))
			return false;
	}
	return true;
}

/* Append a formatted string to the plan's buffer; NULL when it does not fit. */
static char *put(struct ow_action_plan *p, const char *fmt, const char *a, const char *b)
{
	size_t room = sizeof(p->buf) - p->used;
	int n = snprintf(p->buf + p->used, room, fmt, a, b);
	char *s = p->buf + p->used;

	if (n < 0 || (size_t)n >= room)
		return NULL;
	p->used += (size_t)n + 1;
	return s;
}

static bool arg(struct ow_action_plan *p, const char *s)
{
	char *a;

	if (p->argc == OW_PLAN_MAX_ARGS || !(a = put(p, "%s%s", s, "")))
		return false;
	p->argv[p->argc++] = a;
	p->argv[p->argc] = NULL;
	return true;
}

static bool env(struct ow_action_plan *p, const char *key, const char *val)
{
	char *e;

	if (p->envc == OW_PLAN_MAX_ENV || !(e = put(p, "%s=%s", key, val)))
		return false;
	p->envp[p->envc++] = e;
	p->envp[p->envc] = NULL;
	return true;
}

static void fall_back(struct ow_action_plan *p, const char *why)
{
	p->action = OW_ACTION_SIGNAL;
	p->why = why;
	p->argc = p->envc = 0;
	p->argv[0] = p->envp[0] = NULL;
	p->as_user = false;
	p->command[0] = '\0';
}

static bool plan_systemd(struct ow_action_plan *p, const struct ow_manager *m)
{
	char machine[32];

	if (m->scope) {
		fall_back(p, "a .scope unit cannot be restarted by systemctl");
		return false;
	}
	if (!ow_plan_safe_name(m->unit)) {
		fall_back(p, "the unit name is not safe to pass to systemctl");
		return false;
	}
	snprintf(machine, sizeof(machine), "--machine=%u@", (unsigned int)m->user_uid);
	return arg(p, "systemctl") && (!m->user_unit || (arg(p, "--user") && arg(p, machine))) &&
	       arg(p, "restart") && arg(p, m->unit);
}

/* The program re-exec'd with another SUPERVISOR_PROCESS_NAME keeps supervisord as its parent:
 * restart only if supervisord itself knows the victim's pid by that name. $3: the file
 * supervisord was started with (-c), for supervisorctl to find its socket; "": its own search. */
#define SV_CHECKED_RESTART                                                                         \
	"n=$1 v=$2; if [ -n \"$3\" ]; then set -- -c \"$3\"; else set --; fi; "                    \
	"p=$(supervisorctl \"$@\" pid \"$n\") || exit 1; [ \"$p\" = \"$v\" ] && "                  \
	"exec supervisorctl \"$@\" restart \"$n\"; echo \"supervisord knows $n as pid $p, not "    \
	"$v\"; "                                                                                   \
	"exit 3"

/* A supervisord running as the app's owner gets a supervisorctl running as that owner. */
static bool plan_supervisor(struct ow_action_plan *p, const struct ow_manager *m)
{
	char pid[16];

	if (!ow_plan_safe_name(m->sv_group) || !ow_plan_safe_name(m->sv_process)) {
		fall_back(p, "the supervisor program name is not safe to pass to supervisorctl");
		return false;
	}
	if (m->sv_as_user) {
		p->as_user = true;
		p->uid = m->uid;
		p->gid = m->gid;
	}
	snprintf(pid, sizeof(pid), "%d", (int)m->pid);
	return arg(p, "/bin/sh") && arg(p, "-c") && arg(p, SV_CHECKED_RESTART) && arg(p, "sh") &&
	       arg(p, m->name) && arg(p, pid) && arg(p, m->sv_conf);
}

/* pm2 talks to the God daemon of PM2_HOME as the daemon's owner: run the God daemon's own
 * node and pm2 CLI (ow_manager_verify) as the app's user, with its passwd HOME. */
static bool plan_pm2(struct ow_action_plan *p, const struct ow_manager *m)
{
	char id[16];

	if (!m->ids_known || m->pm2_id < 0 || !m->pm2_node[0] || !m->pm2_cli[0]) {
		fall_back(p, "the PM2 app's owner, id or pm2 is unknown");
		return false;
	}
	snprintf(id, sizeof(id), "%d", m->pm2_id);
	p->as_user = true;
	p->uid = m->uid;
	p->gid = m->gid;
	if (m->home[0] && !env(p, "HOME", m->home))
		return false;
	if (m->pm2_home[0] && !env(p, "PM2_HOME", m->pm2_home))
		return false;
	return arg(p, m->pm2_node) && arg(p, m->pm2_cli) && arg(p, "reload") && arg(p, id);
}

/* docker/podman restart stop the container with SIGTERM, wait -t seconds, then SIGKILL. */
static bool plan_container(struct ow_action_plan *p, const struct ow_manager *m, const char *cmd)
{
	char secs[16];

	if (!ow_plan_safe_name(m->id)) {
		fall_back(p, "the container id is unknown");
		return false;
	}
	/* The container's own stop timeout when the user set one (docker's StopTimeout): the
	 * command then needs that long and a few seconds to start it again. */
	if (m->stop_timeout_s > 0 && !m->distrust) {
		double t = m->stop_timeout_s < MAX_STOP_S ? m->stop_timeout_s : MAX_STOP_S;

		snprintf(secs, sizeof(secs), "%d", (int)(t + 0.999));
		if (p->timeout_s < t + CONTAINER_START_S)
			p->timeout_s = t + CONTAINER_START_S;
	} else {
		snprintf(secs, sizeof(secs), "%d", (int)(p->timeout_s / 2));
	}
	return arg(p, cmd) && arg(p, "restart") && arg(p, "-t") && arg(p, secs) && arg(p, m->id);
}

static bool restartable(enum ow_manager_kind kind)
{
	return kind == OW_MGR_SYSTEMD || kind == OW_MGR_SUPERVISOR || kind == OW_MGR_PM2 ||
	       kind == OW_MGR_DOCKER || kind == OW_MGR_PODMAN;
}

static bool plan_restart(struct ow_action_plan *p, const struct ow_manager *m)
{
	if (restartable(m->kind) && m->distrust) {
		snprintf(p->why_buf, sizeof(p->why_buf), "the %s claim is not believed: %s",
			 ow_manager_kind_name(m->kind), m->distrust);
		fall_back(p, p->why_buf);
		return false;
	}
	switch (m->kind) {
	case OW_MGR_SYSTEMD:
		return plan_systemd(p, m);
	case OW_MGR_SUPERVISOR:
		return plan_supervisor(p, m);
	case OW_MGR_PM2:
		return plan_pm2(p, m);
	case OW_MGR_DOCKER:
		return plan_container(p, m, "docker");
	case OW_MGR_PODMAN:
		return plan_container(p, m, "podman");
	case OW_MGR_KUBERNETES:
		fall_back(p, "the kubelet restarts a pod's container when it exits");
		return false;
	case OW_MGR_CONTAINERD:
		fall_back(p, "plain containerd has no restart command");
		return false;
	default:
		fall_back(p, "no manager is known to restart it");
		return false;
	}
}

static void join_command(struct ow_action_plan *p)
{
	size_t off = 0;
	unsigned int i;
	int n;

	p->command[0] = '\0';
	for (i = 0; i < p->argc && off < sizeof(p->command); i++) {
		n = snprintf(p->command + off, sizeof(p->command) - off, "%s%s", i ? " " : "",
			     p->argv[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

void ow_plan_action(enum ow_action wanted, const struct ow_manager *m, double grace_s,
		    struct ow_action_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->timeout_s = grace_s > MIN_TIMEOUT_S ? grace_s : MIN_TIMEOUT_S;
	if (wanted != OW_ACTION_RESTART) {
		fall_back(p, "the action is signal");
		return;
	}
	p->action = OW_ACTION_RESTART;
	p->why = "its manager can restart it";
	if (!plan_restart(p, m)) {
		if (p->action == OW_ACTION_RESTART)
			fall_back(p, "the restart command does not fit");
		return;
	}
	if (!env(p, "PATH", DEFAULT_PATH)) {
		fall_back(p, "the restart command does not fit");
		return;
	}
	env(p, "LC_ALL", "C");
	join_command(p);
	if (m->kind == OW_MGR_SUPERVISOR) /* the shell around it is noise in a log */
		snprintf(p->command, sizeof(p->command),
			 "supervisorctl%s%.300s restart %s (if supervisord knows pid %d by that "
			 "name)",
			 m->sv_conf[0] ? " -c " : "", m->sv_conf, m->name, (int)m->pid);
}
