// SPDX-License-Identifier: GPL-2.0
/* Named address ranges searched by address: see userspace/diagnose/symtab.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "symtab.h"

#define NAMES_MAX UINT32_MAX /* entries hold 32-bit name offsets */

void ow_symtab_init(struct ow_symtab *t, enum ow_symtab_pick pick)
{
	memset(t, 0, sizeof(*t));
	t->pick = pick;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = reallocarray(*p, ncap, elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static int add_name(struct ow_symtab *t, const char *name, size_t len, uint32_t *off)
{
	if (t->names_len + len + 1 > NAMES_MAX)
		return -ENOMEM;
	if (grow((void **)&t->names, &t->names_cap, t->names_len + len + 1, 1))
		return -ENOMEM;
	memcpy(t->names + t->names_len, name, len);
	t->names[t->names_len + len] = '\0';
	*off = (uint32_t)t->names_len;
	t->names_len += len + 1;
	return 0;
}

int ow_symtab_add(struct ow_symtab *t, uint64_t start, uint64_t size, const char *name,
		  size_t name_len, uint32_t rank)
{
	struct ow_symtab_entry *e;
	uint64_t end = start + (size ? size : 1);

	if (end <= start || !name_len || t->max_end)
		return -EINVAL;
	if (grow((void **)&t->entries, &t->cap, t->n + 1, sizeof(*t->entries)))
		return -ENOMEM;
	e = &t->entries[t->n];
	if (add_name(t, name, name_len, &e->name))
		return -ENOMEM;
	e->start = start;
	e->end = end;
	e->rank = rank;
	t->n++;
	return 0;
}

/* By start, then rank; names only make ties deterministic. */
static int cmp_entry(const void *a, const void *b, void *names)
{
	const struct ow_symtab_entry *x = a, *y = b;
	const char *sort_names = names;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(sort_names + y->name, sort_names + x->name);
}

int ow_symtab_finish(struct ow_symtab *t)
{
	uint64_t max = 0;
	size_t i;

	if (t->max_end)
		return -EINVAL;
	t->max_end = calloc(t->n ? t->n : 1, sizeof(*t->max_end));
	if (!t->max_end)
		return -ENOMEM;
	/* An empty table has no entries array: qsort_r's pointer must not be NULL. */
	if (t->n)
		qsort_r(t->entries, t->n, sizeof(*t->entries), cmp_entry, t->names);
	for (i = 0; i < t->n; i++) {
		if (t->entries[i].end > max)
			max = t->entries[i].end;
		t->max_end[i] = max;
	}
	return 0;
}

/* Index of the last entry starting at or below addr, or -1. */
static ssize_t last_at_or_below(const struct ow_symtab *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->entries[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

/*
 * Walk down from the last entry starting at or below addr while some earlier entry still ends
 * above it (max_end). Sorted by (start, rank), the first hit is the innermost, best-ranked
 * range; without overlaps the walk stops after one step.
 */
const struct ow_symtab_entry *ow_symtab_find(const struct ow_symtab *t, uint64_t addr)
{
	const struct ow_symtab_entry *best = NULL, *e;
	ssize_t i;

	if (!t->max_end)
		return NULL;
	for (i = last_at_or_below(t, addr); i >= 0 && t->max_end[i] > addr; i--) {
		e = &t->entries[i];
		if (addr >= e->end)
			continue;
		if (t->pick == OW_PICK_INNERMOST)
			return e;
		if (!best || e->rank > best->rank)
			best = e;
	}
	return best;
}

void ow_symtab_free(struct ow_symtab *t)
{
	free(t->entries);
	free(t->max_end);
	free(t->names);
	memset(t, 0, sizeof(*t));
}
