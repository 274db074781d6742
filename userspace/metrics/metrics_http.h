/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GET /metrics over HTTP from the daemon's epoll loop (`--metrics-listen 127.0.0.1:PORT`).
 * Every socket is non-blocking and every buffer bounded: a request is read into 2 KiB at most,
 * a response is written as far as the socket takes it, at most 16 clients are open, and a
 * client that has not been served within 5 s is closed, so a slow or stuck client costs a
 * descriptor for a while and never a wait. One request per connection (HTTP/1.0 style:
 * "Connection: close"). 200 for GET or HEAD /metrics, 404 for other paths, 405 for other
 * methods, 400 for garbage, 431 for a request over 2 KiB.
 *
 * Loopback addresses only: the endpoint has no authentication or TLS; to scrape it from
 * elsewhere, put a proxy in front, or use --metrics-file with node_exporter.
 */
#ifndef OW_METRICS_HTTP_H
#define OW_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "listen_addr.h"
#include "strbuf.h"

/* The status for a request head (request line and headers, up to the blank line): 200, 400,
 * 404 or 405; *head_only for HEAD. Pure. */
int ow_http_route(const char *req, size_t len, bool *head_only);

/* Render the current metrics into out (appending). 0 or -errno. */
typedef int (*ow_metrics_render_fn)(void *arg, struct ow_strbuf *out);

struct ow_http;

/*
 * Listen on `addr` and add the listening socket and a timer to `epfd`. Every descriptor is
 * registered with data.u64 = tag_base + a small number below OW_HTTP_TAGS; hand those events
 * to ow_http_handle. 0 and *out, or -errno.
 */
#define OW_HTTP_TAGS 64
int ow_http_open(const struct ow_listen_addr *addr, int epfd, uint64_t tag_base,
		 ow_metrics_render_fn render, void *arg, struct ow_http **out);
/* One epoll event: `sub` is the tag minus tag_base. Never blocks. */
void ow_http_handle(struct ow_http *h, unsigned int sub, uint32_t events);
void ow_http_close(struct ow_http *h);

#endif /* OW_METRICS_HTTP_H */
