// SPDX-License-Identifier: GPL-2.0
/* diagnose's text and JSON reports: see userspace/diagnose/diag_report.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "diag_report.h"
#include "units.h"
#include "utf8.h"

/*
 * Every name in the text report comes from the target (comm, mapping paths, symbols, cgroup
 * names): control characters go out as \xNN, so a report shown in a terminal cannot rewrite it.
 * Four bytes an escaped byte; 4 KiB holds a PATH_MAX mapping name of plain text.
 */
#define SAFE_LEN 4096

static const char *safe(char *buf, size_t size, const char *s)
{
	ow_utf8_escape(buf, size, s);
	return buf;
}

/* The JSON report carries the same escaped text: valid UTF-8 whatever the target named. */
static cJSON *safe_json(const char *s)
{
	char buf[SAFE_LEN];

	return cJSON_CreateString(safe(buf, sizeof(buf), s));
}

static void add_safe(cJSON *o, const char *key, const char *s)
{
	cJSON_AddItemToObject(o, key, safe_json(s));
}

static const char *const type_names[OW_MEM_NR] = {"file", "anon", "swap", "shmem"};
/* Column order in the text report: what leaks first. */
static const int type_order[OW_MEM_NR] = {OW_MEM_ANON, OW_MEM_SHMEM, OW_MEM_SWAP, OW_MEM_FILE};

/* A report reads "never" where an alert says "none": the window saw no growth to project. */
static const char *fmt_eta(double s, char *buf, size_t len)
{
	if (s < 0 || !isfinite(s)) {
		snprintf(buf, len, "never at this rate");
		return buf;
	}
	return ow_fmt_eta(s, buf, len);
}

static void text_head(FILE *f, const struct ow_diag_report *r)
{
	char a[OW_FMT_LEN], b[OW_FMT_LEN], c[64], t[SAFE_LEN], n[SAFE_LEN];
	const char *v = r->j.finding == OW_DIAG_LEAK	  ? "LEAK"
			: r->j.finding == OW_DIAG_NO_LEAK ? "NO LEAK"
							  : "NOT ENOUGH EVIDENCE";

	fprintf(f, "Verdict: %s: %s non-reclaimable memory (confidence %.2f)\n", v,
		ow_fmt_rate(r->j.rate, a, sizeof(a)), r->j.confidence);
	fprintf(f, "         %s\n", r->j.reason);
	if (r->limit != OW_NO_LIMIT)
		fprintf(f, "Time to OOM: %s (limit %s, %s in use)\n",
			fmt_eta(r->eta_s, c, sizeof(c)), ow_fmt_bytes(r->limit, a, sizeof(a)),
			ow_fmt_bytes(r->usage, b, sizeof(b)));
	fprintf(f, "Target:  %s, watched %.1f s of %.0f s%s%s\n", safe(t, sizeof(t), r->target),
		r->duration_s, r->requested_s, r->note[0] ? ": " : "", safe(n, sizeof(n), r->note));
	if (r->oom_note[0])
		fprintf(f, "Kernel:  %s\n", safe(n, sizeof(n), r->oom_note));
}

static void text_procs(FILE *f, const struct ow_diag_report *r)
{
	char buf[OW_FMT_LEN], eta[64], comm[64];
	size_t i;
	int k;

	if (!r->nprocs)
		return;
	fprintf(f, "\nProcesses (growth by type, per second)\n");
	fprintf(f, "  %7s %-15s %13s %13s %13s %13s %11s  %s\n", "PID", "COMMAND", "anon", "shmem",
		"swap", "file", "anon now", "to OOM");
	for (i = 0; i < r->nprocs; i++) {
		const struct ow_diag_proc_report *p = &r->procs[i];

		fprintf(f, "  %7d %-15s", p->pid, safe(comm, sizeof(comm), p->comm));
		for (k = 0; k < OW_MEM_NR; k++)
			fprintf(f, " %13s", ow_fmt_rate(p->rate[type_order[k]], buf, sizeof(buf)));
		fprintf(f, " %11s  %s%s\n", ow_fmt_bytes(p->end[OW_MEM_ANON], buf, sizeof(buf)),
			r->limit == OW_NO_LIMIT ? "-" : fmt_eta(p->eta_s, eta, sizeof(eta)),
			p->ended ? " (ended)" : "");
	}
}

