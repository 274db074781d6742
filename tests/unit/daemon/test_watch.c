// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/daemon/watch.c: a scan of the fixture v1 hierarchy and the placement of
 * one new cgroup without a scan (ow_watch_add: the cgroup and its missing parents, parents first).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "watch.h"

#define V1 OW_FIXTURES "/v1/sys/fs/cgroup/memory"

static struct ow_model m;
static struct ow_watch w;

struct calls {
	unsigned int n;
	char rel[8][128];
	bool added[8];
};

static void on_found(struct ow_cgroup *cg, bool added, void *arg)
{
	struct calls *c = arg;

	if (c->n < 8) {
		snprintf(c->rel[c->n], sizeof(c->rel[0]), "%s", cg->rel);
		c->added[c->n] = added;
	}
	c->n++;
}

static uint64_t ino(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static int setup(void **state)
{
	memset(&w, 0, sizeof(w));
	w.mount.version = OW_CG_V1;
	snprintf(w.mount.path, sizeof(w.mount.path), "%s", V1);
	w.machine_limit = OW_NO_LIMIT;
	w.nroots = 1;
	snprintf(w.roots[0], PATH_MAX, "%s", V1);
	return 0;
}

static int teardown(void **state)
{
	ow_model_free(&m);
	return 0;
}

/* A new leaf in an empty model: the root, its parent and itself, in that order, linked. */
static void test_add_with_parents(void **state)
{
	struct calls c = {0};
	struct ow_cgroup *cg;

	assert_int_equal(ow_watch_add(&w, &m, V1 "/system.slice/api.service", on_found, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.rel[0], "/");
	assert_string_equal(c.rel[1], "/system.slice");
	assert_string_equal(c.rel[2], "/system.slice/api.service");
	assert_true(c.added[0] && c.added[1] && c.added[2]);
	cg = ow_model_cgroup(&m, ino(V1 "/system.slice/api.service"));
	assert_non_null(cg);
	assert_int_equal(cg->parent_id, ino(V1 "/system.slice"));
	assert_int_equal(ow_model_cgroup(&m, cg->parent_id)->parent_id, ino(V1));

	/* a sibling: only it is new */
	memset(&c, 0, sizeof(c));
	assert_int_equal(ow_watch_add(&w, &m, V1 "/system.slice/worker.service", on_found, &c), 0);
	assert_int_equal(m.ncgs, 4);
	assert_int_equal(c.n, 3);
	assert_false(c.added[0] || c.added[1]);
	assert_true(c.added[2]);
}

/* It agrees with a scan, which then finds nothing more of the path. */
static void test_add_then_scan(void **state)
{
	struct calls c = {0};

	assert_int_equal(ow_watch_add(&w, &m, V1 "/user.slice", on_found, &c), 0);
	assert_int_equal(ow_watch_scan(&w, &m, NULL, NULL), 0);
	assert_int_equal(ow_model_cgroup(&m, ino(V1 "/user.slice"))->parent_id, ino(V1));
	assert_non_null(ow_model_cgroup(&m, ino(V1 "/system.slice/api.service")));
}

static void test_add_errors(void **state)
{
	struct calls c = {0};

	assert_int_equal(ow_watch_add(&w, &m, OW_FIXTURES "/v2", on_found, &c), -EINVAL);
	assert_int_equal(ow_watch_add(&w, &m, V1 "/vanished", on_found, &c), -ENOENT);
	assert_int_equal(m.ncgs, 1); /* the root, found before the missing level */
}

/* A reload's new watch copied in: the header and the roots' strings, nothing past them (the
 * daemon's copy stays unbacked there), whatever the old one held. */
static void test_copy(void **state)
{
	static struct ow_watch src, dst;

	(void)state;
	memset(&dst, 'x', sizeof(dst));
	src.mount.version = OW_CG_V2;
	snprintf(src.mount.path, sizeof(src.mount.path), "/sys/fs/cgroup");
	src.machine_limit = 42;
	src.nroots = 2;
	snprintf(src.roots[0], PATH_MAX, "/sys/fs/cgroup/a");
	snprintf(src.roots[1], PATH_MAX, "/sys/fs/cgroup/b.slice");
	ow_watch_copy(&dst, &src);
	assert_int_equal(dst.nroots, 2);
	assert_int_equal(dst.machine_limit, 42);
	assert_int_equal(dst.mount.version, OW_CG_V2);
	assert_string_equal(dst.mount.path, "/sys/fs/cgroup");
	assert_string_equal(dst.roots[0], "/sys/fs/cgroup/a");
	assert_string_equal(dst.roots[1], "/sys/fs/cgroup/b.slice");
	assert_int_equal(dst.roots[1][sizeof("/sys/fs/cgroup/b.slice")], 'x');
	assert_int_equal(dst.roots[2][0], 'x');
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_add_with_parents),
		T(test_add_then_scan),
		T(test_add_errors),
		cmocka_unit_test(test_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
