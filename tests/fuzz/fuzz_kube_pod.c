// SPDX-License-Identifier: GPL-2.0
/*
 * The API server's answer to a pod's GET (kube_pod.c), as the alert sender judges it before a
 * deletion: any bytes. A pod judged deletable has an owner named; a grace is -1 or >= 0.
 */
#include "fuzz.h"
#include "kube_pod.h"

#define UID "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_kube_pod_facts f;

	ow_kube_pod_judge((const char *)data, size, UID, &f);
	if (f.deletable && !f.owner[0])
		abort();
	if (!(f.grace_s == -1 || f.grace_s >= 0))
		abort();
	if (strnlen(f.owner, sizeof(f.owner)) == sizeof(f.owner))
		abort();
	return 0;
}
