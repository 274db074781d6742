/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Settings: one table (ow_settings) names every setting once, as a config-file key and, with
 * '_' written '-', as a command-line flag, so the two cannot drift. The command line and the
 * config file (config.h) both go through ow_option_set; a bad value yields one line and
 * -EINVAL.
 */
#ifndef OW_OPTIONS_H
#define OW_OPTIONS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

/* Only config/ types and the pure types of lib/ and core/: each subsystem takes its own
 * settings struct, filled from these (daemon/settings.h). */
#include "ca_bundle.h"
#include "diag_options.h"
#include "listen_addr.h"
#include "log.h"
#include "policy.h"
#include "pre_stop.h"
#include "rules.h"
#include "webhook.h"

#define OW_MAX_CGROUP_ARGS 64
#define OW_MAX_RULES	   64

enum ow_command {
	OW_CMD_HELP = 0,
	OW_CMD_VERSION,
	OW_CMD_RUN,
	OW_CMD_STATUS,
	OW_CMD_ALERT_TEST,
	OW_CMD_DIAGNOSE,
	OW_CMD_DIAGNOSE_HELP,
};

enum ow_setting {
	OW_SET_CGROUP = 0,
	OW_SET_DRY_RUN,
	OW_SET_WARN_HORIZON,
	OW_SET_ACT_HORIZON,
	OW_SET_GRACE,
	OW_SET_PROTECT,
	OW_SET_PREFER,
	OW_SET_LOG_FORMAT,
	OW_SET_WEBHOOK,
	OW_SET_WEBHOOK_FORMAT,
	OW_SET_WEBHOOK_CA,
	OW_SET_NO_BPF,
	OW_SET_ATTACH,
	OW_SET_BPF_MAX_PROCESSES,
	OW_SET_VERBOSE,
	OW_SET_METRICS_FILE,
	OW_SET_METRICS_INTERVAL,
	OW_SET_METRICS_LISTEN,
	OW_SET_ACTION,
	OW_SET_BRAKE,
	OW_SET_WARN_SIGNAL,
	OW_SET_PRE_STOP_SIGNAL,
	OW_SET_PRE_STOP_WAIT,
	OW_SET_KUBE_LOGS,
	OW_SET_KUBE_API,
	OW_SET_KUBE_CREDENTIALS,
	OW_SET_KUBE_DELETE_POD,
	OW_SET_IDLE_DETACH,
	OW_SET_CONFIG,
	OW_SET_HELP,
	OW_SET_VERSION,
	OW_SET_COUNT,
};

/* Where a setting may appear. */
#define OW_IN_FLAGS   0x1 /* the command line, as --key-with-dashes */
#define OW_IN_FILE    0x2 /* the config file's global part */
#define OW_IN_SECTION 0x4 /* a [cgroup "..."] section */

struct ow_setting_def {
	const char *key;    /* config key; the flag is "--" + key with '_' -> '-' */
	unsigned int in;    /* OW_IN_* */
	bool flag_value;    /* the flag takes a value (a file key always has one) */
	bool list;	    /* repeatable: the file's keys add up, the command line replaces them */
	bool needs_restart; /* a reload cannot change it */
	char short_flag;    /* or 0 */
};

extern const struct ow_setting_def ow_settings[OW_SET_COUNT];

