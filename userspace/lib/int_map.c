// SPDX-License-Identifier: GPL-2.0
/* A map from non-negative int keys to 64-bit values: see userspace/lib/int_map.h. */
#include <errno.h>
#include <stdlib.h>

#include "int_map.h"

static unsigned int home(const struct ow_int_map *m, int key)
{
	/* Fibonacci hashing: consecutive descriptors spread over the table. */
	return (unsigned int)(((uint32_t)key * 2654435769u) & (m->cap - 1));
}

static struct ow_int_map_slot *find(const struct ow_int_map *m, int key)
{
	unsigned int i;

	if (!m->cap)
		return NULL;
	for (i = home(m, key); m->slots[i].key >= 0; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].key == key)
			return &m->slots[i];
	return NULL;
}

static void place(struct ow_int_map *m, int key, uint64_t value)
{
	unsigned int i = home(m, key);

	while (m->slots[i].key >= 0)
		i = (i + 1) & (m->cap - 1);
	m->slots[i] = (struct ow_int_map_slot){.key = key, .value = value};
}

static int grow(struct ow_int_map *m)
{
	unsigned int cap = m->cap ? m->cap * 2 : 64, old = m->cap, i;
	struct ow_int_map_slot *slots = m->slots;

	m->slots = malloc(cap * sizeof(*m->slots));
	if (!m->slots) {
		m->slots = slots;
		return -ENOMEM;
	}
	m->cap = cap;
	for (i = 0; i < cap; i++)
		m->slots[i].key = -1;
	for (i = 0; i < old; i++)
		if (slots[i].key >= 0)
			place(m, slots[i].key, slots[i].value);
	free(slots);
	return 0;
}

int ow_int_map_put(struct ow_int_map *m, int key, uint64_t value)
{
	struct ow_int_map_slot *s = key < 0 ? NULL : find(m, key);

	if (key < 0)
		return -EINVAL;
	if (s) {
		s->value = value;
		return 0;
	}
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	place(m, key, value);
	m->n++;
	return 0;
}

bool ow_int_map_get(const struct ow_int_map *m, int key, uint64_t *value)
{
	const struct ow_int_map_slot *s = key < 0 ? NULL : find(m, key);

	if (s)
		*value = s->value;
	return s != NULL;
}

/* Removal by shifting back: each later slot of the run moves into the hole unless its home
 * lies cyclically in (hole, slot], where a lookup would still find it. */
void ow_int_map_del(struct ow_int_map *m, int key)
{
	struct ow_int_map_slot *s = key < 0 ? NULL : find(m, key);
	unsigned int hole, i, h;

	if (!s)
		return;
	hole = (unsigned int)(s - m->slots);
	m->slots[hole].key = -1;
	m->n--;
	for (i = (hole + 1) & (m->cap - 1); m->slots[i].key >= 0; i = (i + 1) & (m->cap - 1)) {
		h = home(m, m->slots[i].key);
		if (((i - h) & (m->cap - 1)) < ((i - hole) & (m->cap - 1)))
			continue; /* its home is past the hole: it stays */
		m->slots[hole] = m->slots[i];
		m->slots[i].key = -1;
		hole = i;
	}
}

void ow_int_map_free(struct ow_int_map *m)
{
	free(m->slots);
	*m = (struct ow_int_map){0};
}
