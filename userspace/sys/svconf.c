// SPDX-License-Identifier: GPL-2.0
/*
 * supervisord's configuration as far as stopwaitsecs goes: see userspace/sys/svconf.h. Pure:
 * the files are found and read by svconf_read.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "svconf.h"

#define SV_NAME_LEN 64	 /* as SUPERVISOR_GROUP_NAME and _PROCESS_NAME are kept */
#define SV_PROGRAMS 256	 /* program sections kept; more make the configuration unknown */
#define SV_VAL_LEN  128	 /* a program's values */
#define SV_LIST_LEN 2048 /* a group's programs=, [include] files= */
#define SV_NUMPROCS 4096 /* process numbers tried against a process name */

/* The keys kept of a program's section. */
enum { K_STOPWAIT, K_PROCNAME, K_NUMPROCS, K_NUMSTART, K_AUTORESTART, K_EXITCODES, K_COUNT };
static const char *const prog_keys[K_COUNT] = {"stopwaitsecs",	 "process_name", "numprocs",
					       "numprocs_start", "autorestart",	 "exitcodes"};

struct sv_val {
	char *s; /* cap bytes */
	size_t cap;
	bool set;
	bool cut; /* longer than kept: not usable */
};

struct sv_prog {
	char kind; /* 'p' program, 'f' fcgi-program, 'e' eventlistener */
	char name[SV_NAME_LEN];
	struct sv_val key[K_COUNT];
	char store[K_COUNT][SV_VAL_LEN];
};

enum sv_section { SEC_NONE, SEC_OTHER, SEC_PROGRAM, SEC_GROUP, SEC_INCLUDE };

struct ow_svconf {
	char group[SV_NAME_LEN];
	char process[SV_NAME_LEN];
	bool unknown;
	struct sv_val programs; /* [group:<group>] programs= */
	struct sv_val include;	/* the main file's [include] files= */
	char programs_s[SV_LIST_LEN];
	char include_s[SV_LIST_LEN];
	/* The file being read. */
	bool main;
	enum sv_section sec;
	struct sv_prog *prog; /* SEC_PROGRAM's */
	bool in_option;	      /* an option was read in this section: deeper lines continue it */
	size_t indent;	      /* that option's line's */
	struct sv_val *cur;   /* where its value goes (NULL: a value not kept) */
	unsigned int n;
	struct sv_prog progs[SV_PROGRAMS];
};

static void val_init(struct sv_val *v, char *s, size_t cap)
{
	v->s = s;
	v->cap = cap;
	v->set = false;
	v->cut = false;
	s[0] = '\0';
}

struct ow_svconf *ow_svconf_new(const char *group, const char *process)
{
	struct ow_svconf *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->group, sizeof(c->group), "%s", group);
	snprintf(c->process, sizeof(c->process), "%s", process);
	val_init(&c->programs, c->programs_s, sizeof(c->programs_s));
	val_init(&c->include, c->include_s, sizeof(c->include_s));
	return c;
}

void ow_svconf_free(struct ow_svconf *c)
{
	free(c);
}

void ow_svconf_set_unknown(struct ow_svconf *c)
{
	c->unknown = true;
}

const char *ow_svconf_includes(const struct ow_svconf *c)
{
	return c->include.set && !c->include.cut ? c->include.s : NULL;
}

/* ---- the files ---- */

