// SPDX-License-Identifier: GPL-2.0
/*
 * Where the memory controller is mounted (ow_cg_find_memory_mount, cgroup.h): a
 * parser of proc(5) mountinfo, apart from the readers of cgroup files (cgroup.c) because its
 * input is another file with its own format. Lines are untrusted like every file read.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "readfile.h"

#define LINE_LEN	8192 /* one mountinfo line; longer ones cannot be cgroup mounts we use */
#define CONTROLLERS_LEN 512  /* cgroup.controllers: a dozen short names */

/* Is `tok` one of the `sep`-separated words of `list`? */
static bool has_word(const char *list, const char *tok, char sep)
{
	size_t n = strlen(tok);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, tok, n) && (p[n] == sep || p[n] == '\0' || p[n] == '\n'))
			return true;
		p = strchr(p, sep);
		if (p)
			p++;
	}
	return false;
}

/* mountinfo escapes space, tab, newline and backslash in paths as \ooo (octal). */
static void unescape_octal(char *s)
{
	char *d = s;

	for (; *s; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*d = *s;
		}
	}
	*d = '\0';
}

/*
 * proc(5): "id parent maj:min root mountpoint opts [optional...] - fstype source superopts".
 * The optional fields vary in number, so fstype is found after the lone "-".
 */
static int split_mountinfo(char *line, char **point, char **fstype, char **superopts)
{
	char *tok, *save = NULL;
	int field = 0;

	*point = *fstype = *superopts = NULL;
	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), field++) {
		if (field == 4)
			*point = tok;
		else if (field > 5 && !strcmp(tok, "-"))
			break;
	}
	if (!tok || !*point)
		return -EINVAL;
	*fstype = strtok_r(NULL, " \n", &save);
	if (*fstype && strtok_r(NULL, " \n", &save))
		*superopts = strtok_r(NULL, " \n", &save);
	return *superopts ? 0 : -EINVAL;
}

static int make_path(char *buf, const char *prefix, const char *point)
{
	int n = snprintf(buf, PATH_MAX, "%s%s", prefix, point);

	if (n < 0 || n >= PATH_MAX)
		return -ENAMETOOLONG;
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Does the v2 cgroup directory's controller list `file` name memory? */
static bool lists_memory(const char *path, const char *file)
{
	char name[PATH_MAX], buf[CONTROLLERS_LEN];

	if ((size_t)snprintf(name, sizeof(name), "%s/%s", path, file) >= sizeof(name))
		return false;
	return ow_read_file(name, buf, sizeof(buf), true) >= 0 && has_word(buf, "memory", ' ');
}

/* cgroup.controllers of a v2 root lists the controllers enabled on the hierarchy. */
static bool v2_has_memory(const char *path)
{
	return lists_memory(path, "cgroup.controllers");
}

bool ow_cg_subtree_has_memory(const char *dir)
{
	return lists_memory(dir, "cgroup.subtree_control");
}

/* Returns true and fills `m` when the line is a usable memory-controller mount. */
static bool memory_mount(char *line, const char *prefix, struct ow_cg_mount *m)
{
	char *point, *fstype, *superopts;

	if (split_mountinfo(line, &point, &fstype, &superopts))
		return false;
	unescape_octal(point);
	if (make_path(m->path, prefix, point))
		return false;
	/* A v1 hierarchy carries its controllers in the super options ("rw,memory"). */
	if (!strcmp(fstype, "cgroup") && has_word(superopts, "memory", ',') && is_dir(m->path)) {
		m->version = OW_CG_V1;
		return true;
	}
	if (!strcmp(fstype, "cgroup2") && v2_has_memory(m->path)) {
		m->version = OW_CG_V2;
		return true;
	}
	return false;
}

int ow_cg_find_memory_mount(const char *mountinfo, const char *prefix, struct ow_cg_mount *out)
{
	struct ow_cg_mount cand, v2 = {0};
	char line[LINE_LEN];
	ssize_t len;
	FILE *f;
	int err = -ENOENT;

	f = fopen(mountinfo, "re");
	if (!f)
		return -errno;
	/* ow_read_line drops an overlong line whole instead of splitting it. */
	while ((len = ow_read_line(f, line, sizeof(line))) != 0 && len != -EIO) {
		if (len < 0 || !memory_mount(line, prefix, &cand))
			continue;
		if (cand.version == OW_CG_V1) { /* v1 wins: memory is bound to one hierarchy */
			*out = cand;
			err = 0;
			break;
		}
		if (!v2.version)
			v2 = cand;
	}
	if (err && ferror(f)) {
		err = -EIO;
	} else if (err && v2.version) {
		*out = v2;
		err = 0;
	}
	fclose(f);
	return err;
}
