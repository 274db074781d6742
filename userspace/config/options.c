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
#include "options.h"
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

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Seconds: a finite number, >= 0, at most a day. */
int ow_parse_seconds(const char *name, const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 86400)
		return fail(err, errlen, "invalid value for %s: '%s' (seconds, 0 to 86400)", name,
			    s);
	*out = v;
	return 0;
}

int ow_parse_action(const char *name, const char *s, enum ow_action *out, char *err, size_t errlen)
{
	if (ow_action_parse(s, out))
		return fail(err, errlen, "invalid value for %s: '%s' (signal or restart)", name, s);
	return 0;
}

/* Expanded size past which a pattern is refused: far above any process-name pattern. */
#define REGEX_MAX_NODES 1024

/* The repetition count of the bound at *p ("{m}", "{m,}", "{m,n}"); *p moves to its '}'. */
static size_t bound_count(const char **p)
{
	char *end;
	unsigned long m = strtoul(*p + 1, &end, 10), n = m;

	if (*end == ',')
		n = end[1] == '}' ? m + 1 : strtoul(end + 1, &end, 10);
	end = strchr(end, '}');
	*p = end ? end : *p + strlen(*p) - 1;
	return n > m ? n : m;
}

/* Skip a bracket expression from its '['; returns its last character. */
static const char *skip_bracket(const char *p)
{
	const char *q;

	p++;
	p += *p == '^';
	p += *p == ']';
	for (; *p && *p != ']'; p++)
		/* "[:alpha:]" and the like: on to its ']' (only if there is one). */
		if (*p == '[' && p[1] && strchr(":.=", p[1]) && (q = strchr(p + 2, p[1])) &&
		    q[1] == ']')
			p = q + 1;
	return *p ? p : p - 1;
}

/*
 * glibc's regcomp copies a repeated expression once per repetition (a{3} is aaa, a+ is aa*),
 * so a short pattern can take gigabytes ("a++++...", nested bounds: found by fuzz_config).
 * Estimate the expanded size; true past REGEX_MAX_NODES or 32 nested groups.
 */
static bool regex_too_big(const char *s)
{
	size_t open[32], depth = 0, total = 0, last = 0, k;
	bool quantified = false; /* the last element is a repetition */
	const char *p;

	for (p = s; *p && total <= REGEX_MAX_NODES; p++) {
		k = 0;
		if (*p == '(') {
			if (depth == 32)
				return true;
			open[depth++] = total;
			last = 0;
			quantified = false;
			continue;
		}
		if (*p == ')' && depth) {
			last = total - open[--depth];
			quantified = false;
			continue;
		}
		if (strchr("*+?", *p))
			k = 2;
		else if (*p == '{')
			k = bound_count(&p) ?: 1;
		if (k) {
			/* A repeat of a repeat ("a+*", undefined in POSIX ERE): regcomp's epsilon
			 * closures grow 4x per stacked quantifier (found by fuzz_config). */
			if (k > REGEX_MAX_NODES || quantified)
				return true;
			quantified = true;
			total += last * (k - 1);
			last *= k;
			continue;
		}
		quantified = false;
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '[')
			p = skip_bracket(p);
		last = 1;
		total++;
	}
	return total > REGEX_MAX_NODES;
}

/* A new value replaces the earlier regex; `*src` stays NULL unless `re` is compiled. */
int ow_parse_regex(const char *name, const char *s, const char **src, regex_t *re, char *err,
		   size_t errlen)
{
	if (*src)
		regfree(re);
	*src = NULL;
	if (regex_too_big(s))
		return fail(err, errlen, "regular expression for %s too complex: '%s'", name, s);
	if (regcomp(re, s, REG_EXTENDED | REG_NOSUB))
		return fail(err, errlen, "invalid regular expression for %s: '%s'", name, s);
	*src = s;
	return 0;
}

static int parse_bool(const char *name, const char *s, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = {"1", "yes", "true", "on"};
	static const char *const no[] = {"0", "no", "false", "off"};
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			*out = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	return fail(err, errlen, "invalid value for %s: '%s' (yes or no)", name, s);
}

static int parse_attach(const char *name, const char *s, int *out, char *err, size_t errlen)
{
	static const char *const modes[] = {"tp_btf", "raw_tp", "tracepoint"};
	int i;

	if (!strcmp(s, "auto")) {
		*out = -1;
		return 0;
	}
	for (i = 0; i < 3; i++) {
		if (!strcmp(s, modes[i])) {
			*out = i;
			return 0;
		}
	}
	return fail(err, errlen, "invalid value for %s: '%s' (tp_btf, raw_tp, tracepoint or auto)",
		    name, s);
}

