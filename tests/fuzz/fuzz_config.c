// SPDX-License-Identifier: GPL-2.0
/* The config file (/etc/oomwarden.conf, inih): the reader over the input as a file, and the
 * diff against the defaults that a reload logs. */
#include "fuzz.h"
#include "config.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_options o, defaults;
	const char *path = fuzz_put("oomwarden.conf", data, size);
	struct ow_config_change changes[64];
	char err[256];

	ow_options_init(&defaults);
	ow_options_init(&o);
	if (!ow_config_read(path, &o, err, sizeof(err)))
		ow_config_diff(&defaults, &o, changes, 64);
	ow_options_free(&o);
	ow_options_free(&defaults);
	return 0;
}
