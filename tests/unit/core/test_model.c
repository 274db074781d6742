// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/core/model.c: process records and their growth rate, the cgroup table,
 * and a cgroup's trends as the policy sees them (ow_cgroup_sample + ow_cgroup_view). All
 * times are synthetic.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"

#define NS    1000000000ULL
#define MS    1000000ULL
#define MiB   (1024ULL * 1024)
#define MiB_D ((double)MiB)
#define T0    (7000 * NS)
#define MOUNT "/sys/fs/cgroup/memory"

static struct ow_model m;

static int teardown(void **state)
{
	ow_model_free(&m);
	return 0;
}

/* ---- processes ---- */

static void test_proc_sample_creates_and_updates(void **state)
{
	struct ow_proc_rec *p;

	assert_null(ow_model_proc(&m, 100));
	p = ow_model_proc_sample(&m, 100, 7, "node", 10 * MiB, T0);
	assert_non_null(p);
	assert_int_equal(p->tgid, 100);
	assert_int_equal(p->memcg_id, 7);
	assert_string_equal(p->comm, "node");
	assert_int_equal(p->nonrecl, 10 * MiB);
	assert_int_equal(p->n, 1);
	assert_ptr_equal(ow_model_proc(&m, 100), p);

	/* an empty or missing comm keeps the known one; a long one is cut to 15 chars */
	p = ow_model_proc_sample(&m, 100, 7, "", 11 * MiB, T0 + NS);
	assert_string_equal(p->comm, "node");
	p = ow_model_proc_sample(&m, 100, 7, NULL, 12 * MiB, T0 + 2 * NS);
	assert_string_equal(p->comm, "node");
	p = ow_model_proc_sample(&m, 100, 7, "a-very-long-command-name", 13 * MiB, T0 + 3 * NS);
	assert_string_equal(p->comm, "a-very-long-com");
	assert_int_equal(p->nonrecl, 13 * MiB);
	assert_int_equal(p->n, 4);
	assert_int_equal(m.nprocs, 1);
}

/* The command line is read again after an exec, which the name change betrays. */
static void test_proc_cmdline_read_again_after_exec(void **state)
{
	struct ow_proc_rec *p = ow_model_proc_sample(&m, 100, 7, "bash", 2 * MiB, T0);

	p->cmdline_read = true;
	p = ow_model_proc_sample(&m, 100, 7, "bash", 4 * MiB, T0 + NS);
	assert_true(p->cmdline_read);
	p = ow_model_proc_sample(&m, 100, 7, "", 5 * MiB, T0 + 2 * NS);
	assert_true(p->cmdline_read);
	p = ow_model_proc_sample(&m, 100, 7, "owload", 6 * MiB, T0 + 3 * NS);
	assert_false(p->cmdline_read);
	assert_string_equal(p->comm, "owload");
	/* a long name is compared as stored, cut to 15 chars */
	p = ow_model_proc_sample(&m, 100, 7, "a-very-long-command-name", 7 * MiB, T0 + 4 * NS);
	p->cmdline_read = true;
	p = ow_model_proc_sample(&m, 100, 7, "a-very-long-command-name", 8 * MiB, T0 + 5 * NS);
	assert_true(p->cmdline_read);
}

static void test_proc_keeps_the_newest_samples_in_order(void **state)
{
	struct ow_proc_rec *p = NULL;
	unsigned int i;

	for (i = 0; i < 20; i++)
		p = ow_model_proc_sample(&m, 100, 7, "w", i * MiB, T0 + i * NS);
	assert_int_equal(p->n, OW_PROC_SAMPLES);
	for (i = 0; i < OW_PROC_SAMPLES; i++) {
		assert_int_equal(p->t_ns[i], T0 + (20 - OW_PROC_SAMPLES + i) * NS);
		assert_int_equal(p->v[i], (20 - OW_PROC_SAMPLES + i) * MiB);
	}
}

static void test_proc_rate_of_a_steady_grower(void **state)
{
	struct ow_proc_rec *p = NULL;
	unsigned int i;
	uint64_t now;

	/* 10 MiB/s, a sample every 100 ms */
	for (i = 0; i < 30; i++)
		p = ow_model_proc_sample(&m, 200, 7, "leak", 50 * MiB + i * MiB, T0 + i * 100 * MS);
	now = T0 + 29 * 100 * MS;
	assert_true(fabs(ow_proc_rate(p, now, 5 * NS) - 10 * MiB_D) < 1e-3 * MiB_D);
	/* a window that holds only the last two samples still gives the rate */
	assert_true(fabs(ow_proc_rate(p, now, 150 * MS) - 10 * MiB_D) < 1e-3 * MiB_D);
}

