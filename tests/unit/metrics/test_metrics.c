// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/metrics/metrics.c (the exposition formatter) and for the strict checker
 * in tests/lib/prom_lint.c that the e2e test runs over the daemon's file: every formatter output
 * must pass the checker, and the checker must refuse each kind of malformed line.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "prom_lint.h"

/* Samples: the daemon-wide ones, oomwarden_cgroups among them; per cgroup 10 single, the last
 * action's lead and grace (once acted on) and 4 actions. */
#define DAEMON_SAMPLES 18
#define CGROUP_SAMPLES 17
#define API_PATH       "/sys/fs/cgroup/memory/system.slice/api.service"
#define API_LABELS     "{cgroup=\"api.service\",path=\"" API_PATH "\"}"

static struct ow_strbuf out;

static int teardown(void **state)
{
	ow_strbuf_free(&out);
	return 0;
}

static void daemon_stats(struct ow_metrics_daemon *d)
{
	memset(d, 0, sizeof(*d));
	d->version = "0.1.0";
	d->mode = "tp_btf";
	d->start_time_s = 1764000000;
	d->cpu_seconds = 0.25;
	d->resident_bytes = 3712 * 1024;
	d->events = 1234;
	d->oom_kills = 2;
	d->bpf_map_full = 7;
	d->sight_passes = 40;
	d->sight_pass_seconds = 0.008;
	d->sight_members = 3;
	d->sight_watch_ticks = 120;
	d->sight_watch_seconds = 0.0015;
	d->alerts_sent = 5;
	d->alerts_failed = 1;
	d->processes = 12;
}

static void api_cgroup(struct ow_metrics_cgroup *cg)
{
	memset(cg, 0, sizeof(*cg));
	cg->name = "api.service";
	cg->path = API_PATH;
	cg->usage_bytes = 268435456;
	cg->nonreclaimable_bytes = 201326592;
	cg->limit_bytes = 268435456;
	cg->growth_bytes_per_s = 33554432.5;
	cg->eta_s = 2.25;
	cg->level = 2;
	cg->actions[OW_ACTED_SIGTERM] = 3;
	cg->oom_kills = 1;
	cg->lead_s = 4.5;
	cg->grace_s = 10;
}

/* The text must pass the checker; returns its sample count. */
static int lint_ok(const struct ow_strbuf *sb)
{
	char err[256] = "";
	int n = ow_prom_lint(sb->buf, sb->len, err, sizeof(err));

	if (n < 0)
		fail_msg("exposition rejected: %s\n%s", err, sb->buf);
	return n;
}

static void assert_has_line(const char *line)
{
	const char *p = out.buf;
	size_t n = strlen(line);

	for (; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, line, n) && (p[n] == '\n'))
			return;
	fail_msg("no line '%s' in:\n%s", line, out.buf);
}

static void test_format_is_valid_exposition(void **state)
{
	struct ow_metrics_daemon d;
	struct ow_metrics_cgroup cgs[2];

	daemon_stats(&d);
	api_cgroup(&cgs[0]);
	api_cgroup(&cgs[1]);
	cgs[1].name = "/batch";
	cgs[1].path = "/sys/fs/cgroup/memory/batch";
	assert_int_equal(ow_metrics_format(&d, cgs, 2, &out), 0);
	assert_int_equal(lint_ok(&out), DAEMON_SAMPLES + 2 * CGROUP_SAMPLES);
}

