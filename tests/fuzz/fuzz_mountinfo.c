// SPDX-License-Identifier: GPL-2.0
/* /proc/self/mountinfo: finding the memory controller's mount (its mount point is looked up
 * under the private directory, so an existing cgroup.controllers can be found or not). */
#include "fuzz.h"
#include "cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_cg_mount m;
	const char *path;

	fuzz_put("sys/fs/cgroup/cgroup.controllers", (const uint8_t *)"cpu memory\n", 11);
	path = fuzz_put("mountinfo", data, size);
	ow_cg_find_memory_mount(path, fuzz_dir(), &m);
	return 0;
}
