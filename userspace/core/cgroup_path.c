// SPDX-License-Identifier: GPL-2.0
/*
 * What a cgroup path says: see cgroup_path.h. The names parsed here are those the
 * managers give: systemd (units), logind (session-ID.scope), the user manager
 * (user@UID.service), docker, podman, containerd and CRI-O (their ids), and the kubelet (pods
 * and QoS classes, with its cgroupfs and systemd drivers). The path is never trusted: ids and
 * UIDs are checked character by character and nothing is copied without a bound.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_path.h"

#define SHORT_ID_LEN 12 /* what `docker ps` and `podman ps` show */

const char *ow_cgp_next(const char *p, size_t *len)
{
	while (*p == '/')
		p++;
	if (!*p)
		return NULL;
	*len = strcspn(p, "/");
	return p;
}

size_t ow_cgp_prefix_len(const char *relpath, unsigned int depth)
{
	const char *c, *end = relpath;
	size_t n;

	if (!relpath || !depth)
		return 0;
	for (c = ow_cgp_next(relpath, &n); c && depth; c = ow_cgp_next(c + n, &n), depth--)
		end = c + n;
	return (size_t)(end - relpath);
}

unsigned int ow_cg_depth(const char *relpath)
{
	unsigned int k = 0;
	const char *c;
	size_t n;

	for (c = relpath ? ow_cgp_next(relpath, &n) : NULL; c; c = ow_cgp_next(c + n, &n))
		k++;
	return k;
}

static bool has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);

	return n >= pl && !strncmp(s, prefix, pl);
}

static bool has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t sl = strlen(suffix);

	return n >= sl && !strncmp(s + n - sl, suffix, sl);
}

static bool is_word(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && !strncmp(s, word, n);
}

/* Container ids are 64 lowercase hex digits (sha256), whichever runtime made them. */
static bool is_hex64(const char *s, size_t n)
{
	size_t i;

	if (n != OW_CGP_ID_LEN)
		return false;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return false;
	}
	return true;
}

/* A unit name has a non-empty stem before its type suffix (systemd.unit(5)). */
static enum ow_cgp_type comp_type(const char *c, size_t n)
{
	static const struct {
		const char *suffix;
		enum ow_cgp_type type;
	} types[] = {
		{".service", OW_CGP_SERVICE}, {".scope", OW_CGP_SCOPE},
		{".slice", OW_CGP_SLICE},     {".socket", OW_CGP_UNIT_MISC},
		{".mount", OW_CGP_UNIT_MISC}, {".swap", OW_CGP_UNIT_MISC},
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (n > strlen(types[i].suffix) && has_suffix(c, n, types[i].suffix))
			return types[i].type;
	}
	return OW_CGP_DIR;
}

/* "PREFIX<64 hex>SUFFIX" -> the id. */
static bool wrapped_id(const char *c, size_t n, const char *prefix, const char *suffix,
		       const char **id)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);

	if (n != pl + OW_CGP_ID_LEN + sl || !has_prefix(c, n, prefix) ||
	    !has_suffix(c, n, suffix) || !is_hex64(c + pl, OW_CGP_ID_LEN))
		return false;
	*id = c + pl;
	return true;
}

/*
 * A container's cgroup, as each runtime names it (prev: the component above). The conmon
 * monitors of podman and CRI-O (libpod-conmon-ID.scope, crio-conmon-ID.scope) are not the
 * container: their "conmon-ID" is no id, so they do not match.
 */
