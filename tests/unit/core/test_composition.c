// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/core/composition.c: the parts of a charge and which one grew. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "composition.h"

#define MiB (1024ULL * 1024)
#define S   1000000000ULL

static struct ow_cg_stat stat_of(uint64_t anon, uint64_t file, uint64_t shmem, uint64_t usage)
{
	struct ow_cg_stat st;

	memset(&st, 0, sizeof(st));
	st.anon = anon * MiB;
	st.file = file * MiB;
	st.shmem = shmem * MiB;
	st.usage = usage * MiB;
	return st;
}

static void test_parts(void **state)
{
	struct ow_cg_stat st = stat_of(40, 100, 30, 160);
	struct ow_composition c;

	ow_composition_of(&st, &c);
	assert_int_equal(c.bytes[OW_KIND_ANON], 40 * MiB);
	assert_int_equal(c.bytes[OW_KIND_SHMEM], 30 * MiB);
	assert_int_equal(c.bytes[OW_KIND_FILE], 70 * MiB); /* file counts shmem */
	assert_int_equal(c.bytes[OW_KIND_KERNEL], 20 * MiB);
	/* Readings taken a moment apart can disagree: never a negative part. */
	st = stat_of(40, 10, 30, 50);
	ow_composition_of(&st, &c);
	assert_int_equal(c.bytes[OW_KIND_FILE], 0);
	assert_int_equal(c.bytes[OW_KIND_KERNEL], 0);
}

static void test_which_grew(void **state)
{
	struct ow_cg_stat a = stat_of(40, 100, 30, 160), b;
	struct ow_composition then, now;
	uint64_t grew;

	ow_composition_of(&a, &then);
	b = stat_of(42, 180, 110, 244); /* shmem +80 (file +80 with it), anon +2 */
	ow_composition_of(&b, &now);
	assert_int_equal(ow_growth_kind(&then, &now, MiB, &grew), OW_KIND_SHMEM);
	assert_int_equal(grew, 80 * MiB);
	assert_string_equal(ow_mem_kind_name(OW_KIND_SHMEM), "shmem");
	b = stat_of(40, 40, 30, 200); /* page cache fell, kernel +100 */
	ow_composition_of(&b, &now);
	assert_int_equal(ow_growth_kind(&then, &now, MiB, &grew), OW_KIND_KERNEL);
	b = stat_of(40, 400, 30, 460); /* only page cache grew: reclaimable, no growth */
	ow_composition_of(&b, &now);
	assert_int_equal(ow_growth_kind(&then, &now, MiB, &grew), -1);
	assert_string_equal(ow_mem_kind_name(-1), "");
}

/* The window: the older snapshot is the one compared with, 10-20 s old. */
static void test_window(void **state)
{
	struct ow_composition_window w;
	struct ow_composition c[4];
	struct ow_cg_stat st;
	uint64_t grew;
	int i;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < 4; i++) {
		st = stat_of(10, 0, (uint64_t)i * 20, 10 + (uint64_t)i * 20);
		ow_composition_of(&st, &c[i]);
	}
	ow_composition_note(&w, 100 * S, &c[0]);
	ow_composition_note(&w, 105 * S, &c[1]); /* within the slot: not kept */
	assert_int_equal(ow_composition_grows(&w, &c[1], MiB, &grew), OW_KIND_SHMEM);
	assert_int_equal(grew, 20 * MiB);
	ow_composition_note(&w, 111 * S, &c[2]); /* kept: older = c[0], newer = c[2] */
	ow_composition_note(&w, 122 * S, &c[3]); /* older = c[2] */
	assert_int_equal(ow_composition_grows(&w, &c[3], MiB, &grew), OW_KIND_SHMEM);
	assert_int_equal(grew, 20 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_which_grew),
		cmocka_unit_test(test_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