static int parse_log_format(const char *name, const char *s, enum ow_log_format *out, char *err,
			    size_t errlen)
{
	if (!strcmp(s, "text"))
		*out = OW_LOG_TEXT;
	else if (!strcmp(s, "json"))
		*out = OW_LOG_JSON;
	else
		return fail(err, errlen, "invalid value for %s: '%s' (text or json)", name, s);
	return 0;
}

/* A value given in the file (flags of this kind take none: they set true or count). */
static int parse_verbose(const char *name, const char *s, int *out, char *err, size_t errlen)
{
	if (!s) {
		(*out)++;
		return 0;
	}
	if (strlen(s) != 1 || s[0] < '0' || s[0] > '3')
		return fail(err, errlen, "invalid value for %s: '%s' (0 to 3)", name, s);
	*out = s[0] - '0';
	return 0;
}

static int add_cgroup(struct ow_options *o, const char *name, const char *s, char *err,
		      size_t errlen)
{
	if (o->ncgroups == OW_MAX_CGROUP_ARGS)
		return fail(err, errlen, "too many %s values (at most %d)", name,
			    OW_MAX_CGROUP_ARGS);
	if (!*s)
		return fail(err, errlen, "invalid value for %s: '%s'", name, s);
	o->cgroups[o->ncgroups++] = s;
	return 0;
}

/* A URL alone is checked here, so a file's bad URL is reported at its own line. */
static int add_webhook(struct ow_options *o, const char *name, const char *s, char *err,
		       size_t errlen)
{
	struct ow_webhook_target t;

	if (o->nwebhook_urls == OW_MAX_WEBHOOKS)
		return fail(err, errlen, "too many %s values (at most %d)", name, OW_MAX_WEBHOOKS);
	if (ow_webhook_targets_parse(&s, 1, NULL, 0, &t, 1, err, errlen) < 0)
		return -EINVAL;
	o->webhook_urls[o->nwebhook_urls++] = s;
	return 0;
}

static int add_webhook_format(struct ow_options *o, const char *name, const char *s, char *err,
			      size_t errlen)
{
	if (o->nwebhook_formats == OW_MAX_WEBHOOKS)
		return fail(err, errlen, "too many %s values (at most %d)", name, OW_MAX_WEBHOOKS);
	if (ow_alert_fmt_parse(s) < 0)
		return fail(
			err, errlen,
			"invalid value for %s: '%s' (json, slack, discord, ntfy, teams, gotify, "
			"pagerduty or alertmanager)",
			name, s);
	o->webhook_formats[o->nwebhook_formats++] = s;
	return 0;
}

/* An empty value in the file unsets an optional setting (an empty regex would match all). */
static int set_optional_regex(const char *name, const char *s, const char **src, regex_t *re,
			      char *err, size_t errlen)
{
	if (s && !*s) {
		if (*src)
			regfree(re);
		*src = NULL;
		return 0;
	}
	return ow_parse_regex(name, s, src, re, err, errlen);
}

/* The temporary file goes next to it: a directory alone cannot be renamed over. */
static int set_metrics_file(struct ow_options *o, const char *name, const char *v, char *err,
			    size_t errlen)
{
	/* Empty in the file means none; on the command line it is a mistake. */
	if ((!*v && !strncmp(name, "--", 2)) || (*v && v[strlen(v) - 1] == '/'))
		return fail(err, errlen, "invalid value for %s: '%s' (a file)", name, v);
	o->metrics_file = *v ? v : NULL;
	return 0;
}

/* Only the path here: ow_options_load reads the file, for the commands that send alerts. */
static int set_webhook_ca(struct ow_options *o, const char *name, const char *v, char *err,
			  size_t errlen)
{
	/* Empty in the file means the system store; on the command line it is a mistake. */
	if (!*v && !strncmp(name, "--", 2))
		return fail(err, errlen, "invalid value for %s: '' (a PEM file)", name);
	o->webhook_ca = *v ? v : NULL;
	return 0;
}

static int set_metrics_interval(struct ow_options *o, const char *name, const char *v, char *err,
				size_t errlen)
{
	double s;

	if (ow_parse_seconds(name, v, &s, err, errlen))
		return -EINVAL;
	if (s < 1 || s > 3600)
		return fail(err, errlen, "invalid value for %s: '%s' (seconds, 1 to 3600)", name,
			    v);
	o->metrics_interval_s = s;
	return 0;
}

/* The process map is sized at load: each entry is locked kernel memory (152 bytes, bpftool
 * memlock with the hash's overhead), so millions would cost the small machines this runs on. */
