// SPDX-License-Identifier: GPL-2.0
/*
 * Alert payloads, one builder per target format: pure functions from alerts to an HTTP body
 * (JSON built with cJSON), its content type and extra headers. See include/alert.h and
 * docs/ALERTS.md. Also URL redaction and the parsing of --webhook / --webhook-format pairs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "strbuf.h"
#include "units.h"
#include "utf8.h"

/* Discord's documented limits (characters; we count bytes, which is never less). */
#define DISCORD_CONTENT	    2000
#define DISCORD_TITLE	    256
#define DISCORD_DESCRIPTION 4096
#define DISCORD_TOTAL	    6000
#define DISCORD_EMBEDS	    10
/* Slack: header block text, section text. */
#define SLACK_HEADER  150
#define SLACK_SECTION 3000
/* ntfy turns a body over 4096 bytes into an attachment. */
#define NTFY_BODY 4000
/* PagerDuty truncates payload.summary at 1024 characters. */
#define PD_SUMMARY 1024

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct kind_info {
	const char *name;
	int rank;		 /* how bad, to pick the worst of a coalesced batch */
	const char *pd_severity; /* PagerDuty: critical, error, warning, info */
	int ntfy_priority;	 /* 1..5 */
	const char *ntfy_tag;	 /* emoji short code */
	int gotify_priority;	 /* 0..10 */
	int color;		 /* Discord embed colour */
	const char *teams_color;
};

static const struct kind_info kinds[OW_ALERT_KIND_COUNT] = {
	[OW_ALERT_WARN] = {"warn", 2, "warning", 4, "warning", 6, 0xf0a30a, "Warning"},
	[OW_ALERT_ACT] = {"act", 3, "error", 5, "rotating_light", 8, 0xe8590c, "Attention"},
	[OW_ALERT_ESCALATE] = {"escalate", 4, "critical", 5, "skull", 9, 0xc92a2a, "Attention"},
	[OW_ALERT_RESOLVED] = {"resolved", 1, "info", 3, "white_check_mark", 4, 0x2f9e44, "Good"},
	[OW_ALERT_OOM_KILL] = {"oom_kill", 4, "critical", 5, "boom", 10, 0x862e9c, "Attention"},
	[OW_ALERT_TEST] = {"test", 0, "info", 3, "test_tube", 4, 0x1971c2, "Accent"},
	[OW_ALERT_UNWATCHED] = {"unwatched", 3, "error", 4, "see_no_evil", 7, 0x5f3dc4, "Warning"},
};

static const char *const fmt_names[OW_FMT_COUNT] = {
	[OW_FMT_JSON] = "json",		  [OW_FMT_SLACK] = "slack",
	[OW_FMT_DISCORD] = "discord",	  [OW_FMT_NTFY] = "ntfy",
	[OW_FMT_TEAMS] = "teams",	  [OW_FMT_GOTIFY] = "gotify",
	[OW_FMT_PAGERDUTY] = "pagerduty", [OW_FMT_ALERTMANAGER] = "alertmanager",
};

static const struct kind_info *kind_of(const struct ow_alert *a)
{
	return &kinds[(unsigned int)a->kind < OW_ALERT_KIND_COUNT ? a->kind : OW_ALERT_TEST];
}

const char *ow_alert_kind_name(enum ow_alert_kind kind)
{
	return (unsigned int)kind < OW_ALERT_KIND_COUNT ? kinds[kind].name : "?";
}

const char *ow_alert_fmt_name(enum ow_alert_fmt fmt)
{
	return (unsigned int)fmt < OW_FMT_COUNT ? fmt_names[fmt] : "?";
}

int ow_alert_fmt_parse(const char *name)
{
	int i;

	for (i = 0; name && i < OW_FMT_COUNT; i++)
		if (!strcmp(name, fmt_names[i]))
			return i;
	return -EINVAL;
}

