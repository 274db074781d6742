/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --kube-api: where the Kubernetes Events go (alerts/alert_kube.c posts them), as one more
 * alert target: the API server's URL, given or "in-cluster" (the service the kubelet names in
 * every pod's environment, KUBERNETES_SERVICE_HOST and _PORT, as client-go's InClusterConfig
 * reads it), and the service account's token file (--kube-credentials DIR/token, read at each
 * request). The CA (DIR/ca.crt) is read by config.c with the other bundles.
 */
#ifndef OW_KUBE_API_H
#define OW_KUBE_API_H

#include <stddef.h>

#include "webhook.h"

#define OW_KUBE_CREDENTIALS_DEFAULT "/var/run/secrets/kubernetes.io/serviceaccount"

/* The target of `api` (an https:// URL without a path, or "in-cluster" with host and port
 * from those two values, NULL when unset) with DIR/token. 0, or -EINVAL with one line. */
int ow_kube_api_target(const char *api, const char *host, const char *port, const char *dir,
		       struct ow_webhook_target *t, char *err, size_t errlen);

#endif /* OW_KUBE_API_H */
