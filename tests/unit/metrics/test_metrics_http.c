// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/metrics/metrics_http.c: the routing of request heads, and the server
 * itself on an ephemeral loopback port driven by a private epoll loop: 200/404/405/400, a slow
 * client that never finishes its request is closed after the timeout while other clients are
 * served, and too many clients are refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics_http.h"

#define TAG_BASE 1000
#define BODY	 "# TYPE oomwarden_x gauge\noomwarden_x 1\n"

static char err[256];

static int addr(const char *s, struct ow_listen_addr *a)
{
	err[0] = '\0';
	return ow_listen_addr_parse(s, a, err, sizeof(err));
}

static int route(const char *req, bool *head)
{
	return ow_http_route(req, strlen(req), head);
}

static void test_route(void **state)
{
	bool head;

	assert_int_equal(route("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &head), 200);
	assert_false(head);
	assert_int_equal(route("GET /metrics?x=1 HTTP/1.0\r\n\r\n", &head), 200);
	assert_int_equal(route("HEAD /metrics HTTP/1.1\r\n\r\n", &head), 200);
	assert_true(head);
	assert_int_equal(route("GET / HTTP/1.1\r\n\r\n", &head), 404);
	assert_int_equal(route("GET /metricsx HTTP/1.1\r\n\r\n", &head), 404);
	assert_int_equal(route("GET /metrics/ HTTP/1.1\r\n\r\n", &head), 404);
	assert_int_equal(route("POST /metrics HTTP/1.1\r\n\r\n", &head), 405);
	assert_int_equal(route("DELETE /metrics HTTP/1.1\r\n\r\n", &head), 405);
	assert_int_equal(route("GET /metrics\r\n\r\n", &head), 400);
	assert_int_equal(route("GET metrics HTTP/1.1\r\n\r\n", &head), 400);
	assert_int_equal(route("GET /metrics SPDY/3\r\n\r\n", &head), 400);
	assert_int_equal(route("garbage\n\n", &head), 400);
	assert_int_equal(route("", &head), 400);
}

/* ---- the server on a real socket ---- */

static int renders;

static int render(void *arg, struct ow_strbuf *out)
{
	renders++;
	ow_strbuf_printf(out, "%s", BODY);
	return 0;
}

struct srv {
	int epfd;
	struct ow_http *h;
	struct ow_listen_addr a;
};

static void srv_open(struct srv *s)
{
	socklen_t len = sizeof(s->a.ss);
	int probe;

	/* Find a free port: bind port 0 once, then listen there. */
	assert_int_equal(addr("127.0.0.1:1", &s->a), 0);
	probe = socket(AF_INET, SOCK_STREAM, 0);
	((struct sockaddr_in *)&s->a.ss)->sin_port = 0;
	assert_int_equal(bind(probe, (struct sockaddr *)&s->a.ss, s->a.len), 0);
	assert_int_equal(getsockname(probe, (struct sockaddr *)&s->a.ss, &len), 0);
	close(probe);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	assert_true(s->epfd >= 0);
	assert_int_equal(ow_http_open(&s->a, s->epfd, TAG_BASE, render, NULL, &s->h), 0);
}

/* Run the server's side of the loop for up to ms. */
static void pump(struct srv *s, int ms)
{
	struct epoll_event evs[16];
	int i, n;

	n = epoll_wait(s->epfd, evs, 16, ms);
	for (i = 0; i < n; i++) {
		assert_true(evs[i].data.u64 >= TAG_BASE);
		assert_true(evs[i].data.u64 < TAG_BASE + OW_HTTP_TAGS);
		ow_http_handle(s->h, (unsigned int)(evs[i].data.u64 - TAG_BASE), evs[i].events);
	}
}

static int client(const struct srv *s)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_int_equal(connect(fd, (const struct sockaddr *)&s->a.ss, s->a.len), 0);
	return fd;
}

/* Send req, pump the server until the client reads EOF; the whole response into buf. */
static size_t exchange(struct srv *s, const char *req, char *buf, size_t size)
{
	int fd = client(s);
	size_t got = 0;
	ssize_t n;
	int rounds;

	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	for (rounds = 0; rounds < 200; rounds++) {
		pump(s, 10);
		n = recv(fd, buf + got, size - 1 - got, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0)
			got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

static void test_server_answers(void **state)
{
	struct srv s;
	char buf[4096], line[64];

	srv_open(&s);
	exchange(&s, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n", buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "HTTP/1.0 200 OK\r\n", 17), 0);
	assert_non_null(strstr(buf, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	snprintf(line, sizeof(line), "Content-Length: %zu\r\n", strlen(BODY));
	assert_non_null(strstr(buf, line));
	assert_non_null(strstr(buf, "\r\n\r\n" BODY));
	assert_int_equal(strlen(strstr(buf, "\r\n\r\n") + 4), strlen(BODY));

	exchange(&s, "HEAD /metrics HTTP/1.0\n\n", buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "HTTP/1.0 200 OK\r\n", 17), 0);
	assert_string_equal(strstr(buf, "\r\n\r\n"), "\r\n\r\n"); /* no body */

	exchange(&s, "GET /other HTTP/1.1\r\n\r\n", buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "HTTP/1.0 404 Not Found\r\n", 24), 0);
	exchange(&s, "PUT /metrics HTTP/1.1\r\n\r\n", buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "HTTP/1.0 405 ", 13), 0);
	assert_non_null(strstr(buf, "Allow: GET, HEAD\r\n"));
	exchange(&s, "nonsense\r\n\r\n", buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "HTTP/1.0 400 ", 13), 0);
	ow_http_close(s.h);
	close(s.epfd);
}

static void test_oversized_request(void **state)
{
	static char req[3000];
	struct srv s;
	char buf[4096];

	memset(req, 'a', sizeof(req) - 1);
	memcpy(req, "GET /metrics HTTP/1.1\r\nX: ", 26);
	srv_open(&s);
	exchange(&s, req, buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "HTTP/1.0 431 ", 13), 0);
	ow_http_close(s.h);
	close(s.epfd);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A client that sends half a request and waits: others are served meanwhile, and it is
 * closed after the timeout (5 s). */
static void test_slow_client_closed(void **state)
{
	struct srv s;
	char buf[4096];
	double t0 = now_s(), closed_after = -1;
	ssize_t n;
	int slow;

	srv_open(&s);
	slow = client(&s);
	assert_int_equal(send(slow, "GET /metr", 9, 0), 9);
	pump(&s, 50);
	renders = 0;
	exchange(&s, "GET /metrics HTTP/1.1\r\n\r\n", buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "HTTP/1.0 200 OK\r\n", 17), 0);
	assert_int_equal(renders, 1);
	while (now_s() - t0 < 8) {
		pump(&s, 100);
		n = recv(slow, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			closed_after = now_s() - t0;
			break;
		}
	}
	close(slow);
	assert_true(closed_after >= 4.5 && closed_after < 6.5);
	ow_http_close(s.h);
	close(s.epfd);
}

static void test_too_many_clients(void **state)
{
	struct srv s;
	int fds[20], i, closed = 0;
	char c;

	srv_open(&s);
	for (i = 0; i < 20; i++) {
		fds[i] = client(&s);
		pump(&s, 10); /* accept as they come: the backlog is only 16 */
	}
	/* 16 are held open waiting for a request; the other 4 were closed at once. */
	for (i = 0; i < 20; i++) {
		if (recv(fds[i], &c, 1, MSG_DONTWAIT) == 0)
			closed++;
		close(fds[i]);
	}
	assert_int_equal(closed, 4);
	ow_http_close(s.h);
	close(s.epfd);
}

static void test_port_in_use(void **state)
{
	struct ow_http *h2 = NULL;
	struct srv s;

	srv_open(&s);
	assert_int_equal(ow_http_open(&s.a, s.epfd, TAG_BASE, render, NULL, &h2), -EADDRINUSE);
	ow_http_close(s.h);
	close(s.epfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_server_answers),
		cmocka_unit_test(test_oversized_request),
		cmocka_unit_test(test_slow_client_closed),
		cmocka_unit_test(test_too_many_clients),
		cmocka_unit_test(test_port_in_use),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
