// SPDX-License-Identifier: GPL-2.0
/*
 * The alert sender reports its delivered/failed/dropped totals back to the daemon over its
 * socket (userspace/alerts/alert_sender.c, for the metrics). A real sender child against a loopback
 * listener in this process: one 200, then a refused connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "alert_sender.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int listen_loopback(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Accept one request, read it to the end of its body, answer 200. */
static void answer_one(int lfd)
{
	static const char ok[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	char req[65536], *body, *cl;
	size_t got = 0;
	ssize_t n;
	int fd;

	assert_int_equal(poll(&p, 1, 5000), 1);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	for (;;) {
		n = recv(fd, req + got, sizeof(req) - 1 - got, 0);
		assert_true(n > 0);
		got += (size_t)n;
		req[got] = '\0';
		body = strstr(req, "\r\n\r\n");
		cl = strcasestr(req, "Content-Length:");
		if (body && cl && got >= (size_t)(body + 4 - req) + strtoul(cl + 15, NULL, 10))
			break;
	}
	assert_int_equal(send(fd, ok, sizeof(ok) - 1, MSG_NOSIGNAL), (ssize_t)sizeof(ok) - 1);
	close(fd);
}

/* Poll the counters until they read delivered and failed, or 10 s pass. */
static struct ow_alerter_stats wait_counts(struct ow_alerter *al, uint64_t delivered,
					   uint64_t failed)
{
	double end = now_s() + 10;
	struct ow_alerter_stats st;

	do {
		ow_alerter_poll(al);
		st = ow_alerter_stats(al);
		if (st.delivered == delivered && st.failed == failed)
			break;
		usleep(20000);
	} while (now_s() < end);
	return st;
}

static void test_counts_come_back(void **state)
{
	struct ow_alerter_cfg cfg = {.max_tries = 1, .timeout_ms = 3000, .interval_ms = 1};
	struct ow_webhook_target t;
	struct ow_alerter_stats st;
	struct ow_alerter *al = NULL;
	struct ow_alert a;
	char url[64], err[256];
	const char *urls[1] = {url}, *fmts[1] = {"json"};
	int lfd, port;
	double t0;

	lfd = listen_loopback(&port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", port);
	assert_int_equal(ow_webhook_targets_parse(urls, 1, fmts, 1, &t, 1, err, sizeof(err)), 1);
	assert_int_equal(ow_alerter_start(&t, 1, &cfg, &al), 0);

	/* Nothing sent yet: polling returns at once with zeros. */
	t0 = now_s();
	ow_alerter_poll(al);
	assert_true(now_s() - t0 < 0.1);
	st = ow_alerter_stats(al);
	assert_int_equal(st.delivered + st.failed + st.child_dropped, 0);

	ow_alert_init(&a, OW_ALERT_WARN);
	assert_int_equal(ow_alerter_send(al, &a), 0);
	answer_one(lfd);
	st = wait_counts(al, 1, 0);
	assert_int_equal(st.delivered, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.queued, 1);

	close(lfd); /* the next attempt is refused; one try: failed */
	assert_int_equal(ow_alerter_send(al, &a), 0);
	st = wait_counts(al, 1, 1);
	assert_int_equal(st.delivered, 1);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.child_dropped, 0);
	/* A reload stops the sender: its last totals outlive it (the metrics add them up). */
	assert_int_equal(ow_alerter_stop_stats(al, 500, &st), 1); /* exit 1: something failed */
	assert_int_equal(st.delivered, 1);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.queued, 2);
}

static void test_stats_add_up_across_senders(void **state)
{
	struct ow_alerter_stats sum = {0}, a = {1, 2, 3, 4, 5}, last = {9, 9, 9, 9, 9};

	ow_alerter_stats_add(&sum, &a);
	ow_alerter_stats_add(&sum, &a);
	assert_int_equal(sum.queued, 2);
	assert_int_equal(sum.dropped, 4);
	assert_int_equal(sum.delivered, 6);
	assert_int_equal(sum.failed, 8);
	assert_int_equal(sum.child_dropped, 10);
	/* no sender (no webhooks before the reload): nothing to add */
	assert_int_equal(ow_alerter_stop_stats(NULL, 0, &last), 0);
	assert_int_equal(last.queued + last.dropped + last.delivered + last.failed, 0);
}

static void test_null_alerter(void **state)
{
	struct ow_alerter_stats st;

	ow_alerter_poll(NULL);
	st = ow_alerter_stats(NULL);
	assert_int_equal(st.delivered + st.failed + st.queued + st.dropped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_come_back),
		cmocka_unit_test(test_null_alerter),
		cmocka_unit_test(test_stats_add_up_across_senders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
