// SPDX-License-Identifier: GPL-2.0
/*
 * The pre-stop signal's decisions (pre_stop.h): whether to send it, how long to wait, when the
 * wait ends early.
 */
#include <math.h>
#include <string.h>

#include "pre_stop.h"

#define NS_PER_S 1e9

enum ow_pre_stop_plan ow_pre_stop_plan(const struct ow_pre_stop_view *v,
				       struct ow_pre_stop_wait *out)
{
	double eta = isnan(v->eta_s) ? 0 : v->eta_s;

	out->wait_s = 0;
	out->keep_s = eta;
	if (!v->signal)
		return OW_PRE_STOP_OFF;
	/* SIGUSR2 without a handler terminates: that would be a stop with no grace at all. */
	if (v->catches <= 0)
		return OW_PRE_STOP_NOT_CAUGHT;
	if (v->braked) {
		out->wait_s = v->wait_s;
		out->keep_s = v->grace_s;
	} else {
		out->wait_s = fmin(v->wait_s, eta / 2);
		out->keep_s = eta - out->wait_s;
	}
	if (out->wait_s < OW_PRE_STOP_MIN_S) {
		out->wait_s = 0;
		out->keep_s = eta;
		return OW_PRE_STOP_NO_TIME;
	}
	return v->dry_run ? OW_PRE_STOP_DRY_RUN : OW_PRE_STOP_SEND;
}

const char *ow_pre_stop_text(enum ow_pre_stop_plan p)
{
	switch (p) {
	case OW_PRE_STOP_SEND:
		return "sent to the victim before the SIGTERM, so it can leave evidence (a heap "
		       "snapshot)";
	case OW_PRE_STOP_NO_TIME:
		return "not sent: the time to the limit leaves no time to wait for it";
	case OW_PRE_STOP_NOT_CAUGHT:
		return "not sent: the process does not catch it (its default action would end it)";
	case OW_PRE_STOP_DRY_RUN:
		return "dry run: it would be sent to the victim before the SIGTERM";
	case OW_PRE_STOP_OFF:
		break;
	}
	return "";
}

enum ow_pre_stop_cut ow_pre_stop_judge(const struct ow_pre_stop_progress *p)
{
	double left, eta;

	if (!p->limit)
		return OW_PRE_STOP_GO_ON;
	if ((double)p->value >= p->kill_water * (double)p->limit)
		return OW_PRE_STOP_KILL_WATER;
	if (isnan(p->live_rate) || p->live_rate <= 0 || p->value >= p->limit)
		return OW_PRE_STOP_GO_ON;
	eta = (double)(p->limit - p->value) / p->live_rate;
	left = p->deadline_ns > p->now_ns ? (double)(p->deadline_ns - p->now_ns) / NS_PER_S : 0;
	/* Waiting on would leave the SIGTERM under half the lead planned for it. */
	return eta - left < p->keep_s / 2 ? OW_PRE_STOP_FASTER : OW_PRE_STOP_GO_ON;
}

const char *ow_pre_stop_cut_name(enum ow_pre_stop_cut c)
{
	switch (c) {
	case OW_PRE_STOP_KILL_WATER:
		return "kill_water";
	case OW_PRE_STOP_FASTER:
		return "faster";
	case OW_PRE_STOP_GO_ON:
		break;
	}
	return "waited";
}

bool ow_pre_stop_is_dump(const char *path)
{
	static const char *const suffixes[] = {".heapsnapshot", ".hprof"};
	size_t n = strlen(path), i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t k = strlen(suffixes[i]);

		if (n > k && !strcmp(path + n - k, suffixes[i]))
			return true;
	}
	return false;
}

bool ow_dump_watch_update(struct ow_dump_watch *w, const char *open_path)
{
	if (open_path) {
		w->seen = true;
		/* the path comes from a readlink of the process's descriptor: bounded here */
		strncpy(w->path, open_path, sizeof(w->path) - 1);
		w->path[sizeof(w->path) - 1] = '\0';
		return w->written;
	}
	if (w->seen)
		w->written = true;
	return w->written;
}
