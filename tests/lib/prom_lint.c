// SPDX-License-Identifier: GPL-2.0
/* Exposition-format checker for the tests: see tests/lib/prom_lint.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom_lint.h"

#define NAME_MAX_LEN 200
#define MAX_LABELS   32

struct family {
	char name[NAME_MAX_LEN];
	char type[16];
	bool help, typed, sampled;
};

struct lint {
	struct family *fams;
	size_t nfams, capfams;
	char **series;
	size_t nseries, capseries;
	long cur; /* index of the family whose block we are in, -1 before any */
	unsigned int line;
	char *err;
	size_t errlen;
};

static int fail(struct lint *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct lint *l, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(l->err, l->errlen, "line %u: ", l->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < l->errlen)
		vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_alpha_(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or label name (no ':') at p. */
static size_t name_len(const char *p, bool metric)
{
	size_t n = 0;

	while (is_alpha_(p[n]) || (metric && p[n] == ':') || (n && is_digit(p[n])))
		n++;
	return n;
}

static bool valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;

	while (i < len) {
		unsigned char c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		n = c >= 0xc2 && c <= 0xdf   ? 2
		    : c >= 0xe0 && c <= 0xef ? 3
		    : c >= 0xf0 && c <= 0xf4 ? 4
					     : 0;
		if (!n || i + n > len)
			return false;
		for (k = 1; k < n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f) ||
		    (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] > 0x8f))
			return false;
		i += n;
	}
	return true;
}

static struct family *find_family(struct lint *l, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < l->nfams; i++)
		if (strlen(l->fams[i].name) == n && !strncmp(l->fams[i].name, name, n))
			return &l->fams[i];
	return NULL;
}

/* The family a HELP or TYPE line names: new, or the current one (blocks are contiguous). */
static struct family *enter_family(struct lint *l, const char *name, size_t n)
{
	struct family *f = find_family(l, name, n);

	if (f) {
		if (f - l->fams != l->cur) {
			fail(l, "family %.*s appears again after other families", (int)n, name);
			return NULL;
		}
		return f;
	}
	if (n >= NAME_MAX_LEN) {
		fail(l, "metric name too long");
		return NULL;
	}
	if (l->nfams == l->capfams) {
		size_t cap = l->capfams ? l->capfams * 2 : 32;
		struct family *p = realloc(l->fams, cap * sizeof(*p));

		if (!p) {
			fail(l, "out of memory");
			return NULL;
		}
		l->fams = p;
		l->capfams = cap;
	}
	f = &l->fams[l->nfams];
	memset(f, 0, sizeof(*f));
	memcpy(f->name, name, n);
	l->cur = (long)l->nfams++;
	return f;
}

/* HELP text: any UTF-8, with \\ and \n the only escapes. */
static int check_help_text(struct lint *l, const char *p, const char *end)
{
	for (; p < end; p++) {
		if (*p != '\\')
			continue;
		if (p + 1 == end || (p[1] != '\\' && p[1] != 'n'))
			return fail(l, "bad escape in HELP text (only \\\\ and \\n)");
		p++;
	}
	return 0;
}

static int comment_line(struct lint *l, const char *p, const char *end)
{
	static const char *const types[] = {"counter", "gauge", "histogram", "summary", "untyped"};
	bool help = !strncmp(p, "# HELP ", 7), type = !strncmp(p, "# TYPE ", 7);
	struct family *f;
	size_t n, i;

	if (!help && !type)
		return fail(l, "a comment that is neither '# HELP ' nor '# TYPE '");
	p += 7;
	n = name_len(p, true);
	if (!n)
		return fail(l, "invalid metric name after %s", help ? "HELP" : "TYPE");
	f = enter_family(l, p, n);
	if (!f)
		return -EINVAL;
	p += n;
	if (help) {
		if (f->help)
			return fail(l, "second HELP for %s", f->name);
		f->help = true;
		if (p == end)
			return 0;
		if (*p != ' ')
			return fail(l, "HELP name not followed by a space");
		return check_help_text(l, p + 1, end);
	}
	if (f->typed)
		return fail(l, "second TYPE for %s", f->name);
	if (f->sampled)
		return fail(l, "TYPE for %s after its samples", f->name);
	if (*p != ' ')
		return fail(l, "TYPE name not followed by a space");
	p++;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if ((size_t)(end - p) == strlen(types[i]) &&
		    !strncmp(p, types[i], strlen(types[i])))
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		return fail(l, "unknown type '%.*s'", (int)(end - p), p);
	n = strlen(f->name);
	if (!strcmp(types[i], "counter") != (n > 6 && !strcmp(f->name + n - 6, "_total")))
		return fail(l, "%s: counters and only counters are named *_total", f->name);
	snprintf(f->type, sizeof(f->type), "%s", types[i]);
	f->typed = true;
	return 0;
}