static void test_proc_rate_of_a_shrinking_process_is_negative(void **state)
{
	struct ow_proc_rec *p = NULL;
	unsigned int i;

	for (i = 0; i < 8; i++)
		p = ow_model_proc_sample(&m, 200, 7, "gc", 100 * MiB - i * MiB, T0 + i * NS);
	assert_true(ow_proc_rate(p, T0 + 7 * NS, 10 * NS) < 0);
}

static void test_proc_rate_zero_when_growth_stopped_long_ago(void **state)
{
	struct ow_proc_rec *p = NULL;
	unsigned int i;

	for (i = 0; i < 8; i++)
		p = ow_model_proc_sample(&m, 300, 7, "old", 50 * MiB + i * MiB, T0 + i * 100 * MS);
	/* the last sample 0.7 s in; 10 s later with a 5 s window: nothing recent */
	assert_true(ow_proc_rate(p, T0 + 10 * NS, 5 * NS) == 0);
	/* one sample left in the window is not enough for a rate */
	assert_true(ow_proc_rate(p, T0 + 700 * MS + 5 * NS, 5 * NS) == 0);
	/* right after the burst, its rate stands */
	assert_true(ow_proc_rate(p, T0 + 700 * MS, 5 * NS) > 9 * MiB_D);
	/* the last value holds until now: silence after a burst pulls the rate down */
	assert_true(ow_proc_rate(p, T0 + 5 * NS, 5 * NS) < 3 * MiB_D);
}

static void test_proc_rate_needs_two_samples(void **state)
{
	struct ow_proc_rec *p = ow_model_proc_sample(&m, 400, 7, "one", 50 * MiB, T0);

	assert_true(ow_proc_rate(p, T0, 5 * NS) == 0);
}

static void test_proc_history_resets_on_memcg_move(void **state)
{
	struct ow_proc_rec *p = NULL;
	unsigned int i;

	for (i = 0; i < 6; i++)
		p = ow_model_proc_sample(&m, 500, 7, "mv", 10 * MiB + i * 10 * MiB, T0 + i * NS);
	assert_true(ow_proc_rate(p, T0 + 5 * NS, 10 * NS) > 0);
	/* moved to memcg 8 */
	p = ow_model_proc_sample(&m, 500, 8, "mv", 60 * MiB, T0 + 6 * NS);
	assert_int_equal(p->memcg_id, 8);
	assert_int_equal(p->n, 1);
	assert_int_equal(p->t_ns[0], T0 + 6 * NS);
	assert_int_equal(p->v[0], 60 * MiB);
	assert_true(ow_proc_rate(p, T0 + 6 * NS, 10 * NS) == 0);
	/* its rate there is its growth there only: flat */
	p = ow_model_proc_sample(&m, 500, 8, "mv", 60 * MiB, T0 + 7 * NS);
	assert_true(ow_proc_rate(p, T0 + 7 * NS, 10 * NS) == 0);
	assert_int_equal(m.nprocs, 1);
}

/* Alive: the even pids, and 1001 (a removal moves the last record into a swept one's place,
 * and that one must be looked at too). */
static bool even_alive(pid_t tgid, void *arg)
{
	(*(int *)arg)++;
	return tgid % 2 == 0 || tgid == 1001;
}

static void test_proc_sweep_when_records_double(void **state)
{
	int asked = 0;
	pid_t pid;

	for (pid = 1000; pid < 1000 + OW_PROCS_SWEEP_MIN - 1; pid++)
		assert_non_null(ow_model_proc_sample(&m, pid, 7, "p", 1, T0));
	assert_false(ow_model_procs_sweep_due(&m));
	assert_non_null(ow_model_proc_sample(&m, pid++, 7, "p", 1, T0));
	assert_true(ow_model_procs_sweep_due(&m));
	assert_int_equal(ow_model_sweep_procs(&m, even_alive, &asked), OW_PROCS_SWEEP_MIN / 2 - 1);
	assert_int_equal(asked, OW_PROCS_SWEEP_MIN); /* each record asked about once */
	assert_int_equal(m.nprocs, OW_PROCS_SWEEP_MIN / 2 + 1);
	for (pid = 1000; pid < 1000 + OW_PROCS_SWEEP_MIN; pid++)
		assert_int_equal(ow_model_proc(&m, pid) != NULL, pid % 2 == 0 || pid == 1001);
	/* The next sweep at twice what is left (258), not at each new record. */
	while (m.nprocs < 2 * (OW_PROCS_SWEEP_MIN / 2 + 1) - 1) {
		assert_non_null(ow_model_proc_sample(&m, pid++, 7, "p", 1, T0));
		assert_false(ow_model_procs_sweep_due(&m));
	}
	assert_non_null(ow_model_proc_sample(&m, pid++, 7, "p", 1, T0));
	assert_true(ow_model_procs_sweep_due(&m));
}