unsigned int ow_alert_fmt_max_batch(enum ow_alert_fmt fmt)
{
	switch (fmt) {
	case OW_FMT_PAGERDUTY:
		return 1; /* one event per request, each with its own dedup_key */
	case OW_FMT_JSON:
	case OW_FMT_ALERTMANAGER:
		return 32;
	default:
		return DISCORD_EMBEDS; /* chat messages: ten alerts read well, fit every limit */
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
	SANITIZE(a->comm);
	SANITIZE(a->cmdline);
	SANITIZE(a->action);
	SANITIZE(a->command);
	SANITIZE(a->manager);
	SANITIZE(a->note);
	SANITIZE(a->reason);
	SANITIZE(a->incident);
	if (a->ntop > OW_ALERT_TOP)
		a->ntop = OW_ALERT_TOP;
	for (i = 0; i < a->ntop; i++)
		SANITIZE(a->top[i].comm);
}

/* Cut s to at most max bytes on a character boundary, ending in "..." when cut. */
static void truncate_utf8(char *s, size_t max)
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
static void fmt_time(char *buf, size_t len, int64_t ns)
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

static const char *or_unknown(const char *s)
{
	return s[0] ? s : "?";
}

void ow_alert_title(const struct ow_alert *a, char *buf, size_t len)
{
	const char *cg = or_unknown(a->cgroup), *host = or_unknown(a->host);
	const char *sig = a->action[0] ? a->action : "SIGTERM";
	char eta[OW_FMT_LEN];

	ow_fmt_eta(a->eta_s, eta, sizeof(eta));
	switch (a->kind) {
	case OW_ALERT_WARN:
		snprintf(buf, len, "OOM predicted in %s for %s on %s", eta, cg, host);
		break;
	case OW_ALERT_ACT:
		if (!strcmp(sig, "restart")) {
			snprintf(buf, len, "%s %s to restart %s (%d) in %s on %s%s",
				 a->dry_run ? "Would ask" : "Asked", or_unknown(a->manager),
				 or_unknown(a->comm), a->pid, cg, host,
				 a->dry_run ? " (dry run)" : "");
			break;
		}
		snprintf(buf, len, "%s %s to %s (%d) in %s on %s%s",
			 a->dry_run ? "Would send" : "Sent", sig, or_unknown(a->comm), a->pid, cg,
			 host, a->dry_run ? " (dry run)" : "");
		break;
	case OW_ALERT_ESCALATE:
		snprintf(buf, len, "Sent SIGKILL to %s (%d) in %s on %s", or_unknown(a->comm),
			 a->pid, cg, host);
		break;
	case OW_ALERT_RESOLVED:
		snprintf(buf, len, "%s on %s is back to normal", cg, host);
		break;
	case OW_ALERT_OOM_KILL:
		snprintf(buf, len, "Kernel OOM killer killed %s (%d) in %s on %s",
			 or_unknown(a->comm), a->pid, cg, host);
		break;
	case OW_ALERT_UNWATCHED:
		snprintf(buf, len, "oomwarden on %s cannot watch everything: a BPF map is full",
			 host);
		break;
	default:
		snprintf(buf, len, "oomwarden test alert from %s", host);
	}
}

/* "230.0 MiB of 256.0 MiB (89.8 %), growing 12.5 MiB/s": the details' and Teams' line. */
static void memory_text(char *buf, size_t len, const struct ow_alert *a)
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

	memory_text(mem, sizeof(mem), a);
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
}

static void details_top(struct ow_strbuf *b, const struct ow_alert *a)
{
	char rss[OW_FMT_LEN];
	unsigned int i;

	if (a->ntop)
		ow_strbuf_printf(b, "Top processes:\n");
	for (i = 0; i < a->ntop && i < OW_ALERT_TOP; i++)
		ow_strbuf_printf(b, "  %d %s %s\n", a->top[i].pid, a->top[i].comm,
				 ow_fmt_bytes(a->top[i].rss, rss, sizeof(rss)));
}

/* The human-readable body of one alert, without the title. */
static void alert_details(struct ow_strbuf *b, const struct ow_alert *a)
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
		ow_strbuf_printf(b, "Cgroup: %s (%s)\n", or_unknown(a->cgroup), a->path);
	else
		ow_strbuf_printf(b, "Cgroup: %s\n", or_unknown(a->cgroup));
	details_memory(b, a);
	details_process(b, a);
	if (a->reason[0])
		ow_strbuf_printf(b, "Reason: %s\n", a->reason);
	details_top(b, a);
	if (a->incident[0])
		ow_strbuf_printf(b, "Incident: %s\n", a->incident);
}

