/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sight of a cgroup's whole charge, whatever its source. The BPF side sees memory through
 * kmem:rss_stat, which only process RSS moves: write() into tmpfs (/dev/shm, a tmpfs /tmp),
 * pipe and socket buffers, slab and page tables are charged to the memcg and move nobody's
 * RSS, so a tmpfs writer filled a 192 MiB memcg at 16 MiB/s unseen until the kernel's OOM kill
 * (issue 17). The cgroup's own usage must be watched too:
 * - cgroup v1: the kernel's usage thresholds (cgroup.event_control with an eventfd on
 *   memory.usage_in_bytes; the kernel checks them as it charges pages, mem_cgroup_threshold()
 *   in mm/memcontrol-v1.c), set a step above the usage and two below, and set again at each
 *   crossing. Kernel memory is charged without that check (slab, inodes: empty files made at
 *   8 MiB/s of inodes reached the limit with no threshold firing), so v1 is also read as v2;
 * - cgroup v2 has no thresholds: memory.current is read at a pace that follows the headroom,
 *   every second when far from the limit, four times a second near it (the far reads of
 *   thousands of cgroups slower: OW_SIGHT_V2_FAR_READS).
 * These are the decisions, pure; daemon/sight.c carries them out.
 */
#ifndef OW_SIGHT_H
#define OW_SIGHT_H

#include <stdbool.h>
#include <stdint.h>

/* A step of the limit, as the BPF side's (rescan.c configures it at 1/256). */
#define OW_SIGHT_STEPS 256
/* The slowest and the fastest pace of the reads (v1: OW_SIGHT_V1_SLOWER times slower while the
 * usage does not move). */
#define OW_SIGHT_MAX_DELAY_NS 1000000000ULL
#define OW_SIGHT_MIN_DELAY_NS 250000000ULL

/* The step of `limit` (OW_NO_LIMIT or 0: none, 0 returned). */
uint64_t ow_sight_step(uint64_t limit);

/* v1: where to set the thresholds around `usage`: `high` a step above (0: none, the limit is
 * nearer), `low` two steps below (0: none). A threshold fires as the usage crosses it either
 * way; at most two are live at a time. */
void ow_sight_thresholds(uint64_t usage, uint64_t limit, uint64_t *low, uint64_t *high);

/* v2: the delay before the next read of memory.current: the headroom left, as a fraction of
 * the limit, times 2 s, within [OW_SIGHT_MIN_DELAY_NS, OW_SIGHT_MAX_DELAY_NS]. */
uint64_t ow_sight_delay_ns(uint64_t usage, uint64_t limit);

/* v1 reads only for kernel memory (its thresholds see every page charge at once): this many
 * times slower, 0.5-2 s, while its usage does not move (a thousand v1 cgroups read every
 * second cost 0.24 % of a core, every 5 s 0.10 %); a read that saw it move brings the next at
 * v2's pace. Not slower while it moved lately: e2e kmem-8 (8 MiB/s of inodes) was warned of
 * at 157 MiB of 256 with reads 5 s apart. */
#define OW_SIGHT_V1_SLOWER 2
/* v1, quiet this long (no move of a step): reads OW_SIGHT_V1_IDLE times slower (2.5-5 s). An
 * idle cgroup whose kernel memory starts to grow is seen within 5 s, then at the pace above;
 * a thousand idle ones cost half as much. */
#define OW_SIGHT_QUIET_NS (30 * 1000000000ULL)
#define OW_SIGHT_V1_IDLE  5

/* How many times slower than v2's pace the next read comes: v2 1; v1 1 after a read that saw
 * the usage move, OW_SIGHT_V1_SLOWER while it moved within OW_SIGHT_QUIET_NS, else
 * OW_SIGHT_V1_IDLE. `quiet_ns`: since the last move. */
unsigned int ow_sight_slower(bool v1, bool moved, uint64_t quiet_ns);

/* The reads in all, at most so many a second, so that an idle daemon's cost stops growing
 * with the count of limited cgroups: 7,500 idle v1 memcgs read every 5 s on one grid slot
 * cost ~3 % of a core here, most of it the kernel's reads (session 17).
 * - v1 quiet reads (the usage not seen to move: OW_SIGHT_V1_SLOWER or OW_SIGHT_V1_IDLE): past
 *   2,000 idle cgroups their period grows beyond five delays. Page charges still cross the
 *   thresholds at once: only kernel memory waits longer.
 * - v2 reads far from the limit (the delay at its longest, 1 s): past OW_SIGHT_V2_FAR_READS
 *   cgroups a step there is seen later than 1 s, and the page-fault gate's proof asks for a
 *   larger limit in proportion (core/rss_gate.h). Near the limit the pace is the headroom's,
 *   whatever the count.
 * A read that sees a move brings the next at the delay, whatever the count. */
#define OW_SIGHT_V1_QUIET_READS 400
#define OW_SIGHT_V2_FAR_READS	2000

/* The period of a cgroup's reads: `slower` times the delay, or, for the reads above, longer
 * so that `sighted` cgroups read at it stay within their budget a second. */
uint64_t ow_sight_period_ns(bool v1, uint64_t usage, uint64_t limit, unsigned int slower,
			    unsigned int sighted);

/* Do reads at this pace spread over their period (ow_sight_quiet_due_ns)? Those the budgets
 * cover; the others come on the grid a delay apart (ow_sight_due_ns). */
