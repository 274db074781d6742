// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of the page-fault benchmark: a tp_btf program on kmem:rss_stat that does nothing.
 * What the fault workload loses with it attached is the cost of the attach itself (the
 * tracepoint enabled, the trampoline, the program's entry and exit), which no program of ours
 * can go below; bench/bench.sh measures it beside the daemon's own overhead.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tp_btf/rss_stat")
int empty_rss_stat(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
