/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Layouts shared by the BPF programs (bpf/) and the daemon (userspace/):
 * ring-buffer events and the values of the maps the daemon writes.
 * Include the right integer types first (vmlinux.h in BPF, <linux/types.h> in userspace).
 */
#ifndef OW_EVENTS_H
#define OW_EVENTS_H

#define OW_COMM_LEN 16

/* The BPF process map's entries: the default is compiled in, --bpf-max-processes sets it at
 * load within these bounds (the kernel's pid_max is at most 4194304). */
#define OW_BPF_MAX_PROCESSES_DEFAULT 65536
#define OW_BPF_MAX_PROCESSES_MIN     64
#define OW_BPF_MAX_PROCESSES_MAX     4194304

/* Same order as the kernel's MM_* counters (include/linux/mm_types_task.h), so the
 * rss_stat tracepoint's `member` indexes these arrays directly. */
enum ow_mem_type {
	OW_MEM_FILE = 0,
	OW_MEM_ANON = 1,
	OW_MEM_SWAP = 2,
	OW_MEM_SHMEM = 3,
	OW_MEM_NR = 4,
};

enum ow_event_kind {
	OW_EV_PROC_STEP = 1,	 /* a process's non-reclaimable RSS moved by one step */
	OW_EV_MEMCG_STEP = 2,	 /* a memcg's usage moved by one step, or a memcg seen first */
	OW_EV_RECLAIM_BEGIN = 3, /* the kernel started reclaim because a memcg hit its limit */
	OW_EV_RECLAIM_END = 4,
	OW_EV_OOM_VICTIM = 5, /* the kernel OOM killer picked a victim anyway */
	OW_EV_PROC_EXIT = 6,  /* a tracked process exited */
	OW_EV_SIGHT_MOVE = 7, /* the sight's watch saw a member move a step (sight.bpf.c) */
	OW_EV_MEMCG_GONE = 8, /* a memcg the BPF side reported was removed (cgroup.bpf.c) */
};

struct ow_event {
	__u32 kind;
	__u32 tgid;
	__u64 memcg_id;	      /* kn->id of the memory cgroup == inode of its directory */
	__u64 ts_ns;	      /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 rss[OW_MEM_NR]; /* bytes by type (PROC_STEP, PROC_EXIT, OOM_VICTIM) */
	__u64 memcg_usage;    /* bytes (MEMCG_STEP, RECLAIM_*) */
	__u64 memcg_max;      /* bytes; the memcg's own limit, not its ancestors' */
	char comm[OW_COMM_LEN];
};

/* The sight's pass and watch (bpf/sight.bpf.c): a cgroup whose usage they check, in a slot of
 * `sight_slots` (`sight_ids` maps its id to it), and what the pass writes for one whose usage
 * moved `step` bytes since `last` (the watch sends an OW_EV_SIGHT_MOVE event). */
#define OW_SIGHT_SLOTS 32768 /* as many as memcgs are watched (OW_MEMCG_MAX) */
struct ow_sight_member {
	__u64 id; /* the cgroup's; 0: a free slot */
	__u64 step;
	__u64 last; /* bytes: the usage last reported, or the daemon's when the cgroup joined */
	/* The memcg's address as the pass's walk last saw it (0: not yet), for the watch, which
	 * checks it still is this cgroup's, online, before it reads a counter there. */
	__u64 memcg;
};

/* An OW_EV_SIGHT_MOVE's usage for a member whose memcg the watch found offline or gone. */
#define OW_SIGHT_GONE (~0ULL)

struct ow_sight_record {
	__u64 id;
	__u64 usage; /* bytes */
};

/* Per-memcg thresholds, written by the daemon into the `memcg_cfg` map. A memcg the
 * daemon has not configured yet gets one OW_EV_MEMCG_STEP and is then silent until
 * configured; `watched == 0` keeps it silent (outside every --cgroup subtree). */
struct ow_memcg_cfg {
	__u64 memcg_step; /* report the memcg when its usage moves this many bytes */
	__u64 proc_step;  /* report a process of it when its non-reclaimable RSS moves this much */
	__u32 watched;
	__u32 pad;
};

/* Per-memcg state the BPF side keeps (`memcg_state` map). */
struct ow_memcg_state {
	__u64 last_usage;      /* usage at the last report, bytes */
	__u64 last_reclaim_ns; /* rate-limits reclaim events */
	__u32 reclaim_open;    /* a begin was reported and its end not yet */
	__u32 pad;
};

/* Per-process state the BPF side keeps (`procs` map, keyed by tgid). */
struct ow_proc_state {
	__u64 memcg_id;
	__u64 rss[OW_MEM_NR]; /* bytes, last value seen per counter */
	__u64 last_reported;  /* non-reclaimable bytes at the last report */
	__u64 last_checked;   /* RSS of all types at the last memcg usage check */
	__u64 proc_step;      /* copied from memcg_cfg at cfg_gen */
	__u64 memcg_step;
	__u16 watched;
	__u16 reported; /* a step was reported: the daemon knows the process, so tell it the exit */
	__u32 cfg_gen;	/* 0: never read (the daemon's generations start at 1) */
};

#endif /* OW_EVENTS_H */
