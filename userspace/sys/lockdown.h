/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's lockdown level (security/lockdown). At "confidentiality" the kernel withholds
 * the helpers that read kernel memory (bpf_probe_read_kernel and kin), so every program the
 * daemon loads is refused: knowing it turns "Invalid argument" into a reason.
 */
#ifndef OW_LOCKDOWN_H
#define OW_LOCKDOWN_H

enum ow_lockdown {
	OW_LOCKDOWN_NONE,
	OW_LOCKDOWN_INTEGRITY,
	OW_LOCKDOWN_CONFIDENTIALITY,
};

/*
 * Read `<securityfs>/lockdown` (normally /sys/kernel/security): "none integrity
 * [confidentiality]", the current level in brackets. Returns 0, -ENOENT when securityfs is not
 * mounted or the lockdown LSM is absent, -EINVAL when the file is not of that form.
 */
int ow_lockdown_read(const char *securityfs, enum ow_lockdown *out);

const char *ow_lockdown_name(enum ow_lockdown level);

#endif /* OW_LOCKDOWN_H */
