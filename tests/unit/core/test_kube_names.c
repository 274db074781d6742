// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/core/kube_names.c: the kubelet's log directory entries, parsed
 * into namespace, pod and container names; anything that is not a Kubernetes name refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kube_names.h"

#define UID "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
#define ID  "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"

static bool label(const char *s)
{
	return ow_kube_label_ok(s, strlen(s));
}

static bool subdomain(const char *s)
{
	return ow_kube_subdomain_ok(s, strlen(s));
}

static void test_names_are_dns_1123(void **state)
{
	char long_label[70], long_sub[260];

	(void)state;
	assert_true(label("default"));
	assert_true(label("kube-system"));
	assert_true(label("a"));
	assert_true(label("0x"));
	assert_false(label(""));
	assert_false(label("-a"));
	assert_false(label("a-"));
	assert_false(label("Default"));
	assert_false(label("a_b"));
	assert_false(label("a.b"));
	assert_false(label("a b"));
	memset(long_label, 'a', 63);
	long_label[63] = '\0';
	assert_true(label(long_label));
	long_label[63] = 'a';
	long_label[64] = '\0';
	assert_false(label(long_label));

	assert_true(subdomain("web-7d9f8b6c5-x2x9z"));
	assert_true(subdomain("api.v2-0"));
	assert_false(subdomain("a..b"));
	assert_false(subdomain(".a"));
	assert_false(subdomain("a."));
	assert_false(subdomain("a.-b"));
	memset(long_sub, 'a', 253);
	long_sub[63] = long_sub[127] = long_sub[191] = '.';
	long_sub[253] = '\0';
	assert_true(subdomain(long_sub));
	long_sub[253] = 'a';
	long_sub[254] = '\0';
	assert_false(subdomain(long_sub));
}

static void test_pod_dir(void **state)
{
	struct ow_kube_names n = {0};

	(void)state;
	assert_true(ow_kube_pod_dir("default_web-7d9f8b6c5-x2x9z_" UID, UID, &n));
	assert_string_equal(n.ns, "default");
	assert_string_equal(n.pod, "web-7d9f8b6c5-x2x9z");
	assert_string_equal(n.container, "");
	assert_true(ow_kube_pod_dir("prod_api.v2-0_" UID, UID, &n));
	assert_string_equal(n.pod, "api.v2-0");

	memset(&n, 0, sizeof(n));
	/* another pod's UID, or a UID only at the end of a longer one */
	assert_false(ow_kube_pod_dir("default_web_" UID, "1111", &n));
	assert_false(ow_kube_pod_dir("default_web_x" UID, UID, &n));
	assert_false(ow_kube_pod_dir("default_web" UID, UID, &n));
	/* names Kubernetes never gives: a '_' in a pod name, upper case, an empty part */
	assert_false(ow_kube_pod_dir("default_evil_pod_" UID, UID, &n));
	assert_false(ow_kube_pod_dir("Default_web_" UID, UID, &n));
	assert_false(ow_kube_pod_dir("_web_" UID, UID, &n));
	assert_false(ow_kube_pod_dir("default__" UID, UID, &n));
	assert_false(ow_kube_pod_dir("default_-bad-_" UID, UID, &n));
	assert_false(ow_kube_pod_dir(UID, UID, &n));
	assert_false(ow_kube_pod_dir("", UID, &n));
	assert_false(ow_kube_pod_dir("default_web_", "", &n));
	assert_string_equal(n.ns, ""); /* nothing copied on a refusal */
	assert_string_equal(n.pod, "");
}

static void test_container_link(void **state)
{
	struct ow_kube_names n = {.ns = "default", .pod = "web-7d9f8b6c5-x2x9z"};

	(void)state;
	assert_true(ow_kube_container_link("web-7d9f8b6c5-x2x9z_default_nginx-" ID ".log", ID, &n));
	assert_string_equal(n.container, "nginx");
	assert_true(ow_kube_container_link("web-7d9f8b6c5-x2x9z_default_side-car-2-" ID ".log", ID,
					   &n));
	assert_string_equal(n.container, "side-car-2");

	memset(n.container, 0, sizeof(n.container));
	/* another pod, namespace or container id; malformed names */
	assert_false(ow_kube_container_link("other_default_nginx-" ID ".log", ID, &n));
	assert_false(ow_kube_container_link("web-7d9f8b6c5-x2x9z_prod_nginx-" ID ".log", ID, &n));
	assert_false(
		ow_kube_container_link("web-7d9f8b6c5-x2x9z_default_nginx-" ID ".log", "b2b2", &n));
	assert_false(
		ow_kube_container_link("web-7d9f8b6c5-x2x9z_default_Nginx-" ID ".log", ID, &n));
	assert_false(ow_kube_container_link("web-7d9f8b6c5-x2x9z_default_-" ID ".log", ID, &n));
	assert_false(
		ow_kube_container_link("web-7d9f8b6c5-x2x9z_default_nginx_" ID ".log", ID, &n));
	assert_false(
		ow_kube_container_link("web-7d9f8b6c5-x2x9z_default_nginx-" ID ".txt", ID, &n));
	assert_false(ow_kube_container_link("web-7d9f8b6c5-x2x9z_default_nginx-" ID, ID, &n));
	assert_false(
		ow_kube_container_link("web-7d9f8b6c5-x2x9z_defaultx_nginx-" ID ".log", ID, &n));
	assert_false(ow_kube_container_link(ID ".log", ID, &n));
	assert_false(ow_kube_container_link("", ID, &n));
	assert_string_equal(n.container, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_are_dns_1123),
		cmocka_unit_test(test_pod_dir),
		cmocka_unit_test(test_container_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