/* The worst alert of a batch sets the priority and the headline. */
static const struct ow_alert *worst(const struct ow_alert *a, unsigned int n)
{
	const struct ow_alert *w = &a[0];
	unsigned int i;

	for (i = 1; i < n; i++)
		if (kind_of(&a[i])->rank > kind_of(w)->rank)
			w = &a[i];
	return w;
}

static void batch_title(const struct ow_alert *a, unsigned int n, char *buf, size_t len)
{
	char first[512];

	if (n == 1) {
		ow_alert_title(a, buf, len);
		return;
	}
	ow_alert_title(worst(a, n), first, sizeof(first));
	snprintf(buf, len, "%u oomwarden alerts from %s; worst: %s", n, or_unknown(a->host), first);
}

/* ---- JSON helpers ---- */

static cJSON *add_str(cJSON *o, const char *key, const char *v)
{
	return cJSON_AddStringToObject(o, key, v);
}

static void add_time(cJSON *o, const char *key, int64_t ns)
{
	char t[40];

	fmt_time(t, sizeof(t), ns);
	add_str(o, key, t);
}

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (*v)
		add_str(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static void add_num_or_null(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static int finish_json(cJSON *root, struct ow_payload *out, const char *ctype)
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

static int finish_text(struct ow_strbuf *b, struct ow_payload *out)
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

static void add_header(struct ow_payload *p, const char *name, const char *value)
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

static cJSON *alert_object(const struct ow_alert *a)
{
	cJSON *o = cJSON_CreateObject(), *x, *top;
	char title[768];
	unsigned int i;

	ow_alert_title(a, title, sizeof(title));
	add_str(o, "kind", kind_of(a)->name);
	add_str(o, "severity", kind_of(a)->pd_severity);
	add_str(o, "summary", title);
	add_str(o, "incident", a->incident);
	add_str(o, "host", a->host);
	add_time(o, "time", a->time_ns);
	add_time(o, "started", a->started_ns ? a->started_ns : a->time_ns);
	x = cJSON_AddObjectToObject(o, "cgroup");
	add_str(x, "name", a->cgroup);
	add_str(x, "path", a->path);
	cJSON_AddNumberToObject(o, "usage_bytes", (double)a->usage);
	cJSON_AddNumberToObject(o, "limit_bytes", (double)a->limit);
	cJSON_AddNumberToObject(o, "rate_bytes_per_s", isfinite(a->rate) ? a->rate : 0);
	add_num_or_null(o, "eta_s", a->eta_s);
	if (a->pid) {
		x = cJSON_AddObjectToObject(o, "process");
		cJSON_AddNumberToObject(x, "pid", a->pid);
		add_str(x, "comm", a->comm);
		add_str(x, "cmdline", a->cmdline);
	} else {
		cJSON_AddNullToObject(o, "process");
	}
	add_str_or_null(o, "manager", a->manager);
	if (a->action[0]) {
		bool restart = !strcmp(a->action, "restart");

		x = cJSON_AddObjectToObject(o, "action");
		add_str(x, "kind", restart ? "restart" : "signal");
		add_str_or_null(x, "signal", restart ? "" : a->action);
		add_str_or_null(x, "command", a->command);
		cJSON_AddBoolToObject(x, "dry_run", a->dry_run);
	} else {
		cJSON_AddNullToObject(o, "action");
	}
	add_str(o, "reason", a->reason);
	add_str_or_null(o, "note", a->note);
	if (a->kind == OW_ALERT_OOM_KILL) {
		x = cJSON_AddObjectToObject(o, "rss");
		cJSON_AddNumberToObject(x, "anon_bytes", (double)a->rss_anon);
		cJSON_AddNumberToObject(x, "file_bytes", (double)a->rss_file);
		cJSON_AddNumberToObject(x, "shmem_bytes", (double)a->rss_shmem);
	}
	top = cJSON_AddArrayToObject(o, "top");
	for (i = 0; i < a->ntop; i++) {
		x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "pid", a->top[i].pid);
		add_str(x, "comm", a->top[i].comm);
		cJSON_AddNumberToObject(x, "rss_bytes", (double)a->top[i].rss);
		cJSON_AddItemToArray(top, x);
	}
	return o;
}

static int format_json(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	unsigned int i;

	add_str(root, "schema", "oomwarden.alert.v1");
	add_str(root, "host", a[0].host);
	cJSON_AddNumberToObject(root, "count", n);
	arr = cJSON_AddArrayToObject(root, "alerts");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, alert_object(&a[i]));
	return finish_json(root, out, "application/json");
}

