// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/alerts/alert_format.c: every format's payload parsed back with cJSON (or
 * read as text for ntfy), required fields present, each service's size limits kept with huge
 * and hostile strings, coalescing, URL redaction, and --webhook/--webhook-format parsing.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "alert.h"

#define T0 1700000000123000000LL

static struct ow_payload pl;

static void fill(struct ow_alert *a, enum ow_alert_kind kind)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	a->kind = kind;
	snprintf(a->host, sizeof(a->host), "web1");
	snprintf(a->cgroup, sizeof(a->cgroup), "api.service");
	snprintf(a->path, sizeof(a->path), "/sys/fs/cgroup/memory/system.slice/api.service");
	a->pid = 4242;
	snprintf(a->comm, sizeof(a->comm), "node");
	snprintf(a->cmdline, sizeof(a->cmdline), "node /srv/api/server.js --port 8080");
	a->usage = 230ull << 20;
	a->limit = 256ull << 20;
	a->rate = 12.5 * 1024 * 1024;
	a->eta_s = kind == OW_ALERT_RESOLVED ? INFINITY : 2.1;
	a->lead_s = INFINITY;
	if (kind == OW_ALERT_ACT || kind == OW_ALERT_ESCALATE) {
		snprintf(a->action, sizeof(a->action),
			 kind == OW_ALERT_ACT ? "SIGTERM" : "SIGKILL");
		a->lead_s = 2.1;
		a->grace_s = 10;
		snprintf(a->grace_from, sizeof(a->grace_from), "grace");
	}
	if (kind == OW_ALERT_ESCALATE) {
		a->grace_used_s = 3.25;
		snprintf(a->rule, sizeof(a->rule), "live_eta");
	}
	if (kind == OW_ALERT_BRAKE) {
		a->pid = 0;
		snprintf(a->brake, sizeof(a->brake), "applied");
		snprintf(a->braked, sizeof(a->braked), "%s",
			 "/sys/fs/cgroup/memory/system.slice/api.service/worker");
		a->brake_high = 231ull << 20;
		a->brake_original = UINT64_MAX;
	}
	snprintf(a->reason, sizeof(a->reason), "floor rises 12.5 MiB/s, OOM in 2.1 s");
	a->ntop = 3;
	for (i = 0; i < a->ntop; i++) {
		a->top[i].pid = 4242 + (int)i;
		snprintf(a->top[i].comm, sizeof(a->top[i].comm), "p%u", i);
		a->top[i].rss = (200ull - i * 50) << 20;
		a->top[i].rate = i ? 0 : 8.0 * 1024 * 1024; /* the first one grows */
	}
	ow_alert_incident_id(a->incident, sizeof(a->incident), a->host, 0x1234, T0);
	a->started_ns = T0;
	a->time_ns = T0 + 5000000000LL;
}

/* Everything a process controls, as bad as it gets. */
static void hostile(struct ow_alert *a)
{
	memset(a->cmdline, 'x', sizeof(a->cmdline) - 1);
	a->cmdline[sizeof(a->cmdline) - 1] = '\0';
	memcpy(a->cmdline, "@everyone \x01\x1b[31m\xff\xfe \xe2\x82", 19);
	memset(a->reason, 'r', sizeof(a->reason) - 1);
	a->reason[sizeof(a->reason) - 1] = '\0';
	/* A surrogate (U+D800) and an overlong '/': well-formed in shape, refused by strict
	 * parsers. */
	memcpy(a->reason, "\xed\xa0\x80 \xe0\x80\xaf", 7);
	memset(a->cgroup, 'c', sizeof(a->cgroup) - 1);
	a->cgroup[sizeof(a->cgroup) - 1] = '\0';
	/* a cgroup name (any byte but '/' and '\n'): CSI as C1 (U+009B), CR, ESC, DEL */
	memcpy(a->cgroup,
	       "\xc2\x9b"
	       "2J\r\x1b]0;\x7f",
	       11);
	memset(a->path, '/', sizeof(a->path) - 1);
	a->path[sizeof(a->path) - 1] = '\0';
	memset(a->braked, 'b', sizeof(a->braked) - 1);
	a->braked[sizeof(a->braked) - 1] = '\0';
	memcpy(a->braked, "/\x1b[2J\xff\r", 8);
	snprintf(a->grace_from, sizeof(a->grace_from), "Timeout\nStop\x9bSec\xc3");
	snprintf(a->comm, sizeof(a->comm), "\xe4\xb8\xad\xe6\x96\x87\x0a<&>*");
}

static struct ow_webhook_target target(enum ow_alert_fmt fmt)
{
	struct ow_webhook_target t = {.fmt = fmt};

	snprintf(t.url, sizeof(t.url), "http://127.0.0.1/hook");
	if (fmt == OW_FMT_PAGERDUTY)
		snprintf(t.secret, sizeof(t.secret), "R0UTINGKEY");
	return t;
}

static cJSON *format_json(enum ow_alert_fmt fmt, const struct ow_alert *a, unsigned int n)
{
	struct ow_webhook_target t = target(fmt);
	cJSON *j;

	ow_payload_free(&pl);
	assert_int_equal(ow_alert_coalesce(&t, a, n, &pl), 0);
	assert_non_null(pl.body);
	assert_int_equal(pl.len, strlen(pl.body));
	assert_string_equal(pl.content_type, "application/json");
	j = cJSON_Parse(pl.body);
	assert_non_null(j);
	return j;
}

static const char *str_at(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	assert_non_null(s);
	return s;
}

static double num_at(const cJSON *o, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_true(cJSON_IsNumber(x));
	return x->valuedouble;
}

