/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which mappings of a process grow: /proc/PID/smaps grouped by mapping name, and the difference
 * between two snapshots. Used by `oomwarden diagnose`, and by the daemon for the act alert's
 * mappings that grew (daemon/victim_maps.c).
 *
 * A group is every region with the same name: a file path as printed (" (deleted)" kept),
 * "[heap]", "[stack]", "[vdso]" and other kernel names as-is, "[anon:NAME]" for a region named
 * with prctl(PR_SET_VMA_ANON_NAME), and "[anon]" for an unnamed anonymous region. Names longer
 * than OW_SMAPS_NAME_LEN - 1 keep their tail after "...". Control characters become '?'.
 */
#ifndef OW_SMAPS_H
#define OW_SMAPS_H

#include <stddef.h>
#include <stdint.h>

#define OW_SMAPS_NAME_LEN 256

struct ow_smaps_group {
	char name[OW_SMAPS_NAME_LEN];
	uint64_t size, rss, anon, swap; /* bytes, summed over the group's regions */
	unsigned int nregions;
};

struct ow_smaps {
	struct ow_smaps_group *groups; /* in order of first appearance, i.e. by address */
	size_t n, cap;
	size_t skipped; /* lines not understood: junk, bad headers and their fields, bad values */
};

struct ow_smaps_delta {
	char name[OW_SMAPS_NAME_LEN];
	int64_t d_size, d_rss, d_anon, d_swap; /* end - start, bytes */
	int64_t d_regions;
	uint64_t rss_end;
};

/*
 * Parse smaps text (need not be NUL-terminated) into `out`, which is overwritten: free it first
 * when reusing it. Malformed lines are skipped and counted in out->skipped; a region whose
 * header does not parse is skipped with its fields. A region without a Size line counts its
 * header's address range. Returns 0 or -ENOMEM (then `out` is empty).
 */
int ow_smaps_parse(const char *text, size_t len, struct ow_smaps *out);

/*
 * Read and parse PROC_ROOT/PID/smaps. -ESRCH when the process does not exist, or exited or
 * became a zombie while it was read (its smaps would be partial); -EACCES without permission;
 * -EFBIG past 256 MiB; -ENOMEM. Prints nothing.
 */
int ow_smaps_read(const char *proc_root, int pid, struct ow_smaps *out);
/* The same, -EFBIG past `max` bytes of text (the daemon reads a few MiB at most). */
int ow_smaps_read_max(const char *proc_root, int pid, size_t max, struct ow_smaps *out);

/*
 * One delta per group present in `start` or `end` (a missing group counts as zero), sorted by
 * d_rss + d_swap descending (largest growth first), then by name. *out is malloc'ed: free() it.
 * Returns 0 or -ENOMEM.
 */
int ow_smaps_diff(const struct ow_smaps *start, const struct ow_smaps *end,
		  struct ow_smaps_delta **out, size_t *n);

/* "[heap] +120.0 MiB, [anon] +30.0 MiB": the first k deltas of ow_smaps_diff() that grew by
 * 1 MiB or more (RSS + swap), whole entries only, into buf ("" when none did). Against an empty
 * start, the largest mappings. */
void ow_smaps_grown_text(const struct ow_smaps_delta *d, size_t n, unsigned int k, char *buf,
			 size_t len);

void ow_smaps_free(struct ow_smaps *s);

#endif /* OW_SMAPS_H */
