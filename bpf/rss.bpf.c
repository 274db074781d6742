// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kmem:rss_stat: the kernel reports a process's RSS counter after it changes, about once per
 * 4 KiB page fault (~500k/s from one thread). Keep the per-process and per-memcg memory in maps
 * and wake the daemon only when one of them moves by a step (a fraction of the memcg's limit).
 * Three flavours of the same program; the daemon loads the first that attaches:
 * tp_btf (cheapest, ~60-90 ns), raw_tp, classic tracepoint (needs tracefs, ~200-460 ns).
 */
#include "core.bpf.h"

/* Check the memcg's usage only after the process's RSS moved this much: the pointer chase
 * to the memcg is the costliest part, and the memcg cannot grow through this process faster
 * than its RSS does. The same chase re-reads which memcg the process is in: an entry created
 * with a memcg it has since left (a move racing the attach tracepoint, or any move that
 * tracepoint does not report) heals within this much growth instead of never. */
#define MEMCG_CHECK_BYTES (256 * 1024)

static __always_inline struct ow_memcg_cfg *watched_cfg(__u64 memcg, __u32 tgid)
{
	struct ow_memcg_cfg *cfg = memcg_sight(memcg, tgid);

	return cfg && cfg->watched ? cfg : NULL;
}

static __always_inline void check_memcg(struct mem_cgroup___ow *mc, __u64 memcg, __u64 step,
					__u32 tgid)
{
	struct ow_memcg_state fresh = {}, *st;
	struct ow_event *e;
	__u64 usage;

	st = bpf_map_lookup_elem(&memcg_state, &memcg);
	if (!st) {
		bpf_map_update_elem(&memcg_state, &memcg, &fresh, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&memcg_state, &memcg);
		if (!st) {
			__sync_fetch_and_add(&map_full, 1);
			return;
		}
	}
	usage = memcg_usage(mc);
	if (abs_diff(usage, st->last_usage) < step)
		return;
	st->last_usage = usage;
	e = event_reserve(OW_EV_MEMCG_STEP, tgid, memcg);
	if (!e)
		return;
	e->memcg_usage = usage;
	e->memcg_max = memcg_max(mc);
	bpf_ringbuf_submit(e, 0);
}

static __always_inline struct ow_proc_state *proc_state(struct task_struct___ow *owner, __u32 tgid)
{
	struct ow_proc_state *p = bpf_map_lookup_elem(&procs, &tgid);
	struct ow_proc_state fresh = {};

	if (p)
		return p;
	fresh.memcg_id = memcg_id_of(task_memcg(owner));
	bpf_map_update_elem(&procs, &tgid, &fresh, BPF_NOEXIST);
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p)
		__sync_fetch_and_add(&map_full, 1);
	return p;
}

static __always_inline void report_proc(struct task_struct___ow *owner, struct ow_proc_state *p,
					__u32 tgid)
{
	struct ow_event *e = event_reserve(OW_EV_PROC_STEP, tgid, p->memcg_id);

	if (!e)
		return;
	__builtin_memcpy(e->rss, p->rss, sizeof(e->rss));
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), &owner->comm);
	bpf_ringbuf_submit(e, 0);
}

/* The common body: `bytes` is the new value of counter `member` of process `tgid`. */
/* The memcg's thresholds, copied into the process's entry so the hot path does one map
 * lookup, not two; re-read whenever the daemon bumped cfg_gen (it changed some memcg). */
static __always_inline void refresh_cfg(struct ow_proc_state *p, __u32 tgid)
{
	__u32 gen = cfg_gen;
	struct ow_memcg_cfg *cfg = watched_cfg(p->memcg_id, tgid);

	p->cfg_gen = gen;
	p->watched = cfg ? 1 : 0;
	if (cfg) {
		p->proc_step = cfg->proc_step;
		p->memcg_step = cfg->memcg_step;
	}
}

/*
 * Per-CPU memory of the last process seen: faults come in runs from one process on one CPU,
 * so most events move a counter by a page or two since the last one we looked at. Those return
 * here, before any hash lookup; the counters are absolute, so nothing is lost but resolution
 * below SKIP_BYTES (steps are 256 KiB and up).
 */
#define SKIP_BYTES (64 * 1024)

struct rss_cache {
	__u32 tgid;
	__u32 pad;
	__u64 bytes[OW_MEM_NR];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rss_cache);
} rss_cache SEC(".maps");

static __always_inline bool recently_seen(__u32 tgid, int member, __u64 bytes)
{
	__u32 zero = 0;
	struct rss_cache *c = bpf_map_lookup_elem(&rss_cache, &zero);
	int m = member & (OW_MEM_NR - 1);

	if (!c)
		return false;
	if (c->tgid == tgid && abs_diff(bytes, c->bytes[m]) < SKIP_BYTES)
		return true;
	if (c->tgid != tgid) {
		c->tgid = tgid;
		__builtin_memset(c->bytes, 0, sizeof(c->bytes));
	}
	c->bytes[m] = bytes;
	return false;
}