static void test_proc_remove_keeps_the_others(void **state)
{
	pid_t pid;

	for (pid = 1000; pid < 1040; pid++) /* more than the first allocation */
		assert_non_null(ow_model_proc_sample(&m, pid, 7, "p", (uint64_t)pid, T0));
	assert_int_equal(m.nprocs, 40);
	ow_model_proc_remove(&m, 1000);
	ow_model_proc_remove(&m, 1020);
	ow_model_proc_remove(&m, 1039);
	ow_model_proc_remove(&m, 4242); /* unknown: nothing happens */
	assert_int_equal(m.nprocs, 37);
	for (pid = 1000; pid < 1040; pid++) {
		struct ow_proc_rec *p = ow_model_proc(&m, pid);

		if (pid == 1000 || pid == 1020 || pid == 1039) {
			assert_null(p);
			continue;
		}
		assert_non_null(p);
		assert_int_equal(p->tgid, pid);
		assert_int_equal(p->nonrecl, (uint64_t)pid);
	}
}

/* ---- cgroups ---- */

/* A tmpfs writer's rate comes from two samples of the bytes it holds open for writing; it is
 * sampled ahead of the others while it writes, or holds bytes at its first sample; a process
 * holding empty files open for writing (a hostile padding) or one that stopped is not. */
static void test_proc_shm_writing(void **state)
{
	struct ow_proc_rec *p, *pad;

	(void)state;
	p = ow_model_proc_shm(&m, 200, 7, 4 * MiB, T0);
	pad = ow_model_proc_shm(&m, 201, 7, 0, T0);
	p = ow_model_proc(&m, 200); /* the table may have moved as 201 was added */
	assert_true(ow_proc_shm_rate(p, T0, 3 * NS) == 0);
	assert_true(ow_proc_shm_writing(p, T0, 3 * NS));
	assert_false(ow_proc_shm_writing(pad, T0, 3 * NS));
	p = ow_model_proc_shm(&m, 200, 7, 12 * MiB, T0 + 2 * NS);
	assert_true(fabs(ow_proc_shm_rate(p, T0 + 2 * NS, 3 * NS) - 4 * MiB_D) < 1);
	assert_true(ow_proc_shm_writing(p, T0 + 2 * NS, 3 * NS));
	assert_false(ow_proc_shm_writing(p, T0 + 6 * NS, 3 * NS)); /* not sampled since */
	p = ow_model_proc_shm(&m, 200, 7, 12 * MiB, T0 + 3 * NS);  /* stopped writing */
	assert_false(ow_proc_shm_writing(p, T0 + 3 * NS, 3 * NS));
	p = ow_model_proc_shm(&m, 200, 7, 2 * MiB, T0 + 4 * NS); /* a file removed */
	assert_true(ow_proc_shm_rate(p, T0 + 4 * NS, 3 * NS) == 0);
}

static void test_add_cgroup(void **state)
{
	struct ow_cgroup *cg =
		ow_model_add_cgroup(&m, 11, MOUNT "/system.slice/api.service", strlen(MOUNT));

	assert_non_null(cg);
	assert_int_equal(cg->id, 11);
	assert_string_equal(cg->path, MOUNT "/system.slice/api.service");
	assert_string_equal(cg->rel, "/system.slice/api.service");
	assert_string_equal(cg->name, "api.service");
	assert_int_equal(cg->victim.fd, -1);
	assert_true(cg->reading.own_limit == OW_NO_LIMIT);
	assert_true(cg->reading.eff_limit == OW_NO_LIMIT);
	assert_null(cg->history.fine);
	assert_null(cg->history.coarse);
	assert_int_equal(cg->eval.level, OW_LEVEL_OK);
	assert_ptr_equal(ow_model_cgroup(&m, 11), cg);
	assert_null(ow_model_cgroup(&m, 12));

	/* the mount root itself */
	cg = ow_model_add_cgroup(&m, 1, MOUNT, strlen(MOUNT));
	assert_non_null(cg);
	assert_string_equal(cg->rel, "/");
	assert_string_equal(cg->name, "/");
	assert_int_equal(m.ncgs, 2);
}

static void test_cgroup_is_root(void **state)
{
	struct ow_cgroup *root = ow_model_add_cgroup(&m, 1, MOUNT, strlen(MOUNT));
	struct ow_cgroup *child = ow_model_add_cgroup(&m, 2, MOUNT "/a", strlen(MOUNT));

	assert_true(ow_cgroup_is_root(root));
	assert_false(ow_cgroup_is_root(child));
}

