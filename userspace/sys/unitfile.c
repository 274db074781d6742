// SPDX-License-Identifier: GPL-2.0
/* Restart= and the stop timeout from systemd unit files: see userspace/sys/unitfile.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"
#include "unitfile.h"

#define UNIT_FILE_LEN (64 * 1024)
#define MAX_DROPINS   64
#define USEC_S	      1000000ULL

/* systemd.unit(5), highest priority first. */
static const char *const system_dirs[] = {
	"etc/systemd/system.control", "run/systemd/system.control",
	"run/systemd/transient",      "run/systemd/generator.early",
	"etc/systemd/system",	      "etc/systemd/system.attached",
	"run/systemd/system",	      "run/systemd/system.attached",
	"run/systemd/generator",      "usr/local/lib/systemd/system",
	"usr/lib/systemd/system",     "lib/systemd/system",
	"run/systemd/generator.late", NULL,
};

static const char *const user_dirs[] = {
	"etc/systemd/user",	"run/systemd/user", "usr/local/lib/systemd/user",
	"usr/lib/systemd/user", "lib/systemd/user", NULL,
};

void ow_unit_restart_init(struct ow_unit_restart *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->restart, sizeof(u->restart), "no");
	u->stop_timeout_s = -1;
}

/* systemd.time(7); where one suffix starts another, the longer comes first ("ms" before "m"). */
static const struct {
	const char *suffix;
	uint64_t usec;
} time_units[] = {
	{"seconds", USEC_S},
	{"second", USEC_S},
	{"sec", USEC_S},
	{"s", USEC_S},
	{"minutes", 60 * USEC_S},
	{"minute", 60 * USEC_S},
	{"min", 60 * USEC_S},
	{"months", 2629800 * USEC_S}, /* 30.44 days */
	{"month", 2629800 * USEC_S},
	{"M", 2629800 * USEC_S},
	{"msec", 1000},
	{"ms", 1000},
	{"m", 60 * USEC_S},
	{"hours", 3600 * USEC_S},
	{"hour", 3600 * USEC_S},
	{"hr", 3600 * USEC_S},
	{"h", 3600 * USEC_S},
	{"days", 86400 * USEC_S},
	{"day", 86400 * USEC_S},
	{"d", 86400 * USEC_S},
	{"weeks", 604800 * USEC_S},
	{"week", 604800 * USEC_S},
	{"w", 604800 * USEC_S},
	{"years", 31557600 * USEC_S}, /* 365.25 days */
	{"year", 31557600 * USEC_S},
	{"y", 31557600 * USEC_S},
	{"usec", 1},
	{"us", 1},
	{"\xce\xbcs", 1}, /* U+03BC GREEK SMALL LETTER MU */
	{"\xc2\xb5s", 1}, /* U+00B5 MICRO SIGN */
};

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* The unit that starts p (its length in microseconds into *usec) and where it ends; p itself
 * when none does. */
static const char *time_unit(const char *p, uint64_t *usec)
{
	size_t i, n;

	for (i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++) {
		n = strlen(time_units[i].suffix);
		if (!strncmp(p, time_units[i].suffix, n)) {
			*usec = time_units[i].usec;
			return p + n;
		}
	}
	return p;
}

/* One "NUMBER[.DIGITS][ ][UNIT]" at *pp added to *total (microseconds); *pp moves past it. A
 * number with no unit is seconds; what follows it must be a unit, white space or the end. */
