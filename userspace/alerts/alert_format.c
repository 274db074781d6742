// SPDX-License-Identifier: GPL-2.0
/*
 * Alert payloads: pure functions from alerts to an HTTP body (JSON built with cJSON), its
 * content type and extra headers. See alert.h and docs/ALERTS.md. This file holds what
 * every format shares (the kinds, titles, the human-readable details, sanitizing, cutting)
 * and the dispatch; our own json schema (PagerDuty carries it too) is in alert_json.c; the
 * services' payloads are in alert_chat.c (Slack, Discord, Teams) and alert_push.c (ntfy,
 * Gotify, PagerDuty, Alertmanager); webhook URLs and format names in config/webhook.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "alert_format_int.h"
#include "strbuf.h"
#include "units.h"
#include "utf8.h"

/* Discord takes ten embeds: ten alerts read well in any chat and fit every chat's limits. */
#define CHAT_MAX_BATCH 10

static const struct ow_alert_kind_info kinds[OW_ALERT_KIND_COUNT] = {
	[OW_ALERT_WARN] = {"warn", 2, "warning", 4, "warning", 6, 0xf0a30a, "Warning"},
	[OW_ALERT_ACT] = {"act", 3, "error", 5, "rotating_light", 8, 0xe8590c, "Attention"},
	[OW_ALERT_ESCALATE] = {"escalate", 4, "critical", 5, "skull", 9, 0xc92a2a, "Attention"},
	[OW_ALERT_RESOLVED] = {"resolved", 1, "info", 3, "white_check_mark", 4, 0x2f9e44, "Good"},
	[OW_ALERT_OOM_KILL] = {"oom_kill", 4, "critical", 5, "boom", 10, 0x862e9c, "Attention"},
	[OW_ALERT_TEST] = {"test", 0, "info", 3, "test_tube", 4, 0x1971c2, "Accent"},
	[OW_ALERT_UNWATCHED] = {"unwatched", 3, "error", 4, "see_no_evil", 7, 0x5f3dc4, "Warning"},
	[OW_ALERT_BRAKE] = {"brake", 2, "warning", 4, "octagonal_sign", 6, 0xf59f00, "Warning"},
};

const struct ow_alert_kind_info *ow_alert_info(const struct ow_alert *a)
{
	return &kinds[(unsigned int)a->kind < OW_ALERT_KIND_COUNT ? a->kind : OW_ALERT_TEST];
}

const char *ow_alert_kind_name(enum ow_alert_kind kind)
{
	return (unsigned int)kind < OW_ALERT_KIND_COUNT ? kinds[kind].name : "?";
}

unsigned int ow_alert_fmt_max_batch(enum ow_alert_fmt fmt)
{
	switch (fmt) {
	case OW_FMT_PAGERDUTY:
	case OW_FMT_KUBE_EVENTS:
		return 1; /* one event per request, each with its own dedup_key / pod */
	case OW_FMT_JSON:
	case OW_FMT_ALERTMANAGER:
		return 32;
	default:
		return CHAT_MAX_BATCH;
	}
}

void ow_alert_incident_id(char *buf, size_t len, const char *host, uint64_t memcg_id,
			  int64_t started_ns)
{
	uint32_t h = 2166136261u; /* FNV-1a: the same host gives the same prefix */

	for (; host && *host; host++)
		h = (h ^ (unsigned char)*host) * 16777619u;
	snprintf(buf, len, "ow-%08x-%llx-%lld", h, (unsigned long long)memcg_id,
		 (long long)(started_ns / 1000000000LL));
}

/* ---- text helpers ---- */

/*
 * Process names, command lines and cgroup names are set by users: keep receivers' strict JSON
 * parsers and chat clients safe with valid UTF-8 and no control characters (C0, DEL, C1: a
 * CSI or a CR in a Slack or Discord message, or in an ntfy body a phone shows).
 */
static void sanitize(char *s, size_t size)
{
	size_t r = 0, w = 0, n;
	enum ow_utf8_kind k;

	s[size - 1] = '\0';
	while (s[r]) {
		k = ow_utf8_kind((unsigned char *)s + r, &n);
		if (k == OW_UTF8_TEXT)
			memmove(s + w, s + r, n);
		else
			s[w] = k == OW_UTF8_INVALID ? '?' : ' ';
		w += k == OW_UTF8_TEXT ? n : 1;
		r += n;
	}
	s[w] = '\0';
}

#define SANITIZE(field) sanitize((field), sizeof(field))

