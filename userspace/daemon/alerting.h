/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From the daemon's decisions to webhook alerts: fill a struct ow_alert from a cgroup, its
 * victim and its processes, keep one incident id per cgroup from leaving ok to coming back,
 * and hand the alert to the sender process without waiting (ow_alerter_send never blocks).
 * Every function is a no-op when no webhook is configured (al == NULL).
 */
#ifndef OW_ALERTING_H
#define OW_ALERTING_H

#include <linux/types.h>
#include <stdbool.h>

#include "candidates.h"
#include "alert_sender.h"
#include "model.h"
#include "ow_events.h"

/* A level change: warn when the cgroup leaves ok (whatever level it goes to), resolved when
 * it comes back to ok, each with the cgroup's largest processes from `cands` (may be NULL).
 * Opens and closes the cgroup's incident. */
void ow_notify_level(struct ow_alerter *al, struct ow_cgroup *cg, enum ow_level from,
		     enum ow_level to, const struct ow_candidates *cands);

/* What was done to a victim. Strings are never NULL ("" when none). */
struct ow_action_desc {
	const char *action;  /* "SIGTERM", "SIGKILL" or "restart" */
	const char *command; /* restart: the manager's command */
	const char *manager; /* who manages the victim: "pm2:worker(id 3)", "unknown" */
	const char *note;    /* e.g. what systemd does after the SIGTERM, or why not restarted */
};

/* SIGTERM sent or restart asked (OW_ALERT_ACT, maybe dry_run) or SIGKILL sent
 * (OW_ALERT_ESCALATE) to `victim`; `cands` (may be NULL) gives the top processes. The alert
 * carries the lead the action gave and the grace granted (cg->victim: set before the call). */
void ow_notify_action(struct ow_alerter *al, struct ow_cgroup *cg, enum ow_alert_kind kind,
		      const struct ow_proc_info *victim, const struct ow_candidates *cands,
		      const struct ow_action_desc *what, bool dry_run);

/* SIGKILL sent to cg's victim (cg->victim) past or within its grace: `why` becomes the note,
 * `rule` says what cut the grace ("kill_water", "live_eta", "deadline"). */
void ow_notify_escalate(struct ow_alerter *al, struct ow_cgroup *cg, const char *why,
			const char *rule);

/* The kernel OOM killer struck: a post-mortem, with or without a watched cgroup; `cmdline` is
 * what the daemon remembered of the victim ("" if nothing), `untold` the cgroup's OOM kills
 * since its last such alert, not alerted (lifecycle.h). */
void ow_notify_oom_kill(struct ow_alerter *al, struct ow_cgroup *cg, const struct ow_event *e,
			const char *cmdline, uint64_t untold);

/* The brake on cg (cg->brake, still set for a lift): applied, or lifted because the growth
 * stopped under it (a burst); `why` is the alert's reason. Applied opens the cgroup's incident
 * if none is open (the warn alert follows in it); a lift after the incident was resolved is not
 * alerted. */
void ow_notify_brake(struct ow_alerter *al, struct ow_cgroup *cg, bool applied, const char *why);

/* The daemon's BPF maps refused `refused` more insertions (`total` since start): some processes
 * or memcgs go unwatched. One incident from `since_ns` (CLOCK_REALTIME; 0: it starts now).
 * Returns the incident's start, to pass again next time. */
int64_t ow_notify_unwatched(struct ow_alerter *al, uint64_t refused, uint64_t total,
			    int64_t since_ns);

#endif /* OW_ALERTING_H */
