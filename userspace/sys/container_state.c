// SPDX-License-Identifier: GPL-2.0
/*
 * Container names and images from the runtimes' state on disk (container_state.h).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container_state.h"
#include "readfile.h"

/* containers.json holds every container of the host: a few hundred bytes each. */
#define PODMAN_STATE_CAP (16 * 1024 * 1024)
#define DOCKER_STATE_CAP (4 * 1024 * 1024)
/* libpod's database: tens of kB a container (its configuration, state, exec sessions); read
 * whole at an act (after the SIGTERM, or before a restart command), by a daemon whose memory
 * is locked: a few hundred containers' worth. */
#define PODMAN_DB_CAP (8 * 1024 * 1024)
/* A container's configuration starts with its OCI spec: the id comes after it, within this. */
#define PODMAN_CONFIG_SPAN (1024 * 1024)

static bool is_id(const char *id)
{
	size_t n = strspn(id, "0123456789abcdef");

	return n == 64 && !id[n];
}

static void copy(char *dst, size_t len, const cJSON *s)
{
	snprintf(dst, len, "%s", cJSON_IsString(s) ? s->valuestring : "");
}

/* metadata is a JSON document in a string: {"image-name": "localhost/app:1", "name": ...}. */
static void podman_image(const cJSON *entry, struct ow_ctr_names *out)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(entry, "metadata");
	cJSON *m = cJSON_IsString(meta) ? cJSON_Parse(meta->valuestring) : NULL;

	copy(out->image, sizeof(out->image), cJSON_GetObjectItemCaseSensitive(m, "image-name"));
	cJSON_Delete(m);
}

int ow_podman_names_parse(const char *json, size_t len, const char *id, struct ow_ctr_names *out)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *list = cJSON_IsArray(root) ? root : NULL, *e, *names;
	int err = list ? -ENOENT : -EINVAL;

	memset(out, 0, sizeof(*out));
	out->stop_timeout_s = -1;
	cJSON_ArrayForEach(e, list)
	{
		const cJSON *eid = cJSON_GetObjectItemCaseSensitive(e, "id");

		if (!cJSON_IsString(eid) || strcmp(eid->valuestring, id))
			continue;
		names = cJSON_GetObjectItemCaseSensitive(e, "names");
		copy(out->name, sizeof(out->name), cJSON_GetArrayItem(names, 0));
		podman_image(e, out);
		err = out->name[0] ? 0 : -ENOENT;
		break;
	}
	cJSON_Delete(root);
	return err;
}

int ow_docker_names_parse(const char *json, size_t len, struct ow_ctr_names *out)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "Name");
	const cJSON *config = cJSON_GetObjectItemCaseSensitive(root, "Config");
	const cJSON *stop = cJSON_GetObjectItemCaseSensitive(config, "StopTimeout");

	memset(out, 0, sizeof(*out));
	/* docker stop waits that long, then SIGKILLs; a negative one means "for ever" there */
	out->stop_timeout_s =
		cJSON_IsNumber(stop) && stop->valuedouble >= 0 && stop->valuedouble <= 86400
			? stop->valuedouble
			: -1;
	/* Docker keeps the name with a leading '/' (its old link syntax) */
	if (cJSON_IsString(name))
		snprintf(out->name, sizeof(out->name), "%s",
			 name->valuestring + (name->valuestring[0] == '/'));
	copy(out->image, sizeof(out->image), cJSON_GetObjectItemCaseSensitive(config, "Image"));
	cJSON_Delete(root);
	return out->name[0] ? 0 : -EINVAL;
}

/* The configuration whose "id" field is at hit: the last {"spec": before it, parsed to its end
 * (the bytes after it are the database's). */
static int config_at(const char *db, const char *end, const char *hit, const char *id, double *out)
{
	static const char start[] = "{\"spec\":";
	const char *from = hit - (hit - db > PODMAN_CONFIG_SPAN ? PODMAN_CONFIG_SPAN : hit - db);
	const char *p = NULL, *q;
	const cJSON *cid, *stop;
	cJSON *cfg;
	int err = -ENOENT;

	for (q = from; (q = memmem(q, (size_t)(hit - q), start, sizeof(start) - 1)); q++)
		p = q;
	if (!p)
		return -ENOENT;
	cfg = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), NULL, false);
	cid = cJSON_GetObjectItemCaseSensitive(cfg, "id");
	stop = cJSON_GetObjectItemCaseSensitive(cfg, "stopTimeout");
	if (cJSON_IsString(cid) && !strcmp(cid->valuestring, id) && cJSON_IsNumber(stop) &&
	    stop->valuedouble >= 0 && stop->valuedouble <= 86400) {
		*out = stop->valuedouble;
		err = 0;
	}
	cJSON_Delete(cfg);
	return err;
}

int ow_podman_stop_timeout_scan(const char *db, size_t len, const char *id, double *out)
{
	char key[80];
	const char *p = db, *end = db + len;
	int n = snprintf(key, sizeof(key), "\"id\":\"%s\"", id);

	if (!is_id(id))
		return -EINVAL;
	/* A stale copy in a freed page may be cut: the next whole one answers. */
	while ((p = memmem(p, (size_t)(end - p), key, (size_t)n))) {
		if (!config_at(db, end, p, id, out))
			return 0;
		p += n;
	}
	return -ENOENT;
}

/* The state file at path, parsed: podman's (the entry of `id`) or, with id NULL, docker's. */
static int names_from(const char *path, size_t cap, const char *id, struct ow_ctr_names *out)
{
	char *text = NULL;
	ssize_t len =
		ow_read_untrusted(AT_FDCWD, path, OW_OPEN_NOFOLLOW | OW_OPEN_ROOT_ONLY, cap, &text);
	int err;

	if (len < 0)
		return (int)len;
	err = id ? ow_podman_names_parse(text, (size_t)len, id, out)
		 : ow_docker_names_parse(text, (size_t)len, out);
	free(text);
	return err;
}

int ow_podman_names(const char *storage, const char *id, struct ow_ctr_names *out)
{
	char path[PATH_MAX];

	memset(out, 0, sizeof(*out));
	if (!is_id(id))
		return -EINVAL;
	if (snprintf(path, sizeof(path), "%s/overlay-containers/containers.json", storage) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return names_from(path, PODMAN_STATE_CAP, id, out);
}

int ow_podman_stop_timeout(const char *storage, const char *id, double *out)
{
	char path[PATH_MAX], *db = NULL;
	ssize_t len;
	int err;

	if (!is_id(id))
		return -EINVAL;
	if (snprintf(path, sizeof(path), "%s/libpod/bolt_state.db", storage) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	len = ow_read_untrusted(AT_FDCWD, path, OW_OPEN_NOFOLLOW | OW_OPEN_ROOT_ONLY, PODMAN_DB_CAP,
				&db);
	if (len < 0)
		return (int)len;
	err = ow_podman_stop_timeout_scan(db, (size_t)len, id, out);
	free(db);
	return err;
}

int ow_docker_names(const char *root, const char *id, struct ow_ctr_names *out)
{
	char path[PATH_MAX];

	memset(out, 0, sizeof(*out));
	if (!is_id(id))
		return -EINVAL;
	if (snprintf(path, sizeof(path), "%s/containers/%s/config.v2.json", root, id) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return names_from(path, DOCKER_STATE_CAP, NULL, out);
}
