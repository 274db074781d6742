// SPDX-License-Identifier: GPL-2.0
/*
 * Webhook targets: the format names, the parsing of --webhook / --webhook-format pairs (a
 * format guessed from the host when none is given; PagerDuty's routing key moved out of the
 * URL) and the redaction of URLs for logs. See webhook.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "webhook.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const fmt_names[OW_FMT_COUNT] = {
	[OW_FMT_JSON] = "json",
	[OW_FMT_SLACK] = "slack",
	[OW_FMT_DISCORD] = "discord",
	[OW_FMT_NTFY] = "ntfy",
	[OW_FMT_TEAMS] = "teams",
	[OW_FMT_GOTIFY] = "gotify",
	[OW_FMT_PAGERDUTY] = "pagerduty",
	[OW_FMT_ALERTMANAGER] = "alertmanager",
	[OW_FMT_KUBE_EVENTS] = "kubernetes",
};

const char *ow_alert_fmt_name(enum ow_alert_fmt fmt)
{
	return (unsigned int)fmt < OW_FMT_COUNT ? fmt_names[fmt] : "?";
}

int ow_alert_fmt_parse(const char *name)
{
	int i;

	for (i = 0; name && i < OW_FMT_WEBHOOK_COUNT; i++)
		if (!strcmp(name, fmt_names[i]))
			return i;
	return -EINVAL;
}

/* ---- URL redaction ---- */

struct out {
	char *buf;
	size_t len, pos;
};

static void put(struct out *o, const char *s, size_t n)
{
	while (n-- && *s && o->pos + 1 < o->len)
		o->buf[o->pos++] = *s++;
	o->buf[o->pos] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* A path segment that reads as a word ("api", "v2", "webhooks"), not a token. */
static bool plain_segment(const char *s, size_t n)
{
	size_t i;

	if (n >= 2 && n <= 3 && s[0] == 'v' && strspn(s + 1, "0123456789") >= n - 1)
		return true;
	if (n > 24)
		return false;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz-_.", s[i]))
			return false;
	return true;
}

/* Paths that are secrets as a whole after a known prefix. */
static const char *const secret_paths[] = {"/services/", "/api/webhooks/", "/webhookb2/",
					   "/workflows/"};

static void redact_path(struct out *o, const char *p, size_t n)
{
	const char *end = p + n, *seg;
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(secret_paths); i++) {
		k = strlen(secret_paths[i]);
		if (n > k && !strncmp(p, secret_paths[i], k)) {
			put(o, p, k);
			puts_(o, "***");
			return;
		}
	}
	while (p < end) {
		put(o, "/", 1);
		seg = ++p;
		while (p < end && *p != '/')
			p++;
		if (plain_segment(seg, (size_t)(p - seg)))
			put(o, seg, (size_t)(p - seg));
		else if (p > seg)
			puts_(o, "***");
	}
}

static void redact_query(struct out *o, const char *q, size_t n)
{
	const char *end = q + n, *kv, *eq;

	while (q < end) {
		kv = q;
		while (q < end && *q != '&')
			q++;
		eq = memchr(kv, '=', (size_t)(q - kv));
		if (eq && plain_segment(kv, (size_t)(eq - kv)))
			put(o, kv, (size_t)(eq - kv) + 1);
		else if (eq)
			puts_(o, "***=");
		if (q > kv)
			puts_(o, "***");
		if (q < end)
			put(o, q++, 1);
	}
}

void ow_redact_url(const char *url, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	const char *p = strstr(url, "://"), *auth, *at, *path, *q, *frag;

	if (!len)
		return;
	buf[0] = '\0';
	if (!p) {
		puts_(&o, "***");
		return;
	}
	put(&o, url, (size_t)(p - url) + 3);
	auth = p + 3;
	path = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(path - auth));
	if (at) {
		puts_(&o, "***@");
		auth = at + 1;
	}
	put(&o, auth, (size_t)(path - auth));
	q = path + strcspn(path, "?#");
	redact_path(&o, path, (size_t)(q - path));
	if (*q == '?') {
		frag = q + strcspn(q, "#");
		puts_(&o, "?");
		redact_query(&o, q + 1, (size_t)(frag - q - 1));
		q = frag;
	}
	if (*q == '#')
		puts_(&o, "#***");
}

/* ---- --webhook / --webhook-format ---- */

struct url_parts {
	const char *host; /* after any userinfo */
	size_t hostlen;	  /* without the port */
	const char *path; /* from the first '/', '?' or '#' */
};

static int split_url(const char *url, struct url_parts *u)
{
	const char *auth, *at, *colon;
	size_t i;

	for (i = 0; url[i]; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			return -EINVAL;
	if (!strncasecmp(url, "http://", 7))
		auth = url + 7;
	else if (!strncasecmp(url, "https://", 8))
		auth = url + 8;
	else
		return -EPROTONOSUPPORT;
	u->path = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(u->path - auth));
	u->host = at ? at + 1 : auth;
	colon = u->host[0] == '[' ? memchr(u->host, ']', (size_t)(u->path - u->host)) : u->host;
	colon = colon ? memchr(colon, ':', (size_t)(u->path - colon)) : NULL;
	u->hostlen = (size_t)((colon ? colon : u->path) - u->host);
	if (colon && (colon + 1 == u->path ||
		      strspn(colon + 1, "0123456789") != (size_t)(u->path - colon - 1)))
		return -EINVAL;
	return u->hostlen ? 0 : -EDESTADDRREQ;
}

