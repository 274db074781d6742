// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the config file (userspace/config/config.c), the per-cgroup sections
 * (userspace/core/rules.c) and how the file and the command line combine
 * (userspace/config/options.c): fixture files in tests/fixtures/config/, and the shipped
 * etc/oomwarden.conf.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "log.h"
#include "options.h"
#include "reload.h"
#include "rules.h"

#define CONF(name)   OW_FIXTURES "/config/" name
#define SHIPPED	     OW_FIXTURES "/../../etc/oomwarden.conf"
#define NO_SUCH_FILE OW_FIXTURES "/config/does-not-exist.conf"

static struct ow_options o;
static char err[1024];

/* Load "oomwarden ARGS..." with `def` as the default config path. */
static int load_argv(const char *def, char **args)
{
	int argc = 0;

	while (args[argc])
		argc++;
	memset(err, 0, sizeof(err));
	return ow_options_load(argc, args, def, &o, err, sizeof(err));
}

#define LOAD(def, ...)	     load_argv(def, (char *[]){"oomwarden", __VA_ARGS__, NULL})
#define LOAD_FILE(file, ...) LOAD(NO_SUCH_FILE, "run", "--config", file, ##__VA_ARGS__)

static int teardown(void **state)
{
	ow_options_free(&o);
	return 0;
}

static bool matches(const regex_t *re, const char *s)
{
	return !regexec(re, s, 0, NULL, 0);
}

/* The load failed with one line "FILE:LINE: ..." that names `what`. */
static void expect_file_error(int rc, const char *file, int line, const char *what)
{
	char prefix[512];

	if (rc != -EINVAL)
		print_message("rc %d, err '%s'\n", rc, err);
	assert_int_equal(rc, -EINVAL);
	assert_null(strchr(err, '\n'));
	snprintf(prefix, sizeof(prefix), "%s:%d: ", file, line);
	if (strncmp(err, prefix, strlen(prefix)))
		fail_msg("error '%s' does not start with '%s'", err, prefix);
	if (what && !strstr(err, what))
		fail_msg("error '%s' does not name '%s'", err, what);
	ow_options_free(&o);
}

/* ---- the global part ---- */

static void test_good_file(void **state)
{
	assert_int_equal(LOAD_FILE(CONF("good.conf")), 0);
	assert_int_equal(o.cmd, OW_CMD_RUN);
	assert_string_equal(o.config_path, CONF("good.conf"));
	assert_int_equal(o.ncgroups, 3);
	assert_string_equal(o.cgroups[0], "/sys/fs/cgroup/memory/a");
	assert_string_equal(o.cgroups[1], "/sys/fs/cgroup/memory/b");
	assert_string_equal(o.cgroups[2], "/sys/fs/cgroup/memory/c");
	assert_true(o.dry_run);
	assert_true(o.policy.warn_horizon_s == 60);
	assert_true(o.policy.act_horizon_s == 5.5);
	assert_true(o.policy.grace_s == 3);
	assert_true(o.policy.high_water == 0.90); /* not a key: untouched */
	assert_string_equal(o.protect, "^(sshd|postgres)$");
	assert_true(matches(&o.protect_re, "sshd"));
	assert_false(matches(&o.protect_re, "nginx"));
	assert_string_equal(o.prefer, "worker"); /* the inline comment is gone */
	assert_int_equal(o.action, OW_ACTION_RESTART);
	assert_int_equal(o.log_format, OW_LOG_JSON);
	assert_int_equal(o.verbose, 2);
	assert_int_equal(o.ntargets, 2);
	assert_int_equal(o.targets[0].fmt, OW_FMT_SLACK);
	assert_int_equal(o.targets[1].fmt, OW_FMT_JSON);
	assert_string_equal(o.targets[1].url, "http://127.0.0.1:9/hook");
	assert_true(o.no_bpf);
	assert_int_equal(o.attach, 1);
	assert_string_equal(o.metrics_file, "/run/oomwarden/metrics.prom");
	assert_string_equal(o.metrics_listen, "127.0.0.1:9717");
	assert_int_equal(o.warn_signal, SIGUSR2);
	/* where each came from */
	assert_int_equal(o.line[OW_SET_DRY_RUN], 4);
	assert_int_equal(o.line[OW_SET_CGROUP], 3);
	assert_int_equal(o.line[OW_SET_CONFIG], 0);
}

/* FILE.d/NAME.conf after FILE, in name order: a Secret's webhooks beside a ConfigMap's file
 * (its ..data directory and symlinks as the kubelet makes them; hidden and other files are
 * not read). An error in a drop-in names the drop-in and its line. */
