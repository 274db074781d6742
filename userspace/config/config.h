/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The config file (/etc/oomwarden.conf, or --config FILE): INI, read with inih. The global part
 * holds one key per flag (options.h: ow_settings); [cgroup "PATTERN"] sections hold per-cgroup
 * settings (rules.h). Errors are one line, "FILE:LINE: ..." naming the key, and -EINVAL.
 */
#ifndef OW_CONFIG_H
#define OW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

#define OW_DEFAULT_CONFIG "/etc/oomwarden.conf"

/*
 * Read the file at `path` into o, over o's current values (list keys add to o's lists).
 * 0; -ENOENT (and a message) when it does not exist; -EINVAL or -errno with one line in err.
 */
int ow_config_read(const char *path, struct ow_options *o, char *err, size_t errlen);

/*
 * Everything a command needs, at start-up and on reload: the defaults, then for run, status
 * and alert-test the config file (--config FILE, else `default_path` if it exists: a missing
 * default file is no error), then the command line over it, then for run and alert-test the
 * webhook_ca file (its error names it; -errno). o remembers argc, argv and
 * `default_path` (which must outlive it) so a reload can do the same again.
 */
int ow_options_load(int argc, char **argv, const char *default_path, struct ow_options *o,
		    char *err, size_t errlen);

/* One setting or section that differs between two configurations. */
struct ow_config_change {
	enum ow_setting setting; /* OW_SET_COUNT: a [cgroup] section */
	const char *section;	 /* its pattern, for a section */
	bool needs_restart;	 /* a reload cannot apply it */
};

/* The differences from `from` to `to`, at most `max` of them; returns how many there are. */
unsigned int ow_config_diff(const struct ow_options *from, const struct ow_options *to,
			    struct ow_config_change *out, unsigned int max);

#endif /* OW_CONFIG_H */
