// SPDX-License-Identifier: GPL-2.0
/*
 * Our own json schema of one alert (oomwarden.alert.v1; docs/ALERTS.md), which the json format
 * sends and PagerDuty carries as custom details, and the JSON helpers every format uses. Pure.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "alert_format_int.h"
#include "strbuf.h"

/* ---- JSON helpers ---- */

cJSON *ow_json_str(cJSON *o, const char *key, const char *v)
{
	return cJSON_AddStringToObject(o, key, v);
}

void ow_json_time(cJSON *o, const char *key, int64_t ns)
{
	char t[40];

	ow_alert_time(t, sizeof(t), ns);
	ow_json_str(o, key, t);
}

static void json_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (*v)
		ow_json_str(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static void json_pre_stop(cJSON *o, const struct ow_alert_pre_stop *p)
{
	cJSON *x;

	if (!p->signal[0]) {
		cJSON_AddNullToObject(o, "pre_stop");
		return;
	}
	x = cJSON_AddObjectToObject(o, "pre_stop");
	ow_json_str(x, "signal", p->signal);
	cJSON_AddNumberToObject(x, "waited_s", p->waited_s);
	ow_json_str(x, "ended", p->ended);
	json_str_or_null(x, "dump", p->dump);
	json_str_or_null(x, "cwd", p->cwd);
}

static void json_num_or_null(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

int ow_payload_json(cJSON *root, struct ow_payload *out, const char *ctype)
{
	char *s = root ? cJSON_PrintUnformatted(root) : NULL;

	cJSON_Delete(root);
	if (!s)
		return -ENOMEM;
	out->body = s;
	out->len = strlen(s);
	out->content_type = ctype;
	return 0;
}

int ow_payload_text(struct ow_strbuf *b, struct ow_payload *out)
{
	if (b->failed || !b->buf) {
		ow_strbuf_free(b);
		return -ENOMEM;
	}
	out->body = b->buf; /* the payload owns the buffer now */
	out->len = b->len;
	out->content_type = "text/plain; charset=utf-8";
	return 0;
}

void ow_payload_header(struct ow_payload *p, const char *name, const char *value)
{
	char *h;
	size_t i;

	if (p->nheaders >= OW_PAYLOAD_HEADERS)
		return;
	h = p->headers[p->nheaders++];
	snprintf(h, sizeof(p->headers[0]), "%s: %s", name, value);
	/* A header is one line of ASCII: nothing a title carries may start another. */
	for (i = 0; h[i]; i++)
		if ((unsigned char)h[i] < 0x20 || (unsigned char)h[i] >= 0x7f)
			h[i] = '?';
}

/* ---- json: our own schema (docs/ALERTS.md) ---- */

/* What was done, its lead, its grace and the rule that ended the grace; null when nothing. */
/* act: what the victim left before its stop, and what grew in it. */
static void json_evidence(cJSON *o, const struct ow_alert *a)
{
	cJSON *x;

	json_pre_stop(o, &a->pre_stop);
	if (!a->maps[0]) {
		cJSON_AddNullToObject(o, "mappings");
		return;
	}
	x = cJSON_AddObjectToObject(o, "mappings");
	ow_json_str(x, "grown", a->maps);
	json_num_or_null(x, "since_s", a->maps_since_s >= 0 ? a->maps_since_s : NAN);
}

static void json_action(cJSON *o, const struct ow_alert *a)
{
	bool restart = !strcmp(a->action, "restart"), del = !strcmp(a->action, "delete_pod");
	cJSON *x;

	if (!a->action[0]) {
		cJSON_AddNullToObject(o, "action");
		return;
	}
	x = cJSON_AddObjectToObject(o, "action");
	ow_json_str(x, "kind", restart ? "restart" : del ? "delete_pod" : "signal");
	json_str_or_null(x, "signal", restart || del ? "" : a->action);
	json_str_or_null(x, "command", a->command);
	cJSON_AddBoolToObject(x, "dry_run", a->dry_run);
	json_num_or_null(x, "lead_s", a->lead_s);
	json_num_or_null(x, "grace_s", a->grace_s > 0 ? a->grace_s : NAN);
	json_str_or_null(x, "grace_from", a->grace_s > 0 ? a->grace_from : "");
	json_num_or_null(x, "grace_used_s", a->grace_used_s > 0 ? a->grace_used_s : NAN);
	json_str_or_null(x, "rule", a->rule);
}

/* oom_kill: the victim's RSS; brake: what the brake did where. */
static void json_kind_extras(cJSON *o, const struct ow_alert *a)
{
	cJSON *x;

	if (a->kind == OW_ALERT_OOM_KILL) {
		x = cJSON_AddObjectToObject(o, "rss");
		cJSON_AddNumberToObject(x, "anon_bytes", (double)a->rss_anon);
		cJSON_AddNumberToObject(x, "file_bytes", (double)a->rss_file);
		cJSON_AddNumberToObject(x, "shmem_bytes", (double)a->rss_shmem);
	} else if (a->kind == OW_ALERT_BRAKE) {
		x = cJSON_AddObjectToObject(o, "brake");
		ow_json_str(x, "state", a->brake);
		ow_json_str(x, "cgroup", a->braked);
		cJSON_AddNumberToObject(x, "memory_high_bytes", (double)a->brake_high);
		json_num_or_null(x, "original_bytes",
				 a->brake_original == UINT64_MAX ? NAN : (double)a->brake_original);
	}
}

cJSON *ow_alert_json(const struct ow_alert *a)
{
	cJSON *o = cJSON_CreateObject(), *x, *top;
	char title[768];
	unsigned int i;

	ow_alert_title(a, title, sizeof(title));
	ow_json_str(o, "kind", ow_alert_info(a)->name);
	ow_json_str(o, "severity", ow_alert_info(a)->pd_severity);
	ow_json_str(o, "summary", title);
	ow_json_str(o, "incident", a->incident);
	ow_json_str(o, "host", a->host);
	ow_json_time(o, "time", a->time_ns);
	ow_json_time(o, "started", a->started_ns ? a->started_ns : a->time_ns);
	x = cJSON_AddObjectToObject(o, "cgroup");
	ow_json_str(x, "name", a->cgroup);
	ow_json_str(x, "path", a->path);
	if (a->pod[0]) {
		x = cJSON_AddObjectToObject(o, "kubernetes");
		ow_json_str(x, "namespace", a->ns);
		ow_json_str(x, "pod", a->pod);
		json_str_or_null(x, "container", a->container);
	}
	cJSON_AddNumberToObject(o, "usage_bytes", (double)a->usage);
	cJSON_AddNumberToObject(o, "limit_bytes", (double)a->limit);
	cJSON_AddNumberToObject(o, "rate_bytes_per_s", isfinite(a->rate) ? a->rate : 0);
	json_num_or_null(o, "eta_s", a->eta_s);
	if (a->pid) {
		x = cJSON_AddObjectToObject(o, "process");
		cJSON_AddNumberToObject(x, "pid", a->pid);
		ow_json_str(x, "comm", a->comm);
		ow_json_str(x, "cmdline", a->cmdline);
	} else {
		cJSON_AddNullToObject(o, "process");
	}
	json_str_or_null(o, "manager", a->manager);
	json_action(o, a);
	ow_json_str(o, "reason", a->reason);
	if (a->grows[0]) {
		x = cJSON_AddObjectToObject(o, "grows");
		ow_json_str(x, "kind", a->grows);
		cJSON_AddNumberToObject(x, "bytes", (double)a->grew);
		json_str_or_null(x, "tmpfs", a->tmpfs);
		json_str_or_null(x, "files", a->tmpfs_files);
	} else {
		cJSON_AddNullToObject(o, "grows");
	}
	json_str_or_null(o, "note", a->note);
	json_str_or_null(o, "crash_loop", a->crash_loop);
	json_evidence(o, a);
	json_kind_extras(o, a);
	top = cJSON_AddArrayToObject(o, "top");
	for (i = 0; i < a->ntop; i++) {
		x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "pid", a->top[i].pid);
		ow_json_str(x, "comm", a->top[i].comm);
		cJSON_AddNumberToObject(x, "rss_bytes", (double)a->top[i].rss);
		cJSON_AddNumberToObject(x, "rate_bytes_per_s",
					isfinite(a->top[i].rate) ? a->top[i].rate : 0);
		cJSON_AddItemToArray(top, x);
	}
	return o;
}
