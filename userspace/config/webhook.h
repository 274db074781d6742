/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The webhook settings: --webhook URLs paired with their --webhook-format into targets, the
 * format names, and the redaction of URLs for logs (webhook.c). Plain setting types: the
 * alerts (alerts/alert.h) format and send to these targets.
 */
#ifndef OW_WEBHOOK_H
#define OW_WEBHOOK_H

#include <stddef.h>

enum ow_alert_fmt {
	OW_FMT_JSON = 0,
	OW_FMT_SLACK,
	OW_FMT_DISCORD,
	OW_FMT_NTFY,
	OW_FMT_TEAMS,
	OW_FMT_GOTIFY,
	OW_FMT_PAGERDUTY,
	OW_FMT_ALERTMANAGER,
	/* Kubernetes Events on the pod (alerts/alert_kube.c): the target --kube-api makes, not a
	 * --webhook-format. */
	OW_FMT_KUBE_EVENTS,
	OW_FMT_COUNT,
};
#define OW_FMT_WEBHOOK_COUNT OW_FMT_KUBE_EVENTS /* the formats --webhook-format names */

#define OW_WEBHOOK_URL_LEN 1024
#define OW_MAX_WEBHOOKS	   16

/* One --webhook URL with its --webhook-format. */
struct ow_webhook_target {
	enum ow_alert_fmt fmt;
	char url[OW_WEBHOOK_URL_LEN]; /* where to POST (PagerDuty: without routing_key) */
	char redacted[256];	      /* the URL for logs, secrets hidden */
	char secret[128];	      /* PagerDuty routing key (from the URL's query) */
	/* Kubernetes: the service account token, read at each request (the kubelet rotates it)
	 * and sent as "Authorization: Bearer"; "" for webhooks. */
	char token_file[256];
};

const char *ow_alert_fmt_name(enum ow_alert_fmt fmt);
/* The format called `name`, or -EINVAL. */
int ow_alert_fmt_parse(const char *name);

/*
 * The URL for logs: userinfo, query values, fragment and path segments that may be tokens
 * (anything but short lowercase words like "api" or "v2"; all of a Slack or Discord webhook
 * path) become "***". Always NUL-terminates; truncates.
 */
void ow_redact_url(const char *url, char *buf, size_t len);

/*
 * Pair `--webhook URL` and `--webhook-format F` in order into targets. A URL without a format
 * gets one guessed from its host (hooks.slack.com, discord.com, ntfy.sh, events.pagerduty.com),
 * else json. Returns the number of targets, or -EINVAL with one line in err: a scheme other
 * than http(s), no host, spaces or control characters, an unknown format, a format without a
 * URL, too many targets, a PagerDuty URL without routing_key=KEY in its query.
 */
int ow_webhook_targets_parse(const char *const *urls, unsigned int nurls,
			     const char *const *formats, unsigned int nformats,
			     struct ow_webhook_target *out, unsigned int max, char *err,
			     size_t errlen);

#endif /* OW_WEBHOOK_H */