static int set_bpf_max_processes(struct ow_options *o, const char *name, const char *v, char *err,
				 size_t errlen)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || *v == '-' || n < OW_BPF_MAX_PROCESSES_MIN ||
	    n > OW_BPF_MAX_PROCESSES_MAX)
		return fail(err, errlen, "invalid value for %s: '%s' (processes, %u to %u)", name,
			    v, OW_BPF_MAX_PROCESSES_MIN, OW_BPF_MAX_PROCESSES_MAX);
	o->bpf_max_processes = (unsigned int)n;
	return 0;
}

static int set_value(struct ow_options *o, enum ow_setting s, const char *v, const char *name,
		     char *err, size_t errlen)
{
	switch (s) {
	case OW_SET_CGROUP:
		return add_cgroup(o, name, v, err, errlen);
	case OW_SET_WARN_HORIZON:
		return ow_parse_seconds(name, v, &o->policy.warn_horizon_s, err, errlen);
	case OW_SET_ACT_HORIZON:
		return ow_parse_seconds(name, v, &o->policy.act_horizon_s, err, errlen);
	case OW_SET_GRACE:
		return ow_parse_seconds(name, v, &o->policy.grace_s, err, errlen);
	case OW_SET_PROTECT:
		return set_optional_regex(name, v, &o->protect, &o->protect_re, err, errlen);
	case OW_SET_PREFER:
		return set_optional_regex(name, v, &o->prefer, &o->prefer_re, err, errlen);
	case OW_SET_LOG_FORMAT:
		return parse_log_format(name, v, &o->log_format, err, errlen);
	case OW_SET_WEBHOOK:
		return add_webhook(o, name, v, err, errlen);
	case OW_SET_WEBHOOK_FORMAT:
		return add_webhook_format(o, name, v, err, errlen);
	case OW_SET_WEBHOOK_CA:
		return set_webhook_ca(o, name, v, err, errlen);
	case OW_SET_ATTACH:
		return parse_attach(name, v, &o->attach, err, errlen);
	case OW_SET_BPF_MAX_PROCESSES:
		return set_bpf_max_processes(o, name, v, err, errlen);
	case OW_SET_METRICS_FILE:
		return set_metrics_file(o, name, v, err, errlen);
	case OW_SET_METRICS_INTERVAL:
		return set_metrics_interval(o, name, v, err, errlen);
	case OW_SET_METRICS_LISTEN:
		/* An empty value in the file: no listener. */
		o->metrics_listen = *v ? v : NULL;
		return *v ? ow_listen_addr_parse(v, &o->metrics_addr, err, errlen) : 0;
	case OW_SET_ACTION:
		return ow_parse_action(name, v, &o->action, err, errlen);
	case OW_SET_CONFIG:
		o->config_flag = v;
		return 0;
	default:
		return fail(err, errlen, "%s takes no value", name);
	}
}

int ow_option_set(struct ow_options *o, enum ow_setting s, const char *v, const char *name,
		  char *err, size_t errlen)
{
	switch (s) {
	case OW_SET_DRY_RUN:
		return v ? parse_bool(name, v, &o->dry_run, err, errlen) : (o->dry_run = true, 0);
	case OW_SET_NO_BPF:
		return v ? parse_bool(name, v, &o->no_bpf, err, errlen) : (o->no_bpf = true, 0);
	case OW_SET_VERBOSE:
		return parse_verbose(name, v, &o->verbose, err, errlen);
	case OW_SET_HELP:
		o->cmd = OW_CMD_HELP;
		return 0;
	case OW_SET_VERSION:
		o->cmd = OW_CMD_VERSION;
		return 0;
	default:
		if (!v)
			return fail(err, errlen, "%s needs a value", name);
		return set_value(o, s, v, name, err, errlen);
	}
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
		return fail(err, errlen, "unknown command '%s' (try --help)", word);
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
		return fail(err, errlen, "missing command: run or status (try --help)");
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
		return fail(err, errlen, "unexpected argument '%s' (try --help)", argv[optind]);
	if (help)
		o->cmd = OW_CMD_HELP;
	else if (version)
		o->cmd = OW_CMD_VERSION;
	else if (!has_cmd)
		return fail(err, errlen, "missing command: run or status (try --help)");
	else
		o->cmd = cmd;
	return 0;
}

