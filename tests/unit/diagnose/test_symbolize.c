// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the symbolizer (userspace/diagnose/symbolize.c and the readers under it): the parsers
 * and the table against literals and tests/fixtures/symbolize (malformed maps and perf maps,
 * files that are not ELF), then live processes built by the Makefile in OW_SYM_TARGETS: a PIE,
 * its `strip -s` copy and a non-PIE build, each printing the addresses of its own functions, of
 * libc functions and of an anonymous PROT_EXEC region.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "elf_symbols.h"
#include "perf_map.h"
#include "proc_maps.h"
#include "symbolize.h"
#include "symtab.h"

#ifndef OW_FIXTURES
#error "build with -DOW_FIXTURES='\"/abs/path/tests/fixtures\"'"
#endif
#ifndef OW_SYM_TARGETS
#error "build with -DOW_SYM_TARGETS='\"/abs/path/build/tests/symbolize\"'"
#endif

#define FIX	  OW_FIXTURES "/symbolize"
#define FIX_PROC  FIX "/proc"
#define FIX_PID	  4242
#define LABEL_LEN 256

static const char *label(const struct ow_frame *f)
{
	static char buf[LABEL_LEN];

	return ow_frame_label(f, buf, sizeof(buf));
}

/* ---- /proc/PID/maps lines ---- */

static void test_maps_line_file(void **state)
{
	struct ow_map m;

	assert_int_equal(ow_map_parse_line("7f12a0000000-7f12a0021000 r-xp 00028000 fd:01 1835 "
					   "    /usr/lib/x86_64-linux-gnu/libc.so.6",
					   &m),
			 0);
	assert_true(m.start == 0x7f12a0000000ULL && m.end == 0x7f12a0021000ULL);
	assert_true(m.pgoff == 0x28000);
	assert_int_equal(m.dev_major, 0xfd);
	assert_int_equal(m.dev_minor, 1);
	assert_int_equal(m.inode, 1835);
	assert_true(m.exec);
	assert_false(m.deleted);
	assert_int_equal(m.kind, OW_MAP_FILE);
	assert_string_equal(m.path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	free(m.path);
}

static void test_maps_line_kinds(void **state)
{
	static const struct {
		const char *line;
		enum ow_map_kind kind;
		const char *path;
		bool deleted;
	} cases[] = {
		{"1000-2000 r-xp 00000000 00:00 0", OW_MAP_ANON, "", false},
		{"1000-2000 r-xp 00000000 00:00 0 ", OW_MAP_ANON, "", false},
		{"1000-2000 r-xp 00000000 00:00 0   [anon:v8 code]", OW_MAP_ANON, "[anon:v8 code]",
		 false},
		{"1000-2000 r-xs 00000000 00:01 9   /memfd:doublemapper (deleted)", OW_MAP_ANON,
		 "/memfd:doublemapper", true},
		{"1000-2000 r-xp 00000000 00:00 0   [vdso]", OW_MAP_PSEUDO, "[vdso]", false},
		{"1000-2000 r-xp 00001000 08:01 7   /opt/a b/lib x.so (deleted)", OW_MAP_FILE,
		 "/opt/a b/lib x.so", true},
	};
	struct ow_map m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ow_map_parse_line(cases[i].line, &m), 0);
		assert_int_equal(m.kind, cases[i].kind);
		assert_string_equal(m.path, cases[i].path);
		assert_int_equal(m.deleted, cases[i].deleted);
		free(m.path);
	}
}

static void test_maps_line_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage",
		"2000-1000 r-xp 00000000 08:01 0 /end-before-start",
		"1000-1000 r-xp 00000000 08:01 0 /empty-range",
		"1000-2000 rwzp 00000000 08:01 0 /perms",
		"1000-2000 r-x 00000000 08:01 0 /short-perms",
		"1000-2000 r-xp 00000000 0801 0 /dev",
		"-2000 r-xp 00000000 08:01 0 /no-start",
		"1000-2000 r-xp 00000000 08:01 12x /inode",
		"1000-2000 r-xp -0000001 08:01 0 /sign",
		" 1000-2000 r-xp 00000000 08:01 0 /leading-space",
		"1ffffffffffffffff-2000 r-xp 00000000 08:01 0 /overflow",
		"1000-2000 r-xp 00000000 08:01 99999999999999999999 /inode-overflow",
	};
	struct ow_map m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ow_map_parse_line(bad[i], &m) != -EINVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
	}
}

/* Bad, overlapping and unterminated lines are dropped; good ones around them are kept. */
static void test_maps_fixture(void **state)
{
	static const uint64_t want[] = {
		0x55d0c0a01000, 0x7f0000000000, 0x7f0000020000, 0x7f0000100000,	    0x7f0000200000,
		0x7f0000300000, 0x7f0000400000, 0x7ffc00000000, 0xffffffffff600000,
	};
	struct ow_map *maps;
	size_t n, i;

	assert_int_equal(ow_maps_read(FIX_PROC, FIX_PID, true, &maps, &n), 0);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++)
		assert_true(maps[i].start == want[i]);
	assert_string_equal(maps[0].path, "/owfixture/bin/app");
	assert_null(ow_maps_find(maps, n, 0x55d0c0a00fff)); /* r--p: not kept */
	assert_ptr_equal(ow_maps_find(maps, n, 0x55d0c0a02fff), &maps[0]);
	assert_null(ow_maps_find(maps, n, 0x55d0c0a03000));
	ow_maps_free(maps, n);

	assert_int_equal(ow_maps_read(FIX_PROC, FIX_PID, false, &maps, &n), 0);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]) + 2); /* + r--p app, rw-p [heap] */
	ow_maps_free(maps, n);

	assert_int_equal(ow_maps_read(FIX_PROC, 99999, true, &maps, &n), -ESRCH);
}

