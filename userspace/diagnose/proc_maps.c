// SPDX-License-Identifier: GPL-2.0
/* <pid>/maps reader: see userspace/diagnose/proc_maps.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc_maps.h"
#include "readfile.h"

#define DELETED_SUFFIX " (deleted)"
#define MAPS_LINE_MAX  (PATH_MAX + 256)

/* Hex digits up to a delimiter; strtoull alone would take signs, spaces and "0x". */
static const char *parse_hex(const char *s, char delim, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	for (; isxdigit((unsigned char)*p); p++) {
		if (v >> 60)
			return NULL;
		v = v << 4 |
		    (uint64_t)(isdigit((unsigned char)*p) ? *p - '0' : (*p | 0x20) - 'a' + 10);
	}
	if (p == s || *p != delim)
		return NULL;
	*out = v;
	return p + 1;
}

static const char *parse_dec(const char *s, char delim, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	for (; isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return NULL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s || (*p != delim && !(delim == ' ' && *p == '\0')))
		return NULL;
	*out = v;
	return *p ? p + 1 : p;
}

/* "rwxp": each letter or '-' in its place, then private or shared. */
static const char *parse_perms(const char *s, bool *exec)
{
	if ((s[0] != 'r' && s[0] != '-') || (s[1] != 'w' && s[1] != '-') ||
	    (s[2] != 'x' && s[2] != '-') || (s[3] != 'p' && s[3] != 's') || s[4] != ' ')
		return NULL;
	*exec = s[2] == 'x';
	return s + 5;
}

static enum ow_map_kind classify(const char *path)
{
	if (!*path || !strncmp(path, "[anon", 5) || !strncmp(path, "/memfd:", 7) ||
	    !strncmp(path, "//anon", 6))
		return OW_MAP_ANON;
	if (path[0] == '[')
		return OW_MAP_PSEUDO;
	return path[0] == '/' ? OW_MAP_FILE : OW_MAP_PSEUDO;
}

static int set_path(const char *p, struct ow_map *m)
{
	size_t len, slen = strlen(DELETED_SUFFIX);

	p += strspn(p, " ");
	len = strlen(p);
	m->deleted = len > slen && !strcmp(p + len - slen, DELETED_SUFFIX);
	if (m->deleted)
		len -= slen;
	m->path = strndup(p, len);
	if (!m->path)
		return -ENOMEM;
	m->kind = classify(m->path);
	return 0;
}

/* "start-end perms offset major:minor inode   path" (path optional, may hold spaces). */
int ow_map_parse_line(const char *line, struct ow_map *out)
{
	uint64_t major, minor;
	const char *p = line;

	memset(out, 0, sizeof(*out));
	p = parse_hex(p, '-', &out->start);
	p = p ? parse_hex(p, ' ', &out->end) : NULL;
	p = p ? parse_perms(p, &out->exec) : NULL;
	p = p ? parse_hex(p, ' ', &out->pgoff) : NULL;
	p = p ? parse_hex(p, ':', &major) : NULL;
	p = p ? parse_hex(p, ' ', &minor) : NULL;
	p = p ? parse_dec(p, ' ', &out->inode) : NULL;
	if (!p || out->start >= out->end || major > UINT_MAX || minor > UINT_MAX)
		return -EINVAL;
	out->dev_major = (unsigned int)major;
	out->dev_minor = (unsigned int)minor;
	return set_path(p, out);
}

static int cmp_start(const void *a, const void *b)
{
	const struct ow_map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The kernel never overlaps mappings; a file that does is not trusted line by line. */
static size_t drop_overlaps(struct ow_map *maps, size_t n)
{
	size_t i, kept = 0;

	/* An empty file leaves maps NULL: qsort's pointer must not be. */
	if (n)
		qsort(maps, n, sizeof(*maps), cmp_start);
	for (i = 0; i < n; i++) {
		if (kept && maps[i].start < maps[kept - 1].end) {
			free(maps[i].path);
			continue;
		}
		maps[kept++] = maps[i];
	}
	return kept;
}

static int push(struct ow_map **maps, size_t *n, size_t *cap, const struct ow_map *m)
{
	struct ow_map *nm;

	if (*n == *cap) {
		nm = reallocarray(*maps, *cap ? *cap * 2 : 64, sizeof(**maps));
		if (!nm)
			return -ENOMEM;
		*maps = nm;
		*cap = *cap ? *cap * 2 : 64;
	}
	(*maps)[(*n)++] = *m;
	return 0;
}

/* A line without its newline was cut short (a read racing the kernel, a damaged file). */
static int read_lines(FILE *f, bool exec_only, struct ow_map **maps, size_t *n)
{
	char *line = malloc(MAPS_LINE_MAX);
	struct ow_map m;
	size_t cap = 0;
	ssize_t len;
	int err = line ? 0 : -ENOMEM;

	/* Bounded lines: a path is at most PATH_MAX; anything longer is not the kernel's. */
	while (!err && (len = ow_read_line(f, line, MAPS_LINE_MAX)) != 0) {
		if (len == -EIO)
			break; /* the caller's ferror() says it */
		if (len < 0 || line[len - 1] != '\n' || memchr(line, '\0', (size_t)len))
			continue;
		line[len - 1] = '\0';
		if (ow_map_parse_line(line, &m))
			continue;
		if (exec_only && !m.exec) {
			free(m.path);
			continue;
		}
		err = push(maps, n, &cap, &m);
		if (err)
			free(m.path);
	}
	free(line);
	return err;
}

int ow_maps_read(const char *procroot, int pid, bool exec_only, struct ow_map **out, size_t *n)
{
	struct ow_map *maps = NULL;
	char path[PATH_MAX];
	size_t count = 0;
	FILE *f;
	int err;

	if (snprintf(path, sizeof(path), "%s/%d/maps", procroot, pid) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	err = read_lines(f, exec_only, &maps, &count);
	if (!err && ferror(f))
		err = errno == ENOENT ? -ESRCH : -EIO;
	fclose(f);
	if (err) {
		ow_maps_free(maps, count);
		return err;
	}
	*out = maps;
	*n = drop_overlaps(maps, count);
	return 0;
}

const struct ow_map *ow_maps_find(const struct ow_map *maps, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < maps[mid].start)
			hi = mid;
		else if (addr >= maps[mid].end)
			lo = mid + 1;
		else
			return &maps[mid];
	}
	return NULL;
}

void ow_maps_free(struct ow_map *maps, size_t n)
{
	size_t i;

	for (i = 0; i < n && maps; i++)
		free(maps[i].path);
	free(maps);
}