struct ow_options {
	enum ow_command cmd;
	const char *cgroups[OW_MAX_CGROUP_ARGS];
	unsigned int ncgroups;
	bool dry_run;
	bool no_bpf; /* --no-bpf: skip BPF, run the degraded cgroup-file path */
	int attach;  /* --attach: -1 try tp_btf, raw_tp, tracepoint in turn; else only that one */
	unsigned int bpf_max_processes; /* --bpf-max-processes: entries of the BPF process map */
	struct ow_policy_cfg policy;
	const char *protect; /* regex source, or NULL */
	const char *prefer;
	regex_t protect_re; /* compiled when protect != NULL */
	regex_t prefer_re;
	const char *webhook_urls[OW_MAX_WEBHOOKS]; /* --webhook, in order */
	unsigned int nwebhook_urls;
	const char *webhook_formats[OW_MAX_WEBHOOKS]; /* --webhook-format, paired in order */
	unsigned int nwebhook_formats;
	struct ow_webhook_target targets[OW_MAX_WEBHOOKS]; /* the pairs, validated */
	unsigned int ntargets;
	const char *webhook_ca;		    /* --webhook-ca: PEM CAs for HTTPS, or NULL */
	struct ow_ca_bundle webhook_ca_pem; /* its bytes (run, alert-test: ow_options_load) */
	enum ow_log_format log_format;
	int verbose;
	struct ow_diag_options diag;	    /* diagnose has its own flags (diag_options.h) */
	const char *metrics_file;	    /* --metrics-file, or NULL */
	double metrics_interval_s;	    /* --metrics-interval; default 5 */
	const char *metrics_listen;	    /* --metrics-listen as given, or NULL */
	struct ow_listen_addr metrics_addr; /* parsed metrics_listen */
	enum ow_action action; /* --action: what to do to a victim (per victim: daemon/victim.c) */
	bool brake; /* --brake: memory.high on fast leaks (cgroup v2; core/brake.h); default on */
	int warn_signal;     /* --warn-signal: to the fastest grower at warn (rules.h); 0: none */
	int pre_stop_signal; /* --pre-stop-signal: to the victim before the SIGTERM; 0: none */
	double pre_stop_wait_s; /* --pre-stop-wait: its longest wait (core/pre_stop.h) */
	const char *kube_logs;	/* --kube-logs: the kubelet's pods/ and containers/ (/var/log) */
	const char *kube_api;	/* --kube-api: URL or "in-cluster" (kube_api.h), or NULL */
	const char *kube_credentials;	 /* --kube-credentials: token and ca.crt */
	struct ow_ca_bundle kube_ca_pem; /* its ca.crt (run, with --kube-api) */
	bool kube_delete_pod; /* --kube-delete-pod: a pod's victim by deleting its pod (on) */
	bool idle_detach;     /* --idle-detach: the page-fault program only while at risk (on) */
	/* [cgroup "..."] sections, in file order (the first match wins: rules.h). */
	struct ow_cgroup_rule rules[OW_MAX_RULES];
	unsigned int nrules;
	/* Where the values came from, for reload and for messages. */
	const char *config_path;	 /* the file read, or NULL */
	const char *config_flag;	 /* --config, or NULL */
	unsigned int line[OW_SET_COUNT]; /* the file line that last set each key; 0: not the file */
	const char *file[OW_SET_COUNT];	 /* and that file (the config file or a drop-in) */
	int argc;			 /* the command line, re-applied over the file on reload */
	char **argv;
	const char *default_config;
	char **owned; /* strings copied from a config file, freed with the options */
	unsigned int nowned, ownedcap;
};

/* Defaults into o (nothing to free yet). */
void ow_options_init(struct ow_options *o);

/*
 * Set one global setting from its text: value NULL for a flag without a value. `name` is how
 * the setting is called in a message ("--grace" or "grace"). `value` must outlive o (the file
 * reader copies it with ow_options_keep). On error writes one line into err: -EINVAL.
 */
int ow_option_set(struct ow_options *o, enum ow_setting s, const char *value, const char *name,
		  char *err, size_t errlen);

/* Apply argv over o (defaults or a config file's values): flags override, and a repeatable
 * flag replaces the file's list instead of adding to it. */
int ow_options_parse_argv(int argc, char **argv, struct ow_options *o, char *err, size_t errlen);

/* Cross-setting checks and the webhook pairs, once everything is set. */
int ow_options_finish(struct ow_options *o, char *err, size_t errlen);

/* The command line alone (no config file): init, parse_argv, finish. */
int ow_options_parse(int argc, char **argv, struct ow_options *opts, char *err, size_t errlen);
void ow_options_free(struct ow_options *opts);

/* The value of setting s as text, as it would be written in the file ("" when unset). Webhook
 * URLs are shown as given: redact them before logging. */
void ow_option_format(const struct ow_options *o, enum ow_setting s, char *buf, size_t len);

/* A copy of s owned by o; NULL when out of memory. */
char *ow_options_keep(struct ow_options *o, const char *s);

/* Shared by the flags and [cgroup] sections: parse one value. -EINVAL and one line in err. */
int ow_parse_seconds(const char *name, const char *s, double *out, char *err, size_t errlen);
/* on|off (yes|no, true|false, 1|0) */
int ow_parse_on_off(const char *name, const char *s, bool *out, char *err, size_t errlen);
int ow_parse_action(const char *name, const char *s, enum ow_action *out, char *err, size_t errlen);
int ow_parse_warn_signal(const char *name, const char *s, int *out, char *err, size_t errlen);
int ow_parse_pre_stop_wait(const char *name, const char *s, double *out, char *err, size_t errlen);
int ow_parse_regex(const char *name, const char *s, const char **src, regex_t *re, char *err,
		   size_t errlen);

/* The --help text, generated from docs/oomwarden.8.in like the man page. */
extern const char ow_usage_text[];

struct option;
/* The long options the parser accepts (getopt_long's table, ending with a zeroed entry), so a
 * test can hold them against the help text. */
const struct option *ow_options_table(void);

#endif /* OW_OPTIONS_H */
