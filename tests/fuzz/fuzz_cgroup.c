// SPDX-License-Identifier: GPL-2.0
/*
 * cgroupfs files (memory.stat, usage, limits, events, oom_control, cgroup.procs) and meminfo.
 * The first byte picks the file, the rest is it; the other files hold plausible values. A
 * cgroup's files are the kernel's, but a delegated subtree's owner names its cgroups: the
 * rest is also a cgroup path for the path parser (cgroup_path.c) and the display name.
 */
#include "fuzz.h"
#include "cgroup.h"

static const char *const files[] = {
	"memory.stat",
	"memory.usage_in_bytes",
	"memory.limit_in_bytes",
	"memory.oom_control",
	"memory.memsw.usage_in_bytes",
	"memory.current",
	"memory.max",
	"memory.high",
	"memory.swap.current",
	"memory.events",
	"cgroup.procs",
	"meminfo",
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static void put_str(const char *rel, const char *s)
{
	fuzz_put(rel, (const uint8_t *)s, strlen(s));
}

static void reset(void)
{
	static const char *const dirs[] = {"cg", "cg/child"};
	char rel[64];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(rel, sizeof(rel), "%s/memory.stat", dirs[i]);
		put_str(rel, "anon 4096\nfile 8192\nactive_file 4096\ninactive_file 4096\n"
			     "total_rss 4096\ntotal_cache 8192\nshmem 0\n");
#define PUT(name, val)                                                                             \
	do {                                                                                       \
		snprintf(rel, sizeof(rel), "%s/" name, dirs[i]);                                   \
		put_str(rel, val);                                                                 \
	} while (0)
		PUT("memory.usage_in_bytes", "12288\n");
		PUT("memory.limit_in_bytes", "268435456\n");
		PUT("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
		PUT("memory.memsw.usage_in_bytes", "12288\n");
		PUT("memory.current", "12288\n");
		PUT("memory.max", "max\n");
		PUT("memory.high", "max\n");
		PUT("memory.swap.current", "0\n");
		PUT("memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
		PUT("cgroup.procs", "1\n2\n");
#undef PUT
	}
	put_str("meminfo", "MemTotal: 1000 kB\nMemAvailable: 500 kB\nSwapTotal: 0 kB\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_cg_mount mount = {.version = OW_CG_V1};
	struct ow_cg_path path;
	struct ow_cg_stat st;
	char dir[PATH_MAX], rel[64], name[256], *s;
	uint64_t limit;
	int pids[16];
	unsigned int pick;

	if (!size)
		return 0;
	reset();
	pick = data[0] % NFILES;
	snprintf(rel, sizeof(rel), "%s%s", pick == NFILES - 1 ? "" : "cg/child/", files[pick]);
	fuzz_put(rel, data + 1, size - 1);

	snprintf(dir, sizeof(dir), "%s/cg/child", fuzz_dir());
	snprintf(mount.path, sizeof(mount.path), "%s/cg", fuzz_dir());
	ow_cg_read_stat(OW_CG_V1, dir, &st);
	ow_cg_read_stat(OW_CG_V2, dir, &st);
	ow_cg_nonreclaimable(&st);
	ow_cg_effective_limit(&mount, dir, UINT64_MAX, &limit);
	mount.version = OW_CG_V2;
	ow_cg_effective_limit(&mount, dir, UINT64_MAX, &limit);
	ow_cg_read_procs(dir, pids, 16);
	snprintf(dir, sizeof(dir), "%s/meminfo", fuzz_dir());
	ow_meminfo_stat(dir, &st);
	ow_meminfo_machine_limit(dir, &limit);

	s = fuzz_str(data + 1, size - 1);
	ow_cg_path_parse(s, &path);
	ow_cg_display_name(s, name, sizeof(name));
	free(s);
	return 0;
}
