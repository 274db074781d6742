// SPDX-License-Identifier: GPL-2.0
/*
 * A page-fault-heavy workload for `make bench`: map SIZE MiB of anonymous memory, write one
 * byte per 4 KiB page (one fault, one kmem:rss_stat event each), unmap. Prints the seconds the
 * touching took, so process start-up is not measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 4096, len = mib << 20, off;
	struct timespec a, b;
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("faulter: mmap");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (off = 0; off < len; off += 4096)
		p[off] = 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	munmap(p, len);
	printf("%.6f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
