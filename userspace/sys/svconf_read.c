// SPDX-License-Identifier: GPL-2.0
/*
 * supervisord's configuration files for the parser of svconf.c (see userspace/sys/svconf.h):
 * the file it was started with (from its command line, parsed as supervisord parses it), and
 * the files its [include] globs name. They can be a user's
 * (a supervisord run by a user, an include an admin pointed at a user's directory): each is
 * opened without blocking and capped (ow_read_untrusted_as), and, for a supervisord that runs
 * as a user, read only when that user may read it, as supervisord itself would. What cannot
 * be read whole, or be resolved here, makes the answer unknown (-1).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manager.h"
#include "readfile.h"
#include "svconf.h"

#define CONF_CAP     (256 * 1024) /* one configuration file */
#define ARGV_LEN     (16 * 1024)
#define FILES_LEN    8192 /* files= with %(here)s expanded */
#define MAX_INCLUDES 64	  /* included files; more: unknown */
#define MAX_DIRENTS  4096 /* entries looked at in a glob's directory; more: unknown */
#define SV_ARGS	     256  /* supervisord's arguments looked at */

struct sv_reader {
	const char *fs; /* prefix of every path read */
	uid_t as_uid;	/* supervisord's user, 0 for root */
	unsigned int files;
	struct ow_svconf *c;
};

/* fs + an absolute path (in supervisord's root). */
static bool fs_path(char *out, size_t len, const char *fs, const char *abs)
{
	return (size_t)snprintf(out, len, "%s%s", fs, abs) < len;
}

/* Feed one file. What makes supervisord skip an included file (configparser's read() passes
 * over any it cannot open) skips it; anything else makes the configuration unknown: a FIFO or a
 * device (supervisord would block on it or read it), over the cap, the main file missing. */
static int feed_file(struct sv_reader *r, const char *abs, bool main_file)
{
	char path[PATH_MAX], *buf = NULL;
	ssize_t n = -ENAMETOOLONG;

	if (fs_path(path, sizeof(path), r->fs, abs))
		n = ow_read_untrusted_as(AT_FDCWD, path, 0, CONF_CAP, r->as_uid, &buf);
	if (n >= 0)
		ow_svconf_feed(r->c, buf, main_file);
	else if (main_file ||
		 (n != -ENOENT && n != -ENOTDIR && n != -EISDIR && n != -EACCES && n != -ELOOP))
		ow_svconf_set_unknown(r->c);
	free(buf);
	return n < 0 ? (int)n : 0;
}

static bool feed_include(struct sv_reader *r, const char *abs)
{
	if (++r->files > MAX_INCLUDES)
		return false;
	feed_file(r, abs, false);
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* The names in dir that pattern matches, as Python's glob (a leading "." only matches a "." in
 * the pattern), fed sorted. False when there are more than are looked at. */
static bool glob_dir(struct sv_reader *r, const char *dir, const char *pattern)
{
	char path[PATH_MAX], (*names)[NAME_MAX + 1] = NULL;
	unsigned int n = 0, seen = 0, i;
	bool ok = false;
	struct dirent *e;
	struct stat st;
	DIR *dh;

	if (!fs_path(path, sizeof(path), r->fs, dir))
		return false;
	dh = opendir(path); /* O_NONBLOCK | O_DIRECTORY: a FIFO there fails at once */
	if (!dh)
		return true; /* glob finds nothing */
	if (fstat(dirfd(dh), &st) || !ow_readable_by(&st, r->as_uid, R_OK | X_OK)) {
		ok = true; /* nor does a supervisord that may not list it */
		goto out;
	}
	names = malloc(MAX_INCLUDES * sizeof(*names));
	while (names && (e = readdir(dh)) && ++seen <= MAX_DIRENTS) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fnmatch(pattern, e->d_name, FNM_PERIOD | FNM_NOESCAPE))
			continue;
		if (n == MAX_INCLUDES)
			goto out;
		snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
	}
	if (!names || seen > MAX_DIRENTS)
		goto out;
	qsort(names, n, sizeof(names[0]), by_name);
	ok = true;
	for (i = 0; ok && i < n; i++) {
		ok = (size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) < sizeof(path) &&
		     feed_include(r, path);
	}