static void test_format_values_and_labels(void **state)
{
	struct ow_metrics_daemon d;
	struct ow_metrics_cgroup cg;

	daemon_stats(&d);
	api_cgroup(&cg);
	assert_int_equal(ow_metrics_format(&d, &cg, 1, &out), 0);
	assert_has_line("oomwarden_build_info{version=\"0.1.0\",mode=\"tp_btf\"} 1");
	assert_has_line("oomwarden_degraded 0");
	assert_has_line("oomwarden_cpu_seconds_total 0.25");
	assert_has_line("oomwarden_resident_memory_bytes 3801088");
	assert_has_line("oomwarden_events_total 1234");
	assert_has_line("oomwarden_oom_kills_total 2");
	assert_has_line("oomwarden_bpf_map_full_total 7");
	assert_has_line("oomwarden_sight_passes_total 40");
	assert_has_line("oomwarden_sight_pass_seconds_total 0.008");
	assert_has_line("oomwarden_sight_pass_cgroups 3");
	assert_has_line("oomwarden_sight_watch_ticks_total 120");
	assert_has_line("oomwarden_sight_watch_seconds_total 0.0015");
	assert_has_line("oomwarden_alerts_sent_total 5");
	assert_has_line("oomwarden_alerts_failed_total 1");
	assert_has_line("oomwarden_alerts_dropped_total 0");
	assert_has_line("oomwarden_cgroups 1");
	assert_has_line("oomwarden_processes 12");
	assert_has_line("oomwarden_cgroup_usage_bytes" API_LABELS " 268435456");
	assert_has_line("oomwarden_cgroup_nonreclaimable_bytes" API_LABELS " 201326592");
	assert_has_line("oomwarden_cgroup_limit_bytes" API_LABELS " 268435456");
	assert_has_line("oomwarden_cgroup_growth_bytes_per_second" API_LABELS " 33554432.5");
	assert_has_line("oomwarden_cgroup_oom_eta_seconds" API_LABELS " 2.25");
	assert_has_line("oomwarden_cgroup_level" API_LABELS " 2");
	assert_has_line("oomwarden_cgroup_oom_kills_total" API_LABELS " 1");
	assert_has_line("oomwarden_cgroup_brake_active" API_LABELS " 0");
	assert_has_line("oomwarden_cgroup_brake_lifted_total" API_LABELS " 0");
	assert_has_line("oomwarden_cgroup_brake_drained_total" API_LABELS " 0");
	assert_has_line("oomwarden_cgroup_crash_loops_total" API_LABELS " 0");
	assert_has_line("oomwarden_action_lead_seconds" API_LABELS " 4.5");
	assert_has_line("oomwarden_action_grace_seconds" API_LABELS " 10");
	/* Every action label is there from the start, zeros included. */
	assert_has_line("oomwarden_cgroup_actions_total{cgroup=\"api.service\",path=\"" API_PATH
			"\",action=\"sigterm\"} 3");
	assert_has_line("oomwarden_cgroup_actions_total{cgroup=\"api.service\",path=\"" API_PATH
			"\",action=\"sigkill\"} 0");
	assert_has_line("oomwarden_cgroup_actions_total{cgroup=\"api.service\",path=\"" API_PATH
			"\",action=\"dry_run\"} 0");
	assert_has_line("oomwarden_cgroup_actions_total{cgroup=\"api.service\",path=\"" API_PATH
			"\",action=\"pod_delete\"} 0");
}

/* A pod's cgroups carry its names as labels; a pod whose container is not known has none. */
static void test_pod_labels(void **state)
{
	struct ow_metrics_daemon d;
	struct ow_metrics_cgroup cgs[2];

	daemon_stats(&d);
	api_cgroup(&cgs[0]);
	cgs[0].name = "pod:0f1e";
	cgs[0].path = "/sys/fs/cgroup/kubepods/pod0f1e/cri-containerd-a1";
	cgs[0].ns = "default";
	cgs[0].pod = "web-7d9f8b6c5-x2x9z";
	cgs[0].container = "nginx";
	cgs[1] = cgs[0];
	cgs[1].path = "/sys/fs/cgroup/kubepods/pod0f1e";
	cgs[1].container = "";
	assert_int_equal(ow_metrics_format(&d, cgs, 2, &out), 0);
	assert_int_equal(lint_ok(&out), DAEMON_SAMPLES + 2 * CGROUP_SAMPLES);
	assert_has_line("oomwarden_cgroup_level{cgroup=\"pod:0f1e\",path=\"/sys/fs/cgroup/kubepods/"
			"pod0f1e/cri-containerd-a1\",namespace=\"default\",pod=\"web-7d9f8b6c5-"
			"x2x9z\",container=\"nginx\"} 2");
	assert_has_line("oomwarden_cgroup_actions_total{cgroup=\"pod:0f1e\",path=\"/sys/fs/cgroup/"
			"kubepods/pod0f1e\",namespace=\"default\",pod=\"web-7d9f8b6c5-x2x9z\","
			"action=\"sigterm\"} 3");
}

