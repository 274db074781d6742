// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup model readers (see cgroup.h): one cgroup's memory files, its cgroup.procs,
 * the limits above it and meminfo. The mount is found in cgroup_mount.c, the tree walked in
 * cgroup_walk.c, paths parsed in cgroup_path.c. Content is never trusted: files are read into
 * bounded buffers (cgroupfs files report st_size 0, so sizes come from read(), not stat()),
 * numbers are parsed with end and overflow checks, and anything unexpected is -EINVAL.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "readfile.h"

#define VALUE_BUF_LEN 64    /* one number or "max" */
#define STAT_BUF_LEN  16384 /* memory.stat is ~2 KiB on 6.x; meminfo ~1.5 KiB */
#define PROCS_CHUNK   4096

/*
 * v1 prints "unlimited" as PAGE_COUNTER_MAX pages in bytes: LONG_MAX rounded down to the page
 * size (9223372036854771712 with 4 KiB pages, 9223372036854710272 with 64 KiB pages). No
 * machine has 2^62 bytes of memory, so any value from there up means "no limit".
 */
#define V1_UNLIMITED_MIN (1ULL << 62)

/* ---- low-level reading and number parsing ---- */

/* Read a whole text file into buf (NUL-terminated). -EFBIG if it does not fit. */
static ssize_t read_text(const char *path, char *buf, size_t size)
{
	ssize_t len = ow_read_file(path, buf, size, true);

	/* An embedded NUL would hide the rest of the content from the string parsers. */
	if (len > 0 && memchr(buf, '\0', (size_t)len))
		return -EINVAL;
	return len;
}

static int join(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static ssize_t read_at(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX], *longer;
	ssize_t len;

	if (!join(path, sizeof(path), dir, name))
		return read_text(path, buf, size);
	/* A cgroup nested past PATH_MAX: ow_read_file opens it a piece at a time. */
	if (asprintf(&longer, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	len = read_text(longer, buf, size);
	free(longer);
	return len;
}

/* Unsigned decimal at s; strtoull alone would accept leading spaces, signs and "-1". */
static int parse_u64(const char *s, char **end, uint64_t *out)
{
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, end, 10);
	if (errno == ERANGE)
		return -EINVAL;
	*out = v;
	return 0;
}

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A number, optional blanks, then an optional "kB" (bytes = kB * 1024) and nothing else. */
static int parse_value(const char *s, bool kb, uint64_t *out)
{
	uint64_t v;
	char *end;
	int err;

	err = parse_u64(s, &end, &v);
	if (err)
		return err;
	s = skip_blank(end);
	if (kb) {
		if (strncmp(s, "kB", 2) || v > UINT64_MAX / 1024)
			return -EINVAL;
		v *= 1024;
		s = skip_blank(s + 2);
	}
	if (*s != '\0' && *s != '\n')
		return -EINVAL;
	*out = v;
	return 0;
}

int ow_cg_parse_value(const char *text, bool max_ok, uint64_t *out)
{
	if (max_ok && (!strcmp(text, "max\n") || !strcmp(text, "max"))) {
		*out = OW_NO_LIMIT;
		return 0;
	}
	return parse_value(text, false, out);
}

/* A single-value file: "123\n", or "max" when `max_ok`, which means OW_NO_LIMIT. */
static int read_value_at(const char *dir, const char *name, bool max_ok, uint64_t *out)
{
	char buf[VALUE_BUF_LEN];
	ssize_t len = read_at(dir, name, buf, sizeof(buf));

	return len < 0 ? len : ow_cg_parse_value(buf, max_ok, out);
}

static int read_limit_at(const char *dir, const char *name, uint64_t *out)
{
	int err = read_value_at(dir, name, true, out);

	if (!err && *out >= V1_UNLIMITED_MIN)
		*out = OW_NO_LIMIT;
	return err;
}

int ow_cg_read_limit(enum ow_cg_version version, const char *dir, uint64_t *out)
{
	return read_limit_at(dir, version == OW_CG_V1 ? "memory.limit_in_bytes" : "memory.max",
			     out);
}

/* ---- "key value" files: memory.stat, memory.events, memory.oom_control, meminfo ---- */

/* Kernels add keys over time, so unknown lines are skipped; a known key needs a valid value. */
static int parse_kv_line(const char *line, const struct ow_cg_key *want, size_t n, bool kb)
{
	size_t klen = strcspn(line, " \t\n");
	size_t i;

	for (i = 0; i < n; i++) {
		if (strlen(want[i].key) == klen && !strncmp(line, want[i].key, klen))
			return parse_value(skip_blank(line + klen), kb, want[i].val);
	}
	return 0;
}

static int parse_kv(char *buf, const struct ow_cg_key *want, size_t n, bool kb)
{
	char *line, *save = NULL;
	int err;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		err = parse_kv_line(line, want, n, kb);
		if (err)
			return err;
	}
	return 0;
}

