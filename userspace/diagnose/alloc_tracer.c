// SPDX-License-Identifier: GPL-2.0
/* Allocation tracking by stack for `diagnose --stacks`: see userspace/diagnose/alloc_tracer.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "alloc_tracer.h"
#include "alloc.skel.h"
#include "elf_symbols.h"
#include "target_files.h"

#define PROBES_PER_PID 12

/* Probed functions, in attach order: frees first, then returns, then entries. Attaching takes
 * a while, and an allocation recorded before its free probe is live would stay outstanding. */
enum probed_fn {
	FN_FREE,
	FN_MUNMAP,
	FN_MALLOC,
	FN_CALLOC,
	FN_REALLOC,
	FN_MEMALIGN,
	FN_MMAP,
	FN_NR
};

static const char *const fn_names[FN_NR] = {
	"free", "munmap", "malloc", "calloc", "realloc", "posix_memalign", "mmap",
};

struct ow_alloc_tracer {
	struct ow_alloc_bpf *skel;
	struct bpf_link *links[OW_ALLOC_MAX_TARGETS * PROBES_PER_PID];
	unsigned int nlinks;
	pid_t pids[OW_ALLOC_MAX_TARGETS];
	unsigned int npids;
	char libc[512]; /* the last libc resolved, and its functions' file offsets */
	size_t offsets[FN_NR];
};

/* One live allocation read back from the map. */
struct live_rec {
	pid_t pid;
	int stack_id;
	uint64_t size;
	uint64_t ts_ns;
};

int ow_alloc_tracer_open(struct ow_alloc_tracer **out, char *err, size_t errlen)
{
	struct ow_alloc_tracer *t = calloc(1, sizeof(*t));
	int ret;

	if (!t)
		return -ENOMEM;
	t->skel = ow_alloc_bpf__open_and_load();
	if (!t->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot load the allocation tracer: %s", strerror(-ret));
		free(t);
		return ret;
	}
	*out = t;
	return 0;
}

static bool is_libc(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "libc.so", 7) || (!strncmp(base, "libc-", 5) && strstr(base, ".so"));
}

int ow_find_libc(const char *proc_root, pid_t pid, char *buf, size_t len)
{
	char path[256], line[4096];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/maps", proc_root, pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');

		if (!p)
			continue;
		p[strcspn(p, "\n")] = '\0';
		if (is_libc(p) && strlen(p) < len) {
			strcpy(buf, p);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* A function's file offset from its ELF symbol: the uprobe wants the offset in the file, the
 * symbol gives a virtual address inside one PT_LOAD segment. */
static size_t sym_file_offset(Elf *elf, const GElf_Sym *sym)
{
	size_t i, n;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return 0;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		if (sym->st_value >= ph.p_vaddr && sym->st_value < ph.p_vaddr + ph.p_memsz)
			return sym->st_value - ph.p_vaddr + ph.p_offset;
	}
	return 0;
}

static void scan_symbols(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, size_t *offsets)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	GElf_Sym sym;
	int f;

	for (i = 0; data && i < n; i++) {
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym) || !sym.st_value ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name); /* bounded: see the caller */
		for (f = 0; name && f < FN_NR; f++)
			if (!offsets[f] && !strcmp(name, fn_names[f]))
				offsets[f] = sym_file_offset(elf, &sym);
	}
}

/* Resolve every probed function in the target's libc (`path` as it names it) at once (libbpf
 * would parse libc once a probe). The target may have put a FIFO or a huge sparse file at that
 * path since it mapped it: opened as any file the target controls, sections bounded. */
static int resolve_libc(const char *proc_root, pid_t pid, const char *path, size_t *offsets)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int fd, f, ret = 0;
	Elf *elf;

	memset(offsets, 0, FN_NR * sizeof(*offsets));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = ow_target_open_in_root(proc_root, pid, path);
	if (fd < 0)
		return fd;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	while (elf && (scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) &&
		    (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB) &&
		    ow_elf_section_bounded(elf, &sh))
			scan_symbols(elf, scn, &sh, offsets);
	for (f = 0; f < FN_NR; f++)
		if (!offsets[f])
			ret = -ENOENT;
	elf_end(elf);
	close(fd);
	return ret;
}