/* Valid UTF-8, no control characters but newlines. */
static void assert_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int more = 0;

	for (; *p; p++) {
		if (more) {
			assert_int_equal(*p & 0xc0, 0x80);
			more--;
			continue;
		}
		assert_true(*p >= 0x20 || *p == '\n');
		assert_true(*p != 0x7f && *p != 0xff && *p != 0xfe);
		assert_false(*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f); /* C1 controls */
		/* No surrogates (ED A0-BF) and no overlong three-byte forms (E0 80-9F). */
		assert_false(*p == 0xed && p[1] > 0x9f);
		assert_false(*p == 0xe0 && p[1] < 0xa0);
		if (*p >= 0xf0)
			more = 3;
		else if (*p >= 0xe0)
			more = 2;
		else if (*p >= 0xc0)
			more = 1;
	}
	assert_int_equal(more, 0);
}

static int teardown(void **state)
{
	ow_payload_free(&pl);
	return 0;
}

/* ---- json ---- */

static void test_json_schema(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_NTFY);
	struct ow_alert a;
	cJSON *j, *x, *p;

	fill(&a, OW_ALERT_ACT);
	j = format_json(OW_FMT_JSON, &a, 1);
	assert_string_equal(str_at(j, "schema"), "oomwarden.alert.v1");
	assert_int_equal(num_at(j, "count"), 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	assert_string_equal(str_at(x, "kind"), "act");
	assert_string_equal(str_at(x, "host"), "web1");
	assert_string_equal(str_at(x, "incident"), a.incident);
	assert_string_equal(str_at(x, "time"), "2023-11-14T22:13:25.123Z");
	assert_string_equal(str_at(x, "started"), "2023-11-14T22:13:20.123Z");
	assert_string_equal(str_at(cJSON_GetObjectItem(x, "cgroup"), "name"), "api.service");
	assert_true(num_at(x, "usage_bytes") == 230.0 * 1024 * 1024);
	assert_true(num_at(x, "limit_bytes") == 256.0 * 1024 * 1024);
	assert_true(num_at(x, "eta_s") > 2.0);
	p = cJSON_GetObjectItem(x, "process");
	assert_int_equal(num_at(p, "pid"), 4242);
	assert_string_equal(str_at(p, "cmdline"), a.cmdline);
	assert_string_equal(str_at(cJSON_GetObjectItem(x, "action"), "signal"), "SIGTERM");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(x, "top")), 3);
	/* the top growing processes: each with its rate */
	p = cJSON_GetArrayItem(cJSON_GetObjectItem(x, "top"), 0);
	assert_true(cJSON_GetObjectItem(p, "rate_bytes_per_s")->valuedouble == 8.0 * 1024 * 1024);
	p = cJSON_GetArrayItem(cJSON_GetObjectItem(x, "top"), 1);
	assert_true(cJSON_GetObjectItem(p, "rate_bytes_per_s")->valuedouble == 0);
	cJSON_Delete(j);
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_non_null(strstr(pl.body, "  4242 p0 200.0 MiB, +8.0 MiB/s\n  4243 p1 150.0 MiB\n"));
}

static void test_manager_and_restart(void **state)
{
	struct ow_alert a;
	char title[256];
	cJSON *j, *x, *act;

	fill(&a, OW_ALERT_ACT);
	snprintf(a.manager, sizeof(a.manager), "systemd:api.service");
	snprintf(a.note, sizeof(a.note),
		 "api.service has Restart=on-failure: it will stay stopped");
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	assert_string_equal(str_at(x, "manager"), "systemd:api.service");
	assert_string_equal(str_at(x, "note"), a.note);
	act = cJSON_GetObjectItem(x, "action");
	assert_string_equal(str_at(act, "kind"), "signal");
	assert_string_equal(str_at(act, "signal"), "SIGTERM");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(act, "command")));
	cJSON_Delete(j);

	snprintf(a.action, sizeof(a.action), "restart");
	snprintf(a.command, sizeof(a.command), "pm2 reload 3");
	snprintf(a.manager, sizeof(a.manager), "pm2:worker(id 3)");
	a.note[0] = '\0';
	ow_alert_title(&a, title, sizeof(title));
	assert_string_equal(title,
			    "Asked pm2:worker(id 3) to restart node (4242) in api.service on web1");
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	act = cJSON_GetObjectItem(x, "action");
	assert_string_equal(str_at(act, "kind"), "restart");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(act, "signal")));
	assert_string_equal(str_at(act, "command"), "pm2 reload 3");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "note")));
	cJSON_Delete(j);

	/* The chat formats carry it in their text. */
	{
		struct ow_webhook_target t = target(OW_FMT_NTFY);

		ow_payload_free(&pl);
		assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
		assert_non_null(strstr(pl.body, "Managed by: pm2:worker(id 3)"));
		assert_non_null(strstr(pl.body, "Action: restart (pm2 reload 3)"));
	}
	fill(&a, OW_ALERT_WARN);
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "manager")));
	cJSON_Delete(j);
}

/* A crash loop rides on the act alert that found it: a string in JSON (null otherwise), a
 * "Crash loop:" line in the chat formats' text. */
static void test_crash_loop(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_NTFY);
	struct ow_alert a;
	cJSON *j, *x;

	fill(&a, OW_ALERT_ACT);
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "crash_loop")));
	cJSON_Delete(j);
	snprintf(a.crash_loop, sizeof(a.crash_loop),
		 "restarts into the same leak within 2.1 s; last 3 lifetimes 2.1 s, 1.9 s, 2.0 s");
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	assert_string_equal(str_at(x, "crash_loop"), a.crash_loop);
	cJSON_Delete(j);
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_non_null(strstr(pl.body, "Crash loop: restarts into the same leak within 2.1 s"));
}

/* The pre-stop signal rides on the act alert: an object in JSON (null when none was sent), a
 * "Before the stop:" line naming the dump, or the working directory when none was seen. */
