// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Memory pressure and the kernel's own verdicts: memcg reclaim begin/end (a memcg hit its
 * limit and the kernel is scanning for pages to free), and oom:mark_victim (the OOM killer
 * chose a victim anyway). Neither is hot, but reclaim can fire thousands of times a second
 * under pressure, so its reports are rate-limited per memcg.
 */
#include "core.bpf.h"

static __always_inline struct ow_memcg_state *state_of(__u64 memcg)
{
	struct ow_memcg_state fresh = {}, *st = bpf_map_lookup_elem(&memcg_state, &memcg);

	if (st)
		return st;
	bpf_map_update_elem(&memcg_state, &memcg, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&memcg_state, &memcg);
}

/* The charging task is in the memcg that hit its limit, or below it. */
static __always_inline int on_reclaim(bool begin)
{
	struct task_struct___ow *task = (void *)bpf_get_current_task();
	struct mem_cgroup___ow *mc = task_memcg(task);
	__u64 now = bpf_ktime_get_ns(), memcg = memcg_id_of(mc);
	struct ow_memcg_cfg *cfg = bpf_map_lookup_elem(&memcg_cfg, &memcg);
	struct ow_memcg_state *st;
	struct ow_event *e;

	if (!cfg || !cfg->watched)
		return 0;
	st = state_of(memcg);
	if (!st)
		return 0;
	if (begin) {
		if (st->reclaim_open || now - st->last_reclaim_ns < reclaim_report_ns)
			return 0;
		st->reclaim_open = 1;
		st->last_reclaim_ns = now;
	} else {
		if (!st->reclaim_open)
			return 0;
		st->reclaim_open = 0;
	}
	e = event_reserve(begin ? OW_EV_RECLAIM_BEGIN : OW_EV_RECLAIM_END,
			  bpf_get_current_pid_tgid() >> 32, memcg);
	if (!e)
		return 0;
	e->memcg_usage = memcg_usage(mc);
	e->memcg_max = memcg_max(mc);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(reclaim_begin_btf)
{
	return on_reclaim(true);
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(reclaim_begin_raw)
{
	return on_reclaim(true);
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_reclaim_begin")
int reclaim_begin_tp(void *ctx)
{
	return on_reclaim(true);
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(reclaim_end_btf)
{
	return on_reclaim(false);
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(reclaim_end_raw)
{
	return on_reclaim(false);
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_reclaim_end")
int reclaim_end_tp(void *ctx)
{
	return on_reclaim(false);
}

/* The victim's last known memory comes from our own map: the OOM killer runs in the context
 * of the task that failed to charge, not the victim's. */
static __always_inline int on_victim(__u32 tgid, struct task_struct___ow *task)
{
	struct ow_proc_state *p = bpf_map_lookup_elem(&procs, &tgid);
	struct ow_event *e = event_reserve(OW_EV_OOM_VICTIM, tgid, 0);

	if (!e)
		return 0;
	if (p) {
		e->memcg_id = p->memcg_id;
		__builtin_memcpy(e->rss, p->rss, sizeof(e->rss));
	}
	if (task) {
		e->memcg_id = memcg_id_of(task_memcg(task));
		bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), &task->comm);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Since 6.8 the tracepoint passes the task (oom: add tracepoint args); before, only its pid.
 * The daemon loads the flavour matching the kernel's BTF. */
SEC("tp_btf/mark_victim")
int BPF_PROG(mark_victim_task_btf, struct task_struct___ow *task)
{
	return on_victim(BPF_CORE_READ(task, tgid), task);
}

SEC("raw_tp/mark_victim")
int BPF_PROG(mark_victim_task_raw, struct task_struct___ow *task)
{
	return on_victim(BPF_CORE_READ(task, tgid), task);
}

SEC("tp_btf/mark_victim")
int BPF_PROG(mark_victim_pid_btf, int pid)
{
	return on_victim(pid, NULL);
}

SEC("raw_tp/mark_victim")
int BPF_PROG(mark_victim_pid_raw, int pid)
{
	return on_victim(pid, NULL);
}

struct trace_event_raw_mark_victim___ow {
	__u64 ent;
	int pid;
};

SEC("tracepoint/oom/mark_victim")
int mark_victim_tp(struct trace_event_raw_mark_victim___ow *ctx)
{
	return on_victim(ctx->pid, NULL);
}
