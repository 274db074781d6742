// SPDX-License-Identifier: GPL-2.0
/*
 * The decisions of pod_delete.h: whether a victim's pod is deleted through the API or the
 * victim SIGTERMed, how long the answer is waited for, and what each answer means.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pod_delete.h"

#define NS_PER_S 1000000000ULL
/* The API's own default terminationGracePeriodSeconds (core/v1 PodSpec). */
#define POD_GRACE_DEFAULT_S 30.0

const char *ow_pod_del_result_name(enum ow_pod_del_result r)
{
	static const char *const names[OW_POD_DEL_RESULT_COUNT] = {
		[OW_POD_DEL_ACCEPTED] = "accepted", [OW_POD_DEL_TERMINATING] = "terminating",
		[OW_POD_DEL_BARE] = "bare",	    [OW_POD_DEL_MIRROR] = "mirror",
		[OW_POD_DEL_GONE] = "gone",	    [OW_POD_DEL_FORBIDDEN] = "forbidden",
		[OW_POD_DEL_FAILED] = "failed",	    [OW_POD_DEL_UNAVAILABLE] = "unavailable",
		[OW_POD_DEL_BUSY] = "busy",
	};

	return (unsigned int)r < OW_POD_DEL_RESULT_COUNT ? names[r] : "?";
}

bool ow_pod_del_stops(enum ow_pod_del_result r)
{
	return r == OW_POD_DEL_ACCEPTED || r == OW_POD_DEL_TERMINATING;
}

uint64_t ow_pod_del_backoff_ns(enum ow_pod_del_result r)
{
	switch (r) {
	case OW_POD_DEL_FORBIDDEN: /* RBAC changes by hand: ten minutes */
		return 600 * NS_PER_S;
	case OW_POD_DEL_FAILED: /* a dead or overloaded API server */
	case OW_POD_DEL_UNAVAILABLE:
		return 60 * NS_PER_S;
	default:
		return 0;
	}
}

void ow_pod_refusal_note(struct ow_pod_refusals *t, enum ow_pod_del_result r, const char *ns,
			 uint64_t now_ns)
{
	uint64_t until = now_ns + ow_pod_del_backoff_ns(r);
	unsigned int i, slot = 0;

	if (!ow_pod_del_backoff_ns(r))
		return;
	if (r != OW_POD_DEL_FORBIDDEN) {
		t->all_until_ns = until > t->all_until_ns ? until : t->all_until_ns;
		return;
	}
	for (i = 0; i < OW_POD_REFUSALS; i++) {
		if (!strcmp(t->e[i].ns, ns)) {
			slot = i;
			break;
		}
		if (t->e[i].until_ns < t->e[slot].until_ns)
			slot = i;
	}
	snprintf(t->e[slot].ns, sizeof(t->e[slot].ns), "%s", ns);
	t->e[slot].until_ns = until;
}

uint64_t ow_pod_refusal_until(const struct ow_pod_refusals *t, const char *ns)
{
	uint64_t until = t->all_until_ns;
	unsigned int i;

	for (i = 0; i < OW_POD_REFUSALS; i++)
		if (t->e[i].ns[0] && !strcmp(t->e[i].ns, ns) && t->e[i].until_ns > until)
			until = t->e[i].until_ns;
	return until;
}

enum ow_pod_delete_plan ow_pod_delete_plan(const struct ow_pod_delete_view *v)
{
	if (!v->enabled || !v->in_pod)
		return OW_POD_DELETE_OFF;
	if (v->now_ns < v->backoff_until_ns)
		return OW_POD_DELETE_BACKOFF;
	if (!v->braked && !(v->eta_s >= OW_POD_DELETE_MIN_ETA_S))
		return OW_POD_DELETE_NO_TIME;
	/* a dry run says what a real one would do: the same rules first */
	return v->dry_run ? OW_POD_DELETE_DRY_RUN : OW_POD_DELETE_ASK;
}

const char *ow_pod_delete_plan_why(enum ow_pod_delete_plan p)
{
	switch (p) {
	case OW_POD_DELETE_ASK:
		return "the pod is deleted through the API: out of its endpoints, then its preStop "
		       "hook and the kubelet's SIGTERM";
	case OW_POD_DELETE_NO_TIME:
		return "the limit is too close to wait for the API server and the kubelet";
	case OW_POD_DELETE_BACKOFF:
		return "the API server refused or failed a deletion recently";
	case OW_POD_DELETE_DRY_RUN:
		return "the pod would be deleted through the API";
	case OW_POD_DELETE_OFF:
		break;
	}
	return "";
}

double ow_pod_delete_answer_s(double eta_s, bool braked)
{
	if (braked || !(eta_s < 3 * OW_POD_DELETE_ANSWER_S))
		return OW_POD_DELETE_ANSWER_S;
	return eta_s > 0 ? eta_s / 3 : 0;
}

double ow_pod_delete_grace_s(double pod_grace_s)
{
	double g = pod_grace_s >= 0 && isfinite(pod_grace_s) ? pod_grace_s : POD_GRACE_DEFAULT_S;

	return (g < OW_POD_DELETE_GRACE_MAX_S ? g : OW_POD_DELETE_GRACE_MAX_S) +
	       OW_POD_DELETE_KUBELET_S;
}
