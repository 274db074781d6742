// SPDX-License-Identifier: GPL-2.0
/*
 * Alert delivery against loopback receivers (tests/alert/receiver.py, started here on
 * 127.0.0.1): every format's request as the receiver saw it, the sender's privileges,
 * retries with backoff, 429 + Retry-After, giving up, coalescing a burst without loss, a hung
 * receiver (ow_alerter_send's latency is measured and printed), a stopped or dead sender, and
 * alert-test; then HTTPS (tls_test.c) when run.sh made certificates in TLSDIR. Prints
 * "alert: N passed, N failed"; exits 1 on failure.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "alert_sender.h"
#include "harness.h"
#include "log.h"

int passed, failed;
static char base[64];	 /* http://127.0.0.1:PORT */
static char records[64]; /* the receiver's request log */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the receiver ---- */

pid_t start_receiver(const char *script, const char *log, const char *cert, const char *key,
		     char *url, size_t urllen)
{
	int p[2], port = 0;
	FILE *f;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execlp("python3", "python3", script, log, cert, key, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	if (!f || fscanf(f, "PORT %d", &port) != 1)
		return -1;
	fclose(f);
	snprintf(url, urllen, "%s://127.0.0.1:%d", cert ? "https" : "http", port);
	return pid;
}

cJSON *requests_in(const char *file, const char *prefix)
{
	cJSON *arr = cJSON_CreateArray(), *r;
	char line[1 << 17];
	FILE *f = fopen(file, "r");

	while (f && fgets(line, sizeof(line), f)) {
		r = cJSON_Parse(line);
		if (r && !strncmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "path")), prefix,
				  strlen(prefix)))
			cJSON_AddItemToArray(arr, r);
		else
			cJSON_Delete(r);
	}
	if (f)
		fclose(f);
	return arr;
}

static cJSON *requests(const char *prefix)
{
	return requests_in(records, prefix);
}

const char *rstr(const cJSON *req, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(req, key));

	return s ? s : "";
}

static const char *header(const cJSON *req, const char *name)
{
	const char *s = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(req, "headers"), name));

	return s ? s : "";
}

static double rtime(const cJSON *req)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItem(req, "t"));
}

/* Alerts carried by the json-format requests in arr. */
static int count_alerts(const cJSON *arr)
{
	const cJSON *r;
	int n = 0;

	cJSON_ArrayForEach(r, arr)
	{
		cJSON *j = cJSON_Parse(rstr(r, "body"));

		if (cJSON_GetNumberValue(cJSON_GetObjectItem(r, "status")) == 200)
			n += cJSON_GetArraySize(cJSON_GetObjectItem(j, "alerts"));
		cJSON_Delete(j);
	}
	return n;
}

/* ---- helpers ---- */

void make_alert(struct ow_alert *a, enum ow_alert_kind kind, int i)
{
	ow_alert_init(a, kind);
	snprintf(a->cgroup, sizeof(a->cgroup), "leak%d.service", i);
	snprintf(a->path, sizeof(a->path), "/sys/fs/cgroup/memory/leak%d", i);
	a->pid = 1000 + i;
	snprintf(a->comm, sizeof(a->comm), "owload");
	snprintf(a->cmdline, sizeof(a->cmdline), "owload --leak 32");
	a->usage = 200 << 20;
	a->limit = 256 << 20;
	a->rate = 32 << 20;
	a->eta_s = 1.75;
	snprintf(a->action, sizeof(a->action), "SIGTERM");
	ow_alert_incident_id(a->incident, sizeof(a->incident), a->host, (uint64_t)i, a->time_ns);
}

int targets_at(const char *at, struct ow_webhook_target *t, const char *const *paths,
	       const char *const *fmts, unsigned int n)
{
	const char *urls[OW_MAX_WEBHOOKS];
	static char buf[OW_MAX_WEBHOOKS][256];
	char err[256];
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++) {
		snprintf(buf[i], sizeof(buf[i]), "%s%s", at, paths[i]);
		urls[i] = buf[i];
	}
	rc = ow_webhook_targets_parse(urls, n, fmts, fmts ? n : 0, t, OW_MAX_WEBHOOKS, err,
				      sizeof(err));
	if (rc < 0)
		printf("targets: %s\n", err);
	return rc;
}

