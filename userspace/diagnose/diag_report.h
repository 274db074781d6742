/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diagnose's report: plain data in, text (for humans: the answer first, aligned, with units)
 * or one JSON object out. No I/O but the stream it is given.
 */
#ifndef OW_DIAG_REPORT_H
#define OW_DIAG_REPORT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "alloc_tracer.h"
#include "cgroup.h"
#include "diag_judge.h"
#include "ow_events.h"
#include "smaps.h"

#define OW_DIAG_FRAME_LEN 192

struct ow_diag_proc_report {
	pid_t pid;
	char comm[16];
	double rate[OW_MEM_NR]; /* bytes/s by type */
	double nonrecl_rate;	/* anon + shmem + swap, bytes/s */
	uint64_t end[OW_MEM_NR];
	double eta_s; /* to the effective limit at nonrecl_rate; < 0 when not growing */
	bool ended;
	double ended_after_s;
	struct ow_smaps_delta *maps; /* growing mappings, largest first */
	size_t nmaps;
	bool smaps_missing;
};

struct ow_diag_stack_report {
	pid_t pid;
	uint64_t bytes, count;
	double oldest_age_s;
	char (*frames)[OW_DIAG_FRAME_LEN];
	unsigned int nframes;
};

struct ow_diag_report {
	const char *target;
	double duration_s;  /* watched */
	double requested_s; /* --duration */
	char note[256];	    /* why it stopped early, or "" */
	const char *attach; /* BPF attach mode */
	struct ow_diag_judgement j;
	uint64_t limit; /* effective limit of the target's memcg, OW_NO_LIMIT if none */
	uint64_t usage; /* its usage at the end */
	double eta_s;	/* to the limit at j.rate; < 0 when not growing */
	bool have_cg;
	char cg_name[256];
	struct ow_cg_stat cg_start, cg_end;
	struct ow_diag_proc_report *procs;
	size_t nprocs;
	bool stacks_on;
	struct ow_diag_stack_report *stacks;
	size_t nstacks;
	struct ow_alloc_totals totals;
	char stacks_note[256];
	unsigned int top;
	char oom_note[256]; /* the kernel OOM killer acted during the window */
};

void ow_diag_report_text(FILE *f, const struct ow_diag_report *r);
int ow_diag_report_json(FILE *f, const struct ow_diag_report *r);

#endif /* OW_DIAG_REPORT_H */
