// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the cgroup path parser (userspace/core/cgroup_path.c) over literal paths as
 * systemd, logind, docker, podman, containerd, CRI-O and the kubelet make them, and over
 * names a user may make in a delegated subtree; then the display names and the manager
 * detection built on it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup_path.h"

#define H1	  "3f2a9c1e7b4d5a6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7"
#define H2	  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID_DASH  "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
#define UID_UNDER "1b4e28ba_2fa1_11d2_883f_0016d3cca427"
#define USER_MGR  "/user.slice/user-1000.slice/user@1000.service"

static struct ow_cg_path p;
static const char *cur;

static struct ow_cg_path *parse(const char *path)
{
	cur = path;
	ow_cg_path_parse(path, &p);
	return &p;
}

/* The text of a component the parser found, for assertions. */
static const char *text(const struct ow_cgp_comp *c)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%.*s", (int)c->len, c->depth ? cur + c->off : "");
	return buf;
}

static const char *display(const char *path)
{
	static char buf[256];

	ow_cg_display_name(path, buf, sizeof(buf));
	return buf;
}

/* ---- systemd ---- */

static void test_root_and_plain_dirs(void **state)
{
	parse("/");
	assert_int_equal(p.depth, 0);
	parse(NULL);
	assert_int_equal(p.depth, 0);
	parse("//myapp//worker/");
	assert_int_equal(p.depth, 2);
	assert_int_equal(p.type, OW_CGP_DIR);
	assert_string_equal(text(&p.last), "worker");
	assert_int_equal(p.unit.depth, 0);
	assert_int_equal(p.runtime, OW_CGP_RT_NONE);
	assert_false(p.kube);
	assert_int_equal(ow_cg_depth("//a//b/"), 2);
}

/* The owner of a user's cgroup for the alert queues: the first components root made. */
static void test_prefix_len(void **state)
{
	const char *rel = "/user.slice/user-1000.slice/user@1000.service/app.slice/x.service";

	(void)state;
	assert_int_equal(ow_cgp_prefix_len(rel, 0), 0);
	assert_int_equal(ow_cgp_prefix_len(rel, 1), strlen("/user.slice"));
	assert_int_equal(ow_cgp_prefix_len(rel, 3),
			 strlen("/user.slice/user-1000.slice/user@1000.service"));
	assert_int_equal(ow_cgp_prefix_len(rel, 5), strlen(rel));
	assert_int_equal(ow_cgp_prefix_len(rel, 9), strlen(rel));
	assert_int_equal(ow_cgp_prefix_len("//a//b/", 1), strlen("//a"));
	assert_int_equal(ow_cgp_prefix_len("/", 2), 0);
	assert_int_equal(ow_cgp_prefix_len(NULL, 2), 0);
}

static void test_systemd_units(void **state)
{
	parse("/system.slice/api.service");
	assert_int_equal(p.type, OW_CGP_SERVICE);
	assert_string_equal(text(&p.unit), "api.service");
	assert_int_equal(p.unit.depth, 2);
	assert_false(p.scope);
	assert_false(p.user_unit);
	parse("/system.slice");
	assert_int_equal(p.type, OW_CGP_SLICE);
	assert_int_equal(p.unit.depth, 0); /* a slice holds no processes: no unit to claim */
	parse("/system.slice/var-lib.mount");
	assert_int_equal(p.type, OW_CGP_UNIT_MISC);
	/* a helper's sub-cgroup: the unit is the innermost one above */
	parse("/system.slice/worker@3.service/sub");
	assert_int_equal(p.type, OW_CGP_DIR);
	assert_string_equal(text(&p.unit), "worker@3.service");
	parse("/.service"); /* no stem: no unit */
	assert_int_equal(p.type, OW_CGP_DIR);
	assert_int_equal(p.unit.depth, 0);
}

static void test_sessions_and_user_units(void **state)
{
	parse("/user.slice/user-1000.slice/session-3.scope");
	assert_true(p.scope);
	assert_true(p.session);
	assert_false(p.user_unit);
	parse(USER_MGR "/app.slice/app.service");
	assert_string_equal(text(&p.unit), "app.service");
	assert_true(p.user_unit);
	assert_int_equal(p.user.depth, 3);
	assert_int_equal(p.user_uid, 1000);
	parse(USER_MGR "/init.scope"); /* systemd --user itself */
	assert_true(p.user_unit);
	assert_true(p.scope);
	assert_false(p.session);
	parse(USER_MGR); /* the user manager is a system unit */
	assert_false(p.user_unit);
	assert_string_equal(text(&p.unit), "user@1000.service");
	assert_int_equal(p.user_uid, 1000);
	parse("/user.slice/user@99999999999.service"); /* no such uid */
	assert_int_equal(p.user.depth, 0);
	parse("/user.slice/user@10a0.service");
	assert_int_equal(p.user.depth, 0);
}

/* ---- containers ---- */

static void expect_container(const char *path, enum ow_cgp_runtime rt, const char *id,
			     unsigned int depth)
{
	parse(path);
	assert_int_equal(p.runtime, rt);
	assert_string_equal(p.id, id);
	assert_int_equal(p.container.depth, depth);
}