bool ow_sight_spread(bool v1, uint64_t usage, uint64_t limit, unsigned int slower);

/* The slots the spread reads fall on: whole seconds, so that they share one wakeup a second
 * (each wakeup costs ~0.2 ms here whatever it reads: a slot of the 0.25 s grid made four). */
#define OW_SIGHT_SPREAD_NS 1000000000ULL
/* Reads one wakeup takes before they are spread over more slots: up to this many cgroups
 * read on one slot of their period (ten idle cgroups spread over five slots woke the daemon
 * every second, not every fifth: 0.0053 -> 0.0126 % of a core), more over as many slots as
 * it takes (7,500 on one slot cost tens of ms a wakeup). */
#define OW_SIGHT_BATCH 1000

/* The next spread read: in (now, now + period], on the slot of the period that `key` (the
 * cgroup's id) picks among as many as `sighted` cgroups need (OW_SIGHT_BATCH each; a period
 * under a slot: the next slot). Cgroups found at once then read together when few, spread
 * over the period when many; each one's reads stay a period apart (rounded down to whole
 * slots). */
uint64_t ow_sight_quiet_due_ns(uint64_t now_ns, uint64_t period_ns, uint64_t key,
			       unsigned int sighted);

/* When to read next: after the delay (times `slower`), rounded down to a multiple of
 * OW_SIGHT_MIN_DELAY_NS of the monotonic clock, so the reads of many cgroups fall in the same
 * wakeups (a thousand limited cgroups wake the daemon four times a second, not a thousand).
 * Down, not up: reads run at grid points a little late, so rounding up made a 1 s delay
 * 1.25 s, and v2's step-to-read time (p99 <= 1 s) is bounded by the delay itself. The delay
 * is at least one grid step, so the due time is always ahead of `now_ns`. */
uint64_t ow_sight_due_ns(uint64_t now_ns, uint64_t usage, uint64_t limit, unsigned int slower);

/* The pass (bpf/sight.bpf.c, where the kernel has a cgroup iterator): one read() checks the
 * usage of every member, ~190 ns a cgroup walked against ~600 ns a file read here (session 18),
 * and writes only those that moved a step. The members are the cgroups whose reads were the
 * many quiet ones: v1's idle (OW_SIGHT_V1_IDLE), v2's far from the limit (the delay at its
 * longest); the others are read one by one at their pace, whatever the count. */
bool ow_sight_in_pass(bool v1, uint64_t usage, uint64_t limit, unsigned int slower);

/* The pass's period: its members' reads' (v1 OW_SIGHT_V1_IDLE delays, v2 one), or longer so
 * that a walk of `walked` cgroups stays within a thousandth of a core (OW_SIGHT_PASS_SHARE) at
 * OW_SIGHT_WALK_NS a cgroup, what one cost here cold (1,093 us for ~1,017 memcgs every 5 s,
 * session 18): 1 s up to a thousand, 20 s at 20,000. With the watch, `walked` is its members'
 * count: each is checked once a period, ~0.3-0.7 us cold (session 19). By the count, not the walk's
 * measured time: that counts the waits for cgroup_mutex and the CPU's speed (an emulated guest's
 * walks stretched the period past the tmpfs-16 writer's warning, session 18). Whole slots
 * (OW_SIGHT_SPREAD_NS), so that it shares the other reads' wakeups. The budgets above then no
 * longer bound the members' reads. */
#define OW_SIGHT_PASS_SHARE 1000
#define OW_SIGHT_WALK_NS    1000
/* The v1 period in delays: the members' idle pace. `make bench-sight` builds a variant with 1,
 * v2's pace, to measure what v2's far reads cost on this host's kernel (a v1 hierarchy). */
#ifndef OW_SIGHT_PASS_V1_DELAYS
#define OW_SIGHT_PASS_V1_DELAYS OW_SIGHT_V1_IDLE
#endif
uint64_t ow_sight_pass_period_ns(bool v1, uint64_t walked);

/* The watch (bpf/sight.bpf.c), where the kernel runs it: a BPF timer checks the members the
 * pass walked, so a pass runs only for cgroups that joined since the last one. Each member is
 * checked once a pass period (ow_sight_pass_period_ns by the members' count), in chunks of at
 * most this many a tick, so that a tick in softirq stays near a millisecond at most (1,000 cold
 * slots took 0.73 ms here, session 19). The interval between ticks: */
#define OW_SIGHT_WATCH_CHUNK 1000
uint64_t ow_sight_watch_every_ns(uint64_t period_ns, unsigned int used);

/* The machine's reads (daemon/machine_sight.c): far from its limit (less than half used),
 * slower on a large machine, so that the fastest leak of the matrix (512 MiB/s) grows at most
 * an eighth of it between two reads (core/rss_gate.h's proof keeps its margin): 1 s at 4 GiB,
 * at most OW_SIGHT_MACHINE_SLOWER times that. Each wakeup costs ~0.2 ms here: a read every
 * second was most of an idle daemon's CPU. */
#define OW_SIGHT_MACHINE_SLOWER 5
unsigned int ow_sight_machine_slower(uint64_t used, uint64_t limit);

/* Has the usage moved a step since the last evaluation (`seen`)? Then it is worth one. */
bool ow_sight_moved(uint64_t seen, uint64_t usage, uint64_t limit);

#endif /* OW_SIGHT_H */