struct label {
	const char *name;
	size_t nlen;
	const char *value; /* raw, escapes included */
	size_t vlen;
};

/* A quoted label value at *pp (just past the opening quote): \\ \" \n the only escapes. */
static int label_value(struct lint *l, const char **pp, const char *end, struct label *lb)
{
	const char *p = *pp;

	lb->value = p;
	for (; p < end && *p != '"'; p++) {
		if (*p != '\\')
			continue;
		if (p + 1 == end || (p[1] != '\\' && p[1] != '"' && p[1] != 'n'))
			return fail(l, "bad escape in the value of label %.*s", (int)lb->nlen,
				    lb->name);
		p++;
	}
	if (p == end)
		return fail(l, "unterminated label value");
	lb->vlen = (size_t)(p - lb->value);
	*pp = p + 1;
	return 0;
}

static int labels(struct lint *l, const char **pp, const char *end, struct label *lbs, size_t *nlbs)
{
	const char *p = *pp + 1; /* past '{' */
	size_t i;

	*nlbs = 0;
	while (p < end && *p != '}') {
		struct label *lb = &lbs[*nlbs];

		if (*nlbs == MAX_LABELS)
			return fail(l, "more than %d labels", MAX_LABELS);
		lb->name = p;
		lb->nlen = name_len(p, false);
		if (!lb->nlen)
			return fail(l, "invalid label name");
		if (lb->nlen >= 2 && p[0] == '_' && p[1] == '_')
			return fail(l, "label names starting with __ are reserved");
		for (i = 0; i < *nlbs; i++)
			if (lbs[i].nlen == lb->nlen && !strncmp(lbs[i].name, p, lb->nlen))
				return fail(l, "label %.*s twice", (int)lb->nlen, p);
		p += lb->nlen;
		if (end - p < 2 || p[0] != '=' || p[1] != '"')
			return fail(l, "label %.*s not followed by =\"", (int)lb->nlen, lb->name);
		p += 2;
		if (label_value(l, &p, end, lb))
			return -EINVAL;
		(*nlbs)++;
		if (p < end && *p == ',')
			p++;
		else if (p < end && *p != '}')
			return fail(l, "expected , or } after a label");
	}
	if (p == end)
		return fail(l, "unterminated label set");
	*pp = p + 1;
	return 0;
}

/* [+-]?(digits[.digits]|.digits)([eE][+-]?digits)?, or +Inf, -Inf, NaN (Go's float syntax
 * minus hex, underscores and lower-case infinities, which we never write). */
static bool number(const char *p, const char *end, double *out)
{
	const char *s = p;
	char buf[64];
	bool digits = false;

	if ((end - p == 4 && (!strncmp(p, "+Inf", 4) || !strncmp(p, "-Inf", 4))) ||
	    (end - p == 3 && !strncmp(p, "NaN", 3))) {
		*out = p[0] == '-' ? -INFINITY : p[0] == '+' ? INFINITY : NAN;
		return true;
	}
	if (p < end && (*p == '+' || *p == '-'))
		p++;
	while (p < end && is_digit(*p))
		p++, digits = true;
	if (p < end && *p == '.')
		for (p++; p < end && is_digit(*p); p++)
			digits = true;
	if (!digits)
		return false;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !is_digit(*p))
			return false;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p != end || end - s >= (long)sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(end - s));
	buf[end - s] = '\0';
	*out = strtod(buf, NULL);
	return true;
}

static int cmp_label(const void *a, const void *b)
{
	const struct label *x = a, *y = b;
	size_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
	int c = strncmp(x->name, y->name, n);

	return c ? c : (int)x->nlen - (int)y->nlen;
}

