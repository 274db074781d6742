// SPDX-License-Identifier: GPL-2.0
/* The runtimes' state (podman's containers.json, whose metadata is JSON in a string; docker's
 * config.v2.json; libpod's database, scanned for a configuration): the container names and
 * stop timeouts of sys/container_state.c. */
#include "container_state.h"
#include "fuzz.h"

#define ID "5e3d5c0b5dc835487d324254fc8687385bd71c12fb55b3393d21a0477b673b97"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_ctr_names n;
	double t = -1;

	ow_podman_names_parse((const char *)data, size, ID, &n);
	ow_docker_names_parse((const char *)data, size, &n);
	if (!ow_podman_stop_timeout_scan((const char *)data, size, ID, &t) &&
	    !(t >= 0 && t <= 86400))
		abort();
	return 0;
}