static void text_maps(FILE *f, const struct ow_diag_report *r)
{
	char d[OW_FMT_LEN], now[OW_FMT_LEN], comm[64], name[SAFE_LEN];
	size_t i, k;

	fprintf(f, "\nGrowing mappings (/proc/PID/smaps, RSS, start -> end)\n");
	for (i = 0; i < r->nprocs; i++) {
		const struct ow_diag_proc_report *p = &r->procs[i];

		safe(comm, sizeof(comm), p->comm);
		if (p->smaps_missing)
			fprintf(f, "  %7d %-15s (smaps not readable at both ends)\n", p->pid, comm);
		for (k = 0; k < p->nmaps && k < r->top; k++)
			fprintf(f, "  %7d %-15s %-40s %11s  (now %s)\n", p->pid, comm,
				safe(name, sizeof(name), p->maps[k].name),
				ow_fmt_bytes_signed(p->maps[k].d_rss, d, sizeof(d)),
				ow_fmt_bytes(p->maps[k].rss_end, now, sizeof(now)));
	}
}

static void text_cg_line(FILE *f, const char *name, uint64_t a, uint64_t b)
{
	char x[OW_FMT_LEN], y[OW_FMT_LEN], d[OW_FMT_LEN];

	fprintf(f, "  %-14s %11s -> %11s  (%s)\n", name, ow_fmt_bytes(a, x, sizeof(x)),
		ow_fmt_bytes(b, y, sizeof(y)), ow_fmt_bytes_signed((int64_t)(b - a), d, sizeof(d)));
}

static void text_cgroup(FILE *f, const struct ow_diag_report *r)
{
	const struct ow_cg_stat *a = &r->cg_start, *b = &r->cg_end;
	char name[SAFE_LEN];

	if (!r->have_cg)
		return;
	fprintf(f, "\nMemory cgroup %s (memory.stat, start -> end)\n",
		safe(name, sizeof(name), r->cg_name));
	text_cg_line(f, "usage", a->usage, b->usage);
	text_cg_line(f, "anon", a->anon, b->anon);
	text_cg_line(f, "shmem", a->shmem, b->shmem);
	text_cg_line(f, "file", a->file, b->file);
	text_cg_line(f, "inactive_file", a->inactive_file, b->inactive_file);
	text_cg_line(f, "swap", a->swap, b->swap);
}

static void text_stacks(FILE *f, const struct ow_diag_report *r)
{
	char b[OW_FMT_LEN], frame[SAFE_LEN];
	size_t i;
	unsigned int k;

	if (!r->stacks_on)
		return;
	fprintf(f, "\nAllocation stacks (--stacks: allocations made in the window and still "
		   "outstanding;\n  uprobes on malloc/free cost ~1.5 us a call while watching)\n");
	if (r->stacks_note[0])
		fprintf(f, "  %s\n", safe(frame, sizeof(frame), r->stacks_note));
	for (i = 0; i < r->nstacks && i < r->top; i++) {
		const struct ow_diag_stack_report *s = &r->stacks[i];

		fprintf(f, "  #%zu %s in %llu allocations, oldest %.1f s, pid %d\n", i + 1,
			ow_fmt_bytes(s->bytes, b, sizeof(b)), (unsigned long long)s->count,
			s->oldest_age_s, s->pid);
		for (k = 0; k < s->nframes; k++)
			fprintf(f, "       %s\n", safe(frame, sizeof(frame), s->frames[k]));
		if (!s->nframes)
			fprintf(f, "       (stack lost)\n");
	}
	fprintf(f,
		"  traced %llu allocations, %llu frees; %llu not tracked (table full), %llu "
		"without a stack\n",
		(unsigned long long)r->totals.allocs, (unsigned long long)r->totals.frees,
		(unsigned long long)r->totals.table_full, (unsigned long long)r->totals.stack_lost);
}

void ow_diag_report_text(FILE *f, const struct ow_diag_report *r)
{
	text_head(f, r);
	text_procs(f, r);
	text_maps(f, r);
	text_cgroup(f, r);
	text_stacks(f, r);
}

/* JSON numbers: a non-growing ETA is null, not a negative number. */
static void add_eta(cJSON *o, const char *key, double eta)
{
	if (eta < 0 || !isfinite(eta))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, eta);
}

