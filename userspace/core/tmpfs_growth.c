// SPDX-License-Identifier: GPL-2.0
/* Which tmpfs mounts grew: see userspace/core/tmpfs_growth.h. */
#include <stdbool.h>

#include "composition.h"
#include "tmpfs_growth.h"

void ow_tmpfs_note(struct ow_tmpfs_window *w, uint64_t now_ns, const struct ow_tmpfs_usage *u)
{
	enum ow_slot_step step = ow_slot_step(&w->newer_ns, now_ns);

	if (step == OW_SLOT_KEEP)
		return;
	w->snap[0] = step == OW_SLOT_FIRST ? *u : w->snap[1];
	w->snap[1] = *u;
}

static bool used_then(const struct ow_tmpfs_usage *u, int id, uint64_t *used)
{
	unsigned int i;

	for (i = 0; i < u->n; i++) {
		if (u->id[i] == id) {
			*used = u->used[i];
			return true;
		}
	}
	return false;
}

/* Keep out[0..n) sorted, most first; the smallest falls off past max. */
static unsigned int insert(struct ow_tmpfs_grew *out, unsigned int n, unsigned int max,
			   struct ow_tmpfs_grew g)
{
	unsigned int i;

	if (n == max && (!max || out[n - 1].bytes >= g.bytes))
		return n;
	i = n < max ? n++ : n - 1;
	while (i > 0 && out[i - 1].bytes < g.bytes) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = g;
	return n;
}

unsigned int ow_tmpfs_grown(const struct ow_tmpfs_window *w, const struct ow_tmpfs_usage *now,
			    uint64_t min_bytes, struct ow_tmpfs_grew *out, unsigned int max)
{
	unsigned int i, n = 0;
	uint64_t then;

	if (!w->newer_ns)
		return 0;
	for (i = 0; i < now->n; i++) {
		struct ow_tmpfs_grew g = {now->id[i], 0};

		if (!used_then(&w->snap[0], now->id[i], &then))
			then = 0;
		if (now->used[i] <= then || now->used[i] - then < min_bytes)
			continue;
		g.bytes = now->used[i] - then;
		n = insert(out, n, max, g);
	}
	return n;
}
