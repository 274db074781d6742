// SPDX-License-Identifier: GPL-2.0
/*
 * The largest files of the tmpfs mount that grew most, for the warnings of a cgroup whose
 * shmem grows (evaluate.c): the mount is walked (sys/tmpfs_walk.h) on a thread of its own
 * (sys/worker.h), so a tree of a million files a user made in /tmp never holds the loop up;
 * one walk at a time, a mount at most every WALK_EVERY_NS. What a walk found is kept a while
 * for the level lines and alerts of every cgroup that names the mount; the first warning may
 * come before the first walk is done, the next lines carry it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "daemon_ctx.h"
#include "tmpfs_walk.h"
#include "worker.h"

#define WALK_EVERY_NS  (10 * NS_PER_S)
#define WALK_KEEP_NS   (30 * NS_PER_S)
#define WALK_BUDGET_NS (2 * NS_PER_S)
#define WALK_ENTRIES   100000 /* ~0.1 s of statx on tmpfs */
#define WALK_DEPTH     32
#define STOP_WAIT_MS   500

struct walk_job {
	struct ow_work work; /* first: the worker hands back this */
	int mnt_id;
	unsigned int major, minor;
	char point[OW_TMPFS_POINT_LEN];
	struct ow_tmpfs_walk_limits lim;
	uint64_t started_ns, ended_ns;
	int err;
	struct ow_tmpfs_files files;
};

static void run_walk(struct ow_work *work)
{
	struct walk_job *j = (struct walk_job *)work;

	j->err = ow_tmpfs_walk(j->point, j->major, j->minor, &j->lim, &j->files);
	j->ended_ns = ow_mono_ns();
}

static void drop_walk(struct ow_work *work)
{
	free(work);
}

static struct ow_worker *walker(struct ow_daemon *d)
{
	struct daemon_tmpfs_files *t = &d->tmpfs_files;
	int err;

	if (t->worker || t->failed)
		return t->worker;
	err = ow_worker_start(&t->worker);
	if (!err) {
		err = daemon_watch_fd(d, ow_worker_fd(t->worker), EPOLLIN, TAG_TMPFS_WALK);
		if (err)
			daemon_tmpfs_files_stop(d);
	}
	if (err) {
		ow_log(OW_LOG_ERROR, "tmpfs_walk",
		       "cannot start the thread that walks tmpfs mounts: "
		       "their largest files go unnamed",
		       OW_STR("error", strerror(-err)));
		t->failed = true;
	}
	return t->worker;
}

/* The slot of mnt_id, else the oldest (to be replaced). */
static struct daemon_tmpfs_walked *slot_of(struct daemon_tmpfs_files *t, int mnt_id)
{
	struct daemon_tmpfs_walked *old = &t->walked[0];
	unsigned int i;

	for (i = 0; i < DAEMON_TMPFS_WALKED; i++) {
		if (t->walked[i].done_ns && t->walked[i].mnt_id == mnt_id)
			return &t->walked[i];
		if (t->walked[i].done_ns < old->done_ns)
			old = &t->walked[i];
	}
	return old;
}

static void start_walk(struct ow_daemon *d, int mnt_id, uint64_t now)
{
	const struct ow_tmpfs_table *tab = d->tmpfs_table;
	struct walk_job *j;
	unsigned int i;

	for (i = 0; i < tab->n && tab->id[i] != mnt_id; i++)
		;
	if (i == tab->n || !walker(d) || !(j = calloc(1, sizeof(*j))))
		return;
	j->work.run = run_walk;
	j->mnt_id = mnt_id;
	j->major = tab->major[i];
	j->minor = tab->minor[i];
	memcpy(j->point, tab->point[i], sizeof(j->point));
	j->lim = (struct ow_tmpfs_walk_limits){.max_entries = WALK_ENTRIES,
					       .max_depth = WALK_DEPTH,
					       .deadline_ns = now + WALK_BUDGET_NS};
	j->started_ns = now;
	d->tmpfs_files.walking = true;
	ow_worker_submit(d->tmpfs_files.worker, &j->work);
}

void daemon_tmpfs_files(struct ow_daemon *d, int mnt_id, uint64_t now, char *buf, size_t len)
{
	struct daemon_tmpfs_files *t = &d->tmpfs_files;
	struct daemon_tmpfs_walked *w = slot_of(t, mnt_id);
	bool known = w->done_ns && w->mnt_id == mnt_id;

	buf[0] = '\0';
	if (known && now - w->done_ns < WALK_KEEP_NS)
		snprintf(buf, len, "%s", w->text);
	if (!t->walking && (!known || now - w->done_ns >= WALK_EVERY_NS))
		start_walk(d, mnt_id, now);
}

/* "/dev/shm/pg/seg.1 40.0 MiB, /dev/shm/x 8.0 MiB", and how far a cut walk went. */
static void files_text(const struct ow_tmpfs_files *f, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < f->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s %.1f MiB", i ? ", " : "",
					f->f[i].path, (double)f->f[i].bytes / MIB);
	if (f->cut && off < len)
		snprintf(buf + off, len - off, " (of the first %u entries)", f->entries);
}

void daemon_tmpfs_walked(struct ow_daemon *d)
{
	struct daemon_tmpfs_files *t = &d->tmpfs_files;
	struct ow_work *work;

	while (t->worker && (work = ow_worker_take(t->worker))) {
		struct walk_job *j = (struct walk_job *)work;
		struct daemon_tmpfs_walked *w = slot_of(t, j->mnt_id);

		t->walking = false;
		w->mnt_id = j->mnt_id;
		w->done_ns = j->ended_ns;
		files_text(&j->files, w->text, sizeof(w->text));
		ow_log(OW_LOG_INFO, "tmpfs_walk",
		       j->err ? "cannot walk a tmpfs mount that grew"
			      : "walked a tmpfs mount that grew",
		       OW_STR("mount", j->point), OW_INT("entries", j->files.entries),
		       OW_INT("cut", j->files.cut),
		       OW_NUM("ms", (double)(j->ended_ns - j->started_ns) / NS_PER_MS),
		       OW_STR("largest", w->text),
		       OW_STR("error", j->err ? strerror(-j->err) : ""));
		free(j);
	}
}

void daemon_tmpfs_files_stop(struct ow_daemon *d)
{
	ow_worker_stop(d->tmpfs_files.worker, drop_walk, STOP_WAIT_MS);
	d->tmpfs_files.worker = NULL;
}
