// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Outstanding native allocations by user stack, for `oomwarden diagnose --stacks` only.
 * Uprobes on libc's malloc family cost ~1.5 us a call, so these programs are attached to the
 * target's pids alone and only for the diagnosis window; the daemon never loads them.
 *
 * Stacks are taken in the return probes: there the caller's frame is complete, whereas at a
 * function's first instruction the frame-pointer walk skips the direct caller on kernels
 * before 6.11 (the return address still sits at the top of the stack, not behind rbp).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "ow_alloc.h"

#define MAP_ANONYMOUS 0x20
#define MAP_FAILED    ((__u64)-1)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OW_ALLOC_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct ow_alloc_inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, OW_ALLOC_MAX_LIVE);
	__type(key, struct ow_alloc_key);
	__type(value, struct ow_alloc_rec);
} live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, OW_ALLOC_MAX_STACKS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, OW_ALLOC_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ow_alloc_counters);
} counters SEC(".maps");

static __always_inline struct ow_alloc_counters *counters_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

static __always_inline bool is_target(__u32 tgid)
{
	return bpf_map_lookup_elem(&targets, &tgid) != NULL;
}

static __always_inline int enter(__u64 size, __u64 arg, __u32 kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct ow_alloc_inflight *f, n = {.size = size, .arg = arg, .kind = kind};

	if (!is_target(id >> 32))
		return 0;
	f = bpf_map_lookup_elem(&inflight, &tid);
	if (f) {
		f->depth++;
		return 0;
	}
	bpf_map_update_elem(&inflight, &tid, &n, BPF_ANY);
	return 0;
}

static __always_inline void forget(__u32 tgid, __u64 ptr)
{
	struct ow_alloc_key key = {.tgid = tgid, .ptr = ptr};
	struct ow_alloc_counters *c;

	if (!ptr || bpf_map_delete_elem(&live, &key))
		return;
	c = counters_get();
	if (c)
		c->frees++;
}

static __always_inline void record(struct pt_regs *ctx, __u32 tgid, __u64 ptr, __u64 size)
{
	struct ow_alloc_key key = {.tgid = tgid, .ptr = ptr};
	struct ow_alloc_rec rec = {.size = size, .ts_ns = bpf_ktime_get_ns()};
	struct ow_alloc_counters *c = counters_get();

	rec.stack_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	if (bpf_map_update_elem(&live, &key, &rec, BPF_ANY)) {
		if (c)
			c->table_full++;
		return;
	}
	if (!c)
		return;
	c->allocs++;
	if (rec.stack_id < 0)
		c->stack_lost++;
}

static __always_inline int leave(struct pt_regs *ctx, __u64 ret)
{
	__u64 id = bpf_get_current_pid_tgid(), ptr = ret;
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct ow_alloc_inflight *f, cur;

	f = bpf_map_lookup_elem(&inflight, &tid);
	if (!f)
		return 0;
	if (f->depth) {
		f->depth--;
		return 0;
	}
	cur = *f;
	bpf_map_delete_elem(&inflight, &tid);
	switch (cur.kind) {
	case OW_ALLOC_REALLOC:
		/* realloc(p, 0) frees p; a failed realloc leaves p allocated. */
		if (ret || !cur.size)
			forget(tgid, cur.arg);
		break;
	case OW_ALLOC_MEMALIGN:
		if (ret || bpf_probe_read_user(&ptr, sizeof(ptr), (void *)cur.arg))
			return 0;
		break;
	case OW_ALLOC_MMAP:
		if (ret == MAP_FAILED)
			return 0;
		break;
	}
	if (ptr && cur.size)
		record(ctx, tgid, ptr, cur.size);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(malloc_enter, __u64 size)
{
	return enter(size, 0, OW_ALLOC_MALLOC);
}

SEC("uprobe")
int BPF_KPROBE(calloc_enter, __u64 nmemb, __u64 size)
{
	return enter(nmemb * size, 0, OW_ALLOC_CALLOC);
}

SEC("uprobe")
int BPF_KPROBE(realloc_enter, __u64 ptr, __u64 size)
{
	return enter(size, ptr, OW_ALLOC_REALLOC);
}

SEC("uprobe")
int BPF_KPROBE(posix_memalign_enter, __u64 memptr, __u64 align, __u64 size)
{
	return enter(size, memptr, OW_ALLOC_MEMALIGN);
}

/* File mappings are page cache, not a leak of the heap: only anonymous ones are tracked. A
 * call that is not tracked still counts as nesting inside a tracked one (malloc -> mmap). */
SEC("uprobe")
int BPF_KPROBE(mmap_enter, __u64 addr, __u64 len, __u64 prot, __u64 flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct ow_alloc_inflight *f;

	if (!(flags & MAP_ANONYMOUS)) {
		f = bpf_map_lookup_elem(&inflight, &tid);
		if (f)
			f->depth++;
		return 0;
	}
	return enter(len, 0, OW_ALLOC_MMAP);
}

SEC("uretprobe")
int BPF_KRETPROBE(alloc_return, __u64 ret)
{
	return leave(ctx, ret);
}

SEC("uprobe")
int BPF_KPROBE(free_enter, __u64 ptr)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (is_target(tgid))
		forget(tgid, ptr);
	return 0;
}

/* Only a whole mapping unmapped from its start is forgotten; partial unmaps keep the record. */
SEC("uprobe")
int BPF_KPROBE(munmap_enter, __u64 addr)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (is_target(tgid))
		forget(tgid, addr);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
