// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/config/options.c. ow_options_parse is called many times in this one
 * process (it resets getopt each time), and ow_options_free after each. Every error must be
 * one line that names the flag or value at fault.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kube_api.h"
#include "options.h"

static struct ow_options o;
static char err[256];

/* Parse "oomwarden ARGS..." (a NULL-terminated array). */
static int parse_argv(char **args)
{
	int argc = 0;

	while (args[argc])
		argc++;
	memset(err, 0, sizeof(err));
	return ow_options_parse(argc, args, &o, err, sizeof(err));
}

#define PARSE(...) parse_argv((char *[]){"oomwarden", __VA_ARGS__, NULL})

static int teardown(void **state)
{
	ow_options_free(&o);
	return 0;
}

/* The parse failed with one line that contains each of the given strings. */
static void expect_error(int rc, const char *a, const char *b)
{
	if (rc != -EINVAL)
		print_message("rc %d, err '%s'\n", rc, err);
	assert_int_equal(rc, -EINVAL);
	assert_true(err[0] != '\0');
	assert_null(strchr(err, '\n'));
	if (a && !strstr(err, a))
		fail_msg("error '%s' does not name '%s'", err, a);
	if (b && !strstr(err, b))
		fail_msg("error '%s' does not name '%s'", err, b);
	ow_options_free(&o);
}

/* ---- success paths ---- */

static void test_defaults(void **state)
{
	struct ow_policy_cfg def;

	ow_policy_defaults(&def);
	assert_int_equal(PARSE("run"), 0);
	assert_int_equal(o.cmd, OW_CMD_RUN);
	assert_int_equal(o.ncgroups, 0);
	assert_false(o.dry_run);
	assert_false(o.no_bpf);
	assert_null(o.protect);
	assert_null(o.prefer);
	assert_int_equal(o.log_format, OW_LOG_TEXT);
	assert_int_equal(o.verbose, 0);
	assert_memory_equal(&o.policy, &def, sizeof(def));
	ow_options_free(&o);

	assert_int_equal(PARSE("status"), 0);
	assert_int_equal(o.cmd, OW_CMD_STATUS);
	ow_options_free(&o);
	assert_int_equal(PARSE("help"), 0);
	assert_int_equal(o.cmd, OW_CMD_HELP);
	ow_options_free(&o);
}

static void test_every_flag(void **state)
{
	assert_int_equal(PARSE("run", "--cgroup", "/sys/fs/cgroup/memory/a", "--dry-run",
			       "--no-bpf", "--warn-horizon", "60", "--act-horizon", "5", "--grace",
			       "2.5", "--protect", "^(sshd|postgres)$", "--prefer", "worker",
			       "--log-format", "json", "-v", "--verbose"),
			 0);
	assert_int_equal(o.cmd, OW_CMD_RUN);
	assert_int_equal(o.ncgroups, 1);
	assert_string_equal(o.cgroups[0], "/sys/fs/cgroup/memory/a");
	assert_true(o.dry_run);
	assert_true(o.no_bpf);
	assert_true(o.policy.warn_horizon_s == 60);
	assert_true(o.policy.act_horizon_s == 5);
	assert_true(o.policy.grace_s == 2.5);
	assert_string_equal(o.protect, "^(sshd|postgres)$");
	assert_string_equal(o.prefer, "worker");
	assert_int_equal(regexec(&o.protect_re, "sshd", 0, NULL, 0), 0);
	assert_int_equal(regexec(&o.protect_re, "postgres", 0, NULL, 0), 0);
	assert_int_equal(regexec(&o.protect_re, "nginx", 0, NULL, 0), REG_NOMATCH);
	assert_int_equal(regexec(&o.prefer_re, "node queue-worker.js", 0, NULL, 0), 0);
	assert_int_equal(regexec(&o.prefer_re, "nginx", 0, NULL, 0), REG_NOMATCH);
	assert_int_equal(o.log_format, OW_LOG_JSON);
	assert_int_equal(o.verbose, 2);
	/* untouched policy fields keep their defaults */
	assert_true(o.policy.high_water == 0.90);
	assert_true(o.policy.act_min_span_s == 20);
	ow_options_free(&o);
	assert_null(o.protect);
	assert_null(o.prefer);
}

