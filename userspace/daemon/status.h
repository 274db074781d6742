/* SPDX-License-Identifier: GPL-2.0 */
/* `oomwarden status`: one table of the watched cgroups, from their files, sampled twice. */
#ifndef OW_STATUS_H
#define OW_STATUS_H

#include "watch.h"

/* What status reads of the settings: which subtrees to show. */
struct ow_status_cfg {
	struct ow_watch_cfg watch;
};

int ow_status_run(const struct ow_status_cfg *cfg);

#endif /* OW_STATUS_H */
