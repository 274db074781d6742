// SPDX-License-Identifier: GPL-2.0
/* The daemon's model of cgroups and processes: see userspace/core/model.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_path.h"
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

/* ---- the id index ---- */

typedef uint64_t (*key_fn)(const struct ow_model *m, unsigned int pos);

static uint64_t cg_key(const struct ow_model *m, unsigned int pos)
{
	return m->cgs[pos]->id;
}

static uint64_t proc_key(const struct ow_model *m, unsigned int pos)
{
	return (uint64_t)(uint32_t)m->procs[pos].tgid;
}

/* Inode numbers and pids are dense: mix them so neighbours do not share a run of slots. */
static unsigned int hash_key(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (unsigned int)k;
}

/* The slot holding `key`, or the empty slot where it would go. */
static unsigned int index_slot(const struct ow_index *ix, const struct ow_model *m, key_fn key,
			       uint64_t k)
{
	unsigned int s = hash_key(k) & ix->mask;

	while (ix->slot[s] && key(m, ix->slot[s] - 1) != k)
		s = (s + 1) & ix->mask;
	return s;
}

static int index_find(const struct ow_index *ix, const struct ow_model *m, key_fn key, uint64_t k)
{
	unsigned int s;

	if (!ix->mask)
		return -1;
	s = index_slot(ix, m, key, k);
	return ix->slot[s] ? (int)ix->slot[s] - 1 : -1;
}

/* Size the table for `n` entries at most half full and index positions 0..n-1 again. */
static int index_rebuild(struct ow_index *ix, const struct ow_model *m, key_fn key, unsigned int n)
{
	unsigned int cap = 64, i;
	unsigned int *slot;

	while (cap < 2 * n)
		cap *= 2;
	slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	free(ix->slot);
	ix->slot = slot;
	ix->mask = cap - 1;
	for (i = 0; i < n; i++)
		ix->slot[index_slot(ix, m, key, key(m, i))] = i + 1;
	return 0;
}

/* Index position `pos` (already in the array; n entries in all). */
static int index_add(struct ow_index *ix, const struct ow_model *m, key_fn key, unsigned int pos,
		     unsigned int n)
{
	if (2 * n > ix->mask)
		return index_rebuild(ix, m, key, n);
	ix->slot[index_slot(ix, m, key, key(m, pos))] = pos + 1;
	return 0;
}

/* Empty slot s and shift back the entries of its run that could live there. */
static void index_clear(struct ow_index *ix, const struct ow_model *m, key_fn key, unsigned int s)
{
	unsigned int next = s, home;

	for (;;) {
		ix->slot[s] = 0;
		do {
			next = (next + 1) & ix->mask;
			if (!ix->slot[next])
				return;
			home = hash_key(key(m, ix->slot[next] - 1)) & ix->mask;
			/* stays when its home is cyclically in (s, next] */
		} while (s <= next ? s < home && home <= next : s < home || home <= next);
		ix->slot[s] = ix->slot[next];
		s = next;
	}
}

/*
 * Forget the entry at position `pos`, and re-point the entry that the caller moves from `last`
 * into `pos` (swap removal). Call before the array changes. A key added twice (an inode reused
 * while the old cgroup waits to be freed) is indexed at its newest entry: the older one's
 * removal leaves that slot alone.
 */
static void index_remove(struct ow_index *ix, const struct ow_model *m, key_fn key,
			 unsigned int pos, unsigned int last)
{
	unsigned int s;

	if (!ix->mask)
		return;
	s = index_slot(ix, m, key, key(m, pos));
	if (ix->slot[s] == pos + 1)
		index_clear(ix, m, key, s);
	if (last == pos)
		return;
	s = index_slot(ix, m, key, key(m, last));
	if (ix->slot[s] == last + 1)
		ix->slot[s] = pos + 1;
}

/* ---- cgroups ---- */

struct ow_cgroup *ow_model_cgroup(struct ow_model *m, uint64_t id)
{
	int pos = index_find(&m->cg_index, m, cg_key, id);

	/* a gone cgroup waits for ow_model_reap, unseen */
	return pos < 0 || m->cgs[pos]->gone ? NULL : m->cgs[pos];
}

static struct ow_cgroup *new_cgroup(uint64_t id, const char *path, size_t mount_len)
{
	struct ow_cgroup *cg = calloc(1, sizeof(*cg));