static int timespan_part(const char **pp, uint64_t *total)
{
	const char *p = *pp, *num = p + (*p == '+'), *end, *frac = NULL, *next;
	uint64_t whole = 0, mult = USEC_S, m, k;

	if (*p == '-')
		return -ERANGE;
	for (end = num; isdigit((unsigned char)*end); end++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*end - '0');
	}
	if (end == num)
		end = p; /* no digits: nothing was read, a sign neither */
	if (*end == '.') {
		frac = end + 1;
		p = frac + strspn(frac, "0123456789");
		if (p == frac)
			return -EINVAL; /* "3." */
	} else if (end == p) {
		return -EINVAL;
	} else {
		p = end;
	}
	next = time_unit(skip_space(p), &mult);
	if (next == p && *next)
		return -EINVAL; /* "5x", "1.2.3" */
	if (whole >= UINT64_MAX / mult || whole * mult >= UINT64_MAX - *total)
		return -ERANGE;
	*total += whole * mult;
	for (m = mult / 10; frac && isdigit((unsigned char)*frac); frac++, m /= 10) {
		k = (uint64_t)(*frac - '0') * m;
		if (k >= UINT64_MAX - *total)
			return -ERANGE;
		*total += k;
	}
	*pp = next;
	return 0;
}

int ow_unit_parse_timespan(const char *s, double *sec)
{
	const char *p = skip_space(s);
	uint64_t total = 0;
	bool any = false;
	int err;

	if (!strncmp(p, "infinity", 8) && !*skip_space(p + 8)) {
		*sec = INFINITY;
		return 0;
	}
	while (*(p = skip_space(p))) {
		err = timespan_part(&p, &total);
		if (err)
			return err;
		any = true;
	}
	if (!any)
		return -EINVAL;
	*sec = (double)total / USEC_S;
	return 0;
}

/* TimeoutStopSec= or TimeoutSec=: see unitfile.h. */
static void set_stop_timeout(struct ow_unit_restart *u, const char *key, const char *val)
{
	double s;

	if (ow_unit_parse_timespan(val, &s))
		return; /* systemd logs "Failed to parse" and keeps the earlier value */
	u->stop_timeout_s = s == 0 ? INFINITY : s;
	snprintf(u->stop_timeout_key, sizeof(u->stop_timeout_key), "%s", key);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* An exit status list ("1 2 SIGTERM"): does it name SIGTERM? */
static bool lists_sigterm(char *v)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(v, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(tok, "SIGTERM") || !strcmp(tok, "TERM"))
			return true;
	}
	return false;
}

static void assign(struct ow_unit_restart *u, const char *key, char *val)
{
	if (!strcmp(key, "Restart"))
		snprintf(u->restart, sizeof(u->restart), "%s", *val ? val : "no");
	else if (!strcmp(key, "RestartPreventExitStatus"))
		u->prevent_term = *val && (u->prevent_term || lists_sigterm(val));
	else if (!strcmp(key, "RestartForceExitStatus"))
		u->force_term = *val && (u->force_term || lists_sigterm(val));
	else if (!strcmp(key, "TimeoutStopSec") || !strcmp(key, "TimeoutSec"))
		set_stop_timeout(u, key, val);
}

void ow_unit_restart_parse(const char *buf, struct ow_unit_restart *u)
{
	char line[1024], *eq, *l;
	bool service = false;
	size_t n;

	u->found = true;
	for (; *buf; buf += n + (buf[n] == '\n')) {
		n = strcspn(buf, "\n");
		if (n >= sizeof(line))
			continue; /* none of our keys is that long */
		memcpy(line, buf, n);
		line[n] = '\0';
		l = trim(line);
		if (*l == '[') {
			service = !strcmp(l, "[Service]");
			continue;
		}
		if (!service || *l == '#' || *l == ';' || !(eq = strchr(l, '=')))
			continue;
		*eq = '\0';
		assign(u, trim(l), trim(eq + 1));
	}
}

