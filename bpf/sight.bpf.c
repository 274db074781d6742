// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The sight's pass and watch (userspace/daemon/sight_pass.c): the usage of every member cgroup
 * (far from its limit) checked in the kernel, where a read of each one's memory.current took a
 * syscall and woke the daemon.
 *
 * The pass, a cgroup iterator: one read() walks every memcg, ~190 ns a cgroup here against
 * ~600 ns a file read (1,000 memcgs, session 18), notes each member's memcg for the watch, and
 * writes a record only for a member whose usage moved a step, so an idle pass writes nothing and
 * the kernel's one-session buffer (8 pages: the iterator cannot resume a walk,
 * kernel/bpf/cgroup_iter.c) holds 2,048 moves. The walk holds cgroup_mutex. cgroup_iter came in
 * 6.1; its walk of a v1 hierarchy later (it does on 6.18).
 *
 * The watch, a BPF timer: each tick checks a chunk of the slots the pass noted, ~0.7-1.2 us a
 * cold slot here, and sends an event only for a move, so the daemon sleeps while nothing moves
 * (a pass woke it each second on v2: ~180 us a wakeup here, session 19). It holds no reference:
 * a memcg noted is checked to still be that cgroup's and online (offline_css() clears
 * CSS_ONLINE before the memcg is freed, after an RCU grace period) through reads that cannot
 * fault, as tracing does, and a memcg found otherwise is reported gone.
 */
#include "core.bpf.h"

#define OW_CLOCK_MONOTONIC 1
#define OW_CSS_ONLINE	   (1U << 1)
#define OW_WATCH_MIN_NS	   1000000ULL

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OW_SIGHT_SLOTS);
	__type(key, __u32);
	__type(value, struct ow_sight_member);
} sight_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OW_SIGHT_SLOTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u32);
} sight_ids SEC(".maps");

struct sight_clock {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sight_clock);
} sight_clock SEC(".maps");

/* The iterator's context (struct bpf_iter__cgroup, a fixed layout of two pointers). */
struct seq_file;
struct bpf_iter_meta___ow {
	struct seq_file *seq;
};

struct bpf_iter__cgroup___ow {
	struct bpf_iter_meta___ow *meta;
	struct cgroup___ow *cgroup;
};

SEC("iter/cgroup")
int sight_pass(struct bpf_iter__cgroup___ow *ctx)
{
	struct cgroup___ow *cgrp = ctx->cgroup;
	int subsys = memory_subsys_id();
	struct ow_sight_member *m;
	struct ow_sight_record r;
	struct mem_cgroup___ow *memcg;
	__u32 *slot;

	if (!cgrp || subsys < 0)
		return 0;
	sight_walked++;
	r.id = BPF_CORE_READ(cgrp, kn, id);
	slot = bpf_map_lookup_elem(&sight_ids, &r.id);
	if (!slot)
		return 0;
	m = bpf_map_lookup_elem(&sight_slots, slot);
	if (!m || m->id != r.id)
		return 0;
	sight_visited++; /* one walk at a time: the daemon's */
	memcg = (struct mem_cgroup___ow *)BPF_CORE_READ(cgrp, subsys[subsys]);
	m->memcg = (__u64)memcg;
	if (!memcg)
		return 0;
	r.usage = memcg_usage(memcg);
	if (abs_diff(r.usage, m->last) < m->step)
		return 0;
	if (!bpf_seq_write(ctx->meta->seq, &r, sizeof(r)))
		m->last = r.usage;
	return 0;
}

static __always_inline bool still_its(struct mem_cgroup___ow *memcg, __u64 id)
{
	struct cgroup_subsys_state___ow *css = (void *)memcg;

	return BPF_CORE_READ(css, cgroup, kn, id) == id &&
	       (BPF_CORE_READ(css, flags) & OW_CSS_ONLINE);
}

static __always_inline bool send_move(__u64 id, __u64 usage)
{
	struct ow_event *e = event_reserve(OW_EV_SIGHT_MOVE, 0, id);

	if (!e)
		return false;
	e->memcg_usage = usage;
	bpf_ringbuf_submit(e, 0);
	return true;
}

static long watch_slot(__u32 i, void *ctx)
{
	__u32 slot = *(__u32 *)ctx + i;
	struct ow_sight_member *m = bpf_map_lookup_elem(&sight_slots, &slot);
	struct mem_cgroup___ow *memcg;
	__u64 usage;

	if (!m)
		return 1;
	if (!m->id || !m->memcg)
		return 0;
	memcg = (struct mem_cgroup___ow *)m->memcg;
	if (!still_its(memcg, m->id)) {
		if (send_move(m->id, OW_SIGHT_GONE))
			m->memcg = 0;
		return 0;
	}
	usage = memcg_usage(memcg);
	if (abs_diff(usage, m->last) >= m->step && send_move(m->id, usage))
		m->last = usage;
	return 0;
}

/* The daemon's pace; a second until it sets one (a tick is never back at once). */
static __always_inline __u64 every(void)
{
	__u64 ns = sight_watch_every_ns;

	return ns >= OW_WATCH_MIN_NS ? ns : 1000000000ULL;
}

/* A chunk of the slots, from where the last tick stopped; then the next tick. */
static int watch_tick(void *map, __u32 *key, struct sight_clock *c)
{
	__u64 start = bpf_ktime_get_ns();
	__u32 used = sight_slots_used, from = sight_watch_next, n = sight_watch_chunk;

	if (from >= used)
		from = 0;
	if (n > used - from)
		n = used - from;
	bpf_loop(n, watch_slot, &from, 0);
	sight_watch_next = from + n;
	bpf_timer_start(&c->timer, every(), 0);
	sight_watch_ticks++;
	sight_watch_ns += bpf_ktime_get_ns() - start;
	return 0;
}

/* Run once by the daemon (BPF_PROG_TEST_RUN); the timer ends with the map, at the daemon's exit. */
SEC("syscall")
int sight_watch_start(void *ctx)
{
	__u32 zero = 0;
	struct sight_clock *c = bpf_map_lookup_elem(&sight_clock, &zero);
	long err;

	if (!c)
		return -1;
	err = bpf_timer_init(&c->timer, &sight_clock, OW_CLOCK_MONOTONIC);
	if (err)
		return (int)err;
	err = bpf_timer_set_callback(&c->timer, watch_tick);
	if (err)
		return (int)err;
	return (int)bpf_timer_start(&c->timer, every(), 0);
}
