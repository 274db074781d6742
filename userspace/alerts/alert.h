/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Alerts: the plain data of one alert and the pure formatters that turn alerts into one HTTP
 * request body per target format (no I/O: alert_format.c with alert_chat.c and alert_push.c;
 * the webhook targets themselves are settings: config/webhook.h). Delivery is in
 * alert_sender.h. The payloads are documented in docs/ALERTS.md.
 */
#ifndef OW_ALERT_H
#define OW_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webhook.h" /* the targets and their formats: settings (config/) */

enum ow_alert_kind {
	OW_ALERT_WARN = 0,  /* OOM predicted within the warn horizon */
	OW_ALERT_ACT,	    /* SIGTERM sent (or would be, in --dry-run) */
	OW_ALERT_ESCALATE,  /* SIGKILL after the grace */
	OW_ALERT_RESOLVED,  /* back to ok */
	OW_ALERT_OOM_KILL,  /* the kernel OOM killer killed a process (post-mortem) */
	OW_ALERT_TEST,	    /* oomwarden alert-test */
	OW_ALERT_UNWATCHED, /* a BPF map was full: some processes or memcgs go unwatched */
	OW_ALERT_BRAKE,	    /* the brake (memory.high) applied, or lifted: a burst, not a leak */
	OW_ALERT_KIND_COUNT,
};

#define OW_ALERT_TOP 5

struct ow_alert_proc {
	int32_t pid;
	char comm[16];
	uint64_t rss; /* bytes */
	double rate;  /* bytes/s over the last seconds (the model's; 0: not growing or not known) */
};

/*
 * One alert. Fixed-size strings so the struct crosses the socket to the sender process as one
 * record; strings are copied, truncated and NUL-terminated by whoever fills them (see
 * ow_alert_init). Unknown numbers are 0; an unknown ETA (or lead) is INFINITY.
 */
struct ow_alert {
	enum ow_alert_kind kind;
	char host[64];
	char cgroup[128]; /* as users know it: unit, container or path */
	char path[512];	  /* cgroup directory */
	/* The first owner_len bytes of path: the cgroup's owner, for the queues' fairness
	 * (alert_queue.c): its first directory root did not make (a delegation), or itself when
	 * root made them all; 0: no cgroup. */
	uint16_t owner_len;
	/* A pod's names (daemon/kube.c), "" when not a pod or not known. */
	char ns[64];
	char pod[254];
	char container[64];
	char pod_uid[65];
	int32_t pid; /* the process acted on / killed; 0 if none */
	char comm[16];
	char cmdline[1024];
	uint64_t usage;	 /* non-reclaimable bytes */
	uint64_t limit;	 /* effective limit, bytes; 0 = none known */
	double rate;	 /* bytes/s */
	double eta_s;	 /* time to OOM; INFINITY = none. oom_kill: what oomwarden had predicted */
	char action[16]; /* "SIGTERM", "SIGKILL", "restart" (asked the manager), or "" */
	char command[256]; /* restart: the command run, e.g. "pm2 reload 3" */
	char manager[160]; /* who manages the process: "systemd:api.service", "pm2:w(id 3)" */
	char note[256];	   /* e.g. "api.service has Restart=on-failure: it will stay stopped" */
	/* act: this victim makes a crash loop (core/crash_loop.h), said once a loop: "restarts
	 * into the same leak within 2.1 s; last 3 lifetimes 2.1 s, 1.9 s, 2.0 s"; else "". */
	char crash_loop[160];
	/* act: the pre-stop signal sent before it (core/pre_stop.h); signal "" when none. */
	struct ow_alert_pre_stop {
		char signal[12]; /* "SIGUSR2" */
		double waited_s; /* from the signal to the act */
		char ended[16];	 /* "written", "waited", "kill_water", "faster" */
		char dump[256];	 /* the heap dump seen written, or "" */
		char cwd[256];	 /* the process's working directory (Node writes there) */
	} pre_stop;
	/* act: the victim's mappings from smaps ("[heap] +120.0 MiB, [anon] +30.0 MiB"): grown
	 * since its cgroup's warning maps_since_s before, or its largest (maps_since_s < 0); "". */
	char maps[256];
	double maps_since_s;
	bool dry_run; /* the action was only logged */
	char reason[256];
	/* warn, act, escalate: the kind of memory that grew (composition.h: "anon", "shmem",
	 * "kernel"; "" when none is known) and by how much over the last 10-20 s. */
	char grows[16];
	uint64_t grew;
	char tmpfs[160]; /* shmem: the tmpfs mounts that grew, "/dev/shm +48.0 MiB, ..."; "" */
	/* and the largest files of the first, "/dev/shm/seg 40.0 MiB, ..." (once walked); "" */
	char tmpfs_files[512];
	/* act, escalate: the lead the action gave (the ETA when it was taken; INFINITY: none
	 * predicted), the grace granted before SIGKILL (0: none, as in a dry run) and where it
	 * came from ("grace", a manager's setting such as "TimeoutStopSec", "restart_timeout"); for
	 * escalate, how much of it was used and the rule that sent the SIGKILL ("kill_water",
	 * "live_eta", "deadline"). */
	double lead_s;
	double grace_s;
	double grace_used_s; /* 0: not an escalate */
	char grace_from[32];
	char rule[16];
	/* brake: "applied" or "lifted" (a burst), the braked cgroup's directory, memory.high as
	 * the brake set it and before it (UINT64_MAX: "max"). */
	char brake[16];
	char braked[512];
	uint64_t brake_high, brake_original;
	uint64_t rss_anon, rss_file, rss_shmem; /* oom_kill: the victim's RSS by type */
	struct ow_alert_proc top[OW_ALERT_TOP]; /* largest processes of the cgroup, largest first */
	unsigned int ntop;
	char incident[48];  /* stable for one incident: the dedup key of PagerDuty etc. */
	int64_t started_ns; /* CLOCK_REALTIME ns: the incident began (first warn) */
	int64_t time_ns;    /* CLOCK_REALTIME ns: this alert */
};

