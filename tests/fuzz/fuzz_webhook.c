// SPDX-License-Identifier: GPL-2.0
/* --webhook URLs (and --webhook-format names): the input's lines, paired in order, then every
 * URL redacted as the logs show it. */
#include "fuzz.h"
#include "alert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ow_webhook_target out[OW_MAX_WEBHOOKS];
	const char *urls[OW_MAX_WEBHOOKS + 1], *formats[OW_MAX_WEBHOOKS];
	unsigned int nurls = 0, nformats = 0, i;
	char *s = fuzz_str(data, size), *line, *save = NULL, err[256], red[256];

	for (line = strtok_r(s, "\n", &save); line && nurls <= OW_MAX_WEBHOOKS;
	     line = strtok_r(NULL, "\n", &save)) {
		/* "=name" lines are formats; the rest URLs. */
		if (line[0] == '=' && nformats < OW_MAX_WEBHOOKS)
			formats[nformats++] = line + 1;
		else
			urls[nurls++] = line;
	}
	ow_webhook_targets_parse(urls, nurls, formats, nformats, out, OW_MAX_WEBHOOKS, err,
				 sizeof(err));
	for (i = 0; i < nurls; i++)
		ow_redact_url(urls[i], red, sizeof(red));
	free(s);
	return 0;
}
