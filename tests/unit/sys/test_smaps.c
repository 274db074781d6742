// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/sys/smaps.c against fake proc roots in tests/fixtures/smaps (a real
 * smaps of `sleep` captured on the development machine, a start/end pair, malformed, empty,
 * zombie and vanished processes), generated large files, and the test process itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "smaps.h"

#ifndef OW_FIXTURES
#error "build with -DOW_FIXTURES='\"/abs/path/tests/fixtures\"'"
#endif

#define SMAPS OW_FIXTURES "/smaps"
#define KiB   1024ULL
#define MiB   (1024 * KiB)

static const struct ow_smaps_group *find(const struct ow_smaps *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->groups[i].name, name))
			return &s->groups[i];
	return NULL;
}

static void assert_group(const struct ow_smaps *s, const char *name, uint64_t size_kb,
			 uint64_t rss_kb, uint64_t anon_kb, uint64_t swap_kb, unsigned int nregions)
{
	const struct ow_smaps_group *g = find(s, name);

	if (!g)
		fail_msg("no group \"%s\"", name);
	assert_int_equal(g->size, size_kb * KiB);
	assert_int_equal(g->rss, rss_kb * KiB);
	assert_int_equal(g->anon, anon_kb * KiB);
	assert_int_equal(g->swap, swap_kb * KiB);
	assert_int_equal(g->nregions, nregions);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Totals cross-checked with awk over the same file (2924, 1844, 112, 0 kB; 37 regions). */
static void test_real_sleep(void **state)
{
	uint64_t size = 0, rss = 0, anon = 0, swap = 0, regions = 0;
	struct ow_smaps s;
	size_t i;

	assert_int_equal(ow_smaps_read(SMAPS "/real", 12780, &s), 0);
	assert_int_equal(s.n, 23);
	assert_int_equal(s.skipped, 0);
	assert_string_equal(s.groups[0].name, "/usr/bin/sleep"); /* address order */
	assert_string_equal(s.groups[1].name, "[heap]");
	assert_group(&s, "/usr/bin/sleep", 44, 44, 8, 0, 5);
	assert_group(&s, "[heap]", 132, 16, 16, 0, 1);
	assert_group(&s, "[anon]", 72, 32, 32, 0, 3);
	assert_group(&s, "/usr/lib/x86_64-linux-gnu/libc.so.6", 1876, 1320, 24, 0, 5);
	assert_group(&s, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 212, 212, 16, 0, 5);
	assert_group(&s, "/usr/lib/locale/C.utf8/LC_CTYPE", 348, 128, 0, 0, 1);
	assert_group(&s, "[stack]", 132, 16, 16, 0, 1);
	assert_group(&s, "[vdso]", 8, 4, 0, 0, 1);
	assert_group(&s, "[vvar]", 16, 0, 0, 0, 1);
	assert_group(&s, "[vvar_vclock]", 8, 0, 0, 0, 1);
	assert_group(&s, "[vsyscall]", 4, 0, 0, 0, 1);
	for (i = 0; i < s.n; i++) {
		size += s.groups[i].size;
		rss += s.groups[i].rss;
		anon += s.groups[i].anon;
		swap += s.groups[i].swap;
		regions += s.groups[i].nregions;
	}
	assert_int_equal(size, 2924 * KiB);
	assert_int_equal(rss, 1844 * KiB);
	assert_int_equal(anon, 112 * KiB);
	assert_int_equal(swap, 0);
	assert_int_equal(regions, 37);
	ow_smaps_free(&s);
	assert_null(s.groups);
	assert_int_equal(s.n, 0);
}

static void test_start_end_groups(void **state)
{
	struct ow_smaps a, b;

	assert_int_equal(ow_smaps_read(SMAPS "/start", 4242, &a), 0);
	assert_int_equal(ow_smaps_read(SMAPS "/end", 4242, &b), 0);
	assert_int_equal(a.n, 7);
	assert_int_equal(b.n, 7);
	assert_int_equal(a.skipped + b.skipped, 0);
	assert_group(&a, "/usr/bin/node", 4160, 3064, 64, 0, 2);
	assert_group(&a, "[heap]", 4096, 2048, 2048, 0, 1);
	assert_group(&a, "[anon]", 10240, 1536, 1536, 0, 2);
	assert_group(&a, "[anon:v8]", 1024, 256, 256, 0, 1);
	assert_group(&a, "/tmp/cache.db (deleted)", 64, 64, 0, 0, 1);
	assert_group(&b, "[heap]", 16384, 14336, 14336, 0, 1);
	assert_group(&b, "[anon]", 14336, 10752, 10752, 2048, 3);
	assert_group(&b, "[anon:v8]", 1024, 128, 128, 0, 1);
	assert_group(&b, "/usr/lib/libfoo.so", 100, 80, 0, 0, 1);
	assert_null(find(&b, "/tmp/cache.db (deleted)"));
	ow_smaps_free(&a);
	ow_smaps_free(&b);
}

/* The act alert's text: the largest growth first, whole entries only, nothing that grew less
 * than 1 MiB (nor shrank). */
static void test_grown_text(void **state)
{
	struct ow_smaps_delta d[4] = {
		{.name = "[heap]", .d_rss = 120 * MiB},
		{.name = "[anon]", .d_rss = 20 * MiB, .d_swap = 10 * MiB},
		{.name = "/usr/lib/libx.so", .d_rss = MiB / 2},
		{.name = "[stack]", .d_rss = -(int64_t)MiB},
	};
	char buf[256];

	ow_smaps_grown_text(d, 4, 3, buf, sizeof(buf));
	assert_string_equal(buf, "[heap] +120.0 MiB, [anon] +30.0 MiB");
	ow_smaps_grown_text(d, 4, 1, buf, sizeof(buf));
	assert_string_equal(buf, "[heap] +120.0 MiB");
	ow_smaps_grown_text(d, 4, 3, buf, 30); /* room for the first only */
	assert_string_equal(buf, "[heap] +120.0 MiB");
	ow_smaps_grown_text(d + 2, 2, 3, buf, sizeof(buf));
	assert_string_equal(buf, "");
	ow_smaps_grown_text(d, 0, 3, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_diff_order(void **state)
{
	static const char *const order[] = {
		"[heap]",  "[anon]", "/usr/lib/libfoo.so",	"/usr/bin/node",
		"[stack]", "[vdso]", "/tmp/cache.db (deleted)", "[anon:v8]",
	};
	struct ow_smaps_delta *d;
	struct ow_smaps a, b;
	size_t n, i;

	assert_int_equal(ow_smaps_read(SMAPS "/start", 4242, &a), 0);
	assert_int_equal(ow_smaps_read(SMAPS "/end", 4242, &b), 0);
	assert_int_equal(ow_smaps_diff(&a, &b, &d, &n), 0);
	assert_int_equal(n, 8);
	for (i = 0; i < n; i++)
		assert_string_equal(d[i].name, order[i]);

	assert_int_equal(d[0].d_rss, 12288 * KiB);
	assert_int_equal(d[0].d_size, 12288 * KiB);
	assert_int_equal(d[0].d_anon, 12288 * KiB);
	assert_int_equal(d[0].d_swap, 0);
	assert_int_equal(d[0].rss_end, 14336 * KiB);

	/* [anon]: one region grew and swapped, one is new */
	assert_int_equal(d[1].d_rss, 9216 * KiB);
	assert_int_equal(d[1].d_swap, 2048 * KiB);
	assert_int_equal(d[1].d_size, 4096 * KiB);
	assert_int_equal(d[1].d_regions, 1);
	assert_int_equal(d[1].rss_end, 10752 * KiB);

	assert_int_equal(d[2].d_rss, 80 * KiB); /* new mapping */
	assert_int_equal(d[2].d_regions, 1);
	assert_int_equal(d[3].d_rss, 0);
	assert_int_equal(d[3].rss_end, 3064 * KiB);

	/* gone: everything it had is negative growth */
	assert_int_equal(d[6].d_rss, -(int64_t)(64 * KiB));
	assert_int_equal(d[6].d_size, -(int64_t)(64 * KiB));
	assert_int_equal(d[6].d_regions, -1);
	assert_int_equal(d[6].rss_end, 0);
	assert_int_equal(d[7].d_rss, -(int64_t)(128 * KiB));
	free(d);

	/* Reversed, the shrinking mappings come first. */
	assert_int_equal(ow_smaps_diff(&b, &a, &d, &n), 0);
	assert_int_equal(n, 8);
	assert_string_equal(d[0].name, "[anon:v8]");
	assert_string_equal(d[7].name, "[heap]");
	assert_int_equal(d[7].d_rss, -(int64_t)(12288 * KiB));
	free(d);
	ow_smaps_free(&a);
	ow_smaps_free(&b);
}

static void test_malformed(void **state)
{
	char tail[OW_SMAPS_NAME_LEN];
	struct ow_smaps s;

	assert_int_equal(ow_smaps_read(SMAPS "/malformed", 4242, &s), 0);
	/*
	 * Skipped: 2 junk lines, a field before any header, 3 bad headers (bad hex, end before
	 * start, truncated) and their 4 fields, 6 bad values (abc, MB, -1, 20 digits, empty,
	 * trailing junk).
	 */
	assert_int_equal(s.skipped, 16);
	assert_int_equal(s.n, 6);
	assert_string_equal(s.groups[0].name, "/bin/a");
	assert_group(&s, "/bin/a", 16, 16, 12, 4, 2); /* the last line has no newline */
	/* the bad-hex header's 99999 kB went nowhere; no Size line: the header's range counts */
	assert_group(&s, "[heap]", 8, 4, 0, 0, 1);
	assert_group(&s, "[anon]", 4, 0, 0, 0, 1);
	assert_group(&s, "/tmp/evil?[31m", 4, 4, 0, 0, 1);
	assert_group(&s, "/opt/my app/lib.so", 4, 0, 0, 0, 1);
	assert_null(find(&s, "/bin/b"));

	/* 310-byte path: "..." and its last 252 bytes */
	assert_int_equal(strlen(s.groups[5].name), OW_SMAPS_NAME_LEN - 1);
	assert_memory_equal(s.groups[5].name, "...ddd", 6);
	snprintf(tail, sizeof(tail), "%s", s.groups[5].name + OW_SMAPS_NAME_LEN - 1 - 11);
	assert_string_equal(tail, "/libtail.so");
	ow_smaps_free(&s);
}

static void test_parse_edges(void **state)
{
	static const char nul_in_name[] = "1000-2000 rw-p 00000000 00:00 0 /a\0b\nRss: 4 kB\n";
	static const char long_utf8[] = "1000-2000 rw-p 00000000 00:00 0 /";
	char text[1024], name[OW_SMAPS_NAME_LEN];
	struct ow_smaps s;
	size_t i, len;

	assert_int_equal(ow_smaps_parse(NULL, 0, &s), 0);
	assert_int_equal(s.n, 0);

	assert_int_equal(ow_smaps_parse(nul_in_name, sizeof(nul_in_name) - 1, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.groups[0].name, "/a?b");
	assert_int_equal(s.groups[0].rss, 4 * KiB);
	ow_smaps_free(&s);

	/* Uppercase hex, 16 digits, a header without a trailing newline. */
	strcpy(text, "FFFFFFFFFF600000-FFFFFFFFFF601000 --xp 00000000 00:00 0 [vsyscall]");
	assert_int_equal(ow_smaps_parse(text, strlen(text), &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.groups[0].size, 4 * KiB);
	ow_smaps_free(&s);

	/* 17 hex digits is no address */
	strcpy(text, "10000000000000000-10000000000001000 rw-p 00000000 00:00 0\nRss: 4 kB\n");
	assert_int_equal(ow_smaps_parse(text, strlen(text), &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.skipped, 2);
	ow_smaps_free(&s);

	/* a NUL inside a number is no digit */
	assert_int_equal(ow_smaps_parse("1000-2000 rw-p 00000000 00:00 0\0 /x\n", 36, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.skipped, 1);
	ow_smaps_free(&s);

	/* A long name of 2-byte characters is cut at a character boundary. */
	len = strlen(long_utf8);
	memcpy(text, long_utf8, len);
	for (i = 0; i < 300; i++)
		memcpy(text + len + 2 * i, "\xc3\xa9", 2); /* é */
	len += 600;
	assert_int_equal(ow_smaps_parse(text, len, &s), 0);
	assert_int_equal(s.n, 1);
	strcpy(name, s.groups[0].name);
	assert_memory_equal(name, "...\xc3\xa9", 5);
	assert_int_equal((strlen(name) - 3) % 2, 0);
	ow_smaps_free(&s);
}

static void test_empty_and_gone(void **state)
{
	struct ow_smaps s;

	/* a kernel thread: no mappings, not an error */
	assert_int_equal(ow_smaps_read(SMAPS "/empty", 4242, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.skipped, 0);
	ow_smaps_free(&s);

	assert_int_equal(ow_smaps_read(SMAPS "/zombie", 4242, &s), -ESRCH);
	assert_int_equal(s.n, 0);
	/* smaps read, then its /proc directory was gone: the snapshot may be partial */
	assert_int_equal(ow_smaps_read(SMAPS "/vanished", 4242, &s), -ESRCH);
	assert_int_equal(s.n, 0);
	assert_int_equal(ow_smaps_read(SMAPS "/start", 4243, &s), -ESRCH);
	assert_int_equal(ow_smaps_read(SMAPS "/no-such-root", 1, &s), -ESRCH);
}

static void test_diff_edges(void **state)
{
	struct ow_smaps_group ga = {.name = "x", .rss = 0}, gb = {.name = "x", .rss = UINT64_MAX};
	struct ow_smaps a = {0}, b = {0};
	struct ow_smaps_delta *d;
	size_t n = 99;

	assert_int_equal(ow_smaps_diff(&a, &b, &d, &n), 0);
	assert_int_equal(n, 0);
	assert_non_null(d);
	free(d);

	a = (struct ow_smaps){.groups = &ga, .n = 1, .cap = 1};
	b = (struct ow_smaps){.groups = &gb, .n = 1, .cap = 1};
	assert_int_equal(ow_smaps_diff(&a, &b, &d, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].d_rss, INT64_MAX); /* saturated, not wrapped */
	free(d);
	assert_int_equal(ow_smaps_diff(&b, &a, &d, &n), 0);
	assert_int_equal(d[0].d_rss, INT64_MIN);
	free(d);
}

/* A Node-sized smaps: `nregions` regions over `nnames` file names, every third anonymous. */
static char *generate(size_t nregions, size_t nnames, size_t *len)
{
	size_t cap = nregions * 400 + 1, i;
	uint64_t addr = 0x7f0000000000ULL;
	char *buf = malloc(cap);
	char name[64];
	int n;

	assert_non_null(buf);
	*len = 0;
	for (i = 0; i < nregions; i++, addr += 0x2000) {
		name[0] = '\0';
		if (i % 3)
			snprintf(name, sizeof(name), "/srv/app/node_modules/mod-%zu", i % nnames);
		n = snprintf(buf + *len, cap - *len,
			     "%llx-%llx rw-p 00000000 fe:00 %zu %s\n"
			     "Size: 8 kB\nKernelPageSize: 4 kB\nRss: 4 kB\nPss: 4 kB\n"
			     "Anonymous: 4 kB\nLazyFree: 0 kB\nSwap: 4 kB\nSwapPss: 4 kB\n"
			     "Locked: 0 kB\nTHPeligible: 0\nVmFlags: rd wr mr mw me ac\n",
			     (unsigned long long)addr, (unsigned long long)addr + 0x2000, i, name);
		assert_true(n > 0 && (size_t)n < cap - *len);
		*len += (size_t)n;
	}
	return buf;
}

static void check_generated(const struct ow_smaps *s, size_t nregions, size_t ngroups)
{
	uint64_t rss = 0, regions = 0, nanon = (nregions + 2) / 3;
	size_t i;

	assert_int_equal(s->n, ngroups);
	assert_int_equal(s->skipped, 0);
	for (i = 0; i < s->n; i++) {
		rss += s->groups[i].rss;
		regions += s->groups[i].nregions;
	}
	assert_int_equal(regions, nregions);
	assert_int_equal(rss, nregions * 4 * KiB);
	assert_group(s, "[anon]", nanon * 8, nanon * 4, nanon * 4, nanon * 4, nanon);
}

/* Write `text` as DIR/4242/smaps with a live stat, read it back with ow_smaps_read. */
static void read_via_fake_proc(const char *text, size_t len, struct ow_smaps *out)
{
	char dir[] = "/tmp/owh-smaps-test-XXXXXX", pid_dir[64], smaps[96], stat[96];
	double t0;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(pid_dir, sizeof(pid_dir), "%s/4242", dir);
	snprintf(smaps, sizeof(smaps), "%s/smaps", pid_dir);
	snprintf(stat, sizeof(stat), "%s/stat", pid_dir);
	assert_int_equal(mkdir(pid_dir, 0700), 0);
	f = fopen(smaps, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	f = fopen(stat, "w");
	assert_non_null(f);
	fputs("4242 (node) R 1 4242\n", f);
	assert_int_equal(fclose(f), 0);

	t0 = now_ms();
	assert_int_equal(ow_smaps_read(dir, 4242, out), 0);
	printf("    read+parse of the same file: %.2f ms\n", now_ms() - t0);
	unlink(smaps);
	unlink(stat);
	rmdir(pid_dir);
	rmdir(dir);
}

static void test_large_parse_time(void **state)
{
	/* regions, file names, expected groups: 1000 names + [anon]; every file region distinct */
	static const size_t cases[][3] = {{20000, 1000, 1001}, {20000, 20000, 13334}};
	struct ow_smaps s, r;
	size_t i, len;
	double t0, t1;
	char *text;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = generate(cases[i][0], cases[i][1], &len);
		t0 = now_ms();
		assert_int_equal(ow_smaps_parse(text, len, &s), 0);
		t1 = now_ms();
		check_generated(&s, cases[i][0], cases[i][2]);
		printf("    parse: %zu regions, %zu groups, %.1f MiB: %.2f ms\n", cases[i][0], s.n,
		       len / (double)MiB, t1 - t0);

		/* the reader's buffer grows from 64 KiB past 4 MiB */
		read_via_fake_proc(text, len, &r);
		assert_int_equal(r.n, s.n);
		assert_memory_equal(r.groups, s.groups, s.n * sizeof(*s.groups));
		ow_smaps_free(&r);
		ow_smaps_free(&s);
		free(text);
	}
}

static int64_t heap_and_anon_growth(const struct ow_smaps_delta *d, size_t n)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(d[i].name, "[heap]") || !strcmp(d[i].name, "[anon]"))
			sum += d[i].d_rss + d[i].d_swap;
	return sum;
}

static void test_live_self(void **state)
{
	struct ow_smaps_delta *d;
	struct ow_smaps a, b, c;
	char text[256];
	size_t n, len = 64 * MiB;
	double t0, t1;
	char *p;

	t0 = now_ms();
	assert_int_equal(ow_smaps_read("/proc", getpid(), &a), 0);
	t1 = now_ms();
	assert_non_null(find(&a, "[stack]"));
	printf("    /proc/self/smaps: %zu groups, read+parse %.2f ms\n", a.n, t1 - t0);

	p = malloc(len);
	assert_non_null(p);
	memset(p, 0x5a, len);
	__asm__ volatile("" : : "r"(p) : "memory"); /* keep the stores: p is read by the kernel */
	assert_int_equal(ow_smaps_read("/proc", getpid(), &b), 0);
	assert_int_equal(ow_smaps_diff(&a, &b, &d, &n), 0);
	/* the act line's words: the one that grew by 64 MiB first, nothing under 1 MiB */
	ow_smaps_grown_text(d, n, 3, text, sizeof(text));
	printf("    grown: %s\n", text);
	assert_true(!strncmp(text, "[anon] +6", 9) || !strncmp(text, "[heap] +6", 9));
	/* bounded: 100 bytes of smaps is not the whole file */
	assert_int_equal(ow_smaps_read_max("/proc", getpid(), 100, &c), -EFBIG);
	printf("    64 MiB touched: [heap]+[anon] grew %lld KiB; first: %s %+lld KiB\n",
	       (long long)heap_and_anon_growth(d, n) / 1024, d[0].name,
	       (long long)d[0].d_rss / 1024);
	assert_true(heap_and_anon_growth(d, n) >= (int64_t)len);
	assert_true(!strcmp(d[0].name, "[anon]") || !strcmp(d[0].name, "[heap]"));
	free(d);
	free(p);
	ow_smaps_free(&a);
	ow_smaps_free(&b);
}

/* The real kernel: a zombie has an empty smaps (a partial read looks the same), a reaped
 * process has no directory. Both are -ESRCH, never an empty snapshot. */
static void test_live_exited_child(void **state)
{
	struct ow_smaps s;
	siginfo_t info;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(ow_smaps_read("/proc", pid, &s), 0);
	assert_non_null(find(&s, "[stack]"));
	ow_smaps_free(&s);

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0);
	assert_int_equal(ow_smaps_read("/proc", pid, &s), -ESRCH);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(ow_smaps_read("/proc", pid, &s), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_sleep),	  cmocka_unit_test(test_start_end_groups),
		cmocka_unit_test(test_diff_order),	  cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_parse_edges),	  cmocka_unit_test(test_empty_and_gone),
		cmocka_unit_test(test_diff_edges),	  cmocka_unit_test(test_grown_text),
		cmocka_unit_test(test_large_parse_time),  cmocka_unit_test(test_live_self),
		cmocka_unit_test(test_live_exited_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
