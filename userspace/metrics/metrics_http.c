// SPDX-License-Identifier: GPL-2.0
/* GET /metrics from the epoll loop: see userspace/metrics/metrics_http.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "metrics_http.h"

#define MAX_CLIENTS	  16
#define REQ_MAX		  2048
#define CLIENT_TIMEOUT_NS (5 * 1000000000ULL)
#define SUB_LISTEN	  0
#define SUB_TIMER	  1
#define SUB_CLIENT	  2 /* + slot */

struct client {
	int fd; /* -1: free slot */
	uint64_t deadline_ns;
	char req[REQ_MAX];
	size_t rlen;
	char *resp; /* NULL while reading the request */
	size_t resp_len, sent;
};

struct ow_http {
	int lfd, tfd, epfd;
	uint64_t tag_base;
	ow_metrics_render_fn render;
	void *arg;
	struct ow_strbuf body;
	struct client c[MAX_CLIENTS];
};

/* ---- requests ---- */

int ow_http_route(const char *req, size_t len, bool *head_only)
{
	const char *sp1 = memchr(req, ' ', len), *sp2, *eol, *path;
	size_t plen;

	*head_only = false;
	eol = memchr(req, '\n', len);
	if (!sp1 || !eol || sp1 > eol)
		return 400;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	/* memcmp within the line: strncmp may read past len (libFuzzer's hook did). */
	if (!sp2 || (size_t)(eol - sp2 - 1) < 7 || memcmp(sp2 + 1, "HTTP/1.", 7))
		return 400;
	path = sp1 + 1;
	plen = (size_t)(sp2 - path);
	if (!plen || path[0] != '/')
		return 400;
	if ((size_t)(sp1 - req) == 4 && !strncmp(req, "HEAD", 4))
		*head_only = true;
	else if ((size_t)(sp1 - req) != 3 || strncmp(req, "GET", 3))
		return 405;
	/* /metrics, with or without a query string (scrapers may add parameters). */
	if (plen < 8 || strncmp(path, "/metrics", 8) || (plen > 8 && path[8] != '?'))
		return 404;
	return 200;
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	}
	return "Bad Request";
}

/* The whole response in one buffer. 0 or -ENOMEM. */
static int build_response(struct ow_http *h, struct client *c, int status, bool head_only)
{
	struct ow_strbuf r = {0};
	const char *type = "text/plain; charset=utf-8";

	ow_strbuf_reset(&h->body);
	if (status == 200 && h->render(h->arg, &h->body))
		status = 500;
	if (status == 200)
		type = "text/plain; version=0.0.4; charset=utf-8";
	else
		ow_strbuf_printf(&h->body, "%d %s\n", status, reason(status));
	ow_strbuf_printf(&r,
			 "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
			 "Connection: close\r\n\r\n",
			 status, reason(status), type, h->body.len,
			 status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head_only)
		ow_strbuf_append(&r, h->body.buf, h->body.len);
	if (r.failed) {
		ow_strbuf_free(&r);
		return -ENOMEM;
	}
	c->resp = r.buf;
	c->resp_len = r.len;
	c->sent = 0;
	return 0;
}

static void drop_client(struct client *c)
{
	if (c->fd < 0)
		return;
	close(c->fd); /* also leaves the epoll set */
	free(c->resp);
	c->resp = NULL;
	c->fd = -1;
}

/* Send what the socket takes now; the rest on EPOLLOUT. */
static void write_some(struct ow_http *h, struct client *c)
{
	ssize_t n;

	while (c->sent < c->resp_len) {
		n = send(c->fd, c->resp + c->sent, c->resp_len - c->sent,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		c->sent += (size_t)n;
	}
	drop_client(c);
}

static bool head_complete(const struct client *c)
{
	return memmem(c->req, c->rlen, "\r\n\r\n", 4) || memmem(c->req, c->rlen, "\n\n", 2);
}

static void start_response(struct ow_http *h, struct client *c, int slot, int status,
			   bool head_only)
{
	struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = h->tag_base + SUB_CLIENT + slot};

	if (build_response(h, c, status, head_only) ||
	    epoll_ctl(h->epfd, EPOLL_CTL_MOD, c->fd, &ev)) {
		drop_client(c);
		return;
	}
	write_some(h, c);
}

