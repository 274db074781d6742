/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `oomwarden diagnose`: watch one process, cgroup or systemd unit for a while through the
 * daemon's BPF tracking and report whether it leaks, how fast, which mappings grow and (with
 * --stacks) which call stacks hold the memory.
 */
#ifndef OW_DIAGNOSE_H
#define OW_DIAGNOSE_H

#include "diag_options.h"

/* Run the diagnosis and print the report on stdout. Returns the exit status: 0 done, 1 a
 * runtime failure, 2 a target that does not exist (reported on stderr, one line). */
int ow_diagnose_run(const struct ow_diag_options *d);

#endif /* OW_DIAGNOSE_H */
