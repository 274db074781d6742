// SPDX-License-Identifier: GPL-2.0
/* Per-cgroup sections: see userspace/core/rules.h. */
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <strings.h>

#include "cgroup_path.h"
#include "rules.h"

bool ow_rule_matches(const struct ow_cgroup_rule *r, const char *rel, const char *name)
{
	if (r->pattern[0] == '/')
		return !fnmatch(r->pattern, rel, 0);
	return name && !fnmatch(r->pattern, name, 0);
}

/* The first rule matching this one cgroup, or -1. */
static int find_exact(const struct ow_cgroup_rule *rules, unsigned int n, const char *rel,
		      bool trusted)
{
	char name[128];
	unsigned int i;

	ow_cg_display_name(rel, name, sizeof(name));
	for (i = 0; i < n; i++)
		if (ow_rule_matches(&rules[i], rel, trusted ? name : NULL))
			return (int)i;
	return -1;
}

int ow_rules_find(const struct ow_cgroup_rule *rules, unsigned int n, const char *rel,
		  unsigned int trusted_depth)
{
	char path[PATH_MAX];
	char *slash;
	int idx;

	if (!n)
		return -1;
	snprintf(path, sizeof(path), "%s", *rel ? rel : "/");
	for (;;) {
		idx = find_exact(rules, n, path, ow_cg_depth(path) <= trusted_depth);
		if (idx >= 0 || !strcmp(path, "/"))
			return idx;
		slash = strrchr(path, '/');
		if (!slash)
			return -1;
		/* "/a/b" -> "/a", "/a" -> "/" */
		slash[slash == path ? 1 : 0] = '\0';
	}
}

void ow_rule_policy(const struct ow_policy_cfg *global, const struct ow_cgroup_rule *r,
		    struct ow_policy_cfg *out)
{
	*out = *global;
	if (!r)
		return;
	if (r->set & OW_RULE_WARN_HORIZON)
		out->warn_horizon_s = r->warn_horizon_s;
	if (r->set & OW_RULE_ACT_HORIZON)
		out->act_horizon_s = r->act_horizon_s;
	if (r->set & OW_RULE_GRACE)
		out->grace_s = r->grace_s;
}

enum ow_action ow_rule_action(enum ow_action global, const struct ow_cgroup_rule *r)
{
	return r && (r->set & OW_RULE_ACTION) ? r->action : global;
}

bool ow_rule_brake(bool global, const struct ow_cgroup_rule *r)
{
	return r && (r->set & OW_RULE_BRAKE) ? r->brake : global;
}

int ow_rule_warn_signal(int global, const struct ow_cgroup_rule *r)
{
	return r && (r->set & OW_RULE_WARN_SIGNAL) ? r->warn_signal : global;
}

void ow_rule_pre_stop(int global_sig, double global_wait_s, const struct ow_cgroup_rule *r,
		      int *sig, double *wait_s)
{
	*sig = r && (r->set & OW_RULE_PRE_STOP_SIGNAL) ? r->pre_stop_signal : global_sig;
	*wait_s = r && (r->set & OW_RULE_PRE_STOP_WAIT) ? r->pre_stop_wait_s : global_wait_s;
}

/* SIGTERM, SIGINT and the like end a process that does not catch them, and the daemon sends a
 * warn signal only to one that catches it (sys/proc.h): still, only signals that mean "shed
 * what you can" to the programs that use them. */
static const struct {
	int sig;
	const char *name;
} warn_signals[] = {
	{SIGUSR1, "SIGUSR1"},	{SIGUSR2, "SIGUSR2"}, {SIGHUP, "SIGHUP"},
	{SIGWINCH, "SIGWINCH"}, {SIGPWR, "SIGPWR"},
};

int ow_warn_signal_parse(const char *s)
{
	unsigned int i;

	if (!strcasecmp(s, "none"))
		return 0;
	for (i = 0; i < sizeof(warn_signals) / sizeof(warn_signals[0]); i++)
		if (!strcasecmp(s, warn_signals[i].name) ||
		    !strcasecmp(s, warn_signals[i].name + 3))
			return warn_signals[i].sig;
	return -1;
}

const char *ow_signal_name(int sig)
{
	unsigned int i;

	for (i = 0; i < sizeof(warn_signals) / sizeof(warn_signals[0]); i++)
		if (warn_signals[i].sig == sig)
			return warn_signals[i].name;
	return sig ? "?" : "none";
}

static bool re_matches(const char *src, const regex_t *re, const char *comm, const char *cmdline)
{
	return src &&
	       (!regexec(re, comm, 0, NULL, 0) || (*cmdline && !regexec(re, cmdline, 0, NULL, 0)));
}

bool ow_rule_protects(const char *global_src, const regex_t *global_re,
		      const struct ow_cgroup_rule *r, const char *exe)
{
	if (!exe || !*exe)
		return false;
	if (global_src && !regexec(global_re, exe, 0, NULL, 0))
		return true;
	return r && (r->set & OW_RULE_PROTECT) && !regexec(&r->protect_re, exe, 0, NULL, 0);
}

bool ow_rule_prefers(const char *global_src, const regex_t *global_re,
		     const struct ow_cgroup_rule *r, const char *comm, const char *cmdline)
{
	if (r && (r->set & OW_RULE_PREFER))
		return re_matches(r->prefer, &r->prefer_re, comm, cmdline);
	return re_matches(global_src, global_re, comm, cmdline);
}

void ow_rule_free(struct ow_cgroup_rule *r)
{
	if (r->protect)
		regfree(&r->protect_re);
	if (r->prefer)
		regfree(&r->prefer_re);
	r->protect = r->prefer = NULL;
	r->set &= ~(OW_RULE_PROTECT | OW_RULE_PREFER);
}
