// SPDX-License-Identifier: GPL-2.0
/* systemd unit files and drop-ins ([Service] Restart= etc.): the pure parser over the input,
 * then the reader over it as a unit file with a drop-in (the input's second half). */
#include "fuzz.h"
#include "unitfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_unit_restart u;
	char *s = fuzz_str(data, size), note[256];

	ow_unit_restart_init(&u);
	ow_unit_restart_parse(s, &u);
	ow_unit_sigterm_fate(&u);
	ow_unit_restart_note("x.service", &u, note, sizeof(note));
	free(s);

	fuzz_put("etc/systemd/system/x.service", data, size);
	fuzz_put("etc/systemd/system/x.service.d/o.conf", data + size / 2, size - size / 2);
	ow_unit_restart_init(&u);
	ow_unit_restart_read(fuzz_dir(), "x.service", false, NULL, &u);
	return 0;
}