static void test_pre_stop(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_NTFY);
	struct ow_alert a;
	cJSON *j, *x, *p;

	fill(&a, OW_ALERT_ACT);
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "pre_stop")));
	cJSON_Delete(j);
	snprintf(a.pre_stop.signal, sizeof(a.pre_stop.signal), "SIGUSR2");
	a.pre_stop.waited_s = 0.8;
	snprintf(a.pre_stop.ended, sizeof(a.pre_stop.ended), "written");
	snprintf(a.pre_stop.dump, sizeof(a.pre_stop.dump), "/srv/app/Heap.1.heapsnapshot");
	snprintf(a.pre_stop.cwd, sizeof(a.pre_stop.cwd), "/srv/app");
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	p = cJSON_GetObjectItem(x, "pre_stop");
	assert_string_equal(str_at(p, "signal"), "SIGUSR2");
	assert_true(cJSON_GetObjectItem(p, "waited_s")->valuedouble == 0.8);
	assert_string_equal(str_at(p, "ended"), "written");
	assert_string_equal(str_at(p, "dump"), "/srv/app/Heap.1.heapsnapshot");
	assert_string_equal(str_at(p, "cwd"), "/srv/app");
	cJSON_Delete(j);
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_non_null(strstr(pl.body, "Before the stop: SIGUSR2, 0.8 s (written): "
					"/srv/app/Heap.1.heapsnapshot"));
	a.pre_stop.dump[0] = '\0';
	snprintf(a.pre_stop.ended, sizeof(a.pre_stop.ended), "waited");
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_non_null(strstr(pl.body, "(waited): no dump seen; working directory /srv/app"));
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "pre_stop"), "dump")));
	cJSON_Delete(j);
}

/* The victim's mappings ride on the act alert: grown since the warning, or its largest. */
static void test_mappings(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_NTFY);
	struct ow_alert a;
	cJSON *j, *x, *m;

	fill(&a, OW_ALERT_ACT);
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "mappings")));
	cJSON_Delete(j);
	snprintf(a.maps, sizeof(a.maps), "[heap] +120.0 MiB, [anon] +30.0 MiB");
	a.maps_since_s = 12.4;
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	m = cJSON_GetObjectItem(x, "mappings");
	assert_string_equal(str_at(m, "grown"), a.maps);
	assert_true(cJSON_GetObjectItem(m, "since_s")->valuedouble == 12.4);
	cJSON_Delete(j);
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_non_null(strstr(pl.body, "Mappings grown since the warning 12 s before: [heap] "
					"+120.0 MiB, [anon] +30.0 MiB"));
	a.maps_since_s = -1; /* no snapshot at the warning: the largest */
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_non_null(strstr(pl.body, "Largest mappings: [heap] +120.0 MiB"));
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	m = cJSON_GetObjectItem(x, "mappings");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "since_s")));
	cJSON_Delete(j);
}

/* What grew: shmem names the tmpfs mounts that grew, in JSON (grows.tmpfs, null when none
 * is known) and in the chat formats' text. */
static void test_grows_tmpfs(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_NTFY);
	struct ow_alert a;
	cJSON *j, *g;

	fill(&a, OW_ALERT_WARN);
	snprintf(a.grows, sizeof(a.grows), "shmem");
	a.grew = 48ULL << 20;
	j = format_json(OW_FMT_JSON, &a, 1);
	g = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0), "grows");
	assert_string_equal(str_at(g, "kind"), "shmem");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(g, "tmpfs")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(g, "files")));
	cJSON_Delete(j);
	snprintf(a.tmpfs, sizeof(a.tmpfs), "/dev/shm +48.0 MiB, /tmp +3.0 MiB");
	/* A user names its files: an escape sequence in one stays out of the text formats. */
	snprintf(a.tmpfs_files, sizeof(a.tmpfs_files), "/dev/shm/seg\x1b[2J 40.0 MiB");
	j = format_json(OW_FMT_JSON, &a, 1);
	g = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0), "grows");
	assert_string_equal(str_at(g, "tmpfs"), "/dev/shm +48.0 MiB, /tmp +3.0 MiB");
	assert_non_null(strstr(str_at(g, "files"), "40.0 MiB"));
	cJSON_Delete(j);
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_non_null(strstr(pl.body, "tmpfs grown: /dev/shm +48.0 MiB, /tmp +3.0 MiB"));
	assert_non_null(strstr(pl.body, "Largest files there: /dev/shm/seg"));
	assert_null(strchr(pl.body, '\x1b'));
}

/* A pod's names: a json object, Alertmanager's namespace/pod/container labels, a text line;
 * none of them for a cgroup that is not a pod's. */
static void test_pod_names(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_SLACK);
	struct ow_alert a;
	cJSON *j, *k, *l;

	fill(&a, OW_ALERT_WARN);
	j = format_json(OW_FMT_JSON, &a, 1);
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0),
					"kubernetes"));
	cJSON_Delete(j);
	j = format_json(OW_FMT_ALERTMANAGER, &a, 1);
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "labels"),
					"pod"));
	cJSON_Delete(j);

	snprintf(a.ns, sizeof(a.ns), "default");
	snprintf(a.pod, sizeof(a.pod), "web-7d9f8b6c5-x2x9z");
	j = format_json(OW_FMT_JSON, &a, 1);
	k = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0),
				"kubernetes");
	assert_string_equal(str_at(k, "namespace"), "default");
	assert_string_equal(str_at(k, "pod"), "web-7d9f8b6c5-x2x9z");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(k, "container")));
	cJSON_Delete(j);
	snprintf(a.container, sizeof(a.container), "nginx");
	j = format_json(OW_FMT_ALERTMANAGER, &a, 1);
	l = cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "labels");
	assert_string_equal(str_at(l, "namespace"), "default");
	assert_string_equal(str_at(l, "pod"), "web-7d9f8b6c5-x2x9z");
	assert_string_equal(str_at(l, "container"), "nginx");
	cJSON_Delete(j);
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_non_null(strstr(pl.body, "Pod: default/web-7d9f8b6c5-x2x9z, container nginx"));
}

