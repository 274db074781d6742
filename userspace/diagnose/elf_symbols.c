// SPDX-License-Identifier: GPL-2.0
/* ELF function symbols and segments: see userspace/diagnose/elf_symbols.h. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "elf_symbols.h"

static int read_segments(Elf *elf, struct ow_elf_symbols *out)
{
	size_t i, n;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return -ENOEXEC;
	out->segments = calloc(n ? n : 1, sizeof(*out->segments));
	if (!out->segments)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph))
			return -ENOEXEC;
		if (ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		out->segments[out->nsegments++] = (struct ow_elf_segment){
			.offset = ph.p_offset,
			.vaddr = ph.p_vaddr,
			.filesz = ph.p_filesz,
			.exec = ph.p_flags & PF_X,
		};
	}
	return out->nsegments ? 0 : -ENOEXEC;
}

bool ow_elf_section_bounded(Elf *elf, const GElf_Shdr *sh)
{
	Elf_Scn *str = elf_getscn(elf, sh->sh_link);
	GElf_Shdr ssh;

	return sh->sh_size <= OW_ELF_SECTION_MAX && str && gelf_getshdr(str, &ssh) &&
	       ssh.sh_size <= OW_ELF_SECTION_MAX;
}

/* The symbol table section of `type` with at least one entry, or NULL. */
static Elf_Scn *find_symtab(Elf *elf, Elf64_Word type, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		if (gelf_getshdr(scn, sh) && sh->sh_type == type && sh->sh_entsize &&
		    sh->sh_size / sh->sh_entsize > 1 && ow_elf_section_bounded(elf, sh))
			return scn;
	}
	return NULL;
}

/* Higher is better among aliases: fewer leading underscores, then global > weak > local. */
static uint32_t alias_rank(const char *name, unsigned char bind)
{
	uint32_t underscores = (uint32_t)strspn(name, "_");
	uint32_t b = bind == STB_GLOBAL ? 2 : bind == STB_WEAK ? 1 : 0;

	return (underscores < 255 ? 255 - underscores : 0) << 8 | b;
}

static bool is_function(const GElf_Sym *sym)
{
	unsigned char type = GELF_ST_TYPE(sym->st_info);

	return (type == STT_FUNC || type == STT_GNU_IFUNC) && sym->st_shndx != SHN_UNDEF &&
	       sym->st_value;
}

static int read_symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct ow_symtab *t)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n;
	GElf_Sym sym;
	const char *name;
	int err;

	if (!data)
		return -ENOEXEC;
	n = data->d_size / sh->sh_entsize;
	for (i = 1; i < n; i++) {
		if (!gelf_getsym(data, (int)i, &sym) || !is_function(&sym))
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		err = ow_symtab_add(t, sym.st_value, sym.st_size, name, strlen(name),
				    alias_rank(name, GELF_ST_BIND(sym.st_info)));
		if (err == -ENOMEM)
			return err;
	}
	return 0;
}

static int load(Elf *elf, struct ow_elf_symbols *out)
{
	GElf_Ehdr eh;
	GElf_Shdr sh;
	Elf_Scn *scn;
	int err;

	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN))
		return -ENOEXEC;
	err = read_segments(elf, out);
	if (err)
		return err;
	scn = find_symtab(elf, SHT_SYMTAB, &sh);
	if (!scn)
		scn = find_symtab(elf, SHT_DYNSYM, &sh);
	/* No symbols (stripped, no exports) is still a module: frames read module+offset. */
	err = scn ? read_symbols(elf, scn, &sh, &out->syms) : 0;
	return err ? err : ow_symtab_finish(&out->syms);
}

int ow_elf_symbols_load(int fd, struct ow_elf_symbols *out)
{
	Elf *elf;
	int err;

	memset(out, 0, sizeof(*out));
	ow_symtab_init(&out->syms, OW_PICK_INNERMOST);
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	/* Not mmap: a file truncated under us (rebuilt in place) must not SIGBUS the daemon. */
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf)
		return -ENOEXEC;
	err = load(elf, out);
	elf_end(elf);
	if (err)
		ow_elf_symbols_free(out);
	return err;
}

/*
 * Segments of older layouts share file pages (text ends and data starts in one page): the
 * addresses we are asked about run code, so an executable segment wins.
 */
int ow_elf_offset_to_vaddr(const struct ow_elf_symbols *e, uint64_t off, uint64_t *vaddr)
{
	const struct ow_elf_segment *hit = NULL;
	size_t i;

	for (i = 0; i < e->nsegments; i++) {
		const struct ow_elf_segment *s = &e->segments[i];

		if (off >= s->offset && off - s->offset < s->filesz &&
		    (!hit || (s->exec && !hit->exec)))
			hit = s;
	}
	if (!hit)
		return -ENOENT;
	*vaddr = hit->vaddr + (off - hit->offset);
	return 0;
}

void ow_elf_symbols_free(struct ow_elf_symbols *e)
{
	free(e->segments);
	ow_symtab_free(&e->syms);
	memset(e, 0, sizeof(*e));
}
