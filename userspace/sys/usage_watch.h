/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cgroup's usage watched from the kernel's side (core/sight.h says why): v1 usage thresholds
 * on an eventfd, v2 memory.current read through a descriptor kept open. The directory is a
 * cgroup the scan found; names in it are the kernel's.
 */
#ifndef OW_USAGE_WATCH_H
#define OW_USAGE_WATCH_H

#include <stdint.h>

/*
 * cgroup v1: a new eventfd (non-blocking) that the kernel signals when the usage of `dir`
 * crosses `low` or `high` (0: that one is not set); `ufd` is dir's memory.usage_in_bytes open
 * (ow_usage_open). Closing the eventfd removes the thresholds. A threshold the usage passed
 * before it was set fires only when the usage comes back across it: read the usage after.
 * Returns the eventfd or -errno (-EINVAL: neither is set).
 */
int ow_usage_thresholds_arm(const char *dir, int ufd, uint64_t low, uint64_t high);

/* Empty a signalled eventfd (non-blocking). */
void ow_usage_drain(int efd);

/* Open `dir`'s usage file for ow_usage_read: memory.current (v2) or memory.usage_in_bytes
 * (v1). Returns the fd or -errno. */
int ow_usage_open(const char *dir, int v1);

/* The usage, read again through the open fd (pread at 0: cgroupfs makes the text anew). */
int ow_usage_read(int fd, uint64_t *out);

/* The machine's memory that no reclaim frees, MemTotal - MemAvailable plus the swap in use,
 * read again through /proc/meminfo open (ow_meminfo_open; pread at 0: the text is made anew,
 * a few microseconds). The machine's limit is MemTotal + SwapTotal (ow_meminfo_machine_limit). */
int ow_meminfo_open(void);
int ow_machine_used_read(int fd, uint64_t *out);

#endif /* OW_USAGE_WATCH_H */
