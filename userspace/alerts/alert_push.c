// SPDX-License-Identifier: GPL-2.0
/*
 * Notification and incident payloads: ntfy (plain text with Title, Priority and Tags
 * headers), Gotify, PagerDuty Events API v2 (one event per request, the incident id as
 * dedup_key) and Alertmanager (POST /api/v2/alerts). Built on alert_format_int.h;
 * docs/ALERTS.md describes each.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "alert_format_int.h"
#include "strbuf.h"
#include "units.h"

/* ntfy turns a body over 4096 bytes into an attachment. */
#define NTFY_BODY 4000
/* PagerDuty truncates payload.summary at 1024 characters. */
#define PD_SUMMARY 1024

/* ---- ntfy: plain text; Title, Priority, Tags headers ---- */

int ow_format_ntfy(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	const struct ow_alert *w = ow_alert_worst(a, n);
	struct ow_strbuf b = {0};
	char title[512], prio[8], tags[64];

	ow_alert_batch_text(&b, a, n);
	if (b.buf) {
		ow_alert_truncate(b.buf, NTFY_BODY);
		b.len = strlen(b.buf);
	}
	ow_alert_batch_title(a, n, title, sizeof(title));
	snprintf(prio, sizeof(prio), "%d", ow_alert_info(w)->ntfy_priority);
	snprintf(tags, sizeof(tags), "%s,oomwarden", ow_alert_info(w)->ntfy_tag);
	ow_payload_header(out, "Title", title);
	ow_payload_header(out, "Priority", prio);
	ow_payload_header(out, "Tags", tags);
	return ow_payload_text(&b, out);
}

/* ---- gotify: {"title", "message", "priority"} ---- */

int ow_format_gotify(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateObject(), *ex, *disp;
	char title[1024];
	struct ow_strbuf b = {0};

	ow_alert_batch_text(&b, a, n);
	ow_alert_batch_title(a, n, title, sizeof(title));
	ow_json_str(root, "title", title);
	ow_json_str(root, "message", ow_strbuf_str(&b));
	cJSON_AddNumberToObject(root, "priority",
				ow_alert_info(ow_alert_worst(a, n))->gotify_priority);
	ex = cJSON_AddObjectToObject(root, "extras");
	disp = cJSON_AddObjectToObject(ex, "client::display");
	ow_json_str(disp, "contentType", "text/plain");
	ow_strbuf_free(&b);
	return ow_payload_json(root, out, "application/json");
}

/* ---- pagerduty: Events API v2, dedup_key = incident id ---- */

int ow_format_pagerduty(const struct ow_webhook_target *t, const struct ow_alert *a,
			struct ow_payload *out)
{
	cJSON *root, *p;
	char summary[PD_SUMMARY + 1];

	if (!t->secret[0])
		return -EINVAL;
	root = cJSON_CreateObject();
	ow_json_str(root, "routing_key", t->secret);
	ow_json_str(root, "event_action", a->kind == OW_ALERT_RESOLVED ? "resolve" : "trigger");
	ow_json_str(root, "dedup_key", a->incident[0] ? a->incident : "oomwarden");
	ow_json_str(root, "client", "oomwarden");
	if (a->kind == OW_ALERT_RESOLVED) /* resolve takes no payload */
		return ow_payload_json(root, out, "application/json");
	ow_alert_title(a, summary, sizeof(summary));
	p = cJSON_AddObjectToObject(root, "payload");
	ow_json_str(p, "summary", summary);
	ow_json_str(p, "source", ow_or_unknown(a->host));
	ow_json_str(p, "severity", ow_alert_info(a)->pd_severity);
	ow_json_time(p, "timestamp", a->time_ns);
	ow_json_str(p, "component", a->cgroup);
	ow_json_str(p, "group", "oomwarden");
	ow_json_str(p, "class", ow_alert_info(a)->name);
	cJSON_AddItemToObject(p, "custom_details", ow_alert_json(a));
	return ow_payload_json(root, out, "application/json");
}

/* ---- alertmanager: POST /api/v2/alerts, an array ---- */

static const char *am_severity(enum ow_alert_kind kind)
{
	switch (kind) {
	case OW_ALERT_TEST:
		return "info";
	case OW_ALERT_UNWATCHED:
	case OW_ALERT_BRAKE:
		return "warning";
	default:
		return "critical";
	}
}

