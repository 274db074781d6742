// SPDX-License-Identifier: GPL-2.0
/*
 * The requests and answers of a pod's deletion: see kube_pod.h. The API's objects as
 * documented (core/v1 Pod: metadata.uid, ownerReferences, annotations, deletionTimestamp,
 * spec.terminationGracePeriodSeconds; meta/v1 DeleteOptions and Status).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "kube_names.h"
#include "kube_pod.h"

/* The kubelet's annotation on a static pod's mirror (kubelet/types ConfigMirrorAnnotationKey):
 * the API object only reflects a pod the kubelet runs from a file; deleting it stops nothing. */
#define MIRROR_ANNOTATION "kubernetes.io/config.mirror"

int ow_kube_pod_url(const char *base, const char *ns, const char *pod, char *buf, size_t len)
{
	if (!ow_kube_label_ok(ns, strlen(ns)) || !ow_kube_subdomain_ok(pod, strlen(pod)))
		return -EINVAL;
	if (snprintf(buf, len, "%s/api/v1/namespaces/%s/pods/%s", base, ns, pod) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

static bool uid_ok(const char *uid)
{
	size_t n = strlen(uid);

	return n > 0 && n < 65 && strspn(uid, "0123456789abcdef-") == n;
}

int ow_kube_delete_body(const char *uid, char *buf, size_t len)
{
	if (!uid_ok(uid))
		return -EINVAL;
	if (snprintf(buf, len,
		     "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\","
		     "\"preconditions\":{\"uid\":\"%s\"}}",
		     uid) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

static const char *str_at(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The controller among the owner references (controller: true): the one that makes the pod
 * again. Other owners only garbage-collect it. */
static const cJSON *controller(const cJSON *owners)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, owners)
	{
		if (cJSON_IsObject(o) && str_at(o, "kind") && str_at(o, "name") &&
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "controller")))
			return o;
	}
	return NULL;
}

static void judge_meta(const cJSON *meta, const char *uid, struct ow_kube_pod_facts *f)
{
	const char *got = str_at(meta, "uid");
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations"), *own;

	f->result = OW_POD_DEL_FAILED;
	if (!got)
		return;
	/* First: a mirror's UID is the API server's, not the kubelet's (the cgroup's) */
	f->result = OW_POD_DEL_MIRROR;
	if (cJSON_IsObject(ann) && cJSON_GetObjectItemCaseSensitive(ann, MIRROR_ANNOTATION))
		return;
	f->result = OW_POD_DEL_GONE;
	if (strcmp(got, uid))
		return; /* a pod of the same name made since: not the cgroup's */
	f->result = OW_POD_DEL_TERMINATING;
	if (str_at(meta, "deletionTimestamp"))
		return;
	own = controller(cJSON_GetObjectItemCaseSensitive(meta, "ownerReferences"));
	f->result = OW_POD_DEL_BARE;
	if (!own)
		return;
	snprintf(f->owner, sizeof(f->owner), "%.40s/%.50s", str_at(own, "kind"),
		 str_at(own, "name"));
	f->deletable = true;
}

void ow_kube_pod_judge(const char *body, size_t len, const char *uid, struct ow_kube_pod_facts *f)
{
	cJSON *pod = cJSON_ParseWithLength(body, len);
	const cJSON *meta, *spec, *g;

	*f = (struct ow_kube_pod_facts){.result = OW_POD_DEL_FAILED, .grace_s = -1};
	meta = cJSON_GetObjectItemCaseSensitive(pod, "metadata");
	spec = cJSON_GetObjectItemCaseSensitive(pod, "spec");
	if (cJSON_IsObject(pod) && cJSON_IsObject(meta) && str_at(pod, "kind") &&
	    !strcmp(str_at(pod, "kind"), "Pod")) {
		g = cJSON_GetObjectItemCaseSensitive(spec, "terminationGracePeriodSeconds");
		if (cJSON_IsNumber(g) && g->valuedouble >= 0)
			f->grace_s = g->valuedouble;
		judge_meta(meta, uid, f);
	}
	cJSON_Delete(pod);
}

enum ow_pod_del_result ow_kube_pod_status(long status, bool get)
{
	if (status == 401 || status == 403)
		return OW_POD_DEL_FORBIDDEN;
	if (status == 404 || status == 409 || status == 410)
		return OW_POD_DEL_GONE;
	if (!get && (status == 200 || status == 202))
		return OW_POD_DEL_ACCEPTED;
	return OW_POD_DEL_FAILED;
}