static void sanitize_alert(struct ow_alert *a)
{
	unsigned int i;

	SANITIZE(a->host);
	SANITIZE(a->cgroup);
	SANITIZE(a->path);
	SANITIZE(a->ns);
	SANITIZE(a->pod);
	SANITIZE(a->container);
	SANITIZE(a->pod_uid);
	SANITIZE(a->comm);
	SANITIZE(a->cmdline);
	SANITIZE(a->action);
	SANITIZE(a->command);
	SANITIZE(a->manager);
	SANITIZE(a->note);
	SANITIZE(a->crash_loop);
	SANITIZE(a->pre_stop.signal);
	SANITIZE(a->pre_stop.ended);
	SANITIZE(a->pre_stop.dump);
	SANITIZE(a->pre_stop.cwd);
	SANITIZE(a->maps);
	SANITIZE(a->reason);
	SANITIZE(a->grows);
	SANITIZE(a->tmpfs);
	SANITIZE(a->tmpfs_files);
	SANITIZE(a->grace_from);
	SANITIZE(a->rule);
	SANITIZE(a->brake);
	SANITIZE(a->braked);
	SANITIZE(a->incident);
	if (a->ntop > OW_ALERT_TOP)
		a->ntop = OW_ALERT_TOP;
	for (i = 0; i < a->ntop; i++)
		SANITIZE(a->top[i].comm);
}

/* Cut s to at most max bytes on a character boundary, ending in "..." when cut. */
void ow_alert_truncate(char *s, size_t max)
{
	size_t i = 0, n, keep;

	if (strlen(s) <= max)
		return;
	keep = max > 3 ? max - 3 : 0;
	while (s[i]) {
		n = ow_utf8_seq_len((unsigned char *)s + i);
		if (!n)
			n = 1;
		if (i + n > keep)
			break;
		i += n;
	}
	if (max >= 3)
		memcpy(s + i, "...", 4);
	else
		s[i] = '\0';
}

/* RFC 3339 UTC with milliseconds. */
void ow_alert_time(char *buf, size_t len, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000LL);
	struct tm tm;
	size_t n;

	if (ns < 0 || !gmtime_r(&t, &tm)) {
		snprintf(buf, len, "1970-01-01T00:00:00.000Z");
		return;
	}
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", (int)(ns / 1000000 % 1000));
}

const char *ow_or_unknown(const char *s)
{
	return s[0] ? s : "?";
}

static void brake_title(const struct ow_alert *a, char *buf, size_t len)
{
	const char *cg = ow_or_unknown(a->cgroup), *host = ow_or_unknown(a->host);
	char high[OW_FMT_LEN];

	if (!strcmp(a->brake, "lifted"))
		snprintf(buf, len, "Brake lifted from %s on %s: it stopped growing, a burst", cg,
			 host);
	else
		snprintf(buf, len, "Braked %s on %s at %s (memory.high): the kernel throttles it",
			 cg, host, ow_fmt_bytes(a->brake_high, high, sizeof(high)));
}

void ow_alert_title(const struct ow_alert *a, char *buf, size_t len)
{
	const char *cg = ow_or_unknown(a->cgroup), *host = ow_or_unknown(a->host);
	const char *sig = a->action[0] ? a->action : "SIGTERM";
	char eta[OW_FMT_LEN];

	ow_fmt_eta(a->eta_s, eta, sizeof(eta));
	switch (a->kind) {
	case OW_ALERT_WARN:
		snprintf(buf, len, "OOM predicted in %s for %s on %s", eta, cg, host);
		break;
	case OW_ALERT_ACT:
		if (!strcmp(sig, "delete_pod")) {
			snprintf(buf, len,
				 "%s the Kubernetes API to delete pod %s/%s of %s (%d) on %s%s",
				 a->dry_run ? "Would ask" : "Asked", ow_or_unknown(a->ns),
				 ow_or_unknown(a->pod), ow_or_unknown(a->comm), a->pid, host,
				 a->dry_run ? " (dry run)" : "");
			break;
		}
		if (!strcmp(sig, "restart")) {
			snprintf(buf, len, "%s %s to restart %s (%d) in %s on %s%s",
				 a->dry_run ? "Would ask" : "Asked", ow_or_unknown(a->manager),
				 ow_or_unknown(a->comm), a->pid, cg, host,
				 a->dry_run ? " (dry run)" : "");
			break;
		}
		snprintf(buf, len, "%s %s to %s (%d) in %s on %s%s",
			 a->dry_run ? "Would send" : "Sent", sig, ow_or_unknown(a->comm), a->pid,
			 cg, host, a->dry_run ? " (dry run)" : "");
		break;
	case OW_ALERT_ESCALATE:
		snprintf(buf, len, "Sent SIGKILL to %s (%d) in %s on %s", ow_or_unknown(a->comm),
			 a->pid, cg, host);
		break;
	case OW_ALERT_RESOLVED:
		snprintf(buf, len, "%s on %s is back to normal", cg, host);
		break;
	case OW_ALERT_OOM_KILL:
		snprintf(buf, len, "Kernel OOM killer killed %s (%d) in %s on %s",
			 ow_or_unknown(a->comm), a->pid, cg, host);
		break;
	case OW_ALERT_UNWATCHED:
		snprintf(buf, len, "oomwarden on %s cannot watch everything: a BPF map is full",
			 host);
		break;
	case OW_ALERT_BRAKE:
		brake_title(a, buf, len);
		break;
	default:
		snprintf(buf, len, "oomwarden test alert from %s", host);
	}
}

