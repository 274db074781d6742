// SPDX-License-Identifier: GPL-2.0
/*
 * smaps snapshots and their difference (see smaps.h). The text comes from the
 * process itself (paths, prctl names) and a Node process has thousands of regions: nothing is
 * trusted, and the parse is one pass with a hash of group names.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readfile.h"
#include "smaps.h"
#include "units.h"

/* Mappings that grew less than this are not named: a page here and there. */
#define SMAPS_GROWN_MIN (1024 * 1024)

#define READ_CHUNK   (64 * 1024)
#define READ_MAX     (256 * 1024 * 1024) /* ~65530 regions (vm.max_map_count) take ~80 MiB */
#define MIN_SLOTS    64
#define ELLIPSIS     "..."
#define ELLIPSIS_LEN 3

/* Open addressing over group indices; slot value = index + 1, 0 = empty. */
struct name_index {
	uint32_t *slots;
	size_t cap; /* a power of two, at least twice the number of groups */
};

/* The region being read: its fields are added to its group when the next header comes. */
struct region {
	bool open;
	size_t group;
	uint64_t range; /* end - start from the header, for a region without a Size line */
	bool have_size;
	uint64_t size, rss, anon, swap;
};

struct parser {
	struct ow_smaps *out;
	struct name_index index;
	struct region cur; /* closed before the first header and after a bad one */
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static int64_t sat_sub(uint64_t end, uint64_t start)
{
	if (end >= start)
		return end - start > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(end - start);
	return start - end > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)(start - end);
}

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot holding `name`, or the empty slot where it belongs. */
static size_t index_slot(const struct name_index *ix, const struct ow_smaps *s, const char *name)
{
	size_t mask = ix->cap - 1;
	size_t i = hash_name(name) & mask;

	while (ix->slots[i] && strcmp(s->groups[ix->slots[i] - 1].name, name))
		i = (i + 1) & mask;
	return i;
}

static int index_grow(struct name_index *ix, const struct ow_smaps *s)
{
	size_t cap = ix->cap ? ix->cap * 2 : MIN_SLOTS;
	uint32_t *old = ix->slots;
	size_t g;

	if (cap > UINT32_MAX)
		return -ENOMEM;
	ix->slots = calloc(cap, sizeof(*ix->slots));
	if (!ix->slots) {
		ix->slots = old;
		return -ENOMEM;
	}
	ix->cap = cap;
	free(old);
	for (g = 0; g < s->n; g++)
		ix->slots[index_slot(ix, s, s->groups[g].name)] = (uint32_t)(g + 1);
	return 0;
}

/* The group called `name`, added when new. Returns its index or -ENOMEM. */
static long group_get(struct parser *p, const char *name)
{
	struct ow_smaps *s = p->out;
	struct ow_smaps_group *groups;
	size_t slot;

	if ((s->n + 1) * 2 > p->index.cap && index_grow(&p->index, s))
		return -ENOMEM;
	slot = index_slot(&p->index, s, name);
	if (p->index.slots[slot])
		return (long)p->index.slots[slot] - 1;
	if (s->n == s->cap) {
		groups = realloc(s->groups, (s->cap ? s->cap * 2 : 16) * sizeof(*groups));
		if (!groups)
			return -ENOMEM;
		s->groups = groups;
		s->cap = s->cap ? s->cap * 2 : 16;
	}
	memset(&s->groups[s->n], 0, sizeof(s->groups[s->n]));
	strcpy(s->groups[s->n].name, name);
	p->index.slots[slot] = (uint32_t)(s->n + 1);
	return (long)s->n++;
}

/*
 * The group name for a header's path field (already stripped of surrounding blanks). A name
 * that does not fit keeps its tail, which says more ("...node_modules/x/build/addon.node"),
 * cut at a UTF-8 character boundary.
 */
static void group_name(const char *path, size_t n, char *out)
{
	size_t room = OW_SMAPS_NAME_LEN - 1, i;

	if (n == 0) {
		strcpy(out, "[anon]");
		return;
	}
	if (n > room) {
		path += n - (room - ELLIPSIS_LEN);
		n = room - ELLIPSIS_LEN;
		while (n && ((unsigned char)*path & 0xc0) == 0x80) {
			path++;
			n--;
		}
		memcpy(out, ELLIPSIS, ELLIPSIS_LEN);
		out += ELLIPSIS_LEN;
	}
	for (i = 0; i < n; i++)
		out[i] = iscntrl((unsigned char)path[i]) ? '?' : path[i];
	out[n] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits filling [s, s + n); at most 16 of them (a 64-bit address). */
static bool parse_hex(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 16)
		return false;
	for (i = 0; i < n; i++) {
		if (hex_value(s[i]) < 0)
			return false;
		v = v << 4 | (uint64_t)hex_value(s[i]);
	}
	*out = v;
	return true;
}

