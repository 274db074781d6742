/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-cgroup settings: the config file's [cgroup "PATTERN"] sections. A pattern that starts
 * with '/' is an fnmatch(3) glob over the cgroup's path below the memory mount
 * (e.g. "/system.slice/api-?*.service"; '*' also matches '/'); any other pattern is a glob over
 * its display name ("api.service", "docker:3f2a*"), for cgroups whose directories root made
 * (not in a delegated subtree). A cgroup takes the first section, in file
 * order, that matches it; when none does, its parent's, and so on up to the root. Pure.
 */
#ifndef OW_RULES_H
#define OW_RULES_H

#include <regex.h>
#include <stdbool.h>

#include "policy.h"

/* What to do to a victim: signal it, or ask its manager to restart it. */
enum ow_action {
	OW_ACTION_SIGNAL = 0,
	OW_ACTION_RESTART,
};

/* Which fields a section sets. */
#define OW_RULE_WARN_HORIZON	(1u << 0)
#define OW_RULE_ACT_HORIZON	(1u << 1)
#define OW_RULE_GRACE		(1u << 2)
#define OW_RULE_PROTECT		(1u << 3)
#define OW_RULE_PREFER		(1u << 4)
#define OW_RULE_ACTION		(1u << 5)
#define OW_RULE_BRAKE		(1u << 6)
#define OW_RULE_WARN_SIGNAL	(1u << 7)
#define OW_RULE_PRE_STOP_SIGNAL (1u << 8)
#define OW_RULE_PRE_STOP_WAIT	(1u << 9)

struct ow_cgroup_rule {
	const char *pattern; /* between the quotes of [cgroup "..."] */
	unsigned int line;   /* of the section header */
	const char *file;    /* the config file (or drop-in) it is in */
	unsigned int set;    /* OW_RULE_* */
	double warn_horizon_s, act_horizon_s, grace_s;
	const char *protect; /* regex source, compiled into protect_re when set */
	const char *prefer;
	regex_t protect_re;
	regex_t prefer_re;
	enum ow_action action;
	bool brake;
	int warn_signal; /* 0: none */
	int pre_stop_signal;
	double pre_stop_wait_s;
};

/* Does the rule match the cgroup at `rel` (path below the mount, "/" for the root) whose
 * display name is `name`? A NULL name (a name a user may have made) matches no display-name
 * pattern. */
bool ow_rule_matches(const struct ow_cgroup_rule *r, const char *rel, const char *name);

/* The index of the rule that applies to the cgroup at `rel`, or -1 (see above).
 * `trusted_depth` (ow_cg_trusted_depth) is how many leading components of rel root named: a
 * display-name pattern only matches a cgroup within them, so "api.service" never matches a
 * cgroup a user made in a delegated subtree (the path form still does). */
int ow_rules_find(const struct ow_cgroup_rule *rules, unsigned int n, const char *rel,
		  unsigned int trusted_depth);

/* The policy for a cgroup: the global one with the rule's horizons and grace (r may be NULL). */
void ow_rule_policy(const struct ow_policy_cfg *global, const struct ow_cgroup_rule *r,
		    struct ow_policy_cfg *out);

enum ow_action ow_rule_action(enum ow_action global, const struct ow_cgroup_rule *r);
/* Is the brake (brake.h) on for the cgroup? */
bool ow_rule_brake(bool global, const struct ow_cgroup_rule *r);
/* The signal sent to the fastest grower as the cgroup goes to warn (--warn-signal), 0: none. */
int ow_rule_warn_signal(int global, const struct ow_cgroup_rule *r);

/* The pre-stop signal and its longest wait for a cgroup (--pre-stop-signal, --pre-stop-wait). */
void ow_rule_pre_stop(int global_sig, double global_wait_s, const struct ow_cgroup_rule *r,
		      int *sig, double *wait_s);

/* The signals a --warn-signal (or --pre-stop-signal) may name: what an application may catch to
 * shed memory. */
int ow_warn_signal_parse(const char *s); /* "SIGUSR1", "USR1", "usr1"...; 0 "none"; -1 bad */
const char *ow_signal_name(int sig);	 /* "SIGUSR1"; "none" for 0 */

/*
 * Is a process protected? Protection rests on what the process cannot forge: `exe` is the path
 * of its executable, passed only when that file is root's and only root can write it (NULL
 * otherwise: then nothing protects it). A section's protect adds to the global one (a section
 * can never unprotect what the global setting protects). Either regex source may be NULL.
 */
bool ow_rule_protects(const char *global_src, const regex_t *global_re,
		      const struct ow_cgroup_rule *r, const char *exe);

/* Is it preferred as a victim? By name and command line, which the process sets itself: that
 * can only make a process its own victim sooner, never spare it. A section's prefer replaces
 * the global one. */
bool ow_rule_prefers(const char *global_src, const regex_t *global_re,
		     const struct ow_cgroup_rule *r, const char *comm, const char *cmdline);

void ow_rule_free(struct ow_cgroup_rule *r);

#endif /* OW_RULES_H */
