// SPDX-License-Identifier: GPL-2.0
/*
 * What grew in the victim (issue 18 item 4b): its mappings from /proc/PID/smaps grouped by name
 * (sys/smaps.h), on the act line and alert. Grown since the cgroup's warning when the victim
 * was its fastest grower then (a snapshot taken at the warning), else its largest. Reading smaps
 * walks the page tables of every mapping (milliseconds for a GiB of heap), so it is read at the
 * warning and once the SIGTERM (or the restart) is out, never between a verdict and its signal;
 * at most MAPS_READ_MAX bytes of it (a process with 65,530 mappings writes ~25 MiB), and not
 * at all of a process over MAPS_RSS_MAX resident. The 16 snapshots are shared by every cgroup:
 * many warnings at once may push out an older one (that act then names the largest mappings).
 */
#include <stdlib.h>
#include <string.h>

#include "daemon_ctx.h"

#define MAPS_READ_MAX (4u << 20)
/* The kernel walks the page tables of every mapping to write smaps: 11.6-11.8 ms for 1 GiB
 * resident, measured here. A larger process is not walked in the loop. */
#define MAPS_RSS_MAX (4ULL << 30)
#define MAPS_SHOWN   3
/* A snapshot older than this says little about the leak being stopped. */
#define MAPS_BASE_MAX_NS (1800 * NS_PER_S)

static struct daemon_maps *slot_of(struct ow_daemon *d, uint64_t cg_id)
{
	struct daemon_maps *oldest = &d->maps[0];
	unsigned int i;

	for (i = 0; i < MAPS_SLOTS; i++) {
		if (d->maps[i].cg_id == cg_id)
			return &d->maps[i];
		if (d->maps[i].ns < oldest->ns)
			oldest = &d->maps[i]; /* an empty slot has ns 0: taken first */
	}
	return oldest;
}

static bool too_large(const struct ow_proc_info *info)
{
	return info->rss_anon + info->rss_file + info->rss_shmem > MAPS_RSS_MAX;
}

static void release(struct daemon_maps *m)
{
	ow_smaps_free(&m->maps);
	memset(m, 0, sizeof(*m));
}

void daemon_maps_baseline(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	int n, idx = daemon_fastest(d, cg, now, &n);
	struct daemon_maps *m = slot_of(d, cg->id);

	release(m);
	if (idx < 0 || too_large(&d->cands->info[idx]) ||
	    ow_smaps_read_max("/proc", d->cands->info[idx].pid, MAPS_READ_MAX, &m->maps))
		return;
	m->cg_id = cg->id;
	m->pid = d->cands->info[idx].pid;
	m->starttime = d->cands->info[idx].starttime;
	m->ns = now;
}

/* The cgroup's snapshot when it is this process's (not a recycled pid) and recent. */
static struct daemon_maps *baseline_of(struct ow_daemon *d, const struct ow_cgroup *cg,
				       const struct ow_proc_info *info, uint64_t now)
{
	struct daemon_maps *m = slot_of(d, cg->id);

	if (m->cg_id != cg->id)
		return NULL;
	if (m->pid != info->pid || m->starttime != info->starttime ||
	    now - m->ns > MAPS_BASE_MAX_NS) {
		release(m);
		return NULL;
	}
	return m;
}

void daemon_maps_grown(struct ow_daemon *d, struct ow_cgroup *cg, const struct ow_proc_info *info,
		       uint64_t now)
{
	struct daemon_maps *m = baseline_of(d, cg, info, now);
	struct ow_cg_text *t = daemon_text(d, cg);
	struct ow_smaps end, none = {0};
	struct ow_smaps_delta *delta = NULL;
	size_t n;

	t->maps[0] = '\0';
	t->maps_since_s = -1;
	if (!too_large(info) && !ow_smaps_read_max("/proc", info->pid, MAPS_READ_MAX, &end)) {
		if (!ow_smaps_diff(m ? &m->maps : &none, &end, &delta, &n))
			ow_smaps_grown_text(delta, n, MAPS_SHOWN, t->maps, sizeof(t->maps));
		free(delta);
		ow_smaps_free(&end);
	}
	if (m && t->maps[0])
		t->maps_since_s = (double)(now - m->ns) / NS_PER_S;
	if (m)
		release(m);
}

void daemon_maps_free(struct ow_daemon *d)
{
	unsigned int i;

	for (i = 0; i < MAPS_SLOTS; i++)
		release(&d->maps[i]);
}
