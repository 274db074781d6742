/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test's fixture tree in a fresh temporary directory, for what git cannot keep (FIFOs,
 * symbolic links, modes, owners, names with a newline) or a test changes: paths in it, files
 * written and read whole. A failure aborts: it is the test's setup that broke, not the code.
 */
#ifndef OW_TMPTREE_H
#define OW_TMPTREE_H

#include <stddef.h>

/* Make /tmp/ow-test-NAME.XXXXXX, the root of the calls below; returns its path. */
const char *ow_tmptree_new(const char *name);
/* root/rel, in one of four static buffers (a call may use a few at once). */
const char *ow_tmptree_at(const char *rel);
/* Write root/rel (0644, created or truncated) with len bytes of data. */
void ow_tmptree_put(const char *rel, const void *data, size_t len);
/* Write root/rel with the string text. */
void ow_tmptree_puts(const char *rel, const char *text);
/* The first 4 KiB of root/rel in a static buffer, NUL-terminated; "" when it cannot be read. */
const char *ow_tmptree_text(const char *rel);
/* Remove the tree: 0, or -1. */
int ow_tmptree_remove(void);

#endif /* OW_TMPTREE_H */
