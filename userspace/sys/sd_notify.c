// SPDX-License-Identifier: GPL-2.0
/* systemd notifications without libsystemd: see userspace/sys/sd_notify.h and sd_notify(3). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "sd_notify.h"

#define NS_PER_US 1000ULL

int ow_sd_parse_socket(const char *name, struct sockaddr_un *addr, socklen_t *len)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 2 || (name[0] != '/' && name[0] != '@'))
		return -EINVAL;
	if (n >= sizeof(addr->sun_path))
		return -ENAMETOOLONG;
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path, name, n);
	if (name[0] == '@') {
		/* Abstract: the name is the bytes after a leading NUL, no terminator counted. */
		addr->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

uint64_t ow_sd_parse_watchdog(const char *usec, const char *pid, pid_t self)
{
	uint64_t v, p;

	if (!parse_u64(usec, &v) || !v)
		return 0;
	/* WATCHDOG_PID is set when the watchdog is meant for one process of several. */
	if (pid && (!parse_u64(pid, &p) || p != (uint64_t)self))
		return 0;
	return v;
}

uint64_t ow_sd_status_due(const char *last, uint64_t last_ns, const char *next, uint64_t now_ns)
{
	if (!strcmp(last, next))
		return 0;
	if (!last_ns || now_ns >= last_ns + OW_SD_STATUS_EVERY_NS)
		return now_ns;
	return last_ns + OW_SD_STATUS_EVERY_NS;
}

int ow_sd_open(struct ow_sd *sd)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	int err;

	memset(sd, 0, sizeof(*sd));
	sd->fd = -1;
	if (!sock)
		return 0;
	sd->watchdog_usec =
		ow_sd_parse_watchdog(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"), getpid());
	err = ow_sd_parse_socket(sock, &sd->addr, &sd->addrlen);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (err) {
		sd->watchdog_usec = 0;
		return err;
	}
	sd->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sd->fd < 0) {
		sd->watchdog_usec = 0;
		return -errno;
	}
	return 0;
}

void ow_sd_close(struct ow_sd *sd)
{
	if (sd->fd >= 0)
		close(sd->fd);
	sd->fd = -1;
	sd->watchdog_usec = 0;
}

int ow_sd_send(const struct ow_sd *sd, const char *msg)
{
	if (sd->fd < 0)
		return 0;
	/* Never block the event loop on a manager that is slow to read. */
	if (sendto(sd->fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
		   (const struct sockaddr *)&sd->addr, sd->addrlen) < 0)
		return -errno;
	return 1;
}

int ow_sd_notify_ready(struct ow_sd *sd, const char *status, uint64_t now_ns)
{
	char msg[OW_SD_STATUS_LEN + 32];

	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
	snprintf(sd->status, sizeof(sd->status), "%s", status);
	sd->status_sent_ns = now_ns;
	sd->status_due_ns = 0;
	return ow_sd_send(sd, msg);
}

int ow_sd_notify_reloading(const struct ow_sd *sd)
{
	char msg[64];

	/* systemd >= 253 wants the time of the reload request to tell reloads apart. */
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)(ow_mono_ns() / NS_PER_US));
	return ow_sd_send(sd, msg);
}

int ow_sd_notify_stopping(const struct ow_sd *sd)
{
	return ow_sd_send(sd, "STOPPING=1");
}

int ow_sd_notify_watchdog(const struct ow_sd *sd)
{
	return ow_sd_send(sd, "WATCHDOG=1");
}

int ow_sd_notify_status(struct ow_sd *sd, const char *status, uint64_t now_ns)
{
	uint64_t due = ow_sd_status_due(sd->status, sd->status_sent_ns, status, now_ns);
	char msg[OW_SD_STATUS_LEN + 16];

	sd->status_due_ns = due > now_ns ? due : 0;
	if (!due || due > now_ns)
		return 0;
	snprintf(sd->status, sizeof(sd->status), "%s", status);
	sd->status_sent_ns = now_ns;
	snprintf(msg, sizeof(msg), "STATUS=%s", sd->status);
	return ow_sd_send(sd, msg);
}