#define OW_PAYLOAD_HEADERS 4

/* One HTTP request body with its content type and extra headers ("Name: value"). */
struct ow_payload {
	char *body; /* malloc'd, NUL-terminated */
	size_t len;
	const char *content_type;
	char headers[OW_PAYLOAD_HEADERS][256];
	unsigned int nheaders;
	char url[OW_WEBHOOK_URL_LEN + 384]; /* where to POST it, when not the target's URL */
};

const char *ow_alert_kind_name(enum ow_alert_kind kind);
/* The most alerts one message of this format may carry (PagerDuty: 1 event per request). */
unsigned int ow_alert_fmt_max_batch(enum ow_alert_fmt fmt);

/* "ow-HOSTHASH-MEMCGID-STARTSECONDS": the same for every alert of one incident. */
void ow_alert_incident_id(char *buf, size_t len, const char *host, uint64_t memcg_id,
			  int64_t started_ns);

/* One line that says what happened, e.g. "OOM predicted in 42 s for api.service on web1". */
void ow_alert_title(const struct ow_alert *a, char *buf, size_t len);

/* The body of one alert for target t into *out (overwritten; free with ow_payload_free).
 * 0, -ENOMEM, or -EINVAL (PagerDuty without a key). */
int ow_alert_format(const struct ow_webhook_target *t, const struct ow_alert *a,
		    struct ow_payload *out);
/*
 * Several alerts to one target as one message (a burst that the rate limit held back):
 * 1 <= n <= ow_alert_fmt_max_batch(t->fmt), else -EINVAL. Every format's size limits hold.
 */
int ow_alert_coalesce(const struct ow_webhook_target *t, const struct ow_alert *a, unsigned int n,
		      struct ow_payload *out);
void ow_payload_free(struct ow_payload *p);

/* Does a target of format kubernetes post an Event for this alert? Only a pod's warn, act,
 * escalate and OOM kill (alert_kube.c). */
bool ow_alert_kube_wanted(const struct ow_alert *a);

/* What stopping a process does about growth of `kind` ("" when nothing to say), for logs and
 * alerts. */
const char *ow_alert_grows_note(const char *kind);

#endif /* OW_ALERT_H */
