/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page-fault program attached only while some watched cgroup is at risk (issue 17). The
 * rss_stat program runs on every page fault of the machine: 1.047x on the fault benchmark, of
 * which 1.030x is having anything attached there at all. While the whole charge of every
 * watched cgroup is in sight (core/sight.h: on cgroup v1, the kernel's usage thresholds wake
 * the daemon within a millisecond of a step of page charges), nothing needs it until a cgroup
 * is at risk: then it is attached (0.4-31 ms) and the per-process view fills in from the next
 * steps, as at start.
 *
 * It stays attached where that sight cannot be proved: cgroup v2 (no thresholds: reads up to
 * 1 s apart), a watched top cgroup without a limit of its own (the machine: the root's usage
 * is computed from statistics, and a root threshold missed a 256 MiB leak of the root's own
 * processes), a watched cgroup with child cgroups (one made while detached would be found by
 * nobody: the program's first sight is what finds new memcgs), or one whose thresholds are
 * not in force. Pure: no I/O, no clock.
 */
#ifndef OW_RSS_GATE_H
#define OW_RSS_GATE_H

#include <stdbool.h>
#include <stdint.h>

/* Detached only after nothing was at risk this long (a leak that pauses, a sawtooth). */
#define OW_RSS_QUIET_NS (20ULL * 1000000000ULL)
/* A rise of the non-reclaimable charge is measured over 2-4 s. */
#define OW_RSS_RISE_NS (2ULL * 1000000000ULL)

/* The non-reclaimable charge of a cgroup, two snapshots a window apart. */
struct ow_rss_rise {
	uint64_t snap[2];  /* older, newer */
	uint64_t newer_ns; /* 0: none yet */
};

void ow_rss_rise_note(struct ow_rss_rise *r, uint64_t now_ns, uint64_t nonrecl);

/* How much it rose since a snapshot 2-4 s old (0: none that recent, or it fell). */
uint64_t ow_rss_rise(const struct ow_rss_rise *r, uint64_t now_ns, uint64_t nonrecl);

struct ow_rss_risk {
	uint64_t nonrecl, limit; /* limit: the cgroup's effective one (OW_NO_LIMIT: none) */
	uint64_t rise;		 /* ow_rss_rise */
	bool warned;		 /* its level is warn or above */
	bool acting;		 /* a victim in flight, or a brake */
};

/* At risk: warned or acting, half its limit held non-reclaimable, or a rise of a 16th of it
 * in 2-4 s (a fast leak from low: 512 MiB/s in 256 MiB is there within 8 ms). */
bool ow_rss_at_risk(const struct ow_rss_risk *r);

enum ow_rss_do { OW_RSS_KEEP, OW_RSS_ATTACH, OW_RSS_DETACH };

struct ow_rss_gate {
	bool attached;
	bool provable; /* the gate may detach: see the header */
	bool at_risk;  /* some watched cgroup now */
	uint64_t now_ns;
	uint64_t risk_ns; /* when one last was (or it was attached) */
};

enum ow_rss_do ow_rss_gate_decide(const struct ow_rss_gate *g);

#endif /* OW_RSS_GATE_H */
