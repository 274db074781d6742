// SPDX-License-Identifier: GPL-2.0
/* Unit tests for userspace/core/rss_gate.c: the rise over 2-4 s, what is at risk, and when the
 * page-fault program is attached and detached. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "memcg.h"
#include "rss_gate.h"

#define MiB (1024ULL * 1024)
#define S   1000000000ULL

static void test_rise(void **state)
{
	struct ow_rss_rise r = {0};

	(void)state;
	assert_int_equal(ow_rss_rise(&r, 10 * S, 50 * MiB), 0); /* nothing noted */
	ow_rss_rise_note(&r, 10 * S, 10 * MiB);
	/* A fast leak: risen since the first note, 8 ms later. */
	assert_int_equal(ow_rss_rise(&r, 10 * S + 8000000, 14 * MiB), 4 * MiB);
	ow_rss_rise_note(&r, 11 * S, 20 * MiB); /* within the window: no new snapshot */
	ow_rss_rise_note(&r, 12 * S, 30 * MiB); /* 2 s on: 10 -> 30 */
	assert_int_equal(ow_rss_rise(&r, 13 * S, 34 * MiB), 24 * MiB);
	ow_rss_rise_note(&r, 14 * S, 34 * MiB); /* the older is now the 30 of 12 s */
	assert_int_equal(ow_rss_rise(&r, 15 * S, 34 * MiB), 4 * MiB);
	/* A fall is no rise; snapshots 4 s old or more say nothing. */
	assert_int_equal(ow_rss_rise(&r, 15 * S, 20 * MiB), 0);
	assert_int_equal(ow_rss_rise(&r, 18 * S, 90 * MiB), 0);
}

static void test_at_risk(void **state)
{
	struct ow_rss_risk r = {.nonrecl = 100 * MiB, .limit = 256 * MiB};

	(void)state;
	assert_false(ow_rss_at_risk(&r));
	r.nonrecl = 128 * MiB; /* half the limit */
	assert_true(ow_rss_at_risk(&r));
	r.nonrecl = 20 * MiB;
	r.rise = 15 * MiB; /* under a 16th */
	assert_false(ow_rss_at_risk(&r));
	r.rise = 16 * MiB;
	assert_true(ow_rss_at_risk(&r));
	r.rise = 0;
	r.warned = true;
	assert_true(ow_rss_at_risk(&r));
	r.warned = false;
	r.acting = true;
	assert_true(ow_rss_at_risk(&r));
	/* No limit: neither the fraction nor the rise say anything (the gate keeps it attached
	 * for such a top cgroup anyway). */
	r = (struct ow_rss_risk){.nonrecl = 900 * MiB, .rise = 900 * MiB, .limit = OW_NO_LIMIT};
	assert_false(ow_rss_at_risk(&r));
}

static void test_decide(void **state)
{
	struct ow_rss_gate g = {.attached = true, .provable = true, .now_ns = 100 * S};

	(void)state;
	g.risk_ns = 90 * S; /* quiet for 10 s: not yet */
	assert_int_equal(ow_rss_gate_decide(&g), OW_RSS_KEEP);
	g.risk_ns = 80 * S; /* quiet for 20 s */
	assert_int_equal(ow_rss_gate_decide(&g), OW_RSS_DETACH);
	g.attached = false;
	assert_int_equal(ow_rss_gate_decide(&g), OW_RSS_KEEP);
	g.at_risk = true;
	assert_int_equal(ow_rss_gate_decide(&g), OW_RSS_ATTACH);
	/* Not provable (v2, the machine, no thresholds): attached, whatever the risk. */
	g = (struct ow_rss_gate){.provable = false, .now_ns = 100 * S};
	assert_int_equal(ow_rss_gate_decide(&g), OW_RSS_ATTACH);
	g.attached = true;
	assert_int_equal(ow_rss_gate_decide(&g), OW_RSS_KEEP);
}

/* Which watched cgroups are in sight with the program detached (core/rss_gate.h). */
static void test_sight_proved(void **state)
{
	struct ow_rss_sight s;

	(void)state;
	/* A limited cgroup: its thresholds in force, its own limit the binding one. */
	s = (struct ow_rss_sight){.limited = true, .own_seen = true, .own_bound = true};
	assert_true(ow_rss_sight_proved(&s, false));
	s.own_seen = false; /* not set yet, or refused */
	assert_false(ow_rss_sight_proved(&s, true));
	/* Its limit above the machine's: the machine binds it, seen by the machine's sight. */
	s = (struct ow_rss_sight){.limited = true, .own_seen = true, .machine_bound = true};
	assert_false(ow_rss_sight_proved(&s, false));
	assert_true(ow_rss_sight_proved(&s, true));
	/* An unlimited child: a watched ancestor's limit binds it, or the machine's. */
	s = (struct ow_rss_sight){.ancestor_bound = true};
	assert_true(ow_rss_sight_proved(&s, false));
	s = (struct ow_rss_sight){.machine_bound = true};
	assert_false(ow_rss_sight_proved(&s, false));
	assert_true(ow_rss_sight_proved(&s, true));
	/* A limit above the watched tops (an unwatched slice's): nobody sees it. */
	s = (struct ow_rss_sight){0};
	assert_false(ow_rss_sight_proved(&s, true));
	/* The root: the machine's sight alone (its v1 thresholds never fire for its own
	 * processes), whatever else is said of it. */
	s = (struct ow_rss_sight){.root = true, .own_bound = true, .ancestor_bound = true};
	assert_false(ow_rss_sight_proved(&s, false));
	assert_true(ow_rss_sight_proved(&s, true));
}

/* A cgroup's own limit in sight: v1 by its thresholds, v2 by reads, which prove a large limit
 * only (a second of the fastest leak must leave room). */
static void test_own_seen(void **state)
{
	(void)state;
	assert_true(ow_rss_own_seen(true, true, true, 256 * MiB, S));
	assert_false(ow_rss_own_seen(true, true, false, 256 * MiB, S)); /* not in force yet */
	assert_false(ow_rss_own_seen(true, false, true, 256 * MiB, S));
	assert_false(ow_rss_own_seen(false, true, false, 256 * MiB, S));
	assert_false(ow_rss_own_seen(false, true, false, OW_RSS_READ_MIN - 1, S));
	assert_true(ow_rss_own_seen(false, true, false, OW_RSS_READ_MIN, S));
	assert_false(ow_rss_own_seen(false, false, false, 8 * OW_RSS_READ_MIN, S)); /* not read */
	assert_false(ow_rss_own_seen(false, true, false, OW_NO_LIMIT, S));
	/* reads 4 s apart (8,000 limited cgroups on v2): four times the limit */
	assert_false(ow_rss_own_seen(false, true, false, 3 * OW_RSS_READ_MIN, 4 * S));
	assert_true(ow_rss_own_seen(false, true, false, 4 * OW_RSS_READ_MIN, 4 * S));
	assert_false(ow_rss_own_seen(false, true, false, 4 * OW_RSS_READ_MIN, 4 * S + 1));
	/* v1's thresholds do not wait for reads */
	assert_true(ow_rss_own_seen(true, true, true, 256 * MiB, 20 * S));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rise),	 cmocka_unit_test(test_at_risk),
		cmocka_unit_test(test_decide),	 cmocka_unit_test(test_sight_proved),
		cmocka_unit_test(test_own_seen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
