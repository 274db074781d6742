// SPDX-License-Identifier: GPL-2.0
/*
 * The brakes in force and their file (see brake_state.h): the table, the line format, the
 * atomic save, the load that skips what does not parse, and the lift of one brake or all.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "brake_state.h"
#include "cgroup.h"
#include "memory_high.h"
#include "readfile.h"
#include "strbuf.h"

#define FIRST_CAP 16
/* The longest line: every byte of a path escaped, four numbers of 20 digits, separators. */
#define LINE_LEN (4 * PATH_MAX + 128)
#define FILE_MAX ((int64_t)OW_BRAKE_MAX * LINE_LEN)
#define NUM_LEN	 24 /* 20 digits of UINT64_MAX, or "max" */
#define HEADER	 "# oomwarden brakes: PATH ID ORIGINAL WRITTEN SET_AT (see brake_state.h)\n"

/* ---- the table ---- */

int ow_brake_state_init(struct ow_brake_state *st, const char *file)
{
	size_t len = strlen(file);

	memset(st, 0, sizeof(*st));
	if (file[0] != '/' || file[len - 1] == '/')
		return -EINVAL;
	if (len >= sizeof(st->file))
		return -ENAMETOOLONG;
	memcpy(st->file, file, len + 1);
	return 0;
}

static void clear(struct ow_brake_state *st)
{
	unsigned int i;

	for (i = 0; i < st->n; i++)
		free(st->v[i].path);
	st->n = 0;
}

void ow_brake_state_free(struct ow_brake_state *st)
{
	clear(st);
	free(st->v);
	st->v = NULL;
	st->cap = 0;
}

static int find_index(const struct ow_brake_state *st, const char *path)
{
	unsigned int i;

	for (i = 0; i < st->n; i++) {
		if (!strcmp(st->v[i].path, path))
			return (int)i;
	}
	return -1;
}

const struct ow_brake *ow_brake_find(const struct ow_brake_state *st, const char *path)
{
	int i = find_index(st, path);

	return i < 0 ? NULL : &st->v[i];
}

static int grow(struct ow_brake_state *st)
{
	unsigned int cap = st->cap ? st->cap * 2 : FIRST_CAP;
	struct ow_brake *v;

	if (cap > OW_BRAKE_MAX)
		cap = OW_BRAKE_MAX;
	v = realloc(st->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	st->v = v;
	st->cap = cap;
	return 0;
}

/* An entry of the same cgroup (0: not checked) keeps the original it recorded first. */
static void update(struct ow_brake *e, const struct ow_brake *b)
{
	bool same = !e->cg_id || !b->cg_id || e->cg_id == b->cg_id;
	uint64_t orig = same ? e->orig_high : b->orig_high;
	char *path = e->path;

	*e = *b;
	e->path = path;
	e->orig_high = orig;
}

int ow_brake_put(struct ow_brake_state *st, const struct ow_brake *b)
{
	int i, err;
	char *copy;

	if (!b->path || b->path[0] != '/' || b->set_at < 0)
		return -EINVAL;
	if (strlen(b->path) >= PATH_MAX)
		return -ENAMETOOLONG;
	i = find_index(st, b->path);
	if (i >= 0) {
		update(&st->v[i], b);
		return 0;
	}
	if (st->n == OW_BRAKE_MAX)
		return -ENOSPC;
	if (st->n == st->cap) {
		err = grow(st);
		if (err)
			return err;
	}
	copy = strdup(b->path);
	if (!copy)
		return -ENOMEM;
	st->v[st->n] = *b;
	st->v[st->n++].path = copy;
	return 0;
}

int ow_brake_remove(struct ow_brake_state *st, const char *path)
{
	int i = find_index(st, path);

	if (i < 0)
		return -ENOENT;
	free(st->v[i].path);
	st->n--;
	memmove(&st->v[i], &st->v[i + 1], (st->n - (unsigned int)i) * sizeof(st->v[0]));
	return 0;
}

/* ---- one line ---- */

static bool plain_byte(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '\\';
}

static void put_escaped(struct ow_strbuf *sb, const char *path)
{
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++) {
		if (plain_byte(*p))
			ow_strbuf_append(sb, (const char *)p, 1);
		else
			ow_strbuf_printf(sb, "\\x%02x", *p);
	}
}

static void put_value(struct ow_strbuf *sb, uint64_t v)
{
	if (v == OW_NO_LIMIT)
		ow_strbuf_append(sb, " max", 4);
	else
		ow_strbuf_printf(sb, " %" PRIu64, v);
}

static void format_line(struct ow_strbuf *sb, const struct ow_brake *b)
{
	put_escaped(sb, b->path);
	ow_strbuf_printf(sb, " %" PRIu64, b->cg_id);
	put_value(sb, b->orig_high);
	put_value(sb, b->set_high);
	ow_strbuf_printf(sb, " %" PRId64 "\n", b->set_at);
}

