// SPDX-License-Identifier: GPL-2.0
/*
 * Alert payloads of every webhook format built from names a user controls (comm, cmdline,
 * cgroup and unit names, the manager's label): the input's lines fill the alert's strings,
 * its first bytes the kind and numbers. A body sent as JSON must parse as JSON (a name must
 * not break out of its string), and no body may hold a NUL before its length.
 */
#include <cjson/cJSON.h>
#include <math.h>

#include "fuzz.h"
#include "alert.h"

/* Copy the next line of *p (up to end) into dst, NUL-terminated and truncated. */
static void next_line(const char **p, const char *end, char *dst, size_t size)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl ? nl : end) - *p);

	snprintf(dst, size, "%.*s", (int)n, *p);
	*p = nl ? nl + 1 : end;
}

static void fill(struct ow_alert *a, const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 4, *end = (const char *)data + size;
	unsigned int i;

	memset(a, 0, sizeof(*a));
	a->kind = data[0] % OW_ALERT_KIND_COUNT;
	a->pid = data[1];
	a->usage = (uint64_t)data[2] << 20;
	a->limit = (uint64_t)data[3] << 21;
	a->rate = data[1] & 1 ? NAN : data[2] * 1e5;
	a->eta_s = data[3] & 1 ? INFINITY : data[3] * 0.5;
	a->dry_run = data[0] & 0x80;
	a->ntop = data[0] % (OW_ALERT_TOP + 1);
	a->time_ns = 1700000000000000000LL;
	a->started_ns = a->time_ns - 1000000000LL * data[2];
	next_line(&p, end, a->host, sizeof(a->host));
	next_line(&p, end, a->cgroup, sizeof(a->cgroup));
	next_line(&p, end, a->path, sizeof(a->path));
	next_line(&p, end, a->comm, sizeof(a->comm));
	next_line(&p, end, a->cmdline, sizeof(a->cmdline));
	next_line(&p, end, a->action, sizeof(a->action));
	next_line(&p, end, a->command, sizeof(a->command));
	next_line(&p, end, a->manager, sizeof(a->manager));
	next_line(&p, end, a->note, sizeof(a->note));
	next_line(&p, end, a->reason, sizeof(a->reason));
	/* a pod's names (checked names in the daemon; anything here): the Kubernetes Event */
	next_line(&p, end, a->ns, sizeof(a->ns));
	next_line(&p, end, a->pod, sizeof(a->pod));
	next_line(&p, end, a->container, sizeof(a->container));
	next_line(&p, end, a->pod_uid, sizeof(a->pod_uid));
	for (i = 0; i < a->ntop; i++) {
		a->top[i].pid = (int32_t)i + 1;
		a->top[i].rss = (uint64_t)i << 20;
		next_line(&p, end, a->top[i].comm, sizeof(a->top[i].comm));
	}
	ow_alert_incident_id(a->incident, sizeof(a->incident), a->host, 42, a->started_ns);
}

static void check(const struct ow_payload *out)
{
	cJSON *j;

	if (strlen(out->body) != out->len)
		abort();
	if (strlen(out->url) >= sizeof(out->url)) /* a Kubernetes Event's namespace URL */
		abort();
	if (!out->content_type || !strstr(out->content_type, "json"))
		return;
	j = cJSON_ParseWithLength(out->body, out->len);
	if (!j)
		abort();
	cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_webhook_target t = {0};
	struct ow_alert a[2];
	struct ow_payload out;
	char title[256];
	unsigned int f, n;

	if (size < 4)
		return 0;
	fuzz_dir(); /* silence the logger */
	fill(&a[0], data, size);
	a[1] = a[0];
	a[1].kind = (a[0].kind + 1) % OW_ALERT_KIND_COUNT;
	ow_alert_title(&a[0], title, sizeof(title));
	snprintf(t.url, sizeof(t.url), "https://example.com/hook");
	snprintf(t.secret, sizeof(t.secret), "%s", a[0].comm[0] ? a[0].comm : "key");
	for (f = 0; f < OW_FMT_COUNT; f++) {
		t.fmt = f;
		memset(&out, 0, sizeof(out));
		if (!ow_alert_format(&t, &a[0], &out))
			check(&out);
		ow_payload_free(&out);
		n = ow_alert_fmt_max_batch(f) < 2 ? 1 : 2;
		memset(&out, 0, sizeof(out));
		if (!ow_alert_coalesce(&t, a, n, &out))
			check(&out);
		ow_payload_free(&out);
	}
	return 0;
}
