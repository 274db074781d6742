// SPDX-License-Identifier: GPL-2.0
/*
 * owload: workload generator for oomwarden's end-to-end tests.
 *
 * Grows, holds and frees anonymous memory at controlled rates (every page written, so it is
 * resident and, without swap, non-reclaimable), or fills the page cache by reading a file.
 * SIGTERM is a graceful stop (exit 0) unless --ignore-term; with --drain D a memory mode stops
 * growing on SIGTERM, keeps its memory and works D seconds more before it exits 0, as a queue
 * worker finishing the job in hand. With --report every event is appended to a file as one
 * line, written with one write(2), so the test harness can judge.
 *
 * Sizes in MiB, rates in MiB/s, times in seconds. See usage() below.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ (the container test builds it with no flags) */
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#define MIB	    (1024.0 * 1024.0)
#define TICK_NS	    10000000L	/* main loop period: 10 ms */
#define SLICE_BYTES (4UL << 20) /* touch at most this much between two flag checks */
#define BUSY_NS	    8000000L	/* at most this much touching per tick */
#define READ_BLOCK  (1UL << 20)
#define MAX_PROCS   64
#define RESERVE_MAX (64UL << 30)
#define RESERVE_MIN (256UL << 20)

enum mode {
	M_NONE,
	M_LINEAR,
	M_SAWTOOTH,
	M_PAGECACHE,
	M_BURST,
	M_GROUP,
	M_WRITE,
	M_FILES,
	M_PIPES
};

#define MODE_LIST "linear, sawtooth, pagecache, burst, group, write, files or pipes"

static const char *const mode_names[] = {
	[M_NONE] = "none",	     [M_LINEAR] = "linear", [M_SAWTOOTH] = "sawtooth",
	[M_PAGECACHE] = "pagecache", [M_BURST] = "burst",   [M_GROUP] = "group",
	[M_WRITE] = "write",	     [M_FILES] = "files",   [M_PIPES] = "pipes",
};

struct opts {
	enum mode mode;
	double rate;	   /* MiB/s */
	double stop_at;	   /* MiB, 0 = never */
	double low, high;  /* MiB */
	double floor_rise; /* MiB per cycle */
	const char *file;
	double size; /* MiB */
	int procs;
	int leaker;	 /* 1-based, 0 = none */
	double base;	 /* MiB */
	double duration; /* s, 0 = forever */
	const char *report;
	double drain; /* s of work after SIGTERM, 0 = stop at once */
	double hold;  /* linear: s flat before the growth starts */
	bool ignore_term;
	bool shed; /* linear: on SIGUSR1 give all its memory back and stop growing */
	bool has_rate, has_low, has_high, has_size, has_procs;
};

/* A region of reserved address space, resident from its start up to 'touched'. */
struct heap {
	char *base;
	size_t reserved;
	size_t touched;
};

static volatile sig_atomic_t term_count;
static volatile sig_atomic_t shed_asked; /* SIGUSR1 with --shed */
static sig_atomic_t term_seen;
static struct timespec term_ts; /* when the first SIGTERM arrived */
static int report_fd = -1;
static const char *role = "main";
static struct timespec t_start;
static long page_size;

static void on_term(int sig)
{
	if (!term_count)
		clock_gettime(CLOCK_MONOTONIC, &term_ts); /* async-signal-safe */
	term_count++;
}

