// SPDX-License-Identifier: GPL-2.0
/* Things due at a time, the soonest first: see userspace/core/due_heap.h. */
#include <errno.h>
#include <stdlib.h>

#include "due_heap.h"

static void place(struct ow_due_heap *h, unsigned int i, struct ow_due *e)
{
	h->e[i] = e;
	e->pos = i + 1;
}

static void sift_up(struct ow_due_heap *h, unsigned int i)
{
	struct ow_due *e = h->e[i];

	while (i > 0) {
		unsigned int parent = (i - 1) / 2;

		if (h->e[parent]->due_ns <= e->due_ns)
			break;
		place(h, i, h->e[parent]);
		i = parent;
	}
	place(h, i, e);
}

static void sift_down(struct ow_due_heap *h, unsigned int i)
{
	struct ow_due *e = h->e[i];

	for (;;) {
		unsigned int c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->e[c + 1]->due_ns < h->e[c]->due_ns)
			c++;
		if (e->due_ns <= h->e[c]->due_ns)
			break;
		place(h, i, h->e[c]);
		i = c;
	}
	place(h, i, e);
}

static int grow(struct ow_due_heap *h)
{
	unsigned int cap = h->cap ? h->cap * 2 : 64;
	struct ow_due **e;

	if (cap < h->cap)
		return -ENOMEM;
	e = realloc(h->e, (size_t)cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	h->e = e;
	h->cap = cap;
	return 0;
}

int ow_due_set(struct ow_due_heap *h, struct ow_due *e, uint64_t due_ns)
{
	uint64_t was = e->due_ns;

	e->due_ns = due_ns;
	if (e->pos) {
		if (due_ns < was)
			sift_up(h, e->pos - 1);
		else
			sift_down(h, e->pos - 1);
		return 0;
	}
	if (h->n == h->cap && grow(h))
		return -ENOMEM;
	place(h, h->n++, e);
	sift_up(h, h->n - 1);
	return 0;
}

void ow_due_remove(struct ow_due_heap *h, struct ow_due *e)
{
	unsigned int i = e->pos - 1;
	struct ow_due *last;

	if (!e->pos)
		return;
	e->pos = 0;
	last = h->e[--h->n];
	if (last == e)
		return;
	place(h, i, last);
	/* The last entry may belong above or below the hole it fills. */
	if (i > 0 && h->e[(i - 1) / 2]->due_ns > last->due_ns)
		sift_up(h, i);
	else
		sift_down(h, i);
}

struct ow_due *ow_due_first(const struct ow_due_heap *h)
{
	return h->n ? h->e[0] : NULL;
}

void ow_due_heap_free(struct ow_due_heap *h)
{
	free(h->e);
	h->e = NULL;
	h->n = h->cap = 0;
}