/* Every multi-byte sequence of s complete (none cut in the middle). */
static bool utf8_whole(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int more;

	while (*p) {
		more = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : 3;
		for (p++; more--; p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
		}
	}
	return true;
}

/* A Kubernetes Event on the pod: the namespace's events URL, the fields the API requires
 * within its limits, the pod and container it regards; only a pod's warn, act, escalate and
 * OOM kill make one. */
static void test_kube_event(void **state)
{
	struct ow_webhook_target t = {.fmt = OW_FMT_KUBE_EVENTS};
	struct ow_alert a;
	cJSON *j, *r;

	snprintf(t.url, sizeof(t.url), "https://10.96.0.1:443");
	fill(&a, OW_ALERT_ACT);
	assert_false(ow_alert_kube_wanted(&a)); /* not a pod's */
	snprintf(a.ns, sizeof(a.ns), "prod");
	snprintf(a.pod, sizeof(a.pod), "queue-worker-0");
	snprintf(a.container, sizeof(a.container), "worker");
	snprintf(a.pod_uid, sizeof(a.pod_uid), "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b");
	memset(a.cmdline, 'x', sizeof(a.cmdline) - 1); /* a note past the API's 1 kB */
	a.cmdline[sizeof(a.cmdline) - 1] = '\0';
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_string_equal(pl.url,
			    "https://10.96.0.1:443/apis/events.k8s.io/v1/namespaces/prod/events");
	assert_string_equal(pl.content_type, "application/json");
	j = cJSON_Parse(pl.body);
	assert_non_null(j);
	assert_string_equal(str_at(j, "apiVersion"), "events.k8s.io/v1");
	assert_string_equal(str_at(j, "kind"), "Event");
	assert_string_equal(str_at(cJSON_GetObjectItem(j, "metadata"), "generateName"),
			    "queue-worker-0.oomwarden-");
	assert_string_equal(str_at(cJSON_GetObjectItem(j, "metadata"), "namespace"), "prod");
	assert_string_equal(str_at(j, "eventTime"), "2023-11-14T22:13:25.123000Z");
	assert_string_equal(str_at(j, "reportingController"), "oomwarden");
	assert_string_equal(str_at(j, "reportingInstance"), "web1");
	assert_string_equal(str_at(j, "reason"), "OOMPrevented");
	assert_string_equal(str_at(j, "action"), "SIGTERM");
	assert_string_equal(str_at(j, "type"), "Warning");
	assert_true(strlen(str_at(j, "note")) < 1024);
	assert_non_null(strstr(str_at(j, "note"), "Sent SIGTERM to node (4242)"));
	assert_null(strchr(str_at(j, "note"), '\n'));
	r = cJSON_GetObjectItem(j, "regarding");
	assert_string_equal(str_at(r, "kind"), "Pod");
	assert_string_equal(str_at(r, "apiVersion"), "v1");
	assert_string_equal(str_at(r, "namespace"), "prod");
	assert_string_equal(str_at(r, "name"), "queue-worker-0");
	assert_string_equal(str_at(r, "uid"), "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b");
	assert_string_equal(str_at(r, "fieldPath"), "spec.containers{worker}");
	cJSON_Delete(j);

	fill(&a, OW_ALERT_WARN);
	snprintf(a.ns, sizeof(a.ns), "prod");
	snprintf(a.pod, sizeof(a.pod), "queue-worker-0");
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	j = cJSON_Parse(pl.body);
	assert_string_equal(str_at(j, "reason"), "OOMWarning");
	assert_string_equal(str_at(j, "action"), "Warn");
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "regarding"), "fieldPath"));
	cJSON_Delete(j);
	a.kind = OW_ALERT_OOM_KILL;
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	j = cJSON_Parse(pl.body);
	assert_string_equal(str_at(j, "reason"), "OOMKilled");
	cJSON_Delete(j);
	/* a note of two-byte characters is cut between them, within the 1 kB, with "..."; a pod
	 * name cut at 200 never leaves generateName ending in '-' */
	for (size_t i = 0; i + 2 < sizeof(a.cmdline); i += 2)
		memcpy(a.cmdline + i, "\xc3\xa9", 2);
	a.cmdline[sizeof(a.cmdline) - 2] = '\0';
	memset(a.pod, 'p', 199);
	a.pod[199] = '-';
	memset(a.pod + 200, 'q', 20);
	a.pod[220] = '\0';
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	j = cJSON_Parse(pl.body);
	assert_true(strlen(str_at(j, "note")) <= 1023);
	assert_true(utf8_whole(str_at(j, "note")));
	assert_non_null(strstr(str_at(j, "note"), "..."));
	assert_int_equal(strlen(str_at(cJSON_GetObjectItem(j, "metadata"), "generateName")),
			 199 + strlen(".oomwarden-"));
	cJSON_Delete(j);
	a.kind = OW_ALERT_RESOLVED;
	assert_false(ow_alert_kube_wanted(&a));
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), -ENODATA);
}

static void test_json_infinite_eta_is_null_and_no_process_is_null(void **state)
{
	struct ow_alert a;
	cJSON *j, *x;

	fill(&a, OW_ALERT_RESOLVED);
	a.pid = 0;
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "eta_s")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "process")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "action")));
	cJSON_Delete(j);
}

