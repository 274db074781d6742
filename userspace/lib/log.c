// SPDX-License-Identifier: GPL-2.0
/* Structured logging: see userspace/lib/log.h. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "utf8.h"

#define LINE_MAX_LEN 20000

static struct {
	enum ow_log_format format;
	enum ow_log_level min_level;
	int fd;
} sink = {OW_LOG_TEXT, OW_LOG_INFO, 2};

void ow_log_setup(enum ow_log_format format, enum ow_log_level min_level, int fd)
{
	sink.format = format;
	sink.min_level = min_level;
	sink.fd = fd;
}

struct out {
	char *buf;
	size_t len, pos;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->pos >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos = o->pos + (size_t)n < o->len ? o->pos + (size_t)n : o->len - 1;
}

/*
 * A JSON string body: quotes, backslashes and control characters escaped (C1 too, and DEL:
 * `jq -r` and `journalctl` would hand them to a terminal), a byte that starts no valid UTF-8
 * sequence replaced by U+FFFD, so the line stays valid JSON whatever a cgroup is named.
 */
static void put_json_str(struct out *o, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n;

	for (; *p; p += n) {
		switch (ow_utf8_kind(p, &n)) {
		case OW_UTF8_INVALID:
			put(o, "\\ufffd");
			break;
		case OW_UTF8_CONTROL: /* U+0080-U+009F is C2 80..C2 9F: the code is the 2nd byte */
			put(o, "\\u%04x", n == 2 ? p[1] : p[0]);
			break;
		default:
			if (*p == '"' || *p == '\\')
				put(o, "\\%c", *p);
			else
				put(o, "%.*s", (int)n, (const char *)p);
		}
	}
}

/* Text: control characters and invalid bytes as \xNN; inside quotes, quotes and backslashes
 * escaped by a backslash too. A cgroup named "x\r\e[2K..." must not rewrite an operator's
 * terminal line. */
static void put_text(struct out *o, const char *s, bool quoted)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n, i;

	for (; *p; p += n) {
		if (ow_utf8_kind(p, &n) != OW_UTF8_TEXT) {
			for (i = 0; i < n; i++)
				put(o, "\\x%02x", p[i]);
		} else if (quoted && (*p == '"' || *p == '\\')) {
			put(o, "\\%c", *p);
		} else {
			put(o, "%.*s", (int)n, (const char *)p);
		}
	}
}

/* Must a text value be quoted: empty, a space, '=', a quote, or anything put_text escapes. */
static bool needs_quotes(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (!*p || strpbrk(s, " \"\\="))
		return true;
	for (; *p; p += n)
		if (ow_utf8_kind(p, &n) != OW_UTF8_TEXT)
			return true;
	return false;
}

/* A text value: bare if it is one plain word, else quoted. */
static void put_text_value(struct out *o, const char *s)
{
	if (s && !needs_quotes(s)) {
		put(o, "%s", s);
		return;
	}
	put(o, "\"");
	put_text(o, s, true);
	put(o, "\"");
}

static void put_number(struct out *o, double f, enum ow_log_format format)
{
	if (isfinite(f))
		put(o, "%.6g", f);
	else if (format == OW_LOG_JSON)
		put(o, "null"); /* JSON has no infinity */
	else
		put(o, "inf");
}

static void put_field(struct out *o, const struct ow_field *f, enum ow_log_format format)
{
	if (format == OW_LOG_JSON) {
		put(o, ",\"");
		put_json_str(o, f->key);
		put(o, "\":");
	} else {
		put(o, " %s=", f->key);
	}
	switch (f->type) {
	case 'i':
		put(o, "%lld", f->v.i);
		break;
	case 'f':
		put_number(o, f->v.f, format);
		break;
	default:
		if (format == OW_LOG_JSON) {
			put(o, "\"");
			put_json_str(o, f->v.s);
			put(o, "\"");
		} else {
			put_text_value(o, f->v.s);
		}
	}
}

static const char *level_name(enum ow_log_level level)
{
	static const char *const names[] = {"debug", "info", "warning", "error"};

	return level <= OW_LOG_ERROR ? names[level] : "info";
}

size_t ow_log_format_line(char *buf, size_t len, enum ow_log_format format, long long unix_ns,
			  enum ow_log_level level, const char *event, const char *msg,
			  const struct ow_field *f, unsigned int n)
{
	struct out o = {buf, len, 0};
	time_t secs = (time_t)(unix_ns / 1000000000LL);
	char ts[96];
	struct tm tm;
	unsigned int i;

	if (len < 2) {
		if (len)
			buf[0] = '\0';
		return 0;
	}
	gmtime_r(&secs, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unix_ns / 1000000LL) % 1000);
	if (format == OW_LOG_JSON) {
		put(&o, "{\"time\":\"%s\",\"level\":\"%s\",\"event\":\"", ts, level_name(level));
		put_json_str(&o, event);
		put(&o, "\",\"msg\":\"");
		put_json_str(&o, msg);
		put(&o, "\"");
	} else {
		put(&o, "%s %-7s ", ts, level_name(level));
		put_text(&o, event, false);
		put(&o, ": ");
		put_text(&o, msg, false);
	}
	for (i = 0; i < n; i++) {
		if (f[i].type != 'o' || f[i].v.s)
			put_field(&o, &f[i], format);
	}
	if (format == OW_LOG_JSON)
		put(&o, "}");
	/* Keep room for the newline even when the line was cut. */
	if (o.pos >= len - 1)
		o.pos = len - 2;
	buf[o.pos++] = '\n';
	buf[o.pos] = '\0';
	return o.pos;
}

void ow_log_fields(enum ow_log_level level, const char *event, const char *msg,
		   const struct ow_field *f, unsigned int n)
{
	char line[LINE_MAX_LEN];
	size_t len;

	if (level < sink.min_level)
		return;
	len = ow_log_format_line(line, sizeof(line), sink.format, (long long)ow_realtime_ns(),
				 level, event, msg, f, n);
	/* A log line lost to a full pipe is better than a daemon blocked on it. */
	if (write(sink.fd, line, len) < 0)
		return;
}
