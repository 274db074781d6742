// SPDX-License-Identifier: GPL-2.0
/* oomwarden: parse the command line and run the command. Errors are reported here, once. */
#include <stdio.h>

#include "daemon.h"
#include "log.h"
#include "options.h"
#include "status.h"

int main(int argc, char **argv)
{
	struct ow_options opts;
	char err[512];
	int ret = 0;

	if (ow_options_parse(argc, argv, &opts, err, sizeof(err))) {
		fprintf(stderr, "oomwarden: %s\n", err);
		ow_options_free(&opts);
		return 2;
	}
	ow_log_setup(opts.log_format, opts.verbose >= 2 ? OW_LOG_DEBUG : OW_LOG_INFO, 2);
	switch (opts.cmd) {
	case OW_CMD_HELP:
		fputs(ow_usage_text, stdout);
		break;
	case OW_CMD_VERSION:
		printf("oomwarden %s\n", OW_VERSION);
		break;
	case OW_CMD_RUN:
		ret = ow_daemon_run(&opts);
		break;
	case OW_CMD_STATUS:
		ret = ow_status_run(&opts);
		break;
	}
	ow_options_free(&opts);
	return ret;
}
