// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing: see include/options.h. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

const char ow_usage_text[] =
	"Usage: oomwarden COMMAND [OPTIONS]\n"
	"\n"
	"Predicts time-to-OOM per memory cgroup from kernel events and stops the leaking process\n"
	"gracefully (SIGTERM, then SIGKILL) before the kernel OOM killer has to.\n"
	"\n"
	"Commands:\n"
	"  run       watch memory cgroups and act (the daemon; runs in the foreground)\n"
	"  status    print a table of cgroups: name, usage, limit, rate, ETA\n"
	"  alert-test  send one test alert to each --webhook and print its HTTP status\n"
	"\n"
	"Options for run:\n"
	"  --cgroup PATH        watch only the subtree of this cgroup directory (repeatable;\n"
	"                       default: every cgroup)\n"
	"  --dry-run            decide and log, but signal nothing\n"
	"  --warn-horizon S     warn when OOM is predicted within S seconds (default 120)\n"
	"  --act-horizon S      act when OOM is predicted within S seconds (default 10)\n"
	"  --grace S            seconds between SIGTERM and SIGKILL (default 10; shortened when\n"
	"                       the OOM is predicted sooner)\n"
	"  --protect REGEX      never signal processes whose name or command line matches\n"
	"  --prefer REGEX       prefer these processes as victims\n"
	"  --webhook URL        POST alerts (warn, act, escalate, resolved, kernel OOM kills)\n"
	"                       to URL (repeatable)\n"
	"  --webhook-format F   json, slack, discord, ntfy, teams, gotify, pagerduty or\n"
	"                       alertmanager, paired in order with --webhook (default json)\n"
	"  --log-format F       text (default) or json (one object a line)\n"
	"  --metrics-file PATH  write Prometheus metrics to PATH (atomically: for node_exporter's\n"
	"                       textfile collector; name it *.prom)\n"
	"  --metrics-interval S rewrite the metrics file every S seconds (default 5, 1 to 3600)\n"
	"  --metrics-listen A:P serve the metrics on http://A:P/metrics; A is a loopback\n"
	"                       address (127.0.0.1, [::1], localhost)\n"
	"  --no-bpf             do not load BPF: sample cgroup files (degraded mode)\n"
	"  --attach MODE        tp_btf, raw_tp or tracepoint: only this BPF attach mode\n"
	"                       (default: the first of them that works)\n"
	"  -v, --verbose        log more (repeat for debug)\n"
	"  -h, --help           show this help\n"
	"  -V, --version        show the version\n";

enum {
	OPT_CGROUP = 256,
	OPT_DRY_RUN,
	OPT_WARN,
	OPT_ACT,
	OPT_GRACE,
	OPT_PROTECT,
	OPT_PREFER,
	OPT_LOG_FORMAT,
	OPT_NO_BPF,
	OPT_ATTACH,
	OPT_WEBHOOK,
	OPT_WEBHOOK_FORMAT,
	OPT_METRICS_FILE,
	OPT_METRICS_INTERVAL,
	OPT_METRICS_LISTEN,
};

static const struct option long_opts[] = {
	{"cgroup", required_argument, NULL, OPT_CGROUP},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"warn-horizon", required_argument, NULL, OPT_WARN},
	{"act-horizon", required_argument, NULL, OPT_ACT},
	{"grace", required_argument, NULL, OPT_GRACE},
	{"protect", required_argument, NULL, OPT_PROTECT},
	{"prefer", required_argument, NULL, OPT_PREFER},
	{"log-format", required_argument, NULL, OPT_LOG_FORMAT},
	{"no-bpf", no_argument, NULL, OPT_NO_BPF},
	{"attach", required_argument, NULL, OPT_ATTACH},
	{"webhook", required_argument, NULL, OPT_WEBHOOK},
	{"webhook-format", required_argument, NULL, OPT_WEBHOOK_FORMAT},
	{"metrics-file", required_argument, NULL, OPT_METRICS_FILE},
	{"metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL},
	{"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{0},
};

static int fail(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	snprintf(err, errlen, fmt, a, b);
	return -EINVAL;
}

/* Seconds: a finite number, >= 0, at most a day. */
static int parse_seconds(const char *flag, const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 86400)
		return fail(err, errlen, "invalid value for %s: '%s' (seconds, 0 to 86400)", flag,
			    s);
	*out = v;
	return 0;
}

