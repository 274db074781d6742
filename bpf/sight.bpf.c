// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The sight's pass (userspace/daemon/sight.c): one read() of this cgroup iterator checks the
 * usage of every member cgroup far from its limit, where a read of each one's memory.current
 * took a syscall: a pass walks ~190 ns a cgroup here, against ~600 ns a read (1,000 memcgs,
 * session 18). It writes a record only for a member whose usage moved a step since the last one
 * it wrote, so an idle pass writes nothing and the kernel's one-session buffer (8 pages: the
 * iterator cannot resume a walk, kernel/bpf/cgroup_iter.c) holds 2,048 moves. The walk holds
 * cgroup_mutex. cgroup_iter came in 6.1; its walk of a v1 hierarchy later (it does on 6.18).
 */
#include "core.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OW_MEMCG_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct ow_sight_member);
} sight_members SEC(".maps");

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

	if (!cgrp || subsys < 0)
		return 0;
	sight_walked++;
	r.id = BPF_CORE_READ(cgrp, kn, id);
	m = bpf_map_lookup_elem(&sight_members, &r.id);
	if (!m)
		return 0;
	sight_visited++; /* one walk at a time: the daemon's */
	memcg = (struct mem_cgroup___ow *)BPF_CORE_READ(cgrp, subsys[subsys]);
	if (!memcg)
		return 0;
	r.usage = memcg_usage(memcg);
	if (abs_diff(r.usage, m->last) < m->step)
		return 0;
	if (!bpf_seq_write(ctx->meta->seq, &r, sizeof(r)))
		m->last = r.usage;
	return 0;
}