out:
	free(names);
	closedir(dh);
	return ok;
}

/* One glob of files=, relative to the main file's directory `base` ("" for "/"). Only its last
 * component may hold "*", "?" or "[" here: false for a glob in a directory. */
static bool include_glob(struct sv_reader *r, const char *base, const char *pattern)
{
	char full[PATH_MAX], path[PATH_MAX], *slash;
	struct stat st;

	if ((size_t)snprintf(full, sizeof(full), "%s/%s", pattern[0] == '/' ? "" : base,
			     pattern + (pattern[0] == '/')) >= sizeof(full))
		return false;
	slash = strrchr(full, '/');
	*slash = '\0';
	if (strpbrk(full, "*?["))
		return false;
	if (strpbrk(slash + 1, "*?["))
		return glob_dir(r, full[0] ? full : "/", slash + 1);
	*slash = '/';
	/* no magic: glob gives the path when it exists (lexists) */
	if (!fs_path(path, sizeof(path), r->fs, full))
		return false;
	return lstat(path, &st) || feed_include(r, full);
}

/* files= with supervisor's expansions: only %(here)s, the main file's directory, is known
 * here (host_node_name and ENV_* are supervisord's). */
static bool expand_here(const char *files, const char *here, char *out, size_t len)
{
	size_t o = 0, hl = strlen(here);
	char ch;

	while (*files) {
		if (!strncmp(files, "%(here)s", 8)) {
			if (o + hl >= len)
				return false;
			memcpy(out + o, here, hl);
			o += hl;
			files += 8;
			continue;
		}
		if (*files == '%' && files[1] != '%')
			return false;
		ch = *files;
		files += *files == '%' ? 2 : 1;
		if (o + 1 >= len)
			return false;
		out[o++] = ch;
	}
	out[o] = '\0';
	return true;
}

/* The main file's [include] files=, each glob in turn (supervisor does not normalise the
 * main file's path; neither is it here). */
static bool read_includes(struct sv_reader *r, const char *conf)
{
	const char *files = ow_svconf_includes(r->c);
	char base[PATH_MAX], *list, *tok, *save = NULL;
	bool ok;

	if (!files)
		return true;
	snprintf(base, sizeof(base), "%s", conf);
	*strrchr(base, '/') = '\0';
	list = malloc(FILES_LEN);
	ok = list && expand_here(files, base[0] ? base : "/", list, FILES_LEN);
	for (tok = ok ? strtok_r(list, " \t\r\n\f\v", &save) : NULL; tok && ok;
	     tok = strtok_r(NULL, " \t\r\n\f\v", &save))
		ok = include_glob(r, base, tok);
	free(list);
	if (!ok)
		ow_svconf_set_unknown(r->c);
	return ok;
}

/* supervisord's options (supervisor/options.py), short and long, and which take a value. */
static const char short_with_arg[] = "cumdlyzejiqa";
static const char short_flags[] = "h?vnkts";
static const struct {
	const char *name;
	bool arg;
} long_opts[] = {
	{"help", false},
	{"configuration", true},
	{"version", false},
	{"nodaemon", false},
	{"user", true},
	{"umask", true},
	{"directory", true},
	{"logfile", true},
	{"logfile_maxbytes", true},
	{"logfile_backups", true},
	{"loglevel", true},
	{"pidfile", true},
	{"identifier", true},
	{"childlogdir", true},
	{"minfds", true},
	{"minprocs", true},
	{"nocleanup", false},
	{"strip_ansi", false},
	{"silent", false},
	{"profile_options", true},
};

/* Python's getopt: the exact name, else the one it is a prefix of. */
static int long_index(const char *name, size_t n)
{
	int i, found = -1, count = 0;

	for (i = 0; i < (int)(sizeof(long_opts) / sizeof(long_opts[0])); i++) {
		if (strncmp(long_opts[i].name, name, n))
			continue;
		if (!long_opts[i].name[n])
			return i;
		found = i;
		count++;
	}
	return count == 1 ? found : -1;
}