static void test_dropins(void **state)
{
	assert_int_equal(LOAD_FILE(CONF("dropins.conf")), 0);
	assert_string_equal(o.config_path, CONF("dropins.conf"));
	assert_true(o.dry_run);
	assert_true(o.policy.grace_s == 30); /* 30-link.conf, through its symlink, last */
	assert_int_equal(o.ntargets, 2);
	assert_string_equal(o.targets[0].url, "http://127.0.0.1:9/from-the-main-file");
	assert_int_equal(o.targets[0].fmt, OW_FMT_JSON);
	assert_string_equal(o.targets[1].url,
			    "https://hooks.slack.example/services/T000/B000/XXXX");
	assert_int_equal(o.targets[1].fmt, OW_FMT_SLACK);
	assert_string_equal(o.file[OW_SET_GRACE], CONF("dropins.conf.d/30-link.conf"));
	assert_int_equal(o.line[OW_SET_GRACE], 1);
	ow_options_free(&o);
	expect_file_error(LOAD_FILE(CONF("dropins-bad.conf")),
			  CONF("dropins-bad.conf.d/20-bad.conf"), 2, "grace");
	/* no default file, its drop-ins still count */
	assert_int_equal(LOAD(CONF("dropins-nomain.conf"), "run"), 0);
	assert_true(o.policy.grace_s == 7);
	ow_options_free(&o);
}

static void test_good_file_sections(void **state)
{
	const struct ow_cgroup_rule *api, *queue;
	double wait_s;
	int sig;

	assert_int_equal(LOAD_FILE(CONF("good.conf")), 0);
	assert_int_equal(o.nrules, 2);
	api = &o.rules[0];
	queue = &o.rules[1];
	assert_string_equal(api->pattern, "api.service");
	assert_int_equal(api->line, 22);
	assert_int_equal(api->set, OW_RULE_WARN_HORIZON | OW_RULE_GRACE | OW_RULE_BRAKE);
	assert_false(api->brake);
	assert_false(ow_rule_brake(true, api));
	assert_true(ow_rule_brake(true, &o.rules[1])); /* not set there: the global one */
	assert_true(o.brake);
	assert_true(api->warn_horizon_s == 300);
	assert_true(api->grace_s == 20);
	assert_string_equal(queue->pattern, "/system.slice/queue-*.service");
	assert_int_equal(queue->set, OW_RULE_PROTECT | OW_RULE_PREFER | OW_RULE_ACTION |
					     OW_RULE_ACT_HORIZON | OW_RULE_WARN_SIGNAL |
					     OW_RULE_PRE_STOP_SIGNAL | OW_RULE_PRE_STOP_WAIT);
	assert_int_equal(ow_rule_warn_signal(o.warn_signal, queue), SIGUSR1);
	ow_rule_pre_stop(o.pre_stop_signal, o.pre_stop_wait_s, queue, &sig, &wait_s);
	assert_true(sig == SIGUSR2 && wait_s == 30);
	ow_rule_pre_stop(o.pre_stop_signal, o.pre_stop_wait_s, api, &sig, &wait_s);
	assert_true(sig == 0 && wait_s == OW_PRE_STOP_WAIT_DEFAULT_S);	    /* the global ones */
	assert_int_equal(ow_rule_warn_signal(o.warn_signal, api), SIGUSR2); /* the global one */
	assert_true(matches(&queue->protect_re, "redis-server"));
	assert_true(matches(&queue->prefer_re, "node"));
	assert_int_equal(queue->action, OW_ACTION_SIGNAL);
	assert_true(queue->act_horizon_s == 4); /* the CRLF line */
	/* the global settings are not touched by sections */
	assert_true(o.policy.warn_horizon_s == 60);
	assert_true(o.policy.grace_s == 3);
	assert_true(o.policy.act_horizon_s == 5.5);
}

static void test_missing_default_is_fine(void **state)
{
	struct ow_policy_cfg def;

	ow_policy_defaults(&def);
	assert_int_equal(LOAD(NO_SUCH_FILE, "run"), 0);
	assert_null(o.config_path);
	assert_memory_equal(&o.policy, &def, sizeof(def));
	assert_int_equal(o.nrules, 0);
	assert_string_equal(o.default_config, NO_SUCH_FILE);
	ow_options_free(&o);
	/* no default at all */
	assert_int_equal(LOAD(NULL, "status", "--grace", "4"), 0);
	assert_true(o.policy.grace_s == 4);
}

static void test_missing_config_flag_is_an_error(void **state)
{
	int rc = LOAD_FILE(NO_SUCH_FILE);

	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(err, NO_SUCH_FILE));
	assert_non_null(strstr(err, "No such file"));
	assert_null(strchr(err, '\n'));
}

/* The load failed at once (a FIFO must not block it) with one line naming the file and what
 * is wrong with it. */
static void expect_kind_error(char *file, int want_rc, const char *what)
{
	int rc;

	alarm(10);
	rc = LOAD_FILE(file);
	alarm(0);
	if (rc != want_rc)
		print_message("rc %d, err '%s'\n", rc, err);
	assert_int_equal(rc, want_rc);
	assert_null(strchr(err, '\n'));
	if (!strstr(err, file) || !strstr(err, what))
		fail_msg("error '%s' does not name '%s' and '%s'", err, file, what);
	ow_options_free(&o);
}

