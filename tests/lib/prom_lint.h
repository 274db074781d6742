/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict checker of the Prometheus text exposition format (0.0.4), for the tests: the unit
 * tests run it over the formatter's output, build/prom-lint over the daemon's metrics file.
 * Stricter than Prometheus where our output has no reason to differ (single spaces, no blank
 * lines, no comments other than HELP and TYPE, a TYPE for every family).
 */
#ifndef OW_PROM_LINT_H
#define OW_PROM_LINT_H

#include <stddef.h>

/*
 * Check every line: "# HELP name text", "# TYPE name type", or "name{labels} value [timestamp]".
 * Names and label names valid, label values and HELP text validly escaped, the whole text
 * UTF-8 ending in a newline, a TYPE before a family's samples, each family's lines together,
 * counters named *_total with non-negative finite values, no series twice.
 * Returns the number of samples, or -EINVAL with "line N: why" in err.
 */
int ow_prom_lint(const char *text, size_t len, char *err, size_t errlen);

#endif /* OW_PROM_LINT_H */
