// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/lib/int_map.c: against a plain array, through growth and removals. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "int_map.h"

static void test_empty(void **state)
{
	struct ow_int_map m = {0};
	uint64_t v = 7;

	(void)state;
	assert_false(ow_int_map_get(&m, 3, &v));
	assert_int_equal(v, 7);
	ow_int_map_del(&m, 3);
	assert_int_equal(ow_int_map_put(&m, -1, 1), -EINVAL);
	assert_false(ow_int_map_get(&m, -1, &v));
	ow_int_map_free(&m);
}

static void test_put_replaces(void **state)
{
	struct ow_int_map m = {0};
	uint64_t v;

	(void)state;
	assert_int_equal(ow_int_map_put(&m, 5, 50), 0);
	assert_int_equal(ow_int_map_put(&m, 5, 51), 0);
	assert_int_equal(m.n, 1);
	assert_true(ow_int_map_get(&m, 5, &v));
	assert_int_equal(v, 51);
	ow_int_map_free(&m);
}

/* 200,000 random puts, gets and removals over keys that climb as inotify's do, checked
 * against an array at every step; the runs that removals shift back included. */
static void test_against_an_array(void **state)
{
	enum { KEYS = 4096 };
	static uint64_t want[KEYS];
	static bool has[KEYS];
	struct ow_int_map m = {0};
	unsigned int i, n = 0;
	uint64_t v;

	(void)state;
	srandom(17);
	for (i = 0; i < 200000; i++) {
		int key = (int)(random() % KEYS);

		switch (random() % 3) {
		case 0:
			assert_int_equal(ow_int_map_put(&m, key, i), 0);
			n += !has[key];
			has[key] = true;
			want[key] = i;
			break;
		case 1:
			ow_int_map_del(&m, key);
			n -= has[key];
			has[key] = false;
			break;
		default:
			assert_int_equal(ow_int_map_get(&m, key, &v), has[key]);
			if (has[key])
				assert_int_equal(v, want[key]);
		}
		assert_int_equal(m.n, n);
	}
	for (i = 0; i < KEYS; i++) {
		assert_int_equal(ow_int_map_get(&m, (int)i, &v), has[i]);
		if (has[i])
			assert_int_equal(v, want[i]);
	}
	assert_true(m.n * 2 <= m.cap);
	ow_int_map_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_put_replaces),
		cmocka_unit_test(test_against_an_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
