// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Keep the per-process map true as tasks move and die. A task moved to another cgroup
 * (cgroup:cgroup_attach_task, which fires after the migration) loses its cached state, so the
 * next rss_stat records the new memcg; a process that exits is dropped and reported.
 * A memcg a task moves into is also seen there first: while the page-fault program is detached
 * (userspace/core/rss_gate.h) this is how the daemon learns of a new memcg, after its limit was
 * written (systemd and runc make the directory, write the limits, then move the first task in).
 * The classic tracepoint passes a pid only: that flavour finds new memcgs by faults alone.
 */
#include "core.bpf.h"

static __always_inline int forget(__u32 tgid)
{
	bpf_map_delete_elem(&procs, &tgid);
	return 0;
}

static __always_inline int moved(struct task_struct___ow *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u64 memcg = memcg_id_of(task_memcg(task));

	if (memcg)
		memcg_sight(memcg, tgid);
	return forget(tgid);
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(cgroup_attach_btf, void *dst, const char *path, struct task_struct___ow *task)
{
	return moved(task);
}

SEC("raw_tp/cgroup_attach_task")
int BPF_PROG(cgroup_attach_raw, void *dst, const char *path, struct task_struct___ow *task)
{
	return moved(task);
}

struct trace_event_raw_cgroup_migrate___ow {
	__u64 ent;
	int dst_root;
	int dst_level;
	__u64 dst_id;
	int pid;
};

SEC("tracepoint/cgroup/cgroup_attach_task")
int cgroup_attach_tp(struct trace_event_raw_cgroup_migrate___ow *ctx)
{
	return forget(ctx->pid);
}

/*
 * Called for every exiting thread: the process ends with its last thread, which is not always
 * its leader. A leader that calls pthread_exit() leaves the others running, and their faults
 * make its entry again: forgotten at the leader's exit alone, that entry stayed until its pid
 * came round again, and a user's loop of such processes filled the map (65,536), which then
 * refused every process started after. do_exit() decrements signal->live before the
 * tracepoint, so the last thread sees 0.
 */
static __always_inline int on_exit(__u32 tgid, bool last)
{
	struct ow_proc_state *p;
	struct ow_event *e;

	if (!last)
		return 0;
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p)
		return 0;
	/* Only the exits of processes the daemon was told about: waking it for every short-lived
	 * process of a busy machine (a build forks hundreds a second) would cost more than the
	 * watching itself. */
	e = p->reported ? event_reserve(OW_EV_PROC_EXIT, tgid, p->memcg_id) : NULL;
	if (e) {
		__builtin_memcpy(e->rss, p->rss, sizeof(e->rss));
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&procs, &tgid);
	return 0;
}

static __always_inline int on_exit_current(void)
{
	struct task_struct___ow *task = (void *)bpf_get_current_task();

	return on_exit(bpf_get_current_pid_tgid() >> 32,
		       !BPF_CORE_READ(task, signal, live.counter));
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(process_exit_btf)
{
	return on_exit_current();
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(process_exit_raw)
{
	return on_exit_current();
}

SEC("tracepoint/sched/sched_process_exit")
int process_exit_tp(void *ctx)
{
	return on_exit_current();
}