static void test_remove_cgroup_keeps_the_others(void **state)
{
	char path[64];
	uint64_t id;

	for (id = 1; id <= 40; id++) { /* more than the first allocation */
		snprintf(path, sizeof(path), MOUNT "/cg%llu", (unsigned long long)id);
		assert_non_null(ow_model_add_cgroup(&m, id, path, strlen(MOUNT)));
	}
	/* one with trends allocated, so removing it frees them */
	assert_int_equal(ow_cgroup_sample(ow_model_cgroup(&m, 5), T0, MiB), 0);
	ow_model_remove_cgroup(&m, 4); /* id 5 */
	ow_model_remove_cgroup(&m, 0); /* id 1 */
	ow_model_remove_cgroup(&m, m.ncgs - 1);
	assert_int_equal(m.ncgs, 37);
	assert_null(ow_model_cgroup(&m, 5));
	assert_null(ow_model_cgroup(&m, 1));
	for (id = 2; id <= 40; id++) {
		struct ow_cgroup *cg = ow_model_cgroup(&m, id);

		if (id == 5 || !cg)
			continue;
		snprintf(path, sizeof(path), "/cg%llu", (unsigned long long)id);
		assert_string_equal(cg->rel, path);
	}
	/* exactly one of ids 2..40 other than 5 went with the last slot */
	{
		unsigned int found = 0;

		for (id = 2; id <= 40; id++)
			found += ow_model_cgroup(&m, id) != NULL;
		assert_int_equal(found, 37);
	}
}

/* A cgroup a scan found gone stays allocated (its holder may still read it) and unfound until
 * ow_model_reap frees it with the other gone ones, and only them. */
static void test_gone_cgroup_lives_until_reaped(void **state)
{
	struct ow_cgroup *a = ow_model_add_cgroup(&m, 1, MOUNT "/a", strlen(MOUNT));
	struct ow_cgroup *b = ow_model_add_cgroup(&m, 2, MOUNT "/a/b", strlen(MOUNT));
	struct ow_cgroup *c = ow_model_add_cgroup(&m, 3, MOUNT "/c", strlen(MOUNT));

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	b->parent_id = 1;
	assert_int_equal(ow_cgroup_sample(b, T0, MiB), 0);
	ow_model_mark_gone(&m, b);
	ow_model_mark_gone(&m, c);
	ow_model_mark_gone(&m, c); /* twice: counted once */
	assert_int_equal(m.ngone, 2);
	assert_null(ow_model_cgroup(&m, 2));
	assert_null(ow_model_cgroup(&m, 3));
	assert_int_equal(m.ncgs, 3);
	/* what evaluate_limit_points reads after a scan inside evaluate */
	assert_ptr_equal(ow_model_cgroup(&m, b->parent_id), a);
	assert_int_equal(b->reading.nonrecl, MiB);
	assert_int_equal(ow_model_reap(&m), 2);
	assert_int_equal(m.ncgs, 1);
	assert_ptr_equal(ow_model_cgroup(&m, 1), a);
	assert_int_equal(ow_model_reap(&m), 0);
	assert_int_equal(m.ncgs, 1);
}

/* The busy list holds what a tick has work for: noted once, pruned when no longer busy or
 * gone, never pointing at a freed cgroup. */
static void test_busy_list(void **state)
{
	struct ow_cgroup *a = ow_model_add_cgroup(&m, 1, MOUNT "/a", strlen(MOUNT));
	struct ow_cgroup *b = ow_model_add_cgroup(&m, 2, MOUNT "/b", strlen(MOUNT));
	struct ow_cgroup *c = ow_model_add_cgroup(&m, 3, MOUNT "/c", strlen(MOUNT));

	assert_false(ow_cgroup_busy(a));
	a->eval.level = OW_LEVEL_WARN;
	b->victim.fd = 7;
	c->eval.level = OW_LEVEL_ACT;
	assert_true(ow_cgroup_busy(a) && ow_cgroup_busy(b) && ow_cgroup_busy(c));
	ow_model_note_busy(&m, a);
	ow_model_note_busy(&m, a); /* once */
	ow_model_note_busy(&m, b);
	ow_model_note_busy(&m, c);
	assert_int_equal(m.nbusy, 3);
	/* a back at ok: pruned; b and c stay */
	a->eval.level = OW_LEVEL_OK;
	ow_model_prune_busy(&m);
	assert_int_equal(m.nbusy, 2);
	assert_false(a->in_busy);
	/* c gone and reaped: out of the list before it is freed */
	ow_model_mark_gone(&m, c);
	assert_int_equal(ow_model_reap(&m), 1);
	assert_int_equal(m.nbusy, 1);
	assert_ptr_equal(m.busy[0], b);
	/* b removed directly (as ow_model_free does): out too */
	b->victim.fd = -1;
	ow_model_remove_cgroup(&m, 1);
	assert_int_equal(m.ncgs, 1);
	assert_int_equal(m.nbusy, 0);
}

