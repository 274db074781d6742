// SPDX-License-Identifier: GPL-2.0
/*
 * A page-fault-heavy workload for `make bench`: fault in SIZE MiB (default 4096) of anonymous
 * memory, one write per 4 KiB page (one fault, one kmem:rss_stat event each), as 16 rounds over
 * one 256 MiB region returned with MADV_DONTNEED after each round (a second rss_stat per page).
 * Reusing the region keeps the pages backed by the hypervisor: a fresh 4 GiB mapping in this VM
 * is dominated by the host's own faults, which vary 2x from run to run. Prints the CPU seconds
 * (user + system) of the touching: the BPF programs run inside the faults, so they count, while
 * time the host steals does not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define REGION (256UL << 20)

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void touch(char *p)
{
	size_t off;

	for (off = 0; off < REGION; off += 4096)
		p[off] = 1;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 4096;
	size_t rounds = mib / (REGION >> 20), i;
	double start;
	char *p;

	p = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("faulter: mmap");
		return 1;
	}
	madvise(p, REGION, MADV_NOHUGEPAGE); /* one fault per 4 KiB page */
	touch(p);			     /* warm-up: back the region on the host */
	madvise(p, REGION, MADV_DONTNEED);
	start = cpu_now();
	for (i = 0; i < rounds; i++) {
		touch(p);
		madvise(p, REGION, MADV_DONTNEED);
	}
	printf("%.6f\n", cpu_now() - start);
	return 0;
}
