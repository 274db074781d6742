// SPDX-License-Identifier: GPL-2.0
/* ELF symbol tables and program headers (diagnose symbolizes a process's own binaries): the
 * input as a file in memory, then offset translations and lookups. */
#include <sys/mman.h>

#include "fuzz.h"
#include "elf_symbols.h"
#include "symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_elf_symbols e;
	uint64_t vaddr;
	size_t i;
	int fd = memfd_create("fuzz-elf", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	fuzz_dir(); /* silence the logger */
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	memset(&e, 0, sizeof(e));
	if (!ow_elf_symbols_load(fd, &e)) {
		for (i = 0; i < e.nsegments; i++)
			ow_elf_offset_to_vaddr(&e, e.segments[i].offset, &vaddr);
		for (i = 0; i < e.syms.n; i++)
			ow_symtab_find(&e.syms, e.syms.entries[i].start);
		ow_elf_symbols_free(&e);
	}
	close(fd);
	return 0;
}
