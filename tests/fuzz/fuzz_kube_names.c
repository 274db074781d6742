// SPDX-License-Identifier: GPL-2.0
/*
 * The kubelet's log directory entries (kube_names.c): the input, NUL-cut, is a /var/log/pods
 * or /var/log/containers entry name (first byte even: a pod directory, odd: a container link).
 * The names found must be Kubernetes names, NUL-terminated within their fields.
 */
#include "fuzz.h"
#include "kube_names.h"

#define UID "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
#define ID "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_kube_names n = {.ns = "default", .pod = "web-0"};
	char name[512];

	if (!size)
		return 0;
	size = size - 1 < sizeof(name) - 1 ? size - 1 : sizeof(name) - 1;
	memcpy(name, data + 1, size);
	name[size] = '\0';
	if (!(data[0] & 1)) {
		if (ow_kube_pod_dir(name, UID, &n) &&
		    (!ow_kube_label_ok(n.ns, strlen(n.ns)) ||
		     !ow_kube_subdomain_ok(n.pod, strlen(n.pod))))
			abort();
	} else if (ow_kube_container_link(name, ID, &n) &&
		   !ow_kube_label_ok(n.container, strlen(n.container))) {
		abort();
	}
	return 0;
}
