// SPDX-License-Identifier: GPL-2.0
/*
 * Chat payloads: Slack (blocks), Discord (embeds) and Microsoft Teams (an Adaptive Card). One
 * message carries up to ten alerts, each cut to fit the service's documented limits. Built on
 * alert_format_int.h; docs/ALERTS.md describes what each looks like.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "alert_format_int.h"
#include "strbuf.h"
#include "units.h"

/* Discord's documented limits (characters; we count bytes, which is never less). */
#define DISCORD_CONTENT	    2000
#define DISCORD_TITLE	    256
#define DISCORD_DESCRIPTION 4096
#define DISCORD_TOTAL	    6000
/* Slack: header block text, section text. */
#define SLACK_HEADER  150
#define SLACK_SECTION 3000

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
		ow_alert_truncate(cut, keep);
		if (strcmp(type, "plain_text"))
			slack_escape(&b, cut);
		else
			ow_strbuf_printf(&b, "%s", cut);
		if (b.failed || b.len <= max || keep <= 8)
			break;
		ow_strbuf_reset(&b);
		keep -= keep > 64 ? keep / 8 : 1;
	}
	ow_json_str(o, "type", type);
	ow_json_str(o, "text", ow_strbuf_str(&b));
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
	ow_json_str(blk, "type", "header");
	cJSON_AddItemToObject(blk, "text", slack_text_obj("plain_text", title, SLACK_HEADER));
	cJSON_AddItemToArray(blocks, blk);

	ow_alert_details(&d, a);
	blk = cJSON_CreateObject();
	ow_json_str(blk, "type", "section");
	cJSON_AddItemToObject(blk, "text",
			      slack_text_obj("mrkdwn", ow_strbuf_str(&d), SLACK_SECTION));
	cJSON_AddItemToArray(blocks, blk);
	ow_strbuf_free(&d);

	ow_alert_time(t, sizeof(t), a->time_ns);
	snprintf(ctx, sizeof(ctx), "oomwarden %s | %s | %s", ow_alert_info(a)->name, t,
		 a->incident[0] ? a->incident : "-");
	blk = cJSON_CreateObject();
	ow_json_str(blk, "type", "context");
	els = cJSON_AddArrayToObject(blk, "elements");
	cJSON_AddItemToArray(els, slack_text_obj("mrkdwn", ctx, SLACK_SECTION));
	cJSON_AddItemToArray(blocks, blk);
}

int ow_format_slack(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateObject(), *blocks, *text;
	char title[1024];
	unsigned int i;

	ow_alert_batch_title(a, n, title, sizeof(title));
	text = slack_text_obj("mrkdwn", title, SLACK_SECTION);
	ow_json_str(root, "text", cJSON_GetStringValue(cJSON_GetObjectItem(text, "text")));
	cJSON_Delete(text);
	blocks = cJSON_AddArrayToObject(root, "blocks");
	for (i = 0; i < n; i++)
		slack_blocks(blocks, &a[i]);
	return ow_payload_json(root, out, "application/json");
}

/* ---- discord: content + one embed per alert, inside every limit ---- */

static cJSON *discord_embed(const struct ow_alert *a, size_t budget)
{
	cJSON *e = cJSON_CreateObject(), *f;
	char title[768], footer[128], t[40];
	struct ow_strbuf d = {0};
	size_t room;

	ow_alert_title(a, title, sizeof(title));
	ow_alert_truncate(title, budget / 4 < DISCORD_TITLE ? budget / 4 : DISCORD_TITLE);
	snprintf(footer, sizeof(footer), "oomwarden %s | %s", ow_alert_info(a)->name, a->incident);
	ow_alert_truncate(footer, 100);
	room = budget - strlen(title) - strlen(footer);
	ow_alert_details(&d, a);
	if (d.buf)
		ow_alert_truncate(d.buf, room < DISCORD_DESCRIPTION ? room : DISCORD_DESCRIPTION);
	ow_json_str(e, "title", title);
	ow_json_str(e, "description", ow_strbuf_str(&d));
	cJSON_AddNumberToObject(e, "color", ow_alert_info(a)->color);
	ow_alert_time(t, sizeof(t), a->time_ns);
	ow_json_str(e, "timestamp", t);
	f = cJSON_AddObjectToObject(e, "footer");
	ow_json_str(f, "text", footer);
	ow_strbuf_free(&d);
	return e;
}