static void test_config_file_kinds(void **state)
{
	char dir[] = "/tmp/ow-test-config.XXXXXX", path[128];
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_kind_error(path, -EINVAL, "is not a regular file");
	unlink(path);
	expect_kind_error((char *)"/dev/zero", -EINVAL, "is not a regular file");
	expect_kind_error(dir, -EISDIR, "is a directory");
	/* 1 MiB and one byte, sparse: a valid first line, then zeros. */
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "grace = 4\n", 10), 10);
	assert_int_equal(ftruncate(fd, (1 << 20) + 1), 0);
	close(fd);
	expect_kind_error(path, -EFBIG, "is larger than 1024 KiB");
	/* Exactly 1 MiB is read. */
	assert_int_equal(truncate(path, 1 << 20), 0);
	assert_int_equal(LOAD_FILE(path), 0);
	assert_true(o.policy.grace_s == 4);
	ow_options_free(&o);
	unlink(path);
	/* An empty file is an empty config. */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(LOAD_FILE(path), 0);
	ow_options_free(&o);
	unlink(path);
	rmdir(dir);
}

static void test_default_file_is_read(void **state)
{
	assert_int_equal(LOAD(CONF("override.conf"), "run"), 0);
	assert_string_equal(o.config_path, CONF("override.conf"));
	assert_true(o.policy.grace_s == 7);
	ow_options_free(&o);
	/* --config wins over the default */
	assert_int_equal(LOAD(CONF("override.conf"), "run", "--config", CONF("empty.conf")), 0);
	assert_true(o.policy.grace_s == 10);
	ow_options_free(&o);
	/* help and version read no file (this one would fail) */
	assert_int_equal(LOAD(CONF("unknown-key.conf"), "--help"), 0);
	assert_int_equal(o.cmd, OW_CMD_HELP);
	ow_options_free(&o);
	assert_int_equal(LOAD(CONF("unknown-key.conf"), "--version"), 0);
	assert_int_equal(o.cmd, OW_CMD_VERSION);
	ow_options_free(&o);
	/* status and alert-test do */
	expect_file_error(LOAD(CONF("unknown-key.conf"), "status"), CONF("unknown-key.conf"), 3,
			  "act_horizont");
	expect_file_error(LOAD(CONF("unknown-key.conf"), "alert-test"), CONF("unknown-key.conf"), 3,
			  "act_horizont");
}

static void test_alert_test_takes_webhooks_from_the_file(void **state)
{
	assert_int_equal(LOAD(NO_SUCH_FILE, "alert-test", "--config", CONF("override.conf")), 0);
	assert_int_equal(o.cmd, OW_CMD_ALERT_TEST);
	assert_int_equal(o.ntargets, 1);
	assert_int_equal(o.targets[0].fmt, OW_FMT_NTFY);
}

/* ---- errors: one line, FILE:LINE:, the key ---- */

static void test_errors(void **state)
{
	expect_file_error(LOAD_FILE(CONF("unknown-key.conf")), CONF("unknown-key.conf"), 3,
			  "unknown key 'act_horizont'");
	expect_file_error(LOAD_FILE(CONF("bad-value.conf")), CONF("bad-value.conf"), 3,
			  "invalid value for grace: 'soon'");
	expect_file_error(LOAD_FILE(CONF("bad-bool.conf")), CONF("bad-bool.conf"), 1,
			  "invalid value for no_bpf: 'maybe'");
	expect_file_error(LOAD_FILE(CONF("bad-brake.conf")), CONF("bad-brake.conf"), 2,
			  "invalid value for brake: 'maybe' (on or off)");
	/* A signal whose default action ends a process and that means nothing else. */
	expect_file_error(LOAD_FILE(CONF("bad-warn-signal.conf")), CONF("bad-warn-signal.conf"), 2,
			  "invalid value for warn_signal: 'SIGKILL' (none, SIGUSR1, SIGUSR2");
	/* too short a wait for any dump: a typo for 10 s, more likely */
	expect_file_error(LOAD_FILE(CONF("bad-pre-stop-wait.conf")), CONF("bad-pre-stop-wait.conf"),
			  3, "invalid value for pre_stop_wait: '0.1' (seconds, 0.5 to 120)");
	expect_file_error(LOAD_FILE(CONF("syntax.conf")), CONF("syntax.conf"), 2,
			  "this line has no equals sign");
	expect_file_error(LOAD_FILE(CONF("flag-only-key.conf")), CONF("flag-only-key.conf"), 1,
			  "key 'config' is not allowed");
	expect_file_error(LOAD_FILE(CONF("bad-webhook.conf")), CONF("bad-webhook.conf"), 2,
			  "ftp://example.com/hook");
	expect_file_error(LOAD_FILE(CONF("unpaired-format.conf")), CONF("unpaired-format.conf"), 3,
			  "webhook-format");
	expect_file_error(LOAD_FILE(CONF("long-section.conf")), CONF("long-section.conf"), 2,
			  "line too long");
}

/* inih's line buffer is 200 bytes; a webhook URL may be longer. */
static void test_long_lines(void **state)
{
	const char *url;

	assert_int_equal(LOAD_FILE(CONF("long-line.conf")), 0);
	assert_int_equal(o.nwebhook_urls, 2);
	url = o.webhook_urls[0];
	assert_int_equal(strlen(url), strlen("https://example.com/") + 250);
	assert_int_equal(strncmp(url, "https://example.com/aaa", 23), 0);
	assert_int_equal(url[strlen(url) - 1], 'a'); /* the comment and blanks are gone */
	assert_string_equal(o.webhook_urls[1], "http://127.0.0.1:9/short");
	assert_int_equal(o.ntargets, 2);
	assert_true(o.policy.grace_s == 3);
	assert_int_equal(o.line[OW_SET_GRACE], 5);
}

