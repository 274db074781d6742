// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/sys/container_state.c on fixture trees of the runtimes' state
 * (tests/fixtures/containers: podman's containers.json, docker's config.v2.json, malformed
 * entries), and on copies a user could have written: those name nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "container_state.h"

#define STATE  OW_FIXTURES "/containers"
#define PODMAN STATE "/podman"
#define DOCKER STATE "/docker"
#define ID1    "5e3d5c0b5dc835487d324254fc8687385bd71c12fb55b3393d21a0477b673b97"
#define ID2    "cb476d75e7ca00a5926b3ab5b25a7150d0c42f5843f001524a09ac999a890274"
#define ID3    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* A checkout under a umask of 002 makes group-writable files: the fixture is root's alone. */
static int fixture_modes(void **state)
{
	(void)state;
	return system("chmod -R go-w " STATE) ? -1 : 0;
}

static void test_podman(void **state)
{
	const char *one = "[{\"id\":\"" ID1 "\",\"names\":[\"a\"]}]";
	struct ow_ctr_names n;

	(void)state;
	assert_int_equal(ow_podman_names(PODMAN, ID1, &n), 0);
	assert_string_equal(n.name, "owleak-test"); /* the first of its names */
	assert_string_equal(n.image, "localhost/owtest-load:1");
	assert_true(n.stop_timeout_s == -1); /* in podman's database, not on disk */
	assert_int_equal(ow_podman_names(PODMAN, ID2, &n), 0);
	assert_string_equal(n.name, "owleak-old");
	/* no names, metadata that is not JSON */
	assert_int_equal(ow_podman_names(PODMAN, ID3, &n), -ENOENT);
	assert_int_equal(ow_podman_names(PODMAN, "5e3d5c0b5dc8", &n), -EINVAL); /* short */
	assert_int_equal(ow_podman_names(PODMAN, "../../etc/passwd", &n), -EINVAL);
	assert_int_equal(ow_podman_names(STATE "/none", ID1, &n), -ENOENT);
	assert_int_equal(ow_podman_names_parse("{}", 2, ID1, &n), -EINVAL);
	assert_int_equal(ow_podman_names_parse("[", 1, ID1, &n), -EINVAL);
	assert_int_equal(ow_podman_names_parse(one, strlen(one), ID1, &n), 0);
	assert_string_equal(n.name, "a");
	assert_string_equal(n.image, ""); /* no metadata: no image */
}

/* libpod's database (a BoltDB file): the container's configuration, found whole past a stale
 * copy cut in a freed page and another container's. */
static void test_podman_stop_timeout(void **state)
{
	static const char cut[] = "\0\0config{\"spec\":{},\"id\":\"" ID1 "\",\"stopTim";
	static const char no_spec[] = "{\"id\":\"" ID1 "\",\"stopTimeout\":3}";
	static const char odd[] = "{\"spec\":{},\"id\":\"" ID1 "\",\"stopTimeout\":-4}";
	double t = 0;

	(void)state;
	assert_int_equal(ow_podman_stop_timeout(PODMAN, ID1, &t), 0);
	assert_true(t == 37);
	assert_int_equal(ow_podman_stop_timeout(PODMAN, ID2, &t), 0);
	assert_true(t == 5);
	assert_int_equal(ow_podman_stop_timeout(PODMAN, ID3, &t), -ENOENT);
	assert_int_equal(ow_podman_stop_timeout(PODMAN, "../x", &t), -EINVAL);
	assert_int_equal(ow_podman_stop_timeout(STATE "/none", ID1, &t), -ENOENT);
	assert_int_equal(ow_podman_stop_timeout_scan(cut, sizeof(cut) - 1, ID1, &t), -ENOENT);
	assert_int_equal(ow_podman_stop_timeout_scan(no_spec, sizeof(no_spec) - 1, ID1, &t),
			 -ENOENT);
	assert_int_equal(ow_podman_stop_timeout_scan(odd, sizeof(odd) - 1, ID1, &t), -ENOENT);
	assert_int_equal(ow_podman_stop_timeout_scan("", 0, ID1, &t), -ENOENT);
}

static void test_docker(void **state)
{
	const char *unset = "{\"Name\":\"/a\",\"Config\":{}}";
	const char *forever = "{\"Name\":\"/a\",\"Config\":{\"StopTimeout\":-1}}";
	struct ow_ctr_names n;

	(void)state;
	assert_int_equal(ow_docker_names(DOCKER, ID1, &n), 0);
	assert_string_equal(n.name, "queue-worker"); /* without docker's leading '/' */
	assert_string_equal(n.image, "owtest-load:1");
	assert_true(n.stop_timeout_s == 20); /* docker run --stop-timeout 20 */
	assert_int_equal(ow_docker_names_parse(unset, strlen(unset), &n), 0);
	assert_true(n.stop_timeout_s == -1); /* not set: docker's own default */
	assert_int_equal(ow_docker_names_parse(forever, strlen(forever), &n), 0);
	assert_true(n.stop_timeout_s == -1);			     /* "for ever" is not a grace */
	assert_int_equal(ow_docker_names(DOCKER, ID2, &n), -EINVAL); /* "Name": 7 */
	assert_int_equal(ow_docker_names(DOCKER, ID3, &n), -ENOENT);
	assert_int_equal(ow_docker_names_parse("{\"Name\":\"/\"}", 12, &n), -EINVAL);
}

/* State a user could have written (not root's, or group/world-writable) names nothing; a FIFO
 * in its place fails at once. */
static void test_untrusted_copies(void **state)
{
	char dir[] = "/tmp/ow-ctr-state.XXXXXX", path[256], cmd[512];
	struct ow_ctr_names n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -r " PODMAN "/overlay-containers %s/", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/overlay-containers/containers.json", dir);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(ow_podman_names(dir, ID1, &n), 0);
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(ow_podman_names(dir, ID1, &n), -EPERM);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(ow_podman_names(dir, ID1, &n), -EPERM);
	assert_string_equal(n.name, "");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(ow_podman_names(dir, ID1, &n), -EINVAL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_podman_stop_timeout),
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_untrusted_copies),
	};

	return cmocka_run_group_tests(tests, fixture_modes, NULL);
}
