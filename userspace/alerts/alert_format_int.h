/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the alert payload builders share, private to them: alert_format.c defines it
 * all (and dispatches to the formats); alert_chat.c (Slack, Discord, Teams) and alert_push.c
 * (ntfy, Gotify, PagerDuty, Alertmanager) build the services' payloads from it. Every builder
 * gets alerts already sanitized (valid UTF-8, no control characters) and 1 <= n <= the
 * format's ow_alert_fmt_max_batch.
 */
#ifndef OW_ALERT_FORMAT_INT_H
#define OW_ALERT_FORMAT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "strbuf.h"

/* How each service shows one kind of alert. */
struct ow_alert_kind_info {
	const char *name;
	int rank;		 /* how bad, to pick the worst of a coalesced batch */
	const char *pd_severity; /* PagerDuty: critical, error, warning, info */
	int ntfy_priority;	 /* 1..5 */
	const char *ntfy_tag;	 /* emoji short code */
	int gotify_priority;	 /* 0..10 */
	int color;		 /* Discord embed colour */
	const char *teams_color;
};

const struct ow_alert_kind_info *ow_alert_info(const struct ow_alert *a);

/* ---- text ---- */

/* s, or "?" when empty. */
const char *ow_or_unknown(const char *s);
/* Cut s to at most max bytes on a character boundary, ending in "..." when cut. */
void ow_alert_truncate(char *s, size_t max);
/* RFC 3339 UTC with milliseconds. */
void ow_alert_time(char *buf, size_t len, int64_t ns);
/* "230.0 MiB of 256.0 MiB (89.8 %), growing 12.5 MiB/s". */
void ow_alert_memory_text(char *buf, size_t len, const struct ow_alert *a);
typedef void (*ow_fact_fn)(void *arg, const char *title, const char *value);
/* The action's grace, rule and lead, and the brake, as (title, value) pairs ("Grace", "10.0 s
 * (set by TimeoutStopSec)"): the details' lines, Teams' facts, Alertmanager's annotations.
 * None for an alert without them. */
void ow_alert_action_facts(const struct ow_alert *a, ow_fact_fn fact, void *arg);
/* The human-readable body of one alert, without the title: "Cgroup: ...\nMemory: ...\n". */
void ow_alert_details(struct ow_strbuf *b, const struct ow_alert *a);
/* The worst alert of a batch: it sets the priority and the headline. */
const struct ow_alert *ow_alert_worst(const struct ow_alert *a, unsigned int n);
/* One alert's title, or "N oomwarden alerts from HOST; worst: TITLE". */
void ow_alert_batch_title(const struct ow_alert *a, unsigned int n, char *buf, size_t len);
/* The details of every alert, each under its title when n > 1. */
void ow_alert_batch_text(struct ow_strbuf *b, const struct ow_alert *a, unsigned int n);

/* ---- JSON and payloads ---- */

cJSON *ow_json_str(cJSON *o, const char *key, const char *v);
/* The time as ow_alert_time writes it. */
void ow_json_time(cJSON *o, const char *key, int64_t ns);
/* One alert in our own schema (docs/ALERTS.md): json's array items, PagerDuty's details. */
cJSON *ow_alert_json(const struct ow_alert *a);
/* Print and free root into out. 0 or -ENOMEM (root NULL or printing failed). */
int ow_payload_json(cJSON *root, struct ow_payload *out, const char *ctype);
/* Hand b's buffer to out as text/plain. 0 or -ENOMEM (b empty or failed; then b is freed). */
int ow_payload_text(struct ow_strbuf *b, struct ow_payload *out);
/* Add "name: value" to out's headers, control and non-ASCII bytes as '?'; past the last
 * slot, nothing. */
void ow_payload_header(struct ow_payload *p, const char *name, const char *value);

/* ---- the services' payloads (0 or -errno) ---- */

int ow_format_slack(const struct ow_alert *a, unsigned int n, struct ow_payload *out);
int ow_format_discord(const struct ow_alert *a, unsigned int n, struct ow_payload *out);
int ow_format_teams(const struct ow_alert *a, unsigned int n, struct ow_payload *out);
int ow_format_ntfy(const struct ow_alert *a, unsigned int n, struct ow_payload *out);
int ow_format_gotify(const struct ow_alert *a, unsigned int n, struct ow_payload *out);
/* One alert; -EINVAL without a routing key in t->secret. */
int ow_format_pagerduty(const struct ow_webhook_target *t, const struct ow_alert *a,
			struct ow_payload *out);
int ow_format_alertmanager(const struct ow_alert *a, unsigned int n, struct ow_payload *out);
/* One events.k8s.io/v1 Event on the alert's pod, and the URL of its namespace's events under
 * t->url; -ENODATA for an alert ow_alert_kube_wanted refuses. */
int ow_format_kube_event(const struct ow_webhook_target *t, const struct ow_alert *a,
			 struct ow_payload *out);

#endif /* OW_ALERT_FORMAT_INT_H */