/* ---- slack: {"text"} for notifications, blocks for the message ---- */

/* Slack mrkdwn needs only &, < and > escaped. */
static void slack_escape(struct ow_strbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			ow_strbuf_printf(b, "&amp;");
		else if (*s == '<')
			ow_strbuf_printf(b, "&lt;");
		else if (*s == '>')
			ow_strbuf_printf(b, "&gt;");
		else
			ow_strbuf_printf(b, "%c", *s);
	}
}

/* Escaped text of at most max bytes: cut the plain text until its escaped form fits. */
static cJSON *slack_text_obj(const char *type, const char *plain, size_t max)
{
	cJSON *o = cJSON_CreateObject();
	size_t keep = strlen(plain) < max ? strlen(plain) : max;
	struct ow_strbuf b = {0};
	char *cut = strdup(plain);

	while (cut) {
		truncate_utf8(cut, keep);
		if (strcmp(type, "plain_text"))
			slack_escape(&b, cut);
		else
			ow_strbuf_printf(&b, "%s", cut);
		if (b.failed || b.len <= max || keep <= 8)
			break;
		ow_strbuf_reset(&b);
		keep -= keep > 64 ? keep / 8 : 1;
	}
	add_str(o, "type", type);
	add_str(o, "text", ow_strbuf_str(&b));
	ow_strbuf_free(&b);
	free(cut);
	return o;
}

static void slack_blocks(cJSON *blocks, const struct ow_alert *a)
{
	cJSON *blk, *els;
	char title[768], t[40], ctx[256];
	struct ow_strbuf d = {0};

	ow_alert_title(a, title, sizeof(title));
	blk = cJSON_CreateObject();
	add_str(blk, "type", "header");
	cJSON_AddItemToObject(blk, "text", slack_text_obj("plain_text", title, SLACK_HEADER));
	cJSON_AddItemToArray(blocks, blk);

	alert_details(&d, a);
	blk = cJSON_CreateObject();
	add_str(blk, "type", "section");
	cJSON_AddItemToObject(blk, "text",
			      slack_text_obj("mrkdwn", ow_strbuf_str(&d), SLACK_SECTION));
	cJSON_AddItemToArray(blocks, blk);
	ow_strbuf_free(&d);

	fmt_time(t, sizeof(t), a->time_ns);
	snprintf(ctx, sizeof(ctx), "oomwarden %s | %s | %s", kind_of(a)->name, t,
		 a->incident[0] ? a->incident : "-");
	blk = cJSON_CreateObject();
	add_str(blk, "type", "context");
	els = cJSON_AddArrayToObject(blk, "elements");
	cJSON_AddItemToArray(els, slack_text_obj("mrkdwn", ctx, SLACK_SECTION));
	cJSON_AddItemToArray(blocks, blk);
}

static int format_slack(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateObject(), *blocks, *text;
	char title[1024];
	unsigned int i;

	batch_title(a, n, title, sizeof(title));
	text = slack_text_obj("mrkdwn", title, SLACK_SECTION);
	add_str(root, "text", cJSON_GetStringValue(cJSON_GetObjectItem(text, "text")));
	cJSON_Delete(text);
	blocks = cJSON_AddArrayToObject(root, "blocks");
	for (i = 0; i < n; i++)
		slack_blocks(blocks, &a[i]);
	return finish_json(root, out, "application/json");
}

/* ---- discord: content + one embed per alert, inside every limit ---- */