/* ---- perf map lines ---- */

static void test_perf_map_line(void **state)
{
	static const char *const bad[] = {
		"",
		"zzzz 10 x",
		"1000 zz x",
		"1000 0 zero",
		"1000 10",
		"1000 10 ",
		"1000  10 x",
		"-1000 10 x",
		"fffffffffffffff0 100 wraps",
		"10000000000000000 10 too-big",
	};
	uint64_t start, size;
	const char *name;
	size_t i;

	assert_int_equal(
		ow_perf_map_parse_line("7f00aa 1c LazyCompile:*f a.js:3", &start, &size, &name), 0);
	assert_true(start == 0x7f00aa && size == 0x1c);
	assert_string_equal(name, "LazyCompile:*f a.js:3");
	assert_int_equal(ow_perf_map_parse_line("0x10 0X2 n", &start, &size, &name), 0);
	assert_true(start == 0x10 && size == 2);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ow_perf_map_parse_line(bad[i], &start, &size, &name) != -EINVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
	}
}

static void load_perf_map_file(const char *path, struct ow_symtab *t)
{
	FILE *f = fopen(path, "re");

	assert_non_null(f);
	ow_symtab_init(t, OW_PICK_HIGHEST);
	assert_int_equal(ow_perf_map_load(f, t), 0);
	fclose(f);
}

static const char *jit_name(const struct ow_symtab *t, uint64_t addr)
{
	const struct ow_symtab_entry *e = ow_symtab_find(t, addr);

	return e ? ow_symtab_name(t, e) : NULL;
}

static void test_perf_map_fixture(void **state)
{
	struct ow_symtab t;

	load_perf_map_file(FIX_PROC "/4242/root/tmp/perf-7.map", &t);
	assert_int_equal(t.n, 7);
	assert_string_equal(jit_name(&t, 0x7f0000000000), "LazyCompile:*main /app/index.js:1");
	assert_string_equal(jit_name(&t, 0x7f00000000ff), "LazyCompile:*main /app/index.js:1");
	assert_string_equal(jit_name(&t, 0x7f0000000100), "Function: with  spaces\tand a tab");
	/* a later line over the same bytes wins, only over its own range */
	assert_string_equal(jit_name(&t, 0x7f0000000180), "later-overlap");
	assert_string_equal(jit_name(&t, 0x7f000000018f), "later-overlap");
	assert_string_equal(jit_name(&t, 0x7f0000000190), "Function: with  spaces\tand a tab");
	assert_null(jit_name(&t, 0x7f0000000200));
	assert_string_equal(jit_name(&t, 0x7f0000000910), "with-0x-prefix");
	assert_string_equal(jit_name(&t, 0x7f0000000a00), "crlf-ended");
	/* skipped lines name nothing */
	assert_null(jit_name(&t, 0x7f0000000200));
	assert_null(jit_name(&t, 0x7f0000000300));
	assert_null(jit_name(&t, 0x7f0000000400));
	assert_null(jit_name(&t, 0x7f0000000500));
	assert_null(jit_name(&t, 0x7f0000000800)); /* cut off: no newline */
	ow_symtab_free(&t);

	load_perf_map_file(FIX "/perf/empty.map", &t);
	assert_int_equal(t.n, 0);
	assert_null(jit_name(&t, 0));
	ow_symtab_free(&t);
	load_perf_map_file(FIX "/perf/cut.map", &t);
	assert_int_equal(t.n, 0);
	ow_symtab_free(&t);
}

/* ---- the table ---- */

static void add(struct ow_symtab *t, uint64_t start, uint64_t size, const char *name, uint32_t rank)
{
	assert_int_equal(ow_symtab_add(t, start, size, name, strlen(name), rank), 0);
}

static const char *find(const struct ow_symtab *t, uint64_t addr)
{
	const struct ow_symtab_entry *e = ow_symtab_find(t, addr);

	return e ? ow_symtab_name(t, e) : "-";
}

