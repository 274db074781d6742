// SPDX-License-Identifier: GPL-2.0
/* Settings from the command line: see userspace/config/options.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/types.h>

#include "action_plan.h"
#include "kube_api.h"
#include "options.h"
#include "options_int.h"
#include "ow_events.h"
#include "usage.h"

/* Generated from docs/oomwarden.8.in, the source of the man page too (scripts/gendoc.awk). */
const char ow_usage_text[] = OW_USAGE_TEXT;

#define ANY  (OW_IN_FLAGS | OW_IN_FILE)
#define CGRP (OW_IN_FLAGS | OW_IN_FILE | OW_IN_SECTION)

/* Every setting, once: the flag, the config key, where it may appear, whether a reload can
 * change it. */
const struct ow_setting_def ow_settings[OW_SET_COUNT] = {
	[OW_SET_CGROUP] = {.key = "cgroup", .in = ANY, .flag_value = true, .list = true},
	[OW_SET_DRY_RUN] = {.key = "dry_run", .in = ANY},
	[OW_SET_WARN_HORIZON] = {.key = "warn_horizon", .in = CGRP, .flag_value = true},
	[OW_SET_ACT_HORIZON] = {.key = "act_horizon", .in = CGRP, .flag_value = true},
	[OW_SET_GRACE] = {.key = "grace", .in = CGRP, .flag_value = true},
	[OW_SET_PROTECT] = {.key = "protect", .in = CGRP, .flag_value = true},
	[OW_SET_PREFER] = {.key = "prefer", .in = CGRP, .flag_value = true},
	[OW_SET_LOG_FORMAT] = {.key = "log_format", .in = ANY, .flag_value = true},
	[OW_SET_WEBHOOK] = {.key = "webhook", .in = ANY, .flag_value = true, .list = true},
	[OW_SET_WEBHOOK_FORMAT] = {.key = "webhook_format",
				   .in = ANY,
				   .flag_value = true,
				   .list = true},
	[OW_SET_WEBHOOK_CA] = {.key = "webhook_ca", .in = ANY, .flag_value = true},
	[OW_SET_NO_BPF] = {.key = "no_bpf", .in = ANY, .needs_restart = true},
	[OW_SET_ATTACH] = {.key = "attach", .in = ANY, .flag_value = true, .needs_restart = true},
	[OW_SET_BPF_MAX_PROCESSES] = {.key = "bpf_max_processes",
				      .in = ANY,
				      .flag_value = true,
				      .needs_restart = true},
	[OW_SET_VERBOSE] = {.key = "verbose", .in = ANY, .short_flag = 'v'},
	[OW_SET_METRICS_FILE] = {.key = "metrics_file",
				 .in = ANY,
				 .flag_value = true,
				 .needs_restart = true},
	[OW_SET_METRICS_INTERVAL] = {.key = "metrics_interval",
				     .in = ANY,
				     .flag_value = true,
				     .needs_restart = true},
	[OW_SET_METRICS_LISTEN] = {.key = "metrics_listen",
				   .in = ANY,
				   .flag_value = true,
				   .needs_restart = true},
	[OW_SET_ACTION] = {.key = "action", .in = CGRP, .flag_value = true},
	[OW_SET_BRAKE] = {.key = "brake", .in = CGRP, .flag_value = true},
	[OW_SET_WARN_SIGNAL] = {.key = "warn_signal", .in = CGRP, .flag_value = true},
	[OW_SET_PRE_STOP_SIGNAL] = {.key = "pre_stop_signal", .in = CGRP, .flag_value = true},
	[OW_SET_PRE_STOP_WAIT] = {.key = "pre_stop_wait", .in = CGRP, .flag_value = true},
	[OW_SET_KUBE_LOGS] = {.key = "kube_logs", .in = ANY, .flag_value = true},
	[OW_SET_KUBE_API] = {.key = "kube_api",
			     .in = ANY,
			     .flag_value = true,
			     .needs_restart = true},
	[OW_SET_KUBE_CREDENTIALS] = {.key = "kube_credentials",
				     .in = ANY,
				     .flag_value = true,
				     .needs_restart = true},
	[OW_SET_KUBE_DELETE_POD] = {.key = "kube_delete_pod", .in = ANY, .flag_value = true},
	[OW_SET_IDLE_DETACH] = {.key = "idle_detach", .in = ANY, .flag_value = true},
	[OW_SET_CONFIG] = {.key = "config",
			   .in = OW_IN_FLAGS,
			   .flag_value = true,
			   .needs_restart = true},
	[OW_SET_HELP] = {.key = "help", .in = OW_IN_FLAGS, .short_flag = 'h'},
	[OW_SET_VERSION] = {.key = "version", .in = OW_IN_FLAGS, .short_flag = 'V'},
};

