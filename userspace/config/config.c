// SPDX-License-Identifier: GPL-2.0
/*
 * The config file: see userspace/config/config.h. inih does the INI syntax; our line reader in
 * front of it counts lines (inih's handler is not told the line number), checks section headers
 * (inih calls no handler for a section without keys) and strips leading whitespace, so an indented
 * key is a key and never inih's continuation of the previous value. inih's line buffer is
 * small (200 bytes on Debian) and a webhook URL can be longer: a long value is kept aside and
 * inih is given a placeholder for it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "readfile.h"

#define NO_RULE	   -1	  /* the global part, before any section */
#define BAD_RULE   -2	  /* after a section header that was refused */
#define LONG_VALUE "\x1f" /* what inih sees instead of a value kept aside */
/* Far past any real config: /dev/zero or a log given by mistake is refused, not read. */
#define CONFIG_MAX (1 << 20)

struct parse {
	struct ow_options *o;
	const char *path;
	FILE *f;    /* over text */
	char *text; /* the whole file */
	char *buf;  /* getline's */
	size_t cap;
	unsigned int line;
	int rule;
	unsigned int err_line; /* the first error's line, 0: none yet */
	char msg[512];
	int read_errno;
	char *long_value; /* the value of the current line, when kept aside */
};

static int error_at(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int error_at(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line)
		return 0; /* reported once: the first error */
	p->err_line = p->line;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	return 0;
}

static const char *skip_space(const char *s)
{
	return s + strspn(s, " \t");
}

/* The rest of a line after a header or value: blank, or a ';' / '#' comment. */
static bool blank_tail(const char *s)
{
	s = skip_space(s);
	return !*s || *s == '\r' || *s == '\n' || *s == ';' || *s == '#';
}

/* `[cgroup "PATTERN"]`: the pattern, or NULL. ']' may occur inside the quotes (fnmatch sets). */
static char *section_pattern(struct parse *p, const char *s)
{
	const char *open, *close;
	char *pat;

	s = skip_space(s + 1);
	if (strncmp(s, "cgroup", 6) || (s[6] != ' ' && s[6] != '\t'))
		return NULL;
	open = skip_space(s + 6);
	if (*open != '"')
		return NULL;
	close = strchr(open + 1, '"');
	if (!close || close == open + 1 || *skip_space(close + 1) != ']' ||
	    !blank_tail(skip_space(close + 1) + 1))
		return NULL;
	pat = ow_options_keep(p->o, open + 1);
	if (pat)
		pat[close - open - 1] = '\0';
	return pat;
}

static void start_section(struct parse *p, const char *s)
{
	struct ow_options *o = p->o;
	char shown[64];
	char *pat = section_pattern(p, s);
	unsigned int i;

	p->rule = BAD_RULE;
	if (!pat) {
		snprintf(shown, sizeof(shown), "%.*s", (int)strcspn(s, "\r\n"), s);
		error_at(p,
			 "invalid section '%s' (expected [cgroup \"NAME\"] or "
			 "[cgroup \"/PATH/GLOB\"])",
			 shown);
		return;
	}
	for (i = 0; i < o->nrules; i++) {
		if (!strcmp(o->rules[i].pattern, pat)) {
			if (o->rules[i].file == p->path)
				error_at(p, "duplicate section [cgroup \"%s\"] (first at line %u)",
					 pat, o->rules[i].line);
			else
				error_at(p, "duplicate section [cgroup \"%s\"] (first at %s:%u)",
					 pat, o->rules[i].file, o->rules[i].line);
			return;
		}
	}
	if (o->nrules == OW_MAX_RULES) {
		error_at(p, "too many [cgroup] sections (at most %d)", OW_MAX_RULES);
		return;
	}
	p->rule = (int)o->nrules++;
	memset(&o->rules[p->rule], 0, sizeof(o->rules[p->rule]));
	o->rules[p->rule].pattern = pat;
	o->rules[p->rule].line = p->line;
	o->rules[p->rule].file = p->path;
}

/* What inih would refuse, said here with the line's text: a line that is not a comment, a
 * section or `key = value`. */
