/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stack symbolizer for `oomwarden diagnose --stacks`: addresses of one process ->
 * function names from its ELF objects (.symtab, else .dynsym) and from its JIT perf map.
 * A frame that cannot be named honestly is reported as module+offset or as the bare address:
 * nothing is guessed. Nothing is printed.
 */
#ifndef OW_SYMBOLIZE_H
#define OW_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symcache.h"

struct ow_frame {
	char name[160];	  /* function name (sanitized, cut at a UTF-8 boundary) when resolved */
	char module[96];  /* basename of the file, [vdso]-like name, or the perf map's name */
	uint64_t sym_off; /* addr - start of the function, when resolved */
	uint64_t mod_off; /* file offset of addr in module (JIT: offset in its mapping) */
	bool resolved;	  /* name is set */
	uint64_t addr;	  /* the address asked about */
};

struct ow_symbolizer;

/*
 * Snapshot PROC_ROOT/PID/maps now (executable mappings) and, when it exists, the JIT map
 * perf_map_path (NULL: PROC_ROOT/PID/root/tmp/perf-NSPID.map with the pid as the target sees
 * it, else /tmp/perf-PID.map, which is what `node --perf-basic-prof` writes). A perf map owned
 * by neither the target, root nor us is ignored. ELF files are opened through
 * PROC_ROOT/PID/map_files (the very file mapped, as root), then PROC_ROOT/PID/root/PATH (the
 * target's mount namespace), falling back to PATH; by path only when the inode matches maps.
 * They are read on first use. Returns 0, -EINVAL, -ESRCH (no such process), -ENOMEM.
 */
int ow_symbolizer_open(const char *proc_root, int pid, const char *perf_map_path,
		       struct ow_symbolizer **out);

/* The same, loading modules into (and reusing them from) `cache` instead of a private one:
 * e.g. one cache for every process of a cgroup, which all map the same libc. */
int ow_symbolizer_open_cached(const char *proc_root, int pid, const char *perf_map_path,
			      struct ow_symcache *cache, struct ow_symbolizer **out);

/*
 * Fill *out for addr. An address in no mapping, or in anonymous memory the perf map does not
 * name, gets neither name nor module. Returns 0, -EINVAL, or -ENOMEM (a module could not be
 * loaded; *out still holds module+offset).
 */
int ow_symbolize(struct ow_symbolizer *s, uint64_t addr, struct ow_frame *out);

void ow_symbolizer_close(struct ow_symbolizer *s);

/* "name" for a resolved frame, else "module+0xOFF" (module basename), else "0xADDR". */
const char *ow_frame_label(const struct ow_frame *f, char *buf, size_t len);

#endif /* OW_SYMBOLIZE_H */