static enum ow_cgp_runtime container_comp(const char *c, size_t n, const char *prev, size_t prevn,
					  bool kube, const char **id)
{
	if (wrapped_id(c, n, "docker-", ".scope", id))
		return OW_CGP_RT_DOCKER;
	if (prev && is_word(prev, prevn, "docker") && wrapped_id(c, n, "", "", id))
		return OW_CGP_RT_DOCKER;
	if (wrapped_id(c, n, "libpod-", ".scope", id) || wrapped_id(c, n, "libpod-", "", id))
		return OW_CGP_RT_PODMAN;
	if (wrapped_id(c, n, "cri-containerd-", ".scope", id) ||
	    wrapped_id(c, n, "nerdctl-", ".scope", id))
		return OW_CGP_RT_CONTAINERD;
	if (wrapped_id(c, n, "crio-", ".scope", id) || wrapped_id(c, n, "crio-", "", id))
		return OW_CGP_RT_CRIO;
	/* kubelet's cgroupfs driver: /kubepods/<qos>/pod<uid>/<id>, whichever runtime */
	if (kube && wrapped_id(c, n, "", "", id))
		return OW_CGP_RT_CRI;
	return OW_CGP_RT_NONE;
}

/* "user@UID.service": the user's own systemd, which runs the user's units below it. */
static bool user_manager_comp(const char *c, size_t n, uid_t *uid)
{
	unsigned long long v = 0;
	size_t i;

	if (n <= 13 || n > 13 + 10 || !has_prefix(c, n, "user@") || !has_suffix(c, n, ".service"))
		return false;
	for (i = 5; i < n - 8; i++) {
		if (!isdigit((unsigned char)c[i]))
			return false;
		v = v * 10 + (unsigned long long)(c[i] - '0');
	}
	/* systemd allocates no UID above 0x6FFFFFFF (its container range ends there). */
	if (v > INT32_MAX)
		return false;
	*uid = (uid_t)v;
	return true;
}

/* Pod UIDs are hex and dashes; the kubelet's systemd driver writes the dashes as '_'. */
static bool pod_uid(const char *s, size_t n, struct ow_cg_path *o)
{
	size_t i;

	if (n == 0 || n >= sizeof(o->pod_uid))
		return false;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	}
	for (i = 0; i < n; i++)
		o->pod_uid[i] = s[i] == '_' ? '-' : s[i];
	o->pod_uid[n] = '\0';
	return true;
}

static enum ow_cgp_qos qos_word(const char *s, size_t n)
{
	if (is_word(s, n, "burstable"))
		return OW_CGP_QOS_BURSTABLE;
	if (is_word(s, n, "besteffort"))
		return OW_CGP_QOS_BESTEFFORT;
	return OW_CGP_QOS_NONE;
}

/*
 * kubelet's cgroupfs driver: /kubepods/[burstable|besteffort/]pod<uid>/...; its systemd
 * driver: /kubepods.slice/[kubepods-<qos>.slice/]kubepods[-<qos>]-pod<uid_with_'_'>.slice/...
 * A Guaranteed pod sits directly below kubepods: its class has no component of its own.
 */
static bool pod_comp(const char *c, size_t n, const char *prev, size_t prevn, struct ow_cg_path *o)
{
	const char *pod;

	if (n > 3 && has_prefix(c, n, "pod") && pod_uid(c + 3, n - 3, o)) {
		if (prev)
			o->qos = has_prefix(prev, prevn, "kubepods") ? OW_CGP_QOS_GUARANTEED
								     : qos_word(prev, prevn);
		return true;
	}
	if (!has_prefix(c, n, "kubepods") || !has_suffix(c, n, ".slice"))
		return false;
	pod = memmem(c, n, "-pod", 4);
	if (!pod || pod + 4 >= c + n - 6 || !pod_uid(pod + 4, (size_t)(c + n - 6 - (pod + 4)), o))
		return false;
	o->qos = pod == c + 8 ? OW_CGP_QOS_GUARANTEED : qos_word(c + 9, (size_t)(pod - (c + 9)));
	return true;
}

static struct ow_cgp_comp comp_at(const char *path, const char *c, size_t n, unsigned int depth)
{
	return (struct ow_cgp_comp){.depth = depth, .off = (size_t)(c - path), .len = n};
}

