// SPDX-License-Identifier: GPL-2.0
/* The loop's blocking jobs on a thread of their own: see userspace/lib/worker.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "thread.h"
#include "worker.h"

#define WORKER_STACK (128 * 1024) /* a job's frames: a directory walk's stack of names */

/* A FIFO of jobs: on their way to the thread, or back. */
struct queue {
	struct ow_work *head, **tail;
};

struct ow_worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct queue todo, done; /* under lock */
	bool stop, running;	 /* under lock */
	int efd;		 /* done jobs wait */
};

static void push(struct queue *q, struct ow_work *work)
{
	work->next = NULL;
	*q->tail = work;
	q->tail = &work->next;
}

static struct ow_work *pop(struct queue *q)
{
	struct ow_work *work = q->head;

	if (work) {
		q->head = work->next;
		if (!q->head)
			q->tail = &q->head;
	}
	return work;
}

static void signal_done(struct ow_worker *w)
{
	/* Cannot fail short of a counter at its maximum, which reads drain. */
	(void)!write(w->efd, &(uint64_t){1}, sizeof(uint64_t));
}

static void *worker_main(void *arg)
{
	struct ow_worker *w = arg;
	struct ow_work *work;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->todo.head && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		work = pop(&w->todo);
		w->running = true;
		pthread_mutex_unlock(&w->lock);
		work->run(work);
		pthread_mutex_lock(&w->lock);
		w->running = false;
		push(&w->done, work);
		signal_done(w);
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int ow_worker_start(struct ow_worker **out)
{
	struct ow_worker *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	w->todo.tail = &w->todo.head;
	w->done.tail = &w->done.head;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		err = -errno;
		free(w);
		return err;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	err = ow_thread_start(&w->thread, WORKER_STACK, worker_main, w);
	if (err) {
		close(w->efd);
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

int ow_worker_fd(const struct ow_worker *w)
{
	return w->efd;
}

void ow_worker_submit(struct ow_worker *w, struct ow_work *work)
{
	pthread_mutex_lock(&w->lock);
	push(&w->todo, work);
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

struct ow_work *ow_worker_take(struct ow_worker *w)
{
	struct ow_work *work;
	uint64_t count;

	/* Drained first: a job done after this read signals again. */
	(void)!read(w->efd, &count, sizeof(count));
	pthread_mutex_lock(&w->lock);
	work = pop(&w->done);
	if (w->done.head)
		signal_done(w);
	pthread_mutex_unlock(&w->lock);
	return work;
}

static void drop_all(struct queue *q, void (*drop)(struct ow_work *))
{
	struct ow_work *work;

	while ((work = pop(q)))
		drop(work);
}

void ow_worker_stop(struct ow_worker *w, void (*drop)(struct ow_work *work), unsigned int wait_ms)
{
	struct timespec until;
	int err = 0;

	if (!w)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	drop_all(&w->todo, drop);
	pthread_cond_broadcast(&w->cond);
	while (w->running && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&w->cond, &w->lock, &until);
	pthread_mutex_unlock(&w->lock);
	if (err == ETIMEDOUT) {
		/* The job in hand is stuck (a kernel wait): the thread keeps w. */
		pthread_detach(w->thread);
		return;
	}
	pthread_join(w->thread, NULL);
	drop_all(&w->done, drop);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	close(w->efd);
	free(w);
}