static void test_equals_form_and_log_format_text(void **state)
{
	assert_int_equal(PARSE("run", "--grace=0", "--warn-horizon=86400", "--act-horizon=0.5",
			       "--log-format=text", "--cgroup=/x"),
			 0);
	assert_true(o.policy.grace_s == 0);
	assert_true(o.policy.warn_horizon_s == 86400);
	assert_true(o.policy.act_horizon_s == 0.5);
	assert_int_equal(o.log_format, OW_LOG_TEXT);
	assert_int_equal(o.ncgroups, 1);
	assert_string_equal(o.cgroups[0], "/x");
	ow_options_free(&o);
}

static void test_repeated_cgroup(void **state)
{
	assert_int_equal(
		PARSE("run", "--cgroup", "/a", "--cgroup", "/b", "--dry-run", "--cgroup", "/c"), 0);
	assert_int_equal(o.ncgroups, 3);
	assert_string_equal(o.cgroups[0], "/a");
	assert_string_equal(o.cgroups[1], "/b");
	assert_string_equal(o.cgroups[2], "/c");
	ow_options_free(&o);
}

static void test_too_many_cgroups(void **state)
{
	char *args[2 + 2 * (OW_MAX_CGROUP_ARGS + 1) + 1];
	int i, n = 0;

	args[n++] = "oomwarden";
	args[n++] = "run";
	for (i = 0; i < OW_MAX_CGROUP_ARGS; i++) {
		args[n++] = "--cgroup";
		args[n++] = "/a";
	}
	args[n] = NULL;
	assert_int_equal(parse_argv(args), 0);
	assert_int_equal(o.ncgroups, OW_MAX_CGROUP_ARGS);
	ow_options_free(&o);
	args[n++] = "--cgroup";
	args[n++] = "/one-too-many";
	args[n] = NULL;
	expect_error(parse_argv(args), "--cgroup", NULL);
}

static void test_repeated_regex_last_wins(void **state)
{
	assert_int_equal(PARSE("run", "--protect", "a", "--protect", "^b$", "--prefer", "x",
			       "--prefer", "y"),
			 0);
	assert_string_equal(o.protect, "^b$");
	assert_int_equal(regexec(&o.protect_re, "b", 0, NULL, 0), 0);
	assert_int_equal(regexec(&o.protect_re, "a", 0, NULL, 0), REG_NOMATCH);
	assert_string_equal(o.prefer, "y");
	ow_options_free(&o);
}

static void test_help_and_version_anywhere(void **state)
{
	assert_int_equal(PARSE("--help"), 0);
	assert_int_equal(o.cmd, OW_CMD_HELP);
	ow_options_free(&o);
	assert_int_equal(PARSE("-h"), 0);
	assert_int_equal(o.cmd, OW_CMD_HELP);
	ow_options_free(&o);
	assert_int_equal(PARSE("--version"), 0);
	assert_int_equal(o.cmd, OW_CMD_VERSION);
	ow_options_free(&o);
	assert_int_equal(PARSE("-V"), 0);
	assert_int_equal(o.cmd, OW_CMD_VERSION);
	ow_options_free(&o);
	assert_int_equal(PARSE("run", "--help"), 0);
	assert_int_equal(o.cmd, OW_CMD_HELP);
	ow_options_free(&o);
	assert_int_equal(PARSE("status", "-V"), 0);
	assert_int_equal(o.cmd, OW_CMD_VERSION);
	ow_options_free(&o);
	assert_int_equal(PARSE("run", "--cgroup", "/a", "--dry-run", "--version"), 0);
	assert_int_equal(o.cmd, OW_CMD_VERSION);
	ow_options_free(&o);
	/* --help wins over --version, in either order */
	assert_int_equal(PARSE("run", "--version", "--help"), 0);
	assert_int_equal(o.cmd, OW_CMD_HELP);
	ow_options_free(&o);
	assert_int_equal(PARSE("-h", "-V"), 0);
	assert_int_equal(o.cmd, OW_CMD_HELP);
	ow_options_free(&o);
	/* help needs no command, even with other flags */
	assert_int_equal(PARSE("--dry-run", "--help"), 0);
	assert_int_equal(o.cmd, OW_CMD_HELP);
	ow_options_free(&o);
}