	if (!cg)
		return NULL;
	cg->path = strdup(path);
	if (!cg->path) {
		free(cg);
		return NULL;
	}
	cg->id = id;
	cg->rel = mount_len < strlen(cg->path) ? cg->path + mount_len : "/";
	ow_cg_display_name(cg->rel, cg->name, sizeof(cg->name));
	cg->victim.fd = -1;
	cg->sight.usage_fd = cg->sight.efd = -1;
	cg->sight.limit_wd = cg->sight.subtree_wd = -1;
	cg->eval.grows = -1;
	cg->rule = -1;
	cg->reading.own_limit = cg->reading.eff_limit = OW_NO_LIMIT;
	cg->reading.st.limit = cg->reading.st.high = OW_NO_LIMIT;
	return cg;
}

const struct ow_cg_text *ow_cg_text(const struct ow_cgroup *cg)
{
	static const struct ow_cg_text none;

	return cg->text ? cg->text : &none;
}

struct ow_cg_text *ow_cg_text_mut(struct ow_cgroup *cg, struct ow_cg_text *spare)
{
	struct ow_cg_text *t;

	if (cg->text && !cg->text_spare)
		return cg->text;
	t = calloc(1, sizeof(*t));
	if (!t) {
		cg->text = spare;
		cg->text_spare = true;
		return spare;
	}
	if (cg->text)
		*t = *cg->text; /* the spare's words, its own now */
	cg->text = t;
	cg->text_spare = false;
	return t;
}

int ow_model_move_cgroup(struct ow_cgroup *cg, const char *path, size_t mount_len)
{
	char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	free(cg->path);
	cg->path = p;
	cg->rel = mount_len < strlen(p) ? p + mount_len : "/";
	ow_cg_display_name(cg->rel, cg->name, sizeof(cg->name));
	cg->moved = true;
	return 0;
}

static void free_cgroup(struct ow_cgroup *cg)
{
	if (!cg->text_spare)
		free(cg->text);
	free(cg->history.fine);
	free(cg->history.coarse);
	free(cg->brake.dir);
	free(cg->kube);
	free(cg->ctr);
	free(cg->path);
	free(cg);
}

struct ow_cgroup *ow_model_add_cgroup(struct ow_model *m, uint64_t id, const char *path,
				      size_t mount_len)
{
	struct ow_cgroup *cg;

	if (grow((void **)&m->cgs, &m->cgcap, m->ncgs + 1, sizeof(*m->cgs)))
		return NULL;
	cg = new_cgroup(id, path, mount_len);
	if (!cg)
		return NULL;
	m->cgs[m->ncgs++] = cg;
	if (index_add(&m->cg_index, m, cg_key, m->ncgs - 1, m->ncgs)) {
		m->ncgs--;
		free_cgroup(cg);
		return NULL;
	}
	return cg;
}

void ow_model_remove_cgroup(struct ow_model *m, unsigned int index)
{
	unsigned int i;

	for (i = 0; m->cgs[index]->in_busy && i < m->nbusy; i++)
		if (m->busy[i] == m->cgs[index]) {
			m->busy[i] = m->busy[--m->nbusy];
			break;
		}
	index_remove(&m->cg_index, m, cg_key, index, m->ncgs - 1);
	free_cgroup(m->cgs[index]);
	m->cgs[index] = m->cgs[--m->ncgs];
}

bool ow_cgroup_busy(const struct ow_cgroup *cg)
{
	return cg->eval.level != OW_LEVEL_OK || cg->victim.fd >= 0 || cg->brake.dir;
}

void ow_model_note_busy(struct ow_model *m, struct ow_cgroup *cg)
{
	if (cg->in_busy || m->busy_all)
		return;
	if (m->nbusy == m->busycap) {
		unsigned int cap = m->busycap ? m->busycap * 2 : 16;
		struct ow_cgroup **b = realloc(m->busy, (size_t)cap * sizeof(*b));

		if (!b) {
			m->busy_all = true;
			return;
		}
		m->busy = b;
		m->busycap = cap;
	}
	m->busy[m->nbusy++] = cg;
	cg->in_busy = true;
}

void ow_model_prune_busy(struct ow_model *m)
{
	unsigned int i = 0;

	while (i < m->nbusy) {
		struct ow_cgroup *cg = m->busy[i];

		if (!cg->gone && ow_cgroup_busy(cg)) {
			i++;
			continue;
		}
		cg->in_busy = false;
		m->busy[i] = m->busy[--m->nbusy];
	}
}

void ow_model_mark_gone(struct ow_model *m, struct ow_cgroup *cg)
{
	if (!cg->gone)
		m->ngone++;
	cg->gone = true;
}