/* [s, s + n) is not empty and each byte passes `pred` or is `also` (0: no other byte). */
static bool all_of(const char *s, size_t n, int (*pred)(int), char also)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!pred((unsigned char)s[i]) && !(also && s[i] == also))
			return false;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next blank-separated token of [*pos, end); its length, 0 at the end. */
static size_t next_token(const char **pos, const char *end, const char **tok)
{
	const char *s = *pos;

	while (s < end && is_blank(*s))
		s++;
	*tok = s;
	while (s < end && !is_blank(*s))
		s++;
	*pos = s;
	return (size_t)(s - *tok);
}

/*
 * "START-END PERMS OFFSET DEV INODE [PATH]": the address range and the group name. The path
 * is the rest of the line (it may hold blanks), trailing blanks removed.
 */
static bool parse_header(const char *line, size_t n, uint64_t *range, char *name)
{
	const char *pos = line, *end = line + n, *tok, *dash;
	uint64_t start, stop, unused;
	size_t len;

	len = next_token(&pos, end, &tok);
	dash = memchr(tok, '-', len);
	if (!dash || !parse_hex(tok, (size_t)(dash - tok), &start) ||
	    !parse_hex(dash + 1, len - (size_t)(dash - tok) - 1, &stop) || stop <= start)
		return false;
	if (next_token(&pos, end, &tok) != 4) /* perms: "rw-p" */
		return false;
	len = next_token(&pos, end, &tok);
	if (!parse_hex(tok, len, &unused)) /* offset */
		return false;
	len = next_token(&pos, end, &tok);
	if (!all_of(tok, len, isxdigit, ':')) /* device, "fe:00" */
		return false;
	len = next_token(&pos, end, &tok);
	if (!all_of(tok, len, isdigit, 0)) /* inode */
		return false;
	while (pos < end && is_blank(*pos))
		pos++;
	while (end > pos && is_blank(end[-1]))
		end--;
	*range = stop - start;
	group_name(pos, (size_t)(end - pos), name);
	return true;
}

/* " 1234 kB" -> bytes. */
static bool parse_kb(const char *s, size_t n, uint64_t *bytes)
{
	const char *pos = s, *end = s + n, *tok;
	uint64_t v = 0;
	size_t len, i;

	len = next_token(&pos, end, &tok);
	if (len == 0 || len > 19 || !all_of(tok, len, isdigit, 0))
		return false;
	for (i = 0; i < len; i++)
		v = v * 10 + (uint64_t)(tok[i] - '0');
	if (v > UINT64_MAX / 1024)
		return false;
	len = next_token(&pos, end, &tok);
	if (len != 2 || memcmp(tok, "kB", 2) || next_token(&pos, end, &tok))
		return false;
	*bytes = v * 1024;
	return true;
}

/* "Key:" at the start of a line: the key's length, 0 for anything else. */
static size_t field_key(const char *line, size_t n)
{
	size_t i;

	if (n == 0 || !isalpha((unsigned char)line[0]))
		return 0;
	for (i = 1; i < n; i++) {
		if (line[i] == ':')
			return i;
		if (!isalnum((unsigned char)line[i]) && line[i] != '_')
			return 0;
	}
	return 0;
}

static void region_close(struct parser *p)
{
	struct ow_smaps_group *g;

	if (!p->cur.open)
		return;
	g = &p->out->groups[p->cur.group];
	g->size = sat_add(g->size, p->cur.have_size ? p->cur.size : p->cur.range);
	g->rss = sat_add(g->rss, p->cur.rss);
	g->anon = sat_add(g->anon, p->cur.anon);
	g->swap = sat_add(g->swap, p->cur.swap);
	g->nregions++;
	p->cur.open = false;
}

static int on_header(struct parser *p, const char *line, size_t n)
{
	char name[OW_SMAPS_NAME_LEN];
	uint64_t range;
	long g;

	region_close(p);
	if (!parse_header(line, n, &range, name)) {
		p->out->skipped++;
		return 0;
	}
	g = group_get(p, name);
	if (g < 0)
		return (int)g;
	p->cur = (struct region){.open = true, .group = (size_t)g, .range = range};
	return 0;
}