/* "230.0 MiB of 256.0 MiB (89.8 %), growing 12.5 MiB/s": the details' and Teams' line. */
void ow_alert_memory_text(char *buf, size_t len, const struct ow_alert *a)
{
	char use[OW_FMT_LEN], lim[OW_FMT_LEN], rate[OW_FMT_LEN];
	/* A shrinking or unknown rate reads as no growth; the cap keeps the cast defined. */
	uint64_t r = a->rate > 0 && a->rate < 1e19 ? (uint64_t)a->rate : 0;

	ow_fmt_bytes(a->usage, use, sizeof(use));
	ow_fmt_bytes(a->limit, lim, sizeof(lim));
	ow_fmt_bytes(r, rate, sizeof(rate));
	if (a->limit)
		snprintf(buf, len, "%s of %s (%.1f %%), growing %s/s", use, lim,
			 100.0 * (double)a->usage / (double)a->limit, rate);
	else
		snprintf(buf, len, "%s (no limit), growing %s/s", use, rate);
}

static void details_memory(struct ow_strbuf *b, const struct ow_alert *a)
{
	char mem[128], eta[OW_FMT_LEN];

	ow_alert_memory_text(mem, sizeof(mem), a);
	ow_strbuf_printf(b, "Memory: %s\n", mem);
	ow_strbuf_printf(b, "%s: %s\n",
			 a->kind == OW_ALERT_OOM_KILL ? "Predicted time to OOM" : "Time to OOM",
			 ow_fmt_eta(a->eta_s, eta, sizeof(eta)));
}

static void details_process(struct ow_strbuf *b, const struct ow_alert *a)
{
	char anon[OW_FMT_LEN], file[OW_FMT_LEN], shmem[OW_FMT_LEN];

	if (a->pid)
		ow_strbuf_printf(b, "Process: %d %s%s%s\n", a->pid, a->comm,
				 a->cmdline[0] ? ": " : "", a->cmdline);
	if (a->kind == OW_ALERT_OOM_KILL) {
		ow_strbuf_printf(b, "RSS: anon %s, file %s, shmem %s\n",
				 ow_fmt_bytes(a->rss_anon, anon, sizeof(anon)),
				 ow_fmt_bytes(a->rss_file, file, sizeof(file)),
				 ow_fmt_bytes(a->rss_shmem, shmem, sizeof(shmem)));
	}
	if (a->manager[0])
		ow_strbuf_printf(b, "Managed by: %s\n", a->manager);
	if (a->action[0])
		ow_strbuf_printf(b, "Action: %s%s%s%s%s\n", a->action, a->command[0] ? " (" : "",
				 a->command, a->command[0] ? ")" : "",
				 a->dry_run ? " (dry run: not sent)" : "");
	if (a->note[0])
		ow_strbuf_printf(b, "Note: %s\n", a->note);
	if (a->crash_loop[0])
		ow_strbuf_printf(b, "Crash loop: %s\n", a->crash_loop);
	if (a->maps[0] && a->maps_since_s >= 0)
		ow_strbuf_printf(b, "Mappings grown since the warning %.0f s before: %s\n",
				 a->maps_since_s, a->maps);
	else if (a->maps[0])
		ow_strbuf_printf(b, "Largest mappings: %s\n", a->maps);
	if (a->pre_stop.signal[0])
		ow_strbuf_printf(b, "Before the stop: %s, %.1f s (%s): %s%s\n", a->pre_stop.signal,
				 a->pre_stop.waited_s, a->pre_stop.ended,
				 a->pre_stop.dump[0] ? "" : "no dump seen; working directory ",
				 a->pre_stop.dump[0] ? a->pre_stop.dump : a->pre_stop.cwd);
}

