/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Evidence before the stop (--pre-stop-signal, issue 18): a leak stopped and restarted leaves
 * nothing to diagnose it by. Node writes a heap snapshot on a signal of the user's choosing
 * (`node --heapsnapshot-signal=SIGUSR2`), so the victim gets that signal first, then a bounded
 * wait, then the SIGTERM (or the restart). The wait ends early when the snapshot is seen written
 * (a *.heapsnapshot file open in the process, then closed), or when the growth since the signal
 * leaves no time for it (the grace's own rules, grace.h). It is skipped when the ETA leaves no
 * time, or when the process does not catch the signal (its default action would end it, mid-job:
 * a SIGKILL by another name). Pure: no I/O, no clock.
 */
#ifndef OW_PRE_STOP_H
#define OW_PRE_STOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --pre-stop-wait: its default and its most. A snapshot of a 1 GiB heap takes seconds; the wait
 * ends as soon as one is seen written. */
#define OW_PRE_STOP_WAIT_DEFAULT_S 10.0
#define OW_PRE_STOP_WAIT_MAX_S	   120.0
/* A wait shorter than this is not worth a signal: a snapshot takes longer to write. */
#define OW_PRE_STOP_MIN_S 0.5
/* The process's open files are looked at this often during the wait. */
#define OW_PRE_STOP_POLL_NS (200 * 1000000ULL)
/* At most this many of its descriptors each time (a readlink each, its path up to PATH_MAX:
 * ~1 ms a hundred): a process with a million open files only delays the early end of its own
 * wait. Node's snapshot is one of its first descriptors. */
#define OW_PRE_STOP_MAX_FDS 1024

/* What act sees before it signals. */
struct ow_pre_stop_view {
	int signal;	/* the configured signal, 0: none */
	int catches;	/* ow_proc_catches(): 1 yes, 0 no, -errno unknown */
	bool dry_run;	/* --dry-run: nothing is sent */
	bool braked;	/* the brake holds the growth (brake.h): the ETA before it says little */
	double eta_s;	/* the verdict's time to the limit (INFINITY: none) */
	double wait_s;	/* --pre-stop-wait */
	double grace_s; /* the victim's grace after the SIGTERM */
};

enum ow_pre_stop_plan {
	OW_PRE_STOP_OFF,	/* no signal configured: nothing to say */
	OW_PRE_STOP_SEND,	/* send it and wait */
	OW_PRE_STOP_NO_TIME,	/* the ETA leaves no time for a wait */
	OW_PRE_STOP_NOT_CAUGHT, /* the process does not catch it (or that cannot be known) */
	OW_PRE_STOP_DRY_RUN,	/* it would be sent */
};

/* The wait planned, and the lead the SIGTERM keeps after it. */
struct ow_pre_stop_wait {
	double wait_s; /* --pre-stop-wait, at most half the ETA */
	double keep_s; /* the ETA left at the wait's end, if the growth keeps its pace */
};

/*
 * The plan. The victim still grows during the wait, so it takes at most half of the ETA: the
 * SIGTERM keeps the other half. A brake on holds the growth: the whole wait, and the grace is
 * the lead to keep. Below OW_PRE_STOP_MIN_S: no time.
 */
enum ow_pre_stop_plan ow_pre_stop_plan(const struct ow_pre_stop_view *v,
				       struct ow_pre_stop_wait *out);
/* The log's sentence for a plan. */
const char *ow_pre_stop_text(enum ow_pre_stop_plan p);

/* What the wait sees of the cgroup at each evaluation. */
struct ow_pre_stop_progress {
	uint64_t now_ns, deadline_ns; /* the wait ends at deadline_ns */
	uint64_t value, limit;	      /* non-reclaimable bytes now; the effective limit */
	double kill_water;	      /* fraction of the limit */
	double live_rate;	      /* bytes/s since the signal (ow_live_rate; NAN: not yet) */
	double keep_s;		      /* the plan's */
};

enum ow_pre_stop_cut {
	OW_PRE_STOP_GO_ON,	/* wait on */
	OW_PRE_STOP_KILL_WATER, /* past the kill-water mark: SIGTERM now */
	OW_PRE_STOP_FASTER,	/* the growth since the signal would leave under half the lead */
};

/* Does the growth since the signal cut the wait short? */
enum ow_pre_stop_cut ow_pre_stop_judge(const struct ow_pre_stop_progress *p);
/* Why the wait ended, for the log: "written", "kill_water", "faster", "waited". */
const char *ow_pre_stop_cut_name(enum ow_pre_stop_cut c);

/* Is this open file a heap dump being written? Node's Heap.*.heapsnapshot (--heapsnapshot-signal,
 * v8.writeHeapSnapshot), a JVM's *.hprof. The name is the process's own choice: it can only end
 * its own wait early (never later than the bounded wait, never anyone else's). */
bool ow_pre_stop_is_dump(const char *path);

/* The dump during the wait, from one look at the process's open files after another. */
struct ow_dump_watch {
	bool seen;	/* a dump was seen open (the process opens it to write it) */
	bool written;	/* and then closed: the wait may end */
	char path[256]; /* the last one seen (for the log and the alert) */
};

/* One look: `open_path` the dump the process has open now, or NULL. Returns w->written. */
bool ow_dump_watch_update(struct ow_dump_watch *w, const char *open_path);

#endif /* OW_PRE_STOP_H */