#define OPT_BASE 256 /* getopt's value for setting s is OPT_BASE + s */

static char flag_names[OW_SET_COUNT][40];
static struct option long_opts[OW_SET_COUNT + 1];

/* The getopt table and the flags' names, derived from ow_settings. */
static void build_long_opts(void)
{
	unsigned int s, n = 0;
	char *p;

	if (long_opts[0].name)
		return;
	for (s = 0; s < OW_SET_COUNT; s++) {
		snprintf(flag_names[s], sizeof(flag_names[s]), "--%s", ow_settings[s].key);
		for (p = flag_names[s]; *p; p++)
			if (*p == '_')
				*p = '-';
		if (!(ow_settings[s].in & OW_IN_FLAGS))
			continue;
		long_opts[n].name = flag_names[s] + 2;
		long_opts[n].has_arg = ow_settings[s].flag_value ? required_argument : no_argument;
		/* A flag with a short form reports it, as getopt does for "-v": one value each. */
		long_opts[n].val =
			ow_settings[s].short_flag ? ow_settings[s].short_flag : OPT_BASE + (int)s;
		n++;
	}
}

const struct option *ow_options_table(void)
{
	build_long_opts();
	return long_opts;
}

int ow_options_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}
static int parse_command(const char *word, struct ow_options *o, char *err, size_t errlen)
{
	if (!strcmp(word, "run"))
		o->cmd = OW_CMD_RUN;
	else if (!strcmp(word, "status"))
		o->cmd = OW_CMD_STATUS;
	else if (!strcmp(word, "alert-test"))
		o->cmd = OW_CMD_ALERT_TEST;
	else if (!strcmp(word, "help"))
		o->cmd = OW_CMD_HELP;
	else
		return ow_options_fail(err, errlen, "unknown command '%s' (try --help)", word);
	return 0;
}

static void unknown_flag(char **argv, char *err, size_t errlen)
{
	const char *bad = optind > 0 ? argv[optind - 1] : "?";

	/* For a long option given a value it does not take, glibc sets optopt to the option's
	 * short letter: quote what the user typed instead. */
	if (!strncmp(bad, "--", 2))
		snprintf(err, errlen, "unknown option or bad value: '%s' (try --help)", bad);
	else if (optopt && optopt < 256)
		snprintf(err, errlen, "unknown or incomplete option '-%c' (try --help)", optopt);
	else
		snprintf(err, errlen, "unknown option or missing value: '%s' (try --help)", bad);
}

/* The first time a repeatable flag appears, the file's values for it are dropped. */
static void replace_file_list(struct ow_options *o, enum ow_setting s, bool *seen)
{
	if (seen[s])
		return;
	seen[s] = true;
	if (s == OW_SET_CGROUP) {
		o->ncgroups = 0;
	} else if (s == OW_SET_VERBOSE) {
		o->verbose = 0;
	} else if (s == OW_SET_WEBHOOK || s == OW_SET_WEBHOOK_FORMAT) {
		/* URLs and formats pair up in order: replace them together. */
		seen[OW_SET_WEBHOOK] = seen[OW_SET_WEBHOOK_FORMAT] = true;
		o->nwebhook_urls = o->nwebhook_formats = 0;
	}
}

static int parse_diagnose(int argc, char **argv, struct ow_options *o, char *err, size_t errlen)
{
	int ret = ow_diag_options_parse(argc, argv, &o->diag, err, errlen);

	o->cmd = ret == 1 ? OW_CMD_DIAGNOSE_HELP : OW_CMD_DIAGNOSE;
	return ret < 0 ? ret : 0;
}

