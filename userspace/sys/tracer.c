// SPDX-License-Identifier: GPL-2.0
/* BPF loading, attaching and the ring buffer: see userspace/sys/tracer.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lockdown.h"
#include "log.h"
#include "tracer_int.h"

static const char *const mode_suffix[] = {"_btf", "_raw", "_tp"};
static const char *const mode_name[] = {"tp_btf", "raw_tp", "tracepoint"};

/* libbpf's own messages are for -vv; the user gets one sentence from us. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[16384];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	ow_log(OW_LOG_DEBUG, "libbpf", msg);
	return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* Since 6.8 oom:mark_victim passes the task, before only its pid: look at the tracepoint's
 * BTF prototype, `btf_trace_mark_victim`, to pick the program that reads it right. */
static bool mark_victim_has_task(const struct btf *btf)
{
	const struct btf_param *params;
	const struct btf_type *t;
	bool task = false;
	int id;

	id = btf__find_by_name_kind(btf, "btf_trace_mark_victim", BTF_KIND_TYPEDEF);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (t)
		t = btf__type_by_id(btf, t->type); /* pointer to the function prototype */
	if (t && btf_is_ptr(t))
		t = btf__type_by_id(btf, t->type);
	if (t && btf_is_func_proto(t) && btf_vlen(t) >= 2) {
		params = btf_params(t);
		t = btf__type_by_id(btf, params[1].type);
		task = t && btf_is_ptr(t);
	}
	return task;
}

/* Classic tracepoints need tracefs; a fresh machine may not have it mounted. */
static void ensure_tracefs(void)
{
	struct stat st;

	if (!stat("/sys/kernel/tracing/events", &st) ||
	    !stat("/sys/kernel/debug/tracing/events", &st))
		return;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL))
		ow_log(OW_LOG_DEBUG, "tracefs", "could not mount tracefs",
		       OW_STR("error", strerror(errno)));
}

/* What the kernel's BTF says, read once: its parse takes ~5 MiB of heap, and a second one
 * came from the heap glibc keeps (its mmap threshold raised by the first's free), resident
 * and locked for good (VmRSS 4.1 -> 9.3 MiB). cgroup_iter came in 6.1. */
static void kernel_has(bool *victim_task, bool *cgroup_iter)
{
	struct btf *btf = btf__load_vmlinux_btf();

	*victim_task = btf && mark_victim_has_task(btf);
	*cgroup_iter = btf && btf__find_by_name_kind(btf, "bpf_iter__cgroup", BTF_KIND_STRUCT) > 0;
	btf__free(btf);
}

static bool is_sight(const struct bpf_program *prog)
{
	return !strncmp(bpf_program__name(prog), "sight_", 6);
}

static bool wanted(const struct bpf_program *prog, int mode, bool victim_task, bool sight)
{
	const char *name = bpf_program__name(prog);

	if (is_sight(prog))
		return sight;
	if (!has_suffix(name, mode_suffix[mode]))
		return false;
	if (!strncmp(name, "mark_victim_", 12) && mode != 2)
		return victim_task ? !!strstr(name, "_task_") : !!strstr(name, "_pid_");
	return true;
}

/*
 * Each link goes into the skeleton's slot for its program, so oomwarden_bpf__destroy() frees
 * it: a link kept nowhere leaked, and one of a flavour that failed half-way stayed attached.
 */
static int attach_all(struct oomwarden_bpf *skel, int mode, bool victim_task)
{
	const struct bpf_object_skeleton *s = skel->skeleton;
	int i;

	for (i = 0; i < s->prog_cnt; i++) {
		struct bpf_program *prog = *s->progs[i].prog;
		struct bpf_link **link = s->progs[i].link;

		/* Not the sight's iterator: attached to the hierarchy's root when asked
		 * (tracer_sight.c). */
		if (!wanted(prog, mode, victim_task, false))
			continue;
		*link = bpf_program__attach(prog);
		if (!*link)
			return errno ? -errno : -EINVAL;
	}
	return 0;
}

/*
 * CO-RE relocations against the kernel's own BTF file, named: libbpf (before 1.2) otherwise
 * looks for a local type that vmlinux lacks (the pre-6.2 rss layout, on newer kernels) in the
 * modules' BTF, whose listing needs CAP_SYS_ADMIN, and fails the load with only CAP_BPF and
 * CAP_PERFMON (as under the systemd unit). No program reads a module's types.
 */
static struct oomwarden_bpf *open_skel(void)
{
	static const char vmlinux_btf[] = "/sys/kernel/btf/vmlinux";
	LIBBPF_OPTS(bpf_object_open_opts, opts);

	if (!access(vmlinux_btf, R_OK))
		opts.btf_custom_path = vmlinux_btf;
	return oomwarden_bpf__open_opts(&opts);
}

/* Open, load and attach the programs of one flavour, with the sight's iterator or without;
 * the skeleton owns the links. */
