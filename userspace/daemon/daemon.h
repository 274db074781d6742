/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon: one thread, one epoll loop (ring buffer, timerfd, signalfd, victims' pidfds). */
#ifndef OW_DAEMON_H
#define OW_DAEMON_H

#include "options.h"

/* Runs until SIGTERM or SIGINT. Returns the process exit status: 0, 1 (runtime failure), or 2
 * (bad arguments, e.g. a --cgroup that is not a memory cgroup). */
int ow_daemon_run(struct ow_options *opts);

#endif /* OW_DAEMON_H */
