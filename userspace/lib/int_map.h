/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A map from non-negative int keys to 64-bit values: open addressing, linear probing, removal
 * by shifting back (no tombstones), grown at half full. For keys the kernel hands out, such as
 * inotify watch descriptors (idr_alloc_cyclic: they climb for as long as watches come and go,
 * so no array indexed by them stays small).
 */
#ifndef OW_INT_MAP_H
#define OW_INT_MAP_H

#include <stdbool.h>
#include <stdint.h>

struct ow_int_map_slot {
	int key; /* -1: empty */
	uint64_t value;
};

struct ow_int_map {
	struct ow_int_map_slot *slots;
	unsigned int cap, n; /* cap: 0 or a power of two */
};

/* Set key's value (replacing any). 0, -EINVAL for a negative key, or -ENOMEM. */
int ow_int_map_put(struct ow_int_map *m, int key, uint64_t value);
bool ow_int_map_get(const struct ow_int_map *m, int key, uint64_t *value);
void ow_int_map_del(struct ow_int_map *m, int key);
void ow_int_map_free(struct ow_int_map *m);

#endif /* OW_INT_MAP_H */