static __always_inline void on_rss(struct task_struct___ow *owner, __u32 tgid, int member,
				   __u64 bytes)
{
	struct mem_cgroup___ow *mc = NULL;
	struct ow_proc_state *p;
	__u64 nr, total, memcg;

	if (member < 0 || member >= OW_MEM_NR)
		return;
	if (recently_seen(tgid, member, bytes))
		return;
	p = proc_state(owner, tgid);
	if (!p)
		return;
	p->rss[member & (OW_MEM_NR - 1)] = bytes;
	nr = nonreclaimable(p->rss);
	total = nr + p->rss[OW_MEM_FILE];
	if (abs_diff(total, p->last_checked) >= MEMCG_CHECK_BYTES) {
		p->last_checked = total;
		mc = task_memcg(owner);
		memcg = memcg_id_of(mc);
		if (memcg != p->memcg_id) {
			p->memcg_id = memcg;
			p->cfg_gen = 0; /* re-read the thresholds of the memcg it is in now */
			__sync_fetch_and_add(&memcg_rebinds, 1);
		}
	}
	if (p->cfg_gen != cfg_gen)
		refresh_cfg(p, tgid);
	if (!p->watched)
		return;
	if (abs_diff(nr, p->last_reported) >= p->proc_step) {
		p->last_reported = nr;
		p->reported = 1;
		report_proc(owner, p, tgid);
	}
	if (mc)
		check_memcg(mc, p->memcg_id, p->memcg_step, tgid);
}

/*
 * percpu_counter_read_positive(), as the tracepoint itself reports it. Constant indices let
 * CO-RE scale each by the kernel's own sizeof(struct percpu_counter); before 6.2 the counters
 * were atomic_long_t (the branch not taken is removed by the verifier). READ is a direct load
 * for tp_btf, whose arguments the verifier tracks as kernel pointers, or a probe read; the
 * pre-6.2 layout is always probe-read, because 6.1's verifier refuses a direct load through
 * the atomic_long_t typedef ("Type 'atomic_long_t' is not a struct").
 */
#define DIRECT_READ(p, path) ((p)->path)
#define RSS_COUNTER(READ, mm, i)                                                                   \
	(bpf_core_type_exists(struct mm_rss_stat___ow)                                             \
		 ? BPF_CORE_READ(((struct mm_struct___old *)(mm)), rss_stat.count[i].counter)      \
		 : READ((mm), rss_stat[i].count))
#define RSS_BYTES(READ, mm, member)                                                                \
	({                                                                                         \
		__s64 _v = (member) == 0   ? RSS_COUNTER(READ, mm, 0)                              \
			   : (member) == 1 ? RSS_COUNTER(READ, mm, 1)                              \
			   : (member) == 2 ? RSS_COUNTER(READ, mm, 2)                              \
					   : RSS_COUNTER(READ, mm, 3);                             \
		_v > 0 ? (__u64)_v << OW_PAGE_SHIFT : 0;                                           \
	})

/*
 * fork() copies the parent's page tables into the child's mm (copy_page_range) and the child's
 * counters move, in the parent's context, before the child is a process of its own:
 * copy_process() calls copy_mm() after dup_task_struct() gave the child the parent's pid and
 * tgid and cgroup_fork() the root css_set, and before alloc_pid(). Taken as they come, these
 * events are the parent's (its tgid) in the root memcg: the parent's entry got the child's
 * counters, and a parent with no entry yet got one in the root memcg, unwatched for good; a
 * shell that joined a memcg, forked once (a $(date)) and exec'd a leak hid the leak until the
 * limit (the bench's lost rows). The child reports itself once it runs.
 */
static __always_inline bool in_fork(struct task_struct___ow *owner, int owner_pid)
{
	return (void *)owner != (void *)bpf_get_current_task() &&
	       (__u32)owner_pid == (__u32)bpf_get_current_pid_tgid();
}

SEC("tp_btf/rss_stat")
int BPF_PROG(rss_stat_btf, struct mm_struct___ow *mm, int member)
{
	struct task_struct___ow *owner = mm->owner;

	if (owner && !in_fork(owner, owner->pid))
		on_rss(owner, owner->tgid, member, RSS_BYTES(DIRECT_READ, mm, member));
	return 0;
}

SEC("raw_tp/rss_stat")
int BPF_PROG(rss_stat_raw, struct mm_struct___ow *mm, int member)
{
	struct task_struct___ow *owner = BPF_CORE_READ(mm, owner);

	if (owner && !in_fork(owner, BPF_CORE_READ(owner, pid)))
		on_rss(owner, BPF_CORE_READ(owner, tgid), member,
		       RSS_BYTES(BPF_CORE_READ, mm, member));
	return 0;
}

/* Classic tracepoint record (include/trace/events/kmem.h). */
struct trace_event_raw_rss_stat___ow {
	struct trace_entry___ow {
		short unsigned int type;
		unsigned char flags;
		unsigned char preempt_count;
		int pid;
	} ent;
	unsigned int mm_id;
	unsigned int curr;
	int member;
	long size;
};

SEC("tracepoint/kmem/rss_stat")
int rss_stat_tp(struct trace_event_raw_rss_stat___ow *ctx)
{
	struct task_struct___ow *task;

	/* Only the record has no mm pointer: attribute it to the current task, which owns the
	 * mm unless curr is 0 (a remote update, e.g. during exit or ptrace). */
	if (!ctx->curr)
		return 0;
	task = (void *)bpf_get_current_task();
	on_rss(task, bpf_get_current_pid_tgid() >> 32, ctx->member, ctx->size > 0 ? ctx->size : 0);
	return 0;
}