/* A repeated flag replaces the earlier regex; `*src` stays NULL unless `re` is compiled. */
static int set_regex(const char *flag, const char *arg, const char **src, regex_t *re, char *err,
		     size_t errlen)
{
	if (*src)
		regfree(re);
	*src = NULL;
	if (regcomp(re, arg, REG_EXTENDED | REG_NOSUB))
		return fail(err, errlen, "invalid regular expression for %s: '%s'", flag, arg);
	*src = arg;
	return 0;
}

static int parse_attach(const char *arg, struct ow_options *o, char *err, size_t errlen)
{
	static const char *const modes[] = {"tp_btf", "raw_tp", "tracepoint"};
	int i;

	for (i = 0; i < 3; i++) {
		if (!strcmp(arg, modes[i])) {
			o->attach = i;
			return 0;
		}
	}
	return fail(err, errlen,
		    "invalid value for --attach: '%s' (tp_btf, raw_tp or tracepoint)%s", arg, "");
}

static int add_webhook_word(bool url, const char *arg, struct ow_options *o, char *err,
			    size_t errlen)
{
	unsigned int *n = url ? &o->nwebhook_urls : &o->nwebhook_formats;

	if (*n == OW_MAX_WEBHOOKS)
		return fail(err, errlen, "too many %s flags (at most 16)%s",
			    url ? "--webhook" : "--webhook-format", "");
	if (url)
		o->webhook_urls[(*n)++] = arg;
	else
		o->webhook_formats[(*n)++] = arg;
	return 0;
}

static int parse_metrics_flag(int c, const char *arg, struct ow_options *o, char *err,
			      size_t errlen)
{
	switch (c) {
	case OPT_METRICS_FILE:
		/* The temporary file goes next to it: a directory alone cannot be renamed over. */
		if (!*arg || arg[strlen(arg) - 1] == '/')
			return fail(err, errlen,
				    "invalid value for --metrics-file: '%s' (a file)%s", arg, "");
		o->metrics_file = arg;
		return 0;
	case OPT_METRICS_INTERVAL:
		if (parse_seconds("--metrics-interval", arg, &o->metrics_interval_s, err, errlen))
			return -EINVAL;
		if (o->metrics_interval_s < 1 || o->metrics_interval_s > 3600)
			return fail(err, errlen,
				    "invalid value for --metrics-interval: '%s' (seconds, 1 to "
				    "3600)%s",
				    arg, "");
		return 0;
	case OPT_METRICS_LISTEN:
		o->metrics_listen = arg;
		return ow_listen_addr_parse(arg, &o->metrics_addr, err, errlen);
	}
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
		return fail(err, errlen, "unknown command '%s' (try --help)%s", word, "");
	return 0;
}