static void test_json_oom_kill_has_rss(void **state)
{
	struct ow_alert a;
	cJSON *j, *x;

	fill(&a, OW_ALERT_OOM_KILL);
	a.rss_anon = 100 << 20;
	j = format_json(OW_FMT_JSON, &a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	assert_string_equal(str_at(x, "severity"), "critical");
	assert_true(num_at(cJSON_GetObjectItem(x, "rss"), "anon_bytes") == 100 << 20);
	cJSON_Delete(j);
}

/* ---- slack ---- */

static void test_slack_text_and_blocks(void **state)
{
	struct ow_alert a;
	cJSON *j, *blocks, *b;
	const char *t;

	fill(&a, OW_ALERT_WARN);
	snprintf(a.comm, sizeof(a.comm), "a<b>&c");
	j = format_json(OW_FMT_SLACK, &a, 1);
	assert_non_null(strstr(str_at(j, "text"), "OOM predicted in 2.1 s for api.service"));
	blocks = cJSON_GetObjectItem(j, "blocks");
	assert_int_equal(cJSON_GetArraySize(blocks), 3);
	b = cJSON_GetArrayItem(blocks, 0);
	assert_string_equal(str_at(b, "type"), "header");
	assert_string_equal(str_at(cJSON_GetObjectItem(b, "text"), "type"), "plain_text");
	t = str_at(cJSON_GetObjectItem(cJSON_GetArrayItem(blocks, 1), "text"), "text");
	assert_non_null(strstr(t, "a&lt;b&gt;&amp;c"));
	/* nothing cut from a section that fits */
	assert_non_null(strstr(t, a.incident));
	assert_null(strstr(t, "..."));
	cJSON_Delete(j);
}

static void test_slack_limits_with_hostile_strings(void **state)
{
	struct ow_alert a[10];
	cJSON *j, *b;
	unsigned int i;

	for (i = 0; i < 10; i++) {
		fill(&a[i], OW_ALERT_ACT);
		hostile(&a[i]);
		memset(a[i].cmdline, '<', 1000); /* escapes four-fold */
	}
	j = format_json(OW_FMT_SLACK, a, 10);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "blocks")), 30);
	cJSON_ArrayForEach(b, cJSON_GetObjectItem(j, "blocks"))
	{
		cJSON *t = cJSON_GetObjectItem(b, "text");

		if (!t)
			continue;
		assert_true(strlen(str_at(t, "text")) <=
			    (strcmp(str_at(b, "type"), "header") ? 3000 : 150));
		assert_clean(str_at(t, "text"));
	}
	assert_true(strlen(str_at(j, "text")) <= 3000);
	cJSON_Delete(j);
}

/* ---- discord ---- */

static size_t discord_total(const cJSON *j)
{
	const cJSON *e;
	size_t total = 0;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "embeds"))
	{
		assert_true(strlen(str_at(e, "title")) <= 256);
		assert_true(strlen(str_at(e, "description")) <= 4096);
		assert_clean(str_at(e, "description"));
		total += strlen(str_at(e, "title")) + strlen(str_at(e, "description")) +
			 strlen(str_at(cJSON_GetObjectItem(e, "footer"), "text"));
	}
	return total;
}

static void test_discord_single(void **state)
{
	struct ow_alert a;
	cJSON *j, *e;

	fill(&a, OW_ALERT_OOM_KILL);
	j = format_json(OW_FMT_DISCORD, &a, 1);
	assert_non_null(strstr(str_at(j, "content"), "Kernel OOM killer killed node (4242)"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "embeds")), 1);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "embeds"), 0);
	assert_non_null(strstr(str_at(e, "description"), "node /srv/api/server.js"));
	assert_true(num_at(e, "color") > 0);
	/* nobody gets pinged by a command line */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
				 cJSON_GetObjectItem(j, "allowed_mentions"), "parse")),
			 0);
	cJSON_Delete(j);
}

static void test_discord_limits_huge_cmdline(void **state)
{
	struct ow_alert a[10];
	unsigned int i, n;
	cJSON *j;

	for (n = 1; n <= 10; n++) {
		for (i = 0; i < n; i++) {
			fill(&a[i], OW_ALERT_ACT);
			hostile(&a[i]);
		}
		j = format_json(OW_FMT_DISCORD, a, n);
		assert_true(strlen(str_at(j, "content")) <= 2000);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "embeds")), n);
		assert_true(discord_total(j) <= 6000);
		cJSON_Delete(j);
	}
}

/* ---- ntfy ---- */

static void test_ntfy_text_and_headers(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_NTFY);
	struct ow_alert a;
	unsigned int i;
	bool title = false, prio = false, tags = false;

	fill(&a, OW_ALERT_ESCALATE);
	hostile(&a);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_string_equal(pl.content_type, "text/plain; charset=utf-8");
	assert_true(pl.len <= 4000 && pl.len == strlen(pl.body));
	assert_null(cJSON_Parse(pl.body) ? "json" : NULL);
	assert_clean(pl.body);
	for (i = 0; i < pl.nheaders; i++) {
		const char *h = pl.headers[i];

		assert_null(strpbrk(h, "\r\n"));
		title |= !strncmp(h, "Title: Sent SIGKILL", 19);
		prio |= !strcmp(h, "Priority: 5");
		tags |= !strcmp(h, "Tags: skull,oomwarden");
	}
	assert_true(title && prio && tags);
}

/* ---- teams ---- */

static void test_teams_adaptive_card_envelope(void **state)
{
	struct ow_alert a[2];
	cJSON *j, *att, *card;

	fill(&a[0], OW_ALERT_WARN);
	fill(&a[1], OW_ALERT_RESOLVED);
	j = format_json(OW_FMT_TEAMS, a, 2);
	assert_string_equal(str_at(j, "type"), "message");
	att = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "attachments"), 0);
	assert_string_equal(str_at(att, "contentType"), "application/vnd.microsoft.card.adaptive");
	card = cJSON_GetObjectItem(att, "content");
	assert_string_equal(str_at(card, "type"), "AdaptiveCard");
	assert_non_null(cJSON_GetObjectItem(card, "version"));
	/* a title and a fact set per alert */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(card, "body")), 4);
	assert_true(pl.len < 28 * 1024);
	cJSON_Delete(j);
}

/* ---- gotify ---- */

static void test_gotify(void **state)
{
	struct ow_alert a;
	cJSON *j;

	fill(&a, OW_ALERT_OOM_KILL);
	j = format_json(OW_FMT_GOTIFY, &a, 1);
	assert_non_null(strstr(str_at(j, "title"), "Kernel OOM killer"));
	assert_non_null(strstr(str_at(j, "message"), "RSS: anon"));
	assert_int_equal(num_at(j, "priority"), 10);
	cJSON_Delete(j);
}

