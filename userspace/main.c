// SPDX-License-Identifier: GPL-2.0
/* oomwarden: parse the command line and run the command. Errors are reported here, once. */
#include <stdio.h>

#include "alert_sender.h"
#include "config.h"
#include "daemon.h"
#include "diagnose.h"
#include "log.h"
#include "options.h"
#include "settings.h"

/* Send one test alert to each target; exit 0 only if every one answered 2xx. */
static int alert_test(const struct ow_options *opts)
{
	struct ow_alerter_cfg cfg = {.ca_pem = opts->webhook_ca_pem.pem,
				     .ca_len = opts->webhook_ca_pem.len};
	struct ow_alert_test_result res[OW_MAX_WEBHOOKS];
	unsigned int i;
	int ret = ow_alert_test(opts->targets, opts->ntargets, &cfg, res);

	for (i = 0; i < opts->ntargets; i++)
		printf("%-12s %s -> %ld%s%s\n", ow_alert_fmt_name(opts->targets[i].fmt),
		       opts->targets[i].redacted, res[i].http_status, res[i].error[0] ? " " : "",
		       res[i].error);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct ow_options opts;
	struct ow_status_cfg sc;
	char err[1024];
	int ret = 0;

	if (ow_options_load(argc, argv, OW_DEFAULT_CONFIG, &opts, err, sizeof(err))) {
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
		ow_status_cfg_of(&opts, &sc);
		ret = ow_status_run(&sc);
		break;
	case OW_CMD_ALERT_TEST:
		ret = alert_test(&opts);
		break;
	case OW_CMD_DIAGNOSE:
		ret = ow_diagnose_run(&opts.diag);
		break;
	case OW_CMD_DIAGNOSE_HELP:
		fputs(ow_usage_text, stdout);
		break;
	}
	ow_options_free(&opts);
	return ret;
}
