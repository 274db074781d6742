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

#endif /* OW_UTF8_H */
