/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Structured log lines on stderr: text (`TIME LEVEL EVENT message key=value ...`) or one JSON
 * object a line. Each line is formatted into one buffer and written with one write(2), so lines
 * from a crash or a second writer never interleave. The sink is set once at start-up, like
 * openlog(3); it is the only state outside the daemon context.
 */
#ifndef OW_LOG_H
#define OW_LOG_H

#include <stddef.h>

enum ow_log_format {
	OW_LOG_TEXT = 0,
	OW_LOG_JSON = 1,
};

enum ow_log_level {
	OW_LOG_DEBUG = 0,
	OW_LOG_INFO = 1,
	OW_LOG_WARN = 2,
	OW_LOG_ERROR = 3,
};

struct ow_field {
	const char *key;
	char type; /* 's' string, 'i' integer, 'f' number, 'o' string left out when NULL */
	union {
		const char *s;
		long long i;
		double f;
	} v;
};

#define OW_STR(k, x) ((struct ow_field){.key = (k), .type = 's', .v.s = (x)})
#define OW_INT(k, x) ((struct ow_field){.key = (k), .type = 'i', .v.i = (long long)(x)})
#define OW_NUM(k, x) ((struct ow_field){.key = (k), .type = 'f', .v.f = (double)(x)})
/* A field only some lines have (a pod's names): no key at all when x is NULL. */
#define OW_OPT(k, x) ((struct ow_field){.key = (k), .type = 'o', .v.s = (x)})

void ow_log_setup(enum ow_log_format format, enum ow_log_level min_level, int fd);

/* Format one line (with '\n') into buf; returns its length (truncated to len - 1). Pure but
 * for the wall-clock time `unix_ns` the caller passes. */
size_t ow_log_format_line(char *buf, size_t len, enum ow_log_format format, long long unix_ns,
			  enum ow_log_level level, const char *event, const char *msg,
			  const struct ow_field *f, unsigned int n);

void ow_log_fields(enum ow_log_level level, const char *event, const char *msg,
		   const struct ow_field *f, unsigned int n);

#define ow_log(level, event, msg, ...)                                                             \
	do {                                                                                       \
		const struct ow_field _ow_f[] = {__VA_ARGS__};                                     \
		ow_log_fields(level, event, msg, _ow_f, sizeof(_ow_f) / sizeof(_ow_f[0]));         \
	} while (0)

#endif /* OW_LOG_H */
