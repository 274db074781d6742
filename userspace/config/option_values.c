// SPDX-License-Identifier: GPL-2.0
/*
 * Each setting's value: parsed from its text (the command line and the config file both come
 * here, through ow_option_set) and formatted back (reload's messages, status). The table of
 * settings and the command line itself are in options.c.
 */
#include <errno.h>
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
#include "options_int.h"
#include "ow_events.h"

/* Seconds: a finite number, >= 0, at most a day. */
int ow_parse_seconds(const char *name, const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 86400)
		return ow_options_fail(err, errlen,
				       "invalid value for %s: '%s' (seconds, 0 to 86400)", name, s);
	*out = v;
	return 0;
}

int ow_parse_action(const char *name, const char *s, enum ow_action *out, char *err, size_t errlen)
{
	if (ow_action_parse(s, out))
		return ow_options_fail(err, errlen,
				       "invalid value for %s: '%s' (signal or restart)", name, s);
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
		return ow_options_fail(err, errlen, "regular expression for %s too complex: '%s'",
				       name, s);
	if (regcomp(re, s, REG_EXTENDED | REG_NOSUB))
		return ow_options_fail(err, errlen, "invalid regular expression for %s: '%s'", name,
				       s);
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
	return ow_options_fail(err, errlen, "invalid value for %s: '%s' (yes or no)", name, s);
}

int ow_parse_on_off(const char *name, const char *s, bool *out, char *err, size_t errlen)
{
	if (parse_bool(name, s, out, NULL, 0))
		return ow_options_fail(err, errlen, "invalid value for %s: '%s' (on or off)", name,
				       s);
	return 0;
}

int ow_parse_warn_signal(const char *name, const char *s, int *out, char *err, size_t errlen)
{
	int sig = ow_warn_signal_parse(s);

	if (sig < 0)
		return ow_options_fail(
			err, errlen,
			"invalid value for %s: '%s' (none, SIGUSR1, SIGUSR2, SIGHUP, "
			"SIGWINCH or SIGPWR)",
			name, s);
	*out = sig;
	return 0;
}

