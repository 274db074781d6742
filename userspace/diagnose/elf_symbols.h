/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The function symbols and loadable segments of one ELF object (executable, PIE or shared
 * library), read once with libelf: .symtab when there is one, else .dynsym; STT_FUNC and
 * STT_GNU_IFUNC only; aliases ranked so that the name a user knows wins ("getpid" over
 * "__getpid", global over weak over local).
 */
#ifndef OW_ELF_SYMBOLS_H
#define OW_ELF_SYMBOLS_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symtab.h"

/* libelf reads a section whole into memory; the file is the target's and may be sparse, its
 * sections as large as it claims. Real symbol and string tables are far smaller. */
#define OW_ELF_SECTION_MAX (256u << 20)

struct ow_elf_segment {
	uint64_t offset; /* p_offset */
	uint64_t vaddr;	 /* p_vaddr */
	uint64_t filesz; /* p_filesz */
	bool exec;	 /* PF_X */
};

struct ow_elf_symbols {
	struct ow_elf_segment *segments; /* PT_LOAD */
	size_t nsegments;
	struct ow_symtab syms; /* by ELF virtual address */
};

/* Read the object open on fd (left open). Returns 0, -ENOEXEC (not a usable ELF), -ENOMEM. */
int ow_elf_symbols_load(int fd, struct ow_elf_symbols *out);

/* File offset -> ELF virtual address through the PT_LOAD headers. Returns 0 or -ENOENT. */
int ow_elf_offset_to_vaddr(const struct ow_elf_symbols *e, uint64_t off, uint64_t *vaddr);

void ow_elf_symbols_free(struct ow_elf_symbols *e);

/* A symbol table `sh` and its string table (sh_link) both within OW_ELF_SECTION_MAX. */
bool ow_elf_section_bounded(Elf *elf, const GElf_Shdr *sh);

#endif /* OW_ELF_SYMBOLS_H */
