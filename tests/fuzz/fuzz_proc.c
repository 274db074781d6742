// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/{stat,status,cmdline,statm,cgroup}: the first byte picks the file, the rest is it. */
#include "fuzz.h"
#include "proc.h"

static const char *const files[] = {"stat", "status", "cmdline", "statm", "cgroup"};
#define NFILES (sizeof(files) / sizeof(files[0]))

static void reset(void)
{
	static const char stat[] = "42 (x) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 99 "
				   "1000 10 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
	static const char status[] = "Name:\tx\nRssAnon:\t 4 kB\nRssFile:\t 8 kB\n";

	fuzz_put("42/stat", (const uint8_t *)stat, sizeof(stat) - 1);
	fuzz_put("42/status", (const uint8_t *)status, sizeof(status) - 1);
	fuzz_put("42/cmdline", (const uint8_t *)"x\0-y", 4);
	fuzz_put("42/statm", (const uint8_t *)"10 5 1 1 0 3 0\n", 15);
	fuzz_put("42/cgroup", (const uint8_t *)"0::/a.slice/b.service\n", 22);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_proc_info info;
	char rel[32], path[64];
	uint64_t rss;

	if (!size)
		return 0;
	reset();
	snprintf(rel, sizeof(rel), "42/%s", files[data[0] % NFILES]);
	fuzz_put(rel, data + 1, size - 1);
	ow_proc_read(fuzz_dir(), 42, &info);
	ow_proc_rss_bytes(fuzz_dir(), 42, &rss);
	ow_proc_memcg_path(fuzz_dir(), 42, false, path, sizeof(path));
	ow_proc_memcg_path(fuzz_dir(), 42, true, path, sizeof(path));
	return 0;
}