static void read_some(struct ow_http *h, struct client *c, int slot)
{
	bool head_only;
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->req + c->rlen, sizeof(c->req) - c->rlen, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			drop_client(c); /* EOF before a whole request, or an error */
			return;
		}
		c->rlen += (size_t)n;
		if (head_complete(c)) {
			int status = ow_http_route(c->req, c->rlen, &head_only);

			start_response(h, c, slot, status, head_only);
			return;
		}
		if (c->rlen == sizeof(c->req)) {
			start_response(h, c, slot, 431, false);
			return;
		}
	}
}

/* ---- descriptors and deadlines ---- */

static void arm_timer(struct ow_http *h)
{
	struct itimerspec its = {0};
	uint64_t next = UINT64_MAX;
	int i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (h->c[i].fd >= 0 && h->c[i].deadline_ns < next)
			next = h->c[i].deadline_ns;
	if (next != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(next / 1000000000ULL);
		its.it_value.tv_nsec = (long)(next % 1000000000ULL);
	}
	timerfd_settime(h->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void expire(struct ow_http *h)
{
	uint64_t now = ow_mono_ns(), junk;
	int i;

	if (read(h->tfd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
		return;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (h->c[i].fd >= 0 && now >= h->c[i].deadline_ns)
			drop_client(&h->c[i]);
}

static void accept_all(struct ow_http *h)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int fd, i;

	while ((fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (i = 0; i < MAX_CLIENTS && h->c[i].fd >= 0; i++)
			;
		if (i == MAX_CLIENTS) {
			close(fd); /* full: the scraper retries at its next interval */
			continue;
		}
		ev.data.u64 = h->tag_base + SUB_CLIENT + (uint64_t)i;
		if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			continue;
		}
		h->c[i].fd = fd;
		h->c[i].rlen = 0;
		h->c[i].deadline_ns = ow_mono_ns() + CLIENT_TIMEOUT_NS;
	}
}

void ow_http_handle(struct ow_http *h, unsigned int sub, uint32_t events)
{
	struct client *c;

	if (sub == SUB_LISTEN) {
		accept_all(h);
	} else if (sub == SUB_TIMER) {
		expire(h);
	} else if (sub - SUB_CLIENT < MAX_CLIENTS) {
		c = &h->c[sub - SUB_CLIENT];
		if (c->fd < 0)
			return;
		if (c->resp)
			write_some(h, c);
		else if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			read_some(h, c, (int)(sub - SUB_CLIENT));
	}
	arm_timer(h);
}

static int listen_on(const struct ow_listen_addr *addr)
{
	int fd = socket(addr->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, err;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) || listen(fd, MAX_CLIENTS)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int watch(struct ow_http *h, int fd, uint64_t sub)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = h->tag_base + sub};

	return epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int ow_http_open(const struct ow_listen_addr *addr, int epfd, uint64_t tag_base,
		 ow_metrics_render_fn render, void *arg, struct ow_http **out)
{
	struct ow_http *h = calloc(1, sizeof(*h));
	int i, err;

	if (!h)
		return -ENOMEM;
	for (i = 0; i < MAX_CLIENTS; i++)
		h->c[i].fd = -1;
	h->epfd = epfd;
	h->tag_base = tag_base;
	h->render = render;
	h->arg = arg;
	h->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	h->lfd = listen_on(addr);
	err = h->tfd < 0 ? -errno : h->lfd < 0 ? h->lfd : 0;
	if (!err)
		err = watch(h, h->lfd, SUB_LISTEN);
	if (!err)
		err = watch(h, h->tfd, SUB_TIMER);
	if (err) {
		ow_http_close(h);
		return err;
	}
	*out = h;
	return 0;
}

void ow_http_close(struct ow_http *h)
{
	int i;

	if (!h)
		return;
	for (i = 0; i < MAX_CLIENTS; i++)
		drop_client(&h->c[i]);
	if (h->lfd >= 0)
		close(h->lfd);
	if (h->tfd >= 0)
		close(h->tfd);
	ow_strbuf_free(&h->body);
	free(h);
}