static int try_mode(struct ow_tracer *t, int mode, bool victim_task, bool sight)
{
	struct bpf_program *prog;
	int err;

	t->skel = open_skel();
	if (!t->skel)
		return errno ? -errno : -EINVAL;
	bpf_object__for_each_program(prog, t->skel->obj)
		bpf_program__set_autoload(prog, wanted(prog, mode, victim_task, sight));
	err = t->max_processes ? bpf_map__set_max_entries(t->skel->maps.procs, t->max_processes)
			       : 0;
	if (!err)
		err = oomwarden_bpf__load(t->skel);
	if (!err)
		err = attach_all(t->skel, mode, victim_task);
	if (err) {
		ow_log(OW_LOG_DEBUG, "bpf", "attach flavour failed",
		       OW_STR("mode", mode_name[mode]), OW_INT("sight_pass", sight),
		       OW_STR("error", strerror(-err)));
		oomwarden_bpf__destroy(t->skel);
		t->skel = NULL;
		return err;
	}
	t->mode = mode_name[mode];
	t->sight_loaded = sight;
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct ow_tracer *t = ctx;

	if (size < sizeof(struct ow_event))
		return 0;
	t->fn(data, t->arg);
	return 0;
}

static int explain(int err, char *errbuf, size_t errlen)
{
	enum ow_lockdown lockdown;

	if (geteuid() != 0)
		snprintf(errbuf, errlen,
			 "cannot load BPF programs: permission denied "
			 "(run as root, or with CAP_BPF and CAP_PERFMON)");
	else if (!ow_lockdown_read("/sys/kernel/security", &lockdown) &&
		 lockdown == OW_LOCKDOWN_CONFIDENTIALITY)
		snprintf(errbuf, errlen,
			 "the kernel is locked down (lockdown=confidentiality): it refuses BPF "
			 "programs that read kernel memory (%s)",
			 strerror(-err));
	else if (err == -EPERM || err == -EACCES)
		snprintf(errbuf, errlen,
			 "the kernel refuses BPF programs: %s (no CAP_BPF and CAP_PERFMON, "
			 "or a security module)",
			 strerror(-err));
	else
		snprintf(errbuf, errlen,
			 "cannot load BPF programs on this kernel (%s); "
			 "run with -vv for the loader's details",
			 strerror(-err));
	return err;
}

int ow_tracer_open(struct ow_tracer **out, const struct ow_tracer_cfg *cfg, ow_event_fn fn,
		   void *arg, char *errbuf, size_t errlen)
{
	struct ow_tracer *t = calloc(1, sizeof(*t));
	bool victim_task, sight;
	int mode, err = -ENOENT;

	if (!t)
		return -ENOMEM;
	kernel_has(&victim_task, &sight);
	t->fn = fn;
	t->arg = arg;
	t->max_processes = cfg->max_processes;
	libbpf_set_print(libbpf_print);
	for (mode = 0; mode < 3; mode++) {
		if (cfg->mode >= 0 && mode != cfg->mode)
			continue;
		if (mode == 2)
			ensure_tracefs();
		err = try_mode(t, mode, victim_task, sight);
		/* The sight reads one cgroup at a time without it: never a reason to fail. */
		if (err && sight)
			err = try_mode(t, mode, victim_task, false);
		if (!err)
			break;
	}
	if (err) {
		free(t);
		return explain(err, errbuf, errlen);
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_sample, t, NULL);
	if (!t->rb) {
		err = -errno;
		ow_tracer_close(t);
		return explain(err, errbuf, errlen);
	}
	*out = t;
	return 0;
}

void ow_tracer_close(struct ow_tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	oomwarden_bpf__destroy(t->skel);
	free(t->sight_buf);
	free(t);
}

/* The skeleton's slot of the loaded rss_stat program (one flavour is loaded), or -1. */
static int rss_slot(const struct ow_tracer *t)
{
	const struct bpf_object_skeleton *s = t->skel->skeleton;
	int i;

	for (i = 0; i < s->prog_cnt; i++) {
		struct bpf_program *prog = *s->progs[i].prog;

		if (bpf_program__autoload(prog) &&
		    !strncmp(bpf_program__name(prog), "rss_stat_", 9))
			return i;
	}
	return -1;
}

int ow_tracer_rss_detach(struct ow_tracer *t)
{
	int i = rss_slot(t);
	struct bpf_link **link = i >= 0 ? t->skel->skeleton->progs[i].link : NULL;
	int err;

	if (!link)
		return -ENOENT;
	if (!*link)
		return 0;
	err = bpf_link__destroy(*link);
	*link = NULL; /* freed even when the kernel's detach failed */
	return err;
}

int ow_tracer_rss_attach(struct ow_tracer *t)
{
	int i = rss_slot(t);
	const struct bpf_prog_skeleton *p = i >= 0 ? &t->skel->skeleton->progs[i] : NULL;

	if (!p)
		return -ENOENT;
	if (*p->link)
		return 0;
	*p->link = bpf_program__attach(*p->prog);
	return *p->link ? 0 : (errno ? -errno : -EINVAL);
}

