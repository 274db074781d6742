// SPDX-License-Identifier: GPL-2.0
/*
 * `oomwarden status`: read every watched cgroup twice, one second apart, and print name,
 * non-reclaimable usage, effective limit, growth rate and time to OOM. Cgroups with neither a
 * limit of their own nor usage above 1 MiB are left out, so the table stays readable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "status.h"
#include "trend.h"
#include "units.h"
#include "utf8.h"
#include "watch.h"

/* A byte count, or "-" for no limit. */
static const char *bytes_or_dash(uint64_t v, char *buf, size_t len)
{
	if (v != OW_NO_LIMIT)
		return ow_fmt_bytes(v, buf, len);
	snprintf(buf, len, "-");
	return buf;
}

static bool interesting(const struct ow_cgroup *cg, uint64_t machine_limit)
{
	return cg->reading.own_limit != OW_NO_LIMIT || cg->reading.st.usage >= (1 << 20) ||
	       !strcmp(cg->rel, "/");
}

static void print_row(const struct ow_cgroup *cg, uint64_t before, double secs)
{
	double rate = ((double)cg->reading.nonrecl - (double)before) / secs;
	char use[OW_FMT_LEN], lim[OW_FMT_LEN], rtext[OW_FMT_LEN], eta[OW_FMT_LEN], name[41];

	/* Anyone who may create a cgroup names it: no \r or ESC may reach the terminal. */
	ow_utf8_escape(name, sizeof(name), cg->name);
	printf("%-40s %10s %10s %13s %8s\n", name,
	       bytes_or_dash(cg->reading.nonrecl, use, sizeof(use)),
	       bytes_or_dash(cg->reading.eff_limit, lim, sizeof(lim)),
	       ow_fmt_rate(rate, rtext, sizeof(rtext)),
	       ow_fmt_eta(ow_eta_seconds(cg->reading.nonrecl, cg->reading.eff_limit, rate), eta,
			  sizeof(eta)));
}

int ow_status_run(const struct ow_status_cfg *cfg)
{
	struct ow_model m = {0};
	struct ow_watch w;
	uint64_t *before;
	unsigned int i;
	char err[PATH_MAX + 128];
	int ret = ow_watch_init(&w, &cfg->watch, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "oomwarden: %s\n", err);
		return ret == -EINVAL ? 2 : 1;
	}
	if (ow_watch_scan(&w, &m, NULL, NULL)) {
		fprintf(stderr, "oomwarden: cannot read the cgroup hierarchy at %s\n",
			w.mount.path);
		return 1;
	}
	before = calloc(m.ncgs + 1, sizeof(*before));
	if (!before)
		return 1;
	for (i = 0; i < m.ncgs; i++)
		before[i] =
			ow_watch_refresh(&w, m.cgs[i], 0) ? UINT64_MAX : m.cgs[i]->reading.nonrecl;
	sleep(1);
	printf("%-40s %10s %10s %13s %8s\n", "CGROUP", "USAGE", "LIMIT", "RATE", "ETA");
	for (i = 0; i < m.ncgs; i++) {
		struct ow_cgroup *cg = m.cgs[i];

		/* Vanished, or unreadable (the v2 root has no memory files). */
		if (before[i] == UINT64_MAX || ow_watch_refresh(&w, cg, 0))
			continue;
		if (interesting(cg, w.machine_limit))
			print_row(cg, before[i], 1.0);
	}
	free(before);
	ow_model_free(&m);
	return 0;
}
