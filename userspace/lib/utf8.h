/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UTF-8 validation for text that processes set themselves (names, command lines) before it
 * goes to strict parsers: JSON receivers, Prometheus scrapers.
 */
#ifndef OW_UTF8_H
#define OW_UTF8_H

#include <stddef.h>

/* Length (1-4) of the valid UTF-8 sequence at s, or 0 if it is not one. s is NUL-terminated. */
size_t ow_utf8_seq_len(const unsigned char *s);

/*
 * What a terminal or a log reader must never get raw: a control character (C0 0x00-0x1f, DEL,
 * or C1 U+0080-U+009F, i.e. bytes C2 80..C2 9F: ESC, CSI and CR rewrite what a terminal shows)
 * or a byte that starts no valid sequence (raw 0x9b is a CSI to an 8-bit terminal).
 */
enum ow_utf8_kind {
	OW_UTF8_TEXT = 0,
	OW_UTF8_CONTROL,
	OW_UTF8_INVALID,
};

/* The kind of the character at s (NUL-terminated, *s != 0) and its length in *len (1 for an
 * invalid byte). */
enum ow_utf8_kind ow_utf8_kind(const unsigned char *s, size_t *len);

/* s (NULL: "") into buf with every control character and invalid byte written as \xNN, one
 * escape a byte; cut before a character or an escape that would not fit. Returns the length
 * (buf is NUL-terminated when size > 0). */
size_t ow_utf8_escape(char *buf, size_t size, const char *s);

#endif /* OW_UTF8_H */