static void test_model_free_empties(void **state)
{
	assert_non_null(ow_model_add_cgroup(&m, 3, MOUNT "/a", strlen(MOUNT)));
	assert_non_null(ow_model_proc_sample(&m, 9, 3, "x", 1, T0));
	ow_model_free(&m);
	assert_int_equal(m.ncgs, 0);
	assert_int_equal(m.nprocs, 0);
	assert_null(m.cgs);
	assert_null(m.procs);
	assert_null(ow_model_cgroup(&m, 3));
	assert_null(ow_model_proc(&m, 9));
}

/* ---- a cgroup's trends ---- */

static struct ow_cgroup *limited_cgroup(uint64_t limit)
{
	struct ow_cgroup *cg = ow_model_add_cgroup(&m, 77, MOUNT "/leaky", strlen(MOUNT));

	assert_non_null(cg);
	cg->reading.eff_limit = limit;
	return cg;
}

static void test_view_before_any_sample(void **state)
{
	struct ow_cgroup *cg = limited_cgroup(256 * MiB);
	struct ow_cg_view v;

	memset(&v, 0xff, sizeof(v));
	ow_cgroup_view(cg, T0, &v);
	assert_int_equal(v.limit, 256 * MiB);
	assert_true(v.high == OW_NO_LIMIT); /* none until the files are read */
	assert_int_equal(v.nonrecl, 0);
	assert_false(v.fine.valid);
	assert_false(v.coarse.valid);
	assert_true(v.fine.recent_rate == 0);

	/* the cgroup's own memory.high, as last read */
	cg->reading.st.high = 128 * MiB;
	ow_cgroup_view(cg, T0, &v);
	assert_int_equal(v.high, 128 * MiB);
}

/* A flat cgroup keeps only its first sample; the trends come when the value moves. */
static void test_sample_allocates_trends_when_the_value_moves(void **state)
{
	struct ow_cgroup *cg = limited_cgroup(256 * MiB);

	assert_int_equal(ow_cgroup_sample(cg, T0, 30 * MiB), 0);
	assert_int_equal(ow_cgroup_sample(cg, T0 + 5 * NS, 30 * MiB), 0);
	assert_null(cg->history.fine);
	assert_null(cg->history.coarse);
	assert_int_equal(cg->reading.nonrecl, 30 * MiB);
	assert_int_equal(cg->reading.last_sample_ns, T0 + 5 * NS);
	assert_int_equal(ow_cgroup_sample(cg, T0 + 6 * NS, 31 * MiB), 0);
	assert_non_null(cg->history.fine);
	assert_non_null(cg->history.coarse);
	assert_int_equal(cg->history.fine->count, 2); /* the baseline's bucket and the new one */
	assert_true(cg->history.fine->width_ns < cg->history.coarse->width_ns);
	assert_true(cg->history.fine->window_ns < cg->history.coarse->window_ns);
}

static void assert_same_result(const struct ow_trend_result *a, const struct ow_trend_result *b)
{
	assert_int_equal(a->valid, b->valid);
	assert_int_equal(a->rising, b->rising);
	assert_true(a->floor_rate == b->floor_rate);
	assert_true(a->recent_rate == b->recent_rate);
	assert_int_equal(a->last, b->last);
	assert_int_equal(a->peak, b->peak);
	assert_true(a->span_s == b->span_s);
}

/* Lazy trends judge as eager ones: a cgroup sampled when found, silent (flat) for 100 s, then
 * a leak, viewed along the way. */
static void test_lazy_trends_judge_as_eager_ones(void **state)
{
	struct ow_cgroup *lazy = limited_cgroup(256 * MiB);
	struct ow_cgroup *eager = ow_model_add_cgroup(&m, 78, MOUNT "/eager", strlen(MOUNT));
	struct ow_cg_view a, b;
	uint64_t t, v;

	eager->reading.eff_limit = lazy->reading.eff_limit;
	/* the eager one's value moves once, so it has trends; the reset empties them */
	assert_int_equal(ow_cgroup_sample(eager, T0 - 2 * NS, 0), 0);
	assert_int_equal(ow_cgroup_sample(eager, T0 - NS, 1), 0);
	ow_cgroup_reset_trend(eager);
	assert_non_null(eager->history.fine);
	for (t = 0; t <= 160 * NS; t += NS / 2) {
		v = t < 100 * NS ? 20 * MiB : 20 * MiB + (t - 100 * NS) / MS * MiB / 1000;
		if (!t || t > 100 * NS) {
			assert_int_equal(ow_cgroup_sample(lazy, T0 + t, v), 0);
			assert_int_equal(ow_cgroup_sample(eager, T0 + t, v), 0);
		}
		ow_cgroup_view(lazy, T0 + t + NS / 4, &a);
		ow_cgroup_view(eager, T0 + t + NS / 4, &b);
		assert_same_result(&a.fine, &b.fine);
		assert_same_result(&a.coarse, &b.coarse);
		assert_true((lazy->history.fine == NULL) == (t < 100 * NS + NS / 2));
	}
	assert_true(a.fine.rising);
}