static int targets(struct ow_webhook_target *t, const char *const *paths, const char *const *fmts,
		   unsigned int n)
{
	return targets_at(base, t, paths, fmts, n);
}

/* The sender child of this process, found through /proc (its name is "ow-alert"). */
static pid_t sender_pid(void)
{
	char path[300], buf[512], comm[32];
	struct dirent *de;
	pid_t found = 0;
	int ppid;
	DIR *d = opendir("/proc");
	FILE *f;

	while (d && !found && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) &&
		    sscanf(buf, "%*d (%31[^)]) %*c %d", comm, &ppid) == 2 && ppid == getpid() &&
		    !strcmp(comm, "ow-alert"))
			found = atoi(de->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static void status_field(pid_t pid, const char *key, char *out, size_t len)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			snprintf(out, len, "%s",
				 line + strlen(key) + 1 + strspn(line + strlen(key) + 1, " \t"));
	if (f)
		fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

/* ---- scenarios ---- */

static void test_formats(void)
{
	static const char *const fmts[] = {"json",  "slack",  "discord",   "ntfy",
					   "teams", "gotify", "pagerduty", "alertmanager"};
	const char *paths[OW_FMT_WEBHOOK_COUNT];
	static char pbuf[OW_FMT_WEBHOOK_COUNT][64];
	struct ow_webhook_target t[OW_FMT_WEBHOOK_COUNT];
	struct ow_alerter *al;
	struct ow_alert a;
	cJSON *reqs, *r;
	unsigned int i;
	int rc;

	for (i = 0; i < OW_FMT_WEBHOOK_COUNT; i++) {
		snprintf(pbuf[i], sizeof(pbuf[i]), "/ok/fmt-%s%s", fmts[i],
			 i == OW_FMT_PAGERDUTY ? "?routing_key=PDKEY" : "");
		paths[i] = pbuf[i];
	}
	CHECK(targets(t, paths, fmts, OW_FMT_WEBHOOK_COUNT) == OW_FMT_WEBHOOK_COUNT, "parse");
	CHECK(ow_alerter_start(t, OW_FMT_WEBHOOK_COUNT, NULL, &al) == 0, "start");
	make_alert(&a, OW_ALERT_ACT, 1);
	CHECK(ow_alerter_send(al, &a) == 0, "send");
	rc = ow_alerter_stop(al, 5000);
	CHECK(rc == 0, "sender exit status %d", rc);
	for (i = 0; i < OW_FMT_WEBHOOK_COUNT; i++) {
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "/ok/fmt-%s", fmts[i]);
		reqs = requests(prefix);
		CHECK(cJSON_GetArraySize(reqs) == 1, "%s: %d requests", fmts[i],
		      cJSON_GetArraySize(reqs));
		r = cJSON_GetArrayItem(reqs, 0);
		if (r && i == OW_FMT_NTFY) {
			CHECK(!strncmp(header(r, "title"), "Sent SIGTERM", 12), "ntfy title '%s'",
			      header(r, "title"));
			CHECK(!strcmp(header(r, "priority"), "5") && header(r, "tags")[0], "ntfy");
			CHECK(strstr(rstr(r, "body"), "owload --leak 32") != NULL, "ntfy body");
		} else if (r) {
			cJSON *j = cJSON_Parse(rstr(r, "body"));

			CHECK(j != NULL, "%s: body is not JSON", fmts[i]);
			CHECK(!strcmp(header(r, "content-type"), "application/json"), "%s: type %s",
			      fmts[i], header(r, "content-type"));
			if (i == OW_FMT_PAGERDUTY) {
				CHECK(!strcmp(cJSON_GetStringValue(
						      cJSON_GetObjectItem(j, "routing_key")),
					      "PDKEY") &&
					      !strstr(rstr(r, "path"), "PDKEY"),
				      "pagerduty key in the body, not the URL: %s",
				      rstr(r, "path"));
				CHECK(!strcmp(cJSON_GetStringValue(
						      cJSON_GetObjectItem(j, "dedup_key")),
					      a.incident),
				      "dedup_key");
			}
			cJSON_Delete(j);
		}
		if (r)
			CHECK(!strncmp(header(r, "user-agent"), "oomwarden/", 10), "user agent %s",
			      header(r, "user-agent"));
		cJSON_Delete(reqs);
	}
}

