/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The grace after SIGTERM, judged by what the cgroup does now. A real worker stops taking work
 * when SIGTERMed and needs seconds to finish the job in hand: the ETA computed before the
 * signal says nothing about that (a worker that stopped growing at 177 MiB of 256 was SIGKILLed
 * 4.9 s later, mid-job, when the grace was half that ETA). So the grace is whole, and only the
 * growth measured since the SIGTERM cuts it short. Pure: no I/O, no clock.
 */
#ifndef OW_GRACE_H
#define OW_GRACE_H

#include <stdbool.h>
#include <stdint.h>

/* The live rate compares the value now with one at least this old (and at most twice). The
 * first window after the SIGTERM is not counted: a worker finishes the allocation in hand
 * before its handler runs (a throttled one sleeps in the kernel first, up to 2 s), and that
 * tail says nothing about whether it stopped. The kill-water mark still watches it. */
#define OW_GRACE_LIVE_WINDOW_NS 1000000000ULL
/* Growth below this is the drain's own bookkeeping (a page here and there), not a leak. */
#define OW_GRACE_CLIMB_BPS (256.0 * 1024)
/* A rise since the SIGTERM smaller than this is noise (stat batching), before a window exists. */
#define OW_GRACE_ROSE_BYTES (1024ULL * 1024)
/* A manager's stop timeout is honoured up to this: a user's unit file that says "infinity"
 * must not keep a SIGTERMed process out of reach for ever. */
#define OW_GRACE_MANAGER_MAX_S 300.0
/* Never less grace than this: the signal must at least be delivered. */
#define OW_GRACE_MIN_S 0.1

/* The cgroup's usage since the SIGTERM, as two checkpoints a window apart. */
struct ow_live_growth {
	uint64_t term_ns, term_value; /* at the SIGTERM */
	uint64_t t0_ns, v0;	      /* the older checkpoint */
	uint64_t t1_ns, v1;	      /* the newer one */
};

void ow_live_start(struct ow_live_growth *g, uint64_t now_ns, uint64_t value);
/* A reading of the cgroup (any time it is evaluated). */
void ow_live_add(struct ow_live_growth *g, uint64_t now_ns, uint64_t value);
/* Bytes/s since the older checkpoint (>= 0); NAN until a checkpoint taken a window after the
 * SIGTERM is a window old. */
double ow_live_rate(const struct ow_live_growth *g, uint64_t now_ns, uint64_t value);

/* The grace granted: --grace, or the manager's own stop timeout when the user set one there
 * and it is longer (capped at OW_GRACE_MANAGER_MAX_S). manager_s < 0: none known. *from says
 * which ("grace" or the manager's setting's name, manager_src). */
double ow_grace_granted(double grace_s, double manager_s, const char *manager_src,
			const char **from);

/* What the judge sees of a SIGTERMed victim's cgroup. */
struct ow_term_view {
	uint64_t now_ns, deadline_ns;
	uint64_t value, limit; /* non-reclaimable bytes now; the effective limit (OW_NO_LIMIT) */
	double kill_water;     /* fraction of the limit */
	double live_rate;      /* ow_live_rate() */
	bool rose;	       /* more than OW_GRACE_ROSE_BYTES above the value at SIGTERM */
};

enum ow_term_verdict {
	OW_TERM_WAIT,	    /* it stopped growing, or grows too slowly to matter: the grace holds */
	OW_TERM_KILL_WATER, /* past the kill-water mark and still climbing */
	OW_TERM_LIVE_ETA,   /* the growth since SIGTERM reaches the limit before the grace ends */
};

/* *eta_s: seconds to the limit at the live rate (INFINITY when none). */
enum ow_term_verdict ow_grace_judge(const struct ow_term_view *v, double *eta_s);
/* The log and alert sentence of a verdict that kills; the rule's short name for fields. */
const char *ow_term_reason(enum ow_term_verdict t);
const char *ow_term_rule(enum ow_term_verdict t);

#endif /* OW_GRACE_H */
