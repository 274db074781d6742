// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/core/due_heap.c: the soonest first, through inserts, moves and
 * removals, checked against a plain scan of every entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "due_heap.h"

#define N 1000

static struct ow_due ents[N];

/* The soonest queued entry by a scan, or NULL. */
static struct ow_due *scan_first(void)
{
	struct ow_due *m = NULL;
	unsigned int i;

	for (i = 0; i < N; i++)
		if (ents[i].pos && (!m || ents[i].due_ns < m->due_ns))
			m = &ents[i];
	return m;
}

/* Every entry's pos names its own slot, and each parent is due no later than its children. */
static void check(const struct ow_due_heap *h)
{
	unsigned int i, queued = 0;

	for (i = 0; i < N; i++)
		queued += ents[i].pos != 0;
	assert_int_equal(queued, h->n);
	for (i = 0; i < h->n; i++) {
		assert_int_equal(h->e[i]->pos, i + 1);
		if (i)
			assert_true(h->e[(i - 1) / 2]->due_ns <= h->e[i]->due_ns);
	}
	if (h->n)
		assert_true(ow_due_first(h)->due_ns == scan_first()->due_ns);
	else
		assert_null(ow_due_first(h));
}

static void test_empty(void **state)
{
	struct ow_due_heap h = {0};
	struct ow_due e = {0};

	(void)state;
	assert_null(ow_due_first(&h));
	ow_due_remove(&h, &e); /* in none: nothing */
	assert_false(ow_due_queued(&e));
	assert_int_equal(ow_due_set(&h, &e, 5), 0);
	assert_true(ow_due_queued(&e));
	assert_ptr_equal(ow_due_first(&h), &e);
	ow_due_remove(&h, &e);
	assert_false(ow_due_queued(&e));
	assert_null(ow_due_first(&h));
	ow_due_heap_free(&h);
}

/* Popping everything in turn gives the due times in order, equal ones included. */
static void test_order(void **state)
{
	struct ow_due_heap h = {0};
	uint64_t last = 0;
	unsigned int i;

	(void)state;
	memset(ents, 0, sizeof(ents));
	for (i = 0; i < N; i++)
		assert_int_equal(ow_due_set(&h, &ents[i], (uint64_t)((i * 7919) % 97) * 250), 0);
	check(&h);
	for (i = 0; i < N; i++) {
		struct ow_due *e = ow_due_first(&h);

		assert_non_null(e);
		assert_true(e->due_ns >= last);
		last = e->due_ns;
		ow_due_remove(&h, e);
	}
	assert_null(ow_due_first(&h));
	ow_due_heap_free(&h);
}

/* Random inserts, moves both ways and removals from anywhere keep the heap whole. */
static void test_random(void **state)
{
	struct ow_due_heap h = {0};
	unsigned int step;

	(void)state;
	memset(ents, 0, sizeof(ents));
	srand(17);
	for (step = 0; step < 20000; step++) {
		struct ow_due *e = &ents[rand() % N];

		if (rand() % 4 == 0)
			ow_due_remove(&h, e);
		else
			assert_int_equal(ow_due_set(&h, e, (uint64_t)(rand() % 5000)), 0);
		if (step % 97 == 0)
			check(&h);
	}
	check(&h);
	/* what the daemon's tick does: take what is due, set it later */
	while (ow_due_first(&h) && ow_due_first(&h)->due_ns <= 2500)
		ow_due_set(&h, ow_due_first(&h), ow_due_first(&h)->due_ns + 5000);
	check(&h);
	assert_true(ow_due_first(&h)->due_ns > 2500);
	ow_due_heap_free(&h);
	assert_int_equal(h.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