/* The alert of kind `kind` among the json-format requests in arr, or NULL (*root to free). */
static cJSON *json_alert_of(const cJSON *arr, const char *kind, cJSON **root)
{
	const cJSON *r;
	cJSON *a;

	*root = NULL;
	cJSON_ArrayForEach(r, arr)
	{
		cJSON_Delete(*root);
		*root = cJSON_Parse(rstr(r, "body"));
		cJSON_ArrayForEach(a, cJSON_GetObjectItem(*root, "alerts")) if (
			!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(a, "kind")) ?: "",
				kind)) return a;
	}
	return NULL;
}

/* The brake and an escalate's rule and grace cross the socket to the sender whole. */
static void test_brake_and_grace_delivered(void)
{
	const char *paths[] = {"/ok/brk-json", "/ok/brk-am", "/ok/brk-ntfy"};
	const char *fmts[] = {"json", "alertmanager", "ntfy"};
	struct ow_webhook_target t[3];
	struct ow_alerter *al;
	struct ow_alert a[2];
	cJSON *reqs, *root, *x;
	int rc;

	CHECK(targets(t, paths, fmts, 3) == 3, "parse");
	CHECK(ow_alerter_start(t, 3, NULL, &al) == 0, "start");
	make_alert(&a[0], OW_ALERT_BRAKE, 7);
	a[0].pid = 0;
	a[0].action[0] = '\0';
	snprintf(a[0].brake, sizeof(a[0].brake), "applied");
	snprintf(a[0].braked, sizeof(a[0].braked), "%s/worker", "/sys/fs/cgroup/leak7");
	a[0].brake_high = 201 << 20;
	a[0].brake_original = UINT64_MAX;
	make_alert(&a[1], OW_ALERT_ESCALATE, 7);
	snprintf(a[1].action, sizeof(a[1].action), "SIGKILL");
	snprintf(a[1].rule, sizeof(a[1].rule), "kill_water");
	snprintf(a[1].grace_from, sizeof(a[1].grace_from), "TimeoutStopSec");
	a[1].grace_s = 30;
	a[1].grace_used_s = 4.5;
	a[1].lead_s = 1.75;
	CHECK(ow_alerter_send(al, &a[0]) == 0 && ow_alerter_send(al, &a[1]) == 0, "send");
	rc = ow_alerter_stop(al, 5000);
	CHECK(rc == 0, "sender exit status %d", rc);

	reqs = requests("/ok/brk-json");
	x = cJSON_GetObjectItem(json_alert_of(reqs, "brake", &root), "brake");
	CHECK(x &&
		      !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(x, "state")) ?: "",
			      "applied") &&
		      cJSON_GetNumberValue(cJSON_GetObjectItem(x, "memory_high_bytes")) ==
			      201 << 20,
	      "json brake: %s", x ? cJSON_PrintUnformatted(x) : "missing");
	cJSON_Delete(root);
	x = cJSON_GetObjectItem(json_alert_of(reqs, "escalate", &root), "action");
	CHECK(x &&
		      !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(x, "rule")) ?: "",
			      "kill_water") &&
		      cJSON_GetNumberValue(cJSON_GetObjectItem(x, "grace_s")) == 30 &&
		      cJSON_GetNumberValue(cJSON_GetObjectItem(x, "grace_used_s")) == 4.5,
	      "json escalate action: %s", x ? cJSON_PrintUnformatted(x) : "missing");
	cJSON_Delete(root);
	cJSON_Delete(reqs);
	reqs = requests("/ok/brk-am");
	CHECK(cJSON_GetArraySize(reqs) >= 1 &&
		      strstr(rstr(cJSON_GetArrayItem(reqs, 0), "body"),
			     "\"alertname\":\"OomwardenBrake\",\"severity\":\"warning\""),
	      "alertmanager brake labels");
	cJSON_Delete(reqs);
	reqs = requests("/ok/brk-ntfy");
	CHECK(cJSON_GetArraySize(reqs) >= 1 &&
		      strstr(rstr(cJSON_GetArrayItem(reqs, 0), "body"), "Brake: applied"),
	      "ntfy brake text");
	cJSON_Delete(reqs);
}