static cJSON *discord_embed(const struct ow_alert *a, size_t budget)
{
	cJSON *e = cJSON_CreateObject(), *f;
	char title[768], footer[128], t[40];
	struct ow_strbuf d = {0};
	size_t room;

	ow_alert_title(a, title, sizeof(title));
	truncate_utf8(title, budget / 4 < DISCORD_TITLE ? budget / 4 : DISCORD_TITLE);
	snprintf(footer, sizeof(footer), "oomwarden %s | %s", kind_of(a)->name, a->incident);
	truncate_utf8(footer, 100);
	room = budget - strlen(title) - strlen(footer);
	alert_details(&d, a);
	if (d.buf)
		truncate_utf8(d.buf, room < DISCORD_DESCRIPTION ? room : DISCORD_DESCRIPTION);
	add_str(e, "title", title);
	add_str(e, "description", ow_strbuf_str(&d));
	cJSON_AddNumberToObject(e, "color", kind_of(a)->color);
	fmt_time(t, sizeof(t), a->time_ns);
	add_str(e, "timestamp", t);
	f = cJSON_AddObjectToObject(e, "footer");
	add_str(f, "text", footer);
	ow_strbuf_free(&d);
	return e;
}

static int format_discord(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateObject(), *embeds, *am;
	size_t budget = (DISCORD_TOTAL - 100) / n;
	char content[DISCORD_CONTENT + 1];
	unsigned int i;

	batch_title(a, n, content, sizeof(content));
	truncate_utf8(content, DISCORD_CONTENT);
	add_str(root, "username", "oomwarden");
	add_str(root, "content", content);
	/* A command line may say @everyone: never let it ping anybody. */
	am = cJSON_AddObjectToObject(root, "allowed_mentions");
	cJSON_AddArrayToObject(am, "parse");
	embeds = cJSON_AddArrayToObject(root, "embeds");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(embeds, discord_embed(&a[i], budget));
	return finish_json(root, out, "application/json");
}

/* ---- ntfy: plain text; Title, Priority, Tags headers ---- */

static int format_ntfy(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	const struct ow_alert *w = worst(a, n);
	struct ow_strbuf b = {0};
	char title[512], prio[8], tags[64];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (n > 1) {
			ow_alert_title(&a[i], title, sizeof(title));
			ow_strbuf_printf(&b, "%s%s\n", i ? "\n" : "", title);
		}
		alert_details(&b, &a[i]);
	}
	if (b.buf) {
		truncate_utf8(b.buf, NTFY_BODY);
		b.len = strlen(b.buf);
	}
	batch_title(a, n, title, sizeof(title));
	snprintf(prio, sizeof(prio), "%d", kind_of(w)->ntfy_priority);
	snprintf(tags, sizeof(tags), "%s,oomwarden", kind_of(w)->ntfy_tag);
	add_header(out, "Title", title);
	add_header(out, "Priority", prio);
	add_header(out, "Tags", tags);
	return finish_text(&b, out);
}

/* ---- teams: an Adaptive Card in the Workflows envelope ---- */

static void teams_fact(cJSON *facts, const char *title, const char *value)
{
	cJSON *f;
	char v[600];

	if (!value[0])
		return;
	snprintf(v, sizeof(v), "%s", value);
	truncate_utf8(v, 512); /* Teams refuses cards over 28 KB: ten alerts must fit */
	f = cJSON_CreateObject();
	add_str(f, "title", title);
	add_str(f, "value", v);
	cJSON_AddItemToArray(facts, f);
}

