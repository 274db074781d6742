/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The brake (cgroup v2): memory.high written just above a fast leak's usage, so the kernel
 * throttles its allocations (reclaim, then sleeps of up to 2 s on each return to user space;
 * mem_cgroup_handle_over_high() in mm/memcontrol.c) instead of OOM-killing. A leak at 1 GiB/s
 * fills a 512 MiB cgroup in half a second, less than any worker needs to drain; braked, it
 * crawls, and there is time to tell a leak (it keeps pressing against the brake) from a burst
 * (it stops under it), and to let the leaker finish its job after SIGTERM.
 *
 * These are the decisions, pure: when to brake, at what value, when a braked cgroup is a leak,
 * when the brake is raised for the drain and when it is lifted. sys/memory_high.c reads and
 * writes the files, sys/brake_state.c remembers the original values, daemon/brake.c carries
 * the decisions out.
 */
#ifndef OW_BRAKE_H
#define OW_BRAKE_H

#include <stdbool.h>
#include <stdint.h>

/* Pressing this long without a pause is a leak, not a burst: a burst's throttled tail ends in
 * well under a second at the small overage a fresh brake leaves. */
#define OW_BRAKE_PRESS_NS (2 * 1000000000ULL)
/* A pause in the pressing shorter than this does not end a streak: readings come at every
 * event and every tick, and two of them a millisecond apart see nothing new. */
#define OW_BRAKE_GAP_NS (1500000000ULL) /* over the 1 s re-sampling of degraded mode */
/* Quiet this long under the brake: it was a burst, lift it. */
#define OW_BRAKE_FLAT_NS (5 * 1000000000ULL)
/* A brake that never led to a SIGTERM (nobody could be signalled) is lifted after this: the
 * throttle is not ours to keep on a process we may not stop. */
#define OW_BRAKE_MAX_UNACTED_NS (60 * 1000000000ULL)
/* The brake sits this far above the usage: a step of the limit (1 %), at least 2 MiB. */
#define OW_BRAKE_MARGIN_FRAC 0.01
#define OW_BRAKE_MARGIN_MIN  (2ULL << 20)
/* After the SIGTERM it is raised this much above the usage, so the drain's own allocations go
 * through, but never past this fraction of the limit (below the kill-water mark, 0.97). */
#define OW_BRAKE_DRAIN_FRAC 0.02
#define OW_BRAKE_DRAIN_CAP  0.95
/* Growth of the braked cgroup below this between two readings is no press. */
#define OW_BRAKE_NOISE (256ULL * 1024)

/* What the decision to brake sees. */
struct ow_brake_want {
	bool enabled;	   /* --brake on (and cgroup v2) for this cgroup */
	bool on;	   /* a brake is already on for it */
	bool climbing;	   /* the fine trend's recent rate is positive */
	double eta_s;	   /* the floor trend's seconds to the limit, once it may act (INFINITY
			    * before: the first rise of a sawtooth looks like a leak too) */
	double grace_s;	   /* what the victim's drain needs */
	uint64_t nonrecl;  /* the cgroup at risk */
	uint64_t limit;	   /* its effective limit */
	double high_water; /* fraction */
	double kill_water; /* fraction */
};

/* Brake now? When the limit comes sooner than the grace, and at the latest at the high-water
 * mark, while climbing; not past the kill-water mark: there is no room left to crawl in, and
 * a process the brake puts to sleep in the kernel (up to 2 s a time, woken only by a fatal
 * signal) cannot run its SIGTERM handler, so it is stopped at once, unbraked. */
bool ow_brake_wanted(const struct ow_brake_want *in);

/* The braked cgroup's files (memory.high, .low, .min, .current, .max; OW_NO_LIMIT when "max"). */
struct ow_brake_files {
	uint64_t high, low, min, current, max;
};

enum ow_brake_refusal {
	OW_BRAKE_OK = 0,
	OW_BRAKE_ADMIN_LOWER, /* memory.high is already at or below the brake: the admin's */
	OW_BRAKE_NO_ROOM,     /* the brake would sit at or above memory.max / the limit */
};

/*
 * The value to write: a margin above the usage now, but no higher than the `cap` fraction of
 * the effective limit (the high-water mark): a cgroup found past it (a daemon restarted under a
 * leak) gets a brake below its usage, which throttles harder, where one just above would leave
 * the crawl too little room to the limit. Never below memory.low or memory.min (the kernel
 * protects those; a brake under them would reclaim what it promises), always below the limit.
 * Refused when the administrator's own memory.high is already that low, or there is no room
 * under the limit.
 */
enum ow_brake_refusal ow_brake_value(const struct ow_brake_files *f, uint64_t limit, double cap,
				     uint64_t *value);
/* The raised value after the SIGTERM: OW_BRAKE_DRAIN_FRAC of the limit above the higher of
 * the brake and the usage `current` (a throttled cgroup sits over its brake), at most
 * OW_BRAKE_DRAIN_CAP of the limit, never above the original memory.high, never lower. */
uint64_t ow_brake_raised(uint64_t value, uint64_t current, uint64_t limit, uint64_t original);
const char *ow_brake_refusal_str(enum ow_brake_refusal r);

/* A brake in force, as the judge follows it. */
struct ow_brake_track {
	uint64_t set_ns;
	uint64_t current, events_high; /* at the last reading (current: the last press or fall) */
	uint64_t streak_ns;	       /* the press streak's start */
	uint64_t press_ns;	       /* the last reading that pressed */
};

void ow_brake_track_start(struct ow_brake_track *t, uint64_t now_ns, uint64_t current,
			  uint64_t events_high);
/* A reading of the braked cgroup: pressing when the kernel counted new `high` events or the
 * usage rose. */
void ow_brake_track_add(struct ow_brake_track *t, uint64_t now_ns, uint64_t current,
			uint64_t events_high);

enum ow_brake_call {
	OW_BRAKE_HOLD,	  /* keep judging (or keep it on while the victim drains) */
	OW_BRAKE_LEAK,	  /* it keeps pressing: act on it */
	OW_BRAKE_LIFT,	  /* it stopped under the brake: a burst, not a leak */
	OW_BRAKE_GIVE_UP, /* on too long with nobody signalled: lift */
};

/* A brake set this far (a fraction of the limit) below the usage was set late: the cgroup was
 * found well past the high-water mark (1 s samples in degraded mode, a daemon restarted under
 * a leak), not as it crossed it. */
#define OW_BRAKE_LATE_FRAC 0.02
/* Was the brake `value` set late for a cgroup using `current` of `limit`? */
bool ow_brake_late(uint64_t current, uint64_t value, uint64_t limit);

/* Does the brake hold back an act of the high-water rule while it judges leak or burst? Not
 * when it was set late, and not past the kill-water mark: a cgroup found there has no room
 * left to wait in (the lockdown guests' 32 MiB/s leak, sampled once a second, was braked at
 * 95 %, pressed for the 2 s of judgement, was SIGTERMed throttled below its usage, and grew
 * past the kill-water mark before its handler could stop it). */
bool ow_brake_defers(bool high_water_only, bool late, uint64_t nonrecl, uint64_t limit,
		     double kill_water);

/* has_victim: a victim was signalled and is on its way out (the brake stays until it exits). */
enum ow_brake_call ow_brake_judge(const struct ow_brake_track *t, uint64_t now_ns, bool has_victim);

#endif /* OW_BRAKE_H */
