// SPDX-License-Identifier: GPL-2.0
/* The daemon's helper threads: see userspace/lib/thread.h. */
#include <signal.h>

#include "thread.h"

int ow_thread_start(pthread_t *thread, size_t stack, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	pthread_attr_t attr;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, stack);
	/* The new thread inherits this mask: blocked from its first instruction. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(thread, &attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return err;
}
