// SPDX-License-Identifier: GPL-2.0
/* Prometheus text exposition: see userspace/metrics/metrics.h. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "metrics.h"
#include "utf8.h"

#define PREFIX	      "oomwarden_"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const action_names[OW_ACTED_COUNT] = {
	[OW_ACTED_SIGTERM] = "sigterm",
	[OW_ACTED_SIGKILL] = "sigkill",
	[OW_ACTED_DRY_RUN] = "dry_run",
	[OW_ACTED_POD_DELETE] = "pod_delete",
};

const char *ow_acted_name(enum ow_acted a)
{
	return a < OW_ACTED_COUNT ? action_names[a] : "?";
}

static void put(struct ow_strbuf *out, const char *s)
{
	ow_strbuf_append(out, s, strlen(s));
}

/*
 * The text format knows three escapes (\\, \" and \n); any other control character (ESC, CR,
 * C1: a cgroup name may hold them) is written as the text \xNN with its backslash escaped, so
 * a scraper reads it back as those four characters and a terminal showing the page gets no
 * control sequence. A byte that starts no valid sequence becomes U+FFFD: the format is UTF-8.
 */
void ow_metrics_label_value(struct ow_strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n, i;

	while (*p) {
		enum ow_utf8_kind kind = ow_utf8_kind(p, &n);

		if (*p == '\\' || *p == '"')
			ow_strbuf_printf(out, "\\%c", *p);
		else if (*p == '\n')
			put(out, "\\n");
		else if (kind == OW_UTF8_INVALID)
			put(out, "\xef\xbf\xbd");
		else if (kind == OW_UTF8_CONTROL)
			for (i = 0; i < n; i++)
				ow_strbuf_printf(out, "\\\\x%02x", p[i]);
		else
			ow_strbuf_append(out, (const char *)p, n);
		p += n;
	}
}

void ow_metrics_value(struct ow_strbuf *out, double v)
{
	if (isnan(v))
		put(out, "NaN");
	else if (isinf(v))
		ow_strbuf_printf(out, "%cInf", v > 0 ? '+' : '-');
	else if (v == floor(v) && fabs(v) < 1e17)
		ow_strbuf_printf(out, "%.0f", v); /* byte counts: every digit, no exponent */
	else
		ow_strbuf_printf(out, "%.15g", v);
}

static void family(struct ow_strbuf *out, const char *name, const char *type, const char *help)
{
	ow_strbuf_printf(out, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n", name, help, name,
			 type);
}

/* A family of one unlabelled sample. */
static void single(struct ow_strbuf *out, const char *name, const char *type, const char *help,
		   double v)
{
	family(out, name, type, help);
	ow_strbuf_printf(out, PREFIX "%s ", name);
	ow_metrics_value(out, v);
	put(out, "\n");
}

static void daemon_families(struct ow_strbuf *out, const struct ow_metrics_daemon *d)
{
	family(out, "build_info", "gauge",
	       "Always 1; the labels say the version and how the kernel is watched "
	       "(tp_btf, raw_tp, tracepoint or degraded).");
	put(out, PREFIX "build_info{version=\"");
	ow_metrics_label_value(out, d->version);
	put(out, "\",mode=\"");
	ow_metrics_label_value(out, d->mode);
	put(out, "\"} 1\n");
	single(out, "degraded", "gauge",
	       "1 when running without BPF (sampling cgroup files every second), else 0.",
	       d->degraded ? 1 : 0);
	single(out, "start_time_seconds", "gauge", "When the daemon started, Unix time.",
	       d->start_time_s);
	single(out, "cpu_seconds_total", "counter", "CPU time the daemon used, user and system.",
	       d->cpu_seconds);
	single(out, "resident_memory_bytes", "gauge", "Resident memory of the daemon (VmRSS).",
	       (double)d->resident_bytes);
	single(out, "events_total", "counter", "Kernel events received from the BPF ring buffer.",
	       (double)d->events);
	single(out, "oom_kills_total", "counter",
	       "Kernel OOM kills seen, in watched cgroups or not.", (double)d->oom_kills);
	single(out, "bpf_map_full_total", "counter",
	       "Entries a full BPF map refused: processes or memcgs left unwatched meanwhile.",
	       (double)d->bpf_map_full);
	single(out, "sight_passes_total", "counter",
	       "Passes of the kernel's cgroup iterator over the cgroups far from their limit.",
	       (double)d->sight_passes);
	single(out, "sight_pass_seconds_total", "counter",
	       "Time those passes took, in the kernel's walk.", d->sight_pass_seconds);
	single(out, "sight_pass_cgroups", "gauge",
	       "Cgroups whose usage the kernel checks, by pass or watch (the others are read one "
	       "by one).",
	       (double)d->sight_members);
	single(out, "sight_watch_ticks_total", "counter",
	       "Ticks of the sight's BPF timer, which checks those cgroups between passes.",
	       (double)d->sight_watch_ticks);
	single(out, "sight_watch_seconds_total", "counter",
	       "Time those ticks took, in the kernel (softirq: charged to no process).",
	       d->sight_watch_seconds);
	single(out, "alerts_sent_total", "counter",
	       "Alerts delivered (2xx), counted once per webhook target.", (double)d->alerts_sent);
	single(out, "alerts_failed_total", "counter",
	       "Alerts given up on after retries, once per webhook target.",
	       (double)d->alerts_failed);
	single(out, "alerts_dropped_total", "counter",
	       "Alerts dropped because a queue to the sender or to a target was full.",
	       (double)d->alerts_dropped);
}

