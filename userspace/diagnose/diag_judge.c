// SPDX-License-Identifier: GPL-2.0
/* diagnose's growth fit and its finding (leak or not): see diag_judge.h. Pure. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diag_judge.h"
#include "trend.h"

/*
 * A floor "rises" by at least a page: diagnose samples the target's counters, which the kernel
 * keeps in pages, at every interval, so one page more is real growth. The daemon's trend
 * needs a tolerance scaled to the limit instead, as its series moves in steps (trend.c).
 */
#define FLOOR_MIN_RISE 4096

int ow_fit_line(const struct ow_diag_sample *s, size_t n, struct ow_line_fit *out)
{
	double mt = 0, mb = 0, stt = 0, stb = 0, sbb = 0;
	size_t i;

	if (n < 2)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		mt += s[i].t_s;
		mb += s[i].bytes;
	}
	mt /= (double)n;
	mb /= (double)n;
	for (i = 0; i < n; i++) {
		double dt = s[i].t_s - mt, db = s[i].bytes - mb;

		stt += dt * dt;
		stb += dt * db;
		sbb += db * db;
	}
	if (stt <= 0)
		return -EINVAL;
	out->slope = stb / stt;
	out->intercept = mb - out->slope * mt;
	out->r2 = sbb > 0 ? (stb * stb) / (stt * sbb) : 1.0;
	return 0;
}

/* How many of the three steps between the window's quarters raise the floor. */
static unsigned int floor_rises(const struct ow_diag_sample *s, size_t n, double span)
{
	double floor[4] = {INFINITY, INFINITY, INFINITY, INFINITY}, t0 = s[0].t_s;
	uint64_t bytes[4];
	unsigned int q;
	size_t i;

	for (i = 0; i < n; i++) {
		q = (unsigned int)((s[i].t_s - t0) / span * 4);
		q = q > 3 ? 3 : q;
		if (s[i].bytes < floor[q])
			floor[q] = s[i].bytes;
	}
	/* The samples are byte counts: whole, and not negative. */
	for (q = 0; q < 4; q++)
		bytes[q] = isfinite(floor[q]) ? (uint64_t)fmax(floor[q], 0) : OW_FLOOR_NONE;
	return ow_floor_rises(bytes, FLOOR_MIN_RISE);
}

static void judge(struct ow_diag_judgement *j, enum ow_diag_finding v, double conf, const char *why)
{
	j->finding = v;
	j->confidence = conf < 0 ? 0 : conf > 1 ? 1 : conf;
	snprintf(j->reason, sizeof(j->reason), "%s", why);
}

void ow_diag_judge(const struct ow_diag_sample *s, size_t n, struct ow_diag_judgement *j)
{
	struct ow_line_fit fit;
	double growth, sure;

	memset(j, 0, sizeof(*j));
	j->span_s = n ? s[n - 1].t_s - s[0].t_s : 0;
	if (n < OW_DIAG_MIN_SAMPLES || j->span_s < OW_DIAG_MIN_SPAN_S || ow_fit_line(s, n, &fit)) {
		judge(j, OW_DIAG_INSUFFICIENT, 0, "watched too briefly to judge");
		return;
	}
	j->rate = fit.slope;
	j->r2 = fit.r2;
	j->floor_rises = floor_rises(s, n, j->span_s);
	growth = fit.slope * j->span_s;
	/* Evidence grows with the window: 30 s (the default) counts as a full look. */
	sure = j->span_s >= 30 ? 1.0 : j->span_s / 30;
	if (j->floor_rises == 3 && growth >= OW_DIAG_MIN_GROWTH)
		judge(j, OW_DIAG_LEAK, (0.5 + 0.5 * fit.r2) * (0.6 + 0.4 * sure),
		      "the floor of non-reclaimable memory rose in every quarter of the window");
	else if (j->floor_rises == 3)
		judge(j, OW_DIAG_INSUFFICIENT, 0.3 * sure,
		      "it grows, but by less than 1 MiB in the window: watch longer");
	else if (j->floor_rises == 2 && growth >= OW_DIAG_MIN_GROWTH && fit.r2 >= 0.5)
		judge(j, OW_DIAG_LEAK, 0.5 * fit.r2 * (0.6 + 0.4 * sure),
		      "the floor rose in most of the window and the trend is steady");
	else
		judge(j, OW_DIAG_NO_LEAK, (0.5 + 0.5 * sure) * (j->floor_rises ? 0.8 : 1.0),
		      growth > 0 && j->floor_rises < 2
			      ? "it grew, then held or fell back: no steady rise of the floor"
			      : "non-reclaimable memory did not keep rising");
}

const char *ow_diag_finding_name(enum ow_diag_finding v)
{
	switch (v) {
	case OW_DIAG_LEAK:
		return "leak";
	case OW_DIAG_NO_LEAK:
		return "no-leak";
	default:
		return "insufficient-data";
	}
}