static void test_privileges(void)
{
	const char *paths[] = {"/ok/priv"};
	struct ow_webhook_target t[1];
	struct ow_alerter *al;
	char uid[64] = "", capeff[64], capprm[64], capbnd[64], nnp[16];
	pid_t pid = 0;
	int i;

	if (geteuid() != 0) {
		printf("SKIP privileges: not root\n");
		return;
	}
	targets(t, paths, NULL, 1);
	CHECK(ow_alerter_start(t, 1, NULL, &al) == 0, "start");
	/* The child drops privileges right after fork: give it a moment. */
	for (i = 0; i < 100; i++) {
		pid = pid ? pid : sender_pid();
		if (pid)
			status_field(pid, "Uid", uid, sizeof(uid));
		if (uid[0] && uid[0] != '0')
			break;
		usleep(10000);
	}
	status_field(pid, "CapEff", capeff, sizeof(capeff));
	status_field(pid, "CapPrm", capprm, sizeof(capprm));
	status_field(pid, "CapBnd", capbnd, sizeof(capbnd));
	status_field(pid, "NoNewPrivs", nnp, sizeof(nnp));
	printf("sender pid %d: Uid %s, CapEff %s, CapPrm %s, CapBnd %s, NoNewPrivs %s\n", pid, uid,
	       capeff, capprm, capbnd, nnp);
	CHECK(pid > 0 && !strncmp(uid, "65534", 5), "uid '%s'", uid);
	CHECK(!strcmp(capeff, "0000000000000000") && !strcmp(capprm, "0000000000000000"),
	      "capabilities");
	CHECK(!strcmp(capbnd, "0000000000000000"), "bounding set %s", capbnd);
	CHECK(!strcmp(nnp, "1"), "no_new_privs %s", nnp);
	ow_alerter_stop(al, 1000);
}

static struct ow_alerter_cfg fast = {.backoff_ms = 100, .max_backoff_ms = 2000, .max_tries = 4};

/* Send n alerts to one target at path and stop; returns the requests the receiver saw. */
static cJSON *run_one(const char *path, const char *fmt, const struct ow_alerter_cfg *cfg, int n,
		      int *status)
{
	const char *paths[] = {path}, *fmts[] = {fmt};
	struct ow_webhook_target t[1];
	struct ow_alerter *al;
	struct ow_alert a;
	int i;

	targets(t, paths, fmts, 1);
	if (ow_alerter_start(t, 1, cfg, &al))
		return cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		make_alert(&a, i % 2 ? OW_ALERT_WARN : OW_ALERT_ACT, i);
		CHECK(ow_alerter_send(al, &a) == 0, "send %d", i);
	}
	*status = ow_alerter_stop(al, 8000);
	return requests(path);
}

static void test_retry_backoff(void)
{
	cJSON *r;
	double g1, g2;
	int st;

	r = run_one("/flaky/retry/2", "json", &fast, 1, &st);
	CHECK(cJSON_GetArraySize(r) == 3, "%d requests, want 500, 500, 200", cJSON_GetArraySize(r));
	if (cJSON_GetArraySize(r) == 3) {
		g1 = rtime(cJSON_GetArrayItem(r, 1)) - rtime(cJSON_GetArrayItem(r, 0));
		g2 = rtime(cJSON_GetArrayItem(r, 2)) - rtime(cJSON_GetArrayItem(r, 1));
		printf("retry: backoff %.0f ms then %.0f ms (base 100 ms, doubled, jittered)\n",
		       g1 * 1000, g2 * 1000);
		CHECK(g1 >= 0.045 && g2 >= 0.095, "backoff %.3f %.3f", g1, g2);
	}
	CHECK(count_alerts(r) == 1 && st == 0, "delivered once, exit %d", st);
	cJSON_Delete(r);
}

