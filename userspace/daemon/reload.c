// SPDX-License-Identifier: GPL-2.0
/* What a reload changes: see userspace/daemon/reload.h. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "reload.h"

#define MAX_CHANGES 64

/* Webhooks are logged as their redacted URLs: the real ones may hold tokens. */
static void format_value(const struct ow_options *o, enum ow_setting s, char *buf, size_t len)
{
	size_t pos = 0;
	unsigned int i;

	if (s != OW_SET_WEBHOOK) {
		ow_option_format(o, s, buf, len);
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < o->ntargets && pos < len; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? " " : "",
					o->targets[i].redacted);
}

static void log_change(const struct ow_options *from, const struct ow_options *to,
		       const struct ow_config_change *c)
{
	char a[1024], b[1024];

	if (c->setting == OW_SET_COUNT) {
		ow_log(OW_LOG_INFO, "config_change", "applied", OW_STR("section", c->section));
		return;
	}
	format_value(from, c->setting, a, sizeof(a));
	format_value(to, c->setting, b, sizeof(b));
	if (c->needs_restart)
		ow_log(OW_LOG_WARN, "config_change", "not applied: needs a restart",
		       OW_STR("key", ow_settings[c->setting].key), OW_STR("running", a),
		       OW_STR("file", b));
	else
		ow_log(OW_LOG_INFO, "config_change", "applied",
		       OW_STR("key", ow_settings[c->setting].key), OW_STR("from", a),
		       OW_STR("to", b));
}

static const char *keep_str(struct ow_options *to, const char *running)
{
	return running ? ow_options_keep(to, running) : NULL;
}

/* Only a restart applies these: the new options keep what runs. */
static void keep_running(const struct ow_options *from, struct ow_options *to)
{
	to->no_bpf = from->no_bpf;
	to->attach = from->attach;
	to->bpf_max_processes = from->bpf_max_processes;
	to->metrics_file = keep_str(to, from->metrics_file);
	to->metrics_listen = keep_str(to, from->metrics_listen);
}

static bool same_path(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* A CA rotated in place: the file's name is the same, so the diff cannot see it. */
static bool ca_rewritten(const struct ow_options *from, const struct ow_options *to)
{
	return to->webhook_ca && same_path(from->webhook_ca, to->webhook_ca) &&
	       !ow_ca_bundle_equal(&from->webhook_ca_pem, &to->webhook_ca_pem);
}

unsigned int ow_reload_prepare(const struct ow_options *from, struct ow_options *to)
{
	struct ow_config_change changes[MAX_CHANGES];
	unsigned int i, n = ow_config_diff(from, to, changes, MAX_CHANGES);

	for (i = 0; i < n && i < MAX_CHANGES; i++)
		log_change(from, to, &changes[i]);
	if (ca_rewritten(from, to)) {
		ow_log(OW_LOG_INFO, "config_change", "applied: the file's content changed",
		       OW_STR("key", ow_settings[OW_SET_WEBHOOK_CA].key),
		       OW_STR("file", to->webhook_ca));
		n++;
	}
	keep_running(from, to);
	return n;
}

bool ow_reload_alerter_changed(const struct ow_options *from, const struct ow_options *to)
{
	unsigned int i;

	if (from->ntargets != to->ntargets || !same_path(from->webhook_ca, to->webhook_ca) ||
	    !ow_ca_bundle_equal(&from->webhook_ca_pem, &to->webhook_ca_pem))
		return true;
	for (i = 0; i < to->ntargets; i++)
		if (from->targets[i].fmt != to->targets[i].fmt ||
		    strcmp(from->targets[i].url, to->targets[i].url) ||
		    strcmp(from->targets[i].secret, to->targets[i].secret))
			return true;
	return false;
}

bool ow_reload_cgroups_changed(const struct ow_options *from, const struct ow_options *to)
{
	unsigned int i;

	if (from->ncgroups != to->ncgroups)
		return true;
	for (i = 0; i < to->ncgroups; i++)
		if (strcmp(from->cgroups[i], to->cgroups[i]))
			return true;
	return false;
}
