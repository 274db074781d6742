/* SPDX-License-Identifier: GPL-2.0 */
/* `oomwarden status`: one table of the watched cgroups, from their files, sampled twice. */
#ifndef OW_STATUS_H
#define OW_STATUS_H

#include "options.h"

int ow_status_run(const struct ow_options *opts);

#endif /* OW_STATUS_H */