static void test_retry_after(void)
{
	cJSON *r;
	double g;
	int st;

	r = run_one("/ratelimit/ra/1/1", "json", &fast, 1, &st);
	CHECK(cJSON_GetArraySize(r) == 2, "%d requests", cJSON_GetArraySize(r));
	if (cJSON_GetArraySize(r) == 2) {
		g = rtime(cJSON_GetArrayItem(r, 1)) - rtime(cJSON_GetArrayItem(r, 0));
		printf("429: retried after %.0f ms (Retry-After: 1, backoff would be ~100 ms)\n",
		       g * 1000);
		CHECK(g >= 0.9, "Retry-After not honoured: %.3f s", g);
	}
	CHECK(count_alerts(r) == 1 && st == 0, "exit %d", st);
	cJSON_Delete(r);
}

static void test_give_up(void)
{
	struct ow_alerter_cfg cfg = fast;
	cJSON *r;
	int st;

	cfg.max_tries = 3;
	r = run_one("/fail/giveup", "json", &cfg, 1, &st);
	CHECK(cJSON_GetArraySize(r) == 3, "500 forever: %d tries, want 3", cJSON_GetArraySize(r));
	CHECK(st != 0, "the sender reports the failure in its exit status");
	cJSON_Delete(r);
	r = run_one("/bad/noretry", "json", &cfg, 1, &st);
	CHECK(cJSON_GetArraySize(r) == 1, "400: %d tries, want 1", cJSON_GetArraySize(r));
	cJSON_Delete(r);
}

static void test_burst_coalesced(void)
{
	struct ow_alerter_cfg cfg = fast;
	cJSON *r;
	int st, n;

	/* Rate-limited to one message per 300 ms: a burst of 40 goes out in a few messages. */
	cfg.interval_ms = 300;
	r = run_one("/ok/burst", "json", &cfg, 40, &st);
	n = cJSON_GetArraySize(r);
	printf("burst: 40 alerts in %d messages\n", n);
	CHECK(count_alerts(r) == 40, "alerts delivered %d of 40", count_alerts(r));
	CHECK(n >= 2 && n <= 5, "%d messages", n);
	CHECK(st == 0, "exit %d", st);
	cJSON_Delete(r);
	/* Through failures, within the queue bound, nothing is lost either. */
	cfg.queue_len = 50;
	r = run_one("/flaky/burst2/3", "json", &cfg, 50, &st);
	CHECK(count_alerts(r) == 50, "alerts delivered through 500s: %d of 50", count_alerts(r));
	cJSON_Delete(r);
	/* Slack gets one chat message per batch of ten. */
	cfg.queue_len = 0;
	r = run_one("/ok/burst-slack", "slack", &cfg, 12, &st);
	CHECK(cJSON_GetArraySize(r) >= 2 && cJSON_GetArraySize(r) <= 4, "slack messages %d",
	      cJSON_GetArraySize(r));
	cJSON_Delete(r);
}

/* The alerts delivered whose path starts with `prefix`. */
static int count_alerts_of(const cJSON *arr, const char *prefix)
{
	const cJSON *r, *a;
	int n = 0;

	cJSON_ArrayForEach(r, arr)
	{
		cJSON *j = cJSON_Parse(rstr(r, "body"));

		cJSON_ArrayForEach(a, cJSON_GetObjectItem(j, "alerts"))
		{
			const cJSON *cg = cJSON_GetObjectItem(a, "cgroup");
			const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(cg, "path"));

			n += p && !strncmp(p, prefix, strlen(prefix));
		}
		cJSON_Delete(j);
	}
	return n;
}

/* A queue full of one owner's alerts (a user's cgroups, their processes OOM-killed in a loop):
 * another owner's alerts take the place of its oldest, and all of them are delivered. */
