// SPDX-License-Identifier: GPL-2.0
/* securityfs's lockdown file ("none [integrity] confidentiality"), read to explain a refusal. */
#include "fuzz.h"
#include "lockdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum ow_lockdown level;

	fuzz_put("lockdown", data, size);
	if (!ow_lockdown_read(fuzz_dir(), &level))
		ow_lockdown_name(level);
	return 0;
}