/* ---- pagerduty ---- */

static void test_pagerduty_trigger_and_resolve_share_dedup_key(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_PAGERDUTY);
	struct ow_alert a;
	cJSON *j, *p;

	fill(&a, OW_ALERT_ACT);
	j = format_json(OW_FMT_PAGERDUTY, &a, 1);
	assert_string_equal(str_at(j, "routing_key"), "R0UTINGKEY");
	assert_string_equal(str_at(j, "event_action"), "trigger");
	assert_string_equal(str_at(j, "dedup_key"), a.incident);
	p = cJSON_GetObjectItem(j, "payload");
	assert_true(strlen(str_at(p, "summary")) <= 1024);
	assert_string_equal(str_at(p, "source"), "web1");
	assert_string_equal(str_at(p, "severity"), "error");
	cJSON_Delete(j);

	fill(&a, OW_ALERT_RESOLVED);
	j = format_json(OW_FMT_PAGERDUTY, &a, 1);
	assert_string_equal(str_at(j, "event_action"), "resolve");
	assert_string_equal(str_at(j, "dedup_key"), a.incident);
	cJSON_Delete(j);

	/* one event per request; no key, no event */
	assert_int_equal(ow_alert_fmt_max_batch(OW_FMT_PAGERDUTY), 1);
	ow_payload_free(&pl); /* ow_alert_coalesce overwrites its output */
	assert_int_equal(ow_alert_coalesce(&t, (struct ow_alert[2]){a, a}, 2, &pl), -EINVAL);
	t.secret[0] = '\0';
	assert_int_equal(ow_alert_format(&t, &a, &pl), -EINVAL);
}

/* ---- alertmanager ---- */

static void test_alertmanager_labels_stable_and_endsat(void **state)
{
	struct ow_alert a[2];
	cJSON *j, *w, *r;
	char *lw, *lr;

	fill(&a[0], OW_ALERT_WARN);
	fill(&a[1], OW_ALERT_RESOLVED);
	a[1].time_ns = T0 + 60000000000LL;
	j = format_json(OW_FMT_ALERTMANAGER, a, 2);
	assert_true(cJSON_IsArray(j));
	w = cJSON_GetArrayItem(j, 0);
	r = cJSON_GetArrayItem(j, 1);
	assert_string_equal(str_at(cJSON_GetObjectItem(w, "labels"), "alertname"),
			    "OomwardenMemoryRisk");
	assert_non_null(str_at(cJSON_GetObjectItem(w, "annotations"), "summary"));
	assert_string_equal(str_at(w, "startsAt"), "2023-11-14T22:13:20.123Z");
	assert_null(cJSON_GetObjectItem(w, "endsAt"));
	assert_string_equal(str_at(r, "endsAt"), "2023-11-14T22:14:20.123Z");
	/* resolved ends the very alert that warn started */
	lw = cJSON_PrintUnformatted(cJSON_GetObjectItem(w, "labels"));
	lr = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "labels"));
	assert_string_equal(lw, lr);
	cJSON_free(lw);
	cJSON_free(lr);
	cJSON_Delete(j);
}

/* A full BPF map: the daemon's own blind spot, no cgroup and no memory figures. */
static void test_unwatched_says_what_is_blind(void **state)
{
	struct ow_alert a;
	char title[256];
	cJSON *j, *x;
	const char *text;

	memset(&a, 0, sizeof(a));
	a.kind = OW_ALERT_UNWATCHED;
	a.eta_s = INFINITY;
	snprintf(a.host, sizeof(a.host), "web1");
	snprintf(a.reason, sizeof(a.reason), "a BPF map was full: 3 more refused");
	a.time_ns = T0;
	ow_alert_title(&a, title, sizeof(title));
	assert_string_equal(title, "oomwarden on web1 cannot watch everything: a BPF map is full");
	j = format_json(OW_FMT_ALERTMANAGER, &a, 1);
	x = cJSON_GetArrayItem(j, 0);
	assert_string_equal(str_at(cJSON_GetObjectItem(x, "labels"), "alertname"),
			    "OomwardenUnwatched");
	assert_string_equal(str_at(cJSON_GetObjectItem(x, "labels"), "severity"), "warning");
	text = str_at(cJSON_GetObjectItem(x, "annotations"), "description");
	assert_non_null(strstr(text, "3 more refused"));
	assert_null(strstr(text, "Time to OOM"));
	assert_non_null(str_at(x, "endsAt")); /* it expires unless sent again */
	cJSON_Delete(j);
	j = format_json(OW_FMT_JSON, &a, 1);
	assert_string_equal(str_at(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0), "kind"),
			    "unwatched");
	cJSON_Delete(j);
}

/* ---- the action's lead, grace and rule ---- */

/* The JSON alert's action object. */
static cJSON *json_action(enum ow_alert_fmt fmt, const struct ow_alert *a, cJSON **root)
{
	*root = format_json(fmt, a, 1);
	return cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(*root, "alerts"), 0),
				   "action");
}

static void test_act_carries_lead_and_grace(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_NTFY);
	struct ow_alert a;
	cJSON *j, *act;

	fill(&a, OW_ALERT_ACT);
	snprintf(a.grace_from, sizeof(a.grace_from), "TimeoutStopSec");
	a.grace_s = 30;
	act = json_action(OW_FMT_JSON, &a, &j);
	assert_true(num_at(act, "lead_s") == 2.1);
	assert_true(num_at(act, "grace_s") == 30);
	assert_string_equal(str_at(act, "grace_from"), "TimeoutStopSec");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(act, "grace_used_s")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(act, "rule")));
	cJSON_Delete(j);
	ow_payload_free(&pl); /* the last format's body */
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_non_null(strstr(pl.body, "Grace: 30.0 s (set by TimeoutStopSec)\n"));
	assert_null(strstr(pl.body, "Rule:"));
	assert_null(strstr(pl.body, "Lead:")); /* an act's lead is its "Time to OOM" */

	/* A dry run grants no grace; acting at the high-water mark had no OOM predicted. */
	a.dry_run = true;
	a.grace_s = 0;
	a.lead_s = INFINITY;
	act = json_action(OW_FMT_JSON, &a, &j);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(act, "lead_s")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(act, "grace_s")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(act, "grace_from")));
	cJSON_Delete(j);
	ow_payload_free(&pl);
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	assert_null(strstr(pl.body, "Grace:"));
}

