/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record of the brakes in force (memory.high written by the daemon, memory_high.h), kept in
 * a file so that a daemon restarted after a crash or a SIGKILL puts every original value back.
 *
 * The file (default OW_BRAKE_STATE_PATH), written whole and atomically at each change: comment
 * lines start with '#'; every other line is one brake,
 *
 *     PATH ID ORIGINAL WRITTEN SET_AT\n
 *
 * separated by single spaces. PATH is the cgroup directory (absolute) with every byte outside
 * '!'..'~', and '\', written as \xHH (two lowercase hex digits): a space or a newline in a
 * cgroup name (a delegated subtree's names may hold any byte but '/' and NUL) can neither split
 * a field nor start a line. ID is the directory's inode (the memcg id; 0: not checked),
 * ORIGINAL the memory.high found before the first brake and WRITTEN the value written ("max" or
 * decimal bytes), SET_AT the time it was written (CLOCK_REALTIME seconds, decimal). A line that
 * does not parse (cut short, no final newline, a bad number or escape, a path not absolute or
 * of PATH_MAX bytes or more) is skipped and counted. Errors are returned as -errno.
 */
#ifndef OW_BRAKE_STATE_H
#define OW_BRAKE_STATE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define OW_BRAKE_STATE_PATH "/run/oomwarden/brakes"
#define OW_BRAKE_MAX	    4096 /* brakes in the table at once */

/* One brake in force. */
struct ow_brake {
	char *path;	    /* the cgroup directory; in a table, its own copy */
	uint64_t cg_id;	    /* the directory's inode (the memcg id); 0: not checked */
	uint64_t orig_high; /* memory.high before the first brake; OW_NO_LIMIT for "max" */
	uint64_t set_high;  /* the value written */
	int64_t set_at;	    /* when, CLOCK_REALTIME seconds */
};

/* The table, and the file it is saved to. */
struct ow_brake_state {
	char file[PATH_MAX];
	struct ow_brake *v; /* n entries, room for cap (grows up to OW_BRAKE_MAX) */
	unsigned int n, cap;
};

/* An empty table saved to `file` (absolute; its directory is made at the first save).
 * -EINVAL for a relative path, -ENAMETOOLONG. */
int ow_brake_state_init(struct ow_brake_state *st, const char *file);
/* Drop every entry and the memory (the file is left as it is). */
void ow_brake_state_free(struct ow_brake_state *st);

/*
 * Record a brake (the path is copied). An entry for the same path and cg_id keeps its
 * orig_high, so a brake written over our own brake never records our value as the original;
 * with another cg_id (a new cgroup of the same name) the entry is replaced whole. -EINVAL for a
 * path not absolute, -ENAMETOOLONG at PATH_MAX bytes, -ENOSPC when the table holds OW_BRAKE_MAX
 * other brakes, -ENOMEM. The file is not written: ow_brake_state_save.
 */
int ow_brake_put(struct ow_brake_state *st, const struct ow_brake *b);
/* Forget the brake of `path`: 0, or -ENOENT when there is none. */
int ow_brake_remove(struct ow_brake_state *st, const char *path);
/* The brake of `path`, or NULL; valid until the table changes. */
const struct ow_brake *ow_brake_find(const struct ow_brake_state *st, const char *path);

/*
 * Parse one line of the file (with its final newline) into *out, the path decoded into
 * path[size]. 0, or -EINVAL for a malformed line, -ENAMETOOLONG for a path that does not fit.
 * Pure.
 */
int ow_brake_parse_line(const char *line, char *path, size_t size, struct ow_brake *out);

/*
 * Replace the table with the file's brakes. The file and its directory must belong to this
 * user and be writable by no one else (-EPERM), the file must be a regular file (-ELOOP for a
 * symbolic link, which is never followed; -EINVAL for a FIFO, a device). Malformed lines, and
 * lines past OW_BRAKE_MAX brakes, are skipped and counted in *bad (may be NULL). Returns the
 * number of brakes loaded, -ENOENT when there is no file (nothing to restore), or -errno; the
 * table is left empty on an error.
 */
int ow_brake_state_load(struct ow_brake_state *st, unsigned int *bad);

/*
 * Write the table to its file atomically: a temporary file (0600, O_EXCL) in the same
 * directory, fsync, rename over the file (a symbolic link planted there is replaced, never
 * followed), fsync of the directory. The directory is made 0700 when missing (its parent must
 * exist) and must belong to this user and be writable by no one else (-EPERM).
 */
int ow_brake_state_save(const struct ow_brake_state *st);

/* What became of one brake at its lift. */
enum ow_brake_outcome {
	OW_BRAKE_RESTORED, /* memory.high was still the value written: the original is back */
	OW_BRAKE_LEFT,	   /* someone changed memory.high since: left as it is */
	OW_BRAKE_GONE,	   /* the cgroup is gone (or is another cgroup of the same name) */
	OW_BRAKE_FAILED,   /* memory.high could not be read or written (*err says why) */
};

/* Lift one brake: read memory.high of b->path; if it is still b->set_high, write b->orig_high
 * (memory_high.h, `root` the cgroup2 mount). The table is not changed. */
enum ow_brake_outcome ow_brake_restore(const struct ow_brake *b, const char *root, int *err);

/* What ow_brake_restore_all did, for one line of log. */
struct ow_brake_restored {
	unsigned int restored, left, gone, failed;
	int first_err; /* the first failure's -errno, 0 when none failed */
};

/*
 * Lift every brake of the table (at exit, and at start after ow_brake_state_load), then empty
 * the table and save it (the file then holds no brake). Returns 0 or the save's -errno; the
 * counts are filled either way.
 */
int ow_brake_restore_all(struct ow_brake_state *st, const char *root,
			 struct ow_brake_restored *out);

#endif /* OW_BRAKE_STATE_H */
