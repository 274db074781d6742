// SPDX-License-Identifier: GPL-2.0
/* cgroup v1 usage thresholds set off the loop: see userspace/sys/threshold_worker.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "threshold_worker.h"
#include "worker.h"

/* A registration in a kernel wait (an RCU grace period: tens of ms) is waited for at stop. */
#define STOP_WAIT_MS 2000

struct ow_threshold_worker {
	struct ow_worker *worker;
	ow_threshold_arm_fn arm;
};

struct arm_job {
	struct ow_work work; /* first: the worker hands back this */
	ow_threshold_arm_fn arm;
	struct ow_threshold_result res;
	char *dir;
	int ufd;
	uint64_t low, high;
};

static void free_job(struct arm_job *j)
{
	if (j->ufd >= 0)
		close(j->ufd);
	free(j->dir);
	free(j);
}

static void run_job(struct ow_work *work)
{
	struct arm_job *j = (struct arm_job *)work;

	j->res.efd = j->arm(j->dir, j->ufd, j->low, j->high);
	close(j->ufd);
	j->ufd = -1;
}

static void drop_job(struct ow_work *work)
{
	struct arm_job *j = (struct arm_job *)work;

	if (j->res.efd >= 0)
		close(j->res.efd);
	free_job(j);
}

int ow_threshold_worker_start(ow_threshold_arm_fn arm, struct ow_threshold_worker **out)
{
	struct ow_threshold_worker *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	w->arm = arm;
	err = ow_worker_start(&w->worker);
	if (err) {
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

int ow_threshold_worker_fd(const struct ow_threshold_worker *w)
{
	return ow_worker_fd(w->worker);
}

int ow_threshold_worker_submit(struct ow_threshold_worker *w, uint64_t id, uint64_t seq,
			       const char *dir, int ufd, uint64_t low, uint64_t high)
{
	struct arm_job *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->work.run = run_job;
	j->arm = w->arm;
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
	ow_worker_submit(w->worker, &j->work);
	return 0;
}

unsigned int ow_threshold_worker_take(struct ow_threshold_worker *w,
				      struct ow_threshold_result *out, unsigned int max)
{
	struct ow_work *work;
	unsigned int n = 0;

	while (n < max && (work = ow_worker_take(w->worker))) {
		struct arm_job *j = (struct arm_job *)work;

		out[n++] = j->res;
		free_job(j);
	}
	return n;
}

void ow_threshold_worker_stop(struct ow_threshold_worker *w)
{
	if (!w)
		return;
	ow_worker_stop(w->worker, drop_job, STOP_WAIT_MS);
	free(w);
}
