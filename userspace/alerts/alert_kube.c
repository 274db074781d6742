// SPDX-License-Identifier: GPL-2.0
/*
 * Kubernetes Events on the pod (events.k8s.io/v1): what `kubectl describe pod` and
 * `kubectl events` show beside the kubelet's own OOMKilled. One Event per alert: warn
 * (reason OOMWarning), act and escalate (OOMPrevented), a kernel OOM kill (OOMKilled), each
 * on the pod and, when known, its container (fieldPath). The fields and their limits are the
 * API server's (pkg/apis/core/validation/events.go: reportingController a qualified name,
 * reportingInstance, action and reason at most 128 characters, note at most 1 kB).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alert_format_int.h"

#define NOTE_MAX	1024
#define NAME_PREFIX_MAX 200 /* generateName: the pod's name, cut, then ".oomwarden-" */

bool ow_alert_kube_wanted(const struct ow_alert *a)
{
	if (!a->pod[0] || !a->ns[0])
		return false;
	return a->kind == OW_ALERT_WARN || a->kind == OW_ALERT_ACT ||
	       a->kind == OW_ALERT_ESCALATE || a->kind == OW_ALERT_OOM_KILL;
}

static const char *reason_of(const struct ow_alert *a)
{
	return a->kind == OW_ALERT_WARN	      ? "OOMWarning"
	       : a->kind == OW_ALERT_OOM_KILL ? "OOMKilled"
					      : "OOMPrevented";
}

/* What oomwarden did: the signal or restart, or that it warned, or saw the kernel's kill. */
static const char *action_of(const struct ow_alert *a)
{
	if (a->kind == OW_ALERT_WARN)
		return "Warn";
	if (a->kind == OW_ALERT_OOM_KILL)
		return "Observe";
	if (a->dry_run)
		return "DryRun";
	if (a->kind == OW_ALERT_ESCALATE)
		return "SIGKILL";
	if (!strcmp(a->action, "delete_pod"))
		return "DeletePod";
	return !strcmp(a->action, "restart") ? "Restart" : "SIGTERM";
}

/* The title, then the details, their lines joined by ';', cut on a character boundary to
 * the API's 1 kB (a cut inside a UTF-8 sequence would become U+FFFD, 3 bytes, on the server:
 * past the limit, a 422 and a lost Event). */
static void note_of(const struct ow_alert *a, char *buf, size_t len)
{
	struct ow_strbuf b = {0};
	char title[512];
	size_t i;

	ow_alert_title(a, title, sizeof(title));
	ow_strbuf_printf(&b, "%s. ", title);
	ow_alert_details(&b, a);
	if (!b.buf || b.failed) {
		snprintf(buf, len, "%s", title);
		ow_strbuf_free(&b);
		return;
	}
	for (i = 0; b.buf[i]; i++)
		b.buf[i] = b.buf[i] == '\n' ? ';' : b.buf[i];
	ow_alert_truncate(b.buf, len - 1);
	snprintf(buf, len, "%s", b.buf);
	ow_strbuf_free(&b);
}

/* POD.oomwarden-: the pod's name cut to leave room for the API's suffix, and no '.' or '-'
 * left at the cut (a DNS-1123 name must end in an alphanumeric). */
static void generate_name(const char *pod, char *buf, size_t len)
{
	size_t n = strnlen(pod, NAME_PREFIX_MAX);

	while (n && (pod[n - 1] == '.' || pod[n - 1] == '-'))
		n--;
	snprintf(buf, len, "%.*s.oomwarden-", (int)n, pod);
}

static cJSON *regarding(const struct ow_alert *a)
{
	cJSON *r = cJSON_CreateObject();
	char field[96];

	ow_json_str(r, "apiVersion", "v1");
	ow_json_str(r, "kind", "Pod");
	ow_json_str(r, "namespace", a->ns);
	ow_json_str(r, "name", a->pod);
	if (a->pod_uid[0])
		ow_json_str(r, "uid", a->pod_uid);
	if (a->container[0]) {
		snprintf(field, sizeof(field), "spec.containers{%s}", a->container);
		ow_json_str(r, "fieldPath", field);
	}
	return r;
}

/* RFC 3339 with microseconds: the MicroTime eventTime takes. */
static void micro_time(char *buf, size_t len, int64_t ns)
{
	char ms[40];

	ow_alert_time(ms, sizeof(ms), ns); /* 2026-12-05T13:16:27.123Z */
	snprintf(buf, len, "%.23s%03dZ", ms, (int)((ns / 1000) % 1000));
}

int ow_format_kube_event(const struct ow_webhook_target *t, const struct ow_alert *a,
			 struct ow_payload *out)
{
	cJSON *o, *m;
	char note[NOTE_MAX], when[40], name[NAME_PREFIX_MAX + 16], inst[129];

	if (!ow_alert_kube_wanted(a))
		return -ENODATA;
	if (snprintf(out->url, sizeof(out->url), "%s/apis/events.k8s.io/v1/namespaces/%s/events",
		     t->url, a->ns) >= (int)sizeof(out->url))
		return -ENAMETOOLONG;
	o = cJSON_CreateObject();
	ow_json_str(o, "apiVersion", "events.k8s.io/v1");
	ow_json_str(o, "kind", "Event");
	m = cJSON_AddObjectToObject(o, "metadata");
	generate_name(a->pod, name, sizeof(name));
	ow_json_str(m, "generateName", name);
	ow_json_str(m, "namespace", a->ns);
	micro_time(when, sizeof(when), a->time_ns);
	ow_json_str(o, "eventTime", when);
	ow_json_str(o, "reportingController", "oomwarden");
	snprintf(inst, sizeof(inst), "%.*s", 128, ow_or_unknown(a->host));
	ow_json_str(o, "reportingInstance", inst);
	ow_json_str(o, "action", action_of(a));
	ow_json_str(o, "reason", reason_of(a));
	ow_json_str(o, "type", "Warning");
	cJSON_AddItemToObject(o, "regarding", regarding(a));
	note_of(a, note, sizeof(note));
	ow_json_str(o, "note", note);
	return ow_payload_json(o, out, "application/json");
}
