// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/core/pod_delete.c: when a pod's victim is stopped by deleting its
 * pod through the API, how long its answer is waited for, the grace after it, and which
 * answers hold off the next deletions.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "pod_delete.h"

#define NS 1000000000ULL

static struct ow_pod_delete_view pod_victim(double eta_s)
{
	struct ow_pod_delete_view v = {
		.enabled = true, .in_pod = true, .eta_s = eta_s, .now_ns = 100 * NS};
	return v;
}

static void test_plan(void **state)
{
	struct ow_pod_delete_view v = pod_victim(8);

	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_ASK);
	v.enabled = false; /* --kube-delete-pod off, or no --kube-api */
	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_OFF);
	v = pod_victim(8);
	v.in_pod = false; /* not a pod's cgroup, or its names unknown: the usual SIGTERM */
	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_OFF);
	v = pod_victim(8);
	v.dry_run = true;
	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_DRY_RUN);
	v.eta_s = 1; /* a dry run says what a real one would do */
	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_NO_TIME);
	assert_string_not_equal(ow_pod_delete_plan_why(OW_POD_DELETE_DRY_RUN), "");
	assert_string_equal(ow_pod_delete_plan_why(OW_POD_DELETE_OFF), "");
}

/* Too close to the limit for the API server and the kubelet: the SIGTERM goes straight out;
 * unless the brake holds the growth (its ETA is the one before the brake). */
static void test_no_time(void **state)
{
	struct ow_pod_delete_view v = pod_victim(2.9);

	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_NO_TIME);
	v.eta_s = 3.0;
	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_ASK);
	v.eta_s = NAN; /* no ETA (acted at the high-water mark): no time known */
	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_NO_TIME);
	v.eta_s = INFINITY;
	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_ASK);
	v.eta_s = 0.5;
	v.braked = true;
	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_ASK);
}

/* A refusal or a failure holds off the next deletions: they go straight to SIGTERM. */
static void test_backoff(void **state)
{
	struct ow_pod_delete_view v = pod_victim(8);

	v.backoff_until_ns = v.now_ns + 1;
	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_BACKOFF);
	v.backoff_until_ns = v.now_ns;
	assert_int_equal(ow_pod_delete_plan(&v), OW_POD_DELETE_ASK);
	assert_int_equal(ow_pod_del_backoff_ns(OW_POD_DEL_FORBIDDEN), 600 * NS);
	assert_int_equal(ow_pod_del_backoff_ns(OW_POD_DEL_FAILED), 60 * NS);
	assert_int_equal(ow_pod_del_backoff_ns(OW_POD_DEL_UNAVAILABLE), 60 * NS);
	/* a burst of victims fills the sender's table: the next ones SIGTERM, the feature stays */
	assert_int_equal(ow_pod_del_backoff_ns(OW_POD_DEL_BUSY), 0);
	/* a pod's own answer says nothing of the next pod */
	assert_int_equal(ow_pod_del_backoff_ns(OW_POD_DEL_BARE), 0);
	assert_int_equal(ow_pod_del_backoff_ns(OW_POD_DEL_MIRROR), 0);
	assert_int_equal(ow_pod_del_backoff_ns(OW_POD_DEL_GONE), 0);
	assert_int_equal(ow_pod_del_backoff_ns(OW_POD_DEL_ACCEPTED), 0);
}

/* A 403 holds off its namespace (RBAC per namespace); a failing API server, all of them. */
static void test_refusals(void **state)
{
	struct ow_pod_refusals t = {0};
	char ns[16];
	unsigned int i;

	ow_pod_refusal_note(&t, OW_POD_DEL_FORBIDDEN, "shop", 10 * NS);
	assert_int_equal(ow_pod_refusal_until(&t, "shop"), 610 * NS);
	assert_int_equal(ow_pod_refusal_until(&t, "batch"), 0);
	ow_pod_refusal_note(&t, OW_POD_DEL_BARE, "batch", 10 * NS); /* the pod's own: nothing */
	assert_int_equal(ow_pod_refusal_until(&t, "batch"), 0);
	ow_pod_refusal_note(&t, OW_POD_DEL_FAILED, "batch", 20 * NS);
	assert_int_equal(ow_pod_refusal_until(&t, "batch"), 80 * NS);
	assert_int_equal(ow_pod_refusal_until(&t, "other"), 80 * NS);
	assert_int_equal(ow_pod_refusal_until(&t, "shop"), 610 * NS);
	/* noted again: the later end */
	ow_pod_refusal_note(&t, OW_POD_DEL_FORBIDDEN, "shop", 30 * NS);
	assert_int_equal(ow_pod_refusal_until(&t, "shop"), 630 * NS);
	/* a full table forgets the refusal that ends first ("shop", noted before the others) */
	for (i = 0; i < OW_POD_REFUSALS; i++) {
		snprintf(ns, sizeof(ns), "ns%u", i);
		ow_pod_refusal_note(&t, OW_POD_DEL_FORBIDDEN, ns, (100 + i) * NS);
	}
	assert_int_equal(ow_pod_refusal_until(&t, "shop"), 80 * NS);
	assert_int_equal(ow_pod_refusal_until(&t, "ns0"), 700 * NS);
	assert_int_equal(ow_pod_refusal_until(&t, "ns7"), 707 * NS);
}

static void test_answers(void **state)
{
	assert_true(ow_pod_del_stops(OW_POD_DEL_ACCEPTED));
	assert_true(ow_pod_del_stops(OW_POD_DEL_TERMINATING));
	assert_false(ow_pod_del_stops(OW_POD_DEL_BARE));
	assert_false(ow_pod_del_stops(OW_POD_DEL_FORBIDDEN));
	assert_false(ow_pod_del_stops(OW_POD_DEL_FAILED));
	assert_string_equal(ow_pod_del_result_name(OW_POD_DEL_MIRROR), "mirror");
	assert_string_equal(ow_pod_del_result_name(OW_POD_DEL_RESULT_COUNT), "?");
}

/* The answer is waited for 1 s, a third of the ETA when that is less. */
static void test_answer_wait(void **state)
{
	assert_true(ow_pod_delete_answer_s(30, false) == OW_POD_DELETE_ANSWER_S);
	assert_true(ow_pod_delete_answer_s(INFINITY, false) == OW_POD_DELETE_ANSWER_S);
	assert_true(fabs(ow_pod_delete_answer_s(2.4, false) - 0.8) < 1e-9);
	assert_true(ow_pod_delete_answer_s(0.3, true) == OW_POD_DELETE_ANSWER_S);
	assert_true(ow_pod_delete_answer_s(-1, false) == 0);
}

/* The pod's own grace (30 s when not given), capped, and the kubelet's time to act. */
static void test_grace(void **state)
{
	assert_true(ow_pod_delete_grace_s(45) == 45 + OW_POD_DELETE_KUBELET_S);
	assert_true(ow_pod_delete_grace_s(0) == OW_POD_DELETE_KUBELET_S);
	assert_true(ow_pod_delete_grace_s(-1) == 30 + OW_POD_DELETE_KUBELET_S);
	assert_true(ow_pod_delete_grace_s(86400) ==
		    OW_POD_DELETE_GRACE_MAX_S + OW_POD_DELETE_KUBELET_S);
	assert_true(ow_pod_delete_grace_s(INFINITY) == 30 + OW_POD_DELETE_KUBELET_S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),	    cmocka_unit_test(test_no_time),
		cmocka_unit_test(test_backoff),	    cmocka_unit_test(test_answers),
		cmocka_unit_test(test_answer_wait), cmocka_unit_test(test_grace),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
