// SPDX-License-Identifier: GPL-2.0
/* --webhook-ca / webhook_ca: PEM text, checked from a buffer and read from a file. */
#include "fuzz.h"
#include "ca_bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_ca_bundle a = {0}, b = {0};
	unsigned int bad_line;
	char err[256];

	ow_ca_bundle_check((const char *)data, size, &bad_line);
	if (!ow_ca_bundle_read(fuzz_put("ca.pem", data, size), "--webhook-ca", &a, err,
			       sizeof(err)))
		ow_ca_bundle_equal(&a, &b);
	ow_ca_bundle_free(&a);
	return 0;
}