/* The grace and what ended it; the brake's memory.high. */
void ow_alert_action_facts(const struct ow_alert *a, ow_fact_fn fact, void *arg)
{
	char t[OW_FMT_LEN], high[OW_FMT_LEN], orig[OW_FMT_LEN], v[640];
	int n;

	if (a->grace_s > 0) {
		n = snprintf(v, sizeof(v), "%s (set by %s)", ow_fmt_eta(a->grace_s, t, sizeof(t)),
			     ow_or_unknown(a->grace_from));
		if (a->grace_used_s > 0)
			snprintf(v + n, sizeof(v) - (size_t)n, ", SIGKILL after %s",
				 ow_fmt_eta(a->grace_used_s, t, sizeof(t)));
		fact(arg, "Grace", v);
	}
	if (a->rule[0])
		fact(arg, "Rule", a->rule);
	if (a->kind == OW_ALERT_ESCALATE) {
		snprintf(v, sizeof(v), "%s (the predicted time to OOM at the SIGTERM)",
			 ow_fmt_eta(a->lead_s, t, sizeof(t)));
		fact(arg, "Lead", v);
	}
	if (a->kind != OW_ALERT_BRAKE)
		return;
	ow_fmt_bytes(a->brake_high, high, sizeof(high));
	if (a->brake_original == UINT64_MAX)
		snprintf(orig, sizeof(orig), "max");
	else
		ow_fmt_bytes(a->brake_original, orig, sizeof(orig));
	snprintf(v, sizeof(v), "%s, memory.high %s (%s %s) on %s", a->brake, high,
		 strcmp(a->brake, "lifted") ? "was" : "back to", orig, a->braked);
	fact(arg, "Brake", v);
}

static void details_fact(void *arg, const char *title, const char *value)
{
	ow_strbuf_printf(arg, "%s: %s\n", title, value);
}

static void details_top(struct ow_strbuf *b, const struct ow_alert *a)
{
	char rss[OW_FMT_LEN], rate[OW_FMT_LEN];
	unsigned int i;

	if (a->ntop)
		ow_strbuf_printf(b, "Top processes:\n");
	for (i = 0; i < a->ntop && i < OW_ALERT_TOP; i++) {
		bool grows = isfinite(a->top[i].rate) && a->top[i].rate > 0;

		ow_strbuf_printf(b, "  %d %s %s%s%s\n", a->top[i].pid, a->top[i].comm,
				 ow_fmt_bytes(a->top[i].rss, rss, sizeof(rss)), grows ? ", " : "",
				 grows ? ow_fmt_rate(a->top[i].rate, rate, sizeof(rate)) : "");
	}
}

const char *ow_alert_grows_note(const char *kind)
{
	if (!strcmp(kind, "shmem"))
		return ": tmpfs or /dev/shm files; stopping the writer stops the growth, but frees "
		       "nothing until the files are removed";
	if (!strcmp(kind, "kernel"))
		return ": kernel memory (sockets, pipes, slab, page tables), freed with what holds "
		       "it";
	return "";
}

/* What grew, and what stopping a process does about it. */
static void details_grows(struct ow_strbuf *b, const struct ow_alert *a)
{
	const char *note = ow_alert_grows_note(a->grows);

	if (!a->grows[0])
		return;
	ow_strbuf_printf(b, "Grows: %s (+%.1f MiB in the last 10-20 s)%s%s\n", a->grows,
			 (double)a->grew / (1024.0 * 1024.0), note[0] ? ": " : "", note);
	if (a->tmpfs[0])
		ow_strbuf_printf(b, "tmpfs grown: %s\n", a->tmpfs);
	if (a->tmpfs_files[0])
		ow_strbuf_printf(b, "Largest files there: %s\n", a->tmpfs_files);
}

