// SPDX-License-Identifier: GPL-2.0
/* The daemon's model of cgroups and processes: see include/model.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define NS_PER_S 1000000000ULL
/* Fine trend: 250 ms buckets over 20 s; coarse: 5 s buckets over 5 min. */
#define FINE_WIDTH_NS	   (NS_PER_S / 4)
#define FINE_WINDOW_NS	   (20 * NS_PER_S)
#define FINE_MIN_SPAN_NS   (3 * NS_PER_S)
#define COARSE_WIDTH_NS	   (5 * NS_PER_S)
#define COARSE_WINDOW_NS   (300 * NS_PER_S)
#define COARSE_MIN_SPAN_NS (60 * NS_PER_S)

static int grow(void **arr, unsigned int *cap, unsigned int need, size_t elem)
{
	unsigned int ncap = *cap ? *cap * 2 : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

struct ow_cgroup *ow_model_cgroup(struct ow_model *m, uint64_t id)
{
	unsigned int i;

	for (i = 0; i < m->ncgs; i++)
		if (m->cgs[i]->id == id)
			return m->cgs[i];
	return NULL;
}

struct ow_cgroup *ow_model_add_cgroup(struct ow_model *m, uint64_t id, const char *path,
				      size_t mount_len)
{
	struct ow_cgroup *cg;

	if (grow((void **)&m->cgs, &m->cgcap, m->ncgs + 1, sizeof(*m->cgs)))
		return NULL;
	cg = calloc(1, sizeof(*cg));
	if (!cg)
		return NULL;
	cg->id = id;
	snprintf(cg->path, sizeof(cg->path), "%s", path);
	cg->rel = mount_len < strlen(cg->path) ? cg->path + mount_len : "/";
	ow_cg_display_name(cg->rel, cg->name, sizeof(cg->name));
	cg->victim_fd = -1;
	cg->rule = -1;
	cg->own_limit = cg->eff_limit = OW_NO_LIMIT;
	cg->st.limit = cg->st.high = OW_NO_LIMIT;
	m->cgs[m->ncgs++] = cg;
	return cg;
}

static void free_cgroup(struct ow_cgroup *cg)
{
	free(cg->fine);
	free(cg->coarse);
	free(cg);
}

void ow_model_remove_cgroup(struct ow_model *m, unsigned int index)
{
	free_cgroup(m->cgs[index]);
	m->cgs[index] = m->cgs[--m->ncgs];
}

struct ow_proc_rec *ow_model_proc(struct ow_model *m, pid_t tgid)
{
	unsigned int i;

	for (i = 0; i < m->nprocs; i++)
		if (m->procs[i].tgid == tgid)
			return &m->procs[i];
	return NULL;
}

struct ow_proc_rec *ow_model_proc_sample(struct ow_model *m, pid_t tgid, uint64_t memcg_id,
					 const char *comm, uint64_t nonrecl, uint64_t t_ns)
{
	struct ow_proc_rec *p = ow_model_proc(m, tgid);

	if (!p) {
		if (grow((void **)&m->procs, &m->proccap, m->nprocs + 1, sizeof(*m->procs)))
			return NULL;
		p = &m->procs[m->nprocs++];
		memset(p, 0, sizeof(*p));
		p->tgid = tgid;
	}
	if (p->memcg_id != memcg_id)
		p->n = 0; /* moved to another cgroup: its history there starts now */
	p->memcg_id = memcg_id;
	p->nonrecl = nonrecl;
	if (comm && *comm) {
		/* A new name is a new program (exec): a forked shell that became the leaker must
		 * not be remembered by the shell's command line. */
		if (strncmp(p->comm, comm, sizeof(p->comm) - 1))
			p->cmdline_read = false;
		snprintf(p->comm, sizeof(p->comm), "%s", comm);
	}
	if (p->n == OW_PROC_SAMPLES) {
		memmove(p->t_ns, p->t_ns + 1, sizeof(p->t_ns[0]) * (OW_PROC_SAMPLES - 1));
		memmove(p->v, p->v + 1, sizeof(p->v[0]) * (OW_PROC_SAMPLES - 1));
		p->n--;
	}
	p->t_ns[p->n] = t_ns;
	p->v[p->n++] = nonrecl;
	return p;
}

void ow_model_proc_remove(struct ow_model *m, pid_t tgid)
{
	struct ow_proc_rec *p = ow_model_proc(m, tgid);

	if (p)
		*p = m->procs[--m->nprocs];
}

double ow_proc_rate(const struct ow_proc_rec *p, uint64_t now_ns, uint64_t window_ns)
{
	uint64_t t[OW_PROC_SAMPLES + 1], v[OW_PROC_SAMPLES + 1];
	unsigned int first = 0, n;

	/* A process that stopped growing long ago is not growing now. */
	while (first < p->n && p->t_ns[first] + window_ns < now_ns)
		first++;
	n = p->n - first;
	/* 0 when every sample is older than the window (cppcheck misreads the loop above). */
	// cppcheck-suppress knownConditionTrueFalse
	if (!n)
		return 0;
	/* Samples come only when the value moves, so the last one holds until now: a start-up
	 * burst followed by silence is a flat process, not a fast grower. */
	memcpy(t, p->t_ns + first, n * sizeof(t[0]));
	memcpy(v, p->v + first, n * sizeof(v[0]));
	t[n] = now_ns > t[n - 1] ? now_ns : t[n - 1];
	v[n] = v[n - 1];
	return ow_slope(t, v, n + 1);
}

int ow_cgroup_sample(struct ow_cgroup *cg, uint64_t now_ns, uint64_t nonrecl)
{
	if (!cg->fine) {
		cg->fine = malloc(sizeof(*cg->fine));
		cg->coarse = malloc(sizeof(*cg->coarse));
		if (!cg->fine || !cg->coarse) {
			free(cg->fine);
			free(cg->coarse);
			cg->fine = cg->coarse = NULL;
			return -ENOMEM;
		}
		ow_trend_init(cg->fine, FINE_WIDTH_NS, FINE_WINDOW_NS, FINE_MIN_SPAN_NS);
		ow_trend_init(cg->coarse, COARSE_WIDTH_NS, COARSE_WINDOW_NS, COARSE_MIN_SPAN_NS);
	}
	ow_trend_add(cg->fine, now_ns, nonrecl);
	ow_trend_add(cg->coarse, now_ns, nonrecl);
	cg->nonrecl = nonrecl;
	cg->last_sample_ns = now_ns;
	return 0;
}

void ow_cgroup_view(const struct ow_cgroup *cg, uint64_t now_ns, struct ow_cg_view *view)
{
	/* A step is ~1/256 of the limit: rises smaller than half of one are noise. */
	uint64_t noise = cg->eff_limit == OW_NO_LIMIT ? 0 : cg->eff_limit / 512;

	memset(view, 0, sizeof(*view));
	view->nonrecl = cg->nonrecl;
	view->limit = cg->eff_limit;
	view->high = cg->st.high;
	view->level = cg->level;
	view->warn_age_s = cg->warned_ns && now_ns >= cg->warned_ns
				   ? (double)(now_ns - cg->warned_ns) / NS_PER_S
				   : INFINITY;
	if (!cg->fine)
		return;
	ow_trend_eval(cg->fine, now_ns, noise, &view->fine);
	ow_trend_eval(cg->coarse, now_ns, noise, &view->coarse);
}

void ow_cgroup_note_verdict(struct ow_cgroup *cg, uint64_t now_ns, const struct ow_verdict *v)
{
	if (v->level >= OW_LEVEL_WARN && !v->held)
		cg->warned_ns = now_ns;
}

void ow_cgroup_reset_trend(struct ow_cgroup *cg)
{
	if (cg->fine) {
		ow_trend_reset(cg->fine);
		ow_trend_reset(cg->coarse);
	}
}

void ow_model_free(struct ow_model *m)
{
	while (m->ncgs)
		ow_model_remove_cgroup(m, m->ncgs - 1);
	free(m->cgs);
	free(m->procs);
	memset(m, 0, sizeof(*m));
}