static int setting_of(int c)
{
	unsigned int s;

	if (c >= OPT_BASE)
		return c - OPT_BASE;
	for (s = 0; s < OW_SET_COUNT; s++)
		if (ow_settings[s].short_flag == c)
			return (int)s;
	return -1;
}

int ow_options_parse_argv(int argc, char **argv, struct ow_options *o, char *err, size_t errlen)
{
	bool seen[OW_SET_COUNT] = {false}, help = false, version = false, has_cmd;
	enum ow_command cmd;
	int c, s;

	build_long_opts();
	if (argc < 2)
		return ow_options_fail(err, errlen, "missing command: run or status (try --help)");
	/* diagnose has flags of its own and reads no config file. */
	if (!strcmp(argv[1], "diagnose"))
		return parse_diagnose(argc - 1, argv + 1, o, err, errlen);
	has_cmd = argv[1][0] != '-';
	if (has_cmd && parse_command(argv[1], o, err, errlen))
		return -EINVAL;
	cmd = o->cmd;
	if (has_cmd) {
		/* Let getopt see the command as its argv[0]. */
		argc--;
		argv++;
	}
	opterr = 0;
	optind = 0; /* 0, not 1: glibc then resets all of its state (tests parse many lines) */
	while ((c = getopt_long(argc, argv, "+vhV", long_opts, NULL)) != -1) {
		s = setting_of(c);
		if (c == '?' || c == ':' || s < 0) {
			unknown_flag(argv, err, errlen);
			return -EINVAL;
		}
		replace_file_list(o, (enum ow_setting)s, seen);
		if (ow_option_set(o, (enum ow_setting)s, optarg, flag_names[s], err, errlen))
			return -EINVAL;
		o->line[s] = 0;
		help |= s == OW_SET_HELP;
		version |= s == OW_SET_VERSION;
	}
	/* --help and --version win wherever they stand, even before the command. */
	if (optind < argc && !help && !version)
		return ow_options_fail(err, errlen, "unexpected argument '%s' (try --help)",
				       argv[optind]);
	if (help)
		o->cmd = OW_CMD_HELP;
	else if (version)
		o->cmd = OW_CMD_VERSION;
	else if (!has_cmd)
		return ow_options_fail(err, errlen, "missing command: run or status (try --help)");
	else
		o->cmd = cmd;
	return 0;
}

/* "FILE:LINE: " when the file set s last, else "". */
static void origin(const struct ow_options *o, enum ow_setting s, char *buf, size_t len)
{
	if (o->line[s] && o->file[s])
		snprintf(buf, len, "%s:%u: ", o->file[s], o->line[s]);
	else
		buf[0] = '\0';
}

static int check_horizons(const struct ow_options *o, char *err, size_t errlen)
{
	struct ow_policy_cfg pc;
	char where[PATH_MAX + 32];
	unsigned int i;

	if (o->policy.act_horizon_s > o->policy.warn_horizon_s) {
		origin(o, o->line[OW_SET_ACT_HORIZON] ? OW_SET_ACT_HORIZON : OW_SET_WARN_HORIZON,
		       where, sizeof(where));
		return ow_options_fail(err, errlen,
				       "%sact_horizon (--act-horizon) must not exceed "
				       "warn_horizon (--warn-horizon)",
				       where);
	}
	for (i = 0; i < o->nrules; i++) {
		ow_rule_policy(&o->policy, &o->rules[i], &pc);
		if (pc.act_horizon_s > pc.warn_horizon_s)
			return ow_options_fail(
				err, errlen,
				"%s:%u: [cgroup \"%s\"]: act_horizon %g must not exceed "
				"warn_horizon %g",
				o->rules[i].file ? o->rules[i].file : "?", o->rules[i].line,
				o->rules[i].pattern, pc.act_horizon_s, pc.warn_horizon_s);
	}
	return 0;
}