static void on_shed(int sig)
{
	shed_asked = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double elapsed(void)
{
	return now_s() - ((double)t_start.tv_sec + t_start.tv_nsec / 1e9);
}

/* Resident set size of this process in MiB, from /proc/self/statm. */
static double rss_mib(void)
{
	char buf[128];
	unsigned long vsz, rss;
	ssize_t n;
	int fd;

	fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%lu %lu", &vsz, &rss) != 2)
		return -1;
	return (double)rss * page_size / MIB;
}

/* One event line, "EVENT pid=N role=R t=S[ extra]", with a single write(2). */
static void report(const char *event, const char *fmt, ...)
{
	char line[512];
	int n, m;
	va_list ap;

	n = snprintf(line, sizeof(line), "%s pid=%d role=%s t=%.3f", event, (int)getpid(), role,
		     elapsed());
	if (fmt && n < (int)sizeof(line) - 2) {
		line[n++] = ' ';
		va_start(ap, fmt);
		m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
		va_end(ap);
		if (m > 0)
			n += m < (int)sizeof(line) - n - 1 ? m : (int)sizeof(line) - n - 2;
	}
	line[n++] = '\n';
	if (write(report_fd >= 0 ? report_fd : STDOUT_FILENO, line, n) < 0) {
		/* Nothing sensible to do: the harness will notice the missing line. */
	}
}

static void die(const char *what)
{
	fprintf(stderr, "owload: %s: %s\n", what, strerror(errno));
	if (report_fd >= 0)
		report("error", "what=\"%s\" errno=%d", what, errno);
	exit(1);
}

static int heap_init(struct heap *h, size_t want)
{
	size_t sz = want ? want : RESERVE_MAX;
	void *p;

	sz = (sz + page_size - 1) & ~((size_t)page_size - 1);
	for (;;) {
		p = mmap(NULL, sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p != MAP_FAILED)
			break;
		if (want || sz <= RESERVE_MIN)
			return -1;
		sz /= 2;
	}
	/* 4 KiB pages, one fault (and one kmem:rss_stat event) per page, as a plain heap. */
	madvise(p, sz, MADV_NOHUGEPAGE);
	h->base = p;
	h->reserved = sz;
	h->touched = 0;
	return 0;
}

static size_t mib_to_bytes(double mib)
{
	size_t b = (size_t)(mib * MIB);

	return b & ~((size_t)page_size - 1);
}

/* Write one byte in each page from h->touched up to at most 'target', one slice at most. */
static void heap_grow_slice(struct heap *h, size_t target)
{
	size_t end, off;

	if (target > h->reserved) {
		errno = ENOMEM;
		die("address space reservation exhausted");
	}
	end = h->touched + SLICE_BYTES;
	if (end > target)
		end = target;
	for (off = h->touched; off < end; off += page_size)
		h->base[off] = (char)(off >> 12 | 1);
	if (end > h->touched)
		h->touched = end;
}

/* Give memory above 'target' back to the kernel. */
static void heap_shrink(struct heap *h, size_t target)
{
	if (target >= h->touched)
		return;
	if (madvise(h->base + target, h->touched - target, MADV_DONTNEED) < 0)
		die("madvise(MADV_DONTNEED)");
	h->touched = target;
}

/* Has a SIGTERM arrived that ends the run? Reports it either way. */
static bool term_check(const struct opts *o, struct heap *h)
{
	sig_atomic_t c = term_count;

	if (c == term_seen)
		return false;
	term_seen = c;
	if (o->ignore_term) {
		report("sigterm-ignored", "rss_mib=%.1f held_mib=%.1f", rss_mib(),
		       h ? h->touched / MIB : 0.0);
		return false;
	}
	if (o->drain > 0)
		report("sigterm", "rss_mib=%.1f held_mib=%.1f drain_s=%.1f", rss_mib(),
		       h ? h->touched / MIB : 0.0, o->drain);
	else
		report("sigterm", "rss_mib=%.1f held_mib=%.1f", rss_mib(),
		       h ? h->touched / MIB : 0.0);
	return true;
}

/* Grow toward 'target' for at most BUSY_NS, checking for SIGTERM between slices. */
static bool grow_for_tick(const struct opts *o, struct heap *h, size_t target, double tick_start)
{
	while (h->touched < target) {
		heap_grow_slice(h, target);
		if (term_count != term_seen)
			return term_check(o, h);
		if (now_s() - tick_start > BUSY_NS / 1e9)
			break;
	}
	return false;
}

static void sleep_until(struct timespec *next)
{
	next->tv_nsec += TICK_NS;
	if (next->tv_nsec >= 1000000000L) {
		next->tv_nsec -= 1000000000L;
		next->tv_sec++;
	}
	/* A signal interrupts the sleep (EINTR), so SIGTERM is seen at once. */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

static void finish(const char *reason, struct heap *h)
{
	report("done", "reason=%s rss_mib=%.1f held_mib=%.1f", reason, rss_mib(),
	       h ? h->touched / MIB : 0.0);
	exit(0);
}

static double since_term(void)
{
	return now_s() - ((double)term_ts.tv_sec + term_ts.tv_nsec / 1e9);
}

/*
 * After SIGTERM with --drain: a worker finishing the job in hand. It takes no more work (no
 * growth) and keeps its memory, rewriting one page it already holds each tick, for o->drain
 * seconds from the SIGTERM; --duration no longer counts and a further SIGTERM is reported and
 * ignored. Then "drained" and exit 0. Nothing is allocated: the pages are already resident.
 */
static void drain(const struct opts *o, struct heap *h)
{
	struct timespec next;
	size_t off = 0;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (since_term() < o->drain) {
		if (term_count != term_seen) {
			term_seen = term_count;
			report("sigterm-ignored", "note=draining n=%d after_s=%.3f held_mib=%.1f",
			       (int)term_seen, since_term(), h->touched / MIB);
		}
		if (h->touched) {
			h->base[off]++;
			off = (off + page_size) % h->touched;
		}
		sleep_until(&next);
	}
	report("drained", "after_s=%.3f drain_s=%.1f rss_mib=%.1f held_mib=%.1f", since_term(),
	       o->drain, rss_mib(), h->touched / MIB);
	finish("drained", h);
}

/* SIGTERM ends a memory mode's run: at once, or after its drain. */
static void stop(const struct opts *o, struct heap *h)
{
	if (o->drain > 0)
		drain(o, h);
	finish("sigterm", h);
}

/*
 * The memory loop of linear, burst, sawtooth and a group child.
 * base_mib is held from the start (a burst), then growth follows the mode.
 */
static void run_memory(const struct opts *o, enum mode m, double base_mib)
{
	struct heap h;
	struct timespec next;
	size_t reserve = 0, target, base = mib_to_bytes(base_mib);
	double low = o->low, high = o->high, phase_t0, phase_from, t;
	bool reached = false, shed = false;
	unsigned int cycle = 0;

	if (m == M_BURST)
		reserve = mib_to_bytes(o->size) + page_size;
	else if (m == M_LINEAR && o->stop_at > 0)
		reserve = base + mib_to_bytes(o->stop_at) + page_size;
	if (heap_init(&h, reserve) < 0)
		die("mmap");

	if (base) {
		while (h.touched < base) {
			heap_grow_slice(&h, base);
			if (term_count != term_seen && term_check(o, &h))
				stop(o, &h);
		}
		report("base", "held_mib=%.1f", h.touched / MIB);
	}

	clock_gettime(CLOCK_MONOTONIC, &next);
	phase_t0 = now_s();
	phase_from = 0;
	for (;;) {
		t = now_s();
		if (term_count != term_seen && term_check(o, &h))
			stop(o, &h);
		if (o->duration > 0 && elapsed() >= o->duration)
			finish("duration", &h);
		if (shed_asked && !shed) {
			/* An application told memory runs short: it drops what it can, here all. */
			report("shed", "freed_mib=%.1f", h.touched / MIB);
			heap_shrink(&h, 0);
			shed = true;
		}
		if (shed) {
			sleep_until(&next);
			continue;
		}

		switch (m) {
		case M_BURST:
			target = mib_to_bytes(o->size);
			break;
		case M_SAWTOOTH:
			if (h.touched >= mib_to_bytes(high)) {
				heap_shrink(&h, mib_to_bytes(low));
				cycle++;
				report("cycle", "n=%u peak_mib=%.1f low_mib=%.1f", cycle, high,
				       low);
				low += o->floor_rise;
				high += o->floor_rise;
				phase_t0 = t;
				phase_from = h.touched / MIB;
			}
			target = mib_to_bytes(phase_from + o->rate * (t - phase_t0));
			if (target > mib_to_bytes(high))
				target = mib_to_bytes(high);
			break;
		default: /* linear (after its hold), or a group child above its base */
			target = base + mib_to_bytes(o->rate * (t - phase_t0 > o->hold
									? t - phase_t0 - o->hold
									: 0));
			if (o->stop_at > 0 && target > base + mib_to_bytes(o->stop_at))
				target = base + mib_to_bytes(o->stop_at);
			break;
		}

		if (grow_for_tick(o, &h, target, t))
			stop(o, &h);

		if (!reached && h.touched >= target &&
		    ((m == M_BURST) || (m == M_LINEAR && o->stop_at > 0 &&
					target >= base + mib_to_bytes(o->stop_at)))) {
			reached = true;
			report("reached", "held_mib=%.1f rss_mib=%.1f secs=%.3f", h.touched / MIB,
			       rss_mib(), now_s() - phase_t0);
		}
		/* Behind schedule (a fast rate): keep touching, as fast as the machine allows. */
		if (h.touched < target)
			clock_gettime(CLOCK_MONOTONIC, &next);
		else
			sleep_until(&next);
	}
}

/* Make PATH at least size_mib long, without leaving its pages in the page cache. */
static void pagecache_prepare(const struct opts *o, const char *path, double size_mib)
{
	off_t want = (off_t)mib_to_bytes(size_mib), have;
	char *buf;
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		die(path);
	if (fstat(fd, &st) < 0)
		die("fstat");
	have = st.st_size;
	if (have < want) {
		buf = malloc(READ_BLOCK);
		if (!buf)
			die("malloc");
		memset(buf, 0x5a, READ_BLOCK);
		if (lseek(fd, have, SEEK_SET) < 0)
			die("lseek");
		report("create", "file=%s from_mib=%.1f size_mib=%.1f", path, have / MIB,
		       want / MIB);
		while (have < want) {
			size_t n = want - have < (off_t)READ_BLOCK ? (size_t)(want - have)
								   : READ_BLOCK;
			ssize_t w = write(fd, buf, n);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				die("write");
			}
			have += w;
			/* Keep dirty pages few: a small memcg must not fill with them. */
			if (have % (32 << 20) == 0 || have >= want) {
				if (fdatasync(fd) < 0)
					die("fdatasync");
				posix_fadvise(fd, 0, have, POSIX_FADV_DONTNEED);
			}
			if (term_count != term_seen && term_check(o, NULL))
				finish("sigterm", NULL);
		}
		free(buf);
	}
	/* Start cold, so that reading charges the pages to this process's memory cgroup. */
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
}

/* linear --file F --size M: M MiB of F read once, so its pages sit in this cgroup's page cache
 * beside the leak (they stay charged to it after the read). */
static void warm_cache(const struct opts *o)
{
	char *buf = malloc(READ_BLOCK);
	double total = 0;
	ssize_t n;
	int fd;

	pagecache_prepare(o, o->file, o->size);
	if (!buf)
		die("malloc");
	fd = open(o->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(o->file);
	while (total < o->size * MIB && (n = read(fd, buf, READ_BLOCK)) != 0) {
		if (n < 0 && errno != EINTR)
			die("read");
		total += n > 0 ? n : 0;
	}
	close(fd);
	free(buf);
	report("cache", "file=%s cached_mib=%.1f", o->file, total / MIB);
}

/*
 * write --file PATH --rate R: append to PATH at R MiB/s with write(2). On a tmpfs (/dev/shm, a
 * tmpfs /tmp) the pages are shmem charged to this cgroup and move no process's RSS: what the
 * rss_stat tracepoint cannot see (issue 17). SIGTERM stops the writing (after --drain D s).
 */
static void run_write(const struct opts *o)
{
	struct heap none = {0};
	struct timespec next;
	char *buf = malloc(READ_BLOCK);
	double t0 = now_s();
	uint64_t written = 0, target;
	int fd = open(o->file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0)
		die(o->file);
	if (!buf)
		die("malloc");
	memset(buf, 0x5a, READ_BLOCK);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		if (term_count != term_seen && term_check(o, NULL)) {
			report("written", "written_mib=%.1f", written / MIB);
			if (o->drain > 0)
				drain(o, &none);
			finish("sigterm", NULL);
		}
		if (o->duration > 0 && elapsed() >= o->duration)
			finish("duration", NULL);
		target = (uint64_t)(o->rate * MIB * (now_s() - t0));
		if (o->stop_at > 0 && target > (uint64_t)(o->stop_at * MIB))
			target = (uint64_t)(o->stop_at * MIB);
		while (written < target && term_count == term_seen) {
			size_t n = target - written < READ_BLOCK ? (size_t)(target - written)
								 : READ_BLOCK;
			ssize_t w = write(fd, buf, n);

			if (w < 0 && errno != EINTR)
				die("write");
			written += w > 0 ? (uint64_t)w : 0;
		}
		sleep_until(&next);
	}
}

/*
 * files --file DIR --rate R: create empty files in DIR at about R MiB/s of kernel memory (an
 * inode and a dentry, ~1 KiB a file on tmpfs, charged to this cgroup as kernel memory): a
 * growth that is neither RSS nor shmem. SIGTERM stops it.
 */
static void run_files(const struct opts *o)
{
	struct timespec next;
	double t0 = now_s();
	uint64_t made = 0, target;
	char name[PATH_MAX];

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		if (term_count != term_seen && term_check(o, NULL)) {
			report("made", "files=%llu", (unsigned long long)made);
			finish("sigterm", NULL);
		}
		if (o->duration > 0 && elapsed() >= o->duration)
			finish("duration", NULL);
		target = (uint64_t)(o->rate * 1024 * (now_s() - t0));
		while (made < target && term_count == term_seen) {
			int fd;

			snprintf(name, sizeof(name), "%s/f%010llu", o->file,
				 (unsigned long long)made);
			fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd < 0)
				die(name);
			close(fd);
			made++;
		}
		sleep_until(&next);
	}
}