int ow_parse_pre_stop_wait(const char *name, const char *s, double *out, char *err, size_t errlen)
{
	double v;

	if (ow_parse_seconds(name, s, &v, err, errlen) || v < OW_PRE_STOP_MIN_S ||
	    v > OW_PRE_STOP_WAIT_MAX_S)
		return ow_options_fail(err, errlen,
				       "invalid value for %s: '%s' (seconds, %g to %g)", name, s,
				       OW_PRE_STOP_MIN_S, OW_PRE_STOP_WAIT_MAX_S);
	*out = v;
	return 0;
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
	return ow_options_fail(err, errlen,
			       "invalid value for %s: '%s' (tp_btf, raw_tp, tracepoint or auto)",
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
		return ow_options_fail(err, errlen, "invalid value for %s: '%s' (text or json)",
				       name, s);
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
		return ow_options_fail(err, errlen, "invalid value for %s: '%s' (0 to 3)", name, s);
	*out = s[0] - '0';
	return 0;
}

static int add_cgroup(struct ow_options *o, const char *name, const char *s, char *err,
		      size_t errlen)
{
	if (o->ncgroups == OW_MAX_CGROUP_ARGS)
		return ow_options_fail(err, errlen, "too many %s values (at most %d)", name,
				       OW_MAX_CGROUP_ARGS);
	if (!*s)
		return ow_options_fail(err, errlen, "invalid value for %s: '%s'", name, s);
	o->cgroups[o->ncgroups++] = s;
	return 0;
}

/* A URL alone is checked here, so a file's bad URL is reported at its own line. */
static int add_webhook(struct ow_options *o, const char *name, const char *s, char *err,
		       size_t errlen)
{
	struct ow_webhook_target t;

	if (o->nwebhook_urls == OW_MAX_WEBHOOKS)
		return ow_options_fail(err, errlen, "too many %s values (at most %d)", name,
				       OW_MAX_WEBHOOKS);
	if (ow_webhook_targets_parse(&s, 1, NULL, 0, &t, 1, err, errlen) < 0)
		return -EINVAL;
	o->webhook_urls[o->nwebhook_urls++] = s;
	return 0;
}

static int add_webhook_format(struct ow_options *o, const char *name, const char *s, char *err,
			      size_t errlen)
{
	if (o->nwebhook_formats == OW_MAX_WEBHOOKS)
		return ow_options_fail(err, errlen, "too many %s values (at most %d)", name,
				       OW_MAX_WEBHOOKS);
	if (ow_alert_fmt_parse(s) < 0)
		return ow_options_fail(
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
		return ow_options_fail(err, errlen, "invalid value for %s: '%s' (a file)", name, v);
	o->metrics_file = *v ? v : NULL;
	return 0;
}

/* An absolute directory: the daemon lists DIR/pods and DIR/containers (sys/kube_logs.h). */
static int set_kube_logs(struct ow_options *o, const char *name, const char *v, char *err,
			 size_t errlen)
{
	if (v[0] != '/')
		return ow_options_fail(
			err, errlen, "invalid value for %s: '%s' (an absolute directory)", name, v);
	o->kube_logs = v;
	return 0;
}

/* Only the path here: ow_options_load reads the file, for the commands that send alerts. */
static int set_webhook_ca(struct ow_options *o, const char *name, const char *v, char *err,
			  size_t errlen)
{
	/* Empty in the file means the system store; on the command line it is a mistake. */
	if (!*v && !strncmp(name, "--", 2))
		return ow_options_fail(err, errlen, "invalid value for %s: '' (a PEM file)", name);
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
		return ow_options_fail(err, errlen,
				       "invalid value for %s: '%s' (seconds, 1 to 3600)", name, v);
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
		return ow_options_fail(err, errlen,
				       "invalid value for %s: '%s' (processes, %u to %u)", name, v,
				       OW_BPF_MAX_PROCESSES_MIN, OW_BPF_MAX_PROCESSES_MAX);
	o->bpf_max_processes = (unsigned int)n;
	return 0;
}

static int set_kube_credentials(struct ow_options *o, const char *name, const char *v, char *err,
				size_t errlen)
{
	if (v[0] != '/')
		return ow_options_fail(
			err, errlen, "invalid value for %s: '%s' (an absolute directory)", name, v);
	o->kube_credentials = v;
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
	case OW_SET_BRAKE:
		return ow_parse_on_off(name, v, &o->brake, err, errlen);
	case OW_SET_WARN_SIGNAL:
		return ow_parse_warn_signal(name, v, &o->warn_signal, err, errlen);
	case OW_SET_PRE_STOP_SIGNAL:
		return ow_parse_warn_signal(name, v, &o->pre_stop_signal, err, errlen);
	case OW_SET_PRE_STOP_WAIT:
		return ow_parse_pre_stop_wait(name, v, &o->pre_stop_wait_s, err, errlen);
	case OW_SET_KUBE_LOGS:
		return set_kube_logs(o, name, v, err, errlen);
	case OW_SET_KUBE_API:
		o->kube_api = *v ? v : NULL; /* checked with its environment: kube_api.c */
		return 0;
	case OW_SET_KUBE_CREDENTIALS:
		return set_kube_credentials(o, name, v, err, errlen);
	case OW_SET_KUBE_DELETE_POD:
		return ow_parse_on_off(name, v, &o->kube_delete_pod, err, errlen);
	case OW_SET_IDLE_DETACH:
		return ow_parse_on_off(name, v, &o->idle_detach, err, errlen);
	case OW_SET_CONFIG:
		o->config_flag = v;
		return 0;
	default:
		return ow_options_fail(err, errlen, "%s takes no value", name);
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
			return ow_options_fail(err, errlen, "%s needs a value", name);
		return set_value(o, s, v, name, err, errlen);
	}
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

/* The settings whose value is a word of their own, or NULL for the others. */
static const char *word_of(const struct ow_options *o, enum ow_setting s, bool *is_word)
{
	static const char *const attach[] = {"tp_btf", "raw_tp", "tracepoint"};

	*is_word = true;
	switch (s) {
	case OW_SET_PROTECT:
		return o->protect;
	case OW_SET_PREFER:
		return o->prefer;
	case OW_SET_WEBHOOK_CA:
		return o->webhook_ca;
	case OW_SET_METRICS_FILE:
		return o->metrics_file;
	case OW_SET_METRICS_LISTEN:
		return o->metrics_listen;
	case OW_SET_KUBE_LOGS:
		return o->kube_logs;
	case OW_SET_KUBE_API:
		return o->kube_api;
	case OW_SET_KUBE_CREDENTIALS:
		return o->kube_credentials;
	case OW_SET_CONFIG:
		return o->config_flag;
	case OW_SET_DRY_RUN:
		return o->dry_run ? "yes" : "no";
	case OW_SET_NO_BPF:
		return o->no_bpf ? "yes" : "no";
	case OW_SET_LOG_FORMAT:
		return o->log_format == OW_LOG_JSON ? "json" : "text";
	case OW_SET_ATTACH:
		return o->attach >= 0 && o->attach < 3 ? attach[o->attach] : "auto";
	case OW_SET_ACTION:
		return o->action == OW_ACTION_RESTART ? "restart" : "signal";
	case OW_SET_BRAKE:
		return o->brake ? "on" : "off";
	case OW_SET_KUBE_DELETE_POD:
		return o->kube_delete_pod ? "on" : "off";
	case OW_SET_IDLE_DETACH:
		return o->idle_detach ? "on" : "off";
	case OW_SET_WARN_SIGNAL:
		return ow_signal_name(o->warn_signal);
	case OW_SET_PRE_STOP_SIGNAL:
		return ow_signal_name(o->pre_stop_signal);
	default:
		*is_word = false;
		return NULL;
	}
}

void ow_option_format(const struct ow_options *o, enum ow_setting s, char *buf, size_t len)
{
	const struct ow_policy_cfg *p = &o->policy;
	bool is_word;
	const char *w = word_of(o, s, &is_word);

	if (is_word) {
		snprintf(buf, len, "%s", w ? w : "");
		return;
	}
	switch (s) {
	case OW_SET_CGROUP:
		return format_list(o->cgroups, o->ncgroups, buf, len);
	case OW_SET_WARN_HORIZON:
		snprintf(buf, len, "%g", p->warn_horizon_s);
		return;
	case OW_SET_ACT_HORIZON:
		snprintf(buf, len, "%g", p->act_horizon_s);
		return;
	case OW_SET_GRACE:
		snprintf(buf, len, "%g", p->grace_s);
		return;
	case OW_SET_PRE_STOP_WAIT:
		snprintf(buf, len, "%g", o->pre_stop_wait_s);
		return;
	case OW_SET_WEBHOOK:
		return format_list(o->webhook_urls, o->nwebhook_urls, buf, len);
	case OW_SET_WEBHOOK_FORMAT:
		return format_list(o->webhook_formats, o->nwebhook_formats, buf, len);
	case OW_SET_METRICS_INTERVAL:
		snprintf(buf, len, "%g", o->metrics_interval_s);
		return;
	case OW_SET_BPF_MAX_PROCESSES:
		snprintf(buf, len, "%u", o->bpf_max_processes);
		return;
	case OW_SET_VERBOSE:
		snprintf(buf, len, "%d", o->verbose);
		return;
	default:
		buf[0] = '\0';
	}
}
