// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/smaps text (diagnose, and the act alert's mappings), and the diff of two parses (the
 * input and its first half). */
#include "fuzz.h"
#include "smaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_smaps a = {0}, b = {0};
	struct ow_smaps_delta *d = NULL;
	size_t n = 0;

	if (!ow_smaps_parse((const char *)data, size / 2, &a) &&
	    !ow_smaps_parse((const char *)data, size, &b) && !ow_smaps_diff(&a, &b, &d, &n))
		free(d);
	ow_smaps_free(&a);
	ow_smaps_free(&b);
	return 0;
}
