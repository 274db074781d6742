/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The current rise of a cgroup's non-reclaimable memory, and the peaks before it. Pure: no I/O,
 * no clock.
 *
 * The floor trend needs a full 20 s window before it may act (policy.h): the first rise of a
 * GC sawtooth, a cache warming up or a JVM pre-touching its heap all look like a leak for a few
 * seconds. A leak that fills its cgroup in seconds is caught only at the high-water mark, with
 * well under a second left (issue 16: lead 0.34 s at 256 MiB/s). The shape alone cannot tell
 * them apart sooner: a sawtooth whose first tooth comes after half a minute at its floor climbs
 * past every earlier peak as a leak does (test_policy replays it). What the shape does not
 * have is the kernel's word: the cgroup reaching its edge (its usage, page cache included, at
 * its own limit, where every charge must reclaim first; on v2 also the kernel counting just
 * that: memory.events max and high) for the first time in a long while, during a rise past
 * every peak before it. A benign tooth with no page cache never reaches the limit; with page
 * cache beside it the cgroup sits at its edge all along, not first now. (v1's memory.failcnt
 * is not read: with memory.memsw.limit_in_bytes set it counted nothing on the 6.18 host, and
 * the usage at the limit says the same for one read less.) A benign tooth that, with the page
 * cache beside it, takes the cgroup to its edge for the first time is acted on: the
 * high-water rule has the same blind spot past 90 %.
 *
 * rise.c follows the rise and the edge; policy.c decides what they are worth.
 */
#ifndef OW_RISE_H
#define OW_RISE_H

#include <stdbool.h>
#include <stdint.h>

/* A rise goes on while each reading is higher than the last, or level with it for less than
 * this: readings come at every event and every tick, and two a millisecond apart see nothing
 * new. Level longer, or lower, and the rise has ended. */
#define OW_RISE_GAP_NS 1000000000ULL
/* The peaks before the rise are remembered for two slots of this: a peak older than 2x it is
 * forgotten (a level the cgroup held minutes ago says nothing of its shape now). */
#define OW_RISE_SLOT_NS (150 * 1000000000ULL)

struct ow_rise {
	uint64_t first_ns;	 /* the first reading (0: none yet) */
	uint64_t start_ns, base; /* where the current rise began, and its value there */
	uint64_t top, top_ns;	 /* its highest value, and when it was reached */
	bool edge_in_rise;	 /* the edge was reached during it */
	uint64_t quiet_ns;	 /* how long the edge had not been reached when the rise began */
	uint64_t kernel;	 /* the kernel's edge count (memcg.h edge_events), last reading */
	uint64_t edge_ns;	 /* when the edge was last reached (0: never seen to be) */
	uint64_t peak[2];	 /* the highest values before the rise, per slot */
	uint64_t slot_ns;	 /* when the newer slot (peak[1]) began */
};

/* What policy.c sees of it. */
struct ow_rise_view {
	double span_s;	     /* how long the rise has gone on (0: none now) */
	double before_s;     /* history before the rise began */
	double rate;	     /* bytes/s over the rise */
	uint64_t prior_peak; /* the highest value in the minutes before the rise */
	bool edge_reached;   /* the kernel counted reclaim or throttling at the edge during it */
	double edge_quiet_s; /* and had counted none for this long before it began */
};

void ow_rise_reset(struct ow_rise *r);
/* A reading: `value` non-reclaimable bytes; `kernel` the cgroup's edge count (monotonic; 0
 * where unknown); `at_edge`: its usage at its own limit now; `noise`: a fall smaller than this
 * does not end a rise. */
void ow_rise_add(struct ow_rise *r, uint64_t now_ns, uint64_t value, uint64_t kernel, bool at_edge,
		 uint64_t noise);
void ow_rise_view(const struct ow_rise *r, uint64_t now_ns, struct ow_rise_view *out);

#endif /* OW_RISE_H */
