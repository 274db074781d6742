// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/sys/sd_notify.c: the pure parsers and the status throttle, then the
 * messages as a receiver bound where $NOTIFY_SOCKET points (a path in a temporary directory,
 * and an abstract name) really gets them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sd_notify.h"

#define S_NS 1000000000ULL

static void test_parse_path_socket(void **state)
{
	struct sockaddr_un a;
	socklen_t len = 0;

	assert_int_equal(ow_sd_parse_socket("/run/systemd/notify", &a, &len), 0);
	assert_int_equal(a.sun_family, AF_UNIX);
	assert_string_equal(a.sun_path, "/run/systemd/notify");
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 20);
}

static void test_parse_abstract_socket(void **state)
{
	struct sockaddr_un a;
	socklen_t len = 0;

	assert_int_equal(ow_sd_parse_socket("@owh/notify", &a, &len), 0);
	assert_int_equal(a.sun_path[0], '\0');
	assert_memory_equal(a.sun_path + 1, "owh/notify", 10);
	/* No terminating NUL counted: the name is exactly the bytes given. */
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 11);
}

static void test_parse_bad_sockets(void **state)
{
	struct sockaddr_un a;
	socklen_t len;
	char longname[200];

	assert_int_equal(ow_sd_parse_socket(NULL, &a, &len), -EINVAL);
	assert_int_equal(ow_sd_parse_socket("", &a, &len), -EINVAL);
	assert_int_equal(ow_sd_parse_socket("@", &a, &len), -EINVAL);
	assert_int_equal(ow_sd_parse_socket("run/notify", &a, &len), -EINVAL);
	assert_int_equal(ow_sd_parse_socket("vsock:2:1234", &a, &len), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(ow_sd_parse_socket(longname, &a, &len), -ENAMETOOLONG);
	longname[sizeof(a.sun_path) - 1] = '\0'; /* 107 bytes + NUL: fits exactly */
	assert_int_equal(ow_sd_parse_socket(longname, &a, &len), 0);
	longname[sizeof(a.sun_path) - 1] = 'a';
	longname[sizeof(a.sun_path)] = '\0';
	assert_int_equal(ow_sd_parse_socket(longname, &a, &len), -ENAMETOOLONG);
}

static void test_parse_watchdog(void **state)
{
	assert_int_equal(ow_sd_parse_watchdog("1000000", NULL, 42), 1000000);
	assert_int_equal(ow_sd_parse_watchdog("30000000", "42", 42), 30000000);
	assert_int_equal(ow_sd_parse_watchdog("1000000", "43", 42), 0);
	assert_int_equal(ow_sd_parse_watchdog("1000000", "", 42), 0);
	assert_int_equal(ow_sd_parse_watchdog("1000000", "42x", 42), 0);
	assert_int_equal(ow_sd_parse_watchdog(NULL, "42", 42), 0);
	assert_int_equal(ow_sd_parse_watchdog("0", NULL, 42), 0);
	assert_int_equal(ow_sd_parse_watchdog("", NULL, 42), 0);
	assert_int_equal(ow_sd_parse_watchdog("-5", NULL, 42), 0);
	assert_int_equal(ow_sd_parse_watchdog("12s", NULL, 42), 0);
	assert_int_equal(ow_sd_parse_watchdog("99999999999999999999999", NULL, 42), 0);
}

static void test_status_due(void **state)
{
	const uint64_t t0 = 100 * S_NS;

	assert_int_equal(ow_sd_status_due("a", t0, "a", t0 + 5 * S_NS), 0);
	assert_int_equal(ow_sd_status_due("", 0, "a", t0), t0);
	assert_int_equal(ow_sd_status_due("a", t0, "b", t0 + S_NS / 2), t0 + S_NS);
	assert_int_equal(ow_sd_status_due("a", t0, "b", t0 + S_NS), t0 + S_NS);
	assert_int_equal(ow_sd_status_due("a", t0, "b", t0 + 3 * S_NS), t0 + 3 * S_NS);
}

/* ---- messages through a real socket ---- */

struct receiver {
	char dir[64];
	char name[128]; /* as NOTIFY_SOCKET */
	int fd;
};

static void receiver_open(struct receiver *r, bool abstract)
{
	struct sockaddr_un a;
	socklen_t len;

	snprintf(r->dir, sizeof(r->dir), "/tmp/owh-sdnotify.XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	if (abstract)
		snprintf(r->name, sizeof(r->name), "@owh-install-unit-%d", (int)getpid());
	else
		snprintf(r->name, sizeof(r->name), "%s/notify", r->dir);
	assert_int_equal(ow_sd_parse_socket(r->name, &a, &len), 0);
	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(r->fd >= 0);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&a, len), 0);
}

