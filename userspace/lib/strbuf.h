/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growable text buffer for formatters that do not know their output size in advance. An
 * allocation failure is sticky (`failed`), so a formatter appends freely and checks once.
 */
#ifndef OW_STRBUF_H
#define OW_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct ow_strbuf {
	char *buf; /* NUL-terminated once anything was appended */
	size_t len, cap;
	bool failed; /* an allocation failed: the content is incomplete */
};

void ow_strbuf_printf(struct ow_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ow_strbuf_append(struct ow_strbuf *sb, const char *s, size_t n);
/* The text so far: "" before anything was appended (buf is NULL until then). */
const char *ow_strbuf_str(const struct ow_strbuf *sb);
/* Empty the buffer, keeping its memory for the next round. */
void ow_strbuf_reset(struct ow_strbuf *sb);
void ow_strbuf_free(struct ow_strbuf *sb);

#endif /* OW_STRBUF_H */
