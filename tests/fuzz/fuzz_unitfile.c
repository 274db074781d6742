// SPDX-License-Identifier: GPL-2.0
/* systemd unit files and drop-ins ([Service] Restart=, TimeoutStopSec= etc.): the pure parser
 * and the time span parser over the input, then the reader over it as a unit file with a
 * drop-in (the input's second half). A stop timeout is -1, or 0 s to INFINITY. */
#include "fuzz.h"
#include "unitfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_unit_restart u;
	char *s = fuzz_str(data, size), note[256];
	double sec;

	if (!ow_unit_parse_timespan(s, &sec) && !(sec >= 0))
		abort();
	ow_unit_restart_init(&u);
	ow_unit_restart_parse(s, &u);
	if (u.stop_timeout_s != -1 && !(u.stop_timeout_s > 0))
		abort();
	ow_unit_sigterm_fate(&u);
	ow_unit_restart_note("x.service", &u, note, sizeof(note));
	free(s);

	fuzz_put("etc/systemd/system/x.service", data, size);
	fuzz_put("etc/systemd/system/x.service.d/o.conf", data + size / 2, size - size / 2);
	ow_unit_restart_init(&u);
	ow_unit_restart_read(fuzz_dir(), "x.service", false, NULL, &u);
	return 0;
}