/* The human-readable body of one alert, without the title. */
void ow_alert_details(struct ow_strbuf *b, const struct ow_alert *a)
{
	if (a->kind == OW_ALERT_TEST) {
		ow_strbuf_printf(b, "This is a test alert: the webhook works.\nHost: %s\n",
				 a->host);
		return;
	}
	if (a->kind == OW_ALERT_UNWATCHED) { /* the daemon's own state: no cgroup, no memory */
		ow_strbuf_printf(b, "Host: %s\nReason: %s\n", a->host, a->reason);
		return;
	}
	if (a->path[0] && strcmp(a->path, a->cgroup))
		ow_strbuf_printf(b, "Cgroup: %s (%s)\n", ow_or_unknown(a->cgroup), a->path);
	else
		ow_strbuf_printf(b, "Cgroup: %s\n", ow_or_unknown(a->cgroup));
	if (a->pod[0])
		ow_strbuf_printf(b, "Pod: %s/%s%s%s\n", a->ns, a->pod,
				 a->container[0] ? ", container " : "", a->container);
	details_memory(b, a);
	details_process(b, a);
	ow_alert_action_facts(a, details_fact, b);
	if (a->reason[0])
		ow_strbuf_printf(b, "Reason: %s\n", a->reason);
	details_grows(b, a);
	details_top(b, a);
	if (a->incident[0])
		ow_strbuf_printf(b, "Incident: %s\n", a->incident);
}

/* The worst alert of a batch sets the priority and the headline. */
const struct ow_alert *ow_alert_worst(const struct ow_alert *a, unsigned int n)
{
	const struct ow_alert *w = &a[0];
	unsigned int i;

	for (i = 1; i < n; i++)
		if (ow_alert_info(&a[i])->rank > ow_alert_info(w)->rank)
			w = &a[i];
	return w;
}

void ow_alert_batch_title(const struct ow_alert *a, unsigned int n, char *buf, size_t len)
{
	char first[512];

	if (n == 1) {
		ow_alert_title(a, buf, len);
		return;
	}
	ow_alert_title(ow_alert_worst(a, n), first, sizeof(first));
	snprintf(buf, len, "%u oomwarden alerts from %s; worst: %s", n, ow_or_unknown(a->host),
		 first);
}

/* Several alerts as one text: each one's title (when there are more than one), then its details. */
void ow_alert_batch_text(struct ow_strbuf *b, const struct ow_alert *a, unsigned int n)
{
	char title[768];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (n > 1) {
			ow_alert_title(&a[i], title, sizeof(title));
			ow_strbuf_printf(b, "%s%s\n", i ? "\n" : "", title);
		}
		ow_alert_details(b, &a[i]);
	}
}

static int format_json(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	unsigned int i;

	ow_json_str(root, "schema", "oomwarden.alert.v1");
	ow_json_str(root, "host", a[0].host);
	cJSON_AddNumberToObject(root, "count", n);
	arr = cJSON_AddArrayToObject(root, "alerts");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, ow_alert_json(&a[i]));
	return ow_payload_json(root, out, "application/json");
}

/* ---- entry points ---- */

int ow_alert_coalesce(const struct ow_webhook_target *t, const struct ow_alert *a, unsigned int n,
		      struct ow_payload *out)
{
	struct ow_alert *c;
	unsigned int i;
	int err;

	memset(out, 0, sizeof(*out));
	if (!n || (unsigned int)t->fmt >= OW_FMT_COUNT || n > ow_alert_fmt_max_batch(t->fmt))
		return -EINVAL;
	c = malloc(n * sizeof(*c));
	if (!c)
		return -ENOMEM;
	memcpy(c, a, n * sizeof(*c));
	for (i = 0; i < n; i++)
		sanitize_alert(&c[i]);
	switch (t->fmt) {
	case OW_FMT_SLACK:
		err = ow_format_slack(c, n, out);
		break;
	case OW_FMT_DISCORD:
		err = ow_format_discord(c, n, out);
		break;
	case OW_FMT_NTFY:
		err = ow_format_ntfy(c, n, out);
		break;
	case OW_FMT_TEAMS:
		err = ow_format_teams(c, n, out);
		break;
	case OW_FMT_GOTIFY:
		err = ow_format_gotify(c, n, out);
		break;
	case OW_FMT_PAGERDUTY:
		err = ow_format_pagerduty(t, c, out);
		break;
	case OW_FMT_ALERTMANAGER:
		err = ow_format_alertmanager(c, n, out);
		break;
	case OW_FMT_KUBE_EVENTS:
		err = ow_format_kube_event(t, c, out);
		break;
	default:
		err = format_json(c, n, out);
	}
	free(c);
	return err;
}

int ow_alert_format(const struct ow_webhook_target *t, const struct ow_alert *a,
		    struct ow_payload *out)
{
	return ow_alert_coalesce(t, a, 1, out);
}

void ow_payload_free(struct ow_payload *p)
{
	if (!p)
		return;
	/* cJSON_malloc is malloc unless cJSON_InitHooks says otherwise, which we never call. */
	free(p->body);
	p->body = NULL;
	p->len = 0;
}
