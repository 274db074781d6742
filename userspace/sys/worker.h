/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A thread that runs the loop's blocking jobs one at a time, in order, and hands each back
 * done: the loop submits and goes on, the worker's eventfd says jobs are done, the loop takes
 * them. A job is the caller's struct with a struct ow_work in it; it belongs to the worker
 * from submit to take. Signals stay with the loop (lib/thread.h).
 */
#ifndef OW_WORKER_H
#define OW_WORKER_H

#include <stdint.h>

struct ow_work {
	struct ow_work *next;		   /* the worker's */
	void (*run)(struct ow_work *work); /* on the worker's thread */
};

struct ow_worker;

/* Start the thread. 0 and *out, or -errno. */
int ow_worker_start(struct ow_worker **out);

/* Readable (an eventfd) while done jobs wait: watch it, then take them. */
int ow_worker_fd(const struct ow_worker *w);

/* Queue `work` (its run set); it comes back through ow_worker_take once run. */
void ow_worker_submit(struct ow_worker *w, struct ow_work *work);

/* The oldest done job, or NULL; the fd is readable again while more wait. */
struct ow_work *ow_worker_take(struct ow_worker *w);

/*
 * Stop: jobs not begun and jobs not taken go to drop(). A job in hand is waited for at most
 * wait_ms: one stuck in the kernel is left to the thread (detached, never freed) rather
 * than keep the daemon from stopping. Frees w.
 */
void ow_worker_stop(struct ow_worker *w, void (*drop)(struct ow_work *work), unsigned int wait_ms);

#endif /* OW_WORKER_H */