static int join(char *buf, size_t len, const char *a, const char *b, const char *c)
{
	int n = snprintf(buf, len, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* A unit linked to /dev/null, or an empty file, is masked. */
static bool is_masked(const char *path)
{
	char target[32];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	struct stat st;

	if (n > 0) {
		target[n] = '\0';
		if (!strcmp(target, "/dev/null"))
			return true;
	}
	return !stat(path, &st) && (S_ISCHR(st.st_mode) || st.st_size == 0);
}

/* Read as root from dirs a user may own (~/.config/systemd/user): a FIFO, a device or a huge
 * file there must not block or balloon the daemon. `flags`: OW_OPEN_NOFOLLOW in a user's dir. */
static int apply_file(const char *path, unsigned int flags, struct ow_unit_restart *u)
{
	char *buf = NULL;
	ssize_t n = ow_read_untrusted(AT_FDCWD, path, flags, UNIT_FILE_LEN, &buf);

	if (n >= 0)
		ow_unit_restart_parse(buf, u);
	free(buf);
	return n < 0 ? (int)n : 0;
}

/* "a@b.service" -> "a@.service"; false for a unit that is not an instance. */
static bool template_of(const char *unit, char *buf, size_t len)
{
	const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');

	if (!at || !dot || dot < at || at[1] == '.')
		return false;
	return snprintf(buf, len, "%.*s%s", (int)(at - unit + 1), unit, dot) < (int)len;
}

struct dropin {
	char name[NAME_MAX + 1];
	char path[PATH_MAX];
	unsigned int flags; /* for ow_read_untrusted */
};

struct dropins {
	struct dropin e[MAX_DROPINS];
	unsigned int n;
};

static DIR *open_dir(const char *dir, unsigned int flags)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK |
				   (flags & OW_OPEN_NOFOLLOW ? O_NOFOLLOW : 0));
	DIR *dh = fd >= 0 ? fdopendir(fd) : NULL;

	if (fd >= 0 && !dh)
		close(fd);
	return dh;
}

static void collect_dropins(struct dropins *d, const char *dir, unsigned int flags)
{
	struct dirent *e;
	unsigned int i;
	DIR *dh = open_dir(dir, flags);
	size_t len;

	if (!dh)
		return;
	while ((e = readdir(dh)) && d->n < MAX_DROPINS) {
		len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".conf"))
			continue;
		for (i = 0; i < d->n && strcmp(d->e[i].name, e->d_name); i++)
			;
		if (i < d->n)
			continue; /* a higher-priority directory has a file of that name */
		if (join(d->e[d->n].path, PATH_MAX, dir, e->d_name, NULL))
			continue;
		snprintf(d->e[d->n].name, sizeof(d->e[0].name), "%s", e->d_name);
		d->e[d->n].flags = flags;
		d->n++;
	}
	closedir(dh);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->name, ((const struct dropin *)b)->name);
}

/* Drop-in directories NAME.d for each of `names` (NULL-terminated) in every search dir; the
 * first `users` dirs are a user's. */
static void apply_dropins(const char *const *dirs, unsigned int users, const char *const *names,
			  struct ow_unit_restart *u)
{
	struct dropins *d = calloc(1, sizeof(*d));
	char dir[PATH_MAX], sub[NAME_MAX + 1];
	unsigned int i, k;

	if (!d)
		return;
	for (i = 0; dirs[i]; i++) {
		for (k = 0; names[k]; k++) {
			snprintf(sub, sizeof(sub), "%s.d", names[k]);
			if (!join(dir, sizeof(dir), dirs[i], sub, NULL))
				collect_dropins(d, dir, i < users ? OW_OPEN_NOFOLLOW : 0);
		}
	}
	/* Sorted by file name whatever their directory: that is the order systemd applies. */
	qsort(d->e, d->n, sizeof(d->e[0]), by_name);
	for (i = 0; i < d->n; i++)
		apply_file(d->e[i].path, d->e[i].flags, u);
	free(d);
}

/* Returns how many of the dirs, first in the list, are a user's (0 or 1: the HOME one), or
 * -errno. */
static int build_dirs(const char *root, bool user, const char *home, char (*buf)[PATH_MAX],
		      const char **dirs)
{
	const char *const *rel = user ? user_dirs : system_dirs;
	unsigned int n = 0, i, users;

	if (user && home && *home == '/' &&
	    !join(buf[n], PATH_MAX, root, home + 1, ".config/systemd/user")) {
		dirs[n] = buf[n];
		n++;
	}
	users = n;
	for (i = 0; rel[i]; i++) {
		if (join(buf[n], PATH_MAX, root, rel[i], NULL))
			return -ENAMETOOLONG;
		dirs[n] = buf[n];
		n++;
	}
	dirs[n] = NULL;
	return (int)users;
}

