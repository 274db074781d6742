/* SPDX-License-Identifier: GPL-2.0 */
/*
 * systemd's notification protocol without libsystemd (see sd_notify(3)): KEY=VALUE lines in
 * one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET, whose leading '@' means the
 * abstract namespace. Outside systemd (no NOTIFY_SOCKET) every call is a no-op returning 0.
 *
 * The daemon sends READY=1 with a STATUS= line once BPF is attached and the first scan is
 * done, STATUS= when the summary changes (at most once a second), WATCHDOG=1 from a timer in
 * its event loop, and STOPPING=1 on its way out. A configuration reload sends
 * ow_sd_notify_reloading() before re-reading the file and ow_sd_notify_ready() when done,
 * whether the new file was taken or refused.
 */
#ifndef OW_SD_NOTIFY_H
#define OW_SD_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#define OW_SD_STATUS_LEN      160
#define OW_SD_STATUS_EVERY_NS 1000000000ULL /* STATUS= at most this often */

struct ow_sd {
	int fd; /* -1: not under systemd */
	struct sockaddr_un addr;
	socklen_t addrlen;
	uint64_t watchdog_usec;	       /* 0: no watchdog wanted */
	char status[OW_SD_STATUS_LEN]; /* the last STATUS= sent */
	uint64_t status_sent_ns;       /* CLOCK_MONOTONIC; 0: never */
	uint64_t status_due_ns;	       /* a changed status waits until then; 0: none waits */
};

/* $NOTIFY_SOCKET -> address. -EINVAL unless it starts with '/' or '@' (other schemes, such as
 * vsock, are not supported), -ENAMETOOLONG when it does not fit. Pure. */
int ow_sd_parse_socket(const char *name, struct sockaddr_un *addr, socklen_t *len);

/* The watchdog period in microseconds from $WATCHDOG_USEC and $WATCHDOG_PID for process
 * `self`: 0 (no watchdog) when usec is unset or not a positive number, or when pid is set and
 * names another process. Pure. */
uint64_t ow_sd_parse_watchdog(const char *usec, const char *pid, pid_t self);

/* When to send `next` as STATUS=, given the last one sent at last_ns: 0 when it is the same
 * (nothing to send), now_ns when it may go now, else the time a second after the last. Pure. */
uint64_t ow_sd_status_due(const char *last, uint64_t last_ns, const char *next, uint64_t now_ns);

/* Read NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID and take them out of the environment
 * (children must not notify in our name). Returns 0 (also when not under systemd: sd->fd is
 * then -1) or -errno; on error sd is left not notifying. */
int ow_sd_open(struct ow_sd *sd);
void ow_sd_close(struct ow_sd *sd);

/* Send one message ("KEY=VALUE\n..."). 1 when sent, 0 when not under systemd, or -errno. */
int ow_sd_send(const struct ow_sd *sd, const char *msg);

int ow_sd_notify_ready(struct ow_sd *sd, const char *status, uint64_t now_ns);
int ow_sd_notify_reloading(const struct ow_sd *sd); /* RELOADING=1, MONOTONIC_USEC= */
int ow_sd_notify_stopping(const struct ow_sd *sd);
int ow_sd_notify_watchdog(const struct ow_sd *sd);
/* STATUS=status if it changed, at most once a second. A change that must wait is not kept:
 * sd->status_due_ns says when to call again with the status as it is then. */
int ow_sd_notify_status(struct ow_sd *sd, const char *status, uint64_t now_ns);

#endif /* OW_SD_NOTIFY_H */
