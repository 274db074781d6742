// SPDX-License-Identifier: GPL-2.0
/*
 * Writes to the watched cgroups' limits, seen as they are made: an inotify watch on each one's
 * limit file (memory.limit_in_bytes, memory.max) and, on v2, on its cgroup.subtree_control.
 * vfs_write() reports every successful write to any file (fsnotify_modify()), cgroupfs's too,
 * so `systemctl set-property` or an echo into memory.max wakes the loop and the cgroup is
 * evaluated with its new limit at once: v1 thresholds set again, the page-fault program attached
 * if the new limit puts it at risk. No hook on the write itself attaches here (kprobes absent,
 * fentry refused: DESIGN.md), and while the program is detached no page fault would read it.
 * The memory controller enabled in a v2 cgroup's subtree_control gives its children memcgs with
 * no mkdir and no task moving: the write has them looked at (its children only, four looks at
 * once then one a second a cgroup: a user may write its delegated subtree_control in a loop).
 * A cgroup whose watch cannot be added (fs.inotify.max_user_watches) keeps having its limit read
 * again while the program is detached (rss_gate.c), as every cgroup does for a while after the
 * event queue overflowed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <stdlib.h>
#include <unistd.h>

#include "cgroup.h"
#include "daemon_ctx.h"
#include "int_map.h"
#include "readfile.h"

/* After an overflow, every limit is read again within a glance (rss_gate.c). */
#define OVERFLOW_GLANCE_NS (60ULL * NS_PER_S)
/* At most EVENTS_PER_WINDOW cgroups whose files were written handled in each WINDOW_NS: a user
 * who writes its own delegated memory.max in a loop gets each write evaluated otherwise, and
 * has the loop spend its time there. The events are read as they come, up to READ_PER_WINDOW
 * bytes a window (the kernel's whole queue: 16,384 events), and each cgroup is noted once until
 * handled, so a flood leaves a list of cgroups, not a queue of events that a write elsewhere
 * waits behind: with 64 events a window the queue took a minute to drain after a user's loop.
 * Past the budget the descriptor leaves the epoll set until the window ends; past 16,384
 * queued events the kernel reports an overflow: every limit is then read at the glances' pace.
 * 256 a second is a daemon-reload of a few hundred units in a few seconds. */
#define WINDOW_NS	  (250 * NS_PER_MS)
#define EVENTS_PER_WINDOW 64
#define READ_PER_WINDOW	  (16384 * sizeof(struct inotify_event))
#define READ_BUF	  (64 * 1024)
/* A pause of the events logged at info at most this often (a flood pauses four times a
 * second). */
#define PAUSE_LOG_NS (60ULL * NS_PER_S)
/* A limit written again within this is logged at debug: a user's loop floods no journal. */
#define LOG_AGAIN_NS (10ULL * NS_PER_S)
/* A cgroup's children looked at for its subtree_control's writes: CHILDREN_BURST at once, then
 * one each CHILDREN_GAP_NS. */
#define CHILDREN_GAP_NS NS_PER_S
#define CHILDREN_BURST	4

void daemon_limit_watch_start(struct ow_daemon *d)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0 || daemon_watch_fd(d, fd, EPOLLIN, TAG_LIMITS)) {
		ow_log(OW_LOG_WARN, "limit_watch",
		       "cannot watch the limits' files: a limit written is read within a minute",
		       OW_STR("error", strerror(errno)));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	d->limits.fd = fd;
}

void daemon_limit_watch_stop(struct ow_daemon *d)
{
	if (d->limits.fd >= 0)
		close(d->limits.fd); /* its watches go with it */
	d->limits.fd = -1;
	ow_int_map_free(&d->limits.by_wd);
	free(d->limits.pending);
	free(d->limits.buf);
	d->limits.pending = NULL;
	d->limits.buf = NULL;
}

static const char *limit_file(const struct ow_daemon *d)
{
	return d->watch.mount.version == OW_CG_V1 ? "memory.limit_in_bytes" : "memory.max";
}

/* A cgroup nested past PATH_MAX (a delegated subtree can be) is reached through its directory's
 * descriptor, as the scan reaches it. */
static int add_one(struct ow_daemon *d, const struct ow_cgroup *cg, const char *file, bool subtree)
{
	char path[PATH_MAX];
	int wd, dirfd = -1;

	if (snprintf(path, sizeof(path), "%s/%s", cg->path, file) >= (int)sizeof(path)) {
		dirfd = ow_open_path(cg->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return dirfd;
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, file);
	}
	wd = inotify_add_watch(d->limits.fd, path, IN_MODIFY);
	wd = wd < 0 ? -errno : wd;
	if (dirfd >= 0)
		close(dirfd);
	/* Each event names its watch alone: the map finds the cgroup. */
	if (wd >= 0 && ow_int_map_put(&d->limits.by_wd, wd, cg->id << 1 | subtree)) {
		inotify_rm_watch(d->limits.fd, wd);
		wd = -ENOMEM;
	}
	return wd;
}