static int attach_one(struct ow_alloc_tracer *t, struct bpf_program *prog, pid_t pid,
		      const char *binary, size_t offset, bool ret)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = ret);
	struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, pid, binary, offset, &opts);

	if (!link)
		return -errno;
	t->links[t->nlinks++] = link;
	return 0;
}

int ow_alloc_tracer_add_pid(struct ow_alloc_tracer *t, const char *proc_root, pid_t pid, char *err,
			    size_t errlen)
{
	struct ow_alloc_bpf *s = t->skel;
	const struct {
		struct bpf_program *prog;
		enum probed_fn fn;
		bool ret;
	} probes[PROBES_PER_PID] = {
		{s->progs.free_enter, FN_FREE, false},
		{s->progs.munmap_enter, FN_MUNMAP, false},
		{s->progs.alloc_return, FN_MALLOC, true},
		{s->progs.alloc_return, FN_CALLOC, true},
		{s->progs.alloc_return, FN_REALLOC, true},
		{s->progs.alloc_return, FN_MEMALIGN, true},
		{s->progs.alloc_return, FN_MMAP, true},
		{s->progs.malloc_enter, FN_MALLOC, false},
		{s->progs.calloc_enter, FN_CALLOC, false},
		{s->progs.realloc_enter, FN_REALLOC, false},
		{s->progs.posix_memalign_enter, FN_MEMALIGN, false},
		{s->progs.mmap_enter, FN_MMAP, false},
	};
	char libc[256], binary[512];
	int i, ret;

	if (t->npids == OW_ALLOC_MAX_TARGETS)
		return -E2BIG;
	ret = ow_find_libc(proc_root, pid, libc, sizeof(libc));
	if (ret) {
		snprintf(err, errlen, "pid %d maps no libc: no allocation stacks for it", pid);
		return ret;
	}
	/* Through the target's root, so a libc inside a container resolves to its own file. */
	snprintf(binary, sizeof(binary), "%s/%d/root%s", proc_root, pid, libc);
	if (strcmp(binary, t->libc)) {
		ret = resolve_libc(proc_root, pid, libc, t->offsets);
		if (ret) {
			snprintf(err, errlen, "cannot find malloc and free in %s (pid %d)", libc,
				 pid);
			return ret;
		}
		snprintf(t->libc, sizeof(t->libc), "%s", binary);
	}
	for (i = 0; i < PROBES_PER_PID; i++) {
		ret = attach_one(t, probes[i].prog, pid, binary, t->offsets[probes[i].fn],
				 probes[i].ret);
		if (ret) {
			snprintf(err, errlen, "cannot attach a uprobe to %s in %s (pid %d): %s",
				 fn_names[probes[i].fn], libc, pid, strerror(-ret));
			return ret;
		}
	}
	t->pids[t->npids++] = pid;
	return 0;
}

static int set_targets(struct ow_alloc_tracer *t, bool on)
{
	int fd = bpf_map__fd(t->skel->maps.targets);
	unsigned int i;
	__u8 one = 1;

	for (i = 0; i < t->npids; i++) {
		__u32 key = (__u32)t->pids[i];

		if (on ? bpf_map_update_elem(fd, &key, &one, BPF_ANY)
		       : bpf_map_delete_elem(fd, &key))
			if (on)
				return -errno;
	}
	return 0;
}

/* Probes attached one by one would see a free without its allocation, or the reverse: the
 * `targets` map switches them all on (and off) at once. */
int ow_alloc_tracer_start(struct ow_alloc_tracer *t)
{
	return set_targets(t, true);
}

void ow_alloc_tracer_stop(struct ow_alloc_tracer *t)
{
	set_targets(t, false);
}