static void test_section_errors(void **state)
{
	/* a bad section is refused even with no key in it */
	expect_file_error(LOAD_FILE(CONF("bad-section.conf")), CONF("bad-section.conf"), 2,
			  "invalid section '[cgroups \"api.service\"]'");
	expect_file_error(LOAD_FILE(CONF("bad-section-quotes.conf")),
			  CONF("bad-section-quotes.conf"), 1, "[cgroup api.service]");
	expect_file_error(LOAD_FILE(CONF("bad-section-empty.conf")), CONF("bad-section-empty.conf"),
			  1, "invalid section");
	expect_file_error(LOAD_FILE(CONF("section-global-key.conf")),
			  CONF("section-global-key.conf"), 3,
			  "key 'dry_run' is not allowed in a [cgroup] section");
	expect_file_error(LOAD_FILE(CONF("section-bad-value.conf")), CONF("section-bad-value.conf"),
			  2, "invalid value for act_horizon: '-1'");
	expect_file_error(LOAD_FILE(CONF("section-bad-regex.conf")), CONF("section-bad-regex.conf"),
			  2, "protect");
	expect_file_error(LOAD_FILE(CONF("duplicate-section.conf")), CONF("duplicate-section.conf"),
			  3, "first at line 1");
	/* a section's act horizon past the (global) warn horizon */
	expect_file_error(LOAD_FILE(CONF("section-horizons.conf")), CONF("section-horizons.conf"),
			  2, "act_horizon 150");
}

static void test_global_horizons_checked_after_flags(void **state)
{
	/* the file's act_horizon 5.5 against a flag's warn horizon of 2 */
	int rc = LOAD_FILE(CONF("good.conf"), "--warn-horizon", "2");

	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(err, "act_horizon"));
	assert_non_null(strstr(err, CONF("good.conf")));
	ow_options_free(&o);
	/* and a flag fixes what the file alone would refuse */
	assert_int_equal(LOAD_FILE(CONF("section-horizons.conf"), "--warn-horizon", "200"), 0);
}

/* ---- flags override the file ---- */

static void test_flags_override_file(void **state)
{
	assert_int_equal(LOAD_FILE(CONF("override.conf"), "--grace", "2", "--cgroup", "/flag/x",
				   "-v", "-v", "-v", "--webhook", "http://127.0.0.1:9/flag"),
			 0);
	assert_true(o.policy.grace_s == 2);
	/* lists given as flags replace the file's */
	assert_int_equal(o.ncgroups, 1);
	assert_string_equal(o.cgroups[0], "/flag/x");
	assert_int_equal(o.verbose, 3);
	/* the webhook pairs go together: the file's ntfy format went with its URL */
	assert_int_equal(o.ntargets, 1);
	assert_int_equal(o.targets[0].fmt, OW_FMT_JSON);
	assert_string_equal(o.targets[0].url, "http://127.0.0.1:9/flag");
	assert_int_equal(o.line[OW_SET_GRACE], 0);
	/* what no flag touched stays as the file says */
	assert_true(o.dry_run);
	assert_string_equal(o.protect, "^file$");
	assert_int_equal(o.line[OW_SET_PROTECT], 7);
	ow_options_free(&o);

	assert_int_equal(LOAD_FILE(CONF("override.conf"), "--protect", "^flag$"), 0);
	assert_string_equal(o.protect, "^flag$");
	assert_true(matches(&o.protect_re, "flag"));
	assert_false(matches(&o.protect_re, "file"));
	assert_int_equal(o.ncgroups, 2); /* no --cgroup: the file's list */
	assert_int_equal(o.verbose, 1);
}

/* ---- the table: every setting is one key and one flag ---- */

/* A valid value for each setting that differs from its default. */
static const char *const sample[OW_SET_COUNT] = {
	[OW_SET_CGROUP] = "/x",
	[OW_SET_WARN_HORIZON] = "77",
	[OW_SET_ACT_HORIZON] = "7",
	[OW_SET_GRACE] = "3",
	[OW_SET_PROTECT] = "^p$",
	[OW_SET_PREFER] = "^q$",
	[OW_SET_LOG_FORMAT] = "json",
	[OW_SET_WEBHOOK] = "http://127.0.0.1:9/x",
	[OW_SET_WEBHOOK_FORMAT] = "slack",
	[OW_SET_WEBHOOK_CA] = OW_FIXTURES "/ca/good.pem", /* run reads it: a real one */
	[OW_SET_ATTACH] = "tracepoint",
	[OW_SET_BPF_MAX_PROCESSES] = "1000",
	[OW_SET_METRICS_FILE] = "/run/m.prom",
	[OW_SET_METRICS_INTERVAL] = "15",
	[OW_SET_METRICS_LISTEN] = "127.0.0.1:9717",
	[OW_SET_ACTION] = "restart",
	[OW_SET_BRAKE] = "off",
	[OW_SET_WARN_SIGNAL] = "SIGUSR1",
	[OW_SET_PRE_STOP_SIGNAL] = "SIGUSR2",
	[OW_SET_PRE_STOP_WAIT] = "4.5",
	[OW_SET_KUBE_LOGS] = "/srv/log",
	[OW_SET_KUBE_API] = "https://127.0.0.1:6443",
	[OW_SET_KUBE_CREDENTIALS] = OW_FIXTURES "/kube/credentials",
	[OW_SET_KUBE_DELETE_POD] = "off",
	[OW_SET_IDLE_DETACH] = "off",
	[OW_SET_CONFIG] = "/etc/x.conf",
};

