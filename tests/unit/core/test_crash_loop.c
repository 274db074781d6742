// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/core/crash_loop.c: when stopped victims make a crash loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crash_loop.h"

#define S 1000000000ULL
#define T 5000 * S

/* The worker of issue 18: restarted into the same leak, stopped ~2 s after each start. The
 * third stop in a row is a loop, said once; the fourth and fifth are the same loop. */
static void test_restarted_into_the_same_leak(void **state)
{
	struct ow_crash_loop l = {0};
	char text[160];

	(void)state;
	assert_false(ow_crash_loop_note(&l, "supervisor:queue:worker", 2.1, T));
	assert_false(ow_crash_loop_note(&l, "supervisor:queue:worker", 1.9, T + 4 * S));
	assert_true(ow_crash_loop_note(&l, "supervisor:queue:worker", 2.0, T + 8 * S));
	ow_crash_loop_text(&l, text, sizeof(text));
	assert_string_equal(text, "restarts into the same leak within 2.1 s; last 3 lifetimes "
				  "2.1 s, 1.9 s, 2.0 s");
	assert_false(ow_crash_loop_note(&l, "supervisor:queue:worker", 2.2, T + 12 * S));
	assert_false(ow_crash_loop_note(&l, "supervisor:queue:worker", 1.8, T + 16 * S));
	ow_crash_loop_text(&l, text, sizeof(text));
	assert_string_equal(text, "restarts into the same leak within 2.2 s; last 3 lifetimes "
				  "2.0 s, 2.2 s, 1.8 s");
	assert_int_equal(l.loops, 1);
}

/* A victim that lived long, another name, or a long pause between stops break the count; a
 * new loop after a break is reported again. */
static void test_what_breaks_a_loop(void **state)
{
	struct ow_crash_loop l = {0};

	(void)state;
	ow_crash_loop_note(&l, "a", 2, T);
	ow_crash_loop_note(&l, "a", 2, T + S);
	assert_false(ow_crash_loop_note(&l, "a", 600, T + 2 * S)); /* lived ten minutes */
	assert_int_equal(l.n, 0);
	ow_crash_loop_note(&l, "a", 2, T + 3 * S);
	ow_crash_loop_note(&l, "b", 2, T + 4 * S); /* another process */
	assert_int_equal(l.n, 1);
	ow_crash_loop_note(&l, "b", 2, T + 5 * S);
	assert_false(ow_crash_loop_note(&l, "b", 2, T + 5 * S + OW_LOOP_GAP_NS + 1)); /* a pause */
	assert_int_equal(l.n, 1);
	ow_crash_loop_note(&l, "b", 2, T + 400 * S);
	assert_true(ow_crash_loop_note(&l, "b", 2, T + 401 * S));
	assert_false(ow_crash_loop_note(&l, "b", -1, T + 402 * S)); /* lifetime unknown */
	assert_int_equal(l.n, 0);
	ow_crash_loop_note(&l, "b", 2, T + 403 * S);
	ow_crash_loop_note(&l, "b", 2, T + 404 * S);
	assert_true(ow_crash_loop_note(&l, "b", 2, T + 405 * S));
	assert_int_equal(l.loops, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restarted_into_the_same_leak),
		cmocka_unit_test(test_what_breaks_a_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
