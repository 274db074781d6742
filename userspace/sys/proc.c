// SPDX-License-Identifier: GPL-2.0
/*
 * procfs readers (see userspace/sys/proc.h). Every file may belong to a process that exits while we
 * read it, and comm and cmdline are set by the process itself: nothing here trusts content.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "readfile.h"

#define STAT_BUF_LEN	4096 /* ~52 numbers plus a comm of at most 64 bytes */
#define STATUS_BUF_LEN	8192 /* ~1.5 KiB on 6.x */
#define CGROUP_LINE_LEN (PATH_MAX + 256)

/*
 * Set only by the kernel on its own threads. Names in brackets are a ps convention, and an
 * empty cmdline or a parent of 2 also fit zombies and processes that clear their argv.
 */
#define PF_KTHREAD 0x00200000

/* The pid's files vanish when it exits (ENOENT); some reads then fail with ESRCH. */
static int gone(int err)
{
	return err == -ENOENT ? -ESRCH : err;
}

static int pid_path(char *buf, size_t size, const char *procroot, pid_t pid, const char *name)
{
	int n = snprintf(buf, size, "%s/%d/%s", procroot, (int)pid, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * Read at most size - 1 bytes of <procroot>/<pid>/<name>, NUL-terminated. When `whole`, a file
 * that does not fit is malformed (-EINVAL) instead of truncated.
 */
static ssize_t read_pid_file(const char *procroot, pid_t pid, const char *name, char *buf,
			     size_t size, bool whole)
{
	char path[PATH_MAX];
	ssize_t len;
	int err;

	err = pid_path(path, sizeof(path), procroot, pid, name);
	if (err)
		return err;
	len = ow_read_file(path, buf, size, whole);
	if (len == -EFBIG)
		return -EINVAL;
	return len < 0 ? gone((int)len) : len;
}

/* Unsigned decimal filling all of `s`; strtoull alone would accept spaces, signs and "-1". */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* comm and cmdline end up in logs, alerts and JSON: no terminal escapes or newlines there. */
static void sanitize(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
	}
}

/* ---- stat ---- */

/* Fields after the comm, numbered as in proc(5): 3 state, 4 ppid, 9 flags, 22 starttime. */
static int parse_stat_fields(char *p, struct ow_proc_info *info)
{
	char *tok, *save = NULL;
	uint64_t v;
	int field;

	for (field = 3, tok = strtok_r(p, " \n", &save); tok && field <= 22;
	     field++, tok = strtok_r(NULL, " \n", &save)) {
		if (field == 3 && strlen(tok) != 1)
			return -EINVAL;
		if (field == 4 && !parse_u64(tok, INT_MAX, &v))
			info->ppid = (pid_t)v;
		else if (field == 9 && !parse_u64(tok, UINT32_MAX, &v))
			info->kthread = v & PF_KTHREAD;
		else if (field == 22 && !parse_u64(tok, UINT64_MAX, &v))
			info->starttime = v;
		else if (field == 4 || field == 9 || field == 22)
			return -EINVAL;
	}
	return field > 22 ? 0 : -EINVAL; /* fewer fields: truncated */
}

/*
 * "pid (comm) state ppid ...": comm may hold spaces and ')' (prctl(PR_SET_NAME) takes any
 * bytes), but every later field is a number or the state letter, so the last ')' closes it.
 */
static int parse_stat(char *buf, pid_t pid, struct ow_proc_info *info)
{
	char *lp, *rp, *end;
	unsigned long v;
	size_t n;

	if (!isdigit((unsigned char)buf[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno || v != (unsigned long)pid || strncmp(end, " (", 2))
		return -EINVAL;
	lp = end + 2;
	rp = strrchr(lp, ')');
	if (!rp || rp[1] != ' ')
		return -EINVAL;
	n = rp - lp;
	if (n >= sizeof(info->comm))
		n = sizeof(info->comm) - 1; /* 6.x shows kthread names longer than TASK_COMM_LEN */
	memcpy(info->comm, lp, n);
	info->comm[n] = '\0';
	sanitize(info->comm, n);
	return parse_stat_fields(rp + 1, info);
}

static int read_stat(const char *procroot, pid_t pid, struct ow_proc_info *info)
{
	char buf[STAT_BUF_LEN];
	ssize_t len = read_pid_file(procroot, pid, "stat", buf, sizeof(buf), true);

	if (len < 0)
		return len;
	/* An embedded NUL would end the string early and hide the remaining fields. */
	if (memchr(buf, '\0', len))
		return -EINVAL;
	return parse_stat(buf, pid, info);
}

/* ---- status ---- */

/* "Key:\t   1234 kB": the number must be followed by the kB unit and nothing else. */
static int parse_kb(const char *s, uint64_t *out)
{
	char num[24];
	size_t n;
	uint64_t v;

	s += strspn(s, " \t");
	n = strspn(s, "0123456789");
	if (n == 0 || n >= sizeof(num) || strcmp(s + n + strspn(s + n, " \t"), "kB"))
		return -EINVAL;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_u64(num, UINT64_MAX / 1024, &v))
		return -EINVAL;
	*out = v * 1024;
	return 0;
}

static int parse_status_line(char *line, struct ow_proc_info *info)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"RssAnon", offsetof(struct ow_proc_info, rss_anon)},
		{"RssFile", offsetof(struct ow_proc_info, rss_file)},
		{"RssShmem", offsetof(struct ow_proc_info, rss_shmem)},
		{"VmSwap", offsetof(struct ow_proc_info, vm_swap)},
	};
	char *colon = strchr(line, ':');
	size_t i;

	if (!colon)
		return 0;
	*colon = '\0';
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!strcmp(line, keys[i].key))
			return parse_kb(colon + 1, (uint64_t *)((char *)info + keys[i].off));
	}
	return 0;
}