static void test_flag_and_key_agree(void **state)
{
	char flag[64], a[256], b[256], *p;
	unsigned int s;

	for (s = 0; s < OW_SET_COUNT; s++) {
		const struct ow_setting_def *d = &ow_settings[s];
		const char *v = d->flag_value ? sample[s] : "yes";
		struct ow_options by_key;

		if (!(d->in & OW_IN_FLAGS) || !(d->in & OW_IN_FILE))
			continue;
		snprintf(flag, sizeof(flag), "--%s", d->key);
		for (p = flag; *p; p++)
			*p = *p == '_' ? '-' : *p;
		/* the flag exists, is documented, and sets what the key sets */
		if (!strstr(ow_usage_text, flag))
			fail_msg("%s is not in the usage text", flag);
		ow_options_init(&by_key);
		assert_int_equal(ow_option_set(&by_key, s, s == OW_SET_VERBOSE ? "1" : v, d->key,
					       err, sizeof(err)),
				 0);
		/* --kube-api reads its CA: from the fixture's credentials */
		if (s == OW_SET_KUBE_API)
			assert_int_equal(LOAD(NULL, "run", flag, (char *)v, "--kube-credentials",
					      OW_FIXTURES "/kube/credentials"),
					 0);
		else
			assert_int_equal(d->flag_value ? LOAD(NULL, "run", flag, (char *)v)
						       : LOAD(NULL, "run", flag),
					 s == OW_SET_WEBHOOK_FORMAT ? -EINVAL
								    : 0); /* no URL to pair */
		ow_option_format(&by_key, s, a, sizeof(a));
		ow_option_format(&o, s, b, sizeof(b));
		if (strcmp(a, b))
			fail_msg("%s: key gives '%s', flag gives '%s'", d->key, a, b);
		ow_options_free(&o);
		ow_options_free(&by_key);
	}
}

/* Each key of the shipped file is the built-in default, and every key is there. */
static void test_shipped_config_is_the_defaults(void **state)
{
	struct ow_options def;
	char a[256], b[256], needle[64];
	FILE *f = fopen(SHIPPED, "r");
	static char text[16384];
	size_t n;
	unsigned int s;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_int_equal(LOAD(NO_SUCH_FILE, "run", "--config", SHIPPED), 0);
	assert_int_equal(o.nrules, 0);
	ow_options_init(&def);
	assert_memory_equal(&o.policy, &def.policy, sizeof(def.policy));
	for (s = 0; s < OW_SET_COUNT; s++) {
		if (!(ow_settings[s].in & OW_IN_FILE))
			continue;
		snprintf(needle, sizeof(needle), "\n%s =", ow_settings[s].key);
		if (!strstr(text, needle) || !o.line[s])
			fail_msg("key %s is not set in %s", ow_settings[s].key, SHIPPED);
		ow_option_format(&o, s, a, sizeof(a));
		ow_option_format(&def, s, b, sizeof(b));
		if (strcmp(a, b))
			fail_msg("%s: shipped '%s', built-in '%s'", ow_settings[s].key, a, b);
	}
}

/* ---- sections: matching and what they change ---- */

#define ALL 1000 /* a trusted depth past any path: root made every directory */

static void test_section_matching(void **state)
{
	const struct ow_cgroup_rule *r;

	assert_int_equal(LOAD_FILE(CONF("sections.conf")), 0);
	assert_int_equal(o.nrules, 5);
	r = o.rules;
	/* by display name (the unit), before the path glob that also matches: first wins */
	assert_int_equal(ow_rules_find(r, 5, "/system.slice/api.service", ALL), 0);
	/* the path glob; '*' crosses '/' */
	assert_int_equal(ow_rules_find(r, 5, "/system.slice/api-v2.service", ALL), 1);
	assert_int_equal(ow_rules_find(r, 5, "/system.slice/apix/deeper", ALL), 1);
	assert_int_equal(ow_rules_find(r, 5, "/system.slice/queue-emails.service", ALL), 2);
	/* a child without its own section takes its parent's */
	assert_int_equal(ow_rules_find(r, 5, "/other.slice/api.service/worker", ALL), 0);
	/* but this child matches the path glob itself, and that comes before inheritance */
	assert_int_equal(ow_rules_find(r, 5, "/system.slice/api.service/worker", ALL), 1);
	/* container display names */
	assert_int_equal(
		ow_rules_find(r, 5,
			      "/docker/3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a"
			      "7b6c5d4e3f2a",
			      ALL),
		3);
	/* nothing else: the root's section, by inheritance */
	assert_int_equal(ow_rules_find(r, 5, "/user.slice/user-1000.slice", ALL), 4);
	assert_int_equal(ow_rules_find(r, 5, "/", ALL), 4);
	/* without the "/" section nothing matches */
	assert_int_equal(ow_rules_find(r, 4, "/user.slice", ALL), -1);
	assert_int_equal(ow_rules_find(r, 0, "/system.slice/api.service", ALL), -1);
	assert_true(ow_rule_matches(&r[0], "/anything", "api.service"));
	assert_false(ow_rule_matches(&r[0], "/api.service", "api"));
	assert_false(ow_rule_matches(&r[0], "/anything", NULL));
}

