/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's helper threads (the metrics writer, the threshold worker): each does blocking
 * work the loop must not wait on, and none may take a signal, which belongs to the loop's
 * signalfd (a thread that took SIGTERM would end nothing: the loop never saw it).
 */
#ifndef OW_THREAD_H
#define OW_THREAD_H

#include <pthread.h>
#include <stddef.h>

/* Start fn(arg) on a thread with a stack of `stack` bytes and every signal blocked. 0 or
 * -errno. */
int ow_thread_start(pthread_t *thread, size_t stack, void *(*fn)(void *), void *arg);

#endif /* OW_THREAD_H */