/* ---- the id index ---- */

/* Thousands of cgroups and processes, ids clustered like inodes and pids. */
static void test_index_many_entries(void **state)
{
	char path[64];
	uint64_t id;
	pid_t pid;

	for (id = 1000; id < 21000; id++) {
		snprintf(path, sizeof(path), MOUNT "/c%llu", (unsigned long long)id);
		assert_non_null(ow_model_add_cgroup(&m, id, path, strlen(MOUNT)));
	}
	for (pid = 1; pid <= 50000; pid++)
		assert_non_null(ow_model_proc_sample(&m, pid, 1000 + pid % 20000, "x", 1, T0));
	assert_int_equal(m.ncgs, 20000);
	assert_int_equal(m.nprocs, 50000);
	for (id = 1000; id < 21000; id++)
		assert_int_equal(ow_model_cgroup(&m, id)->id, id);
	for (pid = 1; pid <= 50000; pid++)
		assert_int_equal(ow_model_proc(&m, pid)->tgid, pid);
	assert_null(ow_model_cgroup(&m, 999));
	assert_null(ow_model_cgroup(&m, 21000));
	assert_null(ow_model_cgroup(&m, 0));
	assert_null(ow_model_proc(&m, 50001));
	assert_null(ow_model_proc(&m, 0));
}

/* As a rescan removes the cgroups it did not see: index i, no advance after a removal. */
static void test_index_removal_during_iteration(void **state)
{
	unsigned int i = 0, left = 0;
	char path[64];
	uint64_t id;

	for (id = 1; id <= 3000; id++) {
		snprintf(path, sizeof(path), MOUNT "/c%llu", (unsigned long long)id);
		assert_non_null(ow_model_add_cgroup(&m, id, path, strlen(MOUNT)));
	}
	while (i < m.ncgs) {
		if (m.cgs[i]->id % 3) {
			ow_model_remove_cgroup(&m, i);
			continue;
		}
		i++;
	}
	assert_int_equal(m.ncgs, 1000);
	for (id = 1; id <= 3000; id++) {
		struct ow_cgroup *cg = ow_model_cgroup(&m, id);

		if (id % 3) {
			assert_null(cg);
			continue;
		}
		assert_non_null(cg);
		assert_int_equal(cg->id, id);
		snprintf(path, sizeof(path), "/c%llu", (unsigned long long)id);
		assert_string_equal(cg->rel, path);
		left++;
	}
	assert_int_equal(left, 1000);
	/* and the table still takes new ones, including ids just removed */
	for (id = 1; id <= 3000; id += 3) {
		assert_non_null(ow_model_add_cgroup(&m, id, MOUNT "/again", strlen(MOUNT)));
		assert_string_equal(ow_model_cgroup(&m, id)->rel, "/again");
	}
	assert_int_equal(m.ncgs, 2000);
}

/* Processes come and go in any order; each remaining one is still found at its record. */
static void test_index_proc_churn(void **state)
{
	pid_t pid;

	for (pid = 1; pid <= 5000; pid++)
		assert_non_null(ow_model_proc_sample(&m, pid, 7, "p", (uint64_t)pid, T0));
	for (pid = 5000; pid >= 1; pid -= 2)
		ow_model_proc_remove(&m, pid);
	ow_model_proc_remove(&m, 123456); /* unknown: nothing happens */
	assert_int_equal(m.nprocs, 2500);
	for (pid = 1; pid <= 5000; pid++) {
		struct ow_proc_rec *p = ow_model_proc(&m, pid);

		if (pid % 2 == 0) {
			assert_null(p);
			continue;
		}
		assert_non_null(p);
		assert_int_equal(p->nonrecl, (uint64_t)pid);
	}
}

/* An id added again (an inode reused before the old cgroup is freed) is found at the newest
 * entry, before and after the older one's removal, wherever the swap removal moves it. */