/* A display name a user made (in a delegated subtree) matches no display-name section; the
 * path form still does. */
static void test_section_untrusted_name(void **state)
{
	const struct ow_cgroup_rule *r;

	assert_int_equal(LOAD_FILE(CONF("sections.conf")), 0);
	r = o.rules;
	/* "api.service" made by a user below a delegated /user.slice/.../user@1000.service */
	assert_int_equal(
		ow_rules_find(r, 5, "/user.slice/user-1000.slice/user@1000.service/api.service", 2),
		4);
	/* the same name made by root matches */
	assert_int_equal(ow_rules_find(r, 5,
				       "/user.slice/user-1000.slice/user@1000.service/api.service",
				       ALL),
			 0);
	/* a child inherits its parent's section only where the parent's name is trusted */
	assert_int_equal(ow_rules_find(r, 5, "/other.slice/api.service/worker", 2), 0);
	assert_int_equal(ow_rules_find(r, 5, "/other.slice/api.service/worker", 1), 4);
	/* a path pattern needs no trust */
	assert_int_equal(ow_rules_find(r, 5, "/system.slice/api-v2.service", 0), 1);
	/* a container id is public: a user's docker-<id>.scope is not that container */
	assert_int_equal(
		ow_rules_find(r, 5,
			      "/deleg/docker-3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a"
			      "7b6c5d4e3f2a.scope",
			      1),
		4);
}

static void test_section_policy(void **state)
{
	struct ow_policy_cfg pc;

	assert_int_equal(LOAD_FILE(CONF("sections.conf"), "--grace", "8"), 0);
	ow_rule_policy(&o.policy, NULL, &pc);
	assert_memory_equal(&pc, &o.policy, sizeof(pc));
	ow_rule_policy(&o.policy, &o.rules[0], &pc);
	assert_true(pc.grace_s == 20); /* the section wins over the flag, for its cgroups */
	assert_true(pc.warn_horizon_s == 200);
	assert_true(pc.act_horizon_s == 10);
	ow_rule_policy(&o.policy, &o.rules[2], &pc);
	assert_true(pc.grace_s == 8);
	assert_true(pc.act_horizon_s == 30);
	assert_true(pc.cooldown_s == o.policy.cooldown_s);
	assert_int_equal(ow_rule_action(o.action, &o.rules[3]), OW_ACTION_RESTART);
	assert_int_equal(ow_rule_action(o.action, &o.rules[0]), OW_ACTION_SIGNAL);
	assert_int_equal(ow_rule_action(OW_ACTION_RESTART, NULL), OW_ACTION_RESTART);
}

static void test_section_protect_and_prefer(void **state)
{
	const struct ow_cgroup_rule *queue, *docker;

	assert_int_equal(LOAD_FILE(CONF("sections.conf"), "--protect", "^/usr/sbin/sshd$",
				   "--prefer", "^worker$"),
			 0);
	queue = &o.rules[2];
	docker = &o.rules[3];
	/* a section's protect adds to the global one; both match the executable's path */
	assert_true(ow_rule_protects(o.protect, &o.protect_re, queue, "/usr/bin/redis-server"));
	assert_true(ow_rule_protects(o.protect, &o.protect_re, queue, "/usr/sbin/sshd"));
	assert_false(ow_rule_protects(o.protect, &o.protect_re, queue, "/usr/bin/node"));
	assert_false(ow_rule_protects(o.protect, &o.protect_re, docker, "/usr/bin/redis-server"));
	assert_false(ow_rule_protects(NULL, NULL, NULL, "/usr/sbin/sshd"));
	/* an executable that is not root's (NULL) is never protected, whatever its name */
	assert_false(ow_rule_protects(o.protect, &o.protect_re, queue, NULL));
	assert_false(ow_rule_protects(o.protect, &o.protect_re, queue, ""));
	/* a section's prefer replaces the global one */
	assert_true(ow_rule_prefers(o.prefer, &o.prefer_re, docker, "java", ""));
	assert_false(ow_rule_prefers(o.prefer, &o.prefer_re, docker, "worker", ""));
	assert_true(ow_rule_prefers(o.prefer, &o.prefer_re, queue, "worker", ""));
	assert_false(ow_rule_prefers(o.prefer, &o.prefer_re, queue, "java", ""));
}

/* ---- webhook_ca: the file is read by the load, for run and alert-test ---- */

#define CA_GOOD	  OW_FIXTURES "/ca/good.pem"
#define CA_BUNDLE OW_FIXTURES "/ca/bundle-crlf.pem"

/* A config file naming a CA by its absolute path (fixture paths are known at build time). */
static char *ca_conf(const char *ca)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/ow-ca-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "webhook = https://127.0.0.1:9/hook\nwebhook_ca = %s\n", ca);
	fclose(f);
	return path;
}

