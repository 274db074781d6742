// SPDX-License-Identifier: GPL-2.0
/*
 * A malloc-heavy workload for `make bench`: OPS (default 10 million) malloc/free pairs over a
 * table of 4096 live slots (~115 MiB live), sizes log-uniform from 16 B to 256 KiB, each block
 * written once. Blocks above glibc's mmap threshold come and go as mappings, so the run mixes
 * allocator work with page faults and munmaps, as a busy service does. A fixed seed makes every run
 * the same. Prints the CPU seconds (user + system) of the loop, as bench/faulter.c does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS	  4096
#define MIN_SHIFT 4  /* 16 B */
#define MAX_SHIFT 18 /* 256 KiB */

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64: cheap and the same on every run. */
static unsigned long long next_rand(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Log-uniform sizes: as many 16-32 B blocks as 128-256 KiB ones. */
static size_t pick_size(unsigned long long r)
{
	unsigned int shift = MIN_SHIFT + (unsigned int)(r % (MAX_SHIFT - MIN_SHIFT));
	size_t base = (size_t)1 << shift;

	return base + (size_t)((r >> 8) % base);
}

int main(int argc, char **argv)
{
	unsigned long ops = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000000UL, i;
	unsigned long long seed = 0x9e3779b97f4a7c15ULL, r;
	static char *slot[SLOTS];
	double start;
	size_t n;
	char *p;

	start = cpu_now();
	for (i = 0; i < ops; i++) {
		r = next_rand(&seed);
		free(slot[r % SLOTS]);
		n = pick_size(r >> 16);
		p = malloc(n);
		if (!p) {
			perror("mallocer: malloc");
			return 1;
		}
		p[0] = (char)i;
		p[n - 1] = (char)i;
		slot[r % SLOTS] = p;
	}
	for (i = 0; i < SLOTS; i++)
		free(slot[i]);
	printf("%.6f\n", cpu_now() - start);
	return 0;
}