static void test_help_and_version_before_the_command(void **state)
{
	/* `oomwarden --help run` and `oomwarden --version status` */
	int rc = PARSE("--help", "run");

	if (rc)
		fail_msg("'oomwarden --help run' failed: %s", err);
	assert_int_equal(o.cmd, OW_CMD_HELP);
	ow_options_free(&o);
	rc = PARSE("--version", "status");
	if (rc)
		fail_msg("'oomwarden --version status' failed: %s", err);
	assert_int_equal(o.cmd, OW_CMD_VERSION);
	ow_options_free(&o);
}

static void test_act_equal_to_warn_accepted(void **state)
{
	assert_int_equal(PARSE("run", "--warn-horizon", "30", "--act-horizon", "30"), 0);
	ow_options_free(&o);
	/* the check is done after all flags: the order does not matter */
	assert_int_equal(PARSE("run", "--act-horizon", "30", "--warn-horizon", "40"), 0);
	assert_true(o.policy.act_horizon_s == 30);
	assert_true(o.policy.warn_horizon_s == 40);
	ow_options_free(&o);
}

/* ---- errors ---- */

static void test_bad_numbers(void **state)
{
	static const char *const flags[] = {"--warn-horizon", "--act-horizon", "--grace"};
	static const char *const bad[] = {"abc", "-1",	"1e9",	 "nan",	 "",
					  "inf", "10s", "86401", "-0.5", "1e400"};
	unsigned int i, j;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
			int rc = PARSE("run", (char *)flags[i], (char *)bad[j]);

			if (rc != -EINVAL)
				fail_msg("%s '%s' accepted", flags[i], bad[j]);
			expect_error(rc, flags[i], NULL);
			/* the value is quoted, so even "" is visible */
			{
				char quoted[64];

				snprintf(quoted, sizeof(quoted), "'%s'", bad[j]);
				expect_error(rc, quoted, NULL);
			}
		}
	}
	/* the equals form too */
	expect_error(PARSE("run", "--grace=abc"), "--grace", "'abc'");
	expect_error(PARSE("run", "--grace="), "--grace", "''");
}

static void test_bad_cgroup_value(void **state)
{
	expect_error(PARSE("run", "--cgroup", ""), "--cgroup", NULL);
}

static void test_bad_regex(void **state)
{
	int rc;

	expect_error(PARSE("run", "--protect", "("), "--protect", "'('");
	expect_error(PARSE("run", "--prefer", "[a-"), "--prefer", "'[a-'");
	expect_error(PARSE("run", "--protect", "ok", "--prefer", "a{2"), "--prefer", "'a{2'");
	/* a bad second --protect frees the first and leaves nothing compiled behind */
	rc = PARSE("run", "--protect", "ok", "--protect", "(");
	assert_null(o.protect);
	expect_error(rc, "--protect", "'('");
}