static void test_queue_fair_to_owners(void)
{
	const char *paths[] = {"/ok/fair"}, *fmts[] = {"json"};
	struct ow_alerter_cfg cfg = fast;
	struct ow_webhook_target t[1];
	struct ow_alerter *al;
	struct ow_alert a;
	int i, st, user, other;
	cJSON *r;

	cfg.interval_ms = 1000;
	cfg.queue_len = 16;
	targets(t, paths, fmts, 1);
	CHECK(ow_alerter_start(t, 1, &cfg, &al) == 0, "start");
	for (i = 0; i < 40; i++) { /* the user's: owner /sys/fs/cgroup/u, 40 cgroups below it */
		make_alert(&a, OW_ALERT_OOM_KILL, i);
		snprintf(a.path, sizeof(a.path), "/sys/fs/cgroup/u/c%d", i);
		a.owner_len = (uint16_t)strlen("/sys/fs/cgroup/u");
		ow_alerter_send(al, &a);
	}
	for (i = 0; i < 3; i++) { /* then a service's own */
		make_alert(&a, OW_ALERT_ACT, 100 + i);
		snprintf(a.path, sizeof(a.path), "/sys/fs/cgroup/system.slice/api.service");
		a.owner_len = (uint16_t)strlen(a.path);
		ow_alerter_send(al, &a);
	}
	st = ow_alerter_stop(al, 8000);
	r = requests("/ok/fair");
	user = count_alerts_of(r, "/sys/fs/cgroup/u/");
	other = count_alerts_of(r, "/sys/fs/cgroup/system.slice/");
	printf("fair: a full queue of 16, 40 alerts of one owner then 3 of another: %d and %d "
	       "delivered\n",
	       user, other);
	CHECK(other == 3, "the other owner's alerts delivered: %d of 3", other);
	CHECK(user >= 13 && user < 40, "the flooding owner's delivered: %d", user);
	CHECK(st == 1, "exit %d, not 1 (alerts were dropped)", st);
	cJSON_Delete(r);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A receiver that never answers must cost the sending side nothing. */
static void test_hang(void)
{
	const char *paths[] = {"/hang/h", "/ok/beside-hang"}, *fmts[] = {"json", "json"};
	struct ow_alerter_cfg cfg = fast;
	struct ow_webhook_target t[2];
	struct ow_alerter *al;
	struct ow_alert a;
	static double lat[300];
	double t0, stop;
	int i, ok = 0, st;
	cJSON *r;

	cfg.timeout_ms = 20000;
	targets(t, paths, fmts, 2);
	CHECK(ow_alerter_start(t, 2, &cfg, &al) == 0, "start");
	make_alert(&a, OW_ALERT_ACT, 0);
	ow_alerter_send(al, &a);
	usleep(300000); /* the first request is now hanging */
	for (i = 0; i < 300; i++) {
		make_alert(&a, OW_ALERT_ACT, i);
		t0 = now_s();
		ok += ow_alerter_send(al, &a) == 0;
		lat[i] = (now_s() - t0) * 1e6;
	}
	qsort(lat, 300, sizeof(lat[0]), cmp_double);
	printf("hang: ow_alerter_send() while the receiver hangs: median %.1f us, p99 %.1f us, "
	       "max %.1f us (%d of 300 queued)\n",
	       lat[150], lat[297], lat[299], ok);
	CHECK(lat[299] < 100000, "a send took %.0f us", lat[299]);
	t0 = now_s();
	st = ow_alerter_stop(al, 500);
	stop = now_s() - t0;
	printf("hang: ow_alerter_stop(500 ms) returned after %.0f ms, status %d\n", stop * 1000,
	       st);
	CHECK(stop < 5, "stop took %.1f s", stop);
	CHECK(st != 0, "undelivered alerts show in the exit status");
	/* The other target was not held up by the hung one. */
	r = requests("/ok/beside-hang");
	CHECK(count_alerts(r) >= 64, "beside the hung target: %d alerts delivered",
	      count_alerts(r));
	cJSON_Delete(r);
}

/* A stopped sender fills the socket: sends fail at once with -EAGAIN, counted as dropped. */
static void test_stopped_and_dead_sender(void)
{
	const char *paths[] = {"/ok/stopped"};
	struct ow_webhook_target t[1];
	struct ow_alerter *al;
	struct ow_alert a;
	double t0, worst = 0, dt;
	int i, eagain = 0, rc;
	pid_t pid = 0;

	targets(t, paths, NULL, 1);
	CHECK(ow_alerter_start(t, 1, &fast, &al) == 0, "start");
	for (i = 0; i < 100 && !pid; i++, usleep(10000))
		pid = sender_pid();
	CHECK(pid > 0, "sender pid");
	if (pid <= 0)
		return;
	kill(pid, SIGSTOP);
	make_alert(&a, OW_ALERT_WARN, 0);
	for (i = 0; i < 5000; i++) {
		t0 = now_s();
		rc = ow_alerter_send(al, &a);
		dt = now_s() - t0;
		worst = dt > worst ? dt : worst;
		eagain += rc == -EAGAIN;
	}
	printf("stopped sender: %llu queued, %llu dropped, slowest send %.1f us\n",
	       (unsigned long long)ow_alerter_stats(al).queued,
	       (unsigned long long)ow_alerter_stats(al).dropped, worst * 1e6);
	CHECK(eagain > 0 && ow_alerter_stats(al).dropped == (uint64_t)eagain, "EAGAIN %d", eagain);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0); /* stop would reap it too; reap now so the socket is closed */
	rc = ow_alerter_send(al, &a);
	CHECK(rc == -EPIPE, "send to a dead sender: %d (and no SIGPIPE)", rc);
	ow_alerter_stop(al, 100);
}