static void receiver_close(struct receiver *r)
{
	char path[160];

	close(r->fd);
	snprintf(path, sizeof(path), "%s/notify", r->dir);
	unlink(path);
	rmdir(r->dir);
}

/* The next datagram, or "" when none waits. */
static const char *receive(struct receiver *r)
{
	static char buf[512];
	ssize_t n = recv(r->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	if (n < 0) {
		assert_int_equal(errno, EAGAIN);
		n = 0;
	}
	buf[n] = '\0';
	return buf;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * S_NS + (uint64_t)ts.tv_nsec;
}

static void open_notifier(struct receiver *r, struct ow_sd *sd, bool abstract)
{
	receiver_open(r, abstract);
	setenv("NOTIFY_SOCKET", r->name, 1);
	setenv("WATCHDOG_USEC", "1000000", 1);
	unsetenv("WATCHDOG_PID");
	assert_int_equal(ow_sd_open(sd), 0);
	assert_true(sd->fd >= 0);
	assert_int_equal(sd->watchdog_usec, 1000000);
	/* Taken out of the environment: children must not notify in our name. */
	assert_null(getenv("NOTIFY_SOCKET"));
	assert_null(getenv("WATCHDOG_USEC"));
}

static void test_messages_reach_a_path_socket(void **state)
{
	struct receiver r;
	struct ow_sd sd;
	const char *m;
	uint64_t t0 = mono_ns(), usec;
	char *end;

	open_notifier(&r, &sd, false);
	assert_int_equal(ow_sd_notify_ready(&sd, "watching 3 cgroups, 0 at risk", t0), 1);
	assert_string_equal(receive(&r), "READY=1\nSTATUS=watching 3 cgroups, 0 at risk");
	assert_int_equal(ow_sd_notify_watchdog(&sd), 1);
	assert_string_equal(receive(&r), "WATCHDOG=1");

	/* Unchanged: nothing. Changed within a second: held, due a second after the last. */
	assert_int_equal(ow_sd_notify_status(&sd, "watching 3 cgroups, 0 at risk", t0 + 1), 0);
	assert_string_equal(receive(&r), "");
	assert_int_equal(ow_sd_notify_status(&sd, "watching 3 cgroups, 1 at risk", t0 + 2), 0);
	assert_string_equal(receive(&r), "");
	assert_int_equal(sd.status_due_ns, t0 + S_NS);
	/* Back to what systemd already shows: nothing waits any more. */
	assert_int_equal(ow_sd_notify_status(&sd, "watching 3 cgroups, 0 at risk", t0 + 3), 0);
	assert_int_equal(sd.status_due_ns, 0);
	assert_int_equal(ow_sd_notify_status(&sd, "watching 4 cgroups, 1 at risk", t0 + S_NS), 1);
	assert_string_equal(receive(&r), "STATUS=watching 4 cgroups, 1 at risk");
	assert_int_equal(sd.status_due_ns, 0);

	assert_int_equal(ow_sd_notify_reloading(&sd), 1);
	m = receive(&r);
	assert_int_equal(strncmp(m, "RELOADING=1\nMONOTONIC_USEC=", 27), 0);
	usec = strtoull(m + 27, &end, 10);
	assert_int_equal(*end, '\0');
	assert_true(usec >= t0 / 1000 && usec <= mono_ns() / 1000);
	assert_int_equal(ow_sd_notify_stopping(&sd), 1);
	assert_string_equal(receive(&r), "STOPPING=1");
	ow_sd_close(&sd);
	assert_int_equal(ow_sd_notify_stopping(&sd), 0);
	receiver_close(&r);
}

static void test_messages_reach_an_abstract_socket(void **state)
{
	struct receiver r;
	struct ow_sd sd;

	open_notifier(&r, &sd, true);
	assert_int_equal(ow_sd_notify_ready(&sd, "ok", mono_ns()), 1);
	assert_string_equal(receive(&r), "READY=1\nSTATUS=ok");
	assert_int_equal(ow_sd_notify_stopping(&sd), 1);
	assert_string_equal(receive(&r), "STOPPING=1");
	ow_sd_close(&sd);
	receiver_close(&r);
}

static void test_no_receiver_is_an_error(void **state)
{
	struct ow_sd sd;

	setenv("NOTIFY_SOCKET", "/tmp/owh-install-nonexistent/notify", 1);
	assert_int_equal(ow_sd_open(&sd), 0);
	assert_int_equal(ow_sd_notify_stopping(&sd), -ENOENT);
	ow_sd_close(&sd);
}

static void test_outside_systemd_nothing_is_sent(void **state)
{
	struct ow_sd sd;

	unsetenv("NOTIFY_SOCKET");
	setenv("WATCHDOG_USEC", "1000000", 1);
	assert_int_equal(ow_sd_open(&sd), 0);
	assert_int_equal(sd.fd, -1);
	assert_int_equal(sd.watchdog_usec, 0);
	assert_int_equal(ow_sd_notify_ready(&sd, "x", 1), 0);
	assert_int_equal(ow_sd_notify_status(&sd, "y", 2 * S_NS), 0);
	assert_int_equal(ow_sd_notify_watchdog(&sd), 0);
	ow_sd_close(&sd);
	unsetenv("WATCHDOG_USEC");
}

static void test_bad_socket_name_disables_notify(void **state)
{
	struct ow_sd sd;

	setenv("NOTIFY_SOCKET", "vsock:2:9", 1);
	setenv("WATCHDOG_USEC", "1000000", 1);
	assert_int_equal(ow_sd_open(&sd), -EINVAL);
	assert_int_equal(sd.fd, -1);
	assert_int_equal(sd.watchdog_usec, 0);
	assert_int_equal(ow_sd_notify_ready(&sd, "x", 1), 0);
	assert_null(getenv("NOTIFY_SOCKET"));
}

static void test_watchdog_pid_of_another_process(void **state)
{
	struct receiver r;
	struct ow_sd sd;
	char pid[16];

	receiver_open(&r, false);
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("NOTIFY_SOCKET", r.name, 1);
	setenv("WATCHDOG_USEC", "1000000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(ow_sd_open(&sd), 0);
	assert_true(sd.fd >= 0);
	assert_int_equal(sd.watchdog_usec, 0);
	assert_null(getenv("WATCHDOG_PID"));
	ow_sd_close(&sd);
	receiver_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_path_socket),
		cmocka_unit_test(test_parse_abstract_socket),
		cmocka_unit_test(test_parse_bad_sockets),
		cmocka_unit_test(test_parse_watchdog),
		cmocka_unit_test(test_status_due),
		cmocka_unit_test(test_messages_reach_a_path_socket),
		cmocka_unit_test(test_messages_reach_an_abstract_socket),
		cmocka_unit_test(test_no_receiver_is_an_error),
		cmocka_unit_test(test_outside_systemd_nothing_is_sent),
		cmocka_unit_test(test_bad_socket_name_disables_notify),
		cmocka_unit_test(test_watchdog_pid_of_another_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
