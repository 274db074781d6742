/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Each subsystem reads its own small settings struct, declared in its header, never the whole
 * struct ow_options: these fill them from the options in effect. The pointers they copy point
 * into those options, so a caller fills them where it reads the settings (a reload frees the
 * old options): the watch and the exporter at start (and the watch again on a reload that
 * changes --cgroup), the victim choice at each choice.
 */
#ifndef OW_SETTINGS_H
#define OW_SETTINGS_H

#include "candidates.h"
#include "exporter.h"
#include "options.h"
#include "status.h"
#include "watch.h"

void ow_watch_cfg_of(const struct ow_options *o, struct ow_watch_cfg *out);
void ow_victim_cfg_of(const struct ow_options *o, struct ow_victim_cfg *out);
void ow_exporter_cfg_of(const struct ow_options *o, struct ow_exporter_cfg *out);
void ow_status_cfg_of(const struct ow_options *o, struct ow_status_cfg *out);

#endif /* OW_SETTINGS_H */
