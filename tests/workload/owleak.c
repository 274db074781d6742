// SPDX-License-Identifier: GPL-2.0
/*
 * owleak: a process with a known native leak, for `oomwarden diagnose` tests.
 *
 * Leaks --rate MiB/s from leak_slowly() (or, with --jit, from a JIT-compiled stub named in
 * /tmp/perf-PID.map, as `node --perf-basic-prof` writes it), while churn_alloc() keeps
 * --churn short-lived allocations a second alive and freed elsewhere. --rate 0 is a steady
 * process. Built with frame pointers so the kernel can walk its stacks.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define TICK_NS	   10000000L  /* 10 ms */
#define LEAK_BLOCK (64 << 10) /* below glibc's mmap threshold: the heap grows */
#define CHURN_RING 256

typedef void *(*alloc_fn)(size_t);

static volatile sig_atomic_t stop;
static void *churn_ring[CHURN_RING];

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The leak the tests expect first in the top stack: never freed, every byte touched. */
__attribute__((noinline)) void *leak_slowly(size_t n)
{
	void *p = malloc(n);

	if (p)
		memset(p, 0xab, n);
	return p;
}

/* Allocations that come and go: a steady state of CHURN_RING blocks of 16-32 KiB. */
__attribute__((noinline)) void churn_alloc(unsigned int *seed)
{
	unsigned int slot = (unsigned int)rand_r(seed) % CHURN_RING;
	size_t n = (16 << 10) + (size_t)(rand_r(seed) % (16 << 10));

	free(churn_ring[slot]);
	churn_ring[slot] = malloc(n);
	if (churn_ring[slot])
		memset(churn_ring[slot], 0x5a, n);
}

/* A stub in anonymous executable memory that calls malloc(n) with a frame pointer, like a
 * JIT-compiled function, and the perf map line that names it. */
static alloc_fn make_jit_stub(void)
{
	static const unsigned char pro[] = {0x55, 0x48, 0x89, 0xe5, 0x48, 0xb8};
	static const unsigned char epi[] = {0xff, 0xd0, 0x5d, 0xc3};
	void *target = (void *)malloc;
	unsigned char *code;
	char path[64];
	FILE *f;

	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (code == MAP_FAILED)
		return NULL;
	memcpy(code, pro, sizeof(pro));
	memcpy(code + sizeof(pro), &target, sizeof(target));
	memcpy(code + sizeof(pro) + sizeof(target), epi, sizeof(epi));
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fprintf(f, "%lx 40 LazyCompile:*leakyJsFunction /srv/app/worker.js:42\n",
		(unsigned long)(uintptr_t)code);
	fclose(f);
	return (alloc_fn)(uintptr_t)code;
}

static void usage(void)
{
	fputs("usage: owleak [--rate MIB_S] [--churn N_PER_S] [--jit] [--exit-after S]\n"
	      "              [--ready FILE]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"rate", required_argument, NULL, 'r'},
		{"churn", required_argument, NULL, 'c'},
		{"jit", no_argument, NULL, 'j'},
		{"exit-after", required_argument, NULL, 'x'},
		{"ready", required_argument, NULL, 'R'},
		{0},
	};
	double rate = 1, churn = 2000, exit_after = 0, t0, owed = 0, churn_owed = 0;
	struct timespec tick = {0, TICK_NS};
	const char *ready = NULL;
	unsigned int seed = 42;
	alloc_fn jit = NULL;
	bool use_jit = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rate = atof(optarg);
			break;
		case 'c':
			churn = atof(optarg);
			break;
		case 'j':
			use_jit = true;
			break;
		case 'x':
			exit_after = atof(optarg);
			break;
		case 'R':
			ready = optarg;
			break;
		default:
			usage();
		}
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (use_jit && !(jit = make_jit_stub())) {
		perror("owleak: jit stub");
		return 1;
	}
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (!f)
			return 1;
		fprintf(f, "%d\n", getpid());
		fclose(f);
	}
	t0 = now_s();
	while (!stop && (!exit_after || now_s() - t0 < exit_after)) {
		owed += rate * 1048576.0 * TICK_NS / 1e9;
		for (; owed >= LEAK_BLOCK; owed -= LEAK_BLOCK) {
			void *p = jit ? jit(LEAK_BLOCK) : leak_slowly(LEAK_BLOCK);

			if (jit && p)
				memset(p, 0xab, LEAK_BLOCK);
		}
		for (churn_owed += churn * TICK_NS / 1e9; churn_owed >= 1; churn_owed--)
			churn_alloc(&seed);
		nanosleep(&tick, NULL);
	}
	return 0;
}
