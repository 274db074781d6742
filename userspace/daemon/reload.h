/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIGHUP: what a reload changes. The daemon re-reads the config file and the command line into
 * a new struct ow_options (config.h); this logs each difference from the running one and carries
 * over the running values of what only a restart can change, so the new options describe what
 * will really be in effect.
 */
#ifndef OW_RELOAD_H
#define OW_RELOAD_H

#include <stdbool.h>

#include "options.h"

/* Log every change from `from` to `to` (webhook URLs redacted; a webhook_ca file whose bytes
 * changed at the same path counts as a change) and copy into `to` the running values of the
 * settings that need a restart. Returns the number of changes. */
unsigned int ow_reload_prepare(const struct ow_options *from, struct ow_options *to);

/* Do the two configurations send alerts differently: other targets, or another webhook_ca
 * (a path, or new bytes at the same path)? Then the alert sender is restarted. */
bool ow_reload_alerter_changed(const struct ow_options *from, const struct ow_options *to);

/* Do they watch different --cgroup subtrees? */
bool ow_reload_cgroups_changed(const struct ow_options *from, const struct ow_options *to);

#endif /* OW_RELOAD_H */