/* The systemd units of one component: the innermost .service or .scope is the claim. */
static void note_unit(const char *path, const char *c, size_t n, struct ow_cg_path *o,
		      struct ow_cgp_comp *unit_user, uid_t *unit_uid,
		      const struct ow_cgp_comp *user, uid_t uid)
{
	enum ow_cgp_type t = comp_type(c, n);

	if (t != OW_CGP_SERVICE && t != OW_CGP_SCOPE)
		return;
	o->unit = comp_at(path, c, n, o->depth);
	o->scope = t == OW_CGP_SCOPE;
	o->session = o->scope && has_prefix(c, n, "session-"); /* logind's, pam_systemd(8) */
	o->user_unit = user->depth != 0;
	*unit_user = *user;
	*unit_uid = uid;
}

void ow_cg_path_parse(const char *path, struct ow_cg_path *o)
{
	struct ow_cgp_comp user = {0}, unit_user = {0};
	const char *c, *prev = NULL, *id;
	uid_t uid = 0, unit_uid = 0, u;
	enum ow_cgp_runtime rt;
	size_t n, prevn = 0;

	memset(o, 0, sizeof(*o));
	for (c = path ? ow_cgp_next(path, &n) : NULL; c;
	     prev = c, prevn = n, c = ow_cgp_next(c + n, &n)) {
		o->depth++;
		o->kube = o->kube || has_prefix(c, n, "kubepods");
		if (o->kube && !o->pod.depth && pod_comp(c, n, prev, prevn, o))
			o->pod = comp_at(path, c, n, o->depth);
		rt = container_comp(c, n, prev, prevn, o->kube, &id);
		if (rt != OW_CGP_RT_NONE) {
			o->runtime = rt;
			o->container = comp_at(path, c, n, o->depth);
			memcpy(o->id, id, OW_CGP_ID_LEN);
		}
		note_unit(path, c, n, o, &unit_user, &unit_uid, &user, uid);
		if (user_manager_comp(c, n, &u)) {
			user = comp_at(path, c, n, o->depth);
			uid = u;
		}
		o->last = comp_at(path, c, n, o->depth);
	}
	if (o->depth)
		o->type = comp_type(path + o->last.off, o->last.len);
	/* The user manager the unit runs under; without one, the last on the path. */
	o->user = o->user_unit ? unit_user : user;
	o->user_uid = o->user_unit ? unit_uid : uid;
}

const char *ow_cgp_runtime_name(enum ow_cgp_runtime rt)
{
	static const char *const names[] = {
		[OW_CGP_RT_NONE] = "",	       [OW_CGP_RT_DOCKER] = "docker",
		[OW_CGP_RT_PODMAN] = "podman", [OW_CGP_RT_CONTAINERD] = "containerd",
		[OW_CGP_RT_CRIO] = "crio",     [OW_CGP_RT_CRI] = "cri",
	};

	return (unsigned int)rt < sizeof(names) / sizeof(names[0]) ? names[rt] : "";
}

/*
 * The container's own cgroup, or the "container" child that crun makes in a delegated scope
 * so the scope itself holds no processes (cgroup v2's no-internal-process rule): rootless
 * podman's processes live there. A bare id below kubepods names no runtime to show.
 */
static bool container_is_cgroup(const char *relpath, const struct ow_cg_path *p)
{
	if (p->runtime == OW_CGP_RT_NONE || p->runtime == OW_CGP_RT_CRI)
		return false;
	return p->container.depth == p->depth ||
	       (p->container.depth + 1 == p->depth &&
		is_word(relpath + p->last.off, p->last.len, "container"));
}

void ow_cg_display_name(const char *relpath, char *buf, size_t len)
{
	struct ow_cg_path p;

	if (!buf || !len)
		return;
	ow_cg_path_parse(relpath, &p);
	if (!p.depth)
		snprintf(buf, len, "/");
	else if (p.pod.depth)
		snprintf(buf, len, "pod:%s", p.pod_uid);
	else if (container_is_cgroup(relpath, &p))
		snprintf(buf, len, "%s:%.*s", ow_cgp_runtime_name(p.runtime), SHORT_ID_LEN, p.id);
	else if (p.type != OW_CGP_DIR)
		snprintf(buf, len, "%.*s", (int)p.last.len, relpath + p.last.off);
	else
		snprintf(buf, len, "%s", relpath);
}