static void kube_label(struct ow_strbuf *out, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	ow_strbuf_printf(out, ",%s=\"", key);
	ow_metrics_label_value(out, value);
	put(out, "\"");
}

static void cg_labels(struct ow_strbuf *out, const char *name, const struct ow_metrics_cgroup *cg)
{
	ow_strbuf_printf(out, PREFIX "%s{cgroup=\"", name);
	ow_metrics_label_value(out, cg->name);
	put(out, "\",path=\"");
	ow_metrics_label_value(out, cg->path);
	put(out, "\"");
	kube_label(out, "namespace", cg->ns);
	kube_label(out, "pod", cg->pod);
	kube_label(out, "container", cg->container);
	kube_label(out, "image", cg->image);
}

enum cg_field {
	F_USAGE,
	F_NONRECL,
	F_LIMIT,
	F_GROWTH,
	F_ETA,
	F_LEVEL,
	F_OOM_KILLS,
	F_BRAKE_ACTIVE,
	F_BRAKE_LIFTED,
	F_BRAKE_DRAINED,
	F_CRASH_LOOPS,
	F_LEAD,
	F_GRACE,
};

struct cg_family {
	enum cg_field field;
	const char *name, *type, *help;
};

/* A sample for every cgroup. */
static const struct cg_family cg_families[] = {
	{F_USAGE, "cgroup_usage_bytes", "gauge",
	 "Memory charged to the cgroup (memory.current or memory.usage_in_bytes)."},
	{F_NONRECL, "cgroup_nonreclaimable_bytes", "gauge",
	 "Usage minus the file LRU: what the prediction follows."},
	{F_LIMIT, "cgroup_limit_bytes", "gauge",
	 "Effective limit: the smallest of its own, its ancestors' and the machine's."},
	{F_GROWTH, "cgroup_growth_bytes_per_second", "gauge",
	 "Recent growth of the non-reclaimable memory (last 5 s of the 20 s window)."},
	{F_ETA, "cgroup_oom_eta_seconds", "gauge",
	 "Predicted seconds until the limit is reached; +Inf when no OOM is predicted."},
	{F_LEVEL, "cgroup_level", "gauge", "0 ok, 1 warn, 2 act (SIGTERM), 3 escalate (SIGKILL)."},
	{F_OOM_KILLS, "cgroup_oom_kills_total", "counter",
	 "Kernel OOM kills of the cgroup's processes seen by the daemon."},
	{F_BRAKE_ACTIVE, "cgroup_brake_active", "gauge",
	 "1 while a brake holds memory.high of the leaking process's own cgroup just above its "
	 "usage (cgroup v2), else 0."},
	{F_BRAKE_LIFTED, "cgroup_brake_lifted_total", "counter",
	 "Brakes lifted because the growth stopped under them: a burst, nobody signalled."},
	{F_BRAKE_DRAINED, "cgroup_brake_drained_total", "counter",
	 "Victims that exited under a brake without a SIGKILL."},
	{F_CRASH_LOOPS, "cgroup_crash_loops_total", "counter",
	 "Crash loops: victims of the same name stopped soon after their start, 3 in a row (a "
	 "manager restarting them into the same leak). Counted once a loop."},
};