static void test_docker(void **state)
{
	expect_container("/system.slice/docker-" H1 ".scope", OW_CGP_RT_DOCKER, H1, 2);
	assert_true(p.scope); /* the scope is also the unit systemd knows it by */
	expect_container("/docker/" H1, OW_CGP_RT_DOCKER, H1, 2); /* cgroupfs driver */
	/* rootless docker: systemd driver under the user's manager */
	expect_container(USER_MGR "/user.slice/docker-" H2 ".scope", OW_CGP_RT_DOCKER, H2, 5);
	expect_container("/docker/3f2a9c1e7b4d", OW_CGP_RT_NONE, "", 0); /* short: no id */
	expect_container("/system.slice/docker-XYZ.scope", OW_CGP_RT_NONE, "", 0);
	expect_container("/system.slice/docker-" H1 ".scope/extra/" H2, OW_CGP_RT_DOCKER, H1, 2);
}

static void test_podman(void **state)
{
	expect_container("/machine.slice/libpod-" H1 ".scope", OW_CGP_RT_PODMAN, H1, 2);
	expect_container("/machine.slice/machine-libpod_pod_" H2 ".slice/libpod-" H1 ".scope",
			 OW_CGP_RT_PODMAN, H1, 3);
	/* rootless, crun's "container" child of the scope */
	expect_container(USER_MGR "/user.slice/libpod-" H2 ".scope/container", OW_CGP_RT_PODMAN, H2,
			 5);
	assert_string_equal(text(&p.unit), "libpod-" H2 ".scope");
	assert_true(p.user_unit);
	expect_container("/libpod_parent/libpod-" H1, OW_CGP_RT_PODMAN, H1, 2); /* cgroupfs */
	/* conmon, the monitor, is not the container */
	expect_container("/machine.slice/libpod-conmon-" H1 ".scope", OW_CGP_RT_NONE, "", 0);
	expect_container("/libpod_parent/conmon", OW_CGP_RT_NONE, "", 0);
}

static void test_containerd_and_crio(void **state)
{
	expect_container("/system.slice/nerdctl-" H1 ".scope", OW_CGP_RT_CONTAINERD, H1, 2);
	expect_container("/system.slice/cri-containerd-" H1 ".scope", OW_CGP_RT_CONTAINERD, H1, 2);
	expect_container("/system.slice/crio-" H2 ".scope", OW_CGP_RT_CRIO, H2, 2);
	expect_container("/system.slice/crio-conmon-" H2 ".scope", OW_CGP_RT_NONE, "", 0);
	/* a bare id outside kubepods is anyone's directory */
	expect_container("/process_api/" H1, OW_CGP_RT_NONE, "", 0);
}

/* ---- kubernetes ---- */

static void expect_pod(const char *path, enum ow_cgp_qos qos, unsigned int pod_depth)
{
	parse(path);
	assert_true(p.kube);
	assert_int_equal(p.qos, qos);
	assert_int_equal(p.pod.depth, pod_depth);
	assert_string_equal(p.pod_uid, UID_DASH);
}

static void test_kubepods_cgroupfs_driver(void **state)
{
	expect_pod("/kubepods/pod" UID_DASH "/" H1, OW_CGP_QOS_GUARANTEED, 2);
	assert_int_equal(p.runtime, OW_CGP_RT_CRI);
	assert_int_equal(p.container.depth, 3);
	expect_pod("/kubepods/burstable/pod" UID_DASH "/" H1, OW_CGP_QOS_BURSTABLE, 3);
	expect_pod("/kubepods/besteffort/pod" UID_DASH, OW_CGP_QOS_BESTEFFORT, 3);
	assert_int_equal(p.runtime, OW_CGP_RT_NONE);
	expect_pod("/kubepods/burstable/pod" UID_DASH "/crio-" H2, OW_CGP_QOS_BURSTABLE, 3);
	assert_int_equal(p.runtime, OW_CGP_RT_CRIO);
	parse("/kubepods/burstable");
	assert_true(p.kube);
	assert_int_equal(p.pod.depth, 0);
}

static void test_kubepods_systemd_driver(void **state)
{
	expect_pod("/kubepods.slice/kubepods-pod" UID_UNDER ".slice/cri-containerd-" H1 ".scope",
		   OW_CGP_QOS_GUARANTEED, 2);
	assert_int_equal(p.runtime, OW_CGP_RT_CONTAINERD);
	expect_pod("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_UNDER
		   ".slice/cri-containerd-" H1 ".scope",
		   OW_CGP_QOS_BURSTABLE, 3);
	expect_pod("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_UNDER
		   ".slice/crio-" H2 ".scope",
		   OW_CGP_QOS_BESTEFFORT, 3);
	assert_int_equal(p.runtime, OW_CGP_RT_CRIO);
	/* not below kubepods: a "pod..." directory is anyone's */
	parse("/pod" UID_DASH);
	assert_false(p.kube);
	assert_int_equal(p.pod.depth, 0);
	parse("/kubepods.slice/kubepods-burstable-pod.slice"); /* no uid */
	assert_int_equal(p.pod.depth, 0);
}

