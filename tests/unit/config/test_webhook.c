// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/config/webhook.c: --webhook / --webhook-format pairs into targets
 * (the format guessed from the host when unpaired, PagerDuty's routing key taken out of the
 * URL), the errors (one line, never a secret) and URL redaction for logs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "webhook.h"

/* ---- redaction ---- */

static const char *redact(const char *url)
{
	static char buf[256];

	ow_redact_url(url, buf, sizeof(buf));
	return buf;
}

static void test_redact_url(void **state)
{
	char tiny[8];

	assert_string_equal(
		redact("https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXX"),
		"https://hooks.slack.com/services/***");
	assert_string_equal(redact("https://discord.com/api/webhooks/123456/abcDEF-tok"),
			    "https://discord.com/api/webhooks/***");
	assert_string_equal(redact("https://events.pagerduty.com/v2/enqueue?routing_key=abc123"),
			    "https://events.pagerduty.com/v2/enqueue?routing_key=***");
	assert_string_equal(redact("http://user:pa55@am.local:9093/api/v2/alerts"),
			    "http://***@am.local:9093/api/v2/alerts");
	assert_string_equal(redact("https://gotify.example/message?token=Axyz&x=1#frag"),
			    "https://gotify.example/message?token=***&x=***#***");
	assert_string_equal(redact("https://ntfy.sh/oomwarden-alerts"),
			    "https://ntfy.sh/oomwarden-alerts");
	assert_string_equal(redact("https://ntfy.sh/Xk29fjq8Lm2"), "https://ntfy.sh/***");
	assert_string_equal(
		redact("https://x.logic.azure.com:443/workflows/abc/triggers?sig=SECRET"),
		"https://x.logic.azure.com:443/workflows/***?sig=***");
	assert_string_equal(redact("not a url"), "***");
	ow_redact_url("https://hooks.slack.com/services/T0/B0/SECRET", tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_null(strstr(redact("https://a.b/c?token=SECRET"), "SECRET"));
}

/* ---- --webhook / --webhook-format ---- */

static struct ow_webhook_target targets[4];
static char err[512];

static int parse(const char *const *urls, unsigned int nu, const char *const *fmts, unsigned int nf)
{
	memset(err, 0, sizeof(err));
	return ow_webhook_targets_parse(urls, nu, fmts, nf, targets, 4, err, sizeof(err));
}

static void test_targets_parse_ok(void **state)
{
	const char *urls[] = {"https://hooks.slack.com/services/T0/B0/SECRET",
			      "http://127.0.0.1:8080/hook",
			      "https://events.pagerduty.com/v2/enqueue?routing_key=KEY1&x=2",
			      "HTTPS://ntfy.sh/topic"};
	const char *fmts[] = {"slack", "discord"};

	assert_int_equal(parse(urls, 4, fmts, 2), 4);
	assert_int_equal(targets[0].fmt, OW_FMT_SLACK);
	assert_string_equal(targets[0].redacted, "https://hooks.slack.com/services/***");
	assert_int_equal(targets[1].fmt, OW_FMT_DISCORD);
	/* unpaired URLs: the format is guessed from the host */
	assert_int_equal(targets[2].fmt, OW_FMT_PAGERDUTY);
	assert_string_equal(targets[2].secret, "KEY1");
	assert_string_equal(targets[2].url, "https://events.pagerduty.com/v2/enqueue?x=2");
	assert_null(strstr(targets[2].redacted, "KEY1"));
	assert_int_equal(targets[3].fmt, OW_FMT_NTFY);
	urls[1] = "http://example.org/alerts";
	assert_int_equal(parse(urls, 2, fmts, 1), 2);
	assert_int_equal(targets[1].fmt, OW_FMT_JSON);
	urls[0] = "https://events.pagerduty.com/v2/enqueue?routing_key=K";
	fmts[0] = "pagerduty";
	assert_int_equal(parse(urls, 1, fmts, 1), 1);
	assert_string_equal(targets[0].url, "https://events.pagerduty.com/v2/enqueue");
}

static void expect_error(const char *url, const char *fmt, const char *needle)
{
	const char *urls[] = {url}, *fmts[] = {fmt};

	assert_int_equal(parse(urls, 1, fmts, fmt ? 1 : 0), -EINVAL);
	assert_non_null(strstr(err, needle));
	assert_null(strchr(err, '\n'));
}

static void test_targets_parse_errors(void **state)
{
	const char *urls[5] = {"http://a/1", "http://a/2", "http://a/3", "http://a/4",
			       "http://a/5"};
	const char *fmts[2] = {"json", "json"};

	expect_error("ftp://example.org/x", "json", "http:// or https://");
	expect_error("file:///etc/passwd", NULL, "http:// or https://");
	expect_error("https:///path", "json", "no host");
	expect_error("https://exa mple.org/", "json", "bad URL");
	expect_error("https://example.org:80x/", "json", "bad URL");
	expect_error("https://example.org/", "hipchat", "--webhook-format 'hipchat'");
	expect_error("https://events.pagerduty.com/v2/enqueue", "pagerduty", "routing_key=KEY");
	/* the error line never shows a secret */
	expect_error("smtp://hooks.slack.com/services/T0/B0/SECRET", "slack", "services/***");
	assert_null(strstr(err, "SECRET"));
	assert_int_equal(parse(urls, 0, fmts, 1), -EINVAL);
	assert_non_null(strstr(err, "--webhook-format 'json' has no --webhook"));
	assert_int_equal(parse(urls, 5, fmts, 0), -EINVAL);
	assert_non_null(strstr(err, "at most 4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact_url),
		cmocka_unit_test(test_targets_parse_ok),
		cmocka_unit_test(test_targets_parse_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
