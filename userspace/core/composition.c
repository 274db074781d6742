// SPDX-License-Identifier: GPL-2.0
/* What a cgroup's charge is made of: see userspace/core/composition.h. */
#include <string.h>

#include "composition.h"

void ow_composition_of(const struct ow_cg_stat *st, struct ow_composition *out)
{
	uint64_t file = st->file > st->shmem ? st->file - st->shmem : 0;
	uint64_t known = st->anon + st->shmem + file;

	memset(out, 0, sizeof(*out));
	out->bytes[OW_KIND_ANON] = st->anon;
	out->bytes[OW_KIND_SHMEM] = st->shmem;
	out->bytes[OW_KIND_FILE] = file;
	out->bytes[OW_KIND_KERNEL] = st->usage > known ? st->usage - known : 0;
}

int ow_growth_kind(const struct ow_composition *then, const struct ow_composition *now,
		   uint64_t min_bytes, uint64_t *grew)
{
	static const int nonrecl[] = {OW_KIND_ANON, OW_KIND_SHMEM, OW_KIND_KERNEL};
	uint64_t best = 0;
	int kind = -1;
	unsigned int i;

	for (i = 0; i < sizeof(nonrecl) / sizeof(nonrecl[0]); i++) {
		int k = nonrecl[i];
		uint64_t d = now->bytes[k] > then->bytes[k] ? now->bytes[k] - then->bytes[k] : 0;

		if (d >= min_bytes && d > best) {
			best = d;
			kind = k;
		}
	}
	*grew = best;
	return kind;
}

enum ow_slot_step ow_slot_step(uint64_t *newer_ns, uint64_t now_ns)
{
	if (!*newer_ns) {
		*newer_ns = now_ns ? now_ns : 1;
		return OW_SLOT_FIRST;
	}
	if (now_ns - *newer_ns < OW_COMPOSITION_SLOT_NS)
		return OW_SLOT_KEEP;
	/* After a quiet spell the newer snapshot is the level before the growth: older it is. */
	*newer_ns = now_ns;
	return OW_SLOT_SHIFT;
}

void ow_composition_note(struct ow_composition_window *w, uint64_t now_ns,
			 const struct ow_composition *c)
{
	enum ow_slot_step step = ow_slot_step(&w->newer_ns, now_ns);

	if (step == OW_SLOT_KEEP)
		return;
	w->snap[0] = step == OW_SLOT_FIRST ? *c : w->snap[1];
	w->snap[1] = *c;
}

int ow_composition_grows(const struct ow_composition_window *w, const struct ow_composition *now,
			 uint64_t min_bytes, uint64_t *grew)
{
	return ow_growth_kind(&w->snap[0], now, min_bytes, grew);
}

const char *ow_mem_kind_name(int kind)
{
	static const char *const names[] = {"anon", "shmem", "kernel", "file"};

	return kind >= 0 && kind < OW_KIND_COUNT ? names[kind] : "";
}