/*
 * A write to cg's subtree_control made before its watch was added is reported to nobody: the
 * controller enabled for a child whose directory the daemon already holds as no memcg (a
 * grandchild made while its parent had no memory controller either, then enabled from the top
 * down faster than the daemon set up the middle) left that child's leak unseen while the
 * page-fault program was detached. So the file is read once the watch is on, and its children
 * are looked at, at the tick (each look's own budget; a deep delegated chain set up level by
 * level, not by recursion). A full scan needs none of this: its walk lists cg's children after
 * it is set up (watch.c, pre-order).
 */
static void look_below_if_enabled(struct ow_daemon *d, struct ow_cgroup *cg)
{
	if (d->scanning || ow_cgroup_is_root(cg) || !ow_cg_subtree_has_memory(cg->path))
		return;
	cg->sight.children_due = true;
	d->limits.children_due_ns = ow_mono_ns();
}

/* The root's limit is the machine's (machine_sight.c): only its subtree_control is watched.
 * -ENOENT: its files are gone (removed, or its memcg taken away); other refusals are reported
 * here and leave the limit to the glances. */
int daemon_limit_watch_add(struct ow_daemon *d, struct ow_cgroup *cg)
{
	bool v1 = d->watch.mount.version == OW_CG_V1;
	int err = 0;

	if (d->limits.fd < 0)
		return 0;
	if (!ow_cgroup_is_root(cg) && cg->sight.limit_wd < 0) {
		cg->sight.limit_wd = add_one(d, cg, limit_file(d), false);
		err = cg->sight.limit_wd < 0 ? cg->sight.limit_wd : 0;
	}
	if (!v1 && cg->sight.subtree_wd < 0) {
		cg->sight.subtree_wd = add_one(d, cg, "cgroup.subtree_control", true);
		err = err ? err : (cg->sight.subtree_wd < 0 ? cg->sight.subtree_wd : 0);
		if (cg->sight.subtree_wd >= 0)
			look_below_if_enabled(d, cg);
	}
	if (!err || err == -ENOENT)
		return err;
	if (!d->limits.refused++)
		ow_log(OW_LOG_WARN, "limit_watch",
		       "cannot watch a cgroup's limit (fs.inotify.max_user_watches?): "
		       "such limits are read within a minute",
		       CG_FIELDS(cg), OW_STR("error", strerror(-err)));
	return 0;
}

void daemon_limit_watch_drop(struct ow_daemon *d, struct ow_cgroup *cg)
{
	/* The watch pins the file's inode, and with it the removed cgroup's kernfs node. */
	if (cg->sight.limit_wd >= 0) {
		inotify_rm_watch(d->limits.fd, cg->sight.limit_wd);
		ow_int_map_del(&d->limits.by_wd, cg->sight.limit_wd);
	}
	if (cg->sight.subtree_wd >= 0) {
		inotify_rm_watch(d->limits.fd, cg->sight.subtree_wd);
		ow_int_map_del(&d->limits.by_wd, cg->sight.subtree_wd);
	}
	cg->sight.limit_wd = cg->sight.subtree_wd = -1;
	cg->sight.limit_written = cg->sight.subtree_written = false; /* its id left pending */
}

/*
 * Is cg's memcg still the one its limit's watch was put on? On v2 a write to its parent's
 * subtree_control that disables the memory controller removes the memcg's files while the
 * directory stays, and enabling it again makes new ones: a watch (and an open memory.current)
 * on the old files never reports again. The watch pins the old file's inode, so adding one on
 * the path again returns the same watch only for the same file. Without a watch to compare, yes.
 */
bool daemon_limit_watch_same_memcg(struct ow_daemon *d, struct ow_cgroup *cg)
{
	int wd;

	if (d->limits.fd < 0 || cg->sight.limit_wd < 0)
		return true;
	wd = add_one(d, cg, limit_file(d), false);
	if (wd == cg->sight.limit_wd)
		return true;
	if (wd >= 0) { /* the new file's: the caller sets the cgroup up again */
		inotify_rm_watch(d->limits.fd, wd);
		ow_int_map_del(&d->limits.by_wd, wd);
	}
	return false;
}

/* Is cg's limit read again by the glances (rss_gate.c)? */
bool daemon_limit_watch_blind(const struct ow_daemon *d, const struct ow_cgroup *cg, uint64_t now)
{
	return cg->sight.limit_wd < 0 || now < d->limits.glance_all_until_ns;
}

