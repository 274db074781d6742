// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/alerts/kube_pod.c: the pod deletion's URL and body, what the GET's
 * Pod says (the cgroup's pod? owned? a mirror? terminating? its grace), and what each HTTP
 * status means. The Pods are shaped as the API server returns them (core/v1).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kube_pod.h"

#define UID "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"

static void judge(const char *body, struct ow_kube_pod_facts *f)
{
	ow_kube_pod_judge(body, strlen(body), UID, f);
}

#define OWNED                                                                                      \
	"\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","                \
	"\"name\":\"web-5d9c\",\"uid\":\"1\",\"controller\":true,\"blockOwnerDeletion\":true}]"

static void test_owned_pod(void **state)
{
	struct ow_kube_pod_facts f;

	judge("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web-5d9c-x\","
	      "\"namespace\":\"shop\",\"uid\":\"" UID "\"," OWNED "},"
	      "\"spec\":{\"terminationGracePeriodSeconds\":45,\"containers\":[]}}",
	      &f);
	assert_true(f.deletable);
	assert_true(f.grace_s == 45);
	assert_string_equal(f.owner, "ReplicaSet/web-5d9c");
	/* no grace in the spec: -1 (the API's default applies) */
	judge("{\"kind\":\"Pod\",\"metadata\":{\"uid\":\"" UID "\"," OWNED "},\"spec\":{}}", &f);
	assert_true(f.deletable);
	assert_true(f.grace_s == -1);
}

static void test_not_deletable(void **state)
{
	struct ow_kube_pod_facts f;

	/* nobody would make it again */
	judge("{\"kind\":\"Pod\",\"metadata\":{\"uid\":\"" UID "\"},\"spec\":{}}", &f);
	assert_false(f.deletable);
	assert_int_equal(f.result, OW_POD_DEL_BARE);
	judge("{\"kind\":\"Pod\",\"metadata\":{\"uid\":\"" UID "\",\"ownerReferences\":[{}]}}", &f);
	assert_int_equal(f.result, OW_POD_DEL_BARE);
	/* an owner that only garbage-collects it (no controller: true) makes nothing again */
	judge("{\"kind\":\"Pod\",\"metadata\":{\"uid\":\"" UID "\",\"ownerReferences\":"
	      "[{\"kind\":\"ConfigMap\",\"name\":\"x\",\"uid\":\"2\"}]}}",
	      &f);
	assert_int_equal(f.result, OW_POD_DEL_BARE);
	/* a static pod's mirror: deleting it stops nothing */
	judge("{\"kind\":\"Pod\",\"metadata\":{\"uid\":\"" UID "\",\"annotations\":"
	      "{\"kubernetes.io/config.mirror\":\"abc\"}," OWNED "}}",
	      &f);
	assert_int_equal(f.result, OW_POD_DEL_MIRROR);
	/* its UID is the API server's, not the kubelet's (the cgroup's) */
	judge("{\"kind\":\"Pod\",\"metadata\":{\"uid\":\"77\",\"annotations\":"
	      "{\"kubernetes.io/config.mirror\":\"" UID "\"}}}",
	      &f);
	assert_int_equal(f.result, OW_POD_DEL_MIRROR);
	/* being deleted already: the kubelet stops it */
	judge("{\"kind\":\"Pod\",\"metadata\":{\"uid\":\"" UID "\",\"deletionTimestamp\":"
	      "\"2026-12-06T01:00:00Z\"," OWNED "},\"spec\":{\"terminationGracePeriodSeconds\":5}}",
	      &f);
	assert_int_equal(f.result, OW_POD_DEL_TERMINATING);
	assert_true(f.grace_s == 5);
	assert_true(ow_pod_del_stops(f.result));
	/* another pod by that name, made since the cgroup's */
	judge("{\"kind\":\"Pod\",\"metadata\":{\"uid\":\"aaaa\"," OWNED "}}", &f);
	assert_false(f.deletable);
	assert_int_equal(f.result, OW_POD_DEL_GONE);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"{",
		"[]",
		"null",
		"{\"kind\":\"Pod\"}",
		"{\"kind\":\"Status\",\"metadata\":{\"uid\":\"" UID "\"}}",
		"{\"kind\":\"Pod\",\"metadata\":{\"uid\":7}}",
		"{\"kind\":\"Pod\",\"metadata\":[]}",
	};
	struct ow_kube_pod_facts f;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		judge(bad[i], &f);
		assert_false(f.deletable);
		assert_int_equal(f.result, OW_POD_DEL_FAILED);
	}
	/* a negative grace is no grace */
	judge("{\"kind\":\"Pod\",\"metadata\":{\"uid\":\"" UID "\"," OWNED
	      "},\"spec\":{\"terminationGracePeriodSeconds\":-3}}",
	      &f);
	assert_true(f.grace_s == -1);
}

static void test_url_and_body(void **state)
{
	char buf[512];

	assert_int_equal(
		ow_kube_pod_url("https://10.0.0.1:443", "shop", "web-5d9c-x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "https://10.0.0.1:443/api/v1/namespaces/shop/pods/web-5d9c-x");
	/* nothing but a DNS-1123 name reaches the path */
	assert_int_equal(ow_kube_pod_url("https://a", "shop/x", "p", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ow_kube_pod_url("https://a", "shop", "../x", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ow_kube_pod_url("https://a", "shop", "p?x=1", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ow_kube_pod_url("https://a", "", "p", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ow_kube_pod_url("https://a", "shop", "web", buf, 10), -ENAMETOOLONG);
	assert_int_equal(ow_kube_delete_body(UID, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\","
				 "\"preconditions\":{\"uid\":\"" UID "\"}}");
	assert_int_equal(ow_kube_delete_body("x\"}", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ow_kube_delete_body("", buf, sizeof(buf)), -EINVAL);
}

static void test_status(void **state)
{
	assert_int_equal(ow_kube_pod_status(200, false), OW_POD_DEL_ACCEPTED);
	assert_int_equal(ow_kube_pod_status(202, false), OW_POD_DEL_ACCEPTED);
	assert_int_equal(ow_kube_pod_status(200, true), OW_POD_DEL_FAILED);
	assert_int_equal(ow_kube_pod_status(403, true), OW_POD_DEL_FORBIDDEN);
	assert_int_equal(ow_kube_pod_status(401, false), OW_POD_DEL_FORBIDDEN);
	assert_int_equal(ow_kube_pod_status(404, true), OW_POD_DEL_GONE);
	assert_int_equal(ow_kube_pod_status(409, false),
			 OW_POD_DEL_GONE); /* the UID precondition */
	assert_int_equal(ow_kube_pod_status(429, false), OW_POD_DEL_FAILED);
	assert_int_equal(ow_kube_pod_status(500, true), OW_POD_DEL_FAILED);
	assert_int_equal(ow_kube_pod_status(0, false), OW_POD_DEL_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owned_pod), cmocka_unit_test(test_not_deletable),
		cmocka_unit_test(test_malformed), cmocka_unit_test(test_url_and_body),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
