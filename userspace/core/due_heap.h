/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Things due at a time, the soonest first: a binary min-heap of entries embedded in their
 * owners (a cgroup's next read of its usage, daemon/sight.c). A wakeup then costs what is due,
 * not a pass over every watched cgroup: at 8,000 limited memcgs those passes were a third of an
 * idle daemon's CPU. Pure: no I/O, no clock.
 */
#ifndef OW_DUE_HEAP_H
#define OW_DUE_HEAP_H

#include <stdbool.h>
#include <stdint.h>

struct ow_due {
	uint64_t due_ns;
	unsigned int pos; /* index + 1 in its heap, 0: in none */
};

struct ow_due_heap {
	struct ow_due **e;
	unsigned int n, cap;
};

/* Puts `e` in the heap at `due_ns`, or moves it there. 0 or -ENOMEM (`e` then not in it). */
int ow_due_set(struct ow_due_heap *h, struct ow_due *e, uint64_t due_ns);
/* Takes `e` out of the heap (nothing when it is in none). */
void ow_due_remove(struct ow_due_heap *h, struct ow_due *e);
/* The soonest entry, or NULL when the heap is empty. */
struct ow_due *ow_due_first(const struct ow_due_heap *h);

static inline bool ow_due_queued(const struct ow_due *e)
{
	return e->pos != 0;
}

/* Frees the array; the entries are their owners'. */
void ow_due_heap_free(struct ow_due_heap *h);

#endif /* OW_DUE_HEAP_H */