static const char *trim(const char *s, size_t *n)
{
	while (*n && isspace((unsigned char)*s)) {
		s++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

static void val_set(struct sv_val *v, const char *s, size_t n)
{
	v->set = true;
	v->cut = n >= v->cap;
	n = v->cut ? 0 : n;
	memcpy(v->s, s, n);
	v->s[n] = '\0';
}

/* A continuation line: configparser joins the lines of a value with newlines. */
static void val_append(struct sv_val *v, const char *s, size_t n)
{
	size_t len = strlen(v->s);

	if (v->cut || len + 1 + n >= v->cap) {
		v->cut = true;
		return;
	}
	v->s[len] = '\n';
	memcpy(v->s + len + 1, s, n);
	v->s[len + 1 + n] = '\0';
}

static bool key_is(const char *k, size_t n, const char *name)
{
	return strlen(name) == n && !strncasecmp(k, name, n);
}

/* "PREFIX name" in a section header: the name, trimmed as supervisor does. */
static const char *prefixed(const char *h, size_t hn, const char *prefix, size_t *n)
{
	size_t pl = strlen(prefix);

	if (hn < pl || memcmp(h, prefix, pl))
		return NULL;
	*n = hn - pl;
	return trim(h + pl, n);
}

static struct sv_prog *find_prog(struct ow_svconf *c, char kind, const char *name, size_t n)
{
	struct sv_prog *p;
	unsigned int i;

	if (!n || n >= SV_NAME_LEN)
		return NULL; /* never the victim's, whose names are shorter */
	for (i = 0; i < c->n; i++) {
		p = &c->progs[i];
		if (p->kind == kind && !strncmp(p->name, name, n) && !p->name[n])
			return p;
	}
	if (c->n == SV_PROGRAMS) {
		c->unknown = true;
		return NULL;
	}
	p = &c->progs[c->n++];
	p->kind = kind;
	memcpy(p->name, name, n);
	p->name[n] = '\0';
	for (i = 0; i < K_COUNT; i++)
		val_init(&p->key[i], p->store[i], sizeof(p->store[i]));
	return p;
}

/* "[...]": the text up to the last "]" names the section (configparser's "very permissive"
 * pattern). False when the line is no section header. */
static bool section(struct ow_svconf *c, const char *v, size_t vn)
{
	static const char *const kinds[] = {"program:", "fcgi-program:", "eventlistener:"};
	const char *end = memrchr(v, ']', vn), *h = v + 1, *name;
	size_t hn, n, i;

	if (!end || end == h)
		return false;
	hn = (size_t)(end - h);
	c->in_option = false;
	c->cur = NULL;
	c->sec = SEC_OTHER;
	if (hn == 7 && !memcmp(h, "include", 7)) {
		if (c->main) /* an included file's is read after the globs were taken */
			c->sec = SEC_INCLUDE;
	} else if ((name = prefixed(h, hn, "group:", &n))) {
		if (!strncmp(name, c->group, n) && !c->group[n])
			c->sec = SEC_GROUP;
	} else {
		for (i = 0; i < 3 && !(name = prefixed(h, hn, kinds[i], &n)); i++)
			;
		if (i < 3 && (c->prog = find_prog(c, kinds[i][0], name, n)))
			c->sec = SEC_PROGRAM;
	}
	return true;
}

static struct sv_val *slot(struct ow_svconf *c, const char *key, size_t kn)
{
	unsigned int i;

	if (c->sec == SEC_GROUP && key_is(key, kn, "programs"))
		return &c->programs;
	if (c->sec == SEC_INCLUDE && key_is(key, kn, "files"))
		return &c->include;
	for (i = 0; c->sec == SEC_PROGRAM && i < K_COUNT; i++) {
		if (key_is(key, kn, prog_keys[i]))
			return &c->prog->key[i];
	}
	return NULL;
}

/* "key = value" or "key: value", split at the first of either. */
static void option(struct ow_svconf *c, const char *v, size_t vn, size_t indent)
{
	size_t i, kn, valn;
	const char *key, *val;

	for (i = 0; i < vn && v[i] != '=' && v[i] != ':'; i++)
		;
	kn = i;
	key = trim(v, &kn);
	if (i == vn || !kn) {
		c->unknown = true; /* configparser's ParsingError */
		return;
	}
	valn = vn - i - 1;
	val = trim(v + i + 1, &valn);
	c->in_option = true;
	c->indent = indent;
	c->cur = slot(c, key, kn);
	if (c->cur)
		val_set(c->cur, val, valn);
}

/* The length of a line before its comment: a ";" or "#" that starts it or follows white space
 * (a line that is all comment is empty). */
static size_t before_comment(const char *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((l[i] == ';' || l[i] == '#') && (!i || isspace((unsigned char)l[i - 1])))
			return i;
	}
	return n;
}

static void one_line(struct ow_svconf *c, const char *line, size_t n)
{
	const char *v = line;
	size_t vn = before_comment(line, n), indent;

	while (vn && isspace((unsigned char)*v)) {
		v++;
		vn--;
	}
	indent = (size_t)(v - line);
	v = trim(v, &vn);
	if (!vn)
		return; /* blank or a comment: a value may go on below it */
	if (c->sec != SEC_NONE && c->in_option && indent > c->indent) {
		if (c->cur)
			val_append(c->cur, v, vn);
		return;
	}
	if (*v == '[' && section(c, v, vn))
		return;
	if (c->sec == SEC_NONE)
		c->unknown = true; /* configparser's MissingSectionHeaderError */
	else
		option(c, v, vn, indent);
}

void ow_svconf_feed(struct ow_svconf *c, const char *text, bool main_file)
{
	size_t n;

	c->main = main_file;
	c->sec = SEC_NONE;
	c->in_option = false;
	c->cur = NULL;
	while (*text && !c->unknown) {
		n = strcspn(text, "\r\n"); /* Python reads text with universal newlines */
		one_line(c, text, n);
		text += n;
		text += text[0] == '\r' && text[1] == '\n' ? 2 : *text != '\0';
	}
}

/* ---- which program, and its stopwaitsecs ---- */

/* M_REFUSED: a process_name supervisord refuses (it would not run with this configuration). */
enum sv_match { M_REFUSED, M_NO, M_MAYBE, M_YES };

/* Python's int() of a value: white space around, a sign, digits (single "_" between them). */
static bool py_int(const char *s, long long *out)
{
	bool neg = false, digit = false;
	long long v = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s) || (*s == '_' && digit && isdigit((unsigned char)s[1]));
	     s++) {
		if (*s == '_')
			continue;
		digit = true;
		if (v < 1000000000000LL) /* saturates: already more than any grace */
			v = v * 10 + (*s - '0');
	}
	while (isspace((unsigned char)*s))
		s++;
	if (!digit || *s)
		return false;
	*out = neg ? -v : v;
	return true;
}

