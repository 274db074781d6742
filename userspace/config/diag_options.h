/* SPDX-License-Identifier: GPL-2.0 */
/* The `oomwarden diagnose` flags (diagnose/diagnose.h runs them). */
#ifndef OW_DIAG_OPTIONS_H
#define OW_DIAG_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OW_DIAG_DEFAULT_DURATION 30.0
#define OW_DIAG_DEFAULT_TOP	 5

struct ow_diag_options {
	pid_t pid;	    /* --pid, 0 when not given */
	const char *cgroup; /* --cgroup: a directory, or a path below the memory mount */
	const char *unit;   /* --unit: a systemd unit name */
	double duration_s;
	bool stacks;
	unsigned int top;
	bool json;
	int attach; /* as for run: -1 tries every BPF attach mode */
};

/* Parse the arguments after the word "diagnose" (argv[0] is "diagnose"). A bad flag or value,
 * or not exactly one target, writes one line into err and returns -EINVAL; --help returns 1. */
int ow_diag_options_parse(int argc, char **argv, struct ow_diag_options *d, char *err,
			  size_t errlen);

/* diagnose's getopt table (its --help is the main one: docs/oomwarden.8.in). */
struct option;
const struct option *ow_diag_options_table(void);

#endif /* OW_DIAG_OPTIONS_H */
