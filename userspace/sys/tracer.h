/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel side's userspace half: load and attach the BPF programs, hand ring-buffer events
 * to a callback, and write per-memcg thresholds. Attach is decided by trying, in order,
 * tp_btf, raw_tp and the classic tracepoint: feature probes give wrong answers on locked-down
 * kernels (see docs/ARCHITECTURE.md).
 */
#ifndef OW_TRACER_H
#define OW_TRACER_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ow_events.h"

struct ow_tracer;

typedef int (*ow_event_fn)(const struct ow_event *e, void *arg);

struct ow_tracer_cfg {
	int mode; /* -1 tries tp_btf, raw_tp and tracepoint in turn, 0..2 only that one */
	unsigned int max_processes; /* entries of the process map; 0: the compiled-in default */
};

/* Load and attach. On failure returns -errno and writes one sentence for the user into err
 * (the libbpf details go to the debug log). */
int ow_tracer_open(struct ow_tracer **out, const struct ow_tracer_cfg *cfg, ow_event_fn fn,
		   void *arg, char *err, size_t errlen);
void ow_tracer_close(struct ow_tracer *t);

/* The rss_stat program, the one run at every page fault (core/rss_gate.h), detached and
 * attached again; the other programs stay. 0 or -errno. */
int ow_tracer_rss_detach(struct ow_tracer *t);
int ow_tracer_rss_attach(struct ow_tracer *t);
bool ow_tracer_rss_attached(const struct ow_tracer *t);
/* Does a task moved into a memcg not seen before make it known (a first-sight event) with the
 * rss_stat program detached? Not in the classic tracepoint flavour: it passes a pid only. */
bool ow_tracer_sees_moves(const struct ow_tracer *t);
/* Is a removed memcg reported (OW_EV_MEMCG_GONE)? Not in the classic tracepoint flavour: its
 * cgroup_rmdir passes a path, not the cgroup. */
bool ow_tracer_sees_removals(const struct ow_tracer *t);

/* Which attach flavour won: "tp_btf", "raw_tp" or "tracepoint". */
const char *ow_tracer_mode(const struct ow_tracer *t);
/* The ring buffer's fd, for epoll; readable when events wait. */
int ow_tracer_fd(const struct ow_tracer *t);
/* Events the BPF side could not queue (ring buffer full) since load. */
uint64_t ow_tracer_drops(const struct ow_tracer *t);
/* Process entries the BPF side found naming a memcg the process had left, and re-bound. */
uint64_t ow_tracer_rebinds(const struct ow_tracer *t);
/* Hand every waiting event to the callback; returns the number handled or -errno. */
int ow_tracer_consume(struct ow_tracer *t);

int ow_tracer_set_memcg(struct ow_tracer *t, uint64_t memcg_id, const struct ow_memcg_cfg *cfg);
int ow_tracer_forget_memcg(struct ow_tracer *t, uint64_t memcg_id);
/* Forget the memcgs the BPF side saw but the daemon does not watch, for which gone(id) says
 * the cgroup no longer exists: the BPF side reports each memcg once and keeps its entry, so on
 * a machine where scopes and containers come and go the map would fill, and a memcg created
 * after that would never be reported. Returns how many were forgotten, or -errno. */
int ow_tracer_prune_memcgs(struct ow_tracer *t, int (*gone)(uint64_t memcg_id, void *arg),
			   void *arg);
/* Call fn for each memcg the BPF side saw (it reported its first sight) that is not configured
 * as watched: a first sight lost to a full ring buffer leaves a watched memcg silent until the
 * daemon configures it from here. Returns how many, or -errno. */
int ow_tracer_each_unwatched(struct ow_tracer *t, void (*fn)(uint64_t memcg_id, void *arg),
			     void *arg);
/* Has the BPF side seen memcg `id` (an entry exists, configured or not)? */
bool ow_tracer_memcg_seen(struct ow_tracer *t, uint64_t memcg_id);
/* Entries the BPF maps refused because they were full (processes or memcgs left unwatched). */
uint64_t ow_tracer_map_full(const struct ow_tracer *t);
/* Seed the per-memcg usage so the first report comes one step from now, not from zero. */
int ow_tracer_seed_memcg_usage(struct ow_tracer *t, uint64_t memcg_id, uint64_t usage);

/*
 * The sight's pass and watch (bpf/sight.bpf.c): one read() of a cgroup iterator checks the usage
 * of every member cgroup (core/sight.h: those far from their limit), where reading each one's
 * file took a syscall; a BPF timer then checks the memcgs the pass found, between passes, and
 * sends an OW_EV_SIGHT_MOVE for each that moved (OW_SIGHT_GONE: no longer online). Start the
 * pass on the hierarchy mounted at `mount`: -EOPNOTSUPP where the kernel has no cgroup iterator
 * (before 6.1) or the program did not load, or what the attach returned (a v1 hierarchy before
 * the iterator walked one). Members live in slots 0..n-1 that the caller keeps dense; a member
 * is reported once its usage moved `step` bytes from the last usage reported (at first:
 * `usage`), by the watch once a pass has walked it since it joined.
 */
int ow_tracer_sight_start(struct ow_tracer *t, const char *mount);
int ow_tracer_sight_join(struct ow_tracer *t, uint32_t slot, uint64_t id, uint64_t step,
			 uint64_t usage);
/* `id` forgotten and `slot` cleared. */
void ow_tracer_sight_leave(struct ow_tracer *t, uint32_t slot, uint64_t id);
/* The member in slot `from` is copied into slot `to`, whose member is leaving: then that one's
 * leave clears `from` (one write fewer than clearing `to` first). A tick between the two sees
 * the member twice; one whose chunk had passed `to` sees it a period later; never not at all. */
int ow_tracer_sight_move(struct ow_tracer *t, uint32_t from, uint32_t to);
/* The watch: started once (0 or -errno), then paced: `used` slots, `chunk` of them a tick, a
 * tick every `every_ns`. Its ticks so far and their time in all. */
int ow_tracer_sight_watch_start(struct ow_tracer *t);
void ow_tracer_sight_watch_pace(struct ow_tracer *t, uint32_t used, uint32_t chunk,
				uint64_t every_ns);
void ow_tracer_sight_watch_stats(const struct ow_tracer *t, uint64_t *ticks, uint64_t *ns);
/* One pass: fn for each member that moved; *visited: the members the walk found (fewer than
 * joined: some were removed), *walked: the cgroups it walked. Returns how many moved, or
 * -errno. More than 2,048 moves in one pass fill the kernel's buffer: the members not reached
 * wait for the next pass. */
typedef void (*ow_sight_fn)(uint64_t id, uint64_t usage, void *arg);
int ow_tracer_sight_pass(struct ow_tracer *t, ow_sight_fn fn, void *arg, uint64_t *visited,
			 uint64_t *walked);

#endif /* OW_TRACER_H */