/*
 * The last action's figures: a cgroup no action was ever taken on has no sample (NAN in the
 * struct), not a NaN one. Nothing is lost by the absence, as a counter's first increment would
 * be (a gauge's first sample carries its value); a NaN would turn sum() and avg() over the
 * cgroups into NaN, and most cgroups of a large machine are never acted on.
 */
static const struct cg_family last_action[] = {
	{F_LEAD, "action_lead_seconds", "gauge",
	 "Predicted seconds to OOM when the last action (SIGTERM, restart or dry run) was taken "
	 "on the cgroup: the lead it gave; +Inf when none was predicted (acted at the high-water "
	 "mark). No sample before the first action."},
	{F_GRACE, "action_grace_seconds", "gauge",
	 "Grace granted to the last victim after its SIGTERM (or for its restart command) before "
	 "SIGKILL. No sample before the first action."},
};

static double cg_value(const struct ow_metrics_cgroup *cg, enum cg_field f)
{
	switch (f) {
	case F_USAGE:
		return (double)cg->usage_bytes;
	case F_NONRECL:
		return (double)cg->nonreclaimable_bytes;
	case F_LIMIT:
		return cg->limit_bytes == OW_NO_LIMIT ? INFINITY : (double)cg->limit_bytes;
	case F_GROWTH:
		return cg->growth_bytes_per_s;
	case F_ETA:
		return cg->eta_s;
	case F_LEVEL:
		return cg->level;
	case F_OOM_KILLS:
		return (double)cg->oom_kills;
	case F_BRAKE_ACTIVE:
		return cg->brake_active ? 1 : 0;
	case F_BRAKE_LIFTED:
		return (double)cg->brake_lifted;
	case F_BRAKE_DRAINED:
		return (double)cg->brake_drained;
	case F_CRASH_LOOPS:
		return (double)cg->crash_loops;
	case F_LEAD:
		return cg->lead_s;
	case F_GRACE:
		return cg->grace_s;
	}
	return NAN;
}

/* sparse: a NaN value means no sample. */
static void cgroup_families(struct ow_strbuf *out, const struct cg_family *fams, size_t nfams,
			    const struct ow_metrics_cgroup *cgs, unsigned int n, bool sparse)
{
	size_t f;
	unsigned int i;
	double v;

	for (f = 0; f < nfams; f++) {
		family(out, fams[f].name, fams[f].type, fams[f].help);
		for (i = 0; i < n; i++) {
			v = cg_value(&cgs[i], fams[f].field);
			if (sparse && isnan(v))
				continue;
			cg_labels(out, fams[f].name, &cgs[i]);
			put(out, "} ");
			ow_metrics_value(out, v);
			put(out, "\n");
		}
	}
}

/* Every action label, zeros included: a series that appears only at its first increment makes
 * rate() and increase() miss that increment. */
static void action_family(struct ow_strbuf *out, const struct ow_metrics_cgroup *cgs,
			  unsigned int n)
{
	unsigned int i, a;

	family(out, "cgroup_actions_total", "counter",
	       "Actions taken on the cgroup's processes: sigterm, sigkill, dry_run (a SIGTERM "
	       "decided under --dry-run).");
	for (i = 0; i < n; i++) {
		for (a = 0; a < OW_ACTED_COUNT; a++) {
			cg_labels(out, "cgroup_actions_total", &cgs[i]);
			ow_strbuf_printf(out, ",action=\"%s\"} ", action_names[a]);
			ow_metrics_value(out, (double)cgs[i].actions[a]);
			put(out, "\n");
		}
	}
}

int ow_metrics_format(const struct ow_metrics_daemon *d, const struct ow_metrics_cgroup *cgs,
		      unsigned int ncgs, struct ow_strbuf *out)
{
	daemon_families(out, d);
	single(out, "cgroups", "gauge", "Memory cgroups watched.", ncgs);
	single(out, "processes", "gauge",
	       "Processes whose growth the daemon holds (reported by the kernel, or sampled).",
	       d->processes);
	cgroup_families(out, cg_families, ARRAY_SIZE(cg_families), cgs, ncgs, false);
	cgroup_families(out, last_action, ARRAY_SIZE(last_action), cgs, ncgs, true);
	action_family(out, cgs, ncgs); /* last: tests/e2e/metrics.sh knows a whole file by it */
	return out->failed ? -ENOMEM : 0;
}