static void test_symtab_innermost(void **state)
{
	struct ow_symtab t;

	ow_symtab_init(&t, OW_PICK_INNERMOST);
	add(&t, 0x100, 0x100, "outer", 1);
	add(&t, 0x140, 0x10, "inner", 0);
	add(&t, 0x300, 0x10, "__alias", 0);
	add(&t, 0x300, 0x10, "alias", 5);
	add(&t, 0x300, 0x20, "longer", 0);
	add(&t, 0x400, 0, "sizeless", 0);
	assert_int_equal(ow_symtab_add(&t, UINT64_MAX - 1, 8, "wraps", 5, 0), -EINVAL);
	assert_int_equal(ow_symtab_add(&t, 0x10, 8, "", 0, 0), -EINVAL);
	assert_null(ow_symtab_find(&t, 0x100)); /* not finished */
	assert_int_equal(ow_symtab_finish(&t), 0);
	assert_int_equal(ow_symtab_add(&t, 0x10, 8, "late", 4, 0), -EINVAL);
	assert_string_equal(find(&t, 0xff), "-");
	assert_string_equal(find(&t, 0x100), "outer");
	assert_string_equal(find(&t, 0x145), "inner");
	assert_string_equal(find(&t, 0x150), "outer"); /* past inner, still in outer */
	assert_string_equal(find(&t, 0x200), "-");     /* the size bounds a match */
	assert_string_equal(find(&t, 0x30f), "alias");
	assert_string_equal(find(&t, 0x310), "longer");
	assert_string_equal(find(&t, 0x400), "sizeless");
	assert_string_equal(find(&t, 0x401), "-");
	ow_symtab_free(&t);
}

static void test_symtab_highest(void **state)
{
	struct ow_symtab t;

	ow_symtab_init(&t, OW_PICK_HIGHEST);
	add(&t, 0x100, 0x100, "late-big", 3);
	add(&t, 0x140, 0x10, "early-small", 1);
	add(&t, 0x180, 0x10, "later-small", 4);
	assert_int_equal(ow_symtab_finish(&t), 0);
	assert_string_equal(find(&t, 0x145), "late-big");
	assert_string_equal(find(&t, 0x185), "later-small");
	assert_string_equal(find(&t, 0x1ff), "late-big");
	assert_string_equal(find(&t, 0x200), "-");
	ow_symtab_free(&t);

	ow_symtab_init(&t, OW_PICK_HIGHEST);
	assert_int_equal(ow_symtab_finish(&t), 0);
	assert_string_equal(find(&t, 0), "-");
	ow_symtab_free(&t);
}

/* ---- labels ---- */

static void test_frame_label(void **state)
{
	struct ow_frame f = {.addr = 0xdeadbeef, .mod_off = 0x1a2b};
	char small[8];

	assert_string_equal(label(&f), "0xdeadbeef");
	strcpy(f.module, "libfoo.so");
	assert_string_equal(label(&f), "libfoo.so+0x1a2b");
	strcpy(f.name, "leak_more");
	f.resolved = true;
	assert_string_equal(label(&f), "leak_more");
	assert_string_equal(ow_frame_label(&f, small, sizeof(small)), "leak_mo");
	assert_string_equal(ow_frame_label(&f, NULL, 0), "");
}

/* ---- the symbolizer on the fixture process ---- */

static struct ow_frame sym(struct ow_symbolizer *s, uint64_t addr)
{
	struct ow_frame f;

	assert_int_equal(ow_symbolize(s, addr, &f), 0);
	assert_true(f.addr == addr);
	return f;
}

static void test_fixture_process(void **state)
{
	struct ow_symbolizer *s;
	struct ow_frame f;

	/* No path: the perf map is found in its root under its own pid (NSpid 7). */
	assert_int_equal(ow_symbolizer_open(FIX_PROC, FIX_PID, NULL, &s), 0);
	f = sym(s, 0x7f0000000010);
	assert_true(f.resolved);
	assert_string_equal(f.name, "LazyCompile:*main /app/index.js:1");
	assert_string_equal(f.module, "perf-7.map");
	assert_true(f.sym_off == 0x10 && f.mod_off == 0x10);
	f = sym(s, 0x7f0000000705);
	assert_string_equal(f.name, "esc?[31mred"); /* no terminal escapes from the target */
	assert_string_equal(label(&f), "esc?[31mred");
	assert_string_equal(label(&(struct ow_frame){0}), "0x0");
	assert_string_equal((f = sym(s, 0x7f0000000800), label(&f)), "0x7f0000000800");
	assert_string_equal((f = sym(s, 0x7f0000020010), label(&f)), "0x7f0000020010");
	/* files that are missing or no ELF: module+offset, from the mapping's pgoff */
	assert_string_equal((f = sym(s, 0x55d0c0a01234), label(&f)), "app+0x1234");
	assert_string_equal((f = sym(s, 0x55d0c0a02fff), label(&f)), "app+0x2fff");
	assert_string_equal((f = sym(s, 0x7f0000100010), label(&f)), "not-elf+0x10");
	assert_string_equal((f = sym(s, 0x7f0000200020), label(&f)), "elf-truncated+0x20");
	assert_string_equal((f = sym(s, 0x7f0000300030), label(&f)), "empty.so+0x30");
	assert_string_equal((f = sym(s, 0x7f0000400040), label(&f)), "lib with space.so+0x2040");
	assert_string_equal((f = sym(s, 0x7ffc00000100), label(&f)), "[vdso]+0x100");
	/* dropped lines, non-executable and unmapped memory: the bare address */
	assert_string_equal((f = sym(s, 0x7f0000600000), label(&f)), "0x7f0000600000");
	assert_string_equal((f = sym(s, 0x7f0000d00000), label(&f)), "0x7f0000d00000");
	assert_string_equal((f = sym(s, 0x7f0000e00000), label(&f)), "0x7f0000e00000");
	assert_string_equal((f = sym(s, 0x10), label(&f)), "0x10");
	assert_false(f.resolved);
	assert_string_equal(f.module, "");
	ow_symbolizer_close(s);

	/* an explicit perf map replaces the default one */
	assert_int_equal(ow_symbolizer_open(FIX_PROC, FIX_PID, FIX "/perf/long-name.map", &s), 0);
	f = sym(s, 0x7f0000000000);
	assert_string_equal(f.module, "long-name.map");
	assert_int_equal(strlen(f.name), 158); /* cut before the 2-byte "é", not inside it */
	assert_int_equal(strspn(f.name, "x"), 158);
	ow_symbolizer_close(s);
	assert_int_equal(ow_symbolizer_open(FIX_PROC, FIX_PID, FIX "/perf/none.map", &s), 0);
	assert_string_equal((f = sym(s, 0x7f0000000010), label(&f)), "0x7f0000000010");
	ow_symbolizer_close(s);

	assert_int_equal(ow_symbolizer_open(FIX_PROC, 99999, NULL, &s), -ESRCH);
	assert_int_equal(ow_symbolizer_open(FIX_PROC, 0, NULL, &s), -EINVAL);
	assert_int_equal(ow_symbolize(NULL, 0, &f), -EINVAL);
	ow_symbolizer_close(NULL);
}

