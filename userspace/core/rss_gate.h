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
 * Where that sight is proved (ow_rss_sight_proved): each watched cgroup's binding limit is
 * watched, its own or a watched ancestor's (v1: their usage thresholds; v2: reads of a limit of
 * OW_RSS_READ_MIN or more for each second between two reads), or the machine's
 * (daemon/machine_sight.c: /proc/meminfo read at most 1 s apart, a machine of OW_RSS_READ_MIN or
 * more) for the root and the cgroups with no smaller limit; and new memcgs are made known as their
 * directory is made or a task moves in (the BPF cgroup_mkdir and cgroup_attach_task programs; the
 * classic tracepoint flavour passes no cgroup). A new memcg attaches the program for the quiet
 * period: a limit written after the mkdir is read at its tasks' next page faults. Detached, every
 * watched cgroup's limit is read again within 60 s (daemon/rss_gate.c: a limit set on a running
 * cgroup; no hook on the write attaches on these kernels). It stays attached elsewhere: a v2 limit
 * under OW_RSS_READ_MIN (a 512 MiB/s leak fills 256 MiB between two reads), a limit set above the
 * watched tops, thresholds not in force, a smaller machine, the classic tracepoint flavour. Pure:
 * no I/O, no clock.
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

/*
 * What reads at most 1 s apart prove (a v2 cgroup's memory.current; the machine's
 * /proc/meminfo, whose reads far from its limit come 1 s apart per 4 GiB of it, at most 5 s:
 * the same eighth of it unseen, core/sight.h): a leak of R is at risk (a rise of a 16th in
 * 2-4 s, or half held) by at most half the limit plus R for a second, leaving the rest to
 * attach and act. The fastest leak of
 * the matrix, 512 MiB/s, needs about 0.5 s from the first steps to its SIGTERM (e2e
 * detached-512): a limit of 4 GiB leaves 2 GiB - 512 MiB, 3 s of it. Smaller limits (and
 * machines) seen by reads alone keep the program attached.
 */
#define OW_RSS_READ_MIN (4ULL << 30)

/* Is a cgroup's own limit seen: v1, its usage thresholds in force; v2, its usage read and the
 * limit at least OW_RSS_READ_MIN for each second (or part) of `read_ns`, the reads' period
 * far from the limit (1 s; longer past core/sight.h's budget, at thousands of cgroups). */
bool ow_rss_own_seen(bool v1, bool usage_open, bool thresholds, uint64_t limit, uint64_t read_ns);

/* How a watched cgroup's whole charge is seen with the program detached. */
struct ow_rss_sight {
	bool root;	     /* the machine's root cgroup: no page counter of its own */
	bool limited;	     /* a limit of its own */
	bool own_seen;	     /* its own limit seen: ow_rss_own_seen */
	bool own_bound;	     /* its own limit is its effective one */
	bool machine_bound;  /* the machine's is (no smaller limit above it) */
	bool ancestor_bound; /* a watched ancestor's own limit is */
};

/* Proved: a limited cgroup's own limit is seen, and the limit that binds it is watched: its
 * own, a watched ancestor's, or the machine's while `machine` (the machine's sight is on and
 * the machine is at least OW_RSS_READ_MIN). */
bool ow_rss_sight_proved(const struct ow_rss_sight *s, bool machine);

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
