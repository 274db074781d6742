/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ELF modules read once and kept: the symbol tables of every file a symbolizer meets, keyed by
 * the file's identity (device, inode, size, mtime), so mappings of one file, and processes
 * sharing a library, share one table. Files that are not usable ELF are remembered too.
 */
#ifndef OW_SYMCACHE_H
#define OW_SYMCACHE_H

#include <stddef.h>

#include "elf_symbols.h"

struct ow_symcache;

struct ow_symcache *ow_symcache_new(void);

/* Frees every module: no symbolizer opened with the cache may be used afterwards. */
void ow_symcache_free(struct ow_symcache *cache);

/* Modules held, usable or not (for logs and tests). */
size_t ow_symcache_count(const struct ow_symcache *cache);

/*
 * The module of the file open on fd, read on first sight. *out is NULL when the file is no
 * usable ELF. Returns 0, or -errno (fstat) or -ENOMEM, which are not remembered.
 */
int ow_symcache_get(struct ow_symcache *cache, int fd, const struct ow_elf_symbols **out);

#endif /* OW_SYMCACHE_H */