/* One argument's options at av[*i]: 1 with *val the configuration file, 0 for another option,
 * -EINVAL for one supervisord refuses. A value may be the next argument (*i moves on). */
static int one_option(char **av, unsigned int ac, unsigned int *i, const char **val)
{
	const char *a = av[*i], *eq = NULL, *c;
	bool arg = true, conf;
	int k;

	if (a[1] == '-') {
		eq = strchr(a + 2, '=');
		k = long_index(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (k < 0 || (!long_opts[k].arg && eq))
			return -EINVAL;
		arg = long_opts[k].arg;
		conf = !strcmp(long_opts[k].name, "configuration");
		c = eq ? eq + 1 : "";
	} else {
		for (c = a + 1; *c && strchr(short_flags, *c); c++)
			;
		if (!*c)
			return 0;
		if (!strchr(short_with_arg, *c))
			return -EINVAL;
		conf = *c++ == 'c';
	}
	if (!arg)
		return 0;
	if (*c || eq)
		*val = c; /* "-cFILE", "--configuration=FILE" */
	else
		*val = *i + 1 < ac ? av[++*i] : NULL;
	return *val ? conf : -EINVAL;
}

/* getopt (not GNU's): options end at "--" or the first word that is none; supervisord
 * refuses words after them, and a second -c. */
static int parse_options(char **av, unsigned int ac, char *conf, size_t conf_len)
{
	const char *val = NULL;
	unsigned int i;
	int r;

	conf[0] = '\0';
	for (i = 0; i < ac && av[i][0] == '-' && av[i][1]; i++) {
		if (!strcmp(av[i], "--")) {
			i++;
			break;
		}
		r = one_option(av, ac, &i, &val);
		if (r < 0 || (r && conf[0]))
			return -EINVAL;
		if (r && (!*val || (size_t)snprintf(conf, conf_len, "%s", val) >= conf_len))
			return -EINVAL;
	}
	return i < ac ? -EINVAL : 0;
}

/* Python's os.path.dirname: before the last "/", trailing slashes dropped unless all are. */
static void py_dirname(char *p)
{
	char *slash = strrchr(p, '/');
	size_t n, k;

	if (!slash) {
		p[0] = '\0';
		return;
	}
	n = (size_t)(slash - p) + 1;
	for (k = 0; k < n && p[k] == '/'; k++)
		;
	while (k < n && n && p[n - 1] == '/')
		n--;
	p[n] = '\0';
}

int ow_svconf_argv(const char *argv, size_t len, char *conf, size_t conf_len, char *here,
		   size_t here_len)
{
	char *buf = malloc(len + 1), *av[SV_ARGS], *p;
	unsigned int ac = 0, first;
	int err = -EINVAL;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, argv, len);
	buf[len] = '\0';
	for (p = buf; p < buf + len && ac < SV_ARGS; p += strlen(p) + 1)
		av[ac++] = p;
	/* supervisord itself, or an interpreter running its script */
	first = ac && ow_manager_is_supervisord(buf, strlen(buf) + 1) ? 0 : 1;
	if (first >= ac || !ow_manager_is_supervisord(buf, len) ||
	    (size_t)snprintf(here, here_len, "%s", av[first]) >= here_len)
		goto out;
	py_dirname(here);
	py_dirname(here);
	err = parse_options(av + first + 1, ac - first - 1, conf, conf_len);
out:
	free(buf);
	return err;
}