/* ---- hostile names ---- */

static void test_user_made_names_carry_their_depth(void **state)
{
	/* A delegated subtree: its user may name a directory like a unit or a container. The
	 * parser reports where the name is; ow_cg_trusted_depth decides if root made it. */
	parse(USER_MGR "/app.slice/evil/api.service");
	assert_string_equal(text(&p.unit), "api.service");
	assert_int_equal(p.unit.depth, 6);
	assert_int_equal(p.user.depth, 3);
	parse("/system.slice/docker-" H1 ".scope/docker-" H2 ".scope");
	assert_string_equal(p.id, H2); /* the innermost claim, at its own depth */
	assert_int_equal(p.container.depth, 3);
	/* a pod made inside a pod does not replace the kubelet's */
	parse("/kubepods/burstable/pod" UID_DASH "/" H1 "/pod0000-1111");
	assert_string_equal(p.pod_uid, UID_DASH);
	assert_int_equal(p.pod.depth, 3);
	/* a user manager named inside a user's unit: the unit's manager is the outer one */
	parse(USER_MGR "/app.service/user@0.service");
	assert_int_equal(p.user_uid, 1000);
	assert_int_equal(p.user.depth, 3);
}

static void test_long_and_control_characters(void **state)
{
	size_t n = 64 * 1024, i;
	char *deep = malloc(2 * n + 32), *wide = malloc(n + 32);

	assert_non_null(deep);
	assert_non_null(wide);
	for (i = 0; i < n; i++) {
		deep[2 * i] = '/';
		deep[2 * i + 1] = 'a';
	}
	strcpy(deep + 2 * n, "/x.service");
	parse(deep);
	assert_int_equal(p.depth, n + 1);
	assert_int_equal(p.unit.depth, n + 1);
	wide[0] = '/';
	memset(wide + 1, 'b', n);
	strcpy(wide + 1 + n, ".service");
	parse(wide);
	assert_int_equal(p.unit.len, n + 8);
	assert_int_equal(strlen(display(wide)), 255); /* cut to the buffer */
	free(deep);
	free(wide);
	/* control characters are kept by the parser: the outputs escape them */
	parse("/system.slice/a\nb\033[31m.service");
	assert_int_equal(p.type, OW_CGP_SERVICE);
	assert_string_equal(display("/system.slice/a\nb.service"), "a\nb.service");
	parse("/system.slice/docker-" H1 "\n.scope");
	assert_int_equal(p.runtime, OW_CGP_RT_NONE);
}

/* ---- the names built on it ---- */

static void test_display_names_of_runtimes(void **state)
{
	/* kept as they were */
	assert_string_equal(display("/system.slice/docker-" H1 ".scope"), "docker:3f2a9c1e7b4d");
	assert_string_equal(display("/docker/" H1), "docker:3f2a9c1e7b4d");
	assert_string_equal(display("/kubepods/burstable/pod" UID_DASH "/" H1), "pod:" UID_DASH);
	/* podman and containerd: their containers' names, where raw paths were shown before */
	assert_string_equal(display("/machine.slice/libpod-" H1 ".scope"), "podman:3f2a9c1e7b4d");
	assert_string_equal(display(USER_MGR "/user.slice/libpod-" H2 ".scope/container"),
			    "podman:0123456789ab");
	assert_string_equal(display("/libpod_parent/libpod-" H1), "podman:3f2a9c1e7b4d");
	assert_string_equal(display("/system.slice/nerdctl-" H1 ".scope"),
			    "containerd:3f2a9c1e7b4d");
	assert_string_equal(display("/system.slice/cri-containerd-" H2 ".scope"),
			    "containerd:0123456789ab");
	assert_string_equal(display("/system.slice/crio-" H2 ".scope"), "crio:0123456789ab");
	assert_string_equal(display("/kubepods.slice/kubepods-besteffort.slice/"
				    "kubepods-besteffort-pod" UID_UNDER ".slice/crio-" H2 ".scope"),
			    "pod:" UID_DASH);
	/* a container's other sub-cgroups, and conmon, keep their own names */
	assert_string_equal(display("/machine.slice/libpod-" H1 ".scope/init.scope"), "init.scope");
	assert_string_equal(display("/machine.slice/libpod-conmon-" H1 ".scope"),
			    "libpod-conmon-" H1 ".scope");
	assert_string_equal(display("/docker/" H1 "/sub"), "/docker/" H1 "/sub");
	assert_string_equal(display("/kubepods/" H1), "/kubepods/" H1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_and_plain_dirs),
		cmocka_unit_test(test_prefix_len),
		cmocka_unit_test(test_systemd_units),
		cmocka_unit_test(test_sessions_and_user_units),
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_containerd_and_crio),
		cmocka_unit_test(test_kubepods_cgroupfs_driver),
		cmocka_unit_test(test_kubepods_systemd_driver),
		cmocka_unit_test(test_user_made_names_carry_their_depth),
		cmocka_unit_test(test_long_and_control_characters),
		cmocka_unit_test(test_display_names_of_runtimes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
