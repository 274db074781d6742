// SPDX-License-Identifier: GPL-2.0
/* Kubernetes names from the kubelet's log directories: see kube_names.h. */
#include <string.h>

#include "kube_names.h"

#define ID_LEN 64 /* container ids: as cgroup_path.h's OW_CGP_ID_LEN */

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool ow_kube_label_ok(const char *s, unsigned long n)
{
	unsigned long i;

	if (n == 0 || n > OW_KUBE_LABEL_MAX || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	for (i = 1; i + 1 < n; i++) {
		if (!lower_alnum(s[i]) && s[i] != '-')
			return false;
	}
	return true;
}

bool ow_kube_subdomain_ok(const char *s, unsigned long n)
{
	unsigned long start = 0, i;

	if (n == 0 || n > OW_KUBE_SUBDOMAIN_MAX)
		return false;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!ow_kube_label_ok(s + start, i - start))
			return false;
		start = i + 1;
	}
	return true;
}

/* "A_B" at s (n bytes, one '_'): both parts checked by ok_a and ok_b, then copied. */
static bool split_pair(const char *s, unsigned long n, bool (*ok_a)(const char *, unsigned long),
		       char *a, unsigned long alen, bool (*ok_b)(const char *, unsigned long),
		       char *b, unsigned long blen)
{
	const char *us = memchr(s, '_', n);
	unsigned long na, nb;

	if (!us)
		return false;
	na = (unsigned long)(us - s);
	nb = n - na - 1;
	if (na >= alen || nb >= blen || !ok_a(s, na) || !ok_b(us + 1, nb))
		return false;
	memcpy(a, s, na);
	a[na] = '\0';
	memcpy(b, us + 1, nb);
	b[nb] = '\0';
	return true;
}

bool ow_kube_pod_dir(const char *name, const char *uid, struct ow_kube_names *out)
{
	size_t n = strlen(name), u = strlen(uid);
	struct ow_kube_names got = {0};

	/* "NS_POD" then "_" then the UID: the UID's own characters were checked by the cgroup
	 * path parser (hex and '-'), so an exact match is enough. */
	if (!u || n < u + 4 || strcmp(name + n - u, uid) || name[n - u - 1] != '_')
		return false;
	if (!split_pair(name, n - u - 1, ow_kube_label_ok, got.ns, sizeof(got.ns),
			ow_kube_subdomain_ok, got.pod, sizeof(got.pod)))
		return false;
	memcpy(out->ns, got.ns, sizeof(got.ns));
	memcpy(out->pod, got.pod, sizeof(got.pod));
	return true;
}

bool ow_kube_container_link(const char *name, const char *id, struct ow_kube_names *pod)
{
	size_t n = strlen(name), np = strlen(pod->pod), ns = strlen(pod->ns), c;

	/* POD _ NS _ CONTAINER - ID .log */
	if (strlen(id) != ID_LEN || n < np + ns + ID_LEN + 8)
		return false;
	if (strcmp(name + n - 4, ".log") || memcmp(name + n - 4 - ID_LEN, id, ID_LEN) ||
	    name[n - 5 - ID_LEN] != '-')
		return false;
	if (memcmp(name, pod->pod, np) || name[np] != '_' || memcmp(name + np + 1, pod->ns, ns) ||
	    name[np + 1 + ns] != '_')
		return false;
	c = n - 5 - ID_LEN - (np + ns + 2);
	if (!ow_kube_label_ok(name + np + ns + 2, c))
		return false;
	memcpy(pod->container, name + np + ns + 2, c);
	pod->container[c] = '\0';
	return true;
}
