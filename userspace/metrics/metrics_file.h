/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metrics file (`--metrics-file PATH`), for node_exporter's textfile collector: each
 * version is written to a temporary file in the same directory, fsynced and renamed over
 * PATH, so a reader sees the old file or the new one, never half of one.
 *
 * fsync can take seconds on a busy disk, and the daemon's loop must never wait on it: the
 * writes happen on a thread of their own. The loop hands over the text (a buffer swap under a
 * mutex held only for that) and goes on; a version not yet written is replaced by the next.
 */
#ifndef OW_METRICS_FILE_H
#define OW_METRICS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* Write text to path atomically (temporary file "<dir>/.<name>.XXXXXX", mode 0644, fsync,
 * rename). Blocking; 0 or -errno. */
int ow_metrics_file_write(const char *path, const char *text, size_t len);

struct ow_metrics_writer;

/* Start the writer thread for `path` (kept by pointer). 0 and *out, or -errno. */
int ow_metrics_writer_start(const char *path, struct ow_metrics_writer **out);

/* Hand `text` over: its content is swapped with the writer's pending buffer, so the caller
 * gets back an old buffer to reuse. Never waits on I/O. */
void ow_metrics_writer_submit(struct ow_metrics_writer *w, struct ow_strbuf *text);

struct ow_metrics_writer_status {
	int last_err; /* of the latest write: 0 or -errno */
	uint64_t writes, failures;
};
struct ow_metrics_writer_status ow_metrics_writer_status(struct ow_metrics_writer *w);

/* Write what is pending, then end the thread and free w. */
void ow_metrics_writer_stop(struct ow_metrics_writer *w);

#endif /* OW_METRICS_FILE_H */