/* Decode the path field s[0..n) into out[size]: plain bytes and \xHH, no NUL, absolute. */
static int unescape(const char *s, size_t n, char *out, size_t size)
{
	size_t i = 0, o = 0;
	char hex[3] = "";

	while (i < n) {
		if (o + 1 >= size)
			return -ENAMETOOLONG;
		if (s[i] != '\\') {
			out[o++] = s[i++];
			continue;
		}
		if (n - i < 4 || s[i + 1] != 'x' || !isxdigit((unsigned char)s[i + 2]) ||
		    !isxdigit((unsigned char)s[i + 3]))
			return -EINVAL;
		memcpy(hex, s + i + 2, 2);
		out[o] = (char)strtoul(hex, NULL, 16);
		if (!out[o++])
			return -EINVAL; /* a NUL */
		i += 4;
	}
	out[o] = '\0';
	return out[0] == '/' ? 0 : -EINVAL;
}

/* The field at *p up to `end` (' ' or '\n'), not empty; *p moves past `end`. */
static int next_field(const char **p, char end, const char **start, size_t *len)
{
	size_t n = strcspn(*p, " \n");

	if (!n || (*p)[n] != end)
		return -EINVAL;
	*start = *p;
	*len = n;
	*p += n + 1;
	return 0;
}

static int number(const char **p, char end, bool max_ok, uint64_t *out)
{
	char buf[NUM_LEN];
	const char *s;
	size_t n;
	int err;

	err = next_field(p, end, &s, &n);
	if (err)
		return err;
	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return ow_cg_parse_value(buf, max_ok, out);
}

/* Only what the writer writes: '!'..'~' and single spaces, one newline at the end. */
static int check_bytes(const char *line)
{
	size_t len = strlen(line), i;

	if (!len || line[len - 1] != '\n')
		return -EINVAL; /* cut short, or a NUL inside */
	for (i = 0; i + 1 < len; i++) {
		if (line[i] != ' ' && (line[i] <= ' ' || line[i] >= 0x7f))
			return -EINVAL;
	}
	return 0;
}

int ow_brake_parse_line(const char *line, char *path, size_t size, struct ow_brake *out)
{
	uint64_t id, orig, set, at;
	const char *p = line, *s;
	size_t n;
	int err;

	err = check_bytes(line);
	if (!err)
		err = next_field(&p, ' ', &s, &n);
	if (!err)
		err = unescape(s, n, path, size);
	if (!err)
		err = number(&p, ' ', false, &id);
	if (!err)
		err = number(&p, ' ', true, &orig);
	if (!err)
		err = number(&p, ' ', true, &set);
	if (!err)
		err = number(&p, '\n', false, &at);
	if (!err && (*p || at > INT64_MAX))
		err = -EINVAL;
	if (err)
		return err;
	*out = (struct ow_brake){.path = path,
				 .cg_id = id,
				 .orig_high = orig,
				 .set_high = set,
				 .set_at = (int64_t)at};
	return 0;
}

/* ---- the file ---- */

/* Ours alone: owned by this user, writable by no one else. */
static int check_owner(int fd)
{
	struct stat sb;

	if (fstat(fd, &sb))
		return -errno;
	return sb.st_uid != geteuid() || (sb.st_mode & 022) ? -EPERM : 0;
}