/* "FILE:LINE: " when the file set s last, else "". */
static void origin(const struct ow_options *o, enum ow_setting s, char *buf, size_t len)
{
	if (o->line[s] && o->config_path)
		snprintf(buf, len, "%s:%u: ", o->config_path, o->line[s]);
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
		return fail(err, errlen,
			    "%sact_horizon (--act-horizon) must not exceed "
			    "warn_horizon (--warn-horizon)",
			    where);
	}
	for (i = 0; i < o->nrules; i++) {
		ow_rule_policy(&o->policy, &o->rules[i], &pc);
		if (pc.act_horizon_s > pc.warn_horizon_s)
			return fail(err, errlen,
				    "%s:%u: [cgroup \"%s\"]: act_horizon %g must not exceed "
				    "warn_horizon %g",
				    o->config_path ? o->config_path : "?", o->rules[i].line,
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
			return fail(err, errlen, "alert-test needs at least one --webhook URL");
		return 0;
	}
	n = ow_webhook_targets_parse(o->webhook_urls, o->nwebhook_urls, o->webhook_formats,
				     o->nwebhook_formats, o->targets, OW_MAX_WEBHOOKS, msg,
				     sizeof(msg));
	if (n < 0) {
		origin(o, OW_SET_WEBHOOK_FORMAT, where, sizeof(where));
		return fail(err, errlen, "%s%s", where, msg);
	}
	o->ntargets = (unsigned int)n;
	return 0;
}

int ow_options_finish(struct ow_options *o, char *err, size_t errlen)
{
	if (check_horizons(o, err, errlen))
		return -EINVAL;
	return parse_webhooks(o, err, errlen);
}

void ow_options_init(struct ow_options *o)
{
	memset(o, 0, sizeof(*o));
	ow_policy_defaults(&o->policy);
	o->cmd = OW_CMD_HELP;
	o->attach = -1;
	o->bpf_max_processes = OW_BPF_MAX_PROCESSES_DEFAULT;
	o->metrics_interval_s = 5;
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
	for (i = 0; i < o->nrules; i++)
		ow_rule_free(&o->rules[i]);
	o->nrules = 0;
	for (i = 0; i < o->nowned; i++)
		free(o->owned[i]);
	free(o->owned);
	o->owned = NULL;
	o->nowned = o->ownedcap = 0;
}

/* The words of a list, space-separated. */
static void format_list(const char *const *v, unsigned int n, char *buf, size_t len)
{
	size_t pos = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && pos < len; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? " " : "", v[i]);
}

void ow_option_format(const struct ow_options *o, enum ow_setting s, char *buf, size_t len)
{
	static const char *const attach[] = {"tp_btf", "raw_tp", "tracepoint"};
	const struct ow_policy_cfg *p = &o->policy;

	switch (s) {
	case OW_SET_CGROUP:
		return format_list(o->cgroups, o->ncgroups, buf, len);
	case OW_SET_DRY_RUN:
		snprintf(buf, len, "%s", o->dry_run ? "yes" : "no");
		return;
	case OW_SET_WARN_HORIZON:
	case OW_SET_ACT_HORIZON:
	case OW_SET_GRACE:
		snprintf(buf, len, "%g",
			 s == OW_SET_GRACE ? p->grace_s
					   : (s == OW_SET_WARN_HORIZON ? p->warn_horizon_s
								       : p->act_horizon_s));
		return;
	case OW_SET_PROTECT:
	case OW_SET_PREFER:
	case OW_SET_WEBHOOK_CA:
	case OW_SET_METRICS_FILE:
	case OW_SET_METRICS_LISTEN:
	case OW_SET_CONFIG: {
		const char *v = s == OW_SET_PROTECT	     ? o->protect
				: s == OW_SET_PREFER	     ? o->prefer
				: s == OW_SET_WEBHOOK_CA     ? o->webhook_ca
				: s == OW_SET_METRICS_FILE   ? o->metrics_file
				: s == OW_SET_METRICS_LISTEN ? o->metrics_listen
							     : o->config_flag;

		snprintf(buf, len, "%s", v ? v : "");
		return;
	}
	case OW_SET_LOG_FORMAT:
		snprintf(buf, len, "%s", o->log_format == OW_LOG_JSON ? "json" : "text");
		return;
	case OW_SET_WEBHOOK:
		return format_list(o->webhook_urls, o->nwebhook_urls, buf, len);
	case OW_SET_WEBHOOK_FORMAT:
		return format_list(o->webhook_formats, o->nwebhook_formats, buf, len);
	case OW_SET_NO_BPF:
		snprintf(buf, len, "%s", o->no_bpf ? "yes" : "no");
		return;
	case OW_SET_ATTACH:
		snprintf(buf, len, "%s",
			 o->attach >= 0 && o->attach < 3 ? attach[o->attach] : "auto");
		return;
	case OW_SET_METRICS_INTERVAL:
		snprintf(buf, len, "%g", o->metrics_interval_s);
		return;
	case OW_SET_BPF_MAX_PROCESSES:
		snprintf(buf, len, "%u", o->bpf_max_processes);
		return;
	case OW_SET_VERBOSE:
		snprintf(buf, len, "%d", o->verbose);
		return;
	case OW_SET_ACTION:
		snprintf(buf, len, "%s", o->action == OW_ACTION_RESTART ? "restart" : "signal");
		return;
	default:
		buf[0] = '\0';
	}
}
