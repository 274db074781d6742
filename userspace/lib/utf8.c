// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>

#include "utf8.h"

size_t ow_utf8_seq_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* A NUL is not a continuation byte, so this stops at the end of the string. */
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and code points past U+10FFFF (RFC 3629, section 4). */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

enum ow_utf8_kind ow_utf8_kind(const unsigned char *s, size_t *len)
{
	*len = ow_utf8_seq_len(s);
	if (!*len) {
		*len = 1;
		return OW_UTF8_INVALID;
	}
	if (s[0] < 0x20 || s[0] == 0x7f || (s[0] == 0xc2 && s[1] <= 0x9f))
		return OW_UTF8_CONTROL;
	return OW_UTF8_TEXT;
}

size_t ow_utf8_escape(char *buf, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t pos = 0, n, i;

	if (!size)
		return 0;
	while (*p) {
		bool esc = ow_utf8_kind(p, &n) != OW_UTF8_TEXT;

		if (pos + (esc ? 4 * n : n) >= size)
			break;
		for (i = 0; i < n && esc; i++)
			pos += (size_t)snprintf(buf + pos, size - pos, "\\x%02x", p[i]);
		for (i = 0; i < n && !esc; i++)
			buf[pos++] = (char)p[i];
		p += n;
	}
	buf[pos] = '\0';
	return pos;
}