/* Where a field this module reads goes; NULL for the fields it does not read. */
static uint64_t *field_slot(struct region *r, const char *key, size_t n)
{
	if (n == 4 && !memcmp(key, "Size", 4))
		return &r->size;
	if (n == 3 && !memcmp(key, "Rss", 3))
		return &r->rss;
	if (n == 9 && !memcmp(key, "Anonymous", 9))
		return &r->anon;
	if (n == 4 && !memcmp(key, "Swap", 4))
		return &r->swap;
	return NULL;
}

static void on_field(struct parser *p, const char *line, size_t n, size_t keylen)
{
	uint64_t *slot, bytes;

	if (!p->cur.open) { /* before the first header, or after a bad one */
		p->out->skipped++;
		return;
	}
	slot = field_slot(&p->cur, line, keylen);
	if (!slot)
		return;
	if (!parse_kb(line + keylen + 1, n - keylen - 1, &bytes)) {
		p->out->skipped++;
		return;
	}
	*slot = bytes;
	if (slot == &p->cur.size)
		p->cur.have_size = true;
}

/*
 * A line is a field ("Key: value"), a region header (its first token has a '-'), or junk.
 * Junk is skipped alone; a bad header takes its fields with it, which would otherwise be
 * counted in the region above.
 */
static int on_line(struct parser *p, const char *line, size_t n)
{
	const char *tok, *pos = line;
	size_t keylen = field_key(line, n);
	size_t toklen;

	if (keylen) {
		on_field(p, line, n, keylen);
		return 0;
	}
	toklen = next_token(&pos, line + n, &tok);
	if (toklen && memchr(tok, '-', toklen))
		return on_header(p, line, n);
	if (toklen)
		p->out->skipped++;
	return 0;
}

int ow_smaps_parse(const char *text, size_t len, struct ow_smaps *out)
{
	struct parser p = {.out = out};
	const char *pos = text, *end = text + len, *nl;
	int err = 0;

	memset(out, 0, sizeof(*out));
	while (pos < end && !err) {
		nl = memchr(pos, '\n', (size_t)(end - pos));
		if (!nl)
			nl = end;
		err = on_line(&p, pos, (size_t)(nl - pos));
		pos = nl + 1;
	}
	if (!err)
		region_close(&p);
	free(p.index.slots);
	if (err)
		ow_smaps_free(out);
	return err;
}

/* The whole file, however large: smaps of a big process passes 1 MiB. */
static ssize_t read_all(int fd, char **out, size_t max)
{
	size_t cap = max < READ_CHUNK ? max : READ_CHUNK, len = 0;
	char *buf = malloc(cap), *bigger;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		n = ow_read_fd(fd, buf + len, cap - len);
		if (n < 0) {
			free(buf);
			return n;
		}
		len += (size_t)n;
		if (len < cap)
			break;
		bigger = cap < max ? realloc(buf, cap * 2) : NULL;
		if (!bigger) {
			free(buf);
			return cap < max ? -ENOMEM : -EFBIG;
		}
		buf = bigger;
		cap *= 2;
	}
	*out = buf;
	return (ssize_t)len;
}

/*
 * A process that exits while its smaps is read ends the file early: the snapshot is partial.
 * `dir` is its /proc directory, opened before the read, so a recycled pid is not mistaken for
 * it (lookups in a reaped process's directory fail).
 */