static void test_alert_test(void)
{
	const char *paths[] = {"/ok/at1", "/fail/at2", "/ok/at3"},
		   *fmts[] = {"json", "json", "ntfy"};
	struct ow_webhook_target t[3];
	struct ow_alert_test_result res[3];
	cJSON *r;
	int rc, i;

	targets(t, paths, fmts, 3);
	rc = ow_alert_test(t, 3, NULL, res);
	for (i = 0; i < 3; i++)
		printf("alert-test: %s -> %ld %s\n", t[i].redacted, res[i].http_status,
		       res[i].error);
	CHECK(rc == -EIO, "rc %d", rc);
	CHECK(res[0].http_status == 200 && res[1].http_status == 500 && res[2].http_status == 200,
	      "statuses");
	r = requests("/ok/at1");
	CHECK(cJSON_GetArraySize(r) == 1 &&
		      strstr(rstr(cJSON_GetArrayItem(r, 0), "body"), "\"kind\":\"test\""),
	      "the test alert arrived");
	cJSON_Delete(r);
	/* Nothing listens on port 1. */
	{
		const char *u[] = {"http://127.0.0.1:1/x"};
		char err[128];

		ow_webhook_targets_parse(u, 1, NULL, 0, t, 1, err, sizeof(err));
		rc = ow_alert_test(t, 1, NULL, res);
		printf("alert-test: %s -> %ld %s\n", t[0].redacted, res[0].http_status,
		       res[0].error);
		CHECK(rc == -EIO && res[0].http_status == 0 && res[0].error[0], "refused");
	}
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/ow-alert-XXXXXX";
	pid_t rx;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s tests/alert/receiver.py [TLSDIR [OOMWARDEN]]\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(dir))
		return 2;
	snprintf(records, sizeof(records), "%s/requests.jsonl", dir);
	/* The sender's log lines (retries, failures, counters) show in the output. */
	ow_log_setup(OW_LOG_TEXT, OW_LOG_INFO, 1);
	rx = start_receiver(argv[1], records, NULL, NULL, base, sizeof(base));
	if (rx < 0) {
		printf("alert: cannot start the receiver\nalert: 0 passed, 1 failed\n");
		return 1;
	}
	test_formats();
	test_brake_and_grace_delivered();
	test_privileges();
	test_retry_backoff();
	test_retry_after();
	test_give_up();
	test_burst_coalesced();
	test_queue_fair_to_owners();
	test_hang();
	test_stopped_and_dead_sender();
	test_alert_test();
	if (argc >= 3)
		tls_tests(argv[1], argv[2], argc == 4 ? argv[3] : NULL);
	kill(rx, SIGTERM);
	waitpid(rx, NULL, 0);
	unlink(records);
	rmdir(dir);
	printf("alert: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
