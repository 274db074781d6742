// SPDX-License-Identifier: GPL-2.0
/* JIT perf maps: see userspace/diagnose/perf_map.h. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "perf_map.h"
#include "readfile.h"

/* Hex with an optional 0x, ended by one space: no sign, no leading blanks, no overflow. */
static const char *parse_hex_field(const char *s, uint64_t *out)
{
	const char *p;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (p = s; isxdigit((unsigned char)*p); p++) {
		if (v >> 60)
			return NULL;
		v = v << 4 |
		    (uint64_t)(isdigit((unsigned char)*p) ? *p - '0' : (*p | 0x20) - 'a' + 10);
	}
	if (p == s || *p != ' ')
		return NULL;
	*out = v;
	return p + 1;
}

int ow_perf_map_parse_line(const char *line, uint64_t *start, uint64_t *size, const char **name)
{
	const char *p = parse_hex_field(line, start);

	p = p ? parse_hex_field(p, size) : NULL;
	/* A zero size bounds nothing; a range that wraps is garbage. */
	if (!p || !*p || *p == ' ' || !*size || *start + *size < *start)
		return -EINVAL;
	*name = p;
	return 0;
}

static int add_line(struct ow_symtab *t, char *line, size_t len, uint32_t rank)
{
	const char *name;
	uint64_t start, size;

	if (line[len - 1] != '\n' || memchr(line, '\0', len))
		return 0; /* unterminated: the writer is mid-line */
	line[len - 1] = '\0';
	if (len > 1 && line[len - 2] == '\r')
		line[len - 2] = '\0';
	if (ow_perf_map_parse_line(line, &start, &size, &name))
		return 0;
	return ow_symtab_add(t, start, size, name, strlen(name), rank);
}

int ow_perf_map_load(FILE *f, struct ow_symtab *t)
{
	char *line = malloc(OW_PERF_MAP_LINE_MAX + 1);
	uint32_t rank = 0;
	ssize_t len;
	int err = line ? 0 : -ENOMEM;

	/* Bounded lines: the target writes this file, and a sparse one is gigabytes of NULs
	 * with no newline (getline would allocate them all). */
	while (!err && rank < UINT32_MAX &&
	       (len = ow_read_line(f, line, OW_PERF_MAP_LINE_MAX + 1)) != 0) {
		rank++;
		if (len == -EIO)
			err = -EIO;
		else if (len > 0)
			err = add_line(t, line, (size_t)len, rank);
	}
	free(line);
	return err ? err : ow_symtab_finish(t);
}