static cJSON *json_proc(const struct ow_diag_proc_report *p, unsigned int top)
{
	cJSON *o = cJSON_CreateObject(), *rates, *now, *maps;
	size_t k;
	int t;

	cJSON_AddNumberToObject(o, "pid", p->pid);
	add_safe(o, "comm", p->comm);
	cJSON_AddNumberToObject(o, "growth_bytes_per_sec", p->nonrecl_rate);
	rates = cJSON_AddObjectToObject(o, "rate_bytes_per_sec");
	now = cJSON_AddObjectToObject(o, "bytes");
	for (t = 0; t < OW_MEM_NR; t++) {
		cJSON_AddNumberToObject(rates, type_names[t], p->rate[t]);
		cJSON_AddNumberToObject(now, type_names[t], (double)p->end[t]);
	}
	add_eta(o, "seconds_to_limit", p->eta_s);
	cJSON_AddBoolToObject(o, "ended", p->ended);
	maps = cJSON_AddArrayToObject(o, "growing_mappings");
	for (k = 0; k < p->nmaps && k < top; k++) {
		cJSON *m = cJSON_CreateObject();

		add_safe(m, "name", p->maps[k].name);
		cJSON_AddNumberToObject(m, "rss_delta_bytes", (double)p->maps[k].d_rss);
		cJSON_AddNumberToObject(m, "rss_bytes", (double)p->maps[k].rss_end);
		cJSON_AddNumberToObject(m, "swap_delta_bytes", (double)p->maps[k].d_swap);
		cJSON_AddItemToArray(maps, m);
	}
	return o;
}

static cJSON *json_stack(const struct ow_diag_stack_report *s)
{
	cJSON *o = cJSON_CreateObject(), *frames;
	unsigned int k;

	cJSON_AddNumberToObject(o, "bytes", (double)s->bytes);
	cJSON_AddNumberToObject(o, "count", (double)s->count);
	cJSON_AddNumberToObject(o, "pid", s->pid);
	cJSON_AddNumberToObject(o, "oldest_age_seconds", s->oldest_age_s);
	frames = cJSON_AddArrayToObject(o, "frames");
	for (k = 0; k < s->nframes; k++)
		cJSON_AddItemToArray(frames, safe_json(s->frames[k]));
	return o;
}

static void json_cgroup(cJSON *root, const struct ow_diag_report *r)
{
	const struct ow_cg_stat *st[2] = {&r->cg_start, &r->cg_end};
	static const char *const when[2] = {"start", "end"};
	cJSON *cg = cJSON_AddObjectToObject(root, "cgroup");
	int i;

	add_safe(cg, "name", r->cg_name);
	for (i = 0; i < 2; i++) {
		cJSON *o = cJSON_AddObjectToObject(cg, when[i]);

		cJSON_AddNumberToObject(o, "usage", (double)st[i]->usage);
		cJSON_AddNumberToObject(o, "anon", (double)st[i]->anon);
		cJSON_AddNumberToObject(o, "shmem", (double)st[i]->shmem);
		cJSON_AddNumberToObject(o, "file", (double)st[i]->file);
		cJSON_AddNumberToObject(o, "inactive_file", (double)st[i]->inactive_file);
		cJSON_AddNumberToObject(o, "swap", (double)st[i]->swap);
	}
}

int ow_diag_report_json(FILE *f, const struct ow_diag_report *r)
{
	cJSON *root = cJSON_CreateObject(), *procs, *stacks;
	char *text;
	size_t i;

	if (!root)
		return -ENOMEM;
	cJSON_AddStringToObject(root, "verdict", ow_diag_finding_name(r->j.finding));
	cJSON_AddNumberToObject(root, "growth_bytes_per_sec", r->j.rate);
	cJSON_AddNumberToObject(root, "confidence", r->j.confidence);
	add_safe(root, "reason", r->j.reason);
	add_safe(root, "target", r->target);
	cJSON_AddNumberToObject(root, "duration_seconds", r->duration_s);
	add_safe(root, "note", r->note);
	if (r->limit != OW_NO_LIMIT)
		cJSON_AddNumberToObject(root, "limit_bytes", (double)r->limit);
	else
		cJSON_AddNullToObject(root, "limit_bytes");
	cJSON_AddNumberToObject(root, "usage_bytes", (double)r->usage);
	add_eta(root, "seconds_to_limit", r->eta_s);
	cJSON_AddStringToObject(root, "attach", r->attach ? r->attach : "");
	if (r->oom_note[0])
		add_safe(root, "kernel_oom_kill", r->oom_note);
	procs = cJSON_AddArrayToObject(root, "processes");
	for (i = 0; i < r->nprocs; i++)
		cJSON_AddItemToArray(procs, json_proc(&r->procs[i], r->top));
	if (r->have_cg)
		json_cgroup(root, r);
	stacks = cJSON_AddArrayToObject(root, "stacks");
	for (i = 0; i < r->nstacks && i < r->top; i++)
		cJSON_AddItemToArray(stacks, json_stack(&r->stacks[i]));
	cJSON_AddBoolToObject(root, "stacks_traced", r->stacks_on);
	if (r->stacks_note[0])
		add_safe(root, "stacks_note", r->stacks_note);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return -ENOMEM;
	fprintf(f, "%s\n", text);
	free(text);
	return 0;
}
