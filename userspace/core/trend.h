/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trend engine: pure functions over a history of (time, bytes) samples, no I/O.
 *
 * A cgroup's non-reclaimable memory is reported only when it moves by a step, so the history
 * is piecewise constant: a value holds until the next sample. Samples fold into fixed-width
 * buckets (min, max, last) so a fast leak cannot overflow the history. The question asked of
 * it is whether the *floor* rises: a GC sawtooth rises and falls around a flat floor and is no
 * leak; a floor that rises in every quarter of the window is. A start-up burst raises the
 * floor once, in one quarter, and is no leak either.
 */
#ifndef OW_TREND_H
#define OW_TREND_H

#include <stdbool.h>
#include <stdint.h>

#define OW_TREND_BUCKETS 96

struct ow_trend_bucket {
	uint64_t start_ns;
	uint64_t min, max, last;
};

struct ow_trend {
	uint64_t width_ns;    /* bucket width */
	uint64_t window_ns;   /* the span `ow_trend_eval` looks at */
	uint64_t min_span_ns; /* less history than this: no verdict */
	unsigned int head;    /* index of the newest bucket */
	unsigned int count;
	struct ow_trend_bucket b[OW_TREND_BUCKETS];
};

struct ow_trend_result {
	bool valid;	    /* enough history to judge */
	bool rising;	    /* the floor rose in every quarter of the window */
	double floor_rate;  /* bytes/s the floor rises at (0 unless rising) */
	double recent_rate; /* bytes/s over the last quarter, from its first to its last value */
	uint64_t last;	    /* newest value */
	uint64_t peak;	    /* highest value in the last quarter */
	double span_s;	    /* history judged, seconds */
};

/* width: bucket width; window: span judged (<= width * OW_TREND_BUCKETS). */
void ow_trend_init(struct ow_trend *tr, uint64_t width_ns, uint64_t window_ns,
		   uint64_t min_span_ns);
void ow_trend_reset(struct ow_trend *tr);
void ow_trend_add(struct ow_trend *tr, uint64_t now_ns, uint64_t value);
/* `noise`: a floor must rise by more than this between quarters to count as rising. */
void ow_trend_eval(const struct ow_trend *tr, uint64_t now_ns, uint64_t noise,
		   struct ow_trend_result *out);

/* A quarter of the window without a value: its floor is unknown. */
#define OW_FLOOR_NONE UINT64_MAX

/*
 * The floor test, shared by the daemon's trend and diagnose's verdict: of the three steps
 * between the floors (minima) of a window's four quarters, how many rise by at least
 * `min_rise` bytes. A step from or to an OW_FLOOR_NONE quarter does not rise. Pure.
 */
unsigned int ow_floor_rises(const uint64_t floor[4], uint64_t min_rise);

/* Seconds until `level` reaches `limit` at `rate` bytes/s; INFINITY when not growing. */
double ow_eta_seconds(uint64_t level, uint64_t limit, double rate);

/*
 * Growth rate of a short series (a process's last samples), bytes/s: least squares slope.
 * Returns 0 with fewer than two samples or no time between them.
 */
double ow_slope(const uint64_t *t_ns, const uint64_t *v, unsigned int n);

#endif /* OW_TREND_H */
