// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/sys/kube_logs.c on the fixture tree tests/fixtures/kube/log (a
 * node's /var/log: pods with one and two containers, container links, malformed entries), and
 * on temp trees a user could write: such a directory names no pod.
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

#include "kube_logs.h"

#define LOGDIR	 OW_FIXTURES "/kube/log"
#define WEB	 "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
#define WRK	 "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
#define TWO	 "bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee"
#define HEX32(x) x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x
#define ID1	 HEX32("a1")
#define ID2	 HEX32("b2")
#define ID4	 HEX32("d4")
#define ID9	 HEX32("99")

/* A checkout under a umask of 002 makes group-writable directories: the fixture is root's
 * alone as on a node. */
static int fixture_modes(void **state)
{
	(void)state;
	return system("chmod -R go-w " LOGDIR) ? -1 : 0;
}

static void test_pod_and_container_names(void **state)
{
	struct ow_kube_names n;

	(void)state;
	assert_int_equal(ow_kube_read_names(LOGDIR, WEB, ID1, &n), 0);
	assert_string_equal(n.ns, "default");
	assert_string_equal(n.pod, "web-7d9f8b6c5-x2x9z");
	assert_string_equal(n.container, "nginx");
	assert_int_equal(ow_kube_read_names(LOGDIR, WEB, ID2, &n), 0);
	assert_string_equal(n.container, "sidecar");
	/* the pod's own cgroup: no container */
	assert_int_equal(ow_kube_read_names(LOGDIR, WEB, "", &n), 0);
	assert_string_equal(n.pod, "web-7d9f8b6c5-x2x9z");
	assert_string_equal(n.container, "");
}

static void test_container_without_link(void **state)
{
	struct ow_kube_names n;

	(void)state;
	/* one container directory, and no link for this id: the pod's sandbox (pause) has a
	 * cgroup and no link, and is not that container */
	assert_int_equal(ow_kube_read_names(LOGDIR, WRK, ID9, &n), 0);
	assert_string_equal(n.ns, "prod");
	assert_string_equal(n.pod, "queue-worker-0");
	assert_string_equal(n.container, "");
	/* two, and no link: not known which */
	assert_int_equal(ow_kube_read_names(LOGDIR, TWO, ID9, &n), 0);
	assert_string_equal(n.pod, "api.v2-0");
	assert_string_equal(n.container, "");
	/* a link with a malformed container name is no link; the pod has two containers */
	assert_int_equal(ow_kube_read_names(LOGDIR, WEB, ID4, &n), 0);
	assert_string_equal(n.container, "");
}

static void test_unknown_and_malformed_pods(void **state)
{
	struct ow_kube_names n;

	(void)state;
	assert_int_equal(ow_kube_read_names(LOGDIR, "12345678-0000-0000-0000-000000000000", "", &n),
			 -ENOENT);
	/* directories whose names Kubernetes never gives */
	assert_int_equal(ow_kube_read_names(LOGDIR, "cccccccc-bbbb-cccc-dddd-eeeeeeeeeeee", "", &n),
			 -ENOENT);
	assert_int_equal(ow_kube_read_names(LOGDIR, "dddddddd-bbbb-cccc-dddd-eeeeeeeeeeee", "", &n),
			 -ENOENT);
	assert_int_equal(ow_kube_read_names(LOGDIR, "eeeeeeee-bbbb-cccc-dddd-eeeeeeeeeeee", "", &n),
			 -ENOENT);
	assert_int_equal(ow_kube_read_names(OW_FIXTURES "/kube/none", WEB, "", &n), -ENOENT);
}

/* A tree anyone may write (or that is a symlink, or a FIFO) names nothing. */
static void test_untrusted_trees(void **state)
{
	char dir[] = "/tmp/ow-kube-XXXXXX", path[256];
	struct ow_kube_names n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pods", dir);
	assert_int_equal(mkdir(path, 0777), 0);
	assert_int_equal(chmod(path, 0777), 0);
	snprintf(path, sizeof(path), "%s/pods/default_web_" WEB, dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(ow_kube_read_names(dir, WEB, "", &n), -EPERM);
	snprintf(path, sizeof(path), "%s/pods", dir);
	assert_int_equal(chmod(path, 0755), 0);
	/* a user's own tree, 0755 but not root's: a user made it, it names nothing */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(ow_kube_read_names(dir, WEB, "", &n), -EPERM);
		assert_int_equal(chown(path, 0, 0), 0);
	}
	assert_int_equal(ow_kube_read_names(dir, WEB, "", &n), 0);
	assert_string_equal(n.pod, "web");
	/* a world-writable containers directory is not read: no container name */
	snprintf(path, sizeof(path), "%s/containers", dir);
	assert_int_equal(mkdir(path, 0777), 0);
	assert_int_equal(chmod(path, 0777), 0);
	assert_int_equal(ow_kube_read_names(dir, WEB, ID1, &n), 0);
	assert_string_equal(n.container, "");
	/* pods as a symlink to a good tree, or a FIFO: refused at once */
	snprintf(path, sizeof(path), "rm -rf %s/pods", dir);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/pods", dir);
	assert_int_equal(symlink(LOGDIR "/pods", path), 0);
	assert_int_equal(ow_kube_read_names(dir, WEB, "", &n), -ENOENT);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0666), 0);
	assert_int_equal(ow_kube_read_names(dir, WEB, "", &n), -ENOENT);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pod_and_container_names),
		cmocka_unit_test(test_container_without_link),
		cmocka_unit_test(test_unknown_and_malformed_pods),
		cmocka_unit_test(test_untrusted_trees),
	};

	return cmocka_run_group_tests(tests, fixture_modes, NULL);
}