/* The file's directory (made 0700 with `create`), checked; *base is the file's name in it. */
static int open_state_dir(const char *file, bool create, const char **base)
{
	const char *slash = strrchr(file, '/');
	char dir[PATH_MAX];
	size_t n = (size_t)(slash - file);
	int fd, err;

	memcpy(dir, file, n);
	strcpy(dir + n, n ? "" : "/");
	if (create && mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = check_owner(fd);
	if (err) {
		close(fd);
		return err;
	}
	*base = slash + 1;
	return fd;
}

/* A line the table cannot take (full) is counted as bad; only -ENOMEM and -EIO stop. */
static int read_lines(struct ow_brake_state *st, FILE *f, unsigned int *bad)
{
	char *line = malloc(LINE_LEN), path[PATH_MAX];
	struct ow_brake b;
	ssize_t len;
	int err = 0;

	if (!line)
		return -ENOMEM;
	while ((len = ow_read_line(f, line, LINE_LEN)) != 0) {
		if (len == -EIO) {
			err = -EIO;
			break;
		}
		if (len > 0 && line[0] == '#')
			continue;
		if (len < 0 || ow_brake_parse_line(line, path, sizeof(path), &b)) {
			(*bad)++;
			continue;
		}
		err = ow_brake_put(st, &b);
		if (err == -ENOMEM)
			break;
		*bad += err != 0; /* the table is full */
		err = 0;
	}
	free(line);
	return err;
}

int ow_brake_state_load(struct ow_brake_state *st, unsigned int *bad)
{
	unsigned int nbad = 0;
	const char *base;
	int dfd, fd, err;
	FILE *f;

	clear(st);
	if (bad)
		*bad = 0;
	dfd = open_state_dir(st->file, false, &base);
	if (dfd < 0)
		return dfd;
	fd = ow_open_untrusted(dfd, base, OW_OPEN_NOFOLLOW, FILE_MAX);
	close(dfd);
	if (fd < 0)
		return fd;
	err = check_owner(fd);
	f = err ? NULL : fdopen(fd, "r");
	if (!f) {
		err = err ? err : -errno;
		close(fd);
		return err;
	}
	err = read_lines(st, f, &nbad);
	fclose(f);
	if (bad)
		*bad = nbad;
	if (err) {
		clear(st);
		return err;
	}
	return (int)st->n;
}

/* 0600 whatever the umask, `text` written whole and synced; fd is closed. */
static int write_synced(int fd, const char *text, size_t len)
{
	FILE *f = fdopen(fd, "w");
	int err = 0;

	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	errno = EIO; /* what a short write says when it sets no errno */
	if (fchmod(fd, 0600) || fwrite(text, 1, len, f) != len || fflush(f) || fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* Write `text` to a temporary file in dfd, then rename it over `base`. The directory is ours
 * alone (open_state_dir), so a temporary file left by a crash is ours and removed first. */
static int replace_file(int dfd, const char *base, const char *text, size_t len)
{
	char tmp[NAME_MAX + 1];
	int fd, n, err;

	n = snprintf(tmp, sizeof(tmp), ".%s.tmp", base);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	err = write_synced(fd, text, len);
	if (!err && renameat(dfd, tmp, dfd, base))
		err = -errno;
	if (err) {
		unlinkat(dfd, tmp, 0);
		return err;
	}
	return fsync(dfd) ? -errno : 0;
}

int ow_brake_state_save(const struct ow_brake_state *st)
{
	struct ow_strbuf sb = {0};
	const char *base;
	unsigned int i;
	int dfd, err;

	ow_strbuf_append(&sb, HEADER, strlen(HEADER));
	for (i = 0; i < st->n; i++)
		format_line(&sb, &st->v[i]);
	if (sb.failed) {
		ow_strbuf_free(&sb);
		return -ENOMEM;
	}
	dfd = open_state_dir(st->file, true, &base);
	err = dfd < 0 ? dfd : replace_file(dfd, base, sb.buf, sb.len);
	if (dfd >= 0)
		close(dfd);
	ow_strbuf_free(&sb);
	return err;
}

/* ---- lifting brakes ---- */

/* -ESTALE when the directory now is another cgroup than the one braked. */
static int same_cgroup(const struct ow_brake *b)
{
	struct stat sb;
	int fd, err = 0;

	if (!b->cg_id)
		return 0;
	fd = ow_open_path(b->path, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return fd;
	if (fstat(fd, &sb))
		err = -errno;
	else if ((uint64_t)sb.st_ino != b->cg_id)
		err = -ESTALE;
	close(fd);
	return err;
}

static enum ow_brake_outcome outcome(int e, int *err)
{
	*err = 0;
	if (e == -ENOENT || e == -ESTALE)
		return OW_BRAKE_GONE;
	*err = e;
	return e ? OW_BRAKE_FAILED : OW_BRAKE_RESTORED;
}

enum ow_brake_outcome ow_brake_restore(const struct ow_brake *b, const char *root, int *err)
{
	uint64_t now;
	int e;

	e = ow_high_below(root, b->path);
	if (!e)
		e = same_cgroup(b);
	if (!e)
		e = ow_high_get(b->path, &now);
	if (!e && now != b->set_high) {
		*err = 0;
		return OW_BRAKE_LEFT;
	}
	if (!e)
		e = ow_high_set(root, b->path, b->orig_high);
	return outcome(e, err);
}

int ow_brake_restore_all(struct ow_brake_state *st, const char *root, struct ow_brake_restored *out)
{
	struct ow_brake_restored r = {0};
	unsigned int i;
	int err;

	for (i = 0; i < st->n; i++) {
		switch (ow_brake_restore(&st->v[i], root, &err)) {
		case OW_BRAKE_RESTORED:
			r.restored++;
			break;
		case OW_BRAKE_LEFT:
			r.left++;
			break;
		case OW_BRAKE_GONE:
			r.gone++;
			break;
		case OW_BRAKE_FAILED:
			r.failed++;
			if (!r.first_err)
				r.first_err = err;
			break;
		}
	}
	clear(st);
	*out = r;
	return ow_brake_state_save(st);
}
