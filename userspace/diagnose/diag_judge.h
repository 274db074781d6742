/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diagnose's judgement, pure: a least-squares growth rate over the samples of the target's
 * non-reclaimable memory, and a finding that asks more of a leak than a positive slope: the
 * floor (the lowest value) must rise in every quarter of the window, as in the daemon's trend
 * (userspace/core/trend.c), so a start-up burst, a plateau or a sawtooth that frees is not a leak.
 */
#ifndef OW_DIAG_JUDGE_H
#define OW_DIAG_JUDGE_H

#include <stddef.h>

#define OW_DIAG_MIN_SPAN_S  5.0 /* less than this is not enough evidence */
#define OW_DIAG_MIN_SAMPLES 8
#define OW_DIAG_MIN_GROWTH  (1 << 20) /* a leak must have grown this much in the window */

struct ow_diag_sample {
	double t_s;   /* seconds since the start */
	double bytes; /* non-reclaimable memory of the target */
};

struct ow_line_fit {
	double slope;	  /* bytes per second */
	double intercept; /* bytes at t = 0 */
	double r2;	  /* 0..1; 1 when the samples are all equal */
};

enum ow_diag_finding {
	OW_DIAG_INSUFFICIENT = 0,
	OW_DIAG_NO_LEAK,
	OW_DIAG_LEAK,
};

struct ow_diag_judgement {
	enum ow_diag_finding finding;
	double rate;	   /* bytes per second, the fitted slope */
	double confidence; /* 0..1 */
	double r2;
	double span_s;
	unsigned int floor_rises; /* of the 3 quarter-to-quarter steps */
	char reason[160];	  /* one sentence for the report */
};

/* Least squares over (t_s, bytes); returns -EINVAL for fewer than 2 samples or no time span. */
int ow_fit_line(const struct ow_diag_sample *s, size_t n, struct ow_line_fit *out);

void ow_diag_judge(const struct ow_diag_sample *s, size_t n, struct ow_diag_judgement *out);

/* "leak", "no-leak" or "insufficient-data" (the JSON values). */
const char *ow_diag_finding_name(enum ow_diag_finding v);

#endif /* OW_DIAG_JUDGE_H */
