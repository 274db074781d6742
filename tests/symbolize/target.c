// SPDX-License-Identifier: GPL-2.0
/*
 * Symbolizer test target (tests/unit/diagnose/test_symbolize.c): prints the addresses of its own
 * functions (static and global), of libc functions, of a heap block and of an anonymous
 * PROT_EXEC region standing in for JIT code, one "name 0xADDR" a line, then "ready", then
 * waits until its stdin closes, so it never outlives the test that holds the other end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define JIT_LEN (4 * 4096)

static __attribute__((noinline)) int local_sum(const char *s)
{
	int sum = 0;

	while (*s)
		sum = sum * 31 + *s++;
	return sum;
}

__attribute__((noinline)) int global_work(int n)
{
	int i, acc = 1;

	for (i = 0; i < n; i++)
		acc = acc * 7 + local_sum("oomwarden");
	return acc;
}

static void show(const char *name, const void *addr)
{
	printf("%s %p\n", name, addr);
}

int main(void)
{
	void *jit = mmap(NULL, JIT_LEN, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *heap = malloc(64);
	char c;

	if (jit == MAP_FAILED || !heap)
		return 1;
	show("local_sum", (const void *)local_sum);
	show("global_work", (const void *)global_work);
	show("getpid", (const void *)getpid);
	show("puts", (const void *)puts);
	show("atoi", (const void *)atoi);
	show("heap", heap);
	show("jit", jit);
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	free(heap);
	return global_work(2) == 0;
}
