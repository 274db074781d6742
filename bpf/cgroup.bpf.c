// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cgroup:cgroup_mkdir: a memcg seen first as its directory is made (the tracepoint fires after
 * the controllers' state was created). While the page-fault program is detached
 * (userspace/core/rss_gate.h) this and a task's move into it (task.bpf.c) are how the daemon
 * learns of a new memcg; on cgroup v2 a task cloned into a cgroup (clone3 CLONE_INTO_CGROUP,
 * as systemd spawns) moves nowhere, so the move alone would miss it. A directory made in
 * another hierarchy (v1) or without the memory controller has no memory state: nothing to say.
 * cgroup:cgroup_rmdir: a memcg the BPF side knows, removed. No file of a removed cgroup tells
 * (kernfs sends no inotify event at removal), and a directory made again under the same name is a
 * new cgroup, so the daemon's entry for the old one stayed until a full scan: a user's loop of
 * mkdir and rmdir in a delegated subtree grew the daemon by an entry a turn. The tracepoint fires
 * only for a removal that succeeded, under cgroup_mutex, before the memcg is taken offline
 * (offline_css() needs that mutex): its memory state is still there to be named.
 * Rare (a directory made or removed), so both stay attached. The classic tracepoint passes no
 * cgroup: no flavour of either.
 */
#include "core.bpf.h"

/* The memcg id of a cgroup of the memory hierarchy (v1) or with the controller (v2); 0: none. */
static __always_inline __u64 cgroup_memcg_id(struct cgroup___ow *cgrp)
{
	int id = memory_subsys_id();

	if (id < 0)
		return 0;
	return memcg_id_of((struct mem_cgroup___ow *)BPF_CORE_READ(cgrp, subsys[id]));
}

static __always_inline int made(struct cgroup___ow *cgrp)
{
	__u64 memcg_id = cgroup_memcg_id(cgrp);

	if (memcg_id)
		memcg_sight(memcg_id, 0);
	return 0;
}

static __always_inline int removed(struct cgroup___ow *cgrp)
{
	__u64 memcg_id = cgroup_memcg_id(cgrp);
	struct ow_event *e;

	if (!memcg_id || !bpf_map_lookup_elem(&memcg_cfg, &memcg_id))
		return 0; /* never reported: the daemon holds nothing of it */
	e = event_reserve(OW_EV_MEMCG_GONE, 0, memcg_id);
	if (e)
		bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Both flavours of a cgroup tracepoint's program (tracer.c attaches one by its suffix). */
#define CGROUP_PROGRAMS(tp, fn)                                                                    \
	SEC("tp_btf/" #tp)                                                                         \
	int BPF_PROG(tp##_btf, struct cgroup___ow *cgrp, const char *path)                         \
	{                                                                                          \
		return fn(cgrp);                                                                   \
	}                                                                                          \
	SEC("raw_tp/" #tp)                                                                         \
	int BPF_PROG(tp##_raw, struct cgroup___ow *cgrp, const char *path)                         \
	{                                                                                          \
		return fn(cgrp);                                                                   \
	}

CGROUP_PROGRAMS(cgroup_mkdir, made)
CGROUP_PROGRAMS(cgroup_rmdir, removed)
