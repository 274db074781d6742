/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who manages a process, as plain data: sys/manager.c fills a struct ow_manager from the
 * process's cgroup and environment, core/action_plan.c reads it to plan a restart. No I/O.
 */
#ifndef OW_MANAGED_H
#define OW_MANAGED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum ow_manager_kind {
	OW_MGR_UNKNOWN = 0,
	OW_MGR_SYSTEMD,	   /* a unit of the system manager, or of a user's (user_uid) */
	OW_MGR_SUPERVISOR, /* supervisord: SUPERVISOR_* in its environment */
	OW_MGR_PM2,	   /* a PM2 app: pm_id in its environment */
	OW_MGR_DOCKER,
	OW_MGR_PODMAN,
	OW_MGR_CONTAINERD, /* nerdctl / plain containerd */
	OW_MGR_KUBERNETES, /* a pod's container: the kubelet restarts it by itself */
};

#define OW_MGR_NAME_LEN 128
#define OW_MGR_PATH_LEN 1024

struct ow_manager {
	enum ow_manager_kind kind;
	/* systemd: the unit; supervisor: GROUP:NAME; pm2: the app name; containers: short id. */
	char name[OW_MGR_NAME_LEN];
	/* The systemd unit whose cgroup holds the process, whatever the kind ("" if none). */
	char unit[OW_MGR_NAME_LEN];
	bool user_unit; /* unit belongs to user@UID.service */
	uid_t user_uid; /* the UID of that user manager */
	bool scope;	/* unit is a .scope: systemctl cannot restart it */
	bool unit_main; /* looks like the unit's main process (its parent is the manager) */
	char id[65];	/* containers: the full id */
	/* docker, podman: its name and image from the runtime's state (sys/container_state.h),
	 * "" when not known */
	char ctr_name[128];
	char ctr_image[256];
	/* Where the unit or container was read: which line of /proc/PID/cgroup (OW_MGR_HIER_*),
	 * its path, and the depth (1 = first component) of the component naming the unit or
	 * container, and of user@UID.service for a user unit. */
	int cg_hier;
	char cg_path[OW_MGR_PATH_LEN];
	unsigned int claim_depth;
	unsigned int user_depth;
	char pod[65];			/* kubernetes: the pod UID */
	int pm2_id;			/* -1 when not a PM2 app */
	char pm2_home[OW_MGR_PATH_LEN]; /* the God daemon's PM2_HOME, or "" */
	char pm2_node[OW_MGR_PATH_LEN]; /* the God daemon's executable (node) */
	char pm2_cli[OW_MGR_PATH_LEN];	/* the pm2 CLI of the God daemon's installation */
	char home[OW_MGR_PATH_LEN];	/* the owner's home from the password database, or "" */
	char sv_group[64];		/* supervisor */
	char sv_process[64];
	bool sv_as_user; /* supervisord runs as the process's owner: so does supervisorctl */
	char sv_conf[OW_MGR_PATH_LEN]; /* supervisord's configuration, for supervisorctl -c; "" */
	int sv_restart; /* enum ow_sv_restart (sys/svconf.h) of its program, read with the stop
			 * timeout; -1 unknown */
	uid_t uid;	/* the process's real ids: PM2 commands run as its owner */
	gid_t gid;
	bool ids_known;
	pid_t pid; /* the process */
	/* Static: why the claim above (a cgroup name, an environment variable) is not believed,
	 * or NULL once ow_manager_verify believed it. A restart is only planned when NULL. */
	const char *distrust;
	/* The manager's own stop timeout as the user set it (ow_manager_stop_timeout): seconds,
	 * INFINITY for "none"; -1 when none is known (not set, not readable, or not believed). */
	double stop_timeout_s;
	char stop_timeout_src[32]; /* the setting: "TimeoutStopSec", "stopwaitsecs"... or "" */
};

/* What supervisord does when the process exits after a SIGTERM that was not its own:
 * autorestart= of its program (supervisor's default: unexpected) and, for unexpected, whether
 * exitcodes= (default 0) holds 0, the exit of a worker that stops gracefully. */
enum ow_sv_restart {
	OW_SV_RESTART_UNKNOWN = -1,
	OW_SV_RESTART_ALWAYS,	/* true: restarted */
	OW_SV_RESTART_NEVER,	/* false: stays stopped */
	OW_SV_RESTART_NOT_ON_0, /* unexpected, 0 expected: an exit 0 stays stopped */
	OW_SV_RESTART_ON_0,	/* unexpected, 0 not expected: an exit 0 is restarted */
};

/* What the log and alert say supervisord will do after the SIGTERM (`name`: GROUP:NAME), ""
 * when unknown: "queue:worker has autorestart=unexpected and exit code 0 expected: ..." */
void ow_sv_restart_note(const char *name, int restart, char *buf, size_t len);

/* "systemd:api.service", "pm2:worker(id 3)", "supervisor:queue:worker_01", "docker:3f2a1b..",
 * or "unknown". */
void ow_manager_label(const struct ow_manager *m, char *buf, size_t len);
const char *ow_manager_kind_name(enum ow_manager_kind kind);

#endif /* OW_MANAGED_H */
