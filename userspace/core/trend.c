// SPDX-License-Identifier: GPL-2.0
/* Trend engine: see userspace/core/trend.h. Pure: no I/O, no clocks; callers pass the time. */
#include <math.h>
#include <string.h>

#include "trend.h"

#define NS_PER_S 1e9

void ow_trend_init(struct ow_trend *tr, uint64_t width_ns, uint64_t window_ns, uint64_t min_span_ns)
{
	memset(tr, 0, sizeof(*tr));
	tr->width_ns = width_ns ? width_ns : 1;
	tr->window_ns = window_ns;
	tr->min_span_ns = min_span_ns;
}

void ow_trend_reset(struct ow_trend *tr)
{
	ow_trend_init(tr, tr->width_ns, tr->window_ns, tr->min_span_ns);
}

static const struct ow_trend_bucket *bucket_at(const struct ow_trend *tr, unsigned int age)
{
	return &tr->b[(tr->head + OW_TREND_BUCKETS - age) % OW_TREND_BUCKETS];
}

void ow_trend_add(struct ow_trend *tr, uint64_t now_ns, uint64_t value)
{
	uint64_t start = now_ns - now_ns % tr->width_ns;
	struct ow_trend_bucket *cur = &tr->b[tr->head];
	uint64_t carried;

	if (tr->count && start <= cur->start_ns) {
		/* Same bucket (or a clock that went back): fold in. */
		cur->min = value < cur->min ? value : cur->min;
		cur->max = value > cur->max ? value : cur->max;
		cur->last = value;
		return;
	}
	/* The previous value held from this bucket's start until now. */
	carried = tr->count ? cur->last : value;
	tr->head = (tr->head + 1) % OW_TREND_BUCKETS;
	if (tr->count < OW_TREND_BUCKETS)
		tr->count++;
	cur = &tr->b[tr->head];
	cur->start_ns = start;
	cur->min = value < carried ? value : carried;
	cur->max = value > carried ? value : carried;
	cur->last = value;
}

/* Minimum of the piecewise-constant series over [from, to). */
static uint64_t floor_between(const struct ow_trend *tr, uint64_t from, uint64_t to)
{
	uint64_t m = OW_FLOOR_NONE;
	unsigned int age;

	for (age = 0; age < tr->count; age++) {
		const struct ow_trend_bucket *b = bucket_at(tr, age);

		if (b->start_ns >= to)
			continue;
		if (b->start_ns + tr->width_ns <= from) {
			/* The newest bucket before the range: its last value held into it. */
			if (b->last < m)
				m = b->last;
			break;
		}
		if (b->min < m)
			m = b->min;
	}
	return m;
}

static void last_quarter(const struct ow_trend *tr, uint64_t from, uint64_t now_ns,
			 struct ow_trend_result *out)
{
	uint64_t first = out->last, first_ns = now_ns;
	unsigned int age;

	out->peak = out->last;
	for (age = 0; age < tr->count; age++) {
		const struct ow_trend_bucket *b = bucket_at(tr, age);

		if (b->start_ns + tr->width_ns <= from)
			break;
		if (b->max > out->peak)
			out->peak = b->max;
		first = b->min;
		first_ns = b->start_ns;
	}
	if (now_ns > first_ns && out->last > first)
		out->recent_rate =
			(double)(out->last - first) * NS_PER_S / (double)(now_ns - first_ns);
}

void ow_trend_eval(const struct ow_trend *tr, uint64_t now_ns, uint64_t noise,
		   struct ow_trend_result *out)
{
	uint64_t oldest, span, q, m[4];
	int i;

	memset(out, 0, sizeof(*out));
	if (!tr->count)
		return;
	out->last = tr->b[tr->head].last;
	oldest = bucket_at(tr, tr->count - 1)->start_ns;
	span = now_ns > oldest ? now_ns - oldest : 0;
	if (span > tr->window_ns)
		span = tr->window_ns;
	out->span_s = span / NS_PER_S;
	q = span / 4;
	last_quarter(tr, now_ns - q, now_ns, out);
	if (span < tr->min_span_ns || !q)
		return;
	out->valid = true;
	for (i = 0; i < 4; i++)
		m[i] = floor_between(tr, now_ns - span + i * q, now_ns - span + (i + 1) * q);
	/* The series moves in steps of ~1/256 of the limit (model.c): a rise of no more than the
	 * caller's `noise` may be a step's rounding, so the tolerance scales with the limit,
	 * where diagnose's page-exact samples need only a page (diag_judge.c). */
	if (ow_floor_rises(m, noise == UINT64_MAX ? noise : noise + 1) < 3)
		return;
	out->rising = true;
	/* Quarter minima of a steady rise sit at the quarters' starts, 3q apart. */
	out->floor_rate = (double)(m[3] - m[0]) * NS_PER_S / (double)(3 * q);
}

unsigned int ow_floor_rises(const uint64_t floor[4], uint64_t min_rise)
{
	unsigned int rises = 0, q;

	for (q = 1; q < 4; q++)
		rises += floor[q] != OW_FLOOR_NONE && floor[q - 1] != OW_FLOOR_NONE &&
			 floor[q] >= floor[q - 1] && floor[q] - floor[q - 1] >= min_rise;
	return rises;
}

double ow_eta_seconds(uint64_t level, uint64_t limit, double rate)
{
	if (level >= limit)
		return 0;
	if (rate <= 0)
		return INFINITY;
	return (double)(limit - level) / rate;
}

double ow_slope(const uint64_t *t_ns, const uint64_t *v, unsigned int n)
{
	double mt = 0, mv = 0, num = 0, den = 0;
	unsigned int i;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		mt += (double)(t_ns[i] - t_ns[0]) / NS_PER_S;
		mv += (double)v[i];
	}
	mt /= n;
	mv /= n;
	for (i = 0; i < n; i++) {
		double dt = (double)(t_ns[i] - t_ns[0]) / NS_PER_S - mt;

		num += dt * ((double)v[i] - mv);
		den += dt * dt;
	}
	return den > 0 ? num / den : 0;
}