/* Lines other than the four we want are skipped: status gains fields with every kernel. */
static int read_status(const char *procroot, pid_t pid, struct ow_proc_info *info)
{
	char buf[STATUS_BUF_LEN];
	char *line, *save = NULL;
	ssize_t len;
	int err = 0;

	len = read_pid_file(procroot, pid, "status", buf, sizeof(buf), true);
	if (len < 0)
		return len;
	if (memchr(buf, '\0', len))
		return -EINVAL;
	for (line = strtok_r(buf, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save))
		err = parse_status_line(line, info);
	return err;
}

/* ---- cmdline ---- */

static int read_cmdline(const char *procroot, pid_t pid, struct ow_proc_info *info)
{
	char *buf = info->cmdline;
	ssize_t len, i;

	/* Only the start matters for display: read no more than fits (argv can be megabytes). */
	len = read_pid_file(procroot, pid, "cmdline", buf, sizeof(info->cmdline), false);
	if (len < 0)
		return len;
	while (len > 0 && buf[len - 1] == '\0')
		len--; /* argv ends with a NUL */
	buf[len] = '\0';
	for (i = 0; i < len; i++) {
		if (buf[i] == '\0')
			buf[i] = ' ';
	}
	sanitize(buf, len);
	return 0;
}

int ow_proc_read(const char *procroot, pid_t pid, struct ow_proc_info *out)
{
	struct ow_proc_info info = {.pid = pid};
	int err;

	if (pid <= 0)
		return -EINVAL;
	err = read_stat(procroot, pid, &info);
	/* Kernel threads have no user memory and no argv: nothing more to read. */
	if (!err && !info.kthread)
		err = read_status(procroot, pid, &info);
	if (!err && !info.kthread)
		err = read_cmdline(procroot, pid, &info);
	if (err)
		return err;
	*out = info;
	return 0;
}

/* ---- trust: exe, uid, oom_score_adj, oom_score ---- */

/* The first number after `key` ("\nUid:", "\nGid:") in status: the real id. */
static int parse_status_id(const char *buf, const char *key, uint64_t *out)
{
	const char *p = strstr(buf, key);
	char num[24];
	size_t n;

	if (!p)
		return -EINVAL;
	p += strlen(key);
	p += strspn(p, " \t");
	n = strspn(p, "0123456789");
	if (!n || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, p, n);
	num[n] = '\0';
	return parse_u64(num, UINT32_MAX - 1, out) ? -EINVAL : 0;
}

static int parse_status_uid(const char *buf, uid_t *out)
{
	uint64_t v;
	int err = parse_status_id(buf, "\nUid:", &v);

	if (!err)
		*out = (uid_t)v;
	return err;
}

int ow_proc_catches(const char *procroot, pid_t pid, int sig)
{
	char buf[STATUS_BUF_LEN], *end;
	ssize_t len = read_pid_file(procroot, pid, "status", buf, sizeof(buf), true);
	const char *p;
	uint64_t mask;

	if (len < 0)
		return (int)len;
	p = strstr(buf, "\nSigCgt:");
	if (!p || sig < 1 || sig > 64)
		return -EINVAL;
	p += 8;
	p += strspn(p, " \t");
	errno = 0;
	mask = strtoull(p, &end, 16);
	if (end == p || errno)
		return -EINVAL;
	return (mask >> (sig - 1)) & 1;
}

