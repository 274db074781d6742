/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Crash loops: a victim that its manager brings back and that is stopped again soon after, over
 * and over. A worker restarted into the same leak (its queue still holds the job that leaks, its
 * heap limit is above the cgroup's) was stopped 11 times in 40 s, each time about 2 s after its
 * start, and nothing said that a restart does not help (issue 18). Each stop is still graceful;
 * the loop is said once, in the log, the act alert and a metric. Pure: no I/O, no clock.
 */
#ifndef OW_CRASH_LOOP_H
#define OW_CRASH_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Victims stopped this soon after their start (seconds) are short-lived... */
#define OW_LOOP_SHORT_S 60.0
/* ...and this many of them in a row, of the same cgroup and process name, */
#define OW_LOOP_COUNT 3
/* each stopped within this of the one before, are a crash loop. */
#define OW_LOOP_GAP_NS (300 * 1000000000ULL)

/* One cgroup's recent victims. Zero it to start. */
struct ow_crash_loop {
	char who[160];			 /* the victim's name (comm) */
	double lifetimes[OW_LOOP_COUNT]; /* the last ones, oldest first */
	unsigned int n;			 /* short-lived victims of `who` in a row */
	uint64_t last_ns;		 /* the last one's stop */
	bool said;			 /* this loop was reported */
	uint64_t loops;			 /* loops reported (the metric) */
};

/* A victim of cg was stopped at now_ns (SIGTERM or restart), `lifetime_s` after its start (< 0:
 * unknown), known as `who`. True when this stop makes a loop not reported yet: report it
 * (ow_crash_loop_text) and it counts in `loops`. */
bool ow_crash_loop_note(struct ow_crash_loop *l, const char *who, double lifetime_s,
			uint64_t now_ns);

/* "restarts into the same leak within 2.1 s; last 3 lifetimes 2.1 s, 1.9 s, 2.0 s". */
void ow_crash_loop_text(const struct ow_crash_loop *l, char *buf, size_t len);

#endif /* OW_CRASH_LOOP_H */