unsigned int ow_model_reap(struct ow_model *m)
{
	unsigned int i = 0, n = 0;

	if (!m->ngone)
		return 0;
	m->ngone = 0;
	ow_model_prune_busy(m); /* it must not point at what is freed */
	while (i < m->ncgs) {
		if (m->cgs[i]->gone) {
			ow_model_remove_cgroup(m, i);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

/* ---- processes ---- */

struct ow_proc_rec *ow_model_proc(struct ow_model *m, pid_t tgid)
{
	int pos = index_find(&m->proc_index, m, proc_key, (uint64_t)(uint32_t)tgid);

	return pos < 0 ? NULL : &m->procs[pos];
}

static struct ow_proc_rec *new_proc(struct ow_model *m, pid_t tgid)
{
	struct ow_proc_rec *p;

	if (grow((void **)&m->procs, &m->proccap, m->nprocs + 1, sizeof(*m->procs)))
		return NULL;
	p = &m->procs[m->nprocs++];
	memset(p, 0, sizeof(*p));
	p->tgid = tgid;
	if (index_add(&m->proc_index, m, proc_key, m->nprocs - 1, m->nprocs)) {
		m->nprocs--;
		return NULL;
	}
	return p;
}

struct ow_proc_rec *ow_model_proc_sample(struct ow_model *m, pid_t tgid, uint64_t memcg_id,
					 const char *comm, uint64_t nonrecl, uint64_t t_ns)
{
	struct ow_proc_rec *p = ow_model_proc(m, tgid);

	if (!p)
		p = new_proc(m, tgid);
	if (!p)
		return NULL;
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

struct ow_proc_rec *ow_model_proc_shm(struct ow_model *m, pid_t tgid, uint64_t memcg_id,
				      uint64_t bytes, uint64_t t_ns)
{
	struct ow_proc_rec *p = ow_model_proc(m, tgid);

	if (!p) {
		p = new_proc(m, tgid);
		if (!p)
			return NULL;
		p->memcg_id = memcg_id;
	}
	p->shm_first = !p->shm_ns;
	if (p->shm_ns && t_ns > p->shm_ns && bytes >= p->shm_bytes)
		p->shm_rate = (double)(bytes - p->shm_bytes) * 1e9 / (double)(t_ns - p->shm_ns);
	else
		p->shm_rate = 0; /* the first sample, or it shrank (a file removed) */
	p->shm_bytes = bytes;
	p->shm_ns = t_ns;
	return p;
}

double ow_proc_shm_rate(const struct ow_proc_rec *p, uint64_t now_ns, uint64_t window_ns)
{
	return p->shm_ns && p->shm_ns + window_ns >= now_ns ? p->shm_rate : 0;
}

bool ow_proc_shm_writing(const struct ow_proc_rec *p, uint64_t now_ns, uint64_t window_ns)
{
	if (!p->shm_ns || p->shm_ns + window_ns < now_ns)
		return false;
	return p->shm_rate > 0 || (p->shm_first && p->shm_bytes > 0);
}

void ow_model_proc_remove(struct ow_model *m, pid_t tgid)
{
	int pos = index_find(&m->proc_index, m, proc_key, (uint64_t)(uint32_t)tgid);

	if (pos < 0)
		return;
	index_remove(&m->proc_index, m, proc_key, (unsigned int)pos, m->nprocs - 1);
	m->procs[pos] = m->procs[--m->nprocs];
}

bool ow_model_procs_sweep_due(const struct ow_model *m)
{
	unsigned int at =
		m->procs_sweep_at > OW_PROCS_SWEEP_MIN ? m->procs_sweep_at : OW_PROCS_SWEEP_MIN;

	return m->nprocs >= at;
}

unsigned int ow_model_sweep_procs(struct ow_model *m, bool (*alive)(pid_t tgid, void *arg),
				  void *arg)
{
	unsigned int i = 0, n = 0;

	while (i < m->nprocs) { /* a removal moves the last record here: look at it next */
		if (alive(m->procs[i].tgid, arg)) {
			i++;
			continue;
		}
		ow_model_proc_remove(m, m->procs[i].tgid);
		n++;
	}
	m->procs_sweep_at = m->nprocs * 2;
	return n;
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

static void init_trends(struct ow_trend *fine, struct ow_trend *coarse)
{
	ow_trend_init(fine, FINE_WIDTH_NS, FINE_WINDOW_NS, FINE_MIN_SPAN_NS);
	ow_trend_init(coarse, COARSE_WIDTH_NS, COARSE_WINDOW_NS, COARSE_MIN_SPAN_NS);
}

/* The value moved from the baseline: keep a real history from now on, baseline first. */
static int alloc_trends(struct ow_cgroup *cg)
{
	cg->history.fine = malloc(sizeof(*cg->history.fine));
	cg->history.coarse = malloc(sizeof(*cg->history.coarse));
	if (!cg->history.fine || !cg->history.coarse) {
		free(cg->history.fine);
		free(cg->history.coarse);
		cg->history.fine = cg->history.coarse = NULL;
		return -ENOMEM;
	}
	init_trends(cg->history.fine, cg->history.coarse);
	ow_trend_add(cg->history.fine, cg->history.base_ns, cg->history.base_value);
	ow_trend_add(cg->history.coarse, cg->history.base_ns, cg->history.base_value);
	return 0;
}

/* A step is ~1/256 of the limit: moves smaller than half of one are noise. */
static uint64_t step_noise(const struct ow_cgroup *cg)
{
	return cg->reading.eff_limit == OW_NO_LIMIT ? 0 : cg->reading.eff_limit / 512;
}

/* Its usage, page cache included, at its own limit: every charge must reclaim first. The kernel
 * keeps it a reclaim batch or two under the limit (up to ~2 MiB seen at 256 MiB). */
static bool at_edge(const struct ow_cg_stat *st)
{
	return st->limit && st->limit != OW_NO_LIMIT && st->usage + st->limit / 128 >= st->limit;
}

int ow_cgroup_sample(struct ow_cgroup *cg, uint64_t now_ns, uint64_t nonrecl)
{
	ow_rise_add(&cg->history.rise, now_ns, nonrecl, cg->reading.st.edge_events,
		    at_edge(&cg->reading.st), step_noise(cg));
	if (!cg->history.fine && !cg->history.base_ns) {
		cg->history.base_ns = now_ns ? now_ns : 1;
		cg->history.base_value = nonrecl;
	} else if (!cg->history.fine && nonrecl != cg->history.base_value && alloc_trends(cg)) {
		return -ENOMEM;
	}
	/* A flat history needs no more than its first sample: the value holds until it moves. */
	if (cg->history.fine) {
		ow_trend_add(cg->history.fine, now_ns, nonrecl);
		ow_trend_add(cg->history.coarse, now_ns, nonrecl);
	}
	cg->reading.nonrecl = nonrecl;
	cg->reading.last_sample_ns = now_ns;
	return 0;
}

static void eval_trends(const struct ow_cgroup *cg, uint64_t now_ns, uint64_t noise,
			struct ow_cg_view *view)
{
	struct ow_trend fine, coarse;

	if (cg->history.fine) {
		ow_trend_eval(cg->history.fine, now_ns, noise, &view->fine);
		ow_trend_eval(cg->history.coarse, now_ns, noise, &view->coarse);
		return;
	}
	if (!cg->history.base_ns)
		return;
	/* Only a baseline: judge the flat history it stands for, as a trend would. */
	init_trends(&fine, &coarse);
	ow_trend_add(&fine, cg->history.base_ns, cg->history.base_value);
	ow_trend_add(&coarse, cg->history.base_ns, cg->history.base_value);
	ow_trend_eval(&fine, now_ns, noise, &view->fine);
	ow_trend_eval(&coarse, now_ns, noise, &view->coarse);
}

void ow_cgroup_view(const struct ow_cgroup *cg, uint64_t now_ns, struct ow_cg_view *view)
{
	uint64_t noise = step_noise(cg);

	memset(view, 0, sizeof(*view));
	view->nonrecl = cg->reading.nonrecl;
	view->limit = cg->reading.eff_limit;
	view->high = cg->reading.st.high;
	view->level = cg->eval.level;
	view->warn_age_s = cg->eval.warned_ns && now_ns >= cg->eval.warned_ns
				   ? (double)(now_ns - cg->eval.warned_ns) / NS_PER_S
				   : INFINITY;
	view->stop_age_s = cg->eval.stopped_ns && now_ns >= cg->eval.stopped_ns
				   ? (double)(now_ns - cg->eval.stopped_ns) / NS_PER_S
				   : INFINITY;
	eval_trends(cg, now_ns, noise, view);
	ow_rise_view(&cg->history.rise, now_ns, &view->rise);
}

void ow_cgroup_note_verdict(struct ow_cgroup *cg, uint64_t now_ns, const struct ow_verdict *v)
{
	if (v->level >= OW_LEVEL_WARN && !v->held)
		cg->eval.warned_ns = now_ns;
}

void ow_cgroup_reset_trend(struct ow_cgroup *cg)
{
	cg->history.base_ns = 0;
	ow_rise_reset(&cg->history.rise);
	if (cg->history.fine) {
		ow_trend_reset(cg->history.fine);
		ow_trend_reset(cg->history.coarse);
	}
}

void ow_model_free(struct ow_model *m)
{
	while (m->ncgs)
		ow_model_remove_cgroup(m, m->ncgs - 1);
	free(m->cgs);
	free(m->busy);
	free(m->procs);
	free(m->cg_index.slot);
	free(m->proc_index.slot);
	memset(m, 0, sizeof(*m));
}