static void run_pagecache(const struct opts *o)
{
	char *buf;
	unsigned long passes = 0;
	double total = 0;
	ssize_t n;
	int fd;

	pagecache_prepare(o, o->file, o->size);
	buf = malloc(READ_BLOCK);
	if (!buf)
		die("malloc");
	fd = open(o->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(o->file);
	report("reading", "file=%s size_mib=%.1f", o->file, o->size);
	for (;;) {
		if (term_count != term_seen && term_check(o, NULL))
			break;
		if (o->duration > 0 && elapsed() >= o->duration) {
			report("done", "reason=duration rss_mib=%.1f passes=%lu read_mib=%.0f",
			       rss_mib(), passes, total / MIB);
			exit(0);
		}
		n = read(fd, buf, READ_BLOCK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		total += n;
		if (n == 0 || total >= (passes + 1) * o->size * MIB) {
			passes++;
			if (lseek(fd, 0, SEEK_SET) < 0)
				die("lseek");
		}
	}
	report("done", "reason=sigterm rss_mib=%.1f passes=%lu read_mib=%.0f", rss_mib(), passes,
	       total / MIB);
	exit(0);
}

/* One pipe of up to 1 MiB (pipe-max-size), filled without blocking and held open: its pages
 * are charged to this cgroup as kernel memory (pipe_write() allocates them __GFP_ACCOUNT).
 * Returns the bytes it holds. */
static size_t fill_pipe(const char *buf, size_t len)
{
	int fds[2];
	size_t held = 0;
	ssize_t w;

	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
		die("pipe2");
	fcntl(fds[1], F_SETPIPE_SZ, (int)len); /* refused: the default 64 KiB */
	while ((w = write(fds[1], buf, len - held)) > 0)
		held += (size_t)w;
	return held;
}

/*
 * pipes --rate R: pipes filled at R MiB/s and never read, both ends kept open: a growth of
 * kernel memory (pipe buffers) that is neither RSS nor shmem, freed when the holder exits.
 * SIGTERM stops it.
 */
static void run_pipes(const struct opts *o)
{
	const size_t len = 1 << 20;
	struct rlimit nofile;
	struct timespec next;
	double t0 = now_s(), held = 0, target;
	unsigned long pipes = 0;
	char *buf = malloc(len);

	if (!buf)
		die("malloc");
	memset(buf, 0x5a, len);
	if (!getrlimit(RLIMIT_NOFILE, &nofile)) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		if (term_count != term_seen && term_check(o, NULL)) {
			report("made", "pipes=%lu held_mib=%.1f", pipes, held / MIB);
			finish("sigterm", NULL);
		}
		if (o->duration > 0 && elapsed() >= o->duration)
			finish("duration", NULL);
		target = o->rate * MIB * (now_s() - t0);
		while (held < target && term_count == term_seen) {
			held += (double)fill_pipe(buf, len);
			pipes++;
		}
		sleep_until(&next);
	}
}

static void run_group(const struct opts *o)
{
	pid_t pids[MAX_PROCS];
	const char *roles[MAX_PROCS];
	int i, status, left = o->procs, bad = 0;
	pid_t p;

	report("start", "mode=group procs=%d leaker=%d rate=%.1f base_mib=%.1f", o->procs,
	       o->leaker, o->rate, o->base);
	for (i = 0; i < o->procs; i++) {
		roles[i] = i + 1 == o->leaker ? "leaker" : "holder";
		p = fork();
		if (p < 0)
			die("fork");
		if (p == 0) {
			struct opts co = *o;

			role = roles[i];
			clock_gettime(CLOCK_MONOTONIC, &t_start);
			prctl(PR_SET_NAME, i + 1 == o->leaker ? "owload-leaker" : "owload-holder");
			if (i + 1 != o->leaker)
				co.rate = 0;
			co.stop_at = i + 1 == o->leaker ? o->stop_at : 0;
			report("start", "mode=group child=%d rate=%.1f base_mib=%.1f", i + 1,
			       co.rate, o->base);
			run_memory(&co, M_LINEAR, o->base);
		}
		pids[i] = p;
	}
	while (left > 0) {
		p = waitpid(-1, &status, 0);
		if (p < 0) {
			if (errno == EINTR) {
				/* The parent holds no memory and forwards nothing. */
				if (term_count != term_seen) {
					term_seen = term_count;
					report("sigterm-ignored", "rss_mib=%.1f note=parent-waits",
					       rss_mib());
				}
				continue;
			}
			die("waitpid");
		}
		for (i = 0; i < o->procs; i++)
			if (pids[i] == p)
				break;
		left--;
		if (WIFEXITED(status)) {
			report("child-exit", "child_pid=%d child_role=%s child=%d status=%d",
			       (int)p, i < o->procs ? roles[i] : "?", i + 1, WEXITSTATUS(status));
			bad += WEXITSTATUS(status) != 0;
		} else {
			report("child-exit", "child_pid=%d child_role=%s child=%d signal=%d",
			       (int)p, i < o->procs ? roles[i] : "?", i + 1,
			       WIFSIGNALED(status) ? WTERMSIG(status) : -1);
			bad++;
		}
	}
	report("done", "reason=children failed=%d", bad);
	exit(bad ? 1 : 0);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: owload MODE [options]   (sizes in MiB, rates in MiB/s, times in s)\n"
		"  linear    --rate R [--stop-at M] [--hold S] [--file PATH --size M]\n"
		"  sawtooth  --low L --high H --rate R [--floor-rise F]\n"
		"  pagecache --file PATH --size M\n"
		"  burst     --size M\n"
		"  write     --file PATH --rate R [--stop-at M]   (write(2) to PATH: tmpfs is "
		"shmem)\n"
		"  group     --procs N [--leaker K --rate R] [--base M] [--stop-at M]\n"
		"  files     --file DIR --rate R   (empty files: inodes, kernel memory)\n"
		"  pipes     --rate R   (full pipes held open: pipe buffers, kernel memory)\n"
		"common: --duration S  --report FILE  --ignore-term\n"
		"memory modes (all but pagecache): --drain D\n"
		"linear --hold S: flat for S s before it grows; --file/--size: M MiB of PATH\n"
		"read once at start, so its page cache sits in the cgroup beside the leak.\n"
		"linear --shed: on SIGUSR1 (caught only then) it frees all it holds, reports\n"
		"\"shed\" and grows no more until its --duration, as an app shedding caches.\n"
		"SIGTERM stops gracefully (exit 0) unless --ignore-term. With --drain D it stops\n"
		"growing, keeps its memory and works D s more (--duration no longer counts; a\n"
		"further SIGTERM is reported as sigterm-ignored), reports \"drained\", exits 0.\n"
		"Exit 2: bad arguments, 1: runtime error.\n");
}

