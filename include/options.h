/* SPDX-License-Identifier: GPL-2.0 */
/* Command line: parsed into a plain struct; a bad flag or value yields one line and -EINVAL. */
#ifndef OW_OPTIONS_H
#define OW_OPTIONS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "alert.h"
#include "log.h"
#include "metrics_http.h"
#include "policy.h"

#define OW_MAX_CGROUP_ARGS 64

enum ow_command {
	OW_CMD_HELP = 0,
	OW_CMD_VERSION,
	OW_CMD_RUN,
	OW_CMD_STATUS,
	OW_CMD_ALERT_TEST,
};

struct ow_options {
	enum ow_command cmd;
	const char *cgroups[OW_MAX_CGROUP_ARGS];
	unsigned int ncgroups;
	bool dry_run;
	bool no_bpf; /* --no-bpf: skip BPF, run the degraded cgroup-file path */
	int attach;  /* --attach: -1 try tp_btf, raw_tp, tracepoint in turn; else only that one */
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
	enum ow_log_format log_format;
	int verbose;
	const char *metrics_file;	    /* --metrics-file, or NULL */
	double metrics_interval_s;	    /* --metrics-interval; default 5 */
	const char *metrics_listen;	    /* --metrics-listen as given, or NULL */
	struct ow_listen_addr metrics_addr; /* parsed metrics_listen */
};

/* Parse argv into opts. On error writes one line (no newline) into err and returns -EINVAL. */
int ow_options_parse(int argc, char **argv, struct ow_options *opts, char *err, size_t errlen);
void ow_options_free(struct ow_options *opts);

/* The --help text. */
extern const char ow_usage_text[];

#endif /* OW_OPTIONS_H */