int ow_cg_parse_keys(char *text, const struct ow_cg_key *want, size_t n)
{
	return parse_kv(text, want, n, false);
}

static int read_kv_at(const char *dir, const char *name, const struct ow_cg_key *want, size_t n)
{
	char buf[STAT_BUF_LEN];
	ssize_t len = read_at(dir, name, buf, sizeof(buf));

	return len < 0 ? len : parse_kv(buf, want, n, false);
}

/* ---- ow_cg_read_stat ---- */

/* Optional files may be absent (older kernels, swap accounting off); remember it. */
static int optional(int err, bool *missing)
{
	if (err == -ENOENT) {
		*missing = true;
		return 0;
	}
	return err;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* A missing optional file may mean the cgroup itself was removed while we read it. */
static int still_there(const char *dir)
{
	int fd = ow_open_path(dir, O_PATH | O_DIRECTORY);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int read_stat_v1(const char *dir, struct ow_cg_stat *st)
{
	/* v1 has no "anon" key: total_rss is anon; total_* include descendants like v2 does. */
	const struct ow_cg_key stat_keys[] = {
		{"total_rss", &st->anon},
		{"total_cache", &st->file},
		{"total_active_file", &st->active_file},
		{"total_inactive_file", &st->inactive_file},
		{"total_shmem", &st->shmem},
	};
	const struct ow_cg_key oom_keys[] = {{"oom_kill", &st->oom_kills}}; /* since 4.13 */
	uint64_t memsw = 0;
	bool missing = false;
	int err;

	err = read_value_at(dir, "memory.usage_in_bytes", false, &st->usage);
	if (!err)
		err = read_kv_at(dir, "memory.stat", stat_keys, 5);
	if (!err)
		err = optional(read_limit_at(dir, "memory.limit_in_bytes", &st->limit), &missing);
	/* memsw files exist only with swap accounting (swapaccount=1). */
	if (!err)
		err = optional(read_value_at(dir, "memory.memsw.usage_in_bytes", false, &memsw),
			       &missing);
	if (!err)
		err = optional(read_kv_at(dir, "memory.oom_control", oom_keys, 1), &missing);
	if (!err && missing)
		err = still_there(dir);
	/* memsw (memory + swap) is read after usage; if usage grew in between, clamp at 0. */
	st->swap = memsw > st->usage ? memsw - st->usage : 0;
	return err;
}

static int read_stat_v2(const char *dir, struct ow_cg_stat *st)
{
	const struct ow_cg_key stat_keys[] = {
		{"anon", &st->anon},
		{"file", &st->file},
		{"active_file", &st->active_file},
		{"inactive_file", &st->inactive_file},
		{"shmem", &st->shmem},
	};
	uint64_t ev_max = 0, ev_high = 0;
	const struct ow_cg_key event_keys[] = {
		{"oom_kill", &st->oom_kills},
		{"max", &ev_max},
		{"high", &ev_high},
	};
	bool missing = false;
	int err;

	err = read_value_at(dir, "memory.current", false, &st->usage);
	if (!err)
		err = read_kv_at(dir, "memory.stat", stat_keys, 5);
	if (!err)
		err = optional(read_limit_at(dir, "memory.max", &st->limit), &missing);
	if (!err)
		err = optional(read_limit_at(dir, "memory.high", &st->high), &missing);
	if (!err)
		err = optional(read_value_at(dir, "memory.swap.current", false, &st->swap),
			       &missing);
	if (!err)
		err = optional(read_kv_at(dir, "memory.events", event_keys, 3), &missing);
	if (!err && missing)
		err = still_there(dir);
	st->edge_events = ev_max + ev_high;
	return err;
}

int ow_cg_read_stat(enum ow_cg_version version, const char *dir, struct ow_cg_stat *out)
{
	struct ow_cg_stat st = {.limit = OW_NO_LIMIT, .high = OW_NO_LIMIT};
	int err;

	if (version == OW_CG_V1)
		err = read_stat_v1(dir, &st);
	else if (version == OW_CG_V2)
		err = read_stat_v2(dir, &st);
	else
		err = -EINVAL;
	if (err)
		return err;
	*out = st;
	return 0;
}

int ow_cg_read_usage_limit(enum ow_cg_version version, const char *dir, struct ow_cg_stat *out)
{
	struct ow_cg_stat st = {.limit = OW_NO_LIMIT, .high = OW_NO_LIMIT};
	bool v1 = version == OW_CG_V1;
	int err;

	err = read_value_at(dir, v1 ? "memory.usage_in_bytes" : "memory.current", false, &st.usage);
	if (!err)
		err = read_limit_at(dir, v1 ? "memory.limit_in_bytes" : "memory.max", &st.limit);
	if (err)
		return err;
	*out = st;
	return 0;
}

/*
 * Before OOM the kernel reclaims the file LRU (clean pages dropped, dirty ones written back);
 * anon and shmem can only go to swap, and kernel memory (slab, stacks) counted in usage mostly
 * stays. The counters are sampled at different moments, so anon + shmem bounds it from below.
 */
uint64_t ow_cg_nonreclaimable(const struct ow_cg_stat *st)
{
	uint64_t lru_file = sat_add(st->active_file, st->inactive_file);
	uint64_t floor = sat_add(st->anon, st->shmem);
	uint64_t nr = st->usage > lru_file ? st->usage - lru_file : 0;

	return nr > floor ? nr : floor;
}

/* ---- ow_cg_effective_limit / ow_meminfo_machine_limit ---- */

/* A limit level whose file is missing (the v2 root has no memory.max) imposes no limit. */
static int level_limit(enum ow_cg_version version, const char *dir, uint64_t *out)
{
	const char *name = version == OW_CG_V1 ? "memory.limit_in_bytes" : "memory.max";
	int err = read_limit_at(dir, name, out);

	if (err == -ENOENT && !still_there(dir)) {
		*out = OW_NO_LIMIT;
		return 0;
	}
	return err;
}

/* Copy `dir` without trailing slashes into buf (strlen(dir) + 1 bytes); it must be `root` or
 * below it, without ".." parts. */
static int below_root(const char *root, const char *dir, char *buf, size_t *rootlen)
{
	size_t rl = strlen(root), n;

	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	n = strlen(dir);
	while (n > rl && dir[n - 1] == '/')
		n--;
	if (strncmp(root, dir, rl) || (dir[rl] != '/' && dir[rl] != '\0') || strstr(dir, "/../") ||
	    (n >= 3 && !strncmp(dir + n - 3, "/..", 3)))
		return -EINVAL;
	memcpy(buf, dir, n);
	buf[n] = '\0';
	*rootlen = rl;
	return 0;
}

/*
 * The kernel charges a page to every ancestor, so the tightest limit on the path is the one
 * that triggers OOM (v1 memory.use_hierarchy=0 would break this, but it is deprecated and
 * forced to 1 on current kernels, and systemd always set it).
 */
int ow_cg_effective_limit(const struct ow_cg_mount *mount, const char *dir, uint64_t machine_limit,
			  uint64_t *out)
{
	char *path = malloc(strlen(dir) + 1); /* a deep cgroup's path may pass PATH_MAX */
	uint64_t lim, best = OW_NO_LIMIT;
	size_t rootlen;
	char *slash;
	int err;

	if (!path)
		return -ENOMEM;
	err = below_root(mount->path, dir, path, &rootlen);
	while (!err) {
		err = level_limit(mount->version, path[0] ? path : "/", &lim);
		if (!err && lim < best)
			best = lim;
		slash = strrchr(path, '/');
		if (strlen(path) <= rootlen || !slash)
			break;
		*slash = '\0'; /* up one level */
	}
	free(path);
	if (err)
		return err;
	/* 0 means "unknown" (no meminfo): no machine has zero memory. */
	if (machine_limit && machine_limit < best)
		best = machine_limit;
	*out = best;
	return 0;
}

int ow_meminfo_machine_limit(const char *meminfo, uint64_t *out)
{
	uint64_t mem = 0, swap = 0;
	const struct ow_cg_key keys[] = {{"MemTotal:", &mem}, {"SwapTotal:", &swap}};
	char buf[STAT_BUF_LEN];
	ssize_t len;
	int err;

	len = read_text(meminfo, buf, sizeof(buf));
	if (len < 0)
		return len;
	err = parse_kv(buf, keys, 2, true);
	if (err)
		return err;
	if (!mem || swap > UINT64_MAX - mem)
		return -EINVAL;
	*out = mem + swap;
	return 0;
}

/* ---- ow_cg_read_procs ---- */

struct pid_parser {
	int *pids;
	int max;
	int count;
	long cur;
	bool digits;
};

/*
 * v2 shows 0 for a process outside the reader's pid namespace (task_pid_vnr()): skip it.
 * Pids beyond `max` are dropped; the caller sees count == max and can retry with more room.
 */
static int end_pid(struct pid_parser *p)
{
	if (p->digits && p->cur > 0 && p->count < p->max)
		p->pids[p->count++] = (int)p->cur;
	p->cur = 0;
	p->digits = false;
	return 0;
}

static int feed_pids(struct pid_parser *p, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			end_pid(p);
		} else if (isdigit((unsigned char)buf[i])) {
			p->cur = p->cur * 10 + (buf[i] - '0');
			p->digits = true;
			if (p->cur > INT_MAX)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_procs_fd(int fd, struct pid_parser *p)
{
	char buf[PROCS_CHUNK];
	ssize_t n = 0;
	int err = 0;

	while (!err && (n = ow_read_fd(fd, buf, sizeof(buf))) > 0)
		err = feed_pids(p, buf, n);
	if (!err && n < 0)
		err = n;
	return err ? err : end_pid(p);
}

int ow_cg_read_procs(const char *dir, int *pids, int max)
{
	struct pid_parser p = {.pids = pids, .max = max};
	char *path;
	int fd, err;

	if (max < 0 || (max > 0 && !pids))
		return -EINVAL;
	if (asprintf(&path, "%s/cgroup.procs", dir) < 0)
		return -ENOMEM;
	fd = ow_open_path(path, O_RDONLY);
	free(path);
	if (fd < 0)
		return fd;
	err = parse_procs_fd(fd, &p);
	close(fd);
	return err ? err : p.count;
}

/*
 * The v2 root cgroup has no memory files: describe the whole machine from meminfo instead, so
 * a leak with no cgroup limit still has a limit point (MemTotal + SwapTotal).
 */
int ow_meminfo_parse(char *text, struct ow_cg_stat *out)
{
	uint64_t total = 0, avail = UINT64_MAX, swap_total = 0, swap_free = 0, active_file = 0;
	uint64_t inactive_file = 0, anon = 0, shmem = 0;
	const struct ow_cg_key keys[] = {
		{"MemTotal:", &total},		 {"MemAvailable:", &avail},
		{"SwapTotal:", &swap_total},	 {"SwapFree:", &swap_free},
		{"Active(file):", &active_file}, {"Inactive(file):", &inactive_file},
		{"AnonPages:", &anon},		 {"Shmem:", &shmem},
	};
	int err = parse_kv(text, keys, sizeof(keys) / sizeof(keys[0]), true);

	if (err)
		return err;
	/* No MemAvailable (before 3.14) must not read as "nothing available". */
	if (!total || avail > total || swap_free > swap_total)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	/* In use: what is not available, plus the file LRU that "available" counted as free. */
	out->usage = total - avail + active_file + inactive_file;
	out->limit = OW_NO_LIMIT;
	out->high = OW_NO_LIMIT;
	out->anon = anon;
	out->file = active_file + inactive_file;
	out->active_file = active_file;
	out->inactive_file = inactive_file;
	out->shmem = shmem;
	out->swap = swap_total - swap_free;
	return 0;
}

int ow_meminfo_stat(const char *meminfo, struct ow_cg_stat *out)
{
	char buf[STAT_BUF_LEN];
	ssize_t len = read_text(meminfo, buf, sizeof(buf));

	return len < 0 ? (int)len : ow_meminfo_parse(buf, out);
}
