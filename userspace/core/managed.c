// SPDX-License-Identifier: GPL-2.0
/* Names of managers for logs and alerts: see managed.h. */
#include <stdio.h>

#include "managed.h"

const char *ow_manager_kind_name(enum ow_manager_kind kind)
{
	static const char *const names[] = {
		[OW_MGR_UNKNOWN] = "unknown",	    [OW_MGR_SYSTEMD] = "systemd",
		[OW_MGR_SUPERVISOR] = "supervisor", [OW_MGR_PM2] = "pm2",
		[OW_MGR_DOCKER] = "docker",	    [OW_MGR_PODMAN] = "podman",
		[OW_MGR_CONTAINERD] = "containerd", [OW_MGR_KUBERNETES] = "kubernetes",
	};

	return (unsigned int)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

void ow_manager_label(const struct ow_manager *m, char *buf, size_t len)
{
	const char *kind = ow_manager_kind_name(m->kind);

	switch (m->kind) {
	case OW_MGR_UNKNOWN:
		snprintf(buf, len, "unknown");
		break;
	case OW_MGR_SYSTEMD:
		if (m->user_unit)
			snprintf(buf, len, "systemd:user@%u:%s", (unsigned int)m->user_uid,
				 m->name);
		else
			snprintf(buf, len, "systemd:%s", m->name);
		break;
	case OW_MGR_PM2:
		snprintf(buf, len, "pm2:%s(id %d)", m->name[0] ? m->name : "?", m->pm2_id);
		break;
	case OW_MGR_KUBERNETES:
		if (m->pod[0] && m->id[0])
			snprintf(buf, len, "kubernetes:%s(pod %s)", m->name, m->pod);
		else
			snprintf(buf, len, "kubernetes:%s", m->name);
		break;
	case OW_MGR_DOCKER:
	case OW_MGR_PODMAN:
		if (m->ctr_name[0])
			snprintf(buf, len, "%s:%s(image %s)", kind, m->ctr_name,
				 m->ctr_image[0] ? m->ctr_image : "?");
		else
			snprintf(buf, len, "%s:%s", kind, m->name);
		break;
	default:
		snprintf(buf, len, "%s:%s", kind, m->name);
	}
}

void ow_sv_restart_note(const char *name, int restart, char *buf, size_t len)
{
	switch (restart) {
	case OW_SV_RESTART_ALWAYS:
		snprintf(buf, len, "%s has autorestart=true: supervisord will restart it", name);
		break;
	case OW_SV_RESTART_NEVER:
		snprintf(buf, len, "%s has autorestart=false: it will stay stopped", name);
		break;
	case OW_SV_RESTART_NOT_ON_0:
		snprintf(buf, len,
			 "%s has autorestart=unexpected and exit code 0 expected: a graceful exit "
			 "leaves it stopped (autorestart=true restarts it)",
			 name);
		break;
	case OW_SV_RESTART_ON_0:
		snprintf(buf, len,
			 "%s has autorestart=unexpected and 0 not in exitcodes: an exit 0 is "
			 "restarted",
			 name);
		break;
	default:
		buf[0] = '\0';
	}
}