/* regcomp copies each repetition: these would take from megabytes to gigabytes (fuzz_config). */
static void test_costly_regex(void **state)
{
	expect_error(PARSE("run", "--protect", "((a{20}){20}){20}"), "--protect", "complex");
	expect_error(PARSE("run", "--prefer", "on+++++++++++++++"), "--prefer", "complex");
	expect_error(PARSE("run", "--protect", "x{99999}"), "--protect", "complex");
	/* stacked quantifiers: regcomp's epsilon closures grow 4x per '+' (10 s at 15) */
	expect_error(PARSE("run", "--protect", "r+++*++++++++k"), "--protect", "complex");
	expect_error(PARSE("run", "--protect", "r+*+++k"), "--protect", "complex");
	/* a class name cut at the end: the estimate must not read past it (ASan) */
	expect_error(PARSE("run", "--protect", "[[:a:"), "--protect", NULL);
	assert_int_equal(PARSE("run", "--protect", "^(sshd|postgres|[[:alpha:]]{1,64})+$",
			       "--prefer", "(a{20}){20}"),
			 0);
	assert_int_equal(regexec(&o.protect_re, "sshd", 0, NULL, 0), 0);
}

static void test_bad_log_format(void **state)
{
	expect_error(PARSE("run", "--log-format", "xml"), "--log-format", "'xml'");
	expect_error(PARSE("run", "--log-format", "JSON"), "--log-format", "'JSON'");
	expect_error(PARSE("run", "--log-format", ""), "--log-format", NULL);
}

static void test_action(void **state)
{
	assert_int_equal(PARSE("run"), 0);
	assert_int_equal(o.action, OW_ACTION_SIGNAL); /* the default */
	ow_options_free(&o);
	assert_int_equal(PARSE("run", "--action", "restart"), 0);
	assert_int_equal(o.action, OW_ACTION_RESTART);
	ow_options_free(&o);
	assert_int_equal(PARSE("run", "--action=restart", "--action", "signal"), 0);
	assert_int_equal(o.action, OW_ACTION_SIGNAL); /* the last one wins */
	ow_options_free(&o);
	expect_error(PARSE("run", "--action", "reboot"), "--action", "'reboot'");
	expect_error(PARSE("run", "--action"), "--action", NULL);
}

static void test_unknown_flag(void **state)
{
	expect_error(PARSE("run", "--bogus"), "--bogus", NULL);
	expect_error(PARSE("run", "--dry-run", "--frobnicate=3"), "--frobnicate", NULL);
	expect_error(PARSE("run", "-x"), "-x", NULL);
	expect_error(PARSE("run", "-vq"), "-q", NULL);
	expect_error(PARSE("status", "--dry-run=yes"), "--dry-run", NULL);
	/* after an unknown short flag, an unknown long one is still named right */
	expect_error(PARSE("run", "-x"), "-x", NULL);
	expect_error(PARSE("run", "--nope"), "--nope", NULL);
}

static void test_flag_without_value_taking_one(void **state)
{
	/* `--verbose=3`: the flag takes no value */
	expect_error(PARSE("run", "--verbose=3"), "--verbose", NULL);
}

static void test_missing_value(void **state)
{
	expect_error(PARSE("run", "--grace"), "--grace", NULL);
	expect_error(PARSE("run", "--dry-run", "--cgroup"), "--cgroup", NULL);
	expect_error(PARSE("run", "--protect"), "--protect", NULL);
	expect_error(PARSE("run", "--log-format"), "--log-format", NULL);
	expect_error(PARSE("run", "--warn-horizon"), "--warn-horizon", NULL);
	/* a value that looks like a flag is taken as the value, and judged as one */
	expect_error(PARSE("run", "--grace", "--dry-run"), "--grace", "'--dry-run'");
}

static void test_unknown_command(void **state)
{
	expect_error(PARSE("frobnicate"), "'frobnicate'", NULL);
	expect_error(PARSE("runn", "--dry-run"), "'runn'", NULL);
	expect_error(PARSE("run", "extra"), "'extra'", NULL);
	expect_error(PARSE("run", "--dry-run", "status"), "'status'", NULL);
}

static void test_missing_command(void **state)
{
	char *none[] = {"oomwarden", NULL};

	expect_error(parse_argv(none), "command", NULL);
	expect_error(ow_options_parse(0, none, &o, err, sizeof(err)), "command", NULL);
	expect_error(PARSE("--dry-run"), "command", NULL);
	expect_error(PARSE("--cgroup", "/a", "-v"), "command", NULL);
}

