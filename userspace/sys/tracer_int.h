/* SPDX-License-Identifier: GPL-2.0 */
/* The tracer's state, shared by tracer.c (loading, events, maps) and tracer_sight.c (the
 * sight's cgroup iterator). */
#ifndef OW_TRACER_INT_H
#define OW_TRACER_INT_H

#include "tracer.h"
#include "oomwarden.skel.h"

struct ow_tracer {
	struct oomwarden_bpf *skel;
	struct ring_buffer *rb;
	const char *mode;
	ow_event_fn fn;
	void *arg;
	unsigned int max_processes; /* 0: the map's compiled-in size */
	bool sight_loaded;	    /* the sight's iterator program is loaded (not yet attached) */
	char *sight_buf;	    /* a pass's records (tracer_sight.c) */
};

#endif /* OW_TRACER_INT_H */
