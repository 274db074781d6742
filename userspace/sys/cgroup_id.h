/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From a memcg id (the kernfs id of its cgroup directory, which the BPF programs report) back
 * to the directory, without walking the hierarchy: cgroupfs is exportable, so the id is a file
 * handle (FILEID_KERNFS) that open_by_handle_at(2) opens. Needs CAP_DAC_READ_SEARCH.
 */
#ifndef OW_CGROUP_ID_H
#define OW_CGROUP_ID_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/* The absolute path of cgroup `id` on the hierarchy mounted at `mount`. -ESTALE (or -ENOENT)
 * when no such cgroup exists any more; -EPERM without CAP_DAC_READ_SEARCH; -EOPNOTSUPP on a
 * kernel whose cgroupfs cannot be opened by handle. */
int ow_cg_path_of_id(const char *mount, uint64_t id, char *out, size_t len);

/* True when `err` from ow_cg_path_of_id means the cgroup is gone (not that we cannot tell). */
static inline int ow_cg_id_gone(int err)
{
	return err == -ESTALE || err == -ENOENT;
}

#endif /* OW_CGROUP_ID_H */
