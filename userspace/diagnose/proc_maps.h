/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <procroot>/<pid>/maps: a process's mappings. Lines that do not parse are skipped, never
 * guessed at. Nothing is printed.
 */
#ifndef OW_PROC_MAPS_H
#define OW_PROC_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ow_map_kind {
	OW_MAP_FILE,   /* a file path: an ELF object, perhaps */
	OW_MAP_ANON,   /* no file: JIT code lives here ("", [anon:...], /memfd:..., //anon) */
	OW_MAP_PSEUDO, /* [vdso], [vsyscall], [heap], [stack]...: named, but no file to read */
};

struct ow_map {
	uint64_t start, end; /* [start, end) */
	uint64_t pgoff;	     /* file offset of start */
	uint64_t inode;
	unsigned int dev_major, dev_minor;
	bool exec;
	bool deleted; /* the path carried " (deleted)", now stripped */
	enum ow_map_kind kind;
	char *path; /* owned; "" for anonymous memory */
};

/* Parse one line, without its newline. Returns 0 or -EINVAL; out->path is allocated. */
int ow_map_parse_line(const char *line, struct ow_map *out);

/*
 * Read <procroot>/<pid>/maps, keeping executable mappings only when exec_only, sorted by
 * start; overlapping lines (impossible from the kernel) are dropped. Returns 0 or -errno
 * (-ESRCH: the process is gone).
 */
int ow_maps_read(const char *procroot, int pid, bool exec_only, struct ow_map **out, size_t *n);

/* The mapping holding addr, or NULL. */
const struct ow_map *ow_maps_find(const struct ow_map *maps, size_t n, uint64_t addr);

void ow_maps_free(struct ow_map *maps, size_t n);

#endif /* OW_PROC_MAPS_H */
