/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JIT symbol maps (/tmp/perf-PID.map, as written by `node --perf-basic-prof`, the JVM's
 * perf-map-agent, .NET, LuaJIT...): one "START SIZE name" line per compiled function, START and
 * SIZE in hex (an optional 0x), the name to the end of the line, spaces allowed. The writer
 * appends while we read and reuses memory freed by its GC: a later line for an address wins
 * over an earlier one, and a last line without its newline is still being written.
 */
#ifndef OW_PERF_MAP_H
#define OW_PERF_MAP_H

#include <stdint.h>
#include <stdio.h>

#include "symtab.h"

/* Longer lines are skipped (a function name is far shorter). */
#define OW_PERF_MAP_LINE_MAX 4096
/* A larger map is not read at all: node's grows without end, but not to this; a sparse file
 * can claim any size. */
#define OW_PERF_MAP_MAX (256 << 20)

/* Parse one line without its newline; *name points into line. Returns 0 or -EINVAL. */
int ow_perf_map_parse_line(const char *line, uint64_t *start, uint64_t *size, const char **name);

/*
 * Add every well-formed line of f to t (an OW_PICK_HIGHEST table: rank = line number) and
 * finish it. Malformed, unterminated and overlong lines are skipped. Returns 0 or -errno.
 */
int ow_perf_map_load(FILE *f, struct ow_symtab *t);

#endif /* OW_PERF_MAP_H */