static void test_act_beyond_warn_rejected(void **state)
{
	expect_error(PARSE("run", "--act-horizon", "200"), "--act-horizon", "--warn-horizon");
	expect_error(PARSE("run", "--warn-horizon", "5"), "--act-horizon", "--warn-horizon");
	expect_error(PARSE("run", "--warn-horizon", "20", "--act-horizon", "20.5"), "--act-horizon",
		     NULL);
}

static void test_error_fits_a_small_buffer(void **state)
{
	char small[16];
	char *args[] = {"oomwarden", "run", "--grace", "abcdefghijklmnopqrstuvwxyz", NULL};

	memset(small, 'X', sizeof(small));
	assert_int_equal(ow_options_parse(4, args, &o, small, sizeof(small)), -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	ow_options_free(&o);
}

static void test_many_parses_in_one_process(void **state)
{
	int i;

	/* alternate failures (which stop getopt half-way) and successes */
	for (i = 0; i < 200; i++) {
		expect_error(PARSE("run", "-v", "--bogus", "--dry-run"), "--bogus", NULL);
		expect_error(PARSE("run", "-vz"), "-z", NULL);
		assert_int_equal(PARSE("run", "-v", "--cgroup", "/a", "--protect", "x+"), 0);
		assert_int_equal(o.verbose, 1);
		assert_int_equal(o.ncgroups, 1);
		assert_false(o.dry_run);
		ow_options_free(&o);
		assert_int_equal(PARSE("status", "-vv"), 0);
		assert_int_equal(o.cmd, OW_CMD_STATUS);
		assert_int_equal(o.verbose, 2);
		ow_options_free(&o);
	}
}

static void test_usage_text_lists_every_flag(void **state)
{
	static const char *const words[] = {
		"run",
		"status",
		"--cgroup",
		"--dry-run",
		"--warn-horizon",
		"--act-horizon",
		"--grace",
		"--protect",
		"--prefer",
		"--log-format",
		"--no-bpf",
		"--verbose",
		"--help",
		"--version",
		"--metrics-file",
		"--metrics-interval",
		"--metrics-listen",
		"--bpf-max-processes",
	};
	unsigned int i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strstr(ow_usage_text, words[i]))
			fail_msg("usage text lacks %s", words[i]);
}

/* ---- metrics ---- */

static void test_metrics_defaults(void **state)
{
	assert_int_equal(PARSE("run"), 0);
	assert_null(o.metrics_file);
	assert_null(o.metrics_listen);
	assert_true(o.metrics_interval_s == 5);
}

static void test_metrics_flags(void **state)
{
	const struct sockaddr_in *a = (const struct sockaddr_in *)&o.metrics_addr.ss;

	assert_int_equal(PARSE("run", "--metrics-file", "/var/lib/node_exporter/oomwarden.prom",
			       "--metrics-interval=1.5", "--metrics-listen", "127.0.0.1:9633"),
			 0);
	assert_string_equal(o.metrics_file, "/var/lib/node_exporter/oomwarden.prom");
	assert_true(o.metrics_interval_s == 1.5);
	assert_string_equal(o.metrics_listen, "127.0.0.1:9633");
	assert_int_equal(a->sin_family, AF_INET);
	assert_int_equal(ntohs(a->sin_port), 9633);
	assert_int_equal(ntohl(a->sin_addr.s_addr), 0x7f000001);
}