static void bad_arg(const char *fmt, ...)
{
	va_list ap;

	fputs("owload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static double num_arg(const char *flag, const char *val, double min, bool min_excl,
		      const char *unit)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (errno || end == val || *end || v != v || v < min || (min_excl && v == min) || v > 1e9)
		bad_arg("bad value for %s: '%s' (want a %s number of %s)", flag, val,
			min_excl ? "positive" : "non-negative", unit);
	return v;
}

static int int_arg(const char *flag, const char *val, int min, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno || end == val || *end || v < min || v > max)
		bad_arg("bad value for %s: '%s' (want an integer from %d to %d)", flag, val, min,
			max);
	return (int)v;
}

enum {
	O_RATE = 256,
	O_STOP_AT,
	O_LOW,
	O_HIGH,
	O_FLOOR_RISE,
	O_FILE,
	O_SIZE,
	O_PROCS,
	O_LEAKER,
	O_BASE,
	O_DURATION,
	O_REPORT,
	O_IGNORE_TERM,
	O_DRAIN,
	O_HOLD,
	O_SHED,
	O_HELP,
};

#define BIT(m) (1u << (m))
#define ALL                                                                                        \
	(BIT(M_LINEAR) | BIT(M_SAWTOOTH) | BIT(M_PAGECACHE) | BIT(M_BURST) | BIT(M_GROUP) |        \
	 BIT(M_WRITE) | BIT(M_FILES) | BIT(M_PIPES))