static int by_pid_stack(const void *a, const void *b)
{
	const struct live_rec *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->stack_id < y->stack_id ? -1 : x->stack_id > y->stack_id;
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct ow_alloc_stack *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

/* Every outstanding allocation, in one array. */
static int read_live(struct ow_alloc_tracer *t, struct live_rec **out, size_t *n)
{
	int fd = bpf_map__fd(t->skel->maps.live);
	struct ow_alloc_key key, next, *prev = NULL;
	struct ow_alloc_rec rec;
	struct live_rec *v = NULL, *grown;
	size_t cap = 0, len = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &rec))
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				free(v);
				return -ENOMEM;
			}
			v = grown;
		}
		v[len++] = (struct live_rec){(pid_t)key.tgid, rec.stack_id, rec.size, rec.ts_ns};
	}
	*out = v;
	*n = len;
	return 0;
}

static void read_stack(struct ow_alloc_tracer *t, struct ow_alloc_stack *st)
{
	__u64 ips[OW_ALLOC_STACK_DEPTH] = {0};
	__u32 id = (__u32)st->stack_id;
	unsigned int i;

	st->nips = 0;
	if (st->stack_id < 0 || bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.stacks), &id, ips))
		return;
	for (i = 0; i < OW_ALLOC_STACK_DEPTH && ips[i]; i++)
		st->ips[st->nips++] = ips[i];
}

static void sum_counters(struct ow_alloc_tracer *t, struct ow_alloc_totals *tot)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct ow_alloc_counters *c;
	__u32 zero = 0;

	memset(tot, 0, sizeof(*tot));
	if (ncpu <= 0)
		return;
	c = calloc((size_t)ncpu, sizeof(*c));
	if (!c)
		return;
	if (!bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.counters), &zero, c)) {
		for (i = 0; i < ncpu; i++) {
			tot->allocs += c[i].allocs;
			tot->frees += c[i].frees;
			tot->table_full += c[i].table_full;
			tot->stack_lost += c[i].stack_lost;
		}
	}
	free(c);
}

int ow_alloc_tracer_collect(struct ow_alloc_tracer *t, struct ow_alloc_stack **out, size_t *n,
			    struct ow_alloc_totals *totals)
{
	struct ow_alloc_stack *stacks = NULL;
	struct live_rec *v;
	size_t len, i, ns = 0;
	int ret = read_live(t, &v, &len);

	if (ret)
		return ret;
	sum_counters(t, totals);
	qsort(v, len, sizeof(*v), by_pid_stack);
	/* One group per distinct (pid, stack): count them first, there may be a million records. */
	for (i = 0; i < len; i++)
		ns += !i || by_pid_stack(&v[i - 1], &v[i]);
	if (ns) {
		stacks = calloc(ns, sizeof(*stacks));
		if (!stacks) {
			free(v);
			return -ENOMEM;
		}
	}
	ns = 0;
	for (i = 0; i < len; i++) {
		struct ow_alloc_stack *st = ns ? &stacks[ns - 1] : NULL;

		if (!st || st->pid != v[i].pid || st->stack_id != v[i].stack_id) {
			st = &stacks[ns++];
			st->pid = v[i].pid;
			st->stack_id = v[i].stack_id;
			st->oldest_ns = v[i].ts_ns;
		}
		st->bytes += v[i].size;
		st->count++;
		if (v[i].ts_ns < st->oldest_ns)
			st->oldest_ns = v[i].ts_ns;
	}
	free(v);
	qsort(stacks, ns, sizeof(*stacks), by_bytes_desc);
	for (i = 0; i < ns; i++)
		read_stack(t, &stacks[i]);
	*out = stacks;
	*n = ns;
	return 0;
}

void ow_alloc_tracer_close(struct ow_alloc_tracer *t)
{
	if (!t)
		return;
	set_targets(t, false);
	while (t->nlinks)
		bpf_link__destroy(t->links[--t->nlinks]);
	ow_alloc_bpf__destroy(t->skel);
	free(t);
}