int ow_format_discord(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateObject(), *embeds, *am;
	size_t budget = (DISCORD_TOTAL - 100) / n;
	char content[DISCORD_CONTENT + 1];
	unsigned int i;

	ow_alert_batch_title(a, n, content, sizeof(content));
	ow_alert_truncate(content, DISCORD_CONTENT);
	ow_json_str(root, "username", "oomwarden");
	ow_json_str(root, "content", content);
	/* A command line may say @everyone: never let it ping anybody. */
	am = cJSON_AddObjectToObject(root, "allowed_mentions");
	cJSON_AddArrayToObject(am, "parse");
	embeds = cJSON_AddArrayToObject(root, "embeds");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(embeds, discord_embed(&a[i], budget));
	return ow_payload_json(root, out, "application/json");
}

/* ---- teams: an Adaptive Card in the Workflows envelope ---- */

static void teams_fact(cJSON *facts, const char *title, const char *value)
{
	cJSON *f;
	char v[600];

	if (!value[0])
		return;
	snprintf(v, sizeof(v), "%s", value);
	ow_alert_truncate(v, 512); /* Teams refuses cards over 28 KB: ten alerts must fit */
	f = cJSON_CreateObject();
	ow_json_str(f, "title", title);
	ow_json_str(f, "value", v);
	cJSON_AddItemToArray(facts, f);
}

static void teams_action_fact(void *facts, const char *title, const char *value)
{
	teams_fact(facts, title, value);
}

static void teams_alert(cJSON *body, const struct ow_alert *a)
{
	cJSON *tb = cJSON_CreateObject(), *fs, *facts;
	char title[768], mem[128], proc[256], eta[OW_FMT_LEN], rss[OW_FMT_LEN];
	struct ow_strbuf top = {0};
	unsigned int i;

	ow_alert_title(a, title, sizeof(title));
	ow_json_str(tb, "type", "TextBlock");
	ow_json_str(tb, "text", title);
	ow_json_str(tb, "weight", "Bolder");
	ow_json_str(tb, "size", "Medium");
	ow_json_str(tb, "color", ow_alert_info(a)->teams_color);
	cJSON_AddBoolToObject(tb, "wrap", 1);
	cJSON_AddItemToArray(body, tb);

	fs = cJSON_CreateObject();
	ow_json_str(fs, "type", "FactSet");
	facts = cJSON_AddArrayToObject(fs, "facts");
	ow_alert_memory_text(mem, sizeof(mem), a);
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
	ow_alert_action_facts(a, teams_action_fact, facts);
	teams_fact(facts, "Reason", a->reason);
	teams_fact(facts, "Top processes", ow_strbuf_str(&top));
	teams_fact(facts, "Incident", a->incident);
	ow_strbuf_free(&top);
	cJSON_AddItemToArray(body, fs);
}

int ow_format_teams(const struct ow_alert *a, unsigned int n, struct ow_payload *out)
{
	cJSON *root = cJSON_CreateObject(), *atts, *att, *card, *body, *ms;
	unsigned int i;

	ow_json_str(root, "type", "message");
	atts = cJSON_AddArrayToObject(root, "attachments");
	att = cJSON_CreateObject();
	cJSON_AddItemToArray(atts, att);
	ow_json_str(att, "contentType", "application/vnd.microsoft.card.adaptive");
	cJSON_AddNullToObject(att, "contentUrl");
	card = cJSON_AddObjectToObject(att, "content");
	ow_json_str(card, "$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
	ow_json_str(card, "type", "AdaptiveCard");
	ow_json_str(card, "version", "1.4");
	body = cJSON_AddArrayToObject(card, "body");
	for (i = 0; i < n; i++)
		teams_alert(body, &a[i]);
	ms = cJSON_AddObjectToObject(card, "msteams");
	ow_json_str(ms, "width", "Full");
	return ow_payload_json(root, out, "application/json");
}