/* ---- live targets ---- */

struct target {
	pid_t pid;
	int in; /* its stdin: it exits when we close it, or when we exit after a failed assert */
	char path[PATH_MAX];
	uint64_t local_sum, global_work, getpid, puts, atoi, heap, jit;
};

static uint64_t *target_field(struct target *t, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{"local_sum", offsetof(struct target, local_sum)},
		{"global_work", offsetof(struct target, global_work)},
		{"getpid", offsetof(struct target, getpid)},
		{"puts", offsetof(struct target, puts)},
		{"atoi", offsetof(struct target, atoi)},
		{"heap", offsetof(struct target, heap)},
		{"jit", offsetof(struct target, jit)},
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!strcmp(fields[i].name, name))
			return (uint64_t *)((char *)t + fields[i].off);
	}
	return NULL;
}

static void read_addresses(struct target *t, int out)
{
	FILE *f = fdopen(out, "r");
	char line[256], name[64];
	unsigned long long addr;
	uint64_t *field;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && strcmp(line, "ready\n")) {
		assert_int_equal(sscanf(line, "%63s %llx", name, &addr), 2);
		field = target_field(t, name);
		assert_non_null(field);
		*field = addr;
	}
	assert_string_equal(line, "ready\n");
	fclose(f);
}

static void spawn(struct target *t, const char *name)
{
	int in[2], out[2];

	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s/%s", OW_SYM_TARGETS, name);
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	t->pid = fork();
	assert_true(t->pid >= 0);
	if (t->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(t->path, name, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	t->in = in[1];
	read_addresses(t, out[0]);
	assert_true(t->local_sum && t->global_work && t->jit);
}

static void reap(struct target *t)
{
	int status;

	close(t->in);
	assert_int_equal(waitpid(t->pid, &status, 0), t->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The file offset of `name` from its section header: independent of the PT_LOAD path. */
static uint64_t elf_symbol_file_offset(const char *path, const char *name)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	uint64_t off = 0;
	GElf_Shdr sh, text;
	GElf_Sym s;
	Elf_Data *d;
	Elf *elf;
	size_t i;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; d && i < d->d_size / sh.sh_entsize; i++) {
			gelf_getsym(d, (int)i, &s);
			if (strcmp(elf_strptr(elf, sh.sh_link, s.st_name), name))
				continue;
			gelf_getshdr(elf_getscn(elf, s.st_shndx), &text);
			off = s.st_value - text.sh_addr + text.sh_offset;
		}
	}
	elf_end(elf);
	close(fd);
	assert_true(off != 0);
	return off;
}

/* The bytes at a file offset are the bytes running at the address: the offset is right. */
static void assert_same_code(const struct target *t, uint64_t addr, const char *file, uint64_t off)
{
	unsigned char mem[16], disk[16];
	struct iovec local = {mem, sizeof(mem)}, remote = {(void *)addr, sizeof(mem)};
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, disk, sizeof(disk), (off_t)off), sizeof(disk));
	close(fd);
	assert_int_equal(process_vm_readv(t->pid, &local, 1, &remote, 1, 0), sizeof(mem));
	assert_memory_equal(mem, disk, sizeof(mem));
}