/* A docker or podman container's cgroup: its name and image as labels. */
static void test_container_labels(void **state)
{
	struct ow_metrics_daemon d;
	struct ow_metrics_cgroup cg;

	daemon_stats(&d);
	api_cgroup(&cg);
	cg.name = "podman:5e3d5c0b5dc8";
	cg.path = "/sys/fs/cgroup/memory/libpod_parent/libpod-5e3d";
	cg.container = "queue";
	cg.image = "localhost/app:1";
	assert_int_equal(ow_metrics_format(&d, &cg, 1, &out), 0);
	assert_int_equal(lint_ok(&out), DAEMON_SAMPLES + CGROUP_SAMPLES);
	assert_has_line("oomwarden_cgroup_level{cgroup=\"podman:5e3d5c0b5dc8\",path=\"/sys/fs/"
			"cgroup/memory/libpod_parent/libpod-5e3d\",container=\"queue\",image=\""
			"localhost/app:1\"} 2");
}

static void test_help_and_type_for_every_family(void **state)
{
	static const char *const families[][2] = {
		{"build_info", "gauge"},
		{"degraded", "gauge"},
		{"start_time_seconds", "gauge"},
		{"cpu_seconds_total", "counter"},
		{"resident_memory_bytes", "gauge"},
		{"events_total", "counter"},
		{"oom_kills_total", "counter"},
		{"bpf_map_full_total", "counter"},
		{"sight_passes_total", "counter"},
		{"sight_pass_seconds_total", "counter"},
		{"sight_pass_cgroups", "gauge"},
		{"sight_watch_ticks_total", "counter"},
		{"sight_watch_seconds_total", "counter"},
		{"alerts_sent_total", "counter"},
		{"alerts_failed_total", "counter"},
		{"alerts_dropped_total", "counter"},
		{"cgroups", "gauge"},
		{"processes", "gauge"},
		{"cgroup_usage_bytes", "gauge"},
		{"cgroup_nonreclaimable_bytes", "gauge"},
		{"cgroup_limit_bytes", "gauge"},
		{"cgroup_growth_bytes_per_second", "gauge"},
		{"cgroup_oom_eta_seconds", "gauge"},
		{"cgroup_level", "gauge"},
		{"cgroup_oom_kills_total", "counter"},
		{"cgroup_brake_active", "gauge"},
		{"cgroup_brake_lifted_total", "counter"},
		{"cgroup_brake_drained_total", "counter"},
		{"cgroup_crash_loops_total", "counter"},
		{"action_lead_seconds", "gauge"},
		{"action_grace_seconds", "gauge"},
		{"cgroup_actions_total", "counter"},
	};
	struct ow_metrics_daemon d;
	char line[160];
	size_t i, helps = 0;
	const char *p;

	daemon_stats(&d);
	/* No cgroup: the per-cgroup families are still declared. */
	assert_int_equal(ow_metrics_format(&d, NULL, 0, &out), 0);
	assert_int_equal(lint_ok(&out), DAEMON_SAMPLES);
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		snprintf(line, sizeof(line), "# TYPE oomwarden_%s %s", families[i][0],
			 families[i][1]);
		assert_has_line(line);
		snprintf(line, sizeof(line), "# HELP oomwarden_%s ", families[i][0]);
		assert_non_null(strstr(out.buf, line));
	}
	for (p = out.buf; (p = strstr(p, "# HELP ")); p++)
		helps++;
	assert_int_equal(helps, sizeof(families) / sizeof(families[0]));
}

