// SPDX-License-Identifier: GPL-2.0
/* The sight's pass, a cgroup iterator (bpf/sight.bpf.c): see userspace/sys/tracer.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tracer_int.h"

/* The kernel's buffer for one iterator session is 8 pages: a read() this large takes all of
 * it at once with 4 KiB pages (larger pages take a few). */
#define SIGHT_BUF (32 * 1024)

int ow_tracer_sight_start(struct ow_tracer *t, const char *mount)
{
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info info;
	struct bpf_link *link;
	int fd, err;

	if (!t->sight_loaded)
		return -EOPNOTSUPP;
	if (t->skel->links.sight_pass)
		return 0;
	fd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	info.cgroup.cgroup_fd = (__u32)fd;
	info.cgroup.order = BPF_CGROUP_ITER_DESCENDANTS_PRE;
	opts.link_info = &info;
	opts.link_info_len = sizeof(info);
	link = bpf_program__attach_iter(t->skel->progs.sight_pass, &opts);
	err = link ? 0 : (errno ? -errno : -EINVAL);
	close(fd); /* the link holds the cgroup */
	if (!err && !t->sight_buf && !(t->sight_buf = malloc(SIGHT_BUF)))
		err = -ENOMEM;
	if (err) {
		bpf_link__destroy(link);
		return err;
	}
	t->skel->links.sight_pass = link; /* oomwarden_bpf__destroy() frees it */
	return 0;
}

int ow_tracer_sight_join(struct ow_tracer *t, uint32_t slot, uint64_t id, uint64_t step,
			 uint64_t usage)
{
	struct ow_sight_member m = {.id = id, .step = step ? step : 1, .last = usage};
	int err;

	err = bpf_map__update_elem(t->skel->maps.sight_slots, &slot, sizeof(slot), &m, sizeof(m),
				   BPF_ANY);
	if (!err)
		err = bpf_map__update_elem(t->skel->maps.sight_ids, &id, sizeof(id), &slot,
					   sizeof(slot), BPF_ANY);
	return err;
}

void ow_tracer_sight_leave(struct ow_tracer *t, uint32_t slot, uint64_t id)
{
	struct ow_sight_member none = {0};

	bpf_map__delete_elem(t->skel->maps.sight_ids, &id, sizeof(id), 0);
	bpf_map__update_elem(t->skel->maps.sight_slots, &slot, sizeof(slot), &none, sizeof(none),
			     BPF_ANY);
}

/* A copy: the caller's leave of the member that had `to` clears `from` (tracer.h). */
int ow_tracer_sight_move(struct ow_tracer *t, uint32_t from, uint32_t to)
{
	struct ow_sight_member m;
	int err;

	err = bpf_map__lookup_elem(t->skel->maps.sight_slots, &from, sizeof(from), &m, sizeof(m),
				   0);
	if (!err)
		err = bpf_map__update_elem(t->skel->maps.sight_slots, &to, sizeof(to), &m,
					   sizeof(m), BPF_ANY);
	if (!err && m.id)
		err = bpf_map__update_elem(t->skel->maps.sight_ids, &m.id, sizeof(m.id), &to,
					   sizeof(to), BPF_ANY);
	return err;
}

int ow_tracer_sight_watch_start(struct ow_tracer *t)
{
	LIBBPF_OPTS(bpf_test_run_opts, run);
	int err;

	if (!t->sight_loaded)
		return -EOPNOTSUPP;
	err = bpf_prog_test_run_opts(bpf_program__fd(t->skel->progs.sight_watch_start), &run);
	if (err)
		return errno ? -errno : -EINVAL;
	return run.retval ? (int)run.retval : 0;
}

void ow_tracer_sight_watch_pace(struct ow_tracer *t, uint32_t used, uint32_t chunk,
				uint64_t every_ns)
{
	t->skel->bss->sight_watch_chunk = chunk;
	t->skel->bss->sight_watch_every_ns = every_ns;
	t->skel->bss->sight_slots_used = used;
}

void ow_tracer_sight_watch_stats(const struct ow_tracer *t, uint64_t *ticks, uint64_t *ns)
{
	*ticks = t->skel->bss->sight_watch_ticks;
	*ns = t->skel->bss->sight_watch_ns;
}

/* The whole records in buf[0..len); a piece of one left over is moved to the front. */
static size_t hand_over(char *buf, size_t len, ow_sight_fn fn, void *arg, int *n)
{
	size_t off;

	for (off = 0; off + sizeof(struct ow_sight_record) <= len;
	     off += sizeof(struct ow_sight_record)) {
		struct ow_sight_record r;

		memcpy(&r, buf + off, sizeof(r));
		fn(r.id, r.usage, arg);
		(*n)++;
	}
	memmove(buf, buf + off, len - off);
	return len - off;
}

int ow_tracer_sight_pass(struct ow_tracer *t, ow_sight_fn fn, void *arg, uint64_t *visited,
			 uint64_t *walked)
{
	struct bpf_link *link = t->skel->links.sight_pass;
	size_t kept = 0;
	ssize_t got;
	int fd, n = 0, err = 0;

	if (!link)
		return -ENOENT;
	t->skel->bss->sight_visited = t->skel->bss->sight_walked = 0;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0)
		return errno ? -errno : -EINVAL;
	for (;;) {
		got = read(fd, t->sight_buf + kept, SIGHT_BUF - kept);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		kept = hand_over(t->sight_buf, kept + (size_t)got, fn, arg, &n);
	}
	/* EOPNOTSUPP: the walk outgrew the session's buffer and cannot resume; the members it
	 * did not reach are checked by the next pass (those it wrote have moved on). */
	if (got < 0 && errno != EOPNOTSUPP)
		err = -errno;
	close(fd);
	*visited = t->skel->bss->sight_visited;
	*walked = t->skel->bss->sight_walked;
	return err ? err : n;
}
