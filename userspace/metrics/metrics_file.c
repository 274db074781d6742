// SPDX-License-Identifier: GPL-2.0
/* The metrics file and its writer thread: see userspace/metrics/metrics_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics_file.h"
#include "thread.h"

#define WRITER_STACK (64 * 1024) /* it calls write, fsync and rename: no deep frames */

/* "<dir>/.<name>.XXXXXX": hidden and without the .prom suffix, so the textfile collector
 * never reads a temporary file. */
static int temp_name(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	int n = snprintf(buf, size, "%.*s.%s.XXXXXX", dirlen, path, path + dirlen);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int ow_metrics_file_write(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	int fd, err;

	err = temp_name(path, tmp, sizeof(tmp));
	if (err)
		return err;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* mkostemp makes 0600; node_exporter usually runs as another user. */
	err = fchmod(fd, 0644) ? -errno : 0;
	if (!err)
		err = write_all(fd, text, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

struct ow_metrics_writer {
	const char *path;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ow_strbuf pending;	    /* under lock */
	bool dirty, stop;		    /* under lock */
	struct ow_metrics_writer_status st; /* under lock */
};

static void *writer_main(void *arg)
{
	struct ow_metrics_writer *w = arg;
	struct ow_strbuf mine = {0}, t;
	int err;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->dirty && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (!w->dirty)
			break; /* stopping, nothing left */
		t = mine;
		mine = w->pending;
		w->pending = t;
		w->dirty = false;
		pthread_mutex_unlock(&w->lock);
		err = ow_metrics_file_write(w->path, ow_strbuf_str(&mine), mine.len);
		pthread_mutex_lock(&w->lock);
		w->st.last_err = err;
		w->st.writes++;
		w->st.failures += err != 0;
	}
	pthread_mutex_unlock(&w->lock);
	ow_strbuf_free(&mine);
	return NULL;
}

int ow_metrics_writer_start(const char *path, struct ow_metrics_writer **out)
{
	struct ow_metrics_writer *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	w->path = path;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	err = ow_thread_start(&w->thread, WRITER_STACK, writer_main, w);
	if (err) {
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

void ow_metrics_writer_submit(struct ow_metrics_writer *w, struct ow_strbuf *text)
{
	struct ow_strbuf t;

	pthread_mutex_lock(&w->lock);
	t = w->pending;
	w->pending = *text;
	*text = t;
	w->dirty = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

struct ow_metrics_writer_status ow_metrics_writer_status(struct ow_metrics_writer *w)
{
	struct ow_metrics_writer_status st;

	pthread_mutex_lock(&w->lock);
	st = w->st;
	pthread_mutex_unlock(&w->lock);
	return st;
}

void ow_metrics_writer_stop(struct ow_metrics_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	ow_strbuf_free(&w->pending);
	free(w);
}
