/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Will systemd restart a service after its main process dies of SIGTERM? Read from the unit
 * files (the unit search path and drop-ins under a root directory: "/" live, a fixture tree
 * in tests), not from systemctl: the answer is needed in the same moment as the SIGTERM, and
 * reading a few small files needs neither a running systemd nor a child process.
 *
 * systemd.service(5): SIGHUP, SIGINT, SIGTERM and SIGPIPE are clean exits, so only
 * Restart=always and Restart=on-success restart a service that died of SIGTERM (unless
 * RestartPreventExitStatus= or RestartForceExitStatus= name SIGTERM). Settings made at run
 * time (systemctl set-property) are not seen.
 *
 * The same files give the stop timeout the user set for the service, which the grace between
 * SIGTERM and SIGKILL honours: TimeoutStopSec= and TimeoutSec= both set it, the assignment read
 * last wins (systemd applies TimeoutSec= to the stop timeout as it reads it, not only where
 * TimeoutStopSec= is missing), 0 and "infinity" mean no timeout. A value systemd cannot parse,
 * an empty one included, is ignored as systemd ignores it (with a warning), keeping the one
 * before. DefaultTimeoutStopSec= (system.conf, 90 s unless changed) is not read: only a value
 * set for the unit counts.
 */
#ifndef OW_UNITFILE_H
#define OW_UNITFILE_H

#include <stdbool.h>
#include <stddef.h>

struct ow_unit_restart {
	bool found;	   /* a unit file was read */
	bool masked;	   /* linked to /dev/null */
	char restart[24];  /* Restart= in effect: "no" unless set */
	bool prevent_term; /* RestartPreventExitStatus= lists SIGTERM */
	bool force_term;   /* RestartForceExitStatus= lists SIGTERM */
	/* The stop timeout set in [Service], in seconds (INFINITY: none), or -1 when not set. */
	double stop_timeout_s;
	char stop_timeout_key[16]; /* "TimeoutStopSec" or "TimeoutSec": which set it, or "" */
};

enum ow_sigterm_fate {
	OW_FATE_UNKNOWN = 0,
	OW_FATE_RESTARTED,     /* systemd starts it again */
	OW_FATE_STAYS_STOPPED, /* nothing starts it again */
};

/* Defaults: found = false, restart "no", stop_timeout_s -1. */
void ow_unit_restart_init(struct ow_unit_restart *u);

/* Apply one unit file or drop-in's [Service] assignments over u (later files override,
 * an empty assignment resets). Sets u->found. */
void ow_unit_restart_parse(const char *buf, struct ow_unit_restart *u);

/*
 * The unit file of `unit` and its drop-ins (UNIT.d/, TEMPLATE@.service.d/, service.d/) in the
 * system search path under root, or with `user` the user search path (`home`, if not NULL, for
 * ~/.config/systemd/user). Returns 0 (u->found says whether a file was found) or -errno.
 */
int ow_unit_restart_read(const char *root, const char *unit, bool user, const char *home,
			 struct ow_unit_restart *u);

/*
 * systemd's time span (systemd.time(7)) in seconds: a number is seconds, units follow numbers
 * with or without a space and add up ("1min 30s", "1.5h", "500ms", "2m"), "infinity" is
 * INFINITY. Returns 0, -EINVAL (empty, an unknown unit, a minus) or -ERANGE. Pure.
 */
int ow_unit_parse_timespan(const char *s, double *sec);

/* Pure: what becomes of the service when its main process dies of SIGTERM. */
enum ow_sigterm_fate ow_unit_sigterm_fate(const struct ow_unit_restart *u);

/* "api.service has Restart=on-failure: it will stay stopped (...)", "... systemd will restart
 * it", or "" when unknown. */
void ow_unit_restart_note(const char *unit, const struct ow_unit_restart *u, char *buf, size_t len);

#endif /* OW_UNITFILE_H */