/* name{sorted labels}: two samples with the same key are the same series. */
static int add_series(struct lint *l, const char *name, size_t n, struct label *lbs, size_t nlbs)
{
	size_t i, len = n + 3;
	char *key, *k;

	qsort(lbs, nlbs, sizeof(*lbs), cmp_label);
	for (i = 0; i < nlbs; i++)
		len += lbs[i].nlen + lbs[i].vlen + 4;
	key = k = malloc(len);
	if (!key)
		return fail(l, "out of memory");
	k += sprintf(k, "%.*s{", (int)n, name);
	for (i = 0; i < nlbs; i++)
		k += sprintf(k, "%.*s=\"%.*s\",", (int)lbs[i].nlen, lbs[i].name, (int)lbs[i].vlen,
			     lbs[i].value);
	sprintf(k, "}");
	for (i = 0; i < l->nseries; i++) {
		if (!strcmp(l->series[i], key)) {
			fail(l, "series %s twice", key);
			free(key);
			return -EINVAL;
		}
	}
	if (l->nseries == l->capseries) {
		size_t cap = l->capseries ? l->capseries * 2 : 64;
		char **p = realloc(l->series, cap * sizeof(*p));

		if (!p) {
			free(key);
			return fail(l, "out of memory");
		}
		l->series = p;
		l->capseries = cap;
	}
	l->series[l->nseries++] = key;
	return 0;
}

/* The family a sample belongs to: its own name, or a histogram's or summary's base name. */
static struct family *sample_family(struct lint *l, const char *name, size_t n)
{
	static const char *const suffixes[] = {"_bucket", "_sum", "_count"};
	struct family *f = find_family(l, name, n);
	size_t i, sl;

	if (f && f->typed)
		return f;
	for (i = 0; i < 3; i++) {
		sl = strlen(suffixes[i]);
		if (n <= sl || strncmp(name + n - sl, suffixes[i], sl))
			continue;
		f = find_family(l, name, n - sl);
		if (f && (!strcmp(f->type, "histogram") || (!strcmp(f->type, "summary") && i)))
			return f;
	}
	return NULL;
}

static int sample_line(struct lint *l, const char *p, const char *end)
{
	struct label lbs[MAX_LABELS];
	const char *name = p, *v;
	size_t n = name_len(p, true), nlbs = 0;
	struct family *f;
	double value;

	if (!n)
		return fail(l, "invalid metric name");
	f = sample_family(l, name, n);
	if (!f)
		return fail(l, "sample of %.*s without a TYPE before it", (int)n, name);
	if (f - l->fams != l->cur)
		return fail(l, "sample of %s outside its family's block", f->name);
	p += n;
	if (p < end && *p == '{' && labels(l, &p, end, lbs, &nlbs))
		return -EINVAL;
	if (p == end || *p != ' ')
		return fail(l, "expected one space before the value");
	v = ++p;
	while (p < end && *p != ' ')
		p++;
	if (!number(v, p, &value))
		return fail(l, "invalid value '%.*s'", (int)(p - v), v);
	if (!strcmp(f->type, "counter") && !(value >= 0 && isfinite(value)))
		return fail(l, "counter %s with value '%.*s'", f->name, (int)(p - v), v);
	if (p < end) {
		/* A timestamp: integer milliseconds. */
		const char *t = ++p;

		if (p < end && *p == '-')
			p++;
		while (p < end && is_digit(*p))
			p++;
		if (p != end || p == t || (*t == '-' && p == t + 1))
			return fail(l, "invalid timestamp '%.*s'", (int)(end - t), t);
	}
	f->sampled = true;
	return add_series(l, name, n, lbs, nlbs);
}

static void lint_free(struct lint *l)
{
	size_t i;

	for (i = 0; i < l->nseries; i++)
		free(l->series[i]);
	free(l->series);
	free(l->fams);
}

int ow_prom_lint(const char *text, size_t len, char *err, size_t errlen)
{
	struct lint l = {.cur = -1, .err = err, .errlen = errlen};
	const char *p = text, *end = text + len, *nl;
	int ret = 0;

	if (len && text[len - 1] != '\n')
		return fail(&l, "the text does not end with a newline");
	if (memchr(text, '\0', len))
		return fail(&l, "a NUL byte");
	if (!valid_utf8((const unsigned char *)text, len))
		return fail(&l, "not UTF-8");
	for (; p < end && !ret; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		l.line++;
		if (nl == p)
			ret = fail(&l, "empty line");
		else if (*p == '#')
			ret = comment_line(&l, p, nl);
		else
			ret = sample_line(&l, p, nl);
	}
	if (!ret)
		ret = (int)l.nseries;
	lint_free(&l);
	return ret;
}