static void test_infinities(void **state)
{
	struct ow_metrics_daemon d;
	struct ow_metrics_cgroup cg;

	daemon_stats(&d);
	api_cgroup(&cg);
	cg.eta_s = INFINITY;
	cg.limit_bytes = OW_NO_LIMIT;
	cg.growth_bytes_per_s = 0;
	assert_int_equal(ow_metrics_format(&d, &cg, 1, &out), 0);
	lint_ok(&out);
	assert_has_line("oomwarden_cgroup_oom_eta_seconds" API_LABELS " +Inf");
	assert_has_line("oomwarden_cgroup_limit_bytes" API_LABELS " +Inf");
	assert_has_line("oomwarden_cgroup_growth_bytes_per_second" API_LABELS " 0");
}

/* A brake on, bursts let go and victims drained under it. */
static void test_brake(void **state)
{
	struct ow_metrics_daemon d;
	struct ow_metrics_cgroup cg;

	daemon_stats(&d);
	api_cgroup(&cg);
	cg.brake_active = true;
	cg.brake_lifted = 2;
	cg.brake_drained = 5;
	cg.crash_loops = 3;
	assert_int_equal(ow_metrics_format(&d, &cg, 1, &out), 0);
	assert_int_equal(lint_ok(&out), DAEMON_SAMPLES + CGROUP_SAMPLES);
	assert_has_line("oomwarden_cgroup_brake_active" API_LABELS " 1");
	assert_has_line("oomwarden_cgroup_brake_lifted_total" API_LABELS " 2");
	assert_has_line("oomwarden_cgroup_brake_drained_total" API_LABELS " 5");
	assert_has_line("oomwarden_cgroup_crash_loops_total" API_LABELS " 3");
}

/* No action yet: no lead or grace sample (not NaN); declared all the same. An action at the
 * high-water mark with no OOM predicted gave +Inf of lead; a dry run grants no grace. */
static void test_last_action(void **state)
{
	struct ow_metrics_daemon d;
	struct ow_metrics_cgroup cgs[3];

	daemon_stats(&d);
	api_cgroup(&cgs[0]);
	cgs[0].lead_s = NAN;
	cgs[0].grace_s = NAN;
	api_cgroup(&cgs[1]);
	cgs[1].path = "/sys/fs/cgroup/memory/hw";
	cgs[1].lead_s = INFINITY;
	api_cgroup(&cgs[2]);
	cgs[2].path = "/sys/fs/cgroup/memory/dry";
	cgs[2].lead_s = 0.5;
	cgs[2].grace_s = NAN;
	assert_int_equal(ow_metrics_format(&d, cgs, 3, &out), 0);
	assert_int_equal(lint_ok(&out), DAEMON_SAMPLES + 3 * CGROUP_SAMPLES - 3);
	assert_null(strstr(out.buf, "oomwarden_action_lead_seconds" API_LABELS));
	assert_null(strstr(out.buf, "oomwarden_action_grace_seconds" API_LABELS));
	assert_null(strstr(out.buf, "NaN"));
	assert_has_line("# TYPE oomwarden_action_lead_seconds gauge");
	assert_has_line("# TYPE oomwarden_action_grace_seconds gauge");
	assert_has_line("oomwarden_action_lead_seconds{cgroup=\"api.service\",path="
			"\"/sys/fs/cgroup/memory/hw\"} +Inf");
	assert_has_line("oomwarden_action_grace_seconds{cgroup=\"api.service\",path="
			"\"/sys/fs/cgroup/memory/hw\"} 10");
	assert_has_line("oomwarden_action_lead_seconds{cgroup=\"api.service\",path="
			"\"/sys/fs/cgroup/memory/dry\"} 0.5");
	assert_null(strstr(out.buf, "oomwarden_action_grace_seconds{cgroup=\"api.service\",path="
				    "\"/sys/fs/cgroup/memory/dry\"}"));
}

