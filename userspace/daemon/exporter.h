/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's metrics glue: a periodic timerfd in the daemon's epoll set; at each tick, the
 * model and counters become plain structs, metrics.c turns them into text, and the text goes
 * to the file writer thread (--metrics-file). The HTTP server (--metrics-listen) renders the
 * same way on each request. Nothing here waits on I/O.
 */
#ifndef OW_EXPORTER_H
#define OW_EXPORTER_H

#include <stdbool.h>
#include <stdint.h>

#include "alert_sender.h"
#include "metrics_http.h"
#include "model.h"

/* Daemon-wide counters the daemon keeps for the metrics. */
struct ow_daemon_counters {
	uint64_t events;	/* ring-buffer events handled */
	uint64_t oom_kills;	/* oom:mark_victim seen, watched cgroup or not */
	uint64_t bpf_map_full;	/* entries a full BPF map refused (kernel side and configuration) */
	uint64_t sight_passes;	/* the sight's passes (daemon/sight_pass.c) */
	uint64_t sight_pass_ns; /* their walks' time in all */
	unsigned int sight_members; /* the cgroups they read */
	uint64_t sight_watch_ticks; /* the watch's ticks (bpf/sight.bpf.c) */
	uint64_t sight_watch_ns;    /* their time in all, in the kernel's softirq */
	/* The final totals of alert senders a reload stopped: the exported counters add the
	 * running sender's to these, so they never go back. */
	struct ow_alerter_stats alerts_retired;
};

/*
 * What the exporter reads of the settings, once, in ow_exporter_open: only a restart changes
 * them (a reload keeps the running values), and the exporter keeps its own copy of the path,
 * so it holds no pointer into any options object a reload may free.
 */
struct ow_exporter_cfg {
	const char *file;	    /* --metrics-file, or NULL */
	double interval_s;	    /* --metrics-interval */
	const char *listen;	    /* --metrics-listen as given (for messages), or NULL */
	struct ow_listen_addr addr; /* parsed listen */
};

/*
 * What the exporter reads at each tick; every pointer outlives the exporter. A reload frees
 * the alert sender and puts a new one in its place: the exporter holds where the daemon keeps
 * it, never what it pointed to at the start, and reads it afresh each time.
 */
struct ow_exporter_src {
	struct ow_model *model;
	struct ow_alerter *const *alerter; /* *alerter may be NULL */
	const struct ow_daemon_counters *counters;
	const char *mode; /* BPF attach mode, or "degraded" */
	bool degraded;
};

struct ow_exporter;

/* Sub-tags below this are the exporter's: register nothing else in [tag_base, + this). */
#define OW_EXPORTER_TAGS 128

/*
 * Start what cfg asks for (nothing: *out = NULL, returns 0). The file is written once here,
 * synchronously, so a bad path fails at start. 0, or -errno with one line in err.
 */
int ow_exporter_open(const struct ow_exporter_cfg *cfg, const struct ow_exporter_src *src, int epfd,
		     uint64_t tag_base, struct ow_exporter **out, char *err, size_t errlen);
/* An epoll event whose tag is tag_base + sub. */
void ow_exporter_handle(struct ow_exporter *ex, unsigned int sub, uint32_t events);
/* Write the final numbers, stop the writer, close everything. NULL is a no-op. */
void ow_exporter_close(struct ow_exporter *ex);

#endif /* OW_EXPORTER_H */