static void assert_label(struct ow_symbolizer *s, uint64_t addr, const char *fmt, ...)
{
	struct ow_frame f = sym(s, addr);
	char want[LABEL_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	assert_false(f.resolved);
	assert_string_equal(label(&f), want);
}

static void assert_named(struct ow_symbolizer *s, uint64_t addr, const char *name,
			 const char *module, uint64_t sym_off)
{
	struct ow_frame f = sym(s, addr);

	if (!f.resolved)
		fail_msg("0x%llx: %s, want %s", (unsigned long long)addr, label(&f), name);
	assert_string_equal(f.name, name);
	assert_string_equal(f.module, module);
	assert_true(f.sym_off == sym_off);
	assert_string_equal(label(&f), name);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void write_jit_map(const char *path, uint64_t jit, bool cut_last)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "%llx 40 LazyCompile:*leak /srv/app.js:12\n"
		 "%llx 40 old\n"
		 "not a line\n"
		 "%llx 20 Builtin: ArrayPush\n"
		 "%llx 20 newer%s",
		 (unsigned long long)jit, (unsigned long long)jit + 0x100,
		 (unsigned long long)jit + 0x100, (unsigned long long)jit + 0x200,
		 cut_last ? "" : "\n");
	write_file(path, text);
}

/* The last byte of the executable segment's file image, and where the last function ends. */
static void exec_tail(const char *path, uint64_t *last_off, uint64_t *last_vaddr,
		      uint64_t *syms_end)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	GElf_Phdr ph;
	GElf_Shdr sh;
	GElf_Sym sm;
	Elf_Data *d;
	size_t i, n;
	Elf *elf;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	assert_int_equal(elf_getphdrnum(elf, &n), 0);
	for (i = 0; i < n; i++) {
		gelf_getphdr(elf, (int)i, &ph);
		if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		*last_off = ph.p_offset + ph.p_filesz - 1;
		*last_vaddr = ph.p_vaddr + ph.p_filesz - 1;
	}
	*syms_end = 0;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; d && i < d->d_size / sh.sh_entsize; i++) {
			gelf_getsym(d, (int)i, &sm);
			if (GELF_ST_TYPE(sm.st_info) == STT_FUNC &&
			    sm.st_value + (sm.st_size ? sm.st_size : 1) > *syms_end)
				*syms_end = sm.st_value + (sm.st_size ? sm.st_size : 1);
		}
	}
	elf_end(elf);
	close(fd);
}

static void make_tmp_file(char *tmpl)
{
	int fd = mkstemp(tmpl);

	assert_true(fd >= 0);
	close(fd);
}

static void test_pie(void **state)
{
	char perf_map[] = "/tmp/owh-sym-perf-XXXXXX";
	const char *pm = strrchr(perf_map, '/') + 1;
	uint64_t off = elf_symbol_file_offset(OW_SYM_TARGETS "/target", "global_work");
	uint64_t last_off = 0, last_vaddr = 0, syms_end = 0;
	struct ow_symbolizer *s;
	struct target t;
	struct ow_frame f;

	spawn(&t, "target");
	make_tmp_file(perf_map);
	write_jit_map(perf_map, t.jit, true);
	assert_int_equal(ow_symbolizer_open("/proc", t.pid, perf_map, &s), 0);

	assert_named(s, t.local_sum, "local_sum", "target", 0);
	assert_named(s, t.local_sum + 5, "local_sum", "target", 5);
	assert_named(s, t.global_work, "global_work", "target", 0);
	f = sym(s, t.global_work);
	assert_true(f.mod_off == off);
	/* libc's .dynsym: the alias a user knows, not __getpid or _IO_puts */
	assert_named(s, t.getpid, "getpid", "libc.so.6", 0);
	assert_named(s, t.puts + 3, "puts", "libc.so.6", 3);
	assert_named(s, t.atoi, "atoi", "libc.so.6", 0);
	/* JIT: named by the perf map; a later line wins; a cut-off line names nothing */
	assert_named(s, t.jit + 0x10, "LazyCompile:*leak /srv/app.js:12", pm, 0x10);
	assert_named(s, t.jit + 0x105, "Builtin: ArrayPush", pm, 5);
	assert_named(s, t.jit + 0x130, "old", pm, 0x30);
	assert_label(s, t.jit + 0x200, "0x%llx", (unsigned long long)t.jit + 0x200);
	/* heap (not executable) and unmapped memory */
	assert_label(s, t.heap, "0x%llx", (unsigned long long)t.heap);
	assert_label(s, 0x10, "0x10");
	/* past the end of the last function, still in the segment: module+offset */
	exec_tail(t.path, &last_off, &last_vaddr, &syms_end);
	assert_true(last_vaddr >= syms_end);
	assert_label(s, t.global_work - off + last_off, "target+0x%llx",
		     (unsigned long long)last_off);
	ow_symbolizer_close(s);
	unlink(perf_map);
	reap(&t);
}

static void test_stripped(void **state)
{
	uint64_t off = elf_symbol_file_offset(OW_SYM_TARGETS "/target", "global_work");
	struct ow_symbolizer *s;
	struct target t;
	struct ow_frame f;

	spawn(&t, "target-stripped");
	assert_int_equal(ow_symbolizer_open("/proc", t.pid, NULL, &s), 0);
	assert_label(s, t.global_work, "target-stripped+0x%llx", (unsigned long long)off);
	f = sym(s, t.global_work + 7);
	assert_string_equal(f.module, "target-stripped");
	assert_true(f.mod_off == off + 7);
	assert_same_code(&t, t.global_work, t.path, off);
	assert_named(s, t.getpid, "getpid", "libc.so.6", 0);
	ow_symbolizer_close(s);
	reap(&t);
}

