// SPDX-License-Identifier: GPL-2.0
/* Growable text buffer: see userspace/lib/strbuf.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static bool reserve(struct ow_strbuf *sb, size_t extra)
{
	size_t cap = sb->cap ? sb->cap : 256;
	char *p;

	if (sb->failed)
		return false;
	if (sb->len + extra + 1 <= sb->cap)
		return true;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	p = realloc(sb->buf, cap);
	if (!p) {
		sb->failed = true;
		return false;
	}
	sb->buf = p;
	sb->cap = cap;
	return true;
}

void ow_strbuf_append(struct ow_strbuf *sb, const char *s, size_t n)
{
	if (!reserve(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void ow_strbuf_printf(struct ow_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!reserve(sb, 0))
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->failed = true;
		return;
	}
	if ((size_t)n >= sb->cap - sb->len) {
		if (!reserve(sb, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

const char *ow_strbuf_str(const struct ow_strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

void ow_strbuf_reset(struct ow_strbuf *sb)
{
	sb->len = 0;
	sb->failed = false;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void ow_strbuf_free(struct ow_strbuf *sb)
{
	free(sb->buf);
	memset(sb, 0, sizeof(*sb));
}
