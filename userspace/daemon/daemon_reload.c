// SPDX-License-Identifier: GPL-2.0
/*
 * SIGHUP: the configuration again, checked before anything changes, then the alert sender,
 * the log settings, the options and the watched subtrees swapped in (ow_reload_prepare in
 * reload.c tells what changed).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "daemon_ctx.h"
#include "reload.h"

#define RELOAD_FLUSH_MS 300 /* a reload lets the old alert sender deliver this long */

void daemon_start_alerter(struct ow_daemon *d, const struct ow_options *o)
{
	struct ow_alerter_cfg cfg = {.ca_pem = o->webhook_ca_pem.pem,
				     .ca_len = o->webhook_ca_pem.len,
				     .kube_ca_pem = o->kube_ca_pem.pem,
				     .kube_ca_len = o->kube_ca_pem.len};
	int err;

	if (!o->ntargets)
		return;
	err = ow_alerter_start(o->targets, o->ntargets, &cfg, &d->alerter);
	if (err) {
		d->alerter = NULL;
		ow_log(OW_LOG_ERROR, "alerts",
		       "cannot start the alert sender: running without alerts",
		       OW_STR("error", strerror(-err)));
	}
}

static void apply_log_settings(const struct ow_options *o)
{
	ow_log_setup(o->log_format, o->verbose >= 2 ? OW_LOG_DEBUG : OW_LOG_INFO, 2);
}

/* A configuration that cannot run is refused before anything changes. `*w`: the new watched
 * subtrees, when they changed. */
static int check_reload(struct ow_daemon *d, struct ow_options *o, struct ow_watch **w, char *err,
			size_t errlen)
{
	struct ow_watch_cfg wc;
	int ret;

	if (geteuid() != 0 && !o->dry_run) {
		snprintf(err, errlen, "dry_run = no needs root");
		return -EPERM;
	}
	if (!ow_reload_cgroups_changed(d->opts, o))
		return 0;
	*w = malloc(sizeof(**w)); /* large: not on the locked stack */
	if (!*w)
		return -ENOMEM;
	ow_watch_cfg_of(o, &wc);
	ret = ow_watch_init(*w, &wc, err, errlen);
	if (ret) {
		free(*w);
		*w = NULL;
	}
	return ret;
}

static void swap_alerter(struct ow_daemon *d, const struct ow_options *o)
{
	struct ow_alerter_stats last;

	if (!ow_reload_alerter_changed(d->opts, o))
		return;
	/* The exporter reads d->alerter afresh at each tick; the old sender's totals live on. */
	ow_alerter_stop_stats(d->alerter, RELOAD_FLUSH_MS, &last);
	ow_alerter_stats_add(&d->counters.alerts_retired, &last);
	d->alerter = NULL;
	daemon_start_alerter(d, o);
	daemon_watch_sender(d); /* deletions asked of the old one end at their deadlines */
	ow_log(OW_LOG_INFO, "alerts", "alert sender restarted for the new webhook settings",
	       OW_INT("targets", o->ntargets));
}

static void swap_options(struct ow_daemon *d, struct ow_options *o)
{
	unsigned int i;

	if (d->owned_opts) {
		ow_options_free(d->owned_opts);
		free(d->owned_opts);
	}
	d->opts = d->owned_opts = o;
	for (i = 0; i < d->model.ncgs; i++)
		daemon_find_rule(d, d->model.cgs[i]);
}

static void reload_failed(const char *why)
{
	char msg[1200];

	snprintf(msg, sizeof(msg), "config not reloaded, the previous one stays in effect: %s",
		 why);
	ow_log(OW_LOG_ERROR, "reload_failed", msg);
}

/* SIGHUP: the config file again, the original command line over it. */
void daemon_reload(struct ow_daemon *d)
{
	struct ow_options *o = calloc(1, sizeof(*o));
	struct ow_watch *w = NULL;
	char err[1024], msg[PATH_MAX + 64];
	unsigned int n;
	int ret;

	if (!o) {
		reload_failed("out of memory");
		return;
	}
	ret = ow_options_load(d->opts->argc, d->opts->argv, d->opts->default_config, o, err,
			      sizeof(err));
	if (!ret)
		ret = check_reload(d, o, &w, err, sizeof(err));
	if (ret) {
		reload_failed(err);
		ow_options_free(o);
		free(o);
		return;
	}
	n = ow_reload_prepare(d->opts, o);
	swap_alerter(d, o);
	apply_log_settings(o);
	swap_options(d, o);
	/* New settings (a protect, a horizon) deserve a new look at once, not after a hold. */
	for (unsigned int i = 0; i < d->model.ncgs; i++)
		d->model.cgs[i]->victim.retry_after_ns = 0;
	if (w) {
		ow_watch_copy(&d->watch, w);
		free(w);
		daemon_rescan(d);
	}
	snprintf(msg, sizeof(msg), "reloaded config %s: %u changes",
		 o->config_path ? o->config_path : "(no file)", n);
	ow_log(OW_LOG_INFO, "reloaded", msg, OW_STR("config", o->config_path ? o->config_path : ""),
	       OW_INT("changes", n), OW_INT("dry_run", o->dry_run),
	       OW_NUM("warn_horizon_s", o->policy.warn_horizon_s),
	       OW_NUM("act_horizon_s", o->policy.act_horizon_s),
	       OW_NUM("grace_s", o->policy.grace_s), OW_INT("sections", o->nrules));
}
