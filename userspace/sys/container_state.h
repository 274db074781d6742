/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A container's name and image, which users know it by, from its runtime's state on disk: the
 * cgroup gives only its id. Podman (containers/storage): STORAGE/overlay-containers/
 * containers.json, an array of {"id", "names", "metadata": "{\"image-name\": ...}"}. Docker:
 * ROOT/containers/ID/config.v2.json, {"Name": "/NAME", "Config": {"Image": ...}}. Read-only,
 * never the runtime's socket or command; the files must be root's and writable by root alone (a
 * name a user could write must not name a container in an alert). Each reader takes its root, so
 * the tests run them on fixture trees.
 */
#ifndef OW_CONTAINER_STATE_H
#define OW_CONTAINER_STATE_H

#include <stddef.h>

#define OW_PODMAN_STORAGE "/var/lib/containers/storage"
#define OW_DOCKER_ROOT	  "/var/lib/docker"

struct ow_ctr_names {
	char name[128];
	char image[256]; /* "localhost/app:1", "nginx:1.27"; "" when not known */
	/* docker: Config.StopTimeout (`--stop-timeout`, compose's stop_grace_period), seconds;
	 * -1 when not set (docker's own default, 10 s); podman's is in its database
	 * (ow_podman_stop_timeout) */
	double stop_timeout_s;
};

/* The container with this full id (64 hex digits): 0, -ENOENT when the state has none, -EPERM
 * when the file is not root's alone, other -errno. The text parsers are apart for the fuzzer. */
int ow_podman_names(const char *storage, const char *id, struct ow_ctr_names *out);
int ow_docker_names(const char *root, const char *id, struct ow_ctr_names *out);
int ow_podman_names_parse(const char *json, size_t len, const char *id, struct ow_ctr_names *out);

/*
 * Podman's stop timeout of the container (`--stop-timeout`, containers.conf's stop_timeout, 10
 * by default), from libpod's database, STORAGE/libpod/bolt_state.db (podman 4; BoltDB): each
 * container's configuration is a JSON value {"spec": ..., "id": ..., "stopTimeout": N} stored
 * whole (BoltDB keeps a value in contiguous pages), found by its id and parsed where it
 * starts. Podman 5's SQLite database splits long values over pages: not read (-ENOENT). Only
 * at an act, not at discovery: the database holds every container. 0 and *out seconds, or
 * -errno as above. The scan is apart for the fuzzer.
 */
int ow_podman_stop_timeout(const char *storage, const char *id, double *out);
int ow_podman_stop_timeout_scan(const char *db, size_t len, const char *id, double *out);
int ow_docker_names_parse(const char *json, size_t len, struct ow_ctr_names *out);

#endif /* OW_CONTAINER_STATE_H */
