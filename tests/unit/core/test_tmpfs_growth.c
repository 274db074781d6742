// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/core/tmpfs_growth.c: which tmpfs mounts grew. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "composition.h"
#include "tmpfs_growth.h"

#define MiB (1024ULL * 1024)
#define S   1000000000ULL

static void set(struct ow_tmpfs_usage *u, unsigned int n, const int *id, const uint64_t *used)
{
	u->n = n;
	memcpy(u->id, id, n * sizeof(int));
	memcpy(u->used, used, n * sizeof(uint64_t));
}

/* /dev/shm grew 48 MiB and /tmp 3 MiB in the window, /run 100 KiB (under the step), a new
 * mount holds 8 MiB: most first, the small one left out, at most `max`. */
static void test_grown_mounts_most_first(void **state)
{
	static const int ids[] = {21, 22, 23};
	static const int ids_now[] = {21, 22, 23, 40};
	uint64_t then[] = {10 * MiB, 1 * MiB, 5 * MiB};
	uint64_t now[] = {58 * MiB, 4 * MiB, 5 * MiB + 100 * 1024, 8 * MiB};
	struct ow_tmpfs_window w = {0};
	struct ow_tmpfs_usage u;
	struct ow_tmpfs_grew g[4];

	(void)state;
	set(&u, 3, ids, then);
	assert_int_equal(ow_tmpfs_grown(&w, &u, MiB, g, 4), 0); /* no snapshot yet */
	ow_tmpfs_note(&w, 100 * S, &u);
	set(&u, 4, ids_now, now);
	assert_int_equal(ow_tmpfs_grown(&w, &u, MiB, g, 4), 3);
	assert_int_equal(g[0].id, 21);
	assert_int_equal(g[0].bytes, 48 * MiB);
	assert_int_equal(g[1].id, 40);
	assert_int_equal(g[2].id, 22);
	assert_int_equal(ow_tmpfs_grown(&w, &u, MiB, g, 2), 2);
	assert_int_equal(g[0].id, 21);
	assert_int_equal(g[1].id, 40);
}

/* The older snapshot moves a slot at a time: growth is measured over 10-20 s; a shrink is none. */
static void test_window_slots(void **state)
{
	static const int ids[] = {7};
	uint64_t v0[] = {10 * MiB}, v1[] = {20 * MiB}, v2[] = {30 * MiB}, v3[] = {5 * MiB};
	struct ow_tmpfs_window w = {0};
	struct ow_tmpfs_usage u;
	struct ow_tmpfs_grew g[1];

	(void)state;
	set(&u, 1, ids, v0);
	ow_tmpfs_note(&w, S, &u);
	set(&u, 1, ids, v1);
	ow_tmpfs_note(&w, 5 * S, &u); /* within the slot: kept as it was */
	assert_int_equal(ow_tmpfs_grown(&w, &u, MiB, g, 1), 1);
	assert_int_equal(g[0].bytes, 10 * MiB);
	ow_tmpfs_note(&w, S + OW_COMPOSITION_SLOT_NS, &u);
	ow_tmpfs_note(&w, S + 2 * OW_COMPOSITION_SLOT_NS, &u);
	set(&u, 1, ids, v2);
	assert_int_equal(ow_tmpfs_grown(&w, &u, MiB, g, 1), 1);
	assert_int_equal(g[0].bytes, 10 * MiB); /* since 20 MiB, the older snapshot now */
	set(&u, 1, ids, v3);
	assert_int_equal(ow_tmpfs_grown(&w, &u, MiB, g, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grown_mounts_most_first),
		cmocka_unit_test(test_window_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