/* Labels identify an alert in Alertmanager: they must not change within an incident, or
 * "resolved" would not end the alert that "warn" started. */
static void am_labels(cJSON *l, const struct ow_alert *a)
{
	char pid[16];

	ow_json_str(l, "alertname",
		    a->kind == OW_ALERT_OOM_KILL    ? "OomwardenOOMKill"
		    : a->kind == OW_ALERT_TEST	    ? "OomwardenTest"
		    : a->kind == OW_ALERT_UNWATCHED ? "OomwardenUnwatched"
		    : a->kind == OW_ALERT_BRAKE	    ? "OomwardenBrake"
						    : "OomwardenMemoryRisk");
	ow_json_str(l, "severity", am_severity(a->kind));
	ow_json_str(l, "instance", ow_or_unknown(a->host));
	ow_json_str(l, "job", "oomwarden");
	ow_json_str(l, "cgroup", ow_or_unknown(a->cgroup));
	ow_json_str(l, "incident", a->incident[0] ? a->incident : "none");
	if (a->pod[0]) { /* the labels kube-state-metrics gives a pod's series */
		ow_json_str(l, "namespace", a->ns);
		ow_json_str(l, "pod", a->pod);
		if (a->container[0])
			ow_json_str(l, "container", a->container);
	}
	if (a->kind == OW_ALERT_OOM_KILL) {
		snprintf(pid, sizeof(pid), "%d", a->pid);
		ow_json_str(l, "pid", pid);
	}
}

/* "Grace" -> annotation "grace". */
static void am_annotation(void *an, const char *title, const char *value)
{
	char key[32];
	size_t i;

	for (i = 0; i < sizeof(key) - 1 && title[i]; i++)
		key[i] = (char)tolower((unsigned char)title[i]);
	key[i] = '\0';
	ow_json_str(an, key, value);
}

static cJSON *am_alert(const struct ow_alert *a)
{
	cJSON *o = cJSON_CreateObject(), *an;
	char title[768], eta[OW_FMT_LEN];
	struct ow_strbuf d = {0};
	int64_t start = a->started_ns ? a->started_ns : a->time_ns;

	am_labels(cJSON_AddObjectToObject(o, "labels"), a);
	ow_alert_title(a, title, sizeof(title));
	ow_alert_details(&d, a);
	ow_fmt_eta(a->eta_s, eta, sizeof(eta));
	an = cJSON_AddObjectToObject(o, "annotations");
	ow_json_str(an, "summary", title);
	ow_json_str(an, "description", ow_strbuf_str(&d));
	ow_json_str(an, "level", ow_alert_info(a)->name);
	ow_json_str(an, "path", a->path);
	ow_json_str(an, "eta", eta);
	ow_json_str(an, "process", a->comm);
	ow_json_str(an, "cmdline", a->cmdline);
	if (a->manager[0])
		ow_json_str(an, "manager", a->manager);
	if (a->note[0])
		ow_json_str(an, "note", a->note);
	ow_alert_action_facts(a, am_annotation, an);
	ow_strbuf_free(&d);
	ow_json_time(o, "startsAt", start);
	/* An OOM kill is an event, not a state: let it expire on its own. A brake lifted ends the
	 * brake alert (same labels); one lifted unalerted (the victim's exit) expires after
	 * Alertmanager's resolve_timeout. */
	if (a->kind == OW_ALERT_RESOLVED ||
	    (a->kind == OW_ALERT_BRAKE && !strcmp(a->brake, "lifted")))
		ow_json_time(o, "endsAt", a->time_ns);
	else if (a->kind == OW_ALERT_OOM_KILL || a->kind == OW_ALERT_UNWATCHED)
		ow_json_time(o, "endsAt", a->time_ns + 3600 * 1000000000LL);
	else if (a->kind == OW_ALERT_TEST)
		ow_json_time(o, "endsAt", a->time_ns + 300 * 1000000000LL);
	return o;
}

int ow_format_alertmanager(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateArray();
	unsigned int i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(root, am_alert(&a[i]));
	return ow_payload_json(root, out, "application/json");
}
