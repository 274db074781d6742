// SPDX-License-Identifier: GPL-2.0
/*
 * Stack symbolizer: see userspace/diagnose/symbolize.h. A snapshot of the executable mappings and
 * the perf map is taken at open; each mapping's module is found on first use and kept.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perf_map.h"
#include "proc_maps.h"
#include "symbolize.h"
#include "target_files.h"

struct mapping_module {
	const struct ow_elf_symbols *elf; /* NULL: no usable ELF */
	bool tried;
};

struct ow_symbolizer {
	char *proc_root;
	int pid;
	struct ow_map *maps; /* executable, sorted */
	size_t nmaps;
	struct mapping_module *mods; /* one per mapping */
	struct ow_symtab jit;
	char jit_module[96]; /* the perf map's basename; "" when there is none */
	struct ow_symcache *cache;
	bool own_cache;
};

/* ---- the perf map ---- */

/* The target writes its perf map; anyone can write to /tmp. Trust only the target's own
 * file (or root's, or ours), of a size worth reading. */
static bool trusted_owner(int fd, const struct ow_target_ids *ids)
{
	struct stat st;

	if (fstat(fd, &st) || st.st_size > OW_PERF_MAP_MAX)
		return false;
	return st.st_uid == 0 || st.st_uid == geteuid() || (ids->has_uid && st.st_uid == ids->uid);
}

static int open_perf_map(struct ow_symbolizer *s, const char *path, char *name, size_t len)
{
	struct ow_target_ids ids = {.nspid = s->pid};
	char buf[64];
	int fd;

	ow_target_ids(s->proc_root, s->pid, &ids); /* without it: only root's or our file */
	if (path) {
		fd = ow_open_regular(path);
	} else {
		snprintf(buf, sizeof(buf), "/tmp/perf-%d.map", ids.nspid);
		fd = ow_target_open_in_root(s->proc_root, s->pid, buf);
		if (fd < 0) {
			snprintf(buf, sizeof(buf), "/tmp/perf-%d.map", s->pid);
			fd = ow_open_regular(buf);
		}
		path = buf;
	}
	if (fd >= 0 && !trusted_owner(fd, &ids)) {
		close(fd);
		fd = -EPERM;
	}
	if (fd >= 0)
		snprintf(name, len, "%s", strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	return fd;
}

/* A missing, unreadable or untrusted perf map only means no JIT names. */
static int load_perf_map(struct ow_symbolizer *s, const char *path)
{
	char name[sizeof(s->jit_module)];
	FILE *f;
	int fd, err;

	fd = open_perf_map(s, path, name, sizeof(name));
	if (fd < 0)
		return 0;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	err = ow_perf_map_load(f, &s->jit);
	fclose(f);
	if (err == -ENOMEM)
		return err;
	if (!err)
		memcpy(s->jit_module, name, sizeof(name));
	return 0;
}

/* ---- open / close ---- */

int ow_symbolizer_open_cached(const char *proc_root, int pid, const char *perf_map_path,
			      struct ow_symcache *cache, struct ow_symbolizer **out)
{
	struct ow_symbolizer *s;
	int err;

	if (!proc_root || pid <= 0 || !out)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	ow_symtab_init(&s->jit, OW_PICK_HIGHEST);
	s->pid = pid;
	s->cache = cache;
	s->own_cache = !cache;
	if (!s->cache)
		s->cache = ow_symcache_new();
	s->proc_root = strdup(proc_root);
	err = s->cache && s->proc_root ? 0 : -ENOMEM;
	if (!err)
		err = ow_maps_read(proc_root, pid, true, &s->maps, &s->nmaps);
	if (!err) {
		s->mods = calloc(s->nmaps ? s->nmaps : 1, sizeof(*s->mods));
		err = s->mods ? 0 : -ENOMEM;
	}
	if (!err)
		err = load_perf_map(s, perf_map_path);
	if (err) {
		ow_symbolizer_close(s);
		return err;
	}
	*out = s;
	return 0;
}

int ow_symbolizer_open(const char *proc_root, int pid, const char *perf_map_path,
		       struct ow_symbolizer **out)
{
	return ow_symbolizer_open_cached(proc_root, pid, perf_map_path, NULL, out);
}

void ow_symbolizer_close(struct ow_symbolizer *s)
{
	if (!s)
		return;
	if (s->own_cache)
		ow_symcache_free(s->cache);
	ow_maps_free(s->maps, s->nmaps);
	free(s->mods);
	ow_symtab_free(&s->jit);
	free(s->proc_root);
	free(s);
}

/* ---- lookup ---- */

/*
 * The mapped file itself (map_files) when we may; else by path, which may have been replaced
 * since it was mapped: then its inode differs from maps' and it is not used.
 */
static int open_mapped_file(const struct ow_symbolizer *s, const struct ow_map *m)
{
	struct stat st;
	int fd;

	fd = ow_target_open_mapped(s->proc_root, s->pid, m->start, m->end);
	if (fd >= 0 || m->deleted)
		return fd;
	fd = ow_target_open(s->proc_root, s->pid, m->path);
	if (fd >= 0 && m->inode && (fstat(fd, &st) || st.st_ino != m->inode)) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

static int module_of(struct ow_symbolizer *s, size_t i, const struct ow_elf_symbols **out)
{
	struct mapping_module *mm = &s->mods[i];
	int fd, err = 0;

	if (!mm->tried) {
		fd = open_mapped_file(s, &s->maps[i]);
		if (fd >= 0) {
			err = ow_symcache_get(s->cache, fd, &mm->elf);
			close(fd);
		}
		mm->tried = err != -ENOMEM; /* out of memory: try again next time */
	}
	*out = mm->elf;
	return err == -ENOMEM ? err : 0;
}

/* Copy a name from a file the target controls into a frame: no control bytes, and cut
 * where a UTF-8 sequence starts, never inside one. */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1), i;

	if (src[n] != '\0')
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	dst[n] = '\0';
}