static void test_index_id_added_twice(void **state)
{
	struct ow_cgroup *old, *new;
	unsigned int i;
	old = ow_model_add_cgroup(&m, 9, MOUNT "/old", strlen(MOUNT));
	new = ow_model_add_cgroup(&m, 9, MOUNT "/new", strlen(MOUNT));
	assert_non_null(ow_model_add_cgroup(&m, 10, MOUNT "/other", strlen(MOUNT)));
	assert_ptr_equal(ow_model_cgroup(&m, 9), new);
	assert_ptr_equal(m.cgs[0], old);
	ow_model_remove_cgroup(&m, 0); /* the old one; the last entry moves into its place */
	assert_ptr_equal(ow_model_cgroup(&m, 9), new);
	assert_string_equal(ow_model_cgroup(&m, 10)->rel, "/other");
	for (i = 0; m.cgs[i] != new; i++)
		;
	ow_model_remove_cgroup(&m, i);
	assert_null(ow_model_cgroup(&m, 9));
	assert_string_equal(ow_model_cgroup(&m, 10)->rel, "/other");
}

/* A path longer than PATH_MAX is kept whole (deep cgroup trees exist). */
static void test_cgroup_path_past_path_max(void **state)
{
	static char path[3 * PATH_MAX];
	struct ow_cgroup *cg;
	size_t n;

	n = (size_t)snprintf(path, sizeof(path), MOUNT);
	while (n < 2 * PATH_MAX)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "/%0200d", 0);
	cg = ow_model_add_cgroup(&m, 5, path, strlen(MOUNT));
	assert_non_null(cg);
	assert_string_equal(cg->path, path);
	assert_string_equal(cg->rel, path + strlen(MOUNT));
}

/* 4 MiB/s for 30 s, a sample every 250 ms: the fine trend sees it, the coarse is too young. */
static void test_view_of_a_leak(void **state)
{
	struct ow_cgroup *cg = limited_cgroup(256 * MiB);
	struct ow_cg_view v;
	uint64_t t;

	for (t = 0; t <= 30 * NS; t += 250 * MS)
		assert_int_equal(ow_cgroup_sample(cg, T0 + t, 20 * MiB + t / MS * 4 * MiB / 1000),
				 0);
	ow_cgroup_view(cg, T0 + 30 * NS, &v);
	assert_int_equal(v.nonrecl, 140 * MiB);
	assert_int_equal(v.limit, 256 * MiB);
	assert_true(v.fine.valid);
	assert_true(v.fine.rising);
	assert_true(fabs(v.fine.floor_rate - 4 * MiB_D) < 0.15 * 4 * MiB_D);
	assert_true(v.fine.span_s == 20);
	assert_int_equal(v.fine.last, 140 * MiB);
	assert_false(v.coarse.valid);
	assert_false(v.coarse.rising);

	/* flat from then on: a window later the floor no longer rises */
	for (t = 30 * NS + NS; t <= 60 * NS; t += NS)
		assert_int_equal(ow_cgroup_sample(cg, T0 + t, 140 * MiB), 0);
	ow_cgroup_view(cg, T0 + 60 * NS, &v);
	assert_false(v.fine.rising);
}

/* 0.05 MiB/s: under the fine trend's noise (256 MiB / 512 per 5 s quarter), but the coarse
 * trend sees it once it has a minute of history. */
static void test_slow_leak_seen_by_coarse_trend_only(void **state)
{
	struct ow_cgroup *cg = limited_cgroup(256 * MiB);
	struct ow_cg_view v;
	uint64_t t;

	for (t = 0; t <= 300 * NS; t += NS)
		assert_int_equal(ow_cgroup_sample(cg, T0 + t, 100 * MiB + t / MS * MiB / 20000), 0);
	ow_cgroup_view(cg, T0 + 300 * NS, &v);
	assert_true(v.fine.valid);
	assert_false(v.fine.rising);
	assert_true(v.coarse.valid);
	assert_true(v.coarse.rising);
	assert_true(fabs(v.coarse.floor_rate - 0.05 * MiB_D) < 0.15 * 0.05 * MiB_D);
}

/* The noise allowance scales with the limit: a rise of 256 KiB per quarter is a leak in an
 * unlimited cgroup (no allowance) and noise in a 256 MiB one. */
static void test_noise_scales_with_limit(void **state)
{
	struct ow_cgroup *cg = limited_cgroup(256 * MiB);
	struct ow_cg_view v;
	uint64_t t;

	for (t = 0; t <= 20 * NS; t += NS / 4)
		assert_int_equal(
			ow_cgroup_sample(cg, T0 + t, 100 * MiB + t / MS * 256 * 1024 / 5000), 0);
	ow_cgroup_view(cg, T0 + 20 * NS, &v);
	assert_true(v.fine.valid);
	assert_false(v.fine.rising);
	cg->reading.eff_limit = OW_NO_LIMIT;
	ow_cgroup_view(cg, T0 + 20 * NS, &v);
	assert_true(v.limit == OW_NO_LIMIT);
	assert_true(v.fine.rising);
}