static void test_escalate_carries_rule_and_grace(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_GOTIFY);
	struct ow_alert a;
	cJSON *j, *act, *an, *card, *facts, *f;
	bool grace = false, rule = false;

	fill(&a, OW_ALERT_ESCALATE);
	act = json_action(OW_FMT_JSON, &a, &j);
	assert_string_equal(str_at(act, "signal"), "SIGKILL");
	assert_string_equal(str_at(act, "rule"), "live_eta");
	assert_true(num_at(act, "grace_s") == 10);
	assert_true(num_at(act, "grace_used_s") == 3.25);
	assert_true(num_at(act, "lead_s") == 2.1);
	cJSON_Delete(j);
	/* PagerDuty carries the same object in its details */
	j = format_json(OW_FMT_PAGERDUTY, &a, 1);
	act = cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(j, "payload"), "custom_details"), "action");
	assert_string_equal(str_at(act, "rule"), "live_eta");
	cJSON_Delete(j);
	ow_payload_free(&pl); /* the last format's body */
	assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
	j = cJSON_Parse(pl.body);
	assert_non_null(strstr(str_at(j, "message"),
			       "Grace: 10.0 s (set by grace), SIGKILL after 3.2 s\nRule: live_eta\n"
			       "Lead: 2.1 s (the predicted time to OOM at the SIGTERM)\n"));
	cJSON_Delete(j);
	j = format_json(OW_FMT_ALERTMANAGER, &a, 1);
	an = cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "annotations");
	assert_string_equal(str_at(an, "rule"), "live_eta");
	assert_non_null(strstr(str_at(an, "grace"), "10.0 s"));
	cJSON_Delete(j);
	j = format_json(OW_FMT_TEAMS, &a, 1);
	card = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "attachments"), 0),
				   "content");
	facts = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(card, "body"), 1),
				    "facts");
	cJSON_ArrayForEach(f, facts)
	{
		grace |= !strcmp(str_at(f, "title"), "Grace");
		rule |= !strcmp(str_at(f, "title"), "Rule") &&
			!strcmp(str_at(f, "value"), "live_eta");
	}
	assert_true(grace && rule);
	cJSON_Delete(j);
}

/* ---- the brake ---- */

static void test_brake_applied_and_lifted(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_NTFY);
	struct ow_alert a[2];
	char title[256], *l0, *l1;
	cJSON *j, *x, *b;
	unsigned int i;
	bool prio = false, tags = false;

	fill(&a[0], OW_ALERT_BRAKE);
	fill(&a[1], OW_ALERT_BRAKE);
	snprintf(a[1].brake, sizeof(a[1].brake), "lifted");
	a[1].time_ns = T0 + 9000000000LL;
	ow_alert_title(&a[0], title, sizeof(title));
	assert_string_equal(
		title,
		"Braked api.service on web1 at 231.0 MiB (memory.high): the kernel throttles it");
	ow_alert_title(&a[1], title, sizeof(title));
	assert_string_equal(title,
			    "Brake lifted from api.service on web1: it stopped growing, a burst");

	j = format_json(OW_FMT_JSON, a, 1);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "alerts"), 0);
	assert_string_equal(str_at(x, "kind"), "brake");
	assert_string_equal(str_at(x, "severity"), "warning");
	b = cJSON_GetObjectItem(x, "brake");
	assert_string_equal(str_at(b, "state"), "applied");
	assert_string_equal(str_at(b, "cgroup"), a[0].braked);
	assert_true(num_at(b, "memory_high_bytes") == 231.0 * 1024 * 1024);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(b, "original_bytes"))); /* "max" */
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "action")));
	cJSON_Delete(j);

	/* Alertmanager: a warning of its own; the lift ends the very alert the brake started. */
	j = format_json(OW_FMT_ALERTMANAGER, a, 2);
	x = cJSON_GetArrayItem(j, 0);
	assert_string_equal(str_at(cJSON_GetObjectItem(x, "labels"), "alertname"),
			    "OomwardenBrake");
	assert_string_equal(str_at(cJSON_GetObjectItem(x, "labels"), "severity"), "warning");
	assert_null(cJSON_GetObjectItem(x, "endsAt"));
	assert_non_null(strstr(str_at(cJSON_GetObjectItem(x, "annotations"), "brake"), "was max"));
	assert_string_equal(str_at(cJSON_GetArrayItem(j, 1), "endsAt"), "2023-11-14T22:13:29.123Z");
	l0 = cJSON_PrintUnformatted(cJSON_GetObjectItem(x, "labels"));
	l1 = cJSON_PrintUnformatted(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 1), "labels"));
	assert_string_equal(l0, l1);
	cJSON_free(l0);
	cJSON_free(l1);
	cJSON_Delete(j);

	j = format_json(OW_FMT_PAGERDUTY, &a[1], 1);
	assert_string_equal(str_at(j, "event_action"), "trigger");
	assert_string_equal(str_at(cJSON_GetObjectItem(j, "payload"), "severity"), "warning");
	cJSON_Delete(j);

	a[1].brake_original = 512ull << 20;
	ow_payload_free(&pl); /* the last format's body */
	assert_int_equal(ow_alert_format(&t, &a[1], &pl), 0);
	assert_non_null(strstr(pl.body,
			       "Brake: lifted, memory.high 231.0 MiB (back to 512.0 MiB) on "
			       "/sys/fs/cgroup/memory/system.slice/api.service/worker\n"));
	for (i = 0; i < pl.nheaders; i++) {
		prio |= !strcmp(pl.headers[i], "Priority: 4");
		tags |= !strcmp(pl.headers[i], "Tags: octagonal_sign,oomwarden");
	}
	assert_true(prio && tags);
}