/* A number setting, or def when not set; false when it is not known here ("%(ENV_X)s"). */
static bool int_or(const struct sv_val *v, long long def, long long *out)
{
	if (!v->set) {
		*out = def;
		return true;
	}
	return !v->cut && !strchr(v->s, '%') && py_int(v->s, out);
}

/* stopwaitsecs: -1 not set, -2 not usable (supervisord refuses it, or it is an expansion). */
static double stopwait_of(const struct sv_prog *p)
{
	const struct sv_val *v = &p->key[K_STOPWAIT];
	long long n;

	if (!v->set)
		return -1;
	if (!int_or(v, 0, &n))
		return -2;
	return n < 0 ? 0 : (double)n;
}

static bool word_in(const char *s, const char *const *words, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

/* Does exitcodes= (default 0: "0,2", supervisor's list_of_exitcodes) hold 0? -1: unusable. */
static int exit0_expected(const struct sv_prog *p)
{
	const struct sv_val *v = &p->key[K_EXITCODES];
	const char *s = v->set ? v->s : "0";
	char item[32];
	long long n;
	size_t len;

	if (v->cut || strchr(s, '%'))
		return -1;
	for (;;) {
		len = strcspn(s, ",");
		if (len >= sizeof(item))
			return -1;
		memcpy(item, s, len);
		item[len] = '\0';
		if (!py_int(item, &n))
			return -1;
		if (n == 0)
			return 1;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

/* autorestart= (supervisor's auto_restart(); default unexpected) as enum ow_sv_restart, or -2:
 * not usable (an expansion, a value supervisord refuses). */
static double autorestart_of(const struct sv_prog *p)
{
	static const char *const off[] = {"false", "0", "off", "no"};
	static const char *const on[] = {"true", "1", "on", "yes"};
	const struct sv_val *v = &p->key[K_AUTORESTART];
	const char *s = v->set ? v->s : "unexpected";
	int zero;

	if (v->cut || strchr(s, '%'))
		return -2;
	if (word_in(s, off, 4))
		return OW_SV_RESTART_NEVER;
	if (word_in(s, on, 4))
		return OW_SV_RESTART_ALWAYS;
	if (strcasecmp(s, "unexpected"))
		return -2;
	zero = exit0_expected(p);
	return zero < 0 ? -2 : zero ? OW_SV_RESTART_NOT_ON_0 : OW_SV_RESTART_ON_0;
}

/* What a process name expands from (supervisor gives more: here, host_node_name, ENV_*). */
struct sv_names {
	const char *program;
	const char *group;
	long long num; /* process_num */
	long long numprocs;
};

struct sv_spec {
	char flags[8];
	int width;
	int prec; /* -1: none */
	char conv;
};

/* Up to three digits (a width or a precision); NULL for more. */
static const char *spec_number(const char *t, int *out)
{
	int n = 0;

	*out = 0;
	for (; isdigit((unsigned char)*t); t++) {
		if (++n > 3)
			return NULL;
		*out = *out * 10 + (*t - '0');
	}
	return t;
}

/* A "%" conversion after "%(key)": flags, width, precision, length (ignored by Python) and
 * conversion; NULL for one not handled here ("*", a float, more than 999 wide). */
static const char *parse_spec(const char *t, struct sv_spec *s)
{
	size_t nf = 0;

	memset(s, 0, sizeof(*s));
	s->prec = -1;
	for (; *t && strchr("-+ #0", *t); t++) {
		if (nf < sizeof(s->flags) - 1)
			s->flags[nf++] = *t;
	}
	t = spec_number(t, &s->width);
	if (t && *t == '.')
		t = spec_number(t + 1, &s->prec);
	while (t && (*t == 'h' || *t == 'l' || *t == 'L'))
		t++;
	if (!t || !*t || !strchr("sdiu", *t))
		return NULL;
	s->conv = *t;
	return t + 1;
}

/* Python's and C's "%s" and "%d" agree on the flags kept here. */
static int format_one(const struct sv_spec *s, const char *str, long long num, char *out,
		      size_t len)
{
	char fmt[32], digits[24], *f = fmt;
	const char *fl;

	if (s->conv != 's' && str)
		return -2; /* "%d" of a name: supervisord refuses it */
	*f++ = '%';
	for (fl = s->flags; *fl; fl++) {
		if (*fl == '-' || (s->conv != 's' && *fl != '#'))
			*f++ = *fl;
	}
	if (s->width)
		f += snprintf(f, 8, "%d", s->width);
	if (s->prec >= 0)
		f += snprintf(f, 8, ".%d", s->prec);
	if (s->conv != 's') {
		snprintf(f, 4, "lld");
		return snprintf(out, len, fmt, num);
	}
	if (!str) {
		snprintf(digits, sizeof(digits), "%lld", num);
		str = digits;
	}
	snprintf(f, 4, "s");
	return snprintf(out, len, fmt, str);
}

/* "%(key)..." at *tp: its length written to out; -1 when supervisord's value is not known
 * here, -2 when supervisord refuses it (no such key, "%d" of a name). */
static int expand_one(const char **tp, const struct sv_names *x, char *out, size_t len)
{
	const char *key = *tp + 2, *close = strchr(key, ')'), *str = NULL;
	struct sv_spec spec;
	long long num = 0;
	size_t kn;

	if (!close)
		return -2;
	kn = (size_t)(close - key);
	if (key_is(key, kn, "program_name"))
		str = x->program;
	else if (key_is(key, kn, "group_name"))
		str = x->group;
	else if (key_is(key, kn, "process_num"))
		num = x->num;
	else if (key_is(key, kn, "numprocs"))
		num = x->numprocs;
	else if (key_is(key, kn, "here") || key_is(key, kn, "host_node_name") ||
		 (kn > 4 && !strncmp(key, "ENV_", 4)))
		return -1; /* supervisord's to know */
	else
		return -2;
	*tp = parse_spec(close + 1, &spec);
	return *tp ? format_one(&spec, str, num, out, len) : -1;
}

/* A process name as supervisord expands process_name for one process: 0, 1 when it does not
 * fit (so is no name kept from the environment), -1 when it cannot be known here, -2 when
 * supervisord refuses the format. */
static int expand(const char *t, const struct sv_names *x, char *out, size_t len)
{
	size_t o = 0;
	int n;

	while (*t) {
		if (o + 1 >= len)
			return 1;
		if (*t != '%') {
			out[o++] = *t++;
		} else if (t[1] == '%') {
			out[o++] = '%';
			t += 2;
		} else if (t[1] != '(') {
			return -2; /* "incomplete format" and the like */
		} else {
			n = expand_one(&t, x, out + o, len - o);
			if (n < 0)
				return n;
			if ((size_t)n >= len - o)
				return 1;
			o += (size_t)n;
		}
	}
	out[o] = '\0';
	return 0;
}

/* Does the program make the process name? The environment keeps 63 bytes of it. */
static enum sv_match name_match(const struct ow_svconf *c, const struct sv_prog *p)
{
	const struct sv_val *pn = &p->key[K_PROCNAME];
	const char *tmpl = pn->set ? pn->s : "%(program_name)s";
	struct sv_names x = {p->name, c->group, 0, 0};
	size_t pl = strlen(c->process);
	long long start, i;
	char name[SV_VAL_LEN];
	int r;

	if (pn->cut || !int_or(&p->key[K_NUMPROCS], 1, &x.numprocs) ||
	    !int_or(&p->key[K_NUMSTART], 0, &start) || x.numprocs > SV_NUMPROCS)
		return M_MAYBE;
	for (i = 0; i < x.numprocs; i++) {
		x.num = start + i;
		r = expand(tmpl, &x, name, sizeof(name));
		if (r < 0)
			return r == -1 ? M_MAYBE : M_REFUSED;
		if (!r && (!strcmp(name, c->process) ||
			   (pl == SV_NAME_LEN - 1 && !strncmp(name, c->process, pl))))
			return M_YES;
	}
	return M_NO;
}

/* A group's member: its program or fcgi-program (both is an error to supervisord). */
static const struct sv_prog *member(const struct ow_svconf *c, const char *name, size_t n)
{
	const struct sv_prog *found = NULL, *p;
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		p = &c->progs[i];
		if ((p->kind != 'p' && p->kind != 'f') || strncmp(p->name, name, n) || p->name[n])
			continue;
		if (found)
			return NULL;
		found = p;
	}
	return found;
}

/* The programs of [group:<group>] programs= (comma-separated); false when one is unknown. */
static bool group_members(const struct ow_svconf *c, const struct sv_prog **cand, unsigned int *n)
{
	const char *p = c->programs.s, *name;
	size_t len;

	if (c->programs.cut)
		return false;
	for (;;) {
		len = strcspn(p, ",");
		name = trim(p, &len);
		if (*n == SV_PROGRAMS || !(cand[*n] = member(c, name, len)))
			return false;
		(*n)++;
		p += strcspn(p, ",");
		if (!*p++)
			return true;
	}
}

/* The programs that make the name (else those that may): their value (`of`: stopwaitsecs,
 * autorestart) if they agree; -1 when they do not, or one's is not usable (< -1). */
static double pick(const struct ow_svconf *c, const struct sv_prog **cand, unsigned int n,
		   double (*of)(const struct sv_prog *))
{
	enum sv_match mt[SV_PROGRAMS], best = M_NO;
	double v = -1, w;
	bool any = false;
	unsigned int i;

	for (i = 0; i < n; i++) {
		mt[i] = name_match(c, cand[i]);
		if (mt[i] == M_REFUSED)
			return -1;
		if (mt[i] > best)
			best = mt[i];
	}
	for (i = 0; best != M_NO && i < n; i++) {
		if (mt[i] != best)
			continue;
		w = of(cand[i]);
		if (w < -1 || (any && w != v))
			return -1;
		v = w;
		any = true;
	}
	return v;
}

/* The value `of` of the process's program(s), or -1. */
static double value_of(const struct ow_svconf *c, double (*of)(const struct sv_prog *))
{
	const struct sv_prog *cand[SV_PROGRAMS];
	unsigned int n = 0, i;

	if (c->unknown || !c->group[0] || !c->process[0])
		return -1;
	if (c->programs.set) {
		if (!group_members(c, cand, &n))
			return -1;
	} else {
		for (i = 0; i < c->n; i++) {
			if (!strcmp(c->progs[i].name, c->group))
				cand[n++] = &c->progs[i];
		}
	}
	return n ? pick(c, cand, n, of) : -1;
}

double ow_svconf_stopwait(const struct ow_svconf *c)
{
	return value_of(c, stopwait_of);
}

int ow_svconf_autorestart(const struct ow_svconf *c)
{
	double v = value_of(c, autorestart_of);

	return v < 0 ? OW_SV_RESTART_UNKNOWN : (int)v;
}