#define MEMORY (BIT(M_LINEAR) | BIT(M_SAWTOOTH) | BIT(M_BURST) | BIT(M_GROUP) | BIT(M_WRITE))

static const struct option long_opts[] = {
	{"rate", required_argument, NULL, O_RATE},
	{"stop-at", required_argument, NULL, O_STOP_AT},
	{"low", required_argument, NULL, O_LOW},
	{"high", required_argument, NULL, O_HIGH},
	{"floor-rise", required_argument, NULL, O_FLOOR_RISE},
	{"file", required_argument, NULL, O_FILE},
	{"size", required_argument, NULL, O_SIZE},
	{"procs", required_argument, NULL, O_PROCS},
	{"leaker", required_argument, NULL, O_LEAKER},
	{"base", required_argument, NULL, O_BASE},
	{"duration", required_argument, NULL, O_DURATION},
	{"report", required_argument, NULL, O_REPORT},
	{"ignore-term", no_argument, NULL, O_IGNORE_TERM},
	{"drain", required_argument, NULL, O_DRAIN},
	{"hold", required_argument, NULL, O_HOLD},
	{"shed", no_argument, NULL, O_SHED},
	{"help", no_argument, NULL, O_HELP},
	{NULL, 0, NULL, 0},
};

/* Which modes accept each option, indexed by option value - O_RATE. */
static const unsigned int opt_modes[] = {
	[O_RATE - O_RATE] = BIT(M_LINEAR) | BIT(M_SAWTOOTH) | BIT(M_GROUP) | BIT(M_WRITE) |
			    BIT(M_FILES) | BIT(M_PIPES),
	[O_STOP_AT - O_RATE] = BIT(M_LINEAR) | BIT(M_GROUP) | BIT(M_WRITE),
	[O_LOW - O_RATE] = BIT(M_SAWTOOTH),
	[O_HIGH - O_RATE] = BIT(M_SAWTOOTH),
	[O_FLOOR_RISE - O_RATE] = BIT(M_SAWTOOTH),
	[O_FILE - O_RATE] = BIT(M_PAGECACHE) | BIT(M_LINEAR) | BIT(M_WRITE) | BIT(M_FILES),
	[O_SIZE - O_RATE] = BIT(M_PAGECACHE) | BIT(M_BURST) | BIT(M_LINEAR),
	[O_PROCS - O_RATE] = BIT(M_GROUP),
	[O_LEAKER - O_RATE] = BIT(M_GROUP),
	[O_BASE - O_RATE] = BIT(M_GROUP),
	[O_DURATION - O_RATE] = ALL,
	[O_REPORT - O_RATE] = ALL,
	[O_IGNORE_TERM - O_RATE] = ALL,
	[O_DRAIN - O_RATE] = MEMORY,
	[O_HOLD - O_RATE] = BIT(M_LINEAR),
	[O_SHED - O_RATE] = BIT(M_LINEAR),
	[O_HELP - O_RATE] = ALL,
};