/* Its limit read: one that changed is evaluated, a cgroup that vanished asks for a scan. */
void daemon_limit_check(struct ow_daemon *d, struct ow_cgroup *cg, const char *why)
{
	uint64_t limit, now;
	bool quiet;

	if (ow_cg_read_limit(d->watch.mount.version, cg->path, &limit)) {
		if (access(cg->path, F_OK))
			daemon_request_rescan(d); /* removed: a scan marks it gone */
		return;
	}
	if (limit == cg->reading.own_limit)
		return;
	now = ow_mono_ns();
	quiet = cg->sight.limit_logged_ns && now - cg->sight.limit_logged_ns < LOG_AGAIN_NS;
	if (!quiet)
		cg->sight.limit_logged_ns = now;
	ow_log(quiet ? OW_LOG_DEBUG : OW_LOG_INFO, "limit_watch",
	       "a watched cgroup's limit changed", CG_FIELDS(cg),
	       OW_NUM("new_limit_mib", mib(limit)), OW_STR("seen_by", why));
	daemon_evaluate(d, cg, 0);
}

/* The cgroup of a watch, and which of its files (a removed one's id finds nothing). */
static struct ow_cgroup *by_wd(struct ow_daemon *d, int wd, bool *subtree)
{
	struct ow_cgroup *cg;
	uint64_t v;

	if (!ow_int_map_get(&d->limits.by_wd, wd, &v))
		return NULL;
	cg = ow_model_cgroup(&d->model, v >> 1);
	*subtree = v & 1;
	return cg && !cg->gone ? cg : NULL;
}

static void set_events(struct ow_daemon *d, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.u64 = TAG_LIMITS};

	d->limits.paused = !events;
	if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, d->limits.fd, &ev))
		ow_log(OW_LOG_WARN, "limit_watch", "cannot change the limits' epoll events",
		       OW_STR("error", strerror(errno)));
}

/*
 * A write to cg's subtree_control: its children looked at now, or when its budget allows. Up to
 * CHILDREN_BURST looks at once, then one each CHILDREN_GAP_NS (a rate's theoretical arrival
 * time, children_tat): one `echo +memory` reports twice, the O_TRUNC of its open before the
 * write, and a single look spent at the first came before the controller did (the second,
 * deferred a second, let a 6.1 guest's leak fill 256 MiB unseen).
 */
static void children_written(struct ow_daemon *d, struct ow_cgroup *cg, uint64_t now)
{
	const uint64_t slack = (CHILDREN_BURST - 1) * CHILDREN_GAP_NS;
	uint64_t tat = cg->sight.children_tat > now ? cg->sight.children_tat : now;

	if (tat - now <= slack) {
		cg->sight.children_due = false;
		cg->sight.children_tat = tat + CHILDREN_GAP_NS;
		daemon_scan_children(d, cg);
		return;
	}
	cg->sight.children_due = true;
	if (!d->limits.children_due_ns || tat - slack < d->limits.children_due_ns)
		d->limits.children_due_ns = tat - slack;
}

/* Room in this window's budget, in cgroups handled; a new window starts a full one. */
static unsigned int room(struct ow_daemon *d, uint64_t now)
{
	if (now >= d->limits.window_ns + WINDOW_NS) {
		d->limits.window_ns = now;
		d->limits.used = 0;
		d->limits.read = 0;
	}
	return EVENTS_PER_WINDOW - d->limits.used;
}

/* The window's budget spent: the rest wait, noted or in the kernel's queue, until the next. */
static void pause_events(struct ow_daemon *d, uint64_t now)
{
	bool again = d->limits.pause_logged_ns && now - d->limits.pause_logged_ns < PAUSE_LOG_NS;

	if (d->limits.paused)
		return;
	ow_log(again ? OW_LOG_DEBUG : OW_LOG_INFO, "limit_watch",
	       "writes to the limits' files past their budget: the rest are read in the next "
	       "window",
	       OW_INT("events", EVENTS_PER_WINDOW), OW_NUM("window_ms", WINDOW_NS / NS_PER_MS));
	if (!again)
		d->limits.pause_logged_ns = now;
	set_events(d, 0);
}