static void test_nopie(void **state)
{
	uint64_t off = elf_symbol_file_offset(OW_SYM_TARGETS "/target-nopie", "global_work");
	struct ow_symbolizer *s;
	struct target t;
	struct ow_frame f;

	spawn(&t, "target-nopie");
	assert_int_equal(ow_symbolizer_open("/proc", t.pid, NULL, &s), 0);
	assert_named(s, t.local_sum + 1, "local_sum", "target-nopie", 1);
	assert_named(s, t.global_work, "global_work", "target-nopie", 0);
	f = sym(s, t.global_work);
	assert_true(f.mod_off == off);
	assert_same_code(&t, t.global_work, t.path, off);
	/* non-PIE code takes a libc function's address as its own PLT stub: no symbol there */
	f = sym(s, t.atoi);
	assert_false(f.resolved);
	assert_string_equal(f.module, "target-nopie");
	ow_symbolizer_close(s);
	reap(&t);
}

/* ---- perf maps the target controls ---- */

static long max_rss_kib(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

/* A perf map of `size` bytes, sparse: `head` at its start, `tail` at `tail_at`. */
static void sparse_map(const char *path, const char *head, const char *tail, off_t tail_at,
		       off_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	if (tail)
		assert_int_equal(pwrite(fd, tail, strlen(tail), tail_at), (ssize_t)strlen(tail));
	assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
}

/* The label of an address of the fixture's anonymous executable region with `map` as its
 * perf map. */
static const char *jit_label(const char *map, uint64_t addr)
{
	static char buf[LABEL_LEN];
	struct ow_symbolizer *s;
	struct ow_frame f;

	alarm(30); /* a blocking open would hang here */
	assert_int_equal(ow_symbolizer_open(FIX_PROC, FIX_PID, map, &s), 0);
	alarm(0);
	f = sym(s, addr);
	ow_frame_label(&f, buf, sizeof(buf));
	ow_symbolizer_close(s);
	return buf;
}

static void test_perf_map_hostile(void **state)
{
	char dir[] = "/tmp/owh-sym-hostile-XXXXXX", path[96], link[96];
	long before;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/perf.map", dir);
	/* 1 GiB, one short line: refused whole, nothing allocated for it */
	sparse_map(path, "7f0000000000 100 head-fn\n", NULL, 0, 1LL << 30);
	before = max_rss_kib();
	assert_string_equal(jit_label(path, 0x7f0000000010), "0x7f0000000010");
	assert_true(max_rss_kib() - before < 32 * 1024);
	/* 128 MiB of NULs between two lines: the NUL "line" is dropped, not allocated */
	sparse_map(path, "7f0000000000 100 head-fn\n", "\n7f0000000100 100 tail-fn\n", 128 << 20,
		   (128 << 20) + 64);
	before = max_rss_kib();
	assert_string_equal(jit_label(path, 0x7f0000000010), "head-fn");
	assert_string_equal(jit_label(path, 0x7f0000000110), "tail-fn");
	assert_true(max_rss_kib() - before < 32 * 1024);
	/* a symlink is not followed, even to a good map of ours */
	sparse_map(path, "7f0000000000 100 head-fn\n", NULL, 0, 0);
	snprintf(link, sizeof(link), "%s/link.map", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_string_equal(jit_label(link, 0x7f0000000010), "0x7f0000000010");
	unlink(link);
	unlink(path);
	/* a FIFO: refused at once */
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_string_equal(jit_label(path, 0x7f0000000010), "0x7f0000000010");
	unlink(path);
	rmdir(dir);
}

/* No path given: /proc/PID/root/tmp/perf-PID.map, as node writes it; only if we trust it. */
static void test_default_perf_map(void **state)
{
	struct ow_symbolizer *s;
	char path[64], name[64];
	struct target t;

	spawn(&t, "target");
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)t.pid);
	snprintf(name, sizeof(name), "perf-%d.map", (int)t.pid);
	write_jit_map(path, t.jit, false);
	assert_int_equal(ow_symbolizer_open("/proc", t.pid, NULL, &s), 0);
	assert_named(s, t.jit + 0x201, "newer", name, 1);
	ow_symbolizer_close(s);
	/* owned by someone else in /tmp: could be anyone's forgery */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 54321, 54321), 0);
		assert_int_equal(ow_symbolizer_open("/proc", t.pid, NULL, &s), 0);
		assert_label(s, t.jit + 0x201, "0x%llx", (unsigned long long)t.jit + 0x201);
		ow_symbolizer_close(s);
	}
	unlink(path);
	reap(&t);
}

/*
 * Copy the target's maps into a fake proc root, with the inode of its own file lines moved by
 * `ino_delta`, and PID/root a link to "/" when `with_root`: no map_files there, so ELF files
 * are opened by path.
 */
