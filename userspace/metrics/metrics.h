/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition format (version 0.0.4) from plain structs: no I/O, so the unit
 * tests feed it anything and parse the text back. Metric names and meanings are documented in
 * README.md. Samples carry no timestamps: node_exporter's textfile collector refuses them.
 */
#ifndef OW_METRICS_H
#define OW_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "strbuf.h"

/* One watched cgroup. */
struct ow_metrics_cgroup {
	const char *name; /* display name: the `cgroup` label */
	const char *path; /* absolute directory: the `path` label */
	/* A pod's: the `namespace`, `pod` and `container` labels (NULL: none, no label). One
	 * value per cgroup, so they add no series: the cardinality stays that of the cgroups. */
	const char *ns, *pod, *container;
	const char *image; /* a docker or podman container's image (NULL: none, no label) */
	uint64_t usage_bytes;
	uint64_t nonreclaimable_bytes;
	uint64_t limit_bytes;	   /* effective limit; OW_NO_LIMIT prints +Inf */
	double growth_bytes_per_s; /* recent growth of the non-reclaimable memory, >= 0 */
	double eta_s;		   /* predicted seconds to OOM; INFINITY prints +Inf */
	int level;		   /* enum ow_level: 0 ok, 1 warn, 2 act, 3 escalate */
	uint64_t actions[OW_ACTED_COUNT];
	uint64_t oom_kills;
	bool brake_active;	/* a brake holds memory.high of the victim's own cgroup */
	uint64_t brake_lifted;	/* bursts that stopped under the brake: nobody signalled */
	uint64_t brake_drained; /* victims that exited under the brake */
	uint64_t crash_loops;	/* crash loops reported (core/crash_loop.h) */
	/* The last action: the ETA it was taken at (+Inf: none predicted) and the grace its
	 * victim was granted. NAN: no such action yet, and no sample. */
	double lead_s;
	double grace_s;
};

/* The daemon itself. */
struct ow_metrics_daemon {
	const char *version;
	const char *mode; /* BPF attach mode, or "degraded" */
	bool degraded;
	double start_time_s; /* since the Unix epoch */
	double cpu_seconds;  /* user + system, all threads */
	uint64_t resident_bytes;
	uint64_t events;	    /* kernel events received (ring buffer) */
	uint64_t oom_kills;	    /* every kernel OOM kill seen, watched cgroup or not */
	uint64_t bpf_map_full;	    /* entries a full BPF map refused: something went unwatched */
	uint64_t sight_passes;	    /* passes of the sight's cgroup iterator */
	double sight_pass_seconds;  /* their walks' time in all */
	unsigned int sight_members; /* the cgroups it reads */
	uint64_t sight_watch_ticks; /* the sight's BPF timer's ticks */
	double sight_watch_seconds; /* their time in all */
	uint64_t alerts_sent, alerts_failed, alerts_dropped; /* per webhook target; 0 without */
	unsigned int processes; /* processes whose growth the daemon holds */
};

/* Append the whole exposition to `out`. Returns 0, or -ENOMEM (out is then incomplete). */
int ow_metrics_format(const struct ow_metrics_daemon *d, const struct ow_metrics_cgroup *cgs,
		      unsigned int ncgs, struct ow_strbuf *out);

/* Append `s` as a label value: \ " and newline escaped, invalid UTF-8 bytes replaced by
 * U+FFFD (a scraper rejects the whole file for one bad byte). */
void ow_metrics_label_value(struct ow_strbuf *out, const char *s);

/* Append a sample value: integers exactly, +Inf, -Inf, NaN spelled as Prometheus does. */
void ow_metrics_value(struct ow_strbuf *out, double v);

const char *ow_acted_name(enum ow_acted a);

#endif /* OW_METRICS_H */
