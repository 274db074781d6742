/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a cgroup path says, in one parser used by the display names (cgroup.h) and by manager
 * detection (manager.h): the systemd units on it, the user manager and login session, the
 * container runtime and id, the Kubernetes pod and QoS class. Pure functions over a path
 * string (relative to its hierarchy, e.g. "/system.slice/api.service"); no I/O.
 *
 * A name is only a claim: whoever may write a cgroup's parent names it, and a delegated
 * subtree (Delegate=yes, user@UID.service, a container's own cgroup) lets a user make any
 * name. So every finding carries its depth (1 = the first component), which callers compare
 * with ow_cg_trusted_depth (cgroup.h) before they believe it.
 */
#ifndef OW_CGROUP_PATH_H
#define OW_CGROUP_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What one path component is. systemd names every cgroup it makes after its unit. */
enum ow_cgp_type {
	OW_CGP_DIR = 0,	  /* a plain directory, or a name no manager gives */
	OW_CGP_SERVICE,	  /* NAME.service */
	OW_CGP_SCOPE,	  /* NAME.scope: processes systemd did not start (sessions, containers) */
	OW_CGP_SLICE,	  /* NAME.slice: a node of the tree, no processes of its own */
	OW_CGP_UNIT_MISC, /* .socket, .mount, .swap: units whose helpers run in their own cgroup */
};

enum ow_cgp_runtime {
	OW_CGP_RT_NONE = 0,
	OW_CGP_RT_DOCKER,     /* docker-ID.scope (systemd driver), /docker/ID (cgroupfs driver) */
	OW_CGP_RT_PODMAN,     /* libpod-ID.scope (systemd), libpod_parent/libpod-ID (cgroupfs) */
	OW_CGP_RT_CONTAINERD, /* cri-containerd-ID.scope (CRI plugin), nerdctl-ID.scope */
	OW_CGP_RT_CRIO,	      /* crio-ID.scope, crio-ID */
	OW_CGP_RT_CRI,	      /* a bare ID below kubepods: kubelet's cgroupfs driver, any runtime */
};

enum ow_cgp_qos {
	OW_CGP_QOS_NONE = 0, /* not a pod, or a pod without a class in its path */
	OW_CGP_QOS_GUARANTEED,
	OW_CGP_QOS_BURSTABLE,
	OW_CGP_QOS_BESTEFFORT,
};

/* One component of the path: 1-based depth (0: none found), start and length in the path. */
struct ow_cgp_comp {
	unsigned int depth;
	size_t off, len;
};

#define OW_CGP_ID_LEN 64 /* container ids: 64 hex digits, as docker, podman, containerd use */

struct ow_cg_path {
	unsigned int depth;	 /* components; 0 for the root */
	struct ow_cgp_comp last; /* the cgroup itself */
	enum ow_cgp_type type;	 /* of the last component */
	/* The innermost .service or .scope: the unit whose processes these are. */
	struct ow_cgp_comp unit;
	bool scope;		 /* unit is a .scope (systemctl cannot restart it) */
	bool session;		 /* unit is a logind session-ID.scope */
	bool user_unit;		 /* unit is below user@UID.service (the user's own manager) */
	struct ow_cgp_comp user; /* the last user@UID.service, and its UID */
	uid_t user_uid;
	/* The innermost component naming a container: runtime and full id (NUL-terminated). */
	enum ow_cgp_runtime runtime;
	struct ow_cgp_comp container;
	char id[OW_CGP_ID_LEN + 1];
	/* Kubernetes: below a kubepods* component; the outermost pod and its UID (the systemd
	 * driver's '_' turned back into '-'), and its QoS class. */
	bool kube;
	struct ow_cgp_comp pod;
	char pod_uid[65];
	enum ow_cgp_qos qos;
};

/* Parse `path` (NULL reads as the root). Never fails: what is not recognised is left 0. */
void ow_cg_path_parse(const char *path, struct ow_cg_path *out);

/* The next '/'-separated component at or after p: its start (NULL at the end), and length. */
const char *ow_cgp_next(const char *p, size_t *len);

/* The length of relpath's first `depth` components ("/a/b/c", 2: 4, the length of "/a/b"; 0
 * for depth 0; all of it when it has fewer). */
size_t ow_cgp_prefix_len(const char *relpath, unsigned int depth);

/* The number of '/'-separated components of relpath ("/", "" and NULL have 0). */
unsigned int ow_cg_depth(const char *relpath);

/* "docker", "podman", "containerd", "crio", "cri" or "" for none. */
const char *ow_cgp_runtime_name(enum ow_cgp_runtime rt);

/*
 * The name users know a cgroup by, from its path relative to the mount: "pod:<uid>" for a
 * pod and everything in it; "<runtime>:<12 hex>" (as `docker ps` shortens) for a container's
 * cgroup or the "container" child crun makes in it; the unit for a systemd unit's cgroup
 * ("api.service", "session-3.scope"); "/" for the root; anything else the path itself.
 */
void ow_cg_display_name(const char *relpath, char *buf, size_t len);

#endif /* OW_CGROUP_PATH_H */