static void fake_proc(const struct target *t, const char *dir, uint64_t ino_delta, bool with_root)
{
	char path[PATH_MAX], line[PATH_MAX + 128];
	unsigned long long ino;
	FILE *in, *out;
	int a, b;

	snprintf(path, sizeof(path), "%s/%d", dir, (int)t->pid);
	assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
	snprintf(path, sizeof(path), "%s/%d/root", dir, (int)t->pid);
	unlink(path);
	if (with_root)
		assert_int_equal(symlink("/", path), 0);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)t->pid);
	in = fopen(path, "re");
	snprintf(path, sizeof(path), "%s/%d/maps", dir, (int)t->pid);
	out = fopen(path, "we");
	assert_true(in && out);
	while (fgets(line, sizeof(line), in)) {
		if (strstr(line, t->path) &&
		    sscanf(line, "%*s %*s %*s %*s %n%llu%n", &a, &ino, &b) == 1) {
			fprintf(out, "%.*s%llu%s", a, line, ino + ino_delta, line + b);
			continue;
		}
		fputs(line, out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void rm_fake_proc(const struct target *t, const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%d/maps", dir, (int)t->pid);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d/root", dir, (int)t->pid);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d", dir, (int)t->pid);
	rmdir(path);
	rmdir(dir);
}

static void test_open_by_path(void **state)
{
	char dir[] = "/tmp/owh-sym-proc-XXXXXX";
	uint64_t off = elf_symbol_file_offset(OW_SYM_TARGETS "/target", "global_work");
	struct ow_symbolizer *s;
	struct target t;

	spawn(&t, "target");
	assert_non_null(mkdtemp(dir));
	/* through PID/root, the target's mount namespace */
	fake_proc(&t, dir, 0, true);
	assert_int_equal(ow_symbolizer_open(dir, t.pid, NULL, &s), 0);
	assert_named(s, t.global_work, "global_work", "target", 0);
	assert_named(s, t.getpid, "getpid", "libc.so.6", 0);
	ow_symbolizer_close(s);
	/* no PID/root: the path as it is */
	fake_proc(&t, dir, 0, false);
	assert_int_equal(ow_symbolizer_open(dir, t.pid, NULL, &s), 0);
	assert_named(s, t.local_sum, "local_sum", "target", 0);
	ow_symbolizer_close(s);
	/* the file at the path is not the one mapped (rebuilt, upgraded): no names from it */
	fake_proc(&t, dir, 1000000, true);
	assert_int_equal(ow_symbolizer_open(dir, t.pid, NULL, &s), 0);
	assert_label(s, t.global_work, "target+0x%llx", (unsigned long long)off);
	assert_named(s, t.getpid, "getpid", "libc.so.6", 0);
	ow_symbolizer_close(s);
	rm_fake_proc(&t, dir);
	reap(&t);
}

/* A copy of the target whose .symtab claims `size` bytes of zeros at the end of the file, a
 * sparse hole: what a hostile target can map and leave for us to read. Returns an open fd. */
static int elf_with_huge_symtab(char *tmpl, uint64_t size)
{
	int in = open(OW_SYM_TARGETS "/target", O_RDONLY | O_CLOEXEC), out = mkstemp(tmpl);
	char buf[65536];
	Elf64_Ehdr eh;
	Elf64_Shdr sh;
	ssize_t n;
	off_t at, end = 0;
	unsigned int i;

	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		end += write(out, buf, (size_t)n);
	close(in);
	assert_int_equal(pread(out, &eh, sizeof(eh), 0), sizeof(eh));
	for (i = 0; i < eh.e_shnum; i++) {
		at = (off_t)(eh.e_shoff + (uint64_t)i * eh.e_shentsize);
		assert_int_equal(pread(out, &sh, sizeof(sh), at), sizeof(sh));
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		sh.sh_offset = (uint64_t)end;
		sh.sh_size = size;
		assert_int_equal(pwrite(out, &sh, sizeof(sh), at), sizeof(sh));
		assert_int_equal(ftruncate(out, end + (off_t)size), 0);
		return out;
	}
	fail_msg("the target has no .symtab");
	return -1;
}

static void test_elf_huge_symtab(void **state)
{
	char path[] = "/tmp/owh-sym-elf-XXXXXX";
	int fd = elf_with_huge_symtab(path, (OW_ELF_SECTION_MAX / sizeof(Elf64_Sym) + 1) *
						    sizeof(Elf64_Sym));
	struct ow_elf_symbols e;
	long before = max_rss_kib();

	/* Not read: the module is still usable (segments, .dynsym), the RSS does not grow. */
	assert_int_equal(ow_elf_symbols_load(fd, &e), 0);
	assert_true(e.nsegments > 0);
	assert_true(max_rss_kib() - before < 32 * 1024);
	ow_elf_symbols_free(&e);
	close(fd);
	unlink(path);
}

static void test_elf_symbols(void **state)
{
	static const char *const not_elf[] = {
		FIX_PROC "/4242/root/owfixture/lib/not-elf",
		FIX_PROC "/4242/root/owfixture/lib/elf-truncated",
		FIX_PROC "/4242/root/owfixture/lib/empty.so",
	};
	uint64_t off = elf_symbol_file_offset(OW_SYM_TARGETS "/target", "global_work"), vaddr;
	struct ow_elf_symbols e;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(not_elf) / sizeof(not_elf[0]); i++) {
		fd = open(not_elf[i], O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(ow_elf_symbols_load(fd, &e), -ENOEXEC);
		close(fd);
	}
	fd = open(OW_SYM_TARGETS "/target-stripped", O_RDONLY | O_CLOEXEC);
	assert_int_equal(ow_elf_symbols_load(fd, &e), 0);
	close(fd);
	assert_int_equal(e.syms.n, 0); /* .dynsym holds imports only */
	assert_int_equal(e.nsegments, 4);
	assert_int_equal(ow_elf_offset_to_vaddr(&e, off, &vaddr), 0);
	assert_int_equal(ow_elf_offset_to_vaddr(&e, 1 << 30, &vaddr), -ENOENT);
	ow_elf_symbols_free(&e);
	fd = open(OW_SYM_TARGETS "/target", O_RDONLY | O_CLOEXEC);
	assert_int_equal(ow_elf_symbols_load(fd, &e), 0);
	close(fd);
	assert_string_equal(find(&e.syms, vaddr + 1), "global_work");
	ow_elf_symbols_free(&e);
}

/* Processes mapping the same library share its table. */
static void test_shared_cache(void **state)
{
	struct ow_symcache *cache = ow_symcache_new();
	struct ow_symbolizer *a, *b;
	struct target ta, tb;

	assert_non_null(cache);
	spawn(&ta, "target");
	spawn(&tb, "target-stripped");
	assert_int_equal(ow_symbolizer_open_cached("/proc", ta.pid, NULL, cache, &a), 0);
	assert_int_equal(ow_symbolizer_open_cached("/proc", tb.pid, NULL, cache, &b), 0);
	assert_int_equal(ow_symcache_count(cache), 0); /* read on first use */
	assert_named(a, ta.getpid, "getpid", "libc.so.6", 0);
	assert_named(b, tb.puts, "puts", "libc.so.6", 0);
	assert_int_equal(ow_symcache_count(cache), 1);
	assert_named(a, ta.global_work, "global_work", "target", 0);
	assert_int_equal(sym(b, tb.global_work).resolved, false);
	assert_int_equal(ow_symcache_count(cache), 3);
	ow_symbolizer_close(a);
	ow_symbolizer_close(b);
	ow_symcache_free(cache);
	reap(&ta);
	reap(&tb);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Printed, not asserted: a shared 2-core machine makes timings noisy. */
static void test_cost(void **state)
{
	char perf_map[] = "/tmp/owh-sym-perf-XXXXXX";
	enum { ROUNDS = 200000 };
	uint64_t addrs[6];
	struct ow_symbolizer *s;
	double t0, open_ns, first_ns, warm_ns;
	struct ow_frame f;
	struct target t;
	size_t i, k, resolved = 0;

	spawn(&t, "target");
	make_tmp_file(perf_map);
	write_jit_map(perf_map, t.jit, false);
	addrs[0] = t.local_sum + 3;
	addrs[1] = t.global_work + 9;
	addrs[2] = t.getpid;
	addrs[3] = t.puts + 20;
	addrs[4] = t.jit + 0x20;
	addrs[5] = t.heap;
	t0 = now_ns();
	assert_int_equal(ow_symbolizer_open("/proc", t.pid, perf_map, &s), 0);
	open_ns = now_ns() - t0;
	t0 = now_ns();
	for (k = 0; k < 6; k++)
		ow_symbolize(s, addrs[k], &f);
	first_ns = now_ns() - t0;
	t0 = now_ns();
	for (i = 0; i < ROUNDS; i++) {
		for (k = 0; k < 6; k++) {
			ow_symbolize(s, addrs[k], &f);
			resolved += f.resolved;
		}
	}
	warm_ns = (now_ns() - t0) / (ROUNDS * 6.0);
	assert_int_equal(resolved, ROUNDS * 5);
	printf("symbolize cost: open %.0f us, first 6 frames (loads target, libc) %.0f us, "
	       "warm %.0f ns/call\n",
	       open_ns / 1e3, first_ns / 1e3, warm_ns);
	ow_symbolizer_close(s);
	unlink(perf_map);
	reap(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_line_file),
		cmocka_unit_test(test_maps_line_kinds),
		cmocka_unit_test(test_maps_line_malformed),
		cmocka_unit_test(test_maps_fixture),
		cmocka_unit_test(test_perf_map_line),
		cmocka_unit_test(test_perf_map_fixture),
		cmocka_unit_test(test_symtab_innermost),
		cmocka_unit_test(test_symtab_highest),
		cmocka_unit_test(test_frame_label),
		cmocka_unit_test(test_fixture_process),
		cmocka_unit_test(test_elf_symbols),
		cmocka_unit_test(test_elf_huge_symtab),
		cmocka_unit_test(test_pie),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_nopie),
		cmocka_unit_test(test_perf_map_hostile),
		cmocka_unit_test(test_default_perf_map),
		cmocka_unit_test(test_open_by_path),
		cmocka_unit_test(test_shared_cache),
		cmocka_unit_test(test_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
