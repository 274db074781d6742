// SPDX-License-Identifier: GPL-2.0
/* The Kubernetes API target: see userspace/config/kube_api.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kube_api.h"

static int fail(char *err, size_t errlen, const char *why, const char *v)
{
	snprintf(err, errlen, "invalid value for --kube-api: '%s' (%s)", v, why);
	return -EINVAL;
}

/* "https://HOST[:PORT]": no path, query, userinfo, blanks or control characters. */
static bool base_url_ok(const char *u)
{
	const char *h = u + 8;

	if (strncmp(u, "https://", 8) || !*h || *h == '/' || *h == ':')
		return false;
	for (; *h; h++) {
		if (*h <= ' ' || *h == 0x7f || strchr("/?#@\\", *h))
			return false;
	}
	return true;
}

int ow_kube_api_target(const char *api, const char *host, const char *port, const char *dir,
		       struct ow_webhook_target *t, char *err, size_t errlen)
{
	int n;

	memset(t, 0, sizeof(*t));
	t->fmt = OW_FMT_KUBE_EVENTS;
	if (!strcmp(api, "in-cluster")) {
		if (!host || !*host || !port || !*port)
			return fail(
				err, errlen,
				"no KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT: not in "
				"a pod",
				api);
		/* An IPv6 service address goes in brackets. */
		n = snprintf(t->url, sizeof(t->url),
			     strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port);
	} else {
		n = snprintf(t->url, sizeof(t->url), "%s", api);
	}
	if (n < 0 || (size_t)n >= sizeof(t->url) || !base_url_ok(t->url))
		return fail(err, errlen, "https://HOST[:PORT] or in-cluster", t->url);
	snprintf(t->redacted, sizeof(t->redacted), "%.255s", t->url);
	if (snprintf(t->token_file, sizeof(t->token_file), "%s/token", dir) >=
	    (int)sizeof(t->token_file))
		return fail(err, errlen, "--kube-credentials is too long", api);
	return 0;
}