static void teams_alert(cJSON *body, const struct ow_alert *a)
{
	cJSON *tb = cJSON_CreateObject(), *fs, *facts;
	char title[768], mem[128], proc[256], eta[OW_FMT_LEN], rss[OW_FMT_LEN];
	struct ow_strbuf top = {0};
	unsigned int i;

	ow_alert_title(a, title, sizeof(title));
	add_str(tb, "type", "TextBlock");
	add_str(tb, "text", title);
	add_str(tb, "weight", "Bolder");
	add_str(tb, "size", "Medium");
	add_str(tb, "color", kind_of(a)->teams_color);
	cJSON_AddBoolToObject(tb, "wrap", 1);
	cJSON_AddItemToArray(body, tb);

	fs = cJSON_CreateObject();
	add_str(fs, "type", "FactSet");
	facts = cJSON_AddArrayToObject(fs, "facts");
	memory_text(mem, sizeof(mem), a);
	ow_fmt_eta(a->eta_s, eta, sizeof(eta));
	snprintf(proc, sizeof(proc), "%d %s", a->pid, a->comm);
	for (i = 0; i < a->ntop; i++)
		ow_strbuf_printf(&top, "%s%d %s %s", i ? ", " : "", a->top[i].pid, a->top[i].comm,
				 ow_fmt_bytes(a->top[i].rss, rss, sizeof(rss)));
	teams_fact(facts, "Host", a->host);
	teams_fact(facts, "Cgroup", a->cgroup);
	teams_fact(facts, "Path", a->path);
	if (a->kind != OW_ALERT_TEST && a->kind != OW_ALERT_UNWATCHED) {
		teams_fact(facts, "Memory", mem);
		teams_fact(facts, "Time to OOM", eta);
	}
	teams_fact(facts, "Process", a->pid ? proc : "");
	teams_fact(facts, "Command", a->cmdline);
	teams_fact(facts, "Managed by", a->manager);
	teams_fact(facts, "Action", a->command[0] ? a->command : a->action);
	teams_fact(facts, "Note", a->note);
	teams_fact(facts, "Reason", a->reason);
	teams_fact(facts, "Top processes", ow_strbuf_str(&top));
	teams_fact(facts, "Incident", a->incident);
	ow_strbuf_free(&top);
	cJSON_AddItemToArray(body, fs);
}

static int format_teams(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateObject(), *atts, *att, *card, *body, *ms;
	unsigned int i;

	add_str(root, "type", "message");
	atts = cJSON_AddArrayToObject(root, "attachments");
	att = cJSON_CreateObject();
	cJSON_AddItemToArray(atts, att);
	add_str(att, "contentType", "application/vnd.microsoft.card.adaptive");
	cJSON_AddNullToObject(att, "contentUrl");
	card = cJSON_AddObjectToObject(att, "content");
	add_str(card, "$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
	add_str(card, "type", "AdaptiveCard");
	add_str(card, "version", "1.4");
	body = cJSON_AddArrayToObject(card, "body");
	for (i = 0; i < n; i++)
		teams_alert(body, &a[i]);
	ms = cJSON_AddObjectToObject(card, "msteams");
	add_str(ms, "width", "Full");
	return finish_json(root, out, "application/json");
}

/* ---- gotify: {"title", "message", "priority"} ---- */

static int format_gotify(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateObject(), *ex, *disp;
	char title[1024], t[768];
	struct ow_strbuf b = {0};
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (n > 1) {
			ow_alert_title(&a[i], t, sizeof(t));
			ow_strbuf_printf(&b, "%s%s\n", i ? "\n" : "", t);
		}
		alert_details(&b, &a[i]);
	}
	batch_title(a, n, title, sizeof(title));
	add_str(root, "title", title);
	add_str(root, "message", ow_strbuf_str(&b));
	cJSON_AddNumberToObject(root, "priority", kind_of(worst(a, n))->gotify_priority);
	ex = cJSON_AddObjectToObject(root, "extras");
	disp = cJSON_AddObjectToObject(ex, "client::display");
	add_str(disp, "contentType", "text/plain");
	ow_strbuf_free(&b);
	return finish_json(root, out, "application/json");
}

/* ---- pagerduty: Events API v2, dedup_key = incident id ---- */

static int format_pagerduty(const struct ow_webhook_target *t, const struct ow_alert *a,
			    struct ow_payload *out)
{
	cJSON *root, *p;
	char summary[PD_SUMMARY + 1];

	if (!t->secret[0])
		return -EINVAL;
	root = cJSON_CreateObject();
	add_str(root, "routing_key", t->secret);
	add_str(root, "event_action", a->kind == OW_ALERT_RESOLVED ? "resolve" : "trigger");
	add_str(root, "dedup_key", a->incident[0] ? a->incident : "oomwarden");
	add_str(root, "client", "oomwarden");
	if (a->kind == OW_ALERT_RESOLVED) /* resolve takes no payload */
		return finish_json(root, out, "application/json");
	ow_alert_title(a, summary, sizeof(summary));
	p = cJSON_AddObjectToObject(root, "payload");
	add_str(p, "summary", summary);
	add_str(p, "source", or_unknown(a->host));
	add_str(p, "severity", kind_of(a)->pd_severity);
	add_time(p, "timestamp", a->time_ns);
	add_str(p, "component", a->cgroup);
	add_str(p, "group", "oomwarden");
	add_str(p, "class", kind_of(a)->name);
	cJSON_AddItemToObject(p, "custom_details", alert_object(a));
	return finish_json(root, out, "application/json");
}