/* The unit's own file, else its template's, first in search-path order. Returns the index of
 * its dir, or -ENOENT. */
static int find_unit(const char *const *dirs, const char *unit, const char *tmpl, char *path,
		     size_t len)
{
	const char *names[2] = {unit, tmpl};
	unsigned int i, k;

	for (k = 0; k < 2 && names[k]; k++) {
		for (i = 0; dirs[i]; i++) {
			if (!join(path, len, dirs[i], names[k], NULL) && !access(path, F_OK))
				return (int)i;
		}
	}
	return -ENOENT;
}

int ow_unit_restart_read(const char *root, const char *unit, bool user, const char *home,
			 struct ow_unit_restart *u)
{
	char(*dirbuf)[PATH_MAX] = calloc(16, PATH_MAX);
	const char *dirs[16], *dropin_names[4] = {NULL};
	char tmpl[NAME_MAX + 1], path[PATH_MAX];
	int err = 0, n = 0, users, at;
	bool instance;

	ow_unit_restart_init(u);
	if (!dirbuf)
		return -ENOMEM;
	if (!unit || !*unit || strchr(unit, '/')) {
		err = -EINVAL;
		goto out;
	}
	instance = template_of(unit, tmpl, sizeof(tmpl));
	users = build_dirs(root, user, home, dirbuf, dirs);
	err = users < 0 ? users : 0;
	at = err ? -ENOENT : find_unit(dirs, unit, instance ? tmpl : NULL, path, sizeof(path));
	if (at < 0)
		goto out;
	if (is_masked(path)) {
		u->masked = true;
		goto out;
	}
	err = apply_file(path, at < users ? OW_OPEN_NOFOLLOW : 0, u);
	if (err)
		goto out;
	/* Type-wide drop-ins apply to every service; a template's to each of its instances. */
	if (strstr(unit, ".service"))
		dropin_names[n++] = "service";
	if (instance)
		dropin_names[n++] = tmpl;
	dropin_names[n] = unit;
	apply_dropins(dirs, (unsigned int)users, dropin_names, u);
out:
	free(dirbuf);
	return err;
}

enum ow_sigterm_fate ow_unit_sigterm_fate(const struct ow_unit_restart *u)
{
	static const char *const stays[] = {"no", "on-failure", "on-abnormal", "on-abort",
					    "on-watchdog"};
	unsigned int i;

	if (!u->found || u->masked)
		return OW_FATE_UNKNOWN;
	if (u->prevent_term)
		return OW_FATE_STAYS_STOPPED;
	if (u->force_term || !strcmp(u->restart, "always") || !strcmp(u->restart, "on-success"))
		return OW_FATE_RESTARTED;
	for (i = 0; i < sizeof(stays) / sizeof(stays[0]); i++) {
		if (!strcmp(u->restart, stays[i]))
			return OW_FATE_STAYS_STOPPED;
	}
	return OW_FATE_UNKNOWN;
}

void ow_unit_restart_note(const char *unit, const struct ow_unit_restart *u, char *buf, size_t len)
{
	switch (ow_unit_sigterm_fate(u)) {
	case OW_FATE_STAYS_STOPPED:
		if (u->prevent_term)
			snprintf(buf, len,
				 "%s has RestartPreventExitStatus=SIGTERM: it will stay stopped",
				 unit);
		else if (!strcmp(u->restart, "no"))
			snprintf(buf, len, "%s has Restart=no: it will stay stopped", unit);
		else
			snprintf(buf, len,
				 "%s has Restart=%s: it will stay stopped (systemd counts an exit "
				 "on SIGTERM as clean)",
				 unit, u->restart);
		break;
	case OW_FATE_RESTARTED:
		if (u->force_term)
			snprintf(buf, len,
				 "%s has RestartForceExitStatus=SIGTERM: systemd will restart it",
				 unit);
		else
			snprintf(buf, len, "%s has Restart=%s: systemd will restart it", unit,
				 u->restart);
		break;
	default:
		snprintf(buf, len, "%s", "");
	}
}