static int parse_webhooks(struct ow_options *o, char *err, size_t errlen)
{
	char msg[512], where[PATH_MAX + 32];
	int n;

	if (!o->nwebhook_urls && !o->nwebhook_formats) {
		if (o->cmd == OW_CMD_ALERT_TEST)
			return ow_options_fail(err, errlen,
					       "alert-test needs at least one --webhook URL");
		return 0;
	}
	n = ow_webhook_targets_parse(o->webhook_urls, o->nwebhook_urls, o->webhook_formats,
				     o->nwebhook_formats, o->targets, OW_MAX_WEBHOOKS, msg,
				     sizeof(msg));
	if (n < 0) {
		origin(o, OW_SET_WEBHOOK_FORMAT, where, sizeof(where));
		return ow_options_fail(err, errlen, "%s%s", where, msg);
	}
	o->ntargets = (unsigned int)n;
	return 0;
}

/* --kube-api: the Events' target after the webhooks (the daemon's own environment names the
 * in-cluster API server: the kubelet sets it, not a user). */
static int add_kube_target(struct ow_options *o, char *err, size_t errlen)
{
	if (!o->kube_api || o->cmd != OW_CMD_RUN)
		return 0;
	if (o->ntargets == OW_MAX_WEBHOOKS)
		return ow_options_fail(err, errlen,
				       "--kube-api: too many alert targets (at most %d)",
				       OW_MAX_WEBHOOKS);
	if (ow_kube_api_target(o->kube_api, getenv("KUBERNETES_SERVICE_HOST"),
			       getenv("KUBERNETES_SERVICE_PORT"), o->kube_credentials,
			       &o->targets[o->ntargets], err, errlen))
		return -EINVAL;
	o->ntargets++;
	return 0;
}

int ow_options_finish(struct ow_options *o, char *err, size_t errlen)
{
	if (check_horizons(o, err, errlen) || parse_webhooks(o, err, errlen))
		return -EINVAL;
	return add_kube_target(o, err, errlen);
}

void ow_options_init(struct ow_options *o)
{
	memset(o, 0, sizeof(*o));
	ow_policy_defaults(&o->policy);
	o->cmd = OW_CMD_HELP;
	o->attach = -1;
	o->bpf_max_processes = OW_BPF_MAX_PROCESSES_DEFAULT;
	o->metrics_interval_s = 5;
	o->brake = true;
	o->kube_delete_pod = true;
	o->idle_detach = true;
	o->pre_stop_wait_s = OW_PRE_STOP_WAIT_DEFAULT_S;
	o->kube_logs = "/var/log";
	o->kube_credentials = OW_KUBE_CREDENTIALS_DEFAULT;
}

int ow_options_parse(int argc, char **argv, struct ow_options *o, char *err, size_t errlen)
{
	ow_options_init(o);
	o->argc = argc;
	o->argv = argv;
	if (ow_options_parse_argv(argc, argv, o, err, errlen))
		return -EINVAL;
	return ow_options_finish(o, err, errlen);
}

char *ow_options_keep(struct ow_options *o, const char *s)
{
	char **v;
	char *copy;

	if (o->nowned == o->ownedcap) {
		v = realloc(o->owned, (o->ownedcap ? o->ownedcap * 2 : 16) * sizeof(*v));
		if (!v)
			return NULL;
		o->owned = v;
		o->ownedcap = o->ownedcap ? o->ownedcap * 2 : 16;
	}
	copy = strdup(s);
	if (copy)
		o->owned[o->nowned++] = copy;
	return copy;
}

void ow_options_free(struct ow_options *o)
{
	unsigned int i;

	if (o->protect)
		regfree(&o->protect_re);
	if (o->prefer)
		regfree(&o->prefer_re);
	o->protect = o->prefer = NULL;
	ow_ca_bundle_free(&o->webhook_ca_pem);
	ow_ca_bundle_free(&o->kube_ca_pem);
	for (i = 0; i < o->nrules; i++)
		ow_rule_free(&o->rules[i]);
	o->nrules = 0;
	for (i = 0; i < o->nowned; i++)
		free(o->owned[i]);
	free(o->owned);
	o->owned = NULL;
	o->nowned = o->ownedcap = 0;
}
