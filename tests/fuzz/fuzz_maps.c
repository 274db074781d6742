// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/maps: the reader over the input as a file, and each line alone, then a lookup. */
#include "fuzz.h"
#include "proc_maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_map *maps = NULL, one;
	size_t n = 0, i;
	char *s = fuzz_str(data, size), *line, *save = NULL;

	fuzz_put("7/maps", data, size);
	if (!ow_maps_read(fuzz_dir(), 7, size & 1, &maps, &n)) {
		for (i = 0; i < n; i++)
			ow_maps_find(maps, n, maps[i].start);
		ow_maps_free(maps, n);
	}
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		memset(&one, 0, sizeof(one));
		if (!ow_map_parse_line(line, &one))
			free(one.path);
	}
	free(s);
	return 0;
}
