/* SPDX-License-Identifier: GPL-2.0 */
/* What options.c and option_values.c share, private to config/. */
#ifndef OW_OPTIONS_INT_H
#define OW_OPTIONS_INT_H

#include <stddef.h>

/* One line into err; returns -EINVAL, so a parser can `return ow_options_fail(...)`. */
int ow_options_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* OW_OPTIONS_INT_H */
