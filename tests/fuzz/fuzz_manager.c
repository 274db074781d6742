// SPDX-License-Identifier: GPL-2.0
/*
 * The manager detection's parsers of what a process controls: environ (whole, and fed in
 * pieces as the reader does) and /proc/PID/cgroup, then the label made of them. The first
 * byte picks the parser and the environ piece size.
 */
#include "fuzz.h"
#include "manager.h"

static void env_pieces(const uint8_t *data, size_t size, size_t piece, struct ow_env_info *out)
{
	struct ow_env_scan s;
	size_t off, n;

	ow_env_scan_init(&s);
	for (off = 0; off < size; off += n) {
		n = size - off < piece ? size - off : piece;
		ow_env_scan_feed(&s, (const char *)data + off, n);
	}
	*out = s.info;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_manager m = {0};
	struct ow_env_info env = {0};
	char label[256], *s;
	uint8_t sel;

	if (!size)
		return 0;
	sel = data[0];
	data++;
	size--;
	if (sel & 1) {
		s = fuzz_str(data, size);
		ow_manager_parse_cgroup(s, &m);
		ow_manager_from_path(s, &m);
		free(s);
	} else if (sel & 2) {
		ow_env_parse((const char *)data, size, &env);
	} else {
		env_pieces(data, size, (sel >> 2) + 1, &env);
	}
	ow_manager_apply_env(&m, &env);
	ow_manager_label(&m, label, sizeof(label));
	return 0;
}