static void test_metrics_bad_values(void **state)
{
	expect_error(PARSE("run", "--metrics-file", ""), "--metrics-file", NULL);
	expect_error(PARSE("run", "--metrics-file", "/var/lib/"), "--metrics-file", "/var/lib/");
	expect_error(PARSE("run", "--metrics-interval", "0.5"), "--metrics-interval", "0.5");
	expect_error(PARSE("run", "--metrics-interval", "3601"), "--metrics-interval", "3601");
	expect_error(PARSE("run", "--metrics-interval", "x"), "--metrics-interval", "'x'");
	expect_error(PARSE("run", "--metrics-listen", "0.0.0.0:9633"), "--metrics-listen",
		     "loopback");
	expect_error(PARSE("run", "--metrics-listen", "9633"), "--metrics-listen", "PORT");
	expect_error(PARSE("run", "--metrics-listen", "127.0.0.1:0"), "--metrics-listen", "PORT");
	expect_error(PARSE("run", "--metrics-file"), "--metrics-file", NULL);
}

/* --kube-api: a base https URL, or in-cluster from the pod's environment; the Events' target
 * comes after the webhooks with DIR/token. */
static void test_kube_api_target(void **state)
{
	struct ow_webhook_target t;
	char e[256];

	assert_int_equal(ow_kube_api_target("in-cluster", "10.96.0.1", "443", "/var/run/s", &t, e,
					    sizeof(e)),
			 0);
	assert_int_equal(t.fmt, OW_FMT_KUBE_EVENTS);
	assert_string_equal(t.url, "https://10.96.0.1:443");
	assert_string_equal(t.token_file, "/var/run/s/token");
	assert_int_equal(
		ow_kube_api_target("in-cluster", "fd00::1", "6443", "/d", &t, e, sizeof(e)), 0);
	assert_string_equal(t.url, "https://[fd00::1]:6443");
	assert_int_equal(
		ow_kube_api_target("https://api.example:6443", NULL, NULL, "/d", &t, e, sizeof(e)),
		0);
	assert_int_equal(ow_kube_api_target("in-cluster", NULL, "443", "/d", &t, e, sizeof(e)),
			 -EINVAL);
	assert_non_null(strstr(e, "not in a pod"));
	assert_int_equal(ow_kube_api_target("http://api:6443", NULL, NULL, "/d", &t, e, sizeof(e)),
			 -EINVAL);
	assert_non_null(strstr(e, "--kube-api"));
	assert_int_equal(
		ow_kube_api_target("https://api:6443/x", NULL, NULL, "/d", &t, e, sizeof(e)),
		-EINVAL);
	assert_int_equal(
		ow_kube_api_target("https://u@api:6443", NULL, NULL, "/d", &t, e, sizeof(e)),
		-EINVAL);
	assert_int_equal(ow_kube_api_target("https://", NULL, NULL, "/d", &t, e, sizeof(e)),
			 -EINVAL);
	/* the parsed options: after a webhook, for run only */
	assert_int_equal(PARSE("run", "--webhook", "http://127.0.0.1:9/x", "--kube-api",
			       "https://127.0.0.1:6443", "--kube-credentials", "/k"),
			 0);
	assert_int_equal(o.ntargets, 2);
	assert_int_equal(o.targets[1].fmt, OW_FMT_KUBE_EVENTS);
	assert_string_equal(o.targets[1].token_file, "/k/token");
	expect_error(PARSE("run", "--kube-credentials", "k"), "--kube-credentials", "absolute");
	expect_error(PARSE("run", "--webhook-format", "kubernetes"), "--webhook-format",
		     "kubernetes");
}

static void test_kube_logs(void **state)
{
	assert_int_equal(PARSE("run"), 0);
	assert_string_equal(o.kube_logs, "/var/log");
	assert_int_equal(PARSE("run", "--kube-logs", "/host/var/log"), 0);
	assert_string_equal(o.kube_logs, "/host/var/log");
	expect_error(PARSE("run", "--kube-logs", "var/log"), "--kube-logs", "absolute");
	expect_error(PARSE("run", "--kube-logs", ""), "--kube-logs", "absolute");
}

/* ---- the BPF process map ---- */

