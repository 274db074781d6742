/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who manages a process: a container engine, PM2, supervisor or a systemd unit, found from
 * <procroot>/<pid>/cgroup and <procroot>/<pid>/environ. The parsers are pure functions over
 * buffers; the reader takes the proc root. Missing, unreadable or malformed files give
 * OW_MGR_UNKNOWN (or a less specific kind), never an error the caller must handle.
 */
#ifndef OW_MANAGER_H
#define OW_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "managed.h" /* struct ow_manager, the kinds and their names */

/* The lines of /proc/PID/cgroup a claim can come from. */
enum { OW_MGR_HIER_SYSTEMD, OW_MGR_HIER_UNIFIED, OW_MGR_HIER_MEMORY, OW_MGR_HIER_COUNT };

/* The mount roots of those hierarchies (NULL: not mounted), to check who made the names. */
struct ow_mgr_roots {
	const char *hier[OW_MGR_HIER_COUNT];
	const char *fs; /* prefix of file paths read from processes ("" live, a fixture root) */
};

/* What the environment says, from the few variables that matter. */
struct ow_env_info {
	bool pm2; /* pm_id was a number */
	int pm2_id;
	char pm2_name[OW_MGR_NAME_LEN];
	char pm2_home[OW_MGR_PATH_LEN];
	bool supervisor; /* SUPERVISOR_ENABLED or SUPERVISOR_PROCESS_NAME */
	char sv_group[64];
	char sv_process[64];
	char cmd_path[OW_MGR_PATH_LEN]; /* "_": the command its shell ran (a PM2 God daemon's) */
};

/* Incremental parser: environ can be megabytes, and only complete NAME=VALUE entries count. */
struct ow_env_scan {
	struct ow_env_info info;
	char entry[OW_MGR_PATH_LEN + 32]; /* the current entry, when it may be one we keep */
	size_t len;
	bool skip; /* the current entry is too long to be one we keep */
};

void ow_env_scan_init(struct ow_env_scan *s);
/* Feed the next bytes of NUL-separated environ. */
void ow_env_scan_feed(struct ow_env_scan *s, const char *buf, size_t len);
/* An entry cut off at the end (file truncated or over the read cap) is dropped. */
void ow_env_parse(const char *buf, size_t len, struct ow_env_info *out);
/* The above over <procroot>/<pid>/environ, read up to a cap (the kernel's own bound is near
 * ARG_MAX); an unreadable file says nothing. */
void ow_env_read(const char *procroot, pid_t pid, struct ow_env_info *out);

/*
 * The contents of a /proc/PID/cgroup file into m: unit, user_unit, user_uid, scope, and kind
 * SYSTEMD or a container kind with id/pod/name. The systemd path comes from the
 * "name=systemd" line (v1), else the "0::" line (v2, hybrid), else the memory line. Returns 0,
 * or -EINVAL when no line could be used (m then says unknown).
 */
int ow_manager_parse_cgroup(const char *buf, struct ow_manager *m);

/* The systemd unit and container that a cgroup path (relative to its hierarchy) names. */
void ow_manager_from_path(const char *path, struct ow_manager *m);

/* Combine what the environment says with what the cgroup said: a container is the outermost
 * manager (a PM2 inside it cannot be reached from the host), then PM2, supervisor, systemd. */
void ow_manager_apply_env(struct ow_manager *m, const struct ow_env_info *env);

/* Everything above for a live (or fixture) process. Never fails: unknown parts stay unknown.
 * HOME comes from the password database for the process's uid, never from its environment.
 * The claim is left distrusted until ow_manager_verify. */
void ow_manager_detect(const char *procroot, pid_t pid, struct ow_manager *m);

/*
 * Believe the claim, or say why not (m->distrust). A unit or container name counts only where
 * root made every cgroup directory down to it (ow_cg_trusted_depth); a user unit only for its
 * own user (user@UID.service made by root and owned by root or UID, the process's uid UID);
 * supervisor only when the parent is supervisord running as root or as the process's owner;
 * PM2 only when a God daemon of the process's owner is its parent or ancestor, whose
 * installation gives the pm2 CLI and whose environment PM2_HOME.
 */
void ow_manager_verify(const struct ow_mgr_roots *roots, const char *procroot, pid_t pid,
		       struct ow_manager *m);

/* The cgroup part of the above, pure: given how many leading components of m->cg_path root
 * made and the owner of the user@UID.service directory, why the name is not believed, or
 * NULL. */
const char *ow_manager_cgroup_distrust(const struct ow_manager *m, unsigned int trusted_depth,
				       uid_t user_dir_owner);

/*
 * The manager's own stop timeout, as the user set it, into m->stop_timeout_s (seconds,
 * INFINITY for none, -1 when none is known) and m->stop_timeout_src (the setting's name), for
 * a claim ow_manager_verify believed (m->distrust NULL; otherwise -1). Read from the manager's
 * files under roots->fs, never by running its commands; the files can be the victim's user's,
 * so they are opened without blocking, capped, and malformed ones say -1. The caller caps what
 * it honours.
 *   systemd: TimeoutStopSec= / TimeoutSec= of the unit and its drop-ins (unitfile.h), system
 *     or the user's units; not for a .scope.
 *   supervisor: stopwaitsecs= of the process's program in the configuration its parent
 *     supervisord was started with (svconf.h).
 *   PM2: kill_timeout (milliseconds) of the app in $PM2_HOME/dump.pm2, which only `pm2 save`
 *     writes: an app started or changed since is not seen (the running list is the God
 *     daemon's, which only its RPC socket or `pm2 jlist` tells).
 *   docker, podman: the container's StopTimeout / stopTimeout (container_state.h); kept when
 *     the caller read it already with the container's names (m->stop_timeout_src set since
 *     ow_manager_detect): the runtime's state is read once an act.
 */
void ow_manager_stop_timeout(const struct ow_mgr_roots *roots, const char *procroot, pid_t pid,
			     struct ow_manager *m);

/*
 * kill_timeout, in seconds, of the PM2 app `name` (pm_id `pm_id`) in a dump.pm2 (a JSON array of
 * the apps' pm2_env objects): the entry of that name and pm_id if there is one (today's PM2
 * drops pm_id from what it dumps), else every entry of that name (a cluster's instances), which
 * must agree. As PM2 reads it: absent, null, false, "" or 0 is its default (1.6 s), so -1; a
 * number or a numeric string otherwise, less than 1 ms or over 2^31-1 ms being 1 ms (Node's
 * setTimeout). -1 also for a name not there, a value that is no number, or malformed JSON. Pure.
 */
double ow_pm2_dump_kill_timeout(const char *json, size_t len, const char *name, int pm_id);

/* Is this argv (NUL-separated) supervisord's: argv[0] or argv[1] (an interpreter's script)
 * named "supervisord"? Is it a PM2 God daemon's title ("PM2 vX: God Daemon (HOME)")? Pure. */
bool ow_manager_is_supervisord(const char *argv, size_t len);
bool ow_manager_is_pm2_god(const char *argv, size_t len);

#endif /* OW_MANAGER_H */
