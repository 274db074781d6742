// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cgroup:cgroup_mkdir: a memcg seen first as its directory is made (the tracepoint fires after
 * the controllers' state was created). While the page-fault program is detached
 * (userspace/core/rss_gate.h) this and a task's move into it (task.bpf.c) are how the daemon
 * learns of a new memcg; on cgroup v2 a task cloned into a cgroup (clone3 CLONE_INTO_CGROUP,
 * as systemd spawns) moves nowhere, so the move alone would miss it. A directory made in
 * another hierarchy (v1) or without the memory controller has no memory state: nothing to say.
 * Rare (a directory made), so it stays attached. The classic tracepoint passes no cgroup: no
 * flavour of it.
 */
#include "core.bpf.h"

static __always_inline int made(struct cgroup___ow *cgrp)
{
	int id = memory_subsys_id();
	struct mem_cgroup___ow *memcg;

	if (id < 0)
		return 0;
	memcg = (struct mem_cgroup___ow *)BPF_CORE_READ(cgrp, subsys[id]);
	if (memcg)
		memcg_sight(memcg_id_of(memcg), 0);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(cgroup_mkdir_btf, struct cgroup___ow *cgrp, const char *path)
{
	return made(cgrp);
}

SEC("raw_tp/cgroup_mkdir")
int BPF_PROG(cgroup_mkdir_raw, struct cgroup___ow *cgrp, const char *path)
{
	return made(cgrp);
}