/* ---- every format, every kind ---- */

static void test_every_format_every_kind_is_valid(void **state)
{
	struct ow_webhook_target t;
	struct ow_alert a;
	int f, k;

	for (f = 0; f < OW_FMT_COUNT; f++) {
		t = target((enum ow_alert_fmt)f);
		for (k = 0; k < OW_ALERT_KIND_COUNT; k++) {
			fill(&a, (enum ow_alert_kind)k);
			hostile(&a);
			ow_payload_free(&pl);
			if (f == OW_FMT_KUBE_EVENTS) { /* a pod's alerts only: test_kube_event */
				snprintf(a.ns, sizeof(a.ns), "default");
				snprintf(a.pod, sizeof(a.pod), "web-0");
				if (!ow_alert_kube_wanted(&a)) {
					assert_int_equal(ow_alert_format(&t, &a, &pl), -ENODATA);
					continue;
				}
			}
			assert_int_equal(ow_alert_format(&t, &a, &pl), 0);
			assert_clean(pl.body);
			if (f != OW_FMT_NTFY) {
				cJSON *j = cJSON_Parse(pl.body);

				assert_non_null(j);
				cJSON_Delete(j);
			}
		}
	}
}

/* ---- coalescing ---- */

static void test_coalesce_bounds(void **state)
{
	struct ow_webhook_target t = target(OW_FMT_JSON);
	struct ow_alert a[33];
	unsigned int i;
	cJSON *j;

	for (i = 0; i < 33; i++)
		fill(&a[i], i % 2 ? OW_ALERT_WARN : OW_ALERT_ACT);
	assert_int_equal(ow_alert_coalesce(&t, a, 0, &pl), -EINVAL);
	assert_int_equal(ow_alert_coalesce(&t, a, ow_alert_fmt_max_batch(OW_FMT_JSON) + 1, &pl),
			 -EINVAL);
	j = format_json(OW_FMT_JSON, a, 32);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "alerts")), 32);
	cJSON_Delete(j);
	/* a chat message of a burst names the count and the worst of it */
	a[3].kind = OW_ALERT_OOM_KILL;
	j = format_json(OW_FMT_GOTIFY, a, 5);
	assert_non_null(strstr(str_at(j, "title"), "5 oomwarden alerts from web1"));
	assert_non_null(strstr(str_at(j, "title"), "Kernel OOM killer"));
	assert_int_equal(num_at(j, "priority"), 10);
	cJSON_Delete(j);
}

/* ---- titles, incident ids ---- */

static void test_titles_and_incident(void **state)
{
	struct ow_alert a;
	char buf[256], id2[48];

	fill(&a, OW_ALERT_ACT);
	a.dry_run = true;
	ow_alert_title(&a, buf, sizeof(buf));
	assert_string_equal(buf,
			    "Would send SIGTERM to node (4242) in api.service on web1 (dry run)");
	fill(&a, OW_ALERT_RESOLVED);
	ow_alert_title(&a, buf, sizeof(buf));
	assert_string_equal(buf, "api.service on web1 is back to normal");
	ow_alert_incident_id(id2, sizeof(id2), "web1", 0x1234, T0 + 999999);
	assert_string_equal(a.incident, id2);
	assert_int_equal(strncmp(a.incident, "ow-", 3), 0);
	ow_alert_incident_id(id2, sizeof(id2), "web2", 0x1234, T0);
	assert_string_not_equal(a.incident, id2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_json_schema, teardown),
		cmocka_unit_test_teardown(test_json_infinite_eta_is_null_and_no_process_is_null,
					  teardown),
		cmocka_unit_test_teardown(test_json_oom_kill_has_rss, teardown),
		cmocka_unit_test_teardown(test_slack_text_and_blocks, teardown),
		cmocka_unit_test_teardown(test_slack_limits_with_hostile_strings, teardown),
		cmocka_unit_test_teardown(test_discord_single, teardown),
		cmocka_unit_test_teardown(test_discord_limits_huge_cmdline, teardown),
		cmocka_unit_test_teardown(test_ntfy_text_and_headers, teardown),
		cmocka_unit_test_teardown(test_teams_adaptive_card_envelope, teardown),
		cmocka_unit_test_teardown(test_gotify, teardown),
		cmocka_unit_test_teardown(test_pagerduty_trigger_and_resolve_share_dedup_key,
					  teardown),
		cmocka_unit_test_teardown(test_alertmanager_labels_stable_and_endsat, teardown),
		cmocka_unit_test_teardown(test_pod_names, teardown),
		cmocka_unit_test_teardown(test_kube_event, teardown),
		cmocka_unit_test_teardown(test_unwatched_says_what_is_blind, teardown),
		cmocka_unit_test_teardown(test_act_carries_lead_and_grace, teardown),
		cmocka_unit_test_teardown(test_escalate_carries_rule_and_grace, teardown),
		cmocka_unit_test_teardown(test_brake_applied_and_lifted, teardown),
		cmocka_unit_test_teardown(test_every_format_every_kind_is_valid, teardown),
		cmocka_unit_test_teardown(test_coalesce_bounds, teardown),
		cmocka_unit_test(test_titles_and_incident),
		cmocka_unit_test(test_manager_and_restart),
		cmocka_unit_test(test_crash_loop),
		cmocka_unit_test(test_pre_stop),
		cmocka_unit_test(test_mappings),
		cmocka_unit_test(test_grows_tmpfs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
