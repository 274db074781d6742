/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A table of named address ranges [start, end), built once and then searched by address in
 * O(log n). Ranges may overlap: ELF aliases share a start, and a JIT reuses memory, so a perf
 * map names the same address more than once. Which range wins is the table's pick rule.
 */
#ifndef OW_SYMTAB_H
#define OW_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

enum ow_symtab_pick {
	OW_PICK_INNERMOST, /* largest start, then highest rank: ELF symbols */
	OW_PICK_HIGHEST,   /* highest rank (the later perf map line): JIT code */
};

struct ow_symtab_entry {
	uint64_t start;
	uint64_t end;
	uint32_t name; /* offset in names */
	uint32_t rank;
};

struct ow_symtab {
	enum ow_symtab_pick pick;
	struct ow_symtab_entry *entries;
	uint64_t *max_end; /* max_end[i]: largest end among entries[0..i], set by finish */
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
};

void ow_symtab_init(struct ow_symtab *t, enum ow_symtab_pick pick);

/* Add [start, start + size); a size of 0 covers only `start`. Returns 0, -EINVAL, -ENOMEM. */
int ow_symtab_add(struct ow_symtab *t, uint64_t start, uint64_t size, const char *name,
		  size_t name_len, uint32_t rank);

/* Sort and index; call once after the last add and before the first find. */
int ow_symtab_finish(struct ow_symtab *t);

/* The range that holds addr by the pick rule, or NULL. */
const struct ow_symtab_entry *ow_symtab_find(const struct ow_symtab *t, uint64_t addr);

static inline const char *ow_symtab_name(const struct ow_symtab *t, const struct ow_symtab_entry *e)
{
	return t->names + e->name;
}

void ow_symtab_free(struct ow_symtab *t);

#endif /* OW_SYMTAB_H */