static bool host_is(const struct url_parts *u, const char *name)
{
	size_t n = strlen(name);

	if (u->hostlen < n || strncasecmp(u->host + u->hostlen - n, name, n))
		return false;
	return u->hostlen == n || u->host[u->hostlen - n - 1] == '.';
}

static enum ow_alert_fmt guess_fmt(const struct url_parts *u)
{
	size_t plen = strcspn(u->path, "?#");

	if (host_is(u, "hooks.slack.com"))
		return OW_FMT_SLACK;
	if (host_is(u, "discord.com") || host_is(u, "discordapp.com"))
		return OW_FMT_DISCORD;
	if (host_is(u, "ntfy.sh"))
		return OW_FMT_NTFY;
	if (host_is(u, "pagerduty.com"))
		return OW_FMT_PAGERDUTY;
	if (host_is(u, "logic.azure.com") || host_is(u, "webhook.office.com"))
		return OW_FMT_TEAMS;
	if (plen >= 14 && !strncmp(u->path + plen - 14, "/api/v2/alerts", 14))
		return OW_FMT_ALERTMANAGER;
	return OW_FMT_JSON;
}

/* Move routing_key=KEY from t->url's query into t->secret: the key is a secret and
 * PagerDuty wants it in the body, not in the URL. */
static int take_routing_key(struct ow_webhook_target *t)
{
	char *q = strchr(t->url, '?'), *frag, *p, *end, rest[OW_WEBHOOK_URL_LEN];
	struct out o = {rest, sizeof(rest), 0};
	size_t n;

	if (!q)
		return -EINVAL;
	rest[0] = '\0';
	frag = q + strcspn(q, "#");
	for (p = q + 1; p < frag; p = end + 1) {
		end = p + strcspn(p, "&#");
		n = (size_t)(end - p);
		if (!t->secret[0] && n > 12 && n - 12 < sizeof(t->secret) &&
		    !strncmp(p, "routing_key=", 12)) {
			memcpy(t->secret, p + 12, n - 12);
			t->secret[n - 12] = '\0';
		} else if (n) {
			puts_(&o, o.pos ? "&" : "?");
			put(&o, p, n);
		}
		if (end >= frag)
			break;
	}
	if (!t->secret[0])
		return -EINVAL;
	puts_(&o, frag);
	memcpy(q, rest, o.pos + 1); /* never longer than what it replaces */
	return 0;
}

static int target_parse(const char *url, const char *fmt, struct ow_webhook_target *t, char *err,
			size_t errlen)
{
	struct url_parts u;
	int f, e;

	memset(t, 0, sizeof(*t));
	ow_redact_url(url, t->redacted, sizeof(t->redacted));
	if (strlen(url) >= sizeof(t->url)) {
		snprintf(err, errlen, "--webhook %s: longer than %zu bytes", t->redacted,
			 sizeof(t->url) - 1);
		return -EINVAL;
	}
	e = split_url(url, &u);
	if (e) {
		snprintf(err, errlen, "--webhook %s: %s", t->redacted,
			 e == -EPROTONOSUPPORT ? "the URL must start with http:// or https://"
			 : e == -EDESTADDRREQ  ? "the URL has no host"
					       : "bad URL (spaces, control characters or port)");
		return -EINVAL;
	}
	f = fmt && *fmt ? ow_alert_fmt_parse(fmt) : (int)guess_fmt(&u); /* "": guess */
	if (f < 0) {
		snprintf(err, errlen,
			 "--webhook-format '%s': use json, slack, discord, ntfy, teams, gotify, "
			 "pagerduty or alertmanager",
			 fmt);
		return -EINVAL;
	}
	t->fmt = (enum ow_alert_fmt)f;
	snprintf(t->url, sizeof(t->url), "%s", url);
	if (t->fmt == OW_FMT_PAGERDUTY && take_routing_key(t)) {
		snprintf(err, errlen,
			 "--webhook %s: pagerduty needs routing_key=KEY in the URL's query "
			 "(https://events.pagerduty.com/v2/enqueue?routing_key=KEY)",
			 t->redacted);
		return -EINVAL;
	}
	return 0;
}

int ow_webhook_targets_parse(const char *const *urls, unsigned int nurls,
			     const char *const *formats, unsigned int nformats,
			     struct ow_webhook_target *out, unsigned int max, char *err,
			     size_t errlen)
{
	unsigned int i;

	if (nformats > nurls) {
		snprintf(err, errlen, "--webhook-format '%s' has no --webhook URL to go with",
			 formats[nurls]);
		return -EINVAL;
	}
	if (nurls > max) {
		snprintf(err, errlen, "--webhook: at most %u targets", max);
		return -EINVAL;
	}
	for (i = 0; i < nurls; i++)
		if (target_parse(urls[i], i < nformats ? formats[i] : NULL, &out[i], err, errlen))
			return -EINVAL;
	return (int)nurls;
}