static int still_alive(int dir)
{
	char buf[1024], *paren;
	ssize_t len;
	int fd;

	fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	len = ow_read_fd(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return len == -ENOENT ? -ESRCH : (int)len;
	buf[len] = '\0';
	paren = strrchr(buf, ')');
	/* Zombie or dead: its memory is gone. Unparseable: no reason to doubt the snapshot. */
	if (paren && (paren[1] == ' ') && (paren[2] == 'Z' || paren[2] == 'X'))
		return -ESRCH;
	return 0;
}

int ow_smaps_read(const char *proc_root, int pid, struct ow_smaps *out)
{
	return ow_smaps_read_max(proc_root, pid, READ_MAX, out);
}

int ow_smaps_read_max(const char *proc_root, int pid, size_t max, struct ow_smaps *out)
{
	char path[PATH_MAX], *text = NULL;
	int dir, fd, err;
	ssize_t len;

	memset(out, 0, sizeof(*out));
	if (snprintf(path, sizeof(path), "%s/%d", proc_root, pid) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	fd = openat(dir, "smaps", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno == ENOENT ? -ESRCH : -errno;
		close(dir);
		return err;
	}
	len = read_all(fd, &text, max);
	close(fd);
	err = len < 0 ? (len == -ENOENT ? -ESRCH : (int)len) : still_alive(dir);
	close(dir);
	if (!err)
		err = ow_smaps_parse(text, (size_t)len, out);
	free(text);
	return err;
}

static int by_name(const void *a, const void *b)
{
	const struct ow_smaps_group *const *ga = a, *const *gb = b;

	return strcmp((*ga)->name, (*gb)->name);
}

static int64_t growth(const struct ow_smaps_delta *d)
{
	int64_t sum;

	if (__builtin_add_overflow(d->d_rss, d->d_swap, &sum))
		return d->d_rss > 0 ? INT64_MAX : INT64_MIN;
	return sum;
}

static int by_growth(const void *a, const void *b)
{
	const struct ow_smaps_delta *da = a, *db = b;
	int64_t ga = growth(da), gb = growth(db);

	if (ga != gb)
		return ga > gb ? -1 : 1;
	return strcmp(da->name, db->name);
}

/* Groups sorted by name, so the two snapshots merge in one pass. */
static const struct ow_smaps_group **sorted_groups(const struct ow_smaps *s)
{
	const struct ow_smaps_group **v = malloc((s->n ? s->n : 1) * sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < s->n; i++)
		v[i] = &s->groups[i];
	qsort(v, s->n, sizeof(*v), by_name);
	return v;
}

static void fill_delta(struct ow_smaps_delta *d, const struct ow_smaps_group *a,
		       const struct ow_smaps_group *b)
{
	static const struct ow_smaps_group none;

	/* The caller passes at least one group (cmp <= 0 or cmp >= 0). */
	// cppcheck-suppress nullPointer
	strcpy(d->name, a ? a->name : b->name);
	a = a ? a : &none;
	b = b ? b : &none;
	d->d_size = sat_sub(b->size, a->size);
	d->d_rss = sat_sub(b->rss, a->rss);
	d->d_anon = sat_sub(b->anon, a->anon);
	d->d_swap = sat_sub(b->swap, a->swap);
	d->d_regions = (int64_t)b->nregions - (int64_t)a->nregions;
	d->rss_end = b->rss;
}

int ow_smaps_diff(const struct ow_smaps *start, const struct ow_smaps *end,
		  struct ow_smaps_delta **out, size_t *n)
{
	const struct ow_smaps_group **a = sorted_groups(start), **b = sorted_groups(end);
	struct ow_smaps_delta *d = calloc(start->n + end->n + 1, sizeof(*d));
	size_t i = 0, j = 0, k = 0;
	int cmp;

	if (!a || !b || !d) {
		free(a);
		free(b);
		free(d);
		return -ENOMEM;
	}
	while (i < start->n || j < end->n) {
		cmp = i == start->n ? 1 : j == end->n ? -1 : strcmp(a[i]->name, b[j]->name);
		fill_delta(&d[k++], cmp <= 0 ? a[i] : NULL, cmp >= 0 ? b[j] : NULL);
		i += cmp <= 0;
		j += cmp >= 0;
	}
	free(a);
	free(b);
	qsort(d, k, sizeof(*d), by_growth);
	*out = d;
	*n = k;
	return 0;
}

void ow_smaps_grown_text(const struct ow_smaps_delta *d, size_t n, unsigned int k, char *buf,
			 size_t len)
{
	char amount[OW_FMT_LEN];
	size_t i, used = 0;
	unsigned int shown = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n && shown < k && used < len; i++) {
		if (growth(&d[i]) < SMAPS_GROWN_MIN)
			break; /* sorted: the rest grew less */
		ow_fmt_bytes((uint64_t)growth(&d[i]), amount, sizeof(amount));
		w = snprintf(buf + used, len - used, "%s%s +%s", shown ? ", " : "", d[i].name,
			     amount);
		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = '\0'; /* whole entries only */
			break;
		}
		used += (size_t)w;
		shown++;
	}
}

void ow_smaps_free(struct ow_smaps *s)
{
	free(s->groups);
	memset(s, 0, sizeof(*s));
}