static void test_reset_trend_forgets_history(void **state)
{
	struct ow_cgroup *cg = limited_cgroup(256 * MiB);
	struct ow_cg_view v;
	uint64_t t;

	ow_cgroup_reset_trend(cg); /* no trends yet: nothing to do */
	assert_null(cg->history.fine);
	for (t = 0; t <= 20 * NS; t += NS / 4)
		assert_int_equal(ow_cgroup_sample(cg, T0 + t, 20 * MiB + t / MS * MiB / 100), 0);
	ow_cgroup_view(cg, T0 + 20 * NS, &v);
	assert_true(v.fine.rising);
	ow_cgroup_reset_trend(cg);
	ow_cgroup_view(cg, T0 + 20 * NS, &v);
	assert_false(v.fine.valid);
	assert_false(v.fine.rising);
	assert_false(v.coarse.valid);
	/* the current value survives the reset */
	assert_int_equal(v.nonrecl, 220 * MiB);
}

static void test_cgroup_text_allocated_at_first_write(void **state)
{
	struct ow_cgroup *cg = ow_model_add_cgroup(&m, 21, MOUNT "/a", strlen(MOUNT));
	struct ow_cgroup *other = ow_model_add_cgroup(&m, 22, MOUNT "/b", strlen(MOUNT));
	struct ow_cg_text spare = {0}, *t;

	(void)state;
	/* nothing said: read as an empty set, nothing allocated */
	assert_null(cg->text);
	assert_string_equal(ow_cg_text(cg)->manager, "");
	assert_string_equal(ow_cg_text(cg)->tmpfs_files, "");
	/* the first write allocates it, the next ones write the same */
	t = ow_cg_text_mut(cg, &spare);
	assert_non_null(t);
	assert_ptr_not_equal(t, &spare);
	snprintf(t->manager, sizeof(t->manager), "systemd api.service");
	assert_ptr_equal(ow_cg_text_mut(cg, &spare), t);
	assert_string_equal(ow_cg_text(cg)->manager, "systemd api.service");
	/* another cgroup's is its own */
	assert_string_equal(ow_cg_text(other)->manager, "");
	/* one that had to use the spare (out of memory) gets its own at the next write, with
	 * the spare's words, and the spare is never freed (ASan's run of this test) */
	snprintf(spare.cwd, sizeof(spare.cwd), "/srv/api");
	other->text = &spare;
	other->text_spare = true;
	t = ow_cg_text_mut(other, &spare);
	assert_ptr_not_equal(t, &spare);
	assert_false(other->text_spare);
	assert_string_equal(ow_cg_text(other)->cwd, "/srv/api");
	other->text = &spare; /* freed with the model: the spare stays the caller's */
	other->text_spare = true;
	free(t);
}

static void test_cgroup_moved_to_a_new_path(void **state)
{
	struct ow_cgroup *cg = ow_model_add_cgroup(&m, 31, MOUNT "/user/a", strlen(MOUNT));

	(void)state;
	assert_false(cg->moved);
	assert_int_equal(ow_model_move_cgroup(cg, MOUNT "/user/b", strlen(MOUNT)), 0);
	assert_true(cg->moved);
	assert_string_equal(cg->path, MOUNT "/user/b");
	assert_string_equal(cg->rel, "/user/b");
	assert_string_equal(cg->name, "/user/b");
	/* still found by its id */
	assert_ptr_equal(ow_model_cgroup(&m, 31), cg);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_proc_sample_creates_and_updates),
		T(test_proc_cmdline_read_again_after_exec),
		T(test_proc_keeps_the_newest_samples_in_order),
		T(test_proc_rate_of_a_steady_grower),
		T(test_proc_rate_of_a_shrinking_process_is_negative),
		T(test_proc_rate_zero_when_growth_stopped_long_ago),
		T(test_proc_rate_needs_two_samples),
		T(test_proc_history_resets_on_memcg_move),
		T(test_proc_remove_keeps_the_others),
		T(test_proc_sweep_when_records_double),
		T(test_proc_shm_writing),
		T(test_add_cgroup),
		T(test_cgroup_is_root),
		T(test_cgroup_text_allocated_at_first_write),
		T(test_cgroup_moved_to_a_new_path),
		T(test_remove_cgroup_keeps_the_others),
		T(test_gone_cgroup_lives_until_reaped),
		T(test_busy_list),
		T(test_model_free_empties),
		T(test_view_before_any_sample),
		T(test_sample_allocates_trends_when_the_value_moves),
		T(test_lazy_trends_judge_as_eager_ones),
		T(test_index_many_entries),
		T(test_index_removal_during_iteration),
		T(test_index_proc_churn),
		T(test_index_id_added_twice),
		T(test_cgroup_path_past_path_max),
		T(test_view_of_a_leak),
		T(test_slow_leak_seen_by_coarse_trend_only),
		T(test_noise_scales_with_limit),
		T(test_reset_trend_forgets_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