static void test_bpf_max_processes(void **state)
{
	assert_int_equal(PARSE("run"), 0);
	assert_int_equal(o.bpf_max_processes, 65536);
	assert_int_equal(PARSE("run", "--bpf-max-processes", "64"), 0);
	assert_int_equal(o.bpf_max_processes, 64);
	assert_int_equal(PARSE("run", "--bpf-max-processes=4194304"), 0);
	assert_int_equal(o.bpf_max_processes, 4194304);
	expect_error(PARSE("run", "--bpf-max-processes", "63"), "--bpf-max-processes", "'63'");
	expect_error(PARSE("run", "--bpf-max-processes", "4194305"), "--bpf-max-processes",
		     "64 to 4194304");
	expect_error(PARSE("run", "--bpf-max-processes", "-1"), "--bpf-max-processes", "'-1'");
	expect_error(PARSE("run", "--bpf-max-processes", "1e5"), "--bpf-max-processes", "'1e5'");
	expect_error(PARSE("run", "--bpf-max-processes", ""), "--bpf-max-processes", NULL);
}

/* ---- webhook_ca ---- */

static void test_webhook_ca_flag(void **state)
{
	char buf[256];

	assert_int_equal(PARSE("run"), 0);
	assert_null(o.webhook_ca); /* the system store */
	ow_option_format(&o, OW_SET_WEBHOOK_CA, buf, sizeof(buf));
	assert_string_equal(buf, "");
	ow_options_free(&o);
	assert_int_equal(PARSE("alert-test", "--webhook", "https://127.0.0.1:9/x", "--webhook-ca",
			       "/etc/oomwarden/ca.pem"),
			 0);
	assert_int_equal(o.cmd, OW_CMD_ALERT_TEST);
	assert_string_equal(o.webhook_ca, "/etc/oomwarden/ca.pem");
	/* parsing reads nothing: the file is read by ow_options_load (test_config.c) */
	assert_null(o.webhook_ca_pem.pem);
	ow_option_format(&o, OW_SET_WEBHOOK_CA, buf, sizeof(buf));
	assert_string_equal(buf, "/etc/oomwarden/ca.pem");
	ow_options_free(&o);
	/* not a list: the last one wins; the = form */
	assert_int_equal(PARSE("run", "--webhook-ca", "/a.pem", "--webhook-ca=/b.pem"), 0);
	assert_string_equal(o.webhook_ca, "/b.pem");
}

static void test_webhook_ca_bad_values(void **state)
{
	expect_error(PARSE("run", "--webhook-ca", ""), "--webhook-ca", "PEM");
	expect_error(PARSE("run", "--webhook-ca"), "--webhook-ca", NULL);
	expect_error(PARSE("run", "--webhook-ca="), "--webhook-ca", NULL);
	/* no switch turns verification off */
	expect_error(PARSE("run", "--webhook-insecure"), "--webhook-insecure", NULL);
	expect_error(PARSE("run", "--webhook-ca-insecure"), "--webhook-ca-insecure", NULL);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_metrics_defaults),
		T(test_metrics_flags),
		T(test_metrics_bad_values),
		T(test_kube_logs),
		T(test_kube_api_target),
		T(test_bpf_max_processes),
		T(test_webhook_ca_flag),
		T(test_webhook_ca_bad_values),
		T(test_defaults),
		T(test_every_flag),
		T(test_equals_form_and_log_format_text),
		T(test_repeated_cgroup),
		T(test_too_many_cgroups),
		T(test_repeated_regex_last_wins),
		T(test_help_and_version_anywhere),
		T(test_help_and_version_before_the_command),
		T(test_act_equal_to_warn_accepted),
		T(test_bad_numbers),
		T(test_bad_cgroup_value),
		T(test_bad_regex),
		T(test_costly_regex),
		T(test_bad_log_format),
		T(test_action),
		T(test_unknown_flag),
		T(test_flag_without_value_taking_one),
		T(test_missing_value),
		T(test_unknown_command),
		T(test_missing_command),
		T(test_act_beyond_warn_rejected),
		T(test_error_fits_a_small_buffer),
		T(test_many_parses_in_one_process),
		T(test_usage_text_lists_every_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