/* ---- alertmanager: POST /api/v2/alerts, an array ---- */

/* Labels identify an alert in Alertmanager: they must not change within an incident, or
 * "resolved" would not end the alert that "warn" started. */
static void am_labels(cJSON *l, const struct ow_alert *a)
{
	char pid[16];

	add_str(l, "alertname",
		a->kind == OW_ALERT_OOM_KILL	? "OomwardenOOMKill"
		: a->kind == OW_ALERT_TEST	? "OomwardenTest"
		: a->kind == OW_ALERT_UNWATCHED ? "OomwardenUnwatched"
						: "OomwardenMemoryRisk");
	add_str(l, "severity",
		a->kind == OW_ALERT_TEST	? "info"
		: a->kind == OW_ALERT_UNWATCHED ? "warning"
						: "critical");
	add_str(l, "instance", or_unknown(a->host));
	add_str(l, "job", "oomwarden");
	add_str(l, "cgroup", or_unknown(a->cgroup));
	add_str(l, "incident", a->incident[0] ? a->incident : "none");
	if (a->kind == OW_ALERT_OOM_KILL) {
		snprintf(pid, sizeof(pid), "%d", a->pid);
		add_str(l, "pid", pid);
	}
}

static cJSON *am_alert(const struct ow_alert *a)
{
	cJSON *o = cJSON_CreateObject(), *an;
	char title[768], eta[OW_FMT_LEN];
	struct ow_strbuf d = {0};
	int64_t start = a->started_ns ? a->started_ns : a->time_ns;

	am_labels(cJSON_AddObjectToObject(o, "labels"), a);
	ow_alert_title(a, title, sizeof(title));
	alert_details(&d, a);
	ow_fmt_eta(a->eta_s, eta, sizeof(eta));
	an = cJSON_AddObjectToObject(o, "annotations");
	add_str(an, "summary", title);
	add_str(an, "description", ow_strbuf_str(&d));
	add_str(an, "level", kind_of(a)->name);
	add_str(an, "path", a->path);
	add_str(an, "eta", eta);
	add_str(an, "process", a->comm);
	add_str(an, "cmdline", a->cmdline);
	if (a->manager[0])
		add_str(an, "manager", a->manager);
	if (a->note[0])
		add_str(an, "note", a->note);
	ow_strbuf_free(&d);
	add_time(o, "startsAt", start);
	/* An OOM kill is an event, not a state: let it expire on its own. */
	if (a->kind == OW_ALERT_RESOLVED)
		add_time(o, "endsAt", a->time_ns);
	else if (a->kind == OW_ALERT_OOM_KILL || a->kind == OW_ALERT_UNWATCHED)
		add_time(o, "endsAt", a->time_ns + 3600 * 1000000000LL);
	else if (a->kind == OW_ALERT_TEST)
		add_time(o, "endsAt", a->time_ns + 300 * 1000000000LL);
	return o;
}

static int format_alertmanager(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateArray();
	unsigned int i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(root, am_alert(&a[i]));
	return finish_json(root, out, "application/json");
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
		err = format_slack(c, n, out);
		break;
	case OW_FMT_DISCORD:
		err = format_discord(c, n, out);
		break;
	case OW_FMT_NTFY:
		err = format_ntfy(c, n, out);
		break;
	case OW_FMT_TEAMS:
		err = format_teams(c, n, out);
		break;
	case OW_FMT_GOTIFY:
		err = format_gotify(c, n, out);
		break;
	case OW_FMT_PAGERDUTY:
		err = format_pagerduty(t, c, out);
		break;
	case OW_FMT_ALERTMANAGER:
		err = format_alertmanager(c, n, out);
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
	f = fmt ? ow_alert_fmt_parse(fmt) : (int)guess_fmt(&u);
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
