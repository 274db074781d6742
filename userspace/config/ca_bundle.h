/* SPDX-License-Identifier: GPL-2.0 */
/*
 * webhook_ca: a PEM CA bundle that verifies every HTTPS webhook instead of the system store.
 * The daemon reads it (as root, at start and on reload) and hands the bytes to the alert sender,
 * which drops to nobody before its first connection: a CA file only root may read still works,
 * and nothing is read from disk after the drop.
 */
#ifndef OW_CA_BUNDLE_H
#define OW_CA_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

/* Mozilla's whole bundle is ~220 KB: anything past this is not a CA bundle. */
#define OW_CA_BUNDLE_MAX (1 << 20)

struct ow_ca_bundle {
	char *pem; /* the file's bytes, NUL-terminated; NULL: none (the system store) */
	size_t len;
};

/*
 * Check PEM text: at least one certificate block, and every "-----BEGIN CERTIFICATE-----"
 * closed by its END line with only base64 between. Returns the number of certificates, or
 * -EINVAL with the 1-based line of the first fault in *bad_line (0: no certificate at all).
 */
int ow_ca_bundle_check(const char *pem, size_t len, unsigned int *bad_line);

/*
 * Read and check the bundle at `path` (a regular file). 0, or -errno with one line in err
 * that starts with `name` (how the setting was given, e.g. "--webhook-ca") and names the file.
 */
int ow_ca_bundle_read(const char *path, const char *name, struct ow_ca_bundle *out, char *err,
		      size_t errlen);

/* Same bytes (two empty bundles are the same). */
bool ow_ca_bundle_equal(const struct ow_ca_bundle *a, const struct ow_ca_bundle *b);

void ow_ca_bundle_free(struct ow_ca_bundle *b);

#endif /* OW_CA_BUNDLE_H */