int ow_proc_ids(const char *procroot, pid_t pid, uid_t *uid, gid_t *gid)
{
	char buf[STATUS_BUF_LEN];
	ssize_t len = read_pid_file(procroot, pid, "status", buf, sizeof(buf), true);
	uint64_t u, g;
	int err;

	if (len < 0)
		return (int)len;
	err = parse_status_id(buf, "\nUid:", &u);
	if (!err)
		err = parse_status_id(buf, "\nGid:", &g);
	if (err)
		return err;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

/* A small signed decimal file (oom_score_adj, oom_score). */
static int read_pid_int(const char *procroot, pid_t pid, const char *name, long min, long max,
			int *out)
{
	char buf[32], *end;
	ssize_t len = read_pid_file(procroot, pid, name, buf, sizeof(buf), true);
	long v;

	if (len < 0)
		return (int)len;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || (*end && *end != '\n') || errno || v < min || v > max)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* readlink of the exe magic link names the file as the kernel resolved it at exec; stat()
 * through the link reaches that very inode, even when it was deleted or replaced since. */
static void read_exe(const char *procroot, pid_t pid, struct ow_proc_trust *t)
{
	static const char deleted[] = " (deleted)";
	char path[PATH_MAX];
	struct stat st;
	ssize_t n;
	size_t dl = sizeof(deleted) - 1;

	t->exe[0] = '\0';
	t->exe_trusted = false;
	if (pid_path(path, sizeof(path), procroot, pid, "exe"))
		return;
	n = readlink(path, t->exe, sizeof(t->exe));
	if (n <= 0 || (size_t)n >= sizeof(t->exe)) {
		t->exe[0] = '\0';
		return;
	}
	t->exe[n] = '\0';
	if ((size_t)n > dl && !strcmp(t->exe + n - dl, deleted))
		t->exe[n - dl] = '\0';
	if (stat(path, &st))
		return;
	t->exe_trusted =
		S_ISREG(st.st_mode) && st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

int ow_proc_read_trust(const char *procroot, pid_t pid, struct ow_proc_trust *out)
{
	struct ow_proc_trust t = {0};
	char buf[STATUS_BUF_LEN];
	ssize_t len;
	int err;

	if (pid <= 0)
		return -EINVAL;
	len = read_pid_file(procroot, pid, "status", buf, sizeof(buf), true);
	if (len < 0)
		return (int)len;
	err = parse_status_uid(buf, &t.uid);
	if (!err)
		err = read_pid_int(procroot, pid, "oom_score_adj", -1000, 1000, &t.oom_score_adj);
	if (!err)
		err = read_pid_int(procroot, pid, "oom_score", 0, 100000, &t.oom_score);
	if (err)
		return err;
	read_exe(procroot, pid, &t);
	*out = t;
	return 0;
}

/* statm: "size resident shared text lib data dt", in pages. */
bool ow_proc_exists(const char *procroot, pid_t pid)
{
	char path[PATH_MAX];
	struct stat st;

	if (pid <= 0 || pid_path(path, sizeof(path), procroot, pid, ""))
		return false;
	return !stat(path, &st) || errno != ENOENT;
}

int ow_proc_rss_bytes(const char *procroot, pid_t pid, uint64_t *out)
{
	char buf[256], *sp, *end;
	uint64_t pages;
	ssize_t len;

	if (pid <= 0)
		return -EINVAL;
	len = read_pid_file(procroot, pid, "statm", buf, sizeof(buf), true);
	if (len < 0)
		return (int)len;
	sp = strchr(buf, ' ');
	if (!sp)
		return -EINVAL;
	end = sp + 1 + strcspn(sp + 1, " \n");
	if (*end != ' ')
		return -EINVAL;
	*end = '\0';
	if (parse_u64(sp + 1, UINT64_MAX / 65536, &pages))
		return -EINVAL;
	*out = pages * (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
}

/* ---- cgroup ---- */

static bool has_memory(const char *list)
{
	size_t n;

	for (; *list; list += n + (list[n] == ',')) {
		n = strcspn(list, ",");
		if (n == 6 && !strncmp(list, "memory", 6))
			return true;
	}
	return false;
}

/*
 * One "hierarchy-id:controller-list:path" line (the path itself may contain ':'). Returns 1
 * and sets `path` when it is the line asked for, 0 when it is another one.
 */
static int match_cgroup_line(char *line, bool v2, char **path)
{
	char *c1 = strchr(line, ':');
	char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char *ctrl;
	bool match;

	if (!c2 || c1 == line)
		return -EINVAL;
	*c1 = '\0';
	*c2 = '\0';
	ctrl = c1 + 1;
	*path = c2 + 1;
	(*path)[strcspn(*path, "\n")] = '\0';
	match = v2 ? !strcmp(line, "0") && !*ctrl : has_memory(ctrl);
	if (!match)
		return 0;
	return **path == '/' ? 1 : -EINVAL;
}

static int find_memcg(FILE *f, bool v2, char *buf, size_t len)
{
	char line[CGROUP_LINE_LEN];
	char *path;
	int ret;

	while (fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n') && !feof(f))
			return -EINVAL; /* longer than any path the kernel can print */
		ret = match_cgroup_line(line, v2, &path);
		if (ret < 0)
			return ret;
		if (ret == 0)
			continue;
		if (strlen(path) >= len)
			return -ENAMETOOLONG;
		strcpy(buf, path);
		return 0;
	}
	return ferror(f) ? gone(-errno) : -ENOENT;
}

int ow_proc_memcg_path(const char *procroot, pid_t pid, bool v2, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int err;

	if (pid <= 0 || !buf || !len)
		return -EINVAL;
	err = pid_path(path, sizeof(path), procroot, pid, "cgroup");
	if (err)
		return err;
	f = fopen(path, "re");
	if (!f)
		return gone(-errno);
	err = find_memcg(f, v2, buf, len);
	fclose(f);
	return err;
}

double ow_proc_age_s(const struct ow_proc_info *info)
{
	long hz = sysconf(_SC_CLK_TCK);
	struct timespec now;
	double started, up;

	if (hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &now))
		return -1;
	started = (double)info->starttime / (double)hz;
	up = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	return up >= started ? up - started : -1;
}
