// SPDX-License-Identifier: GPL-2.0
/*
 * bench/scan.c: the daemon's cgroup scan over a real tree, timed. `bench-scan ROOT [N]` walks
 * ROOT once to fill the model (as the daemon's start does), then N more times (default 5) as a
 * rescan does: every cgroup already known, each only marked seen. Prints "first MS" and
 * "rescan MEDIAN MIN MAX" (milliseconds). Run by the scale part of `make bench-compare` on its
 * 20,000-memcg tree; the daemon calls the same ow_watch_scan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "watch.h"

#define MAX_RUNS 50

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void found(struct ow_cgroup *cg, bool added, void *arg)
{
	(*(unsigned int *)arg)++;
}

int main(int argc, char **argv)
{
	static struct ow_watch w; /* large: not on the stack */
	const char *roots[1];
	struct ow_watch_cfg wc = {.cgroups = roots, .ncgroups = 1};
	struct ow_model m = {0};
	double t[MAX_RUNS], t0;
	unsigned int n = 0;
	int runs = argc > 2 ? atoi(argv[2]) : 5, i;
	char err[512];

	if (argc < 2 || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: bench-scan CGROUP-DIR [RUNS, 1 to %d]\n", MAX_RUNS);
		return 2;
	}
	roots[0] = argv[1];
	if (ow_watch_init(&w, &wc, err, sizeof(err))) {
		fprintf(stderr, "bench-scan: %s\n", err);
		return 1;
	}
	t0 = now_ms();
	if (ow_watch_scan(&w, &m, found, &n)) {
		fprintf(stderr, "bench-scan: could not scan %s\n", argv[1]);
		return 1;
	}
	printf("cgroups %u\nfirst %.3f\n", n, now_ms() - t0);
	for (i = 0; i < runs; i++) {
		t0 = now_ms();
		ow_watch_scan(&w, &m, found, &n);
		t[i] = now_ms() - t0;
	}
	qsort(t, (size_t)runs, sizeof(t[0]), cmp);
	printf("rescan %.3f %.3f %.3f\n", t[runs / 2], t[0], t[runs - 1]);
	ow_model_free(&m);
	return 0;
}
