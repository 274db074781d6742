// SPDX-License-Identifier: GPL-2.0
/* /tmp/perf-PID.map (a JIT's symbols, written by the process itself), then lookups. */
#include "fuzz.h"
#include "symtab.h"
#include "perf_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_symtab t;
	size_t i;
	FILE *f;

	fuzz_dir(); /* silence the logger */
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	ow_symtab_init(&t, OW_PICK_HIGHEST);
	if (!ow_perf_map_load(f, &t)) {
		for (i = 0; i < t.n; i++) {
			ow_symtab_find(&t, t.entries[i].start);
			ow_symtab_find(&t, t.entries[i].end);
		}
		ow_symtab_find(&t, 0);
		ow_symtab_find(&t, UINT64_MAX);
	}
	ow_symtab_free(&t);
	fclose(f);
	return 0;
}
