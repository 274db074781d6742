// SPDX-License-Identifier: GPL-2.0
/* The metrics endpoint: a request head from any local client, and --metrics-listen. */
#include "fuzz.h"
#include "metrics_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_listen_addr addr;
	bool head_only;
	char err[256], *s;

	ow_http_route((const char *)data, size, &head_only);
	s = fuzz_str(data, size);
	ow_listen_addr_parse(s, &addr, err, sizeof(err));
	free(s);
	return 0;
}
