// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for userspace/sys/tracer_sight.c and bpf/sight.bpf.c on the running kernel: real
 * memcgs, the real cgroup iterator and BPF timer. A member moved to another slot (as the daemon
 * keeps them dense) is still watched there; a member left is not; a removed one is reported
 * gone. Root only (BPF, cgroups); kernels with a cgroup iterator (6.1 and later).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup.h"
#include "tracer.h"

#define MIB	 (1024 * 1024ULL)
#define MAX_SEEN 256

static struct ow_sight_record seen[MAX_SEEN];
static unsigned int nseen;

static int on_event(const struct ow_event *e, void *arg)
{
	(void)arg;
	if (e->kind == OW_EV_SIGHT_MOVE && nseen < MAX_SEEN)
		seen[nseen++] =
			(struct ow_sight_record){.id = e->memcg_id, .usage = e->memcg_usage};
	return 0;
}

static void count(uint64_t id, uint64_t usage, void *arg)
{
	(void)id;
	(void)usage;
	(*(int *)arg)++;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The first move of `id` reported after seen[from], within `ms`; false if none. */
static bool wait_move(struct ow_tracer *t, unsigned int from, uint64_t id, uint64_t *usage, int ms)
{
	struct pollfd p = {.fd = ow_tracer_fd(t), .events = POLLIN};
	uint64_t end = now_ms() + (uint64_t)ms;
	unsigned int i;

	do {
		poll(&p, 1, 50);
		ow_tracer_consume(t);
		for (i = from; i < nseen; i++) {
			if (seen[i].id == id) {
				*usage = seen[i].usage;
				return true;
			}
		}
	} while (now_ms() < end);
	return false;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* A memcg limited to 256 MiB under `parent`; its id (the directory's inode). */
static uint64_t make_memcg(const struct ow_cg_mount *m, const char *parent, const char *name,
			   char *path)
{
	struct stat st;

	assert_true(snprintf(path, PATH_MAX, "%s/%s", parent, name) < PATH_MAX);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file(path, m->version == OW_CG_V1 ? "memory.limit_in_bytes" : "memory.max",
		   "268435456");
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_ino;
}

/* A child in memcg `dir` holding `bytes` of anonymous memory, touched, until killed. */
static pid_t charge(const char *dir, size_t bytes)
{
	int pfd[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *mem;

		write_file(dir, "cgroup.procs", "0");
		mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			_exit(1);
		memset(mem, 1, bytes);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_watch_moved_left_and_gone(void **state)
{
	struct ow_tracer_cfg cfg = {.mode = -1};
	char parent[PATH_MAX + 64], a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], err[256];
	uint64_t ida, idb, idc, usage, visited = 0, walked = 0, ticks, ns;
	struct ow_cg_mount m;
	struct ow_tracer *t;
	unsigned int mark;
	int moved = 0, ret;
	pid_t pa, pc;

	(void)state;
	if (geteuid() != 0 || ow_cg_find_memory_mount("/proc/self/mountinfo", "", &m))
		skip(); /* needs root and a memory controller */
	assert_int_equal(ow_tracer_open(&t, &cfg, on_event, NULL, err, sizeof(err)), 0);
	ret = ow_tracer_sight_start(t, m.path);
	if (ret == -EOPNOTSUPP) {
		ow_tracer_close(t);
		skip(); /* no cgroup iterator: before 6.1 */
	}
	assert_int_equal(ret, 0);
	snprintf(parent, sizeof(parent), "%s/ow-test-sight-%d", m.path, (int)getpid());
	assert_int_equal(mkdir(parent, 0755), 0);
	if (m.version == OW_CG_V2)
		write_file(parent, "cgroup.subtree_control", "+memory");
	ida = make_memcg(&m, parent, "a", a);
	idb = make_memcg(&m, parent, "b", b);
	idc = make_memcg(&m, parent, "c", c);

	/* Three members at 0 used, a step of 1 MiB; a pass notes their memcgs. */
	ow_tracer_sight_watch_pace(t, 3, 1000, 50 * 1000000ULL);
	assert_int_equal(ow_tracer_sight_watch_start(t), 0);
	assert_int_equal(ow_tracer_sight_join(t, 0, ida, MIB, 0), 0);
	assert_int_equal(ow_tracer_sight_join(t, 1, idb, MIB, 0), 0);
	assert_int_equal(ow_tracer_sight_join(t, 2, idc, MIB, 0), 0);
	assert_int_equal(ow_tracer_sight_pass(t, count, &moved, &visited, &walked), 0);
	assert_int_equal(visited, 3);
	assert_true(walked >= 4);

	/* a leaves; c, the last, moves into its slot (as the daemon does it: the copy, then a's
	 * leave clears the slot c left). */
	assert_int_equal(ow_tracer_sight_move(t, 2, 0), 0);
	ow_tracer_sight_leave(t, 2, ida);
	ow_tracer_sight_watch_pace(t, 2, 1000, 50 * 1000000ULL);

	/* 4 MiB charged to each of a and c: c's move is reported from its new slot, a's not. */
	mark = nseen;
	pa = charge(a, 4 * MIB);
	pc = charge(c, 4 * MIB);
	assert_true(wait_move(t, mark, idc, &usage, 3000));
	assert_true(usage >= 4 * MIB && usage != OW_SIGHT_GONE);
	assert_false(wait_move(t, mark, ida, &usage, 300));

	/* b removed: reported gone. */
	mark = nseen;
	assert_int_equal(rmdir(b), 0);
	assert_true(wait_move(t, mark, idb, &usage, 3000));
	assert_true(usage == OW_SIGHT_GONE);

	ow_tracer_sight_watch_stats(t, &ticks, &ns);
	assert_true(ticks > 0 && ns > 0);
	reap(pa);
	reap(pc);
	ow_tracer_close(t);
	assert_int_equal(rmdir(a), 0);
	assert_int_equal(rmdir(c), 0);
	assert_int_equal(rmdir(parent), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch_moved_left_and_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
