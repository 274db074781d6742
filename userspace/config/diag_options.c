// SPDX-License-Identifier: GPL-2.0
/* `oomwarden diagnose` arguments: see userspace/config/diag_options.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag_options.h"

enum {
	OPT_PID = 256,
	OPT_CGROUP,
	OPT_UNIT,
	OPT_DURATION,
	OPT_STACKS,
	OPT_TOP,
	OPT_JSON,
	OPT_ATTACH,
};

static const struct option diag_opts[] = {
	{"pid", required_argument, NULL, OPT_PID},
	{"cgroup", required_argument, NULL, OPT_CGROUP},
	{"unit", required_argument, NULL, OPT_UNIT},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"stacks", no_argument, NULL, OPT_STACKS},
	{"top", required_argument, NULL, OPT_TOP},
	{"json", no_argument, NULL, OPT_JSON},
	{"attach", required_argument, NULL, OPT_ATTACH},
	{"help", no_argument, NULL, 'h'},
	{0},
};

const struct option *ow_diag_options_table(void)
{
	return diag_opts;
}

static int bad(char *err, size_t errlen, const char *flag, const char *arg, const char *what)
{
	snprintf(err, errlen, "invalid value for %s: '%s' (%s)", flag, arg, what);
	return -EINVAL;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_one(int c, const char *arg, struct ow_diag_options *d, char *err, size_t errlen)
{
	static const char *const modes[] = {"tp_btf", "raw_tp", "tracepoint"};
	char *end;
	long v;
	int i;

	switch (c) {
	case OPT_PID:
		if (parse_long(arg, 1, INT_MAX, &v))
			return bad(err, errlen, "--pid", arg, "a process id");
		d->pid = (pid_t)v;
		return 0;
	case OPT_CGROUP:
		if (!*arg)
			return bad(err, errlen, "--cgroup", arg, "a cgroup path");
		d->cgroup = arg;
		return 0;
	case OPT_UNIT:
		if (!*arg || strchr(arg, '/'))
			return bad(err, errlen, "--unit", arg, "a unit name like api.service");
		d->unit = arg;
		return 0;
	case OPT_DURATION:
		d->duration_s = strtod(arg, &end);
		if (end == arg || *end || !isfinite(d->duration_s) || d->duration_s < 1 ||
		    d->duration_s > 86400)
			return bad(err, errlen, "--duration", arg, "seconds, 1 to 86400");
		return 0;
	case OPT_TOP:
		if (parse_long(arg, 1, 100, &v))
			return bad(err, errlen, "--top", arg, "1 to 100");
		d->top = (unsigned int)v;
		return 0;
	case OPT_STACKS:
		d->stacks = true;
		return 0;
	case OPT_JSON:
		d->json = true;
		return 0;
	case OPT_ATTACH:
		for (i = 0; i < 3; i++)
			if (!strcmp(arg, modes[i]))
				d->attach = i;
		if (d->attach < 0)
			return bad(err, errlen, "--attach", arg, "tp_btf, raw_tp or tracepoint");
		return 0;
	}
	return -EINVAL;
}

int ow_diag_options_parse(int argc, char **argv, struct ow_diag_options *d, char *err,
			  size_t errlen)
{
	int c, ntargets;

	memset(d, 0, sizeof(*d));
	d->duration_s = OW_DIAG_DEFAULT_DURATION;
	d->top = OW_DIAG_DEFAULT_TOP;
	d->attach = -1;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", diag_opts, NULL)) != -1) {
		if (c == 'h')
			return 1;
		if (c == '?' || c == ':') {
			snprintf(err, errlen,
				 "diagnose: unknown option or missing value: '%s' (try "
				 "oomwarden diagnose --help)",
				 argv[optind - 1]);
			return -EINVAL;
		}
		if (parse_one(c, optarg, d, err, errlen))
			return -EINVAL;
	}
	if (optind < argc) {
		snprintf(err, errlen, "diagnose: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	ntargets = !!d->pid + !!d->cgroup + !!d->unit;
	if (ntargets != 1) {
		snprintf(err, errlen,
			 "diagnose needs exactly one target: --pid, --cgroup or --unit");
		return -EINVAL;
	}
	return 0;
}