static void test_values(void **state)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
		{0, "0"},
		{-INFINITY, "-Inf"},
		{INFINITY, "+Inf"},
		{NAN, "NaN"},
		{1e16 + 2, "10000000000000002"}, /* exact, no exponent */
		{9007199254740992.0, "9007199254740992"},
		{0.1, "0.1"},
		{-2.5, "-2.5"},
		{1e20, "1e+20"},
		{1.5e-7, "1.5e-07"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ow_strbuf_reset(&out);
		ow_metrics_value(&out, cases[i].v);
		assert_string_equal(out.buf, cases[i].text);
	}
}

static void test_label_escaping(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "plain"},
		{"a\"b", "a\\\"b"},
		{"back\\slash", "back\\\\slash"},
		{"new\nline", "new\\nline"},
		/* other control characters as the text \xNN (a terminal showing the page gets
		 * no escape sequence; a scraper reads back the four characters) */
		{"tab\tgoes", "tab\\\\x09goes"},
		{"ow-\x1b[31m\rX", "ow-\\\\x1b[31m\\\\x0dX"},
		{"del\x7f c1\xc2\x9b"
		 "2J",
		 "del\\\\x7f c1\\\\xc2\\\\x9b2J"},
		{"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98",
		 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98"},
		{"bad\xff", "bad\xef\xbf\xbd"},
		{"overlong\xc0\xaf", "overlong\xef\xbf\xbd\xef\xbf\xbd"},
		{"surrogate\xed\xa0\x80", "surrogate\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{"cut\xe2\x82", "cut\xef\xbf\xbd\xef\xbf\xbd"},
		{"", ""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ow_strbuf_reset(&out);
		ow_metrics_label_value(&out, cases[i].in);
		assert_string_equal(out.buf ? out.buf : "", cases[i].out);
	}
}

/* Cgroup names and paths are whatever users named their directories. */
static void test_hostile_names_stay_valid(void **state)
{
	struct ow_metrics_daemon d;
	struct ow_metrics_cgroup cgs[3];

	daemon_stats(&d);
	d.mode = "de\"g\\raded\n";
	api_cgroup(&cgs[0]);
	api_cgroup(&cgs[1]);
	api_cgroup(&cgs[2]);
	cgs[0].name = "we\"ird\\na\nme\xff";
	cgs[0].path = "/sys/fs/cgroup/memory/we\"ird\\na\nme\xff";
	cgs[1].name = "} 1\n# TYPE x counter";
	cgs[1].path = "/sys/fs/cgroup/memory/inject";
	cgs[2].name = ""; /* two cgroups may share a display name: the path keeps them apart */
	cgs[2].path = "/sys/fs/cgroup/memory/empty";
	cgs[2].eta_s = NAN;
	assert_int_equal(ow_metrics_format(&d, cgs, 3, &out), 0);
	assert_int_equal(lint_ok(&out), DAEMON_SAMPLES + 3 * CGROUP_SAMPLES);
	assert_has_line("oomwarden_cgroup_level{cgroup=\"we\\\"ird\\\\na\\nme\xef\xbf\xbd\",path="
			"\"/sys/fs/cgroup/memory/we\\\"ird\\\\na\\nme\xef\xbf\xbd\"} 2");
}

static void test_many_cgroups(void **state)
{
	static struct ow_metrics_cgroup cgs[500];
	static char paths[500][64];
	struct ow_metrics_daemon d;
	unsigned int i;

	daemon_stats(&d);
	for (i = 0; i < 500; i++) {
		api_cgroup(&cgs[i]);
		snprintf(paths[i], sizeof(paths[i]), "/sys/fs/cgroup/memory/c%u", i);
		cgs[i].path = paths[i];
	}
	assert_int_equal(ow_metrics_format(&d, cgs, 500, &out), 0);
	assert_int_equal(lint_ok(&out), DAEMON_SAMPLES + 500 * CGROUP_SAMPLES);
}

/* ---- the checker itself ---- */

static int lint(const char *text)
{
	char err[256];

	return ow_prom_lint(text, strlen(text), err, sizeof(err));
}

#define GAUGE "# TYPE g gauge\n"

static void test_lint_accepts(void **state)
{
	assert_int_equal(lint(""), 0);
	assert_int_equal(lint("# HELP g A gauge.\n" GAUGE "g 1\n"), 1);
	assert_int_equal(lint(GAUGE "# HELP g help after type, escaped \\\\ and \\n\ng 1\n"), 1);
	assert_int_equal(lint(GAUGE "g{a=\"1\",b=\"x\\\"y\\\\z\\n\"} -1.5e3\n"), 1);
	assert_int_equal(lint(GAUGE "g{a=\"1\",} 2\n"), 1); /* trailing comma */
	assert_int_equal(lint(GAUGE "g{} 2\n"), 1);
	assert_int_equal(lint(GAUGE "g 1 1700000000000\ng{a=\"b\"} -1 -5\n"), 2); /* timestamps */
	assert_int_equal(lint(GAUGE "g +Inf\ng{a=\"\"} -Inf\ng{a=\"1\"} NaN\n"), 3);
	assert_int_equal(lint(GAUGE "g .5\ng{a=\"1\"} 5.\ng{a=\"2\"} +3\n"), 3);
	assert_int_equal(lint("# TYPE c_total counter\nc_total 0\nc_total{a=\"1\"} 1e3\n"), 2);
	assert_int_equal(lint("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
			      "h_sum 3\nh_count 2\n"),
			 4);
	assert_int_equal(lint("# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 3\ns_count 2\n"), 3);
	assert_int_equal(lint("# TYPE ns:x_y gauge\nns:x_y{l_1=\"\xc3\xa9\"} 1\n"), 1);
	/* The same label names with other values: another series. */
	assert_int_equal(lint(GAUGE "g{a=\"1\",b=\"2\"} 1\ng{a=\"2\",b=\"1\"} 1\n"), 2);
}

static void test_lint_rejects(void **state)
{
	static const char *const bad[] = {
		"g 1\n",					  /* no TYPE */
		"# HELP g x\ng 1\n",				  /* HELP is not TYPE */
		GAUGE "g 1",					  /* no final newline */
		GAUGE "\ng 1\n",				  /* blank line */
		GAUGE "# a comment\ng 1\n",			  /* neither HELP nor TYPE */
		GAUGE "#HELP g x\n",				  /* no space after # */
		"# TYPE 1g gauge\n1g 1\n",			  /* name starts with a digit */
		"# TYPE g-x gauge\ng-x 1\n",			  /* dash in a name */
		"# TYPE g gauge\n# TYPE g gauge\ng 1\n",	  /* second TYPE */
		"# HELP g a\n# HELP g b\n" GAUGE "g 1\n",	  /* second HELP */
		GAUGE "g 1\n# TYPE g gauge\n",			  /* TYPE after samples */
		GAUGE "g 1\n# TYPE h gauge\nh 1\ng{a=\"1\"} 2\n", /* family split */
		GAUGE "g 1\n# TYPE h gauge\n# HELP g late\n",	  /* HELP after another family */
		"# TYPE g wibble\ng 1\n",			  /* unknown type */
		"# TYPE g gauge \ng 1\n",			  /* trailing space */
		"# TYPE c counter\nc 1\n",			  /* counter without _total */
		"# TYPE g_total gauge\ng_total 1\n",		  /* _total that is no counter */
		"# TYPE c_total counter\nc_total -1\n",		  /* negative counter */
		"# TYPE c_total counter\nc_total NaN\n",	  /* NaN counter */
		"# TYPE c_total counter\nc_total +Inf\n",	  /* infinite counter */
		GAUGE "g  1\n",					  /* two spaces */
		GAUGE "g\t1\n",					  /* tab */
		GAUGE "g 1 \n",					  /* trailing space */
		GAUGE "g 1,5\n",				  /* comma */
		GAUGE "g inf\n",				  /* lower-case infinity */
		GAUGE "g 0x10\n",				  /* hex */
		GAUGE "g 1e\n",					  /* bad exponent */
		GAUGE "g .\n",					  /* no digits */
		GAUGE "g\n",					  /* no value */
		GAUGE "g 1 2.5\n",				  /* fractional timestamp */
		GAUGE "g 1 x\n",				  /* bad timestamp */
		GAUGE "g{a=\"1\"} 1\ng{a=\"1\"} 2\n",		  /* same series twice */
		GAUGE "g{b=\"2\",a=\"1\"} 1\ng{a=\"1\",b=\"2\"} 2\n", /* same, reordered */
		GAUGE "g 1\ng 2\n",				      /* same unlabelled series */
		GAUGE "g{a=\"1\",a=\"2\"} 1\n",			      /* label twice */
		GAUGE "g{__name__=\"x\"} 1\n",			      /* reserved label */
		GAUGE "g{a:b=\"1\"} 1\n",			      /* colon in a label name */
		GAUGE "g{1a=\"1\"} 1\n",		   /* label name starts with a digit */
		GAUGE "g{a=\"\\t\"} 1\n",		   /* bad escape */
		GAUGE "g{a=\"x\\\"} 1\n",		   /* escaped closing quote */
		GAUGE "g{a=\"x} 1\n",			   /* unterminated value */
		GAUGE "g{a=1} 1\n",			   /* unquoted value */
		GAUGE "g{a=\"1\" b=\"2\"} 1\n",		   /* no comma */
		GAUGE "g{a=\"1\"\n",			   /* unterminated set */
		GAUGE "g{a=\"\xff\"} 1\n",		   /* not UTF-8 */
		"# HELP g bad \\t escape\n" GAUGE "g 1\n", /* bad HELP escape */
		"# TYPE h histogram\nh_total 1\n",	   /* not a histogram suffix */
		"# TYPE s summary\ns_bucket 1\n",	   /* summaries have no buckets */
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (ow_prom_lint(bad[i], strlen(bad[i]), err, sizeof(err)) != -EINVAL)
			fail_msg("accepted case %zu: '%s'", i, bad[i]);
		assert_non_null(strstr(err, "line "));
	}
}

static void test_lint_names_the_line(void **state)
{
	static const char text[] = GAUGE "g 1\ng{a=\"1\"} 2\ng{a=\"\\q\"} 3\n";
	char err[256];

	assert_int_equal(ow_prom_lint(text, strlen(text), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 4: "));
	assert_non_null(strstr(err, "escape"));
}

static void test_lint_nul_byte(void **state)
{
	static const char text[] = GAUGE "g 1\0\n";
	char err[256];

	assert_int_equal(ow_prom_lint(text, sizeof(text) - 1, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_format_is_valid_exposition, teardown),
		cmocka_unit_test_teardown(test_format_values_and_labels, teardown),
		cmocka_unit_test_teardown(test_pod_labels, teardown),
		cmocka_unit_test_teardown(test_container_labels, teardown),
		cmocka_unit_test_teardown(test_help_and_type_for_every_family, teardown),
		cmocka_unit_test_teardown(test_infinities, teardown),
		cmocka_unit_test_teardown(test_brake, teardown),
		cmocka_unit_test_teardown(test_last_action, teardown),
		cmocka_unit_test_teardown(test_values, teardown),
		cmocka_unit_test_teardown(test_label_escaping, teardown),
		cmocka_unit_test_teardown(test_hostile_names_stay_valid, teardown),
		cmocka_unit_test_teardown(test_many_cgroups, teardown),
		cmocka_unit_test(test_lint_accepts),
		cmocka_unit_test(test_lint_rejects),
		cmocka_unit_test(test_lint_names_the_line),
		cmocka_unit_test(test_lint_nul_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
