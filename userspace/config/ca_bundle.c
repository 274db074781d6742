// SPDX-License-Identifier: GPL-2.0
/* The webhook CA bundle: see userspace/config/ca_bundle.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_bundle.h"
#include "readfile.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END	  "-----END CERTIFICATE-----"
#define B64_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

static bool is_line(const char *s, size_t n, const char *what)
{
	return n == strlen(what) && !memcmp(s, what, n);
}

static bool is_base64(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!s[i] || !strchr(B64_CHARS " \t", s[i]))
			return false;
	return true;
}

int ow_ca_bundle_check(const char *pem, size_t len, unsigned int *bad_line)
{
	const char *p = pem, *end = pem + len, *nl;
	unsigned int line = 0, begin_line = 0;
	size_t n, body = 0;
	bool in_cert = false;
	int certs = 0;

	for (; p < end; p = nl ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		line++;
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--; /* CRLF files and trailing blanks are fine for OpenSSL too */
		if (!in_cert) {
			in_cert = is_line(p, n, PEM_BEGIN);
			begin_line = line;
			body = 0;
			continue;
		}
		if (is_line(p, n, PEM_END) && body) {
			in_cert = false;
			certs++;
			continue;
		}
		if (is_line(p, n, PEM_END) || !is_base64(p, n)) {
			*bad_line = line;
			return -EINVAL;
		}
		body += n;
	}
	if (in_cert || !certs) {
		*bad_line = in_cert ? begin_line : 0; /* a block never closed: where it began */
		return -EINVAL;
	}
	return certs;
}

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* A regular file only, at most OW_CA_BUNDLE_MAX bytes: a FIFO must not hang the start. */
static int read_file(const char *path, const char *name, struct ow_ca_bundle *out, char *err,
		     size_t errlen)
{
	ssize_t n = ow_read_untrusted(AT_FDCWD, path, 0, OW_CA_BUNDLE_MAX, &out->pem);

	if (n == -EINVAL || n == -EISDIR)
		return fail(err, errlen, -EINVAL, "%s: '%s' is not a regular file", name, path);
	if (n == -EFBIG)
		return fail(err, errlen, -EFBIG, "%s: '%s' is larger than %d KiB: not a CA bundle",
			    name, path, OW_CA_BUNDLE_MAX >> 10);
	if (n < 0)
		return fail(err, errlen, (int)n, "%s: cannot read '%s': %s", name, path,
			    strerror((int)-n));
	out->len = (size_t)n;
	return 0;
}

int ow_ca_bundle_read(const char *path, const char *name, struct ow_ca_bundle *out, char *err,
		      size_t errlen)
{
	struct ow_ca_bundle b = {0};
	unsigned int line = 0;
	int ret = read_file(path, name, &b, err, errlen);

	if (ret)
		return ret;
	if (ow_ca_bundle_check(b.pem, b.len, &line) < 0) {
		ow_ca_bundle_free(&b);
		if (!line)
			return fail(err, errlen, -EINVAL,
				    "%s: '%s' holds no PEM certificate (" PEM_BEGIN " ... " PEM_END
				    ")",
				    name, path);
		return fail(err, errlen, -EINVAL, "%s: '%s' line %u: malformed PEM certificate",
			    name, path, line);
	}
	*out = b;
	return 0;
}

bool ow_ca_bundle_equal(const struct ow_ca_bundle *a, const struct ow_ca_bundle *b)
{
	if (!a->pem || !b->pem)
		return !a->pem && !b->pem;
	return a->len == b->len && !memcmp(a->pem, b->pem, a->len);
}

void ow_ca_bundle_free(struct ow_ca_bundle *b)
{
	free(b->pem);
	b->pem = NULL;
	b->len = 0;
}