static void test_webhook_ca_read_by_the_load(void **state)
{
	char *conf = ca_conf(CA_GOOD);

	assert_int_equal(LOAD_FILE(conf), 0);
	assert_string_equal(o.webhook_ca, CA_GOOD);
	assert_int_equal(o.line[OW_SET_WEBHOOK_CA], 2);
	assert_non_null(o.webhook_ca_pem.pem);
	assert_int_equal(o.webhook_ca_pem.len, 611);
	ow_options_free(&o);
	assert_null(o.webhook_ca_pem.pem);
	/* the flag wins over the file */
	assert_int_equal(LOAD_FILE(conf, "--webhook-ca", CA_BUNDLE), 0);
	assert_string_equal(o.webhook_ca, CA_BUNDLE);
	assert_int_equal(o.webhook_ca_pem.len, 1296);
	ow_options_free(&o);
	/* alert-test reads it too */
	assert_int_equal(LOAD(NO_SUCH_FILE, "alert-test", "--config", conf), 0);
	assert_int_equal(o.webhook_ca_pem.len, 611);
	ow_options_free(&o);
	/* status sends nothing: it does not read it, so a missing one is no error there */
	assert_int_equal(LOAD(NO_SUCH_FILE, "status", "--webhook-ca", "/nonexistent/ca.pem"), 0);
	assert_null(o.webhook_ca_pem.pem);
	ow_options_free(&o);
	/* an empty value in the file: the system store */
	assert_int_equal(LOAD_FILE(CONF("webhook-ca-empty.conf")), 0);
	assert_null(o.webhook_ca);
	assert_null(o.webhook_ca_pem.pem);
	unlink(conf);
}

static void test_webhook_ca_errors(void **state)
{
	int rc;

	/* from the file: FILE:LINE: and the key */
	rc = LOAD_FILE(CONF("webhook-ca-missing.conf"));
	assert_int_equal(rc, -ENOENT);
	assert_null(strchr(err, '\n'));
	assert_string_equal(err, CONF("webhook-ca-missing.conf") ":3: webhook_ca: cannot read "
								 "'/nonexistent/oomwarden-ca.pem': "
								 "No such file or directory");
	ow_options_free(&o);
	/* from the flag */
	rc = LOAD(NO_SUCH_FILE, "alert-test", "--webhook", "https://127.0.0.1:9/x", "--webhook-ca",
		  "/nonexistent/ca.pem");
	assert_int_equal(rc, -ENOENT);
	assert_string_equal(err, "--webhook-ca: cannot read '/nonexistent/ca.pem': No such file "
				 "or directory");
	ow_options_free(&o);
	/* not PEM */
	rc = LOAD(NO_SUCH_FILE, "run", "--webhook-ca", OW_FIXTURES "/ca/der.crt");
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(err, "der.crt' holds no PEM certificate"));
	ow_options_free(&o);
	/* a flag fixes what the file gets wrong */
	assert_int_equal(LOAD_FILE(CONF("webhook-ca-missing.conf"), "--webhook-ca", CA_GOOD), 0);
}

/* A new path, or new bytes at the same path (a CA rotated in place), restarts the sender. */
static void test_webhook_ca_reload(void **state)
{
	char *conf = ca_conf(CA_GOOD);
	struct ow_options a;
	char log[4096];
	int fds[2];
	ssize_t n;

	assert_int_equal(LOAD_FILE(conf), 0);
	a = o;
	memset(&o, 0, sizeof(o));
	assert_int_equal(LOAD_FILE(conf), 0);
	assert_false(ow_reload_alerter_changed(&a, &o));
	assert_int_equal(ow_config_diff(&a, &o, NULL, 0), 0);
	/* the same file, rewritten */
	o.webhook_ca_pem.pem[100] ^= 1;
	assert_true(ow_reload_alerter_changed(&a, &o));
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	ow_log_setup(OW_LOG_TEXT, OW_LOG_INFO, fds[1]);
	assert_int_equal(ow_reload_prepare(&a, &o), 1);
	ow_log_setup(OW_LOG_TEXT, OW_LOG_INFO, 2);
	n = read(fds[0], log, sizeof(log) - 1);
	close(fds[0]);
	close(fds[1]);
	assert_true(n > 0);
	log[n] = '\0';
	assert_non_null(strstr(log, "key=webhook_ca file=" CA_GOOD));
	ow_options_free(&o);
	/* another path: a config change like any other */
	assert_int_equal(LOAD_FILE(conf, "--webhook-ca", CA_BUNDLE), 0);
	assert_true(ow_reload_alerter_changed(&a, &o));
	assert_int_equal(ow_config_diff(&a, &o, NULL, 0), 1);
	ow_options_free(&o);
	/* none at all: the system store again */
	assert_int_equal(LOAD(NO_SUCH_FILE, "run", "--webhook", "https://127.0.0.1:9/hook"), 0);
	assert_true(ow_reload_alerter_changed(&a, &o));
	assert_false(ow_reload_alerter_changed(&o, &o));
	ow_options_free(&a);
	unlink(conf);
}

/* ---- reload: what changed ---- */