static int parse_flag(int c, const char *arg, struct ow_options *o, char *err, size_t errlen)
{
	switch (c) {
	case OPT_CGROUP:
		if (o->ncgroups == OW_MAX_CGROUP_ARGS)
			return fail(err, errlen, "too many --cgroup flags (at most 64)%s%s", "",
				    "");
		if (!*arg)
			return fail(err, errlen, "invalid value for --cgroup: '%s'%s", arg, "");
		o->cgroups[o->ncgroups++] = arg;
		return 0;
	case OPT_DRY_RUN:
		o->dry_run = true;
		return 0;
	case OPT_NO_BPF:
		o->no_bpf = true;
		return 0;
	case OPT_ATTACH:
		return parse_attach(arg, o, err, errlen);
	case OPT_WEBHOOK:
	case OPT_WEBHOOK_FORMAT:
		return add_webhook_word(c == OPT_WEBHOOK, arg, o, err, errlen);
	case OPT_METRICS_FILE:
	case OPT_METRICS_INTERVAL:
	case OPT_METRICS_LISTEN:
		return parse_metrics_flag(c, arg, o, err, errlen);
	case OPT_WARN:
		return parse_seconds("--warn-horizon", arg, &o->policy.warn_horizon_s, err, errlen);
	case OPT_ACT:
		return parse_seconds("--act-horizon", arg, &o->policy.act_horizon_s, err, errlen);
	case OPT_GRACE:
		return parse_seconds("--grace", arg, &o->policy.grace_s, err, errlen);
	case OPT_PROTECT:
		return set_regex("--protect", arg, &o->protect, &o->protect_re, err, errlen);
	case OPT_PREFER:
		return set_regex("--prefer", arg, &o->prefer, &o->prefer_re, err, errlen);
	case OPT_LOG_FORMAT:
		if (!strcmp(arg, "text"))
			o->log_format = OW_LOG_TEXT;
		else if (!strcmp(arg, "json"))
			o->log_format = OW_LOG_JSON;
		else
			return fail(err, errlen,
				    "invalid value for --log-format: '%s' (text or json)%s", arg,
				    "");
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	case 'h':
		o->cmd = OW_CMD_HELP;
		return 0;
	case 'V':
		o->cmd = OW_CMD_VERSION;
		return 0;
	}
	return -EINVAL;
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

static int parse_webhooks(struct ow_options *o, char *err, size_t errlen)
{
	int n;

	if (!o->nwebhook_urls && !o->nwebhook_formats) {
		if (o->cmd == OW_CMD_ALERT_TEST)
			return fail(err, errlen, "alert-test needs at least one --webhook URL%s%s",
				    "", "");
		return 0;
	}
	n = ow_webhook_targets_parse(o->webhook_urls, o->nwebhook_urls, o->webhook_formats,
				     o->nwebhook_formats, o->targets, OW_MAX_WEBHOOKS, err, errlen);
	if (n < 0)
		return -EINVAL;
	o->ntargets = (unsigned int)n;
	return 0;
}

int ow_options_parse(int argc, char **argv, struct ow_options *o, char *err, size_t errlen)
{
	bool help = false, version = false, has_cmd;
	int c;

	memset(o, 0, sizeof(*o));
	ow_policy_defaults(&o->policy);
	o->cmd = OW_CMD_HELP;
	o->attach = -1;
	o->metrics_interval_s = 5;
	if (argc < 2)
		return fail(err, errlen, "missing command: run or status (try --help)%s%s", "", "");
	has_cmd = argv[1][0] != '-';
	if (has_cmd && parse_command(argv[1], o, err, errlen))
		return -EINVAL;
	if (has_cmd) {
		/* Let getopt see the command as its argv[0]. */
		argc--;
		argv++;
	}
	opterr = 0;
	optind = 0; /* 0, not 1: glibc then resets all of its state (tests parse many lines) */
	while ((c = getopt_long(argc, argv, "+vhV", long_opts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			unknown_flag(argv, err, errlen);
			return -EINVAL;
		}
		if (parse_flag(c, optarg, o, err, errlen))
			return -EINVAL;
		help |= c == 'h';
		version |= c == 'V';
	}
	/* --help and --version win wherever they stand, even before the command. */
	if (optind < argc && !help && !version)
		return fail(err, errlen, "unexpected argument '%s' (try --help)%s", argv[optind],
			    "");
	if (help)
		o->cmd = OW_CMD_HELP;
	else if (version)
		o->cmd = OW_CMD_VERSION;
	else if (!has_cmd)
		return fail(err, errlen, "missing command: run or status (try --help)%s%s", "", "");
	if (o->policy.act_horizon_s > o->policy.warn_horizon_s)
		return fail(err, errlen, "--act-horizon must not exceed --warn-horizon%s%s", "",
			    "");
	return parse_webhooks(o, err, errlen);
}

void ow_options_free(struct ow_options *o)
{
	if (o->protect)
		regfree(&o->protect_re);
	if (o->prefer)
		regfree(&o->prefer_re);
	o->protect = o->prefer = NULL;
}