bool ow_tracer_rss_attached(const struct ow_tracer *t)
{
	int i = rss_slot(t);

	return i >= 0 && *t->skel->skeleton->progs[i].link;
}

bool ow_tracer_sees_moves(const struct ow_tracer *t)
{
	return t->mode != mode_name[2];
}

bool ow_tracer_sees_removals(const struct ow_tracer *t)
{
	return t->mode != mode_name[2];
}

const char *ow_tracer_mode(const struct ow_tracer *t)
{
	return t->mode;
}

int ow_tracer_fd(const struct ow_tracer *t)
{
	return ring_buffer__epoll_fd(t->rb);
}

uint64_t ow_tracer_drops(const struct ow_tracer *t)
{
	return __atomic_load_n(&t->skel->bss->ringbuf_drops, __ATOMIC_RELAXED);
}

uint64_t ow_tracer_rebinds(const struct ow_tracer *t)
{
	return __atomic_load_n(&t->skel->bss->memcg_rebinds, __ATOMIC_RELAXED);
}

int ow_tracer_consume(struct ow_tracer *t)
{
	return ring_buffer__consume(t->rb);
}

/* Processes cache their memcg's thresholds; a new generation makes them re-read. */
static void bump_cfg_gen(struct ow_tracer *t)
{
	__atomic_add_fetch(&t->skel->data->cfg_gen, 1, __ATOMIC_RELEASE);
}

int ow_tracer_set_memcg(struct ow_tracer *t, uint64_t id, const struct ow_memcg_cfg *cfg)
{
	int err = bpf_map__update_elem(t->skel->maps.memcg_cfg, &id, sizeof(id), cfg, sizeof(*cfg),
				       BPF_ANY);

	bump_cfg_gen(t);
	return err;
}

int ow_tracer_forget_memcg(struct ow_tracer *t, uint64_t id)
{
	int err;

	bpf_map__delete_elem(t->skel->maps.memcg_state, &id, sizeof(id), 0);
	err = bpf_map__delete_elem(t->skel->maps.memcg_cfg, &id, sizeof(id), 0);
	bump_cfg_gen(t);
	return err;
}

typedef int (*memcg_pred)(uint64_t id, void *arg);

/* The ids of memcg_cfg entries not configured as watched for which pred(id) holds, into a
 * calloc'd array (*out). Collected first: deleting while walking the keys could restart the
 * walk. Returns the count or -errno. */
static int collect_unwatched(struct ow_tracer *t, memcg_pred pred, void *arg, uint64_t **out)
{
	const struct bpf_map *map = t->skel->maps.memcg_cfg;
	size_t max = bpf_map__max_entries(map), n = 0;
	uint64_t key, next, *ids = calloc(max, sizeof(*ids));
	struct ow_memcg_cfg cfg;
	void *prev = NULL;

	if (!ids)
		return -ENOMEM;
	while (n < max && !bpf_map__get_next_key(map, prev, &next, sizeof(next))) {
		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(map, &key, sizeof(key), &cfg, sizeof(cfg), 0) ||
		    cfg.watched || !pred(key, arg))
			continue;
		ids[n++] = key;
	}
	*out = ids;
	return (int)n;
}

int ow_tracer_prune_memcgs(struct ow_tracer *t, int (*gone)(uint64_t id, void *arg), void *arg)
{
	uint64_t *stale;
	int n = collect_unwatched(t, gone, arg, &stale), i;

	for (i = 0; i < n; i++) {
		bpf_map__delete_elem(t->skel->maps.memcg_state, &stale[i], sizeof(stale[i]), 0);
		bpf_map__delete_elem(t->skel->maps.memcg_cfg, &stale[i], sizeof(stale[i]), 0);
	}
	if (n >= 0)
		free(stale);
	return n;
}

static int any_memcg(uint64_t id, void *arg)
{
	(void)id;
	(void)arg;
	return 1;
}

int ow_tracer_each_unwatched(struct ow_tracer *t, void (*fn)(uint64_t id, void *arg), void *arg)
{
	uint64_t *ids;
	int n = collect_unwatched(t, any_memcg, NULL, &ids), i;

	for (i = 0; i < n; i++)
		fn(ids[i], arg);
	if (n >= 0)
		free(ids);
	return n;
}

bool ow_tracer_memcg_seen(struct ow_tracer *t, uint64_t id)
{
	struct ow_memcg_cfg cfg;

	return !bpf_map__lookup_elem(t->skel->maps.memcg_cfg, &id, sizeof(id), &cfg, sizeof(cfg),
				     0);
}

uint64_t ow_tracer_map_full(const struct ow_tracer *t)
{
	return __atomic_load_n(&t->skel->bss->map_full, __ATOMIC_RELAXED);
}

int ow_tracer_seed_memcg_usage(struct ow_tracer *t, uint64_t id, uint64_t usage)
{
	struct ow_memcg_state st = {.last_usage = usage};

	return bpf_map__update_elem(t->skel->maps.memcg_state, &id, sizeof(id), &st, sizeof(st),
				    BPF_NOEXIST);
}
