// SPDX-License-Identifier: GPL-2.0
/* cgroup v1 usage thresholds set off the loop: see userspace/sys/threshold_worker.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "threshold_worker.h"
#include "thread.h"

#define WORKER_STACK (64 * 1024) /* it opens, writes and closes: no deep frames */

struct job {
	struct job *next;
	struct ow_threshold_result res;
	char *dir;
	int ufd;
	uint64_t low, high;
};

/* A FIFO of jobs: requests on their way to the thread, results on their way back. */
struct queue {
	struct job *head, **tail;
};

struct ow_threshold_worker {
	ow_threshold_arm_fn arm;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct queue requests, results; /* under lock */
	bool stop;			/* under lock */
	int efd;			/* results wait */
};

static void push(struct queue *q, struct job *j)
{
	j->next = NULL;
	*q->tail = j;
	q->tail = &j->next;
}

static struct job *pop(struct queue *q)
{
	struct job *j = q->head;

	if (j) {
		q->head = j->next;
		if (!q->head)
			q->tail = &q->head;
	}
	return j;
}

static void free_job(struct job *j)
{
	if (j->ufd >= 0)
		close(j->ufd);
	free(j->dir);
	free(j);
}

static void *worker_main(void *arg)
{
	struct ow_threshold_worker *w = arg;
	const uint64_t one = 1;
	struct job *j;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->requests.head && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		j = pop(&w->requests);
		pthread_mutex_unlock(&w->lock);
		j->res.efd = w->arm(j->dir, j->ufd, j->low, j->high);
		close(j->ufd);
		j->ufd = -1;
		pthread_mutex_lock(&w->lock);
		push(&w->results, j);
		/* Cannot fail short of a counter at its maximum, which reads drain. */
		(void)!write(w->efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int ow_threshold_worker_start(ow_threshold_arm_fn arm, struct ow_threshold_worker **out)
{
	struct ow_threshold_worker *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	w->arm = arm;
	w->requests.tail = &w->requests.head;
	w->results.tail = &w->results.head;
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

int ow_threshold_worker_fd(const struct ow_threshold_worker *w)
{
	return w->efd;
}

int ow_threshold_worker_submit(struct ow_threshold_worker *w, uint64_t id, uint64_t seq,
			       const char *dir, int ufd, uint64_t low, uint64_t high)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->res = (struct ow_threshold_result){.id = id, .seq = seq, .efd = -1};
	j->low = low;
	j->high = high;
	j->dir = strdup(dir);
	j->ufd = fcntl(ufd, F_DUPFD_CLOEXEC, 0);
	if (!j->dir || j->ufd < 0) {
		int err = j->dir ? -errno : -ENOMEM;

		free_job(j);
		return err;
	}
	pthread_mutex_lock(&w->lock);
	push(&w->requests, j);
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

unsigned int ow_threshold_worker_take(struct ow_threshold_worker *w,
				      struct ow_threshold_result *out, unsigned int max)
{
	unsigned int n = 0;
	uint64_t count;
	struct job *j;

	/* Drained first: a result pushed after this read signals again. */
	(void)!read(w->efd, &count, sizeof(count));
	pthread_mutex_lock(&w->lock);
	while (n < max && (j = pop(&w->results))) {
		out[n++] = j->res;
		free_job(j);
	}
	if (w->results.head) /* more than max: readable again */
		(void)!write(w->efd, &(uint64_t){1}, sizeof(uint64_t));
	pthread_mutex_unlock(&w->lock);
	return n;
}

static void drop_all(struct queue *q)
{
	struct job *j;

	while ((j = pop(q))) {
		if (j->res.efd >= 0)
			close(j->res.efd);
		free_job(j);
	}
}

void ow_threshold_worker_stop(struct ow_threshold_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	drop_all(&w->requests);
	drop_all(&w->results);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	close(w->efd);
	free(w);
}