static void resolve_jit(const struct ow_symbolizer *s, const struct ow_map *m, uint64_t addr,
			struct ow_frame *f)
{
	const struct ow_symtab_entry *e = ow_symtab_find(&s->jit, addr);

	if (!e)
		return; /* anonymous memory has no module to be an offset into */
	copy_name(f->name, sizeof(f->name), ow_symtab_name(&s->jit, e));
	copy_name(f->module, sizeof(f->module), s->jit_module);
	f->sym_off = addr - e->start;
	f->mod_off = addr - m->start;
	f->resolved = true;
}

static int resolve_file(struct ow_symbolizer *s, size_t i, uint64_t addr, struct ow_frame *f)
{
	const struct ow_map *m = &s->maps[i];
	const struct ow_elf_symbols *elf;
	const struct ow_symtab_entry *e;
	const char *base = strrchr(m->path, '/');
	uint64_t vaddr;
	int err;

	copy_name(f->module, sizeof(f->module), base ? base + 1 : m->path);
	f->mod_off = addr - m->start + m->pgoff;
	if (m->kind != OW_MAP_FILE)
		return 0;
	err = module_of(s, i, &elf);
	if (!elf || ow_elf_offset_to_vaddr(elf, f->mod_off, &vaddr))
		return err;
	e = ow_symtab_find(&elf->syms, vaddr);
	if (!e)
		return 0; /* past the last symbol, or between two: module+offset */
	copy_name(f->name, sizeof(f->name), ow_symtab_name(&elf->syms, e));
	f->sym_off = vaddr - e->start;
	f->resolved = true;
	return 0;
}

int ow_symbolize(struct ow_symbolizer *s, uint64_t addr, struct ow_frame *out)
{
	const struct ow_map *m;

	if (!s || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->addr = addr;
	m = ow_maps_find(s->maps, s->nmaps, addr);
	if (!m)
		return 0;
	if (m->kind == OW_MAP_ANON) {
		resolve_jit(s, m, addr, out);
		return 0;
	}
	return resolve_file(s, (size_t)(m - s->maps), addr, out);
}

const char *ow_frame_label(const struct ow_frame *f, char *buf, size_t len)
{
	if (!buf || !len)
		return "";
	if (f->resolved)
		snprintf(buf, len, "%s", f->name);
	else if (f->module[0])
		snprintf(buf, len, "%s+0x%llx", f->module, (unsigned long long)f->mod_off);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)f->addr);
	return buf;
}
