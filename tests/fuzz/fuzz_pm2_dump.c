// SPDX-License-Identifier: GPL-2.0
/*
 * PM2's dump.pm2 (manager_stop.c): the first byte picks the app's name and pm_id, the rest is
 * the dump, parsed as a buffer, then read as <PM2_HOME>/dump.pm2 of a believed PM2 claim by
 * ow_manager_stop_timeout. A kill timeout is -1, or more than 0 s.
 */
#include "fuzz.h"
#include "manager.h"

static const char *const names[] = {"a", "worker", "wrapped", ""};
#define NNAMES (sizeof(names) / sizeof(names[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_mgr_roots roots = {.fs = fuzz_dir()};
	struct ow_manager m = {0};
	const char *name;
	double v;

	if (!size)
		return 0;
	name = names[data[0] % NNAMES];
	m.pm2_id = data[0] >> 4;
	data++;
	size--;
	v = ow_pm2_dump_kill_timeout((const char *)data, size, name, m.pm2_id);
	if (v != -1 && !(v > 0))
		abort();

	fuzz_put("pm2/dump.pm2", data, size);
	m.kind = OW_MGR_PM2;
	m.pid = 42;
	m.ids_known = true;
	m.uid = getuid();
	snprintf(m.name, sizeof(m.name), "%s", name);
	snprintf(m.pm2_home, sizeof(m.pm2_home), "/pm2");
	ow_manager_stop_timeout(&roots, "/nonexistent", m.pid, &m);
	if (m.stop_timeout_s != -1 && (v == -1 || m.stop_timeout_s != v))
		abort();
	return 0;
}