/* The cgroups noted, oldest first, as many as the window's budget allows. */
static void handle_noted(struct ow_daemon *d, uint64_t now)
{
	unsigned int n = room(d, now);

	while (n && d->limits.head < d->limits.npending) {
		struct ow_cgroup *cg =
			ow_model_cgroup(&d->model, d->limits.pending[d->limits.head++]);

		if (!cg || cg->gone || !(cg->sight.limit_written || cg->sight.subtree_written))
			continue; /* removed, or dropped since */
		n--;
		d->limits.used++;
		if (cg->sight.subtree_written) {
			cg->sight.subtree_written = false;
			children_written(d, cg, now); /* a controller enabled below it */
		}
		if (cg->sight.limit_written) {
			cg->sight.limit_written = false;
			daemon_limit_check(d, cg, "write");
		}
	}
	if (d->limits.head == d->limits.npending)
		d->limits.head = d->limits.npending = 0;
}

/* The list of noted cgroups: room for one more, moved down or grown. */
static bool pending_room(struct ow_daemon *d)
{
	unsigned int cap = d->limits.pending_cap ? d->limits.pending_cap * 2 : 64;
	uint64_t *grown;

	if (d->limits.npending < d->limits.pending_cap)
		return true;
	if (d->limits.head) {
		d->limits.npending -= d->limits.head;
		memmove(d->limits.pending, d->limits.pending + d->limits.head,
			d->limits.npending * sizeof(*d->limits.pending));
		d->limits.head = 0;
		return true;
	}
	grown = realloc(d->limits.pending, cap * sizeof(*grown));
	if (!grown)
		return false;
	d->limits.pending = grown;
	d->limits.pending_cap = cap;
	return true;
}

/* One event: its cgroup noted once until handled (a write with O_TRUNC reports twice). */
static void note(struct ow_daemon *d, const struct inotify_event *ev)
{
	struct ow_cgroup *cg;
	bool subtree, *written;

	if (ev->mask & IN_Q_OVERFLOW) {
		ow_log(OW_LOG_WARN, "limit_watch",
		       "writes to the limits' files overflowed the queue: every limit is read "
		       "again within a minute");
		d->limits.glance_all_until_ns = ow_mono_ns() + OVERFLOW_GLANCE_NS;
		return;
	}
	cg = (ev->mask & IN_MODIFY) ? by_wd(d, ev->wd, &subtree) : NULL;
	if (!cg)
		return;
	written = subtree ? &cg->sight.subtree_written : &cg->sight.limit_written;
	if (*written)
		return;
	if (!cg->sight.limit_written && !cg->sight.subtree_written) {
		if (!pending_room(d)) {
			d->limits.glance_all_until_ns = ow_mono_ns() + OVERFLOW_GLANCE_NS;
			return; /* out of memory: read by the glances, as after an overflow */
		}
		d->limits.pending[d->limits.npending++] = cg->id;
	}
	*written = true;
}

/* What the kernel queued, up to the window's bytes (a watch on a file reports no name: each
 * event is the bare struct), each cgroup noted; as many handled as the budget allows, and out
 * of the epoll set until the window ends if more wait. */
void daemon_limit_watch_event(struct ow_daemon *d)
{
	uint64_t now = ow_mono_ns();
	const struct inotify_event *ev;
	ssize_t got;
	char *p;

	(void)room(d, now);
	if (!d->limits.buf && !(d->limits.buf = malloc(READ_BUF)))
		return; /* read again at the next wakeup */
	while (d->limits.read < READ_PER_WINDOW) {
		got = read(d->limits.fd, d->limits.buf, READ_BUF);
		if (got <= 0)
			break;
		d->limits.read += (size_t)got;
		for (p = d->limits.buf; p < d->limits.buf + got; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			note(d, ev);
		}
	}
	handle_noted(d, now);
	if (d->limits.npending || d->limits.read >= READ_PER_WINDOW)
		pause_events(d, now);
}

void daemon_limit_watch_tick(struct ow_daemon *d, uint64_t now)
{
	unsigned int i;

	if (d->limits.paused && now >= d->limits.window_ns + WINDOW_NS) {
		handle_noted(d, now); /* a new window */
		if (!d->limits.npending)
			set_events(d, EPOLLIN); /* what waits in the kernel's queue comes at once */
	}
	if (!d->limits.children_due_ns || now < d->limits.children_due_ns)
		return;
	d->limits.children_due_ns = 0;
	for (i = 0; i < d->model.ncgs; i++) /* the array may grow meanwhile: indexed afresh */
		if (!d->model.cgs[i]->gone && d->model.cgs[i]->sight.children_due)
			children_written(d, d->model.cgs[i], now);
}

uint64_t daemon_limit_watch_next(const struct ow_daemon *d)
{
	uint64_t next = d->limits.paused ? d->limits.window_ns + WINDOW_NS : UINT64_MAX;

	return d->limits.children_due_ns && d->limits.children_due_ns < next
		       ? d->limits.children_due_ns
		       : next;
}