/* supervisord's working directory (in its root), or "" when it cannot be read. */
static void working_dir(const char *procroot, pid_t sd, char *cwd, size_t len)
{
	char link[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/%d/cwd", procroot, (int)sd);
	n = readlink(link, cwd, len - 1);
	cwd[n > 0 ? n : 0] = '\0';
	if (cwd[0] != '/' || strstr(cwd, " (deleted)"))
		cwd[0] = '\0';
}

/* A path as supervisord opens it: a relative one from its working directory. */
static bool absolute(const char *cwd, const char *p, char *out, size_t len)
{
	if (p[0] == '/')
		return (size_t)snprintf(out, len, "%s", p) < len;
	return cwd[0] == '/' && (size_t)snprintf(out, len, "%s/%s", cwd, p) < len;
}

/* The file supervisord was started with: its -c, else the first of supervisor's search that
 * exists (os.path.exists: stat). False when none does, or the search reaches a relative path
 * and its working directory is not known. */
static bool config_path(const struct sv_reader *r, const char *procroot, pid_t sd, const char *conf,
			const char *here, char *out, size_t len)
{
	static const char *const search[] = {
		"etc/supervisord.conf",	 "supervisord.conf",
		"supervisord.conf",	 "etc/supervisord.conf",
		"/etc/supervisord.conf", "/etc/supervisor/supervisord.conf"};
	char cwd[PATH_MAX], cand[PATH_MAX], path[PATH_MAX];
	size_t hl = strlen(here);
	struct stat st;
	unsigned int i;

	working_dir(procroot, sd, cwd, sizeof(cwd));
	if (conf[0])
		return absolute(cwd, conf, out, len);
	for (i = 0; i < sizeof(search) / sizeof(search[0]); i++) {
		/* the first two beside its script: os.path.join(here, ...) */
		if ((size_t)snprintf(cand, sizeof(cand), "%s%s%s", i < 2 ? here : "",
				     i < 2 && hl && here[hl - 1] != '/' ? "/" : "",
				     search[i]) >= sizeof(cand) ||
		    !absolute(cwd, cand, out, len))
			return false;
		if (fs_path(path, sizeof(path), r->fs, out) && !stat(path, &st))
			return true;
	}
	return false;
}

/* The file supervisord `sd` was started with (config_path), from its argv. */
static bool started_with(struct sv_reader *r, const char *procroot, pid_t sd, char *out, size_t len)
{
	char *argv = malloc(ARGV_LEN), conf[PATH_MAX], here[PATH_MAX], abs[PATH_MAX];
	bool ok = false;
	ssize_t n;

	snprintf(abs, sizeof(abs), "%s/%d/cmdline", procroot, (int)sd);
	n = argv ? ow_read_file(abs, argv, ARGV_LEN, false) : -ENOMEM;
	if (n > 0 && !ow_svconf_argv(argv, (size_t)n, conf, sizeof(conf), here, sizeof(here)))
		ok = config_path(r, procroot, sd, conf, here, out, len);
	free(argv);
	return ok;
}

int ow_svconf_conf_arg(const char *procroot, pid_t sd, const char *argv, size_t len, char *out,
		       size_t out_len)
{
	char conf[PATH_MAX], here[PATH_MAX], cwd[PATH_MAX];

	if (ow_svconf_argv(argv, len, conf, sizeof(conf), here, sizeof(here)))
		return -EINVAL;
	if (!conf[0])
		return -ENOENT;
	working_dir(procroot, sd, cwd, sizeof(cwd));
	return absolute(cwd, conf, out, out_len) ? 0 : -ENAMETOOLONG;
}

double ow_svconf_read(const char *fs, const char *procroot, pid_t sd, uid_t as_uid,
		      const char *group, const char *process, int *autorestart)
{
	struct sv_reader r = {.fs = fs, .as_uid = as_uid};
	char abs[PATH_MAX];
	double v = -1;

	if (autorestart)
		*autorestart = OW_SV_RESTART_UNKNOWN;
	if (started_with(&r, procroot, sd, abs, sizeof(abs)) &&
	    (r.c = ow_svconf_new(group, process)) && !feed_file(&r, abs, true) &&
	    read_includes(&r, abs)) {
		v = ow_svconf_stopwait(r.c);
		if (autorestart)
			*autorestart = ow_svconf_autorestart(r.c);
	}
	ow_svconf_free(r.c);
	return v;
}
