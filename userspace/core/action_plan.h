/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signal or restart: a pure decision from the victim's manager and the action asked for
 * (--action, or a per-cgroup setting), with the command to run for a restart. No I/O: the
 * daemon runs the command (runner.h) and falls back to SIGTERM if it fails.
 */
#ifndef OW_ACTION_PLAN_H
#define OW_ACTION_PLAN_H

#include <stdbool.h>
#include <sys/types.h>

#include "managed.h"
#include "rules.h" /* enum ow_action */

#define OW_PLAN_MAX_ARGS 8
#define OW_PLAN_MAX_ENV	 6

/* Holds pointers into itself: fill it in place, do not copy it. */
struct ow_action_plan {
	enum ow_action action; /* what will be done */
	const char *why;       /* why (e.g. why a restart was not possible): static or why_buf */
	char why_buf[224];
	char *argv[OW_PLAN_MAX_ARGS + 1];
	unsigned int argc;
	char *envp[OW_PLAN_MAX_ENV + 1];
	unsigned int envc;
	bool as_user; /* run the command as uid/gid (PM2: the app owner's daemon) */
	uid_t uid;
	gid_t gid;
	double timeout_s;  /* kill the command and fall back to SIGTERM after this */
	char command[512]; /* argv joined with spaces, for logs */
	char buf[4096];	   /* the strings argv and envp point to */
	unsigned int used;
};

const char *ow_action_name(enum ow_action action);
/* "signal" or "restart" into *out; -EINVAL otherwise. */
int ow_action_parse(const char *s, enum ow_action *out);

/* A name that may be passed to a manager's command: letters, digits and "_.:@-\", not
 * starting with '-' (it would be read as an option), not empty. */
bool ow_plan_safe_name(const char *s);

/*
 * What to do with a victim managed by `m` when `wanted` was asked for. `grace_s` is the time
 * the policy allows before SIGKILL; the command's timeout is derived from it (at least 2 s).
 */
void ow_plan_action(enum ow_action wanted, const struct ow_manager *m, double grace_s,
		    struct ow_action_plan *out);

#endif /* OW_ACTION_PLAN_H */
