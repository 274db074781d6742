// SPDX-License-Identifier: GPL-2.0
/* The subsystems' own settings from struct ow_options: see userspace/daemon/settings.h. */
#include "settings.h"

_Static_assert(OW_MAX_CGROUP_ARGS <= OW_WATCH_MAX_ROOTS, "every --cgroup must fit the watch");

void ow_watch_cfg_of(const struct ow_options *o, struct ow_watch_cfg *out)
{
	out->cgroups = o->cgroups;
	out->ncgroups = o->ncgroups;
}

void ow_victim_cfg_of(const struct ow_options *o, struct ow_victim_cfg *out)
{
	out->protect = o->protect;
	out->protect_re = &o->protect_re;
	out->prefer = o->prefer;
	out->prefer_re = &o->prefer_re;
	out->rules = o->rules;
	out->nrules = o->nrules;
}

void ow_exporter_cfg_of(const struct ow_options *o, struct ow_exporter_cfg *out)
{
	out->file = o->metrics_file;
	out->interval_s = o->metrics_interval_s;
	out->listen = o->metrics_listen;
	out->addr = o->metrics_addr;
}

void ow_status_cfg_of(const struct ow_options *o, struct ow_status_cfg *out)
{
	ow_watch_cfg_of(o, &out->watch);
}