static void test_diff(void **state)
{
	struct ow_config_change ch[16];
	struct ow_options a;
	unsigned int n, i;
	bool saw_restart = false, saw_section = false, saw_warn = false;

	assert_int_equal(LOAD_FILE(CONF("reload-a.conf")), 0);
	a = o;
	memset(&o, 0, sizeof(o));
	assert_int_equal(ow_config_diff(&a, &a, ch, 16), 0);
	assert_int_equal(LOAD_FILE(CONF("reload-b.conf")), 0);
	n = ow_config_diff(&a, &o, ch, 16);
	/* warn_horizon, no_bpf, webhook, the new section */
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		if (ch[i].setting == OW_SET_COUNT) {
			saw_section = true;
			assert_string_equal(ch[i].section, "api.service");
		} else if (ch[i].setting == OW_SET_NO_BPF) {
			saw_restart = ch[i].needs_restart;
		} else if (ch[i].setting == OW_SET_WARN_HORIZON) {
			saw_warn = !ch[i].needs_restart;
		}
	}
	assert_true(saw_restart && saw_section && saw_warn);
	/* a short buffer still counts them all */
	assert_int_equal(ow_config_diff(&a, &o, ch, 1), 4);
	ow_options_free(&a);
}

/* The same command line over a changed file: what a SIGHUP does. */
static void test_reload_reapplies_flags(void **state)
{
	char *args[] = {"oomwarden", "run", "--config", CONF("reload-a.conf"),
			"--grace",   "4",   NULL};
	struct ow_options again;

	assert_int_equal(ow_options_load(6, args, NULL, &o, err, sizeof(err)), 0);
	assert_int_equal(o.argc, 6);
	assert_int_equal(
		ow_options_load(o.argc, o.argv, o.default_config, &again, err, sizeof(err)), 0);
	assert_true(again.policy.grace_s == 4);
	assert_true(again.policy.warn_horizon_s == 100);
	ow_options_free(&again);
}

/* What a SIGHUP applies, and what it keeps until a restart. */
static void test_reload_prepare(void **state)
{
	struct ow_options a;
	char log[8192];
	int fds[2];
	ssize_t n;

	assert_int_equal(LOAD_FILE(CONF("reload-a.conf")), 0);
	a = o;
	memset(&o, 0, sizeof(o));
	assert_int_equal(LOAD_FILE(CONF("reload-b.conf"), "--cgroup", "/x"), 0);
	assert_true(ow_reload_alerter_changed(&a, &o));
	assert_false(ow_reload_alerter_changed(&a, &a));
	assert_true(ow_reload_cgroups_changed(&a, &o));
	assert_false(ow_reload_cgroups_changed(&o, &o));
	assert_true(o.no_bpf);
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	ow_log_setup(OW_LOG_TEXT, OW_LOG_INFO, fds[1]);
	/* warn_horizon, no_bpf, webhook, cgroup, the section */
	assert_int_equal(ow_reload_prepare(&a, &o), 5);
	ow_log_setup(OW_LOG_TEXT, OW_LOG_INFO, 2);
	n = read(fds[0], log, sizeof(log) - 1);
	close(fds[0]);
	close(fds[1]);
	assert_true(n > 0);
	log[n] = '\0';
	assert_false(o.no_bpf); /* the running value stays */
	assert_non_null(strstr(log, "key=no_bpf running=no file=yes"));
	assert_non_null(strstr(log, "key=warn_horizon from=100 to=90"));
	assert_non_null(strstr(log, "section=api.service"));
	ow_options_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_good_file, teardown),
		cmocka_unit_test_teardown(test_dropins, teardown),
		cmocka_unit_test_teardown(test_good_file_sections, teardown),
		cmocka_unit_test_teardown(test_missing_default_is_fine, teardown),
		cmocka_unit_test_teardown(test_missing_config_flag_is_an_error, teardown),
		cmocka_unit_test_teardown(test_config_file_kinds, teardown),
		cmocka_unit_test_teardown(test_default_file_is_read, teardown),
		cmocka_unit_test_teardown(test_alert_test_takes_webhooks_from_the_file, teardown),
		cmocka_unit_test_teardown(test_errors, teardown),
		cmocka_unit_test_teardown(test_section_errors, teardown),
		cmocka_unit_test_teardown(test_long_lines, teardown),
		cmocka_unit_test_teardown(test_global_horizons_checked_after_flags, teardown),
		cmocka_unit_test_teardown(test_flags_override_file, teardown),
		cmocka_unit_test_teardown(test_flag_and_key_agree, teardown),
		cmocka_unit_test_teardown(test_shipped_config_is_the_defaults, teardown),
		cmocka_unit_test_teardown(test_section_matching, teardown),
		cmocka_unit_test_teardown(test_section_untrusted_name, teardown),
		cmocka_unit_test_teardown(test_section_policy, teardown),
		cmocka_unit_test_teardown(test_section_protect_and_prefer, teardown),
		cmocka_unit_test_teardown(test_webhook_ca_read_by_the_load, teardown),
		cmocka_unit_test_teardown(test_webhook_ca_errors, teardown),
		cmocka_unit_test_teardown(test_webhook_ca_reload, teardown),
		cmocka_unit_test_teardown(test_diff, teardown),
		cmocka_unit_test_teardown(test_reload_reapplies_flags, teardown),
		cmocka_unit_test_teardown(test_reload_prepare, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