static void parse(int argc, char **argv, struct opts *o)
{
	int c, i;

	memset(o, 0, sizeof(*o));
	o->base = 8;
	if (argc < 2)
		bad_arg("missing mode (%s); see --help", MODE_LIST);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		exit(0);
	}
	for (i = M_LINEAR; i <= M_PIPES; i++)
		if (!strcmp(argv[1], mode_names[i]))
			o->mode = i;
	if (o->mode == M_NONE)
		bad_arg("unknown mode '%s' (want %s)", argv[1], MODE_LIST);

	opterr = 0;
	optind = 2;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		if (c == '?') {
			if (optopt)
				bad_arg("unknown option '-%c'", optopt);
			bad_arg("unknown option '%s'", argv[optind - 1]);
		}
		if (c == ':')
			bad_arg("option '%s' needs a value", argv[optind - 1]);
		if (c == 'h')
			c = O_HELP;
		if (!(opt_modes[c - O_RATE] & BIT(o->mode)))
			bad_arg("option '--%s' is not valid in mode %s", long_opts[c - O_RATE].name,
				mode_names[o->mode]);
		switch (c) {
		case O_RATE:
			o->rate = num_arg("--rate", optarg, 0, true, "MiB/s");
			o->has_rate = true;
			break;
		case O_STOP_AT:
			o->stop_at = num_arg("--stop-at", optarg, 0, true, "MiB");
			break;
		case O_LOW:
			o->low = num_arg("--low", optarg, 0, false, "MiB");
			o->has_low = true;
			break;
		case O_HIGH:
			o->high = num_arg("--high", optarg, 0, true, "MiB");
			o->has_high = true;
			break;
		case O_FLOOR_RISE:
			o->floor_rise = num_arg("--floor-rise", optarg, 0, false, "MiB");
			break;
		case O_FILE:
			if (!*optarg)
				bad_arg("bad value for --file: empty path");
			o->file = optarg;
			break;
		case O_SIZE:
			o->size = num_arg("--size", optarg, 0, true, "MiB");
			o->has_size = true;
			break;
		case O_PROCS:
			o->procs = int_arg("--procs", optarg, 1, MAX_PROCS);
			o->has_procs = true;
			break;
		case O_LEAKER:
			o->leaker = int_arg("--leaker", optarg, 0, MAX_PROCS);
			break;
		case O_BASE:
			o->base = num_arg("--base", optarg, 0, false, "MiB");
			break;
		case O_DURATION:
			o->duration = num_arg("--duration", optarg, 0, true, "seconds");
			break;
		case O_REPORT:
			if (!*optarg)
				bad_arg("bad value for --report: empty path");
			o->report = optarg;
			break;
		case O_IGNORE_TERM:
			o->ignore_term = true;
			break;
		case O_DRAIN:
			o->drain = num_arg("--drain", optarg, 0, true, "seconds");
			break;
		case O_HOLD:
			o->hold = num_arg("--hold", optarg, 0, false, "seconds");
			break;
		case O_SHED:
			o->shed = true;
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		}
	}
	if (optind < argc)
		bad_arg("unexpected argument '%s'", argv[optind]);
	if (o->drain > 0 && o->ignore_term)
		bad_arg("--drain and --ignore-term exclude each other");

	switch (o->mode) {
	case M_LINEAR:
		if (!o->has_rate)
			bad_arg("linear: --rate is required");
		if (!o->file != !o->has_size)
			bad_arg("linear: --file and --size go together (page cache beside the "
				"leak)");
		break;
	case M_SAWTOOTH:
		if (!o->has_rate)
			bad_arg("sawtooth: --rate is required");
		if (!o->has_low || !o->has_high)
			bad_arg("sawtooth: --low and --high are required");
		if (o->low >= o->high)
			bad_arg("bad value for --low: %g must be below --high %g", o->low, o->high);
		break;
	case M_PAGECACHE:
		if (!o->file)
			bad_arg("pagecache: --file is required");
		if (!o->has_size)
			bad_arg("pagecache: --size is required");
		break;
	case M_BURST:
		if (!o->has_size)
			bad_arg("burst: --size is required");
		break;
	case M_PIPES:
		if (!o->has_rate)
			bad_arg("pipes: --rate is required");
		break;
	case M_WRITE:
	case M_FILES:
		if (!o->file || !o->has_rate)
			bad_arg("%s: --file and --rate are required", mode_names[o->mode]);
		break;
	case M_GROUP:
		if (!o->has_procs)
			bad_arg("group: --procs is required");
		if (o->leaker > o->procs)
			bad_arg("bad value for --leaker: %d (only %d procs)", o->leaker, o->procs);
		if (o->leaker && !o->has_rate)
			bad_arg("group: --rate is required with --leaker");
		break;
	default:
		break;
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct opts o;

	page_size = sysconf(_SC_PAGESIZE);
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	parse(argc, argv, &o);

	if (o.report) {
		report_fd = open(o.report, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (report_fd < 0)
			die(o.report);
	}

	/* No SA_RESTART: the signal interrupts sleeps, reads and waitpid. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0)
		die("sigaction");
	sa.sa_handler = on_shed;
	if (o.shed && sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction");

	if (o.mode == M_GROUP) {
		role = "parent";
		run_group(&o);
	}
	/* A linear grower is the leaker; the other modes are named after themselves. */
	role = o.mode == M_LINEAR ? "leaker" : mode_names[o.mode];
	switch (o.mode) {
	case M_LINEAR:
		report("start", "mode=linear rate=%.1f stop_at_mib=%.1f ignore_term=%d", o.rate,
		       o.stop_at, o.ignore_term);
		if (o.file)
			warm_cache(&o);
		run_memory(&o, M_LINEAR, 0);
		break;
	case M_SAWTOOTH:
		report("start",
		       "mode=sawtooth rate=%.1f low_mib=%.1f high_mib=%.1f floor_rise=%.1f", o.rate,
		       o.low, o.high, o.floor_rise);
		run_memory(&o, M_SAWTOOTH, 0);
		break;
	case M_BURST:
		report("start", "mode=burst size_mib=%.1f", o.size);
		run_memory(&o, M_BURST, 0);
		break;
	case M_PAGECACHE:
		report("start", "mode=pagecache file=%s size_mib=%.1f", o.file, o.size);
		run_pagecache(&o);
		break;
	case M_WRITE:
		report("start", "mode=write file=%s rate=%.1f", o.file, o.rate);
		run_write(&o);
		break;
	case M_FILES:
		report("start", "mode=files dir=%s rate=%.1f", o.file, o.rate);
		run_files(&o);
		break;
	case M_PIPES:
		report("start", "mode=pipes rate=%.1f", o.rate);
		run_pipes(&o);
		break;
	default:
		break;
	}
	return 1;
}