static void check_line(struct parse *p, const char *s)
{
	char shown[64];

	if (blank_tail(s))
		return;
	if (*s == '[') {
		start_section(p, s);
		return;
	}
	if (!strpbrk(s, "=:")) {
		snprintf(shown, sizeof(shown), "%.*s", (int)strcspn(s, "\r\n"), s);
		error_at(p, "expected `key = value`, a [cgroup \"...\"] section or a comment: '%s'",
			 shown);
	}
}

/* A value as inih would give it: trimmed, without a " ;comment". */
static void trim_value(char *v)
{
	char *c, *end;

	for (c = v; *c; c++) {
		if (*c == ';' && c > v && (c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			break;
		}
	}
	end = v + strlen(v);
	while (end > v && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
}

/* A line too long for inih: `KEY = LONG_VALUE` for it, the value in p->long_value. NULL if it
 * is not a key line or even its key is too long. */
static const char *set_aside(struct parse *p, char *s, int num)
{
	char *sep = strpbrk(s, "=:");
	const char *v;

	if (*s == '[' || *s == ';' || *s == '#' || !sep || sep - s + 3 > num)
		return NULL;
	v = skip_space(sep + 1);
	p->long_value = ow_options_keep(p->o, v);
	if (!p->long_value)
		return NULL;
	trim_value(p->long_value);
	memcpy(sep + 1, LONG_VALUE "\n", sizeof(LONG_VALUE "\n"));
	return s;
}

/* inih's fgets-like reader. */
static char *read_line(char *str, int num, void *stream)
{
	struct parse *p = stream;
	ssize_t n = getline(&p->buf, &p->cap, p->f);
	const char *s;

	if (n < 0) {
		p->read_errno = ferror(p->f) ? errno : 0;
		return NULL;
	}
	p->line++;
	p->long_value = NULL;
	s = skip_space(p->buf);
	if (strlen(s) + 1 > (size_t)num && (*s == ';' || *s == '#')) {
		s = "\n"; /* a long comment */
	} else if (strlen(s) + 1 > (size_t)num) {
		s = set_aside(p, (char *)s, num);
		if (!s) {
			error_at(p, "line too long (at most %d characters)", num - 2);
			s = "\n"; /* nothing for inih to act on */
		}
	} else {
		check_line(p, s);
	}
	memcpy(str, s, strlen(s) + 1);
	return str;
}

static int find_setting(const char *key)
{
	unsigned int s;

	for (s = 0; s < OW_SET_COUNT; s++)
		if (!strcmp(ow_settings[s].key, key))
			return (int)s;
	return -1;
}

static int set_rule(struct parse *p, struct ow_cgroup_rule *r, enum ow_setting s, const char *v)
{
	const char *key = ow_settings[s].key;
	int ret;

	switch (s) {
	case OW_SET_WARN_HORIZON:
		ret = ow_parse_seconds(key, v, &r->warn_horizon_s, p->msg, sizeof(p->msg));
		r->set |= ret ? 0 : OW_RULE_WARN_HORIZON;
		return ret;
	case OW_SET_ACT_HORIZON:
		ret = ow_parse_seconds(key, v, &r->act_horizon_s, p->msg, sizeof(p->msg));
		r->set |= ret ? 0 : OW_RULE_ACT_HORIZON;
		return ret;
	case OW_SET_GRACE:
		ret = ow_parse_seconds(key, v, &r->grace_s, p->msg, sizeof(p->msg));
		r->set |= ret ? 0 : OW_RULE_GRACE;
		return ret;
	case OW_SET_PROTECT:
		ret = *v ? ow_parse_regex(key, v, &r->protect, &r->protect_re, p->msg,
					  sizeof(p->msg))
			 : -EINVAL;
		r->set |= ret ? 0 : OW_RULE_PROTECT;
		break;
	case OW_SET_PREFER:
		ret = *v ? ow_parse_regex(key, v, &r->prefer, &r->prefer_re, p->msg, sizeof(p->msg))
			 : -EINVAL;
		r->set |= ret ? 0 : OW_RULE_PREFER;
		break;
	case OW_SET_ACTION:
		ret = ow_parse_action(key, v, &r->action, p->msg, sizeof(p->msg));
		r->set |= ret ? 0 : OW_RULE_ACTION;
		return ret;
	case OW_SET_BRAKE:
		ret = ow_parse_on_off(key, v, &r->brake, p->msg, sizeof(p->msg));
		r->set |= ret ? 0 : OW_RULE_BRAKE;
		return ret;
	case OW_SET_WARN_SIGNAL:
		ret = ow_parse_warn_signal(key, v, &r->warn_signal, p->msg, sizeof(p->msg));
		r->set |= ret ? 0 : OW_RULE_WARN_SIGNAL;
		return ret;
	case OW_SET_PRE_STOP_SIGNAL:
		ret = ow_parse_warn_signal(key, v, &r->pre_stop_signal, p->msg, sizeof(p->msg));
		r->set |= ret ? 0 : OW_RULE_PRE_STOP_SIGNAL;
		return ret;
	case OW_SET_PRE_STOP_WAIT:
		ret = ow_parse_pre_stop_wait(key, v, &r->pre_stop_wait_s, p->msg, sizeof(p->msg));
		r->set |= ret ? 0 : OW_RULE_PRE_STOP_WAIT;
		return ret;
	default:
		return -EINVAL;
	}
	if (ret && !*v)
		snprintf(p->msg, sizeof(p->msg), "invalid value for %s: '' (a regular expression)",
			 key);
	return ret;
}

/* A list key: each space-separated word is one value; an empty value empties the list. */
static int set_words(struct parse *p, enum ow_setting s, char *v)
{
	const char *key = ow_settings[s].key;
	char *save = NULL, *word;
	int ret = 0;

	if (!*v) {
		if (s == OW_SET_CGROUP)
			p->o->ncgroups = 0;
		else if (s == OW_SET_WEBHOOK)
			p->o->nwebhook_urls = 0;
		else
			p->o->nwebhook_formats = 0;
		return 0;
	}
	for (word = strtok_r(v, " \t", &save); word && !ret; word = strtok_r(NULL, " \t", &save))
		ret = ow_option_set(p->o, s, word, key, p->msg, sizeof(p->msg));
	return ret;
}

static int set_global(struct parse *p, enum ow_setting s, char *v)
{
	int ret;

	if (ow_settings[s].list)
		ret = set_words(p, s, v);
	else
		ret = ow_option_set(p->o, s, v, ow_settings[s].key, p->msg, sizeof(p->msg));
	if (!ret) {
		p->o->line[s] = p->line;
		p->o->file[s] = p->path;
	}
	return ret;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	char msg[sizeof(p->msg)];
	int s = find_setting(name);
	unsigned int in = p->rule == NO_RULE ? OW_IN_FILE : OW_IN_SECTION;
	char *v;

	if (p->rule == BAD_RULE || p->err_line)
		return 1; /* already reported */
	if (s < 0)
		return error_at(p, "unknown key '%s'", name);
	if (!(ow_settings[s].in & in))
		return error_at(p,
				p->rule == NO_RULE
					? "key '%s' is not allowed in the config file"
					: "key '%s' is not allowed in a [cgroup] section (only "
					  "warn_horizon, act_horizon, grace, protect, prefer, "
					  "action, brake, warn_signal, pre_stop_signal, "
					  "pre_stop_wait)",
				name);
	v = p->long_value && !strcmp(value, LONG_VALUE) ? p->long_value
							: ow_options_keep(p->o, value);
	if (!v)
		return error_at(p, "out of memory at key '%s'", name);
	if (!(p->rule == NO_RULE ? set_global(p, (enum ow_setting)s, v)
				 : set_rule(p, &p->o->rules[p->rule], (enum ow_setting)s, v)))
		return 1;
	snprintf(msg, sizeof(msg), "%s", p->msg);
	p->msg[0] = '\0';
	return error_at(p, "%s", msg);
}

/* The whole file, read once into memory: a regular file of at most CONFIG_MAX bytes (a FIFO
 * would block the start or a reload, a device never end). Returns 0 or -errno with err set. */
static int open_text(struct parse *p, const char *path, char *err, size_t errlen)
{
	ssize_t n = ow_read_untrusted(AT_FDCWD, path, 0, CONFIG_MAX, &p->text);

	if (n == -EFBIG)
		snprintf(err, errlen, "config file %s is larger than %d KiB", path,
			 CONFIG_MAX >> 10);
	else if (n == -EINVAL || n == -EISDIR)
		snprintf(err, errlen, "config file %s %s", path, ow_untrusted_strerror((int)n));
	else if (n < 0)
		snprintf(err, errlen, "cannot read config file %s: %s", path, strerror((int)-n));
	if (n < 0)
		return (int)n;
	p->f = fmemopen(p->text, (size_t)n, "r");
	if (!p->f) {
		snprintf(err, errlen, "cannot read config file %s: %s", path, strerror(errno));
		free(p->text);
		return -ENOMEM;
	}
	return 0;
}

int ow_config_read(const char *path, struct ow_options *o, char *err, size_t errlen)
{
	struct parse p = {.o = o, .rule = NO_RULE};
	int rc;

	rc = open_text(&p, path, err, errlen);
	if (rc)
		return rc;
	p.path = o->config_path = ow_options_keep(o, path);
	rc = p.path ? ini_parse_stream(read_line, &p, on_key, &p) : -2;
	fclose(p.f);
	free(p.text);
	free(p.buf);
	if (p.read_errno) {
		snprintf(err, errlen, "cannot read config file %s: %s", path,
			 strerror(p.read_errno));
		return -p.read_errno;
	}
	if (p.err_line) {
		snprintf(err, errlen, "%s:%u: %s", path, p.err_line, p.msg);
		return -EINVAL;
	}
	if (rc) {
		/* Only memory: every syntax error is caught by read_line first. */
		snprintf(err, errlen, "%s:%d: cannot parse (out of memory?)", path, rc);
		return rc < 0 ? -ENOMEM : -EINVAL;
	}
	return 0;
}

/* The API server's CA, read by root now: the sender verifies it with nothing else. */
static int read_kube_ca(struct ow_options *o, char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (!o->kube_api || o->cmd != OW_CMD_RUN)
		return 0;
	snprintf(path, sizeof(path), "%s/ca.crt", o->kube_credentials);
	return ow_ca_bundle_read(path, "--kube-credentials", &o->kube_ca_pem, err, errlen);
}

static int dropin_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 5 && !strcmp(e->d_name + n - 5, ".conf");
}

/*
 * FILE.d/NAME.conf after FILE, in name order, as if appended to it: a package's defaults in one
 * file and a site's in another, or, in Kubernetes, the settings from a ConfigMap and the
 * webhook URLs (credentials) from a Secret mounted as FILE.d. Lists add up, a setting given
 * again wins; a missing directory is none. The files are read as the config file is (no FIFO,
 * no device, at most 1 MiB). webhook_format pairs with webhook within each file: a URL of
 * an earlier file without a format keeps its guessed one ("" below).
 */
static int read_dropins(const char *path, struct ow_options *o, char *err, size_t errlen)
{
	char dir[PATH_MAX], file[PATH_MAX];
	const char *main_path = o->config_path;
	struct dirent **names;
	int n, i, ret = 0;

	if (snprintf(dir, sizeof(dir), "%s.d", path) >= (int)sizeof(dir))
		return 0;
	n = scandir(dir, &names, dropin_filter, alphasort);
	if (n < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (n < 0) {
		snprintf(err, errlen, "cannot read config directory %s: %s", dir, strerror(errno));
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		while (o->nwebhook_formats < o->nwebhook_urls)
			o->webhook_formats[o->nwebhook_formats++] = "";
		if (!ret && snprintf(file, sizeof(file), "%s/%s", dir, names[i]->d_name) <
				    (int)sizeof(file))
			ret = ow_config_read(file, o, err, errlen);
		free(names[i]);
	}
	free(names);
	o->config_path = main_path; /* reload and the ready line name the file itself */
	return ret;
}

static bool reads_config(enum ow_command cmd)
{
	return cmd == OW_CMD_RUN || cmd == OW_CMD_STATUS || cmd == OW_CMD_ALERT_TEST;
}

/* Read here, by the daemon (root), and at a reload: an unreadable file stops the start or is
 * refused by the reload, never found at the first alert. status sends nothing: no read. */
static int read_webhook_ca(struct ow_options *o, char *err, size_t errlen)
{
	char name[PATH_MAX + 32];

	if (!o->webhook_ca || (o->cmd != OW_CMD_RUN && o->cmd != OW_CMD_ALERT_TEST))
		return 0;
	if (o->line[OW_SET_WEBHOOK_CA] && o->file[OW_SET_WEBHOOK_CA])
		snprintf(name, sizeof(name), "%s:%u: webhook_ca", o->file[OW_SET_WEBHOOK_CA],
			 o->line[OW_SET_WEBHOOK_CA]);
	else
		snprintf(name, sizeof(name), "--webhook-ca");
	return ow_ca_bundle_read(o->webhook_ca, name, &o->webhook_ca_pem, err, errlen);
}

int ow_options_load(int argc, char **argv, const char *default_path, struct ow_options *o,
		    char *err, size_t errlen)
{
	const char *path;
	bool given;
	int ret;

	/* The command line alone first: its own errors, the command, and --config. */
	ow_options_init(o);
	ret = ow_options_parse_argv(argc, argv, o, err, errlen);
	path = o->config_flag ? o->config_flag : default_path;
	given = o->config_flag != NULL;
	if (!ret && reads_config(o->cmd) && path) {
		ow_options_free(o);
		ow_options_init(o);
		ret = ow_config_read(path, o, err, errlen);
		if (ret == -ENOENT && !given)
			ret = 0; /* no default file: the built-in defaults, and its drop-ins */
		if (!ret)
			ret = read_dropins(path, o, err, errlen);
		if (!ret)
			ret = ow_options_parse_argv(argc, argv, o, err, errlen);
	}
	o->argc = argc;
	o->argv = argv;
	o->default_config = default_path;
	if (ret)
		return ret < 0 && ret != -EINVAL ? ret : -EINVAL;
	ret = ow_options_finish(o, err, errlen);
	if (!ret)
		ret = read_webhook_ca(o, err, errlen);
	return ret ? ret : read_kube_ca(o, err, errlen);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_rule(const struct ow_cgroup_rule *a, const struct ow_cgroup_rule *b)
{
	return !strcmp(a->pattern, b->pattern) && a->set == b->set &&
	       (!(a->set & OW_RULE_WARN_HORIZON) || a->warn_horizon_s == b->warn_horizon_s) &&
	       (!(a->set & OW_RULE_ACT_HORIZON) || a->act_horizon_s == b->act_horizon_s) &&
	       (!(a->set & OW_RULE_GRACE) || a->grace_s == b->grace_s) &&
	       same_str(a->protect, b->protect) && same_str(a->prefer, b->prefer) &&
	       (!(a->set & OW_RULE_ACTION) || a->action == b->action) &&
	       (!(a->set & OW_RULE_BRAKE) || a->brake == b->brake) &&
	       (!(a->set & OW_RULE_WARN_SIGNAL) || a->warn_signal == b->warn_signal) &&
	       (!(a->set & OW_RULE_PRE_STOP_SIGNAL) || a->pre_stop_signal == b->pre_stop_signal) &&
	       (!(a->set & OW_RULE_PRE_STOP_WAIT) || a->pre_stop_wait_s == b->pre_stop_wait_s);
}

unsigned int ow_config_diff(const struct ow_options *from, const struct ow_options *to,
			    struct ow_config_change *out, unsigned int max)
{
	char a[2048], b[2048];
	unsigned int s, i, n = 0, nrules;

	for (s = 0; s < OW_SET_COUNT; s++) {
		if (!(ow_settings[s].in & OW_IN_FILE))
			continue;
		ow_option_format(from, (enum ow_setting)s, a, sizeof(a));
		ow_option_format(to, (enum ow_setting)s, b, sizeof(b));
		if (strcmp(a, b) && n++ < max)
			out[n - 1] = (struct ow_config_change){(enum ow_setting)s, NULL,
							       ow_settings[s].needs_restart};
	}
	/* Sections are compared in order: their order decides which one matches first. */
	nrules = from->nrules > to->nrules ? from->nrules : to->nrules;
	for (i = 0; i < nrules; i++) {
		const struct ow_cgroup_rule *x = i < from->nrules ? &from->rules[i] : NULL;
		const struct ow_cgroup_rule *y = i < to->nrules ? &to->rules[i] : NULL;

		if (x && y && same_rule(x, y))
			continue;
		if (n++ < max)
			out[n - 1] = (struct ow_config_change){OW_SET_COUNT,
							       y ? y->pattern : x->pattern, false};
	}
	return n;
}
